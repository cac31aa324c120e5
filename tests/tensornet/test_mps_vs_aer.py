"""MPS against Aer: exact statevectors on random circuits, MPS-method expectations when wide."""

from __future__ import annotations

import numpy as np
import pytest
from qiskit import QuantumCircuit, transpile
from qiskit.circuit.random import random_circuit
from qiskit.quantum_info import SparsePauliOp
from qiskit_aer import AerSimulator

from qtwin.tensornet import MPS


def _aer_statevector(qc: QuantumCircuit) -> np.ndarray:
    sim = AerSimulator(method="statevector")
    circ = qc.copy()
    circ.save_statevector()
    # optimization_level=0: higher levels elide final swaps into a layout permutation
    return np.asarray(
        sim.run(transpile(circ, sim, optimization_level=0)).result().get_statevector()
    )


@pytest.mark.parametrize("seed", range(50))
def test_random_circuit_matches_aer_statevector(seed: int) -> None:
    rng = np.random.default_rng(seed)
    n = int(rng.integers(2, 13))
    qc = random_circuit(n, depth=int(rng.integers(3, 9)), max_operands=min(4, n), seed=seed)
    psi = MPS.from_circuit(qc).to_dense().numpy()
    ref = _aer_statevector(qc)
    assert abs(np.vdot(ref, psi)) ** 2 >= 1 - 1e-10
    # global phase is tracked too: amplitudes agree, not only up to phase
    np.testing.assert_allclose(psi, ref, atol=1e-7)


def test_random_circuits_cover_the_standard_gate_library() -> None:
    from qiskit.circuit.library import get_standard_gate_name_mapping

    names: set[str] = set()
    for seed in range(50):
        rng = np.random.default_rng(seed)
        n = int(rng.integers(2, 13))
        qc = random_circuit(n, depth=int(rng.integers(3, 9)), max_operands=min(4, n), seed=seed)
        names |= set(qc.count_ops())
    unitary_gates = set(get_standard_gate_name_mapping()) - {"delay", "measure", "reset"}
    assert unitary_gates - names <= {"global_phase"}, sorted(unitary_gates - names)


def _wide_circuit(n: int, layers: int, seed: int) -> QuantumCircuit:
    rng = np.random.default_rng(seed)
    qc = QuantumCircuit(n)
    for layer in range(layers):
        for q in range(n):
            qc.u(*rng.uniform(0, 2 * np.pi, 3), q)
        for q in range(layer % 2, n - 1, 2):
            qc.rzz(rng.uniform(0, np.pi), q, q + 1)
            qc.cx(q, q + 1)
    qc.cx(0, n - 1)  # one long-range gate, through swaps
    return qc


def test_wide_circuit_expectations_match_aer_mps() -> None:
    n = 56
    qc = _wide_circuit(n, layers=4, seed=7)
    obs = [SparsePauliOp.from_sparse_list([("Z", [q], 1.0)], n) for q in range(0, n, 5)]
    obs += [
        SparsePauliOp.from_sparse_list([("XX", [q, q + 1], 1.0)], n) for q in range(0, n - 1, 9)
    ]
    obs += [SparsePauliOp.from_sparse_list([("ZZ", [0, n - 1], 1.0)], n)]
    psi = MPS.from_circuit(qc)
    assert psi.discarded_weight < 1e-10
    ours = np.array([psi.expectation(o).real for o in obs])

    sim = AerSimulator(method="matrix_product_state")
    circ = qc.copy()
    for i, o in enumerate(obs):
        circ.save_expectation_value(o, range(n), label=f"o{i}")
    data = sim.run(transpile(circ, sim, optimization_level=0)).result().data()
    theirs = np.array([data[f"o{i}"] for i in range(len(obs))])
    np.testing.assert_allclose(ours, theirs, atol=1e-8)
    assert np.ptp(theirs) > 0.05  # the observables are not all trivially equal


def test_truncated_wide_circuit_tracks_its_error_against_aer_mps() -> None:
    n = 60
    qc = _wide_circuit(n, layers=6, seed=3)
    exact = MPS.from_circuit(qc)
    truncated = MPS.from_circuit(qc, max_bond=8)
    assert max(truncated.bond_dims) <= 8
    assert truncated.discarded_weight > 0
    fidelity = abs(truncated.overlap(exact)) ** 2
    # the discarded weight is an estimate of the infidelity (first order in small truncations)
    assert 1 - fidelity <= 3 * truncated.discarded_weight + 1e-12
    # the product estimate tracks the true fidelity to within a factor of its infidelity
    estimate = truncated.fidelity_estimate
    assert 0 < estimate < 1
    assert abs((1 - estimate) - (1 - fidelity)) <= 0.5 * (1 - fidelity)
    assert fidelity < 1 - 1e-6
