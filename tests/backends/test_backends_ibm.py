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


# ----------------------------------------------------------------------------------------
# Qiskit Runtime local testing mode: the ibm: code path on a fake device, no account


def _bell() -> QuantumCircuit:
    qc = QuantumCircuit(2)
    qc.h(0)
    qc.cx(0, 1)
    return qc


@pytest.mark.parametrize("mode", ["job", "session", "batch"])
def test_local_testing_mode_runs_runtime_primitives(mode: str, monkeypatch, tmp_path) -> None:
    from qiskit_ibm_runtime import SamplerV2

    from qtwin.backends.ibm import close_ibm_backend, ibm_job_records

    monkeypatch.setenv("HOME", str(tmp_path))  # no account: local mode must not need one
    backend = get_backend("ibm:fake_manila", mode=mode, seed=3, default_shots=400)
    assert isinstance(backend.sampler.inner.inner, SamplerV2)  # Runtime's own primitive
    assert "local testing mode" in backend.description and f"{mode} mode" in backend.description
    qc = _bell()
    qc.measure_all()
    counts = backend.sampler.run([qc]).result()[0].data.meas.get_counts()
    assert sum(counts.values()) == 400
    assert (counts.get("00", 0) + counts.get("11", 0)) / 400 > 0.8  # noisy Bell pair
    evs = backend.estimator.run([(_bell(), "ZZ")]).result()[0].data.evs
    assert 0.7 < float(evs) <= 1.0
    records = ibm_job_records(backend)
    assert [r["primitive"] for r in records] == ["sampler", "estimator"]
    for r in records:
        assert r["job_id"] and r["mode"] == mode and r["num_pubs"] == 1
        assert "DONE" in str(r["status"])
        assert isinstance(r["metrics"], dict) and "timestamps" in r["metrics"]
    close_ibm_backend(backend)


def test_local_testing_mode_checks_its_options() -> None:
    with pytest.raises(ValueError, match="mode"):
        get_backend("ibm:fake_manila", mode="sessions")
    with pytest.raises(ValueError, match="unknown fake device"):
        get_backend("ibm:fake_nosuchdevice")
    from qtwin.backends.ibm import ibm_job_records

    with pytest.raises(ValueError, match="ibm:<device>"):
        ibm_job_records(get_backend("aer"))


def test_seed_is_ignored_on_hardware(monkeypatch, tmp_path) -> None:
    monkeypatch.setenv("HOME", str(tmp_path))
    for var in ["QISKIT_IBM_TOKEN", "QISKIT_IBM_INSTANCE", "QISKIT_IBM_CHANNEL", "QISKIT_IBM_URL"]:
        monkeypatch.delenv(var, raising=False)
    with pytest.raises(BackendUnavailableError, match="save_account"):  # not a seed error
        get_backend("ibm:ibm_torino", seed=1)


def test_experiment_through_the_ibm_path(tmp_path) -> None:
    from qtwin.experiments import run_experiment

    overrides = {"dims": "2", "noise_models": "depolarizing", "lengths": "1,2,4", "num_samples": 2}
    res = run_experiment(
        "rb", backend="ibm:fake_manila", out=tmp_path, progress=False, overrides=overrides
    )
    part = res["metrics"]["backend_parts"]["qubit_rb/d=2"]
    assert part["backend"] == "ibm:fake_manila" and part["status"] == "ran"
    (row,) = res["metrics"]["backend_rows"]
    assert 0.8 < min(row["mean_survival"]) <= 1.0  # a noisy device: some decay, not much


def test_dry_run_reports_isa_size_and_shots() -> None:
    from qiskit.circuit import Parameter

    from qtwin.backends import dry_run

    theta = Parameter("t")
    qc = QuantumCircuit(3)
    qc.ry(theta, 0)
    qc.cx(0, 2)  # not adjacent on manila's line: routing adds SWAPs (3 CX each)
    qc.cx(2, 1)
    qc.measure_all()
    plan = dry_run("ibm:fake_manila", [(qc, [[0.1], [0.2], [0.3]], 50), qc.assign_parameters([1])])
    first, second = plan
    assert first["backend"] == "ibm:fake_manila" and first["num_qubits"] == 5
    assert first["active_qubits"] == 3 and set(first["ops"]) <= {
        "rz",
        "sx",
        "x",
        "cx",
        "measure",
        "barrier",
    }
    assert first["two_qubit_gates"] >= 2 and first["two_qubit_depth"] <= first["depth"]
    assert (first["parameter_sets"], first["shots"], first["total_shots"]) == (3, 50, 150)
    assert (second["shots"], second["total_shots"]) == (1024, 1024)
    ideal = dry_run("tensornet", [qc.assign_parameters([1])], shots=10)[0]
    assert ideal["two_qubit_gates"] == 2 and ideal["num_qubits"] == 3  # simulators: as given
    with pytest.raises(ValueError, match="shots"):
        dry_run("tensornet", [qc], shots=0)
