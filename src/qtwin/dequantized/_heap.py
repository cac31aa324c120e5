r"""Kerenidis–Prakash sampling trees in heap layout (internal module).

A vector of weights :math:`w_0, \dots, w_{n-1} \ge 0` (squared magnitudes) is padded with
zeros to :math:`P = 2^L \ge 2` leaves. Node ``k`` (``1 <= k < P``) stores the sum of the
leaves below it; its children are ``2k`` and ``2k + 1``; node ``P + j`` is leaf ``j``, whose
weight is *not stored* here but read from the data through a callback, so the tree costs
``P`` floats on top of the data. ``nodes[:, 1]`` is the total weight.

Many trees of the same size are kept as the rows of one ``(b, P)`` array (one tree per
matrix row); every operation is vectorised over a batch of ``(tree, target)`` pairs and
takes :math:`L = \lceil \log_2 n \rceil` numpy steps, i.e. :math:`O(\log n)` per sample.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import NamedTuple

import numpy as np

LeafFn = Callable[[np.ndarray, np.ndarray], np.ndarray]


def tree_size(n: int) -> int:
    """Number of leaves ``P = 2^L >= max(n, 2)``."""
    return max(2, 1 << int(np.ceil(np.log2(max(n, 1)))))


def build_nodes(weights: np.ndarray, size: int, out: np.ndarray | None = None) -> np.ndarray:
    """Internal nodes ``(b, P)`` of the trees whose leaves are the rows of ``weights``."""
    w = np.asarray(weights, dtype=np.float64)
    b, n = w.shape
    level = np.zeros((b, size), dtype=np.float64)
    level[:, :n] = w
    nodes = np.zeros((b, size), dtype=np.float64) if out is None else out
    width = size
    while width > 1:
        level = level[:, 0::2] + level[:, 1::2]
        width //= 2
        nodes[:, width : 2 * width] = level
    return nodes


def build_nodes_streaming(
    read: Callable[[int, int], np.ndarray], n: int, size: int, out: np.ndarray, chunk: int
) -> np.ndarray:
    """Fill the 1-D node array ``out`` (length ``size``) of one tree over ``n`` leaves.

    ``read(lo, hi)`` returns the weights of leaves ``lo:hi``; leaves are read once, in
    chunks of ``chunk`` (rounded down to a power of two), so the data may be far larger than
    memory (``out`` may itself be a memory map).
    """
    chunk = max(2, 1 << int(np.floor(np.log2(max(2, min(chunk, size))))))
    tops = np.zeros(size // chunk, dtype=np.float64)
    for j in range(size // chunk):
        lo, hi = j * chunk, min((j + 1) * chunk, n)
        w = np.zeros(chunk, dtype=np.float64)
        if lo < n:
            w[: hi - lo] = read(lo, hi)
        level, width = w, size
        while len(level) > 1:
            level = level[0::2] + level[1::2]
            width //= 2
            start = width + j * len(level)
            out[start : start + len(level)] = level
        tops[j] = level[0]
    level, width = tops, size // chunk
    while width > 1:
        level = level[0::2] + level[1::2]
        width //= 2
        out[width : 2 * width] = level
    return out


def _child_weights(
    nodes: np.ndarray, leaf: LeafFn, trees: np.ndarray, child: np.ndarray, size: int
) -> tuple[np.ndarray, np.ndarray]:
    if child[0] < size:  # all children of one level are on the same side of P
        return nodes[trees, child], nodes[trees, child + 1]
    return leaf(trees, child - size), leaf(trees, child + 1 - size)


def walk_order(trees: np.ndarray, targets: np.ndarray, single: bool) -> np.ndarray:
    """The order in which :func:`descend` walks its pairs: by target (one tree) or by tree.

    Walkers in this order read the nodes of each level in increasing address order, a
    forward sweep that the caches and the prefetcher serve, instead of jumps across an array
    of up to ``8 P`` bytes per tree; the numbers drawn do not change (every walker does the
    same arithmetic, only the order in which they are processed changes, so the sort need
    not be stable).
    """
    return np.argsort(targets if single else trees)


JUMP_LEVEL = 16
"""A single tree is entered at this depth (at most) by one binary search, see :func:`descend`."""


class JumpTable(NamedTuple):
    """Running sums of the nodes at one depth of a single tree (see :func:`jump_table`)."""

    lo: int  #: first node of the depth, ``2^D``
    cum: np.ndarray  #: running sums of nodes ``2^D .. 2^{D+1} - 1``
    last: int  #: offset of the last node of positive weight (-1: none)


def jump_table(nodes: np.ndarray, size: int, depth: int | None = None) -> JumpTable | None:
    """The :class:`JumpTable` of the single tree ``nodes`` at ``depth`` (default: as deep as
    :data:`JUMP_LEVEL` allows); ``None`` when the tree is too small (``P <= 32``) to gain.

    It costs :math:`2^D` floats and :math:`O(2^D)` time; an owner that caches it (as
    :class:`~qtwin.dequantized.SQMatrix` does for its row tree, at depth ``L - 3``) must
    drop it whenever a node changes.
    """
    if size <= 32:
        return None
    top = int(size).bit_length() - 2  # L - 1: the parents of the leaves
    depth = min(JUMP_LEVEL, top) if depth is None else max(1, min(depth, top))
    lo = 1 << depth
    level = np.asarray(nodes.reshape(-1)[lo : 2 * lo], dtype=np.float64)
    positive = np.flatnonzero(level > 0)
    return JumpTable(lo, np.cumsum(level), int(positive[-1]) if positive.size else -1)


def _jump(flat: np.ndarray, t: np.ndarray, table: JumpTable) -> tuple[np.ndarray, np.ndarray]:
    """Start nodes at the table's depth ``D`` and the remaining targets (``t`` sorted).

    The ``2^D`` nodes of depth ``D`` partition the leaves in order, so the node holding
    target ``t`` is the first whose running sum exceeds ``t``: one :func:`numpy.searchsorted`
    replaces ``D`` levels of the walk. A zero-weight node is never chosen (its running sum
    equals its left neighbour's); ``t`` beyond the last running sum (round-off) goes to the
    last node of positive weight, as the walk would.
    """
    lo, cum, last = table
    j = np.minimum(np.searchsorted(cum, t, side="right"), last)
    before = np.where(j > 0, cum[np.maximum(j - 1, 0)], 0.0)
    return lo + j, np.minimum(np.maximum(t - before, 0.0), flat[lo + j])


def descend(
    nodes: np.ndarray,
    leaf: LeafFn,
    trees: np.ndarray,
    targets: np.ndarray,
    size: int,
    table: JumpTable | None = None,
) -> np.ndarray:
    r"""Leaf ``j`` of each tree with :math:`\sum_{i<j} w_i \le t < \sum_{i\le j} w_i`.

    Never enters a zero-weight subtree, so round-off in ``t`` cannot return a zero leaf.
    The pairs are walked in :func:`walk_order` (cache-friendly) and returned in input order;
    a single tree of more than ``2^{5}`` leaves is entered at depth ``D`` by a binary search
    over that level's running sums (:func:`_jump`; ``table`` from :func:`jump_table`, built
    here at ``D = min(JUMP_LEVEL, L - 1)`` when not given), so ``r`` draws cost
    :math:`O(r \log r + 2^{D} + r (L - D))` numpy work.
    """
    trees = np.asarray(trees, dtype=np.int64)
    t = np.asarray(targets, dtype=np.float64)
    if len(trees) == 0:
        return np.zeros(0, dtype=np.int64)
    single = nodes.shape[0] == 1
    order = walk_order(trees, t, single)
    t = t[order]
    tr = trees[order]
    flat = nodes.reshape(-1)  # 1-D gathers are cheaper than 2-D fancy indexing
    base = tr * size
    if single and table is None:
        table = jump_table(nodes, size)
    if single and table is not None and table.last >= 0:
        k, t = _jump(flat, t, table)
    else:
        k = np.ones(len(tr), dtype=np.int64)
    while k[0] < size:
        c = 2 * k
        if c[0] < size:
            at = base + c
            wl, wr = flat[at], flat[at + 1]
        else:
            wl, wr = leaf(tr, c - size), leaf(tr, c + 1 - size)
        right = ((t >= wl) & (wr > 0)) | (wl <= 0)
        t = np.where(right, np.minimum(t - wl, wr), t)
        k = c + right
    out = np.empty(len(tr), dtype=np.int64)
    out[order] = k - size
    return out


def prefix(
    nodes: np.ndarray, leaf: LeafFn, trees: np.ndarray, stops: np.ndarray, size: int
) -> np.ndarray:
    r"""Sums :math:`\sum_{i < j} w_i` for each (tree, ``j``) pair, ``0 <= j <= P``."""
    trees = np.asarray(trees, dtype=np.int64)
    j = np.asarray(stops, dtype=np.int64)
    total = np.zeros(len(trees), dtype=np.float64)
    full = j >= size
    total[full] = nodes[trees[full], 1]
    k = np.ones(len(trees), dtype=np.int64)
    half = size // 2
    pos = np.where(full, 0, j)
    while half >= 1:
        c = 2 * k
        wl, _ = _child_weights(nodes, leaf, trees, c, size)
        right = pos >= half
        total += np.where(right & ~full, wl, 0.0)
        pos = np.where(right, pos - half, pos)
        k = np.where(right, c + 1, c)
        half //= 2
    return total


def refresh_path(nodes: np.ndarray, leaf: LeafFn, tree: int, j: int, size: int) -> None:
    """Recompute the ``log2 P`` ancestors of leaf ``j`` after its weight changed."""
    k = (j + size) // 2
    tr = np.array([tree])
    while k >= 1:
        wl, wr = _child_weights(nodes, leaf, tr, np.array([2 * k]), size)
        nodes[tree, k] = wl[0] + wr[0]
        k //= 2
