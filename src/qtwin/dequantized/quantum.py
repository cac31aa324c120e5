r"""The quantum counterpart: a QSVT circuit (PennyLane) for the same polynomial.

QSVT with a block encoding :math:`U` of :math:`\tilde A = A/\alpha` and phases
:math:`\Phi` (from :func:`pennylane.poly_to_angles`) has top-left block
:math:`P^{(SV)}(\tilde A) + iQ^{(SV)}(\tilde A)`; the real polynomial ``P`` is isolated by a
linear combination of unitaries with the phases negated (for real :math:`A`, the circuit
with :math:`-\Phi` is the complex conjugate):

.. math::

    (\langle +| \otimes I)\,\big(|0\rangle\langle0| \otimes U_\Phi + |1\rangle\langle1| \otimes
    U_{-\Phi}\big)\,(|+\rangle \otimes I) = \mathrm{Re}\,U_\Phi .

The circuit prepares :math:`|b\rangle`, applies that LCU and is post-selected on both
ancillas in :math:`|0\rangle`; the post-selected state is :math:`P^{(SV)}(\tilde A)b/\|\cdot\|`
and the success probability is :math:`\|P^{(SV)}(\tilde A)b\|^2/\|b\|^2`. Even ``P``
acts as :math:`\sum_l P(\tilde\sigma_l)v_lv_l^\dagger` (on :math:`\mathbb{C}^n`), odd ``P`` is
applied to :math:`\tilde A^\dagger` and gives :math:`\sum_l P(\tilde\sigma_l)v_lu_l^\dagger b`,
matching :func:`~qtwin.dequantized.transform.svt`. One run makes ``degree`` queries to
:math:`U` or :math:`U^\dagger`.

PennyLane's ``BlockEncode`` divides a matrix by
:math:`\max(\|AA^\dagger\|_\infty, \|A^\dagger A\|_\infty)` when that exceeds 1, so
:math:`\alpha` is chosen as :math:`\max(\|A\|_F, \sqrt{\cdot})` and the circuit sees no
hidden rescaling.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from qtwin._validation import check_choice, check_finite, check_positive_int

__all__ = [
    "QSVTResult",
    "poly_approximation",
    "block_encoding_scale",
    "qsvt_apply",
    "MAX_ENCODING_QUBITS",
]

#: largest block encoding simulated: system qubits + 1 ancilla
MAX_ENCODING_QUBITS = 8


def _pennylane() -> Any:
    try:
        import pennylane as qml
    except ImportError as exc:  # pragma: no cover - pennylane is a core dependency
        raise ImportError(
            "the quantum QSVT counterpart needs PennyLane: pip install pennylane"
        ) from exc
    return qml


def poly_approximation(
    f: Callable[[Any], Any], degree: int, parity: str, *, bound: float = 0.99
) -> tuple[np.ndarray, float]:
    r"""Monomial coefficients of a degree-``degree`` Chebyshev interpolant of ``f`` on [-1, 1].

    The coefficients of the wrong parity are zeroed, and the polynomial is divided by
    ``scale`` so that :math:`\max_{[-1,1]}|P| \le` ``bound`` (QSVT needs :math:`|P| \le 1`);
    :math:`f \approx` ``scale`` :math:`\cdot P`.

    Args:
        f: vectorised function on [-1, 1].
        degree: polynomial degree (its parity must match ``parity``).
        parity: ``"even"`` or ``"odd"``.
        bound: largest allowed :math:`|P|`.

    Returns:
        ``(coeffs, scale)``, ``coeffs`` lowest power first.

    Example:
        >>> c, s = poly_approximation(lambda x: x**2, 2, "even")
        >>> np.round(c * s, 6).tolist()
        [0.0, 0.0, 1.0]
    """
    degree = check_positive_int(degree, "degree")
    check_choice(parity, "parity", ("even", "odd"))
    if (degree % 2 == 0) != (parity == "even"):
        raise ValueError(
            f"degree must be {'even' if parity == 'even' else 'odd'} for "
            f"parity={parity!r}, got {degree}"
        )
    cheb = np.polynomial.chebyshev.Chebyshev.interpolate(f, degree, domain=[-1, 1])
    coef = cheb.coef.copy()
    coef[(1 if parity == "even" else 0) :: 2] = 0.0
    mono = np.polynomial.chebyshev.cheb2poly(coef)
    x = np.cos(np.linspace(0, np.pi, 2001))
    peak = float(np.max(np.abs(np.polynomial.polynomial.polyval(x, mono))))
    scale = max(peak / bound, 1e-300)
    return mono / scale, scale


def block_encoding_scale(A: np.ndarray) -> float:
    r"""The normalisation :math:`\alpha` of the block encoding.

    :math:`\alpha = \max(\|A\|_F, \sqrt{\max(\|AA^\dagger\|_\infty, \|A^\dagger A\|_\infty)})`.
    """
    inf = max(np.linalg.norm(A @ A.conj().T, np.inf), np.linalg.norm(A.conj().T @ A, np.inf))
    return float(max(np.linalg.norm(A), math.sqrt(inf)))


@dataclass
class QSVTResult:
    r"""Output of the simulated QSVT circuit.

    Attributes:
        vector: :math:`P^{(SV)}(\tilde A)b` recovered from the post-selected amplitudes
            (times ``||b||``), length ``n`` (even) or ``n`` (odd, on :math:`\tilde A^\dagger`).
        state: the normalised post-selected state.
        success_probability: probability of the post-selection (both ancillas 0).
        queries: calls to the block encoding per run (the degree).
        alpha: the normalisation :math:`\alpha` (:math:`\tilde A = A/\alpha`).
        qubits: wires in the circuit (system + block-encoding ancilla + LCU ancilla).
        shrink: the circuit implements ``shrink * P`` (``1``, or ``1/2``, ``1/4`` when the
            angle finder needed a smaller polynomial); ``vector`` is divided by it, the
            success probability is that of the circuit as run.
    """

    vector: np.ndarray
    state: np.ndarray
    success_probability: float
    queries: int
    alpha: float
    qubits: int
    shrink: float = 1.0


def qsvt_apply(A: Any, poly: Any, b: Any, *, alpha: float | None = None) -> QSVTResult:
    r"""Simulate QSVT for polynomial ``poly`` of :math:`\tilde A = A/\alpha` applied to ``b``.

    Args:
        A: a real ``m × n`` matrix; :math:`2^q \ge \max(m, n)` with :math:`q + 1 \le 8`.
        poly: monomial coefficients (lowest first) of a definite-parity polynomial with
            :math:`|P| \le 1` on [-1, 1] (see :func:`poly_approximation`).
        b: length ``n`` for even ``poly``, ``m`` for odd ``poly``.
        alpha: normalisation; :func:`block_encoding_scale` when omitted (must not be smaller).

    Returns:
        A :class:`QSVTResult`.

    Raises:
        ValueError: for a complex or non-finite ``A``, a polynomial of mixed parity, more
            than 8 block-encoding qubits, or a ``b`` of the wrong length.

    Example:
        >>> A = np.array([[0.6, 0.0], [0.0, 0.3]])
        >>> res = qsvt_apply(A, [0.0, 0.0, 1.0], [1.0, 1.0])  # doctest: +SKIP
        >>> a = res.alpha; np.round(res.vector * a**2, 6).tolist()  # doctest: +SKIP
        [0.36, 0.09]
        >>> res.queries, res.qubits  # doctest: +SKIP
        (2, 3)

        (skipped in the doctests: importing PennyLane takes seconds; the tests run it.)
    """
    qml = _pennylane()
    A = np.asarray(A)
    if A.ndim != 2 or A.size == 0:
        raise ValueError(f"A must be a non-empty 2-D matrix, got shape {A.shape}")
    if np.iscomplexobj(A) and np.any(A.imag != 0):
        raise ValueError(
            "A must be real for the quantum counterpart (the LCU uses conj(U) = U(-phi))"
        )
    A = A.real.astype(float)
    check_finite(A, "A")
    coeffs = np.trim_zeros(np.asarray(poly, dtype=float), "b")
    check_finite(coeffs, "poly")
    if coeffs.size == 0:
        raise ValueError("poly must not be zero")
    degree = len(coeffs) - 1
    wrong = coeffs[(degree + 1) % 2 :: 2]
    if np.any(wrong != 0):
        raise ValueError("poly must have a definite parity (only even or only odd powers)")
    parity = "even" if degree % 2 == 0 else "odd"
    M = A if parity == "even" else A.T
    bvec = np.asarray(b, dtype=float).ravel()
    if len(bvec) != M.shape[1]:
        raise ValueError(
            f"b must have length {M.shape[1]} for a {parity} polynomial, got {len(bvec)}"
        )
    check_finite(bvec, "b")
    nb = float(np.linalg.norm(bvec))
    if nb == 0:
        raise ValueError("b must not be zero")
    q = max(1, math.ceil(math.log2(max(M.shape))))
    if q + 1 > MAX_ENCODING_QUBITS:
        raise ValueError(
            f"A needs {q + 1} block-encoding qubits; the quantum counterpart simulates at most "
            f"{MAX_ENCODING_QUBITS} (matrices up to {2 ** (MAX_ENCODING_QUBITS - 1)} x "
            f"{2 ** (MAX_ENCODING_QUBITS - 1)})"
        )
    a_min = block_encoding_scale(M)
    alpha = a_min if alpha is None else float(alpha)
    if alpha < a_min * (1 - 1e-12):
        raise ValueError(f"alpha must be >= {a_min:.6g} so that BlockEncode does not rescale")
    dim = 2**q
    Mt = np.zeros((dim, dim))
    Mt[: M.shape[0], : M.shape[1]] = M / alpha
    angles, shrink = _angles(qml, coeffs)
    lcu, enc = 0, list(range(1, q + 2))
    sysw = enc[1:]

    def qsvt_op(sign: float) -> Any:
        projectors = [qml.PCPhase(sign * phi, dim=dim, wires=enc) for phi in angles]
        return qml.QSVT(qml.BlockEncode(Mt, wires=enc), projectors)

    b_pad = np.zeros(dim)
    b_pad[: len(bvec)] = bvec / nb
    dev = qml.device("default.qubit", wires=q + 2)

    @qml.qnode(dev)
    def circuit() -> Any:
        qml.StatePrep(b_pad, wires=sysw)
        qml.Hadamard(lcu)
        qml.ctrl(qsvt_op(1.0), control=lcu, control_values=0)
        qml.ctrl(qsvt_op(-1.0), control=lcu, control_values=1)
        qml.Hadamard(lcu)
        return qml.state()

    psi = np.asarray(circuit())
    amp = psi[:dim]  # lcu = 0 and block-encoding ancilla = 0 (most significant wires)
    out = amp[: M.shape[1] if parity == "even" else M.shape[0]]
    # even: output lives on C^n; odd (on A^T): on C^n as well (rows of A^T = columns of A)
    p = float(np.sum(np.abs(amp) ** 2))
    vec = np.real_if_close(out * nb / shrink)
    state = amp / math.sqrt(p) if p > 0 else amp
    return QSVTResult(np.asarray(vec), state, p, degree, alpha, q + 2, shrink)


def _angles(qml: Any, coeffs: np.ndarray) -> tuple[np.ndarray, float]:
    """QSVT phases for ``shrink * P``: root finding, shrinking ``P`` when it fails.

    PennyLane's root-finding completion fails when :math:`1 - |P|^2` has roots close to
    the unit circle (``|P|`` close to 1 inside the interval); halving ``P`` moves them away.
    The last resort is the (slow) iterative solver.
    """
    for shrink in (1.0, 0.5, 0.25):
        try:
            return np.asarray(qml.poly_to_angles(coeffs * shrink, "QSVT"), dtype=float), shrink
        except (ValueError, np.linalg.LinAlgError):
            continue
    angles = qml.poly_to_angles(coeffs, "QSVT", angle_solver="iterative")  # pragma: no cover
    return np.asarray(angles, dtype=float), 1.0  # pragma: no cover
