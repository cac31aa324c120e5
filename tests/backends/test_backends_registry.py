"""get_backend / available_backends: names, options and clear errors."""

from __future__ import annotations

import sys

import pytest
from qiskit.primitives import BaseEstimatorV2, BaseSamplerV2

from qtwin.backends import (
    BACKEND_PATTERNS,
    BackendUnavailableError,
    QtwinBackend,
    available_backends,
    fake_device_names,
    get_backend,
)


@pytest.mark.parametrize(
    "name", ["tensornet", "aer", "fake:manila", "pennylane:default.qubit", "AER", " tensornet "]
)
def test_backends_are_v2_primitives(name: str) -> None:
    backend = get_backend(name)
    assert isinstance(backend, QtwinBackend)
    assert isinstance(backend.sampler, BaseSamplerV2)
    assert isinstance(backend.estimator, BaseEstimatorV2)
    assert backend.description


def test_available_backends_lists_usable_names() -> None:
    names = available_backends()
    assert {"tensornet", "aer", "fake:manila", "pennylane:default.qubit"} <= set(names)
    assert len(names) == len(set(names))
    for name in ["tensornet", "aer", "fake:manila", "pennylane:lightning.qubit"]:
        if name in names:
            assert get_backend(name).name == name


def test_unknown_backend_name_lists_valid_ones() -> None:
    with pytest.raises(ValueError, match="unknown backend 'qasm'.*tensornet.*fake:<device>"):
        get_backend("qasm")
    with pytest.raises(ValueError, match="unknown backend"):
        get_backend("fake:")
    with pytest.raises(TypeError, match="string"):
        get_backend(3)  # type: ignore[arg-type]
    assert "ibm:<device>" in BACKEND_PATTERNS


def test_unknown_option_is_a_type_error() -> None:
    with pytest.raises(TypeError, match=r"unknown option\(s\) \['shots'\].*default_shots"):
        get_backend("tensornet", shots=10)
    with pytest.raises(TypeError, match="unknown option"):
        get_backend("aer-gpu", device="CPU")


def test_aer_gpu_without_gpu_says_what_to_install() -> None:
    if "aer-gpu" in available_backends():
        pytest.skip("this machine has a GPU build of Aer and a CUDA device")
    with pytest.raises(BackendUnavailableError, match=r'pip install "qtwin\[gpu\]".*CUDA'):
        get_backend("aer-gpu")
    with pytest.raises(BackendUnavailableError, match="CUDA"):
        get_backend("aer", device="GPU")


@pytest.mark.parametrize(
    "name", ["fake:manila", "fake:FakeManilaV2", "fake:fake_manila", "fake:Manila"]
)
def test_fake_device_name_forms(name: str) -> None:
    backend = get_backend(name)
    assert backend.name == "fake:manila"
    assert "FakeManilaV2" in backend.description
    assert backend.target_backend.num_qubits == 5


def test_unknown_fake_device_suggests_names() -> None:
    with pytest.raises(ValueError, match="unknown fake device 'manilla'.*fake:manila"):
        get_backend("fake:manilla")
    with pytest.raises(ValueError, match="valid names include fake:"):
        get_backend("fake:nowhere")
    assert {"manila", "sherbrooke", "torino"} <= set(fake_device_names())


def test_missing_ibm_extra_says_what_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    from qtwin.backends import fake

    monkeypatch.setitem(sys.modules, "qiskit_ibm_runtime.fake_provider", None)
    monkeypatch.setitem(sys.modules, "qiskit_ibm_runtime", None)
    fake._classes.cache_clear()
    try:
        with pytest.raises(BackendUnavailableError, match=r'pip install "qtwin\[ibm\]"'):
            get_backend("fake:manila")
        with pytest.raises(BackendUnavailableError, match=r'pip install "qtwin\[ibm\]"'):
            get_backend("ibm:ibm_torino")
    finally:
        fake._classes.cache_clear()


def test_backend_unavailable_is_a_value_error() -> None:
    assert issubclass(BackendUnavailableError, ValueError)
