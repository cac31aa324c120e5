"""What qtwin's own V2 primitives share: defaults, the checks in ``run``, and the job.

:class:`LocalSampler` and :class:`LocalEstimator` are the bases of the samplers and estimators
that compute their results in this process (tensornet, Aer, PennyLane). ``run`` fills in the
default shots or precision, coerces the PUBs, checks every one of them *before* the job starts
(finite parameter values, non-negative precision, then the subclass's :meth:`_check_pub`) and
returns a :class:`~qiskit.primitives.PrimitiveJob` that calls ``_run``. The default ``_run``
computes the PUBs one after another with :meth:`_run_pub`; a subclass either implements
``_run_pub`` or overrides ``_run``.

Seeding follows Qiskit's ``StatevectorSampler``/``StatevectorEstimator``: every PUB gets
``numpy.random.default_rng(seed)``. With an int seed, each PUB starts from the same stream,
so identical PUBs in one run get identical samples and identical precision noise (and a
rerun reproduces them); a ``numpy.random.Generator`` seed is shared, so PUBs continue its
stream; ``None`` draws fresh entropy per PUB.

Result metadata: Qiskit's keys (``shots`` or ``target_precision``, and ``circuit_metadata``)
plus qtwin's extras gathered under the one key :data:`METADATA_KEY` (``"qtwin"``). For
compatibility the extras are also still copied to the top level (deprecated; to be removed).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np
from qiskit.primitives import BaseEstimatorV2, BaseSamplerV2, PrimitiveJob
from qiskit.primitives.containers import (
    EstimatorPubLike,
    PrimitiveResult,
    PubResult,
    SamplerPubLike,
    SamplerPubResult,
)
from qiskit.primitives.containers.estimator_pub import EstimatorPub
from qiskit.primitives.containers.sampler_pub import SamplerPub

from qtwin._validation import as_generator, check_nonnegative_float, check_positive_int
from qtwin.backends._pubs import check_parameter_values

__all__ = ["LocalSampler", "LocalEstimator", "RUN_CALLER", "METADATA_KEY"]

METADATA_KEY = "qtwin"
"""The result-metadata key under which qtwin's primitives put what Qiskit's do not report."""

RUN_CALLER = 4
"""``stacklevel``, counted from ``_check_pub``, of the code that called ``run``."""


class _Local:
    """The job and the per-PUB ``_run`` of :class:`LocalSampler` and :class:`LocalEstimator`."""

    _seed: int | np.random.Generator | None = None

    def _check_pub(self, index: int, pub: Any) -> None:
        """Check ``pubs[index]`` in ``run``, before the job starts: finite parameter values.

        Subclasses add their checks after ``super()._check_pub(index, pub)``; a warning issued
        here with ``stacklevel=RUN_CALLER`` points at the caller of ``run``.
        """
        check_parameter_values(pub.parameter_values, index)

    def _submit(self, pubs: list[Any]) -> PrimitiveJob:
        for i, pub in enumerate(pubs):
            self._check_pub(i, pub)
        job = PrimitiveJob(self._run, pubs)
        job._submit()
        return job

    def _run(self, pubs: list[Any]) -> PrimitiveResult:
        # one generator per PUB from the seed, as Qiskit's reference primitives do
        results = [self._run_pub(pub, as_generator(self._seed)) for pub in pubs]
        return PrimitiveResult(results, metadata={"version": 2})

    def _run_pub(self, pub: Any, rng: np.random.Generator) -> Any:
        raise NotImplementedError(f"{type(self).__name__} must define _run_pub or _run")


class LocalSampler(_Local, BaseSamplerV2):
    """Base of qtwin's samplers: default shots, PUB checks in ``run``, a ``PrimitiveJob``.

    Args:
        default_shots: shots when neither ``run`` nor a PUB sets them.
    """

    def __init__(self, *, default_shots: int) -> None:
        self._default_shots = check_positive_int(default_shots, "default_shots")

    @property
    def default_shots(self) -> int:
        """Shots used when neither ``run`` nor a PUB sets them."""
        return self._default_shots

    def run(
        self, pubs: Iterable[SamplerPubLike], *, shots: int | None = None
    ) -> PrimitiveJob[PrimitiveResult[SamplerPubResult]]:
        """Sample every PUB; see :class:`~qiskit.primitives.BaseSamplerV2`.

        Raises:
            ValueError: NaN/inf parameter values, or a PUB this sampler cannot run (raised
                here, before the job starts).
        """
        if shots is None:
            shots = self._default_shots
        return self._submit([SamplerPub.coerce(pub, shots) for pub in pubs])


class LocalEstimator(_Local, BaseEstimatorV2):
    """Base of qtwin's estimators: default precision, PUB checks in ``run``, a ``PrimitiveJob``.

    Args:
        default_precision: precision when neither ``run`` nor a PUB sets one.
    """

    def __init__(self, *, default_precision: float) -> None:
        self._default_precision = check_nonnegative_float(default_precision, "default_precision")

    @property
    def default_precision(self) -> float:
        """Precision used when neither ``run`` nor a PUB sets one."""
        return self._default_precision

    def run(
        self, pubs: Iterable[EstimatorPubLike], *, precision: float | None = None
    ) -> PrimitiveJob[PrimitiveResult[PubResult]]:
        """Estimate every PUB; see :class:`~qiskit.primitives.BaseEstimatorV2`.

        Raises:
            ValueError: NaN/inf parameter values, negative precision, or a PUB this estimator
                cannot run (raised here, before the job starts).
        """
        if precision is None:
            precision = self._default_precision
        check_nonnegative_float(precision, "precision")
        return self._submit([EstimatorPub.coerce(pub, precision) for pub in pubs])

    def _check_pub(self, index: int, pub: EstimatorPub) -> None:
        check_nonnegative_float(pub.precision, f"precision of pubs[{index}]")
        super()._check_pub(index, pub)
