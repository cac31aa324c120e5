r"""A cluster spec held by a long-lived object: the client is made on first use, kept, closed once.

:func:`~qtwin.distributed.cluster` suits one call; an object that runs many jobs (a
primitive of ``get_backend("tensornet", cluster=...)``) should not start a LocalCluster per
job. :class:`ClusterHandle` parses the spec at once (a bad spec fails where it is given),
connects on the first :meth:`~ClusterHandle.client` call (thread-safe: primitive jobs run in
threads), and closes what it started on :meth:`~ClusterHandle.close`, when garbage-collected,
or at interpreter exit. A :class:`distributed.Client` passed in is used and never closed.

Example:
    >>> h = ClusterHandle("local")
    >>> h.is_local, h.client() is None
    (True, True)
    >>> try:
    ...     ClusterHandle("dask:0")
    ... except ValueError as exc:
    ...     print(str(exc)[:60])
    cluster='dask:0': the number of workers in 'dask:N' must be
"""

from __future__ import annotations

import threading
import weakref
from typing import TYPE_CHECKING, Any

from qtwin.distributed.spec import ClusterSpec, close_client, get_client, parse_spec

if TYPE_CHECKING:  # pragma: no cover
    from distributed import Client

__all__ = ["ClusterHandle", "as_handle"]


class ClusterHandle:
    """A cluster spec whose client is created lazily and shared by its users.

    Args:
        spec: see :data:`~qtwin.distributed.ClusterSpec`.
        timeout: seconds to wait for a scheduler given by address.

    Raises:
        ValueError/TypeError: a bad spec (at construction).
    """

    def __init__(self, spec: ClusterSpec = None, *, timeout: float = 10.0) -> None:
        self._kind, _ = parse_spec(spec)
        self._spec = spec
        self._timeout = float(timeout)
        self._client: Client | None = None
        self._lock = threading.Lock()
        self._finalizer: weakref.finalize | None = None

    @property
    def spec(self) -> ClusterSpec:
        """The spec this handle was made from."""
        return self._spec

    @property
    def is_local(self) -> bool:
        """Whether work runs in this process (spec ``None``/``"local"``)."""
        return self._kind == "local"

    def client(self) -> Client | None:
        """The client (``None`` in-process), connecting or starting the cluster on first use.

        Raises:
            ConnectionError: no scheduler answers at the spec's address (named).
        """
        if self._kind == "local":
            return None
        with self._lock:
            if self._client is None:
                client = get_client(self._spec, timeout=self._timeout)
                if self._kind in ("dask", "address"):
                    self._finalizer = weakref.finalize(self, close_client, client)
                self._client = client
            return self._client

    def close(self) -> None:
        """Close the client and the LocalCluster this handle started (a passed client stays)."""
        with self._lock:
            if self._finalizer is not None:
                self._finalizer()
                self._finalizer = None
            self._client = None

    def __enter__(self) -> ClusterHandle:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        state = "connected" if self._client is not None else "not connected"
        return f"ClusterHandle({self._spec!r}, {state})"

    def __reduce__(self) -> Any:  # a handle travels as its spec (a client does not pickle)
        if self._kind == "client":
            raise TypeError("a ClusterHandle holding a distributed.Client cannot be pickled")
        return (ClusterHandle, (self._spec,), {"_timeout": self._timeout})

    def __setstate__(self, state: dict[str, Any]) -> None:
        self._timeout = state["_timeout"]


def as_handle(cluster: ClusterSpec | ClusterHandle) -> ClusterHandle:
    """``cluster`` if it is a :class:`ClusterHandle`, else a new handle for the spec."""
    return cluster if isinstance(cluster, ClusterHandle) else ClusterHandle(cluster)
