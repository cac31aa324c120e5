"""Sphinx configuration of the qtwin documentation (myst-nb + autodoc/autosummary + furo)."""

from __future__ import annotations

import importlib
import inspect
import os
import pkgutil
import re
import sys
import warnings
from importlib.metadata import PackageNotFoundError
from importlib.metadata import version as _dist_version
from typing import Any

# Document the source tree even without an install (src layout).
sys.path.insert(0, os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "src")))

project = "qtwin"
author = "qtwin developers"
copyright = "qtwin developers"  # noqa: A001
try:
    release = _dist_version("qtwin")
except PackageNotFoundError:  # pragma: no cover
    release = "0.0.0"

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.intersphinx",
    "sphinx.ext.napoleon",
    "sphinx.ext.mathjax",
    "sphinx.ext.viewcode",
    "myst_nb",
]

DOCS = os.path.dirname(os.path.abspath(__file__))

# --- intersphinx ----------------------------------------------------------------------------
# Links to the documentation of the libraries qtwin builds on. The build runs offline (CI has
# no internet), so by default the inventories are the minimal stand-ins in _inventories/,
# generated from the installed packages by _inventories/generate.py (each object pointing at
# the page the project's own site gives it). Set QTWIN_DOCS_INTERSPHINX=1 when online to
# download the projects' real inventories instead.
INTERSPHINX_URLS = {
    "numpy": "https://numpy.org/doc/stable/",
    "scipy": "https://docs.scipy.org/doc/scipy/",
    "torch": "https://docs.pytorch.org/docs/stable/",
    "qiskit": "https://quantum.cloud.ibm.com/docs/api/qiskit/",
    "pennylane": "https://docs.pennylane.ai/en/stable/",
    "quimb": "https://quimb.readthedocs.io/en/latest/",
}
if os.environ.get("QTWIN_DOCS_INTERSPHINX") == "1":
    intersphinx_mapping = {key: (url, None) for key, url in INTERSPHINX_URLS.items()}
else:
    intersphinx_mapping = {
        key: (url, os.path.join(DOCS, "_inventories", f"{key}.inv"))
        for key, url in INTERSPHINX_URLS.items()
    }
intersphinx_disabled_reftypes = ["std:doc"]  # only Python objects are linked

# --- maths, served from this site (no CDN) -----------------------------------------------------
# MathJax 2 from the Debian package libjs-mathjax (`apt-get install libjs-mathjax`; .ci/run
# installs it), or from the folder named by QTWIN_MATHJAX_DIR. The files it needs (about
# 1.3 MB: TeX input, CommonHTML output and its web fonts) are copied into _static/mathjax.
MATHJAX_CANDIDATES = [
    os.environ.get("QTWIN_MATHJAX_DIR", ""),
    "/usr/share/javascript/mathjax",
    "/usr/share/mathjax",
]
MATHJAX_DIR = next(
    (d for d in MATHJAX_CANDIDATES if d and os.path.isfile(os.path.join(d, "MathJax.js"))), None
)
MATHJAX_FILES = [
    "MathJax.js",
    "config/TeX-AMS_CHTML.js",
    "extensions",
    "jax/input/TeX",
    "jax/output/CommonHTML",
    "jax/element",
    "fonts/HTML-CSS/TeX/woff",
]
mathjax_path = "mathjax/MathJax.js?config=TeX-AMS_CHTML"
mathjax2_config = {
    "tex2jax": {
        "inlineMath": [["\\(", "\\)"]],
        "displayMath": [["\\[", "\\]"]],
        "processEscapes": True,
        "ignoreClass": "document",
        "processClass": "math|output_area",
    },
}
myst_update_mathjax = False  # the configuration above is the whole of it

# API pages are generated from docstrings (Google style, read by napoleon). A package's
# page documents its public API (its ``__all__``, under the names users import); each
# submodule's page documents the rest, so that no object is described twice.
API_PACKAGES = [
    "qtwin.tensornet",
    "qtwin.circuits",
    "qtwin.backends",
    "qtwin.experiments",
    "qtwin.dequantized",
    "qtwin.aqc",
    "qtwin.designs",
    "qtwin.rb",
    "qtwin.qml",
    "qtwin.entanglement",
    "qtwin.distributed",
]
autosummary_generate = True
autosummary_ignore_module_all = True  # list every (public) submodule of a package
autodoc_default_options = {"members": True, "show-inheritance": True}
autodoc_member_order = "bysource"
autodoc_typehints = "description"
autodoc_typehints_format = "short"
autodoc_preserve_defaults = True
autodoc_inherit_docstrings = False  # no third-party (torch, qiskit) docstrings in ours
napoleon_google_docstring = True
napoleon_numpy_docstring = False
napoleon_use_rtype = False
napoleon_use_ivar = True  # "Attributes:" as fields: no duplicates with documented properties

# Notebooks are shown with their stored outputs, never re-executed here
# (tests/test_examples.py executes them).
nb_execution_mode = "off"
myst_enable_extensions = ["dollarmath", "amsmath", "colon_fence"]


def _reexported(packages: list[str]) -> tuple[dict[str, list[str]], dict[str, list[str]]]:
    """``{submodule: [names its parent package re-exports in __all__]}``, and
    ``{package: [names in its __all__ that are also the names of its submodules]}``."""
    out: dict[str, list[str]] = {}
    shadowed: dict[str, list[str]] = {}
    for pkg_name in packages:
        try:
            pkg = importlib.import_module(pkg_name)
        except Exception as exc:  # a package being written: its page says so
            warnings.warn(f"cannot import {pkg_name}: {exc}", stacklevel=1)
            continue
        submodules = []
        for info in pkgutil.walk_packages(pkg.__path__, prefix=pkg_name + "."):
            try:
                submodules.append(importlib.import_module(info.name))
            except Exception:  # reported by autodoc on the submodule's own page
                continue
        children = {mod.__name__ for mod in submodules}
        for name in getattr(pkg, "__all__", []):
            obj = getattr(pkg, name, None)
            if f"{pkg_name}.{name}" in children:
                # a function named like its submodule (qtwin.backends.dry_run): both would
                # be the object "pkg.name". Autosummary gives that name a page of its own,
                # which documents the function, so the package page leaves it out (the
                # submodule's other members, e.g. circuit_summary, get no page)
                shadowed.setdefault(pkg_name, []).append(name)
                continue
            for mod in submodules:
                if name in getattr(mod, "__all__", ()) and getattr(mod, name, None) is obj:
                    out.setdefault(mod.__name__, []).append(name)
    return out, shadowed


# Ground modules with an API page of their own. A package that re-exports one of their
# names (qtwin.backends re-exports qtwin.exceptions.BackendUnavailableError) does not
# document it again: its page links to the one place where it is described (two
# descriptions of one class would make every reference to it ambiguous).
API_MODULES = ["qtwin.exceptions", "qtwin.checkpoint"]


def _defined_elsewhere(packages: list[str]) -> dict[str, list[str]]:
    """``{module: [full names of objects in its __all__ defined in API_MODULES]}`` for the
    packages and all their submodules."""
    out: dict[str, list[str]] = {}
    for pkg_name in packages:
        try:
            pkg = importlib.import_module(pkg_name)
        except Exception:  # reported by _reexported
            continue
        modules = [pkg]
        for info in pkgutil.walk_packages(pkg.__path__, prefix=pkg_name + "."):
            try:
                modules.append(importlib.import_module(info.name))
            except Exception:
                continue
        for mod in modules:
            for name in getattr(mod, "__all__", ()):
                home = getattr(getattr(mod, name, None), "__module__", None)
                if home in API_MODULES and mod.__name__ != home:
                    out.setdefault(mod.__name__, []).append(f"{home}.{name}")
    return out


_REEXPORTED, _SHADOWED = _reexported(API_PACKAGES)
_ELSEWHERE = _defined_elsewhere(API_PACKAGES)
for _module, _names in _ELSEWHERE.items():  # not "documented on its package's page" either
    _short = {n.rpartition(".")[2] for n in _names}
    if _module in _REEXPORTED:
        _REEXPORTED[_module] = [n for n in _REEXPORTED[_module] if n not in _short]
autosummary_context = {
    "reexported": _REEXPORTED,
    "shadowed": _SHADOWED,
    "elsewhere": _ELSEWHERE,
}

templates_path = ["_templates"]
exclude_patterns = ["_build", "**.ipynb_checkpoints", "Thumbs.db", ".DS_Store"]
suppress_warnings = ["mystnb.unknown_mime_type"]

html_theme = "furo"
version = release
html_title = f"qtwin {release}"


def _drop_type_docstrings(
    app: Any, what: str, name: str, obj: Any, options: Any, lines: list[str]
) -> None:
    """Module constants without a doc comment would show their type's docstring
    (``dict``'s, say); show nothing instead."""
    if what not in {"data", "attribute"} or not lines:
        return
    type_doc = inspect.getdoc(type(obj))
    if type_doc and lines[0].strip() == type_doc.splitlines()[0].strip():
        lines.clear()


def _check_mathjax(app: Any) -> None:
    if MATHJAX_DIR is None and app.builder.format == "html":
        from sphinx.util import logging

        logging.getLogger(__name__).warning(
            "no local MathJax: install the Debian package libjs-mathjax or set "
            "QTWIN_MATHJAX_DIR to a MathJax 2 folder (the maths would not render offline)"
        )


def _copy_mathjax(app: Any, exception: Exception | None) -> None:
    if exception is not None or MATHJAX_DIR is None or app.builder.format != "html":
        return
    import shutil

    dest = os.path.join(app.outdir, "_static", "mathjax")
    for rel in MATHJAX_FILES:
        src = os.path.join(MATHJAX_DIR, rel)
        if os.path.isdir(src):
            shutil.copytree(src, os.path.join(dest, rel), dirs_exist_ok=True)
        else:
            os.makedirs(os.path.dirname(os.path.join(dest, rel)), exist_ok=True)
            shutil.copy2(src, os.path.join(dest, rel))


# --- a download link on every notebook page -----------------------------------------------------
# The notebook itself is copied beside the page's sources (html_copy_source) under its own
# name (no ".txt" suffix), and a link to it is put under the page title.
html_copy_source = True
html_sourcelink_suffix = ""


def _notebook_download_link(
    app: Any, pagename: str, templatename: str, context: dict[str, Any], doctree: Any
) -> None:
    source = context.get("sourcename") or ""
    body = context.get("body")
    if not source.endswith(".ipynb") or not body:
        return
    href = context["pathto"]("_sources/" + source, 1)
    name = os.path.basename(source)
    link = (
        f'<p class="qtwin-download"><a class="reference download" href="{href}" '
        f'download="{name}">Download this notebook ({name})</a></p>'
    )
    end = body.find("</h1>")
    at = end + len("</h1>") if end >= 0 else 0
    context["body"] = body[:at] + link + body[at:]


# --- viewcode's [docs] links ------------------------------------------------------------------
# Sphinx's viewcode remembers one name prefix per source module: the first page that
# documents an object of the module sets it. Here a package page (qtwin.designs) documents
# the names it re-exports before the submodule's page (qtwin.designs.clifford) documents the
# rest, so the rest would link to "#qtwin.designs.phase_gate" instead of
# "#qtwin.designs.clifford.phase_gate". The links are repaired against the objects that are
# documented; the modules index lists only qtwin's modules (viewcode has no page for a
# builtin one).
_BACKLINK = re.compile(r'(class="viewcode-back" href="([^"#]*)#)([^"]+)(")')


def _fix_viewcode_links(
    app: Any, pagename: str, templatename: str, context: dict[str, Any], doctree: Any
) -> None:
    body = context.get("body")
    if not pagename.startswith("_modules/") or not body:
        return
    if pagename == "_modules/index":
        context["body"] = re.sub(r'<li><a href="(?!qtwin/)[^"]*">[^<]*</a></li>\n?', "", body)
        return
    modname = pagename.removeprefix("_modules/").replace("/", ".")
    documented = app.env.get_domain("py").objects

    def repair(match: re.Match[str]) -> str:
        anchor = match.group(3)
        if anchor in documented:
            return match.group(0)
        # the module documented on the page the link goes to, and the source's own module
        page_module = os.path.basename(match.group(2)).removesuffix(".html")
        parts = anchor.split(".")
        for k in range(1, len(parts)):  # the longest tail first (Class.method before method)
            tail = ".".join(parts[k:])
            for module in (page_module, modname):
                if f"{module}.{tail}" in documented:
                    return f"{match.group(1)}{module}.{tail}{match.group(4)}"
        return match.group(0)

    context["body"] = _BACKLINK.sub(repair, body)


def setup(app: Any) -> None:
    app.connect("autodoc-process-docstring", _drop_type_docstrings)
    app.connect("builder-inited", _check_mathjax)
    app.connect("build-finished", _copy_mathjax)
    app.connect("html-page-context", _notebook_download_link)
    app.connect("html-page-context", _fix_viewcode_links)
