"""Time-series generators against their defining recurrences; windows, split, bad input."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.integrate import solve_ivp
from scipy.linalg import expm
from scipy.special import j0, j1

from qtwin.qml.sequences import timeseries as ts


def test_damped_shm_solves_the_pendulum_ode():
    s = ts.damped_shm()
    t = np.linspace(0, 20, 240)
    ref = solve_ivp(
        lambda _t, y: [y[1], -0.15 * y[1] - 9.81 * np.sin(y[0])],
        (0, 20),
        [0.0, 3.0],
        t_eval=t,
        rtol=1e-11,
        atol=1e-11,
        method="DOP853",
    )
    assert s.shape == (240,)
    np.testing.assert_allclose(s, ref.y[1], atol=2e-6)


def test_bessel_j2_obeys_the_three_term_recurrence():
    x = np.linspace(2, 100, 256)
    np.testing.assert_allclose(ts.bessel_j2(), 2 / x * j1(x) - j0(x), atol=1e-12)


def test_delayed_quantum_control_matches_its_sum():
    s = ts.delayed_quantum_control()
    x = np.arange(-2, 20, 0.01)
    ref = [sum(np.exp(-10 * (v - 2 * n) ** 2) for n in range(11)) * np.exp(-v / 16) for v in x]
    assert s.shape == (2200,)
    np.testing.assert_allclose(s, ref, atol=1e-12)


@pytest.mark.parametrize("order", [5, 10])
def test_narma_obeys_its_recurrence(order):
    u, y = ts.narma(order, 300)
    t = np.arange(300)
    u_ref = 0.1 * (
        np.sin(2 * np.pi * 2.11 * t / 300)
        * np.sin(2 * np.pi * 3.73 * t / 300)
        * np.sin(2 * np.pi * 4.11 * t / 300)
        + 1
    )
    np.testing.assert_allclose(u, u_ref, atol=1e-15)
    assert y[0] == 0.196
    for k in range(299):
        hist = sum(y[k - j] for j in range(order) if k - j >= 0)
        ulag = u[k - order + 1] if k - order + 1 >= 0 else 0.0
        assert y[k + 1] == pytest.approx(
            0.3 * y[k] + 0.05 * y[k] * hist + 1.5 * ulag * u[k] + 0.1, abs=1e-14
        )
    assert np.all(np.isfinite(y)) and 0 < y.min() and y.max() < 1


def test_cosine_obeys_chebyshev_recurrence():
    s = ts.cosine_wave(240, 20.0, omega=1.3, phase=0.2)
    dt = 20.0 / 239
    np.testing.assert_allclose(s[2:], 2 * np.cos(1.3 * dt) * s[1:-1] - s[:-2], atol=1e-12)


def test_jaynes_cummings_inversion_matches_hamiltonian_evolution():
    nbar, g, nmax = 4.0, 1.0, 40
    t = np.linspace(0, 12, 13)
    w = ts.jaynes_cummings_inversion(13, 12.0, mean_photons=nbar, coupling=g, max_photons=nmax)
    # H = g (a sigma+ + a^dag sigma-) on Fock(nmax+2) x qubit, atom excited, coherent field
    dim = nmax + 2
    a = np.diag(np.sqrt(np.arange(1, dim)), 1)
    sp = np.array([[0, 1], [0, 0]])  # |e><g| with |e> = index 0
    h = g * (np.kron(a, sp) + np.kron(a.T, sp.T))
    from scipy.stats import poisson

    n = np.arange(dim)
    alpha = np.sqrt(poisson.pmf(n, nbar))
    psi0 = np.kron(alpha / np.linalg.norm(alpha), [1, 0])
    sz = np.kron(np.eye(dim), np.diag([1, -1]))
    evals, vecs = np.linalg.eigh(h)
    ref = []
    for tt in t:
        psi = vecs @ (np.exp(-1j * evals * tt) * (vecs.conj().T @ psi0))
        ref.append(np.real(psi.conj() @ sz @ psi))
    np.testing.assert_allclose(
        expm(-1j * h * t[1]) @ psi0,
        vecs @ (np.exp(-1j * evals * t[1]) * (vecs.T @ psi0)),
        atol=1e-10,
    )
    np.testing.assert_allclose(w, ref, atol=1e-8)


def test_windows_split_and_scaling_follow_the_authors():
    d = ts.load_sequence_task("damped_shm")
    scaled, (lo, hi) = ts.minmax_scale(ts.damped_shm())
    assert scaled.min() == -1 and scaled.max() == 1
    # 240 points, window 4: range(240 - 4 - 1) = 235 windows, int(0.67 * 235) = 157 for training
    assert len(d.x_train) == 157 and len(d.x_test) == 78
    np.testing.assert_array_equal(d.x_train[5, :, 0], scaled[5:9])
    assert d.y_train[5, 0] == scaled[9] and d.y_test[0, 0] == scaled[157 + 4]
    nar = ts.load_sequence_task("narma10")
    u, y = ts.narma(10)
    np.testing.assert_array_equal(nar.x_train[3, :, 0], u[3:7])
    assert nar.y_train[3, 0] == y[7] and nar.scale is None
    for name in ts.TASKS:
        assert ts.load_sequence_task(name, num_points=60).x_train.shape[1:] == (4, 1)


def test_bad_input_raises_clear_errors():
    with pytest.raises(ValueError, match="window .* too long"):
        ts.sliding_windows(np.arange(5.0), 5)
    with pytest.raises(ValueError, match="finite"):
        ts.sliding_windows(np.array([0.0, np.nan, 1.0, 2.0, 3.0]), 2)
    with pytest.raises(ValueError, match="one-dimensional"):
        ts.sliding_windows(np.zeros((3, 3)), 2)
    with pytest.raises(ValueError, match="name must be one of"):
        ts.load_sequence_task("lorenz")
    with pytest.raises(ValueError, match="train_fraction"):
        ts.chronological_split(np.zeros((4, 2, 1)), np.zeros((4, 1)), 1.0)
    with pytest.raises(ValueError, match="window .* too long"):
        ts.load_sequence_task("cosine", window=300)
