"""Weyl–Heisenberg group against dense numpy references and its closed-form relations."""

from __future__ import annotations

import numpy as np
import pytest

from qtwin.circuits.qudit_gates import clock, displacement, shift
from qtwin.designs.weyl import (
    displacement_operator,
    symplectic_form,
    weyl_heisenberg,
    wh_coefficients,
    wh_labels,
)

CASES = [(d, 1) for d in range(2, 8)] + [(2, 2), (3, 2), (4, 2), (6, 2), (2, 3)]


def tau(d: int) -> complex:
    return -np.exp(1j * np.pi / d)


def dense_kron(label, d):
    """Independent reference: kron of single-qudit tau^{ab} X^a Z^b, qudit 0 rightmost."""
    n = len(label) // 2
    out = np.ones((1, 1))
    for q in range(n):
        a, b = int(label[q]), int(label[n + q])
        single = (
            tau(d) ** (a * b)
            * np.linalg.matrix_power(shift(d), a % d)
            @ np.linalg.matrix_power(clock(d), b % d)
        )
        out = np.kron(single, out)
    return out


@pytest.mark.parametrize("d,n", CASES)
def test_unitary_orthogonal_basis(d, n):
    W = weyl_heisenberg(d, n)
    N = d**n
    assert W.shape == (d ** (2 * n), N, N) and W.dtype == np.complex128
    eye = np.broadcast_to(np.eye(N), W.shape)
    np.testing.assert_allclose(W @ np.swapaxes(W.conj(), 1, 2), eye, atol=1e-12)
    flat = W.reshape(len(W), -1)
    gram = flat.conj() @ flat.T  # tr(D_a^dagger D_b)
    np.testing.assert_allclose(gram, N * np.eye(len(W)), atol=1e-10)
    # d^(2n) orthogonal operators in a (d^n)^2-dimensional space: an operator basis
    if N <= 9:
        assert np.linalg.matrix_rank(flat) == N * N


@pytest.mark.parametrize("d,n", [(2, 1), (3, 1), (4, 1), (6, 1), (2, 2), (3, 2), (4, 2)])
def test_order_and_kron_against_dense(d, n):
    labels = wh_labels(d, n)
    assert labels.shape == (d ** (2 * n), 2 * n)
    assert (
        len({tuple(v) for v in labels}) == len(labels)
        and labels.min() == 0
        and labels.max() == d - 1
    )
    W = weyl_heisenberg(d, n)
    for k in range(len(labels)):
        np.testing.assert_allclose(W[k], dense_kron(labels[k], d), atol=1e-12)
        np.testing.assert_allclose(displacement_operator(labels[k], d), W[k], atol=1e-12)


@pytest.mark.parametrize("d,n", CASES)
def test_composition_law_integer_labels(d, n):
    rng = np.random.default_rng(d + 10 * n)
    for _ in range(12):
        u = rng.integers(-3 * d, 3 * d, size=2 * n)
        v = rng.integers(-3 * d, 3 * d, size=2 * n)
        Du, Dv, Duv = (dense_kron(x, d) for x in (u, v, u + v))
        form = int(u[:n] @ v[n:] - u[n:] @ v[:n])  # [u, v] as an integer
        np.testing.assert_allclose(Du @ Dv, tau(d) ** (-form) * Duv, atol=1e-10)
        np.testing.assert_allclose(
            displacement_operator(u, d) @ displacement_operator(v, d), Du @ Dv, atol=1e-10
        )
        np.testing.assert_allclose(Du.conj().T, dense_kron(-u, d), atol=1e-10)
        # commutation phase from symplectic_form
        w = np.exp(2j * np.pi / d)
        np.testing.assert_allclose(Du @ Dv, w ** (-symplectic_form(u, v, d)) * Dv @ Du, atol=1e-10)
        np.testing.assert_allclose(np.linalg.matrix_power(Du, d), np.eye(d**n), atol=1e-9)


@pytest.mark.parametrize("d", range(2, 9))
def test_label_periodicity(d):
    # mod d for odd d, mod 2d for even d: D(a + d, b) = (-1)^{(d+1) b} D(a, b), same for b
    for a in range(d):
        for b in range(d):
            sign = (-1) ** ((d + 1) * b)
            np.testing.assert_allclose(
                displacement(d, a + d, b), sign * displacement(d, a, b), atol=1e-12
            )
            sign_b = (-1) ** ((d + 1) * a)
            np.testing.assert_allclose(
                displacement(d, a, b + d), sign_b * displacement(d, a, b), atol=1e-12
            )
            np.testing.assert_allclose(
                displacement(d, a + 2 * d, b + 2 * d), displacement(d, a, b), atol=1e-12
            )


@pytest.mark.parametrize("d,n", CASES)
def test_coefficients_against_traces(d, n):
    rng = np.random.default_rng(3)
    N = d**n
    M = rng.normal(size=(N, N)) + 1j * rng.normal(size=(N, N))
    W = weyl_heisenberg(d, n)
    ref = np.einsum("aij,ij->a", W.conj(), M) / N
    c = wh_coefficients(M, d, n)
    np.testing.assert_allclose(c, ref, atol=1e-10)
    np.testing.assert_allclose(np.einsum("a,aij->ij", c, W), M, atol=1e-10)


def test_bad_input():
    with pytest.raises(ValueError, match="d must be an integer >= 2"):
        weyl_heisenberg(1)
    with pytest.raises(TypeError, match="d must be an integer"):
        wh_labels(2.5)
    with pytest.raises(ValueError, match="n must be an integer >= 1"):
        weyl_heisenberg(2, 0)
    with pytest.raises(ValueError, match="even length"):
        displacement_operator([1, 2, 3], 3)
    with pytest.raises(TypeError, match="integers"):
        displacement_operator([0.5, 1.0], 3)
    with pytest.raises(ValueError, match="shape"):
        wh_coefficients(np.eye(3), 2)
    with pytest.raises(ValueError, match="equal even length"):
        symplectic_form([1, 0], [1, 0, 0, 0], 2)
