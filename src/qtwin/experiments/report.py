"""HTML reports of experiment runs, rendered from Jinja2 templates.

:func:`write_report` turns a run folder (``results.json`` and its PNG figures) into one
self-contained ``report.html`` (figures embedded as base64 PNG, so it can be mailed or
attached as a single file), laid out for a reader:

1. the figures first, each with its caption (``results.json["captions"]``, set by the
   experiment with :meth:`~qtwin.experiments.store.ResultStore.save_figure`'s ``caption=``
   or :meth:`~qtwin.experiments.store.ResultStore.caption`; the file name when none);
2. a short summary: the run (backend, seed, wall time, units), the top-level numbers of
   the metrics and ``metrics["summary"]`` when the experiment gives one;
3. all metrics, raw, collapsed in a ``<details>`` element;
4. how to reproduce it: the exact ``qtwin run`` command, the seed, the git commit, the
   config and the versions.

:func:`write_index` writes the ``index.html`` of a tour folder: one card per run with its
headline number (``metrics["headline"]``, see :func:`headline`), a thumbnail of its first
figure and a link to its report.

The templates (``templates/*.html.j2`` beside this module) hold the markup; this module
turns JSON values into the blocks they render. A hand-edited or damaged ``results.json``
still gives a page, or a ``ValueError`` naming the file: any JSON object is accepted
(fields of the wrong type are shown as they are), values nested deeper than
:data:`MAX_DEPTH` are shown as abbreviated JSON, and a figure that is listed but missing
gets a note instead of silently disappearing.
"""

from __future__ import annotations

import base64
import json
import os
from functools import lru_cache
from pathlib import Path
from typing import Any

from qtwin._io import atomic_write_bytes

__all__ = ["write_report", "render_report", "write_index", "render_index", "headline", "MAX_DEPTH"]

#: Nesting depth of metrics rendered as sections and tables; deeper values become JSON text.
MAX_DEPTH = 12

#: Top-level metrics shown in the summary at most (the rest are in "All metrics").
SUMMARY_ROWS = 16


@lru_cache(maxsize=1)
def _environment() -> Any:
    import jinja2

    return jinja2.Environment(
        loader=jinja2.PackageLoader("qtwin.experiments", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )


def _render_template(template: str, /, **context: Any) -> str:
    text = _environment().get_template(template).render(**context)
    return text.rstrip("\n") + "\n"


# --- JSON values as blocks (what templates/_blocks.html.j2 renders) ---------------------


def _fmt(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:.6g}"
    if value is None:
        return "—"
    return str(value)


def _is_scalar(value: Any) -> bool:
    return value is None or isinstance(value, (bool, int, float, str))


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _is_flat_list(value: Any) -> bool:
    return isinstance(value, list) and all(_is_scalar(v) for v in value)


def _is_record(value: Any) -> bool:
    return (
        isinstance(value, dict)
        and bool(value)
        and all(_is_scalar(v) or _is_flat_list(v) for v in value.values())
    )


def _short_json(value: Any, depth: int = 4, limit: int = 2000) -> str:
    """JSON text of ``value`` with containers below ``depth`` levels abbreviated to ``…``."""

    def cut(v: Any, level: int) -> Any:
        if isinstance(v, dict):
            return "{…}" if level >= depth else {str(k): cut(x, level + 1) for k, x in v.items()}
        if isinstance(v, list):
            return "[…]" if level >= depth else [cut(x, level + 1) for x in v]
        return v

    text = json.dumps(cut(value, 0), ensure_ascii=False)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _cell(value: Any) -> dict[str, Any]:
    if _is_flat_list(value):
        return {"text": ", ".join(_fmt(v) for v in value), "num": False, "code": False}
    if _is_scalar(value):
        return {"text": _fmt(value), "num": _is_number(value), "code": False}
    return {"text": _short_json(value), "num": False, "code": True}


def _kv(items: dict[str, Any]) -> dict[str, Any]:
    return {"kind": "kv", "rows": [(str(k), _cell(v)) for k, v in items.items()]}


def _records(records: list[dict[str, Any]]) -> dict[str, Any]:
    columns: list[str] = []
    for record in records:
        columns.extend(k for k in record if k not in columns)
    rows = [[_cell(r.get(c)) for c in columns] for r in records]
    return {"kind": "records", "columns": [str(c) for c in columns], "rows": rows}


def _block(value: Any, level: int = 3) -> dict[str, Any]:
    """A JSON value as a block: scalars as text, dicts as tables/sections, records as tables."""
    if level - 3 >= MAX_DEPTH and isinstance(value, (dict, list)):
        return {"kind": "json", "text": _short_json(value)}
    if isinstance(value, dict) and not value:
        return {"kind": "none"}
    if isinstance(value, dict) and all(_is_record(v) for v in value.values()):
        # {key: {field: scalar}}: one row per key
        return _records([{"": k, **v} for k, v in value.items()])
    if isinstance(value, dict):
        scalars = {k: v for k, v in value.items() if _is_scalar(v) or _is_flat_list(v)}
        parts = [{"title": None, "level": 0, "body": _kv(scalars)}] if scalars else []
        for key, sub in value.items():
            if key not in scalars:
                parts.append(
                    {"title": str(key), "level": min(level, 6), "body": _block(sub, level + 1)}
                )
        return {"kind": "group", "parts": parts}
    if isinstance(value, list):
        if value and all(isinstance(v, dict) for v in value):
            return _records(value)
        if _is_flat_list(value):
            return {"kind": "text", "text": ", ".join(_fmt(v) for v in value)}
        return {"kind": "list", "entries": [_block(v, level + 1) for v in value]}
    return {"kind": "text", "text": _fmt(value)}


def _mapping_block(value: Any) -> dict[str, Any]:
    """A two-column table for a dict, the generic block for anything else."""
    if isinstance(value, dict):
        return _kv(value) if value else {"kind": "none"}
    return _block(value)


# --- reading a run -----------------------------------------------------------------------


def _load_results(results_path: Path) -> dict[str, Any]:
    """Read ``results.json``; ``ValueError`` naming the file when it is not a JSON object."""
    try:
        results = json.loads(results_path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ValueError(f"{results_path} is not valid JSON: {exc}") from None
    except RecursionError:
        raise ValueError(f"{results_path} is nested too deeply to read") from None
    if not isinstance(results, dict):
        raise ValueError(
            f"{results_path} must hold a JSON object (a run's results), "
            f"got a JSON {type(results).__name__}"
        )
    return results


def _figure_names(out_dir: Path, results: dict[str, Any]) -> tuple[list[str], list[str]]:
    """The figure files to show (listed ones first, then other PNGs) and the listed-but-missing."""
    listed = results.get("figures")
    listed = [n for n in listed if isinstance(n, str)] if isinstance(listed, list) else []
    names = [n for n in listed if Path(n).name == n and (out_dir / n).is_file()]
    missing = [n for n in listed if n not in names]
    extra = sorted(p.name for p in out_dir.glob("*.png") if p.is_file() and p.name not in names)
    return names + extra, missing


def _caption(results: dict[str, Any], fname: str) -> str:
    """The experiment's caption of ``fname``, else its file name in words."""
    captions = results.get("captions")
    text = captions.get(fname) if isinstance(captions, dict) else None
    if isinstance(text, str) and text.strip():
        return text.strip()
    words = Path(fname).stem.replace("_", " ").replace("-", " ").strip()
    return (words[:1].upper() + words[1:] + ".") if words else fname


def headline(results: dict[str, Any]) -> dict[str, str] | None:
    """The run's headline number: ``{"label": ..., "text": ...}`` or ``None``.

    An experiment names it in ``metrics["headline"]``: a string, or a one-entry dict
    ``{label: number}``. Otherwise the first number among the top-level metrics (then
    those of ``metrics["summary"]``) that is not a config value is used, floats before
    integers (counts and sizes rarely make a headline).

    Example:
        >>> headline({"metrics": {"headline": {"max deviation": 3.2e-13}}})
        {'label': 'max deviation', 'text': '3.2e-13'}
        >>> headline({"config": {"users": 500}, "metrics": {"users": 500, "runs": 2,
        ...                                               "error": 0.01}})
        {'label': 'error', 'text': '0.01'}
    """
    metrics = results.get("metrics")
    if not isinstance(metrics, dict):
        return None
    given = metrics.get("headline")
    if isinstance(given, str) and given.strip():
        return {"label": "headline", "text": given.strip()}
    if isinstance(given, dict) and given:
        label, value = next(iter(given.items()))
        return {"label": str(label), "text": _fmt(value)}
    config = results.get("config")
    config_keys = set(config) if isinstance(config, dict) else set()
    candidates: list[tuple[str, Any]] = [
        (str(k), v) for k, v in metrics.items() if _is_number(v) and k not in config_keys
    ]
    summary = metrics.get("summary")
    if isinstance(summary, dict):
        for key, value in summary.items():
            if _is_number(value):
                candidates.append((str(key), value))
            elif isinstance(value, dict):
                candidates += [(f"{key} {sub}", v) for sub, v in value.items() if _is_number(v)]
    candidates.sort(key=lambda kv: not isinstance(kv[1], float))  # stable: floats first
    if not candidates:
        return None
    label, value = candidates[0]
    return {"label": label, "text": _fmt(value)}


def _summary_block(metrics: Any) -> dict[str, Any] | None:
    """Top-level scalar metrics (at most :data:`SUMMARY_ROWS`) and ``metrics["summary"]``."""
    if not isinstance(metrics, dict):
        return None
    scalars = {
        k: v for k, v in metrics.items() if k != "headline" and _is_scalar(v) and v is not None
    }
    scalars = dict(list(scalars.items())[:SUMMARY_ROWS])
    parts = [{"title": None, "level": 0, "body": _kv(scalars)}] if scalars else []
    if "summary" in metrics and isinstance(metrics["summary"], (dict, list)):
        parts.append({"title": None, "level": 0, "body": _block(metrics["summary"], 4)})
    return {"kind": "group", "parts": parts} if parts else None


def _command(results: dict[str, Any]) -> str:
    command = results.get("command")
    if isinstance(command, str) and command.strip():
        return command
    from qtwin.experiments.runner import reproduce_command

    config = results.get("config")
    seed = results.get("seed")
    backend = results.get("backend")
    return reproduce_command(
        str(results.get("experiment", "NAME")),
        config if isinstance(config, dict) else {},
        {},
        seed=seed if isinstance(seed, int) and not isinstance(seed, bool) else 0,
        backend=backend if isinstance(backend, str) else None,
    )


def render_report(out_dir: str | os.PathLike[str]) -> str:
    """Return the HTML text of the report of the run in ``out_dir`` (see :func:`write_report`)."""
    out_dir = Path(out_dir)
    results_path = out_dir / "results.json"
    if not results_path.is_file():
        raise FileNotFoundError(
            f"no results.json in {out_dir}: run an experiment into it first "
            f"(qtwin run NAME --out {out_dir})"
        )
    results = _load_results(results_path)
    name = _fmt(results.get("experiment", out_dir.name))

    run_rows: dict[str, Any] = {
        "experiment": name,
        "backend": results.get("backend") or "(experiment default)",
        "seed": results.get("seed"),
        "wall_time_s": results.get("wall_time_s"),
    }
    units = results.get("units")
    if isinstance(units, dict):
        run_rows.update({f"units {k}": v for k, v in units.items()})
    cluster = results.get("cluster")
    if isinstance(cluster, dict):
        run_rows["cluster"] = f"{cluster.get('scheduler')} ({cluster.get('workers')} workers)"
    run_rows["finished_at"] = results.get("finished_at")

    versions = results.get("versions")
    repro_rows: dict[str, Any] = {
        "seed": results.get("seed"),
        "git commit": results.get("git_commit") or "(unknown: not run from a git checkout)",
        "qtwin": versions.get("qtwin") if isinstance(versions, dict) else None,
        "python": versions.get("python") if isinstance(versions, dict) else None,
        "started_at": results.get("started_at"),
    }

    figures = []
    names, missing = _figure_names(out_dir, results)
    for fname in names:
        data = base64.b64encode((out_dir / fname).read_bytes()).decode("ascii")
        figures.append(
            {
                "name": fname,
                "alt": _caption(results, fname),
                "caption": _caption(results, fname),
                "src": f"data:image/png;base64,{data}",
            }
        )

    return _render_template(
        "report.html.j2",
        name=name,
        description=_fmt(results.get("description", "")),
        headline=headline(results),
        figures=figures,
        missing_figures=missing,
        out_dir=str(out_dir),
        run_rows=[(k, _cell(v)) for k, v in run_rows.items()],
        summary=_summary_block(results.get("metrics")),
        metrics=_block(results.get("metrics", {})),
        command=_command(results),
        repro_rows=[(k, _cell(v)) for k, v in repro_rows.items()],
        config=_mapping_block(results.get("config", {})),
        versions=_mapping_block(results.get("versions", {})),
    )


def _write_html(path: Path, text: str) -> Path:
    # lone surrogates (valid in JSON text, not in UTF-8) are written as \udXXX escapes
    return atomic_write_bytes(path, text.encode("utf-8", errors="backslashreplace"))


def write_report(out_dir: str | os.PathLike[str]) -> Path:
    """Write ``out_dir/report.html`` from ``out_dir/results.json`` and its figures.

    The page is self-contained: figures are embedded as base64 PNG images.

    Args:
        out_dir: the output folder of a finished run.

    Returns:
        The path of ``report.html``.

    Raises:
        FileNotFoundError: when ``out_dir`` holds no ``results.json``.
        ValueError: when ``results.json`` is not a JSON object (the message names it).

    Example:
        >>> import tempfile, pathlib, json
        >>> d = pathlib.Path(tempfile.mkdtemp())
        >>> _ = (d / "results.json").write_text(json.dumps(
        ...     {"experiment": "demo", "config": {"n": 2}, "metrics": {"error": 0.01}}))
        >>> "<td class=\\"num\\">0.01</td>" in write_report(d).read_text()
        True
    """
    return _write_html(Path(out_dir) / "report.html", render_report(out_dir))


# --- the index of a tour -----------------------------------------------------------------


def _index_entries(out_dir: Path) -> list[dict[str, Any]]:
    entries = []
    for sub in sorted(p for p in out_dir.iterdir() if p.is_dir()):
        results_path = sub / "results.json"
        if not results_path.is_file() and not (sub / "run.json").is_file():
            continue
        entry: dict[str, Any] = {
            "name": sub.name,
            "description": "",
            "headline": None,
            "thumbnail": None,
            "thumbnail_alt": "",
            "report": f"{sub.name}/report.html" if (sub / "report.html").is_file() else None,
        }
        try:
            results = _load_results(results_path)
        except (OSError, ValueError):
            entry["status"] = "not finished: no readable results.json (rerun to resume)"
            entries.append(entry)
            continue
        entry["name"] = _fmt(results.get("experiment", sub.name))
        entry["description"] = _fmt(results.get("description", ""))
        entry["headline"] = headline(results)
        names, _ = _figure_names(sub, results)
        if names:
            entry["thumbnail"] = f"{sub.name}/{names[0]}"
            entry["thumbnail_alt"] = _caption(results, names[0])
        wall = results.get("wall_time_s")
        backend = results.get("backend") or "default backends"
        entry["status"] = f"{len(names)} figure(s); {backend}; " + (
            f"{wall:.1f} s" if _is_number(wall) else "time unknown"
        )
        entries.append(entry)
    return entries


def render_index(out_dir: str | os.PathLike[str]) -> str:
    """The HTML text of ``out_dir/index.html`` (see :func:`write_index`)."""
    out_dir = Path(out_dir)
    if not out_dir.is_dir():
        raise FileNotFoundError(f"no folder {out_dir}: run `qtwin tour --out {out_dir}` first")
    return _render_template("index.html.j2", entries=_index_entries(out_dir), out_dir=str(out_dir))


def write_index(out_dir: str | os.PathLike[str]) -> Path:
    """Write ``out_dir/index.html``: one card per run folder below ``out_dir``.

    Each card links to the run's ``report.html`` and shows its description, headline
    number (:func:`headline`) and its first figure as a thumbnail (a relative link, so
    the folder can be moved or zipped as a whole).

    Example:
        >>> import tempfile, pathlib, json
        >>> d = pathlib.Path(tempfile.mkdtemp())
        >>> (d / "demo").mkdir()
        >>> _ = (d / "demo" / "results.json").write_text(json.dumps(
        ...     {"experiment": "demo", "metrics": {"headline": {"error": 0.01}}}))
        >>> _ = write_report(d / "demo")
        >>> text = write_index(d).read_text()
        >>> 'href="demo/report.html"' in text, "0.01" in text
        (True, True)
    """
    return _write_html(Path(out_dir) / "index.html", render_index(out_dir))
