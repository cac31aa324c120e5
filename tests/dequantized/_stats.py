"""Shared statistics for the sampling tests."""

from __future__ import annotations

import numpy as np
from scipy.stats import chisquare

N_SAMPLES = 40_000


def chi2_ok(samples: np.ndarray, probs: np.ndarray, alpha: float = 1e-3) -> bool:
    """Pearson chi-square goodness of fit over the support of ``probs``."""
    counts = np.bincount(samples, minlength=len(probs))
    support = probs > 0
    assert counts[~support].sum() == 0, "sampled an index of probability 0"
    exp = probs[support] * len(samples)
    return chisquare(counts[support], exp).pvalue > alpha
