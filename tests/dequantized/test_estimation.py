"""Median-of-means inner products: the failure rate stays below delta."""

from __future__ import annotations

import numpy as np

from qtwin.dequantized import (
    SQVector,
    inner_product,
    median_of_means_counts,
)
from qtwin.dequantized.estimation import MeanSamples


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
