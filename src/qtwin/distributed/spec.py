r"""Cluster specs: what ``cluster=`` accepts everywhere in qtwin, and the client it becomes.

A spec is one of

* ``None`` or ``"local"``: no Dask at all; work runs in this process (the default);
* ``"dask"``: a :class:`distributed.LocalCluster` with one single-thread worker process per
  CPU core; ``"dask:N"``: ``N`` such workers (``N >= 1``). Host ``127.0.0.1``; the
  scheduler's HTTP server on a free loopback port (``dashboard_address=None`` would
  still bind port 8787 on all interfaces, which clashes between clusters);
* ``"tcp://host:port"`` (or ``tls://``, ``ucx://``): an existing scheduler, e.g. one started
  with ``dask scheduler`` and ``dask worker`` (docs page "Scaling out");
* a :class:`distributed.Client`: used as it is, never closed by qtwin.

:func:`get_client` turns a spec into a client (``None`` for in-process) that the caller
closes; :func:`cluster` is the context manager that closes only what it created.

Example:
    >>> parse_spec(None), parse_spec("local"), parse_spec("dask:4")
    (('local', None), ('local', None), ('dask', 4))
    >>> parse_spec("tcp://127.0.0.1:8786")
    ('address', 'tcp://127.0.0.1:8786')
    >>> with cluster("local") as client:
    ...     client is None
    True
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any, Union

if TYPE_CHECKING:  # pragma: no cover
    from distributed import Client

__all__ = ["ClusterSpec", "parse_spec", "get_client", "close_client", "cluster", "is_client"]

#: What ``cluster=`` accepts: ``None``, ``"local"``, ``"dask"``, ``"dask:N"``,
#: ``"tcp://host:port"`` or a :class:`distributed.Client`.
ClusterSpec = Union[None, str, "Client"]

_SCHEMES = ("tcp://", "tls://", "ucx://", "inproc://")
_ALLOWED = "None, 'local', 'dask', 'dask:N' (N >= 1), 'tcp://host:port' or a distributed.Client"


def is_client(obj: Any) -> bool:
    """Whether ``obj`` is a :class:`distributed.Client` (without importing Dask for ``None``)."""
    if obj is None or isinstance(obj, str):
        return False
    from distributed import Client

    return isinstance(obj, Client)


def parse_spec(spec: ClusterSpec) -> tuple[str, Any]:
    """Classify a spec: ``("local", None)``, ``("dask", N)``, ``("address", addr)`` or
    ``("client", client)``.

    Raises:
        ValueError: an unknown string, ``"dask:N"`` with ``N < 1`` or not an integer, an
            address without a port.
        TypeError: neither ``None``, a string nor a :class:`distributed.Client`.
    """
    if spec is None:
        return "local", None
    if isinstance(spec, str):
        s = spec.strip()
        if s == "local":
            return "local", None
        if s == "dask":
            return "dask", max(1, os.cpu_count() or 1)
        if s.startswith("dask:"):
            n = s[5:]
            if not n.isdigit() or int(n) < 1:
                raise ValueError(
                    f"cluster={spec!r}: the number of workers in 'dask:N' must be an "
                    f"integer >= 1; allowed: {_ALLOWED}"
                )
            return "dask", int(n)
        if s.startswith(_SCHEMES):
            rest = s.split("://", 1)[1]
            host, _, port = rest.rpartition(":")
            if s.startswith("inproc://") or (host and port.isdigit()):
                return "address", s
            raise ValueError(
                f"cluster={spec!r}: a scheduler address needs a host and a port, "
                "e.g. 'tcp://127.0.0.1:8786'"
            )
        raise ValueError(f"cluster={spec!r} is not a cluster spec; allowed: {_ALLOWED}")
    if is_client(spec):
        return "client", spec
    raise TypeError(f"cluster must be {_ALLOWED}; got {type(spec).__name__} {spec!r}")


def _local_cluster(n_workers: int, processes: bool = True) -> Any:
    from distributed import LocalCluster

    return LocalCluster(
        n_workers=n_workers,
        threads_per_worker=1,
        processes=processes,
        host="127.0.0.1",
        dashboard_address="127.0.0.1:0",
    )


def get_client(spec: ClusterSpec, *, timeout: float = 10.0) -> Client | None:
    """A :class:`distributed.Client` for ``spec``, or ``None`` for in-process work.

    A client made from ``"dask"``/``"dask:N"`` owns its :class:`~distributed.LocalCluster`
    (closing the client closes the cluster too); a client passed in is returned as it is.
    The caller closes what it got (or uses :func:`cluster`).

    Args:
        spec: see :data:`ClusterSpec`.
        timeout: seconds to wait for a scheduler given by address.

    Raises:
        ValueError/TypeError: a bad spec (see :func:`parse_spec`).
        ConnectionError: no scheduler answers at the address (named in the message).

    Example:
        >>> get_client("local") is None
        True
    """
    kind, value = parse_spec(spec)
    if kind == "local":
        return None
    if kind == "client":
        return value
    from distributed import Client

    if kind == "dask":
        lc = _local_cluster(value)
        try:
            client = Client(lc, set_as_default=False)
        except BaseException:
            lc.close()
            raise
        # the client closes the cluster it was made for
        client._qtwin_cluster = lc  # type: ignore[attr-defined]
        return client
    try:
        return Client(value, timeout=timeout, set_as_default=False)
    except (OSError, TimeoutError) as exc:
        raise ConnectionError(
            f"cluster={spec!r}: no Dask scheduler answered at {value} within {timeout:g} s "
            f"({type(exc).__name__}: {exc}); start one with "
            "'dask scheduler --host 127.0.0.1 --port PORT' or check the address"
        ) from exc


def close_client(client: Client | None) -> None:
    """Close a client from :func:`get_client` and the LocalCluster it owns (if any)."""
    if client is None:
        return
    lc = getattr(client, "_qtwin_cluster", None)
    client.close()
    if lc is not None:
        lc.close()


@contextlib.contextmanager
def cluster(spec: ClusterSpec, *, timeout: float = 10.0) -> Iterator[Client | None]:
    """Context manager around :func:`get_client`: yields the client (``None`` in-process)
    and closes it on exit unless it was passed in as a :class:`distributed.Client`.

    Example:
        >>> with cluster(None) as client:
        ...     print(client)
        None
    """
    kind, _ = parse_spec(spec)
    client = get_client(spec, timeout=timeout)
    try:
        yield client
    finally:
        if kind in ("dask", "address"):
            close_client(client)
