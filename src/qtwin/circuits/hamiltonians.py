r"""Spin-chain Hamiltonians as Qiskit ``SparsePauliOp`` s (little-endian: qubit 0 is site 0).

Every builder is a special case of the XYZ chain

.. math::

    H = \sum_{(i,j)} \big(J^x_{ij} X_i X_j + J^y_{ij} Y_i Y_j + J^z_{ij} Z_i Z_j\big)
        + \sum_i \big(h^x_i X_i + h^y_i Y_i + h^z_i Z_i\big),

with bonds :math:`(i, i+1)` for :math:`i = 0..n-2`, plus :math:`(n-1, 0)` when
``periodic``. A coupling or field is a scalar (uniform) or a per-bond / per-site sequence:
``n - 1`` bonds (open) or ``n`` bonds (periodic, the last being the wrap bond
``(n-1, 0)``), ``n`` sites. Terms with a zero coefficient are left out; terms are listed
bond by bond (XX, YY, ZZ on bond 0, then bond 1, ...), then site by site.

:func:`split_even_odd` groups a chain Hamiltonian's terms into mutually commuting bond
layers for a brickwork Trotter circuit (:func:`qtwin.circuits.trotter.trotter_circuit`).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TypeAlias

import numpy as np
from qiskit.quantum_info import SparsePauliOp

from qtwin._validation import check_positive_int

__all__ = [
    "heisenberg_chain",
    "xxz_chain",
    "xyz_chain",
    "transverse_field_ising",
    "chain_bonds",
    "split_even_odd",
]

Coupling: TypeAlias = float | Sequence[float]
"""A scalar (the same on every bond / site) or one real number per bond / site."""


def chain_bonds(n: int, periodic: bool = False) -> list[tuple[int, int]]:
    """The nearest-neighbour bonds of an ``n``-site chain, in order.

    Example:
        >>> chain_bonds(4, periodic=True)
        [(0, 1), (1, 2), (2, 3), (3, 0)]
    """
    n = _check_n(n, periodic)
    bonds = [(i, i + 1) for i in range(n - 1)]
    if periodic:
        bonds.append((n - 1, 0))
    return bonds


def _check_n(n: int, periodic: bool) -> int:
    n = check_positive_int(n, "n", minimum=2)
    if not isinstance(periodic, (bool, np.bool_)):
        raise TypeError(f"periodic must be a bool, got {periodic!r}")
    if periodic and n < 3:
        raise ValueError(
            f"a periodic chain needs n >= 3 sites (n = 2 would repeat bond (0, 1)), got n = {n}"
        )
    return n


def _as_values(value: Coupling | None, length: int, name: str, what: str) -> np.ndarray:
    """Broadcast a scalar or check a sequence of ``length`` finite real numbers."""
    if value is None:
        return np.zeros(length)
    arr = np.asarray(value)
    if arr.dtype.kind not in "biuf":
        raise TypeError(
            f"{name} must be a real number or a sequence of real numbers, got {value!r}"
        )
    arr = arr.astype(float)
    if arr.ndim == 0:
        arr = np.full(length, float(arr))
    elif arr.shape != (length,):
        raise ValueError(
            f"{name} must be a scalar or have one value per {what} ({length}), "
            f"got shape {arr.shape}"
        )
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{name} must be finite numbers; got NaN or inf")
    return arr


def xyz_chain(
    n: int,
    Jx: Coupling,
    Jy: Coupling,
    Jz: Coupling,
    hx: Coupling = 0.0,
    hy: Coupling = 0.0,
    hz: Coupling = 0.0,
    periodic: bool = False,
) -> SparsePauliOp:
    r"""The XYZ chain with per-bond couplings and per-site fields.

    .. math::

        H = \sum_{\langle ij\rangle} (J^x_{ij} X_iX_j + J^y_{ij} Y_iY_j + J^z_{ij} Z_iZ_j)
            + \sum_i (h^x_i X_i + h^y_i Y_i + h^z_i Z_i)

    Args:
        n: number of sites (qubits), ``>= 2`` (``>= 3`` when periodic).
        Jx, Jy, Jz: couplings, scalars or one value per bond (``n - 1`` open, ``n`` periodic).
        hx, hy, hz: fields, scalars or one value per site.
        periodic: add the wrap bond ``(n-1, 0)``.

    Example:
        >>> xyz_chain(2, 1.0, 0.5, 0.25, hz=[1.0, 0.0])
        SparsePauliOp(['XX', 'YY', 'ZZ', 'IZ'],
                      coeffs=[1.  +0.j, 0.5 +0.j, 0.25+0.j, 1.  +0.j])
    """
    bonds = chain_bonds(n, periodic)
    couplings = [
        _as_values(J, len(bonds), name, "bond") for J, name in ((Jx, "Jx"), (Jy, "Jy"), (Jz, "Jz"))
    ]
    fields = [_as_values(h, n, name, "site") for h, name in ((hx, "hx"), (hy, "hy"), (hz, "hz"))]
    terms: list[tuple[str, list[int], float]] = []
    for b, (i, j) in enumerate(bonds):
        for pauli, J in zip("XYZ", couplings, strict=True):
            if J[b] != 0.0:
                terms.append((pauli * 2, [i, j], float(J[b])))
    for i in range(n):
        for pauli, h in zip("XYZ", fields, strict=True):
            if h[i] != 0.0:
                terms.append((pauli, [i], float(h[i])))
    if not terms:
        return SparsePauliOp("I" * n, coeffs=[0.0])
    return SparsePauliOp.from_sparse_list(terms, num_qubits=n)


def xxz_chain(
    n: int,
    J: Coupling = 1.0,
    delta: Coupling = 1.0,
    h: Coupling | None = None,
    periodic: bool = False,
) -> SparsePauliOp:
    r"""The XXZ chain.

    .. math::

        H = \sum_{\langle ij\rangle} J_{ij} (X_iX_j + Y_iY_j + \Delta_{ij} Z_iZ_j) + \sum_i h_i Z_i

    Args:
        n: number of sites, ``>= 2`` (``>= 3`` when periodic).
        J: exchange coupling, scalar or per bond.
        delta: anisotropy :math:`\Delta`, scalar or per bond (``1`` is Heisenberg).
        h: longitudinal field along Z, scalar or per site; none when omitted.
        periodic: add the wrap bond ``(n-1, 0)``.

    Example:
        >>> xxz_chain(3, J=1.0, delta=0.5).paulis.to_labels()
        ['IXX', 'IYY', 'IZZ', 'XXI', 'YYI', 'ZZI']
    """
    n = _check_n(n, periodic)
    nb = n if periodic else n - 1
    Jv = _as_values(J, nb, "J", "bond")
    dv = _as_values(delta, nb, "delta", "bond")
    return xyz_chain(n, Jv, Jv, Jv * dv, hz=0.0 if h is None else h, periodic=periodic)


def heisenberg_chain(
    n: int, J: Coupling = 1.0, h: Coupling | None = None, periodic: bool = False
) -> SparsePauliOp:
    r"""The Heisenberg chain.

    .. math::

        H = \sum_{\langle ij\rangle} J_{ij} (X_iX_j + Y_iY_j + Z_iZ_j) + \sum_i h_i Z_i

    Antiferromagnetic for ``J > 0``. Pauli operators, not spin-1/2 operators
    (:math:`S = \sigma/2`), so ``J`` here is a quarter of the usual :math:`J\,S\cdot S`.

    Args:
        n: number of sites, ``>= 2`` (``>= 3`` when periodic).
        J: exchange coupling, scalar or per bond.
        h: field along Z, scalar or per site; none when omitted.
        periodic: add the wrap bond ``(n-1, 0)``.

    Example:
        >>> import numpy as np
        >>> float(np.linalg.eigvalsh(heisenberg_chain(2).to_matrix())[0])  # the singlet
        -3.0
    """
    return xxz_chain(n, J=J, delta=1.0, h=h, periodic=periodic)


def transverse_field_ising(
    n: int, J: Coupling = 1.0, g: Coupling = 1.0, periodic: bool = False
) -> SparsePauliOp:
    r"""The transverse-field Ising chain.

    .. math::

        H = -\sum_{\langle ij\rangle} J_{ij} Z_iZ_j - \sum_i g_i X_i

    Sign convention: both terms carry a minus sign, so ``J > 0`` is ferromagnetic and the
    field favours :math:`|+\rangle`; the critical point of the infinite chain is
    ``g = J``.

    Args:
        n: number of sites, ``>= 2`` (``>= 3`` when periodic).
        J: Ising coupling, scalar or per bond.
        g: transverse field, scalar or per site.
        periodic: add the wrap bond ``(n-1, 0)``.

    Example:
        >>> transverse_field_ising(2, J=1.0, g=0.5)
        SparsePauliOp(['ZZ', 'IX', 'XI'],
                      coeffs=[-1. +0.j, -0.5+0.j, -0.5+0.j])
    """
    n = _check_n(n, periodic)
    nb = n if periodic else n - 1
    Jv = _as_values(J, nb, "J", "bond")
    gv = _as_values(g, n, "g", "site")
    return xyz_chain(n, 0.0, 0.0, -Jv, hx=-gv, periodic=periodic)


def split_even_odd(
    hamiltonian: SparsePauliOp,
) -> tuple[SparsePauliOp, SparsePauliOp, SparsePauliOp]:
    r"""Split a chain Hamiltonian into ``(even, odd, rest)`` groups for a brickwork Trotter step.

    * ``even``: terms acting on exactly two neighbouring qubits :math:`(i, i+1)`, ``i`` even;
    * ``odd``: terms on :math:`(i, i+1)`, ``i`` odd, and the wrap bond :math:`(n-1, 0)` when
      ``n`` is even (it is then disjoint from the other odd bonds);
    * ``rest``: everything else: one-site terms, the wrap bond when ``n`` is odd, longer-range
      or many-body terms, the identity.

    Terms on different bonds of the same group commute, so each of ``even`` and ``odd`` is
    one brickwork layer. ``even + odd + rest == hamiltonian`` and each group keeps the
    original order of its terms. An empty group is the zero operator ``0 * I``.

    Example:
        >>> from qtwin.circuits.hamiltonians import transverse_field_ising
        >>> even, odd, rest = split_even_odd(transverse_field_ising(4))
        >>> even.paulis.to_labels(), odd.paulis.to_labels(), len(rest)
        (['IIZZ', 'ZZII'], ['IZZI'], 4)
    """
    if not isinstance(hamiltonian, SparsePauliOp):
        raise TypeError(
            f"hamiltonian must be a qiskit SparsePauliOp, got {type(hamiltonian).__name__}"
        )
    n = hamiltonian.num_qubits
    groups: tuple[list[int], list[int], list[int]] = ([], [], [])
    for k, pauli in enumerate(hamiltonian.paulis):
        support = np.flatnonzero(pauli.x | pauli.z)
        groups[_bond_group(support, n)].append(k)
    out = []
    for idx in groups:
        if idx:
            out.append(hamiltonian[idx])
        else:
            out.append(SparsePauliOp("I" * n, coeffs=[0.0]))
    return out[0], out[1], out[2]


def _bond_group(support: np.ndarray, n: int) -> int:
    """0 (even bond), 1 (odd bond) or 2 (anything else) for a term with this support."""
    if len(support) != 2:
        return 2
    i, j = int(support[0]), int(support[1])
    if j == i + 1:
        return i % 2
    if (i, j) == (0, n - 1) and n % 2 == 0 and n > 2:
        return 1
    return 2
