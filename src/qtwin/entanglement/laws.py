r"""Fits of entanglement profiles to volume, area and area-plus-logarithm laws.

Cuts are measured in qubits: with left dimension :math:`D_\ell` and total :math:`N`,
:math:`x = \log_2 D_\ell` and :math:`X = \log_2 N` (for a chain of qubits, :math:`x = \ell`).
Three least-squares fits of the profile :math:`S(x)` (nats):

* ``volume``: :math:`S = s\,\min(x, X - x)`, a slope :math:`s` (``ln 2`` = maximal);
* ``area``: :math:`S = a`, a constant;
* ``area_log``: :math:`S = a + \frac{c}{6} \ln\!\left[\frac{X}{\pi}\sin\frac{\pi x}{X}\right]`,
  the Calabrese–Cardy form of an area law with a logarithmic correction (``c`` the
  "central charge"; the "Attention Cardy formula" of arXiv:2601.06788).

Each fit reports its parameters, root-mean-square error, :math:`R^2` and the Akaike
criterion :math:`n \ln(\mathrm{RSS}/n) + 2k` (lower is better), so laws with different
numbers of parameters compare fairly. :func:`valley_depth` measures the central dip of a
LoRA update at its row|column cut.

Example:
    >>> x = np.arange(1, 12)
    >>> prof = 0.3 + (1.5 / 6) * np.log(12 / np.pi * np.sin(np.pi * x / 12))
    >>> fits = fit_laws(prof, [2] * 12)
    >>> round(fits["area_log"].params["c"], 6), best_law(fits)
    (1.5, 'area_log')
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from qtwin._validation import check_finite

__all__ = ["LawFit", "fit_laws", "best_law", "valley_depth"]


@dataclass(frozen=True)
class LawFit:
    """One least-squares fit of a profile.

    Attributes:
        law: ``"volume"``, ``"area"`` or ``"area_log"``.
        params: fitted parameters (``s``; ``a``; ``a`` and ``c``).
        rmse: root-mean-square residual (nats).
        r2: coefficient of determination (``nan`` for a constant profile).
        aic: Akaike information criterion.
        prediction: the fitted profile at every cut.
    """

    law: str
    params: dict[str, float]
    rmse: float
    r2: float
    aic: float
    prediction: np.ndarray = field(repr=False)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form (prediction left out)."""
        return {
            "law": self.law,
            "params": self.params,
            "rmse": self.rmse,
            "r2": self.r2,
            "aic": self.aic,
        }


def _coordinates(num_cuts: int, site_dims: Sequence[int] | None) -> tuple[np.ndarray, float]:
    dims = np.asarray(site_dims if site_dims is not None else [2] * (num_cuts + 1), dtype=float)
    if dims.size != num_cuts + 1:
        raise ValueError(
            f"site_dims must have {num_cuts + 1} entries (one more than the cuts), got {dims.size}"
        )
    x = np.cumsum(np.log2(dims))[:-1]
    return x, float(np.log2(dims).sum())


def _fit(law: str, design: np.ndarray, y: np.ndarray, names: list[str]) -> LawFit:
    coef, *_ = np.linalg.lstsq(design, y, rcond=None)
    pred = design @ coef
    rss = float(np.sum((y - pred) ** 2))
    n = y.size
    tss = float(np.sum((y - y.mean()) ** 2))
    r2 = 1.0 - rss / tss if tss > 0 else float("nan")
    aic = n * math.log(max(rss, 1e-300) / n) + 2 * len(names)
    params = {k: float(v) for k, v in zip(names, coef, strict=True)}
    if "c6" in params:
        params = {"a": params["a"], "c": 6.0 * params.pop("c6")}
    return LawFit(law, params, math.sqrt(rss / n), r2, aic, pred)


def fit_laws(
    entropies: Sequence[float], site_dims: Sequence[int] | None = None
) -> dict[str, LawFit]:
    """Fit the volume, area and area-plus-log laws to a profile (entropies in nats).

    Args:
        entropies: entropy at every cut.
        site_dims: local dimension of every site (one more than the cuts); qubits if omitted.

    Returns:
        ``{"volume": LawFit, "area": LawFit, "area_log": LawFit}``.

    Raises:
        ValueError: fewer than three cuts, non-finite entropies, or mismatched ``site_dims``.
    """
    y = np.asarray(entropies, dtype=float)
    if y.ndim != 1 or y.size < 3:
        raise ValueError(
            f"entropies must be a 1-D profile with at least 3 cuts, got shape {y.shape}"
        )
    check_finite(y, "entropies")
    x, total = _coordinates(y.size, site_dims)
    chord = np.log(total / math.pi * np.sin(math.pi * x / total))
    ones = np.ones_like(x)
    return {
        "volume": _fit("volume", np.minimum(x, total - x)[:, None], y, ["s"]),
        "area": _fit("area", ones[:, None], y, ["a"]),
        "area_log": _fit("area_log", np.stack([ones, chord], axis=1), y, ["a", "c6"]),
    }


def best_law(fits: dict[str, LawFit]) -> str:
    """Name of the fit with the lowest Akaike criterion."""
    return min(fits.values(), key=lambda f: f.aic).law


def valley_depth(entropies: Sequence[float], cut: int) -> float:
    r"""Depth of the dip at ``cut`` (1-based): mean of its two neighbours minus :math:`S(\ell)`.

    Positive for a valley (LoRA's row|column cut), about zero or negative for a peak
    (a Page curve's middle).

    Example:
        >>> valley_depth([1.0, 2.0, 1.0, 2.0, 1.0], 3)
        1.0
    """
    y = np.asarray(entropies, dtype=float)
    if (
        isinstance(cut, bool)
        or not isinstance(cut, (int, np.integer))
        or not 2 <= cut <= y.size - 1
    ):
        raise ValueError(f"cut must be an interior cut in [2, {y.size - 1}], got {cut!r}")
    return float((y[cut - 2] + y[cut]) / 2 - y[cut - 1])
