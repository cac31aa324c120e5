r"""PennyLane devices behind Qiskit's V2 primitives.

Each bound circuit is converted gate by gate into :class:`pennylane.QubitUnitary` operations.
Circuits are first unrolled (``transpile(..., optimization_level=0)``) to a basis of one- and
two-qubit gates when they hold wider gates or instructions without a matrix; then each gate
contributes its Qiskit matrix :math:`U` acting on qubits ``(q_0, q_1)``.

Bit order. Qiskit's matrices are little-endian: the first qubit of a gate is the *least*
significant index, :math:`U_{(b_1 b_0),(b_1' b_0')}`. PennyLane's ``QubitUnitary(U, wires)``
reads ``wires[0]`` as the *most* significant index. So qubit ``q`` becomes wire ``q`` and the
gate's wires are the reversed qubit list, ``wires = [q_1, q_0]``: the same matrix, the same
action. Samples come back per wire (column ``q`` is qubit ``q``) and are packed into
Qiskit-ordered ``BitArray``\ s; Pauli labels (big-endian strings) become PennyLane Pauli words
on wire ``n - 1 - k`` for character ``k``.

The sampler draws ``shots`` samples with ``qml.sample``; the estimator computes exact
``qml.expval`` of each Pauli term (``precision > 0`` adds seeded Gaussian noise with that
standard deviation, as on the tensornet backend).

Example:
    >>> from qiskit import QuantumCircuit
    >>> qc = QuantumCircuit(2); _ = qc.x(0); _ = qc.measure_all()
    >>> sampler = PennyLaneSampler("default.qubit", seed=1)
    >>> sampler.run([qc], shots=5).result()[0].data.meas.get_counts()
    {'01': 5}
"""

from __future__ import annotations

import warnings
from collections.abc import Iterable
from typing import Any

import numpy as np
from qiskit import transpile
from qiskit.circuit import QuantumCircuit
from qiskit.primitives import BaseEstimatorV2, BaseSamplerV2, PrimitiveJob
from qiskit.primitives.containers import (
    DataBin,
    EstimatorPubLike,
    PrimitiveResult,
    PubResult,
    SamplerPubLike,
    SamplerPubResult,
)
from qiskit.primitives.containers.estimator_pub import EstimatorPub
from qiskit.primitives.containers.sampler_pub import SamplerPub
from qiskit.quantum_info import Operator

from qtwin._validation import as_generator, check_nonnegative_float, check_positive_int
from qtwin.backends._extras import require_module
from qtwin.backends._pubs import (
    MeasuredRegisters,
    broadcast_positions,
    check_parameter_values,
    iter_parameter_sets,
    observable_elements,
    refuse_control_flow,
    strip_measurements,
    to_sparse_pauli_op,
)
from qtwin.backends.backend import QtwinBackend

__all__ = [
    "PennyLaneSampler",
    "PennyLaneEstimator",
    "circuit_to_pennylane",
    "pauli_label_to_pennylane",
    "make_pennylane_backend",
]

_TWO_QUBIT_BASIS = [
    "u", "p", "rx", "ry", "rz", "x", "y", "z", "h", "s", "sdg", "t", "tdg", "sx", "sxdg",
    "cx", "cy", "cz", "swap", "cp", "crx", "cry", "crz", "rxx", "ryy", "rzz", "ecr",
]  # fmt: skip
_SKIP = {"barrier", "delay", "id"}


def _qml() -> Any:
    return require_module("pennylane", extra=None, purpose="the 'pennylane:<device>' backends")


def _gate_matrix(operation: Any) -> np.ndarray:
    to_matrix = getattr(operation, "to_matrix", None)
    if to_matrix is not None:
        try:
            return np.asarray(to_matrix(), dtype=complex)
        except Exception:  # gates without a closed form: use the definition
            pass
    return Operator(operation).data


def circuit_to_pennylane(circuit: QuantumCircuit) -> list[tuple[np.ndarray, list[int]]]:
    """Convert a bound, measurement-free circuit to ``(matrix, pennylane_wires)`` pairs.

    The wires of each gate are its qubits reversed (module docstring), so that
    ``qml.QubitUnitary(matrix, wires)`` acts like the Qiskit gate on qubit-numbered wires.

    Example:
        >>> qc = QuantumCircuit(3); _ = qc.cx(0, 2)
        >>> [(m.shape, w) for m, w in circuit_to_pennylane(qc)]
        [((4, 4), [2, 0])]
    """
    needs_unroll = any(
        inst.operation.num_qubits > 2 or not hasattr(inst.operation, "to_matrix")
        for inst in circuit.data
        if inst.operation.name not in _SKIP
    )
    if needs_unroll:
        circuit = transpile(circuit, basis_gates=_TWO_QUBIT_BASIS, optimization_level=0)
    ops: list[tuple[np.ndarray, list[int]]] = []
    for inst in circuit.data:
        if inst.operation.name in _SKIP:
            continue
        qubits = [circuit.find_bit(q).index for q in inst.qubits]
        ops.append((_gate_matrix(inst.operation), qubits[::-1]))
    return ops


def pauli_label_to_pennylane(label: str) -> Any:
    """A Qiskit Pauli label (``"XIZ"``: Z on qubit 0, X on qubit 2) as a PennyLane operator.

    Example:
        >>> pauli_label_to_pennylane("XIZ")
        Z(0) @ X(2)
    """
    qml = _qml()
    n = len(label)
    word = {q: label[n - 1 - q] for q in range(n) if label[n - 1 - q] != "I"}
    return qml.pauli.PauliWord(word).operation(wire_order=list(range(n)))


class _PennyLaneDevice:
    """A PennyLane device name, instantiated per circuit width (and cached)."""

    def __init__(self, name: str, seed: int | np.random.Generator | None) -> None:
        qml = _qml()
        known = sorted(qml.plugin_devices)
        if name not in known:
            raise ValueError(f"unknown PennyLane device {name!r}; installed devices: {known}")
        self.name = name
        self.seed = seed
        self._devices: dict[int, Any] = {}

    def get(self, num_wires: int, rng: np.random.Generator) -> Any:
        qml = _qml()
        seed = int(rng.integers(2**31 - 1))
        try:
            return qml.device(self.name, wires=max(num_wires, 1), seed=seed)
        except TypeError:  # devices without a seed argument
            return qml.device(self.name, wires=max(num_wires, 1))


Gates = list[tuple[np.ndarray, list[int]]]


def _samples(qml: Any, device: Any, gates: Gates, wires: list[int], shots: int) -> np.ndarray:
    """``shots`` samples of ``wires`` after ``gates``: array ``(shots, len(wires))``."""

    def circuit() -> Any:
        for matrix, w in gates:
            qml.QubitUnitary(matrix, wires=w)
        return qml.sample(wires=wires)

    qnode = qml.set_shots(qml.QNode(circuit, device), shots=shots)
    return np.asarray(qnode()).reshape(shots, len(wires))


def _expvals(qml: Any, device: Any, gates: Gates, labels: list[str]) -> list[float]:
    """Exact expectation values of the Pauli ``labels`` after ``gates``."""

    def circuit() -> Any:
        for matrix, w in gates:
            qml.QubitUnitary(matrix, wires=w)
        return [qml.expval(pauli_label_to_pennylane(lbl)) for lbl in labels]

    return [float(v) for v in qml.QNode(circuit, device)()]


class PennyLaneSampler(BaseSamplerV2):
    """Sampler V2 on a PennyLane device (``"default.qubit"``, ``"lightning.qubit"``...).

    Args:
        device: PennyLane device name.
        default_shots: shots when neither ``run`` nor a PUB sets them.
        seed: int or ``numpy.random.Generator`` from which each device's seed is drawn.
    """

    def __init__(
        self,
        device: str = "default.qubit",
        *,
        default_shots: int = 1024,
        seed: int | np.random.Generator | None = None,
    ) -> None:
        as_generator(seed)
        self._device = _PennyLaneDevice(device, seed)
        self._default_shots = check_positive_int(default_shots, "default_shots")
        self._seed = seed

    @property
    def default_shots(self) -> int:
        """Shots used when neither ``run`` nor a PUB sets them."""
        return self._default_shots

    def run(
        self, pubs: Iterable[SamplerPubLike], *, shots: int | None = None
    ) -> PrimitiveJob[PrimitiveResult[SamplerPubResult]]:
        """Sample every PUB on the PennyLane device."""
        if shots is None:
            shots = self._default_shots
        coerced = [SamplerPub.coerce(pub, shots) for pub in pubs]
        for i, pub in enumerate(coerced):
            check_parameter_values(pub.parameter_values, i)
            refuse_control_flow(pub.circuit, i, "PennyLaneSampler")
            strip_measurements(pub.circuit, i, "PennyLaneSampler")
            if not pub.circuit.cregs:
                warnings.warn(
                    f"pubs[{i}] has no classical registers, so its result is empty.",
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
        qml = _qml()
        body, clbit_to_qubit = strip_measurements(pub.circuit, 0, "PennyLaneSampler")
        registers = MeasuredRegisters(pub.circuit, clbit_to_qubit)
        wires = registers.measured_qubits
        n = body.num_qubits
        samples: dict[tuple[int, ...], np.ndarray] = {}
        for index, values in iter_parameter_sets(body, pub.parameter_values):
            full = np.zeros((pub.shots, n), dtype=np.int64)
            if wires:
                ops = circuit_to_pennylane(body.assign_parameters(values) if values else body)
                device = self._device.get(n, rng)
                full[:, wires] = _samples(qml, device, ops, wires, pub.shots)
            samples[index] = full
        data = registers.to_bit_arrays(samples, pub.shape, pub.shots) if registers.names else {}
        return SamplerPubResult(
            DataBin(**data, shape=pub.shape),
            metadata={
                "shots": pub.shots,
                "circuit_metadata": pub.circuit.metadata,
                "simulator": f"pennylane:{self._device.name}",
            },
        )


class PennyLaneEstimator(BaseEstimatorV2):
    """Estimator V2 on a PennyLane device: exact ``qml.expval`` of each Pauli term.

    Args:
        device: PennyLane device name.
        default_precision: precision when neither ``run`` nor a PUB sets one (0: exact).
        seed: int or ``numpy.random.Generator`` for the precision noise.
    """

    def __init__(
        self,
        device: str = "default.qubit",
        *,
        default_precision: float = 0.0,
        seed: int | np.random.Generator | None = None,
    ) -> None:
        as_generator(seed)
        self._device = _PennyLaneDevice(device, seed)
        self._default_precision = check_nonnegative_float(default_precision, "default_precision")
        self._seed = seed

    @property
    def default_precision(self) -> float:
        """Precision used when neither ``run`` nor a PUB sets one."""
        return self._default_precision

    def run(
        self, pubs: Iterable[EstimatorPubLike], *, precision: float | None = None
    ) -> PrimitiveJob[PrimitiveResult[PubResult]]:
        """Estimate every PUB on the PennyLane device."""
        if precision is None:
            precision = self._default_precision
        check_nonnegative_float(precision, "precision")
        coerced = [EstimatorPub.coerce(pub, precision) for pub in pubs]
        for i, pub in enumerate(coerced):
            check_nonnegative_float(pub.precision, f"precision of pubs[{i}]")
            check_parameter_values(pub.parameter_values, i)
            refuse_control_flow(pub.circuit, i, "PennyLaneEstimator")
            strip_measurements(pub.circuit, i, "PennyLaneEstimator")
        job = PrimitiveJob(self._run, coerced)
        job._submit()
        return job

    def _run(self, pubs: list[EstimatorPub]) -> PrimitiveResult[PubResult]:
        rng = as_generator(self._seed)
        return PrimitiveResult([self._run_pub(pub, rng) for pub in pubs], metadata={"version": 2})

    def _run_pub(self, pub: EstimatorPub, rng: np.random.Generator) -> PubResult:
        qml = _qml()
        body, _ = strip_measurements(pub.circuit, 0, "PennyLaneEstimator")
        n = body.num_qubits
        shape, positions = broadcast_positions(pub.parameter_values.shape, pub.observables.shape)
        observables = np.broadcast_to(observable_elements(pub.observables), shape)
        evs = np.zeros(shape)
        for p, values in iter_parameter_sets(body, pub.parameter_values):
            outs = positions.get(p, [])
            if not outs:
                continue
            ops_by_out = {out: to_sparse_pauli_op(observables[out]) for out in outs}
            labels = sorted({lbl for op in ops_by_out.values() for lbl in op.paulis.to_labels()})
            gates = circuit_to_pennylane(body.assign_parameters(values) if values else body)
            device = self._device.get(n, rng)
            value = dict(zip(labels, _expvals(qml, device, gates, labels), strict=True))
            for out, op in ops_by_out.items():
                evs[out] = sum(
                    float(np.real(c)) * value[lbl]
                    for lbl, c in zip(op.paulis.to_labels(), op.coeffs, strict=True)
                )
        stds = np.zeros(shape)
        if pub.precision > 0:
            evs = rng.normal(evs, pub.precision)
            stds[...] = pub.precision
        return PubResult(
            DataBin(evs=evs, stds=stds, shape=shape),
            metadata={"target_precision": pub.precision, "circuit_metadata": pub.circuit.metadata},
        )


def make_pennylane_backend(
    device: str,
    *,
    seed: int | np.random.Generator | None = None,
    default_shots: int = 1024,
    default_precision: float = 0.0,
) -> QtwinBackend:
    """Build the ``pennylane:<device>`` backend.

    Raises:
        ValueError: the device is not an installed PennyLane device.
    """
    sampler = PennyLaneSampler(device, default_shots=default_shots, seed=seed)
    estimator = PennyLaneEstimator(device, default_precision=default_precision, seed=seed)
    return QtwinBackend(
        name=f"pennylane:{device}",
        sampler=sampler,
        estimator=estimator,
        description=f"PennyLane device {device!r} (gates as QubitUnitary, Qiskit bit order)",
    )
