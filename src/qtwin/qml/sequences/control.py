r"""Actor-critic reinforcement learning with a QFWP policy (and a QLSTM baseline) on CartPole.

The agent reads the observation :math:`o_t` (scaled by the fixed constants
``OBS_SCALE`` so that each entry is of order one, then squashed by :math:`\tanh`), updates its
recurrent state — the fast weights :math:`W_t = W_{t-1} + \Delta W_t` of a
:class:`~qtwin.qml.QFWP`, or :math:`(h_t, c_t)` of a :class:`~qtwin.qml.QLSTM` — and
maps the quantum features :math:`\phi_t` to a policy :math:`\pi(a|o_{\le t}) =
\mathrm{softmax}(A\phi_t + a_0)` and a value :math:`V_t = c^\top\phi_t + c_0`.

Training (:func:`train_actor_critic`) is episodic advantage actor-critic: after each episode,
with discounted returns :math:`G_t = \sum_{s\ge t}\gamma^{s-t} r_s` and advantages
:math:`A_t = G_t - V_t`,

.. math::

    \mathcal L = \sum_t \Big[-\log\pi(a_t|\cdot)\, \mathrm{sg}(A_t) + \tfrac12 A_t^2
    - \beta\, H(\pi(\cdot|\cdot))\Big],

minimised by Adam. Sampling uses a local generator, so the global torch random state is left
alone; with ``checkpoint`` the run is saved after every episode through
:class:`qtwin.checkpoint.Checkpoint` and resumes exactly. The QFWP paper trains on MiniGrid
with asynchronous A3C; MiniGrid is not installed here, so this uses ``gymnasium``'s
``CartPole-v1`` (extra ``[rl]``) with one worker.

Example:
    >>> agent = QuantumActorCritic("qfwp", seed=0)
    >>> logits, value, state = agent.step(torch.zeros(1, 4), agent.init_state())
    >>> logits.shape, value.shape
    (torch.Size([1, 2]), torch.Size([1]))
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass, field

import numpy as np
import torch

from qtwin._extras import require_module
from qtwin._progress import progress as progress_bar
from qtwin._validation import (
    as_generator,
    check_choice,
    check_nonnegative_float,
    check_positive_int,
)
from qtwin.checkpoint import Checkpoint, capture_generator, fingerprint, restore_generator
from qtwin.qml._random import linear, torch_generator
from qtwin.qml._results import DictLikeResult
from qtwin.qml.sequences.fast_weights import QFWP
from qtwin.qml.sequences.recurrent import QLSTM

__all__ = ["OBS_SCALE", "QuantumActorCritic", "ActorCriticResult", "train_actor_critic"]

#: CartPole observation scales (cart position, velocity, pole angle, angular velocity)
OBS_SCALE = (2.4, 3.0, 0.21, 3.0)

#: recurrent state of a core: QFWP's fast weights, or QLSTM's ``(h, c)``
CoreState = torch.Tensor | tuple[torch.Tensor, torch.Tensor]


class QuantumActorCritic(torch.nn.Module):
    r"""Actor and critic heads on a recurrent quantum core (``"qfwp"`` or ``"qlstm"``).

    Args:
        core: ``"qfwp"`` (fast circuit on ``obs_dim`` qubits, all read out; 4 for CartPole)
            or ``"qlstm"`` (hidden width 1, so ``obs_dim + 1`` qubits). Registers of at most
            five qubits run as one fused matrix per circuit, which keeps a step cheap.
        obs_dim: observation width.
        num_actions: number of discrete actions.
        seed: seed (or numpy generator) of every initialisation, through local generators;
            ``None`` draws fresh entropy.
    """

    def __init__(
        self,
        core: str = "qfwp",
        *,
        obs_dim: int = 4,
        num_actions: int = 2,
        seed: int | np.random.Generator | None = 0,
    ) -> None:
        super().__init__()
        self.core_name = check_choice(core, "core", ("qfwp", "qlstm"))
        obs_dim = check_positive_int(obs_dim, "obs_dim")
        num_actions = check_positive_int(num_actions, "num_actions")
        rng = as_generator(seed)
        self.core: QFWP | QLSTM
        if core == "qfwp":
            self.core = QFWP(obs_dim, num_qubits=obs_dim, num_readout=obs_dim, seed=rng)
        else:
            self.core = QLSTM(input_size=obs_dim, hidden_size=1, seed=rng, scale=0.1)
        gen = torch_generator(rng)
        f = self.core.num_features
        self.actor = linear(f, num_actions, gen, dtype=torch.float64)
        self.critic = linear(f, 1, gen, dtype=torch.float64)

    def init_state(self) -> CoreState:
        """Initial recurrent state for one environment."""
        return self.core.init_state(1)

    def step(
        self, obs: torch.Tensor, state: CoreState
    ) -> tuple[torch.Tensor, torch.Tensor, CoreState]:
        """Policy logits ``(1, A)``, value ``(1,)`` and next state for an observation ``(1, d)``."""
        x = torch.tanh(
            obs.to(torch.float64) / torch.tensor(OBS_SCALE[: obs.shape[-1]], dtype=torch.float64)
        )
        phi, state = self.core.step(x, state)  # type: ignore[arg-type]
        return self.actor(phi), self.critic(phi)[:, 0], state


@dataclass
class ActorCriticResult(DictLikeResult):
    """Learning curve of :func:`train_actor_critic` (also readable as a dict).

    Attributes:
        returns: return (sum of rewards) of each episode.
        episode_time_s: wall time of each episode.
        resumed_from: episodes restored from a checkpoint (0 for a fresh run).
    """

    returns: list[float] = field(default_factory=list)
    episode_time_s: list[float] = field(default_factory=list)
    resumed_from: int = 0


def train_actor_critic(
    agent: QuantumActorCritic,
    *,
    episodes: int = 100,
    env_id: str = "CartPole-v1",
    gamma: float = 0.99,
    lr: float = 0.01,
    entropy_coef: float = 0.01,
    max_steps: int = 500,
    seed: int = 0,
    checkpoint: str | os.PathLike[str] | None = None,
    progress: bool = True,
) -> ActorCriticResult:
    r"""Train ``agent`` for ``episodes`` episodes; returns the learning curve.

    Args:
        agent: the agent, trained in place.
        episodes: total episodes (a resumed run continues up to it).
        env_id: a gymnasium environment with discrete actions.
        gamma: discount :math:`\gamma \in [0, 1]`.
        lr: Adam learning rate.
        entropy_coef: entropy bonus :math:`\beta`.
        max_steps: steps per episode at most.
        seed: episode ``i`` uses environment seed ``seed + i``; the action sampling uses a
            local torch generator seeded with ``seed``.
        checkpoint: file written after every episode and resumed from (a checkpoint of
            another run is refused).
        progress: draw a progress bar.

    Returns:
        An :class:`ActorCriticResult`, one entry per episode.

    Raises:
        qtwin.exceptions.MissingExtraError: when gymnasium (extra ``[rl]``) is missing.
        qtwin.exceptions.CheckpointMismatchError: ``checkpoint`` belongs to another run.
    """
    gym = require_module("gymnasium", extra="rl", purpose="the control task")
    episodes = check_positive_int(episodes, "episodes")
    max_steps = check_positive_int(max_steps, "max_steps")
    gamma = check_nonnegative_float(gamma, "gamma")
    if gamma > 1:
        raise ValueError(f"gamma must be in [0, 1], got {gamma}")
    seed = int(seed)
    ckpt = Checkpoint(
        checkpoint,
        fingerprint(
            loop="qtwin.qml.sequences.train_actor_critic",
            env_id=env_id,
            gamma=gamma,
            lr=float(lr),
            entropy_coef=float(entropy_coef),
            max_steps=max_steps,
            seed=seed,
            agent=[agent.core_name]
            + [[name, list(p.shape)] for name, p in agent.named_parameters()],
        ),
    )
    opt = torch.optim.Adam([p for p in agent.parameters() if p.requires_grad], lr=lr)
    rng = torch_generator(seed)
    curve = ActorCriticResult()
    state = ckpt.load()
    if state is not None:
        agent.load_state_dict(state["agent"])
        opt.load_state_dict(state["optimizer"])
        restore_generator(rng, state["generator"])
        curve = ActorCriticResult(**state["curve"])
        curve.resumed_from = len(curve.returns)
    env = gym.make(env_id)
    done = len(curve.returns)
    bar = progress_bar(
        range(done, episodes), total=episodes, initial=done, desc=agent.core_name, enabled=progress
    )
    for ep in bar:
        t0 = time.perf_counter()
        obs, _ = env.reset(seed=seed + ep)
        rec_state = agent.init_state()
        logps, values, entropies, rewards = [], [], [], []
        for _ in range(max_steps):
            logits, value, rec_state = agent.step(
                torch.as_tensor(np.asarray(obs), dtype=torch.float64)[None], rec_state
            )
            dist = torch.distributions.Categorical(logits=logits[0])
            action = torch.multinomial(dist.probs.detach(), 1, generator=rng)[0]
            logps.append(dist.log_prob(action))
            entropies.append(dist.entropy())
            values.append(value[0])
            obs, reward, terminated, truncated, _ = env.step(int(action))
            rewards.append(float(reward))
            if terminated or truncated:
                break
        returns = np.zeros(len(rewards))
        acc = 0.0
        for t in reversed(range(len(rewards))):
            acc = rewards[t] + gamma * acc
            returns[t] = acc
        g = torch.as_tensor(returns, dtype=torch.float64)
        g = (g - g.mean()) / (g.std() + 1e-8) if len(g) > 1 else g * 0
        v = torch.stack(values)
        adv = g - v
        loss = (
            -(torch.stack(logps) * adv.detach()).sum()
            + 0.5 * (adv**2).sum()
            - entropy_coef * torch.stack(entropies).sum()
        )
        opt.zero_grad()
        loss.backward()
        opt.step()
        curve.returns.append(float(sum(rewards)))
        curve.episode_time_s.append(time.perf_counter() - t0)
        bar.set_postfix(ret=curve.returns[-1])
        ckpt.save(
            {
                "agent": agent.state_dict(),
                "optimizer": opt.state_dict(),
                "generator": capture_generator(rng),
                "curve": {"returns": curve.returns, "episode_time_s": curve.episode_time_s},
            }
        )
    env.close()
    return curve
