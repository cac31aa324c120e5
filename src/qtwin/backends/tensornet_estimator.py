r"""A Qiskit V2 estimator on qtwin's matrix-product-state simulator.

For a PUB ``(circuit, observables, parameter_values, precision)`` the observables array and
the parameter sets broadcast against each other as in Qiskit: the result has shape
``numpy.broadcast_shapes(observables.shape, parameter_values.shape)`` and element ``i`` is

.. math::

    \langle O_i \rangle = \sum_P c_{i,P}\, \langle\psi(\theta_i)| P |\psi(\theta_i)\rangle,

computed exactly on the MPS (no sampling) for each Pauli string :math:`P` of :math:`O_i`. Each
parameter set's state is built once and serves every observable broadcast against it.

``precision = 0`` (the default) returns the exact values with ``stds = 0``. ``precision > 0``
mimics a shot-limited estimate: every value gets independent Gaussian noise
:math:`\mathcal N(0, \text{precision}^2)` from the seeded generator and ``stds = precision``.

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
from qiskit.circuit import Parameter, QuantumCircuit
from qiskit.primitives.containers import PubResult
from qiskit.primitives.containers.estimator_pub import EstimatorPub
from qiskit.quantum_info import SparsePauliOp

from qtwin.backends._primitive import LocalEstimator
from qtwin.backends._pubs import check_unitary_circuit, estimator_pub_result
from qtwin.backends.tensornet_options import PURE_STATE_HINT, TensornetPrimitive

__all__ = ["TensornetEstimator"]


class TensornetEstimator(TensornetPrimitive, LocalEstimator):
    """Estimator V2 whose expectation values are computed on :class:`qtwin.tensornet.MPS`.

    ``run`` raises ``ValueError`` for NaN/inf parameter values, negative precision,
    mid-circuit measurements, resets or control flow, before the job starts.

    Args:
        default_precision: precision used when neither ``run`` nor the PUB sets one; ``0``
            means exact values.
        seed: int or ``numpy.random.Generator`` for the precision noise.
        max_bond: largest bond dimension kept (``None``: exact, up to machine precision).
        cutoff: singular values below this (relative) threshold are discarded.
        dtype: torch complex dtype of the tensors (default ``torch.complex128``).
        device: torch device, default CPU.
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
    ) -> None:
        super().__init__(default_precision=default_precision)
        self._init_tensornet(seed, max_bond=max_bond, cutoff=cutoff, dtype=dtype, device=device)

    def _check_pub(self, index: int, pub: EstimatorPub) -> None:
        super()._check_pub(index, pub)
        check_unitary_circuit(pub.circuit, index, "TensornetEstimator", hint=PURE_STATE_HINT)

    def _run_pub(self, pub: EstimatorPub, rng: np.random.Generator) -> PubResult:
        discarded = np.zeros(pub.parameter_values.shape)

        def evaluate(
            index: tuple[int, ...],
            body: QuantumCircuit,
            values: dict[Parameter, float],
            observables: list[SparsePauliOp],
        ) -> list[float]:
            mps = self._mps(body, values)
            discarded[index] = float(mps.discarded_weight)
            return [complex(mps.expectation(op)).real for op in observables]

        return estimator_pub_result(
            pub,
            "TensornetEstimator",
            rng,
            evaluate,
            discarded_weight=discarded,
            simulator="qtwin.tensornet.MPS",
        )
