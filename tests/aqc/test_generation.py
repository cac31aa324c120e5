"""Ansätze: generated from Trotter circuits (Qiskit Operator reference), bound circuits, bad
input."""

from __future__ import annotations

import numpy as np
import pytest
from qiskit import QuantumCircuit
from qiskit.quantum_info import Operator

from qtwin.aqc import BlockAnsatz, ansatz_from_circuit, brickwork_ansatz
from qtwin.circuits import transverse_field_ising, trotter_circuit, xxz_chain, xyz_chain


@pytest.mark.parametrize(
    "hamiltonian,order,steps",
    [
        (xxz_chain(5, delta=0.5), 1, 1),
        (xyz_chain(5, 1.0, 0.7, 0.4, hx=0.3, hz=0.2), 2, 2),
        (transverse_field_ising(5, g=0.7), 1, 3),
    ],
)
def test_ansatz_from_trotter_circuit_reproduces_it(hamiltonian, order, steps):
    qc = trotter_circuit(hamiltonian, 0.7, steps, order=order, initial_state="neel")
    ansatz, theta0 = ansatz_from_circuit(qc)
    u, v = Operator(ansatz.circuit(theta0)).data, Operator(qc).data
    assert abs(abs(np.trace(u.conj().T @ v)) / 2**5 - 1) < 1e-10
    exported = ansatz.circuit(theta0)
    assert set(exported.count_ops()) <= {"rz", "rx", "ry", "cx"}
    assert exported.depth(lambda i: i.operation.num_qubits == 2) == ansatz.two_qubit_depth


def test_parametrized_circuit_of_ansatz_binds_to_bound_circuit():
    ansatz, theta = brickwork_ansatz(4, 3, seed=2)
    qc = ansatz.circuit()
    assert qc.num_parameters == ansatz.num_parameters
    bound = qc.assign_parameters(theta)
    assert Operator(bound).equiv(Operator(ansatz.circuit(theta)))


def test_bad_input_to_the_ansatz_generators():
    with pytest.raises(ValueError, match="pairs"):
        BlockAnsatz(3, [(0, 3)])
    qc3 = QuantumCircuit(3)
    qc3.ccx(0, 1, 2)
    with pytest.raises(ValueError, match="3 qubits"):
        ansatz_from_circuit(qc3)
