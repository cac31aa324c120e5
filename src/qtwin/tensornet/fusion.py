r"""Gate fusion: merge a gate list into fewer, larger gates with the same product.

A simulator that streams the whole state through memory once per gate spends its time on
memory traffic, not arithmetic; fusing ``m`` gates into one block on ``k`` wires replaces ``m``
passes by one pass with a :math:`d^k \times d^k` matrix (Aer's ``fusion`` transpiler pass does
the same, with blocks of up to 5 qubits). The fused list is exact: it is the same operator,

.. math::

    \prod_{j=m}^{1} \bigl(G_j \otimes \mathbb{1}\bigr)
    = \prod_{b} \bigl(F_b \otimes \mathbb{1}\bigr),
    \qquad F_b = \prod_{j \in b} \bigl(G_j \otimes \mathbb{1}_{W_b \setminus W_j}\bigr),

where block :math:`b` acts on wires :math:`W_b \supseteq W_j` and its gates keep their order.
Only rounding (a few ulps per product) separates fused from unfused results.

A gate may join an earlier block :math:`b` when it commutes with every later block it
touches: blocks acting on other wires always commute with it, and a diagonal gate (``p``,
``rz``, ``cp``, ``cz``, ``rzz``, ``crz``, ...) commutes with every diagonal block. Diagonal gates
fuse into diagonal blocks, kept as their diagonal :math:`f_b(x) = \prod_j g_j(x_{W_j})`, so a
diagonal block on many wires costs one elementwise product. A greedy pass picks, for each gate,
the candidate block (or a new block) that adds the least to a per-pass cost model
(``dense_cost[k]`` for a dense block on ``k`` wires, ``diagonal_cost`` for a diagonal one).

Wires may have any local dimension (qudits): a block's matrix is little-endian over its wires,
the first wire least significant, as in :func:`qtwin.circuits.convert.to_gate_list`. Matrices
may be batched, shape ``(B, D, D)``, and may carry autograd history: then fusion is made of
torch products, so gradients flow through it; plain CPU matrices are fused with numpy products
(the same arithmetic, a fraction of torch's per-call overhead) and returned as tensors.
Diagonal detection looks at the values (exact zeros off the diagonal) and is skipped for
tensors that require grad. The blocks are for a statevector engine (``Statevector`` runs them
in place); a matrix product state can take :func:`fuse_gates` with ``max_qubits=2``.

Example:
    >>> import torch
    >>> from qiskit import QuantumCircuit
    >>> from qtwin.circuits.convert import to_gate_list
    >>> qc = QuantumCircuit(3)
    >>> _ = qc.h(0); _ = qc.cx(0, 1); _ = qc.rz(0.3, 1); _ = qc.cp(0.2, 1, 2); _ = qc.h(2)
    >>> ops, _, dims = to_gate_list(qc)
    >>> fused = fuse_gates(ops, dims, max_qubits=2)
    >>> [wires for _, wires in fused]
    [(0, 1), (1, 2)]
    >>> def product(gates):  # the full 8 x 8 operator
    ...     u = torch.eye(8, dtype=torch.complex128)
    ...     for m, wires in gates:
    ...         u = embed(m, wires, dims) @ u
    ...     return u
    >>> bool(torch.allclose(product(fused), product(ops), atol=1e-12))
    True
"""

from __future__ import annotations

import functools
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import torch

from qtwin._typing import TensorLike

if TYPE_CHECKING:
    from qtwin.circuits.convert import GateOp

__all__ = ["FusedGate", "embed", "fuse_blocks", "fuse_gates", "DENSE_COST", "DIAGONAL_COST"]

#: relative cost of one pass of a dense block on k qubits (1 = one single-qubit gate), chosen by
#: timing whole circuits (benchmarks/dense.py, 20-22 qubits, one thread) with the in-place
#: kernels of :mod:`qtwin.tensornet._dense_kernels`.
DENSE_COST: dict[int, float] = {1: 1.0, 2: 2.0, 3: 3.0, 4: 4.0, 5: 7.0}
#: relative cost of one pass of a diagonal block (an elementwise product, any number of wires).
DIAGONAL_COST = 1.2

_WINDOW = 12  # how many of the latest blocks a gate may join


@dataclass(frozen=True)
class FusedGate:
    """One block of a fused gate list.

    ``matrix`` is the block's ``(..., D, D)`` matrix, or, when ``diagonal`` is true, its
    diagonal of shape ``(..., D)``; both little-endian over ``wires``.
    """

    matrix: torch.Tensor
    wires: tuple[int, ...]
    diagonal: bool = False

    def dense(self) -> torch.Tensor:
        """The block's matrix ``(..., D, D)`` (the diagonal embedded when ``diagonal``)."""
        return torch.diag_embed(self.matrix) if self.diagonal else self.matrix


def embed(matrix: torch.Tensor, wires: Sequence[int], dims: Sequence[int]) -> torch.Tensor:
    r"""The full :math:`D \times D` matrix of ``matrix`` acting on ``wires`` of a register.

    Little-endian: wire 0 is the least significant index. Meant for tests and small
    registers (it forms :math:`D^2` entries).

    Example:
        >>> x = torch.tensor([[0, 1], [1, 0]], dtype=torch.complex128)
        >>> embed(x, [1], [2, 2]).real.int().tolist()  # X on qubit 1 flips bit 1
        [[0, 0, 1, 0], [0, 0, 0, 1], [1, 0, 0, 0], [0, 1, 0, 0]]
    """
    dims = tuple(int(d) for d in dims)
    total = math.prod(dims)
    eye = torch.eye(total, dtype=matrix.dtype, device=matrix.device)
    if matrix.ndim == 3:
        eye = eye.expand(matrix.shape[0], total, total)
    return _left_multiply(eye, matrix, tuple(wires), dims)


def _left_multiply(
    u: torch.Tensor, m: torch.Tensor, positions: tuple[int, ...], ldims: tuple[int, ...]
) -> torch.Tensor:
    """``embed(m) @ u`` for ``u`` of shape ``(..., D, C)`` over local dims ``ldims``.

    ``positions`` are the indices (into ``ldims``) of the wires ``m`` acts on, ``m`` being
    little-endian over them; ``m`` may be ``(d, d)`` or ``(B, d, d)``.
    """
    n = len(ldims)
    batch = tuple(u.shape[:-2])
    cols = u.shape[-1]
    if m.ndim == 3 and not batch:
        u = u.expand(m.shape[0], *u.shape)
        batch = (m.shape[0],)
    nb = len(batch)
    t = u.reshape(batch + tuple(reversed(ldims)) + (cols,))
    axes = [nb + (n - 1 - p) for p in reversed(positions)]  # most significant first
    k = len(positions)
    dest = list(range(nb + n - k, nb + n))
    t = t.movedim(axes, dest)
    shape = t.shape[: nb + n]
    # (batch, rest, d_m, C): contract the gate's index
    flat = t.reshape(batch + (-1, m.shape[-1], cols))
    mm = m if m.ndim == 2 else m.reshape(m.shape[0], *([1] * (flat.ndim - 3)), *m.shape[-2:])
    flat = torch.matmul(mm, flat)
    t = flat.reshape(tuple(flat.shape[:nb]) + tuple(shape[nb:]) + (cols,)).movedim(dest, axes)
    return t.reshape(tuple(t.shape[:nb]) + (math.prod(ldims), cols))


def _diagonal_on(
    vec: torch.Tensor, positions: tuple[int, ...], ldims: tuple[int, ...]
) -> torch.Tensor:
    """The diagonal ``vec`` (over the wires at ``positions``) spread over all ``ldims``.

    Returns shape ``(..., D)``; ``vec`` is ``(d,)`` or ``(B, d)``.
    """
    n = len(ldims)
    nb = vec.ndim - 1
    batch = tuple(vec.shape[:-1])
    gd = [ldims[p] for p in positions]
    t = vec.reshape(batch + tuple(reversed(gd)))  # gate wires, most significant first
    # order the gate's axes as they sit in the block (most significant block wire first)
    order = sorted(range(len(positions)), key=lambda i: -positions[i])
    t = t.permute(*range(nb), *[nb + (len(positions) - 1 - i) for i in order])
    shape = [1] * n
    for p in positions:
        shape[n - 1 - p] = ldims[p]
    t = t.reshape(batch + tuple(shape)).expand(batch + tuple(reversed(ldims)))
    return t.reshape(batch + (math.prod(ldims),))


def _is_diagonal(m: Any) -> bool:
    """True when ``m`` (``(..., D, D)``, no autograd) has exact zeros off its diagonal."""
    if isinstance(m, torch.Tensor) and m.requires_grad:
        return False
    d = m.shape[-1]
    if d == 1:
        return True
    off = m.reshape(-1, d * d)[:, 1:].reshape(-1, d - 1, d + 1)[:, :, :d]
    if isinstance(off, np.ndarray):
        return not off.any()
    return not bool(torch.any(off != 0))


@functools.lru_cache(maxsize=4096)
def _embed_index(
    positions: tuple[int, ...], ldims: tuple[int, ...]
) -> tuple[np.ndarray, np.ndarray]:
    r"""Index maps of a gate on ``positions`` inside a block with local dims ``ldims``.

    Returns ``(g, same)``: ``g[i]`` is the gate's local index of block basis state ``i`` and
    ``same[i, j]`` says that ``i`` and ``j`` agree off the gate's wires, so that
    :math:`(G \otimes \mathbb{1})_{ij} = G_{g_i g_j}\,[\text{same}_{ij}]`.
    """
    idx = np.arange(math.prod(ldims), dtype=np.int64)
    strides = np.cumprod((1,) + ldims[:-1])
    g = np.zeros_like(idx)
    rest = idx.copy()
    scale = 1
    for p in positions:
        digit = (idx // strides[p]) % ldims[p]
        g += digit * scale
        rest -= digit * strides[p]
        scale *= ldims[p]
    return g, rest[:, None] == rest[None, :]


def _np_left_multiply(
    u: np.ndarray, m: np.ndarray, positions: tuple[int, ...], ldims: tuple[int, ...]
) -> np.ndarray:
    """:func:`_left_multiply` for unbatched numpy arrays: one product with the embedded gate."""
    g, same = _embed_index(positions, ldims)
    return np.where(same, m[g[:, None], g[None, :]], 0) @ u


def _np_diagonal_on(
    vec: np.ndarray, positions: tuple[int, ...], ldims: tuple[int, ...]
) -> np.ndarray:
    """:func:`_diagonal_on` for an unbatched numpy diagonal."""
    if math.prod(ldims) > 4096:  # skip the D x D mask of _embed_index
        n = len(ldims)
        k = len(positions)
        t = vec.reshape(tuple(reversed([ldims[p] for p in positions])))
        order = sorted(range(k), key=lambda i: -positions[i])
        t = t.transpose([k - 1 - i for i in order])
        shape = [1] * n
        for p in positions:
            shape[n - 1 - p] = ldims[p]
        return np.broadcast_to(t.reshape(shape), tuple(reversed(ldims))).reshape(-1)
    return vec[_embed_index(positions, ldims)[0]]


class _Block:
    """A block under construction: wires, and a dense matrix or a diagonal.

    The matrix is a torch tensor, or a numpy array on the fast path (no autograd, unbatched,
    CPU), where the small products cost a fraction of torch's per-call overhead.
    """

    __slots__ = ("wires", "ldims", "matrix", "diagonal", "position")

    def __init__(
        self, matrix: Any, wires: tuple[int, ...], ldims: tuple[int, ...], diag: bool
    ) -> None:
        self.wires = wires
        self.ldims = ldims
        self.matrix = _diagonal_of(matrix) if diag else matrix
        self.diagonal = diag
        self.position = 0

    def grow(self, wires: tuple[int, ...], dims: Sequence[int]) -> None:
        """Extend the block by identity on new ``wires`` (made the most significant)."""
        new = tuple(w for w in wires if w not in self.wires)
        if not new:
            return
        extra = math.prod(dims[w] for w in new)
        m = self.matrix
        if isinstance(m, np.ndarray):
            eye = np.eye(extra, dtype=m.dtype)
            self.matrix = np.tile(m, extra) if self.diagonal else np.kron(eye, m)
        elif self.diagonal:
            self.matrix = m.repeat(*([1] * (m.ndim - 1)), extra)
        else:
            eye = torch.eye(extra, dtype=m.dtype, device=m.device)
            if m.ndim == 3:
                big = torch.einsum("ab,zij->zaibj", eye, m)
            else:
                big = torch.einsum("ab,ij->aibj", eye, m)
            size = extra * m.shape[-1]
            self.matrix = big.reshape(*m.shape[:-2], size, size)
        self.wires = self.wires + new
        self.ldims = self.ldims + tuple(dims[w] for w in new)

    def absorb(self, m: Any, wires: tuple[int, ...], diag: bool) -> None:
        """Multiply the gate ``m`` on ``wires`` (a subset of the block's) from the left."""
        pos = tuple(self.wires.index(w) for w in wires)
        numeric = isinstance(m, np.ndarray)
        if diag:
            spread = _np_diagonal_on if numeric else _diagonal_on
            vec = spread(_diagonal_of(m), pos, self.ldims)
            if self.diagonal:
                self.matrix = self.matrix * vec
            else:
                self.matrix = vec[..., None] * self.matrix
            return
        if self.diagonal:
            self.matrix = np.diag(self.matrix) if numeric else torch.diag_embed(self.matrix)
            self.diagonal = False
        multiply = _np_left_multiply if numeric else _left_multiply
        self.matrix = multiply(self.matrix, m, pos, self.ldims)


def _diagonal_of(m: Any) -> Any:
    """The diagonal of ``(..., D, D)``: a numpy copy or a torch view."""
    if isinstance(m, np.ndarray):
        return np.diagonal(m).copy()
    return torch.diagonal(m, dim1=-2, dim2=-1)


def _gate_parts(op: Any) -> tuple[torch.Tensor, tuple[int, ...]]:
    """``(matrix, wires)`` of a GateOp or a pair; a numpy matrix becomes a tensor."""
    if hasattr(op, "matrix") and hasattr(op, "qubits"):
        m, wires = op.matrix, op.qubits
    else:
        m, wires = op
    m = m if isinstance(m, torch.Tensor) else torch.as_tensor(np.asarray(m))
    return m, tuple(int(q) for q in wires)


def fuse_blocks(
    ops: Iterable[GateOp | tuple[TensorLike, Sequence[int]]],
    dims: Sequence[int],
    *,
    max_qubits: int = 5,
    max_diagonal_qubits: int | None = None,
    dense_cost: Mapping[int, float] | None = None,
    diagonal_cost: float = DIAGONAL_COST,
) -> list[FusedGate]:
    r"""Fuse a gate list into blocks, keeping diagonal blocks as diagonals.

    Args:
        ops: ``(matrix, wires)`` pairs or :class:`~qtwin.circuits.convert.GateOp`\ s, in
            circuit order; matrices ``(D, D)`` or ``(B, D, D)``, little-endian over ``wires``.
        dims: local dimension of every wire of the register.
        max_qubits: the most wires a dense block may act on (a wider gate stays alone).
        max_diagonal_qubits: the most wires of a diagonal block (``max_qubits`` if omitted).
        dense_cost: cost of one pass of a dense block by its number of wires
            (default :data:`DENSE_COST`, extended by a factor 2 per wire beyond 5).
        diagonal_cost: cost of one pass of a diagonal block.

    Returns:
        the blocks in application order, as :class:`FusedGate`.

    Example:
        >>> import torch
        >>> z = torch.diag(torch.tensor([1, -1], dtype=torch.complex128))
        >>> blocks = fuse_blocks([(z, (0,)), (z, (3,)), (z, (1,))], [2] * 4)
        >>> [(b.wires, b.diagonal, b.matrix.real.int().tolist()[:4]) for b in blocks]
        [((0, 3, 1), True, [1, -1, -1, 1])]
    """
    if max_qubits < 1:
        raise ValueError(f"max_qubits must be >= 1, got {max_qubits}")
    max_diag = max_qubits if max_diagonal_qubits is None else int(max_diagonal_qubits)
    if max_diag < 1:
        raise ValueError(f"max_diagonal_qubits must be >= 1, got {max_diagonal_qubits}")
    costs = dict(DENSE_COST if dense_cost is None else dense_cost)

    def cost(k: int, diag: bool) -> float:
        if diag:
            return diagonal_cost
        if k not in costs:
            top = max(costs)
            return costs[top] * 2.0 ** (k - top)
        return costs[k]

    dims = tuple(int(d) for d in dims)
    gates = [_gate_parts(op) for op in ops]
    numeric = all(_numeric_ok(m) for m, _ in gates)
    if numeric:  # plain numpy products: no autograd to keep, far less per-call overhead
        gates = [(m.detach().resolve_conj().numpy(), w) for m, w in gates]
    blocks: list[_Block] = []
    last_any: dict[int, int] = {}  # wire -> position of the latest block touching it
    last_dense: dict[int, int] = {}  # wire -> position of the latest dense block touching it
    for m, wires in gates:
        diag = _is_diagonal(m)
        bound = max((last_dense if diag else last_any).get(w, -1) for w in wires)
        best: _Block | None = None
        best_delta = cost(len(wires), diag)
        for blk in reversed(blocks[max(bound, len(blocks) - _WINDOW, 0) :]):
            merged = len(set(blk.wires).union(wires))
            both_diag = diag and blk.diagonal
            if merged > (max_diag if both_diag else max_qubits):
                continue
            delta = cost(merged, both_diag) - cost(len(blk.wires), blk.diagonal)
            if delta < best_delta - 1e-12:
                best, best_delta = blk, delta
        if best is None:
            best = _Block(m, wires, tuple(dims[w] for w in wires), diag)
            best.position = len(blocks)
            blocks.append(best)
        else:
            best.grow(wires, dims)
            best.absorb(m, wires, diag)
        for w in best.wires:
            last_any[w] = max(last_any.get(w, -1), best.position)
            if not best.diagonal:
                last_dense[w] = max(last_dense.get(w, -1), best.position)
    if numeric:
        return [FusedGate(torch.from_numpy(b.matrix), b.wires, b.diagonal) for b in blocks]
    return [FusedGate(b.matrix, b.wires, b.diagonal) for b in blocks]


def _numeric_ok(m: Any) -> bool:
    """Whether a gate matrix can be fused as a numpy array (CPU, 2-D, no autograd)."""
    return (
        isinstance(m, torch.Tensor)
        and m.device.type == "cpu"
        and m.ndim == 2
        and not (m.requires_grad and torch.is_grad_enabled())
    )


def fuse_gates(
    ops: Iterable[GateOp | tuple[TensorLike, Sequence[int]]],
    dims: Sequence[int],
    *,
    max_qubits: int = 5,
    dense_cost: Mapping[int, float] | None = None,
) -> list[tuple[torch.Tensor, tuple[int, ...]]]:
    """Fuse a gate list into ``(matrix, wires)`` blocks of at most ``max_qubits`` wires.

    The same pass as :func:`fuse_blocks` with every block returned as a dense matrix, so the
    result drops in wherever a gate list from
    :func:`~qtwin.circuits.convert.to_gate_list` is used (e.g. an MPS).

    Example:
        >>> import torch
        >>> h = torch.tensor([[1, 1], [1, -1]], dtype=torch.complex128) / 2**0.5
        >>> cz = torch.diag(torch.tensor([1, 1, 1, -1], dtype=torch.complex128))
        >>> fused = fuse_gates([(h, (0,)), (h, (0,)), (cz, (0, 1))], [2, 2])
        >>> [(tuple(m.shape), w) for m, w in fused]
        [((4, 4), (0, 1))]
        >>> bool(torch.allclose(fused[0][0], cz, atol=1e-15))  # CZ H H = CZ
        True
    """
    blocks = fuse_blocks(ops, dims, max_qubits=max_qubits, dense_cost=dense_cost)
    return [(b.dense(), b.wires) for b in blocks]
