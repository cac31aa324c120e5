"""Every notebook in ``examples/`` executes without error (nbclient, a python3 kernel) and
shows at least one figure."""

from __future__ import annotations

import os
import re
import shutil
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "examples").glob("*.ipynb"))

nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")


@pytest.fixture(scope="module")
def kernel_name(tmp_path_factory: pytest.TempPathFactory) -> str:
    """A kernel running this interpreter: ``python3`` if it does, else a temporary one."""
    from jupyter_client.kernelspec import KernelSpecManager, NoSuchKernel

    try:
        argv0 = KernelSpecManager().get_kernel_spec("python3").argv[0]
    except NoSuchKernel:
        argv0 = None
    # jupyter_client runs a spec whose argv[0] is "python" with the current interpreter
    if argv0 in {"python", "python3", sys.executable} or (
        argv0
        and shutil.which(argv0)
        and Path(shutil.which(argv0)).resolve() == Path(sys.executable).resolve()
    ):
        return "python3"
    from ipykernel.kernelspec import install

    prefix = tmp_path_factory.mktemp("jupyter")
    install(kernel_name="qtwin-test", prefix=str(prefix))
    os.environ["JUPYTER_PATH"] = os.pathsep.join(
        [str(prefix / "share" / "jupyter"), os.environ.get("JUPYTER_PATH", "")]
    )
    return "qtwin-test"


def test_there_are_notebooks():
    assert NOTEBOOKS, "examples/ holds no notebooks"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_notebook_executes(
    path: Path, kernel_name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # the kernel draws figures inline (MPLBACKEND=Agg, set for the test suite, would make
    # plt.show() draw nothing)
    monkeypatch.delenv("MPLBACKEND", raising=False)
    nb = nbformat.read(path, as_version=4)
    client = nbclient.NotebookClient(
        nb,
        timeout=300,
        kernel_name=kernel_name,
        resources={"metadata": {"path": str(tmp_path)}},
    )
    client.execute()  # raises CellExecutionError, naming the cell, when a cell fails
    errors = [
        out
        for cell in nb.cells
        if cell.cell_type == "code"
        for out in cell.get("outputs", [])
        if out.get("output_type") == "error"
    ]
    assert not errors
    images = [
        out
        for cell in nb.cells
        if cell.cell_type == "code"
        for out in cell.get("outputs", [])
        if any(key.startswith("image/") for key in out.get("data", {}))
    ]
    assert images, f"{path.name} shows no figure"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_stored_notebook_has_a_figure(path: Path) -> None:
    """The docs show the stored outputs (they do not execute the notebooks): at least one
    figure must be stored."""
    nb = nbformat.read(path, as_version=4)
    assert any(
        key.startswith("image/")
        for cell in nb.cells
        if cell.cell_type == "code"
        for out in cell.get("outputs", [])
        for key in out.get("data", {})
    ), f"{path.name}: no stored figure"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_notebook_ends_with_exercises(path: Path) -> None:
    """For a class: exercises at the end, with solutions folded away on the docs site
    (myst-nb shows cells tagged hide-cell/hide-input behind a toggle)."""
    nb = nbformat.read(path, as_version=4)
    first = next(
        (
            i
            for i, cell in enumerate(nb.cells)
            if cell.cell_type == "markdown" and re.search(r"^#+ .*Exercises", cell.source, re.M)
        ),
        None,
    )
    assert first is not None, f"{path.name}: no Exercises section"
    hidden = [
        cell
        for cell in nb.cells[first:]
        if cell.cell_type == "code"
        and {"hide-cell", "hide-input"} & set(cell.get("metadata", {}).get("tags", []))
    ]
    assert 2 <= len(hidden) <= 3, f"{path.name}: {len(hidden)} hidden solutions (want 2-3)"


# words about how the project is made, which a reader of the notebook has no use for
PROCESS_WORDS = re.compile(
    r"\bissue\b|test suite|\bhelpers?\b|\bsession\b|pull request|\bthe lead\b", re.I
)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_notebook_text_is_about_the_science(path: Path) -> None:
    nb = nbformat.read(path, as_version=4)
    found = [
        m.group(0)
        for cell in nb.cells
        if cell.cell_type == "markdown"
        for m in PROCESS_WORDS.finditer(cell.source)
    ]
    assert not found, f"{path.name}: {found}"
