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

from collections.abc import Iterable
from typing import Any

import numpy as np
from qiskit.primitives import BaseEstimatorV2, PrimitiveJob
from qiskit.primitives.containers import DataBin, EstimatorPubLike, PrimitiveResult, PubResult
from qiskit.primitives.containers.estimator_pub import EstimatorPub

from qtwin._validation import as_generator, check_nonnegative_float
from qtwin.backends._pubs import (
    broadcast_positions,
    check_parameter_values,
    iter_parameter_sets,
    observable_elements,
    refuse_control_flow,
    strip_measurements,
    to_sparse_pauli_op,
)
from qtwin.backends.tensornet_options import MPSOptions
from qtwin.backends.tensornet_sampler import PURE_STATE_HINT

__all__ = ["TensornetEstimator"]


class TensornetEstimator(BaseEstimatorV2):
    """Estimator V2 whose expectation values are computed on :class:`qtwin.tensornet.MPS`.

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
        self._default_precision = check_nonnegative_float(default_precision, "default_precision")
        as_generator(seed)  # validates the type
        self._seed = seed
        self._mps_options = MPSOptions.checked(
            max_bond=max_bond, cutoff=cutoff, dtype=dtype, device=device
        )

    @property
    def default_precision(self) -> float:
        """Precision used when neither ``run`` nor a PUB sets one."""
        return self._default_precision

    @property
    def seed(self) -> int | np.random.Generator | None:
        """The seed (or generator) of the precision noise."""
        return self._seed

    @property
    def mps_options(self) -> MPSOptions:
        """Truncation, dtype and device of the simulation."""
        return self._mps_options

    def run(
        self, pubs: Iterable[EstimatorPubLike], *, precision: float | None = None
    ) -> PrimitiveJob[PrimitiveResult[PubResult]]:
        """Estimate every PUB; see :class:`~qiskit.primitives.BaseEstimatorV2`.

        Raises:
            ValueError: NaN/inf parameter values, negative precision, mid-circuit
                measurements, resets or control flow (raised here, before the job starts).
        """
        if precision is None:
            precision = self._default_precision
        check_nonnegative_float(precision, "precision")
        coerced = [EstimatorPub.coerce(pub, precision) for pub in pubs]
        for i, pub in enumerate(coerced):
            check_nonnegative_float(pub.precision, f"precision of pubs[{i}]")
            check_parameter_values(pub.parameter_values, i)
            refuse_control_flow(pub.circuit, i, "TensornetEstimator")
            strip_measurements(pub.circuit, i, "TensornetEstimator", hint=PURE_STATE_HINT)
        job = PrimitiveJob(self._run, coerced)
        job._submit()
        return job

    def _run(self, pubs: list[EstimatorPub]) -> PrimitiveResult[PubResult]:
        rng = as_generator(self._seed)
        return PrimitiveResult([self._run_pub(pub, rng) for pub in pubs], metadata={"version": 2})

    def _run_pub(self, pub: EstimatorPub, rng: np.random.Generator) -> PubResult:
        from qtwin.tensornet import MPS

        body, _ = strip_measurements(pub.circuit, 0, "TensornetEstimator")
        param_shape = pub.parameter_values.shape
        shape, positions = broadcast_positions(param_shape, pub.observables.shape)
        observables = np.broadcast_to(observable_elements(pub.observables), shape)
        evs = np.zeros(shape, dtype=np.float64)
        discarded = np.zeros(param_shape)
        for p, values in iter_parameter_sets(body, pub.parameter_values):
            if p not in positions:
                continue
            mps = MPS.from_circuit(body, parameter_values=values, **self._mps_options.kwargs())
            discarded[p] = float(mps.discarded_weight)
            for out in positions[p]:
                evs[out] = complex(mps.expectation(to_sparse_pauli_op(observables[out]))).real
        stds = np.zeros(shape)
        if pub.precision > 0:
            evs = rng.normal(evs, pub.precision)
            stds[...] = pub.precision
        return PubResult(
            DataBin(evs=evs, stds=stds, shape=shape),
            metadata={
                "target_precision": pub.precision,
                "circuit_metadata": pub.circuit.metadata,
                "discarded_weight": discarded,
                "simulator": "qtwin.tensornet.MPS",
            },
        )
