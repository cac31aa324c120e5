"""docs/experiments.md is generated from the typed configs and up to date; the experiment
written out in docs/cli.md runs."""

from __future__ import annotations

import re
import sys
import types
from pathlib import Path

import pytest

from qtwin.experiments import registry

DOCS = Path(__file__).resolve().parents[2] / "docs"


def test_experiments_page_is_up_to_date():
    page = DOCS / "experiments.md"
    assert page.is_file()
    assert page.read_text(encoding="utf-8") == registry.describe_markdown(), (
        "docs/experiments.md is out of date: regenerate it with "
        "`qtwin list --markdown > docs/experiments.md`"
    )


def test_experiments_page_lists_every_experiment_and_typed_field():
    text = registry.describe_markdown()
    for name in registry.list_experiments():
        exp = registry.get_experiment(name)
        assert f"(experiment-{name})=\n## {name}\n" in text
        for info in exp.fields():
            assert f"| `{info.name}` | " in text
            assert registry._md(info.help) in text
    assert "| `max_bond` | `int` | `64` | bond-dimension cap" in text


def test_the_experiment_in_the_cli_page_runs(tmp_path, monkeypatch):
    text = (DOCS / "cli.md").read_text(encoding="utf-8")
    section = text[text.index("## Writing an experiment") :]
    code = re.search(r"```python\n(.*?)```", section, re.DOTALL).group(1)
    monkeypatch.setattr(registry, "_REGISTRY", dict(registry._REGISTRY))
    module = types.ModuleType("qtwin_docs_example")
    monkeypatch.setitem(sys.modules, module.__name__, module)
    exec(compile(code, "docs/cli.md", "exec"), module.__dict__)  # noqa: S102 - our own docs
    from qtwin.experiments import run_experiment

    res = run_experiment("squares", out=tmp_path, progress=False, overrides={"n": 5}, seed=2)
    values = res["metrics"]["values"]
    assert len(values) == 5 and res["captions"] == {"points.png": "Noisy values against k."}
    # noise 0 gives the exact squares (an independent check of the unit function)
    res0 = run_experiment(
        "squares", out=tmp_path / "exact", progress=False, overrides={"n": 4, "noise": "0"}
    )
    assert res0["metrics"]["values"] == [0.0, 1.0, 4.0, 9.0]
    with pytest.raises(ValueError, match="config key 'n' must be <= 100 for shape='cube'"):
        run_experiment("squares", out=tmp_path / "bad", overrides={"shape": "cube", "n": "101"})
    assert not (tmp_path / "bad").exists()
