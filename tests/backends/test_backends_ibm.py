"""IBM hardware: clear errors without an account; a real run when credentials exist."""

from __future__ import annotations

import pytest
from qiskit import QuantumCircuit

from qtwin.backends import BackendUnavailableError, get_backend
from qtwin.backends.ibm import redact


def test_without_account_explains_how_to_save_one(monkeypatch, tmp_path) -> None:
    monkeypatch.setenv("HOME", str(tmp_path))
    for var in ["QISKIT_IBM_TOKEN", "QISKIT_IBM_INSTANCE", "QISKIT_IBM_CHANNEL", "QISKIT_IBM_URL"]:
        monkeypatch.delenv(var, raising=False)
    with pytest.raises(BackendUnavailableError, match="save_account") as info:
        get_backend("ibm:ibm_torino")
    assert info.value.__cause__ is None  # nothing chained that could carry a token


def test_tokens_are_redacted() -> None:
    token = "a1B2" * 11
    assert token not in redact(f"401 Unauthorized for token {token}")
    assert redact("short words stay") == "short words stay"


@pytest.mark.ibm
def test_bell_state_on_least_busy_device() -> None:
    from qiskit_ibm_runtime import QiskitRuntimeService

    device = QiskitRuntimeService().least_busy(operational=True, simulator=False).name
    backend = get_backend(f"ibm:{device}")
    qc = QuantumCircuit(2)
    qc.h(0)
    qc.cx(0, 1)
    qc.measure_all()
    counts = backend.sampler.run([qc], shots=200).result()[0].data.meas.get_counts()
    assert (counts.get("00", 0) + counts.get("11", 0)) / 200 > 0.8
