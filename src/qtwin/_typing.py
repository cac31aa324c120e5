"""Type aliases shared by every package: what an array, a seed and a device may be.

=================  ================================================================
alias              accepted values
=================  ================================================================
``TensorLike``     a torch tensor, a numpy array, or anything numpy turns into one
                   (nested lists of numbers, scalars)
``SeedLike``       ``None`` (fresh entropy), an ``int`` seed, or a
                   ``numpy.random.Generator`` (used as is, advanced in place)
``DeviceLike``     ``None`` (the CPU, everywhere in qtwin), ``"cpu"``, ``"cuda"``,
                   ``"cuda:1"`` or a ``torch.device``
=================  ================================================================

The device rule is one for the whole package: ``device=None`` means the CPU; a GPU is used
only when asked for (``device="cuda"``), so a result never depends on which machine ran it.
"""

from __future__ import annotations

from typing import TypeAlias

import numpy as np
import torch
from numpy.typing import ArrayLike

__all__ = ["TensorLike", "SeedLike", "DeviceLike"]

TensorLike: TypeAlias = torch.Tensor | np.ndarray | ArrayLike
SeedLike: TypeAlias = int | np.random.Generator | None
DeviceLike: TypeAlias = str | torch.device | None
