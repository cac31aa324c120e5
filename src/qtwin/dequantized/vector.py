r"""Sampling and query access to a vector: :class:`SQVector`.

:math:`\mathrm{SQ}(v)` means: query an entry :math:`v_i`, query the norm :math:`\|v\|`,
and draw an index :math:`i` with probability :math:`|v_i|^2/\|v\|^2`. The data structure is
a complete binary tree over the squared magnitudes (Kerenidis–Prakash; Tang §3): each
internal node holds the sum of its two children, so a sample walks from the root to a leaf
in :math:`O(\log n)` steps and an update rewrites the :math:`O(\log n)` nodes on one root
path. Many samples are drawn at once, one vectorised step per tree level.
"""

from __future__ import annotations

import os
from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from qtwin._validation import as_generator, check_finite, check_positive_int
from qtwin.dequantized import _heap

__all__ = ["SQVector"]


def as_vector(values: Any, name: str) -> np.ndarray:
    """A 1-D finite numeric array (float64 or complex128); sparse inputs are densified."""
    if hasattr(values, "toarray"):
        values = values.toarray()
    try:
        arr = np.asarray(values)
    except Exception:  # pragma: no cover - numpy raises many types
        raise TypeError(f"{name} must be a 1-D numeric array, got {type(values)}") from None
    if arr.dtype.kind not in "biufc":
        raise TypeError(f"{name} must be a 1-D numeric array, got dtype {arr.dtype}")
    arr = arr.reshape(-1) if arr.ndim == 2 and 1 in arr.shape else arr
    if arr.ndim != 1:
        raise ValueError(f"{name} must be 1-D, got shape {arr.shape}")
    if arr.size == 0:
        raise ValueError(f"{name} must not be empty")
    check_finite(arr, name)
    return arr.astype(np.complex128 if arr.dtype.kind == "c" else np.float64, copy=False)


class SQVector:
    r"""A vector with :math:`O(\log n)` ℓ²-norm sampling, entry/norm queries and updates.

    Args:
        values: the entries, a numpy array, a list, or a ``scipy.sparse`` row/column.
        copy: copy ``values`` (default); ``False`` keeps a reference that
            :meth:`update` writes into.

    Raises:
        ValueError: for an empty vector, NaN/inf entries or a vector that is not 1-D.
        TypeError: for a non-numeric input.

    Example:
        >>> v = SQVector([3.0, 0.0, 4.0])
        >>> v.norm(), v.query(2)
        (5.0, 4.0)
        >>> sorted(set(v.sample(100, seed=0).tolist()))
        [0, 2]
        >>> v.update(1, 12.0); v.norm()
        13.0
    """

    def __init__(self, values: ArrayLike, *, copy: bool = True) -> None:
        arr = as_vector(values, "values")
        self._data = arr.copy() if copy else arr
        self._size = _heap.tree_size(len(arr))
        self._nodes = _heap.build_nodes(np.abs(self._data[None, :]) ** 2, self._size)
        if not np.isfinite(self._nodes[0, 1]):
            raise ValueError(
                "values are too large: the squared norm overflows float64 (entries above about "
                "1e154); rescale them"
            )

    @classmethod
    def _from_parts(cls, data: np.ndarray, nodes: np.ndarray) -> SQVector:
        obj = cls.__new__(cls)
        obj._data, obj._nodes, obj._size = data, nodes, nodes.shape[1]
        return obj

    @classmethod
    def from_npy(
        cls,
        path: str | os.PathLike[str],
        *,
        tree_path: str | os.PathLike[str] | None = None,
        chunk: int = 1 << 20,
        writable: bool = False,
    ) -> SQVector:
        r"""Open a 1-D ``.npy`` file as a memory map and build its tree in one streaming pass.

        Only ``chunk`` entries are in memory at a time; with ``tree_path`` the tree is
        itself a memory-mapped ``.npy`` file (``P`` float64 values, :math:`P = 2^{\lceil
        \log_2 n\rceil}`), so neither the vector nor its tree need to fit in RAM.

        Args:
            path: a ``.npy`` file holding a 1-D real or complex array.
            tree_path: where to write the tree; in memory when omitted.
            chunk: entries read per step (rounded down to a power of two).
            writable: open the data read-write so that :meth:`update` works.

        Raises:
            ValueError: if the file does not hold a non-empty 1-D numeric array, or it
                holds NaN/inf (found during the pass).
        """
        data = np.load(path, mmap_mode="r+" if writable else "r")
        if data.ndim != 1 or data.size == 0 or data.dtype.kind not in "biufc":
            raise ValueError(f"path must hold a non-empty 1-D numeric array, got {data.shape}")
        chunk = check_positive_int(chunk, "chunk", minimum=2)
        size = _heap.tree_size(len(data))
        if tree_path is None:
            flat = np.zeros(size, dtype=np.float64)
        else:
            flat = np.lib.format.open_memmap(tree_path, "w+", np.float64, (size,))

        def read(lo: int, hi: int) -> np.ndarray:
            block = np.asarray(data[lo:hi])
            check_finite(block, "path")
            return (
                np.abs(block.astype(np.complex128 if block.dtype.kind == "c" else np.float64)) ** 2
            )

        _heap.build_nodes_streaming(read, len(data), size, flat, chunk)
        return cls._from_parts(data, flat.reshape(1, size))

    # ------------------------------------------------------------------ access
    def _leaf(self, trees: np.ndarray, cols: np.ndarray) -> np.ndarray:
        n = len(self._data)
        vals = np.abs(np.asarray(self._data[np.minimum(cols, n - 1)])) ** 2
        return np.where(cols < n, vals, 0.0).astype(np.float64)

    def __len__(self) -> int:
        return len(self._data)

    @property
    def shape(self) -> tuple[int]:
        """``(n,)``."""
        return (len(self._data),)

    @property
    def dtype(self) -> np.dtype:
        """The entries' dtype."""
        return self._data.dtype

    def norm(self) -> float:
        r""":math:`\|v\|`, read at the root of the tree in :math:`O(1)`."""
        return float(np.sqrt(max(self._nodes[0, 1], 0.0)))

    def query(self, index: ArrayLike) -> Any:
        """Entries ``v[index]`` (an int or an integer array)."""
        idx = np.asarray(index)
        if idx.dtype.kind not in "iu":
            raise TypeError(f"index must be integers, got dtype {idx.dtype}")
        if idx.size and (idx.min() < -len(self) or idx.max() >= len(self)):
            raise ValueError(f"index must be in [0, {len(self)}), got {index!r}")
        out = self._data[idx]
        return out.item() if np.ndim(out) == 0 else np.asarray(out)

    def sample(
        self, size: int | None = None, *, seed: int | np.random.Generator | None = None
    ) -> Any:
        r"""Indices drawn i.i.d. with :math:`p_i = |v_i|^2/\|v\|^2`, :math:`O(\log n)` each.

        Args:
            size: number of samples; one ``int`` when omitted.
            seed: int or ``numpy.random.Generator``.

        Raises:
            ValueError: if the vector is zero (there is no distribution).
        """
        rng = as_generator(seed)
        count = 1 if size is None else check_positive_int(size, "size")
        total = float(self._nodes[0, 1])
        if total <= 0:
            raise ValueError("cannot sample from the zero vector (its norm is 0)")
        targets = rng.random(count) * total
        idx = _heap.descend(self._nodes, self._leaf, np.zeros(count, np.int64), targets, self._size)
        return int(idx[0]) if size is None else idx

    def probabilities(self) -> np.ndarray:
        r"""The sampling distribution :math:`|v_i|^2/\|v\|^2` as a dense array (``O(n)``)."""
        w = np.abs(np.asarray(self._data)) ** 2
        return w / w.sum()

    def update(self, index: int, value: complex) -> None:
        r"""Set :math:`v_i` to ``value`` and refresh the :math:`O(\log n)` tree nodes above it.

        Raises:
            ValueError: for an index out of range or a non-finite value.
            TypeError: for a complex value in a real vector.
        """
        i = check_positive_int(index, "index", minimum=0)
        if i >= len(self):
            raise ValueError(f"index must be in [0, {len(self)}), got {i}")
        check_finite(value, "value")
        if np.iscomplexobj(value) and self._data.dtype.kind != "c":
            raise TypeError("value is complex but the vector is real")
        self._data[i] = value
        _heap.refresh_path(self._nodes, self._leaf, 0, i, self._size)

    def to_numpy(self) -> np.ndarray:
        """A dense copy of the entries (``O(n)``; for tests and small vectors)."""
        return np.array(self._data)

    def __repr__(self) -> str:
        return f"SQVector(n={len(self)}, norm={self.norm():.6g})"
