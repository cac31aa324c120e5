"""Qubit routing in the MPS is invisible: long-range gates leave qubits where they moved them,
and every public method still means logical qubits. References: Aer's statevector and dense
numpy; the compiled kernels against the torch path."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from qiskit import QuantumCircuit, transpile
from qiskit.circuit import Parameter
from qiskit.quantum_info import SparsePauliOp
from qiskit.quantum_info import Statevector as QiskitStatevector
from qiskit_aer import AerSimulator

from qtwin.tensornet import MPS


def _long_range_circuit(n: int, gates: int, seed: int) -> QuantumCircuit:
    """Random 1-, 2- and 3-qubit gates on random (mostly distant) qubits, and circuit SWAPs."""
    rng = np.random.default_rng(seed)
    qc = QuantumCircuit(n)
    for _ in range(gates):
        kind = rng.integers(6)
        if kind == 0:
            qc.u(*rng.uniform(0, 2 * np.pi, 3), int(rng.integers(n)))
        elif kind in (1, 2):
            a, b = (int(x) for x in rng.choice(n, 2, replace=False))
            qc.cx(a, b) if kind == 1 else qc.rzz(rng.uniform(0, np.pi), a, b)
        elif kind == 3:
            a, b = (int(x) for x in rng.choice(n, 2, replace=False))
            qc.swap(a, b)
        elif kind == 4 and n >= 3:
            a, b, c = (int(x) for x in rng.choice(n, 3, replace=False))
            qc.ccx(a, b, c) if rng.integers(2) else qc.cswap(a, b, c)
        else:
            qc.h(int(rng.integers(n)))
    return qc


def _aer_statevector(qc: QuantumCircuit) -> np.ndarray:
    sim = AerSimulator(method="statevector")
    circ = qc.copy()
    circ.save_statevector()
    result = sim.run(transpile(circ, sim, optimization_level=0)).result()
    return np.asarray(result.get_statevector())


@pytest.mark.parametrize("seed", range(40))
def test_routed_circuit_matches_aer_statevector(seed: int) -> None:
    rng = np.random.default_rng(1000 + seed)
    n = int(rng.integers(3, 13))
    qc = _long_range_circuit(n, int(rng.integers(10, 60)), seed)
    psi = MPS.from_circuit(qc)
    ref = _aer_statevector(qc)
    out = psi.to_dense().numpy()
    assert abs(np.vdot(ref, out)) ** 2 >= 1 - 1e-12
    np.testing.assert_allclose(out, ref, atol=1e-9)  # global phase included


def _scrambled(seed: int = 3, n: int = 8) -> tuple[QuantumCircuit, MPS]:
    qc = _long_range_circuit(n, 50, seed)
    psi = MPS.from_circuit(qc)
    assert psi._qubit_at is not None and psi._qubit_at != sorted(psi._qubit_at)
    return qc, psi


def test_results_read_logical_qubits_from_a_scrambled_layout() -> None:
    qc, psi = _scrambled()
    ref = QiskitStatevector(qc)
    n = qc.num_qubits
    # expectation values of local and long-range Pauli strings (before anything sorts)
    op = SparsePauliOp(["ZIIIIIIX", "IIYIIZII", "XXIIIIII", "IIIIIIZZ"], [1.0, 0.5, -0.3, 2.0])
    np.testing.assert_allclose(psi.copy().expectation(op), ref.expectation_value(op), atol=1e-10)
    for q in range(n):  # every one-qubit Pauli, each on a fresh scrambled copy
        for letter in "XZ":
            single = SparsePauliOp.from_sparse_list([(letter, [q], 1.0)], num_qubits=n)
            got = psi.copy().expectation(single).real
            assert abs(got - ref.expectation_value(single).real) < 1e-10, (letter, q)
    # Born probabilities of given outcomes
    outcomes = np.array([[0] * n, [1, 0, 1, 1, 0, 0, 1, 0]])
    idx = [sum(int(b) << q for q, b in enumerate(row)) for row in outcomes]
    np.testing.assert_allclose(
        psi.copy().probabilities_of(outcomes), ref.probabilities()[idx], atol=1e-12
    )
    # sampling: marginals of every qubit
    samples = psi.copy().sample(20000, seed=1)
    probs = ref.probabilities()
    for q in range(n):
        p1 = sum(p for k, p in enumerate(probs) if (k >> q) & 1)
        assert abs(samples[:, q].mean() - p1) < 0.02
    # entropies at every cut, and the profile
    rho_cuts = []
    full = ref.data.reshape([2] * n)  # axis 0 = qubit n-1
    for cut in range(1, n):
        mat = full.reshape(2 ** (n - cut), 2**cut)  # rows: qubits cut..n-1; cols: 0..cut-1
        s = np.linalg.svd(mat, compute_uv=False) ** 2
        s = s[s > 1e-15]
        rho_cuts.append(float(-(s * np.log(s)).sum()))
    np.testing.assert_allclose(psi.copy().entropy_profile(), rho_cuts, atol=1e-9)
    np.testing.assert_allclose([psi.copy().entropy(c) for c in range(1, n)], rho_cuts, atol=1e-9)
    # overlap with an MPS in the identity layout, and the site tensors themselves
    other = MPS.from_dense(ref.data)
    assert abs(abs(psi.copy().overlap(other)) - 1) < 1e-10
    np.testing.assert_allclose(psi.tensors[0].shape[0], 1)
    assert psi._qubit_at is None  # reading .tensors restored the qubit order
    np.testing.assert_allclose(psi.to_dense().numpy(), ref.data, atol=1e-10)


def test_gradients_through_routed_long_range_gates() -> None:
    theta = Parameter("t")
    qc = QuantumCircuit(5)
    qc.h(0)
    qc.rx(theta, 4)
    qc.cx(0, 4)
    qc.rzz(theta, 1, 4)
    qc.ccx(4, 0, 2)
    op = SparsePauliOp(["ZIIIZ", "IIXII"])
    t = torch.tensor(0.37, dtype=torch.float64, requires_grad=True)
    value = MPS.from_circuit(qc, parameter_values=[t]).expectation(op).real
    (grad,) = torch.autograd.grad(value, t)
    h = 1e-6

    def exact(x: float) -> float:
        return float(QiskitStatevector(qc.assign_parameters([x])).expectation_value(op).real)

    assert abs(value.item() - exact(0.37)) < 1e-10
    assert abs(grad.item() - (exact(0.37 + h) - exact(0.37 - h)) / (2 * h)) < 1e-6


@pytest.mark.parametrize("seed", range(30))
def test_compiled_kernels_equal_the_torch_path(seed: int, monkeypatch: pytest.MonkeyPatch) -> None:
    rng = np.random.default_rng(seed)
    qc = _long_range_circuit(int(rng.integers(3, 11)), 40, 500 + seed)
    fast = MPS.from_circuit(qc).to_dense()
    monkeypatch.setattr(MPS, "use_kernels", False)
    slow = MPS.from_circuit(qc).to_dense()
    np.testing.assert_allclose(fast.numpy(), slow.numpy(), atol=1e-12)


def test_truncated_kernels_equal_the_torch_path(monkeypatch: pytest.MonkeyPatch) -> None:
    qc = _long_range_circuit(14, 200, 7)
    fast = MPS.from_circuit(qc, max_bond=4, cutoff=1e-3)
    monkeypatch.setattr(MPS, "use_kernels", False)
    slow = MPS.from_circuit(qc, max_bond=4, cutoff=1e-3)
    assert fast.discarded_weight > 1e-3
    assert abs(fast.discarded_weight - slow.discarded_weight) < 1e-9
    assert abs(abs(fast.overlap(slow)) - 1) < 1e-9


def test_circuit_swaps_are_relabelled_not_simulated() -> None:
    qc = QuantumCircuit(40)
    qc.h(0)
    qc.cx(0, 1)
    for q in range(1, 39):
        qc.swap(q, q + 1)  # carry qubit 1's half of the Bell pair to qubit 39
    psi = MPS.from_circuit(qc)
    assert max(t.shape[2] for t in psi._tensors) == 2
    z = SparsePauliOp.from_sparse_list([("ZZ", [0, 39], 1.0)], num_qubits=40)
    assert abs(psi.expectation(z) - 1) < 1e-12
    assert abs(psi.entropy(39) - np.log(2)) < 1e-12


def test_qudit_sites_route_with_their_dimensions() -> None:
    rng = np.random.default_rng(0)
    dims = [2, 3, 2, 4, 3]
    psi = MPS.zeros(5, dims)
    ref = np.zeros(int(np.prod(dims)), dtype=complex)
    ref[0] = 1
    for sites in [(0, 4), (3, 1), (4, 0, 2), (1, 3)]:
        dim = int(np.prod([dims[s] for s in sites]))
        u, _ = np.linalg.qr(rng.normal(size=(dim, dim)) + 1j * rng.normal(size=(dim, dim)))
        psi.apply_gate(u, sites)
        ref = _apply_dense(ref, u, sites, dims)
    np.testing.assert_allclose(psi.to_dense().numpy(), ref, atol=1e-12)


def _apply_dense(
    psi: np.ndarray, u: np.ndarray, sites: tuple[int, ...], dims: list[int]
) -> np.ndarray:
    n = len(dims)
    t = psi.reshape(dims[::-1])  # axis j = site n-1-j
    axes = [n - 1 - s for s in reversed(sites)]  # most significant listed site first
    k = len(sites)
    t = np.moveaxis(t, axes, range(k))
    shape = t.shape
    t = (u @ t.reshape(u.shape[0], -1)).reshape(shape)
    return np.moveaxis(t, range(k), axes).reshape(-1)


def test_measurement_primitives_on_a_scrambled_layout() -> None:
    qc, psi = _scrambled(seed=5)
    ref = QiskitStatevector(qc)
    n = qc.num_qubits
    for q in (0, 3, n - 1):
        p = ref.probabilities([q])
        np.testing.assert_allclose(psi.qubit_probabilities(q).numpy(), p, atol=1e-12)
    outcome = int(np.argmax(ref.probabilities([2])))
    projected = psi.copy().project(2, outcome).to_dense().numpy()
    dense = ref.data.copy()
    dense[[((k >> 2) & 1) != outcome for k in range(2**n)]] = 0
    dense /= np.linalg.norm(dense)
    np.testing.assert_allclose(projected, dense, atol=1e-10)
    with pytest.raises(ValueError, match="outcome"):
        MPS.zeros(3).project(1, 1)
    with pytest.raises(ValueError, match="outcome"):
        MPS.zeros(3).project(1, 2)


def test_kernel_svd_failure_falls_back_to_torch(monkeypatch: pytest.MonkeyPatch) -> None:
    """LAPACK's gesdd can fail to converge (seen on a 128 x 128 block of a QFT at bond 64):
    the fast path then redoes that update on torch, which falls back to gesvd."""
    from qtwin.tensornet import site_updates

    qc = _long_range_circuit(9, 80, 11)
    reference = MPS.from_circuit(qc).to_dense()
    kernels = site_updates.NUMPY.k

    def broken(*args: object) -> None:
        raise ValueError("Internal algorithm failed to converge.")

    class Broken:
        def __getattr__(self, name: str) -> object:
            return (
                broken
                if name in {"swap", "two_site_gate", "split_matrix"}
                else getattr(kernels, name)
            )

    monkeypatch.setattr(site_updates.NUMPY, "k", Broken())
    out = MPS.from_circuit(qc).to_dense()
    np.testing.assert_allclose(out.numpy(), reference.numpy(), atol=1e-10)


def test_walking_back_at_the_bond_limit_keeps_the_state(monkeypatch: pytest.MonkeyPatch) -> None:
    qc = _long_range_circuit(10, 120, 21)
    exact = QiskitStatevector(qc).data
    for flag in (False, True):
        monkeypatch.setattr(MPS, "walk_back_at_limit", flag)
        psi = MPS.from_circuit(qc, max_bond=4)
        fidelity = abs(np.vdot(exact, psi.to_dense().numpy())) ** 2
        assert 0 < fidelity <= 1 + 1e-12
        assert fidelity >= psi.fidelity_estimate * 0.5  # the estimate is of the right order
    monkeypatch.setattr(MPS, "walk_back_at_limit", True)
    exact_run = MPS.from_circuit(qc, max_bond=1024).to_dense().numpy()  # bonds never at limit
    np.testing.assert_allclose(exact_run, exact, atol=1e-9)
