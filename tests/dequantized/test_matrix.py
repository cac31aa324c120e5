"""SQ access: chi-square tests of every sampler, updates, streaming builds, bad input."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp

from qtwin.dequantized import (
    SQMatrix,
    SQVector,
)

from ._stats import N_SAMPLES, chi2_ok


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
