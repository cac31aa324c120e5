r"""AQC over a family of targets (a parameter sweep), one compilation per work unit.

A sweep compiles independent targets :math:`|\psi_1\rangle, \dots, |\psi_K\rangle` (say the
ground states or quenched states of :math:`H(J)` over a grid of couplings :math:`J`) with
:func:`~qtwin.aqc.compile_mps`, each from its own ansatz and initial point. The
compilations share nothing, so each is one work unit of :func:`qtwin.distributed.map_units`
and a sweep runs on a Dask cluster with ``cluster=``; L-BFGS from a given initial point is
deterministic (one torch thread per unit), so every cluster returns the in-process results.

**Continuation in time stays sequential** (:func:`~qtwin.aqc.compile_time_evolution`): step
:math:`k` starts from the optimum :math:`\theta^*(t_{k-1})` of step :math:`k-1`, which is
what keeps it clear of the orthogonality catastrophe, and its target is the previous one
evolved by TEBD; step :math:`k` cannot start before step :math:`k-1` ends. Independent
time series (several Hamiltonians, several initial states) are a sweep of such runs.

Example:
    >>> from qtwin.aqc import tebd_target
    >>> from qtwin.circuits import xxz_chain
    >>> from qtwin.circuits.trotter import trotter_circuit
    >>> hams = [xxz_chain(4, delta=x) for x in (0.5, 1.5)]  # a sweep over the anisotropy
    >>> targets = [tebd_target(h, 0.2) for h in hams]
    >>> circuits = [trotter_circuit(h, 0.2, 1, initial_state="neel") for h in hams]
    >>> out = compile_sweep(targets, circuits, maxiter=5, cluster="local", progress=False)
    >>> [r.fidelity >= r.initial_fidelity > 0.9 for r in out]
    [True, True]
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from qtwin.aqc.optimize import AnsatzLike, AQCResult, compile_mps
from qtwin.aqc.targets import TargetLike
from qtwin.distributed import ClusterSpec, map_units

__all__ = ["compile_sweep"]


def _compile_unit(item: tuple[Any, Any, Any, dict[str, Any]], seed: object = None) -> AQCResult:
    target, ansatz, initial_point, kwargs = item
    return compile_mps(target, ansatz, initial_point, progress=False, **kwargs)


def _per_target(value: Any, n: int, name: str, is_many: Callable[[Any], bool]) -> list[Any]:
    if is_many(value):
        vals = list(value)
        if len(vals) != n:
            raise ValueError(f"{name} must be one value or one per target ({n}), got {len(vals)}")
        return vals
    return [value] * n


def compile_sweep(
    targets: Sequence[TargetLike],
    ansatz: AnsatzLike | list[AnsatzLike],
    initial_points: Sequence[Sequence[float] | np.ndarray | None] | None = None,
    *,
    cluster: ClusterSpec = None,
    on_result: Callable[[int, AQCResult], None] | None = None,
    progress: bool = True,
    **compile_kwargs: Any,
) -> list[AQCResult]:
    r"""Compile every target with :func:`~qtwin.aqc.compile_mps`, one unit each.

    Args:
        targets: the target states (anything :func:`~qtwin.aqc.compile_mps` accepts).
        ansatz: one ansatz for all targets, or a list with one per target (e.g. the
            Trotter circuit of each target's time or coupling).
        initial_points: ``None`` or one initial point per target.
        cluster: ``None``/``"local"``: in this process; a spec or client
            (:mod:`qtwin.distributed`): one compilation per worker task. Targets and
            ansätze are sent to the workers (they must pickle).
        on_result: ``on_result(k, result)`` as each compilation completes.
        progress: a progress bar over the targets (the per-iteration bars are off).
        **compile_kwargs: passed to :func:`~qtwin.aqc.compile_mps` (``maxiter``,
            ``target_fidelity``, ``loss``, ``threads``, ``device``; a ``checkpoint`` path
            would be shared by all targets and is refused).

    Returns:
        One :class:`~qtwin.aqc.AQCResult` per target, in target order.

    Raises:
        ValueError: no targets, per-target lists of the wrong length, ``checkpoint`` or
            ``callback`` in ``compile_kwargs``.
    """
    targets = list(targets)
    n = len(targets)
    if n == 0:
        raise ValueError("targets must hold at least one target state")
    for bad in ("checkpoint", "callback", "progress"):
        if bad in compile_kwargs:
            raise ValueError(
                f"{bad}= cannot be given to compile_sweep (one per target would be needed)"
            )
    ansatze = _per_target(ansatz, n, "ansatz", lambda a: isinstance(a, list))
    points = _per_target(initial_points, n, "initial_points", lambda p: p is not None)
    items = [
        (t, a, p, dict(compile_kwargs)) for t, a, p in zip(targets, ansatze, points, strict=True)
    ]
    return map_units(
        _compile_unit,
        items,
        cluster=cluster,
        key="aqc-sweep",
        on_result=on_result,
        progress=progress,
    )
