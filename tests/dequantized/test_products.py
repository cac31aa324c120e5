"""Approximate matrix product, median-of-means inner products, FKV sketch, low rank."""

from __future__ import annotations

import numpy as np
import pytest

from qtwin.dequantized import (
    SQMatrix,
    SQVector,
    amp_sample_count,
    approx_matrix_product,
    fkv_sketch,
    inner_product,
    low_rank_approximation,
    median_of_means_counts,
    sketch_sample_counts,
)
from qtwin.dequantized.estimation import MeanSamples


@pytest.fixture(scope="module")
def skewed() -> np.ndarray:
    """300 x 6 matrix with very unequal row norms (importance sampling matters)."""
    rng = np.random.default_rng(0)
    return rng.normal(size=(300, 6)) * rng.exponential(size=(300, 1)) ** 2


def test_amp_error_within_bound_at_stated_probability(skewed):
    X = SQMatrix(skewed)
    Y = np.random.default_rng(1).normal(size=(300, 4))
    exact = skewed.T @ Y
    eps, delta, seeds = 0.3, 0.2, 200
    s = amp_sample_count(eps, delta)
    assert s == int(np.ceil(1 / (eps**2 * delta)))
    fails = 0
    for seed in range(seeds):
        res = approx_matrix_product(X, Y, eps, delta, seed=seed)
        fails += np.linalg.norm(res.product - exact) > res.bound
    assert res.bound == pytest.approx(eps * np.linalg.norm(skewed) * np.linalg.norm(Y), rel=0.01)
    # Markov guarantees P(fail) <= delta; the binomial 99.9% upper range stays below it
    assert fails / seeds <= delta


def test_amp_second_moment_matches_exact_formula(skewed):
    X = SQMatrix(skewed)
    Y = skewed[:, :3] + 0.5
    s = 20
    errs = [
        np.linalg.norm(approx_matrix_product(X, Y, samples=s, seed=k).product - skewed.T @ Y) ** 2
        for k in range(600)
    ]
    p = np.sum(skewed**2, 1) / np.sum(skewed**2)
    theory = (
        np.sum(np.sum(skewed**2, 1) * np.sum(Y**2, 1) / p) - np.linalg.norm(skewed.T @ Y) ** 2
    ) / s
    assert np.mean(errs) == pytest.approx(theory, rel=0.15)
    assert theory <= np.sum(skewed**2) * np.sum(Y**2) / s


def test_median_of_means_inner_product_failure_rate():
    rng = np.random.default_rng(2)
    x = rng.normal(size=500) * rng.exponential(size=500)
    y = x + rng.normal(size=500)
    sx = SQVector(x)
    eps, delta = 0.1, 0.1
    counts = median_of_means_counts(eps, delta)
    assert counts.groups % 2 == 1 and counts.per_group == 400
    errs = np.array([abs(inner_product(sx, y, eps, delta, seed=k) - x @ y) for k in range(60)])
    bound = eps * np.linalg.norm(x) * np.linalg.norm(y)
    assert np.mean(errs > bound) <= delta
    # the error shrinks like 1/sqrt(samples)
    small = MeanSamples(25, 5)
    e_small = np.mean([abs(inner_product(sx, y, counts=small, seed=k) - x @ y) for k in range(60)])
    assert e_small > 2 * np.mean(errs)


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


@pytest.mark.parametrize(
    ("eps", "delta", "match"),
    [
        (0, 0.1, "eps"),
        (-1, 0.1, "eps"),
        (0.1, 0, "delta"),
        (0.1, 1.0, "delta"),
        (float("nan"), 0.1, "eps"),
    ],
)
def test_bad_eps_delta(eps, delta, match):
    A = np.eye(3)
    with pytest.raises(ValueError, match=match):
        approx_matrix_product(A, A, eps, delta)
    with pytest.raises(ValueError, match=match):
        fkv_sketch(A, eps, delta)
    with pytest.raises(ValueError, match=match):
        inner_product(SQVector([1.0, 2.0]), [1.0, 1.0], eps, delta)


def test_amp_shape_mismatch():
    with pytest.raises(ValueError, match="same number of rows"):
        approx_matrix_product(np.eye(3), np.eye(4))
