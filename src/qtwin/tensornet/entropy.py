r"""Entanglement entropies from Schmidt spectra: von Neumann and Rényi, in any logarithm base.

For squared Schmidt values :math:`p_k` (summing to one),

.. math::

    S_1 = -\sum_k p_k \log p_k, \qquad
    S_\alpha = \frac{1}{1 - \alpha} \log \sum_k p_k^\alpha,

with :math:`S_0 = \log(\text{rank})` and :math:`S_\infty = -\log \max_k p_k`. Divide by
:math:`\log b` for base ``b`` (2 gives bits).

Example:
    >>> renyi_entropy([0.5, 0.5], base=2), renyi_entropy([0.5, 0.5], alpha=2, base=2)
    (1.0, 1.0)
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from qtwin._validation import check_nonnegative_float

__all__ = ["renyi_entropy", "check_entropy_args"]


def check_entropy_args(alpha: Any, base: Any) -> None:
    """Raise unless ``alpha >= 0`` and ``base > 1``."""
    check_nonnegative_float(alpha, "alpha")
    if check_nonnegative_float(base, "base") <= 1:
        raise ValueError(f"base must be a number > 1 (e.g. math.e or 2), got {base}")


def renyi_entropy(p: Any, alpha: float = 1.0, base: float = math.e) -> float:
    """Rényi entropy of order ``alpha`` (von Neumann for 1) of the distribution ``p``."""
    check_entropy_args(alpha, base)
    p = np.asarray(p, dtype=float)
    p = p[p > 1e-300]
    if alpha == 1:
        s = float(-np.sum(p * np.log(p)))
    elif alpha == 0:
        s = float(np.log(np.count_nonzero(p > 1e-24)))
    elif math.isinf(alpha):
        s = float(-np.log(p.max()))
    else:
        s = float(np.log(np.sum(p**alpha)) / (1 - alpha))
    return max(0.0, s) / math.log(base)
