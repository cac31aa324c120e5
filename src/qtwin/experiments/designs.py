r"""Experiment ``designs``: frame potentials of qudit design constructions against Haar.

For each construction and moment ``t`` the frame potential is compared with the Haar value
(:func:`qtwin.designs.haar.haar_frame_potential`); the ratio :math:`F_t / F_t^{\rm Haar}`
is 1 exactly for a t-design and larger otherwise.

* ``weighted``: :func:`qtwin.designs.weighted.weighted_state_design` ``(d, t)`` (every ``d``),
  checked at order ``t`` and ``t + 1`` (a t-design is a design of every lower order).
* ``mub``: complete mutually unbiased bases (prime-power ``d``), a state 2-design.
* ``stabilizer``: the Clifford orbit of :math:`|0\rangle` (a 2-design only for prime ``d``).
* ``clifford``: the Clifford group as a unitary ensemble, character formula (a unitary
  2-design exactly for prime ``d``; ``F_2 = 1 +`` number of proper divisors otherwise).
* ``spin_coherent`` / ``spin_gkp``: spin-``j`` coherent states (closed form
  :math:`1/(2jt+1)`, a 1-design only) vs spin-GKP states (a 2-design).
* ``native``: random high-spin (rotations + twisting), rotation-only and cavity (SNAP +
  displacement) circuits: :math:`F_t` against depth, and the depth within ``native_eps``
  of Haar.

A construction whose module is missing is recorded as ``skipped: <reason>``. Work units:
``weighted/<d>/<t>``, ``mub/<d>``, ``stabilizer/<d>``, ``clifford/<d>``, ``spin/<j>``,
``native/<family>``. Figures: ``frame_potential_ratios.png`` (ratio per construction, log
scale) and ``native_depth.png`` (:math:`F_t` against depth, log scale, Haar dashed).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import numpy as np

from qtwin.experiments.registry import Progress, register
from qtwin.experiments.store import ResultStore

__all__ = ["DEFAULT_CONFIG", "run"]

DEFAULT_CONFIG: dict[str, Any] = {
    # weighted state designs: dimensions and moments (skipped above max_weighted_states)
    "weighted_dims": [2, 3, 4, 5, 6],
    "weighted_ts": [2, 3],
    "max_weighted_states": 20000,
    # complete MUBs (prime powers only), stabilizer orbits, Clifford groups
    "mub_dims": [2, 3, 4, 5, 7, 8, 9],
    "stabilizer_dims": [2, 3, 4, 5, 6],
    "clifford_dims": [2, 3, 4, 5, 6, 7, 8, 9],
    # spins j for coherent vs spin-GKP states
    "spins": [0.5, 1.0, 1.5, 2.0],
    # moments t checked for the state and group ensembles
    "ts": [1, 2, 3],
    # native-gate circuits: families, qudit dimension, depths, circuits per depth, tolerance
    "native_families": ["high_spin", "rotations_only", "cavity"],
    "native_d": 3,
    "native_max_depth": 8,
    "native_circuits": 300,
    "native_eps": 0.05,
}

RATIO_TOL = 1e-8


def _row(construction: str, d: int, t: int, kind: str, size: int, f: float) -> dict[str, Any]:
    from qtwin.designs.haar import haar_frame_potential

    haar = haar_frame_potential(d, t, kind)
    ratio = f / haar
    return {
        "construction": construction,
        "d": d,
        "t": t,
        "kind": kind,
        "size": int(size),
        "frame_potential": float(f),
        "haar": float(haar),
        "ratio": float(ratio),
        "design": bool(abs(ratio - 1) <= RATIO_TOL),
        "status": "ok",
    }


def _state_rows(
    construction: str, states: np.ndarray, weights: np.ndarray | None, ts: list[int]
) -> list[dict[str, Any]]:
    from qtwin.designs.frame_potentials import frame_potential

    d = states.shape[1]
    return [
        _row(construction, d, t, "state", len(states), frame_potential(states, t, weights))
        for t in ts
    ]


def _guard(construction: str, d: Any, func: Callable[[], Any]) -> Any:
    """Run ``func``; a missing sibling module becomes one ``skipped`` row."""
    try:
        return func()
    except ImportError as exc:
        return [{"construction": construction, "d": d, "status": "skipped", "reason": f"{exc}"}]


def _weighted(d: int, t: int, ts: list[int], cap: int) -> list[dict[str, Any]]:
    from qtwin.designs.weighted import weighted_state_design

    t0 = time.perf_counter()
    states, weights = weighted_state_design(d, t)
    if len(states) > cap:
        return [
            {
                "construction": f"weighted(t={t})",
                "d": d,
                "status": "skipped",
                "reason": f"{len(states)} states > max_weighted_states={cap}",
            }
        ]
    # a t-design is a t'-design for every t' <= t: check the order built and the next
    rows = _state_rows(f"weighted(t={t})", states, weights, [s for s in ts if s in (t, t + 1)])
    for r in rows:
        r["time_s"] = time.perf_counter() - t0
    return rows


def _mub(d: int, ts: list[int]) -> list[dict[str, Any]]:
    from qtwin.designs.known import mutually_unbiased_bases

    states = np.asarray(mutually_unbiased_bases(d)).reshape(-1, d)
    return _state_rows("mub", states, None, ts)


def _stabilizer(d: int, ts: list[int]) -> list[dict[str, Any]]:
    from qtwin.designs.known import stabilizer_orbit

    return _state_rows("stabilizer", np.asarray(stabilizer_orbit(d)), None, ts)


def _clifford(d: int, ts: list[int]) -> list[dict[str, Any]]:
    from qtwin.designs.clifford import clifford_group

    group = clifford_group(d)
    tr2 = np.abs(group.traces()) ** 2
    return [_row("clifford", d, t, "unitary", len(group), float(np.mean(tr2**t))) for t in ts]


def _spin(j: float, ts: list[int]) -> list[dict[str, Any]]:
    from qtwin.designs.spin import spin_coherent_states, spin_gkp_states

    d = int(round(2 * j)) + 1
    states, weights = spin_coherent_states(j, t=max(ts))
    rows = _state_rows("spin_coherent", states, weights, ts)
    for r in rows:
        r["closed_form"] = 1.0 / (2 * j * r["t"] + 1)
        r["j"] = j
    try:
        gkp = spin_gkp_states(j, 1)
    except ValueError as exc:  # 2j + 1 not a prime power
        rows.append(
            {"construction": "spin_gkp", "d": d, "j": j, "status": "skipped", "reason": str(exc)}
        )
        return rows
    for r in _state_rows("spin_gkp", np.asarray(gkp), None, ts):
        r["j"] = j
        rows.append(r)
    return rows


def _native(family: str, config: dict[str, Any], seed: int) -> dict[str, Any]:
    from qtwin.designs.native import frame_potential_vs_depth

    t0 = time.perf_counter()
    res = frame_potential_vs_depth(
        family,
        int(config["native_d"]),
        int(config["native_max_depth"]),
        int(config["native_circuits"]),
        ts=[int(t) for t in config["ts"]],
        eps=float(config["native_eps"]),
        seed=seed,
    )
    out = res.as_dict()
    out["time_s"] = time.perf_counter() - t0
    return out


@register("designs", config=DEFAULT_CONFIG, circuits=False)
def run(
    config: dict[str, Any],
    *,
    backend: str | None,
    seed: int,
    store: ResultStore,
    progress: Progress,
) -> dict[str, Any]:
    """Frame potentials of qudit design constructions (weighted, MUB, Clifford, spin, native)."""
    ts = [int(t) for t in config["ts"]]
    cap = int(config["max_weighted_states"])
    tasks: list[tuple[str, Callable[[], Any]]] = []
    for d in config["weighted_dims"]:
        for t in config["weighted_ts"]:
            tasks.append(
                (
                    f"weighted/{d}/{t}",
                    lambda d=int(d), t=int(t): _guard(
                        f"weighted(t={t})", d, lambda: _weighted(d, t, ts, cap)
                    ),
                )
            )
    for d in config["mub_dims"]:
        tasks.append((f"mub/{d}", lambda d=int(d): _guard("mub", d, lambda: _mub_or_skip(d, ts))))
    for d in config["stabilizer_dims"]:
        tasks.append(
            (
                f"stabilizer/{d}",
                lambda d=int(d): _guard("stabilizer", d, lambda: _stabilizer(d, ts)),
            )
        )
    for d in config["clifford_dims"]:
        tasks.append(
            (f"clifford/{d}", lambda d=int(d): _guard("clifford", d, lambda: _clifford(d, ts)))
        )
    for j in config["spins"]:
        tasks.append(
            (
                f"spin/{float(j):g}",
                lambda j=float(j): _guard("spin", 2 * j + 1, lambda: _spin(j, ts)),
            )
        )
    for k, family in enumerate(config["native_families"]):
        tasks.append(
            (
                f"native/{family}",
                lambda f=str(family), k=k: _guard(
                    f"native:{f}", int(config["native_d"]), lambda: _native(f, config, seed + k)
                ),
            )
        )

    rows: list[dict[str, Any]] = []
    native: dict[str, Any] = {}
    for unit, fn in progress(tasks, total=len(tasks), desc="designs"):
        value = store.compute(unit, fn)
        if unit.startswith("native/") and isinstance(value, dict):
            native[unit.split("/", 1)[1]] = value
        else:
            rows.extend(value)

    _plot_ratios(store, rows)
    _plot_native(store, native)
    ok = [r for r in rows if r["status"] == "ok"]
    summary = {
        "designs_t2": sorted(
            {f"{r['construction']}:d={r['d']}" for r in ok if r["t"] == 2 and r["design"]}
        ),
        "not_designs_t2": sorted(
            {f"{r['construction']}:d={r['d']}" for r in ok if r["t"] == 2 and not r["design"]}
        ),
        "skipped": [
            {"construction": r["construction"], "d": r["d"], "reason": r["reason"]}
            for r in rows
            if r["status"] == "skipped"
        ],
        "native_depth_to_haar": {f: v["depth_to_haar"] for f, v in native.items()},
    }
    return {"rows": rows, "native": native, "summary": summary}


def _mub_or_skip(d: int, ts: list[int]) -> list[dict[str, Any]]:
    from qtwin.designs.known import prime_power

    if prime_power(d) is None:
        return [
            {
                "construction": "mub",
                "d": d,
                "status": "skipped",
                "reason": f"d={d} is not a prime power: no complete MUB set is known",
            }
        ]
    return _mub(d, ts)


def _plot_ratios(store: ResultStore, rows: list[dict[str, Any]]) -> None:
    from qtwin.experiments.figures import new_figure

    ok = [r for r in rows if r["status"] == "ok"]
    groups = sorted({r["construction"] for r in ok})
    ts = sorted({r["t"] for r in ok})
    fig, axes = new_figure(1, max(len(ts), 1), figsize=(4.2 * max(len(ts), 1), 4.0), squeeze=False)
    markers = "osD^v<>ph*"
    for ax, t in zip(axes[0], ts or [1], strict=False):
        for g_idx, g in enumerate(groups):
            pts = sorted((r["d"], r["ratio"]) for r in ok if r["construction"] == g and r["t"] == t)
            if pts:
                ds, ratios = zip(*pts, strict=True)
                ax.plot(ds, ratios, markers[g_idx % len(markers)] + "-", label=g, alpha=0.8)
        ax.axhline(1.0, color="k", lw=0.8, ls="--")
        ax.set_yscale("log")
        top = max((r["ratio"] for r in ok if r["t"] == t), default=1.0)
        ax.set_ylim(0.9, max(1.2, 1.3 * top))  # a design sits on the line (ratio 1 to 1e-12)
        ax.set_xlabel("d")
        ax.set_ylabel(rf"$F_{t} / F_{t}^{{\rm Haar}}$")
        ax.set_title(f"t = {t}")
    handles: dict[str, Any] = {}
    for ax in axes[0]:
        for h, label in zip(*ax.get_legend_handles_labels(), strict=True):
            handles.setdefault(label, h)
    axes[0][-1].legend(handles.values(), handles.keys(), fontsize="x-small")
    store.save_figure(fig, "frame_potential_ratios.png")


def _plot_native(store: ResultStore, native: dict[str, Any]) -> None:
    from qtwin.experiments.figures import new_figure

    ok = native
    fig, ax = new_figure(figsize=(6.5, 4.2))
    styles = ["-", "--", ":", "-."]
    colors = ["tab:blue", "tab:orange", "tab:green", "tab:red"]
    for f_idx, (family, res) in enumerate(ok.items()):
        for t_idx, t in enumerate(res["ts"]):
            ax.plot(
                res["depths"],
                res["potentials"][str(t)],
                styles[f_idx % 4],
                color=colors[t_idx % 4],
                marker="o",
                ms=3,
                label=f"{family}, t={t}",
            )
    haar_done: set[str] = set()
    for res in ok.values():
        for t_idx, t in enumerate(res["ts"]):
            if str(t) not in haar_done:
                ax.axhline(res["haar"][str(t)], color=colors[t_idx % 4], lw=0.8, ls=(0, (1, 3)))
                haar_done.add(str(t))
    ax.set_yscale("log")
    ax.set_xlabel("depth (layers)")
    ax.set_ylabel(r"frame potential $F_t$ (U-statistic)")
    d = next(iter(ok.values()))["d"] if ok else "?"
    ax.set_title(f"Native-gate circuits, d = {d} (Haar dotted)")
    if ok:
        ax.legend(fontsize="x-small", ncol=2)
    store.save_figure(fig, "native_depth.png")
