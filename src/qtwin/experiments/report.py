"""A self-contained HTML report of one experiment run, built from its ``results.json``.

The page embeds every figure as a base64 PNG, so ``report.html`` can be mailed or
attached as a single file. It shows the metrics (dicts of numbers as two-column tables,
lists of records as tables), the figures, the config and the provenance (versions, seed,
timestamps).

A hand-edited or damaged ``results.json`` still gives a page, or a ``ValueError`` naming the
file: any JSON object is accepted (fields of the wrong type are shown as they are), values
nested deeper than :data:`MAX_DEPTH` are shown as abbreviated JSON, and a figure that is
listed but missing gets a note instead of silently disappearing.
"""

from __future__ import annotations

import base64
import html
import json
import os
from pathlib import Path
from typing import Any

from qtwin._io import atomic_write_bytes

__all__ = ["write_report", "render_report", "MAX_DEPTH"]

#: Nesting depth of metrics rendered as sections and tables; deeper values become JSON text.
MAX_DEPTH = 12

_CSS = """
body { font-family: system-ui, -apple-system, Segoe UI, sans-serif; margin: 2em auto;
       max-width: 70em; color: #222; line-height: 1.4; padding: 0 1em; }
h1 { border-bottom: 2px solid #446; padding-bottom: .2em; }
h2 { margin-top: 1.6em; color: #335; }
table { border-collapse: collapse; margin: .6em 0 1.2em; font-size: .92em; }
th, td { border: 1px solid #ccd; padding: .25em .6em; text-align: left; vertical-align: top; }
th { background: #eef; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
figure { margin: 1em 0; } figure img { max-width: 100%; border: 1px solid #ddd; }
figcaption { color: #555; font-size: .9em; }
.muted { color: #666; }
"""


def _fmt(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:.6g}"
    if value is None:
        return "—"
    return str(value)


def _is_scalar(value: Any) -> bool:
    return value is None or isinstance(value, (bool, int, float, str))


def _cell(value: Any) -> str:
    if _is_flat_list(value):
        return f"<td>{html.escape(', '.join(_fmt(v) for v in value))}</td>"
    if _is_scalar(value):
        cls = (
            ' class="num"'
            if isinstance(value, (int, float)) and not isinstance(value, bool)
            else ""
        )
        return f"<td{cls}>{html.escape(_fmt(value))}</td>"
    return f"<td><code>{html.escape(_short_json(value))}</code></td>"


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


def _kv_table(items: dict[str, Any]) -> str:
    rows = "".join(f"<tr><th>{html.escape(str(k))}</th>{_cell(v)}</tr>" for k, v in items.items())
    return f"<table>{rows}</table>"


def _records_table(records: list[dict[str, Any]]) -> str:
    columns: list[str] = []
    for record in records:
        columns.extend(k for k in record if k not in columns)
    head = "".join(f"<th>{html.escape(str(c))}</th>" for c in columns)
    body = "".join("<tr>" + "".join(_cell(r.get(c)) for c in columns) + "</tr>" for r in records)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _render(value: Any, level: int = 3) -> str:
    """Render a JSON value as HTML: scalars inline, dicts as tables/sections, records as tables."""
    h = min(level, 6)
    if level - 3 >= MAX_DEPTH and isinstance(value, (dict, list)):
        return f"<p><code>{html.escape(_short_json(value))}</code></p>"
    if isinstance(value, dict) and not value:
        return '<p class="muted">(none)</p>'
    if isinstance(value, dict) and all(_is_record(v) for v in value.values()):
        # {key: {field: scalar}}: one row per key
        return _records_table([{"": k, **v} for k, v in value.items()])
    if isinstance(value, dict):
        scalars = {k: v for k, v in value.items() if _is_scalar(v) or _is_flat_list(v)}
        parts = [_kv_table(scalars)] if scalars else []
        for key, sub in value.items():
            if key not in scalars:
                parts.append(f"<h{h}>{html.escape(str(key))}</h{h}>{_render(sub, level + 1)}")
        return "".join(parts)
    if isinstance(value, list):
        if value and all(isinstance(v, dict) for v in value):
            return _records_table(value)
        if _is_flat_list(value):
            return f"<p>{html.escape(', '.join(_fmt(v) for v in value))}</p>"
        return "<ol>" + "".join(f"<li>{_render(v, level + 1)}</li>" for v in value) + "</ol>"
    return f"<p>{html.escape(_fmt(value))}</p>"


def _is_record(value: Any) -> bool:
    return (
        isinstance(value, dict)
        and bool(value)
        and all(_is_scalar(v) or _is_flat_list(v) for v in value.values())
    )


def _is_flat_list(value: Any) -> bool:
    return isinstance(value, list) and all(_is_scalar(v) for v in value)


def _figure_names(out_dir: Path, results: dict[str, Any]) -> tuple[list[str], list[str]]:
    """The figure files to embed (listed ones first, then other PNGs) and the listed-but-missing."""
    listed = results.get("figures")
    listed = [n for n in listed if isinstance(n, str)] if isinstance(listed, list) else []
    names = [n for n in listed if Path(n).name == n and (out_dir / n).is_file()]
    missing = [n for n in listed if n not in names]
    extra = sorted(p.name for p in out_dir.glob("*.png") if p.is_file() and p.name not in names)
    return names + extra, missing


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


def _mapping_section(value: Any) -> str:
    """A two-column table for a dict, the generic rendering for anything else."""
    if isinstance(value, dict):
        return _kv_table(value) if value else '<p class="muted">(none)</p>'
    return _render(value)


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
    esc = html.escape

    run_info = {
        "experiment": name,
        "backend": results.get("backend") or "(experiment default)",
        "seed": results.get("seed"),
        "started_at": results.get("started_at"),
        "finished_at": results.get("finished_at"),
        "wall_time_s": results.get("wall_time_s"),
    }
    units = results.get("units")
    if isinstance(units, dict):
        run_info.update({f"units {k}": v for k, v in units.items()})

    figures = []
    names, missing = _figure_names(out_dir, results)
    for fname in names:
        data = base64.b64encode((out_dir / fname).read_bytes()).decode("ascii")
        figures.append(
            f'<figure><img alt="{esc(fname)}" src="data:image/png;base64,{data}">'
            f"<figcaption>{esc(fname)}</figcaption></figure>"
        )
    figures.extend(
        f'<p class="muted">figure {esc(fname)} is listed in results.json but missing from '
        f"{esc(str(out_dir))}</p>"
        for fname in missing
    )

    body = [
        f"<h1>qtwin experiment: {esc(name)}</h1>",
        f'<p class="muted">{esc(_fmt(results.get("description", "")))}</p>',
        "<h2>Run</h2>",
        _kv_table(run_info),
        "<h2>Metrics</h2>",
        _render(results.get("metrics", {})),
        "<h2>Figures</h2>",
        "".join(figures) or '<p class="muted">(no figures)</p>',
        "<h2>Config</h2>",
        _mapping_section(results.get("config", {})),
        "<h2>Versions</h2>",
        _mapping_section(results.get("versions", {})),
    ]
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f"<title>qtwin: {esc(name)}</title><style>{_CSS}</style></head>"
        f"<body>{''.join(body)}</body></html>\n"
    )


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
    text = render_report(out_dir)
    # lone surrogates (valid in JSON text, not in UTF-8) are written as \udXXX escapes
    data = text.encode("utf-8", errors="backslashreplace")
    return atomic_write_bytes(Path(out_dir) / "report.html", data)
