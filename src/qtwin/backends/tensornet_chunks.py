r"""The tensornet primitives' work, cut into chunks of parameter sets that can run anywhere.

A PUB with parameter sets :math:`\theta_0, \dots, \theta_{B-1}` (its bindings in
:func:`numpy.ndindex` order) is cut into chunks of ``chunk_size`` consecutive sets; a chunk is
a plain picklable task (the primitive's options, the circuit, the parameter sets, and for the
sampler one seed per set) that :func:`sample_chunk` or :func:`estimate_chunk` computes in this
process or on a Dask worker (``get_backend("tensornet", cluster=...)``); the client puts the
pieces back in PUB order.

Results do not depend on where or how the chunks ran. Everything random is drawn on the
client, in the order a local run draws it: the sampler's per-PUB generator
``numpy.random.default_rng(seed)`` gives one 63-bit seed per parameter set, in ``ndindex``
order, and set :math:`b` samples from ``default_rng(seed_b)``; the estimator's precision noise
is drawn after all values are in. So a run on a cluster returns the samples and values of the
local run with the same ``seed``, for any chunk size and number of workers (chunks are fixed
by ``chunk_size`` alone, never by the worker count).

Example:
    >>> from qiskit import QuantumCircuit
    >>> qc = QuantumCircuit(1); _ = qc.x(0); _ = qc.measure_all()
    >>> out = sample_chunk(({"method": "auto"}, qc, [{}], 4, [11]))
    >>> out[0][0].tolist(), out[0][1]
    ([[1], [1], [1], [1]], 0.0)
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from qiskit.circuit import Parameter, QuantumCircuit
from qiskit.quantum_info import SparsePauliOp

from qtwin.backends._pubs import MeasuredRegisters, dynamic_program, strip_measurements
from qtwin.backends.tensornet_options import MPSOptions, engine_for
from qtwin.circuits.dynamic import is_dynamic
from qtwin.tensornet.dynamic import Engine

__all__ = ["SampleTask", "EstimateTask", "sample_chunk", "estimate_chunk", "chunk_bounds"]

#: ``(options, circuit, [values per set], shots, [seed per set])``
SampleTask = tuple[dict[str, Any], QuantumCircuit, list[dict[Parameter, float]], int, list[int]]
#: ``(options, circuit, [values per set], [[observables] per set], max_branches)``
EstimateTask = tuple[
    dict[str, Any], QuantumCircuit, list[dict[Parameter, float]], list[list[SparsePauliOp]], int
]


def chunk_bounds(count: int, chunk_size: int | None) -> list[tuple[int, int]]:
    """``[(lo, hi), ...]`` covering ``range(count)`` in chunks of ``chunk_size`` (one if None).

    Example:
        >>> chunk_bounds(5, 2), chunk_bounds(5, None), chunk_bounds(0, 2)
        ([(0, 2), (2, 4), (4, 5)], [(0, 5)], [])
    """
    if count == 0:
        return []
    step = count if chunk_size is None else chunk_size
    return [(lo, min(lo + step, count)) for lo in range(0, count, step)]


def _worker_engine(options: dict[str, Any], circuit: QuantumCircuit) -> Engine:
    """The engine a primitive with ``options`` (``method`` and the MPS options) would use."""
    opts = dict(options)
    method = opts.pop("method", "auto")
    return engine_for(circuit, method, MPSOptions.checked(**opts))


def sample_chunk(task: SampleTask, seed: object = None) -> list[tuple[np.ndarray, float, int]]:
    """Sample one chunk: ``[(samples, discarded_weight, num_branches)]`` per parameter set.

    ``samples`` is ``(shots, num_qubits)`` uint8 outcomes per qubit (static circuits; only
    the measured qubits are drawn, the other columns read 0) or ``(shots, num_clbits)``
    bools (dynamic circuits, ``num_branches`` > 0). ``seed`` is ignored (the per-set seeds
    are in the task); it is there for :func:`qtwin.distributed.map_units`.
    """
    options, circuit, sets, shots, seeds = task
    engine = _worker_engine(options, circuit)
    out: list[tuple[np.ndarray, float, int]] = []
    if is_dynamic(circuit):
        from qtwin.tensornet.dynamic import sample_program

        program = dynamic_program(circuit, 0, "TensornetSampler")
        for values, s in zip(sets, seeds, strict=True):
            res = sample_program(program, engine, shots, seed=s, parameter_values=values)
            out.append((res.bits, float(res.discarded_weight), int(res.num_branches)))
        return out
    body, clbit_to_qubit = strip_measurements(circuit, 0, "TensornetSampler")
    qubits = MeasuredRegisters(circuit, clbit_to_qubit).measured_qubits
    for values, s in zip(sets, seeds, strict=True):
        state = engine.prepare(body, values)
        if qubits:
            samples = engine.sample(state, np.array([shots]), np.random.default_rng(s))
        else:
            samples = np.zeros((shots, body.num_qubits), dtype=np.int64)
        discarded = float(engine.discarded_weight(state)[0])
        out.append((np.asarray(samples).astype(np.uint8), discarded, 0))
    return out


def estimate_chunk(task: EstimateTask, seed: object = None) -> list[tuple[list[float], float, int]]:
    """Evaluate one chunk: ``[(values of its observables, discarded_weight, num_branches)]``.

    Exact expectation values (no noise: the client adds the precision noise); dynamic
    circuits as exact weighted trajectories. ``seed`` is ignored (see :func:`sample_chunk`).
    """
    options, circuit, sets, observables, max_branches = task
    engine = _worker_engine(options, circuit)
    out: list[tuple[list[float], float, int]] = []
    if is_dynamic(circuit):
        from qtwin.tensornet.dynamic import expectation_program

        program = dynamic_program(circuit, 0, "TensornetEstimator")
        for values, ops in zip(sets, observables, strict=True):
            evs, traj = expectation_program(
                program, engine, ops, parameter_values=values, max_branches=max_branches
            )
            discarded = float(np.max(engine.discarded_weight(traj.states)))
            out.append(([float(v) for v in evs], discarded, int(traj.num_branches)))
        return out
    body = strip_measurements(circuit, 0, "TensornetEstimator")[0]
    for values, ops in zip(sets, observables, strict=True):
        state = engine.prepare(body, values)
        evs = [float(engine.expectation(state, op)[0]) for op in ops]
        out.append((evs, float(engine.discarded_weight(state)[0]), 0))
    return out


def run_chunks(fn: Any, tasks: Sequence[Any], client: Any, *, key: str) -> list[Any]:
    """``[fn(t) for t in tasks]``, here (``client`` is ``None``) or as Dask futures, in order."""
    if client is None:
        return [fn(t) for t in tasks]
    from qtwin.distributed import map_units

    return map_units(fn, list(tasks), cluster=client, key=key, seed=0, progress=False)
