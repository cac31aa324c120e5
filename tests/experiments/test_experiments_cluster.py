"""Experiments on a Dask cluster (issue 17 item 2): equal to a local run, resumable, refused
cleanly when the scheduler cannot be reached."""

from __future__ import annotations

import json
from typing import Any

import numpy as np
import pytest

from qtwin.cli import main
from qtwin.experiments import ResultStore, run_experiment

distributed = pytest.importorskip("distributed")


def _without_times(value: Any) -> Any:
    """``value`` without wall-time fields (the only numbers that differ run to run)."""
    if isinstance(value, dict):
        return {k: _without_times(v) for k, v in value.items() if "time" not in k}
    if isinstance(value, list):
        return [_without_times(v) for v in value]
    return value


def _assert_same_results(a: Any, b: Any, path: str = "metrics") -> None:
    """Equal JSON values, floats to 1e-12 relative: the unit seeds make the numbers the
    same, but a simulator's multithreaded sums (Aer/OpenMP) may round differently in a
    one-thread worker than in this process, in the last bit."""
    if isinstance(a, dict) and isinstance(b, dict):
        assert a.keys() == b.keys(), path
        for k in a:
            _assert_same_results(a[k], b[k], f"{path}/{k}")
    elif isinstance(a, list) and isinstance(b, list):
        assert len(a) == len(b), path
        for i, (x, y) in enumerate(zip(a, b, strict=True)):
            _assert_same_results(x, y, f"{path}/{i}")
    elif isinstance(a, float) or isinstance(b, float):
        assert a == pytest.approx(b, rel=1e-12, abs=1e-15), path
    else:
        assert a == b, path


def _draw(n: int, seed: np.random.SeedSequence) -> list[float]:
    return np.random.default_rng(seed).random(n).tolist()


def test_compute_many_on_a_cluster_equals_local_and_resumes(procs2, tmp_path):
    names = [f"draw/{n}" for n in range(1, 7)]
    local = ResultStore(tmp_path / "local", seed=5).compute_many(names, _draw, range(1, 7))
    store = ResultStore(tmp_path / "cluster", seed=5, client=procs2)
    remote = store.compute_many(names, _draw, range(1, 7))
    assert remote == local and store.computed == 6
    # independent reference: the documented seed rule, computed here
    assert local[2] == np.random.default_rng(store.unit_seed("draw/3")).random(3).tolist()
    again = ResultStore(tmp_path / "cluster", seed=5, client=procs2)
    assert again.compute_many(names, _draw, range(1, 7)) == local
    assert (again.computed, again.reused) == (0, 6)


def _fail_on_three(n: int, seed: np.random.SeedSequence) -> int:
    if n == 3:
        raise RuntimeError("unit 3 fails")
    return n * n


def test_a_failing_unit_keeps_the_finished_ones(procs2, tmp_path):
    store = ResultStore(tmp_path, client=procs2)
    with pytest.raises(RuntimeError, match="unit 3 fails"):
        store.compute_many([f"sq/{n}" for n in range(6)], _fail_on_three, range(6))
    assert "sq/3" not in store.completed()
    for name in store.completed():
        assert store.load(name) == int(name.split("/")[1]) ** 2


def test_simulate_on_two_worker_processes_equals_the_local_run(procs2, tmp_path):
    overrides = {"circuits": "ghz_12,qft_8,random_brickwork_10", "backends": "tensornet,aer"}
    local = run_experiment("simulate", out=tmp_path / "local", progress=False, overrides=overrides)
    remote = run_experiment(
        "simulate", out=tmp_path / "dask", progress=False, overrides=overrides, cluster=procs2
    )
    _assert_same_results(_without_times(remote["metrics"]), _without_times(local["metrics"]))
    # 3 references, 3 x 2 estimates, 3 MPS state checks
    assert remote["units"] == local["units"] == {"computed": 12, "reused": 0, "total": 12}
    assert remote["cluster"]["workers"] == 2 and local["cluster"] is None
    # results stored by the client: the unit files exist in the run folder
    assert len(list((tmp_path / "dask" / "units").glob("*.json"))) == 12
    # a rerun (local) resumes the cluster run: nothing recomputed, same metrics
    again = run_experiment("simulate", out=tmp_path / "dask", progress=False, overrides=overrides)
    assert again["units"]["computed"] == 0
    assert again["metrics"] == remote["metrics"]


@pytest.mark.slow
def test_simulate_noisy_device_is_seeded_per_unit(procs2, tmp_path):
    """A fake (noisy) device: the same numbers locally and on two workers."""
    overrides = {"circuits": "qft_8,w_state_8", "backends": "fake:guadalupe,tensornet"}
    local = run_experiment("simulate", out=tmp_path / "local", progress=False, overrides=overrides)
    remote = run_experiment(
        "simulate", out=tmp_path / "dask", progress=False, overrides=overrides, cluster=procs2
    )
    assert local["metrics"]["summary"]["fake:guadalupe"]["max_abs_dev"] > 1e-4  # noisy
    _assert_same_results(_without_times(remote["metrics"]), _without_times(local["metrics"]))


def test_unreachable_scheduler_is_refused_before_anything_is_written(tmp_path, capsys):
    out = tmp_path / "r"
    code = main(["run", "simulate", "--out", str(out), "--cluster", "tcp://127.0.0.1:9"])
    assert code == 2
    err = capsys.readouterr().err
    assert err.startswith("qtwin: error: ") and "tcp://127.0.0.1:9" in err
    assert not out.exists()


def test_cluster_flag_wins_over_the_environment(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("QTWIN_CLUSTER", "not-a-spec")
    assert main(["run", "simulate", "--out", str(tmp_path / "a"), "--no-progress"]) == 2
    assert "cluster='not-a-spec' is not a cluster spec" in capsys.readouterr().err
    assert not (tmp_path / "a").exists()
    code = main(
        [
            "run",
            "simulate",
            "--out",
            str(tmp_path / "b"),
            "--no-progress",
            "--cluster",
            "local",
            "--set",
            "circuits=ghz_12",
            "--set",
            "backends=tensornet",
        ]
    )
    assert code == 0
    results = json.loads((tmp_path / "b" / "results.json").read_text())
    assert results["cluster"] is None


# --- a real deployment on loopback: `dask scheduler` + two `dask worker` processes -------


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def loopback_cluster(tmp_path):
    """``dask scheduler`` and two ``dask worker --no-nanny`` processes on 127.0.0.1."""
    import shutil
    import subprocess
    import sys

    dask_cli = shutil.which("dask")
    if dask_cli is None:
        pytest.skip("the `dask` command is not installed")
    port = _free_port()
    address = f"tcp://127.0.0.1:{port}"
    logs = tmp_path / "dask-logs"
    logs.mkdir()
    procs: list[subprocess.Popen] = []

    def start(name: str, args: list[str]) -> subprocess.Popen:
        log = (logs / f"{name}.log").open("w")
        proc = subprocess.Popen(
            [dask_cli, *args], stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
        procs.append(proc)
        return proc

    try:
        start(
            "scheduler", ["scheduler", "--host", "127.0.0.1", "--port", str(port), "--no-dashboard"]
        )
        workers = [
            start(
                f"worker{i}",
                [
                    "worker",
                    address,
                    "--nthreads",
                    "1",
                    "--no-nanny",
                    "--no-dashboard",
                    "--host",
                    "127.0.0.1",
                    "--name",
                    f"w{i}",
                ],
            )
            for i in range(2)
        ]
        with distributed.Client(address, timeout=60, set_as_default=False) as client:
            client.wait_for_workers(2, timeout=120)
        yield address, workers, sys.executable
    finally:
        for proc in procs:
            if proc.poll() is None:
                proc.kill()
            proc.wait(timeout=30)


@pytest.mark.slow
def test_qtwin_run_on_a_loopback_deployment_survives_a_killed_worker(loopback_cluster, tmp_path):
    import subprocess
    import time

    address, workers, python = loopback_cluster
    sets = [
        "circuits=qft_8,w_state_8,random_brickwork_10,ghz_12,trotter_xxz_12,quantum_volume_8",
        "backends=tensornet,aer",
    ]
    overrides = dict(s.split("=", 1) for s in sets)
    local = run_experiment("simulate", out=tmp_path / "local", progress=False, overrides=overrides)

    out = tmp_path / "remote"
    cmd = [
        python,
        "-m",
        "qtwin.cli",
        "run",
        "simulate",
        "--out",
        str(out),
        "--no-progress",
        "--cluster",
        address,
    ]
    for s in sets:
        cmd += ["--set", s]
    run = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    # kill one worker as soon as the first unit is stored
    deadline = time.monotonic() + 240
    while not list((out / "units").glob("*.json")) if (out / "units").is_dir() else True:
        assert run.poll() is None, run.communicate()
        assert time.monotonic() < deadline, "no unit finished within 240 s"
        time.sleep(0.05)
    killed_mid_run = not (out / "results.json").exists()
    workers[0].kill()
    stdout, stderr = run.communicate(timeout=300)
    assert run.returncode == 0, stderr
    assert killed_mid_run
    remote = json.loads((out / "results.json").read_text())
    assert remote["cluster"]["scheduler"] == address
    _assert_same_results(_without_times(remote["metrics"]), _without_times(local["metrics"]))
    # 6 references, 6 x 2 estimates, 6 MPS state checks
    assert remote["units"]["total"] == local["units"]["total"] == 24
