"""Shared helpers of the AQC tests."""

from __future__ import annotations

import numpy as np


def random_state(n: int, seed: int) -> np.ndarray:
    """A random normalized state vector on ``n`` qubits (complex Gaussian entries)."""
    rng = np.random.default_rng(seed)
    v = rng.normal(size=2**n) + 1j * rng.normal(size=2**n)
    return v / np.linalg.norm(v)
