"""Qudit Clifford group: closed-form orders, generator closure, normalizers, uniform sampling."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from scipy.stats import chisquare

from qtwin.circuits.qudit_gates import clock, displacement, fourier, shift
from qtwin.designs.clifford import (
    clifford_group,
    clifford_group_order,
    clifford_symplectic,
    clifford_unitary,
    is_symplectic,
    is_wh_normalizer,
    phase_gate,
    random_clifford,
    random_symplectic,
    symplectic_action,
    symplectic_group,
)
from qtwin.designs.weyl import displacement_operator, weyl_heisenberg

ORDERS = {2: 24, 3: 216, 4: 768, 5: 3000, 6: 5184, 7: 16464, 8: 24576, 9: 52488}


def key(u: np.ndarray) -> bytes:
    """Canonical form modulo a global phase (first entry of size > 1e-6 made real positive)."""
    flat = u.ravel()
    i = int(np.argmax(np.abs(flat) > 1e-6))
    return (np.round(flat * abs(flat[i]) / flat[i], 6) + 0.0).tobytes()


def brute_force_sl2_count(d: int) -> int:
    return sum((a * e - b * c) % d == 1 for a, b, c, e in itertools.product(range(d), repeat=4))


def primes_dividing(d: int) -> list[int]:
    return [p for p in range(2, d + 1) if d % p == 0 and all(p % q for q in range(2, p))]


@pytest.mark.parametrize("d", range(2, 10))
def test_order_closed_form(d):
    # |C_d / U(1)| = d^2 |SL(2, Z_d)| = d^5 prod_{p | d} (1 - p^-2): all global phases quotiented
    closed = d**5 * np.prod([1 - p**-2.0 for p in primes_dividing(d)])
    assert clifford_group_order(d) == ORDERS[d] == round(closed)
    assert len(symplectic_group(d)) == brute_force_sl2_count(d)
    assert clifford_group_order(d) == d**2 * brute_force_sl2_count(d)
    G = clifford_group(d)
    assert len(G) == G.order == ORDERS[d]
    assert G.symplectic.shape == (ORDERS[d], 2, 2) and G.shifts.shape == (ORDERS[d], 2)
    pairs = np.concatenate([G.symplectic.reshape(-1, 4), G.shifts], axis=1)
    assert len(np.unique(pairs, axis=0)) == ORDERS[d]


def test_multi_qudit_orders():
    assert clifford_group_order(2, 2) == 11520  # qiskit-experiments NUM_CLIFFORD_2_QUBIT
    assert clifford_group_order(3, 2) == 4199040
    # |Sp(4, Z_2)| = 720 by brute force over all 4x4 binary matrices
    mats = ((np.arange(2**16)[:, None] >> np.arange(16)) & 1).reshape(-1, 4, 4)
    om = np.block(
        [
            [np.zeros((2, 2), int), np.eye(2, dtype=int)],
            [-np.eye(2, dtype=int), np.zeros((2, 2), int)],
        ]
    )
    ok = np.all((np.swapaxes(mats, 1, 2) @ om @ mats - om) % 2 == 0, axis=(1, 2))
    assert clifford_group_order(2, 2) == 2**4 * int(ok.sum())


@pytest.mark.parametrize("d", range(2, 7))
def test_group_equals_closure_of_generators(d):
    """Independent reference: BFS closure of {F, P, X, Z} modulo phases (dense numpy)."""
    gens = [fourier(d), phase_gate(d), shift(d), clock(d)]
    seen = {key(np.eye(d, dtype=complex))}
    frontier = [np.eye(d, dtype=complex)]
    while frontier:
        new = []
        for u in frontier:
            for g in gens:
                v = g @ u
                k = key(v)
                if k not in seen:
                    seen.add(k)
                    new.append(v)
        frontier = new
    G = clifford_group(d)
    ours = {key(u) for u in G.unitaries}
    assert len(ours) == len(G) == len(seen) == ORDERS[d]
    assert ours == seen


@pytest.mark.parametrize("d", range(2, 9))
def test_generators_exact_symplectic_action(d):
    J = np.array([[0, -1], [1, 0]])
    L = np.array([[1, 0], [1, 1]])
    F, P = fourier(d), phase_gate(d)
    for a in range(-d, 2 * d, 3):
        for b in range(-d, 2 * d, 2):
            v = np.array([a, b])
            D = displacement(d, a, b)
            np.testing.assert_allclose(F @ D @ F.conj().T, displacement(d, *(J @ v)), atol=1e-10)
            np.testing.assert_allclose(P @ D @ P.conj().T, displacement(d, *(L @ v)), atol=1e-10)
    assert clifford_symplectic(F, d).tolist() == (J % d).tolist()
    assert clifford_symplectic(P, d).tolist() == (L % d).tolist()


@pytest.mark.parametrize("d", range(2, 9))
def test_every_element_normalizes_with_its_symplectic(d):
    G = clifford_group(d)
    U, S, chi = G.unitaries, G.symplectic, G.shifts
    W = weyl_heisenberg(d).reshape(d, d, d, d)  # [a, b] -> D(a, b)
    Ud = np.swapaxes(U.conj(), 1, 2)
    for col, gen in ((0, shift(d)), (1, clock(d))):
        image = U @ gen @ Ud
        target = W[S[:, 0, col], S[:, 1, col]]  # D(S e_col)
        overlap = np.abs(np.einsum("kij,kij->k", target.conj(), image))
        np.testing.assert_allclose(overlap, d, atol=1e-9)  # U D U^dagger proportional to D(S e)
    np.testing.assert_allclose(U @ Ud, np.broadcast_to(np.eye(d), U.shape), atol=1e-10)
    np.testing.assert_allclose(G.traces(), np.einsum("kii->k", U), atol=1e-10)
    # the shift is the displacement factor: U_k V_{S_k}^dagger is proportional to D(chi_k)
    V = G.symplectic_unitaries[np.arange(len(G)) // d**2]
    Dchi = W[chi[:, 0], chi[:, 1]]
    overlap = np.abs(np.einsum("kij,kij->k", (U @ np.swapaxes(V.conj(), 1, 2)).conj(), Dchi))
    np.testing.assert_allclose(overlap, d, atol=1e-9)


@pytest.mark.parametrize("d", [3, 5, 7, 9])
def test_odd_d_symplectic_unitaries_act_without_phase(d):
    G = clifford_group(d)
    rng = np.random.default_rng(d)
    for s in rng.choice(len(G.symplectic_part), size=6, replace=False):
        S, V = G.symplectic_part[s], G.symplectic_unitaries[s]
        for v in rng.integers(-d, d, size=(4, 2)):
            np.testing.assert_allclose(
                V @ displacement(d, *v) @ V.conj().T, displacement(d, *(S @ v)), atol=1e-9
            )


@pytest.mark.parametrize("d,frame", [(2, [1, 2, 5, 15]), (3, [1, 2, 7, 40]), (5, [1, 2, 11, 156])])
def test_unitary_frame_potentials_known(d, frame):
    tr = np.abs(clifford_group(d).traces())
    np.testing.assert_allclose([np.mean(tr ** (2 * t)) for t in range(1, 5)], frame, rtol=1e-9)


@pytest.mark.parametrize("d", range(2, 13))
def test_two_design_iff_prime(d):
    # F_2 = number of irreducible components of the adjoint action = number of divisors of d
    divisors = sum(d % g == 0 for g in range(1, d + 1))
    f2 = float(np.mean(np.abs(clifford_group(d).traces()) ** 4))
    assert f2 == pytest.approx(divisors, abs=1e-8)
    assert (abs(f2 - 2) < 1e-8) == (len(primes_dividing(d)) == 1 and primes_dividing(d)[0] == d)


def test_symplectic_action_and_batch():
    d = 6
    S = symplectic_group(d)
    labels = np.array([[1, 0], [0, 1], [2, 3]])
    out = symplectic_action(S[:, None], labels[None], d)
    assert out.shape == (len(S), 3, 2)
    np.testing.assert_array_equal(out, np.einsum("sij,lj->sli", S, labels) % d)
    rng = np.random.default_rng(0)
    G = clifford_group(d)
    for k in rng.choice(len(G), size=10, replace=False):
        S_k = clifford_symplectic(G.unitaries[k], d)
        np.testing.assert_array_equal(S_k, G.symplectic[k])
        v = rng.integers(0, d, size=2)
        M = G.unitaries[k] @ displacement(d, *v) @ G.unitaries[k].conj().T
        w = symplectic_action(S_k, v, d)
        assert abs(abs(np.trace(displacement(d, *w).conj().T @ M)) - d) < 1e-9


@pytest.mark.parametrize("d,n", [(2, 1), (2, 2), (2, 3), (3, 1), (3, 2), (4, 2), (5, 1), (6, 2)])
def test_random_clifford_normalizes(d, n):
    rng = np.random.default_rng(d * 10 + n)
    for _ in range(3):
        U = random_clifford(d, n, seed=rng)
        N = d**n
        np.testing.assert_allclose(U @ U.conj().T, np.eye(N), atol=1e-10)
        S = clifford_symplectic(U, d, n)
        assert is_symplectic(S, d) and is_wh_normalizer(U, d, n)
        for v in rng.integers(-d, d, size=(3, 2 * n)):
            M = U @ displacement_operator(v, d) @ U.conj().T
            Dw = displacement_operator(symplectic_action(S, v, d), d)
            assert abs(abs(np.trace(Dw.conj().T @ M)) - N) < 1e-8
    np.testing.assert_allclose(random_clifford(d, n, seed=5), random_clifford(d, n, seed=5))
    # clifford_unitary realises a given symplectic exactly on the generators
    S = random_symplectic(d, n, seed=rng)
    V = clifford_unitary(S, np.zeros(2 * n, dtype=int), d)
    for q in range(2 * n):
        e = np.eye(2 * n, dtype=int)[q]
        np.testing.assert_allclose(
            V @ displacement_operator(e, d) @ V.conj().T,
            displacement_operator(S[:, q], d),
            atol=1e-9,
        )


@pytest.mark.parametrize("d,samples_per_cell", [(2, 50), (3, 10)])
def test_random_clifford_uniform_over_enumerated_group(d, samples_per_cell):
    G = clifford_group(d)
    flat = G.unitaries.reshape(len(G), -1).conj()
    rng = np.random.default_rng(2026 + d)
    counts = np.zeros(len(G), dtype=int)
    for _ in range(samples_per_cell * len(G)):
        u = random_clifford(d, 1, seed=rng)
        ov = np.abs(flat @ u.ravel())
        k = int(np.argmax(ov))
        assert abs(ov[k] - d) < 1e-9  # a member of the enumerated group
        counts[k] += 1
    assert chisquare(counts).pvalue > 1e-3


@pytest.mark.parametrize("d,n", [(4, 1), (6, 1), (2, 2)])
def test_random_symplectic_uniform(d, n):
    rng = np.random.default_rng(7 * d + n)
    if n == 1:
        cells = {tuple(s.ravel()): i for i, s in enumerate(symplectic_group(d))}
    else:
        cells = {}
    counts: dict[tuple, int] = {}
    size = len(cells) if n == 1 else 720
    for _ in range(10 * size):
        s = random_symplectic(d, n, seed=rng)
        counts[tuple(s.ravel())] = counts.get(tuple(s.ravel()), 0) + 1
    assert len(counts) == size
    if n == 1:
        assert set(counts) == set(cells)
    assert chisquare(list(counts.values())).pvalue > 1e-3


def test_bad_input():
    with pytest.raises(ValueError, match="d must be an integer >= 2"):
        clifford_group(1)
    with pytest.raises(ValueError, match="n must be an integer >= 1"):
        random_clifford(3, 0)
    with pytest.raises(ValueError, match="not symplectic"):
        clifford_unitary([[2, 0], [0, 1]], [0, 0], 4)
    with pytest.raises(ValueError, match="shift must be"):
        clifford_unitary([[1, 0], [0, 1]], [0, 0, 0], 3)
    with pytest.raises(TypeError, match="integer"):
        clifford_unitary([[1.0, 0], [0, 1]], [0, 0], 3)
    with pytest.raises(ValueError, match="not unitary"):
        is_wh_normalizer(np.ones((3, 3)), 3)
    with pytest.raises(ValueError, match="shape"):
        clifford_symplectic(np.eye(4), 3)
    with pytest.raises(ValueError, match="does not normalize"):
        clifford_symplectic(np.diag(np.exp(1j * np.arange(3) ** 3 * 0.1)), 3)
    with pytest.raises(TypeError, match="seed"):
        random_clifford(2, 1, seed="x")
