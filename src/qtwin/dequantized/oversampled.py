r"""Oversampled (:math:`\phi`-) access by rejection sampling, and SQ access to combinations.

:math:`\mathrm{SQ}_\phi(v)`: query access to :math:`v` plus SQ access to a dominating
vector :math:`\tilde v` with :math:`|\tilde v_i| \ge |v_i|` and
:math:`\|\tilde v\|^2 = \phi\|v\|^2`. Rejection sampling turns it into exact samples of
:math:`v`: propose :math:`i \sim |\tilde v_i|^2/\|\tilde v\|^2` and accept with probability
:math:`|v_i|^2/|\tilde v_i|^2`; a proposal is accepted with probability :math:`1/\phi`, so
about :math:`\phi` proposals are needed per sample, and the acceptance rate estimates
:math:`\|v\|^2 = \|\tilde v\|^2 \cdot \Pr[\text{accept}]`.

A linear combination :math:`v = \sum_{t=1}^{K} w_t V_t` of SQ vectors (or rows of an
:class:`~qtwin.dequantized.matrix.SQMatrix`) has such access with
:math:`|\tilde v_i|^2 = K\sum_t |w_t V_{ti}|^2 \ge |v_i|^2` (Cauchy–Schwarz): pick a term
:math:`t \propto |w_t|^2\|V_t\|^2`, draw :math:`i` from :math:`V_t`, and accept with
probability :math:`|v_i|^2 / (K\sum_t |w_t V_{ti}|^2)`; here
:math:`\phi = K\sum_t\|w_tV_t\|^2/\|v\|^2` (Tang, Prop. 4.3; CGLLTW Lemma 3.5). Extra
vectors added to a combination of matrix rows (the :math:`f(0)b` term of an SVT) form
their own groups, so the factor :math:`K` applies to the rows block only:
:math:`|\tilde v_i|^2 = G(K\sum_t|w_tV_{ti}|^2 + \sum_e|c_eb_{ei}|^2)` with ``G`` groups.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from qtwin._validation import as_generator, check_finite, check_positive_int
from qtwin.dequantized.matrix import SQMatrix
from qtwin.dequantized.vector import SQVector

__all__ = ["RejectionStats", "OversampledVector", "LinearCombination", "rejection_sample"]


@dataclass
class RejectionStats:
    """Bookkeeping of the rejection sampler: proposals made and accepted so far."""

    proposals: int = 0
    accepted: int = 0

    @property
    def acceptance(self) -> float:
        """Accepted / proposed (``nan`` before any proposal)."""
        return self.accepted / self.proposals if self.proposals else float("nan")


def rejection_sample(
    propose: Callable[[int, np.random.Generator], np.ndarray],
    accept_prob: Callable[[np.ndarray], np.ndarray],
    size: int,
    rng: np.random.Generator,
    stats: RejectionStats,
    max_proposals: int,
) -> np.ndarray:
    """Vectorised rejection sampling: batches of proposals until ``size`` are accepted.

    Raises:
        RuntimeError: after ``max_proposals`` proposals without ``size`` acceptances.
    """
    out: list[np.ndarray] = []
    have, batch = 0, max(16, size)
    while have < size:
        if stats.proposals >= max_proposals:
            raise RuntimeError(
                f"rejection sampling accepted {have} of {size} samples in {stats.proposals} "
                f"proposals (acceptance {stats.acceptance:.2g}); raise max_proposals or "
                "check that the vector is not (nearly) zero"
            )
        idx = propose(batch, rng)
        keep = rng.random(len(idx)) < np.clip(accept_prob(idx), 0.0, 1.0)
        hits = np.flatnonzero(keep)
        if len(hits) > size - have:  # stop at the last needed acceptance (sequential count)
            stop = hits[size - have - 1] + 1
            idx, keep = idx[:stop], keep[:stop]
        stats.proposals += len(idx)
        stats.accepted += int(keep.sum())
        out.append(idx[keep])
        have += int(keep.sum())
        rate = max(stats.acceptance, 1e-3)
        batch = int(min(max(16, 1.2 * (size - have) / rate), 1 << 20))
    return np.concatenate(out)[:size]


class OversampledVector:
    r""":math:`\mathrm{SQ}_\phi(v)`: query access to ``v``, SQ access to a dominating ``proposal``.

    Args:
        query: ``query(idx) -> v[idx]`` for an integer array ``idx``.
        proposal: an :class:`SQVector` (or any object with ``sample``, ``query`` and
            ``norm``) with :math:`|\tilde v_i| \ge |v_i|` for every ``i``.
        max_proposals: give up after this many proposals per :meth:`sample` call.

    Example:
        >>> import numpy as np
        >>> v = np.array([1.0, -2.0, 0.0, 2.0])
        >>> ov = OversampledVector(lambda i: v[i], SQVector(np.abs(v) + 1.0))
        >>> s = ov.sample(2000, seed=0)
        >>> bool(2 not in s), round(float(np.mean(s == 0)), 1)
        (True, 0.1)
    """

    def __init__(
        self,
        query: Callable[[np.ndarray], np.ndarray],
        proposal: Any,
        *,
        max_proposals: int = 10_000_000,
    ) -> None:
        self._query = query
        self.proposal = proposal
        self.max_proposals = check_positive_int(max_proposals, "max_proposals")
        self.stats = RejectionStats()

    def __len__(self) -> int:
        return len(self.proposal)

    def query(self, index: ArrayLike) -> np.ndarray:
        """Entries ``v[index]``."""
        return np.asarray(self._query(np.asarray(index, dtype=np.int64)))

    def sample(
        self, size: int | None = None, *, seed: int | np.random.Generator | None = None
    ) -> Any:
        r"""Exact samples :math:`i \sim |v_i|^2/\|v\|^2` by rejection (:math:`\phi` tries each)."""
        rng = as_generator(seed)
        count = 1 if size is None else check_positive_int(size, "size")

        def accept(idx: np.ndarray) -> np.ndarray:
            num = np.abs(self.query(idx)) ** 2
            den = np.abs(np.asarray(self.proposal.query(idx))) ** 2
            return np.divide(num, den, out=np.zeros_like(num, dtype=float), where=den > 0)

        start = self.stats.proposals
        out = rejection_sample(
            lambda k, g: np.asarray(self.proposal.sample(k, seed=g)),
            accept,
            count,
            rng,
            self.stats,
            start + self.max_proposals,
        )
        return int(out[0]) if size is None else out

    def norm_estimate(self) -> float:
        r""":math:`\|\tilde v\|\sqrt{\Pr[\text{accept}]}` from the proposals made so far."""
        return float(self.proposal.norm() * np.sqrt(self.stats.acceptance))


class LinearCombination:
    r"""SQ access to :math:`v = \sum_t w_t V_t` by rejection sampling (see module docstring).

    The terms are rows of one :class:`SQMatrix` (``rows``, ``row_coeffs``; conjugated
    rows when ``conjugate``) and/or a few extra :class:`SQVector` terms
    (``vectors``, ``vector_coeffs``). A query costs :math:`O(K)` entry queries; a sample
    costs :math:`O(K)` queries times :math:`\phi` expected proposals, with
    :math:`\phi = K\sum_t |w_t|^2\|V_t\|^2 / \|v\|^2` (see :meth:`phi_bound`).

    Args:
        matrix: the matrix whose rows are terms (``None`` for vectors only).
        rows: row indices of ``matrix`` (repeats allowed).
        row_coeffs: one coefficient per row.
        vectors: extra SQ vectors.
        vector_coeffs: one coefficient per extra vector.
        conjugate: use :math:`\overline{A_{i,\cdot}}` instead of :math:`A_{i,\cdot}`
            (for :math:`A^\dagger u`).
        max_proposals: give up after this many proposals per :meth:`sample` call.

    Raises:
        ValueError: for mismatched lengths or dimensions, or no terms at all.

    Example:
        >>> import numpy as np
        >>> A = SQMatrix(np.array([[1.0, 0.0, 1.0], [0.0, 2.0, 0.0]]))
        >>> v = LinearCombination(A, rows=[0, 1], row_coeffs=[2.0, -1.0])
        >>> v.query(np.arange(3)).tolist()
        [2.0, -2.0, 2.0]
        >>> np.bincount(v.sample(3000, seed=0), minlength=3).round(-2).tolist()
        [1000, 1000, 1000]
    """

    def __init__(
        self,
        matrix: SQMatrix | None = None,
        rows: ArrayLike = (),
        row_coeffs: ArrayLike = (),
        *,
        vectors: Sequence[SQVector] = (),
        vector_coeffs: ArrayLike = (),
        conjugate: bool = False,
        max_proposals: int = 10_000_000,
    ) -> None:
        self.matrix = matrix
        self.rows = np.asarray(rows, dtype=np.int64).ravel()
        self.row_coeffs = np.asarray(row_coeffs).ravel()
        self.vectors = list(vectors)
        self.vector_coeffs = np.asarray(vector_coeffs).ravel()
        self.conjugate = bool(conjugate)
        if len(self.rows) != len(self.row_coeffs):
            raise ValueError(
                f"rows and row_coeffs must have the same length, got {len(self.rows)} and "
                f"{len(self.row_coeffs)}"
            )
        if len(self.vectors) != len(self.vector_coeffs):
            raise ValueError("vectors and vector_coeffs must have the same length")
        if len(self.rows) and matrix is None:
            raise ValueError("rows were given but matrix is None")
        if len(self.rows) == 0 and not self.vectors:
            raise ValueError("a linear combination needs at least one term")
        check_finite(self.row_coeffs, "row_coeffs")
        check_finite(self.vector_coeffs, "vector_coeffs")
        dims = {len(v) for v in self.vectors}
        if matrix is not None and len(self.rows):
            dims.add(matrix.shape[1])
            if self.rows.min() < 0 or self.rows.max() >= matrix.shape[0]:
                raise ValueError(f"rows must be in [0, {matrix.shape[0]})")
        if len(dims) != 1:
            raise ValueError(f"all terms must have the same dimension, got {sorted(dims)}")
        self._n = dims.pop()
        self.max_proposals = check_positive_int(max_proposals, "max_proposals")
        self.stats = RejectionStats()
        row_w = (
            np.abs(self.row_coeffs) ** 2 * np.asarray(matrix.row_norm(self.rows)) ** 2
            if len(self.rows)
            else np.zeros(0)
        )
        vec_w = np.array(
            [
                abs(c) ** 2 * v.norm() ** 2
                for c, v in zip(self.vector_coeffs, self.vectors, strict=True)
            ]
        )
        self._row_w = row_w.astype(float)
        self._vec_w = vec_w.astype(float).reshape(-1)
        self._k_rows = int(np.count_nonzero(self._row_w))
        self._groups = int(self._k_rows > 0) + int(np.count_nonzero(self._vec_w))
        # proposal: a group (the rows block, or one extra vector), then a term, then an index
        self._group_w = np.concatenate([[self._k_rows * self._row_w.sum()], self._vec_w])

    def __len__(self) -> int:
        return self._n

    def _terms(self, idx: np.ndarray) -> np.ndarray:
        """``(K, len(idx))`` array of :math:`w_t V_{t,idx}`."""
        parts = []
        if len(self.rows):
            block = np.asarray(self.matrix.query(self.rows[:, None], idx[None, :]))
            if self.conjugate:
                block = block.conj()
            parts.append(self.row_coeffs[:, None] * block)
        for c, v in zip(self.vector_coeffs, self.vectors, strict=True):
            parts.append(c * np.asarray(v.query(idx))[None, :])
        return np.concatenate(parts, axis=0)

    def query(self, index: ArrayLike) -> np.ndarray:
        r"""Entries :math:`v_i = \sum_t w_t V_{ti}`, :math:`O(K)` queries each."""
        idx = np.asarray(index, dtype=np.int64)
        flat = idx.ravel()
        if flat.size and (flat.min() < 0 or flat.max() >= self._n):
            raise ValueError(f"index must be in [0, {self._n})")
        return self._terms(flat).sum(axis=0).reshape(idx.shape)

    def to_numpy(self) -> np.ndarray:
        """All entries (``O(Kn)``; for tests and small vectors)."""
        return self.query(np.arange(self._n))

    def phi_bound(self) -> float:
        r"""The dominating norm squared (equals :math:`\phi\|v\|^2`),

        :math:`\|\tilde v\|^2 = G(K\sum_t|w_t|^2\|V_t\|^2 + \sum_e|c_e|^2\|b_e\|^2)`.

        ``K`` counts the matrix rows, ``G`` the groups (the rows block and each extra
        vector); it equals :math:`\phi\|v\|^2`.
        """
        return float(self._groups * self._group_w.sum())

    def _propose(self, k: int, rng: np.random.Generator) -> np.ndarray:
        pg = self._group_w / self._group_w.sum()
        groups = rng.choice(len(pg), size=k, p=pg)
        out = np.empty(k, dtype=np.int64)
        in_rows = groups == 0
        nr = int(in_rows.sum())
        if nr:
            pt = self._row_w / self._row_w.sum()
            terms = rng.choice(len(pt), size=nr, p=pt)
            out[in_rows] = self.matrix.sample_in_rows(self.rows[terms], seed=rng)
        for g in np.unique(groups[~in_rows]):
            sel = groups == g
            out[sel] = self.vectors[g - 1].sample(int(sel.sum()), seed=rng)
        return out

    def _accept(self, idx: np.ndarray) -> np.ndarray:
        terms = self._terms(idx)
        num = np.abs(terms.sum(axis=0)) ** 2
        sq = np.abs(terms) ** 2
        nrow = len(self.rows)
        den = self._groups * (self._k_rows * sq[:nrow].sum(axis=0) + sq[nrow:].sum(axis=0))
        return np.divide(num, den, out=np.zeros_like(num), where=den > 0)

    def sample(
        self, size: int | None = None, *, seed: int | np.random.Generator | None = None
    ) -> Any:
        r"""Exact samples :math:`i \sim |v_i|^2/\|v\|^2` (expected :math:`\phi` proposals each).

        Raises:
            RuntimeError: when ``max_proposals`` proposals do not give enough samples
                (the terms nearly cancel).
        """
        rng = as_generator(seed)
        count = 1 if size is None else check_positive_int(size, "size")
        if self._group_w.sum() <= 0:
            raise ValueError("cannot sample from a combination whose terms are all zero")
        out = rejection_sample(
            self._propose,
            self._accept,
            count,
            rng,
            self.stats,
            self.stats.proposals + self.max_proposals,
        )
        return int(out[0]) if size is None else out

    def norm_estimate(
        self, proposals: int = 0, *, seed: int | np.random.Generator | None = None
    ) -> float:
        r""":math:`\|v\|` estimated as :math:`\sqrt{K\sum_t\|w_tV_t\|^2\cdot\Pr[\text{accept}]}`.

        Uses the proposals made so far plus ``proposals`` new ones.
        """
        rng = as_generator(seed)
        if proposals:
            idx = self._propose(check_positive_int(proposals, "proposals"), rng)
            self.stats.proposals += len(idx)
            self.stats.accepted += int(np.sum(rng.random(len(idx)) < self._accept(idx)))
        if not self.stats.proposals:
            raise ValueError("no proposals yet: pass proposals > 0")
        return float(np.sqrt(self.phi_bound() * self.stats.acceptance))
