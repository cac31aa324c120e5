"""The QSVT circuit (PennyLane) against the exact polynomial transformation; compare()."""

from __future__ import annotations

import numpy as np
import pytest

pytest.importorskip("pennylane")

from qtwin.dequantized import (  # noqa: E402
    SVTProblem,
    poly_approximation,
    qsvt_angles,
    qsvt_apply,
    qsvt_circuit,
)
from qtwin.dequantized.quantum import block_encoding_scale  # noqa: E402


def sv_poly(A: np.ndarray, coeffs, b: np.ndarray, alpha: float) -> np.ndarray:
    """Exact P^(SV)(A/alpha) b (even: on v's; odd: sum P(s) v u^T b)."""
    U, s, Vt = np.linalg.svd(A / alpha)
    P = np.polynomial.polynomial.polyval(s, coeffs)
    if len(coeffs) % 2 == 1:  # even degree
        full = np.zeros(A.shape[1])
        full[: len(s)] = P
        P0 = np.polynomial.polynomial.polyval(0.0, coeffs)
        full[len(s) :] = P0
        return Vt.T @ (full * (Vt @ b))
    return Vt[: len(s)].T @ (P * (U[:, : len(s)].T @ b))


@pytest.mark.parametrize(
    ("shape", "coeffs"),
    [((4, 4), [0.1, 0, 0.5, 0, -0.3]), ((6, 3), [0.0, 0.6, 0.0, -0.3]), ((3, 5), [0.2, 0, -0.7])],
)
def test_qsvt_circuit_matches_exact_polynomial(shape, coeffs):
    rng = np.random.default_rng(sum(shape))
    A = rng.normal(size=shape)
    odd = len(coeffs) % 2 == 0
    b = rng.normal(size=shape[0] if odd else shape[1])
    res = qsvt_apply(A, coeffs, b)
    M = A.T if odd else A
    assert res.alpha == pytest.approx(block_encoding_scale(M))
    exact = sv_poly(A, coeffs, b, res.alpha)
    assert np.allclose(res.vector, exact, atol=1e-8)
    assert res.success_probability == pytest.approx(np.sum(exact**2) / np.sum(b**2), abs=1e-10)
    assert res.queries == len(coeffs) - 1


@pytest.mark.parametrize(
    ("shape", "coeffs"), [((6, 3), [0.0, 0.6, 0.0, -0.3]), ((3, 5), [0.2, 0, -0.7])]
)
def test_qiskit_export_gives_the_exact_polynomial(shape, coeffs):
    """The circuit handed to Qiskit, simulated by qiskit.quantum_info, post-selected."""
    from qiskit.quantum_info import Statevector

    rng = np.random.default_rng(7)
    A = rng.normal(size=shape)
    odd = len(coeffs) % 2 == 0
    b = rng.normal(size=shape[0] if odd else shape[1])
    circ = qsvt_circuit(A, coeffs)
    qc = circ.to_qiskit(b, measure=False)
    assert qc.num_qubits == circ.num_qubits and circ.queries == len(coeffs) - 1
    amp = Statevector(qc).data.reshape(-1, 4)[:, 0]  # qubits 0 and 1 read 0
    out = amp[: circ.output_dim] * np.linalg.norm(b) / circ.shrink
    np.testing.assert_allclose(out, sv_poly(A, coeffs, b, circ.alpha), atol=1e-8)
    assert np.allclose(amp[circ.output_dim :], 0)  # nothing leaks into the padding
    assert circ.to_qiskit(b).count_ops()["measure"] == circ.num_qubits
    U = circ.unitary()
    np.testing.assert_allclose(U.conj().T @ U, np.eye(2**circ.num_qubits), atol=1e-10)


def test_qsvt_angles_shrink_only_when_needed():
    angles, shrink = qsvt_angles([0.0, 0.0, 0.5])
    assert len(angles) == 3 and shrink == 1.0
    # |P| = 0.99 at the ends: PennyLane's completion may fail, a smaller P must then be used
    c, _ = poly_approximation(lambda x: x**8, 8, "even")
    angles, shrink = qsvt_angles(c)
    assert shrink in (1.0, 0.5, 0.25) and len(angles) == 9
    res = qsvt_apply(np.diag([0.9, 0.5]), c, [1.0, 1.0])
    np.testing.assert_allclose(res.vector, sv_poly(np.diag([0.9, 0.5]), c, [1.0, 1.0], res.alpha))


def test_poly_approximation_is_bounded_and_accurate():
    coeffs, scale = poly_approximation(lambda x: np.exp(-2 * x**2), 12, "even")
    x = np.linspace(-1, 1, 101)
    P = np.polynomial.polynomial.polyval(x, coeffs)
    assert np.max(np.abs(P)) <= 0.99 + 1e-12
    assert np.max(np.abs(P * scale - np.exp(-2 * x**2))) < 1e-5
    assert np.all(coeffs[1::2] == 0)


def test_quantum_bad_input():
    with pytest.raises(ValueError, match="definite parity"):
        qsvt_apply(np.eye(2), [0.1, 0.2], np.ones(2))
    with pytest.raises(ValueError, match="at most 8"):
        qsvt_apply(np.eye(256) * 0.01, [0, 1.0], np.ones(256))
    with pytest.raises(ValueError, match="real"):
        qsvt_apply(np.eye(2) * 1j, [0, 1.0], np.ones(2))
    with pytest.raises(ValueError, match="length"):
        qsvt_apply(np.eye(2), [0, 0, 1.0], np.ones(3))
    with pytest.raises(ValueError, match="odd"):
        poly_approximation(np.sin, 4, "odd")
    with pytest.raises(ValueError, match="definite parity"):
        qsvt_angles([0.1, 0.2])
    with pytest.raises(ValueError, match="alpha must be"):
        qsvt_circuit(np.eye(2), [0, 1.0], alpha=0.5)
    with pytest.raises(ValueError, match="length 2"):
        qsvt_circuit(np.eye(2), [0, 1.0]).to_qiskit(np.ones(3))
    with pytest.raises(ValueError, match="even function"):
        SVTProblem(np.eye(2), np.ones(2), np.exp, parity="even")
