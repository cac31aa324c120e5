"""SQ access: chi-square tests of every sampler, updates, streaming builds, bad input."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp
from scipy.stats import chisquare

from qtwin.dequantized import (
    LinearCombination,
    OuterProduct,
    OversampledVector,
    SQMatrix,
    SQVector,
)

N_SAMPLES = 40_000


def chi2_ok(samples: np.ndarray, probs: np.ndarray, alpha: float = 1e-3) -> bool:
    """Pearson chi-square goodness of fit over the support of ``probs``."""
    counts = np.bincount(samples, minlength=len(probs))
    support = probs > 0
    assert counts[~support].sum() == 0, "sampled an index of probability 0"
    exp = probs[support] * len(samples)
    return chisquare(counts[support], exp).pvalue > alpha


def test_vector_sampling_matches_l2_distribution():
    rng = np.random.default_rng(0)
    v = rng.normal(size=37)
    v[[3, 10]] = 0.0
    sq = SQVector(v)
    assert sq.norm() == pytest.approx(np.linalg.norm(v))
    s = sq.sample(N_SAMPLES, seed=1)
    assert chi2_ok(s, v**2 / np.sum(v**2))


def test_complex_vector_and_single_sample():
    rng = np.random.default_rng(1)
    v = rng.normal(size=9) + 1j * rng.normal(size=9)
    sq = SQVector(v)
    assert isinstance(sq.sample(seed=0), int)
    assert chi2_ok(sq.sample(N_SAMPLES, seed=2), np.abs(v) ** 2 / np.sum(np.abs(v) ** 2))
    assert sq.query(4) == v[4]


def test_vector_update_refreshes_tree():
    rng = np.random.default_rng(2)
    v = rng.normal(size=20)
    sq = SQVector(v)
    for i, val in [(0, 5.0), (19, 0.0), (7, -3.0)]:
        sq.update(i, val)
        v[i] = val
    assert sq.norm() == pytest.approx(np.linalg.norm(v), rel=1e-12)
    assert chi2_ok(sq.sample(N_SAMPLES, seed=3), v**2 / np.sum(v**2))


def test_dense_matrix_rows_and_columns():
    rng = np.random.default_rng(3)
    A = rng.normal(size=(13, 7))
    A[4] = 0.0
    S = SQMatrix(A)
    assert S.frobenius_norm() == pytest.approx(np.linalg.norm(A))
    rows = S.sample_rows(N_SAMPLES, seed=0)
    assert chi2_ok(rows, np.sum(A**2, 1) / np.sum(A**2))
    cols = S.sample_in_rows(np.full(N_SAMPLES, 2), seed=1)
    assert chi2_ok(cols, A[2] ** 2 / np.sum(A[2] ** 2))
    i, j = S.sample_entries(N_SAMPLES, seed=2)
    assert chi2_ok(i * 7 + j, (A**2 / np.sum(A**2)).ravel())
    assert S.query(np.array([1, 2]), np.array([3, 0])).tolist() == [A[1, 3], A[2, 0]]


def test_sparse_matrix_sampling_and_update():
    M = sp.random(40, 30, density=0.2, random_state=4, format="coo")
    S = SQMatrix(M)
    A = M.toarray()
    assert S.is_sparse
    rows = S.sample_rows(N_SAMPLES, seed=0)
    assert chi2_ok(rows, np.sum(A**2, 1) / np.sum(A**2))
    r = int(np.argmax((A != 0).sum(1)))
    cols = S.sample_in_rows(np.full(N_SAMPLES, r), seed=1)
    assert chi2_ok(cols, A[r] ** 2 / np.sum(A[r] ** 2))
    j = int(np.flatnonzero(A[r])[0])
    S.update(r, j, 10.0)
    A[r, j] = 10.0
    assert S.row_norm(r) == pytest.approx(np.linalg.norm(A[r]))
    assert S.frobenius_norm() == pytest.approx(np.linalg.norm(A))
    assert chi2_ok(S.sample_in_rows(np.full(N_SAMPLES, r), seed=2), A[r] ** 2 / np.sum(A[r] ** 2))
    assert np.allclose(S.query(np.arange(40)[:, None], np.arange(30)[None, :]), A)
    zero_col = int(np.flatnonzero(A[r] == 0)[0])
    with pytest.raises(ValueError, match="not a stored entry"):
        S.update(r, zero_col, 1.0)


def test_dense_matrix_update_and_complex():
    rng = np.random.default_rng(5)
    A = rng.normal(size=(6, 5)) + 1j * rng.normal(size=(6, 5))
    S = SQMatrix(A)
    S.update(2, 4, 3 - 4j)
    A[2, 4] = 3 - 4j
    assert S.frobenius_norm() == pytest.approx(np.linalg.norm(A))
    assert chi2_ok(
        S.sample_rows(N_SAMPLES, seed=0), np.sum(np.abs(A) ** 2, 1) / np.sum(np.abs(A) ** 2)
    )
    p = np.abs(A[2]) ** 2 / np.sum(np.abs(A[2]) ** 2)
    assert chi2_ok(S.sample_in_rows(np.full(N_SAMPLES, 2), seed=1), p)
    with pytest.raises(TypeError, match="complex"):
        SQMatrix(A.real).update(0, 0, 1j)


def test_memmap_streaming_build(tmp_path):
    rng = np.random.default_rng(6)
    A = rng.normal(size=(1000, 12)).astype(np.float32)
    np.save(tmp_path / "A.npy", A)
    S = SQMatrix.from_npy(tmp_path / "A.npy", tree_path=tmp_path / "tree.npy", chunk_rows=64)
    assert isinstance(S._data, np.memmap)
    assert S.frobenius_norm() == pytest.approx(np.linalg.norm(A.astype(float)), rel=1e-6)
    ref = SQMatrix(A.astype(float))
    assert np.allclose(np.asarray(S._nodes), ref._nodes, rtol=1e-6)
    A64 = A.astype(float)
    assert chi2_ok(
        S.sample_in_rows(np.full(N_SAMPLES, 7), seed=0), A64[7] ** 2 / np.sum(A64[7] ** 2)
    )
    v = rng.normal(size=3000)
    np.save(tmp_path / "v.npy", v)
    sv = SQVector.from_npy(tmp_path / "v.npy", tree_path=tmp_path / "vt.npy", chunk=256)
    assert np.allclose(sv._nodes, SQVector(v)._nodes)
    assert chi2_ok(sv.sample(N_SAMPLES, seed=1), v**2 / np.sum(v**2))
    w = SQVector.from_npy(tmp_path / "v.npy", writable=True, chunk=512)
    w.update(5, 100.0)
    assert w.norm() ** 2 == pytest.approx(np.sum(v**2) - v[5] ** 2 + 1e4)


def test_oversampled_rejection():
    rng = np.random.default_rng(7)
    v = rng.normal(size=25)
    dom = np.abs(v) * rng.uniform(1.0, 3.0, size=25)
    ov = OversampledVector(lambda i: v[i], SQVector(dom))
    s = ov.sample(N_SAMPLES, seed=0)
    assert chi2_ok(s, v**2 / np.sum(v**2))
    phi = np.sum(dom**2) / np.sum(v**2)
    assert ov.stats.proposals / N_SAMPLES == pytest.approx(phi, rel=0.05)
    assert ov.norm_estimate() == pytest.approx(np.linalg.norm(v), rel=0.03)


def test_linear_combination_of_rows_and_vectors():
    rng = np.random.default_rng(8)
    A = rng.normal(size=(10, 16))
    b = rng.normal(size=16)
    rows = np.array([1, 4, 4, 7])
    w = np.array([0.5, -1.0, 0.3, 2.0])
    lc = LinearCombination(SQMatrix(A), rows, w, vectors=[SQVector(b)], vector_coeffs=[0.7])
    x = w @ A[rows] + 0.7 * b
    assert np.allclose(lc.to_numpy(), x)
    s = lc.sample(N_SAMPLES, seed=1)
    assert chi2_ok(s, x**2 / np.sum(x**2))
    K, G = 4, 2  # four row terms in one group, plus the vector's group
    phi = G * (K * np.sum(w**2 * np.sum(A[rows] ** 2, 1)) + 0.49 * b @ b) / (x @ x)
    assert lc.phi_bound() / (x @ x) == pytest.approx(phi)
    assert lc.stats.proposals / N_SAMPLES == pytest.approx(phi, rel=0.05)
    assert lc.norm_estimate() == pytest.approx(np.linalg.norm(x), rel=0.03)


@pytest.mark.parametrize(
    ("bad", "exc", "match"),
    [
        (np.array([[1.0, np.nan]]), ValueError, "finite"),
        (np.zeros((0, 3)), ValueError, "empty"),
        (np.ones(3), ValueError, "2-D"),
        (np.array([["a", "b"]]), TypeError, "numeric"),
        (sp.csr_matrix((0, 4)), ValueError, "empty"),
        (sp.csr_matrix(np.array([[np.inf, 0.0]])), ValueError, "finite"),
    ],
)
def test_matrix_bad_input(bad, exc, match):
    with pytest.raises(exc, match=match):
        SQMatrix(bad)


def test_vector_bad_input_and_zero():
    with pytest.raises(ValueError, match="empty"):
        SQVector([])
    with pytest.raises(ValueError, match="finite"):
        SQVector([1.0, np.inf])
    with pytest.raises(ValueError, match="zero vector"):
        SQVector(np.zeros(4)).sample(3, seed=0)
    with pytest.raises(ValueError, match="zero matrix"):
        SQMatrix(np.zeros((2, 2))).sample_rows(2, seed=0)
    with pytest.raises(ValueError, match="zero row"):
        SQMatrix(np.array([[1.0, 0.0], [0.0, 0.0]])).sample_in_rows([1], seed=0)
    with pytest.raises(ValueError, match="index"):
        SQVector([1.0, 2.0]).update(5, 1.0)
    with pytest.raises(TypeError, match="size"):
        SQVector([1.0, 2.0]).sample(2.5)
    with pytest.raises(ValueError, match="same length"):
        LinearCombination(SQMatrix(np.eye(2)), [0, 1], [1.0])


def test_outer_product_sq_access():
    rng = np.random.default_rng(9)
    u, v = rng.normal(size=12), rng.normal(size=7)
    M = OuterProduct(u, v)
    dense = np.outer(u, v)
    assert M.frobenius_norm() == pytest.approx(np.linalg.norm(dense))
    assert np.allclose(M.row_norm(np.arange(12)), np.linalg.norm(dense, axis=1))
    assert np.allclose(M.query(np.arange(12)[:, None], np.arange(7)[None, :]), dense)
    rows = M.sample_rows(N_SAMPLES, seed=0)
    assert chi2_ok(rows, np.sum(dense**2, 1) / np.sum(dense**2))
    cols = M.sample_in_rows(np.full(N_SAMPLES, 3), seed=1)
    assert chi2_ok(cols, dense[3] ** 2 / np.sum(dense[3] ** 2))
