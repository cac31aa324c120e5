r"""Decompositions behind the MPS: truncated SVD splits and QR gauge moves, safe under autograd.

torch's own SVD backward divides by :math:`s_j^2 - s_i^2` and by :math:`s_i`, which is infinite
for the degenerate or vanishing singular values that circuits produce all the time (a Bell pair
has two equal ones). :class:`StableSVD` uses the same formula with Lorentzian broadening,
:math:`F_{ij} = E_{ij} / (E_{ij}^2 + \epsilon)` with :math:`E_{ij} = s_j^2 - s_i^2`, the standard
remedy in differentiable tensor networks (Liao et al., PRX 9, 031041, 2019). Gradients of
gauge-invariant quantities (expectation values, overlaps, fidelities) are then exact up to
:math:`O(\epsilon)`. It is used only when the input requires a gradient.

Truncation convention (documented for every simulator in qtwin): the smallest singular values
are dropped while their summed squared weight, relative to the total, stays ``<= cutoff``; at
most ``max_bond`` are kept; values below the numerical rank (``eps * max(m, n) * s_max``) are
always dropped. The kept values are rescaled so the norm is unchanged, and the relative
discarded weight is returned.
"""

from __future__ import annotations

import numpy as np
import torch

__all__ = ["StableSVD", "svd", "truncated_svd", "split", "qr_right", "qr_left"]

_BROADENING = 1e-24


class StableSVD(torch.autograd.Function):
    """Reduced SVD ``A = U diag(S) Vh`` with a broadened, degeneracy-safe backward pass."""

    @staticmethod
    def forward(a: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:  # type: ignore[override]
        return _raw_svd(a)

    @staticmethod
    def setup_context(ctx, inputs, output):  # type: ignore[no-untyped-def]
        u, s, vh = output
        ctx.save_for_backward(u, s, vh)

    @staticmethod
    def backward(ctx, gu, gs, gvh):  # type: ignore[no-untyped-def,override]
        u, s, vh = ctx.saved_tensors
        eps = _BROADENING if s.dtype == torch.float64 else 1e-12
        v = vh.mH
        s2 = s * s
        # inner_ij = F_ij (J_ij s_j + s_i K_ij) with F_ij = 1 / (s_j^2 - s_i^2), J and K the
        # anti-Hermitian parts of U^H gU and V^H gV, written as
        #   (J + K)_ij / (2 (s_j - s_i)) + (J - K)_ij / (2 (s_j + s_i)):
        # only the first factor is singular for degenerate values, so only it is broadened
        # (the second carries the gradient through a degenerate pair, e.g. a Bell pair)
        diff = s.unsqueeze(-2) - s.unsqueeze(-1)  # diff[i, j] = s_j - s_i
        summ = s.unsqueeze(-2) + s.unsqueeze(-1)
        f_minus = diff / (diff * diff + eps)
        f_plus = summ / (summ * summ + eps)
        sinv = s / (s2 + eps)
        inner = torch.zeros(s.shape[-1], s.shape[-1], dtype=u.dtype, device=u.device)
        if gs is not None:
            inner = inner + torch.diag_embed(gs.to(u.dtype))
        uhgu = u.mH @ gu if gu is not None else None
        vhgv = v.mH @ gvh.mH if gvh is not None else None
        j = (uhgu - uhgu.mH) if uhgu is not None else torch.zeros_like(inner)
        k = (vhgv - vhgv.mH) if vhgv is not None else torch.zeros_like(inner)
        inner = inner + f_minus * (j + k) / 2 + f_plus * (j - k) / 2
        ga = u @ inner @ vh
        m, n = u.shape[-2], vh.shape[-1]
        k = s.shape[-1]
        if m > k and gu is not None:
            ga = ga + ((gu - u @ uhgu) * sinv.unsqueeze(-2)) @ vh
        if n > k and gvh is not None:
            ga = ga + u @ (sinv.unsqueeze(-1) * (gvh.mH - v @ vhgv).mH)
        return ga


def _raw_svd(a: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    try:
        return torch.linalg.svd(a, full_matrices=False)
    except RuntimeError:  # gesdd did not converge: fall back to the slower, robust gesvd
        import numpy as np
        import scipy.linalg

        u, s, vh = scipy.linalg.svd(
            a.detach().cpu().numpy(), full_matrices=False, lapack_driver="gesvd"
        )
        to = dict(device=a.device)
        return (
            torch.as_tensor(u, dtype=a.dtype, **to),
            torch.as_tensor(np.ascontiguousarray(s), **to),
            torch.as_tensor(vh, dtype=a.dtype, **to),
        )


def svd(a: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """Reduced SVD; differentiable through :class:`StableSVD` when ``a`` requires grad."""
    if a.requires_grad:
        return StableSVD.apply(a)
    return _raw_svd(a)


def truncation_rank(
    s: torch.Tensor, max_bond: int | None, cutoff: float, shape: tuple[int, ...]
) -> tuple[int, float]:
    """Number of singular values to keep and the relative weight discarded (see module doc)."""
    sv = s.detach().to(torch.float64).cpu().numpy()
    s2 = sv * sv
    total = float(s2.sum())
    if total == 0.0:
        return 1, 0.0
    tail = np.cumsum(s2[::-1])[::-1] / total  # tail[k] = sum_{j >= k} s_j^2 / total
    keep = int(np.count_nonzero(tail > cutoff)) if cutoff > 0 else s2.size
    eps = torch.finfo(s.dtype).eps
    numerical_rank = int(np.count_nonzero(sv > eps * max(shape) * sv[0]))
    keep = max(1, min(keep, numerical_rank))
    if max_bond is not None:
        keep = min(keep, max_bond)
    discarded = float(tail[keep]) if keep < s2.size else 0.0
    return keep, discarded


def truncated_svd(
    a: torch.Tensor, max_bond: int | None = None, cutoff: float = 0.0
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor, float]:
    """Truncated SVD ``a ≈ u diag(s) vh``, norm-preserving; returns ``(u, s, vh, discarded)``."""
    u, s, vh = svd(a)
    keep, discarded = truncation_rank(s, max_bond, cutoff, tuple(a.shape))
    if keep < s.shape[0]:
        u, s, vh = u[:, :keep], s[:keep], vh[:keep]
        if discarded > 0:
            s = s / (1.0 - discarded) ** 0.5
    return u, s, vh, discarded


def split(
    a: torch.Tensor, max_bond: int | None, cutoff: float, absorb: str = "right"
) -> tuple[torch.Tensor, torch.Tensor, float]:
    """Split a matrix ``a ≈ left @ right`` by truncated SVD.

    ``absorb="right"`` leaves ``left`` an isometry (``left^H left = I``) and puts the singular
    values in ``right``; ``absorb="left"`` does the mirror image.
    """
    u, s, vh, discarded = truncated_svd(a, max_bond, cutoff)
    if absorb == "right":
        return u, s.to(vh.dtype).unsqueeze(-1) * vh, discarded
    return u * s.to(u.dtype).unsqueeze(-2), vh, discarded


def qr_right(a: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """``a = q @ r`` with ``q`` an isometry (columns orthonormal)."""
    return torch.linalg.qr(a, mode="reduced")


def qr_left(a: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """``a = l @ q`` with ``q`` a co-isometry (rows orthonormal)."""
    q, r = torch.linalg.qr(a.mH, mode="reduced")
    return r.mH, q.mH
