"""Temporary torch thread count (small tensors run fastest on one thread)."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

import torch

from qtwin._validation import check_positive_int

__all__ = ["torch_threads"]


@contextlib.contextmanager
def torch_threads(threads: int | None) -> Iterator[None]:
    """Set ``torch.set_num_threads(threads)`` inside the block; ``None`` changes nothing.

    Example:
        >>> with torch_threads(1):
        ...     torch.get_num_threads()
        1
    """
    if threads is None:
        yield
        return
    threads = check_positive_int(threads, "threads")
    old = torch.get_num_threads()
    if old == threads:
        yield
        return
    torch.set_num_threads(threads)
    try:
        yield
    finally:
        torch.set_num_threads(old)
