r"""Scale-out on Dask: a client from a cluster spec, and work units mapped over it.

The "where it runs" layer's door to a cluster; capabilities and experiments reach Dask only
through this package.

* :func:`get_client`, :func:`cluster`, :func:`parse_spec`: ``None``/``"local"`` (in-process,
  no Dask), ``"dask"``/``"dask:N"`` (a LocalCluster of N one-thread worker processes on
  127.0.0.1), ``"tcp://host:port"`` (an existing scheduler) or a :class:`distributed.Client`;
* :func:`map_units`: ``fn(item, seed)`` per item, seeds from (root seed, job name, unit key)
  via :class:`numpy.random.SeedSequence`, results in input order, a progress bar, an
  ``on_result`` hook for storing results as they complete;
* :func:`share`, :func:`persist_units`: data placed on (or built on) the workers once;
* :class:`ClusterHandle`: a spec held by a long-lived object (a primitive), its client made
  on first use and closed once.

Example:
    >>> map_units(lambda x, seed: x * x, [1, 2, 3], cluster="local", progress=False)
    [1, 4, 9]
"""

from qtwin.distributed.handle import ClusterHandle, as_handle
from qtwin.distributed.spec import ClusterSpec, close_client, cluster, get_client, parse_spec
from qtwin.distributed.units import (
    UnitKey,
    map_units,
    persist_units,
    root_seed,
    share,
    unit_seed,
)

__all__ = [
    "ClusterHandle",
    "as_handle",
    "ClusterSpec",
    "UnitKey",
    "close_client",
    "cluster",
    "get_client",
    "map_units",
    "parse_spec",
    "persist_units",
    "root_seed",
    "share",
    "unit_seed",
]
