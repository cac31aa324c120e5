"""qtwin.aqc: contraction, gradients, ansatz generation, compilation, baselines, bad input.

Every number is checked against an independent reference: dense numpy/Qiskit statevectors,
Qiskit ``Operator``, finite differences, Aer (statevector and MPS), quimb.
"""

from __future__ import annotations

import numpy as np
import pytest
import torch
from qiskit import QuantumCircuit
from qiskit.quantum_info import Operator, Statevector, random_unitary

from qtwin.aqc import (
    BlockAnsatz,
    FidelityObjective,
    OverlapNetwork,
    ansatz_from_circuit,
    brickwork_ansatz,
    circuit_fidelity,
    compile_mps,
    target_from_circuit,
    tebd_target,
    to_target_mps,
    zz_correlators,
)
from qtwin.aqc.execute import exact_zz
from qtwin.aqc.network import matrix_to_site_tensor
from qtwin.circuits import (
    heisenberg_chain,
    transverse_field_ising,
    trotter_circuit,
    xxz_chain,
    xyz_chain,
)
from qtwin.tensornet import MPS


def _random_state(n: int, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    v = rng.normal(size=2**n) + 1j * rng.normal(size=2**n)
    return v / np.linalg.norm(v)


def test_network_overlap_matches_statevector_with_long_range_gates():
    n = 6
    psi = _random_state(n, 0)
    rng = np.random.default_rng(1)
    qc = QuantumCircuit(n)
    gates, mats = [], []
    for k in range(16):
        q = (
            (int(rng.integers(n)),)
            if k % 4 == 0
            else tuple(int(x) for x in rng.choice(n, 2, replace=False))
        )
        if k in (5, 6):  # repeated pair in both orders
            q = (2, 3) if k == 5 else (3, 2)
        u = random_unitary(2 ** len(q), seed=k).data
        qc.unitary(u, list(q))
        gates.append(q)
        mats.append(matrix_to_site_tensor(torch.tensor(u), q))
    net = OverlapNetwork(MPS.from_dense(psi).tensors, gates)
    ref = np.vdot(psi, Statevector(qc).data)
    assert abs(net.overlap(mats).item() - ref) < 1e-12


@pytest.mark.parametrize(
    "hamiltonian,order,steps",
    [
        (xxz_chain(5, delta=0.5), 1, 1),
        (xyz_chain(5, 1.0, 0.7, 0.4, hx=0.3, hz=0.2), 2, 2),
        (transverse_field_ising(5, g=0.7), 1, 3),
    ],
)
def test_ansatz_from_trotter_circuit_reproduces_it(hamiltonian, order, steps):
    qc = trotter_circuit(hamiltonian, 0.7, steps, order=order, initial_state="neel")
    ansatz, theta0 = ansatz_from_circuit(qc)
    u, v = Operator(ansatz.circuit(theta0)).data, Operator(qc).data
    assert abs(abs(np.trace(u.conj().T @ v)) / 2**5 - 1) < 1e-10
    exported = ansatz.circuit(theta0)
    assert set(exported.count_ops()) <= {"rz", "rx", "ry", "cx"}
    assert exported.depth(lambda i: i.operation.num_qubits == 2) == ansatz.two_qubit_depth


def test_parametrized_circuit_of_ansatz_binds_to_bound_circuit():
    ansatz, theta = brickwork_ansatz(4, 3, seed=2)
    qc = ansatz.circuit()
    assert qc.num_parameters == ansatz.num_parameters
    bound = qc.assign_parameters(theta)
    assert Operator(bound).equiv(Operator(ansatz.circuit(theta)))


def test_objective_value_matches_statevector():
    n = 5
    psi = _random_state(n, 3)
    ansatz, theta = brickwork_ansatz(n, 4, seed=4, scale=1.0)
    obj = FidelityObjective(psi, ansatz)
    ref = abs(np.vdot(psi, Statevector(ansatz.circuit(theta)).data)) ** 2
    assert abs(obj.fidelity(theta) - ref) < 1e-12


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


def test_target_fidelity_stop_and_checkpoint_resume(tmp_path):
    n = 6
    H = heisenberg_chain(n)
    target = tebd_target(H, 0.3)
    trotter = trotter_circuit(H, 0.3, 1, initial_state="neel")
    ck = tmp_path / "aqc.npz"
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
    # a checkpoint of another target (same ansatz size) is refused, not silently resumed
    other = tebd_target(H, 0.6)
    with pytest.raises(ValueError, match="checkpoint"):
        compile_mps(other, trotter, maxiter=8, progress=False, checkpoint=ck)


def test_targets_agree_between_tensornet_aer_quimb_and_dense():
    import quimb.tensor as qtn

    n = 6
    qc = trotter_circuit(xxz_chain(n), 0.5, 6, order=2, initial_state="neel")
    a = target_from_circuit(qc)
    b = target_from_circuit(qc, method="aer")
    assert abs(abs(a.overlap(b)) - 1) < 1e-10
    ref = Statevector(qc).data
    assert abs(abs(np.vdot(ref, a.to_dense().numpy())) - 1) < 1e-10
    q = qtn.MPS_rand_state(5, 3, seed=1, dtype=complex)
    dense_q = q.to_dense().ravel().reshape([2] * 5).transpose(4, 3, 2, 1, 0).ravel()
    assert np.allclose(to_target_mps(q).to_dense().numpy(), dense_q)


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
    with pytest.raises(ValueError, match="pairs"):
        BlockAnsatz(3, [(0, 3)])
    deep, theta_deep = brickwork_ansatz(30, 30, seed=0)
    with pytest.raises(ValueError, match="shallower ansatz"):
        FidelityObjective(MPS.zeros(30), deep)
    qc3 = QuantumCircuit(3)
    qc3.ccx(0, 1, 2)
    with pytest.raises(ValueError, match="3 qubits"):
        ansatz_from_circuit(qc3)
