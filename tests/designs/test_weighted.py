"""Weighted state designs in every d and the LP search, against independent references."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest
from scipy.optimize import nnls

from qtwin.designs.frame_potentials import NORM_TOL, frame_potential
from qtwin.designs.haar import haar_frame_potential
from qtwin.designs.known import mutually_unbiased_bases
from qtwin.designs.weighted import (
    _moment_constraints,
    find_design_weights,
    modular_bt_set,
    symmetric_vectors,
    weighted_state_design,
)

GRID = [(d, 2) for d in range(2, 7)] + [(2, 3), (3, 3), (4, 3), (5, 3), (2, 5)]


def _random_states(n: int, d: int, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, d)) + 1j * rng.normal(size=(n, d))
    return x / np.linalg.norm(x, axis=1, keepdims=True)


def _sym_projector(d: int, t: int) -> np.ndarray:
    """Dense Π_sym = (1/t!) Σ_π P_π on (C^d)^{⊗t}, from permutations of tensor axes."""
    dim = d**t
    eye = np.eye(dim).reshape((dim,) + (d,) * t)
    out = np.zeros((dim, dim))
    for perm in itertools.permutations(range(t)):
        out += np.transpose(eye, (0, *[1 + p for p in perm])).reshape(dim, dim)
    return out / math.factorial(t)


def _nnls_residual(states: np.ndarray, t: int) -> float:
    """Independent solver: min_{w >= 0} ||A w - b|| by Lawson-Hanson NNLS."""
    a, b = _moment_constraints(symmetric_vectors(states, t))
    return float(nnls(a, b, maxiter=50 * a.shape[1])[1])


@pytest.mark.parametrize(("d", "t"), GRID)
def test_matches_haar_frame_potential(d: int, t: int) -> None:
    states, w = weighted_state_design(d, t)
    n = math.ceil((t + 1) / 2) ** (d - 1) * modular_bt_set(d, t)[0]
    assert states.shape == (n, d) and w.shape == (n,)
    assert np.all(w > 0) and abs(w.sum() - 1) < 1e-14
    assert np.allclose(np.linalg.norm(states, axis=1), 1, atol=1e-14)
    for s in range(1, t + 1):  # a t-design is an s-design for s <= t
        assert abs(frame_potential(states, s, w) - haar_frame_potential(d, s)) < 1e-10


@pytest.mark.parametrize(("d", "t"), [(2, 3), (3, 2), (4, 2), (3, 3)])
def test_moment_operator_is_sym_projector(d: int, t: int) -> None:
    states, w = weighted_state_design(d, t)
    tensors = states
    for _ in range(t - 1):
        tensors = np.einsum("ni,nj->nij", tensors, states).reshape(len(states), -1)
    moment = np.einsum("n,ni,nj->ij", w, tensors, tensors.conj())
    target = _sym_projector(d, t) / math.comb(d + t - 1, t)
    assert np.max(np.abs(moment - target)) < 1e-12


def test_next_moment_not_matched() -> None:
    states, w = weighted_state_design(3, 2)
    f3, haar3 = frame_potential(states, 3, w), haar_frame_potential(3, 3)
    assert f3 - haar3 > 1e-3  # 0.1074 vs 0.1: a 2-design, not a 3-design
    states, w = weighted_state_design(6, 2)
    assert frame_potential(states, 3, w) - haar_frame_potential(6, 3) > 1e-3


@pytest.mark.parametrize(("d", "t"), [(2, 4), (3, 2), (5, 3), (7, 2)])
def test_modular_bt_set_has_distinct_sums(d: int, t: int) -> None:
    m, g = modular_bt_set(d, t)
    sums = [sum(c) % m for c in itertools.combinations_with_replacement(g.tolist(), t)]
    assert len(set(sums)) == len(sums) == math.comb(d + t - 1, t)
    assert g[0] == 0 and len(set(g.tolist())) == d and m >= math.comb(d + t - 1, t)


def test_symmetric_vectors_inner_products() -> None:
    x = _random_states(6, 4, seed=1)
    for t in (1, 2, 3):
        v = symmetric_vectors(x, t)
        assert v.shape == (6, math.comb(4 + t - 1, t))
        assert np.allclose(v.conj() @ v.T, (x.conj() @ x.T) ** t, atol=1e-13)


def test_prune_keeps_a_small_exact_design() -> None:
    full, _ = weighted_state_design(4, 2)
    states, w = weighted_state_design(4, 2, prune=True)
    assert len(states) <= min(len(full), math.comb(5, 2) ** 2 + 1)
    assert np.all(w > 0) and abs(w.sum() - 1) < 1e-12
    assert abs(frame_potential(states, 2, w) - haar_frame_potential(4, 2)) < 1e-10


# ---- search ----------------------------------------------------------------------------------


def _check_certificate(res, states: np.ndarray, t: int) -> None:
    a, b = _moment_constraints(symmetric_vectors(states, t))
    y = res.certificate
    assert y is not None and res.certificate_value < -1e-3
    assert np.min(y @ a) > -1e-9  # <ψ_i^{⊗t}|Y|ψ_i^{⊗t}> + y_sum >= 0 for every candidate
    assert y @ b == pytest.approx(res.certificate_value) and y @ b < -1e-3


@pytest.mark.parametrize("d", [2, 3, 4, 5])
def test_finds_weights_on_mubs(d: int) -> None:
    states = mutually_unbiased_bases(d).reshape(-1, d)
    res = find_design_weights(states, 2)
    assert res.feasible and res.status == 0 and res.certificate is None
    assert len(res.support) <= res.n_constraints - 1  # a vertex: <= D^2 non-zeros
    assert np.all(res.weights >= 0) and abs(res.weights.sum() - 1) < 1e-12
    assert abs(frame_potential(states, 2, res.weights) - haar_frame_potential(d, 2)) < 1e-10
    spread = find_design_weights(states, 2, sparse=False)
    assert spread.feasible and np.all(spread.weights > 1e-6)  # every MUB vector is needed
    assert abs(frame_potential(states, 2, spread.weights) - haar_frame_potential(d, 2)) < 1e-10


@pytest.mark.parametrize("n", [8, 20, 35])
def test_too_few_random_states_are_infeasible(n: int) -> None:
    # D^2 - 1 = 35 affine conditions for d=3, t=2: n <= 35 generic points cannot meet them
    states = _random_states(n, 3, seed=n)
    res = find_design_weights(states, 2)
    assert not res.feasible and res.status == 2 and res.weights is None
    assert "infeasible" in res.message.lower()
    _check_certificate(res, states, 2)
    assert _nnls_residual(states, 2) > 1e-3  # independent solver agrees: no exact weighting


def test_many_random_states_give_a_sparse_design() -> None:
    states = _random_states(300, 3, seed=4)
    res = find_design_weights(states, 2)
    assert res.feasible
    assert len(res.support) <= 36  # Carathéodory: at most D^2 = 36 non-zero weights
    assert abs(frame_potential(states, 2, res.weights) - haar_frame_potential(3, 2)) < 1e-10
    assert _nnls_residual(states, 2) < 1e-8


def test_lp_recovers_weights_among_distractors_t3() -> None:
    # the weighted 3-design construction, shuffled among random states: the LP recovers a design
    states, _ = weighted_state_design(2, 3)
    cand = np.vstack([_random_states(5, 2, seed=0), states])
    res = find_design_weights(cand, 3)
    assert res.feasible
    assert abs(frame_potential(cand, 3, res.weights) - haar_frame_potential(2, 3)) < 1e-10


def test_search_bad_input() -> None:
    good = mutually_unbiased_bases(2).reshape(-1, 2)
    with pytest.raises(ValueError, match=f"normalized.*tolerance {NORM_TOL:g}"):
        find_design_weights(good * 1.01, 2)
    with pytest.raises(ValueError, match=r"shape \(N, d\)"):
        find_design_weights(good[0], 2)
    with pytest.raises(ValueError, match="t must be"):
        find_design_weights(good, 0)
    with pytest.raises(ValueError, match="tol must be"):
        find_design_weights(good, 2, tol=0)
    with pytest.raises(ValueError, match="finite"):
        find_design_weights(np.full((2, 2), np.nan), 2)


@pytest.mark.parametrize(("d", "t"), [(1, 2), (3, 0)])
def test_construction_bad_input(d: int, t: int) -> None:
    with pytest.raises(ValueError, match="must be an integer"):
        weighted_state_design(d, t)
    with pytest.raises(ValueError, match="must be an integer"):
        modular_bt_set(d, t)


def test_construction_refuses_oversized_requests() -> None:
    with pytest.raises(ValueError, match="max_states"):
        weighted_state_design(6, 2, max_states=100)
    with pytest.raises(ValueError, match="max_states"):
        weighted_state_design(30, 2)


def test_one_design_is_the_fourier_basis() -> None:
    states, w = weighted_state_design(4, 1)
    assert states.shape == (4, 4) and np.allclose(w, 0.25)
    assert np.allclose(np.abs(states.conj() @ states.T) ** 2, np.eye(4), atol=1e-14)
