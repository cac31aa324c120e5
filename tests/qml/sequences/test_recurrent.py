"""Quantum recurrent networks: reservoir mode leaves exactly the readout trainable; the ridge
readout against numpy least squares."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from qtwin.qml.sequences.recurrent import QRNNReservoir, QuantumRecurrentNet, ridge_readout
from qtwin.qml.sequences.training import fit_sequence_model


@pytest.mark.parametrize("cell", ["qrnn", "qlstm", "qgru"])
def test_reservoir_mode_leaves_exactly_the_readout_trainable(cell, shm):
    model = QRNNReservoir(cell, seed=0, num_layers=1)
    trainable = {n for n, p in model.named_parameters() if p.requires_grad}
    assert trainable == {"readout.weight", "readout.bias"}
    frozen = {n: p.detach().clone() for n, p in model.named_parameters() if not p.requires_grad}
    assert frozen  # there are quantum weights, and they stay put
    ro = model.readout.weight.detach().clone()
    fit_sequence_model(model, shm.x_train[:30], shm.y_train[:30], epochs=2, progress=False)
    for n, p in model.named_parameters():
        if n in frozen:
            assert torch.equal(p, frozen[n])
    assert not torch.equal(model.readout.weight, ro)
    full = QuantumRecurrentNet(cell, seed=0, num_layers=1)
    assert all(p.requires_grad for p in full.parameters())


def test_ridge_readout_matches_numpy_least_squares():
    rng = np.random.default_rng(0)
    phi, y = rng.normal(size=(40, 4)), rng.normal(size=(40, 2))
    for alpha in (0.0, 0.3):
        a, b = ridge_readout(torch.as_tensor(phi), torch.as_tensor(y), alpha)
        # augmented least squares: [phi 1; sqrt(alpha) I 0] w = [y; 0]
        aug = np.vstack(
            [
                np.hstack([phi, np.ones((40, 1))]),
                np.hstack([np.sqrt(alpha) * np.eye(4), np.zeros((4, 1))]),
            ]
        )
        sol = np.linalg.lstsq(aug, np.vstack([y, np.zeros((4, 2))]), rcond=None)[0]
        np.testing.assert_allclose(a.numpy(), sol[:4].T, atol=1e-10)
        np.testing.assert_allclose(b.numpy(), sol[4], atol=1e-10)
