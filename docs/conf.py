"""Sphinx configuration of the qtwin documentation (myst-nb + autodoc/autosummary + furo)."""

from __future__ import annotations

import importlib
import inspect
import os
import pkgutil
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
    "sphinx.ext.napoleon",
    "sphinx.ext.mathjax",
    "sphinx.ext.viewcode",
    "myst_nb",
]

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


_REEXPORTED, _SHADOWED = _reexported(API_PACKAGES)
autosummary_context = {"reexported": _REEXPORTED, "shadowed": _SHADOWED}

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


def setup(app: Any) -> None:
    app.connect("autodoc-process-docstring", _drop_type_docstrings)
