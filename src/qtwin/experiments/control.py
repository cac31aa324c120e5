r"""Experiment ``control``: actor-critic on CartPole-v1 with a QFWP policy and a QLSTM baseline.

Each agent in ``agents`` (:class:`qtwin.qml.control.QuantumActorCritic` with core ``qfwp`` or
``qlstm``) is trained for ``episodes`` episodes by :func:`qtwin.qml.control.train_actor_critic`
(Adam, ``lr``, discount ``gamma``); the learning curve (return per episode and its running mean
over ``window`` episodes) is stored per agent (work units ``agent/<core>``, resumable) and
plotted in ``learning_curve.png``. A random policy's mean return over the same environment
seeds is the reference line. The default is a handful of episodes so that ``qtwin tour`` stays
fast; learning needs hundreds (``--set episodes=500``).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from qtwin.experiments.registry import Progress, register
from qtwin.experiments.store import ResultStore

__all__ = ["DEFAULT_CONFIG", "run"]

DEFAULT_CONFIG: dict[str, Any] = {
    "agents": ["qfwp", "qlstm"],
    "episodes": 4,
    "lr": 0.01,
    "gamma": 0.99,
    "max_steps": 200,
    "window": 5,
}


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


def _agent(core: str, config: dict[str, Any], seed: int) -> dict[str, Any]:
    from qtwin.qml.control import QuantumActorCritic, train_actor_critic

    agent = QuantumActorCritic(core, seed=seed)
    curve = train_actor_critic(
        agent,
        episodes=int(config["episodes"]),
        gamma=float(config["gamma"]),
        lr=float(config["lr"]),
        max_steps=int(config["max_steps"]),
        seed=seed,
        progress=False,
    )
    params = sum(p.numel() for p in agent.parameters() if p.requires_grad)
    return {"agent": core, "parameters": params, **curve}


@register("control", config=DEFAULT_CONFIG)
def run(
    config: dict[str, Any],
    *,
    backend: str | None,
    seed: int,
    store: ResultStore,
    progress: Progress,
) -> dict[str, Any]:
    """Actor-critic on CartPole-v1: QFWP policy vs QLSTM policy, learning curves."""
    from qtwin._threads import torch_threads

    with torch_threads(1):  # tiny tensors: extra threads only add overhead
        return _run(config, seed=seed, store=store, progress=progress)


def _run(
    config: dict[str, Any], *, seed: int, store: ResultStore, progress: Progress
) -> dict[str, Any]:
    for a in config["agents"]:
        if a not in ("qfwp", "qlstm"):
            raise ValueError(f"agents entries must be 'qfwp' or 'qlstm', got {a!r}")
    rows = [
        store.compute(f"agent/{a}", lambda a=a: _agent(a, config, seed))
        for a in progress(config["agents"], total=len(config["agents"]), desc="control")
    ]
    rand = store.compute(
        "random", lambda: _random_returns(int(config["episodes"]), seed, int(config["max_steps"]))
    )
    w = max(1, int(config["window"]))
    from qtwin.experiments.figures import new_figure

    fig, ax = new_figure(figsize=(6.0, 3.6))
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
    ax.set_ylabel("return")
    ax.set_title("CartPole-v1, actor-critic")
    ax.legend(fontsize="x-small")
    store.save_figure(fig, "learning_curve.png")
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
    return {"table": table, "rows": rows, "random_mean_return": float(np.mean(rand))}
