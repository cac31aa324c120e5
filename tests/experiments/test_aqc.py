"""The ``aqc`` experiment, run small through the runner; numbers re-checked with Aer."""

from __future__ import annotations

import numpy as np

from qtwin.experiments import get_experiment, list_experiments, run_experiment

SMALL = {
    "num_qubits": 6,
    "ansatz_steps": "1",
    "maxiter": 5,
    "max_trotter_steps": 2,
    "staircase_layers": 1,
}


def test_registered_with_small_default():
    assert "aqc" in list_experiments()
    cfg = get_experiment("aqc").config()
    assert cfg["num_qubits"] <= 20 and cfg["maxiter"] <= 100


def test_aqc_experiment_small(tmp_path):
    from qtwin.aqc import circuit_fidelity, tebd_target
    from qtwin.circuits import trotter_circuit, xxz_chain

    res = run_experiment("aqc", out=tmp_path, progress=False, overrides=SMALL)
    m = res["metrics"]
    (row,) = m["table"]
    assert row["aqc_fidelity"] >= row["trotter_init_fidelity"]
    assert row["aqc_depth"] == 6
    # Trotter fidelities recomputed independently with Aer's statevector
    H = xxz_chain(6, J=0.5, delta=2.0)
    psi = tebd_target(H, 0.5, dt=0.1)
    for t in m["trotter"]:
        qc = trotter_circuit(H, 0.5, t["steps"], initial_state="neel")
        assert abs(circuit_fidelity(qc, psi, method="statevector") - t["fidelity"]) < 1e-9
    run = m["running"]
    err = np.max(np.abs(np.asarray(run["aer"]) - np.asarray(run["exact"])))
    assert err <= 2 * np.sqrt(1 - row["aqc_fidelity"]) + 1e-9
    assert (tmp_path / "fidelity_vs_depth.png").exists() or any(tmp_path.rglob("*.png"))
