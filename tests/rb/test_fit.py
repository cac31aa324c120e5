"""Decay fits against SciPy's least squares, and the bootstrap pieces against numpy."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.optimize import curve_fit

from qtwin.rb.fit import (
    bootstrap_indices,
    bootstrap_interval,
    fit_decay,
    fit_exponential,
    percentile_ci,
    resampled_means,
)

M = np.array([1, 2, 4, 8, 16, 32, 64])


def _sse(m, y, f, a, b):
    return float(np.sum((y - a * f ** m.astype(float) - b) ** 2))


@pytest.mark.parametrize("offset", [True, False])
def test_least_squares_at_least_as_good_as_scipy(offset):
    rng = np.random.default_rng(1)
    for _ in range(20):
        f0, a0, b0 = rng.uniform(0.85, 0.995), rng.uniform(0.4, 0.8), rng.uniform(0.1, 0.4)
        y = a0 * f0**M + (b0 if offset else 0.0) + rng.normal(0, 0.01, size=M.size)
        f, a, b = (float(v) for v in fit_exponential(M, y, offset=offset))
        if offset:
            popt, _ = curve_fit(lambda m, f, a, b: a * f**m + b, M, y, p0=(0.95, 0.5, 0.3))
            ref = _sse(M, y, *popt)
        else:
            popt, _ = curve_fit(lambda m, f, a: a * f**m, M, y, p0=(0.95, 0.5))
            ref = _sse(M, y, popt[0], popt[1], 0.0)
            assert b == 0.0
        # the grid + golden-section search finds the global optimum: never worse than SciPy
        assert _sse(M, y, f, a, b) <= ref * (1 + 1e-6) + 1e-15
        assert f == pytest.approx(popt[0], abs=1e-4)


def test_batched_fit_equals_one_curve_at_a_time():
    rng = np.random.default_rng(2)
    ys = 0.6 * rng.uniform(0.9, 0.99, size=(5, 1)) ** M + 0.3 + rng.normal(0, 0.005, (5, M.size))
    f, a, b = fit_exponential(M, ys)
    for k in range(5):
        fk, ak, bk = fit_exponential(M, ys[k])
        one = [float(v) for v in (fk, ak, bk)]  # 0-d arrays: pytest >= 9.2's approx wants floats
        assert [float(f[k]), float(a[k]), float(b[k])] == pytest.approx(one, rel=1e-12, abs=1e-14)


def test_fit_decay_statistics_against_numpy():
    rng = np.random.default_rng(3)
    data = 0.5 * 0.97 ** M[:, None] + 0.5 + rng.normal(0, 0.01, size=(M.size, 9))
    fit = fit_decay(M, data, seed=4, num_bootstrap=80)
    np.testing.assert_allclose(fit.means, data.mean(axis=1))
    np.testing.assert_allclose(fit.sems, data.std(axis=1, ddof=1) / 3)
    resid = (fit.means - fit.model(M)) / fit.sems
    assert fit.reduced_chi2 == pytest.approx(np.sum(resid**2) / (M.size - 3))
    assert fit.f_ci[0] < fit.f < fit.f_ci[1] and fit.f_samples.shape == (80,)
    # shared resamples give the same bootstrap values as the seed that drew them
    idx = bootstrap_indices(M.size, 9, 80, seed=4)
    np.testing.assert_array_equal(fit_decay(M, data, resamples=idx).f_samples, fit.f_samples)


def test_bootstrap_pieces_against_numpy():
    rng = np.random.default_rng(5)
    data = rng.normal(size=(3, 6))
    idx = bootstrap_indices(3, 6, 7, seed=0)
    expected = np.stack([[data[i, idx[b, i]].mean() for i in range(3)] for b in range(7)])
    np.testing.assert_allclose(resampled_means(data, idx), expected)
    samples = rng.normal(size=1001)
    lo, hi = percentile_ci(samples, 0.9)
    assert (lo, hi) == pytest.approx(tuple(np.quantile(samples, [0.05, 0.95])))
    from scipy.stats import t as student_t

    lo, hi = bootstrap_interval(2.0, samples, 0.95, num_samples=12)
    half = student_t.ppf(0.975, 11) * np.sqrt(12 / 11) * samples.std(ddof=1)
    assert (lo, hi) == pytest.approx((2.0 - half, 2.0 + half))


@pytest.mark.parametrize(
    ("call", "match"),
    [
        (lambda: fit_decay(M, np.ones((M.size - 1, 3))), "data must have shape"),
        (lambda: fit_decay(M[:2], np.ones((2, 3))), "at least 3 distinct"),
        (lambda: fit_decay(M, np.full((M.size, 3), np.nan)), "finite"),
        (lambda: fit_decay(M, np.ones((M.size, 3)), confidence=1.0), "confidence"),
        (lambda: fit_decay(M, np.ones((M.size, 3)), num_bootstrap=5), "num_bootstrap"),
    ],
)
def test_bad_input(call, match):
    with pytest.raises((ValueError, TypeError), match=match):
        call()
