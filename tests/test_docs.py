"""The Sphinx site builds without warnings, its internal links resolve, it loads nothing from
the internet; README and .ci/run agree on the set-up commands."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

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


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The HTML site, built once with warnings as errors (the slow part: about a minute)."""
    pytest.importorskip("sphinx")
    pytest.importorskip("myst_nb")
    pytest.importorskip("furo")
    if not any(
        (Path(d) / "MathJax.js").is_file()
        for d in (os.environ.get("QTWIN_MATHJAX_DIR", ""), *MATHJAX_DIRS)
        if d
    ):
        pytest.skip(
            "no local MathJax (apt-get install libjs-mathjax, or set QTWIN_MATHJAX_DIR): "
            "the site serves its own maths and refuses to build without it"
        )
    tmp_path = tmp_path_factory.mktemp("docs")
    src = tmp_path / "docs"
    # a copy, so that autosummary's generated pages never land in the source tree;
    # symlinks (docs/examples -> ../examples) are copied as their targets, and the file
    # that docs/benchmarks.md includes from outside docs/ is copied beside it
    shutil.copytree(
        ROOT / "docs", src, ignore=shutil.ignore_patterns("_build", "generated", "*.pyc")
    )
    (tmp_path / "benchmarks").mkdir()
    shutil.copy(ROOT / "benchmarks" / "README.md", tmp_path / "benchmarks" / "README.md")
    out = tmp_path / "html"
    env = {k: v for k, v in os.environ.items() if k != "QTWIN_DOCS_INTERSPHINX"}  # offline
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
        timeout=900,
        cwd=tmp_path,
        env=env,
    )
    assert proc.returncode == 0, (
        f"sphinx-build failed:\n{proc.stdout[-4000:]}\n{proc.stderr[-8000:]}"
    )
    return out


MATHJAX_DIRS = ("/usr/share/javascript/mathjax", "/usr/share/mathjax")


def test_sphinx_builds_without_warnings(site: Path) -> None:
    for page in [
        "index.html",
        "installation.html",
        "getting_started.html",
        "benchmarks.html",
        "guide/index.html",
        "guide/gpu.html",
        "cli.html",
        "examples/01_getting_started.html",
        "api/generated/qtwin.tensornet.html",
        "api/generated/qtwin.circuits.html",
        "api/generated/qtwin.backends.html",
        "api/generated/qtwin.experiments.html",
        "api/generated/qtwin.experiments.runner.html",
    ]:
        assert (site / page).is_file(), page
    notebook = (site / "examples" / "01_getting_started.html").read_text(encoding="utf-8")
    assert "<img" in notebook  # stored outputs are shown


class _Links(HTMLParser):
    """The ids of a page and the local targets of its links, images and scripts."""

    def __init__(self) -> None:
        super().__init__()
        self.ids: set[str] = set()
        self.targets: list[str] = []
        self.title = ""
        self._in_title = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if a.get("id"):
            self.ids.add(a["id"])
        if tag == "a" and a.get("name"):
            self.ids.add(a["name"])
        for key in ("href", "src"):
            value = a.get(key)
            if value and not urlsplit(value).scheme and not value.startswith("//"):
                self.targets.append(value)
        if tag == "title" and not self.title:  # the page's; SVG icons have titles too
            self._in_title = True

    def handle_data(self, data: str) -> None:
        if self._in_title:
            self.title += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "title":
            self._in_title = False


def _parse(site: Path) -> dict[Path, _Links]:
    pages = {}
    for page in site.rglob("*.html"):
        if "_sources" in page.parts or "_static" in page.parts:
            continue
        parser = _Links()
        parser.feed(page.read_text(encoding="utf-8"))
        pages[page] = parser
    return pages


def test_internal_links_resolve(site: Path) -> None:
    """Every relative href/src of every page names a file of the site, and every #fragment
    an id on the page it points to (Sphinx's linkcheck only checks external links)."""
    pages = _parse(site)
    assert len(pages) > 50
    broken = []
    for page, parsed in pages.items():
        for target in parsed.targets:
            parts = urlsplit(target)
            path = unquote(parts.path)
            dest = (page.parent / path).resolve() if path else page
            if dest.is_dir():
                dest = dest / "index.html"
            if not dest.exists():
                broken.append(f"{page.relative_to(site)}: {target}")
                continue
            fragment = unquote(parts.fragment)
            if fragment and dest.suffix == ".html" and dest in pages:
                if fragment not in pages[dest].ids:
                    broken.append(f"{page.relative_to(site)}: {target} (no such id)")
    assert not broken, "\n".join(broken[:50]) + f"\n({len(broken)} broken)"


def test_no_page_loads_anything_from_the_internet(site: Path) -> None:
    """Scripts, styles and fonts (MathJax included) are served by the site itself."""
    remote = re.compile(r"<(?:script|link|img)\b[^>]*(?:src|href)=\"(?:https?:)?//", re.I)
    offenders = [
        str(p.relative_to(site))
        for p in site.rglob("*.html")
        if remote.search(p.read_text(encoding="utf-8"))
    ]
    assert not offenders, offenders[:10]
    math_page = (site / "examples" / "02_qudit_designs.html").read_text(encoding="utf-8")
    assert "_static/mathjax/MathJax.js?config=TeX-AMS_CHTML" in math_page
    assert (site / "_static" / "mathjax" / "MathJax.js").is_file()
    assert (site / "_static" / "mathjax" / "config" / "TeX-AMS_CHTML.js").is_file()
    assert any((site / "_static" / "mathjax" / "fonts" / "HTML-CSS" / "TeX" / "woff").iterdir())


def test_titles_are_plain_text(site: Path) -> None:
    """No maths markup in a page title (the sidebar and the browser tab show them raw)."""
    marks = ("\\(", "\\)", "$", "\\[", "\\mathrm", "\\frac")
    bad = {
        str(p.relative_to(site)): parsed.title
        for p, parsed in _parse(site).items()
        if any(m in parsed.title for m in marks)
    }
    assert not bad, bad


def test_notebook_pages_offer_the_notebook(site: Path) -> None:
    for nb in sorted((ROOT / "examples").glob("*.ipynb")):
        html = (site / "examples" / f"{nb.stem}.html").read_text(encoding="utf-8")
        link = re.search(r'<a class="reference download" href="([^"]+)" download=', html)
        assert link, f"{nb.name}: no download link"
        target = (site / "examples" / link.group(1)).resolve()
        built_from = site.parent / "docs" / "examples" / nb.name  # the copy the site was built from
        assert target.name == nb.name, (nb.name, link.group(1))
        assert target.read_bytes() == built_from.read_bytes(), nb.name


def test_third_party_names_link_to_their_docs(site: Path) -> None:
    """intersphinx (offline stand-in inventories in docs/_inventories) links the types of
    the libraries qtwin builds on."""
    html = "".join(
        p.read_text(encoding="utf-8") for p in (site / "api" / "generated").glob("*.html")
    )
    for url in [
        "https://numpy.org/doc/stable/",
        "https://docs.pytorch.org/docs/stable/",
        "https://quantum.cloud.ibm.com/docs/api/qiskit/",
    ]:
        assert f'href="{url}' in html, url
