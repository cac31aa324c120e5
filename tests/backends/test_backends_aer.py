"""The Aer wrapper: per-circuit method choice, unrolling, and the controlled-gate workaround."""

from __future__ import annotations

import numpy as np
import pytest
from qiskit import QuantumCircuit
from qiskit.circuit import Parameter
from qiskit.circuit.library import QFTGate
from qiskit.primitives import StatevectorEstimator

from qtwin.backends import STATEVECTOR_MAX_QUBITS, AerAutoEstimator, AerAutoSampler, get_backend


def test_method_is_chosen_by_width() -> None:
    sampler = AerAutoSampler()
    assert sampler.method_for(QuantumCircuit(STATEVECTOR_MAX_QUBITS)) == "statevector"
    assert sampler.method_for(QuantumCircuit(STATEVECTOR_MAX_QUBITS + 1)) == "matrix_product_state"
    fixed = AerAutoEstimator(method="density_matrix")
    assert fixed.method_for(QuantumCircuit(40)) == "density_matrix"
    with pytest.raises(ValueError, match="method must be one of"):
        AerAutoSampler(method="quantum")


def test_wide_ghz_runs_on_matrix_product_state() -> None:
    n = 40
    qc = QuantumCircuit(n)
    qc.h(0)
    for i in range(n - 1):
        qc.cx(i, i + 1)
    qc.measure_all()
    small = QuantumCircuit(2)
    small.x(1)
    small.measure_all()
    result = get_backend("aer", seed=3).sampler.run([qc, small], shots=200).result()
    assert set(result[0].data.meas.get_counts()) == {"0" * n, "1" * n}
    assert result[1].data.meas.get_counts() == {"10": 200}  # order of PUBs is kept


def test_unknown_instructions_are_unrolled() -> None:
    qc = QuantumCircuit(3)
    qc.h([0, 1])
    qc.append(QFTGate(3), [0, 1, 2])
    obs = ["ZII", "XXI", "IYZ"]
    evs = get_backend("aer").estimator.run([(qc, obs)]).result()[0].data.evs
    reference = StatevectorEstimator().run([(qc, obs)]).result()[0].data.evs
    np.testing.assert_allclose(evs, reference, atol=1e-10)


@pytest.mark.parametrize("gate", ["crx", "cry", "crz", "cp"])
def test_parameterized_controlled_rotations_bind_correctly(gate: str) -> None:
    """Regression for Qiskit Aer issues #2323/#2391/#2403 (wrong binds in Aer primitives)."""
    theta = Parameter("theta")
    qc = QuantumCircuit(2)
    qc.h([0, 1])
    qc.ry(0.3, [0, 1])
    getattr(qc, gate)(theta, 0, 1)
    qc.rx(0.4, 1)
    obs = ["ZI", "IZ", "XX", "YZ"]
    pub = (qc, [[o] for o in obs], [0.7, 1.9])
    evs = get_backend("aer").estimator.run([pub]).result()[0].data.evs
    reference = StatevectorEstimator().run([pub]).result()[0].data.evs
    np.testing.assert_allclose(evs, reference, atol=1e-10)


def test_aer_supports_mid_circuit_measurement() -> None:
    qc = QuantumCircuit(2, 2)
    qc.x(0)
    qc.measure(0, 0)
    qc.cx(0, 1)
    qc.measure(1, 1)
    counts = get_backend("aer", seed=1).sampler.run([qc], shots=30).result()[0].data.c
    assert counts.get_counts() == {"11": 30}


def test_aer_precision() -> None:
    qc = QuantumCircuit(1)
    data = get_backend("aer", seed=5).estimator.run([(qc, "Z")], precision=0.1).result()[0].data
    assert data.stds == pytest.approx(0.1)
    assert data.evs != 1.0 and abs(data.evs - 1.0) < 0.6


@pytest.mark.gpu
def test_aer_gpu_agrees_with_cpu() -> None:
    from qtwin.backends import available_backends

    if "aer-gpu" not in available_backends():
        pytest.skip("CUDA device present but qiskit-aer-gpu is not installed")
    qc = QuantumCircuit(3)
    qc.h(0)
    qc.cx(0, 1)
    qc.ry(0.4, 2)
    obs = ["ZZI", "XXI", "ZII"]
    gpu = get_backend("aer-gpu").estimator.run([(qc, obs)]).result()[0].data.evs
    cpu = get_backend("aer", device="CPU").estimator.run([(qc, obs)]).result()[0].data.evs
    np.testing.assert_allclose(gpu, cpu, atol=1e-10)
