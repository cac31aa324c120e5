"""A self-contained HTML report of one experiment run, built from its ``results.json``.

The page embeds every figure as a base64 PNG, so ``report.html`` can be mailed or
attached as a single file. It shows the metrics (dicts of numbers as two-column tables,
lists of records as tables), the figures, the config and the provenance (versions, seed,
timestamps).
"""

from __future__ import annotations

import base64
import html
import json
import os
from pathlib import Path
from typing import Any

from qtwin.experiments.store import atomic_write_text

__all__ = ["write_report", "render_report"]

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
    return f"<td><code>{html.escape(json.dumps(value))}</code></td>"


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


def _figure_names(out_dir: Path, results: dict[str, Any]) -> list[str]:
    listed = [n for n in results.get("figures", []) if isinstance(n, str)]
    names = [n for n in listed if Path(n).name == n and (out_dir / n).is_file()]
    extra = sorted(p.name for p in out_dir.glob("*.png") if p.name not in names)
    return names + extra


def render_report(out_dir: str | os.PathLike[str]) -> str:
    """Return the HTML text of the report of the run in ``out_dir`` (see :func:`write_report`)."""
    out_dir = Path(out_dir)
    results_path = out_dir / "results.json"
    if not results_path.is_file():
        raise FileNotFoundError(
            f"no results.json in {out_dir}: run an experiment into it first "
            f"(qtwin run NAME --out {out_dir})"
        )
    results = json.loads(results_path.read_text(encoding="utf-8"))
    name = str(results.get("experiment", out_dir.name))
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
    for fname in _figure_names(out_dir, results):
        data = base64.b64encode((out_dir / fname).read_bytes()).decode("ascii")
        figures.append(
            f'<figure><img alt="{esc(fname)}" src="data:image/png;base64,{data}">'
            f"<figcaption>{esc(fname)}</figcaption></figure>"
        )

    body = [
        f"<h1>qtwin experiment: {esc(name)}</h1>",
        f'<p class="muted">{esc(str(results.get("description", "")))}</p>',
        "<h2>Run</h2>",
        _kv_table(run_info),
        "<h2>Metrics</h2>",
        _render(results.get("metrics", {})),
        "<h2>Figures</h2>",
        "".join(figures) or '<p class="muted">(no figures)</p>',
        "<h2>Config</h2>",
        _kv_table(results.get("config", {})),
        "<h2>Versions</h2>",
        _kv_table(results.get("versions", {})),
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

    Example:
        >>> import tempfile, pathlib, json
        >>> d = pathlib.Path(tempfile.mkdtemp())
        >>> _ = (d / "results.json").write_text(json.dumps(
        ...     {"experiment": "demo", "config": {"n": 2}, "metrics": {"error": 0.01}}))
        >>> "<td class=\\"num\\">0.01</td>" in write_report(d).read_text()
        True
    """
    text = render_report(out_dir)
    return atomic_write_text(Path(out_dir) / "report.html", text)
