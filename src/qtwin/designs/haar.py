r"""Haar values of the frame potential: the oracles every design check compares with.

For states in dimension ``d`` the Haar frame potential is

.. math:: F_t^{\mathrm{Haar}} = \int |\langle\psi|\phi\rangle|^{2t}\,d\psi\,d\phi
          = \binom{d+t-1}{t}^{-1},

the inverse dimension of the symmetric subspace :math:`\mathrm{Sym}^t(\mathbb{C}^d)`.
For unitaries it is :math:`\mathbb{E}_U |\operatorname{tr} U|^{2t}`, the number of
permutations of :math:`\{1, \dots, t\}` with no increasing subsequence longer than
``d`` (Rains 1998). By the Robinson–Schensted correspondence this equals
:math:`\sum_{\lambda \vdash t,\ \ell(\lambda) \le d} (f^\lambda)^2`, where
:math:`f^\lambda` is the number of standard Young tableaux of shape :math:`\lambda`
(hook-length formula); it is ``t!`` when ``d >= t``.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from functools import cache

from qtwin._validation import check_choice, check_positive_int

__all__ = ["haar_frame_potential", "haar_unitary_moment", "symmetric_dimension"]


def symmetric_dimension(d: int, t: int) -> int:
    """Dimension ``binom(d + t - 1, t)`` of the symmetric subspace of ``(C^d)^{⊗t}``.

    Example:
        >>> symmetric_dimension(6, 2)
        21
    """
    d = check_positive_int(d, "d", minimum=2)
    t = check_positive_int(t, "t", minimum=1)
    return math.comb(d + t - 1, t)


def _partitions(n: int, max_part: int | None = None) -> Iterator[tuple[int, ...]]:
    """Partitions of ``n`` as non-increasing tuples (parts at most ``max_part``)."""
    if n == 0:
        yield ()
        return
    top = n if max_part is None else min(n, max_part)
    for first in range(top, 0, -1):
        for rest in _partitions(n - first, first):
            yield (first, *rest)


def _num_standard_tableaux(shape: tuple[int, ...]) -> int:
    """``f^λ`` by the hook-length formula, exact in integers."""
    n = sum(shape)
    conj = [sum(1 for row in shape if row > j) for j in range(shape[0])] if shape else []
    hooks = 1
    for i, row in enumerate(shape):
        for j in range(row):
            hooks *= (row - j - 1) + (conj[j] - i - 1) + 1
    return math.factorial(n) // hooks


@cache
def _unitary_moment(d: int, t: int) -> int:
    return sum(_num_standard_tableaux(lam) ** 2 for lam in _partitions(t) if len(lam) <= d)


def haar_unitary_moment(d: int, t: int) -> int:
    r"""Exact integer :math:`\mathbb{E}_{U \sim \mathrm{Haar}(U(d))} |\operatorname{tr} U|^{2t}`.

    Equals the number of permutations of ``t`` letters whose longest increasing
    subsequence has length ``<= d``: ``t!`` when ``d >= t``, the Catalan number
    ``C_t`` when ``d = 2``.

    Example:
        >>> [haar_unitary_moment(2, t) for t in range(1, 7)]
        [1, 2, 5, 14, 42, 132]
        >>> haar_unitary_moment(5, 4)
        24
    """
    d = check_positive_int(d, "d", minimum=2)
    t = check_positive_int(t, "t", minimum=1)
    return _unitary_moment(d, t)


def haar_frame_potential(d: int, t: int, kind: str = "state") -> float:
    r"""Frame potential of the Haar measure on states or unitaries of dimension ``d``.

    Args:
        d: dimension, ``d >= 2``.
        t: moment order, ``t >= 1``.
        kind: ``"state"`` for :math:`1/\binom{d+t-1}{t}`, ``"unitary"`` for
            :math:`\mathbb{E}|\operatorname{tr} U|^{2t}` (see :func:`haar_unitary_moment`).

    Returns:
        The Haar value as a float (the unitary value is an exact integer before conversion).

    Raises:
        ValueError: ``d < 2``, ``t < 1`` or an unknown ``kind``.

    Example:
        >>> haar_frame_potential(3, 2)  # 1 / binom(4, 2)
        0.16666666666666666
        >>> haar_frame_potential(2, 4, "unitary")
        14.0
    """
    d = check_positive_int(d, "d", minimum=2)
    t = check_positive_int(t, "t", minimum=1)
    check_choice(kind, "kind", ("state", "unitary"))
    if kind == "state":
        return 1.0 / math.comb(d + t - 1, t)
    return float(_unitary_moment(d, t))
