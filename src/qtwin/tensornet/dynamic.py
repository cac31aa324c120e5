r"""Dynamic circuits by branching trajectories that share their deterministic prefix.

A :class:`~qtwin.circuits.dynamic.Program` (from
:func:`~qtwin.circuits.dynamic.circuit_to_program`) runs on either engine,
:class:`~qtwin.tensornet.Statevector` or :class:`~qtwin.tensornet.MPS`, as a *group* of
branches: row :math:`b` holds a state :math:`\psi_b`, its classical bits, its share of the
shots :math:`s_b` and its probability :math:`w_b`. It starts as one branch holding all the
shots. A run of gates is applied to the whole group in one call (the dense engine holds the
group as one batched ``(B, 2^n)`` state, so its fusion and kernels run once for all branches;
the MPS keeps one state per branch). At a measurement of qubit :math:`q`, each branch's
outcome probabilities :math:`p_b(k) = \lVert \Pi_k^{(q)}\psi_b \rVert^2` give a multinomial
draw :math:`(s_{b0}, s_{b1}) \sim \mathrm{Mult}(s_b; p_b(0), p_b(1))`, and every outcome that
occurred continues as its own branch with :math:`s_{bk}` shots, the state projected,
:math:`\psi \leftarrow \Pi_k^{(q)}\psi / \sqrt{p_b(k)}`, and the outcome written to its clbit.
Shots that agree on every mid-circuit outcome therefore share one simulation: a circuit with
only final measurements costs one, a measurement with a certain outcome costs no new branch.
A reset is a measurement whose outcome is not recorded, followed by :math:`X` when it was 1.
Control flow partitions the group by the value of its condition in each branch. At the end
each branch samples its deferred final measurements with its own shot count.

In *exact* mode (no shots) every outcome of nonzero probability continues, with weight
:math:`w \leftarrow w\,p(k)`, which gives expectation values of the post-measurement mixed
state, :math:`\langle O\rangle = \sum_b w_b \langle\psi_b|O|\psi_b\rangle`.

Example:
    >>> from qiskit import QuantumCircuit
    >>> from qtwin.circuits.dynamic import circuit_to_program
    >>> qc = QuantumCircuit(2, 2)
    >>> _ = qc.h(0); _ = qc.measure(0, 0)
    >>> with qc.if_test((qc.clbits[0], 1)):
    ...     _ = qc.x(1)
    >>> _ = qc.measure(1, 1)
    >>> out = sample_program(circuit_to_program(qc), StatevectorEngine(), shots=100, seed=1)
    >>> out.bits.shape, sorted({"".join(map(str, row[::-1])) for row in out.bits.astype(int)})
    ((100, 2), ['00', '11'])
    >>> out.num_branches
    2
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Generic, Protocol, TypeVar

import numpy as np
import torch
from qiskit.circuit import Parameter, QuantumCircuit
from qiskit.quantum_info import SparsePauliOp

from qtwin._validation import as_generator, check_positive_int
from qtwin.circuits.convert import ParameterValue
from qtwin.circuits.dynamic import (
    Break,
    ForLoop,
    Gates,
    IfElse,
    Measure,
    Op,
    Program,
    Reset,
    Switch,
    WhileLoop,
)

if TYPE_CHECKING:
    from qtwin.tensornet.mps import MPS
    from qtwin.tensornet.statevector import Statevector

#: An engine's batch of states: a batched ``Statevector`` or a list of ``MPS``.
Batch = TypeVar("Batch")


__all__ = [
    "Engine",
    "StatevectorEngine",
    "MPSEngine",
    "Trajectories",
    "DynamicSamples",
    "run_program",
    "sample_program",
    "expectation_program",
    "MAX_LOOP_ITERATIONS",
    "MAX_TRAJECTORY_BYTES",
]

MAX_LOOP_ITERATIONS = 100_000
"""A ``while_loop`` that has run this many times in some branch raises ``ValueError``."""

MAX_TRAJECTORY_BYTES = 2**30
"""Memory budget (1 GiB) of the branch states alive at once, for engines of known state size
(dense); a measurement briefly holds a few times this (copies, projection).

:func:`sample_program` runs the shots in chunks of at most ``MAX_TRAJECTORY_BYTES //
state_bytes`` (a chunk of ``s`` shots has at most ``s`` branches); exact mode refuses to
branch beyond it."""

_X = np.array([[0, 1], [1, 0]], dtype=complex)
_NONE, _BREAK, _CONTINUE = 0, 1, 2  # loop-exit flags of a branch


# ---------------------------------------------------------------------- engines
class Engine(Protocol[Batch]):
    """What the driver needs from a simulator: operations on a *batch* of ``B`` states.

    A batch is opaque to the driver (a batched ``Statevector``, a list of ``MPS``). ``take``
    returns a new batch independent of its input; the other operations may update their input
    in place and return it. Arrays have one entry per state of the batch.
    """

    name: str

    def prepare(self, circuit: QuantumCircuit, values: Mapping[Parameter, ParameterValue]) -> Batch:
        """A batch of one: the state ``circuit`` prepares from :math:`|0\\dots0\\rangle`."""
        ...

    def apply(
        self, batch: Batch, circuit: QuantumCircuit, values: Mapping[Parameter, ParameterValue]
    ) -> Batch:
        """Every state after the gates of ``circuit``."""
        ...

    def probabilities(self, batch: Batch, qubit: int) -> np.ndarray:
        """Outcome probabilities of measuring ``qubit``, shape ``(B, d)``, float64."""
        ...

    def take(self, batch: Batch, rows: np.ndarray) -> Batch:
        """A new batch of the states ``rows`` (indices, possibly repeated)."""
        ...

    def concat(self, batches: Sequence[Batch]) -> Batch:
        """The states of ``batches`` in order, as one batch."""
        ...

    def project(self, batch: Batch, qubit: int, outcomes: np.ndarray) -> Batch:
        """State ``b`` projected on ``outcomes[b]`` of ``qubit`` and renormalized."""
        ...

    def flip(self, batch: Batch, qubit: int, mask: np.ndarray) -> Batch:
        """An X gate on ``qubit`` of the states where ``mask`` is true."""
        ...

    def sample(self, batch: Batch, shots: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        """``shots[b]`` outcomes of state ``b``, stacked in row order: ``(sum(shots), n)``,
        column ``q`` is qubit ``q``."""
        ...

    def expectation(self, batch: Batch, observable: SparsePauliOp) -> np.ndarray:
        """Real parts of :math:`\\langle\\psi_b|O|\\psi_b\\rangle` (``SparsePauliOp``)."""
        ...

    def discarded_weight(self, batch: Batch) -> np.ndarray:
        """Weight truncated while preparing each state (0 for an exact engine)."""
        ...

    @property
    def zero_probability(self) -> float:
        """Outcome probabilities at or below this are numerical zeros, never branched on."""
        ...

    def state_bytes(self, num_qubits: int) -> int | None:
        """Memory of one state of ``num_qubits`` qubits, ``None`` when it is not known ahead."""
        ...


def _zero_probability(dtype: torch.dtype | None) -> float:
    """The :attr:`Engine.zero_probability` of a complex dtype (rounding level, with margin)."""
    return 1e-6 if dtype == torch.complex64 else 1e-12


@dataclass(frozen=True)
class StatevectorEngine:
    """The dense :class:`~qtwin.tensornet.Statevector` as an :class:`Engine`: a batch of
    branches is one batched state of shape ``(B, 2^n)``."""

    dtype: torch.dtype = torch.complex128
    device: torch.device | str | None = None
    name: str = "qtwin.tensornet.Statevector"

    def prepare(
        self, circuit: QuantumCircuit, values: Mapping[Parameter, ParameterValue]
    ) -> Statevector:
        from qtwin.tensornet.statevector import Statevector

        return Statevector.from_circuit(circuit, values, dtype=self.dtype, device=self.device)

    def apply(
        self,
        batch: Statevector,
        circuit: QuantumCircuit,
        values: Mapping[Parameter, ParameterValue],
    ) -> Statevector:
        from qtwin.tensornet.statevector import Statevector

        return Statevector.from_circuit(
            circuit, values, initial=batch, dtype=self.dtype, device=self.device
        )

    def probabilities(self, batch: Statevector, qubit: int) -> np.ndarray:
        return batch.qubit_probabilities(qubit).detach().to(torch.float64).cpu().numpy()

    def take(self, batch: Statevector, rows: np.ndarray) -> Statevector:
        from qtwin.tensornet.statevector import Statevector

        index = torch.as_tensor(np.asarray(rows, dtype=np.int64), device=batch.data.device)
        return Statevector(batch.data.index_select(0, index), batch.dims)

    def concat(self, batches: Sequence[Statevector]) -> Statevector:
        from qtwin.tensornet.statevector import Statevector

        if len(batches) == 1:
            return batches[0]
        return Statevector(torch.cat([b.data for b in batches]), batches[0].dims)

    def project(self, batch: Statevector, qubit: int, outcomes: np.ndarray) -> Statevector:
        return batch.project(qubit, np.asarray(outcomes, dtype=np.int64))

    def flip(self, batch: Statevector, qubit: int, mask: np.ndarray) -> Statevector:
        eye = torch.eye(2, dtype=self.dtype, device=batch.data.device)
        x = torch.as_tensor(_X, dtype=self.dtype, device=batch.data.device)
        m = torch.where(torch.as_tensor(mask, device=batch.data.device)[:, None, None], x, eye)
        return batch.apply_gate(m, [qubit])

    def sample(self, batch: Statevector, shots: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        p = batch.probabilities().detach().to(torch.float64).cpu().numpy()
        index = np.concatenate(
            [
                rng.choice(row.size, size=int(s), p=row / row.sum())
                for row, s in zip(p, shots, strict=True)
            ]
        ).astype(np.int64)
        return (index[:, None] >> np.arange(batch.num_sites, dtype=np.int64)) & 1

    def expectation(self, batch: Statevector, observable: SparsePauliOp) -> np.ndarray:
        return batch.expectation(observable).real.detach().to(torch.float64).cpu().numpy()

    def discarded_weight(self, batch: Statevector) -> np.ndarray:
        return np.zeros(batch.batch)

    @property
    def zero_probability(self) -> float:
        return _zero_probability(self.dtype)

    def state_bytes(self, num_qubits: int) -> int | None:
        return 2**num_qubits * torch.empty((), dtype=self.dtype).element_size()


@dataclass(frozen=True)
class MPSEngine:
    """The :class:`~qtwin.tensornet.MPS` as an :class:`Engine`: a batch is a list of MPS
    (copies share their unchanged tensors).

    ``options`` are keyword arguments of :meth:`MPS.from_circuit` (``max_bond``, ``cutoff``,
    ``dtype``, ``device``).
    """

    options: Mapping[str, Any] = field(default_factory=dict)
    name: str = "qtwin.tensornet.MPS"

    def prepare(
        self, circuit: QuantumCircuit, values: Mapping[Parameter, ParameterValue]
    ) -> list[MPS]:
        from qtwin.tensornet.mps import MPS

        return [MPS.from_circuit(circuit, parameter_values=values, **self.options)]

    def apply(
        self, batch: list[MPS], circuit: QuantumCircuit, values: Mapping[Parameter, ParameterValue]
    ) -> list[MPS]:
        return [mps.apply_circuit(circuit, values) for mps in batch]

    def probabilities(self, batch: list[MPS], qubit: int) -> np.ndarray:
        return np.stack(
            [
                mps.qubit_probabilities(qubit).detach().to(torch.float64).cpu().numpy()
                for mps in batch
            ]
        )

    def take(self, batch: list[MPS], rows: np.ndarray) -> list[MPS]:
        return [batch[int(r)].copy() for r in rows]

    def concat(self, batches: Sequence[list[MPS]]) -> list[MPS]:
        return [mps for b in batches for mps in b]

    def project(self, batch: list[MPS], qubit: int, outcomes: np.ndarray) -> list[MPS]:
        return [mps.project(qubit, int(k)) for mps, k in zip(batch, outcomes, strict=True)]

    def flip(self, batch: list[MPS], qubit: int, mask: np.ndarray) -> list[MPS]:
        return [
            mps.apply_gate(_X, [qubit]) if m else mps for mps, m in zip(batch, mask, strict=True)
        ]

    def sample(self, batch: list[MPS], shots: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        return np.concatenate(
            [
                np.asarray(mps.sample(int(s), seed=rng), dtype=np.int64)
                for mps, s in zip(batch, shots, strict=True)
            ]
        )

    def expectation(self, batch: list[MPS], observable: SparsePauliOp) -> np.ndarray:
        return np.array([complex(mps.expectation(observable)).real for mps in batch])

    def discarded_weight(self, batch: list[MPS]) -> np.ndarray:
        return np.array([float(mps.discarded_weight) for mps in batch])

    @property
    def zero_probability(self) -> float:
        return _zero_probability(self.options.get("dtype"))

    def state_bytes(self, num_qubits: int) -> int | None:
        return None  # bond dimensions decide; copies share their tensors


# ---------------------------------------------------------------------- branch groups
@dataclass
class _Group(Generic[Batch]):
    """``B`` branches: a batch of states and, per branch, bits, shots, weight and loop flag."""

    states: Batch
    bits: np.ndarray  # (B, num_clbits) int8
    shots: np.ndarray  # (B,) int64; 0 in exact mode
    weights: np.ndarray  # (B,) float64
    flow: np.ndarray  # (B,) int8: _NONE, _BREAK or _CONTINUE

    @property
    def size(self) -> int:
        return int(self.bits.shape[0])


@dataclass
class Trajectories:
    """The branches at the end of a program and how many were ever created.

    Attributes:
        states: the engine's batch of final states (``B`` of them).
        bits: ``(B, num_clbits)`` int8 classical bits of each branch.
        shots: ``(B,)`` shots of each branch (sampling mode; zeros in exact mode).
        weights: ``(B,)`` probability of each branch (exact mode; products of outcome
            probabilities).
        num_branches: branches created in all (1 for a program without a random outcome).
        num_measurements: outcome distributions computed (measurements and resets run, once
            per group of branches).
    """

    states: Statevector | list[MPS]
    bits: np.ndarray
    shots: np.ndarray
    weights: np.ndarray
    num_branches: int = 1
    num_measurements: int = 0


@dataclass
class DynamicSamples:
    """The result of :func:`sample_program`.

    Attributes:
        bits: ``(shots, num_clbits)`` bool array; column ``c`` is clbit ``c``.
        num_branches: trajectories created (see :class:`Trajectories`), over all chunks.
        discarded_weight: shot-weighted mean of the branches' truncated weight.
    """

    bits: np.ndarray
    num_branches: int
    discarded_weight: float


class _Runner:
    """Runs the ops of a program on a group of branches (sampling mode when ``rng`` is set)."""

    def __init__(
        self,
        program: Program,
        engine: Engine,
        rng: np.random.Generator | None,
        tolerance: float,
        max_branches: int | None,
    ) -> None:
        self.program = program
        self.engine = engine
        self.rng = rng
        self.tolerance = tolerance
        self.max_branches = max_branches
        self.created = 1
        self.measured = 0

    # -- group plumbing
    def take(self, g: _Group, rows: np.ndarray) -> _Group:
        return _Group(
            self.engine.take(g.states, rows),
            g.bits[rows],
            g.shots[rows],
            g.weights[rows],
            g.flow[rows],
        )

    def split(self, g: _Group, mask: np.ndarray) -> tuple[_Group | None, _Group | None]:
        """``(branches where mask, branches where not)``; ``None`` for an empty part."""
        if mask.all():
            return g, None
        if not mask.any():
            return None, g
        return self.take(g, np.flatnonzero(mask)), self.take(g, np.flatnonzero(~mask))

    def concat(self, groups: Sequence[_Group | None]) -> _Group | None:
        parts = [g for g in groups if g is not None and g.size]
        if len(parts) <= 1:
            return parts[0] if parts else None
        return _Group(
            self.engine.concat([g.states for g in parts]),
            np.concatenate([g.bits for g in parts]),
            np.concatenate([g.shots for g in parts]),
            np.concatenate([g.weights for g in parts]),
            np.concatenate([g.flow for g in parts]),
        )

    # -- ops
    def block(
        self, ops: Sequence[Op], g: _Group | None, values: Mapping[Parameter, ParameterValue]
    ) -> _Group | None:
        for op in ops:
            if g is None:
                break
            live, parked = self.split(g, g.flow == _NONE)
            if live is None:
                break
            g = self.concat([self.op(op, live, values), parked])
        return g

    def op(self, op: Op, g: _Group, values: Mapping[Parameter, ParameterValue]) -> _Group | None:
        if isinstance(op, Gates):
            g.states = self.engine.apply(g.states, op.circuit, values)
            return g
        if isinstance(op, Measure):
            return self.measure(g, op.qubit, op.clbit)
        if isinstance(op, Reset):
            return self.measure(g, op.qubit, None)
        if isinstance(op, Break):
            g.flow = np.full(g.size, _CONTINUE if op.cont else _BREAK, dtype=np.int8)
            return g
        if isinstance(op, IfElse):
            yes, no = self.split(g, op.condition.evaluate(g.bits) != 0)
            return self.concat(
                [self.block(op.true_body, yes, values), self.block(op.false_body, no, values)]
            )
        if isinstance(op, Switch):
            return self.switch(op, g, values)
        if isinstance(op, ForLoop):
            active: _Group | None = g
            done: list[_Group | None] = []
            for v in op.values:
                if active is None:
                    break
                inner = dict(values) if op.parameter is None else {**values, op.parameter: v}
                active, exited = self.iteration(op.body, active, inner)
                done.append(exited)
            return self.concat([active, *done])
        if isinstance(op, WhileLoop):
            active = g
            done = []
            for _ in range(MAX_LOOP_ITERATIONS):
                run, stop = self.split(active, op.condition.evaluate(active.bits) != 0)
                done.append(stop)
                if run is None:
                    return self.concat(done)
                active, exited = self.iteration(op.body, run, values)
                done.append(exited)
                if active is None:
                    return self.concat(done)
            raise ValueError(
                f"while_loop did not end after {MAX_LOOP_ITERATIONS} iterations "
                "(its condition stays true)"
            )
        raise TypeError(f"unknown program op {op!r}")  # pragma: no cover - Program is closed

    def iteration(
        self, body: Sequence[Op], g: _Group, values: Mapping[Parameter, ParameterValue]
    ) -> tuple[_Group | None, _Group | None]:
        """One pass of a loop body: ``(branches that go on, branches that broke out)``."""
        out = self.block(body, g, values)
        if out is None:
            return None, None
        going, exited = self.split(out, out.flow != _BREAK)
        for part in (going, exited):
            if part is not None:
                part.flow = np.zeros(part.size, dtype=np.int8)
        return going, exited

    def switch(
        self, op: Switch, g: _Group, values: Mapping[Parameter, ParameterValue]
    ) -> _Group | None:
        target = op.target.evaluate(g.bits)
        explicit = [v for vals, _ in op.cases if vals is not None for v in vals]
        case_of = np.full(g.size, -1)
        for j, (vals, _) in enumerate(op.cases):
            if vals is None:
                mask = ~np.isin(target, np.asarray(explicit, dtype=np.int64))
            else:
                mask = np.isin(target, np.asarray(vals, dtype=np.int64))
            case_of[(case_of < 0) & mask] = j
        parts: list[_Group | None] = []
        for j, (_, body) in enumerate(op.cases):
            if np.any(case_of == j):
                parts.append(self.block(body, self.take(g, np.flatnonzero(case_of == j)), values))
        if np.any(case_of < 0):
            parts.append(self.take(g, np.flatnonzero(case_of < 0)))
        return self.concat(parts)

    def measure(self, g: _Group, qubit: int, clbit: int | None) -> _Group:
        """Split every branch by its outcome on ``qubit`` (``clbit=None``: a reset)."""
        self.measured += 1
        p = np.clip(self.engine.probabilities(g.states, qubit), 0.0, None)
        p[p <= self.tolerance] = 0.0
        p = p / p.sum(axis=1, keepdims=True)
        keep = self.rng.multinomial(g.shots, p) if self.rng is not None else p > 0
        rows, outcomes = np.nonzero(keep)
        self.created += rows.size - g.size
        if self.max_branches is not None and self.created > self.max_branches:
            raise ValueError(
                f"the circuit branches into more than {self.max_branches} trajectories "
                "(max_branches, or MAX_TRAJECTORY_BYTES of states in memory); exact "
                "evaluation of its mid-circuit measurements is too costly"
            )
        prob = p[rows, outcomes]
        out = self.take(g, rows) if rows.size != g.size else g
        if np.any(prob < 1.0 - self.tolerance):
            out.states = self.engine.project(out.states, qubit, outcomes)
        if clbit is not None:
            out.bits[:, clbit] = outcomes
        elif np.any(outcomes == 1):
            if np.any(outcomes > 1):  # pragma: no cover - programs are built from qubit circuits
                raise ValueError("reset is implemented for qubits only")
            out.states = self.engine.flip(out.states, qubit, outcomes == 1)
        if self.rng is not None:
            out.shots = keep[rows, outcomes].astype(np.int64)
        out.weights = out.weights * prob
        return out


def run_program(
    program: Program,
    engine: Engine,
    *,
    shots: int | None = None,
    seed: int | np.random.Generator | None = None,
    parameter_values: Mapping[Parameter, ParameterValue] | None = None,
    max_branches: int | None = None,
) -> Trajectories:
    """Run ``program`` as branching trajectories; see the module docstring.

    Args:
        program: from :func:`~qtwin.circuits.dynamic.circuit_to_program`.
        engine: :class:`StatevectorEngine` or :class:`MPSEngine`.
        shots: sampling mode with this many shots (outcomes drawn from ``seed``); ``None`` for
            exact mode (every outcome of nonzero probability, weighted).
        seed: int or ``numpy.random.Generator`` of the multinomial draws.
        parameter_values: ``{Parameter: value}`` for the circuit's parameters.
        max_branches: raise ``ValueError`` when more branches would be created; in exact mode
            also at most :data:`MAX_TRAJECTORY_BYTES` of dense states.

    Returns:
        :class:`Trajectories`; the deferred final measurements (``program.final``) are not
        sampled here (see :func:`sample_program`).
    """
    if shots is not None:
        shots = check_positive_int(shots, "shots")
    rng = as_generator(seed) if shots is not None else None
    values = dict(parameter_values or {})
    per_state = engine.state_bytes(program.num_qubits)
    if shots is None and per_state:
        budget = max(1, MAX_TRAJECTORY_BYTES // per_state)
        max_branches = budget if max_branches is None else min(max_branches, budget)
    runner = _Runner(program, engine, rng, engine.zero_probability, max_branches)
    ops = program.ops
    if ops and isinstance(ops[0], Gates):  # the unitary prefix builds the initial state
        states = engine.prepare(ops[0].circuit, values)
        ops = ops[1:]
    else:
        states = engine.prepare(QuantumCircuit(program.num_qubits), {})
    root = _Group(
        states,
        np.zeros((1, program.num_clbits), dtype=np.int8),
        np.array([shots or 0], dtype=np.int64),
        np.ones(1),
        np.zeros(1, dtype=np.int8),
    )
    g = runner.block(ops, root, values)
    assert g is not None  # branches never vanish: every shot (or unit of weight) goes on
    return Trajectories(g.states, g.bits, g.shots, g.weights, runner.created, runner.measured)


def sample_program(
    program: Program,
    engine: Engine,
    shots: int,
    *,
    seed: int | np.random.Generator | None = None,
    parameter_values: Mapping[Parameter, ParameterValue] | None = None,
) -> DynamicSamples:
    """Sample ``shots`` runs of ``program``: the classical bits of every shot.

    Trajectories are run in sampling mode (:func:`run_program`); each final branch then draws
    its deferred final measurements with its own shot count, and the shots are shuffled so
    that their order carries no branch structure. The same ``seed`` gives the same bits.
    Dense states are run in chunks of shots that keep the live states within
    :data:`MAX_TRAJECTORY_BYTES`.

    Returns:
        :class:`DynamicSamples` with ``bits`` of shape ``(shots, program.num_clbits)``.
    """
    shots = check_positive_int(shots, "shots")
    rng = as_generator(seed)
    per_state = engine.state_bytes(program.num_qubits)
    chunk = shots if not per_state else max(1, MAX_TRAJECTORY_BYTES // per_state)
    rows = []
    discarded = 0.0
    num_branches = 0
    for start in range(0, shots, chunk):
        traj = run_program(
            program,
            engine,
            shots=min(chunk, shots - start),
            seed=rng,
            parameter_values=parameter_values,
        )
        num_branches += traj.num_branches
        bits = np.repeat(traj.bits.astype(bool), traj.shots, axis=0)
        if program.final:
            samples = engine.sample(traj.states, traj.shots, rng)
            for c, q in program.final.items():
                bits[:, c] = samples[:, q] != 0
        rows.append(bits)
        discarded += float(traj.shots @ engine.discarded_weight(traj.states))
    bits = np.concatenate(rows, axis=0)[rng.permutation(shots)]
    return DynamicSamples(bits, num_branches, discarded / shots)


def expectation_program(
    program: Program,
    engine: Engine,
    observables: Sequence[SparsePauliOp],
    *,
    parameter_values: Mapping[Parameter, ParameterValue] | None = None,
    max_branches: int | None = 1024,
) -> tuple[list[float], Trajectories]:
    r"""Exact expectation values after ``program``: :math:`\sum_b w_b\langle\psi_b|O|\psi_b\rangle`.

    Mid-circuit measurements and resets act as channels on the mixed state (every outcome is
    followed with its probability); the deferred final measurements are ignored, as the
    estimator primitives ignore final measurements.

    Args:
        observables: ``SparsePauliOp``\ s on all the program's qubits.
        max_branches: ``ValueError`` when more branches would be needed (``None``: no limit).

    Returns:
        ``(values, trajectories)``, one value per observable.
    """
    traj = run_program(
        program, engine, parameter_values=parameter_values, max_branches=max_branches
    )
    values = [float(traj.weights @ engine.expectation(traj.states, op)) for op in observables]
    return values, traj
