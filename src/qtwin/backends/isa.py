r"""Transpile-to-ISA wrappers for primitives that run on devices (fake or real).

IBM devices (and the fake backends that mimic them) accept only *ISA circuits*: circuits
over the device's native gates, acting on physical qubits that the coupling map connects.
:class:`IsaSampler` and :class:`IsaEstimator` wrap any V2 primitive and, on every ``run``,
transpile each PUB's circuit with Qiskit's preset pass manager
(``generate_preset_pass_manager(optimization_level=1, backend=...)``). For the estimator the
observables follow the layout: an observable :math:`O` on virtual qubits becomes
:math:`O' = \Pi_L(O)` on physical qubits via ``ObservablesArray.apply_layout``, so that
:math:`\langle O\rangle_{\text{circuit}} = \langle O'\rangle_{\text{ISA circuit}}`.
Classical registers survive transpilation, so sampler results keep their field names.

Example:
    >>> from qiskit import QuantumCircuit
    >>> from qiskit.primitives import StatevectorSampler
    >>> from qiskit.providers.fake_provider import GenericBackendV2
    >>> device = GenericBackendV2(num_qubits=3, basis_gates=["rz", "sx", "x", "cx"], seed=1)
    >>> sampler = IsaSampler(StatevectorSampler(seed=1), device)
    >>> qc = QuantumCircuit(2); _ = qc.h(0); _ = qc.cx(0, 1); _ = qc.measure_all()
    >>> sorted(sampler.prepare([qc])[0].count_ops()) <= ["barrier", "cx", "measure", "rz", "sx"]
    True
    >>> sorted(sampler.run([qc], shots=100).result()[0].data.meas.get_counts())
    ['00', '11']
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from qiskit.circuit import QuantumCircuit
from qiskit.primitives import BaseEstimatorV2, BaseSamplerV2
from qiskit.primitives.containers import EstimatorPubLike, SamplerPubLike
from qiskit.primitives.containers.estimator_pub import EstimatorPub
from qiskit.primitives.containers.sampler_pub import SamplerPub
from qiskit.transpiler import generate_preset_pass_manager

from qtwin._validation import check_choice
from qtwin.backends._pubs import as_pauli_observables, check_parameter_values
from qtwin.backends.backend import QtwinBackend

__all__ = ["IsaSampler", "IsaEstimator", "IsaTranspiler", "make_isa_backend"]


class IsaTranspiler:
    """Transpiles circuits to a device's ISA with a preset pass manager.

    Args:
        backend: a Qiskit ``BackendV2`` (its target defines the ISA).
        optimization_level: 0 to 3, as in :func:`qiskit.transpile`; default 1.
        seed_transpiler: seed of the stochastic layout and routing passes.
    """

    def __init__(
        self, backend: Any, *, optimization_level: int = 1, seed_transpiler: int | None = None
    ) -> None:
        check_choice(optimization_level, "optimization_level", [0, 1, 2, 3])
        self.backend = backend
        self.pass_manager = generate_preset_pass_manager(
            optimization_level=optimization_level, backend=backend, seed_transpiler=seed_transpiler
        )

    def __call__(self, circuits: Sequence[QuantumCircuit]) -> list[QuantumCircuit]:
        """Return the ISA versions of ``circuits`` (a list, in order)."""
        if not circuits:
            return []
        out = self.pass_manager.run(list(circuits))
        return list(out)


class _IsaWrapper:
    """What :class:`IsaSampler` and :class:`IsaEstimator` share: ``inner``, the transpiler and
    the checked, transpiled PUBs."""

    def __init__(
        self,
        inner: Any,
        backend: Any,
        *,
        optimization_level: int = 1,
        seed_transpiler: int | None = None,
    ) -> None:
        self.inner = inner
        self.transpiler = IsaTranspiler(
            backend, optimization_level=optimization_level, seed_transpiler=seed_transpiler
        )

    def prepare(self, circuits: Sequence[QuantumCircuit]) -> list[QuantumCircuit]:
        """The ISA circuits this primitive would run."""
        return self.transpiler(circuits)

    def _transpiled(self, pubs: list[Any]) -> list[tuple[QuantumCircuit, Any]]:
        """``(ISA circuit, pub)`` for each coerced PUB, after checking its parameter values."""
        for i, pub in enumerate(pubs):
            check_parameter_values(pub.parameter_values, i)
        isa = self.transpiler([pub.circuit for pub in pubs])
        return list(zip(isa, pubs, strict=True))


class IsaSampler(_IsaWrapper, BaseSamplerV2):
    """A V2 sampler that transpiles every PUB to the device's ISA, then calls ``inner``.

    Args:
        inner: the sampler that runs ISA circuits (IBM Runtime's or Aer's ``from_backend``).
        backend: the device whose ISA to target.
        optimization_level: transpiler optimization level, default 1.
        seed_transpiler: seed of layout and routing.
    """

    inner: BaseSamplerV2

    def run(self, pubs: Iterable[SamplerPubLike], *, shots: int | None = None) -> Any:
        """Transpile the PUBs and run them on ``inner``; returns ``inner``'s job."""
        coerced = [SamplerPub.coerce(pub, shots) for pub in pubs]
        ready = [
            SamplerPub(circuit, pub.parameter_values, pub.shots)
            for circuit, pub in self._transpiled(coerced)
        ]
        return self.inner.run(ready, shots=shots)


class IsaEstimator(_IsaWrapper, BaseEstimatorV2):
    """A V2 estimator that transpiles every PUB to the device's ISA, then calls ``inner``.

    The observables are mapped onto the physical qubits with the transpiled circuit's layout.

    Args:
        inner: the estimator that runs ISA circuits.
        backend: the device whose ISA to target.
        optimization_level: transpiler optimization level, default 1.
        seed_transpiler: seed of layout and routing.
    """

    inner: BaseEstimatorV2

    def run(self, pubs: Iterable[EstimatorPubLike], *, precision: float | None = None) -> Any:
        """Transpile the PUBs, map their observables, and run them on ``inner``."""
        coerced = [EstimatorPub.coerce(pub, precision) for pub in pubs]
        ready = [
            EstimatorPub(
                circuit,
                as_pauli_observables(pub.observables).apply_layout(
                    circuit.layout, circuit.num_qubits
                ),
                pub.parameter_values,
                pub.precision,
            )
            for circuit, pub in self._transpiled(coerced)
        ]
        return self.inner.run(ready, precision=precision)


def make_isa_backend(
    name: str,
    sampler: BaseSamplerV2,
    estimator: BaseEstimatorV2,
    device: Any,
    *,
    description: str,
    optimization_level: int,
    seed_transpiler: int | None,
) -> QtwinBackend:
    """A device backend: ``sampler`` and ``estimator`` wrapped to transpile to ``device``'s ISA.

    ``prepare`` is the sampler's transpilation; the description ends with the optimization level.
    """
    isa = {"optimization_level": optimization_level, "seed_transpiler": seed_transpiler}
    isa_sampler = IsaSampler(sampler, device, **isa)
    return QtwinBackend(
        name=name,
        sampler=isa_sampler,
        estimator=IsaEstimator(estimator, device, **isa),
        description=f"{description}; circuits transpiled to its ISA "
        f"(optimization_level={optimization_level})",
        target_backend=device,
        prepare_hook=isa_sampler.prepare,
    )
