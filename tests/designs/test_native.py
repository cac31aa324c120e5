"""Native-gate random circuits (high-spin, cavity-QED): gates and frame potentials vs depth."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy.integrate import quad
from scipy.linalg import expm

from qtwin.designs.haar import haar_frame_potential
from qtwin.designs.native import (
    cavity_circuits,
    fock_displacement,
    frame_potential_estimate,
    frame_potential_std_error,
    frame_potential_vs_depth,
    high_spin_circuits,
    random_su2_rotations,
    snap_gate,
    su2_irrep_frame_potential,
    twisting_gate,
)
from qtwin.designs.spin import spin_operators


def _unitary(u: np.ndarray) -> bool:
    eye = np.eye(u.shape[-1])
    return bool(np.allclose(u @ np.swapaxes(u.conj(), -1, -2), eye, atol=1e-10))


@pytest.mark.parametrize("j", [0.5, 1, 1.5, 2, 3.5])
def test_spin_matrices_algebra(j):
    jx, jy, jz = spin_operators(j)
    d = int(2 * j + 1)
    assert jx.shape == (d, d)
    np.testing.assert_allclose(jx @ jy - jy @ jx, 1j * jz, atol=1e-12)
    np.testing.assert_allclose(jy @ jz - jz @ jy, 1j * jx, atol=1e-12)
    np.testing.assert_allclose(jx @ jx + jy @ jy + jz @ jz, j * (j + 1) * np.eye(d), atol=1e-12)


def test_rotations_are_spin_j_representations_of_haar_su2():
    j = 1.5
    r = random_su2_rotations(j, 6, seed=1)
    assert _unitary(r)
    # the adjoint action maps J_a to sum_b O_ab J_b with O in SO(3): the spin-j representation
    js = spin_operators(j)
    for u in r:
        o = (
            np.array([[np.trace(u @ ja @ u.conj().T @ jb).real for jb in js] for ja in js])
            / np.trace(js[2] @ js[2]).real
        )
        for a in range(3):
            np.testing.assert_allclose(
                u @ js[a] @ u.conj().T, sum(o[a, b] * js[b] for b in range(3)), atol=1e-10
            )
        np.testing.assert_allclose(o @ o.T, np.eye(3), atol=1e-10)
        assert np.linalg.det(o) == pytest.approx(1.0)
    # Haar on SU(2): character moments are the closed forms (t = 1, 2)
    big = random_su2_rotations(1, 3000, seed=2)
    tr = np.abs(np.trace(big, axis1=1, axis2=2)) ** 2
    assert abs(tr.mean() - 1) < 0.1 and abs((tr**2).mean() - 3) < 0.4


@pytest.mark.parametrize("j", [0.5, 1, 1.5, 2, 3])
@pytest.mark.parametrize("t", [1, 2, 3])
def test_su2_irrep_frame_potential_matches_weyl_integration(j, t):
    """Closed form (Clebsch-Gordan count) vs the Weyl integration formula for SU(2)."""

    def integrand(psi: float) -> float:
        chi = math.sin((2 * j + 1) * psi / 2) / math.sin(psi / 2)
        return math.sin(psi / 2) ** 2 * chi ** (2 * t) / math.pi

    value, _ = quad(integrand, 1e-9, 2 * math.pi - 1e-9, limit=200)
    assert su2_irrep_frame_potential(j, t) == round(value)
    assert abs(value - round(value)) < 1e-6
    if t == 2:
        assert su2_irrep_frame_potential(j, t) == int(2 * j + 1)


def test_twisting_and_snap_gates():
    t = twisting_gate(2, 0.3)
    np.testing.assert_allclose(t, expm(-0.3j * spin_operators(2)[2] @ spin_operators(2)[2]))
    np.testing.assert_allclose(twisting_gate(1), np.diag([-1j, 1, -1j]), atol=1e-12)
    s = snap_gate([[0.1, 0.2, 0.3], [1, 2, 3]])
    assert s.shape == (2, 3, 3) and _unitary(s)
    np.testing.assert_allclose(np.diag(s[1]), np.exp(1j * np.array([1, 2, 3])))


@pytest.mark.parametrize("alpha", [0.4, 1.0 + 0.5j, -0.7j])
def test_fock_displacement_is_the_exponential_of_the_truncated_generator(alpha):
    d = 5
    a = np.diag(np.sqrt(np.arange(1, d)), k=1)
    ref = expm(alpha * a.T - np.conj(alpha) * a)
    got = fock_displacement(d, alpha)
    np.testing.assert_allclose(got, ref, atol=1e-12)
    assert _unitary(got)
    batch = fock_displacement(d, [alpha, 2 * alpha])
    np.testing.assert_allclose(batch[0], ref, atol=1e-12)


def test_fock_displacement_approaches_the_coherent_state():
    alpha = 0.8 + 0.3j
    col = fock_displacement(60, alpha)[:10, 0]
    n = np.arange(10)
    coherent = np.exp(-(abs(alpha) ** 2) / 2) * alpha**n / np.sqrt([math.factorial(k) for k in n])
    np.testing.assert_allclose(col, coherent, atol=1e-10)


def test_circuits_are_unitary_and_depth_zero_is_identity():
    assert _unitary(high_spin_circuits(2, 4, 10, seed=0))
    assert _unitary(cavity_circuits(6, 4, 10, alpha=0.5j, seed=0))
    np.testing.assert_allclose(cavity_circuits(3, 0, 2, seed=0), np.stack([np.eye(3)] * 2))
    # same seed, same circuits
    np.testing.assert_allclose(
        high_spin_circuits(1, 3, 4, seed=5), high_spin_circuits(1, 3, 4, seed=5)
    )


def test_frame_potential_estimate_is_the_off_diagonal_double_sum():
    rng = np.random.default_rng(3)
    us = cavity_circuits(3, 2, 40, seed=rng)
    for t in (1, 2, 3):
        tr = np.einsum("iab,jab->ij", us.conj(), us)
        vals = np.abs(tr) ** (2 * t)
        ref = (vals.sum() - np.trace(vals)) / (40 * 39)
        assert frame_potential_estimate(us, t) == pytest.approx(ref, rel=1e-10)


@pytest.mark.parametrize("d", [3, 4])
def test_high_spin_circuits_reach_haar(d):
    res = frame_potential_vs_depth("high_spin", d, 5, 400, eps=0.05, seed=11)
    for t in (1, 2, 3):
        haar = haar_frame_potential(d, t, "unitary")
        f = res.potentials[t]
        # depth 1 is one SU(2) rotation: the spin-j irrep value, far above Haar for t >= 2
        assert f[0] == pytest.approx(su2_irrep_frame_potential((d - 1) / 2, t), rel=0.15)
        assert f[-1] == pytest.approx(haar, rel=0.05)
        assert res.depth_to_haar[t] is not None and res.depth_to_haar[t] <= 4
        if t >= 2:
            assert f[0] > 1.4 * haar


def test_cavity_circuits_decrease_to_haar():
    res = frame_potential_vs_depth("cavity", 3, 9, 400, eps=0.05, seed=5)
    for t in (1, 2, 3):
        f = np.array(res.potentials[t])
        haar = res.haar[t]
        assert f[0] > 2.5 * haar  # one SNAP + displacement is far from Haar
        assert np.all(np.diff(f[:4]) < 0)  # decreasing while far from Haar
        assert f[-1] == pytest.approx(haar, rel=0.05)
        assert res.depth_to_haar[t] is not None and 3 <= res.depth_to_haar[t] <= 9


@pytest.mark.parametrize("d", [3, 4, 5])
def test_rotations_alone_stay_in_the_su2_irrep(d):
    """Without twisting the circuits are SU(2) in the spin-j irrep: F_2 = d > 2 at any depth."""
    res = frame_potential_vs_depth("rotations_only", d, 4, 300, ts=(1, 2), seed=2)
    assert res.depth_to_haar[2] is None
    np.testing.assert_allclose(res.potentials[1], 1.0, rtol=0.1)
    np.testing.assert_allclose(res.potentials[2], d, rtol=0.12)
    assert min(res.potentials[2]) > 1.3 * res.haar[2]
    assert res.as_dict()["depth_to_haar"] == {"1": 1, "2": None}


@pytest.mark.parametrize("ensemble", ["haar", "one_layer"])
def test_std_error_matches_the_spread_over_independent_ensembles(ensemble):
    """The standard error against the empirical spread of 150 independent estimates: at Haar
    (a degenerate U-statistic, error ~ 1/N) and one high-spin layer (far from Haar, ~ 1/sqrt N).
    """
    from scipy.stats import unitary_group

    rng = np.random.default_rng(7)
    for t in (1, 2):
        estimates, errors = [], []
        for _ in range(150):
            if ensemble == "haar":
                us = unitary_group.rvs(3, size=150, random_state=rng)
            else:
                us = high_spin_circuits(1, 1, 150, seed=rng)
            estimates.append(frame_potential_estimate(us, t))
            errors.append(frame_potential_std_error(us, t))
        rms_error = np.sqrt(np.mean(np.square(errors)))
        assert rms_error == pytest.approx(np.std(estimates, ddof=1), rel=0.3)


def test_result_records_std_errors_and_tabulates():
    res = frame_potential_vs_depth("cavity", 3, 3, 80, ts=(1, 2), seed=4)
    assert set(res.std_errors) == {1, 2}
    us = cavity_circuits(3, 3, 80, seed=np.random.default_rng(4))  # not the same stream
    assert frame_potential_std_error(us, 2) > 0
    df = res.to_dataframe()
    assert len(df) == 6 and set(df["t"]) == {1, 2}
    row = df[(df["t"] == 2) & (df["depth"] == 3)].iloc[0]
    assert row["frame_potential"] == res.potentials[2][2]
    assert row["std_error"] == res.std_errors[2][2]
    assert row["ratio"] == pytest.approx(res.potentials[2][2] / res.haar[2])
    assert res.to_dict() == res.as_dict() and res.to_dict()["std_errors"]["2"] == res.std_errors[2]


@pytest.mark.parametrize(
    ("call", "match"),
    [
        (lambda: twisting_gate(0.3), "multiple of 1/2"),
        (lambda: random_su2_rotations(0, 3), "multiple of 1/2"),
        (lambda: high_spin_circuits(1, -1, 3), "depth"),
        (lambda: cavity_circuits(3, 2, 4, alpha=0), "alpha must be non-zero"),
        (lambda: fock_displacement(1, 0.3), "d must be"),
        (lambda: snap_gate([np.nan, 0.0]), "finite"),
        (lambda: frame_potential_vs_depth("qubit", 3, 2, 10), "family must be one of"),
        (lambda: frame_potential_vs_depth("cavity", 3, 2, 1), "num_circuits"),
        (lambda: frame_potential_estimate(np.eye(3)[None], 2), "N >= 2"),
        (lambda: frame_potential_std_error(np.stack([np.eye(3)] * 2), 2), "N >= 3"),
        (lambda: twisting_gate(1, float("inf")), "finite"),
    ],
)
def test_bad_input(call, match):
    with pytest.raises((ValueError, TypeError), match=match):
        call()
