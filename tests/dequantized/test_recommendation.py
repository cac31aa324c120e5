"""Tang's recommendation sampler against the exact rank-k projection."""

from __future__ import annotations

import numpy as np
import pytest

from qtwin.dequantized import (
    recommend,
)


def test_recommendation_samples_high_value_items():
    rng = np.random.default_rng(0)
    k = 3
    A = (
        np.abs(rng.normal(size=(3000, k)))
        @ np.abs(rng.normal(size=(k, 80)))
        * rng.uniform(0.5, 1.5, size=(1, 80))
    )
    A += 0.05 * np.abs(rng.normal(size=A.shape))
    Vk = np.linalg.svd(A, full_matrices=False)[2][:k]
    hits = []
    for user in (3, 17, 250):
        rec = recommend(A, user, rank=k, num_items=300, r=300, c=300, seed=user)
        exact = A[user] @ Vk.T @ Vk  # the rank-k preference row (Tang's target)
        x = rec.vector.to_numpy()
        assert np.linalg.norm(x - exact) / np.linalg.norm(exact) < 0.1
        top_exact = set(np.argsort(-np.abs(exact))[:10])
        hits.append(len(top_exact & set(rec.top(10))) / 10)
        # sampled items follow |x_j|^2: the most likely item is sampled most often
        counts = np.bincount(rec.items, minlength=80)
        assert np.argmax(counts) in np.argsort(-np.abs(x))[:5]
    assert np.mean(hits) >= 0.6
    with pytest.raises(ValueError, match="user"):
        recommend(A, 5000)
    B = A.copy()
    B[7] = 0
    with pytest.raises(ValueError, match="no ratings"):
        recommend(B, 7)
