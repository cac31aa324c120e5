r"""A Qiskit V2 estimator on qtwin's tensor-network simulator (MPS or dense statevector).

For a PUB ``(circuit, observables, parameter_values, precision)`` the observables array and
the parameter sets broadcast against each other as in Qiskit: the result has shape
``numpy.broadcast_shapes(observables.shape, parameter_values.shape)`` and element ``i`` is

.. math::

    \langle O_i \rangle = \sum_P c_{i,P}\, \langle\psi(\theta_i)| P |\psi(\theta_i)\rangle,

computed exactly (no sampling) for each Pauli string :math:`P` of :math:`O_i`, on the engine
that ``method`` picks (:mod:`~qtwin.backends.tensornet_options`). Each parameter set's state
is built once and serves every observable broadcast against it. Final measurements are
ignored.

Resets (which Qiskit's ``StatevectorEstimator`` accepts), mid-circuit measurements and
classical control flow act as channels: the circuit runs as exact weighted trajectories
(:func:`qtwin.tensornet.dynamic.expectation_program`), every outcome followed with its
probability, and :math:`\langle O\rangle = \sum_b w_b \langle\psi_b|O|\psi_b\rangle` is the
value in the mixed state (Qiskit's reference draws one random trajectory instead). At most
``max_branches`` trajectories are followed.

``precision = 0`` (the default) returns the exact values with ``stds = 0``. ``precision > 0``
mimics a shot-limited estimate: every value gets independent Gaussian noise
:math:`\mathcal N(0, \text{precision}^2)` from the seeded generator and ``stds = precision``
(the standard error the V2 interface defines; Qiskit's ``StatevectorEstimator`` leaves
``stds = 0`` here, a deliberate difference). As on Qiskit's reference, every PUB draws its
noise from ``numpy.random.default_rng(seed)``: with an int ``seed`` identical PUBs in one run
get identical noise.

With ``cluster=`` the parameter sets run as chunks of ``chunk_size`` on Dask workers
(:mod:`~qtwin.backends.tensornet_chunks`); the noise is drawn here afterwards, so the values
equal those of a local run with the same ``seed``.

Metadata: ``target_precision`` and ``circuit_metadata`` (Qiskit's keys), and under
``metadata["qtwin"]`` the engine (``simulator``, ``method``), ``discarded_weight`` and, for
dynamic circuits, ``num_branches`` (also copied to the top level: deprecated).

Example:
    >>> from qiskit import QuantumCircuit
    >>> from qiskit.circuit import Parameter
    >>> theta = Parameter("theta")
    >>> qc = QuantumCircuit(1); _ = qc.ry(theta, 0)
    >>> pub = (qc, [["Z"], ["X"]], [0.0, 1.5707963267948966])   # obs (2, 1) x params (2,)
    >>> evs = TensornetEstimator().run([pub]).result()[0].data.evs
    >>> evs.shape, np.round(evs, 12).tolist()
    ((2, 2), [[1.0, 0.0], [0.0, 1.0]])
"""

from __future__ import annotations

from typing import Any

import numpy as np
from qiskit.primitives.containers import PrimitiveResult, PubResult
from qiskit.primitives.containers.estimator_pub import EstimatorPub

from qtwin._validation import as_generator, check_positive_int
from qtwin.backends._primitive import LocalEstimator
from qtwin.backends._pubs import (
    broadcast_positions,
    check_unitary_circuit,
    dynamic_program,
    estimator_pub_result,
    iter_parameter_sets,
    observable_elements,
    strip_measurements,
    to_sparse_pauli_op,
)
from qtwin.backends.tensornet_chunks import EstimateTask, chunk_bounds, estimate_chunk, run_chunks
from qtwin.backends.tensornet_options import PURE_STATE_HINT, TensornetPrimitive
from qtwin.circuits.dynamic import is_dynamic

__all__ = ["TensornetEstimator"]


class TensornetEstimator(TensornetPrimitive, LocalEstimator):
    """Estimator V2 whose expectation values are computed on :class:`qtwin.tensornet.MPS` or
    ``Statevector``.

    ``run`` raises ``ValueError`` for NaN/inf parameter values, negative precision or an
    instruction it cannot run (named in the message), before the job starts.

    Args:
        default_precision: precision used when neither ``run`` nor the PUB sets one; ``0``
            means exact values.
        seed: int or ``numpy.random.Generator`` for the precision noise.
        max_bond: largest bond dimension kept (``None``: exact, up to machine precision).
        cutoff: singular values below this (relative) threshold are discarded.
        dtype: torch complex dtype of the tensors (default ``torch.complex128``).
        device: torch device, default CPU.
        method: ``"auto"`` (default: dense up to 20 qubits without truncation, MPS beyond),
            ``"mps"`` or ``"statevector"``.
        max_branches: most trajectories a dynamic circuit may branch into (``ValueError``
            beyond).
        cluster: where the parameter sets run (``None``/``"local"``: here; ``"dask:N"``,
            ``"tcp://host:port"``, a ``distributed.Client`` or a
            :class:`~qtwin.distributed.ClusterHandle`); the values equal a local run's.
        chunk_size: parameter sets per task on a cluster.
    """

    def __init__(
        self,
        *,
        default_precision: float = 0.0,
        seed: int | np.random.Generator | None = None,
        max_bond: int | None = None,
        cutoff: float | None = None,
        dtype: Any = None,
        device: Any = None,
        method: str = "auto",
        max_branches: int = 1024,
        cluster: Any = None,
        chunk_size: int = 16,
    ) -> None:
        super().__init__(default_precision=default_precision)
        self._init_tensornet(
            seed,
            max_bond=max_bond,
            cutoff=cutoff,
            dtype=dtype,
            device=device,
            method=method,
            cluster=cluster,
            chunk_size=chunk_size,
        )
        self._max_branches = check_positive_int(max_branches, "max_branches")

    def _check_pub(self, index: int, pub: EstimatorPub) -> None:
        super()._check_pub(index, pub)
        if is_dynamic(pub.circuit):
            dynamic_program(pub.circuit, index, "TensornetEstimator")
        else:
            check_unitary_circuit(pub.circuit, index, "TensornetEstimator", hint=PURE_STATE_HINT)

    def _run(self, pubs: list[EstimatorPub]) -> PrimitiveResult:
        # exact values are computed in chunks (here or on workers); the precision noise is
        # drawn afterwards from the PUB's generator, as in a one-PUB-at-a-time run
        client, chunk_size = self._chunking()
        options = self._worker_options()
        tasks: list[EstimateTask] = []
        plans = []
        for pub in pubs:
            dynamic = is_dynamic(pub.circuit)
            body = (
                pub.circuit
                if dynamic
                else strip_measurements(pub.circuit, 0, "TensornetEstimator")[0]
            )
            shape, positions = broadcast_positions(
                pub.parameter_values.shape, pub.observables.shape
            )
            elements = np.broadcast_to(observable_elements(pub.observables), shape)
            sets = [
                (index, values, positions[index])
                for index, values in iter_parameter_sets(body, pub.parameter_values)
                if positions.get(index)
            ]
            bounds = chunk_bounds(len(sets), chunk_size)
            for lo, hi in bounds:
                chunk = sets[lo:hi]
                ops = [[to_sparse_pauli_op(elements[o]) for o in outs] for _, _, outs in chunk]
                tasks.append(
                    (options, pub.circuit, [v for _, v, _ in chunk], ops, self._max_branches)
                )
            plans.append((pub, dynamic, [index for index, _, _ in sets], len(bounds)))
        outs = iter(run_chunks(estimate_chunk, tasks, client, key="tensornet-estimator"))
        results = []
        for pub, dynamic, indices, n_chunks in plans:
            parts = [part for _ in range(n_chunks) for part in next(outs)]
            per_set = dict(zip(indices, parts, strict=True))
            results.append(self._assemble(pub, dynamic, per_set, as_generator(self._seed)))
        return PrimitiveResult(results, metadata={"version": 2})

    def _assemble(
        self,
        pub: EstimatorPub,
        dynamic: bool,
        per_set: dict[tuple[int, ...], tuple[list[float], float, int]],
        rng: np.random.Generator,
    ) -> PubResult:
        discarded = np.zeros(pub.parameter_values.shape)
        branches = np.zeros(pub.parameter_values.shape, dtype=np.int64)
        for index, (_, dw, nb) in per_set.items():
            discarded[index] = dw
            branches[index] = nb

        def evaluate(index: tuple[int, ...], *_: Any) -> list[float]:
            return per_set[index][0]

        extra = {"num_branches": branches} if dynamic else {}
        return estimator_pub_result(
            pub,
            "TensornetEstimator",
            rng,
            evaluate,
            strip=not dynamic,
            discarded_weight=discarded,
            simulator=self._engine(pub.circuit).name,
            method=self._method_for(pub.circuit),
            **extra,
        )
