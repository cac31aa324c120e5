r"""Random-matrix baselines for entanglement profiles: Page curve, random low rank, attention.

**Page curve.** A Haar-random pure state on :math:`\mathbb{C}^m \otimes \mathbb{C}^n`,
:math:`m \le n`, has mean entanglement entropy (Page 1993; proved by Foong–Kanno,
Sánchez-Ruiz, Sen)

.. math::

    \langle S \rangle = \sum_{k=n+1}^{mn} \frac{1}{k} - \frac{m-1}{2n}
    = \psi(mn + 1) - \psi(n + 1) - \frac{m-1}{2n} \approx \ln m - \frac{m}{2n},

with :math:`\psi` the digamma function. A matrix with i.i.d. complex Gaussian entries,
normalized, *is* such a state, so :func:`page_curve` (the formula at every cut) is the
volume-law reference for any profile. A real Gaussian matrix agrees at leading order
(Marchenko–Pastur) and sits slightly below at finite size (about 0.06 nats for
:math:`m = n = 4`, 0.04 for :math:`m = n = 8`); :func:`gaussian_profile` samples either.

**Random low rank.** :math:`\Delta W = BA` with Gaussian :math:`B` (:math:`m\times r`) and
:math:`A` (:math:`r \times n`): the LoRA null model, a Page-like rise from both ends with a
valley of depth about :math:`\ln r` at the row|column cut.

**Random attention.** :math:`\mathrm{softmax}(QK^T/\sqrt{d} + \text{mask})` with Gaussian
:math:`Q, K \in \mathbb{R}^{T \times d}`; causal (lower triangular) by default. Its profile
is volume-like: an area law in measured attention is a property of training.

Example:
    >>> round(page_entropy(2, 2), 12) == round(1/3 + 1/4 - 1/4, 12)
    True
    >>> page_curve((4, 4), base=2).round(3).tolist()
    [0.866, 1.331, 0.866]
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np
import torch

from qtwin._validation import as_generator, check_positive_int
from qtwin.entanglement.profile import entanglement_profile, resolve_base
from qtwin.entanglement.sites import site_layout

__all__ = [
    "page_entropy",
    "page_curve",
    "gaussian_profile",
    "random_low_rank_profile",
    "random_attention",
    "random_attention_profile",
]


def page_entropy(m: int, n: int, base: float | str = math.e) -> float:
    r"""Page's mean entanglement entropy of a random state on :math:`m \times n` dimensions.

    Args:
        m: dimension of one part, ``>= 1``.
        n: dimension of the other part, ``>= 1`` (the formula is symmetric).
        base: logarithm base (``math.e``/``"nats"`` or 2/``"bits"``).

    Returns:
        :math:`\psi(mn+1) - \psi(n+1) - (m-1)/(2n)` for :math:`m \le n`, in ``base``.
    """
    from scipy.special import digamma

    m = check_positive_int(m, "m")
    n = check_positive_int(n, "n")
    m, n = min(m, n), max(m, n)
    s = float(digamma(m * n + 1) - digamma(n + 1)) - (m - 1) / (2 * n)
    return max(0.0, s) / math.log(resolve_base(base))


def page_curve(
    shape: Sequence[int],
    *,
    sites: str | int | Sequence[Sequence[int]] = "prime",
    ordering: str | Sequence[int] = "row-major",
    base: float | str = math.e,
) -> np.ndarray:
    """:func:`page_entropy` at every cut of the chain that ``shape`` factors into.

    Args:
        shape: tensor shape (e.g. a weight matrix's).
        sites: factoring of each axis (see :func:`qtwin.entanglement.sites.site_layout`).
        ordering: site ordering, as in :func:`~qtwin.entanglement.entanglement_profile`.
        base: logarithm base.
    """
    dims = site_layout(shape, sites=sites, ordering=ordering).dims
    total = int(np.prod(dims, dtype=np.int64))
    left = np.cumprod(dims[:-1], dtype=np.int64)
    return np.array([page_entropy(int(d), total // int(d), base) for d in left])


def _stats(profiles: list[np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    arr = np.stack(profiles)
    return arr.mean(axis=0), arr.std(axis=0)


def gaussian_profile(
    shape: Sequence[int],
    *,
    samples: int = 4,
    complex_entries: bool = False,
    seed: int | np.random.Generator | None = None,
    **profile_kwargs: Any,
) -> tuple[np.ndarray, np.ndarray]:
    """Mean and standard deviation of the profiles of i.i.d. Gaussian tensors of ``shape``.

    Args:
        shape: tensor shape.
        samples: number of Gaussian draws, ``>= 1``.
        complex_entries: complex Gaussian (exactly Page's ensemble) instead of real.
        seed: int or numpy ``Generator``.
        **profile_kwargs: passed to :func:`~qtwin.entanglement.entanglement_profile`.

    Example:
        >>> mean, std = gaussian_profile((8, 8), samples=2, seed=0, complex_entries=True)
        >>> mean.shape
        (5,)
    """
    samples = check_positive_int(samples, "samples")
    rng = as_generator(seed)
    shape = tuple(int(s) for s in shape)
    out = []
    for _ in range(samples):
        w = rng.normal(size=shape)
        if complex_entries:
            w = w + 1j * rng.normal(size=shape)
        out.append(entanglement_profile(w, **profile_kwargs).entropies)
    return _stats(out)


def random_low_rank_profile(
    shape: Sequence[int],
    rank: int,
    *,
    samples: int = 4,
    seed: int | np.random.Generator | None = None,
    **profile_kwargs: Any,
) -> tuple[np.ndarray, np.ndarray]:
    """Mean and standard deviation of the profiles of ``B @ A`` with Gaussian factors.

    Computed from the factors (``entanglement_profile((B, A))``), so large shapes are cheap.

    Args:
        shape: ``(m, n)`` of the product.
        rank: inner dimension ``r >= 1``.
        samples: number of draws.
        seed: int or numpy ``Generator``.
        **profile_kwargs: passed to :func:`~qtwin.entanglement.entanglement_profile`.

    Example:
        >>> mean, _ = random_low_rank_profile((16, 16), 1, samples=1, seed=0)
        >>> float(mean[3])  # rank one: a product state across the row|column cut
        0.0
    """
    m, n = (check_positive_int(int(s), "shape entries") for s in shape)
    rank = check_positive_int(rank, "rank")
    samples = check_positive_int(samples, "samples")
    rng = as_generator(seed)
    out = []
    for _ in range(samples):
        b, a = rng.normal(size=(m, rank)), rng.normal(size=(rank, n))
        out.append(entanglement_profile((b, a), **profile_kwargs).entropies)
    return _stats(out)


def random_attention(
    tokens: int,
    *,
    head_dim: int = 64,
    causal: bool = True,
    seed: int | np.random.Generator | None = None,
) -> np.ndarray:
    r"""A random attention matrix :math:`\mathrm{softmax}(QK^T/\sqrt{d})`, rows summing to 1.

    Args:
        tokens: sequence length ``T >= 2``.
        head_dim: ``d``, columns of the Gaussian :math:`Q` and :math:`K`.
        causal: mask the upper triangle (token ``i`` attends to ``j <= i``).
        seed: int or numpy ``Generator``.

    Example:
        >>> a = random_attention(4, seed=0)
        >>> bool(np.allclose(a.sum(axis=1), 1.0)), float(a[0, 1])
        (True, 0.0)
    """
    tokens = check_positive_int(tokens, "tokens", minimum=2)
    head_dim = check_positive_int(head_dim, "head_dim")
    rng = as_generator(seed)
    q = torch.as_tensor(rng.normal(size=(tokens, head_dim)))
    k = torch.as_tensor(rng.normal(size=(tokens, head_dim)))
    logits = q @ k.T / math.sqrt(head_dim)
    if causal:
        mask = torch.triu(torch.ones(tokens, tokens, dtype=torch.bool), diagonal=1)
        logits = logits.masked_fill(mask, float("-inf"))
    return torch.softmax(logits, dim=-1).numpy()


def random_attention_profile(
    tokens: int,
    *,
    head_dim: int = 64,
    causal: bool = True,
    samples: int = 4,
    seed: int | np.random.Generator | None = None,
    **profile_kwargs: Any,
) -> tuple[np.ndarray, np.ndarray]:
    """Mean and standard deviation of the profiles of :func:`random_attention` matrices.

    Example:
        >>> mean, std = random_attention_profile(16, samples=2, seed=0)
        >>> mean.shape
        (7,)
    """
    samples = check_positive_int(samples, "samples")
    rng = as_generator(seed)
    out = [
        entanglement_profile(
            random_attention(tokens, head_dim=head_dim, causal=causal, seed=rng), **profile_kwargs
        ).entropies
        for _ in range(samples)
    ]
    return _stats(out)
