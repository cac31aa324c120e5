"""Spin-chain Hamiltonians against dense numpy matrices built with explicit Kronecker products."""

from __future__ import annotations

import functools

import numpy as np
import pytest
from qiskit.quantum_info import SparsePauliOp

from qtwin.circuits.hamiltonians import (
    chain_bonds,
    heisenberg_chain,
    split_even_odd,
    transverse_field_ising,
    xxz_chain,
    xyz_chain,
)

PAULI = {
    "I": np.eye(2),
    "X": np.array([[0, 1], [1, 0]]),
    "Y": np.array([[0, -1j], [1j, 0]]),
    "Z": np.diag([1.0, -1.0]),
}


def dense(n: int, ops: dict[int, str]) -> np.ndarray:
    """Pauli ops on sites, little-endian: kron(P_{n-1}, ..., P_0)."""
    return functools.reduce(np.kron, [PAULI[ops.get(q, "I")] for q in reversed(range(n))])


def dense_xyz(n, Jx, Jy, Jz, hx, hy, hz, periodic):
    bonds = [(i, i + 1) for i in range(n - 1)] + ([(n - 1, 0)] if periodic else [])
    H = np.zeros((2**n, 2**n), dtype=complex)
    for b, (i, j) in enumerate(bonds):
        for p, J in zip("XYZ", (Jx, Jy, Jz), strict=True):
            H += np.broadcast_to(J, len(bonds))[b] * dense(n, {i: p, j: p})
    for i in range(n):
        for p, h in zip("XYZ", (hx, hy, hz), strict=True):
            H += np.broadcast_to(h, n)[i] * dense(n, {i: p})
    return H


@pytest.mark.parametrize("n,periodic", [(2, False), (3, False), (4, True), (5, True)])
def test_xyz_chain_matches_dense(n, periodic):
    rng = np.random.default_rng(n)
    nb = n if periodic else n - 1
    Jx, Jy, Jz = rng.normal(size=nb), 0.7, rng.normal(size=nb)
    hx, hy, hz = rng.normal(size=n), -0.3, rng.normal(size=n)
    H = xyz_chain(n, Jx, Jy, Jz, hx, hy, hz, periodic=periodic)
    assert H.num_qubits == n
    np.testing.assert_allclose(
        H.to_matrix(), dense_xyz(n, Jx, Jy, Jz, hx, hy, hz, periodic), atol=1e-12
    )


def test_heisenberg_and_xxz_match_dense():
    n, h = 4, [0.1, -0.2, 0.3, 0.4]
    want = dense_xyz(n, 1.5, 1.5, 1.5, 0, 0, h, True)
    np.testing.assert_allclose(heisenberg_chain(n, J=1.5, h=h, periodic=True).to_matrix(), want)
    J, delta = [1.0, 2.0, 0.5], [0.5, 1.0, -1.0]
    want = dense_xyz(n, J, J, np.multiply(J, delta), 0, 0, 0.25, False)
    np.testing.assert_allclose(xxz_chain(n, J=J, delta=delta, h=0.25).to_matrix(), want)


def test_transverse_field_ising_sign_convention():
    H = transverse_field_ising(3, J=2.0, g=0.5)
    want = -2.0 * (dense(3, {0: "Z", 1: "Z"}) + dense(3, {1: "Z", 2: "Z"}))
    want -= 0.5 * sum(dense(3, {q: "X"}) for q in range(3))
    np.testing.assert_allclose(H.to_matrix(), want)
    # closed form for two sites: ground energy -sqrt(J^2 + 4 g^2)
    e0 = np.linalg.eigvalsh(transverse_field_ising(2, J=1.0, g=0.75).to_matrix())[0]
    assert e0 == pytest.approx(-np.sqrt(1 + 4 * 0.75**2))


def test_heisenberg_singlet_energy_and_term_order():
    assert np.linalg.eigvalsh(heisenberg_chain(2).to_matrix())[0] == pytest.approx(-3.0)
    assert xxz_chain(3).paulis.to_labels() == ["IXX", "IYY", "IZZ", "XXI", "YYI", "ZZI"]


def test_zero_terms_are_dropped_and_all_zero_is_zero_operator():
    assert len(transverse_field_ising(4, g=0.0)) == 3
    zero = xyz_chain(3, 0, 0, 0)
    assert zero.num_qubits == 3
    assert np.allclose(zero.to_matrix(), 0)


def test_chain_bonds():
    assert chain_bonds(3) == [(0, 1), (1, 2)]
    assert chain_bonds(3, periodic=True) == [(0, 1), (1, 2), (2, 0)]


@pytest.mark.parametrize(
    "call,exc,match",
    [
        (lambda: heisenberg_chain(1), ValueError, "n must be an integer >= 2"),
        (lambda: heisenberg_chain(2.0), TypeError, "n must be an integer"),
        (lambda: heisenberg_chain(2, periodic=True), ValueError, "periodic chain needs n >= 3"),
        (
            lambda: xxz_chain(4, J=[1, 2]),
            ValueError,
            r"J must be a scalar or have one value per bond \(3\)",
        ),
        (
            lambda: xxz_chain(4, h=[1, 2, 3]),
            ValueError,
            r"hz must be a scalar or have one value per site \(4\)",
        ),
        (lambda: xyz_chain(3, 1, 1, [1, 1, 1]), ValueError, "Jz must be a scalar"),
        (lambda: transverse_field_ising(3, g=np.nan), ValueError, "g must be finite"),
        (lambda: transverse_field_ising(3, J=[1, np.inf]), ValueError, "J must be finite"),
        (lambda: heisenberg_chain(3, J="1"), TypeError, "J must be a real number"),
        (lambda: heisenberg_chain(3, J=1j), TypeError, "J must be a real number"),
        (lambda: heisenberg_chain(3, periodic=1), TypeError, "periodic must be a bool"),
    ],
)
def test_invalid_input(call, exc, match):
    with pytest.raises(exc, match=match):
        call()


@pytest.mark.parametrize("n,periodic", [(4, False), (5, False), (4, True), (5, True), (6, True)])
def test_split_even_odd_partitions_into_commuting_layers(n, periodic):
    H = xyz_chain(n, 1.0, 0.5, 0.25, hx=0.3, hz=-0.2, periodic=periodic)
    even, odd, rest = split_even_odd(H)
    np.testing.assert_allclose((even + odd + rest).to_matrix(), H.to_matrix(), atol=1e-12)
    for group, parity in ((even, 0), (odd, 1)):
        supports = {tuple(np.flatnonzero(p.x | p.z)) for p in group.paulis}
        for s in supports:
            if s == (0, n - 1):  # wrap bond: in the odd layer only when n is even
                assert parity == 1 and n % 2 == 0
            else:
                assert len(s) == 2 and s[1] == s[0] + 1 and s[0] % 2 == parity
        # bonds of one layer are disjoint, so its terms on different bonds commute
        qubits = [q for s in supports for q in s]
        assert len(qubits) == len(set(qubits))
    wrap_in_rest = any(tuple(np.flatnonzero(p.x | p.z)) == (0, n - 1) for p in rest.paulis)
    assert wrap_in_rest == (periodic and n % 2 == 1)
    assert all(len(np.flatnonzero(p.x | p.z)) == 1 for p in rest.paulis if (p.x | p.z).sum() != 2)


def test_split_even_odd_general_terms_and_empty_groups():
    H = SparsePauliOp.from_sparse_list(
        [("XZ", [0, 2], 1.0), ("XYZ", [0, 1, 2], 0.5), ("", [], 2.0)], num_qubits=3
    )
    even, odd, rest = split_even_odd(H)
    assert np.allclose(even.to_matrix(), 0) and np.allclose(odd.to_matrix(), 0)
    assert len(rest) == 3
    with pytest.raises(TypeError, match="hamiltonian must be a qiskit SparsePauliOp"):
        split_even_odd(np.eye(4))
