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

from typing import Any

import numpy as np
from qiskit import transpile
from qiskit.circuit import Parameter, QuantumCircuit
from qiskit.primitives.containers import PubResult, SamplerPubResult
from qiskit.primitives.containers.estimator_pub import EstimatorPub
from qiskit.primitives.containers.sampler_pub import SamplerPub
from qiskit.quantum_info import Operator, SparsePauliOp

from qtwin._validation import as_generator
from qtwin.backends._extras import require_module
from qtwin.backends._primitive import RUN_CALLER, LocalEstimator, LocalSampler
from qtwin.backends._pubs import (
    check_unitary_circuit,
    estimator_pub_result,
    sampler_pub_result,
    warn_if_no_registers,
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


class _PennyLanePrimitive:
    """The device and seed of :class:`PennyLaneSampler` and :class:`PennyLaneEstimator`."""

    def _init_pennylane(self, device: str, seed: int | np.random.Generator | None) -> None:
        as_generator(seed)  # validates the type
        self._device = _PennyLaneDevice(device, seed)
        self._seed = seed


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


class PennyLaneSampler(_PennyLanePrimitive, LocalSampler):
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
        self._init_pennylane(device, seed)
        super().__init__(default_shots=default_shots)

    def _check_pub(self, index: int, pub: SamplerPub) -> None:
        super()._check_pub(index, pub)
        check_unitary_circuit(pub.circuit, index, "PennyLaneSampler")
        warn_if_no_registers(pub.circuit, index, stacklevel=RUN_CALLER)

    def _run_pub(self, pub: SamplerPub, rng: np.random.Generator) -> SamplerPubResult:
        qml = _qml()

        def sample(
            index: tuple[int, ...],
            body: QuantumCircuit,
            values: dict[Parameter, float],
            qubits: list[int],
        ) -> np.ndarray:
            n = body.num_qubits
            full = np.zeros((pub.shots, n), dtype=np.int64)
            if qubits:
                ops = circuit_to_pennylane(body.assign_parameters(values) if values else body)
                device = self._device.get(n, rng)
                full[:, qubits] = _samples(qml, device, ops, qubits, pub.shots)
            return full

        return sampler_pub_result(
            pub, "PennyLaneSampler", sample, simulator=f"pennylane:{self._device.name}"
        )


class PennyLaneEstimator(_PennyLanePrimitive, LocalEstimator):
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
        self._init_pennylane(device, seed)
        super().__init__(default_precision=default_precision)

    def _check_pub(self, index: int, pub: EstimatorPub) -> None:
        super()._check_pub(index, pub)
        check_unitary_circuit(pub.circuit, index, "PennyLaneEstimator")

    def _run_pub(self, pub: EstimatorPub, rng: np.random.Generator) -> PubResult:
        qml = _qml()

        def evaluate(
            index: tuple[int, ...],
            body: QuantumCircuit,
            values: dict[Parameter, float],
            observables: list[SparsePauliOp],
        ) -> list[float]:
            labels = sorted({lbl for op in observables for lbl in op.paulis.to_labels()})
            gates = circuit_to_pennylane(body.assign_parameters(values) if values else body)
            device = self._device.get(body.num_qubits, rng)
            value = dict(zip(labels, _expvals(qml, device, gates, labels), strict=True))
            return [
                sum(
                    float(np.real(c)) * value[lbl]
                    for lbl, c in zip(op.paulis.to_labels(), op.coeffs, strict=True)
                )
                for op in observables
            ]

        return estimator_pub_result(pub, "PennyLaneEstimator", rng, evaluate)


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
