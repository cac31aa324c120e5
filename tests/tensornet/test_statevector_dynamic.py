"""Statevector.qubit_probabilities and Statevector.project against numpy dense algebra."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from qtwin.tensornet import Statevector


def _random_state(dims: tuple[int, ...], batch: int, seed: int) -> Statevector:
    rng = np.random.default_rng(seed)
    size = int(np.prod(dims))
    psi = rng.normal(size=(batch, size)) + 1j * rng.normal(size=(batch, size))
    psi /= np.linalg.norm(psi, axis=1, keepdims=True)
    return Statevector(torch.tensor(psi), dims)


def _numpy_site_tensor(psi: np.ndarray, dims: tuple[int, ...], site: int) -> np.ndarray:
    """``psi`` as an array with one axis per site, site 0 last (little-endian)."""
    return psi.reshape(tuple(reversed(dims)))


@pytest.mark.parametrize("dims", [(2, 2, 2, 2), (3, 2, 4), (2,), (5, 3)])
def test_qubit_probabilities_match_numpy(dims: tuple[int, ...]) -> None:
    sv = _random_state(dims, batch=3, seed=1)
    psi = sv.data.numpy()
    n = len(dims)
    for site in range(n):
        ours = sv.qubit_probabilities(site).numpy()
        assert ours.shape == (3, dims[site])
        for b in range(3):
            t = np.abs(_numpy_site_tensor(psi[b], dims, site)) ** 2
            axis = n - 1 - site
            ref = t.sum(axis=tuple(a for a in range(n) if a != axis))
            np.testing.assert_allclose(ours[b], ref / ref.sum(), atol=1e-13)


def test_qubit_probabilities_are_normalized_for_unnormalized_states() -> None:
    sv = Statevector(torch.tensor([[1.0, 1.0, 0.0, 2.0]], dtype=torch.complex128), (2, 2))
    np.testing.assert_allclose(sv.qubit_probabilities(1).numpy(), [[2 / 6, 4 / 6]], atol=1e-14)


@pytest.mark.parametrize("dims", [(2, 2, 2), (3, 2, 4)])
def test_project_matches_numpy(dims: tuple[int, ...]) -> None:
    n = len(dims)
    for site in range(n):
        sv = _random_state(dims, batch=2, seed=site + 7)
        psi = sv.data.numpy().copy()
        outcomes = [0, dims[site] - 1]
        out = sv.project(site, outcomes)
        assert out is sv
        for b, k in enumerate(outcomes):
            t = _numpy_site_tensor(psi[b], dims, site).copy()
            axis = n - 1 - site
            idx = [slice(None)] * n
            for j in range(dims[site]):
                if j != k:
                    idx[axis] = j
                    t[tuple(idx)] = 0
            ref = t.reshape(-1) / np.linalg.norm(t)
            np.testing.assert_allclose(sv.data[b].numpy(), ref, atol=1e-13)
        np.testing.assert_allclose(
            sv.qubit_probabilities(site).numpy(),
            np.eye(dims[site])[outcomes],
            atol=1e-13,
        )


def test_project_one_outcome_for_all_and_bell_collapse() -> None:
    data = torch.zeros(3, 4, dtype=torch.complex128)
    data[:, 0] = data[:, 3] = 2**-0.5
    sv = Statevector(data, (2, 2)).project(1, 1)
    np.testing.assert_allclose(sv.data.numpy(), np.tile([0, 0, 0, 1.0], (3, 1)), atol=1e-14)


def test_project_is_differentiable() -> None:
    theta = torch.tensor(0.7, dtype=torch.float64, requires_grad=True)
    c, s = torch.cos(theta / 2), torch.sin(theta / 2)
    amp = torch.stack([c, s, s, c]).to(torch.complex128) / 2**0.5
    sv = Statevector(amp.reshape(1, 4), (2, 2))
    p = sv.qubit_probabilities(0)[0, 1]
    p.backward(retain_graph=True)
    assert theta.grad is not None and abs(float(theta.grad)) < 1e-12  # p = 1/2 for all theta
    theta.grad = None
    sv.project(0, 1)
    val = sv.data[0, 1].abs() ** 2  # sin^2(theta/2) after the projection
    val.backward()
    assert float(theta.grad) == pytest.approx(np.sin(0.7) / 2, abs=1e-12)


def test_project_bad_inputs_raise() -> None:
    sv = Statevector.zeros(2, batch=2)
    with pytest.raises(ValueError, match="outcome .* zero probability"):
        sv.project(0, 1)
    with pytest.raises(ValueError, match="outcome must be in"):
        sv.project(0, 2)
    with pytest.raises(ValueError, match="outcome must be in"):
        sv.project(0, -1)
    with pytest.raises(ValueError, match="one entry per batch entry"):
        sv.project(0, [0, 0, 0])
    with pytest.raises(ValueError, match="outcome must be an int"):
        sv.project(0, 0.5)
    with pytest.raises(ValueError, match="site must be a site index in"):
        sv.project(2, 0)
    with pytest.raises(ValueError, match="site must be a site index in"):
        sv.qubit_probabilities(-1)
    # a failed projection leaves the state untouched
    np.testing.assert_allclose(sv.data.numpy(), np.tile([1, 0, 0, 0.0], (2, 1)))
