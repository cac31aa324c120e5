"""Qudit classical shadows on the MPS simulator: estimates, variance bound, qubit cross-check."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from scipy.stats import unitary_group

from qtwin.circuits import QuditCircuit
from qtwin.designs.shadows import (
    classical_shadow,
    estimate_fidelity,
    estimate_observable,
    measurement_ensemble,
    median_of_means,
    shadow_variance_bound,
    snapshot_estimates,
    snapshot_fidelities,
)
from qtwin.tensornet import MPS


def _random_mps(d: int, n: int, layers: int = 2, seed: int = 0) -> MPS:
    rng = np.random.default_rng(seed)
    qc = QuditCircuit(d, n)
    for layer in range(layers):
        for i in range(layer % 2, n - 1, 2):
            qc.append(unitary_group.rvs(d * d, random_state=rng), [i, i + 1])
    return MPS.from_circuit(qc)


def _random_hermitian(dim: int, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    a = rng.normal(size=(dim, dim)) + 1j * rng.normal(size=(dim, dim))
    return (a + a.conj().T) / 2


def _dense_probs(psi: np.ndarray, us: list[np.ndarray]) -> np.ndarray:
    """Exact outcome distribution after local rotations (little-endian kron)."""
    full = np.array([[1.0]])
    for u in reversed(us):
        full = np.kron(full, u)
    return np.abs(full @ psi) ** 2


# ------------------------------------------------------------------ the inverse channel
@pytest.mark.parametrize(
    ("d", "ensemble"),
    [
        (2, "pauli"),
        (2, "clifford"),
        (3, "clifford"),
        (5, "clifford"),
        (3, "mub"),
        (4, "mub"),
        (8, "mub"),
        (3, "weighted"),
        (6, "weighted"),
    ],
)
def test_snapshot_is_unbiased_exactly(d, ensemble):
    """sum_U w_U sum_k <k|U rho U^+|k> ((d+1) U^+|k><k|U - I) = rho, enumerated exactly."""
    rho = _random_hermitian(d, 1) + 3 * d * np.eye(d)
    rho /= np.trace(rho)
    name, elements, weights = measurement_ensemble(d, ensemble)
    assert name == ensemble
    if ensemble == "weighted":
        phi = elements  # POVM states, outcome probability d w <psi|rho|psi>
        probs = d * weights * np.einsum("ma,ab,mb->m", phi.conj(), rho, phi).real
        assert probs.sum() == pytest.approx(1.0)
        snaps = (d + 1) * np.einsum("ma,mb->mab", phi, phi.conj()) - np.eye(d)
        avg = np.einsum("m,mab->ab", probs, snaps)
    else:
        phi = elements.conj()  # phi[U, k] = U^dagger |k>
        probs = np.einsum("uka,ab,ukb->uk", phi.conj(), rho, phi).real
        snaps = (d + 1) * np.einsum("uka,ukb->ukab", phi, phi.conj()) - np.eye(d)
        avg = np.einsum("u,uk,ukab->ab", weights, probs, snaps)
    np.testing.assert_allclose(avg, rho, atol=1e-10)


def test_auto_ensemble_choice():
    assert measurement_ensemble(3)[0] == "clifford"
    assert measurement_ensemble(2)[0] == "clifford"
    assert measurement_ensemble(4)[0] == "mub"
    assert measurement_ensemble(9)[0] == "mub"
    assert measurement_ensemble(6)[0] == "haar"


# ------------------------------------------------------------------ sampling
def test_batched_sampler_matches_exact_distribution_and_copies():
    """Empirical (setting, outcome) frequencies of both samplers vs exact Born probabilities."""
    psi = _random_mps(2, 2, seed=4)
    dense = psi.to_dense().numpy()
    name, us, _ = measurement_ensemble(2, "pauli")
    exact = {}
    for a, b in itertools.product(range(3), repeat=2):
        exact[(a, b)] = _dense_probs(dense, [us[a], us[b]]) / 9  # joint with the setting
    num = 9000
    for method in ("batched", "copies"):
        s = classical_shadow(psi, num, ensemble="pauli", method=method, seed=7)
        counts = {}
        for (a, b), (k0, k1) in zip(s.indices.tolist(), s.outcomes.tolist(), strict=True):
            key = (a, b, k0 + 2 * k1)
            counts[key] = counts.get(key, 0) + 1
        chi2 = 0.0
        for (a, b), p in exact.items():
            for k in range(4):
                e = num * p[k]
                if e > 5:
                    chi2 += (counts.get((a, b, k), 0) - e) ** 2 / e
        assert chi2 < 36 * 1.6 + 20, (method, chi2)  # 35 dof; p ~ 1e-4 bound


def test_dense_input_equals_mps_input():
    psi = _random_mps(3, 3, seed=2)
    dense = psi.to_dense().numpy()
    a = classical_shadow(psi, 200, ensemble="haar", seed=5)
    b = classical_shadow(dense, 200, ensemble="haar", d=3, seed=5)
    np.testing.assert_array_equal(a.outcomes, b.outcomes)
    np.testing.assert_allclose(a.unitaries, b.unitaries)


# ------------------------------------------------------------------ estimates vs exact
@pytest.mark.parametrize(
    ("d", "n", "ensemble", "num"),
    [
        (3, 5, "clifford", 6000),
        (3, 5, "haar", 6000),
        (3, 4, "weighted", 6000),
        (4, 4, "mub", 6000),
        (6, 3, "haar", 6000),
    ],
)
def test_observables_and_fidelity_within_standard_errors(d, n, ensemble, num):
    psi = _random_mps(d, n, seed=d + n)
    s = classical_shadow(psi, num, ensemble=ensemble, seed=11)
    assert s.ensemble == ensemble and s.num_snapshots == num
    for sites, seed in (([1], 0), ([0, 2], 1), ([n - 1, n - 2], 2)):
        o = _random_hermitian(d ** len(sites), seed)
        exact = psi.expectation([(o, sites)]).real
        vals = snapshot_estimates(s, o, sites)
        sigma = vals.std() / np.sqrt(num)
        assert abs(vals.mean() - exact) < 4.5 * sigma, (sites, vals.mean(), exact, sigma)
        # the 2-design bound holds for the empirical second moment
        assert np.mean(vals**2) <= shadow_variance_bound(o, d)
        mom = estimate_observable(s, o, sites, num_groups=10)
        assert abs(mom - exact) < 4.5 * sigma * np.sqrt(10)
    # fidelity with a product state (exact from the MPS overlap)
    rng = np.random.default_rng(0)
    prod = [rng.normal(size=d) + 1j * rng.normal(size=d) for _ in range(n)]
    prod = [v / np.linalg.norm(v) for v in prod]
    exact_f = abs(psi.overlap(MPS.product_state(prod))) ** 2
    f = snapshot_fidelities(s, prod)
    assert abs(f.mean() - exact_f) < 4.5 * f.std() / np.sqrt(num)


def test_fidelity_with_entangled_mps_target():
    psi = _random_mps(3, 3, seed=8)
    s = classical_shadow(psi, 20000, ensemble="clifford", seed=3)
    f = snapshot_fidelities(s, psi)
    assert abs(f.mean() - 1.0) < 4.5 * f.std() / np.sqrt(len(f))
    other = _random_mps(3, 3, seed=9)
    exact = abs(psi.overlap(other)) ** 2
    g = snapshot_fidelities(s, other.to_dense().numpy())  # a dense target vector
    assert abs(g.mean() - exact) < 4.5 * g.std() / np.sqrt(len(g))
    assert estimate_fidelity(s, psi, num_groups=5) == pytest.approx(1.0, abs=0.3)


# ------------------------------------------------------------------ variance bound
def test_variance_bound_matches_the_swap_formula():
    """B(O) = tr[(O x O) ((d+1) SWAP - I)^{x k}], built densely for k = 2, d = 3."""
    d, k = 3, 2
    o = _random_hermitian(d**k, 5)
    dim = d**k
    # two copies of two qudits, ordered (copy1: q1 q0, copy2: q1 q0) in a kron
    swap1 = np.zeros((d * d, d * d))
    for a, b in itertools.product(range(d), repeat=2):
        swap1[a * d + b, b * d + a] = 1
    local = (d + 1) * swap1 - np.eye(d * d)  # acts on (copy1 qi, copy2 qi)
    # assemble the operator on copy1 (x) copy2 with qudit order (c1q1, c1q0, c2q1, c2q0)
    op = np.einsum("ACac,BDbd->ABCDabcd", local.reshape(d, d, d, d), local.reshape(d, d, d, d))
    op = op.reshape(dim * dim, dim * dim)
    ref = np.trace(np.kron(o, o) @ op).real
    assert shadow_variance_bound(o, d) == pytest.approx(ref, rel=1e-10)
    # a single traceless qudit observable: (d + 1) ||O||_F^2
    z = np.diag([1.0, -1.0, 0.0])
    assert shadow_variance_bound(z, 3) == pytest.approx(8.0)
    assert shadow_variance_bound(np.eye(9), 3) == pytest.approx(9.0)  # d^k for identity


def test_qubit_pauli_second_moment_is_three_to_the_weight():
    """Pauli measurements: tr(P rho_hat)^2 is 9^w or 0, E = 3^w <= bound 6^w, on any state."""
    psi = _random_mps(2, 4, seed=1)
    s = classical_shadow(psi, 20000, ensemble="pauli", seed=2)
    x = np.array([[0, 1], [1, 0]])
    z = np.diag([1.0, -1.0])
    for o, sites, w in ((z, [1], 1), (np.kron(x, z), [0, 3], 2)):
        vals = snapshot_estimates(s, o, sites)
        assert set(np.round(np.abs(vals), 9)) <= {0.0, float(3**w)}
        assert np.mean(vals**2) == pytest.approx(3**w, rel=0.05)
        assert shadow_variance_bound(o, 2) == pytest.approx(6.0**w)


# ------------------------------------------------------------------ qubit cross-check
def test_qubit_shadows_match_pennylane():
    qml = pytest.importorskip("pennylane")
    psi = _random_mps(2, 3, seed=6)
    s = classical_shadow(psi, 3000, ensemble="pauli", seed=4)
    shadow = qml.ClassicalShadow(s.outcomes, s.indices)  # recipes 0, 1, 2 = X, Y, Z
    mats = {
        "X": np.array([[0, 1], [1, 0]]),
        "Y": np.array([[0, -1j], [1j, 0]]),
        "Z": np.diag([1.0, -1.0]),
    }
    ops = {"X": qml.PauliX, "Y": qml.PauliY, "Z": qml.PauliZ}
    for word in (("X", 0), ("Y", 1), ("Z", 2)), (("X", 0), ("Z", 2)), (("Y", 0), ("Y", 1)):
        sites = [q for _, q in word]
        mat = np.array([[1.0]])
        for p, _ in reversed(word):  # little-endian: the first site is the last factor
            mat = np.kron(mat, mats[p])
        if len(word) == 3:
            mat = np.kron(np.kron(mats["Z"], mats["Y"]), mats["X"])
        obs = ops[word[0][0]](word[0][1])
        for p, q in word[1:]:
            obs = obs @ ops[p](q)
        for k in (1, 10):
            ref = float(shadow.expval(obs, k=k))
            assert estimate_observable(s, mat, sites, num_groups=k) == pytest.approx(ref, abs=1e-10)


def test_qubit_clifford_snapshots_are_three_u_b_u_minus_identity():
    """d = 2 Clifford shadows: each snapshot is 3 U^+|b><b|U - I (HKP), checked densely."""
    psi = _random_mps(2, 2, seed=3)
    s = classical_shadow(psi, 50, ensemble="clifford", seed=1)
    o = _random_hermitian(4, 3)
    vals = snapshot_estimates(s, o, [0, 1])
    for n in range(50):
        local = []
        for q in range(2):
            u = s.unitaries[s.indices[n, q]]
            b = np.zeros(2)
            b[s.outcomes[n, q]] = 1
            local.append(3 * np.outer(u.conj().T @ b, b @ u) - np.eye(2))
        rho_hat = np.kron(local[1], local[0])
        assert vals[n] == pytest.approx(np.trace(o @ rho_hat).real, abs=1e-10)


def test_median_of_means():
    x = np.arange(20.0)
    assert median_of_means(x, 1) == pytest.approx(x.mean())
    assert median_of_means(x, 4) == pytest.approx(np.median([2, 7, 12, 17]))
    assert median_of_means([5.0], 10) == 5.0


# ------------------------------------------------------------------ bad input
@pytest.mark.parametrize(
    ("call", "match"),
    [
        (lambda: classical_shadow(MPS.zeros(2, 6), 5, ensemble="clifford"), "needs a prime d"),
        (lambda: classical_shadow(MPS.zeros(2, 6), 5, ensemble="mub"), "prime-power d"),
        (lambda: classical_shadow(MPS.zeros(2, 3), 5, ensemble="pauli"), "for qubits"),
        (lambda: classical_shadow(MPS.zeros(2, 3), 5, ensemble="nope"), "ensemble must be one of"),
        (lambda: classical_shadow(MPS.zeros(2, 3), 0), "num_snapshots"),
        (lambda: classical_shadow(np.ones(9), 5, d=3), "normalized"),
        (lambda: classical_shadow(np.ones(9) / 3, 5), "pass d="),
        (lambda: classical_shadow(np.ones(8) / 8**0.5, 5, d=3), "not n qudits"),
        (lambda: classical_shadow(MPS.zeros(2, [2, 3]), 5), "one local dimension"),
        (lambda: classical_shadow(MPS.zeros(2, 3), 5, method="fast"), "method must be one of"),
        (
            lambda: classical_shadow(MPS.zeros(2, 3), 5, ensemble="weighted", method="copies"),
            "basis ensemble",
        ),
        (lambda: classical_shadow(MPS.zeros(2, 2), 5, ensemble=np.eye(2)[None]), "not a"),
        (
            lambda: classical_shadow(
                MPS.zeros(2, 2), 5, ensemble=(np.stack([np.eye(2)] * 2), [0.7, 0.7])
            ),
            "summing to 1",
        ),
        (lambda: classical_shadow(MPS.zeros(2, 2), 5, ensemble=np.ones((1, 2, 2))), "unitary"),
    ],
)
def test_bad_shadow_input(call, match):
    with pytest.raises((ValueError, TypeError), match=match):
        call()


@pytest.mark.parametrize(
    ("args", "match"),
    [
        ((np.eye(3), [0]), "must be a \\(2, 2\\) matrix"),
        ((np.array([[0, 1], [0, 0]]), [0]), "Hermitian"),
        ((np.eye(2), [5]), "sites must be distinct"),
        ((np.eye(4), [1, 1]), "sites must be distinct"),
        ((np.full((2, 2), np.nan), [0]), "finite"),
    ],
)
def test_bad_observable(args, match):
    s = classical_shadow(MPS.zeros(3, 2), 10, seed=0)
    with pytest.raises(ValueError, match=match):
        estimate_observable(s, *args)


def test_custom_weighted_ensemble_is_accepted_and_checked():
    name, us, w = measurement_ensemble(2, "pauli")
    third = 1 / 3
    # the Pauli bases twice, unequal weights that still give each basis 1/3: a 2-design
    weights = [0.1, 0.2, 0.3, third - 0.1, third - 0.2, third - 0.3]
    s = classical_shadow(
        MPS.zeros(2, 2), 4000, ensemble=(np.concatenate([us, us]), weights), seed=0
    )
    assert s.ensemble == "custom"
    z = np.diag([1.0, -1.0])
    assert estimate_observable(s, z, [0]) == pytest.approx(1.0, abs=0.25)
    # unbalanced bases are not a 2-design: the inverse channel would be biased
    with pytest.raises(ValueError, match="F_2 = "):
        measurement_ensemble(2, (us, [0.5, 0.25, 0.25]))


def test_shadow_data_to_dataframe_is_tidy():
    from qtwin.designs.shadows import classical_shadow

    psi = np.zeros(9)
    psi[0] = 1.0
    shadow = classical_shadow(psi, 5, d=3, ensemble="clifford", seed=3)
    df = shadow.to_dataframe()
    assert df.columns.tolist() == ["snapshot", "site", "setting", "outcome"]
    table = df.pivot(index="snapshot", columns="site", values="outcome").to_numpy()
    np.testing.assert_array_equal(table, shadow.outcomes)
    settings = df.pivot(index="snapshot", columns="site", values="setting").to_numpy()
    np.testing.assert_array_equal(settings, shadow.indices)
