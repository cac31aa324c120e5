"""Crash-safe result storage: atomic file writes and resumable named work units.

Every file is written to a temporary file in the same folder and then moved over the
target with :func:`os.replace` (see :mod:`qtwin._io`, re-exported here): a reader (or a
rerun after ``Ctrl-C``) sees either the old file or the new one, never half a file.

An experiment is a sequence of named *work units*. :meth:`ResultStore.compute` returns a
unit's stored value when it already finished in an earlier run, and otherwise computes it
and stores it at once, so an interrupted run loses at most the unit in progress.
"""

from __future__ import annotations

import json
import os
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar
from urllib.parse import quote

from qtwin._io import atomic_write_bytes, atomic_write_json, atomic_write_text, to_jsonable

if TYPE_CHECKING:
    from matplotlib.figure import Figure

__all__ = [
    "atomic_write_bytes",
    "atomic_write_text",
    "atomic_write_json",
    "to_jsonable",
    "ResultStore",
    "DamagedUnitWarning",
]

T = TypeVar("T")


class DamagedUnitWarning(UserWarning):
    """A unit file could not be read (truncated, foreign or damaged); the unit is recomputed."""


def _read_unit_file(path: Path) -> dict[str, Any]:
    """The record in unit file ``path``; ``ValueError`` naming the file when it is damaged."""
    try:
        record = json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as exc:
        raise ValueError(f"unit file {path} is not valid JSON ({exc})") from None
    if not isinstance(record, dict) or "value" not in record or "unit" not in record:
        raise ValueError(f"unit file {path} is not a unit record (no 'unit'/'value' keys)")
    return record


class ResultStore:
    """Named work units and figures of one experiment run, kept in ``out_dir``.

    Units are JSON files ``out_dir/units/<quoted name>[.<fingerprint>].json`` holding
    ``{"unit": name, "fingerprint": fingerprint, "value": value}``; figures are PNG files
    directly in ``out_dir``. The fingerprint identifies the run (experiment, config, seed,
    backend; see :func:`qtwin.experiments.runner.run_fingerprint`), so units of another run
    in the same folder are never read back. A damaged unit file (say, truncated by a full
    disk) is reported with a :class:`DamagedUnitWarning` naming it and recomputed.

    Args:
        out_dir: the run's output folder (created when missing).
        fingerprint: the run's fingerprint (letters and digits), or ``None`` for a store
            not tied to a run.

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

    def __init__(self, out_dir: str | os.PathLike[str], *, fingerprint: str | None = None) -> None:
        if fingerprint is not None and (
            not isinstance(fingerprint, str) or not fingerprint.isalnum()
        ):
            raise ValueError(f"fingerprint must be letters and digits or None, got {fingerprint!r}")
        self.out_dir = Path(out_dir)
        self.units_dir = self.out_dir / "units"
        self.units_dir.mkdir(parents=True, exist_ok=True)
        self.fingerprint = fingerprint
        self.computed = 0
        self.reused = 0
        self.figures: list[str] = []

    def _path(self, unit: str) -> Path:
        if not isinstance(unit, str) or not unit:
            raise ValueError(f"unit name must be a non-empty string, got {unit!r}")
        suffix = f".{self.fingerprint}.json" if self.fingerprint else ".json"
        return self.units_dir / (quote(unit, safe="") + suffix)

    def _read(self, unit: str) -> Any:
        """The stored value of ``unit``: ``KeyError`` when missing, ``ValueError`` when damaged."""
        path = self._path(unit)
        if not path.is_file():
            raise KeyError(f"work unit {unit!r} has not finished (no {path})")
        record = _read_unit_file(path)
        if record["unit"] != unit or record.get("fingerprint") != self.fingerprint:
            raise ValueError(
                f"unit file {path} belongs to unit {record['unit']!r} of run "
                f"{record.get('fingerprint')!r}, not to unit {unit!r} of run {self.fingerprint!r}"
            )
        return record["value"]

    def __contains__(self, unit: str) -> bool:
        return self._path(unit).is_file()

    def load(self, unit: str) -> Any:
        """Return the stored value of a finished unit.

        Raises:
            KeyError: when ``unit`` has not finished.
            ValueError: when its file is damaged (the message names the file).
        """
        return self._read(unit)

    def save(self, unit: str, value: Any) -> Any:
        """Store ``value`` (JSON-able) as the result of ``unit`` atomically; return it as stored."""
        record = to_jsonable({"unit": unit, "fingerprint": self.fingerprint, "value": value})
        atomic_write_json(self._path(unit), record)
        return record["value"]

    def compute(self, unit: str, func: Callable[[], T]) -> T | Any:
        """Return the stored value of ``unit``, or compute it with ``func()`` and store it.

        The value returned is always the JSON form (what a later resumed run would load),
        so a fresh run and a resumed run see identical values. A damaged unit file is
        reported (:class:`DamagedUnitWarning`, naming the file) and the unit recomputed.
        """
        if unit in self:
            try:
                value = self._read(unit)
            except ValueError as exc:
                warnings.warn(f"{exc}; recomputing unit {unit!r}", DamagedUnitWarning, stacklevel=2)
            else:
                self.reused += 1
                return value
        value = self.save(unit, func())
        self.computed += 1
        return value

    def completed(self) -> list[str]:
        """Names of all finished units of this run (readable files only), sorted."""
        names = []
        for path in sorted(self.units_dir.glob("*.json")):
            try:
                record = _read_unit_file(path)
            except (OSError, ValueError):
                continue
            if record.get("fingerprint") == self.fingerprint and path == self._path(
                str(record["unit"]) or "?"
            ):
                names.append(record["unit"])
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
