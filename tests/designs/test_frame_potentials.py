"""frame_potential / group_frame_potential / is_design against dense numpy references."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from scipy.stats import unitary_group

from qtwin.designs.frame_potentials import (
    NORM_TOL,
    frame_potential,
    group_frame_potential,
    is_design,
)
from qtwin.designs.haar import haar_frame_potential

OCTAHEDRON = (
    np.array([[1, 0], [0, 1], [1, 1], [1, -1], [1, 1j], [1, -1j]])
    / np.sqrt([1, 1, 2, 2, 2, 2])[:, None]
)
PAULIS = np.array([np.eye(2), [[0, 1], [1, 0]], [[0, -1j], [1j, 0]], np.diag([1, -1])])


def _random_states(n: int, d: int, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, d)) + 1j * rng.normal(size=(n, d))
    return x / np.linalg.norm(x, axis=1, keepdims=True)


def _dense_states(x: np.ndarray, t: int, w: np.ndarray) -> float:
    g = np.abs(x.conj() @ x.T) ** (2 * t)
    return float(w @ g @ w)


@pytest.mark.parametrize("t", [1, 2, 3])
@pytest.mark.parametrize("block_size", [1, 7, 64, 4096])
def test_states_match_dense_numpy(t: int, block_size: int) -> None:
    x = _random_states(53, 4, seed=t)
    w = np.random.default_rng(5).random(53)
    w /= w.sum()
    ref = _dense_states(x, t, w)
    for method in ("gram", "moment"):  # both exact methods, tiles of every shape
        got = frame_potential(x, t, w, block_size=block_size, method=method)
        assert got == pytest.approx(ref, rel=1e-13)
    uni = _dense_states(x, t, np.full(53, 1 / 53))
    assert frame_potential(x, t, block_size=block_size) == pytest.approx(uni, rel=1e-13)


@pytest.mark.parametrize("method", ["gram", "moment", "auto"])
@pytest.mark.parametrize("t", [1, 2, 3])
def test_methods_agree_with_dense_numpy(method: str, t: int) -> None:
    x = _random_states(40, 3, seed=10 + t)
    w = np.random.default_rng(t).random(40)
    w /= w.sum()
    ref = _dense_states(x, t, w)
    got = frame_potential(x, t, w, method=method, block_size=9)
    assert got == pytest.approx(ref, rel=1e-13)
    us = unitary_group.rvs(2, size=11, random_state=t)
    tr = np.abs(np.einsum("iab,jab->ij", us.conj(), us)) ** (2 * t)
    assert frame_potential(us, t, method=method, block_size=4) == pytest.approx(
        tr.mean(), rel=1e-13
    )


def test_accepts_torch_and_float_input_on_cpu() -> None:
    x = _random_states(20, 3, seed=1)
    ref = frame_potential(x, 2)
    assert frame_potential(torch.as_tensor(x), 2, device="cpu") == pytest.approx(ref, rel=1e-14)
    real = np.eye(3)[[0, 1, 2, 0]]
    assert frame_potential(real, 2) == pytest.approx((4 + 2) / 16)


@pytest.mark.parametrize("t", [1, 2, 4])
def test_unitaries_match_dense_numpy(t: int) -> None:
    us = unitary_group.rvs(3, size=17, random_state=3)
    w = np.linspace(1, 2, 17)
    w /= w.sum()
    tr = np.einsum("iab,jab->ij", us.conj(), us)  # tr(U_i^† U_j)
    ref = float(w @ (np.abs(tr) ** (2 * t)) @ w)
    assert frame_potential(us, t, w, block_size=5, method="gram") == pytest.approx(ref, rel=1e-12)
    assert frame_potential(us, t, w, kind="unitary") == pytest.approx(ref, rel=1e-12)


def test_known_values() -> None:
    # octahedron (qubit stabilizer states): 3-design, not 4-design (0.208333 vs 0.2)
    assert frame_potential(OCTAHEDRON, 3) == pytest.approx(0.25, abs=1e-14)
    assert frame_potential(OCTAHEDRON, 4) == pytest.approx(5 / 24, abs=1e-14)
    # a single orthonormal basis: F_t = 1/d for every t (a 1-design only)
    for t in (1, 2, 5):
        assert frame_potential(np.eye(5), t) == pytest.approx(0.2, abs=1e-15)
    assert is_design(np.eye(5), 1) and not is_design(np.eye(5), 2)
    assert is_design(OCTAHEDRON, 3) and not is_design(OCTAHEDRON, 4)


def test_group_formula_equals_double_sum_and_pauli_values() -> None:
    for t in (1, 2, 3):
        assert group_frame_potential(PAULIS, t) == pytest.approx(
            frame_potential(PAULIS, t), rel=1e-13
        )
    # |tr| = 2 for the identity only: F_t = 4^t / 4
    assert group_frame_potential(PAULIS, 3) == pytest.approx(16.0)
    assert is_design(PAULIS, 1, group=True) and not is_design(PAULIS, 2, group=True)
    assert is_design(PAULIS, 1) and not is_design(PAULIS, 2, kind="unitary")


def test_is_design_tolerance() -> None:
    x = OCTAHEDRON.copy()
    x[2] = np.array([1, np.exp(1e-4j)]) / np.sqrt(2)  # perturb one state slightly
    gap = frame_potential(x, 2) - haar_frame_potential(2, 2)
    assert gap > 0
    assert not is_design(x, 2)
    assert is_design(x, 2, tol=2 * gap)


def test_random_states_exceed_haar() -> None:
    x = _random_states(200, 3, seed=9)
    for t in (1, 2, 3):
        assert frame_potential(x, t) >= haar_frame_potential(3, t) - 1e-15


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA device")
@pytest.mark.gpu
def test_cuda_matches_cpu() -> None:
    x = _random_states(3000, 8, seed=2)
    cpu = frame_potential(x, 3, device="cpu", block_size=1000)
    assert frame_potential(x, 3, device="cuda", block_size=1000) == pytest.approx(cpu, rel=1e-12)


# ---- bad input -------------------------------------------------------------------------------


def test_rejects_unnormalized_states_naming_tolerance() -> None:
    x = OCTAHEDRON * 1.001
    with pytest.raises(ValueError, match=f"normalized.*tolerance {NORM_TOL:g}"):
        frame_potential(x, 2)


@pytest.mark.parametrize(
    ("weights", "match"),
    [
        ([0.5, 0.5, 0.5, -0.5, 0, 0], "non-negative"),
        ([0.2] * 6, "sum to 1"),
        ([0.5, 0.5], r"shape \(6,\)"),
        ([np.nan] * 6, "finite"),
    ],
)
def test_rejects_bad_weights(weights: list, match: str) -> None:
    with pytest.raises(ValueError, match=match):
        frame_potential(OCTAHEDRON, 2, weights)
    with pytest.raises(ValueError, match=match):
        is_design(OCTAHEDRON, 2, weights)


def test_rejects_bad_shapes_and_kinds() -> None:
    with pytest.raises(ValueError, match=r"shape \(N, d\) for states or \(N, d, d\)"):
        frame_potential(np.ones(4) / 2, 2)
    with pytest.raises(ValueError, match=r"kind='state' must have shape \(N, d\)"):
        frame_potential(PAULIS, 2, kind="state")
    with pytest.raises(ValueError, match="kind must be one of"):
        frame_potential(OCTAHEDRON, 2, kind="channel")
    with pytest.raises(ValueError, match=r"\(N, d, d\) with d >= 2"):
        frame_potential(np.ones((3, 2, 3)), 1)
    with pytest.raises(ValueError, match="dimension d >= 2"):
        frame_potential(np.ones((3, 1)), 1)
    with pytest.raises(ValueError, match="at least one"):
        frame_potential(np.ones((0, 2)), 1)
    with pytest.raises(ValueError, match="unitary"):
        frame_potential(np.ones((2, 2, 2)), 1)
    with pytest.raises(ValueError, match="unitary"):
        group_frame_potential(2 * PAULIS, 1)
    with pytest.raises(ValueError, match="finite"):
        frame_potential(np.full((2, 2), np.nan), 1)
    with pytest.raises(TypeError, match="numbers"):
        frame_potential(np.array([["a", "b"]]), 1)


def test_rejects_bad_t_and_options() -> None:
    with pytest.raises(ValueError, match="t must be an integer >= 1"):
        frame_potential(OCTAHEDRON, 0)
    with pytest.raises(TypeError, match="t must be an integer"):
        frame_potential(OCTAHEDRON, 1.5)
    with pytest.raises(ValueError, match="block_size"):
        frame_potential(OCTAHEDRON, 1, block_size=0)
    with pytest.raises(ValueError, match="method must be one of"):
        frame_potential(OCTAHEDRON, 1, method="fast")
    with pytest.raises(ValueError, match="t must be"):
        group_frame_potential(PAULIS, 0)
    with pytest.raises(ValueError, match="tol"):
        is_design(OCTAHEDRON, 2, tol=-1)
    with pytest.raises(ValueError, match="weights cannot be given with group"):
        is_design(PAULIS, 1, np.full(4, 0.25), group=True)
    with pytest.raises(ValueError, match="group=True needs unitaries"):
        is_design(OCTAHEDRON, 1, kind="state", group=True)


@pytest.mark.skipif(torch.cuda.is_available(), reason="checks the error raised without CUDA")
def test_rejects_cuda_without_device() -> None:
    with pytest.raises(ValueError, match="CUDA is not available"):
        frame_potential(OCTAHEDRON, 1, device="cuda")
