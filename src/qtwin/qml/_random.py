"""Local torch generators for the qml models: seeded initialisation without global reseeding.

A model's ``seed`` (an int, a :class:`numpy.random.Generator` or ``None``) becomes a
:class:`torch.Generator` (:func:`torch_generator`), and layers are built without drawing (on
the ``meta`` device, then materialised) and initialised from it with torch's own default
distributions (:func:`linear`, :func:`recurrent`), so the global torch random state is never
touched and two models built with the same seed are equal.

Example:
    >>> import torch
    >>> a, b = torch.nn.Linear(3, 2), torch.nn.Linear(3, 2)
    >>> _ = init_linear_(a, torch_generator(7)); _ = init_linear_(b, torch_generator(7))
    >>> torch.equal(a.weight, b.weight)
    True
"""

from __future__ import annotations

import math

import numpy as np
import torch

from qtwin._validation import as_generator

__all__ = ["torch_generator", "init_linear_", "init_recurrent_", "linear", "recurrent"]


def torch_generator(seed: int | np.random.Generator | None) -> torch.Generator:
    """A CPU :class:`torch.Generator` from ``seed``.

    An int seeds it directly; a numpy generator supplies the seed (and advances); ``None``
    draws fresh entropy (not reproducible).
    """
    if isinstance(seed, (int, np.integer)) and not isinstance(seed, bool):
        return torch.Generator().manual_seed(int(seed))
    return torch.Generator().manual_seed(int(as_generator(seed).integers(2**63 - 1)))


@torch.no_grad()
def init_linear_(layer: torch.nn.Linear, generator: torch.Generator) -> torch.nn.Linear:
    r"""torch's default ``Linear`` initialisation, drawn from ``generator``.

    Weight and bias uniform on :math:`[-1/\sqrt{f}, 1/\sqrt{f}]` with :math:`f` the fan-in (what
    ``kaiming_uniform_(a=√5)`` and torch's bias rule give).
    """
    bound = 1.0 / math.sqrt(layer.in_features) if layer.in_features > 0 else 0.0
    layer.weight.uniform_(-bound, bound, generator=generator)
    if layer.bias is not None:
        layer.bias.uniform_(-bound, bound, generator=generator)
    return layer


@torch.no_grad()
def init_recurrent_(layer: torch.nn.RNNBase, generator: torch.Generator) -> torch.nn.RNNBase:
    r"""torch's default RNN/LSTM/GRU initialisation (every weight uniform on
    :math:`[-1/\sqrt{h}, 1/\sqrt{h}]`, ``h`` the hidden size), drawn from ``generator``."""
    bound = 1.0 / math.sqrt(layer.hidden_size)
    for p in layer.parameters():
        p.uniform_(-bound, bound, generator=generator)
    return layer


def linear(
    in_features: int, out_features: int, generator: torch.Generator, *, dtype: torch.dtype
) -> torch.nn.Linear:
    """A ``torch.nn.Linear`` with torch's default initialisation drawn from ``generator``."""
    layer = torch.nn.Linear(in_features, out_features, dtype=dtype, device="meta")
    return init_linear_(layer.to_empty(device="cpu"), generator)


def recurrent(
    cls: type[torch.nn.RNNBase],
    input_size: int,
    hidden_size: int,
    generator: torch.Generator,
    *,
    dtype: torch.dtype,
) -> torch.nn.RNNBase:
    """A one-layer ``batch_first`` RNN/LSTM/GRU, default initialisation from ``generator``."""
    layer = cls(input_size, hidden_size, batch_first=True, dtype=dtype, device="meta")
    return init_recurrent_(layer.to_empty(device="cpu"), generator)
