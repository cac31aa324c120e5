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
