r"""Exact Farhi–Neven representations of subset parity and subset majority.

Both circuits act on ``n`` data qubits in :math:`|z\rangle` (bit ``j`` on qubit ``j``) and a
readout, the last qubit, in :math:`|0\rangle`; the readout preparation is part of the circuit.
Write :math:`s_j = (-1)^{z_j}` for the spin of bit :math:`z_j \in \{0, 1\}`. Every generator
below commutes with the others and with :math:`Z` on the data qubits, so on :math:`|z\rangle`
the circuit is :math:`e^{i\phi(z) X_r}` and, from :math:`|0\rangle`,
:math:`\langle Y_r\rangle = \sin 2\phi(z)`.

**Parity** :math:`l(z) = (-1)^{\sum_{j\in S} z_j} = \prod_{j \in S} s_j`:

.. math::

    U_P = e^{i\frac{\pi}{4}X_r} \prod_{j\in S} e^{-i\frac{\pi}{4}X_r}\, e^{i\frac{\pi}{4}Z_j X_r}
        = e^{i\frac{\pi}{4}(1-|S|) X_r} \prod_{j\in S} e^{i\frac{\pi}{4} Z_j X_r},

so :math:`\phi = \frac{\pi}{4}(1 + \sum_{j\in S}(s_j - 1)) = \frac{\pi}{4}(1 - 2k)` with
:math:`k` the number of ones in the subset, and :math:`\langle Y_r\rangle =
\sin(\frac{\pi}{2} - \pi k) = (-1)^k = l(z)` exactly.

**Majority** (odd :math:`|S|`) :math:`l(z) = \operatorname{sign}\sum_{j\in S} s_j`: +1 when
the subset holds more 0 bits than 1 bits, -1 otherwise. With
:math:`U_M = \prod_{j\in S} e^{i\beta Z_j X_r}`, :math:`\langle Y_r\rangle =
\sin(2\beta\sum_{j\in S}s_j)`, whose sign is right when :math:`2\beta|S| < \pi`; we take
:math:`\beta = \pi / (4|S|)`, so :math:`|\langle Y_r\rangle| \ge \sin(\pi/(2|S|))`.

Example:
    >>> from qiskit.quantum_info import SparsePauliOp, Statevector
    >>> qc = subset_parity_circuit(3, [0, 2])
    >>> prep = Statevector.from_label("0101")  # readout 0, z = (1, 0, 1): two ones
    >>> round(float(prep.evolve(qc).expectation_value(SparsePauliOp("YIII")).real), 12)
    1.0
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from qtwin._validation import check_positive_int
from qtwin.qml.qnn.model import FarhiNevenQNN, PauliTerm, pauli_terms_circuit

if TYPE_CHECKING:
    from qiskit import QuantumCircuit

__all__ = [
    "subset_parity_terms",
    "subset_majority_terms",
    "subset_parity_circuit",
    "subset_majority_circuit",
    "subset_parity_model",
    "subset_majority_model",
]


def _check_subset(n: Any, subset: Sequence[int]) -> tuple[int, list[int]]:
    n = check_positive_int(n, "n")
    try:
        sub = [int(j) for j in subset]
    except (TypeError, ValueError):
        raise TypeError(f"subset must be a sequence of qubit indices, got {subset!r}") from None
    if not sub or len(set(sub)) != len(sub) or any(not 0 <= j < n for j in sub):
        raise ValueError(
            f"subset must be non-empty distinct indices in [0, {n - 1}], got {subset!r}"
        )
    return n, sorted(sub)


def subset_parity_terms(n: int, subset: Sequence[int]) -> tuple[list[PauliTerm], list[float]]:
    """Generators and angles of the exact parity network (see the module docstring).

    Example:
        >>> subset_parity_terms(2, [1])
        ([('X', (2,)), ('ZX', (1, 2))], [0.0, 0.7853981633974483])
    """
    n, sub = _check_subset(n, subset)
    terms: list[PauliTerm] = [("X", (n,))] + [("ZX", (j, n)) for j in sub]
    return terms, [math.pi / 4 * (1 - len(sub))] + [math.pi / 4] * len(sub)


def subset_majority_terms(n: int, subset: Sequence[int]) -> tuple[list[PauliTerm], list[float]]:
    r"""Generators and angles :math:`\beta = \pi/(4|S|)` of the majority network.

    Example:
        >>> subset_majority_terms(3, [0, 1, 2])[1]
        [0.2617993877991494, 0.2617993877991494, 0.2617993877991494]
    """
    n, sub = _check_subset(n, subset)
    if len(sub) % 2 == 0:
        raise ValueError(f"subset must have odd size for majority (no ties), got {len(sub)}")
    beta = math.pi / (4 * len(sub))
    return [("ZX", (j, n)) for j in sub], [beta] * len(sub)


def subset_parity_circuit(n: int, subset: Sequence[int]) -> QuantumCircuit:
    r"""Qiskit circuit on ``n + 1`` qubits with :math:`\langle Y_r\rangle = (-1)^{\sum_S z_j}`.

    Apply it to :math:`|z\rangle\otimes|0\rangle` (readout last). Example in the module.
    """
    terms, thetas = subset_parity_terms(n, subset)
    return pauli_terms_circuit(n + 1, terms, thetas)


def subset_majority_circuit(n: int, subset: Sequence[int]) -> QuantumCircuit:
    r"""Qiskit circuit on ``n + 1`` qubits with :math:`\operatorname{sign}\langle Y_r\rangle`
    the majority label of the subset (+1 for more 0 bits); ``len(subset)`` must be odd.

    Example:
        >>> [op.operation.name for op in subset_majority_circuit(3, [0, 1, 2]).data]
        ['rzx', 'rzx', 'rzx']
    """
    terms, thetas = subset_majority_terms(n, subset)
    return pauli_terms_circuit(n + 1, terms, thetas)


def subset_parity_model(n: int, subset: Sequence[int], **kwargs: Any) -> FarhiNevenQNN:
    """:class:`FarhiNevenQNN` set to the exact parity network (``kwargs`` go to the model)."""
    terms, thetas = subset_parity_terms(n, subset)
    return FarhiNevenQNN(n, terms, theta=thetas, **kwargs)


def subset_majority_model(n: int, subset: Sequence[int], **kwargs: Any) -> FarhiNevenQNN:
    """:class:`FarhiNevenQNN` set to the majority network (``kwargs`` go to the model)."""
    terms, thetas = subset_majority_terms(n, subset)
    return FarhiNevenQNN(n, terms, theta=thetas, **kwargs)
