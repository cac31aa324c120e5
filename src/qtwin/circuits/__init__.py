"""qtwin's circuits: the gate library, Qiskit conversion, qudit circuits, Hamiltonians and
Trotter circuits, and the OpenQASM 3 reference corpus.

Qubit circuits are Qiskit ``QuantumCircuit`` objects at every public boundary; qudit circuits
are :class:`QuditCircuit` objects. All matrices use Qiskit's little-endian convention.
"""

from qtwin.circuits import corpus, qudit_gates
from qtwin.circuits.convert import GateOp, circuit_to_gates, strip_final_measurements
from qtwin.circuits.gates import gate_matrix, pauli_matrix
from qtwin.circuits.hamiltonians import (
    chain_bonds,
    heisenberg_chain,
    split_even_odd,
    transverse_field_ising,
    xxz_chain,
    xyz_chain,
)
from qtwin.circuits.qudit import QuditCircuit, QuditGate
from qtwin.circuits.trotter import initial_state_circuit, neel_bitstring, trotter_circuit

__all__ = [
    "GateOp",
    "QuditCircuit",
    "QuditGate",
    "chain_bonds",
    "circuit_to_gates",
    "corpus",
    "gate_matrix",
    "heisenberg_chain",
    "initial_state_circuit",
    "neel_bitstring",
    "pauli_matrix",
    "qudit_gates",
    "split_even_odd",
    "strip_final_measurements",
    "transverse_field_ising",
    "trotter_circuit",
    "xxz_chain",
    "xyz_chain",
]
