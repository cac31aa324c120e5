"""Standard, character and interleaved RB against exact closed forms and exact group averages."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from scipy.stats import unitary_group

from qtwin.designs.clifford import clifford_group, clifford_group_order
from qtwin.rb.channels import (
    amplitude_damping_cascade,
    compose,
    dephasing,
    depolarizing,
    from_kraus,
)
from qtwin.rb.fidelity import average_gate_fidelity, clifford_irreps, rb_decays, wh_characters
from qtwin.rb.fit import fit_decay, fit_exponential
from qtwin.rb.protocols import RBWarning, character_rb, interleaved_rb, standard_rb
from qtwin.rb.simulate import clifford_index, expected_survival, simulate_survival

LENGTHS = [1, 2, 4, 8, 16, 32, 64]
TINY = 1e-12  # float slack for zero-width intervals (depolarizing: every sequence is equal)


def random_channel(d: int, seed: int):
    v = unitary_group.rvs(3 * d, random_state=seed)[:, :d]
    return from_kraus(v.reshape(3, d, d))


def noise_models(d: int):
    return {
        "amplitude_damping": amplitude_damping_cascade(d, 0.03),
        "dephasing": dephasing(d, 0.04),
    }


@pytest.mark.parametrize("d", [2, 3, 4, 5, 6])
@pytest.mark.parametrize("model", ["amplitude_damping", "dephasing"])
def test_character_rb_fidelity_in_ci(d, model):
    # ten fixed-seed cases at one level: a calibrated 95 % interval would miss one of them
    # about half the time, so each case is checked at 99 % and the calibration of the 95 %
    # interval is tested on its own below (test_character_rb_interval_coverage)
    ch = noise_models(d)[model]
    res = character_rb(d, LENGTHS, 20, ch, seed=100 + d, confidence=0.99)
    exact = average_gate_fidelity(ch)
    lo, hi = res.fidelity_ci
    assert lo - TINY <= exact <= hi + TINY, (exact, res.fidelity, res.fidelity_ci)
    # one decay per proper divisor of d, with its irrep dimension
    divisors = [g for g in range(1, d) if d % g == 0]
    assert [x.g for x in res.decays] == divisors
    assert [x.dim for x in res.decays] == [s.dim for s in clifford_irreps(d)]
    for x, (g, f) in zip(res.decays, rb_decays(ch).items(), strict=True):
        assert x.g == g and abs(x.f - f) < 0.01


def test_character_rb_interval_coverage():
    """The nominal 95 % interval covers the exact fidelity in (close to) 95 % of seeds."""
    ch = dephasing(2, 0.04)
    exact = average_gate_fidelity(ch)
    runs = 60
    hits = 0
    for seed in range(runs):
        lo, hi = character_rb(2, LENGTHS, 20, ch, seed=1000 + seed, num_bootstrap=100).fidelity_ci
        hits += lo <= exact <= hi
    # 60 Bernoulli(0.95) trials fall below 0.85 with probability < 0.2 %
    assert hits / runs >= 0.85, hits / runs


@pytest.mark.parametrize("d", [2, 3, 5, 6])
def test_depolarizing_exact(d):
    p = 0.03
    res = character_rb(d, [1, 3, 10], 2, depolarizing(d, p), seed=0)
    for x in res.decays:
        assert x.f == pytest.approx(1 - p, abs=1e-9)
        # the weighted signal is exactly A_sigma f^m with A_sigma = d_s <<E|Lambda P_s|rho>>
        assert np.allclose(
            x.signal.mean(1), expected_survival(depolarizing(d, p), [1, 3, 10], g=x.g)
        )
    assert res.fidelity == pytest.approx(1 - p * (d - 1) / d, abs=1e-9)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RBWarning)
        std = standard_rb(d, [1, 3, 10, 30], 3, depolarizing(d, p), seed=0)
    # closed form #13: p_m = (1 - 1/d) f^(m+1) + 1/d (the inverse gate is noisy too), every sequence
    m = np.array([1, 3, 10, 30])[:, None]
    assert np.allclose(std.survival, (1 - 1 / d) * (1 - p) ** (m + 1) + 1 / d, atol=1e-12)
    assert std.fidelity == pytest.approx(1 - p * (d - 1) / d, abs=1e-9)


@pytest.mark.parametrize("d", [2, 3, 4, 6])
def test_exact_group_average_through_simulator(d):
    """All Clifford sequences of length 1 (and 2 for d = 2): signal = closed form, exactly."""
    ch = random_channel(d, seed=d)
    n = clifford_group_order(d)
    seqs = np.arange(n)[:, None]
    if d == 2:
        seqs = np.stack(np.meshgrid(np.arange(n), np.arange(n), indexing="ij"), -1).reshape(-1, 2)
    m = seqs.shape[1]
    p = simulate_survival(d, seqs, ch, characters="all")  # (N, d^2)
    assert simulate_survival(d, seqs, ch).mean() == pytest.approx(expected_survival(ch, [m])[0])
    total = p[:, 0].mean()  # u = 0 is standard RB
    assert total == pytest.approx(expected_survival(ch, [m])[0], abs=1e-12)
    for s in clifford_irreps(d):
        k = s.dim * (p @ wh_characters(s)).mean() / d**2
        assert k == pytest.approx(expected_survival(ch, [m], g=s.g)[0], abs=1e-12)


@pytest.mark.parametrize("d", [4, 6])
def test_character_signal_has_no_offset_exact(d):
    """Dense group twirl T (test-side), k_s(m) = d_s/d^2 sum_u chi_s(u) <<E|L T^m L(D_u)|rho>>."""
    ch = random_channel(d, seed=7 * d)
    u = clifford_group(d).unitaries
    lc = np.einsum("kij,kab->kiajb", u, u.conj()).reshape(len(u), d * d, d * d)
    twirl = np.matmul(lc.conj().transpose(0, 2, 1), ch.superop @ lc).mean(axis=0)
    e = np.zeros(d * d)
    e[0] = 1
    left = e @ ch.superop
    ws = [w.reshape(-1) for w in _displaced_zero(d)]  # L(D_u)|0><0|, all u
    ms = np.arange(0, 25)
    sig = []
    for m in ms:
        tm = np.linalg.matrix_power(twirl, m)
        sig.append([(left @ tm @ w).real for w in ws])
    sig = np.array(sig)  # (M, d^2)
    dec = rb_decays(ch)
    for s in clifford_irreps(d):
        k = s.dim * sig @ wh_characters(s) / d**2
        f, a, b = fit_exponential(ms, k, offset=True)
        assert abs(b) < 1e-9 and f == pytest.approx(dec[s.g], abs=1e-9)


def _displaced_zero(d):
    from qtwin.designs.weyl import weyl_heisenberg

    zero = np.zeros((d, d))
    zero[0, 0] = 1
    return [dv @ zero @ dv.conj().T for dv in weyl_heisenberg(d)]


@pytest.mark.parametrize("d", [4, 6])
def test_character_signal_has_no_offset_sampled(d):
    ch = compose(amplitude_damping_cascade(d, 0.05), dephasing(d, 0.05))
    res = character_rb(d, LENGTHS, 15, ch, seed=5)
    for x in res.decays:
        fit = fit_decay(res.lengths, x.signal, offset=True, seed=1)
        assert fit.b_ci[0] <= 0 <= fit.b_ci[1], (x.g, fit.b, fit.b_ci)


def test_gate_dependent_noise_consistent_and_ci():
    d = 3
    ch = amplitude_damping_cascade(d, 0.03)
    a = character_rb(d, [1, 4, 16], 5, ch, seed=3)
    b = character_rb(d, [1, 4, 16], 5, lambda k: ch, seed=3)
    assert np.allclose(a.survival, b.survival, atol=1e-13)
    # genuinely gate-dependent: noise depends on the Clifford; the inverse gets its own noise
    noise = {k: dephasing(d, 0.02 + 0.04 * (k % 2)) for k in range(clifford_group_order(d))}
    res = character_rb(d, LENGTHS, 20, noise, seed=4)
    avg = np.mean([average_gate_fidelity(c) for c in noise.values()])
    assert abs(res.fidelity - avg) < 0.003


def test_shots_and_standard_ci():
    d = 5
    ch = amplitude_damping_cascade(d, 0.03)
    res = standard_rb(d, LENGTHS, 20, ch, seed=8, shots=200)
    exact = average_gate_fidelity(ch)
    assert res.fidelity_ci[0] <= exact <= res.fidelity_ci[1]
    assert np.all(np.isclose(res.survival * 200, np.round(res.survival * 200)))


def test_composite_standard_rb_warns():
    d = 6
    ch = random_channel(d, seed=11)
    dec = rb_decays(ch)
    with pytest.warns(RBWarning, match="reduced chi\\^2"):
        res = standard_rb(d, LENGTHS, 30, ch, seed=2)
    assert not res.single_decay
    assert len(set(np.round(list(dec.values()), 3))) == 3  # distinct decays


@pytest.mark.parametrize("method,d", [("standard", 3), ("character", 6)])
def test_interleaved(method, d):
    gate_noise = amplitude_damping_cascade(d, 0.04)
    gate = clifford_group(d).unitaries[37]
    res = interleaved_rb(
        d, LENGTHS, 20, gate, depolarizing(d, 0.01), gate_noise, method=method, seed=9
    )
    assert res.gate == clifford_index(gate, d) == 37
    exact = average_gate_fidelity(gate_noise)
    lo, hi = res.gate_fidelity_ci
    assert lo <= exact <= hi, (exact, res.gate_fidelity, res.gate_fidelity_ci)
    if method == "standard":
        assert abs(res.gate_error - (1 - exact)) <= res.systematic_bound


def test_bad_input():
    ch = depolarizing(2, 0.1)
    with pytest.raises(ValueError, match="d must be an integer >= 2"):
        standard_rb(1, LENGTHS, 5, None)
    with pytest.raises(ValueError, match="lengths must be a non-empty"):
        character_rb(3, [], 5)
    with pytest.raises(ValueError, match="lengths must be integers >= 1"):
        standard_rb(2, [0, 1, 2], 5)
    with pytest.raises(ValueError, match="num_samples must be an integer >= 1"):
        standard_rb(2, LENGTHS, -3, ch)
    with pytest.raises(ValueError, match="not trace preserving"):
        standard_rb(2, LENGTHS, 3, _bad_channel())
    with pytest.raises(ValueError, match="acts on dimension 2"):
        character_rb(3, LENGTHS, 3, ch)
    with pytest.raises(ValueError, match="confidence"):
        character_rb(2, LENGTHS, 3, ch, confidence=1.5)
    with pytest.raises(ValueError, match="characters must be one of"):
        character_rb(2, LENGTHS, 3, ch, characters="some")
    with pytest.raises(ValueError, match="not a Clifford unitary"):
        interleaved_rb(2, LENGTHS, 3, np.diag([1, np.exp(0.3j)]), ch)


def _bad_channel():
    from qtwin.rb.channels import Channel

    return Channel(2, 1.1 * np.eye(4), None)


def test_results_to_dict_and_dataframe_carry_the_data():
    """to_dict is strict JSON; to_dataframe's means and fits are the survival data's own."""
    import json

    ch = amplitude_damping_cascade(4, 0.05)
    std = standard_rb(3, [1, 4, 8, 16], 5, amplitude_damping_cascade(3, 0.05), seed=2)
    df = std.to_dataframe()
    np.testing.assert_allclose(df["mean"], std.survival.mean(axis=1))
    np.testing.assert_allclose(
        df["sem"], std.survival.std(axis=1, ddof=1) / np.sqrt(std.survival.shape[1])
    )
    f, a, b = std.fit.f, std.fit.a, std.fit.b
    np.testing.assert_allclose(df["fit"], a * f ** np.array([1, 4, 8, 16]) + b)
    np.testing.assert_allclose(df["residual"], df["mean"] - df["fit"])
    d = json.loads(json.dumps(std.to_dict(), allow_nan=False))
    assert d["survival"] == std.survival.tolist() and d["fit"]["f"] == std.fit.f

    char = character_rb(4, [1, 4, 8], 3, ch, seed=1)
    cdf = char.to_dataframe()
    assert len(cdf) == 3 * len(char.decays)
    for x in char.decays:
        rows = cdf[cdf["g"] == x.g]
        np.testing.assert_allclose(rows["mean"], x.signal.mean(axis=1))
        assert set(rows["f"]) == {x.f} and set(rows["dim"]) == {x.dim}
    cd = json.loads(json.dumps(char.to_dict(), allow_nan=False))
    assert [x["g"] for x in cd["decays"]] == [x.g for x in char.decays]
    assert cd["fidelity"] == char.fidelity and "fidelity_samples" not in cd

    inter = interleaved_rb(4, [1, 4, 8], 3, 5, ch, method="character", seed=0)
    idf = inter.to_dataframe()
    np.testing.assert_allclose(idf["gate_decay"], idf["interleaved_f"] / idf["reference_f"])
    assert json.loads(json.dumps(inter.to_dict()))["gate_fidelity"] == inter.gate_fidelity
