"""Oversampled access and linear combinations: rejection sampling against the exact distribution."""

from __future__ import annotations

import numpy as np
import pytest

from qtwin.dequantized import (
    LinearCombination,
    OversampledVector,
    SQMatrix,
    SQVector,
)

from ._stats import N_SAMPLES, chi2_ok


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
