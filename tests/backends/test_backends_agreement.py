"""The same PUBs on tensornet, aer, pennylane and a fake device agree.

Noiseless backends are compared with exact probabilities from ``qiskit.quantum_info.Statevector``
within a shot-noise bound on the total-variation distance; expectation values agree to 1e-10.
The fake device is noisy: its allowance adds the probability that any error occurs, a union
bound over the device's own reported gate and readout errors on the transpiled circuit
(``backends_helpers.error_probability``).
"""

from __future__ import annotations

import numpy as np
import pytest
from backends_helpers import (
    PARAMETER_SETS,
    error_probability,
    exact_probabilities,
    parameterized_circuit,
    tv_bound,
    tv_distance,
)
from qiskit.primitives import StatevectorEstimator
from qiskit.quantum_info import SparsePauliOp

from qtwin.backends import get_backend

SHOTS = 4000
NOISELESS = ["tensornet", "aer", "pennylane:default.qubit", "pennylane:lightning.qubit"]


@pytest.mark.parametrize("name", NOISELESS)
def test_sampler_matches_exact_distribution(name: str, pqc) -> None:
    result = get_backend(name, seed=11).sampler.run([(pqc, PARAMETER_SETS)], shots=SHOTS).result()
    bits = result[0].data.c
    assert bits.shape == (len(PARAMETER_SETS),)
    assert bits.num_shots == SHOTS and bits.num_bits == 3
    for i, values in enumerate(PARAMETER_SETS):
        probs = exact_probabilities(pqc, values)
        assert tv_distance(bits.get_counts(i), probs) < tv_bound(8, SHOTS)


def test_tensornet_and_aer_samples_agree(pqc) -> None:
    """Two independent empirical distributions: TV <= twice the one-sample bound."""
    runs = [
        get_backend(name, seed=5).sampler.run([(pqc, PARAMETER_SETS)], shots=SHOTS).result()
        for name in ["tensornet", "aer"]
    ]
    for i in range(len(PARAMETER_SETS)):
        counts_t, counts_a = (r[0].data.c.get_counts(i) for r in runs)
        probs_a = {k: v / SHOTS for k, v in counts_a.items()}
        assert tv_distance(counts_t, probs_a) < 2 * tv_bound(8, SHOTS)


def test_fake_device_close_to_exact_within_noise_budget(pqc) -> None:
    backend = get_backend("fake:manila", seed=3)
    budget = error_probability(backend, pqc)
    assert 0 < budget < 0.5, "the noise allowance must stay meaningful"
    bits = backend.sampler.run([(pqc, PARAMETER_SETS)], shots=SHOTS).result()[0].data.c
    assert bits.shape == (len(PARAMETER_SETS),)
    for i, values in enumerate(PARAMETER_SETS):
        tv = tv_distance(bits.get_counts(i), exact_probabilities(pqc, values))
        assert tv < tv_bound(8, SHOTS) + budget


OBSERVABLES = [
    [SparsePauliOp(["ZZI", "XIX"], [0.5, 0.25])],
    [SparsePauliOp(["IYZ", "III"], [1.0, -0.3])],
    [SparsePauliOp("XYZ")],
]


@pytest.mark.parametrize("name", ["tensornet", "aer", "pennylane:lightning.qubit"])
def test_estimator_exact_values_match_statevector(name: str) -> None:
    qc = parameterized_circuit(measure=False)
    pub = (qc, OBSERVABLES, PARAMETER_SETS)  # (3, 1) observables x (3,) parameter sets
    expected = StatevectorEstimator().run([pub]).result()[0].data.evs
    data = get_backend(name).estimator.run([pub]).result()[0].data
    assert data.evs.shape == (3, 3)
    np.testing.assert_allclose(data.evs, expected, atol=1e-10)
    np.testing.assert_array_equal(data.stds, 0.0)


def test_estimator_tensornet_equals_aer() -> None:
    qc = parameterized_circuit(measure=False)
    pub = (qc, OBSERVABLES, PARAMETER_SETS)
    evs = [get_backend(n).estimator.run([pub]).result()[0].data.evs for n in ["tensornet", "aer"]]
    np.testing.assert_allclose(evs[0], evs[1], atol=1e-10)


def test_fake_estimator_maps_observables_through_the_layout() -> None:
    r"""Noisy expectation values stay within the noise budget of the exact ones.

    With error probability ``P`` (no readout in the estimator) the trace distance to the ideal
    state is at most ``P``, so :math:`|\Delta\langle O\rangle| \le 2P\|O\|`; Aer averages
    noise over 1024 trajectories, adding at most :math:`2\|O\|\sqrt{P/1024}` per standard
    deviation (only error trajectories deviate). A wrong qubit mapping would make a Pauli
    read the wrong qubit and move values by O(1).
    """
    qc = parameterized_circuit(measure=False)
    backend = get_backend("fake:manila", seed=2)
    pub = (qc, OBSERVABLES, PARAMETER_SETS)
    expected = StatevectorEstimator().run([pub]).result()[0].data.evs
    evs = backend.estimator.run([pub]).result()[0].data.evs
    assert evs.shape == (3, 3)
    p = error_probability(backend, qc, readout=False)
    norm = np.array([0.75, 1.3, 1.0])[:, None]  # sum of |coefficients| per observable
    allowance = (2 * p + 5 * 2 * np.sqrt(p / 1024)) * norm
    assert np.all(np.abs(evs - expected) <= allowance)
