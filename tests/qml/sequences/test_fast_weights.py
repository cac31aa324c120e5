"""QFWP: the fast weights are the running sum of the slow programmer's updates."""

from __future__ import annotations

import torch

from qtwin.qml.sequences.fast_weights import QFWP


def test_qfwp_fast_weights_accumulate_additively():
    model = QFWP(seed=0)
    x = torch.randn(3, 5, 1, dtype=torch.float64)
    out, w = model(x, all_steps=True, return_fast_weights=True)
    deltas = torch.stack([model.delta(x[:, t]) for t in range(5)], dim=1)
    torch.testing.assert_close(w[:, 0], deltas[:, 0])  # W_1 = W_0 + dW_1 with W_0 = 0
    torch.testing.assert_close(w[:, 1:] - w[:, :-1], deltas[:, 1:], atol=1e-13, rtol=0)
    # each update is the outer product of the two heads: rank one
    assert torch.linalg.matrix_rank(deltas[0, 2]).item() == 1
    # step-by-step loop (the authors' formulation) gives the same W_t and outputs
    state = model.init_state(3)
    for t in range(5):
        phi, state = model.step(x[:, t], state)
        torch.testing.assert_close(state, w[:, t])
        torch.testing.assert_close(model.readout(phi), out[:, t], atol=1e-13, rtol=0)
    torch.testing.assert_close(model(x), out[:, -1], atol=1e-13, rtol=0)
    # no quantum recurrence: with the same W_T, the output ignores earlier inputs
    assert torch.allclose(model.circuit_features(x[:, -1], w[:, -1]), model.features(x))
