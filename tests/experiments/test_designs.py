"""The ``designs`` experiment: small runs, resumability, figures, metrics."""

from __future__ import annotations

import json

import pytest

from qtwin.experiments import get_experiment, list_experiments, run_experiment, write_report
from qtwin.experiments.designs import DEFAULT_CONFIG, DesignsConfig


def test_registered_with_small_defaults():
    assert "designs" in list_experiments()
    cfg = get_experiment("designs").config()
    assert isinstance(cfg, DesignsConfig)
    assert cfg.native_circuits <= 500 and cfg.native_max_depth <= 10
    assert {f.name for f in get_experiment("designs").fields()} == set(DEFAULT_CONFIG)


def test_designs_experiment_small(tmp_path):
    overrides = {
        "weighted_dims": "2,3,6",
        "weighted_ts": "2",
        "mub_dims": "3,4,6",
        "stabilizer_dims": "3,4",
        "clifford_dims": "2,3,4,6",
        "spins": "1,2.5",
        "ts": "2,3",
        "native_families": "high_spin,rotations_only,cavity",
        "native_max_depth": 6,
        "native_circuits": 200,
    }
    res = run_experiment("designs", out=tmp_path, progress=False, overrides=overrides)
    m = res["metrics"]
    rows = {(r["construction"], r["d"], r.get("t")): r for r in m["rows"]}
    # weighted 2-designs in every d, not 3-designs
    for d in (2, 3, 6):
        assert rows[("weighted(t=2)", d, 2)]["design"]
    assert not rows[("weighted(t=2)", 3, 3)]["design"]
    # MUB: prime powers only; a 2-design
    assert rows[("mub", 4, 2)]["design"] and rows[("mub", 3, 2)]["design"]
    assert rows[("mub", 6, None)]["status"] == "skipped"
    # Clifford group: unitary 2-design iff d prime; F_2 = 1 + #proper divisors otherwise
    assert rows[("clifford", 3, 2)]["design"] and not rows[("clifford", 4, 2)]["design"]
    assert rows[("clifford", 4, 2)]["frame_potential"] == pytest.approx(3.0)
    assert rows[("clifford", 6, 2)]["frame_potential"] == pytest.approx(4.0)
    assert rows[("clifford", 2, 3)]["design"]  # qubit Clifford: a 3-design
    # stabilizer orbit: 2-design for prime d, not for d = 4 (F_2 = 0.104167 vs 0.1)
    assert rows[("stabilizer", 3, 2)]["design"]
    assert rows[("stabilizer", 4, 2)]["frame_potential"] == pytest.approx(0.1041666667)
    # spin coherent: closed form 1/(2jt+1), not a 2-design; spin-GKP: a 2-design
    coh = rows[("spin_coherent", 3, 2)]
    assert coh["frame_potential"] == pytest.approx(coh["closed_form"]) and not coh["design"]
    assert rows[("spin_gkp", 3, 2)]["design"]
    assert rows[("spin_gkp", 6, None)]["status"] == "skipped"  # j = 5/2: d = 6
    # native circuits: twisting reaches Haar, rotations alone never do
    reach = m["summary"]["native_depth_to_haar"]
    assert reach["high_spin"]["2"] is not None and reach["cavity"]["2"] is not None
    assert reach["rotations_only"]["2"] is None
    assert sorted(res["figures"]) == ["frame_potential_ratios.png", "native_depth.png"]
    by = m["summary"]["t2_by_construction"]
    assert by["clifford"] == {"2-design for d": "2, 3", "not for d": "4, 6"}
    assert by["mub"] == {"2-design for d": "3, 4", "not for d": "-"}
    t2 = [r for r in m["rows"] if r["status"] == "ok" and r["t"] == 2]
    n_designs = len({(r["construction"], r["d"]) for r in t2 if r["design"]})
    assert m["headline"] == f"{n_designs} of {len(t2)} ensembles are 2-designs"

    again = run_experiment("designs", out=tmp_path, progress=False, overrides=overrides)
    assert again["units"]["computed"] == 0
    assert again["metrics"] == json.loads((tmp_path / "results.json").read_text())["metrics"]
    assert write_report(tmp_path).read_text().count("data:image/png;base64,") == 2


def test_designs_missing_module_is_recorded_as_skipped(tmp_path, monkeypatch):
    import sys

    monkeypatch.setitem(sys.modules, "qtwin.designs.known", None)  # import raises ImportError
    res = run_experiment(
        "designs",
        out=tmp_path,
        progress=False,
        overrides={
            "weighted_dims": "2",
            "weighted_ts": "2",
            "mub_dims": "3",
            "stabilizer_dims": "3",
            "clifford_dims": "3",
            "spins": "1",
            "native_families": "cavity",
            "native_max_depth": 2,
            "native_circuits": 20,
        },
    )
    skipped = res["metrics"]["summary"]["skipped"]
    assert {s["construction"] for s in skipped} == {"mub", "stabilizer"}
    assert all("qtwin.designs.known" in s["reason"] for s in skipped)


@pytest.mark.parametrize(
    ("overrides", "match"),
    [
        ({"native_families": "qubit"}, "'native_families' must be one of"),
        ({"spins": "0.7"}, "'spins' takes multiples of 1/2"),
        ({"ts": ""}, "'ts'"),
        ({"native_circuits": "2"}, "'native_circuits'"),
    ],
)
def test_designs_bad_config_refused_before_writing(tmp_path, overrides, match):
    with pytest.raises(ValueError, match=match):
        run_experiment("designs", out=tmp_path / "run", progress=False, overrides=overrides)
    assert not (tmp_path / "run" / "results.json").exists()


def test_designs_on_two_dask_workers_equals_the_local_run(tmp_path):
    """Unit seeds come from (run seed, unit name): two workers give the local numbers."""
    distributed = pytest.importorskip("distributed")
    small = {
        "weighted_dims": "2,3",
        "weighted_ts": "2",
        "mub_dims": "3",
        "stabilizer_dims": "3",
        "clifford_dims": "2,4",
        "spins": "1",
        "ts": "2",
        "native_families": "high_spin,cavity",
        "native_max_depth": 3,
        "native_circuits": 40,
    }

    def run(out, cluster):
        res = run_experiment(
            "designs", out=out, progress=False, overrides=small, seed=2, cluster=cluster
        )
        metrics = res["metrics"]
        for row in metrics["rows"]:
            row.pop("time_s", None)
        for value in metrics["native"].values():
            value.pop("time_s", None)
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
    assert set(local["native"]) == {"high_spin", "cavity"}
