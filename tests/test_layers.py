"""The layer rules of DESIGN.md hold (import-linter, the contracts in pyproject.toml), and
the checker really fails when a module breaks one of them.

The second part copies ``src/qtwin`` to a temporary folder, adds one module that breaks a
rule, and runs ``lint-imports`` with the repository's own configuration on the copy: the
contract must be reported broken, naming the offending import.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
LINT_IMPORTS = shutil.which("lint-imports")

pytestmark = pytest.mark.skipif(
    LINT_IMPORTS is None, reason="import-linter is not installed (pip install -e '.[dev]')"
)


def _lint(cwd: Path, src: Path) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, PYTHONPATH=str(src), COLUMNS="200")
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache", "--no-logo", str(cwd / "pyproject.toml")],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_the_repository_keeps_its_layers() -> None:
    proc = _lint(ROOT, ROOT / "src")
    assert proc.returncode == 0, proc.stdout[-6000:] + proc.stderr[-2000:]
    assert "BROKEN" not in proc.stdout


@pytest.fixture(scope="module")
def copy(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The package and the configuration, copied (no caches, no bytecode)."""
    root = tmp_path_factory.mktemp("layers")
    shutil.copytree(
        ROOT / "src" / "qtwin",
        root / "src" / "qtwin",
        ignore=shutil.ignore_patterns("__pycache__", "*.pyc"),
    )
    shutil.copy(ROOT / "pyproject.toml", root / "pyproject.toml")
    return root


# (where the bad module goes, what it imports, the contract that must break)
VIOLATIONS = [
    ("designs", "import qtwin.experiments", "DESIGN.md layers"),  # a capability imports runs
    ("tensornet", "from qtwin.backends import get_backend", "DESIGN.md layers"),  # upward
    ("qml", "import qtwin.aqc", "DESIGN.md layers"),  # sideways between capabilities
    ("designs", "import qtwin.rb", "DESIGN.md layers"),  # rb -> designs only, not back
    ("_io.py", "import qtwin.circuits", "DESIGN.md layers"),  # ground imports foundations
    ("aqc", "from qtwin.backends import _extras", "private backends modules"),
    ("rb", "import distributed", "only qtwin.distributed imports Dask"),  # a cluster directly
    ("qml.qnn", "import qtwin.qml.sequences", "qml.qnn and qml.sequences"),
]


@pytest.mark.parametrize(
    ("where", "statement", "contract"), VIOLATIONS, ids=[f"{w}:{s}" for w, s, _ in VIOLATIONS]
)
def test_a_violation_is_reported(copy: Path, where: str, statement: str, contract: str) -> None:
    pkg = copy / "src" / "qtwin"
    if where.endswith(".py"):  # a ground module: append the import to it
        target = pkg / where
        original = target.read_text(encoding="utf-8")
        target.write_text(original + f"\n{statement}  # layer test\n", encoding="utf-8")
    else:
        target = pkg.joinpath(*where.split(".")) / "_layer_violation.py"
        original = None
        target.write_text(f'"""A deliberate layer violation."""\n\n{statement}\n')
    try:
        proc = _lint(copy, copy / "src")
    finally:
        if original is None:
            target.unlink()
        else:
            target.write_text(original, encoding="utf-8")
    out = proc.stdout
    assert proc.returncode != 0, out[-4000:] + proc.stderr[-2000:]
    broken = [line for line in out.splitlines() if " BROKEN" in line]
    assert any(contract in line for line in broken), out[-4000:]
    module = (
        "qtwin."
        + where.removesuffix(".py")
        + ("" if where.endswith(".py") else "._layer_violation")
    )
    assert module in out, out[-4000:]


def test_the_checker_does_not_import_the_installed_package(copy: Path) -> None:
    """The copy is what is analysed (PYTHONPATH first), not the editable install."""
    proc = subprocess.run(
        [sys.executable, "-c", "import qtwin; print(qtwin.__file__)"],
        env=dict(os.environ, PYTHONPATH=str(copy / "src")),
        capture_output=True,
        text=True,
        check=True,
    )
    assert Path(proc.stdout.strip()).is_relative_to(copy)


def test_every_private_backends_module_is_forbidden_to_capabilities() -> None:
    """import-linter's wildcards cannot match ``_*``: the contract lists the private modules
    one by one, so a new one must be added there."""
    import tomllib

    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    contracts = {c["id"]: c for c in config["tool"]["importlinter"]["contracts"]}
    forbidden = set(contracts["capabilities-use-public-backends"]["forbidden_modules"])
    private = {
        f"qtwin.backends.{p.stem}"
        for p in (ROOT / "src" / "qtwin" / "backends").iterdir()
        if p.name.startswith("_")
        and p.name != "__init__.py"
        and p.suffix in {".py", ""}
        and not p.name.startswith("__")
    }
    assert private <= forbidden, sorted(private - forbidden)
