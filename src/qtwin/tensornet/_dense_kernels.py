r"""In-place numba kernels for the dense statevector: qubits, CPU, no autograd.

The state is a C-contiguous complex array ``psi`` of shape ``(B, 2^n)`` (little-endian: bit
``q`` of an index is qubit ``q``). A dense gate on ``k`` qubits updates the :math:`2^{n-k}`
groups of amplitudes that differ only in the gate's bits; the group ``g`` starts at the index
obtained by inserting a zero bit at each gate qubit (in increasing order),

.. math::

    \mathrm{base}(g) = \mathrm{ins}_{q_{k-1}}(\cdots \mathrm{ins}_{q_0}(g)),\qquad
    \mathrm{ins}_q(x) = ((x \gg q) \ll (q+1)) \,|\, (x \wedge (2^q - 1)),

and local basis state ``j`` of the gate sits at ``base(g) + offset[j]`` with
:math:`\mathrm{offset}[j] = \sum_t j_t 2^{w_t}` over the gate's wires :math:`w_t` in order. A
diagonal on wires :math:`W` multiplies amplitude ``i`` by ``diag[pext_W(i)]``; the index
:math:`\mathrm{pext}_W(i)` splits into a high and a low half, each read from a table of
:math:`2^{n/2}` entries, so the loop is one lookup and one product per amplitude.

Each kernel touches every amplitude once, in place (half the memory traffic of an
out-of-place product). numba is imported lazily; :func:`available` says whether it is there.

Example:
    >>> import numpy as np
    >>> psi = np.zeros((1, 4), dtype=np.complex128); psi[0, 0] = 1
    >>> h = np.array([[1, 1], [1, -1]], dtype=np.complex128) / np.sqrt(2)
    >>> if available():
    ...     apply_dense(psi, h, (1,))
    ... else:
    ...     psi[0, [0, 2]] = 2**-0.5
    >>> np.round(psi.real, 6).tolist()
    [[0.707107, 0.0, 0.707107, 0.0]]
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from typing import Any

import numpy as np

__all__ = ["available", "apply_dense", "apply_diagonal"]

_BLAS_GROUPS = 256  # groups gathered per BLAS call in the k >= 3 kernel


@functools.cache
def _kernels() -> dict[str, Any] | None:
    """Compile (or load from numba's cache) the kernels; ``None`` without numba."""
    try:
        import numba
    except ImportError:  # pragma: no cover - numba is a dependency; the torch path remains
        return None
    njit = numba.njit(cache=True, nogil=True, fastmath=False)

    @njit
    def one(psi, m, q):  # noqa: ANN001, ANN202
        m00, m01, m10, m11 = m[0, 0], m[0, 1], m[1, 0], m[1, 1]
        stride = 1 << q
        size = psi.shape[1]
        for r in range(psi.shape[0]):
            row = psi[r]
            for start in range(0, size, 2 * stride):
                for i0 in range(start, start + stride):
                    a = row[i0]
                    b = row[i0 + stride]
                    row[i0] = m00 * a + m01 * b
                    row[i0 + stride] = m10 * a + m11 * b

    @njit
    def two(psi, m, q0, q1):  # noqa: ANN001, ANN202
        # m is little-endian over (q0, q1): local index j = j0 + 2 j1
        lo = min(q0, q1)
        hi = max(q0, q1)
        s0 = 1 << q0
        s1 = 1 << q1
        mlo = (1 << lo) - 1
        mhi = (1 << hi) - 1
        a00, a01, a02, a03 = m[0, 0], m[0, 1], m[0, 2], m[0, 3]
        a10, a11, a12, a13 = m[1, 0], m[1, 1], m[1, 2], m[1, 3]
        a20, a21, a22, a23 = m[2, 0], m[2, 1], m[2, 2], m[2, 3]
        a30, a31, a32, a33 = m[3, 0], m[3, 1], m[3, 2], m[3, 3]
        groups = psi.shape[1] >> 2
        for r in range(psi.shape[0]):
            row = psi[r]
            for g in range(groups):
                x = ((g >> lo) << (lo + 1)) | (g & mlo)
                base = ((x >> hi) << (hi + 1)) | (x & mhi)
                i1 = base + s0
                i2 = base + s1
                i3 = i1 + s1
                v0 = row[base]
                v1 = row[i1]
                v2 = row[i2]
                v3 = row[i3]
                row[base] = a00 * v0 + a01 * v1 + a02 * v2 + a03 * v3
                row[i1] = a10 * v0 + a11 * v1 + a12 * v2 + a13 * v3
                row[i2] = a20 * v0 + a21 * v1 + a22 * v2 + a23 * v3
                row[i3] = a30 * v0 + a31 * v1 + a32 * v2 + a33 * v3

    @njit
    def many(psi, mt, sorted_q, offsets, chunk):  # noqa: ANN001, ANN202
        # gather `chunk` groups into a (chunk, K) buffer, multiply by m^T with BLAS, scatter
        kk = offsets.size
        k = sorted_q.size
        groups = psi.shape[1] >> k
        buf = np.empty((chunk, kk), dtype=psi.dtype)
        out = np.empty((chunk, kk), dtype=psi.dtype)
        bases = np.empty(chunk, dtype=np.int64)
        for r in range(psi.shape[0]):
            row = psi[r]
            for g0 in range(0, groups, chunk):
                cnt = min(chunk, groups - g0)
                for t in range(cnt):
                    base = g0 + t
                    for q in sorted_q:
                        base = ((base >> q) << (q + 1)) | (base & ((1 << q) - 1))
                    bases[t] = base
                    for j in range(kk):
                        buf[t, j] = row[base + offsets[j]]
                if cnt == chunk:
                    np.dot(buf, mt, out)
                else:
                    out[:cnt] = np.dot(buf[:cnt], mt)
                for t in range(cnt):
                    base = bases[t]
                    for j in range(kk):
                        row[base + offsets[j]] = out[t, j]

    @njit
    def diagonal(psi, diag, table_hi, table_lo, lo_bits):  # noqa: ANN001, ANN202
        low = 1 << lo_bits
        for r in range(psi.shape[0]):
            row = psi[r]
            for h in range(table_hi.size):
                off = table_hi[h]
                start = h * low
                for i in range(low):
                    row[start + i] *= diag[off + table_lo[i]]

    return {"one": one, "two": two, "many": many, "diagonal": diagonal}


def available() -> bool:
    """Whether the numba kernels can run (numba is importable)."""
    return _kernels() is not None


def apply_dense(psi: np.ndarray, matrix: np.ndarray, wires: Sequence[int]) -> None:
    """Apply ``matrix`` (little-endian over ``wires``) to every row of ``psi`` in place.

    ``psi``: C-contiguous complex ``(B, 2^n)``; ``matrix``: ``(2^k, 2^k)`` of the same dtype.
    """
    kern = _kernels()
    assert kern is not None
    m = np.ascontiguousarray(matrix, dtype=psi.dtype)
    k = len(wires)
    if k == 1:
        kern["one"](psi, m, int(wires[0]))
    elif k == 2:
        kern["two"](psi, m, int(wires[0]), int(wires[1]))
    else:
        offsets = _offsets(wires)
        sorted_q = np.sort(np.asarray(wires, dtype=np.int64))
        kern["many"](psi, np.ascontiguousarray(m.T), sorted_q, offsets, _BLAS_GROUPS)


def apply_diagonal(psi: np.ndarray, diag: np.ndarray, wires: Sequence[int]) -> None:
    """Multiply every row of ``psi`` in place by the diagonal ``diag`` on ``wires``.

    ``diag`` has ``2^len(wires)`` entries, little-endian over ``wires``.
    """
    kern = _kernels()
    assert kern is not None
    n = int(psi.shape[1]).bit_length() - 1
    lo_bits = min(n, max(n // 2, 10))
    table_hi, table_lo = _diagonal_tables(tuple(int(w) for w in wires), n, lo_bits)
    d = np.ascontiguousarray(diag, dtype=psi.dtype)
    kern["diagonal"](psi, d, table_hi, table_lo, lo_bits)


def _offsets(wires: Sequence[int]) -> np.ndarray:
    """``offset[j] = sum_t bit_t(j) 2^{wires[t]}`` for the local basis states ``j``."""
    j = np.arange(1 << len(wires), dtype=np.int64)
    out = np.zeros_like(j)
    for t, w in enumerate(wires):
        out |= ((j >> t) & 1) << int(w)
    return out


@functools.lru_cache(maxsize=256)
def _diagonal_tables(wires: tuple[int, ...], n: int, lo_bits: int) -> tuple[np.ndarray, np.ndarray]:
    """Tables with ``pext(i) = table_hi[i >> lo_bits] + table_lo[i & (2^lo_bits - 1)]``."""
    lo = np.arange(1 << lo_bits, dtype=np.int64)
    hi = np.arange(1 << (n - lo_bits), dtype=np.int64)
    table_lo = np.zeros_like(lo)
    table_hi = np.zeros_like(hi)
    for t, w in enumerate(wires):
        if w < lo_bits:
            table_lo |= ((lo >> w) & 1) << t
        else:
            table_hi |= ((hi >> (w - lo_bits)) & 1) << t
    return table_hi, table_lo
