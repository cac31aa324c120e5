r"""Approximate matrix product by importance sampling (Drineas–Kannan–Mahoney).

For :math:`X \in \mathbb{C}^{n\times m}`, :math:`Y \in \mathbb{C}^{n\times p}` draw ``s`` rows
i.i.d. with :math:`p_i = \|X_i\|^2/\|X\|_F^2` (SQ access to :math:`X`) and let the sketch
:math:`S \in \mathbb{R}^{s\times n}` have rows :math:`e_{i_t}^T/\sqrt{s p_{i_t}}`. Then
:math:`\mathbb{E}[X^\dagger S^\dagger S Y] = X^\dagger Y` and

.. math::

    \mathbb{E}\|X^\dagger S^\dagger S Y - X^\dagger Y\|_F^2
      = \frac1s\Big(\sum_i \frac{\|X_i\|^2\|Y_i\|^2}{p_i} - \|X^\dagger Y\|_F^2\Big)
      \le \frac{\|X\|_F^2\|Y\|_F^2}{s},

so by Markov's inequality :math:`s = \lceil 1/(\varepsilon^2\delta)\rceil` samples give
:math:`\|X^\dagger S^\dagger S Y - X^\dagger Y\|_F \le \varepsilon\|X\|_F\|Y\|_F` with
probability at least :math:`1-\delta`. The cost is ``s`` samples and ``s`` rows of each
factor, independent of ``n``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from qtwin._validation import as_generator, check_positive_int
from qtwin.dequantized.estimation import check_eps_delta
from qtwin.dequantized.matrix import SQMatrix, as_sqmatrix
from qtwin.dequantized.types import MatrixLike

__all__ = ["AMPResult", "amp_sample_count", "approx_matrix_product"]


def amp_sample_count(eps: float, delta: float, phi: float = 1.0) -> int:
    r"""Rows :math:`s = \lceil \phi/(\varepsilon^2\delta)\rceil` for the bound above.

    Example:
        >>> amp_sample_count(0.1, 0.1)
        1000
    """
    eps, delta = check_eps_delta(eps, delta)
    return math.ceil(phi / (eps**2 * delta) - 1e-9)


@dataclass
class AMPResult:
    r"""An approximate product :math:`X^\dagger S^\dagger S Y` and its guarantee.

    Attributes:
        product: the ``(m, p)`` estimate.
        rows: the ``s`` sampled row indices.
        weights: :math:`1/(s p_{i_t})`, one per sampled row.
        bound: :math:`\varepsilon\|X\|_F\|Y\|_F`, exceeded with probability :math:`\le\delta`.
        samples: ``s``.
    """

    product: np.ndarray
    rows: np.ndarray
    weights: np.ndarray
    bound: float
    samples: int


def _rows_of(Y: Any, idx: np.ndarray) -> tuple[np.ndarray, float]:
    if isinstance(Y, SQMatrix):
        return Y.rows(idx), Y.frobenius_norm()
    if hasattr(Y, "tocsr"):
        csr = Y.tocsr()
        return np.asarray(csr[idx].toarray()), float(np.sqrt(abs(csr.multiply(csr.conj()).sum())))
    arr = np.asarray(Y)
    return arr[idx], float(np.linalg.norm(arr))


def approx_matrix_product(
    X: MatrixLike,
    Y: MatrixLike,
    eps: float = 0.1,
    delta: float = 0.1,
    *,
    samples: int | None = None,
    seed: int | np.random.Generator | None = None,
) -> AMPResult:
    r"""Estimate :math:`X^\dagger Y` from ``s`` rows sampled by the squared row norms of ``X``.

    Args:
        X: ``(n, m)``: an :class:`SQMatrix` (or anything it accepts).
        Y: ``(n, p)``: an :class:`SQMatrix`, numpy array or scipy sparse matrix (row access).
        eps: target error in units of :math:`\|X\|_F\|Y\|_F`.
        delta: failure probability in ``(0, 1)``.
        samples: override the derived :math:`s = \lceil 1/(\varepsilon^2\delta)\rceil`.
        seed: int or ``numpy.random.Generator``.

    Returns:
        An :class:`AMPResult`; ``bound`` is :math:`\sqrt{1/(s\delta)}\,\|X\|_F\|Y\|_F`.

    Raises:
        ValueError: for mismatched row counts, ``eps <= 0`` or ``delta`` outside ``(0, 1)``.

    Example:
        >>> import numpy as np
        >>> rng = np.random.default_rng(0); X = rng.normal(size=(5000, 3))
        >>> res = approx_matrix_product(X, X, 0.1, 0.1, seed=0)
        >>> bool(np.linalg.norm(res.product - X.T @ X) <= res.bound), res.samples
        (True, 1000)
    """
    eps, delta = check_eps_delta(eps, delta)
    Xs = as_sqmatrix(X, "X")
    n_y = Y.shape[0]
    if n_y != Xs.shape[0]:
        raise ValueError(f"X and Y must have the same number of rows, got {Xs.shape[0]} and {n_y}")
    s = amp_sample_count(eps, delta) if samples is None else check_positive_int(samples, "samples")
    rng = as_generator(seed)
    idx = Xs.sample_rows(s, seed=rng)
    fro2 = Xs.frobenius_norm() ** 2
    p = np.asarray(Xs.row_norm(idx)) ** 2 / fro2
    w = 1.0 / (s * p)
    xr = Xs.rows(idx)
    yr, yfro = _rows_of(Y, idx)
    prod = (xr.conj() * w[:, None]).T @ yr
    bound = math.sqrt(1.0 / (s * delta)) * math.sqrt(fro2) * yfro
    return AMPResult(prod, idx, w, bound, s)
