"""VQC blocks, QFWP and quantum recurrent cells against PennyLane, Aer and finite differences."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from qtwin.qml.sequences.export import pennylane_vqc, predict_on_backend, vqc_circuit
from qtwin.qml.sequences.fast_weights import QFWP
from qtwin.qml.sequences.recurrent import QLSTM, QuantumRecurrentNet
from qtwin.qml.sequences.variational import VQC, vqc_expectations

qml = pytest.importorskip("pennylane")


@pytest.fixture(autouse=True)
def _one_thread():
    """Tiny tensors: one torch thread avoids oversubscription on a shared CPU."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


CONFIGS = [
    ("ry", "brick", "ry", 5),  # QFWP block; n <= 5: one fused matrix per circuit
    ("ry", "brick", "ry", 7),  # n > 5: layer by layer
    ("arctan", "ring2", "rot", 4),
    ("arctan", "ring", "rot", 6),
]


def _pl_expvals(x, w, n, k, enc, ent, rot):
    dev = qml.device("default.qubit", wires=n)

    @qml.qnode(dev, interface="torch", diff_method="backprop")
    def circ(xx, ww):
        pennylane_vqc(xx, ww, wires=list(range(n)), encoding=enc, entangler=ent, rotation=rot)
        return [qml.expval(qml.PauliZ(q)) for q in range(k)]

    return circ


@pytest.mark.parametrize(("enc", "ent", "rot", "n"), CONFIGS)
def test_vqc_matches_pennylane_and_aer(enc, ent, rot, n):
    rng = np.random.default_rng(n)
    x = torch.as_tensor(rng.uniform(-1, 1, (3, 2)))
    shape = (3, 2, n, 3) if rot == "rot" else (3, 2, n)
    w = torch.as_tensor(rng.uniform(-np.pi, np.pi, shape))
    out = vqc_expectations(x, w, num_outputs=3, encoding=enc, entangler=ent, rotation=rot)
    circ = _pl_expvals(x, w, n, 3, enc, ent, rot)
    ref = torch.stack([torch.stack(circ(x[b], w[b])) for b in range(3)])
    torch.testing.assert_close(out, ref.to(out.dtype), atol=1e-12, rtol=0)
    from qiskit.quantum_info import SparsePauliOp
    from qiskit.quantum_info import Statevector as QSV

    qc = vqc_circuit(x[1], w[1], num_qubits=n, encoding=enc, entangler=ent, rotation=rot)
    sv = QSV(qc)
    z1 = sv.expectation_value(SparsePauliOp("I" * (n - 2) + "ZI")).real
    assert out[1, 1].item() == pytest.approx(z1, abs=1e-12)


def test_real_and_complex_simulation_agree():
    x = torch.linspace(-1, 1, 8, dtype=torch.float64).reshape(2, 4, 1)
    a, b = QFWP(seed=3), QFWP(seed=3, dtype=torch.complex128)
    torch.testing.assert_close(a(x), b(x), atol=1e-13, rtol=0)


def test_stacked_circuits_equal_separate_ones():
    v = VQC(4, 2, num_circuits=3, seed=0, scale=1.0)
    x = torch.randn(5, 4, dtype=torch.float64)
    out = v(x)
    for c in range(3):
        ref = vqc_expectations(x, v.weights[c].detach(), num_outputs=4)
        torch.testing.assert_close(out[:, c].detach(), ref, atol=1e-13, rtol=0)


def _finite_difference_check(model, x, y, eps=1e-6, max_params=12):
    params = [p for p in model.parameters() if p.requires_grad]
    loss = torch.mean((model(x) - y) ** 2)
    grads = torch.autograd.grad(loss, params)
    checked = 0
    for p, g in zip(params, grads, strict=True):
        flat = p.data.view(-1)
        for i in range(0, flat.numel(), max(1, flat.numel() // 3)):
            old = flat[i].item()
            flat[i] = old + eps
            lp = torch.mean((model(x) - y) ** 2).item()
            flat[i] = old - eps
            lm = torch.mean((model(x) - y) ** 2).item()
            flat[i] = old
            assert g.view(-1)[i].item() == pytest.approx((lp - lm) / (2 * eps), abs=1e-7)
            checked += 1
            if checked >= max_params:
                return


@pytest.mark.parametrize("name", ["qfwp", "qlstm", "qgru", "qrnn"])
def test_gradients_match_finite_differences(name):
    torch.manual_seed(0)
    x = torch.rand(3, 3, 1, dtype=torch.float64) * 2 - 1
    y = torch.rand(3, 1, dtype=torch.float64)
    model = (
        QFWP(seed=1)
        if name == "qfwp"
        else QuantumRecurrentNet(name, seed=1, scale=0.5, num_layers=1)
    )
    _finite_difference_check(model, x, y)


def test_qlstm_cell_gradients_match_pennylane():
    """One QLSTM step written gate by gate in PennyLane (torch interface, backprop)."""
    model = QLSTM(seed=2, scale=0.7, num_layers=2)
    x = torch.tensor([[0.3], [-0.6]], dtype=torch.float64)
    h0 = torch.tensor([[0.1, -0.2, 0.4], [0.0, 0.5, -0.3]], dtype=torch.float64)
    c0 = torch.tensor([[0.2, 0.1, -0.1], [0.3, -0.4, 0.2]], dtype=torch.float64)
    phi, (h, c) = model.step(x, (h0, c0))
    loss = (phi**2).sum() + (h * c).sum()
    params = [model.gates.weights, model.hidden_map.weights, model.out_map.weights]
    grads = torch.autograd.grad(loss, params)

    ws = [p.detach().clone().requires_grad_(True) for p in params]
    n = model.num_qubits

    def block(k):
        return _pl_expvals(None, None, n, k, "arctan", "ring2", "rot")

    g3, g4 = block(3), block(4)
    total = 0.0
    for b in range(2):
        v = torch.cat([x[b], h0[b]])
        gates = [torch.stack(g3(v, ws[0][j])) for j in range(4)]
        f, i, o = torch.sigmoid(gates[0]), torch.sigmoid(gates[1]), torch.sigmoid(gates[3])
        cb = f * c0[b] + i * torch.tanh(gates[2])
        hb = torch.stack(g3(o * torch.tanh(cb), ws[1]))
        phib = torch.stack(g4(hb, ws[2]))
        total = total + (phib**2).sum() + (hb * cb).sum()
    ref = torch.autograd.grad(total, ws)
    assert float(total.detach()) == pytest.approx(float(loss.detach()), abs=1e-12)
    for g, r in zip(grads, ref, strict=True):
        torch.testing.assert_close(g, r, atol=1e-11, rtol=0)


def test_qfwp_gradients_match_pennylane_per_sample_loop():
    """The authors' formulation: loop over samples and steps, W_t accumulated, last output."""
    model = QFWP(seed=4)
    x = torch.tensor([[[0.2], [-0.5], [0.7]], [[0.1], [0.9], [-0.3]]], dtype=torch.float64)
    y = torch.tensor([[0.3], [-0.2]], dtype=torch.float64)
    loss = torch.mean((model(x) - y) ** 2)
    params = list(model.parameters())
    grads = torch.autograd.grad(loss, params)
    circ = _pl_expvals(None, None, 8, 4, "ry", "brick", "ry")
    outs = []
    for b in range(2):
        w = torch.zeros(2, 8, dtype=torch.float64)
        for t in range(3):
            w = w + model.delta(x[b, t])
            out = model.readout(torch.stack(circ(x[b, t], w)).to(torch.float64))
        outs.append(out)
    ref_loss = torch.mean((torch.stack(outs) - y) ** 2)
    ref = torch.autograd.grad(ref_loss, params)
    assert float(ref_loss.detach()) == pytest.approx(float(loss.detach()), abs=1e-12)
    for g, r in zip(grads, ref, strict=True):
        torch.testing.assert_close(g, r, atol=1e-11, rtol=0)


def test_inference_on_aer_matches_the_simulation():
    x = torch.linspace(-1, 1, 6, dtype=torch.float64).reshape(2, 3, 1)
    for model in (QFWP(seed=0), QLSTM(seed=0, scale=1.0, num_layers=1)):
        exact = model(x).detach()
        torch.testing.assert_close(predict_on_backend(model, x, "aer"), exact, atol=1e-9, rtol=0)


@pytest.mark.slow  # building the first fake device imports qiskit-ibm-runtime (5-15 s)
def test_inference_on_fake_backend():
    pytest.importorskip("qiskit_ibm_runtime")
    x = torch.linspace(-1, 1, 6, dtype=torch.float64).reshape(2, 3, 1)
    small = QFWP(seed=0, num_qubits=4)  # FakeManila has 5 qubits
    noisy = predict_on_backend(small, x[:1], "fake:manila", seed=7)
    assert noisy.shape == (1, 1) and torch.isfinite(noisy).all()
    assert abs(float(noisy[0, 0]) - float(small(x[:1])[0, 0].detach())) < 0.3


def test_wrong_input_width_and_nan_raise():
    with pytest.raises(ValueError, match=r"input width 1"):
        QFWP(seed=0)(torch.zeros(2, 4, 3))
    with pytest.raises(ValueError, match=r"input width 1"):
        QLSTM(seed=0)(torch.zeros(2, 4))
    with pytest.raises(ValueError, match="finite"):
        QLSTM(seed=0)(torch.tensor([[[0.0], [float("nan")]]]))
    with pytest.raises(ValueError, match="num_qubits"):
        QFWP(9)
    with pytest.raises(ValueError, match="cell must be one of"):
        QuantumRecurrentNet("transformer")
    with pytest.raises(ValueError, match="real dtype"):
        vqc_expectations(
            torch.zeros(1, 1), torch.zeros(1, 2, 3), num_outputs=1, dtype=torch.float64
        )
