r"""Trotter circuits :math:`e^{-iHt}` for Pauli Hamiltonians, as brickworks for chains.

The Hamiltonian's terms are grouped by :func:`~qtwin.circuits.hamiltonians.split_even_odd`
into even bonds, odd bonds and the rest, :math:`H = H_e + H_o + H_r`, and with
:math:`\delta = t / \text{steps}` one step is

.. math::

    U_1(\delta) = e^{-i\delta H_r} e^{-i\delta H_o} e^{-i\delta H_e}
    \quad\text{(order 1: even layer first)},

    U_2(\delta) = \prod_{k \in e,o,r} e^{-i\frac{\delta}{2} P_k}
                  \prod_{k \in r,o,e} e^{-i\frac{\delta}{2} P_k}
    \quad\text{(order 2: symmetric, every term } P_k \text{ half a step each way)},

each group's exponential being the product of its terms' exponentials
:math:`e^{-i\delta c P}`. The error of :math:`U_p(\delta)^{\text{steps}}` is
:math:`O(t^{p+1}/\text{steps}^p)`. Neighbouring half steps of the same term are merged
(second order costs one more layer per circuit, not per step).

Each term becomes one native rotation: ``rx``/``ry``/``rz`` for one-site terms,
``rxx``/``ryy``/``rzz`` for ``XX``/``YY``/``ZZ`` terms (:math:`R_{PP}(\theta) =
e^{-i\theta PP/2}`, so :math:`\theta = 2c\delta`), and a ``PauliEvolutionGate`` for
anything else; the identity term becomes a global phase.
"""

from __future__ import annotations

import math

import numpy as np
from qiskit import QuantumCircuit
from qiskit.circuit.library import PauliEvolutionGate
from qiskit.quantum_info import Pauli, SparsePauliOp

from qtwin._validation import check_choice, check_finite, check_positive_int
from qtwin.circuits.hamiltonians import split_even_odd

__all__ = ["trotter_circuit", "initial_state_circuit", "neel_bitstring"]

_Term = tuple[str, tuple[int, ...], float]  # (sparse label, qubits, c * duration)


def neel_bitstring(num_qubits: int) -> str:
    """The Néel bitstring in Qiskit order: odd qubits are 1, qubit 0 is the last character.

    Example:
        >>> neel_bitstring(5)
        '01010'
    """
    n = check_positive_int(num_qubits, "num_qubits")
    return "".join("1" if q % 2 else "0" for q in reversed(range(n)))


def initial_state_circuit(num_qubits: int, initial_state: str | None = None) -> QuantumCircuit:
    r"""A circuit of X gates preparing a computational basis state from :math:`|0\dots0\rangle`.

    Args:
        num_qubits: number of qubits.
        initial_state: ``None`` or ``"zeros"`` (no gates); ``"neel"``: X on every odd qubit
            (1, 3, 5, ...), i.e. :math:`|0\rangle_0|1\rangle_1|0\rangle_2\cdots`, the
            Qiskit bitstring ``...1010`` (:func:`neel_bitstring`); or a bitstring of
            ``0``/``1`` of length ``num_qubits`` in Qiskit order (the last character is qubit 0).

    Example:
        >>> from qiskit.quantum_info import Statevector
        >>> Statevector(initial_state_circuit(4, "neel")).probabilities_dict() == {"1010": 1.0}
        True
    """
    n = check_positive_int(num_qubits, "num_qubits")
    qc = QuantumCircuit(n)
    if initial_state is None or initial_state == "zeros":
        return qc
    if not isinstance(initial_state, str):
        raise TypeError(
            f"initial_state must be None, 'zeros', 'neel' or a bitstring, got {initial_state!r}"
        )
    if initial_state == "neel":
        bits = neel_bitstring(n)
    else:
        bits = initial_state
        if len(bits) != n or set(bits) - {"0", "1"}:
            raise ValueError(
                f"initial_state must be 'zeros', 'neel' or a bitstring of {n} characters 0/1 "
                f"(Qiskit order: the last character is qubit 0), got {initial_state!r}"
            )
    for q, bit in enumerate(reversed(bits)):
        if bit == "1":
            qc.x(q)
    return qc


def _check_hamiltonian(hamiltonian: SparsePauliOp) -> None:
    if not isinstance(hamiltonian, SparsePauliOp):
        raise TypeError(
            f"hamiltonian must be a qiskit SparsePauliOp, got {type(hamiltonian).__name__}"
        )
    coeffs = np.asarray(hamiltonian.coeffs)
    if coeffs.dtype == object:
        raise TypeError("hamiltonian must have numeric coefficients; bind its parameters first")
    check_finite(coeffs, "hamiltonian.coeffs")
    scale = max(1.0, float(np.max(np.abs(coeffs), initial=0.0)))
    if np.any(np.abs(coeffs.imag) > 1e-12 * scale):
        raise ValueError("hamiltonian must be Hermitian: its Pauli coefficients must be real")


def _terms(group: SparsePauliOp) -> list[_Term]:
    return [
        (label, tuple(int(q) for q in qubits), float(np.real(c)))
        for label, qubits, c in group.to_sparse_list()
    ]


def _step_sequence(groups: list[list[_Term]], dt: float, order: int) -> list[_Term]:
    flat = [t for g in groups for t in g]
    if order == 1:
        return [(p, q, c * dt) for p, q, c in flat]
    half = [(p, q, c * dt / 2) for p, q, c in flat]
    return half + half[::-1]


def _merge(sequence: list[_Term], num_qubits: int) -> list[_Term]:
    """Merge a term into the last one on its wires when it is the same Pauli term."""
    out: list[list] = []
    last = [-1] * num_qubits  # index into `out` of the last term on each qubit
    for label, qubits, angle in sequence:
        prev = {last[q] for q in qubits}
        if len(prev) == 1:
            k = prev.pop()
            if k >= 0 and out[k][0] == label and out[k][1] == qubits:
                out[k][2] += angle
                continue
        out.append([label, qubits, angle])
        for q in qubits:
            last[q] = len(out) - 1
    return [(p, q, a) for p, q, a in out]


def _append_rotation(qc: QuantumCircuit, label: str, qubits: tuple[int, ...], angle: float) -> None:
    r"""Append :math:`e^{-i\,\text{angle}\,P}` for the Pauli ``label`` on ``qubits``."""
    theta = 2.0 * angle
    if len(label) == 1:
        getattr(qc, "r" + label.lower())(theta, qubits[0])
    elif len(label) == 2 and label in ("XX", "YY", "ZZ"):
        getattr(qc, "r" + label.lower())(theta, qubits[0], qubits[1])
    else:
        qc.append(PauliEvolutionGate(Pauli(label[::-1]), time=angle), list(qubits))


def trotter_circuit(
    hamiltonian: SparsePauliOp,
    time: float,
    steps: int,
    order: int = 1,
    initial_state: str | None = None,
) -> QuantumCircuit:
    r"""Product-formula circuit for :math:`e^{-iHt}`, optionally after basis-state preparation.

    Args:
        hamiltonian: a Hermitian ``SparsePauliOp`` (real coefficients). Chain Hamiltonians
            from :mod:`qtwin.circuits.hamiltonians` give brickwork circuits (even bonds,
            then odd bonds, then fields); any other Pauli terms are allowed.
        time: evolution time :math:`t` (finite, any sign).
        steps: number of Trotter steps, ``>= 1``.
        order: ``1`` (Lie–Trotter) or ``2`` (symmetric Strang splitting).
        initial_state: basis state prepared first, see :func:`initial_state_circuit`:
            ``None``/``"zeros"``, ``"neel"`` (X on odd qubits) or a Qiskit-order bitstring.

    Returns:
        A ``QuantumCircuit`` on ``hamiltonian.num_qubits`` qubits, global phase included.

    Example:
        >>> import numpy as np
        >>> from scipy.linalg import expm
        >>> from qiskit.quantum_info import Statevector
        >>> from qtwin.circuits.hamiltonians import heisenberg_chain
        >>> H = heisenberg_chain(4, h=0.5)
        >>> qc = trotter_circuit(H, time=1.0, steps=20, order=2, initial_state="neel")
        >>> exact = expm(-1j * H.to_matrix()) @ Statevector.from_label("1010").data
        >>> bool(np.linalg.norm(Statevector(qc).data - exact) < 1e-2)
        True
    """
    _check_hamiltonian(hamiltonian)
    if isinstance(time, bool) or not isinstance(time, (int, float, np.integer, np.floating)):
        raise TypeError(f"time must be a real number, got {time!r}")
    check_finite(time, "time")
    steps = check_positive_int(steps, "steps")
    check_choice(order, "order", (1, 2))
    n = hamiltonian.num_qubits
    qc = initial_state_circuit(n, initial_state)
    qc.name = f"trotter_o{order}"

    groups = [_terms(g) for g in split_even_odd(hamiltonian.simplify(atol=0.0))]
    identity = [t for g in groups for t in g if not t[1]]
    groups = [[t for t in g if t[1]] for g in groups]
    # e^{-i c I t} is a global phase
    qc.global_phase -= sum(c for _, _, c in identity) * float(time)

    dt = float(time) / steps
    sequence = _merge(_step_sequence(groups, dt, order) * steps, n)
    for label, qubits, angle in sequence:
        if angle != 0.0:
            _append_rotation(qc, label, qubits, angle)
    qc.global_phase = math.remainder(float(qc.global_phase), 2 * math.pi)
    return qc
