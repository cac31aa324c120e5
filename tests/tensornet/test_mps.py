"""MPS: qudits against dense numpy, gradients against finite differences, observables against
closed forms and quimb, and the errors users see for bad input."""

from __future__ import annotations

import math

import numpy as np
import pytest
import quimb.tensor as qtn
import torch
from qiskit import QuantumCircuit
from qiskit.circuit.library import efficient_su2
from qiskit.quantum_info import SparsePauliOp, random_statevector, random_unitary
from qiskit.quantum_info import Statevector as QiskitStatevector

from qtwin.tensornet import MPS


def _dense_apply(psi: np.ndarray, dims: list[int], u: np.ndarray, sites: list[int]) -> np.ndarray:
    """Reference: apply u (little-endian over sites) to a little-endian dense vector."""
    n = len(dims)
    t = psi.reshape(tuple(reversed(dims)))
    axes = [n - 1 - s for s in reversed(sites)]  # most significant first, like the matrix
    k = len(sites)
    ut = u.reshape(tuple(dims[s] for s in reversed(sites)) * 2)
    out = np.tensordot(ut, t, axes=(list(range(k, 2 * k)), axes))
    out = np.moveaxis(out, list(range(k)), axes)
    return out.reshape(-1)


@pytest.mark.parametrize("dims", [[3] * 5, [5] * 4, [2, 3, 5, 2, 3, 4]])
def test_qudit_circuits_match_dense_numpy(dims: list[int]) -> None:
    rng = np.random.default_rng(sum(dims))
    n = len(dims)
    psi = MPS.zeros(n, dims)
    ref = np.zeros(int(np.prod(dims)), dtype=complex)
    ref[0] = 1
    for step in range(25):
        k = 1 if step % 3 == 0 else (2 if step % 3 == 1 else 3)
        sites = [int(s) for s in rng.choice(n, size=k, replace=False)]
        dim = int(np.prod([dims[s] for s in sites]))
        u = random_unitary(dim, seed=int(rng.integers(1 << 30))).data
        psi.apply_gate(u, sites)
        ref = _dense_apply(ref, dims, u, sites)
    np.testing.assert_allclose(psi.to_dense().numpy(), ref, atol=1e-10)
    # local qudit observables against the dense reference
    h = rng.normal(size=(dims[1] * dims[3],) * 2) + 1j * rng.normal(size=(dims[1] * dims[3],) * 2)
    h = h + h.conj().T
    ours = psi.expectation((h, [1, 3]))
    assert ours == pytest.approx(np.vdot(ref, _dense_apply(ref, dims, h, [1, 3])), abs=1e-10)


def test_qudit_entropy_matches_dense_schmidt_values() -> None:
    dims = [3, 4, 2, 5]
    vec = np.random.default_rng(3).normal(size=120) + 1j * np.random.default_rng(4).normal(size=120)
    vec /= np.linalg.norm(vec)
    psi = MPS.from_dense(vec, dims)
    np.testing.assert_allclose(psi.to_dense().numpy(), vec, atol=1e-12)
    t = vec.reshape(tuple(reversed(dims))).transpose(3, 2, 1, 0)  # site order
    for cut in range(1, 4):
        s = np.linalg.svd(t.reshape(int(np.prod(dims[:cut])), -1), compute_uv=False)
        p = s**2
        assert psi.entropy(cut) == pytest.approx(-np.sum(p * np.log(p)), abs=1e-10)
        assert psi.entropy(cut, alpha=2, base=2) == pytest.approx(-np.log2(np.sum(p**2)), abs=1e-10)
    np.testing.assert_allclose(
        psi.entropy_profile(), [psi.entropy(c) for c in (1, 2, 3)], atol=1e-12
    )


def test_entropy_profile_matches_quimb() -> None:
    vec = random_statevector(2**10, seed=5).data
    ours = MPS.from_dense(vec).entropy_profile(base=2)
    ref = qtn.MatrixProductState.from_dense(vec, dims=[2] * 10)
    # quimb's dense order is big-endian (site 0 most significant): reverse our cuts
    theirs = [ref.entropy(i) for i in range(1, 10)]
    np.testing.assert_allclose(ours, theirs[::-1], atol=1e-10)


def test_expectation_of_sparse_pauli_op_matches_qiskit() -> None:
    qc = efficient_su2(6, reps=2)
    qc = qc.assign_parameters(np.linspace(0, 3, qc.num_parameters))
    op = SparsePauliOp(["ZZIIII", "IXIYII", "IIIIIX", "XIIIIZ", "IIIIII"], [1, -0.5, 0.25, 2, 0.1])
    ours = MPS.from_circuit(qc).expectation(op)
    assert ours == pytest.approx(QiskitStatevector(qc).expectation_value(op), abs=1e-10)


def test_sampling_matches_born_probabilities() -> None:
    qc = efficient_su2(4, reps=1)
    qc = qc.assign_parameters(np.linspace(0.2, 2.5, qc.num_parameters))
    psi = MPS.from_circuit(qc)
    shots = 40_000
    samples = psi.sample(shots, seed=11)
    assert samples.shape == (shots, 4)
    idx = samples @ (2 ** np.arange(4))
    freq = np.bincount(idx, minlength=16) / shots
    p = QiskitStatevector(qc).probabilities()
    assert np.all(np.abs(freq - p) <= 5 * np.sqrt(p * (1 - p) / shots) + 1e-3)
    np.testing.assert_allclose(psi.probabilities_of(samples[:20]), p[idx[:20]], atol=1e-12)
    np.testing.assert_array_equal(psi.sample(100, seed=3), psi.sample(100, seed=3))


def test_overlap_and_norm_match_dense() -> None:
    a = random_statevector(2**6, seed=1).data
    b = random_statevector(2**6, seed=2).data
    assert MPS.from_dense(a).overlap(MPS.from_dense(3 * b)) == pytest.approx(3 * np.vdot(a, b))
    assert MPS.from_dense(2 * a).norm() == pytest.approx(2.0)


def test_canonical_forms_are_isometric() -> None:
    psi = MPS.from_dense(random_statevector(2**7, seed=9).data)
    psi.canonicalize(3)
    for i, t in enumerate(psi.tensors):
        if i < 3:
            m = t.reshape(-1, t.shape[2])
            np.testing.assert_allclose((m.mH @ m).numpy(), np.eye(m.shape[1]), atol=1e-12)
        elif i > 3:
            m = t.reshape(t.shape[0], -1)
            np.testing.assert_allclose((m @ m.mH).numpy(), np.eye(m.shape[0]), atol=1e-12)


def test_complex64_and_device_options() -> None:
    qc = QuantumCircuit(3)
    qc.h(0)
    qc.cx(0, 2)
    psi = MPS.from_circuit(qc, dtype=torch.complex64, device="cpu")
    assert psi.dtype == torch.complex64
    np.testing.assert_allclose(psi.to_dense().numpy(), QiskitStatevector(qc).data, atol=1e-6)


def test_gradients_through_the_mps_match_finite_differences() -> None:
    qc = efficient_su2(5, reps=2, entanglement="circular")
    obs = SparsePauliOp(["ZIIIZ", "IXXII", "IIYIY"], [1.0, -0.4, 0.3])
    x0 = np.random.default_rng(2).uniform(-np.pi, np.pi, qc.num_parameters)

    def energy(v: torch.Tensor) -> torch.Tensor:
        return MPS.from_circuit(qc, parameter_values=list(v)).expectation(obs).real

    x = torch.tensor(x0, requires_grad=True)
    (grad,) = torch.autograd.grad(energy(x), x)
    assert torch.isfinite(grad).all()

    def f(v: np.ndarray) -> float:
        return QiskitStatevector(qc.assign_parameters(v)).expectation_value(obs).real

    h = 1e-6
    fd = np.array([(f(x0 + h * e) - f(x0 - h * e)) / (2 * h) for e in np.eye(len(x0))])
    np.testing.assert_allclose(grad.numpy(), fd, atol=1e-6)


def test_gradient_of_an_overlap_with_degenerate_schmidt_values() -> None:
    # a GHZ-like state has equal Schmidt values at every cut: torch's own SVD backward gives NaN
    n = 4
    x = torch.tensor([0.3], dtype=torch.float64, requires_grad=True)
    qc = QuantumCircuit(n)
    from qiskit.circuit import Parameter

    t = Parameter("t")
    qc.h(0)
    for i in range(n - 1):
        qc.cx(i, i + 1)
    qc.ry(t, 2)
    target = MPS.from_circuit(qc.assign_parameters([0.0]))
    fid = abs(target.overlap(MPS.from_circuit(qc, parameter_values={t: x[0]}))) ** 2
    (g,) = torch.autograd.grad(fid, x)
    # closed form: fidelity cos^2(t/2), derivative -sin(t)/2
    assert fid.item() == pytest.approx(math.cos(0.15) ** 2, abs=1e-12)
    assert g.item() == pytest.approx(-math.sin(0.3) / 2, abs=1e-8)


# ---------------------------------------------------------------------- bad input
def test_non_unitary_gate_is_refused() -> None:
    with pytest.raises(ValueError, match="not unitary"):
        MPS.zeros(2).apply_gate(np.ones((4, 4)), [0, 1])


def test_wrong_dimensions_are_refused() -> None:
    with pytest.raises(ValueError, match=r"need \(6, 6\)"):
        MPS.zeros(2, [2, 3]).apply_gate(np.eye(4), [0, 1])
    with pytest.raises(ValueError, match="prod\\(dims\\)"):
        MPS.from_dense(np.ones(6), [2, 2])
    with pytest.raises(ValueError, match="not a power"):
        MPS.from_dense(np.ones(6), 2)
    with pytest.raises(ValueError, match="dims"):
        MPS.zeros(2, [2, 1])
    with pytest.raises(ValueError, match="sites must be a site index in"):
        MPS.zeros(2).apply_gate(np.eye(2), [5])


def test_nan_parameters_are_refused() -> None:
    qc = efficient_su2(2, reps=1)
    with pytest.raises(ValueError, match="parameter_values.*finite"):
        MPS.from_circuit(qc, parameter_values=[float("nan")] + [0.0] * (qc.num_parameters - 1))


def test_bond_dimension_below_one_is_refused() -> None:
    with pytest.raises(ValueError, match="max_bond must be an integer >= 1"):
        MPS.from_circuit(QuantumCircuit(2), max_bond=0)
    with pytest.raises(ValueError, match="cutoff"):
        MPS.from_circuit(QuantumCircuit(2), cutoff=-1)


def test_measurements_and_resets_are_refused_with_a_hint() -> None:
    qc = QuantumCircuit(2, 2)
    qc.h(0)
    qc.measure(0, 0)
    with pytest.raises(ValueError, match="strip_final_measurements"):
        MPS.from_circuit(qc)
    qc2 = QuantumCircuit(1)
    qc2.reset(0)
    with pytest.raises(ValueError, match="reset"):
        MPS.from_circuit(qc2)


def test_barriers_are_ignored() -> None:
    qc = QuantumCircuit(2)
    qc.h(0)
    qc.barrier()
    qc.cx(0, 1)
    np.testing.assert_allclose(MPS.from_circuit(qc).to_dense().numpy(), QiskitStatevector(qc).data)


def test_to_dense_refuses_what_does_not_fit() -> None:
    with pytest.raises(ValueError, match="GiB for 1267650600228229401496703205376 amplitudes"):
        MPS.zeros(100).to_dense()


def test_entropy_arguments_are_checked() -> None:
    psi = MPS.zeros(3)
    with pytest.raises(
        ValueError, match=r"cut must be a number of sites left of the cut in \[1, 2\]"
    ):
        psi.entropy(0)
    with pytest.raises(ValueError, match="base must be a number > 1"):
        psi.entropy(1, base=1)


def test_fused_same_support_gates_and_reordered_wires_match_qiskit() -> None:
    rng = np.random.default_rng(8)
    qc = QuantumCircuit(4)
    for _ in range(6):
        a, b = (int(x) for x in rng.choice(4, size=2, replace=False))
        qc.unitary(random_unitary(4, seed=int(rng.integers(1000))), [a, b])
        qc.rx(float(rng.uniform(0, 3)), a)
        qc.unitary(random_unitary(4, seed=int(rng.integers(1000))), [b, a])  # same pair, swapped
        qc.rzz(float(rng.uniform(0, 3)), a, b)
        qc.ccx(a, b, next(q for q in range(4) if q not in (a, b)))
    np.testing.assert_allclose(
        MPS.from_circuit(qc).to_dense().numpy(), QiskitStatevector(qc).data, atol=1e-10
    )


def _random_mps(n: int, bond: int, seed: int) -> MPS:
    rng = np.random.default_rng(seed)
    dims = [1] + [min(bond, 2 ** min(i, n - i)) for i in range(1, n)] + [1]
    tensors = [
        torch.as_tensor(
            rng.normal(size=(dims[i], 2, dims[i + 1]))
            + 1j * rng.normal(size=(dims[i], 2, dims[i + 1]))
        )
        for i in range(n)
    ]
    return MPS(tensors).normalize()


def _dense_right_to_left_truncation(psi: np.ndarray, n: int, max_bond: int) -> np.ndarray:
    """Reference: sequential truncated SVDs of the dense vector, last site first (numpy)."""
    t = psi.reshape((2,) * n).transpose(*reversed(range(n)))  # site order s_0 .. s_{n-1}
    right: list[np.ndarray] = []
    rest = t.reshape(2 ** (n - 1), 2)
    chi = 1
    for i in range(n - 1, 0, -1):
        u, s, vh = np.linalg.svd(rest, full_matrices=False)
        k = min(max_bond, int(np.sum(s > 1e-14 * s[0])))
        right.insert(0, vh[:k].reshape(k, 2, chi))
        chi = k
        rest = (u[:, :k] * s[:k]).reshape(2 ** (i - 1), 2 * k)
    right.insert(0, rest.reshape(1, 2, chi))
    out = right[0]
    for b in right[1:]:
        out = np.tensordot(out, b, axes=1)
    out = out.reshape((2,) * n).transpose(*reversed(range(n))).reshape(-1)
    return out / np.linalg.norm(out)


def test_compress_matches_dense_truncated_svd_and_quimb() -> None:
    psi = _random_mps(8, 8, seed=3)
    dense = psi.to_dense().numpy()
    out = psi.copy().compress(max_bond=3)
    assert out.bond_dims == [2, 3, 3, 3, 3, 3, 2]
    assert out.center == 0
    assert abs(out.norm() - 1) < 1e-12
    ref = _dense_right_to_left_truncation(dense, 8, 3)
    assert np.allclose(out.to_dense().numpy(), ref, atol=1e-10)
    # quimb's compress (the same convention: right-canonical result, rsum2 cutoff)
    q = psi.to_quimb()
    q.compress(form="right", max_bond=3, cutoff=0.0)
    q_dense = MPS.from_quimb(q).to_dense().numpy()
    assert abs(abs(np.vdot(q_dense / np.linalg.norm(q_dense), ref)) - 1) < 1e-10
    # the estimate is the product of kept weights; the true fidelity is close to it
    fid = abs(np.vdot(ref, dense)) ** 2
    assert abs(out.fidelity_estimate - fid) < 0.05
    assert psi.bond_dims == [2, 4, 8, 8, 8, 4, 2]  # the original is untouched by the copy


def test_compress_cutoff_follows_the_rsum2_rule_of_quimb() -> None:
    psi = _random_mps(8, 8, seed=5)
    out = psi.copy().compress(cutoff=1e-2)
    q = psi.to_quimb()
    q.compress(form="right", cutoff=1e-2, cutoff_mode="rsum2")
    assert out.bond_dims == list(q.bond_sizes())
    # right-canonical: every site right of the centre is a right isometry
    for t in out.tensors[1:]:
        m = t.reshape(t.shape[0], -1)
        assert torch.allclose(m @ m.mH, torch.eye(m.shape[0], dtype=m.dtype), atol=1e-12)


def test_compress_is_in_place_and_checks_its_arguments() -> None:
    psi = _random_mps(5, 4, seed=1)
    assert psi.compress(max_bond=2) is psi
    assert max(psi.bond_dims) == 2
    with pytest.raises(ValueError, match="max_bond"):
        psi.compress(max_bond=0)
    with pytest.raises(ValueError, match="cutoff"):
        psi.compress(cutoff=-1.0)


def test_norm_squared_matches_dense_and_carries_gradients() -> None:
    psi = MPS.product_state([[3, 0], [1, 1], [0, 2]])  # not normalized: 9 * 2 * 4
    dense = psi.to_dense().numpy()
    assert psi.norm_squared() == pytest.approx(np.linalg.norm(dense) ** 2, rel=1e-14)
    assert psi.norm_squared() == pytest.approx(72.0, rel=1e-14)
    x = torch.tensor(0.5, dtype=torch.float64, requires_grad=True)
    a = torch.stack([torch.cos(x), 2 * torch.sin(x)]).to(torch.complex128)
    phi = MPS([a.reshape(1, 2, 1), torch.tensor([[[2.0], [0.0]]], dtype=torch.complex128)])
    n2 = phi.norm_squared()  # 4 (cos^2 x + 4 sin^2 x)
    assert isinstance(n2, torch.Tensor) and n2.requires_grad
    (g,) = torch.autograd.grad(n2, x)
    assert float(n2.detach()) == pytest.approx(4 * (math.cos(0.5) ** 2 + 4 * math.sin(0.5) ** 2))
    assert float(g) == pytest.approx(4 * 3 * math.sin(1.0))  # d/dx of 4 + 12 sin^2 x


def test_check_site_names_the_argument() -> None:
    psi = MPS.zeros(3)
    assert psi.check_site(np.int64(1)) == 1
    for bad in (3, -1, True, 1.0, "0"):
        with pytest.raises(ValueError, match=r"center must be a site index in \[0, 2\]"):
            psi.check_site(bad, "center")
