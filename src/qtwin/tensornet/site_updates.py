r"""The local moves of an MPS, on torch tensors or (fast path) numpy arrays.

Every change of an MPS is one of four moves on its list of site tensors ``A[i]`` (shape
``(chi_l, d, chi_r)``), each exact up to the truncation rule of :mod:`qtwin.tensornet.linalg`:

* ``qr_right(i)`` / ``qr_left(i)``: move the orthogonality centre one site,
  :math:`A^{[i]} = Q R,\ A^{[i+1]} \leftarrow R A^{[i+1]}` (and the mirror image);
* ``swap(s)``: exchange the contents of sites ``s`` and ``s + 1`` (the local dimensions travel),
  :math:`\Theta_{a\,t\,s\,b} = \sum_c A^{[s]}_{a s c} A^{[s+1]}_{c t b}` split again by an SVD;
* ``block(g, lo, k)``: apply a ``(D, D)`` matrix to the ``k`` neighbouring sites
  ``lo .. lo+k-1`` (row-major over the block, site ``lo`` most significant) and split the block
  by ``k - 1`` SVDs.

Two implementations share this interface: :data:`TORCH` (any device, differentiable through
:class:`~qtwin.tensornet.linalg.StableSVD`) and :data:`NUMPY` (CPU without gradients: numpy arrays
that share memory with the torch tensors, and the compiled kernels of
:mod:`qtwin.tensornet._kernels` for two-site blocks). Each move returns the discarded relative
weight; ``absorb_right`` says on which side of the cut the singular values (the centre) end.

Example:
    >>> import torch
    >>> t = [torch.tensor([1.0, 0.0], dtype=torch.complex128).reshape(1, 2, 1),
    ...      torch.tensor([0.0, 1.0], dtype=torch.complex128).reshape(1, 2, 1)]
    >>> TORCH.swap(t, 0, True, None, 0.0)
    0.0
    >>> [x.reshape(-1).abs().tolist() for x in t]  # |1> is on site 0 now (up to a sign)
    [[0.0, 1.0], [1.0, 0.0]]
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import torch

from qtwin.tensornet.linalg import qr_left, qr_right, split

__all__ = ["SiteUpdates", "TORCH", "NUMPY", "numpy_available"]

# a two-site block is sent to the compiled kernel when its matrix has at most this many rows or
# columns; bigger SVDs are LAPACK-bound, and torch's threaded LAPACK is then as fast or faster
_KERNEL_MAX_DIM = 256


class SiteUpdates:
    """The torch implementation of the four moves (see the module docstring)."""

    name = "torch"

    def qr_right(self, t: list[Any], i: int) -> None:
        a = t[i]
        q, r = qr_right(a.reshape(-1, a.shape[2]))
        t[i] = q.reshape(a.shape[0], a.shape[1], -1)
        t[i + 1] = torch.tensordot(r, t[i + 1], dims=1)

    def qr_left(self, t: list[Any], i: int) -> None:
        a = t[i]
        left, q = qr_left(a.reshape(a.shape[0], -1))
        t[i] = q.reshape(-1, a.shape[1], a.shape[2])
        t[i - 1] = torch.tensordot(t[i - 1], left, dims=1)

    def swap(
        self, t: list[Any], s: int, absorb_right: bool, max_bond: int | None, cutoff: float
    ) -> float:
        a, b = t[s], t[s + 1]
        theta = torch.tensordot(a, b, dims=1).permute(0, 2, 1, 3)
        chi_l, db, da, chi_r = theta.shape
        absorb = "right" if absorb_right else "left"
        left, right, w = split(theta.reshape(chi_l * db, da * chi_r), max_bond, cutoff, absorb)
        t[s] = left.reshape(chi_l, db, -1)
        t[s + 1] = right.reshape(-1, da, chi_r)
        return w

    def block(
        self,
        t: list[Any],
        g: torch.Tensor,
        lo: int,
        k: int,
        absorb_right: bool,
        max_bond: int | None,
        cutoff: float,
    ) -> float:
        chi_l, chi_r = t[lo].shape[0], t[lo + k - 1].shape[2]
        phys = [t[lo + j].shape[1] for j in range(k)]
        theta = t[lo]
        for j in range(1, k):
            b = t[lo + j]
            theta = theta.reshape(-1, b.shape[0]) @ b.reshape(b.shape[0], -1)
        dim = math.prod(phys)
        theta = torch.matmul(g.reshape(dim, dim), theta.reshape(chi_l, dim, chi_r))
        rest = theta.reshape(chi_l, -1)
        total = 0.0
        for j in range(k - 1):
            d = phys[j]
            absorb = "left" if (not absorb_right and j == k - 2) else "right"
            left, rest, w = split(rest.reshape(rest.shape[0] * d, -1), max_bond, cutoff, absorb)
            total += w
            t[lo + j] = left.reshape(-1, d, left.shape[1])
        t[lo + k - 1] = rest.reshape(rest.shape[0], phys[-1], chi_r)
        return total

    def one_site(self, t: list[Any], g: torch.Tensor, s: int) -> None:
        t[s] = torch.matmul(g, t[s])

    def move_center(self, t: list[Any], src: int, dst: int) -> None:
        """QR steps that carry the orthogonality centre from site ``src`` to ``dst``."""
        for i in range(src, dst):
            self.qr_right(t, i)
        for i in range(src, dst, -1):
            self.qr_left(t, i)

    def walk(
        self, t: list[Any], src: int, dst: int, max_bond: int | None, cutoff: float
    ) -> list[float]:
        """Carry site ``src`` to ``dst`` by swaps, the centre travelling with it (it must start
        on ``src``); returns each swap's discarded weight."""
        if dst > src:
            return [self.swap(t, s, True, max_bond, cutoff) for s in range(src, dst)]
        return [self.swap(t, s, False, max_bond, cutoff) for s in range(src - 1, dst - 1, -1)]

    def matrix(self, g: torch.Tensor) -> Any:
        """A gate matrix in this implementation's array type."""
        return g


class NumpySiteUpdates(SiteUpdates):
    """The numpy/numba implementation (CPU, no gradients)."""

    name = "numpy"

    def __init__(self) -> None:
        from qtwin.tensornet import _kernels

        self.k = _kernels

    def qr_right(self, t: list[Any], i: int) -> None:
        t[i], t[i + 1] = self.k.qr_right(t[i], t[i + 1])

    def qr_left(self, t: list[Any], i: int) -> None:
        t[i - 1], t[i] = self.k.qr_left(t[i - 1], t[i])

    def swap(
        self, t: list[Any], s: int, absorb_right: bool, max_bond: int | None, cutoff: float
    ) -> float:
        a, b = t[s], t[s + 1]
        if max(a.shape[0] * b.shape[1], a.shape[1] * b.shape[2]) > _KERNEL_MAX_DIM:
            return self._torch_swap(t, s, absorb_right, max_bond, cutoff)
        try:
            t[s], t[s + 1], w = self.k.swap(a, b, max_bond or 0, cutoff, _eps(a), absorb_right)
        except ValueError:  # gesdd did not converge: the torch path falls back to gesvd
            return self._torch_swap(t, s, absorb_right, max_bond, cutoff)
        return w

    def _torch_swap(
        self, t: list[Any], s: int, absorb_right: bool, max_bond: int | None, cutoff: float
    ) -> float:
        sub = _to_torch(t, s, 2)
        w = TORCH.swap(sub, 0, absorb_right, max_bond, cutoff)
        _back(t, s, sub)
        return w

    def block(
        self,
        t: list[Any],
        g: Any,
        lo: int,
        k: int,
        absorb_right: bool,
        max_bond: int | None,
        cutoff: float,
    ) -> float:
        a, b = t[lo], t[lo + 1]
        if k > 2 and _block_size(t, lo, k) <= _KERNEL_MAX_DIM**2:
            snapshot = t[lo : lo + k]
            try:
                return self._small_block(t, g, lo, k, absorb_right, max_bond, cutoff)
            except ValueError:  # gesdd did not converge: the torch path falls back to gesvd
                t[lo : lo + k] = snapshot
                return self._torch_block(t, g, lo, k, absorb_right, max_bond, cutoff)
        if k != 2 or max(a.shape[0] * a.shape[1], b.shape[1] * b.shape[2]) > _KERNEL_MAX_DIM:
            return self._torch_block(t, g, lo, k, absorb_right, max_bond, cutoff)
        try:
            t[lo], t[lo + 1], w = self.k.two_site_gate(
                a, b, g, max_bond or 0, cutoff, _eps(a), absorb_right
            )
        except ValueError:  # gesdd did not converge: the torch path falls back to gesvd
            return self._torch_block(t, g, lo, k, absorb_right, max_bond, cutoff)
        return w

    def _torch_block(
        self,
        t: list[Any],
        g: Any,
        lo: int,
        k: int,
        absorb_right: bool,
        max_bond: int | None,
        cutoff: float,
    ) -> float:
        sub = _to_torch(t, lo, k)
        w = TORCH.block(sub, torch.from_numpy(g), 0, k, absorb_right, max_bond, cutoff)
        _back(t, lo, sub)
        return w

    def walk(
        self, t: list[Any], src: int, dst: int, max_bond: int | None, cutoff: float
    ) -> list[float]:
        out = []
        step, right = (1, True) if dst > src else (-1, False)
        s = src if right else src - 1
        for _ in range(abs(dst - src)):
            a, b = t[s], t[s + 1]
            if a.shape[0] == a.shape[2] == b.shape[2] == 1:
                # two unentangled sites: the swap is an exchange (exact here because the
                # walker carries the centre; a lone swap() cannot assume that)
                t[s], t[s + 1] = b, a
                out.append(0.0)
            else:
                out.append(self.swap(t, s, right, max_bond, cutoff))
            s += step
        return out

    def _small_block(
        self,
        t: list[Any],
        g: Any,
        lo: int,
        k: int,
        absorb_right: bool,
        max_bond: int | None,
        cutoff: float,
    ) -> float:
        """A block of three or more sites: contract, apply, and ``k - 1`` kernel splits."""
        chi_l, chi_r = t[lo].shape[0], t[lo + k - 1].shape[2]
        phys = [t[lo + j].shape[1] for j in range(k)]
        theta = t[lo].reshape(-1, t[lo].shape[2])
        for j in range(1, k):
            b = t[lo + j]
            theta = (theta @ b.reshape(b.shape[0], -1)).reshape(-1, b.shape[2])
        dim = math.prod(phys)
        theta = np.matmul(g, theta.reshape(chi_l, dim, chi_r))
        rest = theta.reshape(chi_l, -1)
        total, eps = 0.0, _eps(theta)
        for j in range(k - 1):
            d = phys[j]
            right_side = absorb_right or j < k - 2
            mat = np.ascontiguousarray(rest.reshape(rest.shape[0] * d, -1))
            left, rest, w = self.k.split_matrix(mat, max_bond or 0, cutoff, eps, right_side)
            total += w
            t[lo + j] = left.reshape(-1, d, left.shape[1])
        t[lo + k - 1] = rest.reshape(rest.shape[0], phys[-1], chi_r)
        return total

    def one_site(self, t: list[Any], g: Any, s: int) -> None:
        a = t[s]
        t[s] = np.matmul(g, a)

    def matrix(self, g: Any) -> Any:
        if isinstance(g, np.ndarray):
            return g if g.flags.c_contiguous else np.ascontiguousarray(g)
        return np.ascontiguousarray(g.detach().resolve_conj().numpy())


def _block_size(t: list[Any], lo: int, k: int) -> int:
    """Number of entries of the contracted block of sites ``lo .. lo+k-1``."""
    return t[lo].shape[0] * math.prod(t[lo + j].shape[1] for j in range(k)) * t[lo + k - 1].shape[2]


def _eps(a: np.ndarray) -> float:
    """Machine epsilon of ``a``'s real precision (called once per swap: looked up, not built)."""
    return _EPS[a.dtype]


_EPS = {np.dtype(t): float(np.finfo(t).eps) for t in (np.complex64, np.complex128)}


def _to_torch(t: list[Any], start: int, count: int) -> list[torch.Tensor]:
    """Zero-copy torch views of ``t[start : start + count]``."""
    return [torch.from_numpy(t[start + j]) for j in range(count)]


def _back(t: list[Any], start: int, sub: list[torch.Tensor]) -> None:
    """Write torch results back into the numpy list (zero-copy)."""
    for j, x in enumerate(sub):
        t[start + j] = x.resolve_conj().numpy()


def numpy_available() -> bool:
    """Whether numba (for the compiled kernels) can be imported."""
    try:
        import numba  # noqa: F401
    except ImportError:  # pragma: no cover - numba is a dependency
        return False
    return True


TORCH = SiteUpdates()
NUMPY: SiteUpdates | None = NumpySiteUpdates() if numpy_available() else None
