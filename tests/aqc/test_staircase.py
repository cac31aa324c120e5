"""Ran's staircase baseline: its first layer is the optimal bond-2 truncation (checked against a
dense numpy truncated-SVD sweep), fidelities are exact (checked with Qiskit's statevector)."""

from __future__ import annotations

import numpy as np

from qtwin.aqc import circuit_fidelity, staircase_compile, tebd_target
from qtwin.circuits import transverse_field_ising, xxz_chain


def _bond2_truncation(psi: np.ndarray, n: int) -> np.ndarray:
    """Dense reference: truncate to bond 2 by SVDs from the last site to the first."""
    t = psi.reshape((2,) * n).transpose(*reversed(range(n)))  # axes s_0 .. s_{n-1}
    rest = t.reshape(2 ** (n - 1), 2)
    chi = 1
    blocks: list[np.ndarray] = []
    for i in range(n - 1, 0, -1):
        u, s, vh = np.linalg.svd(rest, full_matrices=False)
        k = min(2, s.size)
        blocks.insert(0, vh[:k].reshape(k, 2, chi))
        chi = k
        rest = (u[:, :k] * s[:k]).reshape(2 ** (i - 1), 2 * k)
    out = rest.reshape(1, 2, chi)
    for b in blocks:
        out = np.tensordot(out, b, axes=1)
    out = out.reshape((2,) * n).transpose(*reversed(range(n))).reshape(-1)
    return out / np.linalg.norm(out)


def test_first_layer_is_the_optimal_bond_two_truncation():
    for n, hamiltonian, time in ((7, xxz_chain(7), 0.6), (8, transverse_field_ising(8), 0.8)):
        target = tebd_target(hamiltonian, time, dt=0.1)
        dense = target.to_dense().numpy()
        phi = _bond2_truncation(dense, n)
        res = staircase_compile(target, 1)
        assert abs(res.fidelities[0] - abs(np.vdot(phi, dense)) ** 2) < 1e-10


def test_staircase_fidelity_increases_and_matches_aer():
    n = 6
    target = tebd_target(xxz_chain(n), 0.5)
    res = staircase_compile(target, 3)
    assert res.fidelities[0] < res.fidelities[-1] <= 1 + 1e-12
    assert abs(circuit_fidelity(res.circuit, target, method="statevector") - res.fidelity) < 1e-9
    assert res.two_qubit_depths == sorted(res.two_qubit_depths)
