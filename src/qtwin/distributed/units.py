r"""Work units on a cluster: seeds from (root seed, unit key), results in input order.

:func:`map_units` runs ``fn(item, seed)`` for every item, in this process or as Dask futures
(``pure=False``, so equal arguments never collapse into one task), and returns the results
in input order. Unit ``i`` receives the :class:`numpy.random.SeedSequence`

.. math::

    s_i = \mathrm{SeedSequence}(\text{root},\ \text{spawn\_key} = (h(\text{key}), k_i)),

with :math:`h` a fixed 64-bit hash of the job name ``key`` and :math:`k_i` the unit key
(``i`` unless ``unit_keys`` names them). The seed depends on nothing else, so a job gives
identical numbers on 0 (in-process), 1 or 64 workers, in any completion order; with
``unit_keys`` = stable names (an experiment's unit ids) it also survives reordering and
resuming. Different job names give independent streams from one root seed.

On a *threads* cluster (in-process workers, or workers with several threads) units that
share a process run one at a time: process-wide state such as torch's thread count, which
torch jobs (``compile_mps``) set and restore around their work, would otherwise race between
them and make results depend on timing. Worker processes (``"dask:N"``, ``dask worker``)
keep their full parallelism; use them for speed.

:func:`share` places one object on the cluster once (a handle that tasks receive as the
object); :func:`persist_units` builds objects *on* the workers (e.g. one sampling tree per
shard, loaded where it lives) and keeps them there as handles.

Example:
    >>> import numpy as np
    >>> def draw(n, seed):
    ...     return float(np.random.default_rng(seed).random(n).sum())
    >>> a = map_units(draw, [3, 4, 5], cluster="local", seed=7, key="demo", progress=False)
    >>> a == [draw(n, unit_seed(7, i, key="demo")) for i, n in enumerate([3, 4, 5])]
    True
"""

from __future__ import annotations

import contextlib
import hashlib
import sys
import threading
import uuid
from collections.abc import Callable, Iterator, Sequence
from typing import Any, TypeVar

import numpy as np

from qtwin._progress import progress as _progress
from qtwin.distributed.spec import ClusterSpec
from qtwin.distributed.spec import cluster as _cluster_ctx

__all__ = ["UnitKey", "root_seed", "unit_seed", "map_units", "share", "persist_units"]

T = TypeVar("T")
R = TypeVar("R")

#: A unit's key: a non-negative int, a string, or a tuple of those.
UnitKey = int | str | tuple


def _word(x: Any, name: str = "unit key") -> list[int]:
    if isinstance(x, (bool, np.bool_)):
        raise TypeError(f"{name} must be an int >= 0, a str or a tuple of those, got {x!r}")
    if isinstance(x, (int, np.integer)):
        if int(x) < 0:
            raise ValueError(f"{name} must be an int >= 0, a str or a tuple, got {x!r}")
        return [int(x)]
    if isinstance(x, str):
        return [int.from_bytes(hashlib.blake2b(x.encode(), digest_size=8).digest(), "little")]
    if isinstance(x, tuple):
        return [w for part in x for w in _word(part, name)]
    raise TypeError(f"{name} must be an int >= 0, a str or a tuple of those, got {x!r}")


SeedLike = int | np.random.SeedSequence | np.random.Generator | None


def root_seed(seed: SeedLike) -> np.random.SeedSequence:
    """The root :class:`~numpy.random.SeedSequence` of a job.

    An int is the entropy; a SeedSequence is used as it is; a Generator gives one 63-bit
    draw (so the job is reproducible from the generator's state); ``None`` takes fresh
    entropy from the OS (record ``.entropy`` to reproduce the run).
    """
    if isinstance(seed, np.random.SeedSequence):
        return seed
    if isinstance(seed, np.random.Generator):
        return np.random.SeedSequence(int(seed.integers(0, 2**63 - 1)))
    if seed is None:
        return np.random.SeedSequence()
    if isinstance(seed, (bool, np.bool_)) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise TypeError(
            f"seed must be an int >= 0, a numpy SeedSequence or Generator, or None; got {seed!r}"
        )
    return np.random.SeedSequence(int(seed))


def unit_seed(
    seed: SeedLike,
    unit: UnitKey,
    *,
    key: str = "unit",
) -> np.random.SeedSequence:
    """Seed of unit ``unit`` of job ``key``: ``SeedSequence(root, spawn_key=(h(key), unit))``.

    Example:
        >>> s = unit_seed(1, 3, key="rb")
        >>> s.entropy, len(s.spawn_key)
        (1, 2)
    """
    root = root_seed(seed)
    return np.random.SeedSequence(
        root.entropy,
        spawn_key=(*root.spawn_key, *_word(key, "key"), *_word(unit)),
        pool_size=root.pool_size,
    )


_PROCESS_LOCK = threading.RLock()


def _shares_process() -> bool:
    """Whether this unit runs on a Dask worker that shares its process with other units
    (a worker with several threads, or several in-process workers: a threads cluster)."""
    try:
        from distributed import Worker, get_worker

        worker = get_worker()
    except (ImportError, ValueError):  # not on a worker
        return False
    return worker.state.nthreads > 1 or len(Worker._instances) > 1


@contextlib.contextmanager
def _process_state_kept() -> Iterator[None]:
    """Restore torch's process-wide thread count after the unit, if torch is loaded."""
    torch = sys.modules.get("torch")
    threads = torch.get_num_threads() if torch is not None else None
    try:
        yield
    finally:
        if torch is not None and torch.get_num_threads() != threads:
            torch.set_num_threads(threads)


def _call(fn: Callable[[Any, np.random.SeedSequence], R], item: Any, seed: Any) -> R:
    # Process-wide state (torch's thread count, which compile_mps and other torch jobs set
    # and restore around their work) races between units that run as threads of one
    # process: a unit can restore the count while another still relies on it, and the
    # numbers then depend on timing. Units that share a process run one at a time (worker
    # processes, the "dask:N" default and every real deployment, keep full parallelism).
    if _shares_process():
        with _PROCESS_LOCK, _process_state_kept():
            return fn(item, seed)
    return fn(item, seed)


def share(obj: T, client: Any) -> T:
    """Put ``obj`` on the cluster once; tasks given the handle receive ``obj``.

    In-process (``client`` is ``None``) the object itself is returned. The data are sent
    straight to one worker (``scatter``) and copied to others on demand; a worker death
    loses them, so share only what the client can send again (inputs it holds).
    """
    if client is None:
        return obj
    return client.scatter(obj, hash=False)


def persist_units(
    fn: Callable[[T], R], items: Sequence[T], *, client: Any, key: str = "persist"
) -> list[R]:
    """Run ``fn(item)`` on the workers and keep each result there, as a handle.

    Use it to build state where its data live (a sampling tree per shard, loaded from a
    file the worker reads): only handles come back, and tasks given a handle receive the
    object. Unlike :func:`share`, a lost result is rebuilt from its task if a worker dies.
    In-process (``client`` is ``None``) the results themselves are returned.
    """
    if client is None:
        return [fn(x) for x in items]
    token = uuid.uuid4().hex[:8]
    keys = [f"{key}-{token}-{i}" for i in range(len(items))]
    return list(client.map(fn, list(items), key=keys, pure=False))


def map_units(
    fn: Callable[[T, np.random.SeedSequence], R],
    items: Sequence[T],
    *,
    cluster: ClusterSpec = None,
    seed: SeedLike = None,
    key: str = "unit",
    unit_keys: Sequence[UnitKey] | None = None,
    on_result: Callable[[int, R], None] | None = None,
    progress: bool = True,
    retries: int = 0,
) -> list[R]:
    """``[fn(item, unit_seed(seed, k_i, key=key)) for each item]``, on a cluster or here.

    Args:
        fn: a picklable (module-level) function ``fn(item, seed)``; ``seed`` is the unit's
            :class:`~numpy.random.SeedSequence` (``np.random.default_rng(seed)`` makes a
            generator; deterministic units ignore it).
        items: the units' inputs; handles from :func:`share`/:func:`persist_units` may be
            inside them (top level or in lists, tuples, dicts) and arrive as their objects.
        cluster: a spec (see :mod:`qtwin.distributed.spec`) or a client; a spec that
            starts a cluster starts it for this call only.
        seed: root seed (int, SeedSequence, Generator or ``None`` = fresh entropy).
        key: job name: part of every unit seed and of the Dask task names.
        unit_keys: stable unit keys (default: the index in ``items``).
        on_result: called as ``on_result(i, result)`` in this process as each unit
            completes (completion order): store results as they arrive, so an interrupted
            run keeps them.
        progress: show a tqdm bar.
        retries: Dask re-runs of a unit that raised (units must be idempotent).

    Returns:
        The results, in the order of ``items``.

    Raises:
        ValueError: ``unit_keys`` of the wrong length or with duplicates.
        Exception: the first exception raised by a unit (the remaining units are cancelled).
    """
    items = list(items)
    n = len(items)
    keys: list[UnitKey] = list(range(n)) if unit_keys is None else list(unit_keys)
    if len(keys) != n:
        raise ValueError(f"unit_keys must have one key per item ({n}), got {len(keys)}")
    words = [tuple(_word(k)) for k in keys]
    if len(set(words)) != n:
        raise ValueError("unit_keys must be distinct")
    if not isinstance(key, str) or not key:
        raise ValueError(f"key must be a non-empty job name, got {key!r}")
    root = root_seed(seed)
    seeds = [unit_seed(root, k, key=key) for k in keys]
    results: list[Any] = [None] * n
    bar = _progress(total=n, desc=key, enabled=progress)
    try:
        with _cluster_ctx(cluster) as client:
            if client is None:
                for i, (item, s) in enumerate(zip(items, seeds, strict=True)):
                    results[i] = fn(item, s)
                    if on_result is not None:
                        on_result(i, results[i])
                    bar.update()
                return results
            from distributed import as_completed

            token = uuid.uuid4().hex[:8]
            names = [f"{key}-{token}-{i}" for i in range(n)]
            futures = client.map(
                _call, [fn] * n, items, seeds, key=names, pure=False, retries=retries
            )
            index = {f.key: i for i, f in enumerate(futures)}
            try:
                # with_results: finished results are fetched in batches, not one round
                # trip per unit (a unit that raised re-raises here)
                done = as_completed(futures, loop=client.loop, with_results=True)
                for fut, value in done:
                    i = index[fut.key]
                    results[i] = value
                    fut.release()
                    if on_result is not None:
                        on_result(i, results[i])
                    bar.update()
            except BaseException:
                client.cancel(futures)
                raise
            return results
    finally:
        bar.close()
