"""Known designs: MUBs, stabilizer orbits, qubit Clifford group, binary icosahedral group."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from scipy.optimize import nnls

from qtwin.designs.frame_potentials import frame_potential, group_frame_potential, is_design
from qtwin.designs.haar import haar_frame_potential
from qtwin.designs.known import (
    binary_icosahedral_group,
    mutually_unbiased_bases,
    prime_power,
    qubit_clifford_group,
    stabilizer_orbit,
)
from qtwin.designs.weighted import _moment_constraints, find_design_weights, symmetric_vectors


def _clifford_available() -> bool:
    try:
        from qtwin.designs.clifford import clifford_group  # noqa: F401
    except ImportError:
        return False
    return True


needs_clifford = pytest.mark.skipif(
    not _clifford_available(),
    reason="qtwin.designs.clifford.clifford_group (Engineer A's module) is not importable yet",
)


def test_prime_power() -> None:
    assert [prime_power(d) for d in (2, 3, 4, 5, 6, 8, 9, 12, 16, 27, 49)] == [
        (2, 1), (3, 1), (2, 2), (5, 1), None, (2, 3), (3, 2), None, (2, 4), (3, 3), (7, 2),
    ]  # fmt: skip
    with pytest.raises(ValueError, match="d must be an integer >= 2"):
        prime_power(1)


# ---- MUBs ------------------------------------------------------------------------------------


@pytest.mark.parametrize("d", [2, 3, 4, 5, 7, 8, 9, 16, 27])
def test_mubs_are_unbiased_and_a_2_design(d: int) -> None:
    bases = mutually_unbiased_bases(d)
    assert bases.shape == (d + 1, d, d)
    overlaps = np.abs(np.einsum("asi,bti->abst", bases.conj(), bases)) ** 2
    for a, b in itertools.product(range(d + 1), repeat=2):
        target = np.eye(d) if a == b else np.full((d, d), 1 / d)
        assert np.max(np.abs(overlaps[a, b] - target)) < 1e-12, (a, b)
    states = bases.reshape(-1, d)
    assert frame_potential(states, 2) == pytest.approx(2 / (d * (d + 1)), abs=1e-13)
    assert is_design(states, 2)
    if d > 2:  # d = 2 is the octahedron, a 3-design; otherwise MUBs are not 3-designs
        assert not is_design(states, 3)


@pytest.mark.parametrize("p", [2, 3, 5, 7])
def test_prime_mubs_are_the_standard_construction(p: int) -> None:
    x = np.arange(p)
    bases = mutually_unbiased_bases(p)
    for r, s in itertools.product(range(p), repeat=2):
        if p == 2:
            expected = 1j ** (r * x) * (-1.0) ** (s * x)
        else:
            expected = np.exp(2j * np.pi * (r * x**2 + s * x) / p)
        assert np.allclose(bases[1 + r, s], expected / np.sqrt(p), atol=1e-14)


@pytest.mark.parametrize("d", [1, 6, 10, 12])
def test_mubs_reject_non_prime_powers(d: int) -> None:
    with pytest.raises(ValueError, match="d must be"):
        mutually_unbiased_bases(d)


# ---- stabilizer orbit (needs Engineer A's clifford_group) ------------------------------------


@needs_clifford
@pytest.mark.parametrize(("d", "size"), [(2, 6), (3, 12), (4, 24), (5, 30), (6, 72), (7, 56)])
def test_stabilizer_orbit_size_and_2_design_iff_prime(d: int, size: int) -> None:
    states = stabilizer_orbit(d)
    assert states.shape == (size, d)
    assert np.allclose(np.linalg.norm(states, axis=1), 1, atol=1e-12)
    gram = np.abs(states.conj() @ states.T) ** 2
    assert np.max(gram - np.eye(size)) < 1 - 1e-6  # distinct rays
    prime = prime_power(d) is not None and prime_power(d)[1] == 1
    assert is_design(states, 2) == prime
    expected_f2 = {4: 0.104166666667, 6: 0.055555555556}
    if d in expected_f2:
        assert frame_potential(states, 2) == pytest.approx(expected_f2[d], abs=1e-11)


@needs_clifford
def test_qubit_stabilizer_states_are_a_3_design_not_4() -> None:
    states = stabilizer_orbit(2)
    assert frame_potential(states, 3) == pytest.approx(haar_frame_potential(2, 3), abs=1e-13)
    assert frame_potential(states, 4) == pytest.approx(5 / 24, abs=1e-13)  # Haar 0.2


@needs_clifford
@pytest.mark.parametrize("d", [2, 3, 5])
def test_lp_weights_on_prime_stabilizer_orbit(d: int) -> None:
    states = stabilizer_orbit(d)
    res = find_design_weights(states, 2)
    assert res.feasible
    assert abs(frame_potential(states, 2, res.weights) - haar_frame_potential(d, 2)) < 1e-10


@needs_clifford
@pytest.mark.parametrize("d", [4, 6])
def test_no_weighting_of_composite_stabilizer_orbit(d: int) -> None:
    # Genuine negative result: the orbit is a single Clifford orbit, so averaging any design
    # weighting over the group gives the uniform weighting, which is not a design (F2 > Haar).
    # The LP agrees (infeasible, with a Farkas certificate), and so does scipy's NNLS.
    states = stabilizer_orbit(d)
    assert frame_potential(states, 2) > haar_frame_potential(d, 2) + 1e-3
    res = find_design_weights(states, 2)
    assert not res.feasible and res.status == 2
    a, b = _moment_constraints(symmetric_vectors(states, 2))
    assert np.min(res.certificate @ a) > -1e-9 and res.certificate @ b < -1e-3
    assert nnls(a, b, maxiter=50 * a.shape[1])[1] > 1e-3


# ---- unitary designs -------------------------------------------------------------------------


@needs_clifford
def test_qubit_clifford_group_is_a_3_design_not_4() -> None:
    group = qubit_clifford_group()
    assert group.shape == (24, 2, 2)
    values = [group_frame_potential(group, t) for t in range(1, 5)]
    assert values == pytest.approx([1, 2, 5, 15], abs=1e-12)
    haar = [haar_frame_potential(2, t, "unitary") for t in range(1, 5)]
    assert haar == [1, 2, 5, 14]
    assert is_design(group, 3, group=True) and not is_design(group, 4, group=True)
    assert frame_potential(group, 4) == pytest.approx(15, rel=1e-12)  # double sum agrees


def _lucas(n: int) -> int:
    a, b = 2, 1
    for _ in range(n):
        a, b = b, a + b
    return a


def test_binary_icosahedral_group_structure() -> None:
    group = binary_icosahedral_group()
    assert group.shape == (120, 2, 2)
    assert np.allclose(group @ np.swapaxes(group.conj(), 1, 2), np.eye(2), atol=1e-12)
    assert np.allclose(np.linalg.det(group), 1, atol=1e-12)
    keys = {tuple(np.round(g, 8).ravel() + 0) for g in group}
    assert len(keys) == 120
    products = np.einsum("aij,bjk->abik", group, group).reshape(-1, 2, 2)
    assert {tuple(np.round(g, 8).ravel() + 0) for g in products} == keys  # closed
    traces = np.sort(np.round(np.trace(group, axis1=1, axis2=2).real, 10))
    phi = (1 + np.sqrt(5)) / 2
    classes = {2: 1, -2: 1, 0: 30, 1: 20, -1: 20, phi: 12, -phi: 12, 1 / phi: 12, -1 / phi: 12}
    expected = np.sort(np.round(np.repeat(list(classes), list(classes.values())), 10))
    assert np.array_equal(traces, expected)


def test_binary_icosahedral_group_is_a_5_design_not_6() -> None:
    group = binary_icosahedral_group()
    for t in range(1, 9):
        closed = (2 * 4**t + 40 + 24 * _lucas(2 * t)) / 120
        assert group_frame_potential(group, t) == pytest.approx(closed, rel=1e-12)
    assert [round((2 * 4**t + 40 + 24 * _lucas(2 * t)) / 120) for t in range(1, 7)] == [
        1, 2, 5, 14, 42, 133,
    ]  # fmt: skip
    assert all(is_design(group, t, group=True) for t in range(1, 6))
    assert not is_design(group, 6, group=True)
    assert frame_potential(group, 6) == pytest.approx(133, rel=1e-12)
    # modulo ±1 (60 rotations): the same frame potentials
    reps = {}
    for g in group:
        flat = np.concatenate([g.real.ravel(), g.imag.ravel()])
        k = g if flat[np.argmax(np.abs(flat) > 1e-6)] > 0 else -g  # one sign per ±g pair
        reps[tuple(np.round(k, 8).ravel() + 0)] = k
    assert len(reps) == 60
    half = np.array(list(reps.values()))
    assert group_frame_potential(half, 5) == pytest.approx(42, rel=1e-12)
    assert group_frame_potential(half, 6) == pytest.approx(133, rel=1e-12)
