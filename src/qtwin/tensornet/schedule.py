"""Gate fusion and scheduling for the MPS: fewer SVDs, shorter walks of the orthogonality centre.

Three rewrites, each exact (they only reorder commuting work or multiply matrices):

1. runs of one-site gates on a wire are multiplied together and folded into the next
   multi-site gate on that wire (one-site gates left at the end are applied on their own);
2. consecutive multi-site gates on the same set of wires (``cx`` then ``rzz`` on one bond, a
   Trotter step's ``rxx·ryy·rzz``) become one gate, with the one-site gates between them folded
   in, so the block is split by one SVD instead of several;
3. among the multi-site gates whose predecessors on every wire are done, the one nearest the
   orthogonality centre goes next, so brickwork layers are swept back and forth instead of the
   centre walking across the chain for every layer.

Example:
    >>> import torch
    >>> x = torch.tensor([[0, 1], [1, 0]], dtype=torch.complex128)
    >>> cx = torch.eye(4, dtype=torch.complex128)[[0, 3, 2, 1]]
    >>> sched = GateScheduler([(x, (0,)), (cx, (0, 1)), (cx, (0, 1))], dims=[2, 2])
    >>> m, wires = sched.next(centre=0)
    >>> wires, bool(torch.allclose(m, torch.kron(torch.eye(2), x).to(m.dtype)))
    ((0, 1), True)
    >>> sched.next(centre=0) is None
    True
"""

from __future__ import annotations

import bisect
from collections.abc import Callable, Iterable, Sequence
from typing import Any

import numpy as np
import torch

from qtwin.circuits.gates import permute_wires

__all__ = ["GateScheduler"]

Op = tuple[Any, tuple[int, ...]]  # a torch tensor or (fast path) a numpy array


class GateScheduler:
    """Yield fused multi-site gates in a centre-aware order (see the module docstring)."""

    def __init__(self, ops: Iterable[Op], dims: Sequence[int]) -> None:
        self.ops = list(ops)
        self.dims = list(dims)
        self.queues: dict[int, list[int]] = {}
        for idx, (_, wires) in enumerate(self.ops):
            for q in wires:
                self.queues.setdefault(q, []).append(idx)
        self.heads = {q: 0 for q in self.queues}
        self.pending: dict[int, torch.Tensor] = {}
        for q in self.queues:
            self._drain_single(q)
        self.ready = self._ready_among(self.queues)
        self.multi = [i for i, (_, w) in enumerate(self.ops) if len(w) > 1]
        self.last_index = -1

    def next(self, centre: int, site: Callable[[int], int] | None = None) -> Op | None:
        """The next fused multi-site gate, nearest ``centre``; ``None`` when none are left.

        ``site`` maps a wire to its current site (an MPS that routes qubits moves them);
        by default wire ``q`` is at site ``q``.
        """
        if not self.ready:
            return None
        if site is None:
            idx = min(self.ready, key=lambda k: (abs(min(self.ops[k][1]) - centre), k))
        else:
            idx = min(
                self.ready,
                key=lambda k: (abs(min(site(q) for q in self.ops[k][1]) - centre), k),
            )
        self.ready.discard(idx)
        self.last_index = idx
        m, wires = self.ops[idx]
        if (pre := self._take_pending(wires, m)) is not None:
            m = m @ pre
        self._pop(idx)
        while (nxt := self._same_support_successor(wires)) is not None:
            m2, wires2 = self.ops[nxt]
            m2 = permute_wires(m2, [self.dims[q] for q in wires2], wires2, wires)
            between = self._take_pending(wires, m)
            m = m2 @ (between @ m if between is not None else m)
            self._pop(nxt)
        self.ready |= self._ready_among(wires)
        return m, wires

    def upcoming(self, count: int) -> list[tuple[int, ...]]:
        """Wires of the next ``count`` multi-site gates after the last one returned, in circuit
        order: the lookahead an MPS uses to decide which way to route a long-range gate."""
        start = bisect.bisect_right(self.multi, self.last_index)
        return [self.ops[i][1] for i in self.multi[start : start + count]]

    def leftover_single_site(self) -> dict[int, torch.Tensor]:
        """One-site gates with no multi-site gate after them, by wire."""
        out, self.pending = self.pending, {}
        return out

    def _take_pending(self, wires: tuple[int, ...], like: torch.Tensor) -> torch.Tensor | None:
        """Kronecker product (little-endian) of the pending one-site gates on ``wires``, or
        ``None`` when there are none."""
        found = [self.pending.pop(q, None) for q in wires]
        if all(p is None for p in found):
            return None
        factor = None
        for q, p in zip(wires, found, strict=True):
            if p is None:
                p = _eye(self.dims[q], like)
            factor = p if factor is None else _kron(p, factor)
        return factor

    def _pop(self, idx: int) -> None:
        for q in self.ops[idx][1]:
            self.heads[q] += 1
            self._drain_single(q)

    def _drain_single(self, q: int) -> None:
        queue = self.queues[q]
        while self.heads[q] < len(queue):
            m, wires = self.ops[queue[self.heads[q]]]
            if len(wires) != 1:
                return
            self.pending[q] = m @ self.pending[q] if q in self.pending else m
            self.heads[q] += 1

    def _head(self, q: int) -> int | None:
        h = self.heads[q]
        return self.queues[q][h] if h < len(self.queues[q]) else None

    def _at_head(self, idx: int) -> bool:
        return all(self._head(q) == idx for q in self.ops[idx][1])

    def _ready_among(self, wires: Iterable[int]) -> set[int]:
        return {h for q in wires if (h := self._head(q)) is not None and self._at_head(h)}

    def _same_support_successor(self, wires: tuple[int, ...]) -> int | None:
        nxt = self._head(wires[0])
        if nxt is None or set(self.ops[nxt][1]) != set(wires) or not self._at_head(nxt):
            return None
        return nxt


def _eye(d: int, like: Any) -> Any:
    """Identity of size ``d`` in the array type (torch or numpy) and dtype of ``like``."""
    if isinstance(like, np.ndarray):
        return np.eye(d, dtype=like.dtype)
    return torch.eye(d, dtype=like.dtype, device=like.device)


def _kron(a: Any, b: Any) -> Any:
    """Kronecker product of two matrices (``np.kron`` is general and ten times slower)."""
    if isinstance(a, np.ndarray):
        ra, ca = a.shape
        rb, cb = b.shape
        return (a[:, None, :, None] * b[None, :, None, :]).reshape(ra * rb, ca * cb)
    return torch.kron(a, b)
