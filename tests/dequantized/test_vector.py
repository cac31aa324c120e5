"""SQVector: chi-square tests of the l2 sampler, updates, bad input."""

from __future__ import annotations

import numpy as np
import pytest

from qtwin.dequantized import (
    LinearCombination,
    SQMatrix,
    SQVector,
)

from ._stats import N_SAMPLES, chi2_ok


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
