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
from types import ModuleType
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import ArrayLike

from qtwin._extras import require_module
from qtwin._validation import check_choice, check_finite, check_positive_int

if TYPE_CHECKING:
    from qiskit import QuantumCircuit

__all__ = [
    "QSVTResult",
    "QSVTCircuit",
    "poly_approximation",
    "block_encoding_scale",
    "qsvt_angles",
    "qsvt_circuit",
    "qsvt_apply",
    "MAX_ENCODING_QUBITS",
]

#: largest block encoding simulated: system qubits + 1 ancilla
MAX_ENCODING_QUBITS = 8


def _pennylane() -> ModuleType:
    return require_module("pennylane", extra=None, purpose="the quantum QSVT counterpart")


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


def qsvt_angles(poly: ArrayLike) -> tuple[np.ndarray, float]:
    r"""QSVT phases :math:`\Phi` for ``shrink * P``, with ``shrink`` 1, 1/2 or 1/4.

    :func:`pennylane.poly_to_angles` finds the phases by root finding; its completion step
    fails when :math:`1 - |P|^2` has roots close to the unit circle (``|P|`` close to 1
    inside the interval), and halving ``P`` moves them away. The last resort is PennyLane's
    (slow) iterative solver. The circuit built from the phases implements
    ``shrink * P``: divide its output by ``shrink``.

    Args:
        poly: monomial coefficients, lowest power first, of a polynomial of definite
            parity with :math:`|P| \le 1` on [-1, 1] (trailing zeros are ignored).

    Returns:
        ``(angles, shrink)``: ``degree + 1`` phases and the factor they implement.

    Example:
        >>> angles, shrink = qsvt_angles([0.0, 0.0, 0.5])  # doctest: +SKIP
        >>> len(angles), shrink  # doctest: +SKIP
        (3, 1.0)
    """
    qml = _pennylane()
    coeffs = _check_poly(poly)
    for shrink in (1.0, 0.5, 0.25):
        try:
            return np.asarray(qml.poly_to_angles(coeffs * shrink, "QSVT"), dtype=float), shrink
        except (ValueError, np.linalg.LinAlgError):
            continue
    angles = qml.poly_to_angles(coeffs, "QSVT", angle_solver="iterative")  # pragma: no cover
    return np.asarray(angles, dtype=float), 1.0  # pragma: no cover


def _check_poly(poly: ArrayLike) -> np.ndarray:
    coeffs = np.trim_zeros(np.asarray(poly, dtype=float).ravel(), "b")
    check_finite(coeffs, "poly")
    if coeffs.size == 0:
        raise ValueError("poly must not be zero")
    degree = len(coeffs) - 1
    if np.any(coeffs[(degree + 1) % 2 :: 2] != 0):
        raise ValueError("poly must have a definite parity (only even or only odd powers)")
    return coeffs


@dataclass(frozen=True)
class QSVTCircuit:
    r"""The LCU-QSVT circuit that applies :math:`P^{(SV)}(\tilde A)` (see the module docstring).

    Wires (PennyLane) and qubits (Qiskit) are numbered alike: 0 is the LCU ancilla, 1 the
    block-encoding ancilla, ``2 .. q + 1`` the system register, which holds the padded input
    vector with its index in Qiskit's little-endian order (qubit ``2 + j`` is bit ``j``).
    Success is qubits 0 and 1 both reading 0; the post-selected system register then holds
    :math:`P^{(SV)}(\tilde A)b / \|\cdot\|` (times ``shrink``).

    Attributes:
        block: the padded :math:`2^q \times 2^q` matrix :math:`\tilde M = M/\alpha` that is
            block-encoded (:math:`M = A` for even ``P``, :math:`A^\dagger` for odd ``P``).
        angles: the QSVT phases (:func:`qsvt_angles`).
        alpha: the normalisation :math:`\alpha`.
        parity: ``"even"`` or ``"odd"``.
        shrink: the circuit implements ``shrink * P``.
        input_dim: length of the input vector ``b`` (columns of ``M``).
        output_dim: length of the output vector (``input_dim`` for even ``P``, rows of
            ``M`` for odd ``P``).
    """

    block: np.ndarray
    angles: np.ndarray
    alpha: float
    parity: str
    shrink: float
    input_dim: int
    output_dim: int

    @property
    def system_qubits(self) -> int:
        """``q``: qubits of the system register."""
        return int(self.block.shape[0]).bit_length() - 1

    @property
    def num_qubits(self) -> int:
        """``q + 2``: system register, block-encoding ancilla and LCU ancilla."""
        return self.system_qubits + 2

    @property
    def queries(self) -> int:
        """Calls to the block encoding (or its inverse) per run: the degree of ``P``."""
        return len(self.angles) - 1

    def apply(self) -> None:
        """Queue the circuit's gates on wires ``0 .. q + 1`` inside a PennyLane quantum function.

        The system register must already hold the input state (e.g. ``qml.StatePrep`` on
        wires ``q + 1, q, ..., 2``, most significant bit first).
        """
        qml = _pennylane()
        dim = self.block.shape[0]
        enc = [1, *range(self.num_qubits - 1, 1, -1)]  # ancilla, then system MSB first

        def qsvt_op(sign: float) -> Any:
            projectors = [qml.PCPhase(sign * phi, dim=dim, wires=enc) for phi in self.angles]
            return qml.QSVT(qml.BlockEncode(self.block, wires=enc), projectors)

        qml.Hadamard(0)
        qml.ctrl(qsvt_op(1.0), control=0, control_values=0)
        qml.ctrl(qsvt_op(-1.0), control=0, control_values=1)
        qml.Hadamard(0)

    def unitary(self) -> np.ndarray:
        """The circuit's :math:`2^{q+2}` unitary in Qiskit's order (qubit ``k`` is bit ``k``)."""
        qml = _pennylane()
        return np.asarray(qml.matrix(self.apply, wire_order=list(range(self.num_qubits))[::-1])())

    def padded_input(self, b: ArrayLike) -> np.ndarray:
        """``b / ||b||`` padded with zeros to the :math:`2^q` amplitudes of the system register."""
        vec = np.asarray(b, dtype=float).ravel()
        if len(vec) != self.input_dim:
            raise ValueError(
                f"b must have length {self.input_dim} for this {self.parity} circuit, "
                f"got {len(vec)}"
            )
        check_finite(vec, "b")
        norm = float(np.linalg.norm(vec))
        if norm == 0:
            raise ValueError("b must not be zero")
        out = np.zeros(self.block.shape[0])
        out[: len(vec)] = vec / norm
        return out

    def to_qiskit(self, b: ArrayLike, *, measure: bool = True) -> QuantumCircuit:
        """A Qiskit circuit: prepare ``b`` on the system register, apply the circuit, measure.

        Example:
            >>> circ = qsvt_circuit(np.diag([0.6, 0.3]), [0.0, 0.0, 1.0])  # doctest: +SKIP
            >>> circ.to_qiskit([1.0, 1.0]).num_qubits  # doctest: +SKIP
            3
        """
        from qiskit import QuantumCircuit

        qc = QuantumCircuit(self.num_qubits)
        qc.initialize(self.padded_input(b), list(range(2, self.num_qubits)))
        qc.unitary(self.unitary(), list(range(self.num_qubits)), label="qsvt")
        if measure:
            qc.measure_all()
        return qc


def qsvt_circuit(A: ArrayLike, poly: ArrayLike, *, alpha: float | None = None) -> QSVTCircuit:
    r"""The QSVT circuit for polynomial ``poly`` of :math:`\tilde A = A/\alpha`.

    Args:
        A: a real ``m × n`` matrix; :math:`2^q \ge \max(m, n)` with :math:`q + 1 \le 8`.
        poly: monomial coefficients (lowest first) of a definite-parity polynomial with
            :math:`|P| \le 1` on [-1, 1] (see :func:`poly_approximation`).
        alpha: normalisation; :func:`block_encoding_scale` when omitted (must not be smaller).

    Returns:
        A :class:`QSVTCircuit` (run it with :func:`qsvt_apply`, or on any Qiskit backend
        with :meth:`QSVTCircuit.to_qiskit`).

    Raises:
        ValueError: for a complex or non-finite ``A``, a polynomial of mixed parity, more
            than 8 block-encoding qubits, or an ``alpha`` below :func:`block_encoding_scale`.

    Example:
        >>> circ = qsvt_circuit(np.diag([0.6, 0.3]), [0.0, 0.0, 1.0])  # doctest: +SKIP
        >>> circ.queries, circ.num_qubits, circ.parity  # doctest: +SKIP
        (2, 3, 'even')
    """
    A = np.asarray(A)
    if A.ndim != 2 or A.size == 0:
        raise ValueError(f"A must be a non-empty 2-D matrix, got shape {A.shape}")
    if np.iscomplexobj(A) and np.any(A.imag != 0):
        raise ValueError(
            "A must be real for the quantum counterpart (the LCU uses conj(U) = U(-phi))"
        )
    A = A.real.astype(float)
    check_finite(A, "A")
    coeffs = _check_poly(poly)
    parity = "even" if (len(coeffs) - 1) % 2 == 0 else "odd"
    M = A if parity == "even" else A.T
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
    block = np.zeros((dim, dim))
    block[: M.shape[0], : M.shape[1]] = M / alpha
    angles, shrink = qsvt_angles(coeffs)
    out_dim = M.shape[1] if parity == "even" else M.shape[0]
    return QSVTCircuit(block, angles, alpha, parity, shrink, M.shape[1], out_dim)


def qsvt_apply(
    A: ArrayLike, poly: ArrayLike, b: ArrayLike, *, alpha: float | None = None
) -> QSVTResult:
    r"""Simulate QSVT for polynomial ``poly`` of :math:`\tilde A = A/\alpha` applied to ``b``.

    Builds :func:`qsvt_circuit` and runs it on PennyLane's ``default.qubit`` (exact state).

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
    circ = qsvt_circuit(A, poly, alpha=alpha)
    b_pad = circ.padded_input(b)
    nb = float(np.linalg.norm(np.asarray(b, dtype=float)))
    qml = _pennylane()
    dev = qml.device("default.qubit", wires=circ.num_qubits)
    system = list(range(circ.num_qubits - 1, 1, -1))  # most significant bit first

    @qml.qnode(dev)
    def run() -> Any:
        qml.StatePrep(b_pad, wires=system)
        circ.apply()
        return qml.state()

    # PennyLane's state: wire 0 most significant; read it in Qiskit's order (wire k = bit k)
    psi = (
        np.asarray(run())
        .reshape([2] * circ.num_qubits)
        .transpose(list(range(circ.num_qubits))[::-1])
    )
    amp = psi.reshape(-1, 4)[:, 0]  # LCU and block-encoding ancilla both 0
    p = float(np.sum(np.abs(amp) ** 2))
    vec = np.real_if_close(amp[: circ.output_dim] * nb / circ.shrink)
    state = amp / math.sqrt(p) if p > 0 else amp
    return QSVTResult(
        np.asarray(vec), state, p, circ.queries, circ.alpha, circ.num_qubits, circ.shrink
    )
