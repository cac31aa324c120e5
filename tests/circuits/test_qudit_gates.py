"""Qudit gates against closed-form Weyl–Heisenberg relations and dense numpy/scipy references."""

from __future__ import annotations

import numpy as np
import pytest
from qiskit.circuit.library import CXGate, HGate, RGate
from scipy.linalg import expm

from qtwin.circuits.qudit_gates import clock, csum, displacement, fourier, rotation, shift, weyl_tau

DIMS = [2, 3, 4, 5, 6]


def is_unitary(m: np.ndarray) -> bool:
    return np.allclose(m @ m.conj().T, np.eye(len(m)), atol=1e-12)


def mpow(m: np.ndarray, p: int) -> np.ndarray:
    return np.linalg.matrix_power(m, p % len(m))


@pytest.mark.parametrize("d", DIMS)
def test_shift_clock_fourier_relations(d):
    X, Z, F = shift(d), clock(d), fourier(d)
    w = np.exp(2j * np.pi / d)
    for m in (X, Z, F):
        assert m.dtype == np.complex128 and m.shape == (d, d) and is_unitary(m)
    basis = np.eye(d)
    for j in range(d):
        np.testing.assert_allclose(X @ basis[j], basis[(j + 1) % d])
        np.testing.assert_allclose(Z @ basis[j], w**j * basis[j])
    np.testing.assert_allclose(Z @ X, w * X @ Z, atol=1e-12)
    np.testing.assert_allclose(mpow(X, d), np.eye(d), atol=1e-12)
    np.testing.assert_allclose(np.linalg.matrix_power(Z, d), np.eye(d), atol=1e-12)
    np.testing.assert_allclose(F @ X @ F.conj().T, Z, atol=1e-12)
    np.testing.assert_allclose(F, np.fft.ifft(np.eye(d), axis=0, norm="ortho"), atol=1e-12)


@pytest.mark.parametrize("d", [3, 5])
@pytest.mark.parametrize("p", [-4, -1, 0, 2, 7])
def test_powers(d, p):
    np.testing.assert_allclose(shift(d, p), mpow(shift(d), p), atol=1e-12)
    np.testing.assert_allclose(clock(d, p), mpow(clock(d), p), atol=1e-12)


def test_qubit_special_cases():
    np.testing.assert_allclose(fourier(2), HGate().to_matrix(), atol=1e-12)
    np.testing.assert_allclose(csum(2), CXGate().to_matrix(), atol=1e-12)
    np.testing.assert_allclose(clock(2), np.diag([1, -1]), atol=1e-12)


@pytest.mark.parametrize("dc,dt", [(3, 3), (2, 5), (5, 3), (4, 4)])
def test_csum_action_little_endian(dc, dt):
    C = csum(dc, dt)
    assert is_unitary(C)
    for a in range(dc):
        for b in range(dt):
            col = C[:, a + dc * b]  # control is the least significant index
            assert col[a + dc * ((a + b) % dt)] == 1 and np.count_nonzero(col) == 1
    # matches sum_a |a><a| (x) X_t^a with the control as the low factor
    want = sum(np.kron(shift(dt, a), np.diag(np.eye(dc)[a])) for a in range(dc))
    np.testing.assert_allclose(C, want)


@pytest.mark.parametrize("d", DIMS)
def test_displacement_product_rule_and_adjoint(d):
    tau = weyl_tau(d)
    assert tau**2 == pytest.approx(np.exp(2j * np.pi / d))
    assert tau ** (d * d) == pytest.approx(1.0)
    rng = np.random.default_rng(d)
    for _ in range(12):
        a, b, a2, b2 = (int(v) for v in rng.integers(-2 * d, 3 * d, size=4))
        D1, D2 = displacement(d, a, b), displacement(d, a2, b2)
        assert is_unitary(D1)
        np.testing.assert_allclose(
            D1, tau ** (a * b) * mpow(shift(d), a) @ mpow(clock(d), b), atol=1e-9
        )
        np.testing.assert_allclose(
            D1 @ D2, tau ** (a2 * b - a * b2) * displacement(d, a + a2, b + b2), atol=1e-9
        )
        np.testing.assert_allclose(D1.conj().T, displacement(d, -a, -b), atol=1e-9)


@pytest.mark.parametrize("d", DIMS)
def test_displacement_periodicity_and_orthogonality(d):
    period = d if d % 2 else 2 * d
    for a, b in [(1, 2), (2, 1), (1, 1)]:
        np.testing.assert_allclose(displacement(d, a + period, b), displacement(d, a, b), atol=1e-9)
        np.testing.assert_allclose(displacement(d, a, b + period), displacement(d, a, b), atol=1e-9)
        np.testing.assert_allclose(
            displacement(d, a + d, b), (-1) ** ((d + 1) * b) * displacement(d, a, b), atol=1e-9
        )
    np.testing.assert_allclose(displacement(d, 0, 0), np.eye(d))
    # the d^2 displacements with labels mod d form an orthogonal operator basis
    ops = np.array([displacement(d, a, b).ravel() for a in range(d) for b in range(d)])
    np.testing.assert_allclose(ops.conj() @ ops.T, d * np.eye(d * d), atol=1e-9)


@pytest.mark.parametrize("d,j,k", [(2, 0, 1), (3, 0, 2), (5, 3, 1), (4, 1, 2)])
def test_rotation_is_exponential_of_generator(d, j, k):
    theta, phi = 0.83, -1.2
    sx = np.zeros((d, d), complex)
    sy = np.zeros((d, d), complex)
    sx[j, k] = sx[k, j] = 1
    sy[j, k], sy[k, j] = -1j, 1j
    want = expm(-0.5j * theta * (np.cos(phi) * sx + np.sin(phi) * sy))
    np.testing.assert_allclose(rotation(d, j, k, theta, phi), want, atol=1e-12)
    block = rotation(d, j, k, theta, phi)[np.ix_([j, k], [j, k])]
    np.testing.assert_allclose(block, RGate(theta, phi).to_matrix(), atol=1e-12)


@pytest.mark.parametrize(
    "call,exc,match",
    [
        (lambda: shift(1), ValueError, "d must be an integer >= 2"),
        (lambda: clock(2.0), TypeError, "d must be an integer"),
        (lambda: shift(3, 1.5), TypeError, "power must be an integer"),
        (lambda: csum(3, 1), ValueError, "d_target must be an integer >= 2"),
        (lambda: displacement(3, 0.5, 1), TypeError, "a must be an integer"),
        (lambda: rotation(3, 0, 3, 0.1), ValueError, r"k must be a level in 0..2"),
        (lambda: rotation(3, 1, 1, 0.1), ValueError, "j and k must be different"),
        (lambda: rotation(3, 0, 1, np.nan), ValueError, "theta must be finite"),
        (lambda: rotation(3, 0, 1, 0.1, np.inf), ValueError, "phi must be finite"),
    ],
)
def test_invalid_input(call, exc, match):
    with pytest.raises(exc, match=match):
        call()
