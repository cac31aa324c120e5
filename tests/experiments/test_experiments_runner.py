"""run_experiment: results.json contents, resume after interruption, config mismatch."""

from __future__ import annotations

import json

import pytest

from qtwin.experiments import (
    ConfigMismatchError,
    get_experiment,
    list_experiments,
    register,
    run_experiment,
)
from qtwin.experiments import registry as registry_module


def test_registry_lists_and_finds(toy):
    assert "toy" in list_experiments() and "simulate" in list_experiments()
    assert get_experiment("toy").description == "A toy experiment."
    with pytest.raises(
        ValueError,
        match="unknown experiment 'toy2'; did you mean 'toy'. available experiments: .*toy",
    ):
        get_experiment("toy2")


def test_register_rejects_duplicates_and_bad_configs(monkeypatch):
    monkeypatch.setattr(registry_module, "_REGISTRY", {})

    @register("dup", config={"n": 1})
    def first(config, *, backend, seed, store, progress):
        """First line.

        More text."""
        return {}

    assert registry_module._REGISTRY["dup"].description == "First line."
    with pytest.raises(ValueError, match="already registered"):
        register("dup", config={})(first)
    with pytest.raises(ValueError, match="experiment name"):
        register("bad name", config={})
    with pytest.raises(ValueError, match=r"config\['x'\]"):
        register("nested", config={"x": {"a": 1}})


def test_results_json_records_everything(toy, tmp_path):
    res = run_experiment(
        "toy", seed=3, out=tmp_path, backend="aer", progress=False, overrides={"n": "3"}
    )
    on_disk = json.loads((tmp_path / "results.json").read_text())
    assert res["out_dir"] == str(tmp_path)
    assert on_disk == {k: v for k, v in res.items() if k != "out_dir"}
    assert on_disk["config"] == {"n": 3, "scale": 1.0, "flag": False, "names": ["a", "b"]}
    assert (on_disk["seed"], on_disk["backend"]) == (3, "aer")
    assert on_disk["metrics"]["total"] == 0 + 1 + 4 + 3 * 3
    assert on_disk["figures"] == ["toy.png"] and (tmp_path / "toy.png").is_file()
    for dist in ("qtwin", "qiskit", "qiskit-aer", "torch", "quimb", "numpy", "pennylane"):
        assert dist in on_disk["versions"]
    assert on_disk["versions"]["qtwin"] is not None
    assert on_disk["started_at"] <= on_disk["finished_at"]
    assert on_disk["units"] == {"computed": 3, "reused": 0, "total": 3}


def test_default_out_dir_is_runs_name(toy, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    run_experiment("toy", progress=False)
    assert (tmp_path / "runs" / "toy" / "results.json").is_file()


def test_interrupted_run_resumes_with_only_the_rest(toy, tmp_path):
    toy.fail_at = 3
    with pytest.raises(KeyboardInterrupt):
        run_experiment("toy", out=tmp_path, progress=False)
    assert toy.calls == [0, 1, 2]
    assert not (tmp_path / "results.json").exists()
    assert len(list((tmp_path / "units").glob("*.json"))) == 3

    toy.fail_at = None
    res = run_experiment("toy", out=tmp_path, progress=False)
    assert toy.calls == [0, 1, 2, 3, 4]
    assert res["units"] == {"computed": 2, "reused": 3, "total": 5}
    assert res["metrics"]["total"] == sum(i * i for i in range(5))

    again = run_experiment("toy", out=tmp_path, progress=False)  # everything finished
    assert toy.calls == [0, 1, 2, 3, 4]
    assert again["units"]["reused"] == 5 and again["metrics"] == res["metrics"]
    assert again["created_at"] == res["created_at"]


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"overrides": {"scale": "2"}}, r"scale 1\.0 -> 2\.0"),
        ({"seed": 1}, "seed 0 -> 1"),
        ({"backend": "aer"}, "backend None -> 'aer'"),
    ],
)
def test_different_config_in_same_dir_is_refused(toy, tmp_path, kwargs, match):
    run_experiment("toy", out=tmp_path, progress=False)
    with pytest.raises(ConfigMismatchError, match=match) as info:
        run_experiment("toy", out=tmp_path, progress=False, **kwargs)
    assert "--force" in str(info.value)
    assert json.loads((tmp_path / "results.json").read_text())["seed"] == 0


def test_a_run_that_finished_nothing_is_replaced(toy, tmp_path):
    toy.fail_at = 0
    with pytest.raises(KeyboardInterrupt):
        run_experiment("toy", out=tmp_path, progress=False, seed=5)
    toy.fail_at = None
    res = run_experiment("toy", out=tmp_path, progress=False)  # another seed: no error
    assert res["seed"] == 0 and res["units"]["computed"] == 5


def test_overwrite_discards_the_old_run(toy, tmp_path):
    run_experiment("toy", out=tmp_path, progress=False)
    (tmp_path / "notes.txt").write_text("mine")
    res = run_experiment(
        "toy", out=tmp_path, progress=False, overwrite=True, overrides={"n": 2, "scale": 2.0}
    )
    assert res["units"] == {"computed": 2, "reused": 0, "total": 2}
    assert res["metrics"]["total"] == 2.0
    assert (tmp_path / "notes.txt").read_text() == "mine"  # foreign files are kept


def test_bad_arguments(toy, tmp_path):
    with pytest.raises(
        ValueError, match="unknown config key 'm'; valid keys: flag, n, names, scale"
    ):
        run_experiment("toy", out=tmp_path, overrides={"m": 1})
    with pytest.raises(ValueError, match="unknown experiment"):
        run_experiment("nope", out=tmp_path)
    with pytest.raises(TypeError, match="seed must be an integer"):
        run_experiment("toy", out=tmp_path, seed="1")
    assert not (tmp_path / "run.json").exists()


# --- issue 15 item 1: a second process on the same folder; units carry the config ---------

_HOLD_LOCK = """
import sys, time
from qtwin.experiments.runner import run_lock
with run_lock(sys.argv[1]):
    print("locked", flush=True)
    time.sleep(60)
"""


@pytest.fixture
def locked_by_other_process(tmp_path):
    """``tmp_path`` locked by another python process (killed at teardown); yields its pid."""
    import subprocess
    import sys

    proc = subprocess.Popen(
        [sys.executable, "-c", _HOLD_LOCK, str(tmp_path)], stdout=subprocess.PIPE, text=True
    )
    try:
        assert proc.stdout.readline().strip() == "locked"
        yield proc.pid
    finally:
        proc.kill()
        proc.wait()


def test_second_process_on_the_folder_is_refused_naming_the_holder(
    toy, tmp_path, locked_by_other_process
):
    from qtwin.experiments.runner import RunLockedError

    with pytest.raises(
        RunLockedError, match=f"in use by another qtwin run.*process {locked_by_other_process} on"
    ) as info:
        run_experiment("toy", out=tmp_path, progress=False, overrides={"n": 2})
    assert "--wait" in str(info.value) and "--out" in str(info.value)
    assert not (tmp_path / "run.json").exists() and not (tmp_path / "units").exists()


def test_lock_is_released_and_waiting_works(toy, tmp_path):
    import threading

    from qtwin.experiments.runner import run_lock

    with run_lock(tmp_path):  # re-entrant in one thread: the run takes it again
        run_experiment("toy", out=tmp_path, progress=False)
    assert not (tmp_path / ".qtwin.lock.json").exists()
    res = {}
    holder = threading.Thread(
        target=lambda: res.update(run_experiment("toy", out=tmp_path, progress=False, wait=30))
    )
    holder.start()
    holder.join()
    assert res["units"]["reused"] == 5


def test_units_of_another_config_are_never_read_back(toy, tmp_path):
    """The issue's mix-up: run.json rewritten by another run while units of the first remain."""
    toy.fail_at = 3
    with pytest.raises(KeyboardInterrupt):
        run_experiment("toy", out=tmp_path, progress=False)  # scale 1.0: units 0, 1, 2
    run_file = tmp_path / "run.json"
    spec = json.loads(run_file.read_text())
    spec["config"]["scale"] = 2.0  # what the second run wrote into run.json
    run_file.write_text(json.dumps(spec))
    toy.fail_at, toy.calls = None, []
    res = run_experiment("toy", out=tmp_path, progress=False, overrides={"scale": 2.0})
    assert toy.calls == [0, 1, 2, 3, 4]  # nothing of the scale-1.0 run is reused
    assert res["metrics"]["total"] == 2.0 * sum(i * i for i in range(5))
    assert res["units"] == {"computed": 5, "reused": 0, "total": 5}


# --- item 2: a damaged run.json is refused with the fix ------------------------------------


@pytest.mark.parametrize("text", ["garbage{", "[1, 2]", "", '{"config": [1, 2]}'])
def test_damaged_run_json_is_refused_with_the_fix(toy, tmp_path, text):
    from qtwin.experiments.runner import DamagedRunFileError

    run_experiment("toy", out=tmp_path, progress=False)
    (tmp_path / "run.json").write_text(text)
    expected = DamagedRunFileError if text != '{"config": [1, 2]}' else ConfigMismatchError
    with pytest.raises(expected, match="run.json|results of a different run") as info:
        run_experiment("toy", out=tmp_path, progress=False)
    assert "--force" in str(info.value)
    res = run_experiment("toy", out=tmp_path, progress=False, overwrite=True)
    assert res["units"]["computed"] == 5


# --- item 3: a truncated unit file is recomputed with a warning naming it --------------------


def test_truncated_unit_file_is_recomputed_with_a_warning(toy, tmp_path):
    from qtwin.experiments.store import DamagedUnitWarning

    first = run_experiment("toy", out=tmp_path, progress=False)
    (unit_file,) = [
        p for p in (tmp_path / "units").glob("*.json") if p.name.startswith("unit%2F2.")
    ]
    unit_file.write_text('{"unit": "unit/2", "val')
    toy.calls = []
    with pytest.warns(DamagedUnitWarning, match=f"{unit_file.name}.*recomputing unit 'unit/2'"):
        again = run_experiment("toy", out=tmp_path, progress=False)
    assert toy.calls == [2]
    assert again["metrics"] == first["metrics"]
    assert again["units"] == {"computed": 1, "reused": 4, "total": 5}


def test_unknown_backend_is_refused_before_the_folder_is_touched(toy, tmp_path):
    out = tmp_path / "r"
    with pytest.raises(ValueError, match="unknown backend 'bogus'"):
        run_experiment("toy", out=out, backend="bogus", progress=False)
    assert not out.exists()


# --- typed configs (contract C2) -------------------------------------------------------


def test_typed_experiment_gets_its_instance_and_run_json_stores_asdict(monkeypatch, tmp_path):
    from dataclasses import dataclass

    from qtwin.experiments.config import option

    monkeypatch.setattr(registry_module, "_REGISTRY", dict(registry_module._REGISTRY))

    @dataclass(frozen=True)
    class CountConfig:
        """Count up to n."""

        n: int = option(3, "how far", low=0)
        steps: tuple[int, ...] = option((1, 2), "step sizes", low=1)

    seen = []

    @register("count", config=CountConfig, circuits=False)
    def run(config, *, backend, seed, store, progress):
        seen.append(config)
        return {
            "total": sum(store.compute(f"s/{s}", lambda s=s: s * config.n) for s in config.steps)
        }

    exp = get_experiment("count")
    assert exp.typed and exp.description == "Count up to n."
    assert exp.default_config == {"n": 3, "steps": [1, 2]}
    res = run_experiment("count", out=tmp_path, progress=False, overrides={"steps": "2,3"})
    assert seen == [CountConfig(n=3, steps=(2, 3))] and res["metrics"]["total"] == 15
    assert json.loads((tmp_path / "run.json").read_text())["config"] == {"n": 3, "steps": [2, 3]}
    with pytest.raises(ConfigMismatchError, match=r"steps \[2, 3\] -> \[1, 2\]"):
        run_experiment("count", out=tmp_path, progress=False)
    with pytest.raises(ValueError, match="must be >= 1"):
        run_experiment("count", out=tmp_path / "new", progress=False, overrides={"steps": "0"})
    assert not (tmp_path / "new").exists()

    @dataclass(frozen=True)
    class BadDefault:
        n: int = option(0, "n", low=1)

    with pytest.raises(ValueError, match="default config of experiment 'bad' is invalid"):
        register("bad", config=BadDefault)
