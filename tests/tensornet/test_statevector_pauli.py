"""Statevector.apply_pauli_rotation: against Qiskit's PauliEvolutionGate, batching, gradients."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from qiskit import QuantumCircuit
from qiskit.circuit.library import PauliEvolutionGate
from qiskit.quantum_info import Operator, SparsePauliOp
from qiskit.quantum_info import Statevector as QiskitStatevector

from qtwin.tensornet import Statevector

CASES = [
    ("X", (0,)),
    ("Y", (2,)),
    ("Z", (1,)),
    ("ZX", (0, 3)),
    ("XX", (2, 1)),
    ("YZ", (3, 0)),
    ("XYZ", (1, 3, 2)),
    ("IY", (0, 2)),
    ("YYXZ", (3, 1, 0, 2)),
]


def _random_state(n: int, batch: int, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    psi = rng.normal(size=(batch, 2**n)) + 1j * rng.normal(size=(batch, 2**n))
    return psi / np.linalg.norm(psi, axis=1, keepdims=True)


def _reference(psi: np.ndarray, pauli: str, sites: tuple[int, ...], theta: float) -> np.ndarray:
    """exp(-iθP/2) as a dense Qiskit operator (PauliEvolutionGate with time θ/2)."""
    qc = QuantumCircuit(4)
    qc.append(PauliEvolutionGate(SparsePauliOp(pauli[::-1]), time=theta / 2), list(sites))
    return psi @ Operator(qc).data.T


@pytest.mark.parametrize(("pauli", "sites"), CASES)
def test_matches_qiskit_pauli_evolution(pauli: str, sites: tuple[int, ...]) -> None:
    psi = _random_state(4, 3, seed=len(pauli) + sites[0])
    thetas = np.array([0.3, -1.7, 2.9])
    sv = Statevector(torch.as_tensor(psi), [2] * 4)
    sv.apply_pauli_rotation(pauli, sites, torch.as_tensor(thetas))
    ref = np.stack([_reference(psi[b], pauli, sites, t) for b, t in enumerate(thetas)])
    np.testing.assert_allclose(sv.data.numpy(), ref, atol=1e-12)


def test_scalar_angle_and_broadcast_of_single_state() -> None:
    psi = _random_state(3, 1, seed=1)
    sv = Statevector(torch.as_tensor(psi), [2] * 3).apply_pauli_rotation("YX", (0, 2), 0.7)
    ref = QiskitStatevector(psi[0]).evolve(PauliEvolutionGate(SparsePauliOp("XIY"), time=0.35)).data
    np.testing.assert_allclose(sv.data.numpy()[0], ref, atol=1e-12)
    many = Statevector(torch.as_tensor(psi), [2] * 3)
    many.apply_pauli_rotation("YX", (0, 2), torch.tensor([0.7, 0.0], dtype=torch.float64))
    assert many.batch == 2
    np.testing.assert_allclose(many.data.numpy()[0], ref, atol=1e-12)
    np.testing.assert_allclose(many.data.numpy()[1], psi[0], atol=1e-12)


def test_agrees_with_apply_gate_and_expectation() -> None:
    """Same as the dense rzx matrix through apply_gate; expectation shares the Pauli masks."""
    psi = torch.as_tensor(_random_state(3, 2, seed=4))
    a = Statevector(psi.clone(), [2] * 3).apply_pauli_rotation("ZX", (0, 2), 0.9)
    qc = QuantumCircuit(2)
    qc.rzx(0.9, 0, 1)  # Z on its qubit 0, X on its qubit 1
    b = Statevector(psi.clone(), [2] * 3).apply_gate(Operator(qc).data, (0, 2))
    torch.testing.assert_close(a.data, b.data, atol=1e-12, rtol=0)
    op = SparsePauliOp(["YIZ", "XXY"], [0.5, -1.0])
    ref = [QiskitStatevector(row).expectation_value(op) for row in a.data.numpy()]
    np.testing.assert_allclose(a.expectation(op).numpy(), ref, atol=1e-12)


def test_gradient_is_exact() -> None:
    """d/dθ <Y> of R_P(θ)|ψ> against central finite differences and the closed form."""
    psi = torch.as_tensor(_random_state(2, 1, seed=7))
    op = SparsePauliOp("YZ")

    def f(t: torch.Tensor) -> torch.Tensor:
        sv = Statevector(psi.clone(), [2, 2]).apply_pauli_rotation("XY", (0, 1), t)
        return sv.expectation(op).real.sum()

    t = torch.tensor(0.4, dtype=torch.float64, requires_grad=True)
    (g,) = torch.autograd.grad(f(t), t)
    h = 1e-6

    def at(v: float) -> torch.Tensor:
        return f(torch.tensor(v, dtype=torch.float64))

    fd = (at(0.4 + h) - at(0.4 - h)) / (2 * h)
    shift = (at(0.4 + np.pi / 2) - at(0.4 - np.pi / 2)) / 2  # parameter-shift rule (exact)
    assert float(g) == pytest.approx(float(fd), abs=1e-8)
    assert float(g) == pytest.approx(float(shift), abs=1e-12)


def test_bad_arguments() -> None:
    sv = Statevector.zeros(2, batch=2)
    with pytest.raises(ValueError, match="pauli must be"):
        sv.apply_pauli_rotation("XA", (0, 1), 0.1)
    with pytest.raises(ValueError, match="letters"):
        sv.apply_pauli_rotation("XZ", (0,), 0.1)
    with pytest.raises(ValueError, match="sites must be distinct"):
        sv.apply_pauli_rotation("XZ", (0, 0), 0.1)
    with pytest.raises(ValueError, match="theta must be finite"):
        sv.apply_pauli_rotation("X", (0,), float("nan"))
    with pytest.raises(ValueError, match=r"theta must be a number or have shape \(2,\)"):
        sv.apply_pauli_rotation("X", (0,), torch.zeros(3))
    with pytest.raises(TypeError, match="real"):
        sv.apply_pauli_rotation("X", (0,), torch.tensor(1j))
    with pytest.raises(ValueError, match="qubits"):
        Statevector.zeros(2, 3).apply_pauli_rotation("X", (0,), 0.1)
