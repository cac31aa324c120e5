"""The tour index and a report in a real browser (headless Chromium): every image loads,
no console error, no failed resource.

Needs the Debian package ``chromium`` (``apt-get install -y chromium``); skipped with that
hint when no Chromium/Chrome binary is found (or name one in ``$QTWIN_CHROMIUM``). The page
is loaded from ``file://`` as a user would open it; a small probe script, inserted into a
copy of the page beside it, records resource errors and ``console.error`` calls and writes
the state of every ``<img>`` into the DOM, which ``chromium --dump-dom`` prints.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from qtwin.experiments import run_experiment, write_index, write_report

_BROWSERS = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable", "chrome")

PROBE = """<script>
window.__qtwinErrors = [];
window.addEventListener("error", function (e) {
  var t = e.target;
  window.__qtwinErrors.push(t && t.tagName ? "failed to load " + t.tagName + " " +
    (t.src || t.href) : "script error: " + e.message);
}, true);
var __qtwinConsoleError = console.error;
console.error = function () {
  window.__qtwinErrors.push("console.error: " + Array.prototype.join.call(arguments, " "));
  __qtwinConsoleError.apply(console, arguments);
};
window.addEventListener("load", function () {
  var images = Array.prototype.slice.call(document.images).map(function (img) {
    return {src: img.getAttribute("src").slice(0, 80), alt: img.alt,
            loaded: img.complete && img.naturalWidth > 0, width: img.naturalWidth};
  });
  var out = document.createElement("pre");
  out.id = "qtwin-probe";
  out.textContent = JSON.stringify({images: images, errors: window.__qtwinErrors});
  document.body.appendChild(out);
});
</script>"""


def _browser() -> str | None:
    named = os.environ.get("QTWIN_CHROMIUM")
    if named:
        return shutil.which(named) or (named if Path(named).is_file() else None)
    return next((path for name in _BROWSERS if (path := shutil.which(name))), None)


BROWSER = _browser()
pytestmark = pytest.mark.skipif(
    BROWSER is None,
    reason="no headless Chromium found: install the Debian package `chromium` "
    "(apt-get install -y chromium) or set QTWIN_CHROMIUM to a Chrome/Chromium binary",
)


def _open_in_browser(page: Path, profile: Path) -> tuple[dict, list[str]]:
    """Load ``page`` (with the probe) in headless Chromium: the probe's report, console lines."""
    text = page.read_text(encoding="utf-8")
    assert "<head>" in text, page
    probe_page = page.with_name(f"_probe_{page.name}")
    probe_page.write_text(text.replace("<head>", "<head>" + PROBE, 1), encoding="utf-8")
    cmd = [
        str(BROWSER),
        "--headless",
        "--no-sandbox",  # tests may run as root in containers
        "--disable-gpu",
        "--no-first-run",
        f"--user-data-dir={profile}",
        "--enable-logging=stderr",
        "--v=0",
        "--virtual-time-budget=10000",
        "--dump-dom",
        probe_page.resolve().as_uri(),
    ]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=120, check=False)
    match = re.search(r'<pre id="qtwin-probe">(.*?)</pre>', proc.stdout, re.DOTALL)
    assert match, f"the page did not finish loading in {BROWSER}: {proc.stderr[-2000:]}"
    import html

    report = json.loads(html.unescape(match.group(1)))
    console = [line for line in proc.stderr.splitlines() if ":CONSOLE" in line]
    return report, console


@pytest.fixture
def tour(toy, tmp_path: Path) -> Path:
    """A tour-like folder: a real ``simulate`` run and the ``toy`` run, reports and index."""
    root = tmp_path / "tour"
    run_experiment(
        "simulate",
        out=root / "simulate",
        progress=False,
        overrides={"circuits": "ghz_12,qft_8", "backends": "tensornet,aer"},
    )
    run_experiment("toy", out=root / "toy", progress=False)
    for name in ("simulate", "toy"):
        write_report(root / name)
    write_index(root)
    return root


def test_index_and_report_load_every_image_without_console_errors(tour, tmp_path):
    index, console = _open_in_browser(tour / "index.html", tmp_path / "profile1")
    assert [i["src"] for i in index["images"]] == ["simulate/time_per_backend.png", "toy/toy.png"]
    assert all(i["loaded"] and i["width"] > 0 for i in index["images"]), index
    assert index["errors"] == [] and console == []

    report, console = _open_in_browser(tour / "simulate" / "report.html", tmp_path / "profile2")
    assert len(report["images"]) == 2
    assert all(i["loaded"] and i["width"] > 100 for i in report["images"]), report
    assert report["images"][0]["alt"].startswith("Wall time of one estimator call")
    assert report["errors"] == [] and console == []


def test_the_probe_sees_a_broken_image_and_a_console_error(tmp_path):
    """The check can fail: a missing image and a console error are reported."""
    page = tmp_path / "broken.html"
    page.write_text(
        '<!DOCTYPE html><html><head><meta charset="utf-8"></head><body>'
        '<img src="missing.png" alt="gone"><script>console.error("boom")</script></body></html>'
    )
    report, console = _open_in_browser(page, tmp_path / "profile")
    assert report["images"] == [{"src": "missing.png", "alt": "gone", "loaded": False, "width": 0}]
    assert "console.error: boom" in report["errors"]
    assert any("failed to load IMG" in e and "missing.png" in e for e in report["errors"])
    assert any("boom" in line for line in console)
