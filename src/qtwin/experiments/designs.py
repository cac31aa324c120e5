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
``native/<family>``. Figures: ``frame_potential_ratios.png`` (ratio to Haar per construction
and ``d``, one panel per moment ``t >= 2``: every ensemble is a 1-design) and
``native_depth.png`` (:math:`F_t` against depth with standard errors, one panel per
``t >= 2``, the Haar value and the ``native_eps`` band marked).
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from qtwin.experiments.config import config_to_dict, option
from qtwin.experiments.figures import OKABE_ITO, new_figure, plain_log_ticks, use_style
from qtwin.experiments.registry import Progress, register
from qtwin.experiments.store import ResultStore

if TYPE_CHECKING:
    pass

__all__ = ["DEFAULT_CONFIG", "DesignsConfig", "run"]

#: circuit families of :func:`qtwin.designs.native.frame_potential_vs_depth`
_FAMILIES = ("high_spin", "rotations_only", "cavity")


@dataclass(frozen=True)
class DesignsConfig:
    """Frame potentials of qudit design constructions against the Haar value."""

    weighted_dims: tuple[int, ...] = option(
        (2, 3, 4, 5, 6), "dimensions d of the weighted state designs", low=2
    )
    weighted_ts: tuple[int, ...] = option((2, 3), "orders t of the weighted state designs", low=1)
    max_weighted_states: int = option(
        20000,
        "skip a weighted design with more states than this (its frame potential is N^2)",
        low=1,
    )
    mub_dims: tuple[int, ...] = option(
        (2, 3, 4, 5, 7, 8, 9),
        "dimensions of complete MUB sets (prime powers; others skipped)",
        low=2,
    )
    stabilizer_dims: tuple[int, ...] = option(
        (2, 3, 4, 5, 6), "dimensions of the stabilizer-state orbits", low=2
    )
    clifford_dims: tuple[int, ...] = option(
        (2, 3, 4, 5, 6, 7, 8, 9), "dimensions of the qudit Clifford groups", low=2
    )
    spins: tuple[float, ...] = option(
        (0.5, 1.0, 1.5, 2.0), "spins j (d = 2j + 1) for spin coherent vs spin-GKP states", low=0.5
    )
    ts: tuple[int, ...] = option((1, 2, 3), "moments t checked for every ensemble", low=1)
    native_families: tuple[str, ...] = option(
        _FAMILIES, "native-gate circuit families", choices=_FAMILIES
    )
    native_d: int = option(3, "qudit dimension of the native-gate circuits", low=2)
    native_max_depth: int = option(8, "deepest native-gate circuit (layers)", low=1)
    native_circuits: int = option(300, "random circuits per depth", low=3)
    native_eps: float = option(
        0.05, "relative distance to the Haar frame potential counted as reached", low=0, high=1
    )

    def __post_init__(self) -> None:
        if not self.ts:
            raise ValueError("config key 'ts' is empty: name at least one moment t >= 1")
        for j in self.spins:
            if abs(2 * j - round(2 * j)) > 1e-9:
                raise ValueError(f"config key 'spins' takes multiples of 1/2, got {j!r}")


#: The default config in its JSON form (kept for callers of the dict-config era).
DEFAULT_CONFIG: dict[str, Any] = config_to_dict(DesignsConfig())

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


def _native(family: str, config: DesignsConfig, rng: np.random.Generator) -> dict[str, Any]:
    from qtwin.designs.native import frame_potential_vs_depth

    t0 = time.perf_counter()
    res = frame_potential_vs_depth(
        family,
        config.native_d,
        config.native_max_depth,
        config.native_circuits,
        ts=list(config.ts),
        eps=config.native_eps,
        seed=rng,
    )
    out = res.to_dict()
    out["time_s"] = time.perf_counter() - t0
    return out


def _design_unit(
    item: tuple[str, str, float, int, DesignsConfig], seed: np.random.SeedSequence
) -> Any:
    """Work unit ``<kind>/...`` (module level: it runs on Dask workers too).

    ``item = (kind, label, x, t, config)`` with ``x`` the dimension (the spin ``j`` for
    ``spin``, unused for ``native``) and ``label`` the construction (the family for
    ``native``). A missing sibling module becomes one ``skipped`` row.
    """
    kind, label, x, t, config = item
    ts = list(config.ts)
    d = int(x)
    try:
        if kind == "weighted":
            return _weighted(d, t, ts, config.max_weighted_states)
        if kind == "mub":
            return _mub_or_skip(d, ts)
        if kind == "stabilizer":
            return _stabilizer(d, ts)
        if kind == "clifford":
            return _clifford(d, ts)
        if kind == "spin":
            return _spin(float(x), ts)
        return _native(label, config, np.random.default_rng(seed))
    except ImportError as exc:
        if kind == "native":
            label, where = f"native:{label}", config.native_d
        else:
            where = 2 * x + 1 if kind == "spin" else d
        return [{"construction": label, "d": where, "status": "skipped", "reason": f"{exc}"}]


def _units(config: DesignsConfig) -> list[tuple[str, tuple[str, str, float, int, DesignsConfig]]]:
    """``(unit name, item)`` for every unit of the run, in the order of the report."""
    units = [
        (f"weighted/{d}/{t}", ("weighted", f"weighted(t={t})", d, t, config))
        for d in config.weighted_dims
        for t in config.weighted_ts
    ]
    units += [(f"mub/{d}", ("mub", "mub", d, 0, config)) for d in config.mub_dims]
    units += [
        (f"stabilizer/{d}", ("stabilizer", "stabilizer", d, 0, config))
        for d in config.stabilizer_dims
    ]
    units += [
        (f"clifford/{d}", ("clifford", "clifford", d, 0, config)) for d in config.clifford_dims
    ]
    units += [(f"spin/{j:g}", ("spin", "spin", j, 0, config)) for j in config.spins]
    units += [
        (f"native/{f}", ("native", f, config.native_d, 0, config)) for f in config.native_families
    ]
    return units


@register("designs", config=DesignsConfig, circuits=False)
def run(
    config: DesignsConfig,
    *,
    backend: str | None,
    seed: int,
    store: ResultStore,
    progress: Progress,
) -> dict[str, Any]:
    """Frame potentials of qudit design constructions (weighted, MUB, Clifford, spin, native).

    Units run through :meth:`~qtwin.experiments.store.ResultStore.compute_many`, so a run
    on a cluster (``qtwin run designs --cluster dask:2``) gives the local numbers.
    """
    units = _units(config)
    values = store.compute_many(
        [name for name, _ in units], _design_unit, [item for _, item in units], desc="designs"
    )
    rows: list[dict[str, Any]] = []
    native: dict[str, Any] = {}
    for (name, _), value in zip(units, values, strict=True):
        if name.startswith("native/") and isinstance(value, dict):
            native[name.split("/", 1)[1]] = value
        else:
            rows.extend(value)

    _plot_ratios(store, rows)
    _plot_native(store, native)
    ok = [r for r in rows if r["status"] == "ok"]
    t2 = [r for r in ok if r["t"] == 2]
    summary = {
        "t2_by_construction": {
            g: {
                "2-design for d": _dims_text(
                    r["d"] for r in t2 if r["construction"] == g and r["design"]
                ),
                "not for d": _dims_text(
                    r["d"] for r in t2 if r["construction"] == g and not r["design"]
                ),
            }
            for g in sorted({r["construction"] for r in t2})
        },
        "designs_t2": sorted({f"{r['construction']}:d={r['d']}" for r in t2 if r["design"]}),
        "not_designs_t2": sorted(
            {f"{r['construction']}:d={r['d']}" for r in t2 if not r["design"]}
        ),
        "skipped": [
            {"construction": r["construction"], "d": r["d"], "reason": r["reason"]}
            for r in rows
            if r["status"] == "skipped"
        ],
        "native_depth_to_haar": {f: v["depth_to_haar"] for f, v in native.items()},
    }
    headline = (
        f"{len(summary['designs_t2'])} of "
        f"{len(summary['designs_t2']) + len(summary['not_designs_t2'])} ensembles are 2-designs"
    )
    return {"headline": headline, "summary": summary, "rows": rows, "native": native}


def _dims_text(dims: Any) -> str:
    """``"2, 3, 5"`` (sorted, distinct), or ``"-"`` for none."""
    values = sorted({int(d) for d in dims})
    return ", ".join(str(d) for d in values) if values else "-"


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


#: plot styles per construction: (marker, open face?)
_MARKERS = {
    "weighted(t=2)": "o",
    "weighted(t=3)": "s",
    "mub": "D",
    "stabilizer": "^",
    "clifford": "v",
    "spin_coherent": "P",
    "spin_gkp": "X",
}

_LABELS = {
    "weighted(t=2)": "weighted 2-design",
    "weighted(t=3)": "weighted 3-design",
    "mub": "mutually unbiased bases",
    "stabilizer": "stabilizer states",
    "clifford": "Clifford group (unitaries)",
    "spin_coherent": "spin coherent states",
    "spin_gkp": "spin-GKP states",
    "high_spin": "high spin: rotation + twist",
    "rotations_only": "rotations only",
    "cavity": "cavity: SNAP + displacement",
}

#: the style's colours without its yellow (too pale for open markers on white)
_COLOURS = tuple(c for c in OKABE_ITO if c != "#F0E442")


@use_style()
def _plot_ratios(store: ResultStore, rows: list[dict[str, Any]]) -> None:
    """Ratio to Haar per construction and ``d``: markers only, offset per construction.

    Panels for ``t >= 2`` only when there are any: at ``t = 1`` every ensemble compared here
    is a design (ratio 1), which the figure says in its subtitle instead of a flat panel.
    """

    ok = [r for r in rows if r["status"] == "ok"]
    all_ts = sorted({r["t"] for r in ok}) or [1]
    ts = [t for t in all_ts if t >= 2] or all_ts
    groups = [g for g in _MARKERS if any(r["construction"] == g for r in ok)]
    groups += sorted({r["construction"] for r in ok} - set(groups))
    dims = sorted({r["d"] for r in ok}) or [2]
    fig, axes = new_figure(
        1, len(ts), figsize=(3.3 * len(ts) + 2.2, 3.8), squeeze=False, sharey=True
    )
    width = 0.7 / max(len(groups), 1)
    for ax, t in zip(axes[0], ts, strict=True):
        ax.axhline(1.0, color="k", lw=1.0, zorder=1, label="Haar value: an exact t-design")
        for g_idx, g in enumerate(groups):
            pts = sorted((r["d"], r["ratio"]) for r in ok if r["construction"] == g and r["t"] == t)
            if not pts:
                continue
            x = np.array([dims.index(d) for d, _ in pts]) + (g_idx - (len(groups) - 1) / 2) * width
            ax.plot(
                x,
                [ratio for _, ratio in pts],
                _MARKERS.get(g, "o"),
                ms=6,
                mfc="none",
                mew=1.4,
                color=_COLOURS[g_idx % len(_COLOURS)],
                label=_LABELS.get(g, g),
                zorder=3,
            )
        ax.set_xticks(range(len(dims)), [str(d) for d in dims])
        ax.set_xlabel("dimension d")
        ax.set_title(f"moment t = {t}")
        ax.grid(axis="y", alpha=0.3)
    top = max((r["ratio"] for r in ok if r["t"] in ts), default=1.0)
    plain_log_ticks(axes[0][0], 0.9, max(1.3, 1.3 * top))
    axes[0][0].set_ylabel("frame potential / Haar value")
    found: dict[str, Any] = {}
    for ax in axes[0]:
        for h, label in zip(*ax.get_legend_handles_labels(), strict=True):
            found.setdefault(label, h)
    order = ["Haar value: an exact t-design"] + [_LABELS.get(g, g) for g in groups]
    labels = [label for label in order if label in found]
    handles = [found[label] for label in labels]
    fig.legend(handles, labels, loc="outside right center", fontsize="small", frameon=False)
    if ts != all_ts:
        fig.suptitle(
            "ratio 1: a t-design (every ensemble here is a 1-design, so t = 1 is not shown)",
            fontsize="small",
        )
    store.save_figure(
        fig,
        "frame_potential_ratios.png",
        caption="Frame potential of each construction divided by the Haar value, per "
        "dimension d and moment t: a ratio of 1 (black line) is an exact t-design, anything "
        "above is not.",
    )


@use_style()
def _plot_native(store: ResultStore, native: dict[str, Any]) -> None:
    """Frame potential against depth per moment ``t``: one colour and marker per family, error
    bars (standard errors of the U-statistic), the Haar value and the ``eps`` band marked."""

    if not native:
        fig, ax = new_figure(figsize=(4.0, 2.0))
        ax.text(0.5, 0.5, "no native-gate family ran", ha="center", va="center")
        ax.set_axis_off()
        store.save_figure(fig, "native_depth.png")
        return
    first = next(iter(native.values()))
    all_ts = [int(t) for t in first["ts"]]
    ts = [t for t in all_ts if t >= 2] or all_ts
    fig, axes = new_figure(1, len(ts), figsize=(3.6 * len(ts) + 2.4, 3.8), squeeze=False)
    markers = "osD^v"
    for ax, t in zip(axes[0], ts, strict=True):
        key = str(t)
        haar = float(first["haar"][key])
        eps = float(first["eps"])
        ax.axhspan(
            haar * (1 - eps),
            haar * (1 + eps),
            color="0.85",
            zorder=0,
            label=f"within ε = {eps:g} of Haar",
        )
        ax.axhline(haar, color="k", lw=1.2, zorder=1, label="Haar value")
        values = [haar * (1 - eps)]
        for f_idx, (family, res) in enumerate(native.items()):
            pots = np.asarray(res["potentials"][key], dtype=float)
            errs = res.get("std_errors", {}).get(key)
            ax.errorbar(
                np.asarray(res["depths"]) + (f_idx - (len(native) - 1) / 2) * 0.08,
                pots,
                yerr=None if errs is None else np.asarray(errs, dtype=float),
                fmt=markers[f_idx % len(markers)] + "-",
                ms=4,
                lw=1.0,
                capsize=2,
                color=f"C{f_idx}",
                label=_LABELS.get(family, family),
                zorder=3,
            )
            values.extend(pots.tolist())
        plain_log_ticks(ax, 0.85 * min(values), 1.3 * max(values), extra=(haar,))
        ax.set_xlabel("circuit depth (layers)")
        ax.set_ylabel(f"frame potential $F_{t}$")
        ax.set_title(f"moment t = {t}")
        ax.xaxis.get_major_locator().set_params(integer=True)
    handles, labels = axes[0][0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="outside right center", fontsize="small", frameon=False)
    fig.suptitle(
        f"Random native-gate circuits on one qudit, d = {first['d']} "
        f"({first['num_circuits']} circuits per depth; error bars: one standard error)",
        fontsize="small",
    )
    store.save_figure(
        fig,
        "native_depth.png",
        caption="Frame potential of random native-gate circuits against depth, with one "
        "standard error: a family that enters the grey band around the Haar value forms an "
        "approximate t-design at that depth; rotations alone never do.",
    )
