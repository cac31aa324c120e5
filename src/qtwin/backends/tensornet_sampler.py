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

from typing import Any

import numpy as np
from qiskit.circuit import Parameter, QuantumCircuit
from qiskit.primitives.containers import SamplerPubResult
from qiskit.primitives.containers.sampler_pub import SamplerPub

from qtwin.backends._primitive import RUN_CALLER, LocalSampler
from qtwin.backends._pubs import check_unitary_circuit, sampler_pub_result, warn_if_no_registers
from qtwin.backends.tensornet_options import PURE_STATE_HINT, TensornetPrimitive

__all__ = ["TensornetSampler"]


class TensornetSampler(TensornetPrimitive, LocalSampler):
    """Sampler V2 whose circuits run on :class:`qtwin.tensornet.MPS`.

    ``run`` raises ``ValueError`` for NaN/inf parameter values, mid-circuit measurements,
    resets or control flow, before the job starts.

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
        super().__init__(default_shots=default_shots)
        self._init_tensornet(seed, max_bond=max_bond, cutoff=cutoff, dtype=dtype, device=device)

    def _check_pub(self, index: int, pub: SamplerPub) -> None:
        super()._check_pub(index, pub)
        check_unitary_circuit(pub.circuit, index, "TensornetSampler", hint=PURE_STATE_HINT)
        warn_if_no_registers(
            pub.circuit,
            index,
            hint="Did you mean to add measurements (e.g. circuit.measure_all())?",
            stacklevel=RUN_CALLER,
        )

    def _run_pub(self, pub: SamplerPub, rng: np.random.Generator) -> SamplerPubResult:
        discarded = np.zeros(pub.shape)

        def sample(
            index: tuple[int, ...],
            body: QuantumCircuit,
            values: dict[Parameter, float],
            qubits: list[int],
        ) -> np.ndarray:
            mps = self._mps(body, values)
            seed = int(rng.integers(2**63 - 1))
            if qubits:
                samples = np.asarray(mps.sample(pub.shots, seed=seed))
            else:
                samples = np.zeros((pub.shots, body.num_qubits), dtype=np.int64)
            discarded[index] = float(mps.discarded_weight)
            return samples

        return sampler_pub_result(
            pub,
            "TensornetSampler",
            sample,
            discarded_weight=discarded,
            simulator="qtwin.tensornet.MPS",
        )
