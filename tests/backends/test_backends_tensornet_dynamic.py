"""Dynamic circuits on the tensornet primitives, on both engines, against Aer and Qiskit.

Counts are compared with Aer's sampler by a chi-square test of homogeneity on the joint
outcome of all registers (fixed seeds, so the test is deterministic; p > 1e-3).
"""

from __future__ import annotations

import numpy as np
import pytest
import qiskit.qasm2
from qiskit import ClassicalRegister, QuantumCircuit, QuantumRegister
from qiskit.circuit.classical import expr
from qiskit.primitives import StatevectorEstimator, StatevectorSampler
from qiskit.quantum_info import DensityMatrix, SparsePauliOp
from qiskit_aer.primitives import SamplerV2 as AerSampler
from scipy.stats import chi2_contingency

from qtwin.backends import TensornetEstimator, TensornetSampler

METHODS = ["statevector", "mps"]
SHOTS = 2000


# ---------------------------------------------------------------------- circuits
def teleportation() -> QuantumCircuit:
    """Teleport ry(1.1)|0> from qubit 0 to qubit 2 with if_else corrections."""
    q = QuantumRegister(3, "q")
    m = ClassicalRegister(2, "m")
    out = ClassicalRegister(1, "out")
    qc = QuantumCircuit(q, m, out)
    qc.ry(1.1, 0)
    qc.h(1)
    qc.cx(1, 2)
    qc.cx(0, 1)
    qc.h(0)
    qc.measure(0, m[0])
    qc.measure(1, m[1])
    with qc.if_test((m[1], 1)):
        qc.x(2)
    with qc.if_test((m[0], 1)):
        qc.z(2)
    qc.measure(2, out[0])
    return qc


def reset_and_reuse() -> QuantumCircuit:
    """Measure a qubit entangled with another, reset it, reuse it."""
    qc = QuantumCircuit(2, 3)
    qc.ry(0.9, 0)
    qc.cx(0, 1)
    qc.measure(0, 0)
    qc.reset(0)
    qc.ry(2.0, 0)
    qc.cx(0, 1)
    qc.measure(0, 1)
    qc.measure(1, 2)
    return qc


def repetition_code() -> QuantumCircuit:
    """3-qubit bit-flip code, a partial bit flip, two syndrome rounds with ancilla reset,
    correction from the second round's syndrome (register and expr conditions)."""
    data = QuantumRegister(3, "d")
    anc = QuantumRegister(2, "a")
    s0 = ClassicalRegister(2, "s0")
    s1 = ClassicalRegister(2, "s1")
    out = ClassicalRegister(3, "out")
    qc = QuantumCircuit(data, anc, s0, s1, out)
    qc.ry(0.7, data[0])
    qc.cx(data[0], data[1])
    qc.cx(data[0], data[2])
    qc.rx(1.2, data[1])  # a bit flip on qubit 1 with probability sin^2(0.6)
    for reg in (s0, s1):
        qc.cx(data[0], anc[0])
        qc.cx(data[1], anc[0])
        qc.cx(data[1], anc[1])
        qc.cx(data[2], anc[1])
        qc.measure(anc, reg)
        qc.reset(anc)
    with qc.if_test((s1, 1)):
        qc.x(data[0])
    with qc.if_test(expr.equal(s1, 3)):
        qc.x(data[1])
    with qc.if_test(expr.logic_and(expr.logic_not(s1[0]), s1[1])):
        qc.x(data[2])
    qc.measure(data, out)
    return qc


def qasm2_if() -> QuantumCircuit:
    return qiskit.qasm2.loads(
        """OPENQASM 2.0;
        include "qelib1.inc";
        qreg q[2];
        creg c[1];
        creg d[2];
        ry(1.0) q[1];
        measure q[1] -> c[0];
        if(c==1) x q[0];
        h q[1];
        measure q[0] -> d[0];
        measure q[1] -> d[1];
        """
    )


def for_loop() -> QuantumCircuit:
    """A for_loop whose body measures and branches (if/else) on the outcome."""
    qc = QuantumCircuit(2, 2)
    with qc.for_loop(range(3)) as i:
        qc.rx(0.4 * i + 0.3, 0)
        qc.measure(0, 0)
        with qc.if_test((qc.clbits[0], 1)) as else_:
            qc.ry(0.5, 1)
        with else_:
            qc.rx(-0.9, 1)
    qc.measure(1, 1)
    return qc


def while_loop() -> QuantumCircuit:
    """Repeat until success: re-prepare qubit 0 until it reads 1, rotating qubit 1 each try."""
    qc = QuantumCircuit(2, 2)
    qc.ry(0.8, 0)
    qc.measure(0, 0)
    with qc.while_loop((qc.clbits[0], 0)):
        qc.reset(0)
        qc.ry(0.8, 0)
        qc.rx(0.35, 1)
        qc.measure(0, 0)
    qc.measure(1, 1)
    return qc


def switch() -> QuantumCircuit:
    qc = QuantumCircuit(3, 2)
    c = ClassicalRegister(2, "sel")
    qc.add_register(c)
    qc.h([0, 1])
    qc.measure([0, 1], c)
    with qc.switch(c) as case:
        with case(0):
            qc.x(2)
        with case(1, 2):
            qc.ry(1.0, 2)
        with case(case.DEFAULT):
            qc.h(2)
    qc.measure(2, 0)
    return qc


CIRCUITS = {
    "teleportation": teleportation,
    "reset_and_reuse": reset_and_reuse,
    "repetition_code": repetition_code,
    "qasm2_if": qasm2_if,
    "for_loop": for_loop,
    "while_loop": while_loop,
    "switch": switch,
}


# ---------------------------------------------------------------------- helpers
def joint_keys(data) -> np.ndarray:
    """One string per shot: the bitstrings of every register, joined in register order."""
    names = sorted(data.keys())
    cols = [np.asarray(getattr(data, n).get_bitstrings()) for n in names]
    return np.array([" ".join(parts) for parts in zip(*cols, strict=True)])


def chi2_pvalue(a: np.ndarray, b: np.ndarray) -> float:
    keys = sorted(set(a) | set(b))
    table = np.array([[np.sum(x == k) for k in keys] for x in (a, b)])
    if table.shape[1] == 1:
        return 1.0
    return float(chi2_contingency(table)[1])


def aer_data(qc: QuantumCircuit, shots: int = SHOTS, seed: int = 11):
    return AerSampler(seed=seed).run([qc], shots=shots).result()[0].data


# ---------------------------------------------------------------------- tests
@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize("name", list(CIRCUITS))
def test_counts_match_aer(name: str, method: str) -> None:
    qc = CIRCUITS[name]()
    result = TensornetSampler(seed=3, method=method).run([qc], shots=SHOTS).result()[0]
    reference = aer_data(qc)
    assert sorted(result.data.keys()) == sorted(reference.keys())
    for reg in qc.cregs:
        assert getattr(result.data, reg.name).num_bits == getattr(reference, reg.name).num_bits
    p = chi2_pvalue(joint_keys(result.data), joint_keys(reference))
    assert p > 1e-3, f"{name} on {method}: chi-square p = {p:.2e}"
    assert result.metadata["method"] == method
    assert result.metadata["num_branches"] >= 1


def test_teleportation_transfers_the_state() -> None:
    counts = TensornetSampler(seed=4).run([teleportation()], shots=4000).result()[0].data.out
    p1 = counts.get_counts().get("1", 0) / 4000
    assert abs(p1 - np.sin(0.55) ** 2) < 4 * np.sqrt(0.25 / 4000)


@pytest.mark.parametrize("method", METHODS)
def test_same_seed_same_counts(method: str) -> None:
    qc = repetition_code()
    runs = [
        TensornetSampler(seed=21, method=method).run([qc], shots=500).result()[0].data
        for _ in range(2)
    ]
    for reg in qc.cregs:
        np.testing.assert_array_equal(
            getattr(runs[0], reg.name).array, getattr(runs[1], reg.name).array
        )
    other = TensornetSampler(seed=22, method=method).run([qc], shots=500).result()[0].data
    assert not np.array_equal(runs[0].out.array, other.out.array)


@pytest.mark.parametrize("method", METHODS)
def test_registers_and_bit_order_match_statevector_sampler(method: str) -> None:
    """Qiskit's reference sampler runs circuits with resets (deterministic ones here)."""
    q = QuantumRegister(4, "q")
    alpha, beta = ClassicalRegister(3, "alpha"), ClassicalRegister(2, "beta")
    qc = QuantumCircuit(q, alpha, beta)
    qc.x([0, 1, 3])
    qc.reset(1)  # q = 1001 -> after cx(3, 2): 1101
    qc.cx(3, 2)
    qc.measure([0, 1], [alpha[2], alpha[0]])  # alpha[1] never measured: reads 0
    qc.measure([2, 3], [beta[0], beta[1]])
    ours = TensornetSampler(seed=1, method=method).run([qc], shots=20).result()[0]
    reference = StatevectorSampler(seed=1).run([qc], shots=20).result()[0].data
    assert list(ours.data.keys()) == list(reference.keys()) == ["alpha", "beta"]
    for reg in ("alpha", "beta"):
        ref = getattr(reference, reg)
        got = getattr(ours.data, reg)
        assert (got.num_bits, got.num_shots, got.shape) == (ref.num_bits, ref.num_shots, ref.shape)
        assert got.get_counts() == ref.get_counts()
    assert ours.data.alpha.get_counts() == {"100": 20}
    assert ours.metadata["num_branches"] == 1


@pytest.mark.parametrize("method", METHODS)
def test_deterministic_measurements_make_one_branch(method: str) -> None:
    qc = QuantumCircuit(3, 3)
    qc.x(0)
    qc.measure(0, 0)
    with qc.if_test((qc.clbits[0], 1)):
        qc.x(1)
    qc.measure(1, 1)
    qc.reset(1)
    qc.h(2)
    qc.cx(2, 1)
    qc.measure([1, 2], [1, 2])
    result = TensornetSampler(seed=2, method=method).run([qc], shots=300).result()[0]
    assert result.metadata["num_branches"] == 1
    assert set(result.data.c.get_counts()) == {"001", "111"}


def test_parameter_sets_and_shapes() -> None:
    from qiskit.circuit import Parameter

    theta = Parameter("t")
    qc = QuantumCircuit(2, 2)
    qc.ry(theta, 0)
    qc.measure(0, 0)
    with qc.if_test((qc.clbits[0], 1)):
        qc.x(1)
    qc.measure(1, 1)
    values = np.array([[0.0], [np.pi]])[:, None, :].repeat(3, axis=1)  # shape (2, 3, 1)
    result = TensornetSampler(seed=0).run([(qc, values, 50)]).result()[0]
    assert result.data.c.shape == (2, 3) and result.data.c.num_shots == 50
    assert result.metadata["discarded_weight"].shape == (2, 3)
    assert result.data.c[0, 0].get_counts() == {"00": 50}
    assert result.data.c[1, 2].get_counts() == {"11": 50}


@pytest.mark.parametrize("method", METHODS)
def test_estimator_with_reset_is_the_mixed_state_value(method: str) -> None:
    """Reset of half a Bell pair: Qiskit's StatevectorEstimator follows one random trajectory;
    ours is the exact value in the mixed state (DensityMatrix)."""
    qc = QuantumCircuit(3)
    qc.h(0)
    qc.cx(0, 1)
    qc.ry(0.7, 2)
    qc.cx(1, 2)
    qc.reset(0)
    qc.h(0)
    qc.cx(0, 2)
    observables = [SparsePauliOp(p) for p in ["ZZI", "IZZ", "XII", "ZIZ", "XXX"]]
    evs = TensornetEstimator(method=method).run([(qc, observables)]).result()[0].data.evs
    rho = DensityMatrix(qc)
    np.testing.assert_allclose(
        evs, [rho.expectation_value(o).real for o in observables], atol=1e-10
    )
    StatevectorEstimator().run([(qc, observables)]).result()  # Qiskit accepts it too


@pytest.mark.parametrize("method", METHODS)
def test_estimator_with_measurement_and_feedforward(method: str) -> None:
    """Measure qubit 0 of ry(t)|0>, flip qubit 1 on a 1: <Z1> = cos t, <X0> = 0."""
    qc = QuantumCircuit(2, 1)
    qc.ry(1.1, 0)
    qc.measure(0, 0)
    with qc.if_test((qc.clbits[0], 1)):
        qc.x(1)
    result = TensornetEstimator(method=method).run([(qc, ["ZI", "IX", "ZZ"])]).result()[0]
    np.testing.assert_allclose(result.data.evs, [np.cos(1.1), 0.0, 1.0], atol=1e-12)
    assert result.metadata["num_branches"] == 2


def test_auto_method_picks_and_reports_the_engine() -> None:
    small = QuantumCircuit(3, 1)
    small.h(0)
    small.measure(0, 0)
    small.reset(0)
    wide = QuantumCircuit(22, 1)
    wide.h(0)
    wide.measure(0, 0)
    wide.reset(0)
    sampler = TensornetSampler(seed=1)
    assert sampler.method == "auto"
    res = sampler.run([small, wide], shots=10).result()
    assert res[0].metadata["simulator"] == "qtwin.tensornet.Statevector"
    assert res[0].metadata["method"] == "statevector"
    assert res[1].metadata["simulator"] == "qtwin.tensornet.MPS"
    assert res[1].metadata["method"] == "mps"
    static = QuantumCircuit(2)
    static.measure_all()
    est = TensornetEstimator().run([(static.remove_final_measurements(inplace=False), "ZZ")])
    assert est.result()[0].metadata["method"] == "statevector"
    truncated = TensornetSampler(max_bond=4).run([static], shots=5).result()[0]
    assert truncated.metadata["method"] == "mps"  # only the MPS can truncate
    forced = TensornetSampler(method="mps").run([small], shots=5).result()[0]
    assert forced.metadata["simulator"] == "qtwin.tensornet.MPS"


def test_bad_method_and_unsupported_ops_are_refused() -> None:
    with pytest.raises(ValueError, match="method must be one of"):
        TensornetSampler(method="dense")
    qc = QuantumCircuit(1, 1)
    qc.measure(0, 0)
    flag = qc.add_var("flag", expr.lift(True))
    with qc.if_test(flag):
        qc.x(0)
    with pytest.raises(ValueError, match=r"TensornetSampler cannot run pubs\[0\]"):
        TensornetSampler().run([qc])


def test_while_loop_that_never_ends_is_refused() -> None:
    from qtwin.tensornet import dynamic

    qc = QuantumCircuit(1, 1)
    qc.x(0)
    qc.measure(0, 0)
    with qc.while_loop((qc.clbits[0], 1)):
        qc.measure(0, 0)
    old = dynamic.MAX_LOOP_ITERATIONS
    dynamic.MAX_LOOP_ITERATIONS = 50
    try:
        with pytest.raises(ValueError, match="while_loop did not end after 50"):
            TensornetSampler().run([qc], shots=4).result()
    finally:
        dynamic.MAX_LOOP_ITERATIONS = old


def test_wide_dynamic_circuit_runs_on_the_mps() -> None:
    """30-qubit GHZ, a mid-circuit measurement of the middle qubit, then feed-forward that
    disentangles: every shot reads all zeros or all ones, and the rest is |0...0>."""
    n = 30
    qc = QuantumCircuit(n, 1)
    qc.h(0)
    for i in range(n - 1):
        qc.cx(i, i + 1)
    qc.measure(n // 2, 0)
    with qc.if_test((qc.clbits[0], 1)):
        qc.x(range(n))
    qc.measure_all()
    result = TensornetSampler(seed=6).run([qc], shots=200).result()[0]
    assert result.metadata["method"] == "mps" and result.metadata["num_branches"] == 2
    assert set(result.data.meas.get_counts()) == {"0" * n}
    assert set(result.data.c.get_counts()) == {"0", "1"}


def test_complex64_dynamic_run() -> None:
    qc = reset_and_reuse()
    for method in METHODS:
        result = (
            TensornetSampler(seed=3, method=method, dtype="complex64")
            .run([qc], shots=SHOTS)
            .result()[0]
        )
        p = chi2_pvalue(joint_keys(result.data), joint_keys(aer_data(qc)))
        assert p > 1e-3, f"complex64 on {method}: p = {p:.2e}"
