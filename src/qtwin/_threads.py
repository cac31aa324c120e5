"""Temporary thread limits: torch's intra-op threads and the BLAS pool.

Small tensors and matrices run fastest on one thread. Two limits exist because torch and
numpy/scipy keep separate pools:

* :func:`torch_threads` sets ``torch.set_num_threads`` inside a block;
* :func:`one_blas_thread` (and the decorator :func:`single_threaded_blas`) limits the BLAS
  library that numpy and scipy call. The dense work of a dequantized algorithm is an SVD or
  product of ``r x c`` matrices with ``r, c`` in the hundreds; there a multi-threaded OpenBLAS
  gains little, and on a shared or oversubscribed machine its threads can make a 200 x 200 SVD
  a hundred times slower (measured: 2 s instead of 0.01 s).
"""

from __future__ import annotations

import contextlib
import functools
from collections.abc import Callable, Iterator
from typing import Any, TypeVar

import torch

from qtwin._validation import check_positive_int

__all__ = ["torch_threads", "one_blas_thread", "single_threaded_blas"]

F = TypeVar("F", bound=Callable[..., Any])


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


@contextlib.contextmanager
def one_blas_thread() -> Iterator[None]:
    """Limit BLAS (numpy/scipy) to one thread inside the block (``threadpoolctl``).

    Example:
        >>> import numpy as np
        >>> with one_blas_thread():
        ...     float(np.linalg.norm(np.eye(3)) ** 2)
        3.0
    """
    from threadpoolctl import threadpool_limits

    with threadpool_limits(1, user_api="blas"):
        yield


def single_threaded_blas(func: F) -> F:
    """Decorator: run ``func`` inside :func:`one_blas_thread`."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        with one_blas_thread():
            return func(*args, **kwargs)

    return wrapper  # type: ignore[return-value]
