"""finetune(): LoRA, MPS and full fine-tuning updates against the weight changes; resume."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pytest
import torch
from torch import nn

from qtwin.entanglement import entanglement_profile, finetune, topic_sentences
from qtwin.exceptions import CheckpointMismatchError


class _Attention(nn.Module):
    def __init__(self, hidden: int) -> None:
        super().__init__()
        self.query = nn.Linear(hidden, hidden)
        self.value = nn.Linear(hidden, hidden)


class TinyEncoder(nn.Module):
    """A one-layer encoder with ``query``/``value`` projections (weights from a local seed)."""

    def __init__(self, vocab: int = 40, hidden: int = 8) -> None:
        super().__init__()
        self.vocab = vocab
        self.embed = nn.Embedding(vocab, hidden)
        self.attention = _Attention(hidden)
        gen = torch.Generator().manual_seed(7)
        with torch.no_grad():
            for p in self.parameters():
                p.copy_(0.5 * torch.randn(p.shape, generator=gen))

    def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> SimpleNamespace:
        h = self.embed(input_ids)
        h = h + self.attention.value(torch.tanh(self.attention.query(h)))
        return SimpleNamespace(last_hidden_state=h)


def tiny_tokenizer(sentences, *, padding, truncation, max_length, return_tensors):
    """Word ids by a fixed hash, padded with 0 (``attention_mask`` marks real words)."""
    ids = [[sum(map(ord, w)) % 39 + 1 for w in s.split()][:max_length] for s in sentences]
    width = max(len(x) for x in ids)
    out = torch.zeros(len(ids), width, dtype=torch.long)
    mask = torch.zeros_like(out)
    for k, x in enumerate(ids):
        out[k, : len(x)] = torch.as_tensor(x)
        mask[k, : len(x)] = 1
    return {"input_ids": out, "attention_mask": mask}


SENTENCES = [
    f"{a} {b} word{k}" for k, (a, b) in enumerate(zip("abcdefgh", "klmnopqr", strict=True))
]
LABELS = np.arange(8) % 2
METHODS = ["mps", "full", "lora"]


def tiny_finetune(method: str, steps: int, model: nn.Module | None = None, **kwargs):
    if method == "lora":
        pytest.importorskip("peft")
    kwargs = {"seed": 3, "batch_size": 4, "lr": 1e-2, **kwargs}
    return finetune(
        TinyEncoder() if model is None else model,
        tiny_tokenizer,
        SENTENCES,
        LABELS,
        method=method,
        rank=2,
        chi=2,
        steps=steps,
        progress=False,
        **kwargs,
    )


def dense(delta) -> torch.Tensor:
    return delta[0] @ delta[1] if isinstance(delta, tuple) else delta


@pytest.mark.parametrize("method", METHODS)
def test_resume_after_k_steps_equals_an_uninterrupted_run(method, tmp_path):
    full = tiny_finetune(method, 6)
    ckpt = tmp_path / "run.pt"
    first = tiny_finetune(method, 2, checkpoint=ckpt, checkpoint_every=1)  # stopped after 2
    assert first.losses == full.losses[:2]
    resumed = tiny_finetune(method, 6, checkpoint=ckpt, checkpoint_every=2)
    assert resumed.losses == full.losses  # bit for bit: batches, optimizer and weights
    assert sorted(resumed.deltas) == sorted(full.deltas)
    for name in full.deltas:
        assert torch.equal(dense(resumed.deltas[name]), dense(full.deltas[name]))
    assert float(dense(full.deltas["attention.query"]).norm()) > 0  # training moved the weights


@pytest.mark.parametrize("change", [{"lr": 2e-2}, {"seed": 4}, {"batch_size": 3}])
def test_checkpoint_of_another_run_is_refused(change, tmp_path):
    ckpt = tmp_path / "run.pt"
    tiny_finetune("mps", 2, checkpoint=ckpt)
    with pytest.raises(CheckpointMismatchError, match="different run"):
        tiny_finetune("mps", 4, checkpoint=ckpt, **change)
    with pytest.raises(ValueError, match="steps"):  # the checkpoint is ahead of the run
        tiny_finetune("mps", 1, checkpoint=ckpt)


def test_local_generators_only():
    model = TinyEncoder()
    before = torch.get_rng_state()
    a = tiny_finetune("mps", 3, model, seed=np.random.default_rng(5))
    assert torch.equal(torch.get_rng_state(), before)  # torch's global seed untouched
    b = tiny_finetune("mps", 3, seed=5)
    c = tiny_finetune("mps", 3, seed=6)
    assert a.losses == b.losses and a.losses != c.losses
    d = a.to_dict()
    assert d["method"] == "mps" and d["losses"] == a.losses and d["config"]["seed"] is None
    norms = d["delta_norms"]
    for name, delta in a.deltas.items():
        ref = np.linalg.norm(dense(delta).double().numpy())  # numpy's Frobenius norm
        assert norms[name] == pytest.approx(ref, rel=1e-12)


@pytest.mark.slow
@pytest.mark.parametrize("method", ["lora", "mps", "full"])
def test_finetune_deltas_are_the_weight_changes(minilm, method, tmp_path):
    model, tok = minilm
    sents, labels = topic_sentences(per_topic=4)
    res = finetune(
        model,
        tok,
        sents,
        labels,
        method=method,
        rank=4,
        steps=2,
        batch_size=8,
        progress=False,
        checkpoint=tmp_path / "ck.pt",
        checkpoint_every=1,
    )
    assert len(res.losses) == 2 and sorted(res.deltas)[0] == "encoder.layer.0.attention.self.query"
    before = model.state_dict()
    name = "encoder.layer.3.attention.self.value"
    delta = res.deltas[name]
    dense = delta[0] @ delta[1] if isinstance(delta, tuple) else delta
    assert float(dense.norm()) > 0
    if method == "mps":
        after = (
            res.model.get_submodule(name).base.weight + res.model.get_submodule(name).delta_weight()
        )
    else:
        after = res.model.state_dict()[name + ".weight"]
    torch.testing.assert_close(after - before[name + ".weight"], dense, atol=1e-6, rtol=1e-4)
    if method != "full":
        prof = entanglement_profile(delta)
        assert prof.method == "factored" and prof.entropies[7] <= np.log(4) + 1e-9
    # resume: a rerun with the same checkpoint does no more steps and gives the same losses
    again = finetune(
        model,
        tok,
        sents,
        labels,
        method=method,
        rank=4,
        steps=2,
        batch_size=8,
        progress=False,
        checkpoint=tmp_path / "ck.pt",
    )
    assert again.losses == res.losses
