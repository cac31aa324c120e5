"""OuterProduct: SQ access to u v^T against the exact distributions."""

from __future__ import annotations

import numpy as np
import pytest

from qtwin.dequantized import (
    OuterProduct,
)

from ._stats import N_SAMPLES, chi2_ok


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
