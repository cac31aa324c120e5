r"""A Qiskit V2 sampler on qtwin's matrix-product-state simulator.

For each PUB ``(circuit, parameter_values, shots)`` and each parameter set, the sampler strips
the final measurements, builds the state :math:`|\psi(\theta)\rangle` as an
:class:`~qtwin.tensornet.MPS` (bond dimension capped at ``max_bond``, singular values below
``cutoff`` dropped) and draws ``shots`` bitstrings :math:`x` with probability
:math:`|\langle x|\psi(\theta)\rangle|^2` by sequential conditional sampling along the chain.
Each classical register of the circuit becomes a field of the result's ``DataBin``.

Truncation makes the sampled distribution that of a nearby state: the result metadata carry
``discarded_weight`` (array of the PUB shape), the total truncated weight, so that
:math:`1 - \text{discarded\_weight}` estimates the fidelity with the exact state.

Mid-circuit measurements, resets and classical control flow raise ``ValueError``.

Example:
    >>> from qiskit import QuantumCircuit
    >>> qc = QuantumCircuit(2); _ = qc.x(0); _ = qc.measure_all()
    >>> result = TensornetSampler(seed=7).run([qc], shots=10).result()
    >>> result[0].data.meas.get_counts()
    {'01': 10}
"""

from __future__ import annotations

import warnings
from collections.abc import Iterable
from typing import Any

import numpy as np
from qiskit.primitives import BaseSamplerV2, PrimitiveJob
from qiskit.primitives.containers import DataBin, PrimitiveResult, SamplerPubLike, SamplerPubResult
from qiskit.primitives.containers.sampler_pub import SamplerPub

from qtwin._validation import as_generator, check_positive_int
from qtwin.backends._pubs import (
    MeasuredRegisters,
    check_parameter_values,
    iter_parameter_sets,
    refuse_control_flow,
    strip_measurements,
)
from qtwin.backends.tensornet_options import MPSOptions

__all__ = ["TensornetSampler"]

PURE_STATE_HINT = (
    "The tensornet backend simulates pure states; use the 'aer' backend for mid-circuit "
    "measurements and resets."
)


class TensornetSampler(BaseSamplerV2):
    """Sampler V2 whose circuits run on :class:`qtwin.tensornet.MPS`.

    Args:
        default_shots: shots per parameter set when neither ``run`` nor the PUB gives them.
        seed: an int or ``numpy.random.Generator``; an int makes every ``run`` call reproducible.
        max_bond: largest bond dimension kept (``None``: exact, up to machine precision).
        cutoff: singular values below this (relative) threshold are discarded.
        dtype: torch complex dtype of the tensors (default ``torch.complex128``).
        device: torch device (``"cpu"``, ``"cuda"``...), default CPU.
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
    ) -> None:
        self._default_shots = check_positive_int(default_shots, "default_shots")
        as_generator(seed)  # validates the type
        self._seed = seed
        self._mps_options = MPSOptions.checked(
            max_bond=max_bond, cutoff=cutoff, dtype=dtype, device=device
        )

    @property
    def default_shots(self) -> int:
        """Shots used when neither ``run`` nor a PUB sets them."""
        return self._default_shots

    @property
    def seed(self) -> int | np.random.Generator | None:
        """The seed (or generator) of the sampling."""
        return self._seed

    @property
    def mps_options(self) -> MPSOptions:
        """Truncation, dtype and device of the simulation."""
        return self._mps_options

    def run(
        self, pubs: Iterable[SamplerPubLike], *, shots: int | None = None
    ) -> PrimitiveJob[PrimitiveResult[SamplerPubResult]]:
        """Sample every PUB; see :class:`~qiskit.primitives.BaseSamplerV2`.

        Raises:
            ValueError: NaN/inf parameter values, mid-circuit measurements, resets or control
                flow (raised here, before the job starts).
        """
        if shots is None:
            shots = self._default_shots
        coerced = [SamplerPub.coerce(pub, shots) for pub in pubs]
        for i, pub in enumerate(coerced):
            check_parameter_values(pub.parameter_values, i)
            refuse_control_flow(pub.circuit, i, "TensornetSampler")
            strip_measurements(pub.circuit, i, "TensornetSampler", hint=PURE_STATE_HINT)
            if not pub.circuit.cregs:
                warnings.warn(
                    f"pubs[{i}] has no classical registers, so its result is empty. "
                    "Did you mean to add measurements (e.g. circuit.measure_all())?",
                    UserWarning,
                    stacklevel=2,
                )
        job = PrimitiveJob(self._run, coerced)
        job._submit()
        return job

    def _run(self, pubs: list[SamplerPub]) -> PrimitiveResult[SamplerPubResult]:
        rng = as_generator(self._seed)
        return PrimitiveResult([self._run_pub(pub, rng) for pub in pubs], metadata={"version": 2})

    def _run_pub(self, pub: SamplerPub, rng: np.random.Generator) -> SamplerPubResult:
        from qtwin.tensornet import MPS

        body, clbit_to_qubit = strip_measurements(pub.circuit, 0, "TensornetSampler")
        registers = MeasuredRegisters(pub.circuit, clbit_to_qubit)
        measures_something = bool(registers.measured_qubits)
        samples: dict[tuple[int, ...], np.ndarray] = {}
        discarded = np.zeros(pub.shape)
        for index, values in iter_parameter_sets(body, pub.parameter_values):
            mps = MPS.from_circuit(body, parameter_values=values, **self._mps_options.kwargs())
            seed = int(rng.integers(2**63 - 1))
            if measures_something:
                samples[index] = np.asarray(mps.sample(pub.shots, seed=seed))
            else:
                samples[index] = np.zeros((pub.shots, body.num_qubits), dtype=np.int64)
            discarded[index] = float(mps.discarded_weight)
        data = registers.to_bit_arrays(samples, pub.shape, pub.shots) if registers.names else {}
        return SamplerPubResult(
            DataBin(**data, shape=pub.shape),
            metadata={
                "shots": pub.shots,
                "circuit_metadata": pub.circuit.metadata,
                "discarded_weight": discarded,
                "simulator": "qtwin.tensornet.MPS",
            },
        )
