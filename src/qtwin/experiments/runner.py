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
"""

from __future__ import annotations

import json
import os
import shutil
import time
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from tqdm import tqdm

from qtwin.experiments.config import apply_overrides
from qtwin.experiments.provenance import dependency_versions, utc_now
from qtwin.experiments.registry import Progress, get_experiment
from qtwin.experiments.store import ResultStore, atomic_write_json, to_jsonable

__all__ = ["ConfigMismatchError", "default_out_dir", "make_progress", "run_experiment"]

RUN_FILE = "run.json"
RESULTS_FILE = "results.json"
REPORT_FILE = "report.html"


class ConfigMismatchError(ValueError):
    """The output folder holds (part of) a run with a different experiment/config/seed/backend."""


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
        return tqdm(iterable, total=total, desc=desc, disable=not enabled, leave=False)

    return progress


def _spec_diff(old: Mapping[str, Any], new: Mapping[str, Any]) -> list[str]:
    diffs = []
    for key in ("experiment", "seed", "backend"):
        if old.get(key) != new.get(key):
            diffs.append(f"{key} {old.get(key)!r} -> {new.get(key)!r}")
    old_cfg, new_cfg = old.get("config", {}), new.get("config", {})
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
        except (OSError, ValueError):
            figures = []
        for name in figures:
            if isinstance(name, str) and Path(name).name == name:
                (out_dir / name).unlink(missing_ok=True)
    for name in (RESULTS_FILE, RUN_FILE, REPORT_FILE):
        (out_dir / name).unlink(missing_ok=True)
    shutil.rmtree(out_dir / "units", ignore_errors=True)


def _has_results(out_dir: Path) -> bool:
    """Whether ``out_dir`` holds anything worth protecting: finished units or results."""
    units = out_dir / "units"
    return (out_dir / RESULTS_FILE).is_file() or (units.is_dir() and any(units.glob("*.json")))


def _prepare(out_dir: Path, spec: dict[str, Any], overwrite: bool) -> str:
    """Check ``out_dir`` against ``spec`` (or clear it), write run.json, return its time."""
    run_file = out_dir / RUN_FILE
    if run_file.is_file():
        try:
            old = json.loads(run_file.read_text(encoding="utf-8"))
        except (OSError, ValueError):
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
) -> dict[str, Any]:
    """Run experiment ``name`` and write ``results.json`` and figures into ``out``.

    Args:
        name: a registered experiment (see :func:`~qtwin.experiments.list_experiments`).
        backend: restrict the experiment to one backend name (as for
            :func:`qtwin.backends.get_backend`); ``None`` uses the experiment's default.
        seed: seed of all randomness of the run.
        out: output folder; ``runs/<name>`` when omitted.
        overrides: ``{key: value}`` changes to the default config; string values are
            parsed like ``--set key=value`` (see :func:`~qtwin.experiments.config.apply_overrides`).
        overwrite: discard an earlier run in ``out`` that has a different config instead of
            raising :class:`ConfigMismatchError`.
        progress: draw tqdm progress bars.

    Returns:
        The contents of ``results.json`` plus ``"out_dir"``: the output folder.

    Raises:
        ValueError: unknown experiment or config key, or a bad override value.
        ConfigMismatchError: ``out`` holds a different run and ``overwrite`` is false.

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
    config = apply_overrides(experiment.default_config, overrides)
    if isinstance(seed, bool) or not isinstance(seed, int):
        try:
            import numpy as np

            if not isinstance(seed, np.integer):
                raise TypeError
            seed = int(seed)
        except TypeError:
            raise TypeError(f"seed must be an integer, got {seed!r}") from None
    if backend is not None and (not isinstance(backend, str) or not backend):
        raise TypeError(f"backend must be a backend name (str) or None, got {backend!r}")
    out_dir = Path(out) if out is not None else default_out_dir(name)
    out_dir.mkdir(parents=True, exist_ok=True)

    spec = to_jsonable({"experiment": name, "config": config, "seed": seed, "backend": backend})
    created = _prepare(out_dir, spec, overwrite)

    store = ResultStore(out_dir)
    started = utc_now()
    t0 = time.perf_counter()
    metrics = experiment.run(
        json.loads(json.dumps(spec["config"])),
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
        "metrics": metrics,
    }
    results = to_jsonable(results)
    atomic_write_json(out_dir / RESULTS_FILE, results)
    results["out_dir"] = str(out_dir)
    return results
