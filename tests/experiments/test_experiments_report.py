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


# --- issue 15 item 10: damaged or hand-edited results.json --------------------------------


def _write(tmp_path, obj_or_text):
    import json

    text = obj_or_text if isinstance(obj_or_text, str) else json.dumps(obj_or_text)
    (tmp_path / "results.json").write_text(text)


@pytest.mark.parametrize(
    ("content", "match"),
    [
        ("[1, 2]", "must hold a JSON object.*got a JSON list"),
        ("null", "got a JSON NoneType"),
        ('{"metrics": ', "results.json is not valid JSON"),
        ("[" * 100_000, "results.json is (nested too deeply|not valid JSON)"),
    ],
    ids=["list", "null", "truncated", "deep"],
)
def test_unreadable_results_json_is_a_value_error_naming_it(tmp_path, content, match):
    _write(tmp_path, content)
    with pytest.raises(ValueError, match=match):
        write_report(tmp_path)


@pytest.mark.parametrize(
    "results",
    [
        {"config": [1, 2], "versions": None},
        {"config": "x", "versions": [1], "units": 3, "figures": "abc.png", "experiment": None},
        {"metrics": [[[1]], {"a": [{"b": {}}]}], "description": {"x": 1}, "figures": [1, None]},
        {"metrics": {"records": {"a": {"x": [1, 2]}, "b": {"y": {"z": 1}}}}},
    ],
)
def test_fields_of_the_wrong_type_still_give_a_page(tmp_path, results):
    _write(tmp_path, results)
    text = write_report(tmp_path).read_text()
    assert text.startswith("<!DOCTYPE html>") and text.endswith("</html>\n")


def test_deeply_nested_metrics_are_abbreviated(tmp_path):
    deep: dict = {"leaf": 1}
    for _ in range(900):
        deep = {"d": deep}
    _write(tmp_path, {"experiment": "x", "metrics": deep})
    text = write_report(tmp_path).read_text()
    assert "{…}" in text and len(text) < 50_000


def test_a_directory_named_like_a_png_is_skipped(tmp_path):
    (tmp_path / "x.png").mkdir()
    _write(tmp_path, {"experiment": "x", "figures": ["x.png"]})
    text = write_report(tmp_path).read_text()
    assert "base64" not in text
    assert "figure x.png is listed in results.json but missing" in text


def test_a_listed_but_missing_figure_gets_a_note(tmp_path):
    _write(tmp_path, {"experiment": "x", "figures": ["gone.png", "../evil.png"]})
    text = write_report(tmp_path).read_text()
    assert "figure gone.png is listed in results.json but missing" in text
    assert "figure ../evil.png is listed" in text
