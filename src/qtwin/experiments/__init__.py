"""Runnable experiments: a config in, ``results.json``, figures and an HTML report out.

Each experiment is a function registered with :func:`register` together with its config:
a frozen dataclass whose fields are declared with :func:`option` (default, help, bounds),
so that overrides are typed and checked before anything is written.
:func:`run_experiment` applies overrides, runs it into an output folder (``runs/<name>`` by
default) and records config, seed, backend, versions, timestamps and
metrics in ``results.json``; figures are PNG files beside it, and
:func:`~qtwin.experiments.report.write_report` turns the folder into a self-contained
``report.html``. Work is split into named units that are stored as they finish, so an
interrupted run resumes where it stopped.

:func:`load_results` reads a finished run back as pandas DataFrames (metrics and units in
tidy form, record lists as tables).

The command line does the same: ``qtwin list``, ``qtwin run NAME --set key=value``,
``qtwin report DIR`` and ``qtwin tour``.

Example:
    >>> from qtwin.experiments import list_experiments, get_experiment
    >>> "simulate" in list_experiments()
    True
    >>> get_experiment("simulate").config().max_bond
    64
"""

from __future__ import annotations

from qtwin.experiments.config import (
    apply_overrides,
    coerce_value,
    config_to_dict,
    make_config,
    option,
    parse_set_options,
)
from qtwin.experiments.registry import (
    Experiment,
    ExperimentFunction,
    Progress,
    get_experiment,
    list_experiments,
    register,
)
from qtwin.experiments.report import write_index, write_report
from qtwin.experiments.results import RunResults, load_results
from qtwin.experiments.runner import (
    ConfigMismatchError,
    DamagedRunFileError,
    RunLockedError,
    make_progress,
    run_experiment,
    run_lock,
)
from qtwin.experiments.store import (
    DamagedUnitWarning,
    ResultStore,
    atomic_write_bytes,
    atomic_write_json,
)

__all__ = [
    "ConfigMismatchError",
    "DamagedRunFileError",
    "DamagedUnitWarning",
    "RunLockedError",
    "Experiment",
    "ExperimentFunction",
    "Progress",
    "ResultStore",
    "apply_overrides",
    "atomic_write_bytes",
    "atomic_write_json",
    "coerce_value",
    "config_to_dict",
    "make_config",
    "option",
    "get_experiment",
    "list_experiments",
    "make_progress",
    "parse_set_options",
    "register",
    "run_experiment",
    "run_lock",
    "write_index",
    "write_report",
    "load_results",
    "RunResults",
]
