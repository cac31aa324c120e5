"""The dynamic-circuit program (qtwin.circuits.dynamic) and its trajectory driver
(qtwin.tensornet.dynamic): conversion, classical expressions, loops, branching, exact mode."""

from __future__ import annotations

import numpy as np
import pytest
from qiskit import ClassicalRegister, QuantumCircuit, QuantumRegister
from qiskit.circuit import Instruction
from qiskit.circuit.classical import expr, types
from qiskit.quantum_info import DensityMatrix, SparsePauliOp

from qtwin.circuits.dynamic import (
    Gates,
    IfElse,
    Measure,
    circuit_to_program,
    is_dynamic,
)
from qtwin.tensornet.dynamic import (
    MPSEngine,
    StatevectorEngine,
    expectation_program,
    run_program,
    sample_program,
)

ENGINES = {"statevector": StatevectorEngine(), "mps": MPSEngine()}


def exact(qc: QuantumCircuit, labels: list[str], engine: str = "statevector") -> list[float]:
    ops = [SparsePauliOp(label) for label in labels]
    return expectation_program(circuit_to_program(qc), ENGINES[engine], ops)[0]


# ---------------------------------------------------------------------- conversion
def test_final_measurements_are_deferred_and_gates_merged() -> None:
    qc = QuantumCircuit(3, 3)
    qc.h(0)
    qc.measure(0, 0)  # nothing touches qubit 0 or clbit 0 later: final
    qc.cx(1, 2)
    qc.measure(1, 1)  # read by the if_test: mid-circuit
    with qc.if_test((qc.clbits[1], 1)):
        qc.x(2)
    qc.measure(2, 2)
    program = circuit_to_program(qc)
    assert [type(op) for op in program.ops] == [Gates, Measure, IfElse]
    assert dict(program.ops[0].circuit.count_ops()) == {"h": 1, "cx": 1}
    assert program.final == {0: 0, 2: 2}
    assert not program.is_static


def test_is_dynamic() -> None:
    qc = QuantumCircuit(2, 2)
    qc.h(0)
    qc.barrier()
    qc.measure([0, 1], [0, 1])
    assert not is_dynamic(qc)
    assert circuit_to_program(qc).is_static
    mid = qc.copy()
    mid.x(0)
    assert is_dynamic(mid)
    init = QuantumCircuit(1)
    init.initialize([0, 1], 0)  # a reset inside its definition
    assert is_dynamic(init)


def test_initialize_and_box_are_inlined() -> None:
    qc = QuantumCircuit(2, 2)
    qc.initialize([0, 1], 0)
    with qc.box():
        qc.cx(0, 1)
    qc.measure([0, 1], [0, 1])
    out = sample_program(circuit_to_program(qc), ENGINES["statevector"], 20, seed=0)
    assert out.bits.all() and out.num_branches == 1


@pytest.mark.parametrize(
    "bad",
    ["opaque", "store"],
)
def test_unsupported_instructions_are_named(bad: str) -> None:
    qc = QuantumCircuit(1, 1)
    if bad == "opaque":
        qc.append(Instruction("opaque", 1, 0, []), [0])
        match = "'opaque'"
    else:
        flag = qc.add_var("flag", expr.lift(False))
        qc.store(flag, expr.lift(True))
        match = "store"
    with pytest.raises(ValueError, match=match):
        circuit_to_program(qc)
    with pytest.raises(TypeError, match="QuantumCircuit"):
        circuit_to_program("not a circuit")  # type: ignore[arg-type]


# ---------------------------------------------------------------------- classical values
def test_classical_expressions_on_registers() -> None:
    """Prepare a known register value, then test expr conditions against Python's answer."""
    a = ClassicalRegister(3, "a")
    flags = ClassicalRegister(8, "f")
    qc = QuantumCircuit(QuantumRegister(3), a, flags)
    qc.x([0, 2])  # a = 0b101 = 5
    qc.measure(range(3), a)
    conditions = [
        expr.equal(a, 5),
        expr.not_equal(a, 5),
        expr.less(a, 6),
        expr.greater_equal(a, 6),
        expr.equal(expr.bit_and(a, 4), 4),
        expr.equal(expr.bit_not(a), 2),  # ~5 over 3 bits
        expr.logic_and(a[0], expr.logic_not(a[1])),
        expr.cast(expr.bit_xor(a, 5), types.Bool()),
    ]
    expected = [True, False, True, False, True, True, True, False]
    bits = np.zeros((1, qc.num_clbits), dtype=np.int8)
    bits[0, :3] = [1, 0, 1]
    for cond, value in zip(conditions, expected, strict=True):
        op = circuit_to_program(_with_if(qc, cond)).ops[-1]
        assert isinstance(op, IfElse)
        assert bool(op.condition.evaluate(bits)[0]) == value, str(cond)


def _with_if(qc: QuantumCircuit, cond: expr.Expr) -> QuantumCircuit:
    out = qc.copy()
    with out.if_test(cond):
        out.x(1)
    return out


# ---------------------------------------------------------------------- driver
@pytest.mark.parametrize("engine", list(ENGINES))
def test_only_final_measurements_cost_one_branch(engine: str) -> None:
    qc = QuantumCircuit(3, 3)
    qc.h(0)
    qc.cx(0, 1)
    qc.cx(1, 2)
    qc.measure(range(3), range(3))
    out = sample_program(circuit_to_program(qc), ENGINES[engine], 200, seed=1)
    traj = run_program(circuit_to_program(qc), ENGINES[engine], shots=200, seed=1)
    assert out.num_branches == traj.num_branches == 1 and traj.num_measurements == 0
    assert set(map(tuple, out.bits.astype(int))) == {(0, 0, 0), (1, 1, 1)}


@pytest.mark.parametrize("engine", list(ENGINES))
def test_for_loop_with_break(engine: str) -> None:
    """Up to 5 tries of a fair coin, breaking at the first 1; qubit 1 flips every try.
    P(odd number of tries) = 1/2 + 1/8 + 1/16, so <Z_1> = 1 - 2 * 11/16."""
    qc = QuantumCircuit(2, 1)
    with qc.for_loop(range(5)):
        qc.reset(0)
        qc.h(0)
        qc.x(1)
        qc.measure(0, 0)
        with qc.if_test((qc.clbits[0], 1)):
            qc.break_loop()
    np.testing.assert_allclose(exact(qc, ["ZI"], engine), [1 - 2 * 11 / 16], atol=1e-12)


@pytest.mark.parametrize("engine", list(ENGINES))
def test_for_loop_with_continue_and_loop_parameter(engine: str) -> None:
    """Four tries of ry(t); a 1 skips the flip of qubit 1: <Z_1> = cos(t)^4. The loop
    parameter drives qubit 2 (rz(i) on |+>: phases add up to 0+1+2+3)."""
    t = 0.9
    qc = QuantumCircuit(3, 1)
    qc.h(2)
    with qc.for_loop(range(4)) as i:
        qc.rz(i, 2)
        qc.reset(0)
        qc.ry(t, 0)
        qc.measure(0, 0)
        with qc.if_test((qc.clbits[0], 1)):
            qc.continue_loop()
        qc.x(1)
    evs = exact(qc, ["IZI", "XII"], engine)
    np.testing.assert_allclose(evs, [np.cos(t) ** 4, np.cos(6.0)], atol=1e-12)


@pytest.mark.parametrize("engine", list(ENGINES))
def test_exact_mode_weights_and_reset_channel(engine: str) -> None:
    qc = QuantumCircuit(3)
    qc.h(0)
    qc.cx(0, 1)
    qc.ry(0.4, 2)
    qc.cx(1, 2)
    qc.reset(1)
    qc.cx(2, 1)
    labels = ["IZZ", "ZIZ", "XXI", "IIZ", "ZZZ"]
    traj = run_program(circuit_to_program(qc), ENGINES[engine])
    assert traj.weights.sum() == pytest.approx(1.0, abs=1e-12)
    rho = DensityMatrix(qc)
    expected = [rho.expectation_value(SparsePauliOp(s)).real for s in labels]
    np.testing.assert_allclose(exact(qc, labels, engine), expected, atol=1e-12)


def test_max_branches_is_enforced() -> None:
    qc = QuantumCircuit(6, 6)
    qc.h(range(6))
    for q in range(6):
        qc.measure(q, q)
        qc.x(q)
    program = circuit_to_program(qc)
    with pytest.raises(ValueError, match="more than 16 trajectories"):
        expectation_program(
            program, ENGINES["statevector"], [SparsePauliOp("Z" * 6)], max_branches=16
        )


def test_sampling_mode_branches_only_on_outcomes_that_occur() -> None:
    """ry(0.02) on 5 qubits, measured mid-circuit: with 50 shots most outcomes never occur."""
    qc = QuantumCircuit(5, 5)
    qc.ry(0.02, range(5))
    qc.measure(range(5), range(5))
    qc.x(range(5))
    out = sample_program(circuit_to_program(qc), ENGINES["mps"], 50, seed=4)
    assert out.num_branches <= 3
    assert out.bits.shape == (50, 5)


def test_engines_agree_on_mid_circuit_statistics() -> None:
    qc = QuantumCircuit(2, 2)
    qc.ry(1.3, 0)
    qc.measure(0, 0)
    with qc.if_test((qc.clbits[0], 0)):
        qc.h(1)
    qc.measure(1, 1)
    program = circuit_to_program(qc)
    means = [sample_program(program, ENGINES[e], 20000, seed=7).bits.mean(axis=0) for e in ENGINES]
    p1 = np.sin(0.65) ** 2
    for m in means:
        np.testing.assert_allclose(m, [p1, (1 - p1) / 2], atol=0.015)


def test_dense_shots_run_in_chunks_within_the_memory_budget(monkeypatch) -> None:
    """A budget of 4 states of 3 qubits: 10 shots run as chunks of 4, 4 and 2."""
    from qtwin.tensornet import dynamic

    qc = QuantumCircuit(3, 2)
    qc.h(0)
    qc.measure(0, 0)
    qc.cx(0, 1)
    qc.measure(1, 1)
    monkeypatch.setattr(dynamic, "MAX_TRAJECTORY_BYTES", 4 * 8 * 16)
    out = sample_program(circuit_to_program(qc), ENGINES["statevector"], 10, seed=3)
    assert out.bits.shape == (10, 2)
    assert np.array_equal(out.bits[:, 0], out.bits[:, 1])
    assert 3 <= out.num_branches <= 6  # one or two branches per chunk
    with pytest.raises(ValueError, match="more than 4 trajectories"):
        qc6 = QuantumCircuit(3, 3)
        qc6.h(range(3))
        for q in range(3):
            qc6.measure(q, q)
            qc6.x(q)
        expectation_program(circuit_to_program(qc6), ENGINES["statevector"], [SparsePauliOp("ZZZ")])


@pytest.mark.parametrize("engine", list(ENGINES))
def test_a_branch_whose_shots_all_agree_is_still_projected(engine: str) -> None:
    """With one shot the multinomial never splits, yet the outcome must collapse the state:
    the copy of qubit 0 made after its measurement always agrees with it."""
    qc = QuantumCircuit(2, 2)
    qc.ry(1.4, 0)
    qc.measure(0, 0)
    qc.cx(0, 1)
    qc.measure(1, 1)
    program = circuit_to_program(qc)
    rows = [sample_program(program, ENGINES[engine], 1, seed=s).bits[0] for s in range(40)]
    assert all(row[0] == row[1] for row in rows)
    assert {int(row[0]) for row in rows} == {0, 1}
