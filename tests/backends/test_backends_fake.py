"""Fake devices: ISA transpilation inside the primitives, registers and layouts preserved."""

from __future__ import annotations

import pytest
from qiskit import ClassicalRegister, QuantumCircuit, QuantumRegister
from qiskit.quantum_info import SparseObservable

from qtwin.backends import get_backend


@pytest.fixture(scope="module")
def manila():
    return get_backend("fake:manila", seed=7)


def test_prepare_returns_isa_circuits(manila) -> None:
    qc = QuantumCircuit(3)
    qc.h(0)
    qc.ccx(0, 1, 2)
    qc.measure_all()
    (isa,) = manila.prepare([qc])
    target = manila.target_backend.target
    assert isa.num_qubits == 5
    for inst in isa.data:
        if inst.operation.name == "barrier":
            continue
        qargs = tuple(isa.find_bit(q).index for q in inst.qubits)
        assert target.instruction_supported(inst.operation.name, qargs)
    assert manila.prepare(qc).num_qubits == 5  # a single circuit in, a single circuit out


def test_registers_survive_transpilation(manila) -> None:
    q = QuantumRegister(3, "q")
    a, b = ClassicalRegister(2, "a"), ClassicalRegister(1, "b")
    qc = QuantumCircuit(q, a, b)
    qc.x(0)
    qc.x(2)
    qc.measure([0, 1], a)
    qc.measure(2, b)
    data = manila.sampler.run([qc], shots=500).result()[0].data
    counts_a, counts_b = data.a.get_counts(), data.b.get_counts()
    assert max(counts_a, key=counts_a.get) == "01"  # noisy, but the mode is the ideal outcome
    assert max(counts_b, key=counts_b.get) == "1"
    assert data.a.num_shots == data.b.num_shots == 500


def test_projectors_on_a_device(manila) -> None:
    qc = QuantumCircuit(2)
    qc.h(0)
    qc.cx(0, 1)
    evs = manila.estimator.run([(qc, [SparseObservable("00"), SparseObservable("11")])])
    values = evs.result()[0].data.evs
    assert abs(values[0] - 0.5) < 0.1 and abs(values[1] - 0.5) < 0.1
