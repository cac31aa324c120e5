"""to_quimb / from_quimb: round trips, bit order against quimb's to_dense, Aer and dense."""

from __future__ import annotations

import numpy as np
import pytest
import quimb.tensor as qtn
import torch
from qiskit import QuantumCircuit
from qiskit.circuit.random import random_circuit
from qiskit.quantum_info import SparsePauliOp, Statevector
from qiskit_aer import AerSimulator

from qtwin.tensornet import MPS
from qtwin.tensornet.quimb_interop import from_quimb, to_quimb


def _bit_reverse(vec: np.ndarray, n: int) -> np.ndarray:
    """Big-endian <-> little-endian for an n-qubit vector."""
    return vec.reshape([2] * n).transpose(*reversed(range(n))).reshape(-1)


def _quimb_z(q: qtn.MatrixProductState, site: int) -> float:
    """<Z_site> computed by quimb alone (gate on a copy, then quimb's overlap)."""
    zq = q.gate(np.diag([1.0, -1.0]), site, contract=True)
    return float((q.H @ zq).real / (q.H @ q).real)


def _random_circuit(n: int, depth: int, seed: int) -> QuantumCircuit:
    qc = random_circuit(n, depth, max_operands=3, seed=seed)
    return qc


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_to_quimb_matches_qiskit_statevector(seed: int) -> None:
    n = 6
    qc = _random_circuit(n, 6, seed)
    psi = MPS.from_circuit(qc)
    q = to_quimb(psi)
    assert isinstance(q, qtn.MatrixProductState)
    assert q.L == n
    ref = Statevector(qc).data  # qiskit: little-endian
    np.testing.assert_allclose(_bit_reverse(q.to_dense().ravel(), n), ref, atol=1e-10)
    # local expectation on qubit 0 agrees (quimb's site 0 is qiskit's qubit 0)
    ref_z0 = Statevector(qc).expectation_value(SparsePauliOp("I" * (n - 1) + "Z")).real
    assert _quimb_z(q, 0) == pytest.approx(ref_z0, abs=1e-10)


@pytest.mark.parametrize("seed", [3, 4])
def test_round_trip_is_exact(seed: int) -> None:
    qc = _random_circuit(7, 5, seed)
    psi = MPS.from_circuit(qc)
    back = from_quimb(to_quimb(psi))
    assert back.dims == psi.dims
    assert back.bond_dims == psi.bond_dims
    np.testing.assert_allclose(back.to_dense().numpy(), psi.to_dense().numpy(), atol=1e-12)


def test_from_quimb_random_quimb_mps_vs_dense() -> None:
    q = qtn.MPS_rand_state(8, bond_dim=5, dtype="complex128", seed=11)
    psi = from_quimb(q)
    assert len(psi.bond_dims) == 7 and max(psi.bond_dims) <= 5
    np.testing.assert_allclose(
        psi.to_dense().numpy(), _bit_reverse(q.to_dense().ravel(), 8), atol=1e-12
    )
    # and back to quimb: same state up to nothing (no phase, no norm change)
    assert abs(to_quimb(psi).overlap(q) - q.overlap(q)) < 1e-10


def test_from_quimb_handles_permuted_index_order_and_qudits() -> None:
    q = qtn.MPS_rand_state(4, bond_dim=3, phys_dim=3, dtype="complex128", seed=2)
    q.permute_arrays(shape="prl")
    psi = from_quimb(q)
    assert psi.dims == (3, 3, 3, 3)
    dense_q = q.to_dense().ravel().reshape([3] * 4).transpose(3, 2, 1, 0).reshape(-1)
    np.testing.assert_allclose(psi.to_dense().numpy(), dense_q, atol=1e-12)
    assert to_quimb(psi).phys_dim() == 3


def test_expectations_vs_aer_mps_on_wide_circuit() -> None:
    n = 16
    qc = QuantumCircuit(n)
    rng = np.random.default_rng(5)
    for layer in range(3):
        for q in range(n):
            qc.ry(float(rng.uniform(0, np.pi)), q)
        for q in range(layer % 2, n - 1, 2):
            qc.cx(q, q + 1)
    qc.cx(0, n - 1)  # long range
    psi = from_quimb(to_quimb(MPS.from_circuit(qc)))
    ops = [SparsePauliOp.from_sparse_list([("Z", [k], 1.0)], n) for k in (0, 7, 15)]
    ops.append(SparsePauliOp.from_sparse_list([("XX", [3, 4], 1.0)], n))
    aer_qc = qc.copy()
    for i, op in enumerate(ops):
        aer_qc.save_expectation_value(op, range(n), label=f"e{i}")
    data = AerSimulator(method="matrix_product_state").run(aer_qc).result().data()
    for i, op in enumerate(ops):
        assert float(np.real(psi.expectation(op))) == pytest.approx(data[f"e{i}"], abs=1e-9)
    # quimb's own local expectation on the converted state agrees with Aer as well
    q = to_quimb(psi)
    assert _quimb_z(q, 7) == pytest.approx(data["e1"], abs=1e-9)


def test_single_site_and_errors() -> None:
    psi = MPS.from_dense(np.array([0.6, 0.8j]))
    q = to_quimb(psi)
    assert q.L == 1
    np.testing.assert_allclose(from_quimb(q).to_dense().numpy(), [0.6, 0.8j], atol=1e-12)
    with pytest.raises(TypeError, match="mps must be a qtwin"):
        to_quimb(q)
    with pytest.raises(TypeError, match="qtn_mps must be a quimb"):
        from_quimb(psi)
    with pytest.raises(ValueError, match="dtype"):
        from_quimb(q, dtype=torch.float64)


def test_to_quimb_detaches_autograd_state() -> None:
    theta = torch.tensor(0.3, dtype=torch.float64, requires_grad=True)
    qc = QuantumCircuit(2)
    from qiskit.circuit import Parameter

    t = Parameter("t")
    qc.ry(t, 0)
    qc.cx(0, 1)
    psi = MPS.from_circuit(qc, parameter_values={t: theta})
    q = to_quimb(psi)
    dense = _bit_reverse(q.to_dense().ravel(), 2)
    np.testing.assert_allclose(np.abs(dense) ** 2, [np.cos(0.15) ** 2, 0, 0, np.sin(0.15) ** 2])
