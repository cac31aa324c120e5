"""The simulator on a CUDA device gives the CPU's answers (skipped without a GPU)."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from qiskit.circuit.library import efficient_su2
from qiskit.circuit.random import random_circuit
from qiskit.quantum_info import SparsePauliOp

from qtwin.tensornet import MPS, Statevector

pytestmark = pytest.mark.gpu


def test_mps_on_cuda_matches_cpu() -> None:
    qc = random_circuit(10, depth=8, max_operands=3, seed=4)
    cpu = MPS.from_circuit(qc)
    gpu = MPS.from_circuit(qc, device="cuda")
    assert gpu.device.type == "cuda"
    np.testing.assert_allclose(gpu.to_dense().cpu().numpy(), cpu.to_dense().numpy(), atol=1e-10)
    op = SparsePauliOp(["Z" * 10, "X" + "I" * 9])
    assert gpu.expectation(op) == pytest.approx(cpu.expectation(op), abs=1e-10)
    np.testing.assert_array_equal(gpu.sample(50, seed=1).shape, (50, 10))


def test_statevector_gradients_on_cuda() -> None:
    qc = efficient_su2(4, reps=1)
    x = torch.linspace(0, 1, qc.num_parameters, dtype=torch.float64, device="cuda")
    x.requires_grad_(True)
    val = Statevector.from_circuit(qc, list(x), device="cuda").expectation(SparsePauliOp("ZZZZ"))
    (g,) = torch.autograd.grad(val.real.sum(), x)
    assert g.device.type == "cuda" and torch.isfinite(g).all()
