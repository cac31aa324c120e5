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
``<protocol>/<noise>/<d>``. Figures: ``survival.png`` (standard RB survival and its fit per
``d``), ``character_decays.png`` (character-weighted decays :math:`k_\sigma(m)/A_\sigma` per
irrep against the exact :math:`f_\sigma^m`, log scale) and ``fidelity.png`` (estimated
:math:`1 - F` with intervals against the exact value).
"""

from __future__ import annotations

import time
import warnings
from collections.abc import Callable
from typing import Any

import numpy as np

from qtwin.experiments.registry import Progress, register
from qtwin.experiments.store import ResultStore

__all__ = ["DEFAULT_CONFIG", "NOISE_MODELS", "run"]

DEFAULT_CONFIG: dict[str, Any] = {
    "dims": [2, 3, 4, 6],
    "noise_models": ["depolarizing", "ad_coherent"],
    "noise_strength": 0.02,
    "lengths": [1, 2, 4, 8, 16, 32, 64],
    "num_samples": 12,
    "shots": 0,
    "confidence": 0.95,
    "num_bootstrap": 100,
}

NOISE_MODELS = ("depolarizing", "dephasing", "amplitude_damping", "ad_coherent")

#: rounding slack when an interval has zero width (exact data, no shots)
_TOL = 1e-9


def _inside(x: float, lo: float, hi: float) -> bool:
    return bool(lo - _TOL <= x <= hi + _TOL)


def _channel(name: str, d: int, strength: float) -> Any:
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


def _exact(channel: Any) -> tuple[float, dict[int, float]]:
    from qtwin.rb.fidelity import average_gate_fidelity, rb_decays

    return float(average_gate_fidelity(channel)), {
        int(g): float(f) for g, f in rb_decays(channel).items()
    }


def _common(config: dict[str, Any], seed: int) -> dict[str, Any]:
    shots = int(config["shots"])
    return {
        "seed": seed,
        "shots": shots if shots > 0 else None,
        "confidence": float(config["confidence"]),
        "num_bootstrap": int(config["num_bootstrap"]),
    }


def _fit_dict(fit: Any) -> dict[str, Any]:
    return {
        "f": fit.f,
        "f_ci": list(fit.f_ci),
        "a": fit.a,
        "b": fit.b,
        "means": np.asarray(fit.means).tolist(),
        "sems": np.asarray(fit.sems).tolist(),
        "reduced_chi2": float(getattr(fit, "reduced_chi2", float("nan"))),
    }


def _standard(d: int, noise: str, config: dict[str, Any], seed: int) -> dict[str, Any]:
    from qtwin.rb.protocols import standard_rb

    channel = _channel(noise, d, float(config["noise_strength"]))
    exact_f, exact_decays = _exact(channel)
    t0 = time.perf_counter()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        res = standard_rb(
            d,
            [int(m) for m in config["lengths"]],
            int(config["num_samples"]),
            channel,
            **_common(config, seed),
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


def _character(d: int, noise: str, config: dict[str, Any], seed: int) -> dict[str, Any]:
    from qtwin.rb.protocols import character_rb

    channel = _channel(noise, d, float(config["noise_strength"]))
    exact_f, exact_decays = _exact(channel)
    t0 = time.perf_counter()
    res = character_rb(
        d,
        [int(m) for m in config["lengths"]],
        int(config["num_samples"]),
        channel,
        **_common(config, seed),
    )
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


def _guard(protocol: str, noise: str, d: int, func: Callable[[], Any]) -> Any:
    """Run ``func``; a missing module of :mod:`qtwin.rb` becomes one ``skipped`` row."""
    try:
        return func()
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


def _on_backend(d: int, backend: str, config: dict[str, Any], seed: int) -> dict[str, Any]:
    """Qubit RB circuits of dimension ``d`` on ``backend`` (:func:`run_rb_on_backend`), fitted."""
    from qtwin.experiments._backend import too_wide
    from qtwin.rb.circuits import run_rb_on_backend

    width = d.bit_length() - 1
    reason = too_wide(backend, width)
    if reason is not None:
        return {"d": d, "status": "skipped", "reason": reason}
    shots = int(config["shots"]) if int(config["shots"]) > 0 else 1024
    t0 = time.perf_counter()
    data = run_rb_on_backend(
        backend, d, [int(m) for m in config["lengths"]], int(config["num_samples"]), shots, seed
    )
    if np.all(data.survival == 1.0):  # an ideal backend: no decay to fit (A f^m + B degenerate)
        f, f_ci = 1.0, [1.0, 1.0]
    else:
        fit = data.fit(
            confidence=float(config["confidence"]),
            num_bootstrap=int(config["num_bootstrap"]),
            seed=seed,
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
    backend: str, config: dict[str, Any], seed: int, store: ResultStore, progress: Progress
) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """Qubit RB on ``backend`` for every qubit dimension of ``dims``; rows and backend_parts."""
    from qtwin.experiments._backend import record_part, skip_part

    dims = [int(d) for d in config["dims"] if int(d) in _QUBIT_DIMS]
    rows = [
        store.compute(f"backend/{backend}/{d}", lambda d=d: _on_backend(d, backend, config, seed))
        for d in progress(dims, total=len(dims), desc=f"rb on {backend}")
    ]
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


@register("rb", config=DEFAULT_CONFIG)
def run(
    config: dict[str, Any],
    *,
    backend: str | None,
    seed: int,
    store: ResultStore,
    progress: Progress,
) -> dict[str, Any]:
    """Standard vs character RB of qudits (d = 2, 3, 4, 6): decays and fidelity vs exact."""
    for name in config["noise_models"]:
        if name not in NOISE_MODELS:
            raise ValueError(f"noise_models entries must be in {list(NOISE_MODELS)}, got {name!r}")
    tasks: list[tuple[str, Callable[[], Any]]] = []
    for k_noise, noise in enumerate(config["noise_models"]):
        for d in config["dims"]:
            d = int(d)
            unit_seed = seed + 1000 * k_noise + d
            for protocol, fn in (("standard", _standard), ("character", _character)):
                tasks.append(
                    (
                        f"{protocol}/{noise}/{d}",
                        lambda p=protocol, f=fn, n=str(noise), d=d, s=unit_seed: _guard(
                            p, n, d, lambda: f(d, n, config, s)
                        ),
                    )
                )
    rows = [store.compute(unit, fn) for unit, fn in progress(tasks, total=len(tasks), desc="rb")]

    ok = [r for r in rows if r["status"] == "ok"]
    _plot_survival(store, ok)
    _plot_character(store, ok)
    _plot_fidelity(store, ok)
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
    metrics: dict[str, Any] = {"table": table, "rows": rows, "summary": summary}
    if backend is not None:
        metrics["backend_rows"], metrics["backend_parts"] = _backend_rows(
            backend, config, seed, store, progress
        )
    return metrics


def _dims(ok: list[dict[str, Any]]) -> list[int]:
    return sorted({r["d"] for r in ok})


def _plot_survival(store: ResultStore, ok: list[dict[str, Any]]) -> None:
    from qtwin.experiments.figures import new_figure

    std = [r for r in ok if r["protocol"] == "standard"]
    dims = _dims(std) or [0]
    fig, axes = new_figure(1, len(dims), figsize=(3.6 * len(dims), 3.4), squeeze=False)
    noises = sorted({r["noise"] for r in std})
    colors = ["tab:blue", "tab:orange", "tab:green", "tab:red"]
    for ax, d in zip(axes[0], dims, strict=True):
        for k, noise in enumerate(noises):
            for r in std:
                if r["d"] != d or r["noise"] != noise:
                    continue
                m = np.asarray(r["lengths"], dtype=float)
                fit = r["fit"]
                c = colors[k % len(colors)]
                ax.errorbar(m, fit["means"], yerr=fit["sems"], fmt="o", ms=3, color=c, label=noise)
                mm = np.linspace(0, m.max(), 200)
                ax.plot(mm, fit["a"] * fit["f"] ** mm + fit["b"], "-", color=c, lw=1)
        ax.set_xlabel("sequence length m")
        ax.set_title(f"d = {d}" + ("" if d in (2, 3, 5, 7) else " (not a 2-design)"))
        ax.set_ylabel("survival probability")
    if std:
        axes[0][-1].legend(fontsize="x-small")
    store.save_figure(fig, "survival.png")


def _plot_character(store: ResultStore, ok: list[dict[str, Any]]) -> None:
    from qtwin.experiments.figures import new_figure

    chars = [r for r in ok if r["protocol"] == "character"]
    dims = _dims(chars) or [0]
    fig, axes = new_figure(1, len(dims), figsize=(3.6 * len(dims), 3.4), squeeze=False)
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
                ms=3,
                label=f"g={dec['g']}, dim {dec['dim']}: f={dec['f']:.4f}",
            )
            ax.plot(m, dec["exact_f"] ** m, "-", lw=0.8, color=ax.lines[-1].get_color())
        ax.set_yscale("log")
        ax.set_xlabel("sequence length m")
        ax.set_ylabel(r"$k_\sigma(m) / A_\sigma$")
        ax.set_title(f"d = {d}, {r['noise']} (lines: exact)")
        ax.legend(fontsize="xx-small")
    store.save_figure(fig, "character_decays.png")


def _plot_fidelity(store: ResultStore, ok: list[dict[str, Any]]) -> None:
    from qtwin.experiments.figures import new_figure

    fig, ax = new_figure(figsize=(6.5, 3.8))
    labels = []
    for x, r in enumerate(sorted(ok, key=lambda r: (r["noise"], r["d"], r["protocol"]))):
        err = 1 - r["fidelity"]
        lo, hi = 1 - r["fidelity_ci"][1], 1 - r["fidelity_ci"][0]
        color = "tab:blue" if r["protocol"] == "character" else "tab:red"
        ax.errorbar([x], [err], yerr=[[max(err - lo, 0)], [max(hi - err, 0)]], fmt="o", color=color)
        ax.plot([x - 0.3, x + 0.3], [1 - r["exact_fidelity"]] * 2, "k-", lw=1.2)
        labels.append(f"{r['protocol'][:4]} d={r['d']}\n{r['noise']}")
    ax.set_xticks(range(len(labels)))
    ax.set_xticklabels(labels, fontsize=5, rotation=90)
    ax.set_ylabel(r"$1 - F_{\rm avg}$ (black: exact)")
    ax.set_title("RB estimates (red: standard, blue: character)")
    store.save_figure(fig, "fidelity.png")
