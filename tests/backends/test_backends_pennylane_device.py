"""PennyLane devices "qtwin.statevector" and "qtwin.mps": against default.qubit, Aer, and
PennyLane's own device test suite (a representative subset; the full run is in the report)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pennylane as qml
import pytest
import torch
from pennylane import numpy as pnp
from pennylane.devices.tests import get_device_tests
from pennylane.exceptions import DeviceError

from qtwin.backends.pennylane_device import (
    MPS_DENSE_LIMIT,
    QtwinMPSDevice,
    QtwinStatevectorDevice,
)

DEVICES = [("qtwin.statevector", {}), ("qtwin.mps", {"max_bond": 16})]


def _mixed_circuit(x, y):
    """Gates on non-adjacent and reversed wires, 1-3 wire gates, a unitary and a template."""
    qml.RX(x, 0)
    qml.RY(y, 3)
    qml.Hadamard(2)
    qml.CNOT([3, 0])
    qml.CRZ(0.3, [2, 1])
    qml.Toffoli([0, 3, 1])
    qml.IsingXY(0.7, [1, 2])
    qml.QubitUnitary(qml.matrix(qml.Rot(0.1, 0.2, 0.3, 0) @ qml.S(2)), wires=[2, 0])
    qml.CSWAP([1, 3, 0])
    qml.QFT(wires=[3, 1, 2])
    return (
        qml.expval(qml.Z(0) @ qml.X(3)),
        qml.var(qml.Y(1)),
        qml.probs(wires=[2, 0]),
        qml.expval(qml.Hermitian(np.diag([1.0, 2.0]), 1)),
        qml.expval(0.5 * qml.X(0) @ qml.Y(2) - 1.5 * qml.Z(1) + 0.2 * qml.I(0)),
        qml.state(),
    )


def _allclose(a, b, atol: float = 1e-10) -> bool:
    return all(
        np.allclose(np.asarray(x), np.asarray(y), atol=atol) for x, y in zip(a, b, strict=True)
    )


def test_entry_points_load_the_devices() -> None:
    sv = qml.device("qtwin.statevector", wires=3, shots=1234)
    mps = qml.device("qtwin.mps", wires=["a", "b"], max_bond=8, cutoff=1e-10)
    assert isinstance(sv, QtwinStatevectorDevice) and sv.name == "qtwin.statevector"
    assert sv.shots == qml.measurements.Shots(1234)
    assert isinstance(mps, QtwinMPSDevice) and mps.name == "qtwin.mps"
    assert (mps.max_bond, mps.cutoff) == (8, 1e-10)
    with pytest.raises(ValueError, match="max_bond"):
        qml.device("qtwin.mps", wires=2, max_bond=0)
    with pytest.raises(ValueError, match="cutoff"):
        qml.device("qtwin.mps", wires=2, cutoff=-1.0)
    with pytest.raises(ValueError, match="dtype must be one of"):
        qml.device("qtwin.statevector", wires=2, dtype="float32")


@pytest.mark.parametrize("name, kwargs", DEVICES)
def test_analytic_results_equal_default_qubit(name: str, kwargs: dict) -> None:
    ours = qml.QNode(_mixed_circuit, qml.device(name, wires=4, **kwargs))(0.4, 1.1)
    ref = qml.QNode(_mixed_circuit, qml.device("default.qubit", wires=4))(0.4, 1.1)
    assert _allclose(ours, ref)


@pytest.mark.parametrize("name, kwargs", DEVICES)
def test_string_wires_and_state_bit_order(name: str, kwargs: dict) -> None:
    wires = ["a", "b", "c"]

    def circ():
        qml.X("a")  # the first wire is PennyLane's most significant bit
        qml.Hadamard("c")
        return qml.state()

    ours = qml.QNode(circ, qml.device(name, wires=wires, **kwargs))()
    expected = np.zeros(8)
    expected[[4, 5]] = 2**-0.5
    np.testing.assert_allclose(ours, expected, atol=1e-12)


@pytest.mark.parametrize("name, kwargs", DEVICES)
def test_parameter_broadcasting(name: str, kwargs: dict) -> None:
    xs = np.array([0.4, 0.5, 0.9])
    ours = qml.QNode(_mixed_circuit, qml.device(name, wires=4, **kwargs))(xs, 1.1)
    ref = qml.QNode(_mixed_circuit, qml.device("default.qubit", wires=4))(xs, 1.1)
    assert _allclose(ours, ref)
    assert np.shape(ours[0]) == (3,)


def _shot_circuit(x):
    qml.RX(x, 0)
    qml.CNOT([0, 2])
    qml.RY(0.3, 1)
    return (
        qml.expval(qml.X(1) @ qml.Z(2)),
        qml.var(qml.Z(0)),
        qml.probs(wires=[2, 0]),
        qml.expval(qml.Hermitian(np.array([[1.0, 0.5], [0.5, -1.0]]), 1)),
    )


@pytest.mark.parametrize("name, kwargs", DEVICES)
def test_shots_and_shot_vectors(name: str, kwargs: dict) -> None:
    ref = qml.QNode(_shot_circuit, qml.device("default.qubit", wires=3))(0.8)
    dev = qml.device(name, wires=3, seed=7, **kwargs)
    results = qml.set_shots(qml.QNode(_shot_circuit, dev), shots=[20_000, 30_000])(0.8)
    assert len(results) == 2
    for res in results:
        assert _allclose(res, ref, atol=0.05)
    again = qml.set_shots(
        qml.QNode(_shot_circuit, qml.device(name, wires=3, seed=7, **kwargs)),
        shots=[20_000, 30_000],
    )(0.8)
    assert _allclose(again[0], results[0], atol=0)  # seeded: reproducible


@pytest.mark.parametrize("name, kwargs", DEVICES)
def test_sample_and_counts(name: str, kwargs: dict) -> None:
    def circ():
        qml.X(0)
        qml.Hadamard(1)
        qml.CNOT([1, 2])
        return qml.sample(wires=[0, 1, 2]), qml.counts(qml.Z(0)), qml.counts(wires=[2, 1])

    samples, zcounts, counts = qml.set_shots(
        qml.QNode(circ, qml.device(name, wires=3, seed=3, **kwargs)), shots=200
    )()
    assert samples.shape == (200, 3)
    assert set(map(tuple, samples.tolist())) <= {(1, 0, 0), (1, 1, 1)}
    assert zcounts == {-1.0: 200}
    assert set(counts) <= {"00", "11"} and sum(counts.values()) == 200


def test_mid_circuit_measurement_deferred() -> None:
    def circ(x):
        qml.RY(x, 0)
        m = qml.measure(0)
        qml.cond(m, qml.X)(1)
        return qml.probs(wires=[1]), qml.expval(m)

    ours = qml.QNode(circ, qml.device("qtwin.statevector", wires=3))(0.7)
    ref = qml.QNode(circ, qml.device("default.qubit", wires=3))(0.7)
    assert _allclose(ours, ref)
    with pytest.raises(DeviceError, match="mcm_method='one-shot' is not supported"):
        qml.set_shots(
            qml.QNode(circ, qml.device("qtwin.statevector", wires=3), mcm_method="one-shot"),
            shots=10,
        )(0.7)


def _sel(weights, x):
    qml.StronglyEntanglingLayers(weights, wires=range(weights.shape[1]))
    qml.RX(x, 0)
    return qml.expval(qml.Z(0) @ qml.Z(weights.shape[1] - 1) + 0.5 * qml.X(1))


def test_torch_backprop_12_wires_equals_default_qubit() -> None:
    rng = np.random.default_rng(0)
    w0 = rng.uniform(0, 2 * np.pi, (2, 12, 3))
    grads = []
    for name in ["qtwin.statevector", "default.qubit"]:
        qnode = qml.QNode(
            _sel, qml.device(name, wires=12), interface="torch", diff_method="backprop"
        )
        w = torch.tensor(w0, requires_grad=True)
        x = torch.tensor(0.37, dtype=torch.float64, requires_grad=True)
        value = qnode(w, x)
        value.backward()
        grads.append((float(value), w.grad.numpy().copy(), float(x.grad)))
    (v, gw, gx), (rv, rgw, rgx) = grads
    assert v == pytest.approx(rv, abs=1e-10)
    np.testing.assert_allclose(gw, rgw, atol=1e-8)
    assert gx == pytest.approx(rgx, abs=1e-8)


@pytest.mark.parametrize("diff_method", ["adjoint", "device", "parameter-shift"])
def test_autograd_jacobians_equal_default_qubit(diff_method: str) -> None:
    rng = np.random.default_rng(1)
    w0 = rng.uniform(0, 2 * np.pi, (1, 4, 3))

    def circ(weights, x):
        qml.StronglyEntanglingLayers(weights, wires=range(4))
        qml.RX(x, 0)
        return qml.expval(qml.Z(0) @ qml.Z(3)), qml.probs(wires=[1])

    def jac(device, method):
        qnode = qml.QNode(circ, device, diff_method=method)
        w = pnp.array(w0, requires_grad=True)
        x = pnp.array(0.37, requires_grad=True)
        return qml.jacobian(lambda w, x: qml.math.hstack(qnode(w, x)))(w, x)

    ours = jac(qml.device("qtwin.statevector", wires=4), diff_method)
    ref = jac(qml.device("default.qubit", wires=4), "backprop")
    assert _allclose(ours, ref, atol=1e-8)


def test_mps_parameter_shift_gradient() -> None:
    w0 = np.random.default_rng(2).uniform(0, 2 * np.pi, (1, 4, 3))
    grads = []
    for dev in [qml.device("qtwin.mps", wires=4, max_bond=8), qml.device("default.qubit", wires=4)]:
        qnode = qml.QNode(_sel, dev, diff_method="parameter-shift")
        x = pnp.array(0.2, requires_grad=False)
        grads.append(qml.grad(qnode)(pnp.array(w0, requires_grad=True), x))
    np.testing.assert_allclose(grads[0], grads[1], atol=1e-8)


def test_mps_wide_circuit_vs_aer() -> None:
    from qiskit import QuantumCircuit
    from qiskit.quantum_info import SparsePauliOp
    from qiskit_aer import AerSimulator

    n = 50
    angles = np.random.default_rng(4).uniform(0, np.pi, n)

    def circ():
        for w in range(n):
            qml.RY(angles[w], w)
        for w in range(0, n - 1, 2):
            qml.CNOT([w, w + 1])
        qml.CNOT([0, n - 1])  # long range
        qml.CRX(0.4, [n - 1, 1])
        return qml.expval(qml.Z(0)), qml.expval(qml.Z(1) @ qml.X(n - 1)), qml.var(qml.Z(7))

    ours = qml.QNode(circ, qml.device("qtwin.mps", wires=n, max_bond=32))()
    qc = QuantumCircuit(n)  # PennyLane wire w is Qiskit qubit w
    for w in range(n):
        qc.ry(angles[w], w)
    for w in range(0, n - 1, 2):
        qc.cx(w, w + 1)
    qc.cx(0, n - 1)
    qc.crx(0.4, n - 1, 1)
    ops = [
        SparsePauliOp.from_sparse_list([("Z", [0], 1.0)], n),
        SparsePauliOp.from_sparse_list([("ZX", [1, n - 1], 1.0)], n),
        SparsePauliOp.from_sparse_list([("Z", [7], 1.0)], n),
    ]
    for i, op in enumerate(ops):
        qc.save_expectation_value(op, range(n), label=f"e{i}")
    from qiskit import transpile

    aer = AerSimulator(method="matrix_product_state")
    data = aer.run(transpile(qc, aer)).result().data()
    assert float(ours[0]) == pytest.approx(data["e0"], abs=1e-9)
    assert float(ours[1]) == pytest.approx(data["e1"], abs=1e-9)
    assert float(ours[2]) == pytest.approx(1 - data["e2"] ** 2, abs=1e-9)
    sampled = qml.set_shots(qml.QNode(circ, qml.device("qtwin.mps", wires=n, seed=1)), shots=4000)()
    assert float(sampled[0]) == pytest.approx(data["e0"], abs=0.08)


def test_mps_wide_local_measurements_and_refusals() -> None:
    n = MPS_DENSE_LIMIT + 4
    herm = np.array([[1.0, 0.3 - 0.2j], [0.3 + 0.2j, -0.5]])

    def circ():
        for w in range(n):
            qml.RY(0.1 * (w + 1), w)
        for w in range(n - 1):
            qml.CNOT([w, w + 1])
        return (
            qml.probs(wires=[3, 2]),
            qml.expval(qml.Hermitian(herm, 5)),
            qml.var(qml.Hermitian(np.kron(herm, herm), [7, 6])),
        )

    ours = qml.QNode(circ, qml.device("qtwin.mps", wires=n))()

    # the same observables on a narrow copy: gates on wires > 8 do not touch wires 2..7
    def narrow():
        for w in range(9):
            qml.RY(0.1 * (w + 1), w)
        for w in range(8):
            qml.CNOT([w, w + 1])
        return (
            qml.probs(wires=[3, 2]),
            qml.expval(qml.Hermitian(herm, 5)),
            qml.var(qml.Hermitian(np.kron(herm, herm), [7, 6])),
        )

    ref = qml.QNode(narrow, qml.device("default.qubit", wires=9))()
    assert _allclose(ours, ref)

    def whole():
        qml.Hadamard(0)
        for w in range(n - 1):
            qml.CNOT([w, w + 1])
        return qml.probs(wires=range(6))

    with pytest.raises(DeviceError, match="not supported analytically"):
        qml.QNode(whole, qml.device("qtwin.mps", wires=n))()
    probs = qml.set_shots(qml.QNode(whole, qml.device("qtwin.mps", wires=n, seed=0)), shots=2000)()
    assert float(probs[0] + probs[-1]) == pytest.approx(1.0)


def test_truncated_mps_device_still_normalised() -> None:
    def circ():
        for w in range(6):
            qml.Hadamard(w)
        for w in range(5):
            qml.IsingZZ(0.9, [w, w + 1])
        qml.CNOT([0, 5])
        return qml.expval(qml.I(0) + 0.0 * qml.Z(1)), qml.probs(wires=[0, 5])

    one, probs = qml.QNode(circ, qml.device("qtwin.mps", wires=6, max_bond=1))()
    assert float(one) == pytest.approx(1.0, abs=1e-12)
    assert float(np.sum(probs)) == pytest.approx(1.0, abs=1e-12)


# ---------------------------------------------------------------- PennyLane's device test suite
# The whole suite (about 460 tests per device and shot setting, 1-2 minutes each) is run by
# hand; its counts are in the module docstring of qtwin.backends.pennylane_device. Here one
# representative subset on "qtwin.mps" keeps the project's test budget (a subprocess costs
# ~10 s of imports): gates (a matrix on reversed sites each), expectation values, variances,
# Hamiltonians, a template, the device properties.
_SUITE_FILES = ("test_gates.py", "test_measurements.py", "test_templates.py", "test_properties.py")
_SUITE_SUBSET = (
    "(TestGatesQubit and (CNOT or Rot or Toffoli or QubitUnitary or CRY or IsingXX)) "
    "or TestExpval or TestTensorVar or TestHamiltonianSupport or StronglyEntangling "
    "or TestDeviceProperties"
)


def test_pennylane_device_suite_subset(tmp_path: Path) -> None:
    pytest.importorskip("pytest_mock")
    pytest.importorskip("flaky")
    cmd = [
        sys.executable,
        "-m",
        "pytest",
        *(str(Path(get_device_tests()) / f) for f in _SUITE_FILES),
        "--device=qtwin.mps",
        "--shots=None",
        "--skip-ops",
        "--no-flaky-report",
        "-q",
        "-p",
        "no:cacheprovider",
        "-k",
        _SUITE_SUBSET,
        "--tb=line",
    ]
    env = dict(os.environ, PYTHONWARNINGS="ignore")
    proc = subprocess.run(
        cmd, cwd=tmp_path, capture_output=True, text=True, timeout=300, env=env, check=False
    )
    tail = proc.stdout[-3000:]
    assert proc.returncode == 0, tail
    assert " failed" not in tail, tail
    passed = re.search(r"(\d+) passed", tail)
    assert passed and int(passed.group(1)) >= 35, tail
