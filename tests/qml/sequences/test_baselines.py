"""Classical baselines on the same windows: torch RNN/LSTM/GRU and the echo state network."""

from __future__ import annotations

import numpy as np
import pytest

from qtwin.qml.sequences.baselines import ClassicalRNN, EchoStateNetwork
from qtwin.qml.sequences.training import fit_sequence_model


def test_classical_baselines_and_esn(shm):
    pytest.importorskip("reservoirpy")
    for kind in ("rnn", "lstm", "gru"):
        res = fit_sequence_model(
            ClassicalRNN(kind, seed=0),
            shm.x_train,
            shm.y_train,
            shm.x_test,
            shm.y_test,
            epochs=3,
            progress=False,
        )
        assert res.train_loss[-1] < res.train_loss[0]
    esn = EchoStateNetwork(units=4, seed=0).fit(shm.x_train, shm.y_train)
    states = esn.states(shm.x_train)
    assert states.shape == (len(shm.x_train), 4)
    # independent reference: the leaky-tanh recurrence with reservoirpy's own matrices
    res = esn._reservoir
    w, win = res.W.toarray() if hasattr(res.W, "toarray") else res.W, res.Win
    win = win.toarray() if hasattr(win, "toarray") else win
    bias = np.asarray(res.bias.toarray() if hasattr(res.bias, "toarray") else res.bias).reshape(-1)
    r = np.zeros(4)
    for u in shm.x_train[7, :, 0]:
        r = np.tanh(w @ r + win @ np.array([u]) + bias)
    np.testing.assert_allclose(states[7], r, atol=1e-10)
    pred = esn.predict(shm.x_test)
    assert np.mean((pred - shm.y_test) ** 2) < np.var(shm.y_test)
