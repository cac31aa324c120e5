"""PUB plumbing shared by the primitives and wrappers in :mod:`qtwin.backends`.

* input checks that run before a job starts: finite parameter values, no control flow, only
  final measurements (:func:`check_unitary_circuit`, :func:`strip_measurements`), or a
  dynamic circuit that converts to a trajectory program (:func:`dynamic_program`);
* the loop over a PUB's parameter sets and the packing of its result, for primitives that
  compute one parameter set at a time (:func:`sampler_pub_result`,
  :func:`estimator_pub_result`);
* iteration over a :class:`~qiskit.primitives.containers.BindingsArray` as
  ``{Parameter: value}`` maps, and the estimator's broadcasting of parameter sets against
  observables (:func:`broadcast_positions`);
* observables as :class:`~qiskit.quantum_info.SparsePauliOp` (projectors expanded);
* per-qubit samples packed into one :class:`~qiskit.primitives.containers.BitArray` per
  classical register, in Qiskit's little-endian bit order (bit ``j`` of register ``c`` is
  character ``-1 - j`` of each bitstring in ``get_counts``).

Example:
    >>> import numpy as np
    >>> from qiskit import QuantumCircuit
    >>> qc = QuantumCircuit(2, 2); _ = qc.x(0); _ = qc.measure([0, 1], [0, 1])
    >>> regs = MeasuredRegisters(qc, {0: 0, 1: 1})
    >>> samples = np.array([[1, 0], [1, 0]])          # shots x qubits, qubit 0 first
    >>> regs.to_bit_arrays({(): samples}, shape=(), shots=2)["c"].get_counts()
    {'01': 2}
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
from qiskit.circuit import Parameter, QuantumCircuit
from qiskit.primitives.containers import (
    BindingsArray,
    BitArray,
    DataBin,
    ObservablesArray,
    PubResult,
    SamplerPubResult,
)
from qiskit.primitives.containers.estimator_pub import EstimatorPub
from qiskit.primitives.containers.sampler_pub import SamplerPub
from qiskit.quantum_info import SparseObservable, SparsePauliOp

from qtwin._validation import check_finite

if TYPE_CHECKING:
    from qtwin.circuits.dynamic import Program

__all__ = [
    "MeasuredRegisters",
    "check_parameter_values",
    "iter_parameter_sets",
    "to_sparse_pauli_op",
    "refuse_control_flow",
    "check_unitary_circuit",
    "warn_if_no_registers",
    "sampler_pub_result",
    "estimator_pub_result",
    "broadcast_positions",
    "as_pauli_observables",
    "observable_elements",
    "strip_measurements",
    "dynamic_program",
    "ParameterKeyError",
    "check_binding_names",
    "pub_metadata",
]


def check_parameter_values(bindings: BindingsArray, pub_index: int) -> None:
    """Raise ``ValueError`` when the parameter values of PUB ``pub_index`` hold NaN or inf."""
    for values in bindings.data.values():
        check_finite(np.asarray(values), f"parameter values of pubs[{pub_index}]")


def refuse_control_flow(circuit: QuantumCircuit, pub_index: int, primitive: str) -> None:
    """Raise ``ValueError`` when ``circuit`` holds control flow (``if_else``, ``for_loop``...)."""
    for inst in circuit.data:
        if inst.operation.name in {"if_else", "for_loop", "while_loop", "switch_case"} or getattr(
            inst.operation, "condition", None
        ):
            raise ValueError(
                f"{primitive}: pubs[{pub_index}] uses classical control flow "
                f"({inst.operation.name!r}); only unitary gates followed by final measurements "
                "are supported. Run it on the 'aer' backend instead."
            )


def strip_measurements(
    circuit: QuantumCircuit, pub_index: int, primitive: str, *, hint: str = ""
) -> tuple[QuantumCircuit, dict[int, int]]:
    """Split off the final measurements; ``ValueError`` naming the PUB for mid-circuit ones.

    Returns the unitary part and ``{clbit index: qubit index}``, as
    :func:`qtwin.circuits.convert.strip_final_measurements` does.
    """
    from qtwin.circuits.convert import strip_final_measurements

    try:
        return strip_final_measurements(circuit)
    except ValueError as exc:
        raise ValueError(
            f"{primitive} cannot run pubs[{pub_index}]: {exc}. {hint}".rstrip()
        ) from exc


def dynamic_program(circuit: QuantumCircuit, pub_index: int, primitive: str) -> Program:
    """``circuit`` as a :class:`~qtwin.circuits.dynamic.Program` for the trajectory driver.

    Raises:
        ValueError: an instruction the driver cannot run, named with the PUB.
    """
    from qtwin.circuits.dynamic import circuit_to_program

    try:
        return circuit_to_program(circuit)
    except ValueError as exc:
        raise ValueError(f"{primitive} cannot run pubs[{pub_index}]: {exc}") from exc


def check_unitary_circuit(
    circuit: QuantumCircuit, pub_index: int, primitive: str, *, hint: str = ""
) -> None:
    """Raise ``ValueError`` unless ``circuit`` is unitary gates followed by final measurements.

    Control flow is refused first (:func:`refuse_control_flow`), then mid-circuit measurements
    and resets (:func:`strip_measurements`, whose message ends with ``hint``).
    """
    refuse_control_flow(circuit, pub_index, primitive)
    strip_measurements(circuit, pub_index, primitive, hint=hint)


def warn_if_no_registers(
    circuit: QuantumCircuit, pub_index: int, *, hint: str = "", stacklevel: int = 1
) -> None:
    """Warn (``UserWarning``) that PUB ``pub_index`` has an empty result when ``circuit`` has no
    classical registers; ``stacklevel`` counts from the caller, as in :func:`warnings.warn`."""
    if not circuit.cregs:
        message = f"pubs[{pub_index}] has no classical registers, so its result is empty."
        warnings.warn(f"{message} {hint}".rstrip(), UserWarning, stacklevel=stacklevel + 1)


class ParameterKeyError(KeyError, ValueError):
    """Bindings name a parameter the circuit does not have.

    A ``KeyError``, as Qiskit's reference primitives raise, and a ``ValueError`` (qtwin's
    convention for bad input, and what earlier qtwin versions raised).
    """

    def __str__(self) -> str:  # KeyError would print the repr of its argument
        return str(self.args[0]) if self.args else ""


def check_binding_names(circuit: QuantumCircuit, bindings: BindingsArray) -> None:
    """Raise :class:`ParameterKeyError` when ``bindings`` names a parameter not in ``circuit``.

    Example:
        >>> from qiskit.circuit import Parameter
        >>> qc = QuantumCircuit(1); _ = qc.rx(Parameter("a"), 0)
        >>> check_binding_names(qc, BindingsArray.coerce({"b": 0.5}))
        Traceback (most recent call last):
        ...
        qtwin.backends._pubs.ParameterKeyError: no parameter named 'b' is present
    """
    names = {p.name for p in circuit.parameters}
    for key in bindings.data:
        for name in key:
            name = getattr(name, "name", name)
            if name not in names:
                raise ParameterKeyError(f"no parameter named {name!r} is present")


def iter_parameter_sets(
    circuit: QuantumCircuit, bindings: BindingsArray
) -> Iterator[tuple[tuple[int, ...], dict[Parameter, float]]]:
    """Yield ``(index, {parameter: value})`` for every index of ``bindings.shape``.

    ``index`` runs over ``numpy.ndindex(bindings.shape)`` (``()`` once for a scalar PUB).

    Raises:
        ParameterKeyError: the bindings name a parameter the circuit lacks (a ``KeyError``,
            as Qiskit's reference primitives raise).
    """
    check_binding_names(circuit, bindings)
    params = list(circuit.parameters)
    values = bindings.as_array(params) if params else np.zeros(bindings.shape + (0,))
    for index in np.ndindex(bindings.shape):
        row = values[index]
        yield index, {p: float(v) for p, v in zip(params, row, strict=True)}


def broadcast_positions(
    param_shape: tuple[int, ...], obs_shape: tuple[int, ...]
) -> tuple[tuple[int, ...], dict[tuple[int, ...], list[tuple[int, ...]]]]:
    """Broadcast an estimator PUB and group its output positions by parameter set.

    Returns the result shape ``numpy.broadcast_shapes(param_shape, obs_shape)`` and
    ``{parameter index: [output indices that use it]}``, so each state is built once.

    Example:
        >>> broadcast_positions((2, 1), (3,))[1][(1, 0)]
        [(1, 0), (1, 1), (1, 2)]
    """
    shape = np.broadcast_shapes(param_shape, obs_shape)
    flat = np.broadcast_to(np.arange(int(np.prod(param_shape))).reshape(param_shape), shape)
    positions: dict[tuple[int, ...], list[tuple[int, ...]]] = {}
    for out in np.ndindex(shape):
        p = tuple(int(i) for i in np.unravel_index(flat[out], param_shape))
        positions.setdefault(p, []).append(out)
    return shape, positions


SampleFn = Callable[
    [tuple[int, ...], QuantumCircuit, dict[Parameter, float], list[int]], np.ndarray
]
EvaluateFn = Callable[
    [tuple[int, ...], QuantumCircuit, dict[Parameter, float], list[SparsePauliOp]], Sequence[float]
]


def sampler_pub_result(
    pub: SamplerPub, primitive: str, sample: SampleFn, **metadata: Any
) -> SamplerPubResult:
    """Sample a PUB one parameter set at a time and pack the samples per classical register.

    The final measurements are split off ``pub.circuit``, leaving ``body``. For every index of
    ``pub.shape`` (in :func:`numpy.ndindex` order), ``sample(index, body, values, qubits)``
    returns ``(pub.shots, body.num_qubits)`` 0/1 outcomes of ``body`` at the parameter
    ``values``; only the columns ``qubits`` (the measured qubits, sorted; possibly none) are
    read. The result's metadata are ``shots``, ``circuit_metadata``, then ``metadata``.
    """
    body, clbit_to_qubit = strip_measurements(pub.circuit, 0, primitive)
    registers = MeasuredRegisters(pub.circuit, clbit_to_qubit)
    qubits = registers.measured_qubits
    samples = {
        index: sample(index, body, values, qubits)
        for index, values in iter_parameter_sets(body, pub.parameter_values)
    }
    data = registers.to_bit_arrays(samples, pub.shape, pub.shots) if registers.names else {}
    return SamplerPubResult(
        DataBin(**data, shape=pub.shape),
        metadata=pub_metadata({"shots": pub.shots}, pub.circuit, metadata),
    )


def estimator_pub_result(
    pub: EstimatorPub,
    primitive: str,
    rng: np.random.Generator,
    evaluate: EvaluateFn,
    *,
    strip: bool = True,
    **metadata: Any,
) -> PubResult:
    """Estimate a PUB one parameter set at a time; observables broadcast as in Qiskit.

    The final measurements are split off ``pub.circuit``, leaving ``body`` (with
    ``strip=False``, ``body`` is ``pub.circuit`` itself, for an ``evaluate`` that runs dynamic
    circuits). For every parameter index that some output uses (:func:`broadcast_positions`),
    ``evaluate(index, body, values, observables)`` returns the expectation values of those
    outputs' observables (as :class:`SparsePauliOp`, in output order) in the state ``body``
    prepares at ``values``. ``pub.precision > 0`` adds Gaussian noise of that standard
    deviation from ``rng`` and sets ``stds``. The metadata are ``target_precision``,
    ``circuit_metadata``, then ``metadata``.
    """
    body = strip_measurements(pub.circuit, 0, primitive)[0] if strip else pub.circuit
    shape, positions = broadcast_positions(pub.parameter_values.shape, pub.observables.shape)
    observables = np.broadcast_to(observable_elements(pub.observables), shape)
    evs = np.zeros(shape, dtype=np.float64)
    for index, values in iter_parameter_sets(body, pub.parameter_values):
        outs = positions.get(index, [])
        if not outs:
            continue
        ops = [to_sparse_pauli_op(observables[out]) for out in outs]
        for out, value in zip(outs, evaluate(index, body, values, ops), strict=True):
            evs[out] = value
    stds = np.zeros(shape)
    if pub.precision > 0:
        evs = np.asarray(rng.normal(evs, pub.precision), dtype=np.float64)
        stds[...] = pub.precision
    return PubResult(
        DataBin(evs=evs, stds=stds, shape=shape),
        metadata=pub_metadata({"target_precision": pub.precision}, pub.circuit, metadata),
    )


def pub_metadata(
    qiskit_keys: Mapping[str, Any], circuit: QuantumCircuit, extra: Mapping[str, Any]
) -> dict[str, Any]:
    """A PUB result's metadata: Qiskit's keys, ``circuit_metadata``, qtwin's under ``"qtwin"``.

    The extras are also copied to the top level for code written before they moved (deprecated;
    read ``metadata["qtwin"]``).

    Example:
        >>> sorted(pub_metadata({"shots": 4}, QuantumCircuit(1), {"method": "mps"}))
        ['circuit_metadata', 'method', 'qtwin', 'shots']
    """
    out = {**qiskit_keys, "circuit_metadata": circuit.metadata}
    if extra:
        out["qtwin"] = dict(extra)
        out.update(extra)
    return out


def to_sparse_pauli_op(observable: SparseObservable | Mapping[str, float]) -> SparsePauliOp:
    """Return an observable element of an ``ObservablesArray`` as a :class:`SparsePauliOp`.

    Projector terms of a :class:`SparseObservable` (``0``, ``1``, ``+``, ``-``, ``r``, ``l``) are
    expanded into Paulis, e.g. :math:`|0\\rangle\\langle 0| = (I + Z)/2`.

    Example:
        >>> to_sparse_pauli_op(SparseObservable("0")).simplify()
        SparsePauliOp(['I', 'Z'],
                      coeffs=[0.5+0.j, 0.5+0.j])
    """
    if isinstance(observable, SparseObservable):
        return SparsePauliOp.from_sparse_observable(observable)
    return SparsePauliOp.from_list(list(observable.items()))


def observable_elements(observables: ObservablesArray) -> np.ndarray:
    """The elements of an ``ObservablesArray`` as an object array of its shape.

    Elements are :class:`SparseObservable` on Qiskit >= 2.1 and ``{pauli: coeff}`` dicts before;
    :func:`to_sparse_pauli_op` accepts both.
    """
    if hasattr(observables, "sparse_observables_array"):
        return observables.sparse_observables_array()
    out = np.empty(observables.shape, dtype=object)
    for index in np.ndindex(observables.shape):
        out[index] = observables[index]
    return out


def as_pauli_observables(observables: ObservablesArray) -> ObservablesArray:
    """Rewrite projector terms (``0``, ``1``, ``+``, ``-``, ``r``, ``l``) as Pauli sums.

    Aer's estimator and the Runtime primitives read observables as Pauli strings only; this
    keeps every element's value and the array shape. Pauli-only arrays are returned as is.

    Example:
        >>> obs = ObservablesArray.coerce([SparseObservable("0")])
        >>> as_pauli_observables(obs)[0]
        {'I': 0.5, 'Z': 0.5}
    """
    paulis = set("IXYZ")
    if all(set(label) <= paulis for obs in observables.ravel().tolist() for label in obs):
        return observables
    elements = observable_elements(observables)
    converted = np.empty(elements.shape, dtype=object)
    for index in np.ndindex(elements.shape):
        converted[index] = to_sparse_pauli_op(elements[index]).simplify()
    return ObservablesArray.coerce(converted)


class MeasuredRegisters:
    """Which qubit feeds each bit of each classical register of a circuit.

    Args:
        circuit: the circuit (its ``cregs`` name the output fields of the sampler result).
        clbit_to_qubit: ``{clbit index: qubit index}`` of the final measurements, as returned by
            :func:`qtwin.circuits.convert.strip_final_measurements`. Bits that are never
            measured read 0, as on Qiskit's reference sampler.
    """

    def __init__(self, circuit: QuantumCircuit, clbit_to_qubit: Mapping[int, int]) -> None:
        self.names: list[str] = [creg.name for creg in circuit.cregs]
        self.sources: dict[str, np.ndarray] = {}
        for creg in circuit.cregs:
            src = [clbit_to_qubit.get(circuit.find_bit(bit).index, -1) for bit in creg]
            self.sources[creg.name] = np.asarray(src, dtype=np.int64)

    @property
    def measured_qubits(self) -> list[int]:
        """Sorted qubit indices that some register reads."""
        used = {int(q) for src in self.sources.values() for q in src if q >= 0}
        return sorted(used)

    def to_bit_arrays(
        self,
        samples: Mapping[tuple[int, ...], np.ndarray],
        shape: tuple[int, ...],
        shots: int,
    ) -> dict[str, BitArray]:
        """Pack samples into one ``BitArray`` of shape ``shape`` per register.

        Args:
            samples: ``{index: array (shots, num_qubits)}`` of 0/1 outcomes per qubit (column
                ``q`` is qubit ``q``), one entry per index of ``shape``.
            shape: the PUB shape.
            shots: samples per index.
        """
        out: dict[str, BitArray] = {}
        for name, src in self.sources.items():
            bits = np.zeros(shape + (shots, src.size), dtype=bool)
            measured = src >= 0
            for index, sample in samples.items():
                bits[index][:, measured] = np.asarray(sample)[:, src[measured]] != 0
            out[name] = BitArray.from_bool_array(bits, order="little")
        return out
