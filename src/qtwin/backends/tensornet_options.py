"""Simulation options shared by the tensornet sampler and estimator.

Example:
    >>> MPSOptions.checked(max_bond=16, cutoff=1e-10).kwargs()
    {'max_bond': 16, 'cutoff': 1e-10}
    >>> MPSOptions.checked(max_bond=0)
    Traceback (most recent call last):
    ...
    ValueError: max_bond must be an integer >= 1, got 0
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import torch

from qtwin._validation import check_nonnegative_float, check_positive_int

__all__ = ["MPSOptions"]

_DTYPES = {"complex64": torch.complex64, "complex128": torch.complex128}


@dataclass(frozen=True)
class MPSOptions:
    """Keyword arguments for :meth:`qtwin.tensornet.MPS.from_circuit`; ``None`` means default.

    Attributes:
        max_bond: largest bond dimension kept, ``>= 1``.
        cutoff: discard singular values below this threshold, ``>= 0``.
        dtype: ``torch.complex64`` / ``torch.complex128`` (or their names).
        device: a torch device or its name.
    """

    max_bond: int | None = None
    cutoff: float | None = None
    dtype: torch.dtype | None = None
    device: torch.device | None = None

    @classmethod
    def checked(
        cls,
        *,
        max_bond: int | None = None,
        cutoff: float | None = None,
        dtype: torch.dtype | str | None = None,
        device: torch.device | str | None = None,
    ) -> MPSOptions:
        """Validate and normalise the options (names of dtypes and devices become objects)."""
        if max_bond is not None:
            max_bond = check_positive_int(max_bond, "max_bond")
        if cutoff is not None:
            cutoff = check_nonnegative_float(cutoff, "cutoff")
        if isinstance(dtype, str):
            if dtype.removeprefix("torch.") not in _DTYPES:
                raise ValueError(f"dtype must be one of {sorted(_DTYPES)}, got {dtype!r}")
            dtype = _DTYPES[dtype.removeprefix("torch.")]
        if dtype is not None and dtype not in _DTYPES.values():
            raise ValueError(f"dtype must be torch.complex64 or torch.complex128, got {dtype!r}")
        if device is not None:
            try:
                device = torch.device(device)
            except (RuntimeError, TypeError) as exc:
                raise ValueError(f"device must be a torch device name, got {device!r}") from exc
        return cls(max_bond=max_bond, cutoff=cutoff, dtype=dtype, device=device)

    def kwargs(self) -> dict[str, Any]:
        """The options that are set, as keyword arguments."""
        return {k: v for k, v in vars(self).items() if v is not None}
