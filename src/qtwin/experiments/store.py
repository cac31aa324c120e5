"""Crash-safe result storage: atomic file writes and resumable named work units.

Every file is written to a temporary file in the same folder and then moved over the
target with :func:`os.replace` (see :mod:`qtwin._io`, re-exported here): a reader (or a
rerun after ``Ctrl-C``) sees either the old file or the new one, never half a file.

An experiment is a sequence of named *work units*. :meth:`ResultStore.compute` returns a
unit's stored value when it already finished in an earlier run, and otherwise computes it
and stores it at once, so an interrupted run loses at most the unit in progress.

Many units at once, here or on a Dask cluster: :meth:`ResultStore.compute_many`
-----------------------------------------------------------------------------------

:meth:`ResultStore.compute_many` is the one entry point an experiment needs to run its
units on a cluster (``qtwin run NAME --cluster dask:2`` / ``tcp://host:port``, or the
``QTWIN_CLUSTER`` environment variable) without writing any Dask code. The recipe:

1. Write the unit as a **module-level** function ``unit(item, seed)`` (it is pickled to the
   workers; no lambda, no closure over open files or backends): ``item`` holds everything
   the unit needs (numbers, strings, tuples, circuits, arrays), ``seed`` is the unit's own
   :class:`numpy.random.SeedSequence`, derived from (run seed, unit name) only
   (``rng = np.random.default_rng(seed)``; pass ``int(seed.generate_state(1)[0])`` to
   APIs that take an int). It returns a JSON-able value. Build heavy objects (a backend,
   a model) inside the unit from names in ``item``, not on the client.
2. Call it for all units at once::

       values = store.compute_many(
           [f"estimate/{c}/{b}" for c, b in pairs],   # stable, unique unit names
           _estimate_unit,                               # unit(item, seed) -> JSON-able
           [(c, b, config.shots) for c, b in pairs],     # one item per unit
           desc="estimates",
       )

   Finished units (from an earlier, interrupted run) are read back; the others run in
   this process, or as futures on the run's cluster, and each result is stored *by the
   client* as it completes (no shared filesystem). ``values`` is in the order of the
   names, each value in its JSON form (as a resumed run would read it), identical for any
   number of workers and equal to a local run.
3. Units that depend on other units' results: call ``compute_many`` once per stage.

Capability functions that take ``cluster=`` (``frame_potential(..., cluster=)`` etc.) can
be given :attr:`ResultStore.client` (``None`` when the run is local).

Figures: :meth:`ResultStore.save_figure` writes a PNG; give it a ``caption=`` (one
sentence saying what the figure shows and how to read it) and the report prints it under
the figure (:meth:`ResultStore.caption` sets one for a figure saved otherwise). Captions
are stored in ``results.json`` under ``"captions"``.
"""

from __future__ import annotations

import json
import os
import warnings
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar
from urllib.parse import quote

from qtwin._io import atomic_write_bytes, atomic_write_json, atomic_write_text, to_jsonable

if TYPE_CHECKING:
    import numpy as np
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
I = TypeVar("I")  # noqa: E741 - an item type

#: Job name in every unit seed: ``unit_seed(run seed, unit name, key=SEED_KEY)``.
SEED_KEY = "qtwin.experiments.unit"


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
        seed: the run's seed; unit seeds of :meth:`compute_many` derive from it and the
            unit's name (see :meth:`unit_seed`).
        client: a :class:`distributed.Client` to run :meth:`compute_many` units on, or
            ``None`` to run them in this process.
        progress: draw a progress bar in :meth:`compute_many`.

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

    def __init__(
        self,
        out_dir: str | os.PathLike[str],
        *,
        fingerprint: str | None = None,
        seed: int = 0,
        client: Any = None,
        progress: bool = False,
    ) -> None:
        if fingerprint is not None and (
            not isinstance(fingerprint, str) or not fingerprint.isalnum()
        ):
            raise ValueError(f"fingerprint must be letters and digits or None, got {fingerprint!r}")
        if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
            raise ValueError(f"seed must be an integer >= 0, got {seed!r}")
        self.out_dir = Path(out_dir)
        self.units_dir = self.out_dir / "units"
        self.units_dir.mkdir(parents=True, exist_ok=True)
        self.fingerprint = fingerprint
        self.seed = seed
        self.client = client
        self.progress = bool(progress)
        self.computed = 0
        self.reused = 0
        self.figures: list[str] = []
        self.captions: dict[str, str] = {}

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

    def unit_seed(self, unit: str) -> np.random.SeedSequence:
        """The seed :meth:`compute_many` gives unit ``unit``: from (run seed, unit name) only.

        Example:
            >>> import tempfile
            >>> store = ResultStore(tempfile.mkdtemp(), seed=3)
            >>> a = store.unit_seed("u/1").generate_state(2)
            >>> bool((a == ResultStore(tempfile.mkdtemp(), seed=3).unit_seed("u/1")
            ...       .generate_state(2)).all())
            True
        """
        from qtwin.distributed import unit_seed

        self._path(unit)  # checks the name
        return unit_seed(self.seed, unit, key=SEED_KEY)

    def compute_many(
        self,
        units: Sequence[str],
        func: Callable[[I, np.random.SeedSequence], Any],
        items: Sequence[I] | None = None,
        *,
        desc: str | None = None,
        retries: int = 0,
    ) -> list[Any]:
        """Values of many units: stored ones read back, the others computed and stored.

        Missing units run as ``func(item, seed)`` in this process, or as Dask futures on
        :attr:`client` when the run has a cluster; the client stores each result as it
        completes, so an interrupted run keeps every finished unit. ``seed`` is
        :meth:`unit_seed` of the unit's name, so values do not depend on the number of
        workers or the completion order. See the module docstring for the recipe.

        Args:
            units: unique unit names.
            func: ``func(item, seed) -> JSON-able``; module-level (picklable) for clusters.
            items: one input per unit; the unit names themselves when omitted.
            desc: progress-bar label (the first unit name's prefix when omitted).
            retries: Dask re-runs of a unit that raised (units must be idempotent).

        Returns:
            The values in the order of ``units``, in their JSON form.

        Raises:
            ValueError: duplicate or invalid unit names, or ``items`` of another length.
            Exception: the first exception a unit raised (finished units stay stored).

        Example:
            >>> import tempfile
            >>> import numpy as np
            >>> def draw(n, seed):
            ...     return float(np.random.default_rng(seed).random(n).sum())
            >>> store = ResultStore(tempfile.mkdtemp(), seed=1)
            >>> a = store.compute_many(["u/3", "u/4"], draw, [3, 4])
            >>> a == [draw(3, store.unit_seed("u/3")), draw(4, store.unit_seed("u/4"))]
            True
            >>> store.compute_many(["u/3", "u/4"], draw, [3, 4]) == a, store.reused
            (True, 2)
        """
        from qtwin.distributed import map_units

        units = list(units)
        items = list(units) if items is None else list(items)
        if len(items) != len(units):
            raise ValueError(f"items must have one entry per unit ({len(units)}), got {len(items)}")
        if len(set(units)) != len(units):
            raise ValueError("unit names given to compute_many must be distinct")
        values: list[Any] = [None] * len(units)
        todo: list[int] = []
        for i, unit in enumerate(units):
            self._path(unit)
            if unit in self:
                try:
                    values[i] = self._read(unit)
                except ValueError as exc:
                    warnings.warn(
                        f"{exc}; recomputing unit {unit!r}", DamagedUnitWarning, stacklevel=2
                    )
                else:
                    self.reused += 1
                    continue
            todo.append(i)
        if not todo:
            return values

        from qtwin._progress import progress

        label = desc if desc is not None else units[todo[0]].split("/")[0]
        with progress(total=len(todo), desc=label, enabled=self.progress) as bar:

            def store_result(j: int, value: Any) -> None:
                i = todo[j]
                values[i] = self.save(units[i], value)
                self.computed += 1
                bar.update()

            map_units(
                func,
                [items[i] for i in todo],
                cluster=self.client,
                seed=self.seed,
                key=SEED_KEY,
                unit_keys=[units[i] for i in todo],
                on_result=store_result,
                progress=False,
                retries=retries,
            )
        return values

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

    def caption(self, filename: str, text: str) -> None:
        """Set the caption the report prints under figure ``filename``.

        Args:
            filename: the figure's file name (as given to :meth:`save_figure`).
            text: one or two sentences: what is plotted, and what to look for.

        Example:
            >>> import tempfile
            >>> store = ResultStore(tempfile.mkdtemp())
            >>> store.caption("decay.png", "Survival probability vs sequence length.")
            >>> store.captions
            {'decay.png': 'Survival probability vs sequence length.'}
        """
        if not isinstance(filename, str) or Path(filename).name != filename or not filename:
            raise ValueError(f"filename must be a plain file name, got {filename!r}")
        if not isinstance(text, str) or not text.strip():
            raise ValueError(f"caption of {filename} must be a non-empty string, got {text!r}")
        self.captions[filename] = " ".join(text.split())

    def save_figure(
        self, fig: Figure, filename: str, *, dpi: int = 110, caption: str | None = None
    ) -> Path:
        """Save a matplotlib figure as PNG (Agg renderer) atomically into ``out_dir``.

        Args:
            fig: the figure; build it with :func:`qtwin.experiments.figures.new_figure` (no
                pyplot state is touched).
            filename: a plain file name ending in ``.png``.
            dpi: resolution.
            caption: the sentence the report prints under the figure (see :meth:`caption`).
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
        if caption is not None:
            self.caption(filename, caption)
        return path
