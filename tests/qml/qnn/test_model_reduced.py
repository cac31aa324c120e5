"""FarhiNevenQNN's exact reduced simulation against the dense one; state inputs."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch
from qiskit.quantum_info import SparsePauliOp
from qiskit.quantum_info import Statevector as QiskitStatevector

from qtwin.qml.qnn.datasets import all_bit_strings
from qtwin.qml.qnn.model import FarhiNevenQNN, default_generators
from qtwin.tensornet import Statevector

GENERATOR_SETS = [
    default_generators(3),
    default_generators(3, ("XX", "ZX")),
    default_generators(3, ("ZX", "XX", "YZ", "ZX")),
    [("XX", (0, 3)), ("ZX", (1, 3)), ("YY", (0, 1)), ("ZX", (2, 3)), ("XZ", (0, 3))],
    [("X", (3,)), ("ZZX", (0, 1, 3)), ("Z", (3,)), ("XYZ", (0, 2, 3)), ("ZI", (2, 0))],
]


@pytest.mark.parametrize("gens", GENERATOR_SETS)
def test_reduced_equals_dense_on_bits(gens) -> None:
    fast = FarhiNevenQNN(3, gens, seed=2, init_scale=math.pi)
    dense = FarhiNevenQNN(3, gens, theta=fast.theta.detach(), simulation="dense")
    z, y = all_bit_strings(3), torch.tensor([1, -1, 1, 1, -1, -1, 1, -1])
    fast.loss(z, y).backward()
    dense.loss(z, y).backward()
    torch.testing.assert_close(fast(z), dense(z), atol=1e-12, rtol=0)
    torch.testing.assert_close(fast.theta.grad, dense.theta.grad, atol=1e-12, rtol=0)


def test_default_network_simulates_one_qubit() -> None:
    m = FarhiNevenQNN(16)
    assert m._plan_bits.quantum == (16,) and len(m._plan_bits.peeled) == 16
    assert len(m._plan_bits.prefix) == 1  # the 16 ZX gates merge into one X_r rotation
    assert len(m._plan_states.quantum) == 17  # state inputs: data qubits are not classical


@pytest.mark.parametrize("gens", GENERATOR_SETS)
def test_state_inputs_against_qiskit(gens) -> None:
    m = FarhiNevenQNN(3, gens, seed=5, init_scale=math.pi)
    rng = np.random.default_rng(0)
    psi = rng.normal(size=(4, 8)) + 1j * rng.normal(size=(4, 8))
    psi /= np.linalg.norm(psi, axis=1, keepdims=True)
    qc, op = m.to_qiskit(), SparsePauliOp("YIII")
    ref = [
        QiskitStatevector(np.concatenate([row, np.zeros(8)])).evolve(qc).expectation_value(op).real
        for row in psi
    ]
    np.testing.assert_allclose(m(torch.as_tensor(psi)).detach(), ref, atol=1e-12)
    np.testing.assert_allclose(
        m(Statevector(torch.as_tensor(psi), [2] * 3)).detach(), ref, atol=1e-12
    )
    basis = np.eye(8, dtype=complex)  # basis states as states = bit strings
    torch.testing.assert_close(m(basis), m(all_bit_strings(3)), atol=1e-12, rtol=0)


def test_state_input_bad_values() -> None:
    m = FarhiNevenQNN(2)
    with pytest.raises(ValueError, match="normalized"):
        m(np.ones((1, 4), dtype=complex))
    with pytest.raises(ValueError, match=r"shape \(batch, 4\)"):
        m(np.ones((1, 8), dtype=complex) / np.sqrt(8))
    with pytest.raises(ValueError, match="finite"):
        m(np.full((1, 4), np.nan, dtype=complex))
    with pytest.raises(ValueError, match="2 qubits"):
        m(Statevector.zeros(3))
