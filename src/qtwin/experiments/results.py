"""A finished run as pandas DataFrames: :func:`load_results`.

``results.json`` and the unit files are nested JSON; analysis wants tables. A run folder
(or its ``results.json``) becomes a :class:`RunResults` with

- ``metrics``: one row per scalar leaf of ``results["metrics"]`` (tidy form): ``metric``
  (the path joined by ``/``, e.g. ``summary/tensornet/max_abs_dev``), ``path`` (the path
  as a tuple of keys and list indices) and ``value``;
- ``units``: one row per scalar leaf of every finished work unit's value: ``unit`` (its
  name, e.g. ``estimate/qft_8/aer``), ``field`` (the path inside the value, ``""`` for a
  scalar value), ``path`` and ``value``;
- ``tables``: every list of records (``[{...}, {...}]``) and every dict of records
  (``{key: {...}}``) inside the metrics as its own wide DataFrame, keyed by its path, e.g.
  ``tables["rows"]`` for simulate's per-circuit, per-backend rows;
- ``config``, ``seed``, ``backend``, ``experiment`` and the whole ``raw`` results.

:func:`unflatten` turns the tidy rows back into the nested value (empty dicts and lists
are kept as leaves), so nothing is lost in the conversion.

Example:
    >>> import tempfile
    >>> from qtwin.experiments import run_experiment
    >>> out = tempfile.mkdtemp()
    >>> _ = run_experiment("simulate", out=out, progress=False,
    ...                    overrides={"circuits": "ghz_12", "backends": "tensornet"})
    >>> res = load_results(out)
    >>> res.tables["rows"][["circuit", "backend", "status"]].values.tolist()
    [['ghz_12', 'tensornet', 'ok']]
    >>> sorted(res.units["unit"].unique())
    ['estimate/ghz_12/tensornet', 'reference/ghz_12', 'state/ghz_12']
    >>> unflatten(res.metrics) == res.raw["metrics"]
    True
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["RunResults", "load_results", "flatten", "unflatten"]

PathKey = tuple[str | int, ...]


def flatten(value: Any, prefix: PathKey = ()) -> Iterator[tuple[PathKey, Any]]:
    """``(path, leaf)`` for every scalar leaf of a JSON value; empty containers are leaves.

    Example:
        >>> list(flatten({"a": [1, {"b": 2}], "c": {}}))
        [(('a', 0), 1), (('a', 1, 'b'), 2), (('c',), {})]
    """
    if isinstance(value, dict) and value:
        for key, sub in value.items():
            yield from flatten(sub, (*prefix, str(key)))
    elif isinstance(value, list) and value:
        for i, sub in enumerate(value):
            yield from flatten(sub, (*prefix, i))
    else:
        yield prefix, value


def unflatten(rows: Any) -> Any:
    """The nested value from ``(path, leaf)`` pairs, or from a DataFrame's ``path``/``value``.

    Integer path components are list indices, strings are dict keys.

    Example:
        >>> unflatten([(("a", 0), 1), (("a", 1, "b"), 2), (("c",), {})])
        {'a': [1, {'b': 2}], 'c': {}}
    """
    if hasattr(rows, "columns"):
        pairs = list(zip(rows["path"], rows["value"], strict=True))
    else:
        pairs = list(rows)
    if len(pairs) == 1 and pairs[0][0] == ():
        return pairs[0][1]
    root: Any = None
    for path, leaf in pairs:
        if not path:
            raise ValueError("an empty path can only be the single leaf of a scalar value")
        if root is None:
            root = [] if isinstance(path[0], int) else {}
        node = root
        for key, nxt in zip(path, (*path[1:], None), strict=True):
            if nxt is None:
                _put(node, key, leaf)
            else:
                if not _has(node, key):
                    _put(node, key, [] if isinstance(nxt, int) else {})
                node = node[key]
    return root


def _has(node: Any, key: str | int) -> bool:
    return key < len(node) if isinstance(node, list) else key in node


def _put(node: Any, key: str | int, value: Any) -> None:
    if isinstance(node, list):
        if key != len(node):
            raise ValueError(f"list index {key} out of order (have {len(node)} items)")
        node.append(value)
    else:
        node[key] = value


def _is_record(value: Any) -> bool:
    return (
        isinstance(value, dict)
        and bool(value)
        and not any(isinstance(v, dict) for v in value.values())
    )


def _tables(value: Any, prefix: PathKey = ()) -> Iterator[tuple[str, list[dict[str, Any]]]]:
    """``(path, records)`` for lists of records and dicts of records inside ``value``."""
    name = "/".join(str(p) for p in prefix)
    if isinstance(value, list) and value and all(_is_record(v) for v in value):
        yield name, [dict(v) for v in value]
        return
    if isinstance(value, dict) and value and all(_is_record(v) for v in value.values()):
        yield name, [{"key": k, **v} for k, v in value.items()]
        return
    if isinstance(value, dict):
        for key, sub in value.items():
            yield from _tables(sub, (*prefix, str(key)))
    elif isinstance(value, list):
        for i, sub in enumerate(value):
            yield from _tables(sub, (*prefix, i))


@dataclass
class RunResults:
    """A finished run as DataFrames (see the module docstring)."""

    experiment: str | None
    config: dict[str, Any]
    seed: int | None
    backend: str | None
    metrics: pd.DataFrame
    units: pd.DataFrame
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)
    raw: dict[str, Any] = field(default_factory=dict)

    def metric(self, name: str) -> Any:
        """The value of the scalar metric ``name`` (a ``/``-joined path).

        Raises:
            KeyError: no such metric (the message lists a few that exist).
        """
        hit = self.metrics.loc[self.metrics["metric"] == name, "value"]
        if hit.empty:
            some = ", ".join(self.metrics["metric"].head(8))
            raise KeyError(f"no metric {name!r}; metrics include: {some}")
        return hit.iloc[0]


def _unit_rows(out_dir: Path, fingerprint: str | None) -> list[dict[str, Any]]:
    from qtwin.experiments.store import _read_unit_file

    rows: list[dict[str, Any]] = []
    units_dir = out_dir / "units"
    if not units_dir.is_dir():
        return rows
    for path in sorted(units_dir.glob("*.json")):
        try:
            record = _read_unit_file(path)
        except (OSError, ValueError):
            continue
        if fingerprint is not None and record.get("fingerprint") != fingerprint:
            continue
        for sub, leaf in flatten(record["value"]):
            rows.append(
                {
                    "unit": str(record["unit"]),
                    "field": "/".join(str(p) for p in sub),
                    "path": sub,
                    "value": leaf,
                }
            )
    rows.sort(key=lambda r: r["unit"])  # stable: leaves keep their order within a unit
    return rows


def _frame(rows: list[dict[str, Any]], columns: list[str]) -> pd.DataFrame:
    """A DataFrame whose ``value`` column keeps each leaf's own type (object dtype), so
    ints stay ints beside floats."""
    import pandas as pd

    data = {c: pd.Series([r[c] for r in rows], dtype=object) for c in columns}
    frame = pd.DataFrame(data, columns=columns)
    for c in columns:
        if c not in ("value", "path"):
            frame[c] = frame[c].astype(str)
    return frame


def load_results(path: str | os.PathLike[str]) -> RunResults:
    """Load a finished run (its folder, or its ``results.json``) as DataFrames.

    Only the units of this run are read (the run's fingerprint is recomputed from the
    experiment, config, seed and backend in ``results.json``).

    Args:
        path: a run's output folder or its ``results.json``.

    Returns:
        A :class:`RunResults`.

    Raises:
        FileNotFoundError: no ``results.json`` there.
        ValueError: ``results.json`` is not a JSON object (the message names it).
    """
    import pandas as pd

    from qtwin.experiments.report import _load_results
    from qtwin.experiments.runner import run_fingerprint

    path = Path(path)
    results_path = path if path.name == "results.json" and path.is_file() else path / "results.json"
    if not results_path.is_file():
        raise FileNotFoundError(f"no results.json in {path}: run an experiment into it first")
    raw = _load_results(results_path)
    out_dir = results_path.parent
    spec = {k: raw.get(k) for k in ("experiment", "config", "seed", "backend")}
    try:
        fingerprint: str | None = run_fingerprint(spec)
    except (TypeError, ValueError):
        fingerprint = None
    metrics_value = raw.get("metrics", {})
    metric_rows = [
        {"metric": "/".join(str(p) for p in sub), "path": sub, "value": leaf}
        for sub, leaf in flatten(metrics_value)
    ]
    metrics = _frame(metric_rows, ["metric", "path", "value"])
    units = _frame(_unit_rows(out_dir, fingerprint), ["unit", "field", "path", "value"])
    tables = {name: pd.DataFrame(records) for name, records in _tables(metrics_value)}
    config = raw.get("config")
    seed = raw.get("seed")
    return RunResults(
        experiment=raw.get("experiment") if isinstance(raw.get("experiment"), str) else None,
        config=config if isinstance(config, dict) else {},
        seed=seed if isinstance(seed, int) and not isinstance(seed, bool) else None,
        backend=raw.get("backend") if isinstance(raw.get("backend"), str) else None,
        metrics=metrics,
        units=units,
        tables=tables,
        raw=json.loads(json.dumps(raw)),
    )
