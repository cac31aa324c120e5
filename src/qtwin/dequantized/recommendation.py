r"""Recommendation systems by ℓ²-norm sampling (Tang, arXiv:1807.04271).

Dequantizes the quantum recommendation algorithm of Kerenidis and Prakash (arXiv:1603.08675),
which samples a high-value item for user ``u`` from a low-rank approximation of the
``users × items`` preference matrix ``A``. The classical algorithm:

1. FKV sketch and a rank-``k`` approximation :math:`\tilde V` of the top right singular
   vectors (:func:`~qtwin.dequantized.sketch.low_rank_approximation`);
2. :math:`\lambda_l = \langle\tilde v_l, A_u\rangle`, estimated by median of means from
   samples of row ``u`` (:mod:`~qtwin.dequantized.estimation`);
3. the recommendation vector
   :math:`x = \sum_l \lambda_l\tilde v_l \approx A_u\tilde V\tilde V^\dagger`
   is a combination of ``r`` rows of ``A``; items :math:`j \sim |x_j|^2/\|x\|^2` are drawn by
   rejection sampling.

Nothing depends on the number of users or items beyond the :math:`O(\log mn)` cost of a
sample.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from qtwin._threads import single_threaded_blas
from qtwin._validation import as_generator, check_positive_int
from qtwin.dequantized.estimation import (
    MeanSamples,
    check_eps_delta,
    median_of_means,
    median_of_means_counts,
)
from qtwin.dequantized.matrix import as_sqmatrix
from qtwin.dequantized.oversampled import LinearCombination
from qtwin.dequantized.sketch import LowRankApproximation, low_rank_approximation
from qtwin.dequantized.types import MatrixLike

__all__ = ["Recommendation", "recommend", "user_weights"]


@dataclass
class Recommendation:
    r"""Items sampled for one user, and SQ access to the recommendation vector.

    Attributes:
        user: the user (row) index.
        items: the sampled item indices, :math:`j \sim |x_j|^2/\|x\|^2`.
        vector: the recommendation vector :math:`x` (:class:`LinearCombination`).
        weights: :math:`\lambda_l`, one per component.
        model: the :class:`LowRankApproximation` (reusable for other users).
        proposals: rejection-sampling proposals used for ``items``.
    """

    user: int
    items: np.ndarray
    vector: LinearCombination
    weights: np.ndarray
    model: LowRankApproximation
    proposals: int

    def top(self, k: int) -> np.ndarray:
        """The ``k`` distinct sampled items with the largest :math:`|x_j|` (queried, best first)."""
        cand = np.unique(self.items)
        vals = np.abs(self.vector.query(cand))
        return cand[np.argsort(-vals, kind="stable")[: check_positive_int(k, "k")]]


def user_weights(
    model: LowRankApproximation,
    user: int,
    counts: MeanSamples,
    rng: np.random.Generator,
    *,
    exact: bool = False,
) -> np.ndarray:
    r""":math:`\lambda_l = \langle\tilde v_l, A_u\rangle` by median of means over row ``u``."""
    A = model.sketch.matrix
    if exact:
        return model.to_numpy().conj().T @ A.row(user)
    j = A.sample_in_rows(np.full(counts.total, user), seed=rng)
    vals = model.query(j)  # N × k
    z = A.row_norm(user) ** 2 * vals.conj().T / np.asarray(A.query(user, j)).conj()[None, :]
    return np.asarray(median_of_means(z, counts))


@single_threaded_blas
def recommend(
    A: MatrixLike,
    user: int,
    rank: int = 5,
    *,
    num_items: int = 10,
    eps: float = 0.1,
    delta: float = 0.1,
    r: int | None = 300,
    c: int | None = 300,
    samples: MeanSamples | None = None,
    model: LowRankApproximation | None = None,
    seed: int | np.random.Generator | None = None,
) -> Recommendation:
    r"""Sample ``num_items`` items for ``user`` from a rank-``rank`` approximation (Tang).

    Args:
        A: the ``users × items`` preference matrix (:class:`SQMatrix` or numpy/scipy).
        user: row index.
        rank: rank ``k`` of the approximation.
        num_items: items to sample.
        eps: accuracy of the :math:`\lambda_l` (units of :math:`\|A_u\|`) and of the sketch.
        delta: failure probability in ``(0, 1)``.
        r: sketch rows (``None``: derived from ``eps``, ``delta`` and ``rank``).
        c: sketch columns.
        samples: override the median-of-means layout for :math:`\lambda`.
        model: a :class:`LowRankApproximation` to reuse (skips the sketch).
        seed: int or ``numpy.random.Generator``.

    Returns:
        A :class:`Recommendation`.

    Raises:
        ValueError: for a user out of range or with no ratings, ``eps <= 0`` or ``delta``
            outside ``(0, 1)``.

    Example:
        >>> rng = np.random.default_rng(0)
        >>> A = np.abs(rng.normal(size=(1000, 2)) @ rng.normal(size=(2, 30)))
        >>> rec = recommend(A, user=3, rank=2, num_items=100, r=100, c=100, seed=1)
        >>> V2 = np.linalg.svd(A, full_matrices=False)[2][:2]
        >>> exact = A[3] @ V2.T @ V2
        >>> bool(np.argmax(np.abs(exact)) in rec.top(5))
        True
    """
    eps, delta = check_eps_delta(eps, delta)
    As = as_sqmatrix(A)
    user = check_positive_int(user, "user", minimum=0)
    if user >= As.shape[0]:
        raise ValueError(f"user must be in [0, {As.shape[0]}), got {user}")
    if As.row_norm(user) <= 0:
        raise ValueError(f"user {user} has no ratings (a zero row): nothing to recommend from")
    num_items = check_positive_int(num_items, "num_items")
    if model is None:
        rank = check_positive_int(rank, "rank")
    rng = as_generator(seed)
    if model is None:
        model = low_rank_approximation(As, rank, eps, delta, r=r, c=c, seed=rng)
    counts = samples or median_of_means_counts(eps, delta)
    lam = user_weights(model, user, counts, rng)
    vec = model.sketch.row_combination(model.coefficients @ lam)
    items = vec.sample(num_items, seed=rng)
    return Recommendation(user, np.asarray(items), vec, lam, model, vec.stats.proposals)
