"""The object :func:`~qtwin.backends.get_backend` returns: a named pair of V2 primitives.

Every backend, from qtwin's own tensor-network simulator to IBM hardware, is a
:class:`QtwinBackend`: a :class:`~qiskit.primitives.BaseSamplerV2`, a
:class:`~qiskit.primitives.BaseEstimatorV2` and a :meth:`~QtwinBackend.prepare` hook. Code
written against Qiskit's primitives runs on every backend unchanged.

``prepare`` is the identity for simulators. For device backends (``fake:*``, ``ibm:*``) it
transpiles circuits to the device's instruction set architecture (ISA); their primitives do
this on their own as well, so calling it is only needed to inspect the transpiled circuits.

Example:
    >>> from qiskit import QuantumCircuit
    >>> from qiskit.primitives import StatevectorEstimator, StatevectorSampler
    >>> b = QtwinBackend("demo", StatevectorSampler(), StatevectorEstimator(), "reference")
    >>> qc = QuantumCircuit(1)
    >>> b.prepare(qc) is qc, b.prepare([qc])[0] is qc
    (True, True)
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, overload

from qiskit.circuit import QuantumCircuit
from qiskit.primitives import BaseEstimatorV2, BaseSamplerV2

__all__ = ["QtwinBackend"]


def _identity(circuits: list[QuantumCircuit]) -> list[QuantumCircuit]:
    return circuits


def _nothing() -> None:
    return None


@dataclass(frozen=True)
class QtwinBackend:
    """A named backend: V2 sampler and estimator, a description and a ``prepare`` hook.

    Attributes:
        name: the name it was requested by, e.g. ``"tensornet"`` or ``"fake:manila"``.
        sampler: a Qiskit V2 sampler (``sampler.run([(circuit, values)]).result()``).
        estimator: a Qiskit V2 estimator (``estimator.run([(circuit, obs, values)])``).
        description: one line saying what runs the circuits.
        target_backend: the underlying Qiskit ``BackendV2`` (device backends), else ``None``.
        prepare_hook: list of circuits -> list of circuits as run (identity for simulators).
        close_hook: called by :meth:`close` (and on leaving a ``with`` block): closes the
            Dask client of ``get_backend("tensornet", cluster=...)``; nothing elsewhere.
    """

    name: str
    sampler: BaseSamplerV2
    estimator: BaseEstimatorV2
    description: str
    target_backend: Any = None
    prepare_hook: Callable[[list[QuantumCircuit]], list[QuantumCircuit]] = field(
        default=_identity, repr=False
    )
    close_hook: Callable[[], None] = field(default=_nothing, repr=False)

    def close(self) -> None:
        """Release what the backend holds (a cluster client it started); idempotent."""
        self.close_hook()

    def __enter__(self) -> QtwinBackend:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @overload
    def prepare(self, circuits: QuantumCircuit) -> QuantumCircuit: ...

    @overload
    def prepare(self, circuits: Sequence[QuantumCircuit]) -> list[QuantumCircuit]: ...

    def prepare(
        self, circuits: QuantumCircuit | Sequence[QuantumCircuit]
    ) -> QuantumCircuit | list[QuantumCircuit]:
        """Return the circuits as this backend runs them (ISA circuits for devices).

        Args:
            circuits: one circuit or a sequence of them.

        Returns:
            One circuit for one circuit, a list for a sequence; simulators return them as given.
        """
        if isinstance(circuits, QuantumCircuit):
            return self.prepare_hook([circuits])[0]
        return self.prepare_hook(list(circuits))
