"""Exact RB survival probabilities against a dense density-matrix simulation of each sequence.

The reference applies every gate and its noise channel to a ``d x d`` density matrix with
numpy (Kraus operators, no Liouville representation, no Clifford tables): the Cliffords
``C_1 .. C_m`` (the character gate ``D(u)`` merged into ``C_1``, an interleaved gate ``G``
after every ``C_j``), then the inverse of everything but ``D(u)``, one channel after each.
"""

from __future__ import annotations

import numpy as np
import pytest

from qtwin.designs.clifford import clifford_group, clifford_group_order
from qtwin.designs.weyl import weyl_heisenberg
from qtwin.rb.channels import (
    amplitude_damping_cascade,
    coherent_overrotation,
    compose,
    depolarizing,
)
from qtwin.rb.simulate import (
    clifford_index,
    clifford_unitaries,
    expected_survival,
    sample_sequences,
    simulate_survival,
)


def dense_survival(d, seq, channel, u=None, gate=None, gate_channel=None):
    """Probability of |0> after the sequence, by explicit density-matrix evolution."""
    cliffords = clifford_group(d).unitaries
    rho = np.zeros((d, d), dtype=complex)
    rho[0, 0] = 1.0

    def step(rho, g, ch):
        return ch.apply(g @ rho @ g.conj().T)

    ideal = np.eye(d, dtype=complex)
    for j, c in enumerate(seq):
        gate_u = cliffords[c]
        first = gate_u @ weyl_heisenberg(d)[u] if (j == 0 and u is not None) else gate_u
        rho = step(rho, first, channel)
        ideal = gate_u @ ideal
        if gate is not None:
            rho = step(rho, cliffords[gate], gate_channel)
            ideal = cliffords[gate] @ ideal
    rho = step(rho, ideal.conj().T, channel)
    return rho[0, 0].real


@pytest.mark.parametrize("d", [2, 3, 4, 6])
def test_standard_survival_matches_dense_evolution(d):
    ch = compose(amplitude_damping_cascade(d, 0.1), coherent_overrotation(d, 0.2))
    seqs = sample_sequences(d, 4, 5, seed=d)
    got = simulate_survival(d, seqs, ch)
    ref = [dense_survival(d, s, ch) for s in seqs]
    np.testing.assert_allclose(got, ref, atol=1e-12)


@pytest.mark.parametrize("d", [2, 4])
def test_character_gates_match_dense_evolution(d):
    ch = amplitude_damping_cascade(d, 0.15)
    seqs = sample_sequences(d, 3, 3, seed=10 + d)
    got = simulate_survival(d, seqs, ch, characters="all")  # (S, d^2)
    ref = [[dense_survival(d, s, ch, u=u) for u in range(d * d)] for s in seqs]
    np.testing.assert_allclose(got, ref, atol=1e-12)
    some = np.array([[0, 1], [3, 1], [d * d - 1, 2]])
    np.testing.assert_allclose(
        simulate_survival(d, seqs, ch, characters=some), np.take_along_axis(got, some, 1)
    )


def test_interleaved_gate_matches_dense_evolution():
    d = 3
    ch, gate_ch = depolarizing(d, 0.02), amplitude_damping_cascade(d, 0.2)
    seqs = sample_sequences(d, 4, 4, seed=2)
    got = simulate_survival(d, seqs, ch, interleaved=17, interleaved_noise=gate_ch)
    ref = [dense_survival(d, s, ch, gate=17, gate_channel=gate_ch) for s in seqs]
    np.testing.assert_allclose(got, ref, atol=1e-12)


def test_gate_dependent_noise_matches_dense_evolution():
    d = 3
    n = clifford_group_order(d)
    channels = {k: amplitude_damping_cascade(d, 0.01 + 0.2 * k / n) for k in range(n)}
    seqs = sample_sequences(d, 3, 4, seed=5)
    got = simulate_survival(d, seqs, channels)
    cliffords = clifford_group(d).unitaries
    for s, p in zip(seqs, got, strict=True):
        rho = np.zeros((d, d), dtype=complex)
        rho[0, 0] = 1.0
        ideal = np.eye(d)
        for c in s:
            rho = channels[c].apply(cliffords[c] @ rho @ cliffords[c].conj().T)
            ideal = cliffords[c] @ ideal
        inv = clifford_index(ideal.conj().T, d)
        rho = channels[int(inv)].apply(ideal.conj().T @ rho @ ideal)
        assert p == pytest.approx(rho[0, 0].real, abs=1e-12)


def test_expected_survival_is_the_mean_over_all_sequences():
    """For m = 1 the Clifford average is a finite sum: the closed form against all of it."""
    d = 3
    ch = compose(amplitude_damping_cascade(d, 0.1), coherent_overrotation(d, 0.3))
    seqs = np.arange(clifford_group_order(d))[:, None]
    mean = np.mean([dense_survival(d, s, ch) for s in seqs])
    assert expected_survival(ch, [1])[0] == pytest.approx(mean, abs=1e-12)


def test_shots_are_binomial_around_the_exact_value():
    d = 2
    ch = depolarizing(d, 0.05)
    seqs = np.tile(sample_sequences(d, 5, 1, seed=0), (4000, 1))
    exact = simulate_survival(d, seqs[:1], ch)[0]
    sampled = simulate_survival(d, seqs, ch, shots=50, seed=3)
    assert set(np.round(sampled * 50, 9)) <= set(float(k) for k in range(51))
    assert sampled.mean() == pytest.approx(exact, abs=4 * np.sqrt(exact * (1 - exact) / 50 / 4000))
    assert sampled.var() == pytest.approx(exact * (1 - exact) / 50, rel=0.1)


def test_clifford_unitaries_and_index_round_trip():
    d = 4
    idx = np.array([0, 5, 700, 767])
    us = clifford_unitaries(d, idx)
    np.testing.assert_allclose(us, clifford_group(d).unitaries[idx], atol=1e-12)
    assert clifford_index(us, d).tolist() == idx.tolist()
