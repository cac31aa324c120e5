"""Actor-critic on CartPole: resume equals an uninterrupted run, refused checkpoints."""

from __future__ import annotations

import pytest
import torch

from qtwin.exceptions import CheckpointMismatchError
from qtwin.qml.sequences.control import QuantumActorCritic, train_actor_critic


def test_actor_critic_resume_equals_uninterrupted(tmp_path):
    pytest.importorskip("gymnasium")
    ck = tmp_path / "agent.pt"
    kw = dict(max_steps=15, seed=5, progress=False)
    full_agent = QuantumActorCritic("qfwp", seed=1)
    full = train_actor_critic(full_agent, episodes=3, **kw)
    first = train_actor_critic(QuantumActorCritic("qfwp", seed=1), episodes=2, checkpoint=ck, **kw)
    agent = QuantumActorCritic("qfwp", seed=7)  # parameters come from the checkpoint
    again = train_actor_critic(agent, episodes=3, checkpoint=ck, **kw)
    assert again.resumed_from == 2 and again.returns[:2] == first.returns
    assert again.returns == full.returns and again["returns"] is again.returns
    for a, b in zip(agent.state_dict().values(), full_agent.state_dict().values(), strict=True):
        assert torch.equal(a, b)
    assert all(1 <= r <= 15 for r in again.returns)
    with pytest.raises(CheckpointMismatchError, match="different run"):
        train_actor_critic(
            QuantumActorCritic("qfwp", seed=1),
            episodes=4,
            checkpoint=ck,
            max_steps=15,
            seed=6,
            progress=False,
        )
    with pytest.raises(CheckpointMismatchError):
        train_actor_critic(QuantumActorCritic("qlstm", seed=1), episodes=4, checkpoint=ck, **kw)
    with pytest.raises(ValueError, match="core must be one of"):
        QuantumActorCritic("transformer")
