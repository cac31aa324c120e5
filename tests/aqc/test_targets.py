"""Targets: TEBD on qtwin vs Aer's MPS vs Qiskit statevector; quimb and Aer inputs."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from qiskit.quantum_info import Statevector

from qtwin.aqc import target_from_circuit, to_target_mps
from qtwin.circuits import trotter_circuit, xxz_chain
from qtwin.tensornet import MPS


def test_targets_agree_between_tensornet_aer_quimb_and_dense():
    import quimb.tensor as qtn

    n = 6
    qc = trotter_circuit(xxz_chain(n), 0.5, 6, order=2, initial_state="neel")
    a = target_from_circuit(qc)
    b = target_from_circuit(qc, method="aer")
    assert abs(abs(a.overlap(b)) - 1) < 1e-10
    ref = Statevector(qc).data
    assert abs(abs(np.vdot(ref, a.to_dense().numpy())) - 1) < 1e-10
    q = qtn.MPS_rand_state(5, 3, seed=1, dtype=complex)
    dense_q = q.to_dense().ravel().reshape([2] * 5).transpose(4, 3, 2, 1, 0).ravel()
    assert np.allclose(to_target_mps(q).to_dense().numpy(), dense_q)


def test_every_input_type_gives_the_same_state():
    import quimb.tensor as qtn
    from qiskit_aer import AerSimulator

    n = 5
    qc = trotter_circuit(xxz_chain(n), 0.4, 2, initial_state="neel")
    ref = Statevector(qc).data  # Qiskit's dense statevector, the independent reference
    circ = qc.copy()
    circ.save_matrix_product_state(label="mps")
    aer = AerSimulator(method="matrix_product_state").run(circ.decompose(reps=0))
    mps = MPS.from_circuit(qc)
    quimb_state = qtn.MatrixProductState.from_dense(
        ref.reshape([2] * n).transpose(*reversed(range(n))).reshape(-1), dims=[2] * n
    )
    inputs = {
        "mps": mps,
        "mps complex64": mps.to(dtype=torch.complex64),
        "aer": aer.result().data()["mps"],
        "quimb": quimb_state,
        "numpy": ref,
        "torch": torch.as_tensor(ref),
        "list": ref.tolist(),
    }
    for name, target in inputs.items():
        psi = to_target_mps(target)
        assert psi.dtype == torch.complex128, name
        tol = 1e-6 if name == "mps complex64" else 1e-10
        assert abs(abs(np.vdot(ref, psi.to_dense().numpy())) - 1) < tol, name
    assert to_target_mps(mps) is not mps  # a copy: the caller's MPS is left alone


def test_quimb_is_not_imported_to_dispatch_and_bad_types_are_named():
    import subprocess
    import sys

    code = (
        "import sys; from qtwin.aqc import to_target_mps; to_target_mps([1, 0]); "
        "print('quimb' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
    with pytest.raises(TypeError, match="got str"):
        to_target_mps("0101")
    with pytest.raises(TypeError, match="a tuple target must be Aer's"):
        to_target_mps((1, 2, 3))
    with pytest.raises(ValueError, match="qubit state"):
        to_target_mps(MPS.zeros(2, dims=3))
