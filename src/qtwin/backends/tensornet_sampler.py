r"""A Qiskit V2 sampler on qtwin's tensor-network simulator (MPS or dense statevector).

For each PUB ``(circuit, parameter_values, shots)`` and each parameter set, the sampler strips
the final measurements, builds the state :math:`|\psi(\theta)\rangle` and draws ``shots``
bitstrings :math:`x` with probability :math:`|\langle x|\psi(\theta)\rangle|^2`. The engine is
chosen by ``method`` (:mod:`~qtwin.backends.tensornet_options`): an
:class:`~qtwin.tensornet.MPS` (bond dimension capped at ``max_bond``, singular values below
``cutoff`` dropped; sequential conditional sampling along the chain) or the dense
:class:`~qtwin.tensornet.Statevector`. Each classical register of the circuit becomes a field
of the result's ``DataBin``, in the bit order of Qiskit's ``StatevectorSampler``.

Dynamic circuits (mid-circuit measurements, resets, ``if_else``, ``switch_case``,
``for_loop``, ``while_loop``) run as branching trajectories
(:mod:`qtwin.tensornet.dynamic`): shots share the simulation until a measurement outcome tells
them apart, so a measurement whose outcome is certain costs no extra branch. A circuit with
only final measurements takes the static path above.

Truncation makes the sampled distribution that of a nearby state: the result metadata carry
``discarded_weight`` (array of the PUB shape), the total truncated weight, so that
:math:`1 - \text{discarded\_weight}` estimates the fidelity with the exact state (always 0 on
the dense engine). ``simulator`` and ``method`` name the engine that ran the PUB; a dynamic
PUB also reports ``num_branches`` (trajectories per parameter set). These qtwin keys live under
``metadata["qtwin"]`` (and, deprecated, also at the top level); the other keys are Qiskit's.
Seeding is per PUB as on Qiskit's ``StatevectorSampler``: with an int ``seed`` identical PUBs
in one run give identical samples.

With ``cluster=`` (e.g. ``get_backend("tensornet", cluster="dask:2")``) the parameter sets of
all PUBs run as chunks of ``chunk_size`` on Dask workers and come back in PUB order; the seeds
are drawn here as in a local run, so the samples equal the local ones
(:mod:`~qtwin.backends.tensornet_chunks`).

Example:
    >>> from qiskit import QuantumCircuit
    >>> qc = QuantumCircuit(2); _ = qc.x(0); _ = qc.measure_all()
    >>> result = TensornetSampler(seed=7).run([qc], shots=10).result()
    >>> result[0].data.meas.get_counts(), result[0].metadata["qtwin"]["method"]
    ({'01': 10}, 'statevector')
    >>> qc = QuantumCircuit(1, 2); _ = qc.x(0); _ = qc.measure(0, 0); _ = qc.reset(0)
    >>> _ = qc.measure(0, 1)
    >>> TensornetSampler(seed=7).run([qc], shots=10).result()[0].data.c.get_counts()
    {'01': 10}
"""

from __future__ import annotations

from typing import Any

import numpy as np
from qiskit.primitives.containers import BitArray, DataBin, PrimitiveResult, SamplerPubResult
from qiskit.primitives.containers.sampler_pub import SamplerPub

from qtwin._validation import as_generator
from qtwin.backends._primitive import RUN_CALLER, LocalSampler
from qtwin.backends._pubs import (
    check_unitary_circuit,
    dynamic_program,
    iter_parameter_sets,
    pub_metadata,
    sampler_pub_result,
    strip_measurements,
    warn_if_no_registers,
)
from qtwin.backends.tensornet_chunks import SampleTask, chunk_bounds, run_chunks, sample_chunk
from qtwin.backends.tensornet_options import PURE_STATE_HINT, TensornetPrimitive
from qtwin.circuits.dynamic import is_dynamic

__all__ = ["TensornetSampler"]


class TensornetSampler(TensornetPrimitive, LocalSampler):
    """Sampler V2 whose circuits run on :class:`qtwin.tensornet.MPS` or ``Statevector``.

    ``run`` raises ``ValueError`` for NaN/inf parameter values or an instruction it cannot
    run (named in the message, e.g. ``store``), before the job starts.

    Args:
        default_shots: shots per parameter set when neither ``run`` nor the PUB gives them.
        seed: an int or ``numpy.random.Generator``; an int makes every ``run`` call reproducible.
        max_bond: largest bond dimension kept (``None``: exact, up to machine precision).
        cutoff: singular values below this (relative) threshold are discarded.
        dtype: torch complex dtype of the tensors (default ``torch.complex128``).
        device: torch device (``"cpu"``, ``"cuda"``...), default CPU.
        method: ``"auto"`` (default: dense up to 20 qubits without truncation, MPS beyond),
            ``"mps"`` or ``"statevector"``.
        cluster: where the parameter sets run: ``None``/``"local"`` (here), ``"dask:N"``,
            ``"tcp://host:port"``, a ``distributed.Client`` or a
            :class:`~qtwin.distributed.ClusterHandle` (:mod:`qtwin.distributed`). Same
            ``seed``, same samples as a local run (:mod:`~qtwin.backends.tensornet_chunks`).
        chunk_size: parameter sets per task on a cluster.
    """

    def __init__(
        self,
        *,
        default_shots: int = 1024,
        seed: int | np.random.Generator | None = None,
        max_bond: int | None = None,
        cutoff: float | None = None,
        dtype: Any = None,
        device: Any = None,
        method: str = "auto",
        cluster: Any = None,
        chunk_size: int = 16,
    ) -> None:
        super().__init__(default_shots=default_shots)
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

    def _check_pub(self, index: int, pub: SamplerPub) -> None:
        super()._check_pub(index, pub)
        if is_dynamic(pub.circuit):
            dynamic_program(pub.circuit, index, "TensornetSampler")
        else:
            check_unitary_circuit(pub.circuit, index, "TensornetSampler", hint=PURE_STATE_HINT)
        warn_if_no_registers(
            pub.circuit,
            index,
            hint="Did you mean to add measurements (e.g. circuit.measure_all())?",
            stacklevel=RUN_CALLER,
        )

    def _run(self, pubs: list[SamplerPub]) -> PrimitiveResult:
        # every seed is drawn here, in the order of a one-PUB-at-a-time run, so that chunks
        # computed anywhere (sample_chunk) give the same samples as the local run
        client, chunk_size = self._chunking()
        options = self._worker_options()
        tasks: list[SampleTask] = []
        plans = []
        for pub in pubs:
            rng = as_generator(self._seed)  # one generator per PUB, as Qiskit's reference
            dynamic = is_dynamic(pub.circuit)
            body = (
                pub.circuit
                if dynamic
                else strip_measurements(pub.circuit, 0, "TensornetSampler")[0]
            )
            sets = list(iter_parameter_sets(body, pub.parameter_values))
            seeds = [int(rng.integers(2**63 - 1)) for _ in sets]
            bounds = chunk_bounds(len(sets), chunk_size)
            for lo, hi in bounds:
                values = [v for _, v in sets[lo:hi]]
                tasks.append((options, pub.circuit, values, pub.shots, seeds[lo:hi]))
            plans.append((pub, dynamic, [index for index, _ in sets], len(bounds)))
        outs = iter(run_chunks(sample_chunk, tasks, client, key="tensornet-sampler"))
        results = []
        for pub, dynamic, indices, n_chunks in plans:
            parts = [part for _ in range(n_chunks) for part in next(outs)]
            per_set = dict(zip(indices, parts, strict=True))
            assemble = self._assemble_dynamic if dynamic else self._assemble_static
            results.append(assemble(pub, per_set))
        return PrimitiveResult(results, metadata={"version": 2})

    def _assemble_static(
        self, pub: SamplerPub, per_set: dict[tuple[int, ...], tuple[np.ndarray, float, int]]
    ) -> SamplerPubResult:
        discarded = np.zeros(pub.shape)
        for index, (_, dw, _) in per_set.items():
            discarded[index] = dw

        def sample(index: tuple[int, ...], *_: Any) -> np.ndarray:
            return per_set[index][0]

        return sampler_pub_result(
            pub,
            "TensornetSampler",
            sample,
            discarded_weight=discarded,
            simulator=self._engine(pub.circuit).name,
            method=self._method_for(pub.circuit),
        )

    def _assemble_dynamic(
        self, pub: SamplerPub, per_set: dict[tuple[int, ...], tuple[np.ndarray, float, int]]
    ) -> SamplerPubResult:
        circuit = pub.circuit
        bits = np.zeros(pub.shape + (pub.shots, circuit.num_clbits), dtype=bool)
        discarded = np.zeros(pub.shape)
        branches = np.zeros(pub.shape, dtype=np.int64)
        for index, (b, dw, nb) in per_set.items():
            bits[index] = b
            discarded[index] = dw
            branches[index] = nb
        data = {
            creg.name: BitArray.from_bool_array(
                bits[..., [circuit.find_bit(b).index for b in creg]], order="little"
            )
            for creg in circuit.cregs
        }
        extra = {
            "discarded_weight": discarded,
            "simulator": self._engine(circuit).name,
            "method": self._method_for(circuit),
            "num_branches": branches,
        }
        return SamplerPubResult(
            DataBin(**data, shape=pub.shape),
            metadata=pub_metadata({"shots": pub.shots}, circuit, extra),
        )
