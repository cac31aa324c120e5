"""TensornetSampler / TensornetEstimator: PUB shapes, bit order, registers, precision, errors."""

from __future__ import annotations

import numpy as np
import pytest
from backends_helpers import PARAMETER_SETS, parameterized_circuit
from qiskit import ClassicalRegister, QuantumCircuit, QuantumRegister
from qiskit.circuit import Parameter
from qiskit.primitives import StatevectorEstimator, StatevectorSampler
from qiskit.quantum_info import SparsePauliOp

from qtwin.backends import TensornetEstimator, TensornetSampler, get_backend

BACKENDS = ["tensornet", "aer", "pennylane:default.qubit"]


@pytest.mark.parametrize("name", BACKENDS)
def test_x_on_qubit_0_reads_as_lowest_bit(name: str) -> None:
    qc = QuantumCircuit(3)
    qc.x(0)
    qc.measure_all()
    counts = get_backend(name, seed=1).sampler.run([qc], shots=50).result()[0].data.meas
    assert counts.get_counts() == {"001": 50}


@pytest.mark.parametrize("name", BACKENDS)
def test_multiple_registers_and_permuted_clbits(name: str) -> None:
    q = QuantumRegister(4, "q")
    alpha, beta = ClassicalRegister(3, "alpha"), ClassicalRegister(2, "beta")
    qc = QuantumCircuit(q, alpha, beta)
    qc.x([0, 3])
    qc.cx(3, 2)  # q = 1101 (qubits 0, 2, 3 set)
    qc.measure([0, 1], [alpha[2], alpha[0]])  # alpha[1] never measured: reads 0
    qc.measure([2, 3], [beta[0], beta[1]])
    data = get_backend(name, seed=1).sampler.run([qc], shots=20).result()[0].data
    reference = StatevectorSampler(seed=1).run([qc], shots=20).result()[0].data
    assert data.alpha.get_counts() == reference.alpha.get_counts() == {"100": 20}
    assert data.beta.get_counts() == reference.beta.get_counts() == {"11": 20}


def test_sampler_pub_shapes_and_shots() -> None:
    qc = parameterized_circuit()
    sampler = TensornetSampler(default_shots=64, seed=0)
    values = np.broadcast_to(PARAMETER_SETS, (2, 3, 2))
    result = sampler.run([(qc, values), (qc, PARAMETER_SETS[0], 10)]).result()
    assert result[0].data.c.shape == (2, 3) and result[0].data.c.num_shots == 64
    assert result[1].data.c.shape == () and result[1].data.c.num_shots == 10
    assert result[0].metadata["discarded_weight"].shape == (2, 3)
    assert result[0].metadata["shots"] == 64


def test_sampler_is_reproducible_with_a_seed() -> None:
    qc = parameterized_circuit()
    runs = [
        TensornetSampler(seed=9).run([(qc, PARAMETER_SETS)]).result()[0].data.c.array
        for _ in range(2)
    ]
    np.testing.assert_array_equal(runs[0], runs[1])


@pytest.mark.parametrize(
    ("obs_shape", "param_shape", "expected"),
    [
        ((), (3,), (3,)),
        ((2,), (), (2,)),
        ((2, 1), (3,), (2, 3)),
        ((4, 1, 1), (2, 3), (4, 2, 3)),
        ((1, 3), (2, 1), (2, 3)),
    ],
)
def test_estimator_broadcasting(obs_shape, param_shape, expected) -> None:
    qc = parameterized_circuit(measure=False)
    rng = np.random.default_rng(0)
    labels = ["ZZI", "XIX", "IYZ", "ZII"]
    obs = np.empty(obs_shape, dtype=object)
    for i, idx in enumerate(np.ndindex(obs_shape)):
        obs[idx] = SparsePauliOp(labels[i % len(labels)], 0.5 + i)
    values = rng.uniform(-np.pi, np.pi, param_shape + (2,))
    pub = (qc, obs.tolist() if obs_shape else obs[()], values)
    data = TensornetEstimator().run([pub]).result()[0].data
    reference = StatevectorEstimator().run([pub]).result()[0].data.evs
    assert data.evs.shape == data.stds.shape == expected
    np.testing.assert_allclose(data.evs, reference, atol=1e-10)


@pytest.mark.parametrize("name", ["tensornet", "aer", "pennylane:default.qubit"])
def test_estimator_projector_observables(name: str) -> None:
    """SparseObservable projectors (|0><0|, |+><+|...) are expanded into Paulis."""
    from qiskit.quantum_info import SparseObservable

    qc = QuantumCircuit(2)
    qc.h(0)
    qc.cx(0, 1)
    pub = (qc, [SparseObservable("00"), SparseObservable("+1")])
    evs = get_backend(name).estimator.run([pub]).result()[0].data.evs
    np.testing.assert_allclose(evs, [0.5, 0.25], atol=1e-12)


def test_estimator_precision_adds_seeded_gaussian_noise() -> None:
    theta = Parameter("t")
    qc = QuantumCircuit(2)
    qc.ry(theta, 0)
    qc.cx(0, 1)
    values = np.linspace(0, np.pi, 200)
    exact = np.cos(values)
    estimator = TensornetEstimator(seed=4)
    data = estimator.run([(qc, "IZ", values)], precision=0.05).result()[0].data
    np.testing.assert_array_equal(data.stds, 0.05)
    z = (data.evs - exact) / 0.05
    assert abs(z.mean()) < 5 / np.sqrt(len(z))  # mean 0 within 5 sigma
    assert 0.75 < z.std() < 1.25  # unit variance (chi-square, 200 dof)
    again = estimator.run([(qc, "IZ", values)], precision=0.05).result()[0].data.evs
    np.testing.assert_array_equal(again, data.evs)
    exact_run = estimator.run([(qc, "IZ", values)]).result()[0].data
    np.testing.assert_allclose(exact_run.evs, exact, atol=1e-12)
    np.testing.assert_array_equal(exact_run.stds, 0.0)


def test_truncation_is_reported() -> None:
    qc = QuantumCircuit(4)
    qc.h(0)
    for i in range(3):
        qc.cx(i, i + 1)
    qc.measure_all()
    result = get_backend("tensornet", max_bond=1, seed=0).sampler.run([qc], shots=100).result()
    assert result[0].metadata["discarded_weight"] == pytest.approx(0.5, abs=1e-9)
    assert result[0].data.meas.num_shots == 100


def test_mid_circuit_measurement_runs_as_trajectories() -> None:
    """Formerly refused: now a measured Bell pair reads 00 or 11, and the estimator sees the
    dephased state (ZZ = 1, XX = 0 instead of the pure Bell state's XX = 1)."""
    qc = QuantumCircuit(2, 2)
    qc.h(0)
    qc.measure(0, 0)
    qc.cx(0, 1)
    qc.measure(1, 1)
    backend = get_backend("tensornet", seed=5)
    result = backend.sampler.run([qc], shots=400).result()[0]
    counts = result.data.c.get_counts()
    assert set(counts) == {"00", "11"} and 150 < counts["00"] < 250
    assert result.metadata["num_branches"] == 2
    dynamic = QuantumCircuit(2, 1)
    dynamic.h(0)
    dynamic.measure(0, 0)
    dynamic.cx(0, 1)
    evs = backend.estimator.run([(dynamic, ["ZZ", "XX"])]).result()[0].data.evs
    np.testing.assert_allclose(evs, [1.0, 0.0], atol=1e-12)


def test_reset_runs() -> None:
    qc = QuantumCircuit(1)
    qc.h(0)
    qc.reset(0)
    qc.measure_all()
    assert TensornetSampler(seed=1).run([qc], shots=30).result()[0].data.meas.get_counts() == {
        "0": 30
    }


def test_unsupported_instruction_is_named() -> None:
    from qiskit.circuit import Instruction

    qc = QuantumCircuit(1, 1)
    qc.measure(0, 0)
    qc.append(Instruction("opaque_thing", 1, 0, []), [0])
    with pytest.raises(ValueError, match=r"pubs\[0\].*'opaque_thing'"):
        TensornetSampler().run([qc])
    with pytest.raises(ValueError, match=r"pubs\[0\].*'opaque_thing'"):
        TensornetEstimator().run([(qc, "Z")])


@pytest.mark.parametrize("name", ["tensornet", "aer", "fake:manila"])
def test_nan_parameter_values_are_refused(name: str) -> None:
    qc = parameterized_circuit()
    values = PARAMETER_SETS.copy()
    values[1, 0] = np.nan
    backend = get_backend(name)
    with pytest.raises(ValueError, match=r"parameter values of pubs\[0\] must be finite"):
        backend.sampler.run([(qc, values)])
    with pytest.raises(ValueError, match=r"must be finite"):
        backend.estimator.run([(parameterized_circuit(measure=False), "ZZZ", values)])


def test_bad_options_are_refused() -> None:
    with pytest.raises(ValueError, match="max_bond"):
        get_backend("tensornet", max_bond=0)
    with pytest.raises(ValueError, match="dtype"):
        get_backend("tensornet", dtype="float32")
    with pytest.raises(ValueError, match="precision"):
        TensornetEstimator().run([(QuantumCircuit(1), "Z")], precision=-1.0)
    with pytest.raises(ValueError, match="shots"):
        TensornetSampler().run([QuantumCircuit(1, 1)], shots=0)


def test_complex64_runs() -> None:
    qc = parameterized_circuit(measure=False)
    pub = (qc, "ZZI", PARAMETER_SETS)
    evs = get_backend("tensornet", dtype="complex64").estimator.run([pub]).result()[0].data.evs
    reference = StatevectorEstimator().run([pub]).result()[0].data.evs
    np.testing.assert_allclose(evs, reference, atol=1e-5)


@pytest.mark.gpu
def test_tensornet_on_cuda_matches_cpu() -> None:
    qc = parameterized_circuit(measure=False)
    pub = (qc, ["ZZI", "XIX"], PARAMETER_SETS[:, None, :])
    cuda = get_backend("tensornet", device="cuda").estimator.run([pub]).result()[0].data.evs
    cpu = get_backend("tensornet").estimator.run([pub]).result()[0].data.evs
    np.testing.assert_allclose(cuda, cpu, atol=1e-10)
