r"""Experiment ``rb``: standard vs Clifford character randomized benchmarking of qudits.

For each dimension ``d`` and noise model the experiment runs

* ``standard``: :func:`qtwin.rb.protocols.standard_rb`, one fit :math:`A f^m + B` and
  :math:`F = f + (1 - f)/d`. Valid for prime ``d`` only: for composite ``d`` the Clifford
  group is not a 2-design, the survival is a sum of decays (one per proper divisor of
  ``d``) and the single-exponential estimate is biased (its reduced :math:`\chi^2` is
  recorded);
* ``character``: :func:`qtwin.rb.protocols.character_rb` with the Weyl–Heisenberg group as
  character group: one offset-free decay :math:`A_\sigma f_\sigma^m` per irrep (dimension
  :math:`J_2(d/g)`), combined into :math:`F = (d + 1 + \sum_\sigma d_\sigma f_\sigma)/(d(d+1))`,

and compares each estimate and its bootstrap interval with the exact average gate fidelity
of the channel (:func:`qtwin.rb.fidelity.average_gate_fidelity`) and each decay with the
exact :math:`f_\sigma` (:func:`qtwin.rb.fidelity.rb_decays`).

Noise models (``noise_models``; strength ``noise_strength``): ``depolarizing`` (``p``),
``dephasing`` (``p``), ``amplitude_damping`` (cascade, ``gamma``) and ``ad_coherent``
(amplitude damping then a coherent over-rotation by ``theta = noise_strength``, whose irreps
decay at different rates). ``shots = 0`` means exact survival probabilities.

A protocol whose module is missing is recorded as ``skipped: <reason>``. Work units:
``<protocol>/<noise>/<d>``. Figures: ``survival.png`` (standard RB survival per ``d``, the
fitted :math:`A f^m + B` with ``f`` and its interval in the legend, and the residuals
below), ``character_decays.png`` (character-weighted decays :math:`k_\sigma(m)/A_\sigma` per
irrep against the exact :math:`f_\sigma^m`, log scale) and ``fidelity.png`` (estimated
:math:`1 - F` per ``d`` with intervals, one panel per noise model, against the exact value).
"""

from __future__ import annotations

import time
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from qtwin.experiments.config import config_to_dict, option
from qtwin.experiments.figures import OKABE_ITO, new_figure, plain_log_ticks, use_style
from qtwin.experiments.registry import Progress, register
from qtwin.experiments.store import ResultStore

if TYPE_CHECKING:
    from qtwin.rb.channels import Channel
    from qtwin.rb.fit import DecayFit

__all__ = ["DEFAULT_CONFIG", "NOISE_MODELS", "RBConfig", "run"]

NOISE_MODELS = ("depolarizing", "dephasing", "amplitude_damping", "ad_coherent")


@dataclass(frozen=True)
class RBConfig:
    """Standard vs character randomized benchmarking of qudit channels."""

    dims: tuple[int, ...] = option(
        (2, 3, 4, 6), "local dimensions d of the qudit (composite d: standard RB is biased)", low=2
    )
    noise_models: tuple[str, ...] = option(
        ("depolarizing", "ad_coherent"),
        "noise channel after every Clifford (ad_coherent: amplitude damping + over-rotation)",
        choices=NOISE_MODELS,
    )
    noise_strength: float = option(
        0.02, "noise strength: p (depolarizing, dephasing), gamma and theta (others)", low=0, high=1
    )
    lengths: tuple[int, ...] = option(
        (1, 2, 4, 8, 16, 32, 64), "sequence lengths m (number of random Cliffords)", low=1
    )
    num_samples: int = option(12, "random Clifford sequences per length", low=1)
    shots: int = option(
        0, "shots per sequence (0: exact survival probabilities; backend runs: 0 means 1024)", low=0
    )
    confidence: float = option(0.95, "level of the bootstrap intervals", low=0.5, high=0.999)
    num_bootstrap: int = option(100, "bootstrap resamples of each fit", low=10)

    def __post_init__(self) -> None:
        if not self.dims:
            raise ValueError("config key 'dims' is empty: name at least one dimension d >= 2")
        if not self.noise_models:
            raise ValueError("config key 'noise_models' is empty: name at least one noise model")
        if len(set(self.lengths)) != len(self.lengths) or len(self.lengths) < 3:
            raise ValueError(
                f"config key 'lengths' needs at least 3 distinct lengths, got {list(self.lengths)}"
            )


#: The default config in its JSON form (kept for callers of the dict-config era).
DEFAULT_CONFIG: dict[str, Any] = config_to_dict(RBConfig())

#: rounding slack when an interval has zero width (exact data, no shots)
_TOL = 1e-9


def _inside(x: float, lo: float, hi: float) -> bool:
    return bool(lo - _TOL <= x <= hi + _TOL)


def _channel(name: str, d: int, strength: float) -> Channel:
    from qtwin.rb import channels

    if name == "depolarizing":
        return channels.depolarizing(d, strength)
    if name == "dephasing":
        return channels.dephasing(d, strength)
    if name == "amplitude_damping":
        return channels.amplitude_damping_cascade(d, strength)
    if name == "ad_coherent":
        return channels.compose(
            channels.amplitude_damping_cascade(d, strength),
            channels.coherent_overrotation(d, strength),
        )
    raise ValueError(f"noise model must be one of {list(NOISE_MODELS)}, got {name!r}")


def _exact(channel: Channel) -> tuple[float, dict[int, float]]:
    from qtwin.rb.fidelity import average_gate_fidelity, rb_decays

    return float(average_gate_fidelity(channel)), {
        int(g): float(f) for g, f in rb_decays(channel).items()
    }


def _common(config: RBConfig, rng: np.random.Generator) -> dict[str, Any]:
    return {
        "seed": rng,
        "shots": config.shots if config.shots > 0 else None,
        "confidence": config.confidence,
        "num_bootstrap": config.num_bootstrap,
    }


def _fit_dict(fit: DecayFit) -> dict[str, Any]:
    return {
        "f": fit.f,
        "f_ci": list(fit.f_ci),
        "a": fit.a,
        "b": fit.b,
        "means": np.asarray(fit.means).tolist(),
        "sems": np.asarray(fit.sems).tolist(),
        "reduced_chi2": float(getattr(fit, "reduced_chi2", float("nan"))),
    }


def _standard(d: int, noise: str, config: RBConfig, rng: np.random.Generator) -> dict[str, Any]:
    from qtwin.rb.protocols import standard_rb

    channel = _channel(noise, d, config.noise_strength)
    exact_f, exact_decays = _exact(channel)
    t0 = time.perf_counter()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        res = standard_rb(
            d, list(config.lengths), config.num_samples, channel, **_common(config, rng)
        )
    lo, hi = res.fidelity_ci
    return {
        "protocol": "standard",
        "noise": noise,
        "d": d,
        "status": "ok",
        "fidelity": res.fidelity,
        "fidelity_ci": [lo, hi],
        "exact_fidelity": exact_f,
        "within_ci": _inside(exact_f, lo, hi),
        "single_decay": bool(res.single_decay),
        "reduced_chi2": float(res.reduced_chi2),
        "lengths": np.asarray(res.lengths).tolist(),
        "fit": _fit_dict(res.fit),
        "exact_decays": {str(g): f for g, f in exact_decays.items()},
        "warnings": [str(w.message) for w in caught],
        "time_s": time.perf_counter() - t0,
    }


def _character(d: int, noise: str, config: RBConfig, rng: np.random.Generator) -> dict[str, Any]:
    from qtwin.rb.protocols import character_rb

    channel = _channel(noise, d, config.noise_strength)
    exact_f, exact_decays = _exact(channel)
    t0 = time.perf_counter()
    res = character_rb(d, list(config.lengths), config.num_samples, channel, **_common(config, rng))
    lo, hi = res.fidelity_ci
    decays = []
    for x in res.decays:
        item = {"g": int(x.g), "dim": int(x.dim), **_fit_dict(x.fit)}
        item["exact_f"] = exact_decays[int(x.g)]
        item["within_ci"] = _inside(item["exact_f"], *x.fit.f_ci)
        decays.append(item)
    return {
        "protocol": "character",
        "noise": noise,
        "d": d,
        "status": "ok",
        "fidelity": res.fidelity,
        "fidelity_ci": [lo, hi],
        "exact_fidelity": exact_f,
        "within_ci": _inside(exact_f, lo, hi),
        "num_decays": len(decays),
        "lengths": np.asarray(res.lengths).tolist(),
        "decays": decays,
        "time_s": time.perf_counter() - t0,
    }


_PROTOCOLS: dict[str, Callable[[int, str, RBConfig, np.random.Generator], dict[str, Any]]] = {
    "standard": _standard,
    "character": _character,
}


def _protocol_unit(
    item: tuple[str, str, int, RBConfig], seed: np.random.SeedSequence
) -> dict[str, Any]:
    """Work unit ``<protocol>/<noise>/<d>`` (module level: it runs on Dask workers too).

    A missing module of :mod:`qtwin.rb` becomes one ``skipped`` row.
    """
    protocol, noise, d, config = item
    try:
        return _PROTOCOLS[protocol](d, noise, config, np.random.default_rng(seed))
    except ImportError as exc:
        return {
            "protocol": protocol,
            "noise": noise,
            "d": d,
            "status": "skipped",
            "reason": f"{exc}",
        }


#: qudit dimensions that are qubit registers (``log2(d)`` qubits) and so run on a backend
_QUBIT_DIMS = (2, 4, 8)


def _backend_unit(item: tuple[int, str, RBConfig], seed: np.random.SeedSequence) -> dict[str, Any]:
    """Work unit ``backend/<backend>/<d>``: qubit RB circuits on ``backend``, fitted."""
    from qtwin.experiments._backend import too_wide
    from qtwin.rb.circuits import run_rb_on_backend

    d, backend, config = item
    width = d.bit_length() - 1
    reason = too_wide(backend, width)
    if reason is not None:
        return {"d": d, "status": "skipped", "reason": reason}
    shots = config.shots if config.shots > 0 else 1024
    int_seed = int(seed.generate_state(1)[0])
    t0 = time.perf_counter()
    data = run_rb_on_backend(backend, d, list(config.lengths), config.num_samples, shots, int_seed)
    if np.all(data.survival == 1.0):  # an ideal backend: no decay to fit (A f^m + B degenerate)
        f, f_ci = 1.0, [1.0, 1.0]
    else:
        fit = data.fit(
            confidence=config.confidence, num_bootstrap=config.num_bootstrap, seed=int_seed
        )
        f, f_ci = float(fit.f), [float(x) for x in fit.f_ci]
    return {
        "d": d,
        "status": "ok",
        "backend": data.backend,
        "num_qubits": width,
        "shots": shots,
        "num_circuits": int(data.survival.size),
        "lengths": np.asarray(data.lengths).tolist(),
        "mean_survival": data.mean_survival().tolist(),
        "f": f,
        "f_ci": f_ci,
        "fidelity": f + (1 - f) / d,
        "time_s": time.perf_counter() - t0,
    }


def _backend_rows(
    backend: str, config: RBConfig, store: ResultStore
) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """Qubit RB on ``backend`` for every qubit dimension of ``dims``; rows and backend_parts."""
    from qtwin.experiments._backend import record_part, skip_part

    dims = [d for d in config.dims if d in _QUBIT_DIMS]
    rows = store.compute_many(
        [f"backend/{backend}/{d}" for d in dims],
        _backend_unit,
        [(d, backend, config) for d in dims],
        desc=f"rb on {backend}",
    )
    parts: dict[str, Any] = {
        "qudit_rb": {
            "backend": "qtwin (exact qudit channels)",
            "status": "ran",
            "reason": "standard/character RB of qudits are channel simulations, not circuits",
        }
    }
    if not rows:
        skip_part(parts, "qubit_rb", backend, "no qubit dimension (2, 4, 8) in dims")
    for r in rows:
        if r["status"] == "ok":
            record_part(
                parts, f"qubit_rb/d={r['d']}", backend, circuits=r["num_circuits"], shots=r["shots"]
            )
        else:
            skip_part(parts, f"qubit_rb/d={r['d']}", backend, r["reason"])
    return rows, parts


@register("rb", config=RBConfig)
def run(
    config: RBConfig,
    *,
    backend: str | None,
    seed: int,
    store: ResultStore,
    progress: Progress,
) -> dict[str, Any]:
    """Standard vs character RB of qudits (d = 2, 3, 4, 6): decays and fidelity vs exact.

    Every ``<protocol>/<noise>/<d>`` unit draws from its own seed (run seed, unit name), so
    the run gives the same numbers locally and on a cluster of any size
    (``qtwin run rb --cluster dask:2``).
    """
    items = [
        (protocol, noise, d, config)
        for noise in config.noise_models
        for d in config.dims
        for protocol in ("standard", "character")
    ]
    rows = store.compute_many(
        [f"{p}/{n}/{d}" for p, n, d, _ in items], _protocol_unit, items, desc="rb"
    )

    ok = [r for r in rows if r["status"] == "ok"]
    _plot_survival(store, ok, config.confidence)
    _plot_character(store, ok)
    _plot_fidelity(store, ok, config.confidence)
    table = [
        {
            "d": r["d"],
            "noise": r["noise"],
            "protocol": r["protocol"],
            "F_estimated": r["fidelity"],
            "ci_low": r["fidelity_ci"][0],
            "ci_high": r["fidelity_ci"][1],
            "F_exact": r["exact_fidelity"],
            "within_ci": r["within_ci"],
        }
        for r in ok
    ]
    summary = {
        "character_within_ci": all(r["within_ci"] for r in ok if r["protocol"] == "character"),
        "standard_outside_ci": sorted(
            f"{r['noise']}:d={r['d']}"
            for r in ok
            if r["protocol"] == "standard" and not r["within_ci"]
        ),
        "decays_per_d": {str(r["d"]): r["num_decays"] for r in ok if r["protocol"] == "character"},
        "skipped": [
            {"protocol": r["protocol"], "noise": r["noise"], "d": r["d"], "reason": r["reason"]}
            for r in rows
            if r["status"] == "skipped"
        ],
    }
    char_err = [
        abs(r["fidelity"] - r["exact_fidelity"]) for r in ok if r["protocol"] == "character"
    ]
    metrics: dict[str, Any] = {
        "headline": {"character RB: largest |F - F_exact|": max(char_err) if char_err else None},
        "summary": summary,
        "table": table,
        "rows": rows,
    }
    if backend is not None:
        metrics["backend_rows"], metrics["backend_parts"] = _backend_rows(backend, config, store)
    return metrics


def _dims(ok: list[dict[str, Any]]) -> list[int]:
    return sorted({r["d"] for r in ok})


#: plain-language names of the noise models, for legends
_NOISE_LABELS = {
    "depolarizing": "depolarizing",
    "dephasing": "dephasing",
    "amplitude_damping": "amplitude damping",
    "ad_coherent": "amplitude damping + over-rotation",
}

_PROTOCOL_STYLE = {
    "standard": ("o", OKABE_ITO[3], "standard RB (one exponential)"),
    "character": ("s", OKABE_ITO[0], "character RB"),
}


def _is_prime(d: int) -> bool:
    return d >= 2 and all(d % k for k in range(2, int(d**0.5) + 1))


def _panel_title(d: int) -> str:
    if d == 2:
        return "d = 2 (qubit)"
    return f"d = {d}" + ("" if _is_prime(d) else " (not prime: one exponential is biased)")


@use_style()
def _plot_survival(store: ResultStore, ok: list[dict[str, Any]], confidence: float = 0.95) -> None:
    """Standard RB per ``d``: mean survival with error bars, the fitted ``A f^m + B`` (``f``
    and its interval in the legend) and, below, the residuals data - fit."""
    from matplotlib.ticker import FuncFormatter

    std = [r for r in ok if r["protocol"] == "standard"]
    dims = _dims(std) or [0]
    noises = [n for n in NOISE_MODELS if any(r["noise"] == n for r in std)]
    fig, axes = new_figure(
        2,
        len(dims),
        figsize=(3.7 * len(dims), 5.6),
        squeeze=False,
        sharex="col",
        gridspec_kw={"height_ratios": [3, 1.3]},
    )
    markers = "osD^"
    for col, d in enumerate(dims):
        top, bottom = axes[0][col], axes[1][col]
        handles: list[Any] = []
        for k, noise in enumerate(noises):
            for r in (r for r in std if r["d"] == d and r["noise"] == noise):
                m = np.asarray(r["lengths"], dtype=float)
                fit = r["fit"]
                means, sems = np.asarray(fit["means"]), np.asarray(fit["sems"])
                c, mk = f"C{k}", markers[k % len(markers)]

                def model(x: np.ndarray, fit: dict[str, Any] = fit) -> np.ndarray:
                    return fit["a"] * fit["f"] ** x + fit["b"]

                lo, hi = fit["f_ci"]
                name = _NOISE_LABELS.get(noise, noise)
                h_data = top.errorbar(
                    m, means, yerr=sems, fmt=mk, ms=4, capsize=2, color=c, label=f"{name}: data"
                )
                mm = np.linspace(0, m.max() * 1.03, 200)
                (h_fit,) = top.plot(
                    mm,
                    model(mm),
                    "-",
                    lw=1.2,
                    color=c,
                    label=f"fit: f = {fit['f']:.4f} ({confidence:.0%} CI {lo:.4f} to {hi:.4f})",
                )
                bottom.errorbar(m, means - model(m), yerr=sems, fmt=mk, ms=4, capsize=2, color=c)
                handles += [h_data, h_fit]
        bottom.axhline(0.0, color="0.3", lw=0.8)
        top.set_title(_panel_title(d), fontsize="medium")
        bottom.set_xlabel("sequence length m (random Cliffords)")
        bottom.legend(
            handles,
            [h.get_label() for h in handles],
            loc="upper center",
            bbox_to_anchor=(0.5, -0.5),
            fontsize="x-small",
            frameon=False,
        )
        bottom.yaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:g}"))
    axes[0][0].set_ylabel("probability of returning\nto the initial state")
    axes[1][0].set_ylabel("data − fit")
    store.save_figure(
        fig,
        "survival.png",
        caption="Standard RB: mean probability of returning to the initial state against the "
        "number of random Cliffords, with the fitted decay A f^m + B (f and its interval in "
        "the legend) and the residuals below; for non-prime d one exponential is biased.",
    )


@use_style()
def _plot_character(store: ResultStore, ok: list[dict[str, Any]]) -> None:
    """Character RB per ``d``: each irrep's normalised signal against the exact decay."""
    chars = [r for r in ok if r["protocol"] == "character"]
    dims = _dims(chars) or [0]
    fig, axes = new_figure(1, len(dims), figsize=(3.7 * len(dims), 4.2), squeeze=False)
    styles = ["o", "s", "D", "^"]
    for ax, d in zip(axes[0], dims, strict=True):
        rows = [r for r in chars if r["d"] == d]
        if not rows:
            continue
        r = rows[-1]  # the last noise model (the one whose irreps differ by default)
        m = np.asarray(r["lengths"], dtype=float)
        for k, dec in enumerate(r["decays"]):
            scale = dec["a"] if dec["a"] else 1.0
            ax.plot(
                m,
                np.asarray(dec["means"]) / scale,
                styles[k % 4],
                ms=4,
                mfc="none",
                color=f"C{k}",
                label=f"irrep g = {dec['g']} (dim {dec['dim']}): f = {dec['f']:.4f}",
            )
            ax.plot(m, dec["exact_f"] ** m, "-", lw=0.9, color=f"C{k}")
        ax.plot([], [], "k-", lw=0.9, label="lines: exact $f_\\sigma^m$")
        plain_log_ticks(ax)
        ax.set_xlabel("sequence length m (random Cliffords)")
        ax.set_title(f"d = {d}, {_NOISE_LABELS.get(r['noise'], r['noise'])}", fontsize="small")
        ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.2), fontsize="x-small", frameon=False)
    axes[0][0].set_ylabel("character-weighted signal / amplitude")
    store.save_figure(
        fig,
        "character_decays.png",
        caption="Character RB: each irrep's character-weighted signal, normalised by its "
        "fitted amplitude, against the exact decay f^m of the channel (lines); straight "
        "lines on the log scale mean one offset-free exponential per irrep.",
    )


@use_style()
def _plot_fidelity(store: ResultStore, ok: list[dict[str, Any]], confidence: float = 0.95) -> None:
    """Estimated infidelity ``1 - F`` per ``d`` and protocol (one panel per noise model), with
    its interval, against the exact value of the channel."""

    noises = [n for n in NOISE_MODELS if any(r["noise"] == n for r in ok)] or ["none"]
    dims = _dims(ok) or [0]
    fig, axes = new_figure(
        1, len(noises), figsize=(3.2 * len(noises) + 2.6, 3.6), squeeze=False, sharey=True
    )
    for ax, noise in zip(axes[0], noises, strict=True):
        for x, d in enumerate(dims):
            rows = [r for r in ok if r["noise"] == noise and r["d"] == d]
            for r in rows:
                mk, color, label = _PROTOCOL_STYLE[r["protocol"]]
                dx = -0.13 if r["protocol"] == "standard" else 0.13
                err = 1 - r["fidelity"]
                lo, hi = 1 - r["fidelity_ci"][1], 1 - r["fidelity_ci"][0]
                ax.errorbar(
                    [x + dx],
                    [err],
                    yerr=[[max(err - lo, 0)], [max(hi - err, 0)]],
                    fmt=mk,
                    ms=5,
                    capsize=3,
                    color=color,
                    label=label,
                )
            if rows:
                exact = 1 - rows[0]["exact_fidelity"]
                ax.plot(
                    [x - 0.32, x + 0.32],
                    [exact, exact],
                    "k-",
                    lw=1.6,
                    label="exact value of the channel",
                )
        ax.set_xticks(range(len(dims)), [str(d) for d in dims])
        ax.set_xlim(-0.6, len(dims) - 0.4)
        ax.set_xlabel("qudit dimension d")
        ax.set_title(_NOISE_LABELS.get(noise, noise), fontsize="medium")
        ax.grid(axis="y", alpha=0.3)
    axes[0][0].set_ylabel("average gate infidelity 1 − F")
    found: dict[str, Any] = {}
    for ax in axes[0]:
        for h, label in zip(*ax.get_legend_handles_labels(), strict=True):
            found.setdefault(label, h)
    fig.legend(
        list(found.values()),
        [f"{k} ({confidence:.0%} CI)" if k.endswith("RB") or "RB (" in k else k for k in found],
        loc="outside right center",
        fontsize="small",
        frameon=False,
    )
    store.save_figure(
        fig,
        "fidelity.png",
        caption="Average gate infidelity 1 - F estimated by standard and character RB, with "
        "bootstrap intervals, against the exact value of the channel (black bars); character "
        "RB stays on the exact value for every d, standard RB only for prime d.",
    )
