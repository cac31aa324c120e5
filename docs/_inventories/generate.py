"""Write the intersphinx inventories in this folder from the installed packages.

The docs are built where there is no internet (CI, a laptop on a train), so Sphinx cannot
download the ``objects.inv`` of NumPy, SciPy, torch, Qiskit, PennyLane and quimb. This
script writes a *minimal stand-in* for each: the public classes and functions of the
installed package, each pointing at the page the project's own documentation gives it
(its URL layout is written in one rule per project below). These are not the projects'
own inventories: the rules follow each site's URL layout as documented for the versions
named in ``VERSIONS.txt`` and are not checked online here. Set ``QTWIN_DOCS_INTERSPHINX=1``
when building online to use the projects' real inventories instead (``docs/conf.py``).

Objects are entered under their public name (``qiskit.circuit.QuantumCircuit``) and, when
it differs, under the name of the module that defines them
(``qiskit.circuit.quantumcircuit.QuantumCircuit``), which is the name autodoc writes in
type hints; both point at the same page.

Run from the repository root after an upgrade of one of these packages::

    python docs/_inventories/generate.py
"""

from __future__ import annotations

import importlib
import inspect
import zlib
from collections.abc import Callable, Iterator
from pathlib import Path
from types import ModuleType

HERE = Path(__file__).resolve().parent

# (name, role, uri)
Entry = tuple[str, str, str]


def _role(obj: object) -> str | None:
    if inspect.isclass(obj):
        return "class"
    if inspect.isfunction(obj) or inspect.isbuiltin(obj) or inspect.ismethoddescriptor(obj):
        return "function"
    return None


def _public(module: ModuleType) -> Iterator[tuple[str, object]]:
    names = getattr(module, "__all__", None)
    if names is None:
        names = [n for n in dir(module) if not n.startswith("_")]
    for name in sorted(set(names)):
        if name.startswith("_"):
            continue
        try:
            obj = getattr(module, name)
        except Exception:  # lazy attributes that fail to load
            continue
        yield name, obj


def _with_alias(public: str, obj: object, role: str, uri: str) -> list[Entry]:
    """The public name, and the defining module's name when it differs."""
    out = [(public, role, uri)]
    mod = getattr(obj, "__module__", None)
    qual = getattr(obj, "__qualname__", None)
    if isinstance(mod, str) and isinstance(qual, str) and "<" not in qual:
        defined = f"{mod}.{qual}"
        if defined != public:
            out.append((defined, role, uri))
    return out


def _documented(obj: object) -> bool:
    return bool(inspect.getdoc(obj))


def numpy_entries() -> list[Entry]:
    import numpy as np
    import numpy.random
    import numpy.typing

    out: list[Entry] = [("numpy", "module", "reference/index.html#module-numpy")]
    for name, obj in _public(np):
        full = f"numpy.{name}"
        if inspect.isclass(obj) and issubclass(obj, np.generic):
            out.append((full, "class", f"reference/arrays.scalars.html#{full}"))
        elif isinstance(obj, np.ufunc):
            out.append((full, "data", f"reference/generated/{full}.html#{full}"))
        elif (role := _role(obj)) and _documented(obj):
            out += _with_alias(full, obj, role, f"reference/generated/{full}.html#{full}")
    for meth in dir(np.ndarray):
        if not meth.startswith("_"):
            full = f"numpy.ndarray.{meth}"
            role = "attribute" if not callable(getattr(np.ndarray, meth)) else "method"
            out.append((full, role, f"reference/generated/{full}.html#{full}"))
    rnd = "reference/random"
    out += [
        ("numpy.random", "module", f"{rnd}/index.html#module-numpy.random"),
        ("numpy.random.Generator", "class", f"{rnd}/generator.html#numpy.random.Generator"),
        ("numpy.random.default_rng", "function", f"{rnd}/generator.html#numpy.random.default_rng"),
        ("numpy.random.RandomState", "class", f"{rnd}/legacy.html#numpy.random.RandomState"),
        (
            "numpy.random.SeedSequence",
            "class",
            f"{rnd}/bit_generators/generated/numpy.random.SeedSequence.html"
            "#numpy.random.SeedSequence",
        ),
    ]
    for meth in dir(numpy.random.Generator):
        if not meth.startswith("_"):
            full = f"numpy.random.Generator.{meth}"
            out.append((full, "method", f"{rnd}/generated/{full}.html#{full}"))
    for name in ("ArrayLike", "NDArray", "DTypeLike"):
        full = f"numpy.typing.{name}"
        out.append((full, "data", f"reference/typing.html#{full}"))
    return out


SCIPY_SUBMODULES = [
    "linalg",
    "sparse",
    "sparse.linalg",
    "optimize",
    "stats",
    "special",
    "integrate",
    "fft",
    "spatial",
    "interpolate",
]


def scipy_entries() -> list[Entry]:
    out: list[Entry] = []
    for sub in SCIPY_SUBMODULES:
        module = importlib.import_module(f"scipy.{sub}")
        out.append((f"scipy.{sub}", "module", f"reference/{sub}.html#module-scipy.{sub}"))
        for name, obj in _public(module):
            full = f"scipy.{sub}.{name}"
            uri = f"reference/generated/{full}.html#{full}"
            role = _role(obj)
            if role is None and callable(obj):  # ufuncs, distributions
                out.append((full, "data", uri))
            elif role and _documented(obj):
                out += _with_alias(full, obj, role, uri)
    return out


def torch_entries() -> list[Entry]:
    import torch
    import torch.nn
    import torch.nn.functional
    import torch.optim

    out: list[Entry] = [
        ("torch", "module", "torch.html#module-torch"),
        ("torch.Tensor", "class", "tensors.html#torch.Tensor"),
        ("torch.dtype", "class", "tensor_attributes.html#torch.dtype"),
        ("torch.device", "class", "tensor_attributes.html#torch.device"),
        ("torch.layout", "class", "tensor_attributes.html#torch.layout"),
        ("torch.Generator", "class", "generated/torch.Generator.html#torch.Generator"),
        ("torch.nn", "module", "nn.html#module-torch.nn"),
        ("torch.optim", "module", "optim.html#module-torch.optim"),
        ("torch.optim.Optimizer", "class", "optim.html#torch.optim.Optimizer"),
    ]
    seen = {name for name, _, _ in out}
    for meth in dir(torch.Tensor):
        if not meth.startswith("_") and callable(getattr(torch.Tensor, meth, None)):
            full = f"torch.Tensor.{meth}"
            out.append((full, "method", f"generated/{full}.html#{full}"))
    for prefix, module in [
        ("torch", torch),
        ("torch.nn", torch.nn),
        ("torch.nn.functional", torch.nn.functional),
        ("torch.optim", torch.optim),
    ]:
        for name, obj in _public(module):
            full = f"{prefix}.{name}"
            role = _role(obj)
            if full in seen or role is None or not _documented(obj):
                continue
            if prefix == "torch" and role == "class":  # classes beyond the list above
                continue
            out += _with_alias(full, obj, role, f"generated/{full}.html#{full}")
    return out


QISKIT_MODULES = [
    "qiskit.circuit",
    "qiskit.circuit.library",
    "qiskit.quantum_info",
    "qiskit.primitives",
    "qiskit.primitives.containers",
    "qiskit.transpiler",
    "qiskit.providers",
    "qiskit.result",
]


def qiskit_entries() -> list[Entry]:
    # quantum.cloud.ibm.com/docs/api/qiskit/: one page per class, named by its public path;
    # one page per module, named by its path without "qiskit.".
    out: list[Entry] = []
    for modname in QISKIT_MODULES:
        module = importlib.import_module(modname)
        out.append((modname, "module", modname.removeprefix("qiskit.")))
        if modname == "qiskit.primitives.containers":
            public = "qiskit.primitives"  # documented under qiskit.primitives
        else:
            public = modname
        for name, obj in _public(module):
            if inspect.isclass(obj) and _documented(obj):
                out += _with_alias(f"{public}.{name}", obj, "class", f"{public}.{name}")
    return out


def pennylane_entries() -> list[Entry]:
    import pennylane

    out: list[Entry] = []
    for name, obj in _public(pennylane):
        role = _role(obj)
        mod = getattr(obj, "__module__", "") or ""
        if role is None or not mod.startswith("pennylane") or not _documented(obj):
            continue
        full = f"pennylane.{name}"
        out += _with_alias(full, obj, role, f"code/api/{full}.html#{full}")
    return out


def quimb_entries() -> list[Entry]:
    # quimb's site is built with sphinx-autoapi: one page per defining module.
    import quimb
    import quimb.tensor

    out: list[Entry] = []
    for prefix, module in [("quimb", quimb), ("quimb.tensor", quimb.tensor)]:
        for name, obj in _public(module):
            role = _role(obj)
            mod = getattr(obj, "__module__", "") or ""
            qual = getattr(obj, "__qualname__", name)
            if role is None or not mod.startswith("quimb") or "<" in qual:
                continue
            uri = f"autoapi/{mod.replace('.', '/')}/index.html#{mod}.{qual}"
            out += _with_alias(f"{prefix}.{name}", obj, role, uri)
    return out


PROJECTS: dict[str, tuple[str, Callable[[], list[Entry]], str]] = {
    # key: (project name, entries, distribution whose version is recorded)
    "numpy": ("NumPy", numpy_entries, "numpy"),
    "scipy": ("SciPy", scipy_entries, "scipy"),
    "torch": ("PyTorch", torch_entries, "torch"),
    "qiskit": ("Qiskit", qiskit_entries, "qiskit"),
    "pennylane": ("PennyLane", pennylane_entries, "pennylane"),
    "quimb": ("quimb", quimb_entries, "quimb"),
}


def write_inventory(path: Path, project: str, version: str, entries: list[Entry]) -> int:
    """Sphinx inventory version 2: a plain header, then zlib-compressed lines
    ``name domain:role priority uri dispname``."""
    lines = sorted({f"{name} py:{role} 1 {uri} -" for name, role, uri in entries})
    header = (
        "# Sphinx inventory version 2\n"
        f"# Project: {project}\n"
        f"# Version: {version}\n"
        "# The remainder of this file is compressed using zlib.\n"
    )
    body = zlib.compress(("\n".join(lines) + "\n").encode("utf-8"), 9)
    path.write_bytes(header.encode("utf-8") + body)
    return len(lines)


def main() -> None:
    from importlib.metadata import version

    versions = []
    for key, (project, entries, dist) in PROJECTS.items():
        ver = version(dist)
        n = write_inventory(HERE / f"{key}.inv", project, ver, entries())
        versions.append(f"{key} {ver} {n} objects")
        print(versions[-1])
    (HERE / "VERSIONS.txt").write_text(
        "Installed versions the inventories here were generated from (generate.py):\n"
        + "\n".join(versions)
        + "\n",
        encoding="utf-8",
    )


if __name__ == "__main__":
    main()
