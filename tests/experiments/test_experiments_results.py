"""``load_results``: a run as pandas DataFrames, round trip against results.json and the
unit files, for every registered experiment at a tiny config."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from qtwin.experiments import (
    ResultStore,
    get_experiment,
    list_experiments,
    load_results,
    run_experiment,
)
from qtwin.experiments.results import flatten, unflatten

#: Tiny overrides per experiment (keys the experiment does not have are left out, so a
#: renamed field only makes that run bigger, never fails it). Seconds each on one core.
TINY: dict[str, dict[str, str | int]] = {
    "simulate": {"circuits": "ghz_12,qft_8", "backends": "tensornet"},
    "rb": {
        "dims": "2",
        "noise_models": "depolarizing",
        "lengths": "1,2,4",
        "num_samples": 2,
        "num_bootstrap": 10,
    },
    "shadows": {
        "dims": "2",
        "num_sites": 3,
        "snapshots": "50,100",
        "repetitions": 1,
        "num_groups": 2,
    },
    "svt": {
        "m": 200,
        "n": 16,
        "sample_counts": "25,50",
        "repeats": 1,
        "dims": "300,1000",
        "dim_samples": 50,
        "timing_repeats": 1,
        "quantum": "false",
    },
    "recommend": {
        "users": 500,
        "items": 50,
        "sketch": 50,
        "test_users": 5,
        "num_samples": 50,
        "dims": "200,500",
    },
    "designs": {
        "weighted_dims": "2",
        "weighted_ts": "2",
        "mub_dims": "2,3",
        "stabilizer_dims": "2",
        "clifford_dims": "2,3",
        "spins": "0.5",
        "ts": "1,2",
        "native_families": "rotations_only",
        "native_max_depth": 2,
        "native_circuits": 20,
    },
    "aqc": {"num_qubits": 6, "ansatz_steps": "1", "maxiter": 5, "max_trotter_steps": 2},
    "sequences": {"models": "lstm,esn", "epochs": 1},
    "control": {"agents": "qfwp", "episodes": 1, "max_steps": 20},
    "qnn": {"epochs": 1, "hardness_ns": "2", "hardness_epochs": 1, "aer_test_size": 4, "shots": 64},
    "entanglement": {
        "methods": "lora",
        "lora_ranks": "2",
        "steps": 1,
        "layers": "0",
        "per_topic": 2,
        "baseline_samples": 1,
        "tokens": 16,
    },
}

#: Tiny runs that still take more than ~5 s on one core.
SLOW = {"rb", "aqc", "qnn", "entanglement"}


def _params() -> list:
    return [
        pytest.param(name, marks=pytest.mark.slow) if name in SLOW else name
        for name in list_experiments()
    ]


@pytest.mark.parametrize("name", _params())
def test_round_trip_on_every_experiment(name, tmp_path):
    from qtwin.exceptions import MissingExtraError

    exp = get_experiment(name)
    overrides = {k: v for k, v in TINY.get(name, {}).items() if k in exp.default_config}
    try:
        res = run_experiment(name, out=tmp_path, progress=False, overrides=overrides)
    except MissingExtraError as exc:
        pytest.skip(f"{name} needs an optional extra: {exc}")
    loaded = load_results(tmp_path)
    raw = json.loads((tmp_path / "results.json").read_text())
    # metrics: tidy rows that rebuild the nested JSON exactly
    assert list(loaded.metrics.columns) == ["metric", "path", "value"]
    assert unflatten(loaded.metrics) == raw["metrics"]
    assert loaded.experiment == name and loaded.config == raw["config"]
    assert loaded.seed == res["seed"] and loaded.backend == res["backend"]
    # units: every unit of the run, each value rebuilt from its rows
    store = ResultStore(tmp_path, fingerprint=None)
    units = sorted(loaded.units["unit"].unique()) if len(loaded.units) else []
    assert len(units) == res["units"]["total"]
    for unit, rows in loaded.units.groupby("unit", sort=False):
        record = json.loads(
            next(
                p
                for p in store.units_dir.glob("*.json")
                if json.loads(p.read_text())["unit"] == unit
            ).read_text()
        )
        assert unflatten(rows) == record["value"]
    # tables: each record list of the metrics as a wide frame with one row per record
    for path, frame in loaded.tables.items():
        assert isinstance(frame, pd.DataFrame) and len(frame) > 0, path


def test_tables_metric_lookup_and_foreign_units(tmp_path):
    res = run_experiment(
        "simulate",
        out=tmp_path,
        progress=False,
        overrides={"circuits": "ghz_12", "backends": "tensornet"},
    )
    # a unit file of another run in the same folder is not read back
    ResultStore(tmp_path, fingerprint="other").save("foreign/1", {"x": 1})
    loaded = load_results(tmp_path / "results.json")
    assert "foreign/1" not in set(loaded.units["unit"])
    rows = loaded.tables["rows"]
    assert rows.loc[0, "fidelity"] == pytest.approx(1.0, abs=1e-12)
    summary = loaded.tables["summary"]  # dict of records: one row per backend
    assert summary["key"].tolist() == ["tensornet"]
    dev = loaded.metric("summary/tensornet/max_abs_dev")
    assert dev == res["metrics"]["summary"]["tensornet"]["max_abs_dev"]
    with pytest.raises(KeyError, match="no metric 'nope'"):
        loaded.metric("nope")
    # the units frame is tidy: one row per scalar leaf of a unit's value
    ref = loaded.units[loaded.units["unit"] == "reference/ghz_12"]
    assert set(ref["field"]) >= {"method", "time_s", "values/0"}


def test_flatten_unflatten_edge_cases():
    for value in [3, None, [], {}, [[]], {"a": {}}, [1, [2, [3]]], {"x": [{"y": []}]}]:
        assert unflatten(list(flatten(value))) == value


def test_missing_or_bad_results_are_clear_errors(tmp_path):
    with pytest.raises(FileNotFoundError, match="no results.json"):
        load_results(tmp_path)
    (tmp_path / "results.json").write_text("[1]")
    with pytest.raises(ValueError, match="must hold a JSON object"):
        load_results(tmp_path)
