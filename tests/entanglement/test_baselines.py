"""Random-matrix baselines (Page curve, random low rank, random attention) and law fits."""

from __future__ import annotations

import math

import numpy as np
import pytest

from qtwin.entanglement import (
    entanglement_profile,
    fit_laws,
    gaussian_profile,
    page_curve,
    page_entropy,
    random_attention,
    random_attention_profile,
    random_low_rank_profile,
    valley_depth,
)


@pytest.mark.parametrize("m,n", [(1, 5), (2, 2), (3, 7), (8, 8), (16, 64)])
def test_page_entropy_is_the_harmonic_sum(m, n):
    ref = sum(1.0 / k for k in range(n + 1, m * n + 1)) - (m - 1) / (2 * n)
    assert page_entropy(m, n) == pytest.approx(ref, abs=1e-12)
    assert page_entropy(n, m, base=2) == pytest.approx(ref / math.log(2), abs=1e-12)


def test_page_entropy_monte_carlo_small():
    # Haar-random two-qubit states: <S> = 1/3 nats (Page); sampled independently here
    rng = np.random.default_rng(0)
    x = rng.normal(size=(4000, 2, 2)) + 1j * rng.normal(size=(4000, 2, 2))
    s = np.linalg.svd(x, compute_uv=False) ** 2
    p = s / s.sum(axis=1, keepdims=True)
    mc = float(np.mean(-np.sum(p * np.log(p), axis=1)))
    assert page_entropy(2, 2) == pytest.approx(mc, abs=0.01)


def test_gaussian_matrix_profile_follows_page_curve():
    shape = (64, 64)
    page = page_curve(shape)
    # complex Gaussian entries: exactly Page's ensemble; one 4096-entry draw fluctuates little
    mean, _ = gaussian_profile(shape, samples=1, complex_entries=True, seed=1)
    np.testing.assert_allclose(mean, page, atol=0.02)
    # real Gaussian: the same curve to leading order, slightly below at finite size
    real = entanglement_profile(np.random.default_rng(2).normal(size=shape)).entropies
    np.testing.assert_allclose(real, page, atol=0.08)
    assert np.all(real <= page + 0.02)
    # the middle cut: ln 64 - 1/2 (Page's approximation)
    assert page[5] == pytest.approx(math.log(64) - 0.5, abs=0.01)


def test_random_low_rank_valley():
    rank = 4
    mean, std = random_low_rank_profile((64, 64), rank, samples=3, seed=3)
    page = page_curve((64, 64))
    assert mean[5] <= math.log(rank) + 1e-12  # row|column cut (6 row qubits)
    assert valley_depth(mean, 6) > 0.5 and valley_depth(page, 6) < 0
    assert np.all(mean <= page + 0.05) and np.all(std >= 0)


def test_random_attention_is_causal_and_stochastic():
    a = random_attention(16, head_dim=8, seed=4)
    assert np.allclose(a.sum(axis=1), 1) and np.all(a >= 0)
    assert np.allclose(np.triu(a, 1), 0)
    full = random_attention(16, causal=False, seed=4)
    assert np.all(full[np.triu_indices(16, 1)] > 0)
    mean, _ = random_attention_profile(32, samples=2, seed=5)
    assert mean.shape == (9,) and np.all(mean > 0)
    # reproducible from the seed
    np.testing.assert_array_equal(random_attention(8, seed=6), random_attention(8, seed=6))


def test_fit_and_baseline_bad_input():
    with pytest.raises(ValueError, match="at least 3"):
        fit_laws([0.1, 0.2])
    with pytest.raises(ValueError, match="finite"):
        fit_laws([0.1, np.nan, 0.2])
    with pytest.raises(ValueError, match="site_dims"):
        fit_laws([0.1, 0.2, 0.3], [2, 2])
    with pytest.raises(ValueError, match="cut"):
        valley_depth([1.0, 2.0, 3.0], 1)
    with pytest.raises(ValueError, match="m must"):
        page_entropy(0, 4)
    with pytest.raises(ValueError, match="tokens"):
        random_attention(1)
    with pytest.raises(TypeError, match="rank"):
        random_low_rank_profile((8, 8), 1.5)
