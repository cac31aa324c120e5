"""FKV sketch and low-rank approximation against their stated bounds."""

from __future__ import annotations

import numpy as np

from qtwin.dequantized import (
    SQMatrix,
    fkv_sketch,
    low_rank_approximation,
    sketch_sample_counts,
)


def test_fkv_sketch_bounds(skewed):
    A = SQMatrix(skewed)
    eps, delta = 0.25, 0.3
    r, c = sketch_sample_counts(eps, delta)
    fails = 0
    for seed in range(40):
        sk = fkv_sketch(A, eps, delta, seed=seed)
        R = sk.R()
        F2 = np.sum(skewed**2)
        e1 = np.linalg.norm(R.T @ R - skewed.T @ skewed) / F2
        e2 = np.linalg.norm(sk.C @ sk.C.T - R @ R.T) / F2
        fails += (e1 > eps) or (e2 > eps)
        assert np.allclose(np.linalg.norm(R, axis=1), np.sqrt(F2 / r))
    assert (sk.r, sk.c) == (r, c)
    assert fails / 40 <= delta


def test_low_rank_approximation_guarantee():
    rng = np.random.default_rng(3)
    k = 3
    A = rng.normal(size=(2000, k)) @ np.diag([4.0, 2.0, 1.0]) @ rng.normal(size=(k, 50))
    A += 0.05 * rng.normal(size=A.shape)
    s = np.linalg.svd(A, compute_uv=False)
    tail = np.sum(s[k:] ** 2)
    F2 = np.sum(s**2)
    eps = 0.05
    lr = low_rank_approximation(A, k, eps, 0.1, r=500, c=500, seed=4)
    V = np.linalg.qr(lr.to_numpy())[0]
    assert np.linalg.norm(A - A @ V @ V.T) ** 2 <= tail + eps * F2
    assert np.allclose(lr.singular_values, s[:k], rtol=0.1)
    Vk = np.linalg.svd(A, full_matrices=False)[2][:k].T
    assert np.linalg.norm(Vk.T @ V) ** 2 / k > 0.95  # subspace overlap
    # SQ access to a component: its samples follow |v_j|^2
    v0 = lr.vector(0)
    assert np.allclose(v0.to_numpy(), lr.to_numpy()[:, 0])
