r"""Dynamic circuits by branching trajectories that share their deterministic prefix.

A :class:`~qtwin.circuits.dynamic.Program` (from
:func:`~qtwin.circuits.dynamic.circuit_to_program`) runs on either engine,
:class:`~qtwin.tensornet.Statevector` or :class:`~qtwin.tensornet.MPS`, as a list of
*branches* ``(state, classical bits, shots, weight)``. It starts as one branch holding all the
shots. Runs of gates are applied in one call per branch (so the engine fuses and schedules
them). At a measurement of qubit :math:`q` in a branch of :math:`s` shots, the outcome
probabilities :math:`p(k) = \lVert \Pi_k^{(q)}\psi \rVert^2` give a multinomial draw
:math:`(s_0, s_1) \sim \mathrm{Mult}(s; p(0), p(1))`, and every outcome that occurred continues
as its own branch with :math:`s_k` shots, the state projected,
:math:`\psi \leftarrow \Pi_k^{(q)}\psi / \sqrt{p(k)}`, and the outcome written to its clbit.
Shots that agree on every mid-circuit outcome therefore share one simulation: a circuit with
only final measurements costs one, a measurement with a certain outcome costs no new branch.
A reset is a measurement whose outcome is not recorded, followed by :math:`X` when it was 1.
Control flow partitions the branches by the value of its condition. At the end each branch
samples its deferred final measurements with its own shot count (``engine.sample``).

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
from typing import Any, Protocol

import numpy as np
import torch
from qiskit.circuit import Parameter, QuantumCircuit

from qtwin._validation import as_generator, check_positive_int
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

__all__ = [
    "Engine",
    "StatevectorEngine",
    "MPSEngine",
    "Branch",
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

MAX_TRAJECTORY_BYTES = 2**31
"""Memory budget of the states alive at once, for engines of known state size (dense).

:func:`sample_program` runs the shots in chunks of at most ``MAX_TRAJECTORY_BYTES //
state_bytes`` (a chunk of ``s`` shots has at most ``s`` branches); exact mode refuses to
branch beyond it."""

_X = np.array([[0, 1], [1, 0]], dtype=complex)


# ---------------------------------------------------------------------- engines
class Engine(Protocol):
    """What the driver needs from a simulator; states are opaque to it.

    ``apply``, ``project`` and ``flip`` may update ``state`` in place and return it, but must
    never change a state obtained from it by ``copy``.
    """

    name: str

    def prepare(self, circuit: QuantumCircuit, values: Mapping[Parameter, Any]) -> Any:
        """The state ``circuit`` prepares from :math:`|0\\dots0\\rangle`."""
        ...

    def apply(self, state: Any, circuit: QuantumCircuit, values: Mapping[Parameter, Any]) -> Any:
        """``state`` after the gates of ``circuit``."""
        ...

    def probabilities(self, state: Any, qubit: int) -> np.ndarray:
        """Outcome probabilities of measuring ``qubit``, shape ``(d,)``, float64."""
        ...

    def project(self, state: Any, qubit: int, outcome: int) -> Any:
        """``state`` projected on ``outcome`` of ``qubit`` and renormalized."""
        ...

    def copy(self, state: Any) -> Any:
        """An independent copy (may share immutable data)."""
        ...

    def flip(self, state: Any, qubit: int) -> Any:
        """``state`` after an X gate on ``qubit``."""
        ...

    def sample(self, state: Any, shots: int, rng: np.random.Generator) -> np.ndarray:
        """``shots`` computational-basis outcomes, shape ``(shots, num_qubits)``, qubit 0 first."""
        ...

    def expectation(self, state: Any, observable: Any) -> float:
        """Real part of :math:`\\langle\\psi|O|\\psi\\rangle` of a ``SparsePauliOp``."""
        ...

    def discarded_weight(self, state: Any) -> float:
        """Weight truncated while preparing ``state`` (0 for an exact engine)."""
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
    """The dense :class:`~qtwin.tensornet.Statevector` (batch 1) as an :class:`Engine`."""

    dtype: torch.dtype = torch.complex128
    device: torch.device | str | None = None
    name: str = "qtwin.tensornet.Statevector"

    def prepare(self, circuit: QuantumCircuit, values: Mapping[Parameter, Any]) -> Any:
        from qtwin.tensornet.statevector import Statevector

        return Statevector.from_circuit(circuit, values, dtype=self.dtype, device=self.device)

    def apply(self, state: Any, circuit: QuantumCircuit, values: Mapping[Parameter, Any]) -> Any:
        from qtwin.tensornet.statevector import Statevector

        return Statevector.from_circuit(
            circuit, values, initial=state, dtype=self.dtype, device=self.device
        )

    def probabilities(self, state: Any, qubit: int) -> np.ndarray:
        p = state.qubit_probabilities(qubit)[0]
        return p.detach().to(torch.float64).cpu().numpy()

    def project(self, state: Any, qubit: int, outcome: int) -> Any:
        return state.project(qubit, int(outcome))

    def copy(self, state: Any) -> Any:
        from qtwin.tensornet.statevector import Statevector

        return Statevector(state.data.clone(), state.dims)

    @property
    def zero_probability(self) -> float:
        return _zero_probability(self.dtype)

    def state_bytes(self, num_qubits: int) -> int | None:
        return 2**num_qubits * torch.empty((), dtype=self.dtype).element_size()

    def flip(self, state: Any, qubit: int) -> Any:
        return state.apply_gate(_X, [qubit])

    def sample(self, state: Any, shots: int, rng: np.random.Generator) -> np.ndarray:
        index = np.asarray(state.sample(shots, seed=rng))[0].astype(np.int64)
        return (index[:, None] >> np.arange(state.num_sites, dtype=np.int64)) & 1

    def expectation(self, state: Any, observable: Any) -> float:
        return float(complex(state.expectation(observable)[0]).real)

    def discarded_weight(self, state: Any) -> float:
        return 0.0


@dataclass(frozen=True)
class MPSEngine:
    """The :class:`~qtwin.tensornet.MPS` as an :class:`Engine`.

    ``options`` are keyword arguments of :meth:`MPS.from_circuit` (``max_bond``, ``cutoff``,
    ``dtype``, ``device``).
    """

    options: Mapping[str, Any] = field(default_factory=dict)
    name: str = "qtwin.tensornet.MPS"

    def prepare(self, circuit: QuantumCircuit, values: Mapping[Parameter, Any]) -> Any:
        from qtwin.tensornet.mps import MPS

        return MPS.from_circuit(circuit, parameter_values=values, **self.options)

    def apply(self, state: Any, circuit: QuantumCircuit, values: Mapping[Parameter, Any]) -> Any:
        return state.apply_circuit(circuit, values)

    def probabilities(self, state: Any, qubit: int) -> np.ndarray:
        p = state.qubit_probabilities(qubit).detach().to(torch.float64).cpu().numpy()
        return p.reshape(-1) / p.sum()

    def project(self, state: Any, qubit: int, outcome: int) -> Any:
        return state.project(qubit, int(outcome))

    def copy(self, state: Any) -> Any:
        return state.copy()

    @property
    def zero_probability(self) -> float:
        return _zero_probability(self.options.get("dtype"))

    def state_bytes(self, num_qubits: int) -> int | None:
        return None  # bond dimensions decide; copies share their tensors

    def flip(self, state: Any, qubit: int) -> Any:
        return state.apply_gate(_X, [qubit])

    def sample(self, state: Any, shots: int, rng: np.random.Generator) -> np.ndarray:
        return np.asarray(state.sample(shots, seed=rng), dtype=np.int64)

    def expectation(self, state: Any, observable: Any) -> float:
        return float(complex(state.expectation(observable)).real)

    def discarded_weight(self, state: Any) -> float:
        return float(state.discarded_weight)


# ---------------------------------------------------------------------- branches
@dataclass
class Branch:
    """One trajectory: a state, its classical bits and its share of the shots (or weight).

    Attributes:
        state: the engine's state.
        bits: ``(num_clbits,)`` int8 array of the classical bits written so far.
        shots: shots that follow this branch (sampling mode; 0 in exact mode).
        weight: probability of this branch (exact mode; 1 in sampling mode's root).
        flow: ``"break"``/``"continue"`` while the branch leaves the current loop body.
    """

    state: Any
    bits: np.ndarray
    shots: int = 0
    weight: float = 1.0
    flow: str | None = None


@dataclass
class Trajectories:
    """The branches at the end of a program and how many were ever created.

    Attributes:
        branches: the final branches.
        num_branches: branches created in all (1 for a program without a random outcome).
        num_measurements: outcome distributions computed (measurements and resets run).
    """

    branches: list[Branch]
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
    """Runs the ops of a program on a list of branches (sampling mode when ``rng`` is set)."""

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

    def block(
        self, ops: Sequence[Op], branches: list[Branch], values: Mapping[Parameter, Any]
    ) -> list[Branch]:
        for op in ops:
            live = [b for b in branches if b.flow is None]
            if not live:
                break
            parked = [b for b in branches if b.flow is not None]
            branches = self.op(op, live, values) + parked
        return branches

    def op(self, op: Op, live: list[Branch], values: Mapping[Parameter, Any]) -> list[Branch]:
        if isinstance(op, Gates):
            for b in live:
                b.state = self.engine.apply(b.state, op.circuit, values)
            return live
        if isinstance(op, Measure):
            return [nb for b in live for nb in self.measure(b, op.qubit, op.clbit)]
        if isinstance(op, Reset):
            return [nb for b in live for nb in self.measure(b, op.qubit, None)]
        if isinstance(op, Break):
            for b in live:
                b.flow = "continue" if op.cont else "break"
            return live
        if isinstance(op, IfElse):
            mask = op.condition.evaluate(self.bits(live)) != 0
            yes = [b for b, m in zip(live, mask, strict=True) if m]
            no = [b for b, m in zip(live, mask, strict=True) if not m]
            return self.block(op.true_body, yes, values) + self.block(op.false_body, no, values)
        if isinstance(op, Switch):
            return self.switch(op, live, values)
        if isinstance(op, ForLoop):
            active, done = live, []
            for v in op.values:
                if not active:
                    break
                inner = dict(values) if op.parameter is None else {**values, op.parameter: v}
                active, exited = self.iteration(op.body, active, inner)
                done += exited
            return active + done
        if isinstance(op, WhileLoop):
            active, done = live, []
            for _ in range(MAX_LOOP_ITERATIONS):
                mask = op.condition.evaluate(self.bits(active)) != 0
                done += [b for b, m in zip(active, mask, strict=True) if not m]
                active = [b for b, m in zip(active, mask, strict=True) if m]
                if not active:
                    return done
                active, exited = self.iteration(op.body, active, values)
                done += exited
            raise ValueError(
                f"while_loop did not end after {MAX_LOOP_ITERATIONS} iterations "
                "(its condition stays true)"
            )
        raise TypeError(f"unknown program op {op!r}")  # pragma: no cover - Program is closed

    def bits(self, branches: list[Branch]) -> np.ndarray:
        if not branches:
            return np.zeros((0, self.program.num_clbits), dtype=np.int8)
        return np.stack([b.bits for b in branches])

    def iteration(
        self, body: Sequence[Op], active: list[Branch], values: Mapping[Parameter, Any]
    ) -> tuple[list[Branch], list[Branch]]:
        """One pass of a loop body: ``(branches that go on, branches that broke out)``."""
        out = self.block(body, active, values)
        going = [b for b in out if b.flow != "break"]
        exited = [b for b in out if b.flow == "break"]
        for b in out:
            b.flow = None
        return going, exited

    def switch(
        self, op: Switch, live: list[Branch], values: Mapping[Parameter, Any]
    ) -> list[Branch]:
        target = op.target.evaluate(self.bits(live))
        taken = np.zeros(len(live), dtype=bool)
        explicit = [set(vals) for vals, _ in op.cases if vals is not None]
        matched_any = np.array([any(int(t) in s for s in explicit) for t in target], dtype=bool)
        out: list[Branch] = []
        for vals, body in op.cases:
            if vals is None:
                mask = ~matched_any & ~taken
            else:
                mask = np.isin(target, np.asarray(vals, dtype=np.int64)) & ~taken
            taken |= mask
            out += self.block(body, [b for b, m in zip(live, mask, strict=True) if m], values)
        return out + [b for b, t in zip(live, taken, strict=True) if not t]

    def measure(self, branch: Branch, qubit: int, clbit: int | None) -> list[Branch]:
        """Split ``branch`` by the outcome on ``qubit`` (``clbit=None``: a reset)."""
        self.measured += 1
        p = np.clip(self.engine.probabilities(branch.state, qubit), 0.0, None)
        p[p <= self.tolerance] = 0.0
        p = p / p.sum()
        if self.rng is not None:
            counts = self.rng.multinomial(branch.shots, p)
            outcomes = np.flatnonzero(counts)
        else:
            counts = np.zeros(p.size, dtype=np.int64)
            outcomes = np.flatnonzero(p)
        self.created += len(outcomes) - 1
        if self.max_branches is not None and self.created > self.max_branches:
            raise ValueError(
                f"the circuit branches into more than {self.max_branches} trajectories "
                "(max_branches, or MAX_TRAJECTORY_BYTES of states in memory); exact "
                "evaluation of its mid-circuit measurements is too costly"
            )
        out = []
        for j, k in enumerate(outcomes):
            last = j == len(outcomes) - 1
            state = branch.state if last else self.engine.copy(branch.state)
            if len(outcomes) > 1:
                state = self.engine.project(state, qubit, int(k))
            bits = branch.bits if last else branch.bits.copy()
            if clbit is not None:
                bits[clbit] = k
            elif k:
                if k != 1:  # pragma: no cover - programs are built from qubit circuits
                    raise ValueError("reset is implemented for qubits only")
                state = self.engine.flip(state, qubit)
            out.append(
                Branch(state, bits, int(counts[k]), branch.weight * float(p[k]), branch.flow)
            )
        return out


def run_program(
    program: Program,
    engine: Engine,
    *,
    shots: int | None = None,
    seed: int | np.random.Generator | None = None,
    parameter_values: Mapping[Parameter, Any] | None = None,
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
        state = engine.prepare(ops[0].circuit, values)
        ops = ops[1:]
    else:
        state = engine.prepare(QuantumCircuit(program.num_qubits), {})
    root = Branch(state, np.zeros(program.num_clbits, dtype=np.int8), shots or 0, 1.0)
    branches = runner.block(ops, [root], values)
    for b in branches:
        b.flow = None  # a break outside any loop ends the program for that branch
    return Trajectories(branches, runner.created, runner.measured)


def sample_program(
    program: Program,
    engine: Engine,
    shots: int,
    *,
    seed: int | np.random.Generator | None = None,
    parameter_values: Mapping[Parameter, Any] | None = None,
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
        for b in traj.branches:
            bits = np.repeat(b.bits[None, :].astype(bool), b.shots, axis=0)
            if program.final:
                samples = engine.sample(b.state, b.shots, rng)
                for c, q in program.final.items():
                    bits[:, c] = samples[:, q] != 0
            rows.append(bits)
            discarded += b.shots * engine.discarded_weight(b.state)
    bits = np.concatenate(rows, axis=0)[rng.permutation(shots)]
    return DynamicSamples(bits, num_branches, discarded / shots)


def expectation_program(
    program: Program,
    engine: Engine,
    observables: Sequence[Any],
    *,
    parameter_values: Mapping[Parameter, Any] | None = None,
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
    values = [
        float(sum(b.weight * engine.expectation(b.state, op) for b in traj.branches))
        for op in observables
    ]
    return values, traj
