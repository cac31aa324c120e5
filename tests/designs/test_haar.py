"""Haar frame potentials against independent oracles (permutation counts, Beta moments)."""

from __future__ import annotations

import itertools
import math

import pytest
from scipy.special import beta

from qtwin.designs.haar import haar_frame_potential, haar_unitary_moment, symmetric_dimension


def _longest_increasing(perm: tuple[int, ...]) -> int:
    best = [1] * len(perm)
    for i in range(len(perm)):
        for j in range(i):
            if perm[j] < perm[i]:
                best[i] = max(best[i], best[j] + 1)
    return max(best)


@pytest.mark.parametrize("t", range(1, 8))
@pytest.mark.parametrize("d", [2, 3, 4])
def test_unitary_moment_counts_permutations(d: int, t: int) -> None:
    # Rains: E|tr U|^{2t} = #{perms of t letters with longest increasing subsequence <= d}
    brute = sum(1 for p in itertools.permutations(range(t)) if _longest_increasing(p) <= d)
    assert haar_unitary_moment(d, t) == brute
    assert haar_frame_potential(d, t, "unitary") == float(brute)


def test_unitary_closed_forms() -> None:
    catalan = [math.comb(2 * t, t) // (t + 1) for t in range(1, 11)]
    assert [haar_unitary_moment(2, t) for t in range(1, 11)] == catalan
    for d in (3, 5, 12):
        for t in range(1, d + 1):
            assert haar_unitary_moment(d, t) == math.factorial(t)
    # notes: qutrit Haar values 1, 2, 6, 23
    assert [haar_unitary_moment(3, t) for t in range(1, 5)] == [1, 2, 6, 23]


@pytest.mark.parametrize("d", [2, 3, 5, 6, 16])
@pytest.mark.parametrize("t", [1, 2, 3, 5])
def test_state_value_is_beta_moment(d: int, t: int) -> None:
    # |<0|psi>|^2 ~ Beta(1, d-1) for Haar psi, and F_t = E |<0|psi>|^{2t}
    expected = beta(1 + t, d - 1) / beta(1, d - 1)  # E[x^t], x ~ Beta(1, d-1)
    assert haar_frame_potential(d, t) == pytest.approx(expected, rel=1e-12)
    assert haar_frame_potential(d, t, "state") == 1 / symmetric_dimension(d, t)


@pytest.mark.parametrize(
    ("args", "err", "match"),
    [
        ((1, 2), ValueError, "d must be an integer >= 2"),
        ((3, 0), ValueError, "t must be an integer >= 1"),
        ((2.5, 2), TypeError, "d must be an integer"),
        ((3, 2, "channel"), ValueError, "kind must be one of"),
    ],
)
def test_bad_input(args: tuple, err: type, match: str) -> None:
    with pytest.raises(err, match=match):
        haar_frame_potential(*args)


def test_bad_input_moment() -> None:
    with pytest.raises(ValueError, match="t must be"):
        haar_unitary_moment(2, 0)
    with pytest.raises(ValueError, match="d must be"):
        symmetric_dimension(1, 2)
