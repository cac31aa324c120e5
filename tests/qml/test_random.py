"""Seeded models: local generators only (the global torch state is untouched), equal per seed,
and torch's own default initialisation as the reference distribution."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from qtwin.qml import QFWP, ClassicalRNN, FarhiNevenQNN, QuantumActorCritic, QuantumRecurrentNet
from qtwin.qml._random import init_linear_, init_recurrent_, torch_generator

BUILDERS = {
    "farhi_neven_qnn": lambda seed: FarhiNevenQNN(3, seed=seed),
    "qfwp": lambda seed: QFWP(seed=seed),
    "classical_gru": lambda seed: ClassicalRNN("gru", seed=seed),
    "qlstm": lambda seed: QuantumRecurrentNet("qlstm", seed=seed, num_layers=1),
    "qrnn_reservoir": lambda seed: QuantumRecurrentNet("qrnn", reservoir=True, seed=seed),
    "actor_critic": lambda seed: QuantumActorCritic("qfwp", seed=seed),
}


def _params(model: torch.nn.Module) -> list[torch.Tensor]:
    return [p.detach().clone() for p in model.state_dict().values()]


@pytest.mark.parametrize("name", sorted(BUILDERS))
def test_same_seed_same_model_and_global_state_untouched(name):
    build = BUILDERS[name]
    torch.manual_seed(1234)
    before = torch.get_rng_state()
    a, b, c = build(5), build(5), build(6)
    assert torch.equal(torch.get_rng_state(), before)  # no global reseeding
    assert all(torch.equal(x, y) for x, y in zip(_params(a), _params(b), strict=True))
    assert any(not torch.equal(x, y) for x, y in zip(_params(a), _params(c), strict=True))
    g1, g2 = np.random.default_rng(9), np.random.default_rng(9)
    pairs = zip(_params(build(g1)), _params(build(g2)), strict=True)
    assert all(torch.equal(x, y) for x, y in pairs)


def test_linear_init_equals_torch_default_with_that_seed():
    with torch.random.fork_rng():
        torch.manual_seed(11)
        ref = torch.nn.Linear(7, 3, dtype=torch.float64)  # torch's reset_parameters
    ours = init_linear_(torch.nn.Linear(7, 3, dtype=torch.float64), torch_generator(11))
    torch.testing.assert_close(ours.weight, ref.weight, atol=0, rtol=0)
    torch.testing.assert_close(ours.bias, ref.bias, atol=0, rtol=0)


@pytest.mark.parametrize("cls", [torch.nn.RNN, torch.nn.LSTM, torch.nn.GRU])
def test_recurrent_init_equals_torch_default_with_that_seed(cls):
    with torch.random.fork_rng():
        torch.manual_seed(3)
        ref = cls(2, 4, batch_first=True, dtype=torch.float64)
    ours = init_recurrent_(cls(2, 4, batch_first=True, dtype=torch.float64), torch_generator(3))
    for a, b in zip(ours.parameters(), ref.parameters(), strict=True):
        torch.testing.assert_close(a, b, atol=0, rtol=0)


def test_torch_generator_seeds():
    assert torch.equal(
        torch.rand(3, generator=torch_generator(4)),
        torch.rand(3, generator=torch.Generator().manual_seed(4)),
    )
    rng = np.random.default_rng(0)
    a, b = torch_generator(rng), torch_generator(rng)  # a generator advances between draws
    assert not torch.equal(torch.rand(3, generator=a), torch.rand(3, generator=b))
