"""Checking the keyword options that :func:`~qtwin.backends.get_backend` passes to a backend.

Example:
    >>> check_options({"seed": 1}, {"seed", "default_shots"}, backend="tensornet")
    {'seed': 1}
    >>> check_options({"shots": 1}, {"seed"}, backend="tensornet")
    Traceback (most recent call last):
    ...
    TypeError: backend 'tensornet' got unknown option(s) ['shots']; allowed options: ['seed']
    >>> check_seed(None), check_seed(3)
    (None, 3)
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import Any

from qtwin._validation import check_positive_int

__all__ = ["check_options", "check_seed"]


def check_options(
    options: Mapping[str, Any], allowed: Collection[str], *, backend: str
) -> dict[str, Any]:
    """Return ``options`` as a dict, or raise ``TypeError`` naming unknown keys and allowed ones."""
    unknown = sorted(set(options) - set(allowed))
    if unknown:
        raise TypeError(
            f"backend {backend!r} got unknown option(s) {unknown}; "
            f"allowed options: {sorted(allowed)}"
        )
    return dict(options)


def check_seed(seed: int | None) -> int | None:
    """Return an Aer seed: ``None`` or an integer ``>= 0`` (``ValueError``/``TypeError`` else)."""
    if seed is None:
        return None
    return check_positive_int(seed, "seed", minimum=0)
