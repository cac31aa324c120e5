r"""Sampling and query access to a matrix: :class:`SQMatrix`.

:math:`\mathrm{SQ}(A)` for :math:`A \in \mathbb{C}^{m\times n}` is :math:`\mathrm{SQ}(A_{i,\cdot})`
for every row plus :math:`\mathrm{SQ}(a)` for the vector of row norms
:math:`a_i = \|A_{i,\cdot}\|`. Drawing a row :math:`i \sim a_i^2/\|A\|_F^2` and then a column
:math:`j \sim |A_{ij}|^2/a_i^2` draws an entry with probability :math:`|A_{ij}|^2/\|A\|_F^2`.

Storage (Kerenidis–Prakash): a dense (or memory-mapped) matrix keeps one binary tree per
row, as the rows of an ``(m, P)`` array, plus a tree over the squared row norms; a CSR
matrix keeps one tree over its ``nnz`` stored entries, and row ``i`` is sampled by a target
drawn inside that row's prefix-sum range. Every sample and every update costs
:math:`O(\log(mn))`; nothing scales with the dimensions beyond that logarithm.
"""

from __future__ import annotations

import os
from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from qtwin._validation import as_generator, check_finite, check_positive_int
from qtwin.dequantized import _heap
from qtwin.dequantized.vector import SQVector

__all__ = ["SQMatrix", "as_sqmatrix"]


def _float_dtype(dtype: np.dtype) -> np.dtype:
    return np.dtype(np.complex128 if dtype.kind == "c" else np.float64)


class SQMatrix:
    r"""A matrix with ℓ²-norm sampling access to its rows and to its row norms.

    Build it from a numpy array or a ``scipy.sparse`` matrix (converted to CSR); use
    :meth:`from_npy` for a memory-mapped ``.npy`` file larger than memory.

    Args:
        matrix: a 2-D numpy array or scipy sparse matrix (real or complex).
        copy: copy a numpy input (default); ``False`` keeps a reference that
            :meth:`update` writes into.

    Raises:
        ValueError: for an empty matrix, a non-2-D input or NaN/inf entries.
        TypeError: for a non-numeric input.

    Example:
        >>> A = SQMatrix([[3.0, 4.0], [0.0, 0.0], [0.0, 12.0]])
        >>> A.shape, A.frobenius_norm(), A.row_norm(0)
        ((3, 2), 13.0, 5.0)
        >>> rows = A.sample_rows(200, seed=1); sorted(set(rows.tolist()))
        [0, 2]
        >>> A.sample_in_rows([2, 2], seed=0).tolist()
        [1, 1]
    """

    def __init__(self, matrix: Any, *, copy: bool = True) -> None:
        try:
            import scipy.sparse as sp
        except ImportError:  # pragma: no cover - scipy is a core dependency
            sp = None
        if sp is not None and sp.issparse(matrix):
            csr = sp.csr_matrix(matrix, copy=copy)
            if csr.dtype.kind not in "biufc":
                raise TypeError(f"matrix must be numeric, got dtype {csr.dtype}")
            if 0 in csr.shape:
                raise ValueError(f"matrix must not be empty, got shape {csr.shape}")
            check_finite(csr.data, "matrix")
            csr = csr.astype(_float_dtype(csr.dtype))
            csr.sum_duplicates()
            csr.sort_indices()
            self._init_sparse(csr)
            return
        try:
            arr = np.asarray(matrix)
        except Exception:  # pragma: no cover
            raise TypeError(f"matrix must be a 2-D numeric array, got {type(matrix)}") from None
        if arr.dtype.kind not in "biufc":
            raise TypeError(f"matrix must be a 2-D numeric array, got dtype {arr.dtype}")
        if arr.ndim != 2:
            raise ValueError(f"matrix must be 2-D, got shape {arr.shape}")
        if arr.size == 0:
            raise ValueError(f"matrix must not be empty, got shape {arr.shape}")
        check_finite(arr, "matrix")
        arr = arr.astype(_float_dtype(arr.dtype), copy=copy)
        self._init_dense(arr, None)

    # ------------------------------------------------------------------ building
    def _init_dense(self, arr: np.ndarray, nodes: np.ndarray | None, chunk: int = 4096) -> None:
        self._kind = "dense"
        self._data = arr
        m, n = arr.shape
        self._shape = (m, n)
        self._size = _heap.tree_size(n)
        if nodes is None:
            nodes = np.zeros((m, self._size), dtype=np.float64)
        for lo in range(0, m, chunk):
            block = np.asarray(arr[lo : lo + chunk])
            check_finite(block, "matrix")
            _heap.build_nodes(np.abs(block) ** 2, self._size, out=nodes[lo : lo + chunk])
        self._nodes = nodes
        self._init_row_tree(np.asarray(nodes[:, 1], dtype=np.float64))

    def _init_sparse(self, csr: Any) -> None:
        self._kind = "sparse"
        self._data = csr
        self._shape = csr.shape
        nnz = max(csr.nnz, 1)
        self._size = _heap.tree_size(nnz)
        self._nodes = _heap.build_nodes(np.abs(csr.data[None, :]) ** 2, self._size)
        row_ids = np.repeat(np.arange(csr.shape[0]), np.diff(csr.indptr))
        row2 = np.bincount(row_ids, weights=np.abs(csr.data) ** 2, minlength=csr.shape[0])
        self._init_row_tree(row2)

    def _init_row_tree(self, row2: np.ndarray) -> None:
        self._row2 = row2
        self._row_jump: _heap.JumpTable | None = None  # built on the first draw
        self._row_size = _heap.tree_size(len(row2))
        self._row_nodes = _heap.build_nodes(row2[None, :], self._row_size)
        if not np.isfinite(self._row_nodes[0, 1]):
            raise ValueError(
                "matrix entries are too large: the squared Frobenius norm overflows float64 "
                "(entries above about 1e154); rescale the matrix"
            )

    @classmethod
    def from_npy(
        cls,
        path: str | os.PathLike[str],
        *,
        tree_path: str | os.PathLike[str] | None = None,
        chunk_rows: int = 1 << 16,
        writable: bool = False,
    ) -> SQMatrix:
        r"""Open a 2-D ``.npy`` file as a memory map; build the trees in one streaming pass.

        The rows are read once, ``chunk_rows`` at a time. The per-row trees (``m × P``
        float64, :math:`P = 2^{\lceil\log_2 n\rceil}`) go to the memory-mapped file
        ``tree_path`` when given, so neither the matrix nor its trees need to fit in
        memory; the row-norm tree (``2m`` floats) is kept in memory.

        Args:
            path: ``.npy`` file with a 2-D real or complex array.
            tree_path: file for the per-row trees (in memory when omitted).
            chunk_rows: rows per streaming step.
            writable: open the data read-write so that :meth:`update` works.

        Raises:
            ValueError: for a file that does not hold a non-empty 2-D numeric array or
                holds NaN/inf.
        """
        data = np.load(path, mmap_mode="r+" if writable else "r")
        if data.ndim != 2 or data.size == 0 or data.dtype.kind not in "biufc":
            raise ValueError(f"path must hold a non-empty 2-D numeric array, got {data.shape}")
        chunk_rows = check_positive_int(chunk_rows, "chunk_rows")
        size = _heap.tree_size(data.shape[1])
        if tree_path is None:
            nodes = np.zeros((data.shape[0], size), dtype=np.float64)
        else:
            nodes = np.lib.format.open_memmap(tree_path, "w+", np.float64, (data.shape[0], size))
        obj = cls.__new__(cls)
        obj._init_dense(data, nodes, chunk=chunk_rows)
        return obj

    # ------------------------------------------------------------------ leaves
    def _leaf_dense(self, rows: np.ndarray, cols: np.ndarray) -> np.ndarray:
        n = self._shape[1]
        vals = np.abs(np.asarray(self._data[rows, np.minimum(cols, n - 1)])) ** 2
        return np.where(cols < n, vals, 0.0).astype(np.float64)

    def _leaf_sparse(self, rows: np.ndarray, cols: np.ndarray) -> np.ndarray:
        data = self._data.data
        nnz = len(data)
        if nnz == 0:
            return np.zeros(len(cols))
        vals = np.abs(data[np.minimum(cols, nnz - 1)]) ** 2
        return np.where(cols < nnz, vals, 0.0)

    def _leaf_rows(self, rows: np.ndarray, cols: np.ndarray) -> np.ndarray:
        m = len(self._row2)
        vals = self._row2[np.minimum(cols, m - 1)]
        return np.where(cols < m, vals, 0.0)

    # ------------------------------------------------------------------ queries
    @property
    def shape(self) -> tuple[int, int]:
        """``(m, n)``."""
        return self._shape

    @property
    def dtype(self) -> np.dtype:
        """The entries' dtype."""
        return self._data.dtype

    @property
    def is_sparse(self) -> bool:
        """Whether the matrix is stored as CSR."""
        return self._kind == "sparse"

    def frobenius_norm(self) -> float:
        r""":math:`\|A\|_F`, the root of the row-norm tree, :math:`O(1)`."""
        return float(np.sqrt(max(self._row_nodes[0, 1], 0.0)))

    def row_norm(self, i: ArrayLike) -> Any:
        r"""Row norms :math:`\|A_{i,\cdot}\|` (an int or an integer array)."""
        out = np.sqrt(self._row2[np.asarray(i)])
        return float(out) if np.ndim(out) == 0 else out

    def row_norms(self) -> np.ndarray:
        """All row norms as an array (``O(m)``)."""
        return np.sqrt(self._row2)

    def query(self, i: ArrayLike, j: ArrayLike) -> Any:
        r"""Entries :math:`A_{ij}` (broadcast over integer arrays ``i``, ``j``).

        Dense: one read; CSR: a binary search in row ``i``'s column indices.
        """
        ii, jj = np.broadcast_arrays(np.asarray(i), np.asarray(j))
        m, n = self._shape
        if ii.size and (ii.min() < 0 or ii.max() >= m or jj.min() < 0 or jj.max() >= n):
            raise ValueError(f"indices must be in [0, {m}) x [0, {n}), got {i!r}, {j!r}")
        if self._kind == "dense":
            out = np.asarray(self._data[ii, jj])
        else:
            out = self._query_sparse(ii.ravel(), jj.ravel()).reshape(ii.shape)
        return out.item() if out.ndim == 0 else out

    def _query_sparse(self, ii: np.ndarray, jj: np.ndarray) -> np.ndarray:
        csr = self._data
        out = np.zeros(len(ii), dtype=csr.dtype)
        for t, (a, b) in enumerate(zip(ii, jj, strict=True)):
            lo, hi = csr.indptr[a], csr.indptr[a + 1]
            k = lo + np.searchsorted(csr.indices[lo:hi], b)
            if k < hi and csr.indices[k] == b:
                out[t] = csr.data[k]
        return out

    def row(self, i: int) -> np.ndarray:
        """Row ``i`` as a dense array (``O(n)``)."""
        if self._kind == "dense":
            return np.array(self._data[i])
        return np.asarray(self._data[i].toarray()).ravel()

    def rows(self, idx: ArrayLike) -> np.ndarray:
        """Rows ``idx`` as a dense ``(len(idx), n)`` array."""
        idx = np.asarray(idx)
        if self._kind == "dense":
            return np.array(self._data[idx])
        return np.asarray(self._data[idx].toarray())

    def to_numpy(self) -> np.ndarray:
        """A dense copy (``O(mn)``; for tests and small matrices)."""
        if self._kind == "dense":
            return np.array(self._data)
        return self._data.toarray()

    def row_vector(self, i: int) -> SQVector:
        """Row ``i`` as an :class:`SQVector` (copies the row: ``O(n)``)."""
        return SQVector(self.row(i))

    # ------------------------------------------------------------------ sampling
    def sample_rows(
        self, size: int | None = None, *, seed: int | np.random.Generator | None = None
    ) -> Any:
        r"""Rows drawn i.i.d. with :math:`p_i = \|A_{i,\cdot}\|^2/\|A\|_F^2`.

        Raises:
            ValueError: if the matrix is zero.
        """
        rng = as_generator(seed)
        count = 1 if size is None else check_positive_int(size, "size")
        total = float(self._row_nodes[0, 1])
        if total <= 0:
            raise ValueError("cannot sample rows of the zero matrix")
        t = rng.random(count) * total
        if self._row_jump is None and self._row_size > 32:
            # running sums five levels above the leaves (at most 2^20 floats: a table that
            # stays in cache; P/32 floats), dropped on update
            depth = min(self._row_size.bit_length() - 6, 20)
            self._row_jump = _heap.jump_table(self._row_nodes, self._row_size, depth)
        idx = _heap.descend(
            self._row_nodes,
            self._leaf_rows,
            np.zeros(count, np.int64),
            t,
            self._row_size,
            self._row_jump,
        )
        return int(idx[0]) if size is None else idx

    def sample_in_rows(
        self, rows: ArrayLike, *, seed: int | np.random.Generator | None = None
    ) -> np.ndarray:
        r"""One column per entry of ``rows``, column :math:`j \sim |A_{ij}|^2/\|A_{i,\cdot}\|^2`.

        Raises:
            ValueError: for a row index out of range or a zero row.
        """
        rng = as_generator(seed)
        rows = np.asarray(rows, dtype=np.int64).ravel()
        if rows.size and (rows.min() < 0 or rows.max() >= self._shape[0]):
            raise ValueError(f"rows must be in [0, {self._shape[0]})")
        if rows.size and np.any(self._row2[rows] <= 0):
            raise ValueError("cannot sample a column of a zero row")
        u = rng.random(len(rows))
        if self._kind == "dense":
            t = u * np.asarray(self._nodes[rows, 1])
            return _heap.descend(self._nodes, self._leaf_dense, rows, t, self._size)
        csr = self._data
        zero = np.zeros(len(rows), np.int64)
        lo = _heap.prefix(self._nodes, self._leaf_sparse, zero, csr.indptr[rows], self._size)
        hi = _heap.prefix(self._nodes, self._leaf_sparse, zero, csr.indptr[rows + 1], self._size)
        k = _heap.descend(self._nodes, self._leaf_sparse, zero, lo + u * (hi - lo), self._size)
        k = np.clip(k, csr.indptr[rows], csr.indptr[rows + 1] - 1)
        return csr.indices[k].astype(np.int64)

    def sample_entries(
        self, size: int, *, seed: int | np.random.Generator | None = None
    ) -> tuple[np.ndarray, np.ndarray]:
        r"""Entries ``(i, j)`` drawn with probability :math:`|A_{ij}|^2/\|A\|_F^2`."""
        rng = as_generator(seed)
        i = self.sample_rows(check_positive_int(size, "size"), seed=rng)
        return i, self.sample_in_rows(i, seed=rng)

    def update(self, i: int, j: int, value: complex) -> None:
        r"""Set :math:`A_{ij}` and refresh the :math:`O(\log mn)` tree nodes it affects.

        A CSR matrix can update its stored entries only (an explicit zero counts as
        stored); a new structural non-zero raises ``ValueError``.
        """
        m, n = self._shape
        i = check_positive_int(i, "i", minimum=0)
        j = check_positive_int(j, "j", minimum=0)
        if i >= m or j >= n:
            raise ValueError(f"(i, j) must be in [0, {m}) x [0, {n}), got ({i}, {j})")
        check_finite(value, "value")
        if np.iscomplexobj(value) and self.dtype.kind != "c":
            raise TypeError("value is complex but the matrix is real")
        if self._kind == "dense":
            self._data[i, j] = value
            _heap.refresh_path(self._nodes, self._leaf_dense, i, j, self._size)
            self._row2[i] = float(self._nodes[i, 1])
        else:
            csr = self._data
            lo, hi = csr.indptr[i], csr.indptr[i + 1]
            k = lo + int(np.searchsorted(csr.indices[lo:hi], j))
            if k >= hi or csr.indices[k] != j:
                raise ValueError(
                    f"({i}, {j}) is not a stored entry of the CSR matrix; updates of a sparse "
                    "SQMatrix can change stored entries only (build it from a dense array to "
                    "insert entries)"
                )
            csr.data[k] = value
            _heap.refresh_path(self._nodes, self._leaf_sparse, 0, k, self._size)
            ends = _heap.prefix(
                self._nodes,
                self._leaf_sparse,
                np.zeros(2, np.int64),
                np.array([lo, hi]),
                self._size,
            )
            self._row2[i] = max(float(ends[1] - ends[0]), 0.0)
        _heap.refresh_path(self._row_nodes, self._leaf_rows, 0, i, self._row_size)
        self._row_jump = None

    def __repr__(self) -> str:
        kind = "csr" if self._kind == "sparse" else type(self._data).__name__
        return f"SQMatrix(shape={self._shape}, {kind}, fro={self.frobenius_norm():.6g})"


def as_sqmatrix(matrix: Any, name: str = "A") -> SQMatrix:
    """Return ``matrix`` if it is an :class:`SQMatrix`, else build one (with checks)."""
    if isinstance(matrix, SQMatrix):
        return matrix
    try:
        return SQMatrix(matrix)
    except (ValueError, TypeError) as exc:
        raise type(exc)(str(exc).replace("matrix", name, 1)) from None
