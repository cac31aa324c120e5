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
)


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
