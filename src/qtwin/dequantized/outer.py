r"""SQ access to an outer product :math:`M = u v^\dagger` from SQ(u) and SQ(v).

Row :math:`i` of :math:`M` is :math:`u_i v^\dagger`, so its norm is :math:`|u_i|\,\|v\|`, the
row norms are proportional to :math:`|u_i|` (sample a row from SQ(u)), and within any row a
column is drawn from SQ(v); :math:`\|M\|_F = \|u\|\|v\|`. Every operation costs one sample or
query of ``u`` or ``v``: the product is never formed.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from qtwin._validation import as_generator, check_positive_int
from qtwin.dequantized.types import VectorLike
from qtwin.dequantized.vector import SQVector

__all__ = ["OuterProduct"]


class OuterProduct:
    r"""The ``len(u) × len(v)`` matrix :math:`uv^\dagger` with SQ access (never formed).

    Args:
        u: an :class:`SQVector` or array (rows).
        v: an :class:`SQVector` or array (columns).

    Example:
        >>> M = OuterProduct([3.0, 4.0], [1.0, 0.0, 1.0])
        >>> M.shape, round(M.frobenius_norm(), 6), M.query(1, 2)
        ((2, 3), 7.071068, 4.0)
        >>> sorted(set(M.sample_in_rows([0] * 50, seed=0).tolist()))
        [0, 2]
    """

    def __init__(self, u: VectorLike, v: VectorLike) -> None:
        self.u = u if isinstance(u, SQVector) else SQVector(u)
        self.v = v if isinstance(v, SQVector) else SQVector(v)

    @property
    def shape(self) -> tuple[int, int]:
        """``(len(u), len(v))``."""
        return (len(self.u), len(self.v))

    def frobenius_norm(self) -> float:
        r""":math:`\|u\|\|v\|`."""
        return self.u.norm() * self.v.norm()

    def row_norm(self, i: ArrayLike) -> Any:
        r""":math:`|u_i|\,\|v\|`."""
        out = np.abs(np.asarray(self.u.query(np.asarray(i)))) * self.v.norm()
        return float(out) if np.ndim(out) == 0 else out

    def query(self, i: ArrayLike, j: ArrayLike) -> Any:
        r"""Entries :math:`u_i\overline{v_j}`."""
        ii, jj = np.broadcast_arrays(np.asarray(i), np.asarray(j))
        out = np.asarray(self.u.query(ii)) * np.conj(np.asarray(self.v.query(jj)))
        return out.item() if out.ndim == 0 else out

    def sample_rows(
        self, size: int | None = None, *, seed: int | np.random.Generator | None = None
    ) -> Any:
        r"""Rows :math:`i \sim |u_i|^2/\|u\|^2` (the squared row norms of :math:`uv^\dagger`)."""
        return self.u.sample(size, seed=seed)

    def sample_in_rows(
        self, rows: ArrayLike, *, seed: int | np.random.Generator | None = None
    ) -> np.ndarray:
        r"""One column per row, :math:`j \sim |v_j|^2/\|v\|^2` (the same in every row)."""
        rows = np.asarray(rows).ravel()
        if rows.size == 0:
            return np.zeros(0, dtype=np.int64)
        return np.asarray(
            self.v.sample(check_positive_int(rows.size, "rows"), seed=as_generator(seed))
        )
