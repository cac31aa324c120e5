r"""The FKV sketch :math:`A \to R = SA \to C = SAT^\dagger` and a low-rank approximation.

1. Row sketch: draw ``r`` rows :math:`i_t \sim \|A_{i}\|^2/\|A\|_F^2` and rescale,
   :math:`R_t = A_{i_t}\,\|A\|_F/(\sqrt r\,\|A_{i_t}\|)`; all rows of :math:`R` have norm
   :math:`\|A\|_F/\sqrt r` and SQ access to :math:`R` is inherited from SQ(A).
2. Column sketch: draw ``c`` columns of :math:`R` by picking a row :math:`t` uniformly and
   then :math:`j \sim |R_{tj}|^2/\|R_t\|^2` (that is :math:`j \sim \|R_{\cdot j}\|^2/\|R\|_F^2`)
   and rescale, :math:`C_{ts} = R_{tj_s}\,\|R\|_F/(\sqrt c\,\|R_{\cdot j_s}\|)`; ``C`` is
   ``r × c``, built from ``r c`` queries.
3. Both sketches are approximate matrix products (:mod:`~qtwin.dequantized.products`):
   :math:`\|R^\dagger R - A^\dagger A\|_F \le \varepsilon\|A\|_F^2` and
   :math:`\|CC^\dagger - RR^\dagger\|_F \le \varepsilon\|A\|_F^2`, each with probability
   :math:`1-\delta/2`, for :math:`r, c = \lceil 2/(\varepsilon^2\delta)\rceil`.

With the SVD :math:`C = \sum_l \sigma_l w_l y_l^\dagger`, the vectors
:math:`\tilde v_l = R^\dagger w_l/\sigma_l` approximate right singular vectors of ``A``
(Frieze–Kannan–Vempala; Tang's ModFKV). Each :math:`\tilde v_l` is a linear combination of
``r`` rows of ``A``, so it has SQ access by rejection sampling
(:class:`~qtwin.dequantized.oversampled.LinearCombination`). Nothing here costs more than
:math:`O(rc)` queries plus an :math:`O(r^2c)` SVD: the dimensions enter only through the
:math:`O(\log mn)` cost of a sample.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from qtwin._threads import single_threaded_blas
from qtwin._validation import as_generator, check_nonnegative_float, check_positive_int
from qtwin.dequantized.estimation import check_eps_delta
from qtwin.dequantized.matrix import SQMatrix, as_sqmatrix
from qtwin.dequantized.oversampled import LinearCombination
from qtwin.dequantized.types import MatrixLike

__all__ = [
    "Sketch",
    "sketch_sample_counts",
    "fkv_sketch",
    "LowRankApproximation",
    "low_rank_approximation",
]


def sketch_sample_counts(eps: float, delta: float) -> tuple[int, int]:
    r"""``(r, c)`` :math:`= \lceil 2/(\varepsilon^2\delta)\rceil` each (see the module docstring).

    Example:
        >>> sketch_sample_counts(0.2, 0.1)
        (500, 500)
    """
    eps, delta = check_eps_delta(eps, delta)
    r = math.ceil(2.0 / (eps**2 * delta) - 1e-9)
    return r, r


@dataclass
class Sketch:
    r"""The FKV sketch of an :class:`SQMatrix`.

    Attributes:
        matrix: the sketched matrix ``A``.
        rows: the ``r`` sampled row indices :math:`i_t`.
        row_scale: :math:`\|A\|_F/(\sqrt r\|A_{i_t}\|)`, so
            :math:`R_t = ` ``row_scale[t] * A[rows[t]]``.
        cols: the ``c`` sampled column indices :math:`j_s`.
        C: the ``r × c`` matrix :math:`SAT^\dagger`.
        singular_values: singular values of ``C`` (descending).
        left: left singular vectors of ``C`` as columns (``r × min(r, c)``).
    """

    matrix: SQMatrix
    rows: np.ndarray
    row_scale: np.ndarray
    cols: np.ndarray
    C: np.ndarray
    singular_values: np.ndarray
    left: np.ndarray

    @property
    def r(self) -> int:
        """Number of sampled rows."""
        return len(self.rows)

    @property
    def c(self) -> int:
        """Number of sampled columns."""
        return len(self.cols)

    def R(self) -> np.ndarray:
        """The dense ``r × n`` row sketch (``O(rn)``; for tests and small ``n``)."""
        return self.row_scale[:, None] * self.matrix.rows(self.rows)

    def row_combination(self, coeffs: np.ndarray) -> LinearCombination:
        r""":math:`R^\dagger u = \sum_t u_t \overline{R_t}` with SQ access (``u``: length ``r``)."""
        return LinearCombination(
            self.matrix, self.rows, np.asarray(coeffs) * self.row_scale, conjugate=True
        )


@single_threaded_blas
def fkv_sketch(
    A: MatrixLike,
    eps: float = 0.2,
    delta: float = 0.1,
    *,
    r: int | None = None,
    c: int | None = None,
    seed: int | np.random.Generator | None = None,
) -> Sketch:
    r"""Row sketch ``R = SA`` and column sketch ``C = SAT†`` from SQ(A), then the SVD of ``C``.

    Args:
        A: an :class:`SQMatrix` (or a numpy/scipy matrix, wrapped).
        eps: target :math:`\|R^\dagger R - A^\dagger A\|_F/\|A\|_F^2` and
            :math:`\|CC^\dagger - RR^\dagger\|_F/\|A\|_F^2`.
        delta: failure probability of both bounds together, in ``(0, 1)``.
        r: override the number of rows.
        c: override the number of columns.
        seed: int or ``numpy.random.Generator``.

    Returns:
        A :class:`Sketch`.

    Raises:
        ValueError: for the zero matrix, ``eps <= 0`` or ``delta`` outside ``(0, 1)``.

    Example:
        >>> import numpy as np
        >>> rng = np.random.default_rng(0)
        >>> A = rng.normal(size=(2000, 2)) @ rng.normal(size=(2, 30))
        >>> sk = fkv_sketch(A, r=200, c=200, seed=1)
        >>> s = np.linalg.svd(A, compute_uv=False)[:2]
        >>> bool(np.allclose(sk.singular_values[:2], s, rtol=0.2))
        True
    """
    eps, delta = check_eps_delta(eps, delta)
    As = as_sqmatrix(A)
    r0, c0 = sketch_sample_counts(eps, delta)
    r = r0 if r is None else check_positive_int(r, "r")
    c = c0 if c is None else check_positive_int(c, "c")
    rng = as_generator(seed)
    fro = As.frobenius_norm()
    if fro <= 0:
        raise ValueError("A must not be the zero matrix")
    rows = As.sample_rows(r, seed=rng)
    scale = fro / (math.sqrt(r) * np.asarray(As.row_norm(rows)))
    pick = rng.integers(0, r, size=c)
    cols = As.sample_in_rows(rows[pick], seed=rng)
    R_cols = scale[:, None] * np.asarray(As.query(rows[:, None], cols[None, :]))  # r × c
    col_norm = np.sqrt(np.sum(np.abs(R_cols) ** 2, axis=0))
    C = R_cols * (fro / (math.sqrt(c) * col_norm))[None, :]
    left, sv, _ = np.linalg.svd(C, full_matrices=False)
    return Sketch(As, rows, scale, cols, C, sv, left)


@dataclass
class LowRankApproximation:
    r"""Approximate top right singular vectors :math:`\tilde v_l = R^\dagger w_l/\sigma_l` of ``A``.

    Attributes:
        sketch: the underlying :class:`Sketch`.
        rank: number of kept components ``k``.
        singular_values: :math:`\sigma_1 \ge \dots \ge \sigma_k` (estimates for ``A``).
        coefficients: ``r × k`` matrix :math:`W_k\Sigma_k^{-1}`, so
            :math:`\tilde V = R^\dagger` ``coefficients``.
    """

    sketch: Sketch
    rank: int
    singular_values: np.ndarray
    coefficients: np.ndarray

    def vector(self, l: int) -> LinearCombination:  # noqa: E741
        r"""SQ access to :math:`\tilde v_l` (sample by rejection, query in :math:`O(r)`)."""
        return self.sketch.row_combination(self.coefficients[:, l])

    def query(self, index: Any) -> np.ndarray:
        r"""Entries :math:`\tilde V_{j l}` for the column indices ``index`` (``len × k``)."""
        idx = np.asarray(index, dtype=np.int64).ravel()
        sk = self.sketch
        block = np.asarray(sk.matrix.query(sk.rows[:, None], idx[None, :])).conj()
        return (block * sk.row_scale[:, None]).T @ self.coefficients

    def to_numpy(self) -> np.ndarray:
        """The ``n × k`` matrix :math:`\tilde V` (``O(nrk)``; for tests and small ``n``)."""
        return self.query(np.arange(self.sketch.matrix.shape[1]))


@single_threaded_blas
def low_rank_approximation(
    A: MatrixLike,
    k: int,
    eps: float = 0.1,
    delta: float = 0.1,
    *,
    r: int | None = None,
    c: int | None = None,
    threshold: float = 0.0,
    seed: int | np.random.Generator | None = None,
) -> LowRankApproximation:
    r"""Rank-``k`` approximation :math:`A \approx A\tilde V\tilde V^\dagger` from the FKV sketch.

    The sketch accuracy is set to :math:`\varepsilon/(4\sqrt k)`: with
    :math:`\|R^\dagger R - A^\dagger A\|_F \le \varepsilon'\|A\|_F^2`, the projector
    :math:`\Pi` onto the top-``k`` right singular space of ``R`` satisfies
    :math:`\|A - A\Pi\|_F^2 \le \|A - A_k\|_F^2 + 2\sqrt k\,\varepsilon'\|A\|_F^2`
    (Drineas–Kannan–Mahoney, "Fast Monte Carlo algorithms for matrices II", Thm. 2), and the
    column sketch perturbs the singular vectors by the same order. The guarantee checked in
    the tests is :math:`\|A - A\tilde V\tilde V^+\|_F^2 \le \|A - A_k\|_F^2 + \varepsilon\|A\|_F^2`.

    Args:
        A: an :class:`SQMatrix` or a matrix.
        k: rank, ``>= 1``.
        eps: additive error in units of :math:`\|A\|_F^2`.
        delta: failure probability in ``(0, 1)``.
        r: override the row count.
        c: override the column count.
        threshold: drop components with :math:`\sigma_l < ` ``threshold`` :math:`\cdot\|A\|_F`
            (ModFKV's spectral threshold).
        seed: int or ``numpy.random.Generator``.

    Returns:
        A :class:`LowRankApproximation` (possibly with fewer than ``k`` components).

    Raises:
        ValueError: for ``k < 1``, ``eps <= 0`` or ``delta`` outside ``(0, 1)``.

    Example:
        >>> import numpy as np
        >>> rng = np.random.default_rng(2)
        >>> A = rng.normal(size=(3000, 2)) @ rng.normal(size=(2, 40))
        >>> lr = low_rank_approximation(A, 2, r=300, c=300, seed=0)
        >>> V = np.linalg.qr(lr.to_numpy())[0]
        >>> bool(np.linalg.norm(A - A @ V @ V.T) ** 2 < 0.01 * np.linalg.norm(A) ** 2)
        True
    """
    k = check_positive_int(k, "k")
    threshold = check_nonnegative_float(threshold, "threshold")
    eps, delta = check_eps_delta(eps, delta)
    sub = eps / (4.0 * math.sqrt(k))
    sk = fkv_sketch(A, sub, delta, r=r, c=c, seed=seed)
    fro = sk.matrix.frobenius_norm()
    keep = min(k, int(np.sum(sk.singular_values > max(threshold * fro, 1e-12 * fro))))
    sv = sk.singular_values[:keep]
    coeffs = sk.left[:, :keep] / sv[None, :]
    return LowRankApproximation(sk, keep, sv, coeffs)
