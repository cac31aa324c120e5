"""compile_mps and FidelityObjective: values vs Qiskit statevectors, gradients vs finite
differences, compilation checked on Aer, checkpoints, bad input."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from qiskit import QuantumCircuit
from qiskit.quantum_info import Statevector

from qtwin.aqc import (
    FidelityObjective,
    brickwork_ansatz,
    circuit_fidelity,
    compile_mps,
    target_from_circuit,
    tebd_target,
    zz_correlators,
)
from qtwin.aqc.execute import exact_zz
from qtwin.circuits import heisenberg_chain, trotter_circuit, xxz_chain
from qtwin.exceptions import CheckpointMismatchError
from qtwin.tensornet import MPS

from ._helpers import random_state as _random_state


def test_objective_value_matches_statevector():
    n = 5
    psi = _random_state(n, 3)
    ansatz, theta = brickwork_ansatz(n, 4, seed=4, scale=1.0)
    obj = FidelityObjective(psi, ansatz)
    ref = abs(np.vdot(psi, Statevector(ansatz.circuit(theta)).data)) ** 2
    assert abs(obj.fidelity(theta) - ref) < 1e-12
    # an MPS in single precision is converted, not contracted in mixed dtypes
    single = MPS.from_dense(psi, dtype=torch.complex64)
    assert abs(FidelityObjective(single, ansatz).fidelity(theta) - ref) < 1e-6


def test_gradient_matches_finite_differences():
    n = 5
    psi = _random_state(n, 5)
    ansatz, theta = brickwork_ansatz(n, 3, seed=6, scale=1.0)
    obj = FidelityObjective(psi, ansatz)
    f, g = obj.value_and_grad(theta)
    eps = 1e-6
    rng = np.random.default_rng(0)
    for k in rng.choice(theta.size, 12, replace=False):
        tp, tm = theta.copy(), theta.copy()
        tp[k] += eps
        tm[k] -= eps
        fd = (obj.fidelity(tp) - obj.fidelity(tm)) / (2 * eps)
        assert abs(fd - g[k]) < 1e-8
    # a random direction too
    d = rng.normal(size=theta.size)
    fd = (obj.fidelity(theta + eps * d) - obj.fidelity(theta - eps * d)) / (2 * eps)
    assert abs(fd - g @ d) < 1e-7


def test_gradient_of_parametrized_qiskit_circuit_matches_finite_differences():
    from qiskit.circuit import ParameterVector

    n = 4
    p = ParameterVector("p", 7)
    qc = QuantumCircuit(n)
    for q in range(n):
        qc.ry(p[q], q)
    qc.rxx(p[4], 0, 1)
    qc.rzz(p[5], 1, 2)
    qc.cx(2, 3)
    qc.ryy(p[6], 3, 0)  # long-range
    psi = _random_state(n, 7)
    res_obj = FidelityObjective(psi, __import__("qtwin").aqc.optimize._CircuitAnsatz(qc))
    theta = np.linspace(0.1, 1.3, 7)
    f, g = res_obj.value_and_grad(theta)
    ref = abs(np.vdot(psi, Statevector(qc.assign_parameters(theta)).data)) ** 2
    assert abs(f - ref) < 1e-12
    for k in range(7):
        tp, tm = theta.copy(), theta.copy()
        tp[k] += 1e-6
        tm[k] -= 1e-6
        assert abs((res_obj.fidelity(tp) - res_obj.fidelity(tm)) / 2e-6 - g[k]) < 1e-8


def test_exact_recovery_of_representable_target():
    n = 4
    ansatz, theta_true = brickwork_ansatz(n, 2, seed=11, scale=1.0)
    target = target_from_circuit(ansatz.circuit(theta_true))
    theta0 = theta_true + np.random.default_rng(12).normal(scale=0.02, size=theta_true.size)
    res = compile_mps(
        target, ansatz, theta0, maxiter=300, target_fidelity=1 - 1e-10, progress=False
    )
    assert res.fidelity >= 1 - 1e-8
    # independently: Aer statevector of the exported circuit
    assert circuit_fidelity(res.circuit, target, method="statevector") >= 1 - 1e-8


def test_aqc_beats_trotter_init_and_aer_reproduces_fidelity(tmp_path):
    n = 6
    H = xxz_chain(n)
    target = tebd_target(H, 0.4, dt=0.1)
    trotter = trotter_circuit(H, 0.4, 1, initial_state="neel")
    f_trotter = circuit_fidelity(trotter, target, method="statevector")
    res = compile_mps(target, trotter, maxiter=15, progress=False)
    assert abs(res.initial_fidelity - f_trotter) < 1e-10
    assert res.fidelity > f_trotter + 1e-3
    assert res.history[0] == pytest.approx(f_trotter, abs=1e-10)  # the Aer value
    assert np.all(np.diff(res.history) > -1e-12)  # L-BFGS iterates never get worse
    assert res.two_qubit_depth == 6
    assert abs(circuit_fidelity(res.circuit, target, method="mps") - res.fidelity) < 1e-9
    # exact ZZ correlators of the target vs the compiled circuit on Aer (via OpenQASM 3)
    zz = zz_correlators(res.circuit, "aer")
    compiled = MPS.from_circuit(res.circuit)
    assert np.allclose(zz, exact_zz(compiled), atol=1e-10)
    # |<O>_psi - <O>_phi| <= 2 sqrt(1 - F) ||O|| (trace distance of pure states)
    bound = 2 * np.sqrt(1 - res.fidelity)
    assert np.max(np.abs(zz - exact_zz(target))) <= bound + 1e-9


def test_target_fidelity_stop_and_checkpoint_extension(tmp_path):
    n = 6
    H = heisenberg_chain(n)
    target = tebd_target(H, 0.3)
    trotter = trotter_circuit(H, 0.3, 1, initial_state="neel")
    ck = tmp_path / "aqc.pt"
    res1 = compile_mps(
        target, trotter, maxiter=4, progress=False, checkpoint=ck, checkpoint_every=2
    )
    assert res1.num_iterations == 4 and ck.exists()
    res2 = compile_mps(target, trotter, maxiter=8, progress=False, checkpoint=ck)
    assert res2.num_iterations == 8
    assert res2.history[: len(res1.history)] == pytest.approx(res1.history)
    assert res2.fidelity >= res1.fidelity - 1e-12
    goal = res1.initial_fidelity + 0.5 * (res1.fidelity - res1.initial_fidelity)
    res3 = compile_mps(target, trotter, maxiter=50, target_fidelity=goal, progress=False)
    assert res3.reached_target and res3.num_iterations <= 4
    # a checkpoint of another target (same ansatz size) or another loss is refused
    other = tebd_target(H, 0.6)
    with pytest.raises(CheckpointMismatchError, match="checkpoint"):
        compile_mps(other, trotter, maxiter=8, progress=False, checkpoint=ck)
    with pytest.raises(ValueError, match="checkpoint"):
        compile_mps(target, trotter, maxiter=8, loss="log", progress=False, checkpoint=ck)


def test_resuming_a_finished_run_returns_it_unchanged(tmp_path):
    H = xxz_chain(6)
    target = tebd_target(H, 0.4, dt=0.1)
    trotter = trotter_circuit(H, 0.4, 1, initial_state="neel")
    ck = tmp_path / "done.pt"
    res1 = compile_mps(target, trotter, maxiter=6, progress=False, checkpoint=ck)
    res2 = compile_mps(target, trotter, maxiter=6, progress=False, checkpoint=ck)
    assert np.array_equal(res1.parameters, res2.parameters)
    assert res1.history == res2.history and res1.fidelity == res2.fidelity
    assert (res1.num_iterations, res1.num_evaluations, res1.message) == (
        res2.num_iterations,
        res2.num_evaluations,
        res2.message,
    )
    # the uninterrupted run without a checkpoint is the same run
    res0 = compile_mps(target, trotter, maxiter=6, progress=False)
    assert np.array_equal(res0.parameters, res1.parameters)


def test_interrupted_run_resumes_to_the_same_fidelity(tmp_path):
    n = 4
    ansatz, theta_true = brickwork_ansatz(n, 2, seed=11, scale=1.0)
    target = target_from_circuit(ansatz.circuit(theta_true))
    theta0 = theta_true + np.random.default_rng(12).normal(scale=0.3, size=theta_true.size)
    opts = dict(maxiter=300, target_fidelity=1 - 1e-9, progress=False)
    full = compile_mps(target, ansatz, theta0, **opts)

    def interrupt(it, f, theta):
        if it == 5:
            raise KeyboardInterrupt

    ck = tmp_path / "aqc.pt"
    with pytest.raises(KeyboardInterrupt):
        compile_mps(
            target, ansatz, theta0, checkpoint=ck, checkpoint_every=1, callback=interrupt, **opts
        )
    resumed = compile_mps(target, ansatz, theta0, checkpoint=ck, **opts)
    # up to the interruption the runs are the same; after it L-BFGS restarts its memory
    assert resumed.history[:6] == full.history[:6]
    assert resumed.num_iterations > 5
    assert full.reached_target and resumed.reached_target
    assert abs(resumed.fidelity - full.fidelity) < 1e-6


def test_the_target_is_converted_once(monkeypatch):
    import qtwin.aqc.optimize as optimize

    calls = []
    real = optimize.to_target_mps
    monkeypatch.setattr(optimize, "to_target_mps", lambda t: calls.append(1) or real(t))
    H = xxz_chain(4)
    dense = target_from_circuit(trotter_circuit(H, 0.3, 3, initial_state="neel")).to_dense()
    compile_mps(
        dense.numpy(), trotter_circuit(H, 0.3, 1, initial_state="neel"), maxiter=2, progress=False
    )
    assert len(calls) == 1


def test_any_object_with_the_ansatz_protocol_is_accepted():
    from qtwin.aqc import Ansatz

    class Wrapped:  # delegates to a BlockAnsatz, but is not one
        def __init__(self, inner):
            self.inner = inner
            self.num_qubits, self.pairs = inner.num_qubits, inner.pairs

        @property
        def num_parameters(self):
            return self.inner.num_parameters

        def gate_tensors(self, theta):
            return self.inner.gate_tensors(theta)

        def circuit(self, theta):
            return self.inner.circuit(theta)

    inner, theta = brickwork_ansatz(4, 2, seed=3)
    assert isinstance(Wrapped(inner), Ansatz)
    target = tebd_target(xxz_chain(4), 0.2)
    a = compile_mps(target, Wrapped(inner), theta, maxiter=3, progress=False)
    b = compile_mps(target, (inner, theta), maxiter=3, progress=False)
    assert np.array_equal(a.parameters, b.parameters)


def test_bad_input_raises_clear_errors():
    n = 4
    target = tebd_target(xxz_chain(n), 0.2)
    ansatz5, theta5 = brickwork_ansatz(5, 2, seed=0)
    with pytest.raises(ValueError, match="5 qubits but the target has 4"):
        compile_mps(target, ansatz5, theta5, progress=False)
    with pytest.raises(ValueError, match="qubits but the target has 4"):
        compile_mps(target, QuantumCircuit(3), progress=False)
    unnorm = MPS.from_dense(2 * _random_state(n, 0))
    ansatz, theta = brickwork_ansatz(n, 2, seed=0)
    with pytest.raises(ValueError, match="target must be normalized"):
        compile_mps(unnorm, ansatz, theta, progress=False)
    with pytest.raises(ValueError, match="max_bond"):
        tebd_target(xxz_chain(n), 0.2, max_bond=0)
    with pytest.raises(ValueError, match="max_bond"):
        target_from_circuit(QuantumCircuit(n), max_bond=0)
    with pytest.raises(ValueError, match="initial_point has 3 values"):
        compile_mps(target, ansatz, [0.0, 0.0, 0.0], progress=False)
    with pytest.raises(ValueError, match="initial_point"):
        compile_mps(target, ansatz, np.full(ansatz.num_parameters, np.nan), progress=False)
    with pytest.raises(TypeError, match="ansatz must be"):
        compile_mps(target, "brickwork", progress=False)
    with pytest.raises(TypeError, match="target must be"):
        compile_mps(object(), ansatz, theta, progress=False)
    with pytest.raises(ValueError, match="maxiter"):
        compile_mps(target, ansatz, theta, maxiter=0, progress=False)
    with pytest.raises(ValueError, match="target_fidelity"):
        compile_mps(target, ansatz, theta, target_fidelity=1.5, progress=False)
    deep, theta_deep = brickwork_ansatz(30, 30, seed=0)
    with pytest.raises(ValueError, match="shallower ansatz"):
        FidelityObjective(MPS.zeros(30), deep)


def test_compiles_the_corpus_quench_beyond_trotter_and_aer_agrees():
    from qtwin.tensornet import corpus

    rec = corpus.entry("xxz_quench_20")  # quimb TEBD: independent of qtwin's simulator
    target = corpus.load("xxz_quench_20")
    h = xxz_chain(20, J=rec["hamiltonian"]["J"], delta=rec["hamiltonian"]["delta"])
    trotter = trotter_circuit(h, rec["time"], 1, initial_state="neel")
    res = compile_mps(target, trotter, maxiter=10, progress=False)
    f_trotter = circuit_fidelity(trotter, target, method="mps")  # Aer's MPS simulator
    assert abs(res.initial_fidelity - f_trotter) < 1e-9
    assert res.fidelity > f_trotter + 0.01
    assert abs(circuit_fidelity(res.circuit, target, method="mps") - res.fidelity) < 1e-9
