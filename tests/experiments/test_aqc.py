"""The ``aqc`` experiment, run small through the runner; numbers re-checked with Aer."""

from __future__ import annotations

import numpy as np
import pytest

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
    assert cfg.num_qubits <= 20 and cfg.maxiter <= 100
    with pytest.raises(ValueError, match="time"):
        get_experiment("aqc").make_config({"time": "0"})


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
    pngs = {p.name for p in tmp_path.rglob("*.png")}
    assert {
        "fidelity_vs_depth.png",
        "fidelity_vs_iteration.png",
        "entanglement_profile.png",
    } <= pngs
    # entanglement profiles: Schmidt values of dense Qiskit statevectors (numpy SVD)
    (aqc_row,) = m["aqc"]
    assert len(aqc_row["history"]) == aqc_row["iterations"] + 1

    def dense_profile(v):
        out = []
        for cut in range(1, 6):  # little-endian: qubits [0, cut) are the low bits
            s = np.linalg.svd(v.reshape(2 ** (6 - cut), 2**cut), compute_uv=False) ** 2
            s = s[s > 1e-30]
            out.append(float(-(s * np.log(s)).sum()))
        return np.asarray(out)

    assert np.allclose(m["target"]["entropy_profile"], dense_profile(psi.to_dense().numpy()))
    from qiskit.quantum_info import Statevector

    from qtwin.aqc import compile_mps

    again = compile_mps(
        psi, trotter_circuit(H, 0.5, 1, initial_state="neel"), maxiter=5, progress=False
    )
    assert again.fidelity == pytest.approx(aqc_row["fidelity"], abs=1e-12)
    compiled = Statevector(again.circuit).data
    assert np.allclose(aqc_row["entropy_profile"], dense_profile(compiled), atol=1e-9)
