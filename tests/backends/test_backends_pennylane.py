"""PennyLane conversion: wire order against Aer, wide gates, and errors."""

from __future__ import annotations

import numpy as np
import pytest
from qiskit import QuantumCircuit
from qiskit.circuit.library import QFTGate
from qiskit.primitives import StatevectorEstimator
from qiskit.quantum_info import random_unitary

from qtwin.backends import PennyLaneEstimator, get_backend
from qtwin.backends.pennylane import circuit_to_pennylane

PAULIS = ["ZII", "IZI", "IIZ", "XYZ", "ZXI", "IYX"]


def _asymmetric_circuit() -> QuantumCircuit:
    qc = QuantumCircuit(3)
    qc.unitary(random_unitary(4, seed=1), [0, 2])  # non-symmetric 2-qubit unitary
    qc.unitary(random_unitary(2, seed=2), [1])
    qc.cx(2, 1)
    qc.append(QFTGate(3), [2, 0, 1])  # 3-qubit gate: unrolled first
    qc.ccx(1, 2, 0)
    return qc


@pytest.mark.parametrize("device", ["default.qubit", "lightning.qubit"])
def test_expectations_match_aer(device: str) -> None:
    qc = _asymmetric_circuit()
    pub = (qc, PAULIS)
    evs = get_backend(f"pennylane:{device}").estimator.run([pub]).result()[0].data.evs
    aer = get_backend("aer").estimator.run([pub]).result()[0].data.evs
    np.testing.assert_allclose(evs, aer, atol=1e-10)
    np.testing.assert_allclose(
        evs, StatevectorEstimator().run([pub]).result()[0].data.evs, atol=1e-10
    )


def test_two_qubit_gate_wires_are_reversed() -> None:
    qc = QuantumCircuit(3)
    qc.cx(0, 2)
    ((matrix, wires),) = circuit_to_pennylane(qc)
    assert wires == [2, 0]
    np.testing.assert_array_equal(matrix, qc.data[0].operation.to_matrix())


def test_precision_and_seed() -> None:
    qc = QuantumCircuit(1)
    est = PennyLaneEstimator(seed=3)
    a = est.run([(qc, "Z")], precision=0.2).result()[0].data
    b = est.run([(qc, "Z")], precision=0.2).result()[0].data
    assert a.evs == b.evs != 1.0 and a.stds == 0.2


def test_unknown_device() -> None:
    with pytest.raises(ValueError, match="unknown PennyLane device 'nope'.*default.qubit"):
        get_backend("pennylane:nope")
