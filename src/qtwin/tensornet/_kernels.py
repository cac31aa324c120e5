r"""Compiled two-site kernels for the MPS fast path (CPU, no autograd), with numba.

At small bond dimension a two-site update costs microseconds of arithmetic and tens of
microseconds of Python and torch dispatch. These kernels do one whole update (contract the two
sites, apply the gate or the swap, SVD, truncate, split) in one compiled call on numpy arrays,
with the truncation rule of :mod:`qtwin.tensornet.linalg`:

.. math::

    k = \min\Bigl(\chi_{\max},\ \operatorname{rank}_\epsilon(s),\
        \min\{k : \textstyle\sum_{j \ge k} s_j^2 \le c \sum_j s_j^2\}\Bigr),

the kept values rescaled by :math:`(1 - w)^{-1/2}` where :math:`w` is the discarded relative
weight, which is returned. ``max_bond <= 0`` means no bond limit.

:class:`qtwin.tensornet.MPS` calls these through :func:`two_site_gate` and :func:`swap` while it
runs a circuit on the CPU without gradients; the torch path (GPU, autograd) computes the same
thing with torch operations.

Example:
    >>> import numpy as np
    >>> a = np.zeros((1, 2, 1), complex); a[0, 0, 0] = 1
    >>> b = np.zeros((1, 2, 1), complex); b[0, 1, 0] = 1
    >>> left, right, w = swap(a, b, 0, 0.0, 1e-16, True)
    >>> theta = np.einsum("aib,bjc->ij", left, right)  # [site 0 value, site 1 value]
    >>> np.abs(theta).round(12).tolist(), w  # |1> now on site 0, |0> on site 1
    ([[0.0, 0.0], [1.0, 0.0]], 0.0)
"""

from __future__ import annotations

import numpy as np
from numba import njit

__all__ = ["two_site_gate", "swap", "split_matrix", "qr_right", "qr_left"]


@njit(cache=True)
def _kept(s: np.ndarray, max_bond: int, cutoff: float, eps_scale: float) -> tuple[int, float]:
    """Number of singular values kept and the relative weight discarded (module rule)."""
    n = s.shape[0]
    s2 = s * s
    total = s2.sum()
    if total == 0.0:
        return 1, 0.0
    keep = n
    if cutoff > 0.0:
        tail = 0.0
        while keep > 1 and (tail + s2[keep - 1]) / total <= cutoff:
            tail += s2[keep - 1]
            keep -= 1
    threshold = eps_scale * s[0]
    rank = 0
    for j in range(n):
        if s[j] > threshold:
            rank += 1
    keep = max(1, min(keep, rank))
    if max_bond > 0:
        keep = min(keep, max_bond)
    discarded = 0.0
    for j in range(keep, n):
        discarded += s2[j]
    return keep, discarded / total


@njit(cache=True)
def split_matrix(mat, max_bond, cutoff, eps, absorb_right):  # type: ignore[no-untyped-def]
    """``mat ≈ left @ right`` by a truncated SVD; the isometry is ``left`` when
    ``absorb_right`` (singular values go right), else ``right``. Returns ``(left, right, w)``."""
    u, s, vh = np.linalg.svd(mat, full_matrices=False)
    keep, w = _kept(s, max_bond, cutoff, eps * max(mat.shape[0], mat.shape[1]))
    scale = 1.0 / np.sqrt(1.0 - w) if w > 0.0 else 1.0
    left = np.ascontiguousarray(u[:, :keep])
    right = np.ascontiguousarray(vh[:keep])
    if absorb_right:
        for i in range(keep):
            right[i] *= s[i] * scale
    else:
        for i in range(keep):
            left[:, i] *= s[i] * scale
    return left, right, w


@njit(cache=True)
def _pair(a, b):  # type: ignore[no-untyped-def]
    r"""The two-site block :math:`\sum_c a_{x i c} b_{c j y}` as a ``(l * da, db * r)`` matrix."""
    chi_l, da, m = a.shape
    return np.ascontiguousarray(a).reshape(chi_l * da, m) @ np.ascontiguousarray(b).reshape(
        m, b.shape[1] * b.shape[2]
    )


@njit(cache=True)
def two_site_gate(a, b, g, max_bond, cutoff, eps, absorb_right):  # type: ignore[no-untyped-def]
    """Apply ``g`` (a ``(da*db, da*db)`` matrix over the row-major pair index, site ``a``
    most significant) to neighbouring sites ``a`` (``(l, da, m)``) and ``b`` (``(m, db, r)``);
    returns the new ``(a, b, discarded)``."""
    chi_l, da, db, r = a.shape[0], a.shape[1], b.shape[1], b.shape[2]
    dim = da * db
    theta = _pair(a, b).reshape(chi_l, dim, r)
    out = np.empty_like(theta)
    for x in range(chi_l):
        out[x] = g @ theta[x]
    left, right, w = split_matrix(
        out.reshape(chi_l * da, db * r), max_bond, cutoff, eps, absorb_right
    )
    k = left.shape[1]
    return left.reshape(chi_l, da, k), right.reshape(k, db, r), w


@njit(cache=True)
def swap(a, b, max_bond, cutoff, eps, absorb_right):  # type: ignore[no-untyped-def]
    """Exchange the contents of neighbouring sites ``a`` (``(l, da, m)``) and ``b``
    (``(m, db, r)``); returns the new ``(a', b', discarded)`` with ``a'`` of local dimension
    ``db``."""
    chi_l, da, db, r = a.shape[0], a.shape[1], b.shape[1], b.shape[2]
    theta = _pair(a, b).reshape(chi_l, da, db, r)
    out = np.empty((chi_l, db, da, r), dtype=theta.dtype)
    for x in range(chi_l):
        for i in range(da):
            for j in range(db):
                out[x, j, i] = theta[x, i, j]
    left, right, w = split_matrix(
        out.reshape(chi_l * db, da * r), max_bond, cutoff, eps, absorb_right
    )
    k = left.shape[1]
    return left.reshape(chi_l, db, k), right.reshape(k, da, r), w


@njit(cache=True)
def qr_right(a, nxt):  # type: ignore[no-untyped-def]
    """Move the orthogonality centre from ``a`` (``(l, d, m)``) to its right neighbour ``nxt``:
    ``a = q r`` with ``q`` left-isometric; returns ``(q, r @ nxt)``."""
    chi_l, d, m = a.shape
    q, r = np.linalg.qr(np.ascontiguousarray(a).reshape(chi_l * d, m))
    k = q.shape[1]
    n2 = nxt.shape
    merged = (r @ np.ascontiguousarray(nxt).reshape(n2[0], n2[1] * n2[2])).reshape(k, n2[1], n2[2])
    return np.ascontiguousarray(q).reshape(chi_l, d, k), merged


@njit(cache=True)
def qr_left(prev, a):  # type: ignore[no-untyped-def]
    """Move the orthogonality centre from ``a`` to its left neighbour ``prev``: ``a = l q``
    with ``q`` right-isometric; returns ``(prev @ l, q)``."""
    m, d, r = a.shape
    mat = np.ascontiguousarray(a).reshape(m, d * r).conj().T
    q, rr = np.linalg.qr(np.ascontiguousarray(mat))
    k = q.shape[1]
    lq = np.ascontiguousarray(q.conj().T).reshape(k, d, r)
    p = prev.shape
    merged = (
        np.ascontiguousarray(prev).reshape(p[0] * p[1], p[2]) @ np.ascontiguousarray(rr.conj().T)
    ).reshape(p[0], p[1], k)
    return merged, lq
