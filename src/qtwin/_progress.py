"""The one progress-bar helper: a :mod:`tqdm` bar that can be switched off.

Example:
    >>> sum(progress(range(4), desc="demo", enabled=False))
    6
"""

from __future__ import annotations

import os
import warnings
from collections.abc import Iterable
from typing import Any, TypeVar

from tqdm.std import TqdmWarning

with warnings.catch_warnings():
    # in a notebook kernel without ipywidgets, tqdm.auto warns once at import that it falls
    # back to text bars; the text bars are what qtwin wants there anyway
    warnings.simplefilter("ignore", TqdmWarning)
    from tqdm.auto import tqdm

__all__ = ["progress"]

T = TypeVar("T")


def progress(
    iterable: Iterable[T] | None = None,
    *,
    total: int | None = None,
    desc: str | None = None,
    enabled: bool = True,
    **kwargs: Any,
) -> tqdm:
    """A tqdm bar over ``iterable`` (or a manual bar with ``total`` when it is ``None``).

    Args:
        iterable: the items to iterate over; ``None`` for a bar advanced by ``.update(n)``.
        total: the number of items (taken from ``len(iterable)`` when omitted and possible).
        desc: the label in front of the bar.
        enabled: ``False`` draws nothing (the bar still iterates and counts).
        kwargs: passed to :class:`tqdm.auto.tqdm` (e.g. ``initial=``, ``unit=``).

    The bar is removed when finished (``leave=False``) unless ``leave=True`` is passed.
    Setting the environment variable ``TQDM_DISABLE=1`` switches every bar off (benchmarks
    and CI logs), as it does for tqdm's own defaults.
    """
    kwargs.setdefault("leave", False)
    off = os.environ.get("TQDM_DISABLE", "").strip().lower() in ("1", "true", "yes", "on")
    return tqdm(iterable, total=total, desc=desc, disable=off or not enabled, **kwargs)
