"""FarhiNevenQNN: gradients (finite differences, PennyLane), Qiskit export, bad input."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch
from qiskit.quantum_info import SparsePauliOp, Statevector

from qtwin.qml import FarhiNevenQNN, all_bit_strings, default_generators

GENS = default_generators(3) + [("YZ", (1, 3)), ("X", (3,)), ("XYZ", (0, 2, 3)), ("ZI", (2, 0))]


def _model(seed: int = 1) -> FarhiNevenQNN:
    return FarhiNevenQNN(3, GENS, seed=seed, init_scale=math.pi)


def test_default_generators_layout() -> None:
    m = FarhiNevenQNN(4)
    assert m.num_qubits == 5 and len(m.theta) == 8
    assert m.generators[:4] == [("ZX", (j, 4)) for j in range(4)]
    assert m.generators[4:] == [("XX", (j, 4)) for j in range(4)]


def test_qiskit_export_matches_model_every_string() -> None:
    m = _model()
    z = all_bit_strings(3)
    out = m(torch.as_tensor(z)).detach().numpy()
    op = SparsePauliOp("YIII")
    for row, value in zip(z, out, strict=True):
        qc = m.to_qiskit(row)
        ref = Statevector.from_label("0000").evolve(qc).expectation_value(op).real
        assert value == pytest.approx(ref, abs=1e-12)
    # the template (no input gates) acting on a prepared basis state gives the same
    ref = Statevector.from_int(5, 16).evolve(m.to_qiskit()).expectation_value(op).real
    assert out[5] == pytest.approx(ref, abs=1e-12)


def test_qiskit_export_on_aer() -> None:
    from qiskit_aer.primitives import EstimatorV2

    m = FarhiNevenQNN(3, seed=3, init_scale=1.0)
    z = all_bit_strings(3)
    est = EstimatorV2(options={"run_options": {"shots": None}, "backend_options": {}})
    pubs = [(m.to_qiskit(row), SparsePauliOp("YIII")) for row in z]
    ref = [float(r.data.evs) for r in est.run(pubs).result()]
    np.testing.assert_allclose(m(torch.as_tensor(z)).detach().numpy(), ref, atol=1e-10)


def test_spin_encoding_matches_bits() -> None:
    m_bits, m_spin = _model(), FarhiNevenQNN(3, GENS, seed=1, init_scale=math.pi, encoding="spins")
    z = all_bit_strings(3)
    np.testing.assert_allclose(
        m_bits(torch.as_tensor(z)).detach(), m_spin(torch.as_tensor(1 - 2 * z)).detach()
    )


def test_gradient_vs_finite_differences() -> None:
    m = _model()
    z, labels = all_bit_strings(3), np.array([1, -1, -1, 1, 1, 1, -1, -1])
    m.loss(z, labels).backward()
    grad = m.theta.grad.clone()
    fd = torch.zeros_like(grad)
    h = 1e-6
    with torch.no_grad():
        for k in range(len(grad)):
            m.theta[k] += h
            up = m.loss(z, labels)
            m.theta[k] -= 2 * h
            down = m.loss(z, labels)
            m.theta[k] += h
            fd[k] = (up - down) / (2 * h)
    torch.testing.assert_close(grad, fd, atol=1e-8, rtol=1e-6)


def test_gradient_vs_pennylane() -> None:
    qml = pytest.importorskip("pennylane")
    m = _model(seed=7)
    n = m.n
    dev = qml.device("default.qubit", wires=n + 1)

    @qml.qnode(dev, interface="torch", diff_method="backprop")
    def circuit(theta: torch.Tensor, bits: list[int]) -> torch.Tensor:
        qml.BasisState(np.array(list(bits) + [0]), wires=range(n + 1))
        for k, (label, sites) in enumerate(m.generators):
            qml.PauliRot(-2 * theta[k], label, wires=list(sites))  # exp(iθΣ) = PauliRot(-2θ)
        return qml.expval(qml.PauliY(n))

    z = all_bit_strings(n)
    labels = torch.tensor([1, -1, -1, 1, 1, 1, -1, -1], dtype=torch.float64)
    theta = m.theta.detach().clone().requires_grad_(True)
    outs = torch.stack([circuit(theta, row.tolist()) for row in z]).real
    torch.mean(1 - labels * outs).backward()
    m.loss(z, labels).backward()
    torch.testing.assert_close(m(torch.as_tensor(z)).detach(), outs.detach(), atol=1e-10, rtol=0)
    torch.testing.assert_close(m.theta.grad, theta.grad, atol=1e-10, rtol=0)


def test_complex64_and_chunking_agree() -> None:
    z = torch.as_tensor(all_bit_strings(3))
    ref_model = _model()
    ref = ref_model(z).detach()
    theta = ref_model.theta.detach().numpy()
    m = FarhiNevenQNN(3, GENS, theta=theta, dtype=torch.complex64, chunk_size=3)
    torch.testing.assert_close(m(z).detach().double(), ref, atol=1e-5, rtol=0)


def test_seeded_init_reproducible() -> None:
    assert torch.equal(FarhiNevenQNN(4, seed=5).theta, FarhiNevenQNN(4, seed=5).theta)
    assert not torch.equal(FarhiNevenQNN(4, seed=5).theta, FarhiNevenQNN(4, seed=6).theta)


def test_bad_inputs() -> None:
    m = FarhiNevenQNN(3)
    with pytest.raises(ValueError, match=r"z must have shape \(batch, 3\)"):
        m(torch.zeros(2, 4, dtype=torch.long))
    with pytest.raises(ValueError, match="z must hold values in"):
        m(torch.tensor([[0, 2, 1]]))
    with pytest.raises(ValueError, match="z must hold values in"):
        FarhiNevenQNN(3, encoding="spins")(torch.tensor([[0, 1, 1]]))
    with pytest.raises(ValueError, match="labels must be"):
        m.loss(torch.tensor([[0, 1, 1]]), torch.tensor([0]))
    with pytest.raises(ValueError, match="one entry per input"):
        m.loss(torch.tensor([[0, 1, 1]]), torch.tensor([1, -1]))
    with pytest.raises(ValueError, match="encoding must be one of"):
        FarhiNevenQNN(3, encoding="ints")
    with pytest.raises(ValueError, match="sites must be distinct"):
        FarhiNevenQNN(3, [("ZX", (0, 4))])
    with pytest.raises(ValueError, match="letters"):
        FarhiNevenQNN(3, [("ZXX", (0, 3))])
    with pytest.raises(ValueError, match="theta must have 6"):
        FarhiNevenQNN(3, theta=[0.0])
    with pytest.raises(ValueError, match="finite"):
        FarhiNevenQNN(3, theta=[float("nan")] * 6)
    nan_model = FarhiNevenQNN(3)
    with torch.no_grad():
        nan_model.theta[0] = float("nan")
    with pytest.raises(ValueError, match="finite"):
        nan_model(torch.tensor([[0, 1, 1]]))
    with pytest.raises(ValueError, match="finite"):
        nan_model.to_qiskit()
