"""report.html: self-contained (base64 figures), metrics table, config."""

from __future__ import annotations

import base64
import re

import pytest

from qtwin.experiments import run_experiment, write_report


def test_report_embeds_figures_and_tables(toy, tmp_path):
    run_experiment("toy", out=tmp_path, progress=False, overrides={"n": 3})
    path = write_report(tmp_path)
    assert path == tmp_path / "report.html"
    text = path.read_text()
    images = re.findall(r'src="data:image/png;base64,([A-Za-z0-9+/=]+)"', text)
    assert len(images) == 1
    assert base64.b64decode(images[0]) == (tmp_path / "toy.png").read_bytes()
    assert '<th>total</th><td class="num">5</td>' in text  # metric
    assert "<th>i</th><th>v</th>" in text  # records as a table
    assert '<th>scale</th><td class="num">1</td>' in text  # config
    assert "<th>qiskit</th>" in text  # versions
    assert "file://" not in text and 'src="toy.png"' not in text


def test_report_escapes_html(tmp_path):
    import json

    (tmp_path / "results.json").write_text(
        json.dumps({"experiment": "<x>", "metrics": {"a<b": "<script>"}, "config": {}})
    )
    text = write_report(tmp_path).read_text()
    assert "<script>" not in text and "&lt;script&gt;" in text


def test_report_without_results_is_a_clear_error(tmp_path):
    with pytest.raises(FileNotFoundError, match="no results.json in"):
        write_report(tmp_path)


def test_report_tables_for_nested_metrics(tmp_path):
    import json

    metrics = {
        "summary": {"aer": {"dev": 1e-16, "n": 2}, "tensornet": {"dev": 3e-10, "n": 2}},
        "backends": ["aer", "tensornet"],
        "skipped": {},
    }
    (tmp_path / "results.json").write_text(json.dumps({"experiment": "x", "metrics": metrics}))
    text = write_report(tmp_path).read_text()
    assert "<thead><tr><th></th><th>dev</th><th>n</th></tr></thead>" in text  # one row per key
    assert '<td>tensornet</td><td class="num">3e-10</td>' in text
    assert "<th>backends</th><td>aer, tensornet</td>" in text
    assert "(none)" in text
