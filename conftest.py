"""Shared pytest configuration: the ``slow``, ``gpu`` and ``ibm`` markers."""

from __future__ import annotations

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
