"""Single-threaded BLAS for the small dense algebra of the sketches (internal module).

The dense work of a dequantized algorithm is an SVD or product of ``r × c`` matrices with
``r, c`` in the hundreds. At these sizes a multi-threaded OpenBLAS gains little, and on a
shared or oversubscribed machine its threads can make a 200 × 200 SVD a hundred times slower
(measured: 2 s instead of 0.01 s). The decorated functions run with one BLAS thread when
``threadpoolctl`` is installed (it comes with scikit-learn), and unchanged otherwise.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

F = TypeVar("F", bound=Callable[..., Any])


@contextmanager
def one_blas_thread() -> Iterator[None]:
    """Limit BLAS to one thread inside the block (a no-op without ``threadpoolctl``)."""
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:  # pragma: no cover - optional
        yield
        return
    with threadpool_limits(1, user_api="blas"):
        yield


def single_threaded_blas(func: F) -> F:
    """Decorator: run ``func`` inside :func:`one_blas_thread`."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        with one_blas_thread():
            return func(*args, **kwargs)

    return wrapper  # type: ignore[return-value]
