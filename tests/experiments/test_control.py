"""The ``control`` experiment through the runner (two short episodes per agent)."""

from __future__ import annotations

import pytest


def test_control_experiment_small(tmp_path):
    from qtwin.experiments import run_experiment

    pytest.importorskip("gymnasium")
    ctl = run_experiment(
        "control", out=tmp_path / "c", progress=False, overrides={"episodes": 2, "max_steps": 30}
    )
    assert [len(r["returns"]) for r in ctl["metrics"]["rows"]] == [2, 2]
    assert all(1 <= v <= 30 for r in ctl["metrics"]["rows"] for v in r["returns"])
    assert ctl["figures"] == ["learning_curve.png"]
