"""Running an experiment: config + overrides in, ``results.json`` and figures out, resumable.

The output folder holds

- ``run.json``: what the run is (experiment, config, seed, backend), written first;
- ``units/``: one JSON file per finished work unit (see :class:`ResultStore`);
- ``results.json``: config, seed, backend, versions, timestamps and metrics, written last;
- ``*.png``: the figures.

Running again into the same folder with the same experiment, config, seed and backend
resumes: finished units are read back, not recomputed. Anything else raises
:class:`ConfigMismatchError` unless ``overwrite=True`` (``--force``), or unless the earlier
run finished nothing (it failed at once, say on a misspelt backend name).

With ``cluster=`` (``qtwin run --cluster SPEC``, or ``QTWIN_CLUSTER``) the units an
experiment computes with :meth:`ResultStore.compute_many` run as Dask futures; this
process stores each result as it completes, so resume, lock and progress work as for a
local run, and the results equal a local run's (unit seeds derive from the run seed and
the unit name only). The cluster is connected before anything is written: an unreachable
scheduler is a :class:`ConnectionError` naming its address and leaves the folder alone.

Two processes never write into one folder at once: a run holds a lock on the folder
(:func:`run_lock`, a :class:`filelock.FileLock` on ``.qtwin.lock``) from the config check to
``results.json``; a second run waits up to ``wait`` seconds and then raises
:class:`RunLockedError` naming the holder. Unit files carry the run's fingerprint
(:func:`run_fingerprint`) in their names, so units of another config are never read back.
A damaged ``run.json`` is refused with the fix; a damaged unit file is recomputed.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import socket
import sys
import time
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from filelock import FileLock, Timeout

from qtwin._io import atomic_write_json, to_jsonable
from qtwin._progress import progress as _progress
from qtwin.experiments.config import config_to_dict
from qtwin.experiments.provenance import dependency_versions, git_commit, utc_now
from qtwin.experiments.registry import Progress, get_experiment, validate_backend
from qtwin.experiments.store import ResultStore

__all__ = [
    "ConfigMismatchError",
    "DamagedRunFileError",
    "RunLockedError",
    "default_out_dir",
    "make_progress",
    "run_experiment",
    "run_fingerprint",
    "run_lock",
    "reproduce_command",
    "cluster_from_env",
    "CLUSTER_ENV",
]

#: Environment variable naming the cluster spec of ``qtwin run``/``qtwin tour`` when no
#: ``--cluster`` is given (the flag wins).
CLUSTER_ENV = "QTWIN_CLUSTER"

RUN_FILE = "run.json"
RESULTS_FILE = "results.json"
REPORT_FILE = "report.html"
LOCK_FILE = ".qtwin.lock"
HOLDER_FILE = ".qtwin.lock.json"


class ConfigMismatchError(ValueError):
    """The output folder holds (part of) a run with a different experiment/config/seed/backend."""


class DamagedRunFileError(ConfigMismatchError):
    """The output folder's ``run.json`` cannot be read, so what it holds is unknown."""


class RunLockedError(ValueError):
    """Another process is running into the same output folder."""


def run_fingerprint(spec: Mapping[str, Any]) -> str:
    """A 16-hex-digit fingerprint of a run spec (experiment, config, seed, backend).

    Equal specs give equal fingerprints whatever their key order.

    Example:
        >>> a = run_fingerprint({"experiment": "rb", "config": {"n": 1, "m": 2}, "seed": 0})
        >>> a == run_fingerprint({"seed": 0, "config": {"m": 2, "n": 1}, "experiment": "rb"})
        True
        >>> len(a), a == run_fingerprint({"experiment": "rb", "config": {"n": 2}, "seed": 0})
        (16, False)
    """
    text = json.dumps(spec, sort_keys=True, separators=(",", ":"), allow_nan=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def _holder(out_dir: Path) -> str:
    """Who holds the lock of ``out_dir``, as far as its holder file says."""
    try:
        info = json.loads((out_dir / HOLDER_FILE).read_text(encoding="utf-8"))
        return (
            f"process {info['pid']} on {info['host']} since {info['since']}: "
            f"{' '.join(map(str, info['argv']))}"
        )
    except (OSError, ValueError, KeyError, TypeError):
        return "a process that did not say who it is"


@contextmanager
def run_lock(out: str | os.PathLike[str], *, wait: float = 0.0) -> Iterator[Path]:
    """Hold the lock of output folder ``out`` (created when missing) for the ``with`` body.

    Re-entrant within one thread, so the CLI can hold it around a run and its report.

    Args:
        out: the output folder.
        wait: seconds to wait for another holder to finish (``0``: do not wait).

    Raises:
        RunLockedError: when another process still holds the lock after ``wait`` seconds;
            the message names it (pid, host, start time, command).

    Example:
        >>> import tempfile
        >>> with run_lock(tempfile.mkdtemp()) as out_dir:
        ...     (out_dir / ".qtwin.lock.json").is_file()
        True
    """
    if isinstance(wait, bool) or not isinstance(wait, (int, float)) or not wait >= 0:
        raise ValueError(f"wait must be a number of seconds >= 0, got {wait!r}")
    out_dir = Path(out)
    out_dir.mkdir(parents=True, exist_ok=True)
    lock = FileLock(out_dir / LOCK_FILE, is_singleton=True)
    try:
        lock.acquire(timeout=float(wait))
    except Timeout:
        raise RunLockedError(
            f"{out_dir} is in use by another qtwin run ({_holder(out_dir)}). Wait for it to "
            f"finish (qtwin run --wait SECONDS), or write into another folder (--out)."
        ) from None
    outermost = lock.lock_counter == 1
    try:
        if outermost:
            info = {"pid": os.getpid(), "host": socket.gethostname(), "since": utc_now()}
            atomic_write_json(out_dir / HOLDER_FILE, {**info, "argv": sys.argv})
        yield out_dir
    finally:
        if outermost:
            (out_dir / HOLDER_FILE).unlink(missing_ok=True)
        lock.release()


def cluster_from_env(flag: str | None) -> str | None:
    """The cluster spec of a CLI run: ``flag`` when given, else ``$QTWIN_CLUSTER``, else None.

    Example:
        >>> import os
        >>> os.environ["QTWIN_CLUSTER"] = "dask:2"
        >>> cluster_from_env(None), cluster_from_env("local")
        ('dask:2', 'local')
        >>> del os.environ["QTWIN_CLUSTER"]
    """
    if flag is not None:
        return flag
    value = os.environ.get(CLUSTER_ENV, "").strip()
    return value or None


def _describe_cluster(client: Any) -> dict[str, Any] | None:
    """``{"scheduler": address, "workers": n}`` of a client (``None``: in-process)."""
    if client is None:
        return None
    try:
        info = client.scheduler_info()
        return {"scheduler": str(client.scheduler.address), "workers": len(info["workers"])}
    except Exception:  # noqa: BLE001 - provenance only
        return {"scheduler": str(getattr(client, "scheduler", "?")), "workers": None}


def reproduce_command(
    name: str,
    config: Mapping[str, Any],
    defaults: Mapping[str, Any],
    *,
    seed: int,
    backend: str | None,
) -> str:
    """The ``qtwin run`` command line that repeats a run (config keys off their default).

    Example:
        >>> reproduce_command("rb", {"dims": [2, 3], "shots": 50}, {"dims": [2], "shots": 50},
        ...                   seed=1, backend=None)
        'qtwin run rb --seed 1 --set dims=2,3'
    """
    import shlex

    def text(value: Any) -> str:
        if value is None:
            return "none"
        if isinstance(value, bool):
            return str(value).lower()
        if isinstance(value, list):
            if all(isinstance(v, (int, float, str)) and "," not in str(v) for v in value):
                return ",".join(str(v) for v in value)
            return json.dumps(value)
        return str(value)

    parts = ["qtwin", "run", name, "--seed", str(seed)]
    if backend is not None:
        parts += ["--backend", backend]
    for key, value in config.items():
        if key not in defaults or defaults[key] != value:
            parts += ["--set", f"{key}={text(value)}"]
    return " ".join(shlex.quote(p) for p in parts)


def default_out_dir(name: str) -> Path:
    """The default output folder of experiment ``name``: ``runs/<name>`` (relative to cwd)."""
    return Path("runs") / name


def make_progress(enabled: bool = True) -> Progress:
    """Return a :class:`~qtwin.experiments.registry.Progress` drawing tqdm bars (or none).

    Example:
        >>> list(make_progress(False)(range(3), desc="silent"))
        [0, 1, 2]
    """

    def progress(
        iterable: Iterable[Any], *, total: int | None = None, desc: str | None = None
    ) -> Iterable[Any]:
        return _progress(iterable, total=total, desc=desc, enabled=enabled)

    return progress


def _spec_diff(old: Mapping[str, Any], new: Mapping[str, Any]) -> list[str]:
    diffs = []
    for key in ("experiment", "seed", "backend"):
        if old.get(key) != new.get(key):
            diffs.append(f"{key} {old.get(key)!r} -> {new.get(key)!r}")
    old_cfg, new_cfg = old.get("config"), new.get("config")
    old_cfg = old_cfg if isinstance(old_cfg, dict) else {}
    new_cfg = new_cfg if isinstance(new_cfg, dict) else {}
    for key in sorted(set(old_cfg) | set(new_cfg)):
        if old_cfg.get(key, "<missing>") != new_cfg.get(key, "<missing>"):
            diffs.append(
                f"{key} {old_cfg.get(key, '<missing>')!r} -> {new_cfg.get(key, '<missing>')!r}"
            )
    return diffs


def _clear(out_dir: Path) -> None:
    """Remove the files an earlier run wrote into ``out_dir`` (and nothing else)."""
    results = out_dir / RESULTS_FILE
    if results.is_file():
        try:
            figures = json.loads(results.read_text(encoding="utf-8")).get("figures", [])
        except (OSError, ValueError, RecursionError, AttributeError):
            figures = []
        for name in figures if isinstance(figures, list) else []:
            if isinstance(name, str) and Path(name).name == name:
                (out_dir / name).unlink(missing_ok=True)
    for name in (RESULTS_FILE, RUN_FILE, REPORT_FILE):
        (out_dir / name).unlink(missing_ok=True)
    shutil.rmtree(out_dir / "units", ignore_errors=True)


def _has_results(out_dir: Path) -> bool:
    """Whether ``out_dir`` holds anything worth protecting: finished units or results."""
    units = out_dir / "units"
    return (out_dir / RESULTS_FILE).is_file() or (units.is_dir() and any(units.glob("*.json")))


def _read_run_file(run_file: Path) -> dict[str, Any]:
    """The contents of ``run.json``; :class:`DamagedRunFileError` with the fix when unreadable."""
    try:
        old = json.loads(run_file.read_text(encoding="utf-8"))
        problem = "" if isinstance(old, dict) else f"a JSON {type(old).__name__}, not an object"
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as exc:
        problem = f"not valid JSON: {exc}"
    if problem:
        raise DamagedRunFileError(
            f"{run_file} is damaged ({problem}), so it is unknown which run {run_file.parent} "
            f"holds. Rerun with --force (overwrite=True) to discard that folder's results, or "
            f"write into another folder (--out)."
        )
    return old


def _prepare(out_dir: Path, spec: dict[str, Any], overwrite: bool) -> str:
    """Check ``out_dir`` against ``spec`` (or clear it), write run.json, return its time."""
    run_file = out_dir / RUN_FILE
    if run_file.is_file() or run_file.is_symlink():
        try:
            old = _read_run_file(run_file)
        except DamagedRunFileError:
            if not overwrite:
                raise
            old = {}
        old_spec = {k: old.get(k) for k in spec}
        if old_spec == spec:
            return str(old.get("created_at") or utc_now())
        if not overwrite and _has_results(out_dir):
            diffs = "; ".join(_spec_diff(old_spec, spec)) or "unreadable run.json"
            raise ConfigMismatchError(
                f"{out_dir} holds results of a different run ({diffs}). Use another output "
                f"folder (--out), or overwrite them with --force (overwrite=True)."
            )
        _clear(out_dir)
    elif overwrite:
        _clear(out_dir)
    created = utc_now()
    atomic_write_json(run_file, {**spec, "created_at": created})
    return created


def run_experiment(
    name: str,
    *,
    backend: str | None = None,
    seed: int = 0,
    out: str | os.PathLike[str] | None = None,
    overrides: Mapping[str, Any] | None = None,
    overwrite: bool = False,
    progress: bool = True,
    wait: float = 0.0,
    cluster: Any = None,
) -> dict[str, Any]:
    """Run experiment ``name`` and write ``results.json`` and figures into ``out``.

    Args:
        name: a registered experiment (see :func:`~qtwin.experiments.list_experiments`).
        backend: restrict the experiment to one backend name (as for
            :func:`qtwin.backends.get_backend`); ``None`` uses the experiment's default.
        seed: seed of all randomness of the run.
        out: output folder; ``runs/<name>`` when omitted.
        overrides: ``{key: value}`` changes to the default config; string values are
            parsed like ``--set key=value`` (see :func:`~qtwin.experiments.config.make_config`);
            or, for an experiment with a typed config, a complete config instance.
        overwrite: discard an earlier run in ``out`` that has a different config instead of
            raising :class:`ConfigMismatchError`.
        progress: draw tqdm progress bars.
        wait: seconds to wait for another run that holds ``out`` (see :func:`run_lock`).
        cluster: where :meth:`ResultStore.compute_many` units run: ``None``/``"local"``
            (this process), ``"dask:N"``, ``"tcp://host:port"`` or a
            :class:`distributed.Client` (see :mod:`qtwin.distributed`). Results are the same
            for every choice; ``results.json`` records it under ``"cluster"``.

    Returns:
        The contents of ``results.json`` plus ``"out_dir"``: the output folder.

    Raises:
        ValueError: unknown experiment or config key, a bad override value (wrong type,
            outside the field's bounds or choices, refused by the config's
            ``__post_init__``), or a backend the experiment cannot use (see
            :func:`~qtwin.experiments.registry.validate_backend`); all raised before
            anything is written into ``out``.
        ConfigMismatchError: ``out`` holds a different run (or a damaged ``run.json``:
            :class:`DamagedRunFileError`) and ``overwrite`` is false.
        RunLockedError: another process runs into ``out`` (after ``wait`` seconds).
        ConnectionError: no scheduler answers at the cluster address (named in the
            message); raised before anything is written.

    Example:
        >>> import tempfile
        >>> res = run_experiment("simulate", out=tempfile.mkdtemp(), progress=False,
        ...                      overrides={"circuits": "ghz_12", "backends": "tensornet"})
        >>> res["config"]["circuits"], res["units"]["computed"]
        (['ghz_12'], 3)
        >>> res["metrics"]["summary"]["tensornet"]["max_abs_dev"] < 1e-12
        True
    """
    experiment = get_experiment(name)
    config = experiment.make_config(overrides)
    if isinstance(seed, bool) or not isinstance(seed, int):
        try:
            import numpy as np

            if not isinstance(seed, np.integer):
                raise TypeError
            seed = int(seed)
        except TypeError:
            raise TypeError(f"seed must be an integer, got {seed!r}") from None
    if seed < 0:
        raise ValueError(f"seed must be an integer >= 0, got {seed}")
    if backend is not None and (not isinstance(backend, str) or not backend):
        raise TypeError(f"backend must be a backend name (str) or None, got {backend!r}")
    validate_backend(name, backend)  # before anything is written into the folder
    out_dir = Path(out) if out is not None else default_out_dir(name)
    spec = to_jsonable(
        {"experiment": name, "config": config_to_dict(config), "seed": seed, "backend": backend}
    )
    from qtwin.distributed import cluster as open_cluster
    from qtwin.distributed import parse_spec

    parse_spec(cluster)  # a bad spec is a ValueError/TypeError before anything is written
    # connected before the folder is touched: an unreachable scheduler writes nothing
    with open_cluster(cluster) as client, run_lock(out_dir, wait=wait):
        return _run_locked(
            experiment,
            out_dir,
            spec,
            overwrite=overwrite,
            progress=progress,
            config=config,
            client=client,
        )


def _run_locked(
    experiment: Any,
    out_dir: Path,
    spec: dict[str, Any],
    *,
    overwrite: bool,
    progress: bool,
    config: Any,
    client: Any = None,
) -> dict[str, Any]:
    """The body of :func:`run_experiment`, run while holding the folder's lock."""
    name, seed, backend = spec["experiment"], spec["seed"], spec["backend"]
    created = _prepare(out_dir, spec, overwrite)
    store = ResultStore(
        out_dir, fingerprint=run_fingerprint(spec), seed=seed, client=client, progress=progress
    )
    started = utc_now()
    t0 = time.perf_counter()
    # typed: the validated (frozen) instance; legacy dict: a private JSON copy
    metrics = experiment.run(
        config if experiment.typed else json.loads(json.dumps(spec["config"])),
        backend=backend,
        seed=seed,
        store=store,
        progress=make_progress(progress),
    )
    wall = time.perf_counter() - t0
    results: dict[str, Any] = {
        "experiment": name,
        "description": experiment.description,
        "config": spec["config"],
        "seed": seed,
        "backend": backend,
        "command": reproduce_command(
            name, spec["config"], experiment.default_config, seed=seed, backend=backend
        ),
        "git_commit": git_commit(),
        "cluster": _describe_cluster(client),
        "versions": dependency_versions(),
        "created_at": created,
        "started_at": started,
        "finished_at": utc_now(),
        "wall_time_s": wall,
        "units": {
            "computed": store.computed,
            "reused": store.reused,
            "total": len(store.completed()),
        },
        "figures": list(store.figures),
        "captions": {k: v for k, v in store.captions.items() if k in store.figures},
        "metrics": metrics,
    }
    results = to_jsonable(results)
    atomic_write_json(out_dir / RESULTS_FILE, results)
    results["out_dir"] = str(out_dir)
    return results
