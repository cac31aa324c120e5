r"""Experiment ``control``: actor-critic on CartPole-v1 with a QFWP policy and a QLSTM baseline.

Each agent in ``agents`` (:class:`qtwin.qml.QuantumActorCritic` with core ``qfwp`` or
``qlstm``) is trained for ``episodes`` episodes by :func:`qtwin.qml.train_actor_critic`
(Adam, ``lr``, discount ``gamma``); the learning curve (return per episode and its running mean
over ``window`` episodes) is stored per agent (work units ``agent/<core>``, resumable) and
plotted in ``learning_curve.png``. A random policy's mean return over the same environment
seeds is the reference line. The default is a handful of episodes so that ``qtwin tour`` stays
fast; learning needs hundreds (``--set episodes=500``).
"""

from __future__ import annotations

import dataclasses
import time
from dataclasses import dataclass
from typing import Any

import numpy as np

from qtwin.experiments.config import option
from qtwin.experiments.registry import Progress, register
from qtwin.experiments.store import ResultStore

__all__ = ["ControlConfig", "DEFAULT_CONFIG", "run"]


@dataclass(frozen=True)
class ControlConfig:
    """Actor-critic on CartPole-v1 with a QFWP policy and a QLSTM baseline."""

    agents: tuple[str, ...] = option(
        ("qfwp", "qlstm"), "recurrent quantum cores of the agents", choices=("qfwp", "qlstm")
    )
    episodes: int = option(4, "training episodes per agent (learning needs hundreds)", low=1)
    lr: float = option(0.01, "Adam learning rate", low=0)
    gamma: float = option(0.99, "discount factor", low=0, high=1)
    max_steps: int = option(200, "steps per episode at most", low=1)
    window: int = option(5, "episodes in the running mean of the learning curve", low=1)

    def __post_init__(self) -> None:
        if not self.agents:
            raise ValueError("config key 'agents' is empty: name at least one agent")
        if self.lr <= 0:
            raise ValueError(f"config key 'lr' must be > 0, got {self.lr!r}")


#: the defaults as a plain dict (kept for callers of the dict-config era)
DEFAULT_CONFIG: dict[str, Any] = dataclasses.asdict(ControlConfig())


def _random_returns(episodes: int, seed: int, max_steps: int) -> list[float]:
    import gymnasium as gym

    env = gym.make("CartPole-v1")
    env.action_space.seed(seed)
    out = []
    for ep in range(episodes):
        env.reset(seed=seed + ep)
        total = 0.0
        for _ in range(max_steps):
            _, r, term, trunc, _ = env.step(env.action_space.sample())
            total += float(r)
            if term or trunc:
                break
        out.append(total)
    env.close()
    return out


#: greedy steps replayed on a backend, and the shots behind each expectation value there
BACKEND_STEPS = 10
BACKEND_SHOTS = 1024


def _exact_observations(agent: Any, steps: int, seed: int) -> list[np.ndarray]:
    """Observations of one greedy CartPole episode of ``agent`` (exact simulation)."""
    import gymnasium as gym
    import torch

    env = gym.make("CartPole-v1")
    obs, _ = env.reset(seed=seed)
    state = agent.init_state()
    seen = []
    with torch.no_grad():
        for _ in range(steps):
            seen.append(np.asarray(obs, dtype=float))
            logits, _, state = agent.step(torch.as_tensor(obs[None], dtype=torch.float64), state)
            obs, _, term, trunc, _ = env.step(int(torch.argmax(logits)))
            if term or trunc:
                break
    env.close()
    return seen


def _logits(agent: Any, observations: list[np.ndarray]) -> np.ndarray:
    """Policy logits ``(T, A)`` of ``agent`` fed ``observations`` in order."""
    import torch

    state = agent.init_state()
    out = []
    with torch.no_grad():
        for obs in observations:
            logits, _, state = agent.step(torch.as_tensor(obs[None], dtype=torch.float64), state)
            out.append(logits[0].numpy())
    return np.asarray(out)


def _on_backend(agent: Any, backend: str, seed: int) -> dict[str, Any]:
    """Replay a greedy episode's observations with the policy's circuits run on ``backend``.

    The QFWP core's fast circuit and the QLSTM core's VQCs go to the backend's estimator
    (precision ``1 / sqrt(BACKEND_SHOTS)``); the classical heads stay in torch. Reported: the
    fraction of steps whose greedy action agrees with the exact policy, and the largest logit
    deviation.
    """
    from qtwin.backends import get_backend
    from qtwin.experiments._backend import too_wide
    from qtwin.qml.sequences.export import executing_on

    core = agent.core
    width = int(core.num_qubits)
    reason = too_wide(backend, width)
    if reason is not None:
        return {"status": "skipped", "reason": reason}
    observations = _exact_observations(agent, BACKEND_STEPS, seed)
    exact = _logits(agent, observations)
    be = get_backend(backend, seed=seed, default_precision=BACKEND_SHOTS**-0.5)
    t0 = time.perf_counter()
    with executing_on(agent, be):  # the QFWP fast circuit or the QLSTM's VQCs
        noisy = _logits(agent, observations)
    return {
        "status": "ok",
        "num_qubits": width,
        "steps": len(observations),
        "shots": BACKEND_SHOTS,
        "action_agreement": float(np.mean(exact.argmax(1) == noisy.argmax(1))),
        "max_logit_error": float(np.max(np.abs(exact - noisy))),
        "time_s": time.perf_counter() - t0,
    }


def _agent(
    core: str, config: ControlConfig, seed: int, backend: str | None = None
) -> dict[str, Any]:
    from qtwin.qml.sequences.control import QuantumActorCritic, train_actor_critic

    agent = QuantumActorCritic(core, seed=seed)
    curve = train_actor_critic(
        agent,
        episodes=config.episodes,
        gamma=config.gamma,
        lr=config.lr,
        max_steps=config.max_steps,
        seed=seed,
        progress=False,
    )
    params = sum(p.numel() for p in agent.parameters() if p.requires_grad)
    row = {"agent": core, "parameters": params, **curve.to_dict()}
    if backend is not None:
        row["backend"] = _on_backend(agent, backend, seed)
    return row


@register("control", config=ControlConfig)
def run(
    config: ControlConfig,
    *,
    backend: str | None,
    seed: int,
    store: ResultStore,
    progress: Progress,
) -> dict[str, Any]:
    """Actor-critic on CartPole-v1: QFWP policy vs QLSTM policy, learning curves."""
    from qtwin._threads import torch_threads

    with torch_threads(1):  # tiny tensors: extra threads only add overhead
        return _run(config, seed=seed, store=store, progress=progress, backend=backend)


def _run(
    config: ControlConfig,
    *,
    seed: int,
    store: ResultStore,
    progress: Progress,
    backend: str | None = None,
) -> dict[str, Any]:
    rows = [
        store.compute(
            f"agent/{a}" + ("" if backend is None else f"@{backend}"),
            lambda a=a: _agent(a, config, seed, backend),
        )
        for a in progress(config.agents, total=len(config.agents), desc="control")
    ]
    rand = store.compute("random", lambda: _random_returns(config.episodes, seed, config.max_steps))
    w = config.window
    from qtwin.experiments.figures import new_figure, use_style

    with use_style():
        fig, ax = new_figure(figsize=(7.4, 3.6))
        for r in rows:
            ret = np.asarray(r["returns"])
            ax.plot(np.arange(1, len(ret) + 1), ret, alpha=0.35)
            run_mean = np.convolve(ret, np.ones(w) / w, mode="valid") if len(ret) >= w else ret
            ax.plot(
                np.arange(len(ret) - len(run_mean) + 1, len(ret) + 1),
                run_mean,
                lw=2,
                color=ax.lines[-1].get_color(),
                label=f"{r['agent']} ({r['parameters']} params)",
            )
        ax.axhline(float(np.mean(rand)), color="k", ls="--", lw=1, label="random policy")
        ax.set_xlabel("episode")
        ax.set_ylabel("return (steps balanced)")
        ax.set_title(f"CartPole-v1, actor-critic (thin: per episode; thick: mean of {w})")
        fig.legend(loc="outside right upper", fontsize="small")
        store.save_figure(
            fig,
            "learning_curve.png",
            caption="Return per episode of each actor-critic agent during training, against "
            "the mean return of a random policy.",
        )
    table = [
        {
            "agent": r["agent"],
            "parameters": r["parameters"],
            "episodes": len(r["returns"]),
            "mean_return_last": float(np.mean(r["returns"][-w:])),
            "best_return": float(max(r["returns"])),
        }
        for r in rows
    ]
    metrics: dict[str, Any] = {
        "headline": {"best return": max(t["best_return"] for t in table)} if table else None,
        "table": table,
        "rows": rows,
        "random_mean_return": float(np.mean(rand)),
    }
    if backend is not None:
        parts: dict[str, Any] = {"training": {"backend": "qtwin (torch, exact)", "status": "ran"}}
        for r in rows:
            b = r["backend"]
            key = f"policy/{r['agent']}"
            if b["status"] == "ok":
                parts[key] = {"backend": backend, "status": "ran", "steps": b["steps"]}
                parts[key].update(shots=b["shots"], action_agreement=b["action_agreement"])
            else:
                parts[key] = {"backend": backend, "status": "skipped", "reason": b["reason"]}
        metrics["backend_parts"] = parts
    return metrics
