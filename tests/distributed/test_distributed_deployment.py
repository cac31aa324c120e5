"""A real deployment on loopback: ``dask scheduler`` and two ``dask worker`` processes.

The processes are started by the fixture (127.0.0.1, free ports, no dashboard) and stopped at
the end. A capability job given ``cluster="tcp://127.0.0.1:PORT"`` returns the local numbers;
a worker process killed mid-run (SIGKILL) makes the scheduler re-run its tasks on the other
worker and the results stay identical; a scheduler that is not there gives an error naming the
address. Slow (worker start-up imports qtwin, torch and qiskit): run with ``--runslow``.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest

from qtwin.distributed import map_units
from qtwin.rb import standard_rb
from qtwin.rb.channels import depolarizing

distributed = pytest.importorskip("distributed")

pytestmark = pytest.mark.slow

DASK = shutil.which("dask")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Deployment:
    address: str
    scheduler: subprocess.Popen
    workers: list[subprocess.Popen]


def _env() -> dict[str, str]:
    # the test process's import path, so that the functions of this module unpickle on the
    # scheduler (it deserializes task graphs) and the workers; one BLAS/OpenMP thread
    path = os.pathsep.join(p for p in sys.path if p)
    return {**os.environ, "PYTHONPATH": path, "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}


def _start_worker(address: str) -> subprocess.Popen:
    # --no-nanny: the process *is* the worker, so killing it loses the worker (with a nanny,
    # the nanny would restart it); one thread, as qtwin's own LocalClusters
    return subprocess.Popen(
        [DASK, "worker", address, "--nthreads", "1", "--no-nanny", "--host", "127.0.0.1"]
        + ["--no-dashboard", "--death-timeout", "60"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env=_env(),
    )


def _stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(10)


@pytest.fixture(scope="module")
def deployment() -> Iterator[Deployment]:
    if DASK is None:
        pytest.skip("the 'dask' command is not on PATH")
    port = free_port()
    address = f"tcp://127.0.0.1:{port}"
    scheduler = subprocess.Popen(
        [DASK, "scheduler", "--host", "127.0.0.1", "--port", str(port), "--no-dashboard"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env=_env(),
    )
    workers: list[subprocess.Popen] = []
    try:
        workers = [_start_worker(address) for _ in range(2)]
        with distributed.Client(address, timeout=60, set_as_default=False) as client:
            client.wait_for_workers(2, timeout=120)
            client.run(lambda: __import__("qtwin.rb"))  # warm the imports on both workers
        yield Deployment(address, scheduler, workers)
    finally:
        for proc in [*workers, scheduler]:
            _stop(proc)


def _rb(cluster: object) -> object:
    noise = depolarizing(3, 0.03)
    return standard_rb(3, [1, 8, 30], 12, noise, seed=4, shots=50, batch_size=2, cluster=cluster)


def _slow_draw(n: int, seed: np.random.SeedSequence) -> list[float]:
    time.sleep(0.25)
    return np.random.default_rng(seed).random(n).tolist()


def test_capability_job_over_tcp_equals_local(deployment: Deployment) -> None:
    local = _rb("local")
    got = _rb(deployment.address)
    np.testing.assert_array_equal(got.survival, local.survival)
    assert got.fidelity == local.fidelity


def test_worker_killed_mid_run_gives_identical_results(deployment: Deployment) -> None:
    want = map_units(_slow_draw, list(range(1, 25)), seed=3, key="faults", progress=False)
    victim = deployment.workers[1]
    done: list[int] = []

    def kill_after_three(i: int, result: object) -> None:
        done.append(i)
        if len(done) == 3:
            os.kill(victim.pid, signal.SIGKILL)

    with distributed.Client(deployment.address, set_as_default=False) as client:
        got = map_units(
            _slow_draw,
            list(range(1, 25)),
            cluster=client,
            seed=3,
            key="faults",
            on_result=kill_after_three,
            progress=False,
        )
        assert victim.wait(10) == -signal.SIGKILL
        deadline = time.monotonic() + 30
        while len(client.scheduler_info()["workers"]) != 1 and time.monotonic() < deadline:
            time.sleep(0.1)
        assert len(client.scheduler_info()["workers"]) == 1  # the scheduler saw it go
    assert got == want
    # a capability job on the surviving worker, killed again mid-run: still the local numbers
    deployment.workers[1] = _start_worker(deployment.address)
    with distributed.Client(deployment.address, set_as_default=False) as client:
        client.wait_for_workers(2, timeout=120)
        victim = deployment.workers[1]

        def kill_when_busy() -> None:
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline:
                if any(client.processing().values()):
                    time.sleep(0.3)
                    os.kill(victim.pid, signal.SIGKILL)
                    return
                time.sleep(0.05)

        killer = threading.Thread(target=kill_when_busy, daemon=True)
        killer.start()
        got_rb = _rb(client)
        killer.join(60)
    local = _rb("local")
    np.testing.assert_array_equal(got_rb.survival, local.survival)
    assert got_rb.fidelity == local.fidelity


def test_unreachable_scheduler_is_named_before_any_work() -> None:
    address = f"tcp://127.0.0.1:{free_port()}"  # nobody listens there
    t = time.monotonic()
    with pytest.raises(ConnectionError, match=address.replace(".", r"\.")):
        _rb(address)
    assert time.monotonic() - t < 60
    from qtwin.backends import get_backend

    backend = get_backend("tensornet", cluster=address)
    from qiskit import QuantumCircuit

    qc = QuantumCircuit(1)
    qc.measure_all()
    with pytest.raises(ConnectionError, match="dask scheduler"):
        backend.sampler.run([qc]).result()


def _without_times(value: object) -> object:
    if isinstance(value, dict):
        return {k: _without_times(v) for k, v in value.items() if "time" not in k}
    if isinstance(value, list):
        return [_without_times(v) for v in value]
    return value


def test_cli_run_over_tcp_equals_local(deployment: Deployment, tmp_path: Path) -> None:
    from qtwin.cli import main

    out = {"local": tmp_path / "local", "remote": tmp_path / "remote"}
    base = ["run", "simulate", "--seed", "5", "--set", "circuits=qft_8,w_state_8"]
    base += ["--set", "backends=tensornet,aer"]
    assert main([*base, "--out", str(out["local"])]) in (0, None)
    assert main([*base, "--out", str(out["remote"]), "--cluster", deployment.address]) in (0, None)
    a, b = (json.loads((out[k] / "results.json").read_text()) for k in ("local", "remote"))
    assert b["cluster"]["scheduler"] == deployment.address and a["cluster"] is None
    assert _without_times(a["metrics"]) == _without_times(b["metrics"])
    assert a["units"] == b["units"]
