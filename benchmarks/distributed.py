"""Scale-out benchmark: qtwin jobs on Dask LocalClusters of 1 and 2 worker processes.

Sections (each prints a table; all numbers go to ``benchmarks/results/distributed.json``):

1. **Speed-up, 2 workers vs 1** (issue 17 target >= 1.8x on a 2-core machine): an RB sweep
   (``standard_rb`` over qutrit sequences, ``batch_size`` sequences per unit) and a
   frame-potential job (``frame_potential(method="gram")``, one Gram block pair per unit),
   each on ``dask:1`` and ``dask:2`` (one-thread worker processes, warmed up first), best of
   ``--repeats``; the results are checked to be identical on both and to the in-process run.
   Dask's task stream gives the work done on the workers ``W`` (sum of task times) and the
   unit count ``U``; the rest of the 1-worker time is the serial part ``S = T1 - W``
   (client-side preparation and fit, scheduling, transfers). The projection to N workers is
   Amdahl's law with task granularity, ``T(N) = S + max(ceil(U / N) * W / U, longest unit)``
   (stated as a projection; it ignores the scheduler's own limits at 64 workers and network
   latency).
2. **Scheduler overhead per unit**: ``map_units`` of a no-op over ``--noop-units`` units on
   ``dask:2`` (wall time / units) and the round trip of one unit (best of 10).
3. **SQ row sampling** (time to draw 20 000 rows, best of ``--sq-repeats``): an in-RAM
   ``SQMatrix`` at 1e4..1e7 rows, a memory-mapped one at 1e7 (``from_npy`` with trees on
   disk), and a ``ShardedSQMatrix`` of 4 memory-mapped shards on 2 local workers at
   1e6..1e8 rows (narrow float32 matrices, 2 columns: 1e8 rows = 800 MB of data and 1.6 GB
   of per-row trees on disk under ``--tmp``; files removed after each size). Also drawing
   the rows *and* reading them (``rows``), and drawing entries (``sample_entries``).

The machine is shared with other jobs: the load average (``os.getloadavg``) is recorded
before and after every section. Timings under load are noisy (+-30-50 %).

Usage::

    python benchmarks/distributed.py             # all (about 10 min; 1e8 rows: ~3 GB of /tmp)
    python benchmarks/distributed.py --quick     # smaller jobs, SQ up to 1e7
    python benchmarks/distributed.py --only sq   # one section: speedup, overhead, sq
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

# this file is named like the `distributed` package: keep its folder off the import path
_HERE = Path(__file__).resolve().parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != _HERE]
os.environ.setdefault("TQDM_DISABLE", "1")  # no progress bars between the table rows

import argparse  # noqa: E402
import json  # noqa: E402
import logging  # noqa: E402
import math  # noqa: E402
import platform  # noqa: E402
import shutil  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from collections.abc import Callable  # noqa: E402
from typing import Any  # noqa: E402

import numpy as np  # noqa: E402

from qtwin.dequantized import SQMatrix  # noqa: E402
from qtwin.dequantized.sharded import ShardedSQMatrix  # noqa: E402
from qtwin.designs import frame_potential  # noqa: E402
from qtwin.distributed import close_client, get_client, map_units  # noqa: E402
from qtwin.rb import standard_rb  # noqa: E402
from qtwin.rb.channels import depolarizing  # noqa: E402

DRAWS = 20_000


def load() -> list[float]:
    return [round(x, 2) for x in os.getloadavg()]


def best(fn: Callable[[], Any], repeats: int) -> tuple[float, Any]:
    times, out = [], None
    for _ in range(repeats):
        t = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t)
    return min(times), out


def _noop(x: int, seed: object) -> int:
    return x


# ---------------------------------------------------------------------- 1. speed-up
def rb_job(quick: bool) -> Callable[[Any], Any]:
    noise = depolarizing(3, 0.01)
    lengths = [1, 100, 300, 600, 1000]
    samples = 64 if quick else 384

    def run(cluster: Any) -> Any:
        return standard_rb(
            3, lengths, samples, noise, seed=7, shots=500, batch_size=16, cluster=cluster
        )

    return run


def fp_job(quick: bool) -> Callable[[Any], Any]:
    n = 8000 if quick else 24000
    rng = np.random.default_rng(0)
    x = rng.normal(size=(n, 16)) + 1j * rng.normal(size=(n, 16))
    x /= np.linalg.norm(x, axis=1, keepdims=True)

    def run(cluster: Any) -> float:
        return frame_potential(x, 2, method="gram", block_size=2000, cluster=cluster)

    return run


def same(a: Any, b: Any) -> bool:
    if isinstance(a, float):
        return a == b
    return bool(np.array_equal(a.survival, b.survival)) and a.fidelity == b.fidelity


def timed_with_tasks(client: Any, fn: Callable[[], Any]) -> tuple[float, Any, float, int, float]:
    """Wall time, result, sum of task compute times on the workers, tasks, longest task."""
    from distributed import get_task_stream

    with get_task_stream(client=client) as ts:
        t = time.perf_counter()
        out = fn()
        elapsed = time.perf_counter() - t
    spans = [
        part["stop"] - part["start"]
        for rec in ts.data
        for part in rec.get("startstops", ())
        if part["action"] == "compute"
    ]
    return elapsed, out, float(sum(spans)), len(spans), float(max(spans) if spans else 0.0)


def projected(t1: float, serial: float, work: float, units: int, longest: float, n: int) -> float:
    """Amdahl with granularity: ``S + max(ceil(U / N) * W / U, longest unit)`` (``T1`` at N=1)."""
    if n == 1 or units == 0:
        return t1
    return serial + max(math.ceil(units / n) * work / units, longest)


def speedup(args: argparse.Namespace, clients: dict[int, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name, job in (("rb", rb_job(args.quick)), ("frame_potential", fp_job(args.quick))):
        t_local, ref = best(lambda job=job: job("local"), 1)
        row: dict[str, Any] = {"local_units_in_process_s": t_local, "load_before": load()}
        for n in (1, 2):
            job(clients[n])  # warm: imports and first-call costs on the workers
        runs: dict[int, list[tuple[float, float, int, float]]] = {1: [], 2: []}
        for _ in range(args.repeats):  # interleaved, so that load drifts hit both alike
            for n in (1, 2):
                elapsed, got, work, units, longest = timed_with_tasks(
                    clients[n], lambda job=job, n=n: job(clients[n])
                )
                runs[n].append((elapsed, work, units, longest))
                if not same(got, ref):
                    raise AssertionError(f"{name}: {n} workers gave a different result")
        t1, work, units, longest = min(runs[1])  # W, U from the same (best) 1-worker run
        t2 = min(runs[2])[0]
        serial = max(t1 - work, 0.0)
        proj = {str(n): projected(t1, serial, work, units, longest, n) for n in (1, 2, 8, 64)}
        row.update(
            workers_1_s=t1,
            workers_2_s=t2,
            speedup=t1 / t2,
            all_times={str(n): [r[0] for r in runs[n]] for n in runs},
            units=units,
            work_s=work,
            work_2_workers_s=min(runs[2])[1],
            longest_unit_s=longest,
            serial_s=serial,
            projected_s=proj,
            projected_speedup={k: t1 / v for k, v in proj.items()},
            identical_results=True,
            load_after=load(),
        )
        out[name] = row
        print(
            f"{name:16s} local {t_local:6.2f} s | 1 worker {t1:6.2f} s | 2 workers {t2:6.2f} s | "
            f"speed-up {t1 / t2:4.2f}x | U={units} W={work:.2f} s S={serial:.2f} s | "
            f"projected 8: {t1 / proj['8']:.2f}x, 64: {t1 / proj['64']:.2f}x | load {load()}",
            flush=True,
        )
    return out


# ---------------------------------------------------------------------- 2. overhead
def overhead(args: argparse.Namespace, client: Any) -> dict[str, Any]:
    n = args.noop_units
    map_units(_noop, range(8), cluster=client, progress=False)  # warm
    t_many, res = best(lambda: map_units(_noop, range(n), cluster=client, progress=False), 3)
    assert res == list(range(n))
    t_one, _ = best(lambda: map_units(_noop, [0], cluster=client, progress=False), 10)
    t_here, _ = best(lambda: map_units(_noop, range(n), cluster=None, progress=False), 3)
    row = {
        "units": n,
        "wall_s": t_many,
        "per_unit_ms": 1e3 * t_many / n,
        "one_unit_round_trip_ms": 1e3 * t_one,
        "in_process_per_unit_ms": 1e3 * t_here / n,
        "load": load(),
    }
    print(
        f"scheduler overhead: {row['per_unit_ms']:.2f} ms/unit over {n} no-op units on 2 workers; "
        f"one-unit round trip {row['one_unit_round_trip_ms']:.1f} ms; in process "
        f"{row['in_process_per_unit_ms']:.3f} ms/unit | load {load()}",
        flush=True,
    )
    return row


# ---------------------------------------------------------------------- 3. SQ sampling
def write_matrix(path: Path, m: int, seed: int, cols: int = 2, chunk: int = 4_000_000) -> None:
    out = np.lib.format.open_memmap(path, "w+", np.float32, (m, cols))
    rng = np.random.default_rng(seed)
    for lo in range(0, m, chunk):
        hi = min(lo + chunk, m)
        out[lo:hi] = rng.standard_normal((hi - lo, cols), dtype=np.float32)
    out.flush()
    del out


def best_cpu(fn: Callable[[], Any], repeats: int) -> float:
    """Best CPU time of this thread (s): less sensitive than wall time to other jobs' load."""
    times = []
    for _ in range(repeats):
        t = time.thread_time()
        fn()
        times.append(time.thread_time() - t)
    return min(times)


def sq_times(S: Any, repeats: int, cpu: bool = False) -> dict[str, float]:
    t_rows, _ = best(lambda: S.sample_rows(DRAWS, seed=1), repeats)
    t_read, _ = best(lambda: S.rows(S.sample_rows(DRAWS, seed=1)), repeats)
    t_ent, _ = best(lambda: S.sample_entries(DRAWS, seed=2), repeats)
    out = {"rows_ms": 1e3 * t_rows, "rows_and_read_ms": 1e3 * t_read, "entries_ms": 1e3 * t_ent}
    if cpu:  # in-process work only (a cluster's work is on other processes)
        out["rows_cpu_ms"] = 1e3 * best_cpu(lambda: S.sample_rows(DRAWS, seed=1), repeats)
        out["entries_cpu_ms"] = 1e3 * best_cpu(lambda: S.sample_entries(DRAWS, seed=2), repeats)
    return out


def sq(args: argparse.Namespace, client: Any) -> dict[str, Any]:
    out: dict[str, Any] = {"draws": DRAWS, "load_before": load(), "ram": {}, "sharded": {}}
    tmp = Path(tempfile.mkdtemp(prefix="qtwin-dist-", dir=args.tmp))
    try:
        for m in [10**4, 10**5, 10**6, 10**7]:
            A = np.random.default_rng(m).standard_normal((m, 2), dtype=np.float32)
            S = SQMatrix(A, copy=False)
            out["ram"][str(m)] = sq_times(S, args.sq_repeats, cpu=True)
            print(f"SQ in RAM      m={m:>11,d}: {out['ram'][str(m)]}", flush=True)
            del S, A
        m = 10**7
        write_matrix(tmp / "A.npy", m, 1)
        t = time.perf_counter()
        S = SQMatrix.from_npy(tmp / "A.npy", tree_path=tmp / "A.tree.npy")
        build = time.perf_counter() - t
        out["memmap_1e7"] = {**sq_times(S, args.sq_repeats, cpu=True), "build_s": build}
        print(f"SQ memmapped   m={m:>11,d}: {out['memmap_1e7']}", flush=True)
        del S
        for f in tmp.iterdir():
            f.unlink()
        sizes = [10**6, 10**7] + ([] if args.quick else [10**8])
        for m in sizes:
            need = m * 2 * (4 + 8) * 1.1
            if shutil.disk_usage(tmp).free < need + 2e9:
                out["sharded"][str(m)] = {"skipped": "not enough free disk"}
                print(f"SQ sharded m={m}: skipped (disk)", flush=True)
                continue
            paths = []
            for k in range(4):
                p = tmp / f"s{k}.npy"
                write_matrix(p, m // 4, 100 + k)
                paths.append(str(p))
            t = time.perf_counter()
            A = ShardedSQMatrix(paths, cluster=client, tree_dir=tmp)
            build = time.perf_counter() - t
            row = {**sq_times(A, args.sq_repeats), "build_s": build, "shards": 4, "load": load()}
            out["sharded"][str(m)] = row
            print(f"SQ sharded (2 workers) m={m:>11,d}: {row}", flush=True)
            A.close()
            del A
            client.run(_collect)
            for f in tmp.iterdir():
                f.unlink()
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    ram = [v["rows_ms"] for v in out["ram"].values()]
    out["ram_spread"] = max(ram) / min(ram)
    out["memmap_1e7_over_ram_min"] = out["memmap_1e7"]["rows_ms"] / min(ram)
    cpu = [v["rows_cpu_ms"] for v in out["ram"].values()]
    out["ram_spread_cpu"] = max(cpu) / min(cpu)
    out["memmap_1e7_over_ram_min_cpu"] = out["memmap_1e7"]["rows_cpu_ms"] / min(cpu)
    sh = [v["rows_ms"] for v in out["sharded"].values() if "rows_ms" in v]
    out["sharded_spread"] = max(sh) / min(sh) if sh else None
    out["load_after"] = load()
    print(
        f"spreads (max/min time to draw {DRAWS} rows): in RAM 1e4..1e7 {out['ram_spread']:.2f}x "
        f"(CPU {out['ram_spread_cpu']:.2f}x); memmapped 1e7 / RAM min "
        f"{out['memmap_1e7_over_ram_min']:.2f}x (CPU {out['memmap_1e7_over_ram_min_cpu']:.2f}x); "
        f"sharded {out['sharded_spread'] and round(out['sharded_spread'], 2)}x",
        flush=True,
    )
    return out


def _collect() -> None:
    import gc

    gc.collect()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--repeats", type=int, default=2)
    parser.add_argument("--sq-repeats", type=int, default=15, help="best of, per SQ timing")
    parser.add_argument("--noop-units", type=int, default=500)
    parser.add_argument("--only", choices=["speedup", "overhead", "sq"], default=None)
    parser.add_argument("--tmp", default=tempfile.gettempdir())
    parser.add_argument(
        "--out", default=str(Path(__file__).parent / "results" / "distributed.json")
    )
    args = parser.parse_args()
    logging.getLogger("distributed").setLevel(logging.WARNING)
    result: dict[str, Any] = {
        "machine": {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "processor": platform.processor(),
        },
        "load_start": load(),
        "quick": args.quick,
    }
    print(f"{os.cpu_count()} CPUs, load average {load()}", flush=True)
    clients = {n: get_client(f"dask:{n}") for n in (1, 2)}
    try:
        if args.only in (None, "speedup"):
            result["speedup"] = speedup(args, clients)
        if args.only in (None, "overhead"):
            result["overhead"] = overhead(args, clients[2])
        if args.only in (None, "sq"):
            close_client(clients.pop(1))
            result["sq"] = sq(args, clients[2])
    finally:
        for c in clients.values():
            close_client(c)
    result["load_end"] = load()
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=2))
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
