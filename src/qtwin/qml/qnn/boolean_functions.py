r"""Any Boolean label function as an exact Farhi–Neven network (exponentially long if it must be).

Farhi and Neven show that every label function :math:`l : \{0,1\}^n \to \{+1,-1\}` has an
exact QNN representation built from multi-qubit generators. With :math:`l(Z)` the diagonal
operator :math:`l(Z)|z\rangle = l(z)|z\rangle` on the data qubits,

.. math::

    U_l = e^{i\frac{\pi}{4}\, l(Z)\, X_r}, \qquad
    \langle z, 0| U_l^\dagger Y_r U_l |z, 0\rangle = \sin\big(\tfrac{\pi}{2} l(z)\big) = l(z),

because on :math:`|z\rangle` the unitary is the readout rotation :math:`e^{i\frac{\pi}{4}l(z)X_r}`.
To write :math:`U_l` as a product of Pauli exponentials, expand :math:`l` in the Walsh
(Fourier / Reed–Muller over :math:`\pm 1` spins) basis, :math:`s_j = (-1)^{z_j}`:

.. math::

    l(z) = \sum_{S \subseteq [n]} a_S \prod_{j\in S} s_j, \qquad
    a_S = 2^{-n} \sum_z l(z) \prod_{j \in S} s_j,

so :math:`l(Z) = \sum_S a_S Z_S` and, since the generators :math:`Z_S X_r` all commute,
:math:`U_l = \prod_{S:\, a_S \ne 0} e^{i\frac{\pi}{4} a_S Z_S X_r}`: one generator (a Pauli
string on :math:`|S| + 1` qubits) per non-zero Walsh coefficient. Parity of a subset has one
coefficient (it is :func:`~qtwin.qml.qnn.representations.subset_parity_circuit` up to the
readout rotation); majority of :math:`k` bits has :math:`2^{k-1}`; a random function has
almost all :math:`2^n`, which is the exponential length the paper points out.

Example:
    >>> import numpy as np
    >>> from qtwin.qml.qnn.datasets import all_bit_strings
    >>> labels = np.array([1, -1, -1, -1])  # NOR-like: +1 only for z = 00
    >>> terms, thetas = boolean_function_terms(2, labels)
    >>> len(terms)
    4
    >>> model = boolean_function_model(2, labels)
    >>> model.predict(all_bit_strings(2)).tolist()
    [1, -1, -1, -1]
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import ArrayLike

from qtwin._validation import check_positive_int
from qtwin.qml.qnn.datasets import all_bit_strings
from qtwin.qml.qnn.model import FarhiNevenQNN, PauliTerm, pauli_terms_circuit

if TYPE_CHECKING:
    from qiskit import QuantumCircuit

__all__ = [
    "walsh_coefficients",
    "boolean_function_terms",
    "boolean_function_circuit",
    "boolean_function_model",
]

_MAX_BITS = 16


def _labels(n: int, labels: Any) -> np.ndarray:
    n = check_positive_int(n, "n")
    if n > _MAX_BITS:
        raise ValueError(f"n must be <= {_MAX_BITS} (2^n Walsh coefficients), got {n}")
    if callable(labels):
        fn: Callable[[np.ndarray], Any] = labels
        values = np.array([fn(row) for row in all_bit_strings(n)])
    else:
        values = np.asarray(labels).reshape(-1)
    if values.shape != (2**n,):
        raise ValueError(
            f"labels must have 2^n = {2**n} entries (row k = the little-endian bits of k), "
            f"got {values.shape[0]}"
        )
    if not np.all((values == 1) | (values == -1)):
        raise ValueError("labels must be +1 or -1 for every string")
    return values.astype(float)


def walsh_coefficients(n: int, labels: ArrayLike) -> np.ndarray:
    r"""Walsh coefficients :math:`a_S` of a label function, indexed by the mask
    :math:`m = \sum_{j\in S} 2^j`.

    Args:
        n: number of bits, ``1 <= n <= 16``.
        labels: ``2^n`` labels ±1 in :func:`~qtwin.qml.qnn.datasets.all_bit_strings` order, or a
            callable mapping a bit string (array of 0/1) to ±1.

    Returns:
        Array of shape ``(2^n,)``.

    Example:
        >>> walsh_coefficients(2, [1, -1, -1, 1]).tolist()  # parity of both bits
        [0.0, 0.0, 0.0, 1.0]
    """
    a = _labels(n, labels).reshape((2,) * n)  # axis 0 = bit n-1 (most significant)
    h = np.array([[1.0, 1.0], [1.0, -1.0]]) / 2
    for axis in range(n):
        a = np.moveaxis(np.tensordot(h, a, axes=([1], [axis])), 0, axis)
    return a.reshape(-1)


def boolean_function_terms(
    n: int, labels: ArrayLike, *, atol: float = 1e-12
) -> tuple[list[PauliTerm], list[float]]:
    r"""Generators :math:`Z_S X_r` and angles :math:`\frac{\pi}{4} a_S` of :math:`U_l`.

    Coefficients with :math:`|a_S| \le` ``atol`` are left out. The readout is qubit ``n``.
    Example in the module docstring.
    """
    coeffs = walsh_coefficients(n, labels)
    terms: list[PauliTerm] = []
    thetas: list[float] = []
    for mask, a in enumerate(coeffs):
        if abs(a) <= atol:
            continue
        sub = tuple(j for j in range(n) if (mask >> j) & 1)
        terms.append(("Z" * len(sub) + "X", sub + (n,)))
        thetas.append(math.pi / 4 * float(a))
    return terms, thetas


def boolean_function_circuit(n: int, labels: ArrayLike) -> QuantumCircuit:
    r"""Qiskit circuit on ``n + 1`` qubits with :math:`\langle Y_r\rangle = l(z)` on
    :math:`|z\rangle|0\rangle`; multi-qubit factors are ``PauliEvolutionGate``\ s.

    Example:
        >>> boolean_function_circuit(2, [1, 1, 1, -1]).num_qubits  # NAND
        3
    """
    terms, thetas = boolean_function_terms(n, labels)
    return pauli_terms_circuit(n + 1, terms, thetas)


def boolean_function_model(n: int, labels: ArrayLike, **kwargs: Any) -> FarhiNevenQNN:
    """:class:`FarhiNevenQNN` set to :math:`U_l` (``kwargs`` go to the model)."""
    terms, thetas = boolean_function_terms(n, labels)
    return FarhiNevenQNN(n, terms, theta=thetas, **kwargs)
