r"""Dynamic Qiskit circuits (measure, reset, classical control flow) as a *program* of ops.

A :class:`Program` is what the trajectory driver :mod:`qtwin.tensornet.dynamic` runs: a tuple
of ops over global qubit and clbit indices (their positions in ``circuit.qubits`` and
``circuit.clbits``), with nested bodies for control flow:

====================  ========================================================================
op                    meaning
====================  ========================================================================
:class:`Gates`        a run of unitary gates, as one ``QuantumCircuit`` on all the qubits
:class:`Measure`      :math:`c \leftarrow k` with probability :math:`p(k)`, state projected
:class:`Reset`        measure without recording, then flip the outcome back to :math:`|0\rangle`
:class:`IfElse`       ``if_else`` (legacy ``(clbit|register, value)`` or ``expr`` conditions)
:class:`Switch`       ``switch_case`` on a clbit, a register or an ``expr``
:class:`ForLoop`      ``for_loop``: the body once per value, its loop parameter bound to it
:class:`WhileLoop`    ``while_loop``
:class:`Break`        ``break_loop`` / ``continue_loop`` (``Break(cont=True)``)
====================  ========================================================================

Measurements that nothing after them touches (no later op on their qubit, no later read or
write of their clbit) commute with the rest of the circuit and are moved out of the ops into
:attr:`Program.final` (``{clbit: qubit}``): the driver samples them at the end, so a circuit
with only final measurements is a single :class:`Gates` op. Global phases are dropped (branches
never interfere, so they change nothing observable).

Classical values: a condition or switch target becomes a :class:`ClassicalExpr` evaluated
vectorised over many branches' classical bits, with a register read as the unsigned integer
:math:`\sum_j 2^j c_j` (bit 0 least significant, Qiskit's convention).

Example:
    >>> from qiskit import QuantumCircuit
    >>> qc = QuantumCircuit(2, 2)
    >>> _ = qc.h(0); _ = qc.measure(0, 0)
    >>> with qc.if_test((qc.clbits[0], 1)):
    ...     _ = qc.x(1)
    >>> _ = qc.measure(1, 1)
    >>> program = circuit_to_program(qc)
    >>> [type(op).__name__ for op in program.ops], program.final
    (['Gates', 'Measure', 'IfElse'], {1: 1})
    >>> program.is_static
    False
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from qiskit.circuit import (
    CASE_DEFAULT,
    ClassicalRegister,
    Clbit,
    Gate,
    Instruction,
    Parameter,
    QuantumCircuit,
    Qubit,
)
from qiskit.circuit.classical import expr, types

__all__ = [
    "Program",
    "Gates",
    "Measure",
    "Reset",
    "IfElse",
    "Switch",
    "ForLoop",
    "WhileLoop",
    "Break",
    "ClassicalExpr",
    "circuit_to_program",
    "is_dynamic",
    "SUPPORTED_OPERATIONS",
]

_SKIPPED = {"barrier", "delay", "id", "i"}
_CONTROL_FLOW = {"if_else", "switch_case", "for_loop", "while_loop", "break_loop", "continue_loop"}
SUPPORTED_OPERATIONS = (
    "unitary gates",
    "measure",
    "reset",
    "if_else",
    "switch_case",
    "for_loop",
    "while_loop",
    "break_loop",
    "continue_loop",
    "box",
    "barrier",
    "delay",
)
"""What :func:`circuit_to_program` accepts (instructions with a definition are inlined)."""


# ---------------------------------------------------------------------- classical expressions
@dataclass(frozen=True)
class ClassicalExpr:
    """A classical value computed from the clbits of many branches at once.

    ``evaluate(bits)`` maps a ``(B, num_clbits)`` 0/1 array to a ``(B,)`` int64 array (booleans
    are 0/1).

    Attributes:
        kind: ``"bits"`` (read clbits ``args`` as an unsigned integer), ``"const"``, ``"unary"``
            or ``"binary"`` (``op`` applied to the sub-expressions ``args``), ``"mask"``
            (``args[0] & (2**width - 1)``).
        args: clbit indices, the constant, or sub-expressions.
        op: the numpy function of a unary or binary node.
        width: bit width of an unsigned value (``0`` for a boolean).
    """

    kind: str
    args: tuple[Any, ...]
    op: Callable[..., np.ndarray] | None = None
    width: int = 0

    def evaluate(self, bits: np.ndarray) -> np.ndarray:
        """The value for every row of ``bits`` (shape ``(B, num_clbits)``), shape ``(B,)``."""
        bits = np.asarray(bits, dtype=np.int64)
        if self.kind == "bits":
            idx = np.asarray(self.args, dtype=np.int64)
            weights = np.left_shift(np.int64(1), np.arange(idx.size, dtype=np.int64))
            return bits[:, idx] @ weights if idx.size else np.zeros(bits.shape[0], np.int64)
        if self.kind == "const":
            return np.full(bits.shape[0], self.args[0], dtype=np.int64)
        values = [a.evaluate(bits) for a in self.args]
        if self.kind == "mask":
            return values[0] & ((1 << self.width) - 1)
        assert self.op is not None
        return np.asarray(self.op(*values), dtype=np.int64)

    @property
    def clbits(self) -> frozenset[int]:
        """The clbit indices this value reads."""
        if self.kind == "bits":
            return frozenset(self.args)
        if self.kind == "const":
            return frozenset()
        return frozenset().union(*(a.clbits for a in self.args))


def _bits(indices: Sequence[int], width: int) -> ClassicalExpr:
    return ClassicalExpr("bits", tuple(indices), width=width)


def _const(value: int) -> ClassicalExpr:
    return ClassicalExpr("const", (int(value),))


def _equal(left: ClassicalExpr, right: ClassicalExpr) -> ClassicalExpr:
    return ClassicalExpr("binary", (left, right), np.equal)


_BINARY: dict[Any, Callable[..., np.ndarray]] = {
    expr.Binary.Op.BIT_AND: np.bitwise_and,
    expr.Binary.Op.BIT_OR: np.bitwise_or,
    expr.Binary.Op.BIT_XOR: np.bitwise_xor,
    expr.Binary.Op.LOGIC_AND: np.logical_and,
    expr.Binary.Op.LOGIC_OR: np.logical_or,
    expr.Binary.Op.EQUAL: np.equal,
    expr.Binary.Op.NOT_EQUAL: np.not_equal,
    expr.Binary.Op.LESS: np.less,
    expr.Binary.Op.LESS_EQUAL: np.less_equal,
    expr.Binary.Op.GREATER: np.greater,
    expr.Binary.Op.GREATER_EQUAL: np.greater_equal,
    expr.Binary.Op.SHIFT_LEFT: np.left_shift,
    expr.Binary.Op.SHIFT_RIGHT: np.right_shift,
}
for _name, _fn in {"ADD": operator.add, "SUB": operator.sub, "MUL": operator.mul}.items():
    if hasattr(expr.Binary.Op, _name):  # arithmetic exists on Qiskit >= 2.1
        _BINARY[getattr(expr.Binary.Op, _name)] = _fn


def _width(ty: Any) -> int:
    return int(ty.width) if isinstance(ty, types.Uint) else 0


class _ExprConverter:
    """Turns a Qiskit classical ``expr.Expr`` into a :class:`ClassicalExpr` over global clbits."""

    def __init__(self, clbit_index: Mapping[Clbit, int]) -> None:
        self.clbit_index = clbit_index

    def register(self, reg: ClassicalRegister) -> list[int]:
        try:
            return [self.clbit_index[b] for b in reg]
        except KeyError as exc:
            raise ValueError(f"classical register {reg.name!r} is not in the circuit") from exc

    def convert(self, node: expr.Expr) -> ClassicalExpr:
        if isinstance(node, expr.Var):
            if isinstance(node.var, Clbit):
                return _bits([self.clbit_index[node.var]], 0)
            if isinstance(node.var, ClassicalRegister):
                return _bits(self.register(node.var), node.var.size)
            raise ValueError(
                f"classical variable {node.name!r} (a standalone 'expr.Var') is not supported; "
                "conditions may read clbits and classical registers only"
            )
        if isinstance(node, expr.Value):
            if not isinstance(node.value, (bool, int, np.integer)):
                raise ValueError(f"classical value {node.value!r} is not supported (ints only)")
            return _const(int(node.value))
        if isinstance(node, expr.Cast):
            inner = self.convert(node.operand)
            if isinstance(node.type, types.Bool):
                return ClassicalExpr("binary", (inner, _const(0)), np.not_equal)
            if isinstance(node.type, types.Uint):
                return ClassicalExpr("mask", (inner,), width=node.type.width)
        if (
            isinstance(node, expr.Index)
            and isinstance(node.target, expr.Var)
            and isinstance(node.target.var, ClassicalRegister)
            and isinstance(node.index, expr.Value)
        ):
            return _bits([self.register(node.target.var)[int(node.index.value)]], 0)
        if isinstance(node, expr.Unary):
            inner = self.convert(node.operand)
            if node.op == expr.Unary.Op.LOGIC_NOT:
                return ClassicalExpr("unary", (inner,), np.logical_not)
            if node.op == expr.Unary.Op.BIT_NOT:
                w = _width(node.type)
                if w == 0:
                    return ClassicalExpr("unary", (inner,), np.logical_not)
                mask = (1 << w) - 1
                return ClassicalExpr("unary", (inner,), lambda v, m=mask: np.bitwise_xor(v, m))
        if isinstance(node, expr.Binary) and node.op in _BINARY:
            out = ClassicalExpr(
                "binary", (self.convert(node.left), self.convert(node.right)), _BINARY[node.op]
            )
            w = _width(node.type)
            return ClassicalExpr("mask", (out,), width=w) if w else out
        raise ValueError(f"classical expression {node!r} is not supported")


def _condition(condition: Any, clbit_index: Mapping[Clbit, int], name: str) -> ClassicalExpr:
    """A legacy ``(Clbit | ClassicalRegister, value)`` pair or an ``expr.Expr`` as a value."""
    conv = _ExprConverter(clbit_index)
    if isinstance(condition, expr.Expr):
        return conv.convert(condition)
    if isinstance(condition, tuple) and len(condition) == 2:
        target, value = condition
        return _equal(_target(target, conv, name), _const(int(value)))
    raise ValueError(f"{name}: unsupported condition {condition!r}")


def _target(target: Any, conv: _ExprConverter, name: str) -> ClassicalExpr:
    if isinstance(target, Clbit):
        return _bits([conv.clbit_index[target]], 0)
    if isinstance(target, ClassicalRegister):
        return _bits(conv.register(target), target.size)
    if isinstance(target, expr.Expr):
        return conv.convert(target)
    raise ValueError(f"{name}: unsupported target {target!r}")


# ---------------------------------------------------------------------- ops
@dataclass(frozen=True)
class Gates:
    """Unitary gates: ``circuit`` acts on all the program's qubits and has no clbits."""

    circuit: QuantumCircuit

    @property
    def qubits(self) -> frozenset[int]:
        return frozenset(
            self.circuit.find_bit(q).index
            for inst in self.circuit.data
            if inst.operation.name not in _SKIPPED
            for q in inst.qubits
        )


@dataclass(frozen=True)
class Measure:
    """Measure ``qubit`` in the computational basis into ``clbit``."""

    qubit: int
    clbit: int


@dataclass(frozen=True)
class Reset:
    """Reset ``qubit`` to :math:`|0\\rangle` (measure, then flip a 1 back)."""

    qubit: int


@dataclass(frozen=True)
class IfElse:
    """Run ``true_body`` on branches where ``condition`` is nonzero, ``false_body`` elsewhere."""

    condition: ClassicalExpr
    true_body: tuple[Op, ...]
    false_body: tuple[Op, ...] = ()


@dataclass(frozen=True)
class Switch:
    """Run the body of the first case whose values contain ``target``'s value.

    ``cases`` holds ``(values, body)``; ``values`` is ``None`` for the default case.
    """

    target: ClassicalExpr
    cases: tuple[tuple[tuple[int, ...] | None, tuple[Op, ...]], ...]


@dataclass(frozen=True)
class ForLoop:
    """Run ``body`` once per entry of ``values``, with ``parameter`` (if any) bound to it."""

    values: tuple[Any, ...]
    parameter: Parameter | None
    body: tuple[Op, ...]


@dataclass(frozen=True)
class WhileLoop:
    """Run ``body`` while ``condition`` is nonzero."""

    condition: ClassicalExpr
    body: tuple[Op, ...]


@dataclass(frozen=True)
class Break:
    """Leave the innermost loop (``cont=False``) or go on with its next iteration."""

    cont: bool = False


Op = Gates | Measure | Reset | IfElse | Switch | ForLoop | WhileLoop | Break


@dataclass(frozen=True)
class Program:
    """A dynamic circuit as ops over global qubit/clbit indices (see the module docstring).

    Attributes:
        num_qubits: qubits of the circuit.
        num_clbits: clbits of the circuit.
        ops: the ops in order.
        final: ``{clbit: qubit}`` of the measurements deferred to the end.
    """

    num_qubits: int
    num_clbits: int
    ops: tuple[Op, ...]
    final: dict[int, int] = field(default_factory=dict)

    @property
    def is_static(self) -> bool:
        """``True`` when the program is at most one run of gates (then final measurements)."""
        return all(isinstance(op, Gates) for op in self.ops) and len(self.ops) <= 1


# ---------------------------------------------------------------------- conversion
def is_dynamic(qc: QuantumCircuit) -> bool:
    """``True`` unless ``qc`` is unitary gates followed by final measurements.

    Resets, control flow, a gate after a measurement on its qubit, or any other non-gate
    instruction (e.g. ``initialize``, which resets) make a circuit dynamic.

    Example:
        >>> qc = QuantumCircuit(1, 1); _ = qc.h(0); _ = qc.measure(0, 0)
        >>> is_dynamic(qc)
        False
        >>> _ = qc.reset(0); is_dynamic(qc)
        True
    """
    done: set[Qubit] = set()
    for inst in qc.data:
        op = inst.operation
        if op.name == "measure":
            done.update(inst.qubits)
        elif op.name in _SKIPPED:
            continue
        elif not _is_unitary(op, inst.clbits) or done.intersection(inst.qubits):
            return True
    return False


def _is_unitary(op: Instruction, clbits: Sequence[Clbit]) -> bool:
    """A gate, or an instruction without clbits whose definition holds only gates."""
    if clbits or op.name in {"measure", "reset"} | _CONTROL_FLOW:
        return False
    if isinstance(op, Gate):
        return True
    definition = op.definition
    return definition is not None and all(
        inst.operation.name in _SKIPPED or _is_unitary(inst.operation, inst.clbits)
        for inst in definition.data
    )


def circuit_to_program(qc: QuantumCircuit) -> Program:
    """Convert a (possibly dynamic) circuit into a :class:`Program`.

    Args:
        qc: a Qiskit ``QuantumCircuit``; parameters stay symbolic in the :class:`Gates` ops.

    Raises:
        TypeError: ``qc`` is not a ``QuantumCircuit``.
        ValueError: an instruction that is none of :data:`SUPPORTED_OPERATIONS` and has no
            definition (e.g. ``store`` or an opaque instruction), named in the message.
    """
    if not isinstance(qc, QuantumCircuit):
        raise TypeError(f"qc must be a qiskit QuantumCircuit, got {type(qc).__name__}")
    builder = _Builder(qc.num_qubits)
    qubit_index = {q: i for i, q in enumerate(qc.qubits)}
    clbit_index = {c: i for i, c in enumerate(qc.clbits)}
    ops = builder.block(qc, qubit_index, clbit_index)
    ops, final = _defer_final_measurements(ops)
    return Program(qc.num_qubits, qc.num_clbits, tuple(_merge_gates(ops)), final)


class _Builder:
    def __init__(self, num_qubits: int) -> None:
        self.num_qubits = num_qubits

    def new_segment(self) -> QuantumCircuit:
        return QuantumCircuit(self.num_qubits)

    def block(
        self,
        qc: QuantumCircuit,
        qubit_index: Mapping[Qubit, int],
        clbit_index: Mapping[Clbit, int],
    ) -> list[Op]:
        ops: list[Op] = []
        segment: QuantumCircuit | None = None

        def flush() -> None:
            nonlocal segment
            if segment is not None and segment.data:
                ops.append(Gates(segment))
            segment = None

        for inst in qc.data:
            op = inst.operation
            name = op.name
            qubits = [qubit_index[q] for q in inst.qubits]
            if name in _SKIPPED:
                continue
            if name in {"measure", "reset"} or name in _CONTROL_FLOW or name == "box":
                flush()
                ops.extend(self.nonunitary(inst, qubits, qubit_index, clbit_index))
                continue
            if isinstance(op, Gate) and not inst.clbits:
                if segment is None:
                    segment = self.new_segment()
                segment.append(op, [segment.qubits[i] for i in qubits])
                continue
            if isinstance(op, Instruction) and op.definition is not None:
                flush()
                definition = op.definition
                inner_q = {q: qubits[j] for j, q in enumerate(definition.qubits)}
                inner_c = {c: clbit_index[inst.clbits[j]] for j, c in enumerate(definition.clbits)}
                ops.extend(self.block(definition, inner_q, inner_c))
                continue
            raise ValueError(
                f"instruction {name!r} is not supported in dynamic circuits (it has no "
                f"definition); supported: {', '.join(SUPPORTED_OPERATIONS)}"
            )
        flush()
        return ops

    def nonunitary(
        self,
        inst: Any,
        qubits: list[int],
        qubit_index: Mapping[Qubit, int],
        clbit_index: Mapping[Clbit, int],
    ) -> list[Op]:
        op = inst.operation
        name = op.name
        if name == "measure":
            return [Measure(qubits[0], clbit_index[inst.clbits[0]])]
        if name == "reset":
            return [Reset(qubits[0])]
        if name == "break_loop":
            return [Break(cont=False)]
        if name == "continue_loop":
            return [Break(cont=True)]

        def body(block: QuantumCircuit) -> tuple[Op, ...]:
            inner_q = {q: qubit_index[inst.qubits[j]] for j, q in enumerate(block.qubits)}
            inner_c = {c: clbit_index[inst.clbits[j]] for j, c in enumerate(block.clbits)}
            return tuple(self.block(block, inner_q, inner_c))

        inner_c = {c: clbit_index[inst.clbits[j]] for j, c in enumerate(op.blocks[0].clbits)}
        # registers and clbits named in conditions are the outer circuit's objects
        cond_index = {**clbit_index, **inner_c}
        if name == "box":
            return list(body(op.blocks[0]))
        if name == "if_else":
            cond = _condition(op.condition, cond_index, name)
            false_body = body(op.blocks[1]) if len(op.blocks) > 1 and op.blocks[1] else ()
            return [IfElse(cond, body(op.blocks[0]), false_body)]
        if name == "while_loop":
            return [WhileLoop(_condition(op.condition, cond_index, name), body(op.blocks[0]))]
        if name == "for_loop":
            indexset, parameter, block = op.params
            return [ForLoop(tuple(indexset), parameter, body(block))]
        if name == "switch_case":
            conv = _ExprConverter(cond_index)
            target = _target(op.target, conv, name)
            cases = []
            for values, block in op.cases_specifier():
                specs = tuple(values) if isinstance(values, tuple) else (values,)
                if any(v is CASE_DEFAULT for v in specs):
                    cases.append((None, body(block)))
                else:
                    cases.append((tuple(_case_value(v) for v in specs), body(block)))
            return [Switch(target, tuple(cases))]
        raise ValueError(f"instruction {name!r} is not supported in dynamic circuits")


def _case_value(value: Any) -> int:
    if isinstance(value, expr.Value):
        value = value.value
    if isinstance(value, (bool, int, np.integer)):
        return int(value)
    raise ValueError(f"switch_case: unsupported case value {value!r}")


def _touches(op: Op) -> tuple[set[int], set[int]]:
    """Qubits and clbits (read or written) an op touches, nested bodies included."""
    if isinstance(op, Gates):
        return set(op.qubits), set()
    if isinstance(op, Measure):
        return {op.qubit}, {op.clbit}
    if isinstance(op, Reset):
        return {op.qubit}, set()
    if isinstance(op, Break):
        return set(), set()
    qubits: set[int] = set()
    clbits: set[int] = set()
    bodies: list[tuple[Op, ...]] = []
    if isinstance(op, IfElse):
        clbits |= op.condition.clbits
        bodies = [op.true_body, op.false_body]
    elif isinstance(op, WhileLoop):
        clbits |= op.condition.clbits
        bodies = [op.body]
    elif isinstance(op, ForLoop):
        bodies = [op.body]
    elif isinstance(op, Switch):
        clbits |= op.target.clbits
        bodies = [b for _, b in op.cases]
    for inner in (o for b in bodies for o in b):
        q, c = _touches(inner)
        qubits |= q
        clbits |= c
    return qubits, clbits


def _defer_final_measurements(ops: list[Op]) -> tuple[list[Op], dict[int, int]]:
    """Move the measurements that nothing later touches into ``{clbit: qubit}``."""
    later_q: set[int] = set()
    later_c: set[int] = set()
    kept: list[Op] = []
    final: dict[int, int] = {}
    for op in reversed(ops):
        if isinstance(op, Measure) and op.qubit not in later_q and op.clbit not in later_c:
            final[op.clbit] = op.qubit
        else:
            kept.append(op)
        q, c = _touches(op)
        later_q |= q
        later_c |= c
    return kept[::-1], dict(sorted(final.items()))


def _merge_gates(ops: list[Op]) -> list[Op]:
    """Join neighbouring :class:`Gates` ops into one circuit."""
    out: list[Op] = []
    for op in ops:
        if isinstance(op, Gates) and out and isinstance(out[-1], Gates):
            merged = out[-1].circuit.copy()
            merged.compose(op.circuit, inplace=True)
            out[-1] = Gates(merged)
        else:
            out.append(op)
    return out
