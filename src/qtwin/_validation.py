"""Argument checks shared by every public boundary of qtwin.

Each check raises a ``ValueError`` or ``TypeError`` whose message names the argument and
what is allowed, so a user sees at once what to change. Checks run at the public boundary
only; internal code trusts its inputs.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np

__all__ = [
    "check_positive_int",
    "check_nonnegative_float",
    "check_finite",
    "check_unitary",
    "check_dims",
    "check_choice",
    "as_generator",
]


def check_positive_int(value: Any, name: str, *, minimum: int = 1) -> int:
    """Return ``value`` as an int, or raise if it is not an integer ``>= minimum``.

    Example:
        >>> check_positive_int(3, "shots")
        3
    """
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise TypeError(f"{name} must be an integer >= {minimum}, got {value!r}")
    if value < minimum:
        raise ValueError(f"{name} must be an integer >= {minimum}, got {value}")
    return int(value)


def check_index(value: Any, name: str, size: int, *, low: int = 0, what: str = "an integer") -> int:
    """Return ``value`` as an int if it is an integer in ``[low, size)``; raise otherwise.

    Args:
        value: the candidate index (booleans are refused even though they are ints).
        name: the argument's name, used in the message.
        size: one past the largest allowed value.
        low: the smallest allowed value.
        what: what the index is, for the message (``"a site index"``, ``"a cut"``...).

    Raises:
        ValueError: ``value`` is not an integer (``True``, ``1.0`` and ``"1"`` are not), or
            it is outside ``[low, size)``. One exception type for both, since an index is
            usually read from user data, and ``except ValueError`` should catch any bad one.

    Example:
        >>> check_index(2, "site", 3)
        2
        >>> check_index(3, "site", 3, what="a site index")
        Traceback (most recent call last):
        ...
        ValueError: site must be a site index in [0, 2], got 3
    """
    integer = not isinstance(value, bool) and isinstance(value, (int, np.integer))
    if not integer or not low <= value < size:
        raise ValueError(f"{name} must be {what} in [{low}, {size - 1}], got {value!r}")
    return int(value)


def check_nonnegative_float(value: Any, name: str) -> float:
    """Return ``value`` as a float, or raise if it is negative, NaN or not a number."""
    try:
        out = float(value)
    except (TypeError, ValueError):
        raise TypeError(f"{name} must be a non-negative number, got {value!r}") from None
    if math.isnan(out) or out < 0:
        raise ValueError(f"{name} must be a non-negative number, got {value!r}")
    return out


def check_finite(values: Any, name: str) -> None:
    """Raise ``ValueError`` when ``values`` (scalar, array or torch tensor) holds NaN or inf."""
    try:
        import torch

        if isinstance(values, torch.Tensor):
            if not bool(torch.isfinite(values).all()):
                raise ValueError(f"{name} must be finite numbers; got NaN or inf")
            return
    except ImportError:  # pragma: no cover - torch is a core dependency
        pass
    arr = np.asarray(values)
    if arr.dtype.kind in "biufc" and not np.all(np.isfinite(arr)):
        raise ValueError(f"{name} must be finite numbers; got NaN or inf")


def check_unitary(matrix: Any, name: str = "matrix", *, atol: float = 1e-8) -> None:
    """Raise ``ValueError`` unless ``matrix`` (or each matrix of a batch) is unitary.

    Example:
        >>> check_unitary(np.eye(2))
        >>> check_unitary(np.ones((2, 2)))
        Traceback (most recent call last):
        ...
        ValueError: matrix is not unitary: max |U U^dagger - I| = 2 (tolerance 1e-08)
    """
    try:
        import torch

        if isinstance(matrix, torch.Tensor):
            matrix = matrix.detach().cpu().numpy()
    except ImportError:  # pragma: no cover
        pass
    m = np.asarray(matrix)
    if m.ndim < 2 or m.shape[-1] != m.shape[-2]:
        raise ValueError(f"{name} must be a square matrix, got shape {m.shape}")
    check_finite(m, name)
    eye = np.eye(m.shape[-1])
    err = float(np.max(np.abs(m @ np.swapaxes(m.conj(), -1, -2) - eye)))
    if err > atol:
        raise ValueError(
            f"{name} is not unitary: max |U U^dagger - I| = {err:.3g} (tolerance {atol:g})"
        )


def check_dims(dims: Sequence[int] | int, name: str = "dims") -> tuple[int, ...]:
    """Return local dimensions as a tuple of ints ``>= 2``.

    Example:
        >>> check_dims([2, 3, 5])
        (2, 3, 5)
    """
    if isinstance(dims, (int, np.integer)):
        dims = [dims]
    out = []
    for i, d in enumerate(dims):
        if isinstance(d, bool) or not isinstance(d, (int, np.integer)) or d < 2:
            raise ValueError(f"{name}[{i}] must be an integer local dimension >= 2, got {d!r}")
        out.append(int(d))
    if not out:
        raise ValueError(f"{name} must name at least one site")
    return tuple(out)


def check_choice(value: Any, name: str, allowed: Sequence[Any]) -> Any:
    """Raise ``ValueError`` unless ``value`` is one of ``allowed``, listing them."""
    if value not in allowed:
        raise ValueError(f"{name} must be one of {list(allowed)}, got {value!r}")
    return value


def as_generator(seed: int | np.random.Generator | None) -> np.random.Generator:
    """Return a numpy ``Generator`` from a seed, an existing generator, or ``None``."""
    if isinstance(seed, np.random.Generator):
        return seed
    if seed is not None and (isinstance(seed, bool) or not isinstance(seed, (int, np.integer))):
        raise TypeError(f"seed must be an int, a numpy Generator or None, got {seed!r}")
    return np.random.default_rng(seed)
