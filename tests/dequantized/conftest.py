"""Fixtures shared by the dequantized tests."""

from __future__ import annotations

import numpy as np
import pytest


@pytest.fixture(scope="module")
def skewed() -> np.ndarray:
    """300 x 6 matrix with very unequal row norms (importance sampling matters)."""
    rng = np.random.default_rng(0)
    return rng.normal(size=(300, 6)) * rng.exponential(size=(300, 1)) ** 2
