"""The Sphinx site builds without warnings; README and .ci/run agree on the set-up commands."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
MAIN_COMMAND = 'python -m pip install -e ".[dev]" && qtwin tour'
TEST_COMMAND = 'python -m pip install -e ".[dev]" && python -m pytest'


def test_readme_has_exactly_the_two_setup_commands():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert readme.count(MAIN_COMMAND) == 1
    assert readme.count(TEST_COMMAND) == 1
    assert readme.count("pip install") == 2


def test_ci_runs_the_readme_test_command():
    ci = ROOT / ".ci" / "run"
    text = ci.read_text(encoding="utf-8")
    assert os.access(ci, os.X_OK)
    assert text.startswith("#!/usr/bin/env bash") and "set -euo pipefail" in text
    assert "\n" + TEST_COMMAND + "\n" in text
    assert "pip install torch==2.13.0" in text
    assert text.index("torch==2.13.0") < text.index(TEST_COMMAND)


def test_sphinx_builds_without_warnings(tmp_path: Path) -> None:
    pytest.importorskip("sphinx")
    pytest.importorskip("myst_nb")
    pytest.importorskip("furo")
    src = tmp_path / "docs"
    # a copy, so that autosummary's generated pages never land in the source tree;
    # symlinks (docs/examples -> ../examples) are copied as their targets
    shutil.copytree(
        ROOT / "docs", src, ignore=shutil.ignore_patterns("_build", "generated", "*.pyc")
    )
    out = tmp_path / "html"
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "sphinx",
            "-W",
            "--keep-going",
            "-q",
            "-b",
            "html",
            str(src),
            str(out),
        ],
        capture_output=True,
        text=True,
        timeout=600,
        cwd=tmp_path,
    )
    assert proc.returncode == 0, (
        f"sphinx-build failed:\n{proc.stdout[-4000:]}\n{proc.stderr[-8000:]}"
    )
    for page in [
        "index.html",
        "cli.html",
        "examples/01_getting_started.html",
        "api/generated/qtwin.tensornet.html",
        "api/generated/qtwin.circuits.html",
        "api/generated/qtwin.backends.html",
        "api/generated/qtwin.experiments.html",
        "api/generated/qtwin.experiments.runner.html",
    ]:
        assert (out / page).is_file(), page
    notebook = (out / "examples" / "01_getting_started.html").read_text(encoding="utf-8")
    assert "<img" in notebook  # stored outputs are shown
