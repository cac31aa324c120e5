r"""Frame potentials of state and unitary ensembles, and the design test built on them.

For a weighted ensemble of states :math:`\{w_i, |\psi_i\rangle\}` the frame potential is

.. math:: F_t = \sum_{ij} w_i w_j |\langle\psi_i|\psi_j\rangle|^{2t}
          = \Big\| \sum_i w_i (|\psi_i\rangle\langle\psi_i|)^{\otimes t} \Big\|_F^2
          \ge \binom{d+t-1}{t}^{-1},

with equality exactly for a weighted state t-design. For unitaries
:math:`F_t = \sum_{ij} w_i w_j |\operatorname{tr}(U_i^\dagger U_j)|^{2t}
\ge \mathbb{E}_{\mathrm{Haar}}|\operatorname{tr} U|^{2t}`, with equality exactly for a
unitary t-design. For a group the double sum collapses to the character formula
:math:`(1/|G|)\sum_g |\operatorname{tr} g|^{2t}` (:func:`group_frame_potential`).

Two exact evaluations (torch, complex128; on CUDA when asked for with ``device="cuda"``):

* ``"gram"``: the double sum from the Gram matrix in ``block_size x block_size`` tiles,
  upper-triangular tiles only; ``O(N^2 d)`` time, ``O(block_size^2)`` memory;
* ``"moment"``: the squared Frobenius norm of the frame operator
  :math:`\sum_i w_i v_i v_i^\dagger` on :math:`\mathrm{Sym}^t`, with
  :math:`v_i = (\sqrt{t!/a!}\,x_i^a)_a` so that :math:`\langle v_i, v_j\rangle =
  \langle x_i, x_j\rangle^t`; ``O(N D^2)`` time for ``D = binom(d+t-1, t)``, linear in ``N``.

``method="auto"`` picks the cheaper one (the moment form wins for large ``N`` at small ``t``,
e.g. ``N = 20 000``, ``d = 16``, ``t = 2``).

**On a cluster** (``cluster=``, see :mod:`qtwin.distributed`): the ensemble is cut into
blocks that are placed on the workers once. Gram: one unit per row block ``i`` computes
its tiles ``j >= i`` and returns them; the client adds the tiles in the order of the
in-process loop, so the value is bit for bit the ``cluster=None`` value. Moment: one unit
per ``2**16`` rows returns its partial frame operator; the client adds the partial sums in
order (equal to ``cluster=None`` up to rounding, ~1e-16 relative). In both cases the block
partition does not depend on the number of workers, so any cluster (and
``cluster="local"``, the same units in this process) gives identical numbers.
"""

from __future__ import annotations

import itertools
import math
from functools import cache

import numpy as np
import torch
from numpy.typing import ArrayLike

from qtwin._validation import check_choice, check_finite, check_positive_int
from qtwin.designs.haar import haar_frame_potential
from qtwin.distributed import ClusterSpec, map_units, share
from qtwin.distributed import cluster as cluster_session

__all__ = [
    "NORM_TOL",
    "WEIGHT_TOL",
    "frame_potential",
    "group_frame_potential",
    "is_design",
]

#: Largest allowed deviation of a state's norm (or of ``U^† U``) from one.
NORM_TOL = 1e-8
#: Largest allowed deviation of ``sum(weights)`` from one.
WEIGHT_TOL = 1e-8


def _resolve_kind(ndim: int, shape: tuple[int, ...], kind: str) -> str:
    check_choice(kind, "kind", ("auto", "state", "unitary"))
    if kind == "auto":
        if ndim == 2:
            return "state"
        if ndim == 3:
            return "unitary"
        raise ValueError(
            "ensemble must have shape (N, d) for states or (N, d, d) for unitaries, "
            f"got shape {shape}"
        )
    want = 2 if kind == "state" else 3
    if ndim != want:
        form = "(N, d)" if kind == "state" else "(N, d, d)"
        raise ValueError(f"ensemble of kind={kind!r} must have shape {form}, got shape {shape}")
    return kind


def _as_complex_tensor(ensemble: ArrayLike | torch.Tensor) -> torch.Tensor:
    if isinstance(ensemble, torch.Tensor):
        x = ensemble.detach()
        if x.dtype == torch.bool:
            raise TypeError(f"ensemble must hold numbers, got dtype {x.dtype}")
        return x.to(torch.complex128)
    arr = np.asarray(ensemble)
    if arr.dtype.kind not in "iufc":
        raise TypeError(f"ensemble must hold numbers, got dtype {arr.dtype}")
    return torch.as_tensor(arr.astype(np.complex128))


def _check_ensemble(x: torch.Tensor, kind: str) -> None:
    check_finite(x, "ensemble")
    n = x.shape[0]
    if n == 0:
        raise ValueError("ensemble must hold at least one element, got N = 0")
    if kind == "state":
        d = x.shape[1]
        if d < 2:
            raise ValueError(f"states must have dimension d >= 2, got shape {tuple(x.shape)}")
        err = float((torch.linalg.vector_norm(x, dim=1) - 1).abs().max())
        if err > NORM_TOL:
            raise ValueError(
                f"states must be normalized: max | ||psi|| - 1 | = {err:.3g} "
                f"exceeds the tolerance {NORM_TOL:g}"
            )
    else:
        d = x.shape[1]
        if x.shape[2] != d or d < 2:
            raise ValueError(
                f"unitaries must have shape (N, d, d) with d >= 2, got shape {tuple(x.shape)}"
            )
        eye = torch.eye(d, dtype=x.dtype, device=x.device)
        err = float((x.mH @ x - eye).abs().max())
        if err > NORM_TOL:
            raise ValueError(
                f"ensemble elements must be unitary: max |U^dagger U - I| = {err:.3g} "
                f"exceeds the tolerance {NORM_TOL:g}"
            )


def _check_weights(weights: ArrayLike | None, n: int) -> np.ndarray | None:
    if weights is None:
        return None
    w = np.asarray(weights)
    if w.dtype.kind not in "iuf":
        raise TypeError(f"weights must be real numbers, got dtype {w.dtype}")
    w = w.astype(np.float64)
    if w.shape != (n,):
        raise ValueError(f"weights must have shape ({n},) to match the ensemble, got {w.shape}")
    check_finite(w, "weights")
    if np.any(w < 0):
        raise ValueError(f"weights must be non-negative, got min(weights) = {w.min():.3g}")
    total = float(w.sum())
    if abs(total - 1.0) > WEIGHT_TOL:
        raise ValueError(
            f"weights must sum to 1 (tolerance {WEIGHT_TOL:g}), got sum(weights) = {total!r}"
        )
    return w


def _pick_device(device: str | torch.device | None) -> torch.device:
    if device is None:  # qtwin's one rule (qtwin._typing): None is the CPU
        return torch.device("cpu")
    dev = torch.device(device)
    if dev.type == "cuda" and not torch.cuda.is_available():
        raise ValueError(f"device={str(device)!r} was asked for but CUDA is not available")
    return dev


def _blocked_potential(vecs: torch.Tensor, w: torch.Tensor, t: int, block_size: int) -> float:
    """``sum_ij w_i w_j |<v_i|v_j>|^(2t)`` over upper-triangular Gram tiles."""
    n = vecs.shape[0]
    total = torch.zeros((), dtype=torch.float64, device=vecs.device)
    conj = vecs.conj()
    for i0 in range(0, n, block_size):
        i1 = min(i0 + block_size, n)
        a = conj[i0:i1]
        wi = w[i0:i1]
        for j0 in range(i0, n, block_size):
            j1 = min(j0 + block_size, n)
            g = a @ vecs[j0:j1].T
            p = g.real.square()
            p.addcmul_(g.imag, g.imag)
            p.pow_(t)
            tile = wi @ (p @ w[j0:j1])
            total = total + (tile if j0 == i0 else 2.0 * tile)
    return float(total.cpu())


@cache
def _sym_index(dim: int, t: int) -> tuple[np.ndarray, np.ndarray]:
    """Multisets of ``t`` indices of ``range(dim)`` and the factors ``sqrt(t!/a!)``."""
    combos = list(itertools.combinations_with_replacement(range(dim), t))
    coef = [
        math.sqrt(math.factorial(t) / math.prod(math.factorial(c.count(k)) for k in set(c)))
        for c in combos
    ]
    return np.array(combos, dtype=np.int64), np.array(coef)


def _moment_potential(vecs: torch.Tensor, w: torch.Tensor, t: int, block_size: int) -> float:
    """``|| sum_i w_i v_i v_i^† ||_F^2`` with ``v_i`` the ``Sym^t`` coordinates of ``x_i``."""
    idx_np, coef_np = _sym_index(vecs.shape[1], t)
    idx = torch.as_tensor(idx_np, device=vecs.device)
    coef = torch.as_tensor(coef_np, dtype=torch.float64, device=vecs.device)
    dim = len(coef_np)
    moment = torch.zeros((dim, dim), dtype=torch.complex128, device=vecs.device)
    rows = max(1, min(block_size, (1 << 24) // max(1, dim * t)))
    for i0 in range(0, vecs.shape[0], rows):
        v = vecs[i0 : i0 + rows][:, idx].prod(dim=2) * coef  # (b, D)
        moment += (v * w[i0 : i0 + rows, None]).T @ v.conj()
    return float((moment.real.square() + moment.imag.square()).sum().cpu())


#: Rows of the ensemble per unit of the moment method on a cluster.
MOMENT_UNIT_ROWS = 1 << 16


def _gram_row_unit(item: tuple, seed: object = None) -> list[float]:
    """Tiles ``j >= i`` of row block ``i``: ``w_i^T |A_i^* A_j^T|^(2t) w_j`` in loop order."""
    blocks, weights, t, device = item
    dev = _pick_device(device)
    a = torch.as_tensor(blocks[0], device=dev).conj()
    wi = torch.as_tensor(weights[0], device=dev)
    out = []
    for b, wj in zip(blocks, weights, strict=True):
        g = a @ torch.as_tensor(b, device=dev).T
        p = g.real.square()
        p.addcmul_(g.imag, g.imag)
        p.pow_(t)
        out.append(float((wi @ (p @ torch.as_tensor(wj, device=dev))).cpu()))
    return out


def _moment_unit(item: tuple, seed: object = None) -> np.ndarray:
    """Partial frame operator of one block of rows, chunked as in :func:`_moment_potential`."""
    block, weights, t, block_size, device = item
    dev = _pick_device(device)
    vecs = torch.as_tensor(block, device=dev)
    w = torch.as_tensor(weights, device=dev)
    idx_np, coef_np = _sym_index(vecs.shape[1], t)
    idx = torch.as_tensor(idx_np, device=dev)
    coef = torch.as_tensor(coef_np, dtype=torch.float64, device=dev)
    dim = len(coef_np)
    moment = torch.zeros((dim, dim), dtype=torch.complex128, device=dev)
    rows = max(1, min(block_size, (1 << 24) // max(1, dim * t)))
    for i0 in range(0, vecs.shape[0], rows):
        v = vecs[i0 : i0 + rows][:, idx].prod(dim=2) * coef
        moment += (v * w[i0 : i0 + rows, None]).T @ v.conj()
    return moment.cpu().numpy()


def _cluster_potential(
    vecs: torch.Tensor,
    w: torch.Tensor,
    t: int,
    block_size: int,
    method: str,
    device: str | torch.device | None,
    cluster: ClusterSpec,
) -> float:
    """The Gram or moment sum as units of :func:`qtwin.distributed.map_units`."""
    x = vecs.cpu().numpy()
    wn = w.cpu().numpy()
    dev = None if device is None else str(device)
    n = x.shape[0]
    with cluster_session(cluster) as client:
        if method == "moment":
            step = max(block_size, MOMENT_UNIT_ROWS // block_size * block_size)
            items = [
                (
                    share(x[i : i + step], client),
                    share(wn[i : i + step], client),
                    t,
                    block_size,
                    dev,
                )
                for i in range(0, n, step)
            ]
            parts = map_units(_moment_unit, items, cluster=client, key="frame-moment")
            moment = np.zeros_like(parts[0])
            for part in parts:
                moment += part
            m = torch.as_tensor(moment)
            return float((m.real.square() + m.imag.square()).sum())
        starts = range(0, n, block_size)
        xb = [share(x[i : i + block_size], client) for i in starts]
        wb = [share(wn[i : i + block_size], client) for i in starts]
        items = [(xb[k:], wb[k:], t, dev) for k in range(len(xb))]
        rows = map_units(_gram_row_unit, items, cluster=client, key="frame-gram")
    total = 0.0
    for tiles in rows:
        for j, tile in enumerate(tiles):
            total = total + (tile if j == 0 else 2.0 * tile)
    return float(total)


def _pick_method(method: str, n: int, dim: int, t: int) -> str:
    check_choice(method, "method", ("auto", "gram", "moment"))
    if method != "auto":
        return method
    sym = math.comb(dim + t - 1, t)
    if sym > 4096:
        return "gram"
    # unit: one complex multiply-add; a Gram entry also costs ~64 units of memory-bound work
    return "moment" if n * sym * sym < 0.5 * n * n * (dim + 64) else "gram"


def frame_potential(
    ensemble: ArrayLike | torch.Tensor,
    t: int,
    weights: ArrayLike | None = None,
    *,
    kind: str = "auto",
    block_size: int = 4096,
    device: str | torch.device | None = None,
    method: str = "auto",
    cluster: ClusterSpec = None,
) -> float:
    r"""Frame potential :math:`F_t = \sum_{ij} w_i w_j |\langle x_i, x_j\rangle|^{2t}`.

    For states :math:`\langle x_i, x_j\rangle = \langle\psi_i|\psi_j\rangle`; for
    unitaries it is :math:`\operatorname{tr}(U_i^\dagger U_j)`. An ensemble is a
    (weighted) t-design exactly when :math:`F_t` equals :func:`haar_frame_potential`.

    Args:
        ensemble: ``(N, d)`` normalized states or ``(N, d, d)`` unitaries (numpy or torch).
        t: moment order, ``t >= 1``.
        weights: ``(N,)`` non-negative, summing to 1; uniform ``1/N`` when omitted.
        kind: ``"auto"`` (from the number of axes), ``"state"`` or ``"unitary"``.
        block_size: Gram rows/columns per tile (memory ``~ 24 * block_size**2`` bytes).
        device: torch device; ``None`` is the CPU (pass ``"cuda"`` for a GPU).
        method: ``"gram"`` (blocked Gram matrix, ``O(N^2 d)``), ``"moment"`` (the frame
            operator :math:`\sum_i w_i v_i v_i^\dagger` on :math:`\mathrm{Sym}^t`, whose squared
            Frobenius norm is :math:`F_t`; ``O(N D^2)`` with ``D = binom(d+t-1, t)``, ``d``
            the vector length, ``d^2`` for unitaries) or ``"auto"`` (the cheaper by that count;
            Gram whenever ``D > 4096``).
        cluster: ``None`` (default): the in-process loop; otherwise a cluster spec or
            client (:mod:`qtwin.distributed`; ``"local"`` runs the same units in this
            process): Gram row blocks or moment blocks of ``2**16`` rows as units on the
            workers (see the module docstring for the exact equalities).

    Returns:
        ``F_t`` as a float, computed in float64/complex128.

    Raises:
        ValueError: wrong shape, unnormalized states or non-unitary matrices (beyond
            :data:`NORM_TOL`), negative weights or weights not summing to 1 (beyond
            :data:`WEIGHT_TOL`), ``t < 1``.

    Example:
        >>> import numpy as np
        >>> mub = np.array([[1, 0], [0, 1], [1, 1], [1, -1], [1, 1j], [1, -1j]]) / np.sqrt(
        ...     [1, 1, 2, 2, 2, 2])[:, None]
        >>> round(frame_potential(mub, 3), 12)  # the qubit octahedron: a 3-design, 1/4
        0.25
    """
    t = check_positive_int(t, "t", minimum=1)
    block_size = check_positive_int(block_size, "block_size", minimum=1)
    x = _as_complex_tensor(ensemble)
    kind = _resolve_kind(x.ndim, tuple(x.shape), kind)
    _check_ensemble(x, kind)
    w_np = _check_weights(weights, x.shape[0])
    dev = _pick_device(device)
    vecs = x.reshape(x.shape[0], -1).to(dev)
    n = vecs.shape[0]
    if w_np is None:
        w = torch.full((n,), 1.0 / n, dtype=torch.float64, device=dev)
    else:
        w = torch.as_tensor(w_np, dtype=torch.float64, device=dev)
    picked = _pick_method(method, n, vecs.shape[1], t)
    if cluster is not None:
        return _cluster_potential(vecs, w, t, block_size, picked, device, cluster)
    if picked == "moment":
        return _moment_potential(vecs, w, t, block_size)
    return _blocked_potential(vecs, w, t, block_size)


def group_frame_potential(unitaries: ArrayLike | torch.Tensor, t: int) -> float:
    r"""Character formula :math:`F_t = \frac{1}{|G|}\sum_{g \in G} |\operatorname{tr} g|^{2t}`.

    Valid when the ``N`` unitaries form a group modulo phases (for example a projective
    group listed once per phase class): then
    :math:`\operatorname{tr}(U_i^\dagger U_j)` runs over the traces of the group once per
    ``i`` and the double sum of :func:`frame_potential` collapses to this ``O(N d)`` sum.
    Closure is not checked here (it costs ``N^2`` products); a test against
    :func:`frame_potential` does.

    Args:
        unitaries: ``(N, d, d)`` unitaries, one representative per group element.
        t: moment order, ``t >= 1``.

    Example:
        >>> import numpy as np
        >>> paulis = np.array([np.eye(2), [[0, 1], [1, 0]], [[0, -1j], [1j, 0]], np.diag([1, -1])])
        >>> group_frame_potential(paulis, 1), group_frame_potential(paulis, 2)  # 1-design only
        (1.0, 4.0)
    """
    t = check_positive_int(t, "t", minimum=1)
    x = _as_complex_tensor(unitaries)
    _resolve_kind(x.ndim, tuple(x.shape), "unitary")
    _check_ensemble(x, "unitary")
    tr = torch.diagonal(x, dim1=-2, dim2=-1).sum(-1)
    return float((tr.real.square() + tr.imag.square()).pow(t).mean())


def is_design(
    ensemble: ArrayLike | torch.Tensor,
    t: int,
    weights: ArrayLike | None = None,
    *,
    kind: str = "auto",
    tol: float = 1e-10,
    group: bool = False,
    block_size: int = 4096,
    device: str | torch.device | None = None,
    method: str = "auto",
    cluster: ClusterSpec = None,
) -> bool:
    r"""Whether the ensemble is a (weighted) state or unitary t-design.

    Tests :math:`|F_t - F_t^{\mathrm{Haar}}| \le \mathrm{tol} \cdot \max(1, F_t^{\mathrm{Haar}})`
    (relative for the unitary values, which grow like ``t!``). Since
    :math:`F_t \ge F_t^{\mathrm{Haar}}` with equality only for designs, this is exact up to
    ``tol``.

    Args:
        ensemble: ``(N, d)`` states or ``(N, d, d)`` unitaries.
        t: moment order, ``t >= 1``.
        weights: optional weights (see :func:`frame_potential`); not allowed with ``group``.
        kind: ``"auto"``, ``"state"`` or ``"unitary"``.
        tol: tolerance, ``>= 0``.
        group: use :func:`group_frame_potential` (unitaries forming a group mod phases).
        block_size, device, method, cluster: passed to :func:`frame_potential`.

    Example:
        >>> import numpy as np
        >>> paulis = np.array([np.eye(2), [[0, 1], [1, 0]], [[0, -1j], [1j, 0]], np.diag([1, -1])])
        >>> is_design(paulis, 1, group=True), is_design(paulis, 2, group=True)
        (True, False)
    """
    t = check_positive_int(t, "t", minimum=1)
    if not (isinstance(tol, (int, float)) and tol >= 0):
        raise ValueError(f"tol must be a non-negative number, got {tol!r}")
    if group:
        if weights is not None:
            raise ValueError("weights cannot be given with group=True (a group is uniform)")
        if kind == "state":
            raise ValueError("group=True needs unitaries, got kind='state'")
        f = group_frame_potential(ensemble, t)
        d = int(np.shape(ensemble)[-1])
        haar = haar_frame_potential(d, t, "unitary")
    else:
        x = _as_complex_tensor(ensemble)
        kind = _resolve_kind(x.ndim, tuple(x.shape), kind)
        f = frame_potential(
            x,
            t,
            weights,
            kind=kind,
            block_size=block_size,
            device=device,
            method=method,
            cluster=cluster,
        )
        haar = haar_frame_potential(int(x.shape[-1]), t, kind)
    return abs(f - haar) <= tol * max(1.0, haar)
