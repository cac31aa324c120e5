r"""Inner products from samples: the median-of-means estimator.

Draw :math:`i \sim |x_i|^2/\|x\|^2` and set :math:`Z = \|x\|^2\, y_i / x_i`. Then
:math:`\mathbb{E}Z = \sum_i \bar x_i y_i = \langle x, y\rangle` and
:math:`\mathbb{E}|Z|^2 = \|x\|^2\|y\|^2`. A mean of :math:`n = \lceil 4/\varepsilon^2\rceil`
copies is within :math:`\varepsilon\|x\|\|y\|` with probability :math:`\ge 3/4`
(Chebyshev); the median of :math:`K = \lceil 8\ln(1/\delta)\rceil` such means fails only if
half of them fail, which has probability :math:`\le e^{-K/8} \le \delta` (Hoeffding). Real
and imaginary parts take their medians separately (each within the bound).

The cost is :math:`nK = O(\varepsilon^{-2}\log(1/\delta))` samples and queries, whatever the
dimension.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from qtwin._validation import as_generator, check_positive_int
from qtwin.dequantized.types import QueryAccess, SQAccess

__all__ = ["MeanSamples", "median_of_means_counts", "inner_product", "check_eps_delta"]


def check_eps_delta(eps: Any, delta: Any) -> tuple[float, float]:
    """Return ``(eps, delta)`` as floats; ``eps > 0`` and ``0 < delta < 1`` or raise ``ValueError``.

    Example:
        >>> check_eps_delta(0.1, 0.05)
        (0.1, 0.05)
    """
    try:
        e, d = float(eps), float(delta)
    except (TypeError, ValueError):
        raise TypeError(f"eps and delta must be numbers, got {eps!r}, {delta!r}") from None
    if not math.isfinite(e) or e <= 0:
        raise ValueError(f"eps must be a finite number > 0, got {eps!r}")
    if not (0.0 < d < 1.0):
        raise ValueError(f"delta must be in the open interval (0, 1), got {delta!r}")
    return e, d


@dataclass(frozen=True)
class MeanSamples:
    """Median-of-means layout: ``groups`` means of ``per_group`` samples each."""

    per_group: int
    groups: int

    @property
    def total(self) -> int:
        """``per_group * groups``."""
        return self.per_group * self.groups


def median_of_means_counts(eps: float, delta: float, phi: float = 1.0) -> MeanSamples:
    r"""Samples for additive error :math:`\varepsilon\|x\|\|y\|` with probability :math:`1-\delta`.

    ``per_group`` :math:`= \lceil 4\phi/\varepsilon^2\rceil` and ``groups``
    :math:`= \lceil 8\ln(1/\delta)\rceil` (odd), where :math:`\phi` bounds the
    oversampling of :math:`x`.

    Example:
        >>> median_of_means_counts(0.1, 0.01)
        MeanSamples(per_group=400, groups=37)
    """
    eps, delta = check_eps_delta(eps, delta)
    per = math.ceil(4.0 * phi / eps**2)
    k = math.ceil(8.0 * math.log(1.0 / delta))
    return MeanSamples(per, k + 1 - k % 2)


def _median(values: np.ndarray) -> Any:
    if np.iscomplexobj(values):
        return np.median(values.real, axis=-1) + 1j * np.median(values.imag, axis=-1)
    return np.median(values, axis=-1)


def median_of_means(z: np.ndarray, counts: MeanSamples) -> Any:
    """Median over the last axis of ``counts.groups`` group means of ``z`` (``(..., total)``)."""
    means = z.reshape(*z.shape[:-1], counts.groups, counts.per_group).mean(axis=-1)
    return _median(means)


def inner_product(
    x: SQAccess,
    y: QueryAccess | ArrayLike,
    eps: float = 0.1,
    delta: float = 0.05,
    *,
    counts: MeanSamples | None = None,
    seed: int | np.random.Generator | None = None,
) -> complex | float:
    r"""Estimate :math:`\langle x, y\rangle = \sum_i \bar x_i y_i` from SQ(x) and Q(y).

    Args:
        x: an SQ vector (``sample``, ``query``, ``norm``), e.g.
            :class:`~qtwin.dequantized.vector.SQVector`.
        y: query access: an object with ``query`` or a 1-D array.
        eps: additive error in units of :math:`\|x\|\|y\|`.
        delta: failure probability, in ``(0, 1)``.
        counts: override the derived :class:`MeanSamples`.
        seed: int or ``numpy.random.Generator``.

    Returns:
        The estimate (a float for real inputs).

    Raises:
        ValueError: for ``eps <= 0``, ``delta`` outside ``(0, 1)`` or mismatched lengths.

    Example:
        >>> from qtwin.dequantized import SQVector
        >>> import numpy as np
        >>> x = SQVector(np.ones(1000)); y = np.linspace(0, 2, 1000)
        >>> est = inner_product(x, y, 0.05, 0.01, seed=1)
        >>> bool(abs(est - y.sum()) < 0.05 * np.sqrt(1000) * np.linalg.norm(y))
        True
    """
    eps, delta = check_eps_delta(eps, delta)
    if counts is None:
        counts = median_of_means_counts(eps, delta)
    else:
        check_positive_int(counts.per_group, "counts.per_group")
        check_positive_int(counts.groups, "counts.groups")
    if len(x) != (len(y) if not hasattr(y, "query") else len(y)):
        raise ValueError(f"x and y must have the same length, got {len(x)} and {len(y)}")
    rng = as_generator(seed)
    idx = np.asarray(x.sample(counts.total, seed=rng))
    yq = y.query(idx) if hasattr(y, "query") else np.asarray(y)[idx]
    z = x.norm() ** 2 * np.asarray(yq) / np.asarray(x.query(idx))
    est = median_of_means(z, counts)
    return float(est) if not np.iscomplexobj(est) else complex(est)
