r"""How a weight matrix (or any tensor) becomes a chain of small sites.

Each axis of length :math:`m` is factored, :math:`m = p_1 p_2 \cdots p_k`, and its index is
written in that mixed radix, most significant digit first:
:math:`i = ((i_1 p_2 + i_2) p_3 + \dots) p_k + i_k`. With ``sites="prime"`` the factors are
the prime factors in ascending order (``384 = 2^7 \cdot 3`` gives seven qubits then a
qutrit); ``sites=d`` asks for a power of ``d``; an explicit list gives the factors per axis.

The digits of all axes are then placed on a chain (the MPS order), chosen by ``ordering``:

* ``"row-major"`` (default): the digits of axis 0 (rows), then axis 1 (columns), and so on.
  The cut between the last row digit and the first column digit is the matrix SVD
  itself (the *row|column cut*), so a rank-:math:`r` matrix has entropy
  :math:`\le \ln r` there;
* ``"column-major"``: the axes in reverse order (columns first), the profile of
  :math:`W^T`;
* ``"interleaved"``: one digit of each axis in turn (``r1 c1 r2 c2 ...``), the
  "quantics" order that groups rows and columns by scale;
* a permutation of ``range(num_sites)``: any order of the digits listed row-major.

Example:
    >>> lay = site_layout((384, 16))
    >>> lay.dims, lay.boundaries
    ((2, 2, 2, 2, 2, 2, 2, 3, 2, 2, 2, 2), (8,))
    >>> site_layout((4, 4), ordering="interleaved").dims
    (2, 2, 2, 2)
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

__all__ = ["ORDERINGS", "SiteLayout", "prime_factors", "site_layout"]

#: named site orderings (see the module docstring)
ORDERINGS = ("row-major", "column-major", "interleaved")


def prime_factors(n: int) -> tuple[int, ...]:
    """Prime factors of ``n >= 1`` in ascending order, with multiplicity (``()`` for 1).

    Example:
        >>> prime_factors(384), prime_factors(1)
        ((2, 2, 2, 2, 2, 2, 2, 3), ())
    """
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 1:
        raise ValueError(f"n must be an integer >= 1, got {n!r}")
    n = int(n)
    out: list[int] = []
    p = 2
    while p * p <= n:
        while n % p == 0:
            out.append(p)
            n //= p
        p += 1
    if n > 1:
        out.append(n)
    return tuple(out)


@dataclass(frozen=True)
class SiteLayout:
    """Where every digit of every axis sits on the chain.

    Attributes:
        shape: the tensor shape.
        axis_dims: the factors of each axis, most significant first.
        perm: chain position ``j`` holds digit ``perm[j]`` of the row-major digit list.
        dims: local dimension of each chain site.
        boundaries: cuts (number of sites on the left) that separate whole groups of axes:
            for a row-major matrix the row|column cut.
    """

    shape: tuple[int, ...]
    axis_dims: tuple[tuple[int, ...], ...]
    perm: tuple[int, ...]
    dims: tuple[int, ...]
    boundaries: tuple[int, ...]

    @property
    def num_sites(self) -> int:
        """Number of sites on the chain."""
        return len(self.dims)

    @property
    def cut_dims(self) -> np.ndarray:
        """Dimension of the left part at every cut ``1 .. num_sites - 1``."""
        return np.cumprod(self.dims[:-1], dtype=float)


def _axis_factors(length: int, spec: Any, axis: int) -> tuple[int, ...]:
    if isinstance(spec, str):
        if spec != "prime":
            raise ValueError(
                f"sites must be 'prime', an integer >= 2 or factors per axis, got {spec!r}"
            )
        return prime_factors(length)
    if isinstance(spec, (int, np.integer)) and not isinstance(spec, bool):
        d = int(spec)
        if d < 2:
            raise ValueError(f"sites must be an integer local dimension >= 2, got {d}")
        out: list[int] = []
        rest = length
        while rest % d == 0:
            out.append(d)
            rest //= d
        if rest != 1:
            raise ValueError(
                f"axis {axis} has length {length}, which cannot be factored into sites of "
                f"dimension {d} (it is not a power of {d}); use sites='prime' or list the factors"
            )
        return tuple(out)
    factors = tuple(int(f) for f in spec)
    if any(f < 2 for f in factors) or int(np.prod(factors, dtype=np.int64)) != length:
        raise ValueError(
            f"sites for axis {axis} must be integers >= 2 whose product is {length}, "
            f"got {list(factors)}"
        )
    return factors


def site_layout(
    shape: Sequence[int],
    *,
    sites: str | int | Sequence[Sequence[int]] = "prime",
    ordering: str | Sequence[int] = "row-major",
) -> SiteLayout:
    """Factor every axis of ``shape`` into sites and order them on a chain.

    Args:
        shape: tensor shape, every length ``>= 1``.
        sites: ``"prime"`` (ascending prime factors), an integer ``d`` (every axis a power
            of ``d``) or one sequence of factors per axis.
        ordering: ``"row-major"``, ``"column-major"``, ``"interleaved"`` or a permutation of
            the row-major digit list (see the module docstring).

    Returns:
        The :class:`SiteLayout`.

    Raises:
        ValueError: an axis cannot be factored as asked, an unknown ordering, or fewer than
            two sites in total (no cut to measure).
    """
    shape = tuple(int(s) for s in shape)
    if not shape or any(s < 1 for s in shape):
        raise ValueError(f"shape must be non-empty with lengths >= 1, got {shape}")
    if isinstance(sites, (str, int, np.integer)):
        specs: list[Any] = [sites] * len(shape)
    else:
        specs = list(sites)
        if len(specs) != len(shape):
            raise ValueError(
                f"sites lists factors for {len(specs)} axes but the shape has {len(shape)}"
            )
    axis_dims = tuple(
        _axis_factors(n, s, a) for a, (n, s) in enumerate(zip(shape, specs, strict=True))
    )
    starts = np.cumsum([0] + [len(f) for f in axis_dims])
    flat = [d for f in axis_dims for d in f]
    total = len(flat)
    if total < 2:
        raise ValueError(
            f"shape {shape} factors into {total} site(s); at least two are needed for a cut"
        )
    groups = [list(range(starts[a], starts[a + 1])) for a in range(len(shape))]
    if isinstance(ordering, str):
        if ordering not in ORDERINGS:
            raise ValueError(
                f"ordering must be one of {list(ORDERINGS)} or a permutation, got {ordering!r}"
            )
        if ordering == "row-major":
            perm = [i for g in groups for i in g]
            order = groups
        elif ordering == "column-major":
            order = groups[::-1]
            perm = [i for g in order for i in g]
        else:
            perm = [g[k] for k in range(max(map(len, groups))) for g in groups if k < len(g)]
            order = []
        boundaries = []
        acc = 0
        for g in order[:-1]:
            acc += len(g)
            if 0 < acc < total:
                boundaries.append(acc)
    else:
        perm = [int(i) for i in ordering]
        if sorted(perm) != list(range(total)):
            raise ValueError(
                f"ordering must be a permutation of range({total}), got {list(ordering)}"
            )
        boundaries = []
    return SiteLayout(
        shape=shape,
        axis_dims=axis_dims,
        perm=tuple(perm),
        dims=tuple(flat[i] for i in perm),
        boundaries=tuple(sorted(set(boundaries))),
    )
