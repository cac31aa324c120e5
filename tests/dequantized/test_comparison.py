"""compare(): exact, dequantized and quantum (QSVT) answers to one problem."""

from __future__ import annotations

import numpy as np
import pytest

pytest.importorskip("pennylane")

from qtwin.dequantized import SVTProblem, compare  # noqa: E402


def test_compare_three_ways_even_and_odd():
    rng = np.random.default_rng(3)
    A = rng.normal(size=(16, 2)) @ rng.normal(size=(2, 16))
    A /= np.linalg.norm(A)
    even = compare(
        SVTProblem(A, rng.normal(size=16), lambda s: np.exp(-3 * s**2), degree=14), seed=1
    )
    assert even.errors["quantum"] < 1e-4 and even.errors["polynomial"] < 1e-4
    assert even.errors["dequantized"] < 0.1
    assert 0 < even.success_probability <= 1 and even.quantum_queries == 14
    # r + c sketch samples (compare's defaults) + the inner-product samples: 20000 split
    # into 9 median-of-means groups of 20000 // 9
    assert even.classical_samples == 400 + 400 + (20000 // 9) * 9
    summary = even.summary()
    assert summary["quantum_queries_per_output"] == pytest.approx(14 / even.success_probability)
    odd = compare(
        SVTProblem(
            A, rng.normal(size=16), lambda s: np.sin(2 * s), parity="odd", degree=9, threshold=1e-3
        ),
        r=300,
        c=1000,
        samples=40_000,
        seed=2,
    )
    assert odd.errors["quantum"] < 1e-3
    assert odd.errors["dequantized"] < 0.15
