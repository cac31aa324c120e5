r"""Qiskit Aer behind the V2 primitives, with the simulation method chosen per circuit.

Aer's own :class:`qiskit_aer.primitives.SamplerV2` / ``EstimatorV2`` run every circuit with
one method. :class:`AerAutoSampler` and :class:`AerAutoEstimator` wrap them and choose per PUB:

* ``method`` given: that method for every PUB (any of ``AerSimulator().available_methods()``);
* otherwise ``"statevector"`` for circuits of at most :data:`STATEVECTOR_MAX_QUBITS` = 28 qubits
  (a dense state of :math:`2^{28}` complex doubles is 4 GiB), and
  ``"matrix_product_state"`` beyond, where memory grows with entanglement rather than width.

The device is ``"GPU"`` when Aer reports one (``AerSimulator().available_devices()``; needs
the ``qiskit-aer-gpu`` build, ``pip install "qtwin[gpu]"``) and ``"CPU"`` otherwise; the
``"aer-gpu"`` backend insists on the GPU. Circuits with instructions Aer does not know (e.g. a
``QFTGate``) are unrolled to Aer's basis first; mid-circuit measurements, resets and control
flow are all supported.

Example:
    >>> from qiskit import QuantumCircuit
    >>> qc = QuantumCircuit(2); _ = qc.x(1); _ = qc.measure_all()
    >>> AerAutoSampler(seed=1).run([qc], shots=5).result()[0].data.meas.get_counts()
    {'10': 5}
    >>> AerAutoSampler().method_for(QuantumCircuit(40))
    'matrix_product_state'
"""

from __future__ import annotations

import functools
from typing import Any

from qiskit import transpile
from qiskit.circuit import ControlledGate, ParameterExpression, QuantumCircuit
from qiskit.primitives.containers import PrimitiveResult
from qiskit.primitives.containers.estimator_pub import EstimatorPub
from qiskit.primitives.containers.sampler_pub import SamplerPub

from qtwin._validation import check_choice
from qtwin.backends._options import check_seed
from qtwin.backends._primitive import LocalEstimator, LocalSampler
from qtwin.backends._pubs import as_pauli_observables
from qtwin.exceptions import BackendUnavailableError

__all__ = [
    "STATEVECTOR_MAX_QUBITS",
    "AerAutoSampler",
    "AerAutoEstimator",
    "aer_devices",
    "require_aer_gpu",
]

STATEVECTOR_MAX_QUBITS = 28
"""Widest circuit the automatic choice sends to Aer's ``statevector`` method."""

_NON_GATES = {"measure", "reset", "barrier", "delay"}


@functools.cache
def aer_devices() -> tuple[str, ...]:
    """Devices Aer can simulate on here, e.g. ``('CPU',)`` or ``('CPU', 'GPU')``."""
    from qiskit_aer import AerSimulator

    return tuple(AerSimulator().available_devices())


@functools.cache
def _aer_methods() -> tuple[str, ...]:
    from qiskit_aer import AerSimulator

    return tuple(AerSimulator().available_methods())


@functools.cache
def _aer_operations() -> frozenset[str]:
    from qiskit_aer import AerSimulator

    return frozenset(AerSimulator().target.operation_names)


@functools.cache
def _aer_standard_basis() -> list[str]:
    """Aer's native gates that Qiskit's transpiler knows by name (its unrolling basis)."""
    from qiskit.circuit.library import get_standard_gate_name_mapping

    standard = set(get_standard_gate_name_mapping())
    return sorted(_aer_operations() & standard)


def require_aer_gpu() -> None:
    """Raise :class:`BackendUnavailableError` unless Aer can simulate on a CUDA GPU here."""
    if "GPU" in aer_devices():
        return
    raise BackendUnavailableError(
        "the 'aer-gpu' backend needs the GPU build of Qiskit Aer and a CUDA device, but Aer "
        f"reports only {list(aer_devices())} here. Install it with "
        '`pip install "qtwin[gpu]"` (qiskit-aer-gpu, Linux x86_64 with an NVIDIA GPU and '
        "CUDA drivers), or use get_backend('aer'), which picks the GPU when there is one."
    )


def _parameterized_controlled(circuit: QuantumCircuit) -> set[str]:
    """Names of controlled gates whose parameters are unbound (``crx(theta)``, ``cp(phi)``...)."""
    return {
        inst.operation.name
        for inst in circuit.data
        if isinstance(inst.operation, ControlledGate)
        and any(isinstance(p, ParameterExpression) for p in inst.operation.params)
    }


def to_aer_basis(circuit: QuantumCircuit) -> QuantumCircuit:
    """Rewrite ``circuit`` into instructions Aer runs correctly with ``parameter_binds``.

    Two rewrites, each only when needed (otherwise ``circuit`` is returned as is):

    * instructions Aer does not know (e.g. ``QFTGate``) are unrolled to Aer's basis;
    * parameterized controlled rotations (``crx``, ``cry``, ``crz``, ``cp``...) are replaced
      by their definitions. Aer's primitives bind parameters of these gates wrongly
      (Qiskit Aer issues #2323, #2391, #2403, open in qiskit-aer 0.18): they would silently
      return the results of a different circuit.

    Example:
        >>> from qiskit.circuit import Parameter
        >>> qc = QuantumCircuit(2); _ = qc.crx(Parameter("t"), 0, 1)
        >>> "crx" in to_aer_basis(qc).count_ops()
        False
    """
    names = {inst.operation.name for inst in circuit.data}
    if not names <= _aer_operations() | _NON_GATES:
        circuit = transpile(circuit, basis_gates=_aer_standard_basis(), optimization_level=0)
    for _ in range(8):  # definitions of standard gates nest at most a few levels
        controlled = _parameterized_controlled(circuit)
        if not controlled:
            break
        circuit = circuit.decompose(gates_to_decompose=sorted(controlled))
    return circuit


class _AerAuto:
    """What :class:`AerAutoSampler` and :class:`AerAutoEstimator` share: the device, the method
    per PUB, one cached Aer primitive per method, and ``_run``, which runs the PUBs grouped by
    method and returns their results in the original order."""

    def _init_aer(
        self,
        method: str | None,
        device: str | None,
        backend_options: dict[str, Any] | None,
    ) -> None:
        if method is not None:
            check_choice(method, "method", _aer_methods())
        if device is None:
            device = "GPU" if "GPU" in aer_devices() else "CPU"
        check_choice(device, "device", aer_devices())
        self._method = method
        self._device = device
        self._backend_options = dict(backend_options or {})
        self._cache: dict[str, Any] = {}

    @property
    def device(self) -> str:
        """``"CPU"`` or ``"GPU"``."""
        return self._device

    def method_for(self, circuit: QuantumCircuit) -> str:
        """The Aer method this primitive uses for ``circuit``: the fixed one, else by width."""
        if self._method is not None:
            return self._method
        if circuit.num_qubits <= STATEVECTOR_MAX_QUBITS:
            return "statevector"
        return "matrix_product_state"

    def _make(self, options: dict[str, Any]) -> Any:
        """The Aer primitive for ``AerSimulator`` options ``options``."""
        raise NotImplementedError

    def _for_aer(self, pub: Any) -> Any:
        """``pub`` as Aer's primitive runs it correctly."""
        raise NotImplementedError

    def _primitive(self, method: str) -> Any:
        if method not in self._cache:
            options = {**self._backend_options, "method": method, "device": self._device}
            self._cache[method] = self._make(options)
        return self._cache[method]

    def _run(self, pubs: list[Any]) -> PrimitiveResult:
        groups: dict[str, list[int]] = {}
        for i, pub in enumerate(pubs):
            groups.setdefault(self.method_for(pub.circuit), []).append(i)
        results: list[Any] = [None] * len(pubs)
        for method, indices in groups.items():
            ready = [self._for_aer(pubs[i]) for i in indices]
            job = self._primitive(method).run(ready)
            for i, res in zip(indices, job.result(), strict=True):
                results[i] = res
        return PrimitiveResult(results, metadata={"version": 2})


class AerAutoSampler(_AerAuto, LocalSampler):
    """Aer's Sampler V2 with the simulation method chosen per PUB by circuit width.

    Args:
        method: a fixed Aer method, or ``None`` for the automatic choice (module docstring).
        device: ``"CPU"`` or ``"GPU"``; ``None`` picks the GPU when Aer has one.
        default_shots: shots when neither ``run`` nor a PUB sets them.
        seed: int seed of Aer's sampling (``None``: random).
        backend_options: further ``AerSimulator`` options (e.g. ``{"max_parallel_threads": 2}``).
    """

    def __init__(
        self,
        *,
        method: str | None = None,
        device: str | None = None,
        default_shots: int = 1024,
        seed: int | None = None,
        backend_options: dict[str, Any] | None = None,
    ) -> None:
        self._init_aer(method, device, backend_options)
        super().__init__(default_shots=default_shots)
        self._seed = check_seed(seed)

    def _make(self, options: dict[str, Any]) -> Any:
        from qiskit_aer.primitives import SamplerV2

        return SamplerV2(
            default_shots=self._default_shots,
            seed=self._seed,
            options={"backend_options": options},
        )

    def _for_aer(self, pub: SamplerPub) -> SamplerPub:
        return SamplerPub(
            to_aer_basis(pub.circuit), pub.parameter_values, pub.shots, validate=False
        )


class AerAutoEstimator(_AerAuto, LocalEstimator):
    """Aer's Estimator V2 with the simulation method chosen per PUB by circuit width.

    With ``precision = 0`` the values are exact (Aer's ``save_expectation_value``); with
    ``precision > 0`` Aer adds Gaussian noise of that standard deviation (``stds = precision``).

    Args:
        method: a fixed Aer method, or ``None`` for the automatic choice (module docstring).
        device: ``"CPU"`` or ``"GPU"``; ``None`` picks the GPU when Aer has one.
        default_precision: precision when neither ``run`` nor a PUB sets one.
        seed: int seed of the simulator and of the precision noise.
        backend_options: further ``AerSimulator`` options.
    """

    def __init__(
        self,
        *,
        method: str | None = None,
        device: str | None = None,
        default_precision: float = 0.0,
        seed: int | None = None,
        backend_options: dict[str, Any] | None = None,
    ) -> None:
        self._init_aer(method, device, backend_options)
        super().__init__(default_precision=default_precision)
        self._seed = check_seed(seed)

    def _make(self, options: dict[str, Any]) -> Any:
        from qiskit_aer.primitives import EstimatorV2

        run_options = {} if self._seed is None else {"seed_simulator": self._seed}
        return EstimatorV2(options={"backend_options": options, "run_options": run_options})

    def _for_aer(self, pub: EstimatorPub) -> EstimatorPub:
        return EstimatorPub(
            to_aer_basis(pub.circuit),
            as_pauli_observables(pub.observables),
            pub.parameter_values,
            pub.precision,
            validate=False,
        )
