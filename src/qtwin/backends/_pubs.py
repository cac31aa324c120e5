"""PUB plumbing shared by the primitives and wrappers in :mod:`qtwin.backends`.

* input checks that run before a job starts: finite parameter values, no control flow, only
  final measurements (:func:`strip_measurements`);
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

from collections.abc import Iterator, Mapping

import numpy as np
from qiskit.circuit import Parameter, QuantumCircuit
from qiskit.primitives.containers import BindingsArray, BitArray, ObservablesArray
from qiskit.quantum_info import SparseObservable, SparsePauliOp

from qtwin._validation import check_finite

__all__ = [
    "MeasuredRegisters",
    "check_parameter_values",
    "iter_parameter_sets",
    "to_sparse_pauli_op",
    "refuse_control_flow",
    "broadcast_positions",
    "as_pauli_observables",
    "observable_elements",
    "strip_measurements",
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


def iter_parameter_sets(
    circuit: QuantumCircuit, bindings: BindingsArray
) -> Iterator[tuple[tuple[int, ...], dict[Parameter, float]]]:
    """Yield ``(index, {parameter: value})`` for every index of ``bindings.shape``.

    ``index`` runs over ``numpy.ndindex(bindings.shape)`` (``()`` once for a scalar PUB).
    """
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
