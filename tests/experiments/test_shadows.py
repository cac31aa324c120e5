"""The ``shadows`` experiment: a small run, its error scaling, resumability and figure."""

from __future__ import annotations

import pytest

from qtwin.experiments import get_experiment, list_experiments, run_experiment
from qtwin.experiments.shadows import ShadowsConfig


def test_registered_with_small_defaults():
    assert "shadows" in list_experiments()
    cfg = get_experiment("shadows").config()
    assert isinstance(cfg, ShadowsConfig)
    assert max(cfg.snapshots) <= 5000 and cfg.dims == (2, 3)


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


@pytest.mark.parametrize(
    ("overrides", "match"),
    [
        ({"ensemble": "bogus"}, "'ensemble' must be one of"),
        ({"snapshots": "3", "num_groups": 5}, "'num_groups'"),
        ({"dims": ""}, "'dims'"),
    ],
)
def test_shadows_bad_config_refused_before_writing(tmp_path, overrides, match):
    with pytest.raises(ValueError, match=match):
        run_experiment("shadows", out=tmp_path / "run", progress=False, overrides=overrides)
    assert not (tmp_path / "run" / "results.json").exists()


def test_shadows_on_two_dask_workers_equals_the_local_run(tmp_path):
    """Two stages of units (exact values, then shadows) give the local numbers on 2 workers."""
    distributed = pytest.importorskip("distributed")
    small = {"snapshots": "50,100", "repetitions": 2, "num_sites": 3, "dims": "2,3"}

    def run(out, cluster):
        res = run_experiment(
            "shadows", out=out, progress=False, overrides=small, seed=4, cluster=cluster
        )
        metrics = res["metrics"]
        for info in metrics["per_dim"].values():
            info.pop("sample_time_s")
        return metrics

    local = run(tmp_path / "local", None)
    with (
        distributed.LocalCluster(
            n_workers=2, threads_per_worker=1, processes=False, dashboard_address="127.0.0.1:0"
        ) as cluster,
        distributed.Client(cluster, set_as_default=False) as client,
    ):
        on_cluster = run(tmp_path / "dask", client)
    assert on_cluster == local
