"""Spin coherent states (1-design, not 2-design) and spin-GKP states (2-design) vs numpy."""

from __future__ import annotations

from fractions import Fraction
from math import comb

import numpy as np
import pytest
from scipy.linalg import expm

from qtwin.circuits.qudit_gates import clock, shift
from qtwin.designs.spin import (
    spin_coherent_frame_potential,
    spin_coherent_state,
    spin_coherent_states,
    spin_dimension,
    spin_gkp_codewords,
    spin_gkp_states,
    spin_operators,
)

SPINS = [0.5, 1, 1.5, 2, 2.5, 3, 3.5]


def frame_potential(states, t, weights=None):
    """F_t = sum_ij w_i w_j |<psi_i|psi_j>|^(2t) with dense numpy."""
    w = np.full(len(states), 1 / len(states)) if weights is None else weights
    g = np.abs(states.conj() @ states.T) ** 2
    return float(w @ g**t @ w)


def haar_state(d, t):
    return 1 / comb(d + t - 1, t)


def ladder_reference(j):
    """Independent J matrices from the m-ordered ladder, m = j, j-1, ..., -j."""
    d = int(round(2 * j)) + 1
    m = j - np.arange(d)
    jp = np.diag(np.sqrt(j * (j + 1) - m[1:] * (m[1:] + 1)), k=1)
    return (jp + jp.T) / 2, (jp - jp.T) / 2j, np.diag(m)


@pytest.mark.parametrize("j", SPINS)
def test_spin_operators(j):
    jx, jy, jz = spin_operators(j)
    d = spin_dimension(j)
    assert jx.shape == (d, d)
    np.testing.assert_allclose(jx @ jy - jy @ jx, 1j * jz, atol=1e-12)
    np.testing.assert_allclose(jy @ jz - jz @ jy, 1j * jx, atol=1e-12)
    np.testing.assert_allclose(jx @ jx + jy @ jy + jz @ jz, j * (j + 1) * np.eye(d), atol=1e-12)
    for ours, ref in zip(spin_operators(j), ladder_reference(j), strict=True):
        np.testing.assert_allclose(ours, ref, atol=1e-12)


@pytest.mark.parametrize("j", SPINS)
def test_coherent_state_against_rotation(j):
    jx, jy, jz = ladder_reference(j)
    d = spin_dimension(j)
    top = np.eye(d)[0]
    rng = np.random.default_rng(int(2 * j))
    theta, phi = rng.uniform(0, np.pi, 5), rng.uniform(0, 2 * np.pi, 5)
    states = spin_coherent_state(j, theta, phi)
    assert states.shape == (5, d)
    for k in range(5):
        ref = expm(-1j * phi[k] * jz) @ expm(-1j * theta[k] * jy) @ top
        np.testing.assert_allclose(states[k], ref, atol=1e-10)
        n = np.array(
            [np.sin(theta[k]) * np.cos(phi[k]), np.sin(theta[k]) * np.sin(phi[k]), np.cos(theta[k])]
        )
        expect = [np.real(ref.conj() @ op @ ref) for op in (jx, jy, jz)]
        np.testing.assert_allclose(expect, j * n, atol=1e-10)
    # |<n|n'>|^2 = ((1 + n.n') / 2)^(2j)
    n = np.stack([np.sin(theta) * np.cos(phi), np.sin(theta) * np.sin(phi), np.cos(theta)], 1)
    np.testing.assert_allclose(
        np.abs(states.conj() @ states.T) ** 2, ((1 + n @ n.T) / 2) ** (2 * j), atol=1e-10
    )


@pytest.mark.parametrize("j", SPINS)
def test_coherent_states_are_exact_one_design_not_two_design(j):
    d = spin_dimension(j)
    psi, w = spin_coherent_states(j, t=1)
    assert np.all(w > 0) and abs(w.sum() - 1) < 1e-13
    np.testing.assert_allclose(np.linalg.norm(psi, axis=1), 1, atol=1e-12)
    moment = np.einsum("k,ki,kj->ij", w, psi, psi.conj())
    np.testing.assert_allclose(moment, np.eye(d) / d, atol=1e-12)  # exact weighted 1-design
    assert frame_potential(psi, 1, w) == pytest.approx(haar_state(d, 1), abs=1e-12)
    psi2, w2 = spin_coherent_states(j, t=2)
    f2 = frame_potential(psi2, 2, w2)
    assert f2 == pytest.approx(spin_coherent_frame_potential(j, 2), abs=1e-12)
    assert f2 == pytest.approx(1 / (4 * j + 1), abs=1e-12)
    if j == 0.5:
        assert f2 == pytest.approx(haar_state(d, 2), abs=1e-12)  # a qubit: all pure states
    else:
        assert f2 > haar_state(d, 2) + 1e-3  # not a 2-design
    # the t = 2 grid reproduces the continuous second moment: the finer t = 3 grid agrees
    psi3, w3 = spin_coherent_states(j, t=3)
    m2 = np.einsum("k,ki,kj,kl,km->ijlm", w2, psi2, psi2.conj(), psi2, psi2.conj())
    m3 = np.einsum("k,ki,kj,kl,km->ijlm", w3, psi3, psi3.conj(), psi3, psi3.conj())
    np.testing.assert_allclose(m2, m3, atol=1e-12)
    assert frame_potential(psi3, 3, w3) == pytest.approx(1 / (6 * j + 1), abs=1e-12)


@pytest.mark.parametrize(
    "j,k,r1", [(1.5, 2, 1), (1.5, 2, 2), (3.5, 2, 2), (3.5, 4, 1), (4, 3, 1), (2.5, 3, 2)]
)
def test_spin_gkp_codewords_stabilizers_and_logicals(j, k, r1):
    d = spin_dimension(j)
    r2 = d // (k * r1)
    code = spin_gkp_codewords(j, k, r1)
    assert code.shape == (k, d)
    np.testing.assert_allclose(code @ code.conj().T, np.eye(k), atol=1e-12)
    X, Z = shift(d), clock(d)
    mp = np.linalg.matrix_power
    for mu in range(k):
        np.testing.assert_allclose(mp(X, r1 * k) @ code[mu], code[mu], atol=1e-12)
        np.testing.assert_allclose(mp(Z, r2 * k) @ code[mu], code[mu], atol=1e-12)
        np.testing.assert_allclose(
            mp(Z, r2) @ code[mu], np.exp(2j * np.pi * mu / k) * code[mu], atol=1e-12
        )
        np.testing.assert_allclose(mp(X, r1) @ code[mu], code[(mu + 1) % k], atol=1e-12)
    # the Z-type stabilizer is a physical rotation about z by 2 pi / r1 (up to a global phase)
    jz = spin_operators(j)[2]
    R = expm(-2j * np.pi * jz / r1)
    ZZ = mp(Z, r2 * k)
    assert abs(abs(np.trace(R.conj().T @ ZZ)) - d) < 1e-9


@pytest.mark.parametrize("j,k", [(1, 1), (1.5, 2), (2, 1), (3, 1), (3.5, 2), (4, 3)])
def test_spin_gkp_states_form_two_design_coherent_do_not(j, k):
    d = spin_dimension(j)
    p = [q for q in (2, 3, 5, 7) if d % q == 0][0]
    m = int(round(np.log(d) / np.log(p)))
    psi = spin_gkp_states(j, k)
    count = p**m * np.prod([p**i + 1 for i in range(1, m + 1)])
    assert len(psi) == count  # all m-qupit stabilizer states
    np.testing.assert_allclose(np.linalg.norm(psi, axis=1), 1, atol=1e-12)
    gram = np.abs(psi.conj() @ psi.T)
    assert np.all(gram[~np.eye(len(psi), dtype=bool)] < 1 - 1e-6)  # distinct modulo phase
    code = spin_gkp_codewords(j, k)
    assert np.all(np.max(np.abs(code.conj() @ psi.T), axis=1) > 1 - 1e-9)  # contains the code
    assert frame_potential(psi, 1) == pytest.approx(haar_state(d, 1), abs=1e-12)
    assert frame_potential(psi, 2) == pytest.approx(haar_state(d, 2), abs=1e-12)  # 2-design
    coh, w = spin_coherent_states(j, t=2)
    assert frame_potential(coh, 2, w) > haar_state(d, 2) + 1e-3


def test_spin_gkp_states_refuse_non_prime_power():
    with pytest.raises(ValueError, match="prime power"):
        spin_gkp_states(2.5, 3)  # d = 6


def test_bad_input():
    for bad in (0, 0.3, -1, 1.25):
        with pytest.raises(ValueError, match="half-integer"):
            spin_dimension(bad)
    with pytest.raises(TypeError, match="half-integer"):
        spin_operators(True)
    with pytest.raises(ValueError, match="half-integer"):
        spin_dimension(float("nan"))
    with pytest.raises(ValueError, match="finite"):
        spin_coherent_state(1, np.nan, 0.0)
    with pytest.raises(ValueError, match="t must be"):
        spin_coherent_states(1, t=0)
    with pytest.raises(ValueError, match="must divide"):
        spin_gkp_codewords(1.5, 3)
    assert spin_dimension(Fraction(5, 2)) == 6
