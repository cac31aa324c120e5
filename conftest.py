"""Shared pytest configuration: the ``slow``, ``gpu`` and ``ibm`` markers, the hypothesis
profiles, and the two-process Dask cluster the cluster tests share."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--runslow", action="store_true", default=False, help="run slow tests")


def _has_cuda() -> bool:
    try:
        import torch

        return torch.cuda.is_available()
    except ImportError:  # pragma: no cover
        return False


def _has_ibm_credentials() -> bool:
    try:
        from qiskit_ibm_runtime import QiskitRuntimeService

        QiskitRuntimeService()
        return True
    except Exception:
        return False


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    run_slow = config.getoption("--runslow")
    cuda = None
    ibm = None
    for item in items:
        if "slow" in item.keywords and not run_slow:
            item.add_marker(pytest.mark.skip(reason="slow: pass --runslow to run"))
        if "gpu" in item.keywords:
            cuda = _has_cuda() if cuda is None else cuda
            if not cuda:
                item.add_marker(pytest.mark.skip(reason="gpu: no CUDA device"))
        if "ibm" in item.keywords:
            ibm = _has_ibm_credentials() if ibm is None else ibm
            if not ibm:
                item.add_marker(pytest.mark.skip(reason="ibm: no saved IBM Quantum account"))


def _register_hypothesis_profiles() -> None:
    """Profiles for the property tests: ``fast`` (default, 25 examples) and ``slow`` (500);
    choose with ``--hypothesis-profile=slow`` or ``QTWIN_HYPOTHESIS_PROFILE=slow``. Registered
    here because hypothesis reads ``--hypothesis-profile`` before test modules are imported."""
    try:
        from hypothesis import HealthCheck, settings
    except ImportError:  # pragma: no cover - hypothesis is in the dev extra
        return
    quiet = [HealthCheck.too_slow, HealthCheck.function_scoped_fixture]
    settings.register_profile("fast", max_examples=25, deadline=None, suppress_health_check=quiet)
    settings.register_profile("slow", max_examples=500, deadline=None, suppress_health_check=quiet)
    settings.load_profile(os.environ.get("QTWIN_HYPOTHESIS_PROFILE", "fast"))


_register_hypothesis_profiles()


@pytest.fixture(scope="session")
def procs2() -> Iterator[object]:
    """A LocalCluster of two one-thread worker *processes* on loopback, started once per session
    for every test that needs real worker processes (skipped without ``distributed``)."""
    distributed = pytest.importorskip("distributed")
    with (
        distributed.LocalCluster(
            n_workers=2,
            threads_per_worker=1,
            processes=True,
            host="127.0.0.1",
            dashboard_address="127.0.0.1:0",
        ) as lc,
        distributed.Client(lc, set_as_default=False) as client,
    ):
        yield client
