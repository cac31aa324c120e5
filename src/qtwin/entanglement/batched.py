r"""Profiles of many small tensors at once (every head of every layer's attention).

For a stack :math:`W_1, \dots, W_B` of equal shape, the Schmidt spectrum at cut
:math:`\ell` of each :math:`\mathrm{vec}(W_b)/\|W_b\|_F` is the squared singular values of
its :math:`D_\ell \times (N/D_\ell)` reshaping; one batched ``torch.linalg.svdvals`` per cut
gives them for the whole stack. The result agrees with
:func:`~qtwin.entanglement.entanglement_profile` item by item; use it for many small
matrices (attention heads), the single-tensor function for large ones.

Example:
    >>> import numpy as np
    >>> from qtwin.entanglement.profile import entanglement_profile
    >>> stack = np.random.default_rng(0).random((3, 8, 8))
    >>> many = entanglement_profiles(stack)
    >>> many.shape, bool(np.allclose(many[1], entanglement_profile(stack[1]).entropies))
    ((3, 5), True)
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import torch

from qtwin.entanglement.profile import TensorLike, _chain, _device, _to_tensor, resolve_base
from qtwin.entanglement.sites import site_layout
from qtwin.tensornet.entropy import check_entropy_args, renyi_entropy

__all__ = ["entanglement_profiles"]


def entanglement_profiles(
    stack: TensorLike,
    *,
    alpha: float = 1.0,
    base: float | str = math.e,
    sites: str | int | Sequence[Sequence[int]] = "prime",
    ordering: str | Sequence[int] = "row-major",
    device: str | torch.device | None = None,
) -> np.ndarray:
    """Entropy profiles of every tensor in ``stack`` (axis 0 indexes the tensors).

    Args:
        stack: array of shape ``(batch, *shape)``.
        alpha: Rényi order (1: von Neumann).
        base: logarithm base (``math.e``/``"nats"``, 2/``"bits"``).
        sites: factoring of each axis of ``shape``.
        ordering: site ordering of ``shape``.
        device: torch device to compute on; the CPU if ``None``.

    Returns:
        ``(batch, num_cuts)`` array of entropies.

    Raises:
        ValueError: non-finite entries, a zero tensor in the stack, or a bad layout.
    """
    b = resolve_base(base)
    check_entropy_args(alpha, b)
    t = _to_tensor(stack, "stack", _device(device), None)
    if t.ndim < 2:
        raise ValueError(f"stack must have shape (batch, *shape), got {tuple(t.shape)}")
    layout = site_layout(tuple(t.shape[1:]), sites=sites, ordering=ordering)
    norms = torch.linalg.vector_norm(t.reshape(t.shape[0], -1), dim=1)
    if bool((norms == 0).any()):
        raise ValueError("stack holds a zero tensor: vec(W)/||W||_F is undefined")
    chain = torch.stack([_chain(x, layout) for x in t / norms.reshape(-1, *[1] * (t.ndim - 1))])
    total = int(np.prod(layout.dims, dtype=np.int64))
    out = np.empty((t.shape[0], layout.num_sites - 1))
    for c in range(1, layout.num_sites):
        left = int(np.prod(layout.dims[:c], dtype=np.int64))
        s = torch.linalg.svdvals(chain.reshape(t.shape[0], left, total // left))
        p = (s.to(torch.float64) ** 2).cpu().numpy()
        for k in range(t.shape[0]):
            out[k, c - 1] = renyi_entropy(p[k] / p[k].sum(), alpha, b)
    return out
