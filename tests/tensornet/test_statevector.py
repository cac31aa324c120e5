"""The batched dense engine against qiskit.quantum_info.Statevector and finite differences."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from qiskit import QuantumCircuit
from qiskit.circuit import ParameterVector
from qiskit.circuit.library import efficient_su2
from qiskit.circuit.random import random_circuit
from qiskit.quantum_info import SparsePauliOp
from qiskit.quantum_info import Statevector as QiskitStatevector

from qtwin.tensornet import Statevector


@pytest.mark.parametrize("seed", range(10))
def test_random_circuits_match_qiskit(seed: int) -> None:
    qc = random_circuit(6, depth=6, max_operands=3, seed=100 + seed)
    ours = Statevector.from_circuit(qc).data[0].numpy()
    np.testing.assert_allclose(ours, QiskitStatevector(qc).data, atol=1e-10)


def test_batch_of_parameter_sets_matches_one_by_one() -> None:
    qc = efficient_su2(4, reps=2)
    rng = np.random.default_rng(0)
    values = rng.uniform(-np.pi, np.pi, size=(5, qc.num_parameters))
    sv = Statevector.from_circuit(qc, torch.tensor(values))
    obs = SparsePauliOp(["ZZII", "IXYI", "YIIZ"], [0.5, -1.0, 2.0])
    ours = sv.expectation(obs).real.numpy()
    for b in range(5):
        ref = QiskitStatevector(qc.assign_parameters(values[b]))
        np.testing.assert_allclose(sv.data[b].numpy(), ref.data, atol=1e-10)
        assert ours[b] == pytest.approx(ref.expectation_value(obs).real, abs=1e-10)


def test_gradients_match_finite_differences() -> None:
    qc = efficient_su2(3, reps=2)
    obs = SparsePauliOp(["ZZI", "XIX"], [1.0, 0.7])
    x0 = np.random.default_rng(1).uniform(-np.pi, np.pi, qc.num_parameters)
    x = torch.tensor(x0, requires_grad=True)
    loss = Statevector.from_circuit(qc, list(x)).expectation(obs).real.sum()
    (grad,) = torch.autograd.grad(loss, x)

    def f(v: np.ndarray) -> float:
        return QiskitStatevector(qc.assign_parameters(v)).expectation_value(obs).real

    h = 1e-6
    fd = [(f(x0 + h * e) - f(x0 - h * e)) / (2 * h) for e in np.eye(len(x0))]
    np.testing.assert_allclose(grad.numpy(), fd, atol=1e-7)


def test_parameter_expressions_are_differentiable() -> None:
    p = ParameterVector("p", 2)
    qc = QuantumCircuit(2)
    qc.rx(2 * p[0] + p[1], 0)
    qc.ry(p[0] * p[1], 1)
    qc.cx(0, 1)
    x = torch.tensor([0.3, -0.8], dtype=torch.float64, requires_grad=True)
    val = Statevector.from_circuit(qc, {p[0]: x[0], p[1]: x[1]}).expectation(SparsePauliOp("ZZ"))
    (grad,) = torch.autograd.grad(val.real.sum(), x)
    # closed form: <ZZ> after CX = <Z on qubit 1 of the product state> = cos(p0*p1)
    a, b = 0.3, -0.8
    np.testing.assert_allclose(val.real.item(), np.cos(a * b), atol=1e-12)
    np.testing.assert_allclose(grad.numpy(), [-b * np.sin(a * b), -a * np.sin(a * b)], atol=1e-12)


def test_bad_inputs_raise_clear_errors() -> None:
    qc = QuantumCircuit(1)
    qc.rx(ParameterVector("t", 1)[0], 0)
    with pytest.raises(ValueError, match="parameter_values"):
        Statevector.from_circuit(qc, [float("nan")])
    with pytest.raises(ValueError, match="missing values"):
        Statevector.from_circuit(qc)
    with pytest.raises(ValueError, match="above the dense engine's limit"):
        Statevector.zeros(30)
    sv = Statevector.zeros(2)
    with pytest.raises(ValueError, match="matrix must have shape"):
        sv.apply_gate(np.eye(2), [0, 1])
