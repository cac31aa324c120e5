r"""A small CPU fine-tuning task for a sentence encoder: LoRA, full fine-tuning, MPS adaptation.

**Task.** Classify a sentence by the Python help topic it comes from. The text is the
Python language reference that CPython ships in the standard library
(``pydoc_data.topics``, the source of ``help("for")``), so it is on every machine with
Python and needs no download. :func:`topic_sentences` splits the chosen topics into
sentences of 6–60 words.

**Model.** The encoder's mean-pooled output feeds a linear head; cross-entropy loss;
AdamW. The encoder runs in eval mode (no dropout) so a run is reproducible from its seed.

**Methods.** ``"lora"`` (peft, adapters on ``targets``, :math:`\Delta W = (\alpha/r) BA`),
``"mps"`` (:class:`~qtwin.entanglement.adapters.MPSAdapter` on ``targets``) and
``"full"`` (every encoder weight trained). The updates of the target projections are
returned as factor pairs ``(scaling * B, A)`` for the adapters (so
:func:`~qtwin.entanglement.entanglement_profile` works from the factors) and as dense
differences :math:`W_\text{after} - W_\text{before}` for full fine-tuning.

With ``checkpoint=path`` the trainable state, optimizer, losses and generator state are
saved every ``checkpoint_every`` steps (:class:`qtwin.checkpoint.Checkpoint`: atomic,
fingerprinted) and a rerun resumes from them, ending exactly where an uninterrupted run
ends.
"""

from __future__ import annotations

import copy
import math
import os
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import torch
from numpy.typing import ArrayLike
from torch import nn

from qtwin._extras import require_module
from qtwin._progress import progress as progress_bar
from qtwin._validation import (
    as_generator,
    check_choice,
    check_nonnegative_float,
    check_positive_int,
)
from qtwin.checkpoint import Checkpoint, capture_generator, fingerprint, restore_generator
from qtwin.entanglement.models import Tokenizer

__all__ = ["DEFAULT_TOPICS", "FINETUNE_METHODS", "FineTuneResult", "finetune", "topic_sentences"]

DEFAULT_TOPICS = ("debugger", "string-methods", "typesmapping", "import")
FINETUNE_METHODS = ("lora", "full", "mps")
_DEFAULT_LR = {"lora": 3e-3, "mps": 3e-3, "full": 2e-4}


def topic_sentences(
    topics: Sequence[str] = DEFAULT_TOPICS,
    *,
    per_topic: int = 32,
    seed: int | np.random.Generator | None = 0,
) -> tuple[list[str], np.ndarray]:
    """Sentences from the Python reference shipped in ``pydoc_data.topics``, with topic labels.

    Args:
        topics: help topics (keys of ``pydoc_data.topics.topics``), one class each.
        per_topic: sentences drawn (without replacement) per topic.
        seed: int or numpy ``Generator`` for the draw.

    Returns:
        ``(sentences, labels)`` with ``labels[i]`` the index of the topic of sentence ``i``.

    Example:
        >>> s, y = topic_sentences(("debugger", "import"), per_topic=3)
        >>> len(s), y.tolist()
        (6, [0, 0, 0, 1, 1, 1])
    """
    from pydoc_data.topics import topics as reference

    per_topic = check_positive_int(per_topic, "per_topic")
    rng = as_generator(seed)
    sentences: list[str] = []
    labels: list[int] = []
    for k, name in enumerate(topics):
        if name not in reference:
            raise ValueError(f"topics entries must be keys of pydoc_data.topics, got {name!r}")
        text = re.sub(r"\s+", " ", reference[name])
        pool = [s.strip() for s in re.split(r"(?<=[.!?])\s+", text) if 6 <= len(s.split()) <= 60]
        if len(pool) < per_topic:
            raise ValueError(f"topic {name!r} has {len(pool)} sentences, fewer than {per_topic}")
        idx = np.sort(rng.choice(len(pool), size=per_topic, replace=False))
        sentences += [pool[i] for i in idx]
        labels += [k] * per_topic
    return sentences, np.asarray(labels)


@dataclass
class FineTuneResult:
    """Outcome of :func:`finetune`.

    Attributes:
        method: ``"lora"``, ``"full"`` or ``"mps"``.
        deltas: update of every target projection by module name: a pair
            ``(scaling * B, A)`` for adapters, a dense tensor for full fine-tuning.
        losses: training loss at every step.
        model: the fine-tuned encoder (LoRA merged into the weights; MPS adapters kept).
        trainable_parameters: number of trained parameters (head excluded).
        config: the hyper-parameters used.
    """

    method: str
    deltas: dict[str, torch.Tensor | tuple[torch.Tensor, torch.Tensor]]
    losses: list[float]
    model: nn.Module = field(repr=False)
    trainable_parameters: int
    config: dict[str, Any]

    def delta_norms(self) -> dict[str, float]:
        r"""Frobenius norm :math:`\|\Delta W\|_F` of every target update."""
        out = {}
        for name, d in self.deltas.items():
            dense = d[0] @ d[1] if isinstance(d, tuple) else d
            out[name] = float(torch.linalg.matrix_norm(dense.detach().double()))
        return out

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready summary: method, losses, parameter count, config, update norms."""
        return {
            "method": self.method,
            "losses": list(self.losses),
            "trainable_parameters": self.trainable_parameters,
            "config": dict(self.config),
            "delta_norms": self.delta_norms(),
        }


def _targets_of(model: nn.Module, targets: Sequence[str]) -> dict[str, nn.Linear]:
    return {
        n: m
        for n, m in model.named_modules()
        if isinstance(m, nn.Linear) and n.split(".")[-1] in targets
    }


def _pool(model: nn.Module, batch: dict[str, torch.Tensor]) -> torch.Tensor:
    hidden = model(**batch).last_hidden_state
    mask = batch["attention_mask"].unsqueeze(-1).to(hidden.dtype)
    return (hidden * mask).sum(1) / mask.sum(1).clamp_min(1e-9)


def finetune(
    model: nn.Module,
    tokenizer: Tokenizer,
    sentences: Sequence[str],
    labels: ArrayLike,
    *,
    method: str = "lora",
    rank: int = 8,
    alpha: float = 16.0,
    chi: int = 4,
    steps: int = 5,
    lr: float | None = None,
    batch_size: int = 16,
    targets: Sequence[str] = ("query", "value"),
    max_length: int = 48,
    seed: int | np.random.Generator | None = 0,
    checkpoint: str | os.PathLike[str] | None = None,
    checkpoint_every: int = 10,
    progress: bool = True,
) -> FineTuneResult:
    """Fine-tune a copy of ``model`` on a sentence classification task and return the updates.

    Randomness (batches, head and adapter initialisation) comes from ``seed`` only, through
    a numpy ``Generator`` and a local ``torch.Generator`` drawn from it; torch's global seed
    is neither read nor changed.

    Args:
        model: a transformers encoder (left unchanged: a deep copy is trained).
        tokenizer: its tokenizer (called with ``padding``, ``truncation``, ``max_length`` and
            ``return_tensors="pt"``).
        sentences: training texts.
        labels: integer class of each text.
        method: ``"lora"``, ``"full"`` or ``"mps"``.
        rank: adapter rank ``r`` (LoRA, MPS).
        alpha: adapter scale numerator (update scaled by ``alpha / rank``).
        chi: MPS bond dimension (``method="mps"``).
        steps: optimizer steps.
        lr: AdamW learning rate; 3e-3 for adapters, 2e-4 for full fine-tuning if ``None``.
        batch_size: sentences per step.
        targets: names of the projections whose updates are returned (and adapted).
        max_length: token truncation.
        seed: int, numpy ``Generator`` or ``None`` (fresh entropy) for the batches and the
            initialisation.
        checkpoint: file to save/resume training state (:class:`qtwin.checkpoint.Checkpoint`);
            ``None`` for none. The file carries a fingerprint of the run (method,
            hyper-parameters except ``steps``, seed, data, the model's target weights); a
            rerun with the same arguments resumes where it stopped and gives exactly the
            result of an uninterrupted run, also with a larger ``steps``. Resuming needs a
            reproducible ``seed`` (an int, or a ``Generator`` in the same state).
        checkpoint_every: steps between checkpoints (the last step is always saved).
        progress: show a progress bar.

    Returns:
        A :class:`FineTuneResult`.

    Raises:
        ValueError: unknown method, labels that do not match the sentences, no target found,
            a checkpoint with more steps than ``steps``.
        CheckpointMismatchError: ``checkpoint`` was written by a different run.
    """
    check_choice(method, "method", FINETUNE_METHODS)
    rank = check_positive_int(rank, "rank")
    chi = check_positive_int(chi, "chi")
    steps = check_positive_int(steps, "steps")
    batch_size = check_positive_int(batch_size, "batch_size")
    max_length = check_positive_int(max_length, "max_length")
    checkpoint_every = check_positive_int(checkpoint_every, "checkpoint_every")
    alpha = check_nonnegative_float(alpha, "alpha")
    lr = _DEFAULT_LR[method] if lr is None else check_nonnegative_float(lr, "lr")
    y = torch.as_tensor(np.asarray(labels), dtype=torch.long)
    if y.ndim != 1 or y.shape[0] != len(sentences) or len(sentences) == 0:
        raise ValueError(
            f"labels must be one integer per sentence ({len(sentences)}), "
            f"got shape {tuple(y.shape)}"
        )
    targets = tuple(targets)
    rng = as_generator(seed)
    seed_state = capture_generator(rng)
    gen = torch.Generator().manual_seed(int(rng.integers(2**62)))
    with torch.random.fork_rng(devices=[]):  # peft may draw from the global generator
        net = copy.deepcopy(model)
        net.eval()
        before = {n: m.weight.detach().clone() for n, m in _targets_of(net, targets).items()}
        if not before:
            raise ValueError(f"targets {list(targets)} match no nn.Linear of the model")
        adapters: dict[str, Any] = {}
        if method == "lora":
            peft = require_module("peft", extra="llm", purpose="LoRA fine-tuning")
            cfg = peft.LoraConfig(
                r=rank,
                lora_alpha=alpha,
                target_modules=list(targets),
                lora_dropout=0.0,
                bias="none",
            )
            net = peft.get_peft_model(net, cfg)
            _init_lora(net, gen)
        elif method == "mps":
            from qtwin.entanglement.adapters import apply_mps_adaptation

            adapters = apply_mps_adaptation(net, targets, rank=rank, alpha=alpha, chi=chi, seed=rng)
    hidden = (
        int(getattr(getattr(model, "config", None), "hidden_size", 0))
        or next(iter(before.values())).shape[0]
    )
    head = _linear(hidden, int(y.max()) + 1, gen)
    trainable = [p for p in net.parameters() if p.requires_grad]
    n_trainable = sum(p.numel() for p in trainable)
    opt = torch.optim.AdamW(trainable + list(head.parameters()), lr=lr, weight_decay=0.0)
    enc = tokenizer(
        list(sentences), padding=True, truncation=True, max_length=max_length, return_tensors="pt"
    )
    config = {
        "method": method,
        "rank": rank,
        "alpha": alpha,
        "chi": chi,
        "steps": steps,
        "lr": lr,
        "batch_size": batch_size,
        "targets": list(targets),
        "max_length": max_length,
        "seed": seed if isinstance(seed, int) else None,
    }
    ckpt = Checkpoint(
        checkpoint,
        fingerprint(
            config={k: v for k, v in config.items() if k != "steps"},
            seed=seed_state,
            sentences=list(sentences),
            labels=y,
            weights=before,
        ),
    )
    losses: list[float] = []
    start = 0
    state = ckpt.load()
    if state is not None:
        if int(state["step"]) > steps:
            raise ValueError(
                f"checkpoint {checkpoint} holds {int(state['step'])} steps, more than "
                f"steps={steps}; raise steps or delete the checkpoint"
            )
        _load_trainable(net, state["net"])
        head.load_state_dict(state["head"])
        opt.load_state_dict(state["opt"])
        losses, start = list(state["losses"]), int(state["step"])
        restore_generator(rng, state["rng"])
    n_batch = min(batch_size, len(sentences))
    for step in progress_bar(
        range(start, steps),
        total=steps,
        initial=start,
        desc=f"finetune {method}",
        enabled=progress,
    ):
        idx = torch.as_tensor(rng.choice(len(sentences), size=n_batch, replace=False))
        batch = {k: v[idx] for k, v in enc.items()}
        loss = nn.functional.cross_entropy(head(_pool(net, batch)), y[idx])
        opt.zero_grad()
        loss.backward()
        opt.step()
        losses.append(float(loss.detach()))
        if (step + 1) % checkpoint_every == 0 or step + 1 == steps:
            ckpt.save(
                {
                    "net": _trainable_state(net),
                    "head": head.state_dict(),
                    "opt": opt.state_dict(),
                    "losses": losses,
                    "step": step + 1,
                    "rng": capture_generator(rng),  # builtins only: loads with weights_only
                }
            )
    deltas = _deltas(method, net, before, adapters)
    if method == "lora":
        net = net.merge_and_unload()
    return FineTuneResult(method, deltas, losses, net, n_trainable, config)


def _linear(fan_in: int, fan_out: int, gen: torch.Generator) -> nn.Linear:
    """``nn.Linear`` with torch's default initialisation drawn from ``gen``."""
    with torch.random.fork_rng(devices=[]):
        layer = nn.Linear(fan_in, fan_out)
    bound = 1.0 / math.sqrt(fan_in)
    with torch.no_grad():
        nn.init.kaiming_uniform_(layer.weight, a=math.sqrt(5), generator=gen)
        nn.init.uniform_(layer.bias, -bound, bound, generator=gen)
    return layer


def _init_lora(net: nn.Module, gen: torch.Generator) -> None:
    """peft's default LoRA initialisation (A Kaiming-uniform, B zero) drawn from ``gen``."""
    with torch.no_grad():
        for _, module in sorted(net.named_modules(), key=lambda item: item[0]):
            if hasattr(module, "lora_A") and "default" in getattr(module, "lora_A", {}):
                nn.init.kaiming_uniform_(
                    module.lora_A["default"].weight, a=math.sqrt(5), generator=gen
                )
                nn.init.zeros_(module.lora_B["default"].weight)


def _deltas(
    method: str, net: nn.Module, before: dict[str, torch.Tensor], adapters: dict[str, Any]
) -> dict[str, torch.Tensor | tuple[torch.Tensor, torch.Tensor]]:
    out: dict[str, torch.Tensor | tuple[torch.Tensor, torch.Tensor]] = {}
    if method == "full":
        after = {
            n: m.weight.detach()
            for n, m in _targets_of(net, tuple({k.split(".")[-1] for k in before})).items()
        }
        return {n: after[n] - before[n] for n in before}
    if method == "mps":
        return {n: a.delta_factors() for n, a in adapters.items()}
    for name, module in net.named_modules():
        if hasattr(module, "lora_A") and "default" in getattr(module, "lora_A", {}):
            b = module.lora_B["default"].weight.detach().clone()
            a = module.lora_A["default"].weight.detach().clone()
            key = name.removeprefix("base_model.model.")
            out[key] = (module.scaling["default"] * b, a)
    return out


def _trainable_state(net: nn.Module) -> dict[str, torch.Tensor]:
    return {n: p.detach().clone() for n, p in net.named_parameters() if p.requires_grad}


def _load_trainable(net: nn.Module, state: dict[str, torch.Tensor]) -> None:
    params = dict(net.named_parameters())
    with torch.no_grad():
        for n, v in state.items():
            params[n].copy_(v)
