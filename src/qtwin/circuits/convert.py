"""Qiskit circuits (and qudit circuits) to the simulator's gate lists.

A gate list is a sequence of :class:`GateOp`: a torch matrix in Qiskit's little-endian
convention over ``qubits`` (the first listed wire is the least significant index). This is the
one place where Qiskit instructions become matrices, so every simulator in qtwin agrees on them.

Parameters are bound here. Values may be numbers (the fast path: Qiskit's own matrices, cached)
or torch tensors (the differentiable path: closed-form torch matrices from
:mod:`qtwin.circuits.gates`, falling back to a gate's definition when it has none).

Example:
    >>> from qiskit import QuantumCircuit
    >>> qc = QuantumCircuit(2); _ = qc.h(0); _ = qc.cx(0, 1)
    >>> ops, phase = circuit_to_gates(qc)
    >>> [(op.name, op.qubits) for op in ops], phase
    ([('h', (0,)), ('cx', (0, 1))], 0.0)
"""

from __future__ import annotations

import cmath
import functools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import numpy as np
import torch
from qiskit.circuit import Instruction, Parameter, ParameterExpression, QuantumCircuit

from qtwin._validation import check_finite
from qtwin.circuits.gates import gate_matrix, has_torch_formula
from qtwin.circuits.qudit import QuditCircuit

__all__ = [
    "GateList",
    "GateOp",
    "bind_parameters",
    "circuit_to_gates",
    "phase_factor",
    "strip_final_measurements",
    "to_gate_list",
]

_SKIPPED = {"barrier", "delay", "id", "i"}
_REFUSED = {"measure", "reset"}


@dataclass(frozen=True)
class GateOp:
    """One gate of a gate list: ``matrix`` (shape ``(..., D, D)``) acting on ``qubits``."""

    matrix: torch.Tensor
    qubits: tuple[int, ...]
    name: str = "unitary"


#: A value bound to one circuit parameter (a tensor keeps autograd through the run).
ParameterValue = float | torch.Tensor
#: The values of a circuit's parameters: by parameter, or in ``qc.parameters`` order.
ParameterValues = Mapping[Parameter, Any] | Sequence[Any] | None


def bind_parameters(qc: QuantumCircuit, parameter_values: ParameterValues) -> dict[Parameter, Any]:
    """Map each of ``qc.parameters`` to its value, checking that all are given and finite.

    ``parameter_values`` is a mapping ``Parameter -> value`` or a sequence in the order of
    ``qc.parameters``; values are numbers or real torch tensors.
    """
    params = list(qc.parameters)
    if parameter_values is None:
        parameter_values = {}
    if not isinstance(parameter_values, Mapping):
        values = list(parameter_values)
        if len(values) != len(params):
            raise ValueError(
                f"parameter_values has {len(values)} entries but the circuit has "
                f"{len(params)} parameters ({[p.name for p in params]})"
            )
        parameter_values = dict(zip(params, values, strict=True))
    missing = [p.name for p in params if p not in parameter_values]
    if missing:
        raise ValueError(f"parameter_values is missing values for circuit parameters {missing}")
    out = {}
    for p, v in parameter_values.items():
        check_finite(v, f"parameter_values[{getattr(p, 'name', p)}]")
        if isinstance(v, np.ndarray) and v.ndim > 0:
            v = torch.as_tensor(v)  # an array of values is a batch: take the torch path
        out[p] = v
    return out


def _evaluate(expr: Any, values: Mapping[Parameter, Any]) -> Any:
    """Value of an instruction parameter: a float, or a torch tensor if any input is one."""
    if not isinstance(expr, ParameterExpression):
        return expr
    if isinstance(expr, Parameter):
        return values[expr]
    used = {p: values[p] for p in expr.parameters}
    if not any(isinstance(v, torch.Tensor) for v in used.values()):
        bound = expr.bind({p: float(v) for p, v in used.items()})
        return complex(bound).real if not bound.is_real() else float(bound)
    return _evaluate_with_torch(expr, used)


def _evaluate_with_torch(expr: ParameterExpression, used: Mapping[Parameter, Any]) -> torch.Tensor:
    import sympy

    symbols = {p: sympy.Symbol(p.name) for p in used}
    sym_expr = expr.sympify()
    fn = sympy.lambdify(
        [symbols[p] for p in used],
        sym_expr,
        modules=[
            {
                "sin": torch.sin,
                "cos": torch.cos,
                "tan": torch.tan,
                "exp": torch.exp,
                "log": torch.log,
                "sqrt": torch.sqrt,
                "Abs": torch.abs,
                "asin": torch.asin,
                "acos": torch.acos,
                "atan": torch.atan,
            },
            "math",
        ],
    )
    return fn(
        *[v if isinstance(v, torch.Tensor) else torch.tensor(float(v)) for v in used.values()]
    )


@lru_cache(maxsize=4096)
def _numeric_matrix(op: Instruction) -> np.ndarray:
    return np.asarray(op.to_matrix(), dtype=complex)


def _instruction_matrix(op: Instruction) -> np.ndarray | None:
    """Qiskit's own matrix for a gate whose parameters are all numbers, or None if it has none."""
    try:
        key = op if op.is_parameterized() is False else None
        if key is not None:
            try:
                return _numeric_matrix(op)
            except TypeError:  # unhashable (e.g. a UnitaryGate's array parameter)
                return np.asarray(op.to_matrix(), dtype=complex)
    except Exception:  # noqa: BLE001 - any instruction without a matrix falls back to definition
        return None
    return None


def circuit_to_gates(
    qc: QuantumCircuit,
    parameter_values: ParameterValues = None,
    *,
    dtype: torch.dtype = torch.complex128,
    device: torch.device | str | None = None,
) -> tuple[list[GateOp], Any]:
    """Convert ``qc`` into a list of :class:`GateOp` and its global phase.

    Barriers, delays and identities are skipped. Measurements and resets are refused (use
    :func:`strip_final_measurements` first when the circuit ends in measurements). Gates without
    a matrix are expanded through their Qiskit definition.

    Args:
        qc: the circuit; its parameters must all get values.
        parameter_values: a mapping ``Parameter -> value`` or a sequence in ``qc.parameters``
            order; numbers, or real torch tensors (possibly batched) for gradients.
        dtype: complex dtype of the matrices.
        device: torch device of the matrices.

    Returns:
        ``(ops, global_phase)``; the phase is a float or a torch tensor.
    """
    if not isinstance(qc, QuantumCircuit):
        raise TypeError(f"qc must be a qiskit QuantumCircuit, got {type(qc).__name__}")
    values = bind_parameters(qc, parameter_values)
    ops: list[GateOp] = []
    phase = _evaluate(qc.global_phase, values)
    if isinstance(phase, (float, complex)) and not cmath.isfinite(phase):
        raise ValueError(f"qc.global_phase must be a finite number, got {phase!r}")
    phase = _append_ops(qc, list(range(qc.num_qubits)), values, ops, dtype, device, phase)
    return _numeric_to_torch(ops, dtype, device), phase


def _numeric_to_torch(
    ops: list[GateOp], dtype: torch.dtype, device: torch.device | str | None
) -> list[GateOp]:
    """Turn the numpy matrices of fixed gates into torch tensors, one transfer per shape."""
    by_shape: dict[tuple[int, ...], list[int]] = {}
    for i, g in enumerate(ops):
        if isinstance(g.matrix, np.ndarray):
            by_shape.setdefault(g.matrix.shape, []).append(i)
    for idx in by_shape.values():
        stacked = torch.as_tensor(
            np.stack([ops[i].matrix for i in idx]), dtype=dtype, device=device
        )
        for i, m in zip(idx, stacked.unbind(0), strict=True):
            ops[i] = GateOp(m, ops[i].qubits, ops[i].name)
    return ops


def _check_angles(name: str, qubits: tuple[int, ...], params: Sequence[Any]) -> None:
    """Refuse a NaN or infinite literal angle (or matrix entry) of instruction ``name``."""
    for p in params:
        if isinstance(p, (float, complex, np.floating, np.complexfloating)):
            bad = not cmath.isfinite(p)
        elif isinstance(p, np.ndarray) and p.dtype.kind in "fc":
            bad = not bool(np.isfinite(p).all())
        else:
            continue
        if bad:
            raise ValueError(
                f"gate {name!r} on qubits {list(qubits)} has a non-finite parameter {p!r}; "
                "gate angles must be finite numbers"
            )


def _append_ops(
    qc: QuantumCircuit,
    wire_map: list[int],
    values: Mapping[Parameter, Any],
    ops: list[GateOp],
    dtype: torch.dtype,
    device: torch.device | str | None,
    phase: Any,
) -> Any:
    index = {q: i for i, q in enumerate(qc.qubits)}
    for inst in qc.data:
        op = inst.operation
        name = op.name
        if name in _SKIPPED:
            continue
        if name in _REFUSED:
            raise ValueError(
                f"the circuit contains a {name!r}; the simulator takes unitary circuits only. "
                "Final measurements can be removed with "
                "qtwin.circuits.convert.strip_final_measurements(qc)"
            )
        if getattr(op, "condition", None) is not None or name in {
            "if_else",
            "while_loop",
            "for_loop",
            "switch_case",
        }:
            raise ValueError(f"classically controlled instruction {name!r} is not supported")
        qubits = tuple(wire_map[index[q]] for q in inst.qubits)
        if inst.clbits:
            raise ValueError(
                f"instruction {name!r} writes classical bits; only unitary gates allowed"
            )
        if name == "global_phase":
            phase = phase + _evaluate(op.params[0], values)
            continue
        params = [_evaluate(p, values) for p in op.params]
        _check_angles(name, qubits, params)
        if any(isinstance(p, torch.Tensor) for p in params):
            if has_torch_formula(name):
                ops.append(
                    GateOp(gate_matrix(name, params, dtype=dtype, device=device), qubits, name)
                )
                continue
        else:
            matrix = _instruction_matrix(op) if not op.is_parameterized() else None
            if matrix is None and op.is_parameterized() and has_torch_formula(name):
                matrix = gate_matrix(name, params, dtype=dtype, device=device)
            if matrix is not None:  # numpy matrices become tensors in bulk at the end
                ops.append(GateOp(matrix, qubits, name))  # type: ignore[arg-type]
                continue
        definition = op.definition
        if definition is None:
            raise ValueError(f"instruction {name!r} has neither a matrix nor a definition")
        phase = _append_ops(definition, list(qubits), values, ops, dtype, device, phase)
    return phase


def strip_final_measurements(qc: QuantumCircuit) -> tuple[QuantumCircuit, dict[int, int]]:
    """Remove the measurements at the end of ``qc``.

    Returns the unitary part and a map ``clbit index -> qubit index`` of the measurements that
    were removed. A measurement followed by any gate on its qubit, or a reset anywhere, is a
    mid-circuit operation and raises ``ValueError``.

    Example:
        >>> qc = QuantumCircuit(2, 2); _ = qc.h(0); _ = qc.measure([0, 1], [1, 0])
        >>> body, measured = strip_final_measurements(qc)
        >>> measured, dict(body.count_ops())
        ({1: 0, 0: 1}, {'h': 1})
    """
    body = qc.copy_empty_like()
    measured: dict[int, int] = {}
    done_qubits: set[int] = set()
    for inst in qc.data:
        name = inst.operation.name
        qidx = [qc.find_bit(q).index for q in inst.qubits]
        if name == "measure":
            measured[qc.find_bit(inst.clbits[0]).index] = qidx[0]
            done_qubits.add(qidx[0])
            continue
        if name == "barrier":
            continue
        if name == "reset":
            raise ValueError("the circuit contains a reset; only final measurements are supported")
        if done_qubits.intersection(qidx):
            raise ValueError(
                f"the circuit has a mid-circuit measurement: {name!r} acts on qubit(s) "
                f"{sorted(done_qubits.intersection(qidx))} after they were measured"
            )
        body.append(inst)
    return body, measured


GateList = list[tuple[torch.Tensor, tuple[int, ...]]]


def to_gate_list(
    qc: QuantumCircuit | QuditCircuit,
    parameter_values: ParameterValues = None,
    *,
    dtype: torch.dtype = torch.complex128,
    device: torch.device | str | None = None,
) -> tuple[GateList, Any, tuple[int, ...]]:
    """Gate list ``[(matrix, wires), ...]``, global phase and local dimensions of a circuit.

    The one entry point the simulators use: ``qc`` is a Qiskit ``QuantumCircuit`` (converted
    by :func:`circuit_to_gates`) or a :class:`~qtwin.circuits.QuditCircuit` (its matrices are
    already checked unitary, and it has no parameters or phase). The type is dispatched by
    :func:`functools.singledispatch`; another circuit type can be added with
    ``_gate_list.register``.

    Example:
        >>> from qtwin.circuits import QuditCircuit
        >>> ops, phase, dims = to_gate_list(QuditCircuit([2, 3]).x(1))
        >>> [m.shape for m, _ in ops], phase, dims
        ([torch.Size([3, 3])], 0.0, (2, 3))
    """
    return _gate_list(qc, parameter_values, dtype, device)


@functools.singledispatch
def _gate_list(
    qc: object,
    parameter_values: ParameterValues,
    dtype: torch.dtype,
    device: torch.device | str | None,
) -> tuple[GateList, Any, tuple[int, ...]]:
    raise TypeError(
        f"qc must be a qiskit QuantumCircuit or a qtwin QuditCircuit, got {type(qc).__name__}"
    )


@_gate_list.register
def _(
    qc: QuantumCircuit,
    parameter_values: ParameterValues,
    dtype: torch.dtype,
    device: torch.device | str | None,
) -> tuple[GateList, Any, tuple[int, ...]]:
    gate_ops, phase = circuit_to_gates(qc, parameter_values, dtype=dtype, device=device)
    return [(g.matrix, g.qubits) for g in gate_ops], phase, (2,) * qc.num_qubits


@_gate_list.register
def _(
    qc: QuditCircuit,
    parameter_values: ParameterValues,
    dtype: torch.dtype,
    device: torch.device | str | None,
) -> tuple[GateList, Any, tuple[int, ...]]:
    if parameter_values is not None and len(parameter_values) > 0:
        raise ValueError("a QuditCircuit has no parameters; parameter_values must be None")
    ops = [
        (torch.tensor(np.asarray(g.matrix), dtype=dtype, device=device), tuple(g.wires))
        for g in qc.gates
    ]
    return ops, 0.0, tuple(qc.dims)


def phase_factor(phase: Any, dtype: torch.dtype, device: torch.device) -> torch.Tensor | None:
    """``exp(i * phase)`` as a tensor (batched if ``phase`` is), or ``None`` for a zero phase."""
    if not isinstance(phase, torch.Tensor) and phase == 0:
        return None
    # the real dtype matching ``dtype``: a float32 phase would put |factor| off 1 by ~1e-8
    real = torch.float64 if dtype == torch.complex128 else torch.float32
    if isinstance(phase, torch.Tensor):
        ph = phase.to(device=device, dtype=real)
    else:
        ph = torch.as_tensor(np.asarray(phase, dtype=np.float64), device=device).to(real)
    return torch.polar(torch.ones_like(ph), ph).to(dtype)
