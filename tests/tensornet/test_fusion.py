"""Gate fusion and the fast dense engine: fused against unfused, qiskit.quantum_info and Aer."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from qiskit import QuantumCircuit
from qiskit.circuit import Parameter
from qiskit.quantum_info import Statevector as QiskitStatevector
from scipy.stats import unitary_group

from qtwin.circuits import QuditCircuit
from qtwin.circuits.convert import to_gate_list
from qtwin.tensornet import Statevector, statevector
from qtwin.tensornet import _dense_kernels as kernels
from qtwin.tensornet.fusion import embed, fuse_blocks, fuse_gates

_ONE = ["h", "x", "sx", "t", "u", "rx", "ry", "rz", "p"]
_TWO = ["cx", "cz", "cp", "crz", "rzz", "swap", "cu", "rxx", "cry"]
_THREE = ["ccx", "cswap"]
_ANGLES = {"u": 3, "rx": 1, "ry": 1, "rz": 1, "p": 1, "cp": 1, "crz": 1, "rzz": 1}
_ANGLES |= {"cu": 4, "rxx": 1, "cry": 1}


def random_mixed_circuit(n: int, num_gates: int, seed: int) -> QuantumCircuit:
    """Random circuit over 1-, 2- and 3-qubit gates on arbitrary (long-range) wires, with a
    large share of diagonal gates (t, rz, p, cz, cp, crz, rzz) and a global phase."""
    rng = np.random.default_rng(seed)
    qc = QuantumCircuit(n, global_phase=float(rng.uniform(0, 2 * np.pi)))
    for _ in range(num_gates):
        arity = rng.choice([1, 2, 3], p=[0.45, 0.45, 0.1])
        name = str(rng.choice([_ONE, _TWO, _THREE][arity - 1]))
        wires = [int(q) for q in rng.choice(n, size=arity, replace=False)]
        params = [float(a) for a in rng.uniform(-np.pi, np.pi, _ANGLES.get(name, 0))]
        getattr(qc, name)(*params, *wires)
    return qc


def _unfused(qc: QuantumCircuit, dtype: torch.dtype = torch.complex128) -> np.ndarray:
    """Gate by gate through the torch matmul path, no fusion."""
    ops, phase, dims = to_gate_list(qc, dtype=dtype)
    sv = Statevector.zeros(len(dims), dims, dtype=dtype)
    for m, wires in ops:
        sv._apply(m, wires)
    return sv.data[0].numpy() * np.exp(1j * float(phase))


def _blocks_torch(qc: QuantumCircuit, **kwargs: int) -> np.ndarray:
    """The fused blocks applied through the torch path (matmul and broadcast diagonal)."""
    ops, phase, dims = to_gate_list(qc)
    sv = Statevector.zeros(len(dims), dims)
    for blk in fuse_blocks(ops, dims, **kwargs):
        if blk.diagonal:
            sv._apply_diagonal(blk.matrix, blk.wires)
        else:
            sv._apply(blk.matrix, blk.wires)
    return sv.data[0].numpy() * np.exp(1j * float(phase))


@pytest.mark.parametrize("seed", range(32))
def test_fused_matches_unfused_on_random_circuits(
    seed: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(statevector, "_NUMBA_MIN_SITES", 1)  # in place and fused at any size
    monkeypatch.setattr(statevector, "_NUMBA_FUSION_MIN_SITES", 1)
    n = 8 + seed % 5
    qc = random_mixed_circuit(n, num_gates=60 + 3 * seed, seed=seed)
    ref = _unfused(qc)
    fast = Statevector.from_circuit(qc).data[0].numpy()  # fused, numba in place
    np.testing.assert_allclose(fast, ref, rtol=0, atol=1e-12)
    for kwargs in ({"max_qubits": 2}, {"max_qubits": 4, "max_diagonal_qubits": 8}):
        np.testing.assert_allclose(_blocks_torch(qc, **kwargs), ref, rtol=0, atol=1e-12)
    if seed % 4 == 0:
        np.testing.assert_allclose(fast, QiskitStatevector(qc).data, rtol=0, atol=1e-10)


@pytest.mark.parametrize("seed", range(2))
def test_default_engine_fuses_from_14_qubits(seed: int) -> None:
    qc = random_mixed_circuit(15, num_gates=120, seed=50 + seed)
    ours = Statevector.from_circuit(qc).data[0].numpy()
    np.testing.assert_allclose(ours, QiskitStatevector(qc).data, rtol=0, atol=1e-10)


def test_fusion_makes_fewer_blocks_with_diagonals_kept_diagonal() -> None:
    qc = QuantumCircuit(6)
    qc.h(range(6))
    for a in range(6):
        for b in range(a + 1, 6):
            qc.cp(0.1 * (a + b), a, b)
    qc.rz(0.3, 2)
    ops, _, dims = to_gate_list(qc)
    blocks = fuse_blocks(ops, dims, max_qubits=3, max_diagonal_qubits=6)
    assert len(blocks) < len(ops)
    diagonal = [b for b in blocks if b.diagonal]
    assert diagonal and all(b.matrix.ndim == 1 for b in diagonal)
    full = torch.eye(64, dtype=torch.complex128)
    for b in blocks:
        full = embed(b.dense(), b.wires, dims) @ full
    ref = torch.eye(64, dtype=torch.complex128)
    for m, w in ops:
        ref = embed(m, w, dims) @ ref
    assert torch.allclose(full, ref, atol=1e-12)


@pytest.mark.parametrize("seed", range(3))
def test_fusion_of_qudit_gates(seed: int, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(statevector, "_TORCH_FUSION_MIN_SITES", 1)  # from_circuit fuses too
    rng = np.random.default_rng(seed)
    dims = [2, 3, 4, 2, 3]
    qc = QuditCircuit(dims)
    for _ in range(25):
        k = int(rng.integers(1, 4))
        wires = [int(w) for w in rng.choice(len(dims), size=k, replace=False)]
        size = int(np.prod([dims[w] for w in wires]))
        if rng.random() < 0.3:
            matrix = np.diag(np.exp(1j * rng.uniform(0, 2 * np.pi, size)))
        else:
            matrix = unitary_group.rvs(size, random_state=rng)
        qc.append(matrix, wires)
    ops, _, odims = to_gate_list(qc)
    fused = fuse_gates(ops, odims, max_qubits=3)
    assert len(fused) < len(ops)
    psi = Statevector.zeros(len(dims), dims)
    for m, w in fused:
        psi._apply(m, w)
    ref = Statevector.zeros(len(dims), dims)
    for m, w in ops:
        ref._apply(m, w)
    np.testing.assert_allclose(psi.data.numpy(), ref.data.numpy(), atol=1e-12)
    np.testing.assert_allclose(
        Statevector.from_circuit(qc).data.numpy(), ref.data.numpy(), atol=1e-12
    )


def test_fused_path_keeps_gradients_and_batches() -> None:
    n = 14  # the torch (autograd) path fuses from 10 sites
    qc = QuantumCircuit(n)
    thetas = [Parameter(f"t{i}") for i in range(4)]
    qc.h(range(n))
    qc.ry(thetas[0], 0)
    qc.cx(0, 13)
    qc.rz(thetas[1], 13)
    qc.cp(thetas[2], 2, 9)
    qc.ccx(0, 5, 9)
    qc.rzz(thetas[3], 9, 1)
    qc.u(0.1, 0.2, 0.3, 5)
    values = torch.tensor([[0.3, -0.7, 1.1, 0.4], [1.3, 0.2, -0.5, 2.0]], dtype=torch.float64)
    values.requires_grad_(True)
    sv = Statevector.from_circuit(qc, values)
    weights = torch.arange(2**n, dtype=torch.float64) / 2**n
    loss = (sv.probabilities() * weights).sum()
    (grad,) = torch.autograd.grad(loss, values)
    ref_states = []
    for b in range(2):
        bound = qc.assign_parameters(values[b].detach().numpy())
        ref_states.append(QiskitStatevector(bound).data)
    np.testing.assert_allclose(sv.data.detach().numpy(), np.array(ref_states), atol=1e-12)
    eps = 1e-6
    for b in range(2):
        for j in range(4):
            shift = np.zeros(4)
            shift[j] = eps
            plus = QiskitStatevector(qc.assign_parameters(values[b].detach().numpy() + shift))
            minus = QiskitStatevector(qc.assign_parameters(values[b].detach().numpy() - shift))
            fd = (np.abs(plus.data) ** 2 - np.abs(minus.data) ** 2) @ weights.numpy() / (2 * eps)
            assert float(grad[b, j]) == pytest.approx(fd, abs=1e-6)


def test_fast_path_leaves_initial_untouched_and_matches_complex64() -> None:
    qc = random_mixed_circuit(14, 80, seed=99)
    init = Statevector.from_circuit(random_mixed_circuit(14, 20, seed=5), batch=2)
    before = init.data.clone()
    out = Statevector.from_circuit(qc, initial=init)
    assert torch.equal(init.data, before)
    single = Statevector.from_circuit(qc, initial=Statevector(init.data[:1].clone(), init.dims))
    np.testing.assert_allclose(out.data[1].numpy(), single.data[0].numpy(), atol=1e-12)
    low = Statevector.from_circuit(qc, dtype=torch.complex64).data[0].numpy()
    np.testing.assert_allclose(low, _unfused(qc), atol=2e-5)


@pytest.mark.skipif(not kernels.available(), reason="numba is not installed")
@pytest.mark.parametrize("k", [1, 2, 3, 4, 5])
def test_kernels_match_dense_algebra(k: int) -> None:
    rng = np.random.default_rng(k)
    n = 7
    for _ in range(4):
        wires = tuple(int(w) for w in rng.choice(n, size=k, replace=False))
        psi = rng.normal(size=(2, 2**n)) + 1j * rng.normal(size=(2, 2**n))
        m = rng.normal(size=(2**k, 2**k)) + 1j * rng.normal(size=(2**k, 2**k))
        ref = psi @ embed(torch.tensor(m), wires, [2] * n).numpy().T
        out = psi.copy()
        kernels.apply_dense(out, m, wires)
        np.testing.assert_allclose(out, ref, atol=1e-12)
        diag = rng.normal(size=2**k) + 1j * rng.normal(size=2**k)
        ref = psi @ embed(torch.diag(torch.tensor(diag)), wires, [2] * n).numpy().T
        out = psi.copy()
        kernels.apply_diagonal(out, diag, wires)
        np.testing.assert_allclose(out, ref, atol=1e-12)


def test_fused_engine_matches_aer_at_fusion_sizes() -> None:
    aer = pytest.importorskip("qiskit_aer")
    qc = random_mixed_circuit(15, 150, seed=3)
    sim = aer.AerSimulator(method="statevector", max_parallel_threads=1)
    circ = qc.copy()
    circ.save_statevector()
    ref = np.asarray(sim.run(circ).result().get_statevector())
    ours = Statevector.from_circuit(qc).data[0].numpy()
    assert abs(np.vdot(ref, ours)) ** 2 > 1 - 1e-10
    np.testing.assert_allclose(ours, ref, atol=1e-10)


def test_fusion_rejects_bad_limits() -> None:
    with pytest.raises(ValueError, match="max_qubits"):
        fuse_blocks([], [2], max_qubits=0)
    with pytest.raises(ValueError, match="max_diagonal_qubits"):
        fuse_blocks([], [2], max_diagonal_qubits=0)
