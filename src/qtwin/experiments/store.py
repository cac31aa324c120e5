"""Crash-safe result storage: atomic file writes and resumable named work units.

Every file is written to a temporary file in the same folder and then moved over the
target with :func:`os.replace`, which is atomic on POSIX and Windows: a reader (or a rerun
after ``Ctrl-C``) sees either the old file or the new one, never half a file.

An experiment is a sequence of named *work units*. :meth:`ResultStore.compute` returns a
unit's stored value when it already finished in an earlier run, and otherwise computes it
and stores it at once, so an interrupted run loses at most the unit in progress.
"""

from __future__ import annotations

import json
import math
import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar
from urllib.parse import quote

if TYPE_CHECKING:
    from matplotlib.figure import Figure

__all__ = [
    "atomic_write_bytes",
    "atomic_write_text",
    "atomic_write_json",
    "to_jsonable",
    "ResultStore",
]

T = TypeVar("T")


def atomic_write_bytes(path: str | os.PathLike[str], data: bytes) -> Path:
    """Write ``data`` to ``path`` atomically (temporary file + :func:`os.replace`).

    Example:
        >>> import tempfile, pathlib
        >>> d = pathlib.Path(tempfile.mkdtemp())
        >>> atomic_write_bytes(d / "a.bin", b"xyz").read_bytes()
        b'xyz'
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise
    return path


def atomic_write_text(path: str | os.PathLike[str], text: str) -> Path:
    """Write ``text`` (UTF-8) to ``path`` atomically."""
    return atomic_write_bytes(path, text.encode("utf-8"))


def to_jsonable(obj: Any) -> Any:
    """Convert numpy/torch scalars and arrays, tuples, paths and complex numbers to JSON.

    Complex numbers become ``{"re": x, "im": y}``; NaN and infinities become ``None``
    (strict JSON has neither).

    Example:
        >>> import numpy as np
        >>> to_jsonable({"a": np.float64(0.5), "b": (1, 2), "c": np.arange(2), "d": float("nan")})
        {'a': 0.5, 'b': [1, 2], 'c': [0, 1], 'd': None}
    """
    if isinstance(obj, dict):
        return {str(k): to_jsonable(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [to_jsonable(v) for v in obj]
    if isinstance(obj, bool) or obj is None or isinstance(obj, (int, str)):
        return obj
    if isinstance(obj, float):  # includes numpy.float64
        return float(obj) if math.isfinite(obj) else None
    if isinstance(obj, complex):
        return {"re": to_jsonable(obj.real), "im": to_jsonable(obj.imag)}
    if isinstance(obj, os.PathLike):
        return os.fspath(obj)
    if hasattr(obj, "tolist"):  # numpy arrays and scalars, torch tensors
        if hasattr(obj, "detach"):
            obj = obj.detach().cpu()
        return to_jsonable(obj.tolist())
    raise TypeError(f"cannot store a value of type {type(obj).__name__} as JSON: {obj!r}")


def atomic_write_json(path: str | os.PathLike[str], obj: Any) -> Path:
    """Write ``obj`` as indented strict JSON to ``path`` atomically (see :func:`to_jsonable`)."""
    text = json.dumps(to_jsonable(obj), indent=2, allow_nan=False)
    return atomic_write_text(path, text + "\n")


class ResultStore:
    """Named work units and figures of one experiment run, kept in ``out_dir``.

    Units are JSON files ``out_dir/units/<quoted name>.json`` holding ``{"unit": name,
    "value": value}``; figures are PNG files directly in ``out_dir``.

    Args:
        out_dir: the run's output folder (created when missing).

    Example:
        >>> import tempfile
        >>> store = ResultStore(tempfile.mkdtemp())
        >>> store.compute("square/3", lambda: 3 * 3)
        9
        >>> store.compute("square/3", lambda: 1 / 0)  # finished before: not recomputed
        9
        >>> store.completed(), store.computed, store.reused
        (['square/3'], 1, 1)
    """

    def __init__(self, out_dir: str | os.PathLike[str]) -> None:
        self.out_dir = Path(out_dir)
        self.units_dir = self.out_dir / "units"
        self.units_dir.mkdir(parents=True, exist_ok=True)
        self.computed = 0
        self.reused = 0
        self.figures: list[str] = []

    def _path(self, unit: str) -> Path:
        if not isinstance(unit, str) or not unit:
            raise ValueError(f"unit name must be a non-empty string, got {unit!r}")
        return self.units_dir / (quote(unit, safe="") + ".json")

    def __contains__(self, unit: str) -> bool:
        return self._path(unit).is_file()

    def load(self, unit: str) -> Any:
        """Return the stored value of a finished unit.

        Raises:
            KeyError: when ``unit`` has not finished.
        """
        path = self._path(unit)
        if not path.is_file():
            raise KeyError(f"work unit {unit!r} has not finished (no {path})")
        return json.loads(path.read_text(encoding="utf-8"))["value"]

    def save(self, unit: str, value: Any) -> Any:
        """Store ``value`` (JSON-able) as the result of ``unit`` atomically; return it as stored."""
        record = to_jsonable({"unit": unit, "value": value})
        atomic_write_json(self._path(unit), record)
        return record["value"]

    def compute(self, unit: str, func: Callable[[], T]) -> T | Any:
        """Return the stored value of ``unit``, or compute it with ``func()`` and store it.

        The value returned is always the JSON form (what a later resumed run would load),
        so a fresh run and a resumed run see identical values.
        """
        if unit in self:
            self.reused += 1
            return self.load(unit)
        value = self.save(unit, func())
        self.computed += 1
        return value

    def completed(self) -> list[str]:
        """Names of all finished units, sorted."""
        names = []
        for path in sorted(self.units_dir.glob("*.json")):
            try:
                names.append(json.loads(path.read_text(encoding="utf-8"))["unit"])
            except (OSError, ValueError, KeyError):  # pragma: no cover - foreign file
                continue
        return sorted(names)

    def save_figure(self, fig: Figure, filename: str, *, dpi: int = 110) -> Path:
        """Save a matplotlib figure as PNG (Agg renderer) atomically into ``out_dir``.

        Args:
            fig: the figure; build it with :func:`qtwin.experiments.figures.new_figure` (no
                pyplot state is touched).
            filename: a plain file name ending in ``.png``.
            dpi: resolution.
        """
        import io

        from matplotlib.backends.backend_agg import FigureCanvasAgg

        if Path(filename).name != filename or not filename.endswith(".png"):
            raise ValueError(f"filename must be a plain file name ending in .png, got {filename!r}")
        if not isinstance(fig.canvas, FigureCanvasAgg):
            FigureCanvasAgg(fig)
        buffer = io.BytesIO()
        fig.savefig(buffer, format="png", dpi=dpi, bbox_inches="tight")
        path = atomic_write_bytes(self.out_dir / filename, buffer.getvalue())
        if filename not in self.figures:
            self.figures.append(filename)
        return path
