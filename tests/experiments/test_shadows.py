"""The ``shadows`` experiment: a small run, its error scaling, resumability and figure."""

from __future__ import annotations

from qtwin.experiments import get_experiment, list_experiments, run_experiment


def test_registered_with_small_defaults():
    assert "shadows" in list_experiments()
    cfg = get_experiment("shadows").config()
    assert max(cfg["snapshots"]) <= 5000 and cfg["dims"] == [2, 3]


def test_shadows_experiment_small(tmp_path):
    overrides = {"snapshots": "200,800,3200", "repetitions": 2, "num_sites": 4}
    res = run_experiment("shadows", out=tmp_path, progress=False, overrides=overrides)
    m = res["metrics"]
    for d in ("2", "3"):
        info = m["per_dim"][d]
        assert info["ensemble"] == "clifford"
        assert -0.8 < info["slope"] < -0.25  # ~ 1/sqrt(N)
        assert info["max_second_moment_over_bound"] <= 1.0
        errs = [r["rms_error"] for r in m["rows"] if r["d"] == int(d)]
        assert errs[-1] < errs[0] and errs[-1] < 0.15
    assert res["figures"] == ["error_vs_snapshots.png"]
    again = run_experiment("shadows", out=tmp_path, progress=False, overrides=overrides)
    assert again["units"]["computed"] == 0 and again["metrics"] == m
