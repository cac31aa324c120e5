r"""Sampling and query access to a matrix stored as row shards: :class:`ShardedSQMatrix`.

The matrix :math:`A = [A_0; A_1; \dots; A_{K-1}]` is the row-wise stack of ``K`` ``.npy``
files, each opened memory-mapped as an :class:`~qtwin.dequantized.SQMatrix` (its per-row
trees and row-norm tree built in one streaming pass). The shard trees are built and kept
*where the work runs*: on the Dask workers with ``cluster=`` (tasks that open the file
there, kept as persisted results, rebuilt from the file if a worker dies), in this process
otherwise. The client holds only a top-level tree (:class:`~qtwin.dequantized.SQVector`)
of the shard norms :math:`\|A_k\|_F`, so :math:`\|A\|_F` is its root.

Drawing ``r`` rows :math:`i \sim \|A_{i,\cdot}\|^2/\|A\|_F^2` is one multinomial over the
shards, :math:`(r_0, \dots, r_{K-1}) \sim \mathrm{Mult}(r; \|A_k\|_F^2/\|A\|_F^2)`, then one
round trip in which shard ``k`` draws ``r_k`` rows from its own tree, and a uniform
shuffle. Each shard's draw uses the :class:`numpy.random.SeedSequence` of (root drawn from
``seed``, shard index), so a seed gives the same rows on any number of workers and in
process. Updates go to the one shard that holds the entry and refresh its tree and the
top-level entry only.

Example:
    >>> import numpy as np, tempfile, os
    >>> d = tempfile.mkdtemp()
    >>> np.save(f"{d}/a.npy", [[3.0, 4.0], [0.0, 0.0]]); np.save(f"{d}/b.npy", [[0.0, 12.0]])
    >>> A = ShardedSQMatrix([f"{d}/a.npy", f"{d}/b.npy"], cluster="local")
    >>> A.shape, A.frobenius_norm(), A.shard_norms().tolist()
    ((3, 2), 13.0, [5.0, 12.0])
    >>> sorted(set(A.sample_rows(200, seed=1).tolist()))
    [0, 2]
    >>> A.query([0, 2], [1, 1]).tolist()
    [4.0, 12.0]
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from qtwin._validation import as_generator, check_finite, check_positive_int
from qtwin.dequantized.matrix import SQMatrix
from qtwin.dequantized.vector import SQVector
from qtwin.distributed import (
    ClusterSpec,
    close_client,
    get_client,
    map_units,
    parse_spec,
    persist_units,
)

__all__ = ["ShardedSQMatrix"]


def _open_shard(item: tuple[str, str | None, int, bool]) -> SQMatrix:
    path, tree_path, chunk_rows, writable = item
    return SQMatrix.from_npy(path, tree_path=tree_path, chunk_rows=chunk_rows, writable=writable)


def _shard_stats(shard: SQMatrix, seed: object = None) -> tuple[int, int, float, str]:
    m, n = shard.shape
    return m, n, float(shard.frobenius_norm()) ** 2, shard.dtype.str


def _sample_rows_unit(item: tuple[SQMatrix, int], seed: np.random.SeedSequence) -> np.ndarray:
    shard, count = item
    return np.asarray(shard.sample_rows(count, seed=np.random.default_rng(seed)), dtype=np.int64)


def _sample_in_rows_unit(
    item: tuple[SQMatrix, np.ndarray], seed: np.random.SeedSequence
) -> np.ndarray:
    shard, rows = item
    return shard.sample_in_rows(rows, seed=np.random.default_rng(seed))


def _query_unit(item: tuple[SQMatrix, np.ndarray, np.ndarray], seed: object = None) -> np.ndarray:
    shard, rows, cols = item
    return np.asarray(shard.query(rows, cols)).reshape(-1)


def _rows_unit(item: tuple[SQMatrix, np.ndarray], seed: object = None) -> np.ndarray:
    shard, rows = item
    return shard.rows(rows)


def _row_norms_unit(item: tuple[SQMatrix, np.ndarray], seed: object = None) -> np.ndarray:
    shard, rows = item
    return np.atleast_1d(shard.row_norm(rows))


def _update_unit(item: tuple[SQMatrix, int, int, Any], seed: object = None) -> float:
    shard, i, j, value = item
    shard.update(i, j, value)
    return float(shard.frobenius_norm()) ** 2


class ShardedSQMatrix:
    r"""ℓ²-norm sampling access to the row stack of ``.npy`` shards, on a cluster or here.

    Args:
        paths: the shard files in row order, each a 2-D array with the same number of
            columns (on a cluster the workers open the same paths: shared storage).
        cluster: ``None``/``"local"``: trees in this process; a spec or client
            (:mod:`qtwin.distributed`): one tree-building task per shard on the workers,
            results kept there. A cluster started from a spec belongs to this object
            (:meth:`close`, or use it as a context manager).
        tree_dir: directory for the per-row trees as memory-mapped files
            (``<shard name>.tree.npy``); in memory when omitted.
        chunk_rows: rows per streaming step while building a tree.
        writable: open the shards read-write so that :meth:`update` works (and persists:
            a shard rebuilt after a worker loss reads the updated file).

    Raises:
        ValueError: no paths, or shards whose column counts or dtypes differ.
    """

    def __init__(
        self,
        paths: Sequence[str | os.PathLike[str]],
        *,
        cluster: ClusterSpec = None,
        tree_dir: str | os.PathLike[str] | None = None,
        chunk_rows: int = 1 << 16,
        writable: bool = False,
    ) -> None:
        if isinstance(paths, (str, os.PathLike)) or len(paths) == 0:
            raise ValueError("paths must be a non-empty sequence of .npy files")
        chunk_rows = check_positive_int(chunk_rows, "chunk_rows")
        self._paths = [os.fspath(p) for p in paths]
        kind, _ = parse_spec(cluster)
        self._client = get_client(cluster)
        self._owns_client = kind in ("dask", "address")
        trees: list[str | None] = [None] * len(self._paths)
        if tree_dir is not None:
            trees = [
                os.path.join(os.fspath(tree_dir), os.path.basename(p) + f".{k}.tree.npy")
                for k, p in enumerate(self._paths)
            ]
        items = [(p, t, chunk_rows, writable) for p, t in zip(self._paths, trees, strict=True)]
        try:
            self._shards = persist_units(_open_shard, items, client=self._client, key="sq-shard")
            stats = self._map(_shard_stats, self._shards, key="sq-stats")
        except BaseException:
            self.close()
            raise
        cols = {s[1] for s in stats}
        dtypes = {s[3] for s in stats}
        if len(cols) != 1 or len(dtypes) != 1:
            self.close()
            raise ValueError(
                f"shards must share their number of columns and dtype, got columns {sorted(cols)}"
                f" and dtypes {sorted(dtypes)}"
            )
        self._rows = np.array([s[0] for s in stats], dtype=np.int64)
        self._offsets = np.concatenate([[0], np.cumsum(self._rows)])
        self._shape = (int(self._offsets[-1]), int(stats[0][1]))
        self._dtype = np.dtype(stats[0][3])
        self._top = SQVector(np.sqrt([s[2] for s in stats]))

    # ------------------------------------------------------------------ plumbing
    def _map(self, fn: Any, items: list[Any], *, key: str, seed: Any = 0) -> list[Any]:
        return map_units(fn, items, cluster=self._client, key=key, seed=seed, progress=False)

    def close(self) -> None:
        """Release the shards (and the cluster, when this object started it)."""
        self._shards = []
        if self._owns_client:
            close_client(self._client)
            self._owns_client = False
        self._client = None

    def __enter__(self) -> ShardedSQMatrix:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _locate(self, i: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        m = self._shape[0]
        if i.size and (i.min() < 0 or i.max() >= m):
            raise ValueError(f"row indices must be in [0, {m}), got min {i.min()}, max {i.max()}")
        k = np.searchsorted(self._offsets, i, side="right") - 1
        return k, i - self._offsets[k]

    # ------------------------------------------------------------------ queries
    @property
    def shape(self) -> tuple[int, int]:
        """``(m, n)``: total rows of all shards, columns."""
        return self._shape

    @property
    def dtype(self) -> np.dtype:
        """The entries' dtype."""
        return self._dtype

    @property
    def num_shards(self) -> int:
        """Number of shards ``K``."""
        return len(self._rows)

    @property
    def shard_offsets(self) -> np.ndarray:
        """First global row of every shard, and the total row count (``K + 1`` entries)."""
        return self._offsets.copy()

    def shard_norms(self) -> np.ndarray:
        r""":math:`\|A_k\|_F` of every shard (the leaves of the top-level tree)."""
        return np.abs(self._top.to_numpy())

    def frobenius_norm(self) -> float:
        r""":math:`\|A\|_F`, the root of the top-level tree."""
        return self._top.norm()

    def _by_shard(self, fn: Any, i: np.ndarray, extra: list[np.ndarray], key: str, seed: Any):
        """Group global rows by shard, one unit per shard touched, results in input order."""
        k, local = self._locate(i)
        touched = np.unique(k)
        items = [(self._shards[s], local[k == s], *(e[k == s] for e in extra)) for s in touched]
        outs = self._map(fn, items, key=key, seed=seed) if items else []
        if not outs:
            return np.empty((0,)), k
        first = np.asarray(outs[0])
        out = np.empty((len(i), *first.shape[1:]), dtype=first.dtype)
        for s, res in zip(touched, outs, strict=True):
            out[k == s] = res
        return out, k

    def query(self, i: ArrayLike, j: ArrayLike) -> Any:
        """Entries :math:`A_{ij}` (broadcast over integer arrays); one unit per shard touched."""
        ii, jj = np.broadcast_arrays(np.asarray(i, dtype=np.int64), np.asarray(j, dtype=np.int64))
        n = self._shape[1]
        if jj.size and (jj.min() < 0 or jj.max() >= n):
            raise ValueError(f"column indices must be in [0, {n}), got {j!r}")
        out, _ = self._by_shard(_query_unit, ii.ravel(), [jj.ravel()], "sq-query", 0)
        out = out.astype(self._dtype, copy=False).reshape(ii.shape)
        return out.item() if out.ndim == 0 else out

    def rows(self, idx: ArrayLike) -> np.ndarray:
        """Rows ``idx`` as a dense ``(len(idx), n)`` array."""
        idx = np.asarray(idx, dtype=np.int64).ravel()
        if idx.size == 0:
            return np.empty((0, self._shape[1]), dtype=self._dtype)
        return self._by_shard(_rows_unit, idx, [], "sq-rows", 0)[0]

    def row_norm(self, i: ArrayLike) -> Any:
        r"""Row norms :math:`\|A_{i,\cdot}\|` (an int or an integer array)."""
        ii = np.asarray(i, dtype=np.int64)
        out, _ = self._by_shard(_row_norms_unit, ii.ravel(), [], "sq-row-norms", 0)
        out = out.astype(np.float64).reshape(ii.shape)
        return float(out) if out.ndim == 0 else out

    # ------------------------------------------------------------------ sampling
    def sample_rows(
        self, size: int | None = None, *, seed: int | np.random.Generator | None = None
    ) -> Any:
        r"""Rows drawn i.i.d. with :math:`p_i = \|A_{i,\cdot}\|^2/\|A\|_F^2`.

        One multinomial over the shard norms, one round trip to the shards that drew at
        least one row, one shuffle.

        Raises:
            ValueError: if the matrix is zero.
        """
        rng = as_generator(seed)
        count = 1 if size is None else check_positive_int(size, "size")
        if self.frobenius_norm() <= 0:
            raise ValueError("cannot sample rows of the zero matrix")
        p = self._top.probabilities()
        counts = rng.multinomial(count, p / p.sum())
        root = int(rng.integers(0, 2**63 - 1))
        touched = np.flatnonzero(counts)
        items = [(self._shards[k], int(counts[k])) for k in touched]
        keys = [int(k) for k in touched]
        parts = map_units(
            _sample_rows_unit,
            items,
            cluster=self._client,
            seed=root,
            key="sq-sample-rows",
            unit_keys=keys,
            progress=False,
        )
        idx = np.concatenate(
            [part + self._offsets[k] for k, part in zip(touched, parts, strict=True)]
        )
        idx = idx[rng.permutation(count)]
        return int(idx[0]) if size is None else idx

    def sample_in_rows(
        self, rows: ArrayLike, *, seed: int | np.random.Generator | None = None
    ) -> np.ndarray:
        r"""One column per entry of ``rows``, :math:`j \sim |A_{ij}|^2/\|A_{i,\cdot}\|^2`."""
        rng = as_generator(seed)
        rows = np.asarray(rows, dtype=np.int64).ravel()
        if rows.size == 0:
            return np.empty(0, dtype=np.int64)
        root = int(rng.integers(0, 2**63 - 1))
        out, _ = self._by_shard(_sample_in_rows_unit, rows, [], "sq-sample-in-rows", root)
        return out.astype(np.int64)

    # rows by norm, then an entry within each: the algorithm of SQMatrix, on these methods
    sample_entries = SQMatrix.sample_entries

    def update(self, i: int, j: int, value: complex) -> None:
        r"""Set :math:`A_{ij}`: the shard holding row ``i`` refreshes its :math:`O(\log mn)`
        tree nodes, the client its top-level entry; no other shard is touched.

        Needs ``writable=True`` (the shards are read-only memory maps otherwise).
        """
        m, n = self._shape
        i = check_positive_int(i, "i", minimum=0)
        j = check_positive_int(j, "j", minimum=0)
        if i >= m or j >= n:
            raise ValueError(f"(i, j) must be in [0, {m}) x [0, {n}), got ({i}, {j})")
        check_finite(value, "value")
        k, local = self._locate(np.array([i]))
        (fro2,) = self._map(
            _update_unit, [(self._shards[int(k[0])], int(local[0]), j, value)], key="sq-update"
        )
        self._top.update(int(k[0]), float(np.sqrt(fro2)))

    def __repr__(self) -> str:
        where = "local" if self._client is None else "dask"
        return (
            f"ShardedSQMatrix(shape={self._shape}, shards={self.num_shards}, {where}, "
            f"fro={self.frobenius_norm():.6g})"
        )
