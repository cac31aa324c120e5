"""entanglement_profiles (batched) against one profile at a time."""

from __future__ import annotations

import numpy as np

from qtwin.entanglement import (
    entanglement_profiles,
)

from ._reference import dense_reference


def test_batched_profiles_match_single():
    stack = np.random.default_rng(10).random((4, 16, 16))
    many = entanglement_profiles(stack, alpha=2.0)
    for k in range(4):
        np.testing.assert_allclose(
            many[k], dense_reference(stack[k], (2,) * 4, (2,) * 4, alpha=2), atol=1e-10
        )
