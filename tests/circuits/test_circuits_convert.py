"""Qiskit -> gate-list conversion details: the global phase factor."""

from __future__ import annotations

import numpy as np


def test_phase_factor_is_unit_modulus_to_double_precision():
    # a float32 phase put |exp(i phase)| off 1 by ~1e-8, and MPS.from_circuit's norm with it
    import torch
    from qiskit import QuantumCircuit

    from qtwin.circuits.convert import phase_factor
    from qtwin.tensornet import MPS

    f = phase_factor(0.7, torch.complex128, torch.device("cpu"))
    assert abs(abs(complex(f)) - 1) < 1e-15
    assert abs(complex(f) - np.exp(0.7j)) < 1e-15
    qc = QuantumCircuit(3, global_phase=0.7)
    qc.h(0)
    qc.cx(0, 1)
    v = np.asarray(MPS.from_circuit(qc).to_dense())
    assert abs(np.linalg.norm(v) - 1) < 1e-14


def test_to_gate_list_dispatches_on_the_circuit_type():
    import pytest
    import torch
    from qiskit import QuantumCircuit
    from qiskit.quantum_info import Operator

    from qtwin.circuits import QuditCircuit
    from qtwin.circuits.convert import to_gate_list

    def dense(ops, dims):  # product of the gate matrices on the full space (numpy reference)
        from qtwin.circuits.gates import permute_wires

        n = len(dims)
        total = np.eye(int(np.prod(dims)), dtype=complex)
        for m, wires in ops:
            rest = [w for w in range(n) if w not in wires]
            full = np.kron(np.eye(int(np.prod([dims[w] for w in rest]))), m.numpy())
            order = list(wires) + rest  # little-endian: wires[0] least significant
            full = permute_wires(full, [dims[w] for w in order], order, list(range(n)))
            total = np.asarray(full) @ total
        return total

    class Named(QuantumCircuit):  # a subclass: dispatch follows the class hierarchy
        pass

    qft = Named(3, global_phase=0.3)
    qft.h(2)
    qft.cp(0.7, 1, 2)
    qft.h(1)
    qft.cp(0.4, 0, 2)
    qft.swap(0, 2)
    ops, phase, dims = to_gate_list(qft)
    assert dims == (2, 2, 2)
    u = np.exp(1j * float(phase)) * dense(ops, dims)
    assert np.allclose(u, Operator(qft).data, atol=1e-12)
    qd = QuditCircuit([2, 3]).x(1)
    ops, phase, dims = to_gate_list(qd, dtype=torch.complex64)
    assert dims == (2, 3) and phase == 0.0 and ops[0][0].dtype == torch.complex64
    assert np.allclose(dense(ops, dims)[[0, 2, 4], :][:, [4, 0, 2]], np.eye(3))
    with pytest.raises(TypeError, match="QuantumCircuit or a qtwin QuditCircuit, got str"):
        to_gate_list("h q[0];")
    with pytest.raises(ValueError, match="no parameters"):
        to_gate_list(qd, [0.1])
