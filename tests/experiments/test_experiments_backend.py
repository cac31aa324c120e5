"""``--backend`` for every experiment: parts run on the chosen backend and are recorded.

Each experiment that runs circuits is run at a tiny config with ``backend="aer"`` and with
``backend="fake:manila"`` (a 5-qubit noisy device); parts too wide for the device are recorded
as skipped with the reason. Experiments without circuits and unknown backend names are refused
by :func:`qtwin.experiments.registry.validate_backend`.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from qtwin.experiments import list_experiments, run_experiment
from qtwin.experiments.registry import get_experiment, validate_backend

FAKE = "fake:manila"

TINY: dict[str, dict[str, Any]] = {
    "simulate": {"circuits": "grover_4"},
    "rb": {
        "dims": "2,3",
        "noise_models": "depolarizing",
        "lengths": "1,2,4",
        "num_samples": 2,
        "num_bootstrap": 10,
    },
    "qnn": {
        "epochs": 1,
        "aer_test_size": 4,
        "hardness_ns": "2",
        "hardness_epochs": 1,
        "shots": 64,
    },
    "sequences": {"models": "qlstm,lstm", "epochs": 1},
    "control": {"agents": "qlstm", "episodes": 1, "max_steps": 10},
    "aqc": {
        "num_qubits": 4,
        "ansatz_steps": "1",
        "maxiter": 5,
        "max_trotter_steps": 2,
        "staircase_layers": 1,
    },
    "svt": {
        "m": 200,
        "sample_counts": "25,50",
        "repeats": 1,
        "dims": "200",
        "dim_samples": 25,
        "qsvt_size": 4,
        "qsvt_degree": 6,
    },
    "shadows": {"dims": "2", "num_sites": 4, "snapshots": "100,400", "repetitions": 1},
}

#: (experiment, backend) pairs that take more than a few seconds: slow-marked
SLOW = {
    ("qnn", "aer"),
    ("qnn", FAKE),
    ("sequences", "aer"),
    ("sequences", FAKE),
    ("control", "aer"),
    ("control", FAKE),
    ("aqc", "aer"),
    ("svt", "aer"),
    ("shadows", "aer"),
    ("simulate", "aer"),
}


def _cases() -> list[Any]:
    cases = []
    for name in TINY:
        for backend in ("aer", FAKE):
            marks = [pytest.mark.slow] if (name, backend) in SLOW else []
            cases.append(pytest.param(name, backend, marks=marks, id=f"{name}-{backend}"))
    return cases


def test_every_experiment_with_circuits_has_a_tiny_config() -> None:
    with_circuits = {n for n in list_experiments() if get_experiment(n).circuits}
    assert with_circuits == set(TINY)


@pytest.mark.parametrize(("name", "backend"), _cases())
def test_experiment_runs_on_backend(name: str, backend: str, tmp_path) -> None:
    res = run_experiment(name, backend=backend, out=tmp_path, progress=False, overrides=TINY[name])
    assert res["backend"] == backend
    parts = res["metrics"]["backend_parts"]
    assert parts and all(p["status"] in ("ran", "skipped") for p in parts.values())
    assert all("reason" in p for p in parts.values() if p["status"] == "skipped")
    on_backend = [p for p in parts.values() if p["backend"] == backend]
    assert any(p["status"] == "ran" for p in on_backend), parts
    _check(name, backend, res["metrics"])


def _check(name: str, backend: str, m: dict[str, Any]) -> None:
    """Experiment-specific numbers: ideal backends reproduce the exact values."""
    ideal = backend == "aer"
    if name == "rb":
        (row,) = m["backend_rows"]
        assert row["status"] == "ok" and row["d"] == 2 and row["num_circuits"] == 6
        if ideal:
            assert row["fidelity"] == 1.0 and row["mean_survival"] == [1.0, 1.0, 1.0]
    elif name == "qnn":
        digits = m["backend_parts"]["digits/backend"]
        if ideal:
            assert digits["status"] == "ran"
            assert m["fake"]["parity n=2"]["accuracy"] == 1.0  # exact network, no noise
        else:
            assert digits["status"] == "skipped" and "17 qubits" in digits["reason"]
    elif name == "sequences":
        row = m["backend_parts"]["inference/damped_shm/qlstm"]
        assert row["status"] == "ran" and np.isfinite(row["test_mse"])
        assert m["backend_parts"]["inference/damped_shm/lstm"]["status"] == "skipped"
    elif name == "control":
        assert m["backend_parts"]["policy/qlstm"]["status"] == "ran"
    elif name == "aqc":
        run = m["running_backend"]
        assert run["status"] == "ok" and len(run["values"]) == 3
        if ideal:
            assert run["max_error"] == pytest.approx(m["running"]["aer_max_error"], abs=1e-9)
    elif name == "svt":
        q = m["qsvt_backend"]
        assert q["status"] == "ok" and q["num_qubits"] == 4
        assert q["exact_success_probability"] == pytest.approx(
            m["quantum"]["success_probability"], abs=1e-9
        )
        if ideal:
            p = q["exact_success_probability"]
            assert abs(q["success_probability"] - p) < 5 * np.sqrt(p * (1 - p) / q["shots"])
            assert q["output_tv_distance"] < 0.05
    elif name == "shadows":
        s = m["backend_shadow"]
        assert s["status"] == "ok" and s["num_snapshots"] >= 400
        if ideal:
            assert s["max_error"] < 0.6  # 13 shots x 32 settings: sigma ~ 3 / sqrt(416 / 3)
    elif name == "simulate":
        assert m["backend_parts"]["estimates"]["circuits"] == 1


@pytest.mark.parametrize("name", ["designs", "entanglement", "recommend"])
def test_experiments_without_circuits_refuse_a_backend(name: str) -> None:
    assert not get_experiment(name).circuits
    validate_backend(name, None)
    with pytest.raises(ValueError, match="runs no circuits"):
        validate_backend(name, "aer")


@pytest.mark.parametrize("backend", ["bogus", "fake:nosuchdevice", "aer:gpu", "tensornet:mps", ""])
def test_unknown_backend_names_are_refused(backend: str) -> None:
    with pytest.raises(ValueError, match="unknown backend") as info:
        validate_backend("rb", backend)
    if backend == "bogus":
        assert "tensornet" in str(info.value) and "fake:" in str(info.value)


@pytest.mark.parametrize(
    "backend", ["tensornet", "aer", FAKE, "fake:FakeManilaV2", "ibm:ibm_torino", "pennylane:x"]
)
def test_known_backend_names_are_accepted(backend: str) -> None:
    validate_backend("rb", backend)


def test_validate_backend_checks_its_arguments() -> None:
    with pytest.raises(ValueError, match="unknown experiment"):
        validate_backend("nope", "aer")
    with pytest.raises(TypeError, match="backend"):
        validate_backend("rb", 3)  # type: ignore[arg-type]


def test_default_run_records_no_backend_parts(tmp_path) -> None:
    res = run_experiment("rb", out=tmp_path, progress=False, overrides=TINY["rb"])
    assert "backend_parts" not in res["metrics"] and "backend_rows" not in res["metrics"]
