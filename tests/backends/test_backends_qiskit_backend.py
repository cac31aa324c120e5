"""TensornetBackend (a Qiskit BackendV2): results like Aer's, transpile, primitives, RB."""

from __future__ import annotations

import numpy as np
import pytest
from qiskit import ClassicalRegister, QuantumCircuit, QuantumRegister, transpile
from qiskit.circuit import Parameter
from qiskit.circuit.library import MCXGate, QFTGate, UnitaryGate
from qiskit.primitives import BackendEstimatorV2, BackendSamplerV2
from qiskit.providers import BackendV2, JobStatus, JobV1
from qiskit.quantum_info import SparsePauliOp, Statevector, random_unitary
from qiskit_aer import AerSimulator

from qtwin.backends import TensornetBackend, get_backend


@pytest.fixture(scope="module")
def backend() -> TensornetBackend:
    return TensornetBackend()


def _within_shot_noise(counts: dict[str, int], probs: dict[str, float], shots: int) -> None:
    """Every outcome's frequency within 5 standard deviations (+1 count) of its probability."""
    for key in set(counts) | set(probs):
        p = probs.get(key, 0.0)
        sigma = np.sqrt(max(p * (1 - p), 1e-12) * shots)
        assert abs(counts.get(key, 0) - p * shots) <= 5 * sigma + 1, (key, counts, probs)


def _wide_circuit(n: int = 40) -> QuantumCircuit:
    """Few outcomes, long-range two- and three-qubit gates, low entanglement."""
    qc = QuantumCircuit(n)
    qc.ry(1.1, 0)
    qc.ry(0.7, 13)
    qc.h(27)
    qc.cx(0, n - 1)
    qc.cx(13, 20)
    qc.cx(27, 5)
    qc.ccx(0, 13, 30)
    qc.cswap(27, 1, 38)
    qc.x(1)
    qc.rzz(0.4, 5, 33)
    qc.cry(0.9, n - 1, 2)
    qc.measure_all()
    return qc


def test_is_backend_v2_with_target(backend: TensornetBackend) -> None:
    assert isinstance(backend, BackendV2)
    assert backend.num_qubits == 1000
    assert backend.max_circuits is None
    for name in ["cx", "ccx", "cswap", "unitary", "measure", "reset", "delay", "barrier"]:
        assert name in backend.target
    for name in ["if_else", "for_loop", "while_loop", "switch_case", "break_loop"]:
        assert name in backend.target.operation_names
    assert backend.target.build_coupling_map() is None
    assert TensornetBackend(num_qubits=7).num_qubits == 7
    with pytest.raises(ValueError, match="num_qubits"):
        TensornetBackend(num_qubits=0)


def test_get_backend_target_backend() -> None:
    tb = get_backend("tensornet", seed=5, max_bond=16, default_shots=300).target_backend
    assert isinstance(tb, TensornetBackend)
    assert (tb.options.shots, tb.options.seed_simulator, tb.options.max_bond) == (300, 5, 16)


def test_result_format_matches_aer(backend: TensornetBackend) -> None:
    qr = QuantumRegister(3)
    a, b = ClassicalRegister(2, "a"), ClassicalRegister(1, "b")
    qc = QuantumCircuit(qr, a, b, name="regs")
    qc.x(0)
    qc.x(2)
    qc.measure(0, b[0])
    qc.measure(2, a[1])
    qc.measure(1, a[0])
    empty = QuantumCircuit(2, name="nothing")
    job = backend.run([qc, empty], shots=50, memory=True, seed_simulator=1)
    assert isinstance(job, JobV1) and job.status() is JobStatus.DONE
    ours = job.result()
    aer = AerSimulator().run([qc, empty], shots=50, memory=True, seed_simulator=1).result()
    assert ours.get_counts(0) == aer.get_counts(0) == {"1 10": 50}
    assert ours.get_memory(0) == aer.get_memory(0)
    ours_raw, aer_raw = ours.to_dict()["results"], aer.to_dict()["results"]
    assert ours_raw[0]["data"] == aer_raw[0]["data"]
    assert ours_raw[1]["data"] == aer_raw[1]["data"] == {}
    for key in ["name", "memory_slots", "creg_sizes", "n_qubits", "qreg_sizes"]:
        assert ours_raw[0]["header"][key] == aer_raw[0]["header"][key]
    assert ours.get_counts("regs") == {"1 10": 50}
    no_memory = backend.run(qc, shots=5).result()
    assert "memory" not in no_memory.to_dict()["results"][0]["data"]


def test_wide_counts_vs_aer_within_shot_noise(backend: TensornetBackend) -> None:
    qc = _wide_circuit(40)
    shots = 4000
    ours = backend.run(transpile(qc, backend), shots=shots, seed_simulator=11).result()
    aer = AerSimulator(method="matrix_product_state")
    ref = aer.run(transpile(qc, aer), shots=shots, seed_simulator=11).result().get_counts()
    counts = ours.get_counts()
    assert len(next(iter(counts))) == 40
    assert set(counts) == set(ref)
    probs = {k: v / shots for k, v in ref.items()}
    _within_shot_noise(counts, probs, shots)  # Aer's frequencies as the reference ...
    total_variation = 0.5 * sum(abs(counts.get(k, 0) - ref.get(k, 0)) for k in ref) / shots
    assert total_variation < 0.05  # ... and as a whole


def test_counts_match_exact_probabilities_with_truncation_options(backend) -> None:
    qc = QuantumCircuit(6)
    qc.append(QFTGate(4), [0, 2, 4, 5])
    qc.append(UnitaryGate(random_unitary(4, seed=3)), [1, 3])
    qc.ry(0.3, 2)
    probs = Statevector(qc).probabilities_dict()
    qc.measure_all()
    shots = 3000
    counts = backend.run(transpile(qc, backend), shots=shots, seed_simulator=2, cutoff=1e-14)
    _within_shot_noise(counts.result().get_counts(), probs, shots)


def test_seed_reproducible_and_max_bond(backend: TensornetBackend) -> None:
    qc = QuantumCircuit(12)
    qc.h(range(0, 12, 3))
    for q in range(11):
        qc.cx(q, q + 1)
    qc.cx(0, 11)
    qc.measure_all()
    c1 = backend.run(qc, shots=200, seed_simulator=4).result().get_counts()
    c2 = backend.run(qc, shots=200, seed_simulator=4).result().get_counts()
    assert c1 == c2
    low = backend.run(qc, shots=200, seed_simulator=4, max_bond=1).result().get_counts()
    assert sum(low.values()) == 200


def test_transpile_round_trip(backend: TensornetBackend) -> None:
    qc = QuantumCircuit(5)
    qc.h(range(5))
    qc.append(MCXGate(4), range(5))
    qc.append(QFTGate(3), [4, 0, 2])
    qc.rxx(0.2, 1, 3)
    qc.delay(100, 0, unit="ns")
    qc.barrier()
    out = transpile(qc, backend, optimization_level=1, seed_transpiler=1)
    assert set(out.count_ops()) <= set(backend.target.operation_names)
    assert out.num_qubits == 5  # no coupling map: no ancillas added
    assert Statevector(out).equiv(Statevector(qc))
    theta = Parameter("t")
    pq = QuantumCircuit(1)
    pq.rx(theta, 0)
    assert transpile(pq, backend).parameters == {theta}


def test_refusals(backend: TensornetBackend) -> None:
    qc = QuantumCircuit(2)
    qc.measure_all()
    with pytest.raises(ValueError, match="noise_model.*AerSimulator"):
        backend.run(qc, noise_model=object())
    with pytest.raises(ValueError, match="noise_model"):
        TensornetBackend(noise_model=object())
    pq = QuantumCircuit(1)
    pq.rx(Parameter("phi"), 0)
    with pytest.raises(ValueError, match=r"run_input\[0\].*unbound parameters \['phi'\]"):
        backend.run(pq)
    with pytest.raises(ValueError, match="more than the backend's 3"):
        TensornetBackend(num_qubits=3).run(QuantumCircuit(4))
    with pytest.raises(ValueError, match="method must be one of"):
        backend.run(qc, method="dense")
    with pytest.raises(ValueError, match="shots"):
        backend.run(qc, shots=0)
    with pytest.raises(ValueError, match="max_bond"):
        backend.run(qc, max_bond=0)
    with pytest.raises(TypeError, match="seed_simulator"):
        backend.run(qc, seed_simulator=1.5)
    with pytest.warns(UserWarning, match="'foo' is not used"):
        backend.run(qc, shots=3, foo=1)
    with pytest.raises(ValueError, match="meas_level must be 2"):
        backend.run(qc, meas_level=1)
    assert backend.run(qc, shots=3, meas_level=2, meas_return="avg").result().success


def test_method_statevector_agrees(backend: TensornetBackend) -> None:
    qc = QuantumCircuit(3)
    qc.h(0)
    qc.cx(0, 2)
    qc.measure_all()
    counts = backend.run(qc, shots=400, seed_simulator=3, method="statevector").result()
    _within_shot_noise(counts.get_counts(), {"000": 0.5, "101": 0.5}, 400)


def test_dynamic_circuit_vs_aer(backend: TensornetBackend) -> None:
    """Mid-circuit measurement, reset and if_else: the sampler's branching trajectories."""
    qr, c = QuantumRegister(3), ClassicalRegister(3, "c")
    qc = QuantumCircuit(qr, c)
    qc.h(0)
    qc.measure(0, 0)
    with qc.if_test((c[0], 1)):
        qc.x(1)
    qc.reset(0)
    qc.ry(0.8, 0)
    qc.cx(1, 2)
    qc.measure([0, 1, 2], [0, 1, 2])
    shots = 2000
    tqc = transpile(qc, backend)
    ours = backend.run(tqc, shots=shots, seed_simulator=5).result().get_counts()
    p1 = np.sin(0.4) ** 2  # qubit 0 after reset and ry(0.8)
    probs = {f"{m}{m}{b}": 0.5 * (p1 if b else 1 - p1) for m in (0, 1) for b in (0, 1)}
    _within_shot_noise(ours, probs, shots)
    aer = AerSimulator().run(qc, shots=shots, seed_simulator=5).result().get_counts()
    assert set(aer) == set(ours) == set(probs)


def test_loops_vs_aer(backend: TensornetBackend) -> None:
    """for_loop and a repeat-until-success while_loop, sampled with per-shot memory."""
    qr, c = QuantumRegister(2), ClassicalRegister(2, "c")
    qc = QuantumCircuit(qr, c)
    with qc.for_loop(range(3)):
        qc.rx(0.4, 1)
    qc.h(0)
    qc.measure(0, 0)
    with qc.while_loop((c[0], 1)):  # repeat until qubit 0 reads 0
        qc.reset(0)
        qc.h(0)
        qc.measure(0, 0)
    qc.measure(1, 1)
    shots = 1000
    result = backend.run(transpile(qc, backend), shots=shots, seed_simulator=9, memory=True)
    memory = result.result().get_memory()
    assert len(memory) == shots and {m[-1] for m in memory} == {"0"}
    p1 = np.sin(0.6) ** 2  # three rx(0.4) = rx(1.2) on qubit 1
    _within_shot_noise(result.result().get_counts(), {"00": 1 - p1, "10": p1}, shots)
    aer = AerSimulator().run(qc, shots=shots, seed_simulator=9).result().get_counts()
    assert set(aer) == set(result.result().get_counts())


def test_backend_sampler_and_estimator_v2(backend: TensornetBackend) -> None:
    qc = QuantumCircuit(3)
    qc.h(0)
    qc.cx(0, 1)
    qc.cx(0, 2)
    measured = qc.copy()
    measured.measure_all()
    sampler = BackendSamplerV2(backend=backend, options={"seed_simulator": 3})
    result = sampler.run([measured], shots=500).result()[0]
    counts = result.data.meas.get_counts()
    assert set(counts) == {"000", "111"} and sum(counts.values()) == 500
    estimator = BackendEstimatorV2(backend=backend, options={"seed_simulator": 3})
    ops = [SparsePauliOp("ZZI"), SparsePauliOp("XXX"), SparsePauliOp("IIZ")]
    evs = estimator.run([(qc, ops)], precision=0.01).result()[0].data.evs
    np.testing.assert_allclose(evs, [1.0, 1.0, 0.0], atol=0.05)


def test_qiskit_experiments_rb() -> None:
    pytest.importorskip("qiskit_experiments")
    from qiskit.circuit.library import SXGate
    from qiskit_experiments.library import InterleavedRB, StandardRB

    backend = TensornetBackend()
    exp = StandardRB([0], lengths=[1, 5, 15, 30], num_samples=3, seed=1)
    exp.set_run_options(shots=200, seed_simulator=5)
    data = exp.run(backend).block_for_results()
    epc = data.analysis_results("EPC", dataframe=True).value.iloc[0]
    assert abs(epc.nominal_value) < 1e-6

    irb = InterleavedRB(SXGate(), [0], lengths=[1, 5, 15], num_samples=3, seed=2)
    irb.set_run_options(shots=200, seed_simulator=6)
    data = irb.run(backend).block_for_results()
    table = data.analysis_results(dataframe=True)
    assert abs(table.set_index("name").loc["EPC", "value"].nominal_value) < 1e-6
