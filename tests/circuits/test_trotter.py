"""Trotter circuits against exact evolution: scipy.linalg.expm of the dense Hamiltonian."""

from __future__ import annotations

import numpy as np
import pytest
from qiskit.quantum_info import SparsePauliOp, Statevector
from scipy.linalg import expm

from qtwin.circuits.hamiltonians import heisenberg_chain, transverse_field_ising, xxz_chain
from qtwin.circuits.trotter import initial_state_circuit, neel_bitstring, trotter_circuit

pytestmark = pytest.mark.filterwarnings("ignore::scipy.sparse.SparseEfficiencyWarning")

N = 6
H_CHAIN = xxz_chain(
    N,
    J=[1.0, 0.8, 1.2, 0.9, 1.1, 1.0],
    delta=0.6,
    h=[0.3, -0.2, 0.5, 0.1, -0.4, 0.2],
    periodic=True,
)


def exact(H: SparsePauliOp, t: float, bitstring: str) -> np.ndarray:
    return expm(-1j * t * H.to_matrix()) @ Statevector.from_label(bitstring).data


def trotter_error(H, t, steps, order, initial_state, bitstring):
    psi = Statevector(trotter_circuit(H, t, steps, order, initial_state)).data
    return float(np.linalg.norm(psi - exact(H, t, bitstring)))


@pytest.mark.parametrize("order", [1, 2])
def test_error_scales_as_steps_to_minus_order(order):
    bits = neel_bitstring(N)
    e1 = trotter_error(H_CHAIN, 1.0, 8, order, "neel", bits)
    e2 = trotter_error(H_CHAIN, 1.0, 16, order, "neel", bits)
    assert e1 / e2 == pytest.approx(2.0**order, rel=0.15)


def test_second_order_converges_at_many_steps():
    bits = "011010"
    assert trotter_error(H_CHAIN, 1.5, 64, 2, bits, bits) < 2e-3
    assert trotter_error(H_CHAIN, 1.5, 64, 1, bits, bits) < 5e-2


def test_commuting_terms_are_exact_in_one_step():
    H = transverse_field_ising(5, J=0.7, g=0.0) + SparsePauliOp("IIIII", 0.4)
    assert trotter_error(H, 2.0, 1, 1, "10110", "10110") < 1e-12


def test_identity_term_is_a_global_phase_and_general_terms_evolve_exactly():
    H = SparsePauliOp.from_sparse_list(
        [("", [], 0.7), ("XYZ", [0, 1, 2], 0.3), ("X", [1], 0.5), ("ZX", [0, 2], -0.4)],
        num_qubits=3,
    )
    qc = trotter_circuit(H, 0.9, 20, order=2)
    assert "PauliEvolutionGate" in {type(i.operation).__name__ for i in qc.data}
    assert trotter_error(H, 0.9, 20, 2, None, "000") < 1e-4


def test_native_gates_and_brickwork_order():
    H = heisenberg_chain(N, h=0.5)
    qc = trotter_circuit(H, 1.0, 1, order=1)
    assert set(qc.count_ops()) == {"rxx", "ryy", "rzz", "rz"}
    two_qubit = [
        tuple(qc.find_bit(q).index for q in i.qubits) for i in qc.data if len(i.qubits) == 2
    ]
    starts = [min(b) for b in two_qubit]
    n_even = 3 * len(range(0, N - 1, 2))
    assert all(s % 2 == 0 for s in starts[:n_even])  # even bonds first
    assert all(s % 2 == 1 for s in starts[n_even:])  # then odd bonds
    # brickwork: one step is 3 layers of even bonds, 3 of odd bonds, 1 of fields
    assert qc.depth() == 7


def test_second_order_merges_neighbouring_half_steps():
    H = transverse_field_ising(4)
    for steps in (1, 3):
        qc = trotter_circuit(H, 1.0, steps, order=2)
        n_even = sum(
            1
            for i in qc.data
            if i.operation.name == "rzz" and qc.find_bit(i.qubits[0]).index % 2 == 0
        )
        assert n_even == 2 * (steps + 1)
        assert qc.count_ops()["rx"] == 4 * steps


def test_time_zero_and_angles():
    assert (
        len(trotter_circuit(heisenberg_chain(3), 0.0, 3, initial_state="neel")) == 1
    )  # the X on qubit 1
    qc = trotter_circuit(SparsePauliOp("ZZ", 0.25), 2.0, 1)
    (inst,) = qc.data
    assert inst.operation.name == "rzz" and float(inst.operation.params[0]) == pytest.approx(1.0)


def test_initial_states():
    assert neel_bitstring(4) == "1010"
    assert Statevector(initial_state_circuit(4, "neel")).probabilities_dict() == {"1010": 1.0}
    qc = initial_state_circuit(5, "00011")
    assert Statevector(qc).probabilities_dict() == {"00011": 1.0}
    assert len(initial_state_circuit(3, "zeros")) == 0 and len(initial_state_circuit(3, None)) == 0
    with pytest.raises(
        ValueError, match="initial_state must be 'zeros', 'neel' or a bitstring of 3"
    ):
        initial_state_circuit(3, "0101")
    with pytest.raises(ValueError, match="initial_state"):
        initial_state_circuit(3, "0a1")
    with pytest.raises(TypeError, match="initial_state"):
        initial_state_circuit(3, 5)


@pytest.mark.parametrize(
    "kwargs,exc,match",
    [
        (dict(hamiltonian=np.eye(2)), TypeError, "hamiltonian must be a qiskit SparsePauliOp"),
        (dict(hamiltonian=SparsePauliOp("XY", 1j)), ValueError, "Hermitian"),
        (dict(hamiltonian=SparsePauliOp("ZZ", np.nan)), ValueError, "finite"),
        (dict(steps=0), ValueError, "steps must be an integer >= 1"),
        (dict(steps=2.0), TypeError, "steps must be an integer"),
        (dict(order=3), ValueError, r"order must be one of \[1, 2\]"),
        (dict(time=float("nan")), ValueError, "time must be finite"),
        (dict(time=1j), TypeError, "time must be a real number"),
    ],
)
def test_invalid_input(kwargs, exc, match):
    args = dict(hamiltonian=heisenberg_chain(3), time=1.0, steps=2, order=1)
    args.update(kwargs)
    with pytest.raises(exc, match=match):
        trotter_circuit(**args)
