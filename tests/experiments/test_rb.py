"""The ``rb`` experiment: standard vs character RB against the exact channel fidelity."""

from __future__ import annotations

import json
import sys

import pytest

from qtwin.experiments import get_experiment, list_experiments, run_experiment, write_report
from qtwin.experiments.rb import DEFAULT_CONFIG, RBConfig

SMALL = {
    "dims": "2,3,6",
    "noise_models": "ad_coherent",
    "lengths": "1,2,4,8,16,32",
    "num_samples": 8,
    "num_bootstrap": 60,
}


def test_registered_with_small_defaults():
    assert "rb" in list_experiments()
    cfg = get_experiment("rb").config()
    assert isinstance(cfg, RBConfig) and cfg.dims == (2, 3, 4, 6)
    assert cfg.num_samples <= 20 and max(cfg.lengths) <= 100
    assert {f.name for f in get_experiment("rb").fields()} == set(DEFAULT_CONFIG)


def test_rb_experiment_small(tmp_path):
    from qtwin.rb.channels import amplitude_damping_cascade, coherent_overrotation, compose
    from qtwin.rb.fidelity import average_gate_fidelity

    res = run_experiment("rb", out=tmp_path, progress=False, overrides=SMALL)
    m = res["metrics"]
    rows = {(r["protocol"], r["d"]): r for r in m["rows"]}
    assert all(r["status"] == "ok" for r in m["rows"]) and len(rows) == 6
    for d in (2, 3, 6):
        # exact reference recomputed here from the channel
        ch = compose(amplitude_damping_cascade(d, 0.02), coherent_overrotation(d, 0.02))
        exact = average_gate_fidelity(ch)
        char = rows[("character", d)]
        assert char["exact_fidelity"] == pytest.approx(exact, abs=1e-12)
        lo, hi = char["fidelity_ci"]
        # a 95% interval: the exact value may fall outside now and then, never far outside
        assert char["within_ci"] == (lo - 1e-9 <= exact <= hi + 1e-9)
        assert abs(char["fidelity"] - exact) <= 1.5 * (hi - lo)
        # one decay per proper divisor of d, with the Jordan-totient dimensions
        divisors = [g for g in range(1, d) if d % g == 0]
        assert [x["g"] for x in char["decays"]] == divisors
        assert sum(x["dim"] for x in char["decays"]) == d * d - 1
    # prime d: standard RB is valid and within its interval
    for d in (2, 3):
        std = rows[("standard", d)]
        lo, hi = std["fidelity_ci"]
        assert abs(std["fidelity"] - std["exact_fidelity"]) <= 1.5 * (hi - lo)
        assert std["single_decay"]
    # composite d: standard RB says it is not a single decay
    assert not rows[("standard", 6)]["single_decay"] and rows[("standard", 6)]["warnings"]
    # the irreps of d = 6 decay at different rates under this noise
    f6 = [x["exact_f"] for x in rows[("character", 6)]["decays"]]
    assert max(f6) - min(f6) > 1e-3
    assert m["summary"]["decays_per_d"] == {"2": 1, "3": 1, "6": 3}
    worst = max(
        abs(r["fidelity"] - r["exact_fidelity"]) for r in m["rows"] if r["protocol"] == "character"
    )
    assert m["headline"] == {"character RB: largest |F - F_exact|": worst} and worst < 2e-3
    assert len(m["table"]) == 6
    assert sorted(res["figures"]) == ["character_decays.png", "fidelity.png", "survival.png"]

    again = run_experiment("rb", out=tmp_path, progress=False, overrides=SMALL)
    assert again["units"]["computed"] == 0
    assert again["metrics"] == json.loads((tmp_path / "results.json").read_text())["metrics"]
    assert write_report(tmp_path).read_text().count("data:image/png;base64,") == 3


def test_rb_missing_module_is_recorded_as_skipped(tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "qtwin.rb.protocols", None)  # import raises ImportError
    res = run_experiment(
        "rb", out=tmp_path, progress=False, overrides={**SMALL, "dims": "2", "num_samples": 2}
    )
    skipped = res["metrics"]["summary"]["skipped"]
    assert {s["protocol"] for s in skipped} == {"standard", "character"}
    assert all("qtwin.rb.protocols" in s["reason"] for s in skipped)


@pytest.mark.parametrize(
    ("overrides", "match"),
    [
        ({"noise_models": "nope"}, "'noise_models' must be one of"),
        ({"lengths": "1,2"}, "'lengths' needs at least 3 distinct"),
        ({"dims": "1,2"}, "'dims'"),
        ({"confidence": "1.5"}, "'confidence'"),
    ],
)
def test_rb_bad_config_refused_before_writing(tmp_path, overrides, match):
    with pytest.raises(ValueError, match=match):
        run_experiment("rb", out=tmp_path / "run", progress=False, overrides=overrides)
    assert not (tmp_path / "run" / "results.json").exists()


def _without_timings(value):
    if isinstance(value, dict):
        return {k: _without_timings(v) for k, v in value.items() if not k.endswith("time_s")}
    if isinstance(value, list):
        return [_without_timings(v) for v in value]
    return value


def test_rb_on_two_dask_workers_equals_the_local_run(tmp_path):
    """Unit seeds come from (run seed, unit name): two workers give the local numbers."""
    distributed = pytest.importorskip("distributed")
    small = {**SMALL, "dims": "2,4", "num_samples": 4, "lengths": "1,4,16"}

    def run(out, cluster):
        res = run_experiment(
            "rb", out=out, progress=False, overrides=small, seed=5, cluster=cluster
        )
        return _without_timings(res["metrics"])

    local = run(tmp_path / "local", None)
    with (
        distributed.LocalCluster(
            n_workers=2, threads_per_worker=1, processes=False, dashboard_address="127.0.0.1:0"
        ) as cluster,
        distributed.Client(cluster, set_as_default=False) as client,
    ):
        on_cluster = run(tmp_path / "dask", client)
    assert on_cluster == local
    assert len(local["rows"]) == 4 and all(r["status"] == "ok" for r in local["rows"])
