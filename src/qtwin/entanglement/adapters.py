r"""MPS adaptation: a LoRA-like update whose down-projection is a matrix product state.

LoRA adds :math:`\Delta W = (\alpha/r) B A` to a frozen linear layer, with :math:`B`
(:math:`d_\text{out} \times r`, zero at start) and :math:`A` (:math:`r \times d_\text{in}`)
trainable. MPS adaptation (arXiv:2601.06788, §IX) keeps :math:`B` and writes :math:`A` as
an MPS over a factoring :math:`d_\text{in} = d_1 d_2 \cdots d_K` with bond :math:`\chi`:

.. math::

    A[k, (i_1, \dots, i_K)] = \sum_{a_1 \dots a_{K-1}}
        G_1[k, i_1, a_1]\, G_2[a_1, i_2, a_2] \cdots G_K[a_{K-1}, i_K].

Parameters: :math:`d_\text{out} r + r d_1 \chi + \sum_{1<j<K} \chi^2 d_j + \chi d_K`
against LoRA's :math:`r (d_\text{in} + d_\text{out})`. For :math:`d_\text{in} = d_\text{out}
= 4096`, :math:`r = 256`, :math:`\chi = 32`, :math:`d_1 = d_2 = 64`: 1,574,912 against
2,097,152. The forward pass contracts :math:`x` with the cores one at a time and never
forms :math:`A`.

Example:
    >>> import torch
    >>> layer = MPSAdapter(torch.nn.Linear(384, 384), rank=8, alpha=16, chi=4)
    >>> layer.in_factors, layer.num_adapter_parameters
    ((16, 24), 3680)
    >>> mps_adapter_parameter_count(4096, 4096, 256, 32, (64, 64))
    1574912
    >>> lora_parameter_count(4096, 4096, 256)
    2097152
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence

import numpy as np
import torch
from torch import nn

from qtwin._validation import as_generator, check_nonnegative_float, check_positive_int

__all__ = [
    "MPSAdapter",
    "apply_mps_adaptation",
    "lora_parameter_count",
    "mps_adapter_parameter_count",
    "default_factors",
]


def lora_parameter_count(d_out: int, d_in: int, rank: int) -> int:
    """Trainable parameters of a LoRA update: ``rank * (d_in + d_out)``."""
    return check_positive_int(rank, "rank") * (
        check_positive_int(d_in, "d_in") + check_positive_int(d_out, "d_out")
    )


def mps_adapter_parameter_count(
    d_out: int, d_in: int, rank: int, chi: int, in_factors: Sequence[int] | None = None
) -> int:
    """Trainable parameters of :class:`MPSAdapter` (see the module docstring)."""
    factors = _check_factors(d_in, in_factors)
    rank = check_positive_int(rank, "rank")
    chi = check_positive_int(chi, "chi")
    d_out = check_positive_int(d_out, "d_out")
    mids = sum(chi * chi * d for d in factors[1:-1])
    return d_out * rank + rank * factors[0] * chi + mids + chi * factors[-1]


def default_factors(d_in: int) -> tuple[int, int]:
    r"""Two factors :math:`d_1 d_2 = d_\text{in}` with :math:`d_1` the largest divisor
    :math:`\le \sqrt{d_\text{in}}`.

    Example:
        >>> default_factors(4096), default_factors(384)
        ((64, 64), (16, 24))
    """
    d_in = check_positive_int(d_in, "d_in", minimum=4)
    divisors = [d for d in range(2, math.isqrt(d_in) + 1) if d_in % d == 0]
    if not divisors:
        raise ValueError(f"d_in = {d_in} is prime and cannot be split into MPS cores")
    d1 = divisors[-1]
    return d1, d_in // d1


def _check_factors(d_in: int, factors: Sequence[int] | None) -> tuple[int, ...]:
    if factors is None:
        return default_factors(d_in)
    out = tuple(int(f) for f in factors)
    if len(out) < 2 or any(f < 2 for f in out) or int(np.prod(out)) != d_in:
        raise ValueError(
            f"in_factors must be >= 2 integers >= 2 whose product is d_in = {d_in}, got {list(out)}"
        )
    return out


class MPSAdapter(nn.Module):
    r"""A frozen ``nn.Linear`` plus :math:`(\alpha/r) B A_\text{MPS}` (drop-in for LoRA).

    Args:
        base: the linear layer to adapt (its weights are frozen).
        rank: ``r``, columns of ``B`` and rows of ``A``.
        alpha: LoRA scale numerator; the update is scaled by ``alpha / rank``.
        chi: bond dimension of the MPS cores.
        in_factors: factoring of ``base.in_features`` into ``>= 2`` sites;
            :func:`default_factors` if omitted.
        seed: int or numpy ``Generator`` for the core initialization.

    ``B`` starts at zero (so the adapted layer equals ``base`` at first) and the cores are
    Gaussian, scaled so that the entries of :math:`A` have LoRA's initial variance
    :math:`1/(3 d_\text{in})`.
    """

    def __init__(
        self,
        base: nn.Linear,
        rank: int = 8,
        alpha: float = 16.0,
        chi: int = 4,
        in_factors: Sequence[int] | None = None,
        seed: int | np.random.Generator | None = None,
    ) -> None:
        super().__init__()
        if not isinstance(base, nn.Linear):
            raise TypeError(f"base must be a torch.nn.Linear, got {type(base).__name__}")
        self.rank = check_positive_int(rank, "rank")
        self.chi = check_positive_int(chi, "chi")
        self.alpha = check_nonnegative_float(alpha, "alpha")
        self.in_factors = _check_factors(base.in_features, in_factors)
        self.base = base
        for p in self.base.parameters():
            p.requires_grad_(False)
        rng = as_generator(seed)
        w = base.weight
        k = len(self.in_factors)
        shapes = (
            [(self.rank, self.in_factors[0], self.chi)]
            + [(self.chi, d, self.chi) for d in self.in_factors[1:-1]]
            + [(self.chi, self.in_factors[-1])]
        )
        # var(A) = chi^(K-1) * prod(var_j); put 1/chi on every core but the last
        var_last = 1.0 / (3.0 * base.in_features)
        cores = []
        for j, shape in enumerate(shapes):
            std = math.sqrt(var_last) if j == k - 1 else math.sqrt(1.0 / self.chi)
            cores.append(
                nn.Parameter(
                    torch.as_tensor(
                        rng.normal(0.0, std, size=shape), dtype=w.dtype, device=w.device
                    )
                )
            )
        self.cores = nn.ParameterList(cores)
        self.lora_B = nn.Parameter(
            torch.zeros(base.out_features, self.rank, dtype=w.dtype, device=w.device)
        )

    @property
    def scaling(self) -> float:
        """The factor ``alpha / rank``."""
        return self.alpha / self.rank

    @property
    def num_adapter_parameters(self) -> int:
        """Trainable parameters (``B`` and the cores)."""
        return sum(p.numel() for p in [self.lora_B, *self.cores])

    def mps_matrix(self) -> torch.Tensor:
        r""":math:`A_\text{MPS}` as a dense ``rank x in_features`` matrix."""
        a = self.cores[-1]  # (chi, d_K)
        for core in reversed(list(self.cores)[1:-1]):  # (chi, d, chi) @ (chi, rest)
            a = torch.tensordot(core, a, dims=1).reshape(core.shape[0], -1)
        return torch.tensordot(self.cores[0], a, dims=1).reshape(self.rank, -1)

    def delta_factors(self) -> tuple[torch.Tensor, torch.Tensor]:
        r"""``(scaling * B, A_MPS)`` whose product is :math:`\Delta W` (for factored profiles)."""
        with torch.no_grad():
            return self.scaling * self.lora_B.detach().clone(), self.mps_matrix().detach()

    def delta_weight(self) -> torch.Tensor:
        r"""The dense update :math:`\Delta W = (\alpha/r) B A_\text{MPS}`."""
        b, a = self.delta_factors()
        return b @ a

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """``base(x) + scaling * (x A^T) B^T``, contracting ``x`` with the cores in turn."""
        lead = x.shape[:-1]
        y = x.reshape(*lead, *self.in_factors)
        y = torch.tensordot(y, self.cores[-1], dims=([y.ndim - 1], [1]))  # (..., d1..d_{K-1}, chi)
        for core in reversed(list(self.cores)[1:-1]):  # contract (d_j, chi_right)
            y = torch.tensordot(y, core, dims=([y.ndim - 2, y.ndim - 1], [1, 2]))
        y = torch.tensordot(y, self.cores[0], dims=([y.ndim - 2, y.ndim - 1], [1, 2]))
        return self.base(x) + self.scaling * (y @ self.lora_B.mT)


def apply_mps_adaptation(
    model: nn.Module,
    target_modules: Iterable[str] = ("query", "value"),
    *,
    rank: int = 8,
    alpha: float = 16.0,
    chi: int = 4,
    in_factors: Sequence[int] | None = None,
    seed: int | np.random.Generator | None = None,
) -> dict[str, MPSAdapter]:
    """Replace every ``nn.Linear`` whose name ends with a target by an :class:`MPSAdapter`.

    All other parameters of ``model`` are frozen (as peft does for LoRA). In place.

    Args:
        model: any torch module (e.g. a transformers ``BertModel``).
        target_modules: attribute names to adapt (``"query"``, ``"value"``, ``"q_proj"``...).
        rank: ``r`` of every adapter.
        alpha: scale numerator.
        chi: MPS bond dimension.
        in_factors: factoring of the input dimension; default :func:`default_factors`.
        seed: int or numpy ``Generator``.

    Returns:
        The adapters by qualified module name.

    Raises:
        ValueError: no module matches ``target_modules``.
    """
    targets = tuple(target_modules)
    rng = as_generator(seed)
    for p in model.parameters():
        p.requires_grad_(False)
    found: dict[str, MPSAdapter] = {}
    for name, module in list(model.named_modules()):
        for child_name, child in list(module.named_children()):
            if child_name in targets and isinstance(child, nn.Linear):
                adapter = MPSAdapter(child, rank, alpha, chi, in_factors, seed=rng)
                setattr(module, child_name, adapter)
                found[f"{name}.{child_name}" if name else child_name] = adapter
    if not found:
        raise ValueError(f"target_modules {list(targets)} match no nn.Linear in the model")
    return found
