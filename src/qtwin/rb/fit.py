r"""Exponential decay fits for RB data with bootstrap confidence intervals.

Model :math:`y(m) = A f^m + B` (``offset=True``, standard RB) or :math:`y(m) = A f^m`
(``offset=False``, character-weighted RB signals, which have no offset). The fit is a
variable-projection least-squares fit of the per-length means: for each trial ``f`` the
linear parameters are solved exactly, ``f`` is located on a dense grid over
:math:`[-1, 1]` (log-spaced towards 1) and refined by golden-section search, so it needs
no initial guess and cannot run off on poor data. Confidence intervals are percentile
bootstrap intervals over sequences: the sequences of each length are resampled with
replacement and the fit is repeated.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import ArrayLike

from qtwin._io import to_jsonable
from qtwin._validation import as_generator, check_finite, check_positive_int

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "DecayFit",
    "fit_decay",
    "fit_exponential",
    "bootstrap_indices",
    "percentile_ci",
    "bootstrap_interval",
    "resampled_means",
]

_GRID = np.unique(
    np.concatenate([np.linspace(-1.0, 0.5, 301), 1.0 - np.logspace(-7, np.log10(0.5), 1200), [1.0]])
)


@dataclass(frozen=True)
class DecayFit:
    r"""A fitted decay :math:`A f^m + B` with bootstrap intervals.

    Attributes:
        f, a, b: fitted decay, amplitude and offset (``b = 0`` when ``offset`` is False).
        f_ci, a_ci, b_ci: ``(low, high)`` percentile bootstrap intervals.
        f_samples: bootstrap values of ``f``.
        offset: whether the model had an offset.
        confidence: level of the intervals.
        lengths, means, sems: the data fitted (mean and standard error per length).
        reduced_chi2: :math:`\frac{1}{L - k}\sum_m ((\bar y_m - \hat y_m)/\mathrm{sem}_m)^2`.
    """

    f: float
    a: float
    b: float
    f_ci: tuple[float, float]
    a_ci: tuple[float, float]
    b_ci: tuple[float, float]
    f_samples: np.ndarray
    offset: bool
    confidence: float
    lengths: np.ndarray
    means: np.ndarray
    sems: np.ndarray
    reduced_chi2: float

    def model(self, m: ArrayLike) -> np.ndarray:
        """Evaluate :math:`A f^m + B` at lengths ``m``."""
        return self.a * self.f ** np.asarray(m, dtype=float) + self.b

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready fields (arrays as lists; the bootstrap samples ``f_samples`` left out).

        Example:
            >>> m = np.array([1, 5, 10, 20])
            >>> fit = fit_decay(m, np.repeat((0.5 * 0.9**m + 0.5)[:, None], 3, axis=1), seed=0)
            >>> d = fit.to_dict()
            >>> round(d["f"], 8), d["lengths"], d["offset"]
            (0.9, [1, 5, 10, 20], True)
        """
        return to_jsonable(
            {
                f.name: getattr(self, f.name)
                for f in dataclasses.fields(self)
                if f.name != "f_samples"
            }
        )

    def to_dataframe(self) -> pd.DataFrame:
        """One row per length: ``length, mean, sem, fit, residual`` (``residual = mean - fit``).

        Example:
            >>> m = np.array([1, 5, 10, 20])
            >>> fit = fit_decay(m, np.repeat((0.5 * 0.9**m + 0.5)[:, None], 3, axis=1), seed=0)
            >>> fit.to_dataframe().columns.tolist()
            ['length', 'mean', 'sem', 'fit', 'residual']
        """
        import pandas as pd

        model = self.model(self.lengths)
        return pd.DataFrame(
            {
                "length": np.asarray(self.lengths),
                "mean": np.asarray(self.means),
                "sem": np.asarray(self.sems),
                "fit": model,
                "residual": np.asarray(self.means) - model,
            }
        )


def fit_exponential(
    lengths: np.ndarray, y: np.ndarray, *, offset: bool = True
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    r"""Least-squares :math:`A f^m (+ B)` for one or many curves ``y`` (``(L,)`` or ``(B, L)``).

    Returns:
        ``(f, a, b)`` arrays with the batch shape of ``y`` (``b`` is 0 without offset).

    Example:
        >>> m = np.arange(1, 30, 3)
        >>> f, a, b = fit_exponential(m, 0.6 * 0.93**m + 0.25)
        >>> [round(float(x), 8) for x in (f, a, b)]
        [0.93, 0.6, 0.25]
    """
    m = np.asarray(lengths, dtype=float)
    yy = np.atleast_2d(np.asarray(y, dtype=float))
    nb = yy.shape[0]

    def solve(f: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        # f: (nb,) -> best a, b and squared residual for each curve
        x = f[:, None] ** m[None, :]  # (nb, L)
        if offset:
            sx, sxx = x.sum(1), (x * x).sum(1)
            sy, sxy, n = yy.sum(1), (x * yy).sum(1), m.size
            det = n * sxx - sx * sx
            safe = np.abs(det) > 1e-12 * max(1.0, n * n)
            a = np.where(safe, (n * sxy - sx * sy) / np.where(safe, det, 1), 0.0)
            b = np.where(safe, (sy - a * sx) / n, sy / n)
            # degenerate (f = 1 or 0 on a constant design): put everything in b
        else:
            sxx = (x * x).sum(1)
            a = np.where(sxx > 0, (x * yy).sum(1) / np.where(sxx > 0, sxx, 1), 0.0)
            b = np.zeros(nb)
        r = ((yy - a[:, None] * x - b[:, None]) ** 2).sum(1)
        return a, b, r

    grid = _GRID
    res = np.stack([solve(np.full(nb, g))[2] for g in grid], axis=1)  # (nb, G)
    k = np.argmin(res, axis=1)
    lo = grid[np.maximum(k - 1, 0)]
    hi = grid[np.minimum(k + 1, grid.size - 1)]
    gr = (np.sqrt(5) - 1) / 2
    for _ in range(60):  # golden-section search inside the bracketing grid cells
        c = hi - gr * (hi - lo)
        e = lo + gr * (hi - lo)
        left = solve(c)[2] <= solve(e)[2]
        hi = np.where(left, e, hi)
        lo = np.where(left, lo, c)
    f = (lo + hi) / 2
    f_grid = grid[k]
    better = solve(f)[2] <= res[np.arange(nb), k]
    f = np.where(better, f, f_grid)
    a, b, _ = solve(f)
    shape = np.shape(y)[:-1]
    return f.reshape(shape), a.reshape(shape), b.reshape(shape)


def bootstrap_indices(
    num_lengths: int, num_samples: int, num_bootstrap: int, seed: int | np.random.Generator | None
) -> np.ndarray:
    """``(num_bootstrap, num_lengths, num_samples)`` resampling indices (with replacement).

    Example:
        >>> bootstrap_indices(3, 5, 10, seed=0).shape
        (10, 3, 5)
    """
    rng = as_generator(seed)
    return rng.integers(0, num_samples, size=(num_bootstrap, num_lengths, num_samples))


def percentile_ci(samples: np.ndarray, confidence: float) -> tuple[float, float]:
    """Percentile interval of bootstrap samples at level ``confidence``.

    Example:
        >>> percentile_ci(np.arange(101.0), 0.9)
        (5.0, 95.0)
    """
    s = np.asarray(samples, dtype=float)
    s = s[np.isfinite(s)]
    q = (1 - confidence) / 2
    return float(np.quantile(s, q)), float(np.quantile(s, 1 - q))


def bootstrap_interval(
    point: float, samples: np.ndarray, confidence: float, num_samples: int
) -> tuple[float, float]:
    r"""Bootstrap-standard-error t interval around ``point``.

    :math:`\hat\theta \pm t_{S-1,\,(1+c)/2}\; \sqrt{S/(S-1)}\; \mathrm{sd}(\theta^*)`: the
    bootstrap spread of a statistic of ``S`` sequences per length underestimates its standard
    error by :math:`\sqrt{(S-1)/S}`, and the Student quantile accounts for estimating it from
    ``S`` values. Measured on character RB (d = 2..5, 20 sequences per length), the percentile
    interval covered the exact fidelity in 87-92 % of seeds at nominal 95 %; this one is wider
    by about 10 % there.

    Example:
        >>> lo, hi = bootstrap_interval(1.0, np.array([0.9, 1.0, 1.1]), 0.95, num_samples=20)
        >>> round(hi - 1.0, 3) == round(1.0 - lo, 3)
        True
    """
    from scipy.stats import t as student_t

    s = np.asarray(samples, dtype=float)
    s = s[np.isfinite(s)]
    if s.size < 2:
        return float(point), float(point)
    n = max(int(num_samples), 2)
    half = student_t.ppf((1 + confidence) / 2, n - 1) * np.sqrt(n / (n - 1)) * s.std(ddof=1)
    return float(point - half), float(point + half)


def resampled_means(data: np.ndarray, idx: np.ndarray) -> np.ndarray:
    """Means per length of ``data`` ``(L, S)`` under bootstrap indices ``(B, L, S)``: ``(B, L)``."""
    rows = np.arange(data.shape[0])[None, :, None]
    return data[rows, idx].mean(axis=2)


def _check_confidence(confidence: float) -> float:
    c = float(confidence)
    if not 0 < c < 1:
        raise ValueError(f"confidence must lie strictly between 0 and 1, got {confidence!r}")
    return c


def fit_decay(
    lengths: np.ndarray,
    data: np.ndarray,
    *,
    offset: bool = True,
    confidence: float = 0.95,
    num_bootstrap: int = 200,
    seed: int | np.random.Generator | None = None,
    resamples: np.ndarray | None = None,
) -> DecayFit:
    r"""Fit :math:`A f^m (+B)` to per-sequence RB data with bootstrap confidence intervals.

    Args:
        lengths: ``(L,)`` distinct sequence lengths (``L >= 3`` with offset, ``>= 2`` without).
        data: ``(L, S)`` one value per length and sequence (survival or weighted signal).
        offset: fit the offset ``B`` (standard RB) or not (character RB).
        confidence: interval level in ``(0, 1)``.
        num_bootstrap: number of bootstrap resamples, ``>= 10``.
        seed: seed for resampling.
        resamples: optional ``(B, L, S)`` indices (:func:`bootstrap_indices`) to share
            resamples between fits.

    Example:
        >>> m = np.array([1, 5, 10, 20, 40])
        >>> data = np.repeat((0.5 * 0.95**m + 0.5)[:, None], 4, axis=1)
        >>> fit = fit_decay(m, data, seed=0)
        >>> round(fit.f, 8), [round(x, 8) for x in fit.f_ci], round(fit.b, 8)
        (0.95, [0.95, 0.95], 0.5)
    """
    m = np.asarray(lengths)
    y = np.asarray(data, dtype=float)
    if m.ndim != 1 or y.ndim != 2 or y.shape[0] != m.size:
        raise ValueError(f"data must have shape (len(lengths), S), got {y.shape} and {m.shape}")
    check_finite(y, "data")
    need = 3 if offset else 2
    if np.unique(m).size < need:
        raise ValueError(f"lengths needs at least {need} distinct values for this fit, got {m}")
    confidence = _check_confidence(confidence)
    if resamples is None:
        num_bootstrap = check_positive_int(num_bootstrap, "num_bootstrap", minimum=10)
        resamples = bootstrap_indices(m.size, y.shape[1], num_bootstrap, seed)
    means = y.mean(axis=1)
    f, a, b = fit_exponential(m, means, offset=offset)
    fb, ab, bb = fit_exponential(m, resampled_means(y, resamples), offset=offset)
    s = y.shape[1]
    sems = y.std(axis=1, ddof=1) / np.sqrt(s) if s > 1 else np.zeros_like(means)
    resid = means - (a * f ** m.astype(float) + b)
    dof = max(m.size - need, 1)
    with np.errstate(divide="ignore", invalid="ignore"):
        chi2 = float(np.sum((resid / np.maximum(sems, 1e-15)) ** 2) / dof)
    return DecayFit(
        f=float(f),
        a=float(a),
        b=float(b),
        f_ci=bootstrap_interval(float(f), fb, confidence, s),
        a_ci=bootstrap_interval(float(a), ab, confidence, s),
        b_ci=bootstrap_interval(float(b), bb, confidence, s),
        f_samples=fb,
        offset=offset,
        confidence=confidence,
        lengths=m.copy(),
        means=means,
        sems=sems,
        reduced_chi2=chi2,
    )
