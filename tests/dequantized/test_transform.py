"""Singular value transformation against exact f(A^dagger A) b, parity errors, costs."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

from qtwin.dequantized import SQMatrix, SVTOperator, svt


def low_rank(m: int, n: int, k: int, seed: int, noise: float = 0.0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    A = rng.normal(size=(m, k)) @ np.diag(np.linspace(1.0, 0.4, k)) @ rng.normal(size=(k, n))
    A += noise * rng.normal(size=(m, n))
    return A / np.linalg.norm(A)


def exact_even(A: np.ndarray, h, b: np.ndarray) -> np.ndarray:
    w, V = np.linalg.eigh(A.conj().T @ A)
    return V @ (h(np.maximum(w, 0)) * (V.conj().T @ b))


FUNCS = {
    "identity": (lambda s: s**2, lambda x: x),
    "heat": (lambda s: np.exp(-3.0 * s**2), lambda x: np.exp(-3.0 * x)),
    "resolvent": (lambda s: 1.0 / (s**2 + 0.5), lambda x: 1.0 / (x + 0.5)),
}


@pytest.mark.parametrize("name", sorted(FUNCS))
def test_even_svt_vs_exact(name):
    f, h = FUNCS[name]
    A = low_rank(600, 24, 3, seed=1, noise=0.01)
    b = np.random.default_rng(2).normal(size=24)
    exact = exact_even(A, h, b)
    out = svt(A, f, b=b, r=300, c=300, samples=20_000, seed=3)
    err = np.linalg.norm(out.to_numpy() - exact) / np.linalg.norm(b)
    assert err < 0.06
    # the sketch part alone (exact inner products) is more accurate
    out2 = svt(A, f, b=b, r=300, c=300, exact_products=True, seed=3)
    assert np.linalg.norm(out2.to_numpy() - exact) / np.linalg.norm(b) < 0.04


def test_even_operator_error_decreases_with_samples():
    f, h = FUNCS["heat"]
    A = low_rank(500, 16, 4, seed=4, noise=0.02)
    w, V = np.linalg.eigh(A.T @ A)
    exact = V @ np.diag(h(np.maximum(w, 0))) @ V.T
    errs = []
    for r in (20, 80, 320):
        e = [np.linalg.norm(svt(A, f, r=r, c=r, seed=s).to_numpy() - exact, 2) for s in range(6)]
        errs.append(np.mean(e))
    assert errs[0] > errs[1] > errs[2]
    assert errs[0] / errs[2] > 2.5  # about sqrt(16) = 4 for a 1/sqrt(r) error


def test_svt_output_has_sq_access():
    f, h = FUNCS["resolvent"]
    A = low_rank(300, 10, 2, seed=5)
    b = np.random.default_rng(6).normal(size=10)
    out = svt(A, f, b=b, r=200, c=200, samples=20_000, seed=7)
    x = out.to_numpy()
    s = out.sample(5000, seed=8)
    freq = np.bincount(s, minlength=10) / 5000
    assert np.allclose(freq, np.abs(x) ** 2 / np.sum(np.abs(x) ** 2), atol=0.03)
    assert out.vector.stats.proposals < 20 * 5000  # phi stays small for a rank-2 A
    assert np.allclose(out.query(np.array([0, 3])), x[[0, 3]])


def test_odd_pseudo_inverse_vs_numpy():
    rng = np.random.default_rng(8)
    # well conditioned rank 3 (kappa = 2): the sampled inner products are amplified by 1/sigma^3
    U = np.linalg.qr(rng.normal(size=(400, 3)))[0]
    V = np.linalg.qr(rng.normal(size=(12, 3)))[0]
    A = U @ V.T / np.sqrt(3)
    b = A @ rng.normal(size=12) + 0.01 * rng.normal(size=400)
    exact = np.linalg.pinv(A, rcond=0.05) @ b
    # the column sketch's error in sigma^2 (about ||A||_F^2 / sqrt(c)) is amplified by 1/sigma^2
    out = svt(
        A,
        lambda s: 1 / s,
        b=b,
        parity="odd",
        r=200,
        c=2000,
        samples=40_000,
        threshold=0.05,
        seed=10,
    )
    assert np.linalg.norm(out.to_numpy() - exact) / np.linalg.norm(exact) < 0.15
    # sketch part alone, on a harder (kappa = 2.5, noisy) matrix
    B = low_rank(400, 12, 3, seed=8, noise=0.005)
    exact = np.linalg.pinv(B, rcond=0.2) @ b
    dense = svt(
        B, lambda s: 1 / s, parity="odd", r=200, c=2000, samples=900, threshold=0.2, seed=10
    )
    assert isinstance(dense, SVTOperator)
    assert np.linalg.norm(dense.to_numpy() @ b - exact) / np.linalg.norm(exact) < 0.15
    out = dense.apply(b, exact_products=True)
    assert np.allclose(out.to_numpy(), dense.to_numpy() @ b)


def test_complex_matrix_even_svt():
    rng = np.random.default_rng(11)
    A = (rng.normal(size=(300, 2)) + 1j * rng.normal(size=(300, 2))) @ rng.normal(size=(2, 8))
    A /= np.linalg.norm(A)
    b = rng.normal(size=8) + 1j * rng.normal(size=8)
    f, h = FUNCS["heat"]
    out = svt(A, f, b=b, r=300, c=300, exact_products=True, seed=12)
    assert np.linalg.norm(out.to_numpy() - exact_even(A, h, b)) / np.linalg.norm(b) < 0.05


def test_cost_is_independent_of_dimension():
    f, _ = FUNCS["heat"]
    costs = []
    for m in (200, 20_000):
        A = low_rank(m, 32, 2, seed=13)
        out = svt(A, f, b=np.ones(32), r=50, c=60, samples=900, seed=14)
        costs.append((out.cost.rows, out.cost.cols, out.cost.inner_samples, out.cost.queries))
    assert costs[0] == costs[1] == (50, 60, 900, 50 * 60 + 900 * 51)


def test_derived_sample_counts_and_cap_warning():
    A = low_rank(100, 8, 2, seed=15)
    f, _ = FUNCS["identity"]
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        op = svt(A, f, eps=0.5, delta=0.5, max_samples=50, seed=0)
    assert op.sketch.r == 50 and any("exceeds max_samples" in str(w.message) for w in caught)
    # h(x) = x: L = 1, so r = ceil(27 / (delta eps^2)) = 216 when uncapped
    op = svt(A, f, eps=0.5, delta=0.5, max_samples=10_000, seed=0)
    assert op.sketch.r == 216


@pytest.mark.parametrize(
    ("kwargs", "exc", "match"),
    [
        ({"eps": 0.0}, ValueError, "eps"),
        ({"eps": -0.1}, ValueError, "eps"),
        ({"delta": 0.0}, ValueError, "delta"),
        ({"delta": 1.5}, ValueError, "delta"),
        ({"parity": "both"}, ValueError, "parity"),
        ({"f": np.exp}, ValueError, "even function"),
        ({"f": lambda s: s**2, "parity": "odd"}, ValueError, "odd function"),
        ({"f": "cos"}, TypeError, "callable"),
        ({"A": np.array([[1.0, np.nan]])}, ValueError, "finite"),
        ({"A": np.zeros((0, 2))}, ValueError, "empty"),
        ({"A": np.zeros((3, 3))}, ValueError, "zero matrix"),
        ({"b": np.ones(5)}, ValueError, "length n"),
    ],
)
def test_bad_input(kwargs, exc, match):
    args = {"A": np.eye(4) / 2, "f": np.cos, "eps": 0.1, "delta": 0.1, "b": None, "parity": "even"}
    args.update(kwargs)
    with pytest.raises(exc, match=match):
        svt(args.pop("A"), args.pop("f"), args.pop("eps"), args.pop("delta"), r=10, c=10, **args)


def test_accepts_sqmatrix_and_sparse():
    import scipy.sparse as sp

    A = sp.random(200, 10, density=0.3, random_state=1, format="csr")
    A = A / np.sqrt(A.multiply(A).sum())
    f, h = FUNCS["heat"]
    b = np.ones(10)
    out = svt(SQMatrix(A), f, b=b, r=300, c=300, exact_products=True, seed=2)
    assert np.linalg.norm(out.to_numpy() - exact_even(A.toarray(), h, b)) / np.linalg.norm(b) < 0.08
