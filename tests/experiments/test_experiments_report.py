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


# --- issue 18 item 4: layout, captions, reproduction, tour index -------------------------


def test_report_layout_figures_first_then_summary_then_raw_metrics(toy, tmp_path):
    res = run_experiment("toy", out=tmp_path, progress=False, overrides={"n": 3}, seed=4)
    text = write_report(tmp_path).read_text()
    order = [
        text.index('<h2 id="figures">'),
        text.index("<figure"),
        text.index('<h2 id="summary">'),
        text.index('<details id="metrics">'),
        text.index('<h2 id="reproduce">'),
    ]
    assert order == sorted(order)
    # the raw metrics are collapsed, the per-unit records inside them
    details = text[text.index('<details id="metrics">') : text.index("</details>")]
    assert "<th>i</th><th>v</th>" in details
    # caption: the file name in words when the experiment gives none
    assert "<strong>Figure 1.</strong> Toy." in text
    # reproduce: the exact command, seed and commit
    assert res["command"] == "qtwin run toy --seed 4 --set n=3"
    assert "<code>qtwin run toy --seed 4 --set n=3</code>" in text
    assert "<th>git commit</th>" in text and "<th>qiskit</th>" in text


def test_captions_given_by_the_experiment_are_shown(tmp_path):
    import json

    from qtwin.experiments import ResultStore
    from qtwin.experiments.figures import new_figure

    store = ResultStore(tmp_path)
    fig, ax = new_figure()
    ax.plot([0, 1])
    store.save_figure(fig, "a.png", caption="Survival   probability vs length.")
    store.save_figure(fig, "b.png")
    store.caption("b.png", "The second figure <b>bold</b>.")
    results = {"experiment": "x", "figures": store.figures, "captions": store.captions}
    (tmp_path / "results.json").write_text(json.dumps(results))
    text = write_report(tmp_path).read_text()
    assert "<strong>Figure 1.</strong> Survival probability vs length." in text
    assert "The second figure &lt;b&gt;bold&lt;/b&gt;." in text
    assert text.index("Survival") < text.index("The second figure")
    with pytest.raises(ValueError, match="plain file name"):
        store.caption("../a.png", "x")


def test_headline_rules():
    from qtwin.experiments.report import headline

    assert headline({"metrics": {"headline": "3 of 4 pass"}}) == {
        "label": "headline",
        "text": "3 of 4 pass",
    }
    assert headline({"metrics": {"summary": {"aer": {"dev": 1e-16}}}}) == {
        "label": "aer dev",
        "text": "1e-16",
    }
    assert headline({"metrics": [1]}) is None and headline({}) is None


def test_tour_index_links_every_report_with_headline_and_thumbnail(toy, tmp_path):
    from qtwin.experiments.report import write_index

    for seed in (0, 1):
        run_experiment("toy", out=tmp_path / f"toy{seed}", seed=seed, progress=False)
        write_report(tmp_path / f"toy{seed}")
    (tmp_path / "unfinished").mkdir()
    (tmp_path / "unfinished" / "run.json").write_text("{}")
    (tmp_path / "not-a-run").mkdir()
    text = write_index(tmp_path).read_text()
    assert text.count('href="toy0/report.html"') == 2  # title and thumbnail
    assert 'src="toy1/toy.png"' in text
    assert "total: <span" in text  # headline: the first top-level number
    assert "not finished" in text and "not-a-run" not in text


def test_templates_ship_with_the_package():
    """The templates and the style file are package data of the wheel (pyproject)."""
    import tomllib
    from fnmatch import fnmatch
    from pathlib import Path

    import qtwin

    root = Path(qtwin.__file__).parent
    pyproject = root.parents[1] / "pyproject.toml"
    if not pyproject.is_file():
        pytest.skip("not a source checkout")
    data = tomllib.loads(pyproject.read_text())["tool"]["setuptools"]["package-data"]["qtwin"]
    shipped = [
        p.relative_to(root).as_posix()
        for pattern in ("experiments/templates/*", "experiments/*.mplstyle")
        for p in root.glob(pattern)
    ]
    assert shipped
    missing = [f for f in shipped if not any(fnmatch(f, pattern) for pattern in data)]
    assert not missing, f"add to [tool.setuptools.package-data] qtwin: {missing}"
