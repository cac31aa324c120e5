"""The experiment registry: ``@register``, ``list_experiments`` and ``get_experiment``.

An experiment is a function ``run(config, *, backend, seed, store, progress) -> metrics``
registered under a name together with its default configuration. The defaults are small so
that every experiment finishes in seconds (``qtwin tour`` runs them all); larger runs change
them with overrides (``qtwin run NAME --set key=value``).

Experiments living in modules of :mod:`qtwin.experiments` register themselves when the
package is first asked for them, so a new experiment is one new module with one
``@register`` call.
"""

from __future__ import annotations

import copy
import importlib
import pkgutil
import warnings
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from qtwin.experiments.store import ResultStore

__all__ = [
    "Experiment",
    "ExperimentFunction",
    "Progress",
    "register",
    "list_experiments",
    "get_experiment",
    "validate_backend",
]

#: Modules of this package that hold the framework itself, not experiments.
_FRAMEWORK_MODULES = frozenset(
    {"registry", "config", "store", "runner", "report", "provenance", "figures"}
)

_REGISTRY: dict[str, Experiment] = {}
_builtins_loaded = False


class Progress(Protocol):
    """A progress wrapper around an iterable, like :func:`tqdm.tqdm`.

    ``progress(items, total=len(items), desc="circuits")`` yields the items and draws a
    bar while doing so (or stays silent when progress display is off).
    """

    def __call__(
        self, iterable: Iterable[Any], *, total: int | None = None, desc: str | None = None
    ) -> Iterable[Any]: ...


class ExperimentFunction(Protocol):
    """The signature of an experiment's run function; it returns the metrics (JSON-able)."""

    def __call__(
        self,
        config: dict[str, Any],
        *,
        backend: str | None,
        seed: int,
        store: ResultStore,
        progress: Progress,
    ) -> dict[str, Any]: ...


@dataclass(frozen=True)
class Experiment:
    """A registered experiment.

    Attributes:
        name: the name used by :func:`get_experiment` and ``qtwin run NAME``.
        run: the run function (see :class:`ExperimentFunction`).
        default_config: the small, fast default configuration (a JSON-able dict of
            scalars and lists); :meth:`config` returns a private copy.
        description: one line shown by ``qtwin list``.
        circuits: whether the experiment runs circuits, so that ``--backend`` means
            something for it (experiments without circuits refuse a backend, see
            :func:`validate_backend`).
    """

    name: str
    run: ExperimentFunction
    default_config: Mapping[str, Any] = field(default_factory=dict)
    description: str = ""
    circuits: bool = True

    def config(self) -> dict[str, Any]:
        """Return a deep copy of the default configuration, safe to modify."""
        return copy.deepcopy(dict(self.default_config))


def register(
    name: str,
    *,
    config: Mapping[str, Any],
    description: str | None = None,
    replace: bool = False,
    circuits: bool = True,
) -> Callable[[ExperimentFunction], ExperimentFunction]:
    """Decorator registering ``run`` as the experiment ``name`` with default ``config``.

    Args:
        name: unique experiment name (letters, digits, ``-`` and ``_``).
        config: the default configuration: a flat dict whose values are ``int``,
            ``float``, ``bool``, ``str``, ``None`` or lists of those. Overrides given as
            ``key=value`` strings are coerced to the type of the default value.
        description: one line for ``qtwin list``; the first line of the function's
            docstring when omitted.
        replace: allow replacing an experiment already registered under ``name``.
        circuits: ``False`` for an experiment that runs no circuits (it then refuses a
            ``backend``, see :func:`validate_backend`).

    Returns:
        The decorator; it returns the function unchanged.

    Raises:
        ValueError: for an invalid or already registered name, or a config that is not a
            flat dict of JSON scalars and lists.

    Example:
        >>> @register("doc-demo", config={"n": 3}, replace=True)
        ... def demo(config, *, backend, seed, store, progress):
        ...     '''Count to n.'''
        ...     return {"total": sum(range(config["n"]))}
        >>> get_experiment("doc-demo").description
        'Count to n.'
        >>> _ = _REGISTRY.pop("doc-demo")
    """
    if not isinstance(name, str) or not name or not all(c.isalnum() or c in "-_" for c in name):
        raise ValueError(
            f"experiment name must be a non-empty string of letters, digits, '-' and '_', "
            f"got {name!r}"
        )
    _check_config(config, name)

    def decorator(func: ExperimentFunction) -> ExperimentFunction:
        if name in _REGISTRY and not replace:
            raise ValueError(
                f"an experiment named {name!r} is already registered "
                f"(by {getattr(_REGISTRY[name].run, '__module__', '?')}); pass replace=True"
            )
        doc = description
        if doc is None:
            doc = (func.__doc__ or "").strip().splitlines()[0] if func.__doc__ else ""
        _REGISTRY[name] = Experiment(
            name=name,
            run=func,
            default_config=copy.deepcopy(dict(config)),
            description=doc,
            circuits=bool(circuits),
        )
        return func

    return decorator


def _check_config(config: Mapping[str, Any], name: str) -> None:
    if not isinstance(config, Mapping):
        raise ValueError(f"config of experiment {name!r} must be a dict, got {type(config)}")
    scalars = (bool, int, float, str, type(None))
    for key, value in config.items():
        if not isinstance(key, str):
            raise ValueError(f"config keys of experiment {name!r} must be strings, got {key!r}")
        values = value if isinstance(value, list) else [value]
        if not all(isinstance(v, scalars) for v in values):
            raise ValueError(
                f"config[{key!r}] of experiment {name!r} must be an int, float, bool, str, "
                f"None or a list of those, got {value!r}"
            )


def _load_builtins() -> None:
    """Import every experiment module of this package once, so that they register."""
    global _builtins_loaded
    if _builtins_loaded:
        return
    _builtins_loaded = True
    package = importlib.import_module("qtwin.experiments")
    for info in pkgutil.iter_modules(package.__path__):
        if info.name.startswith("_") or info.name in _FRAMEWORK_MODULES:
            continue
        try:
            importlib.import_module(f"qtwin.experiments.{info.name}")
        except ImportError as exc:  # an experiment whose optional extra is missing
            warnings.warn(
                f"experiment module qtwin.experiments.{info.name} could not be imported "
                f"and is not available: {exc}",
                RuntimeWarning,
                stacklevel=2,
            )


def list_experiments() -> list[str]:
    """Return the names of all registered experiments, sorted.

    Example:
        >>> "simulate" in list_experiments()
        True
    """
    _load_builtins()
    return sorted(_REGISTRY)


def get_experiment(name: str) -> Experiment:
    """Return the experiment registered as ``name``.

    Raises:
        ValueError: for an unknown name; the message lists the valid names.

    Example:
        >>> get_experiment("simulate").name
        'simulate'
        >>> get_experiment("nope")  # doctest: +ELLIPSIS
        Traceback (most recent call last):
        ...
        ValueError: unknown experiment 'nope'; available experiments: ...simulate...
    """
    _load_builtins()
    try:
        return _REGISTRY[name]
    except (KeyError, TypeError):
        names = ", ".join(sorted(_REGISTRY)) or "(none)"
        raise ValueError(f"unknown experiment {name!r}; available experiments: {names}") from None


def validate_backend(experiment: str, backend: str | None) -> None:
    """Check, before anything is written, that ``experiment`` can run on ``backend``.

    ``None`` (the experiment's own default) is always accepted. A name is accepted when
    :func:`qtwin.backends.available_backends` lists it, or when it is ``"ibm:<device>"`` or
    ``"pennylane:<device>"`` with a device named (those devices are only known when the
    backend is built: the IBM account's devices need a network query).

    Args:
        experiment: a registered experiment name.
        backend: a backend name as for :func:`qtwin.backends.get_backend`, or ``None``.

    Raises:
        ValueError: an unknown experiment; an unknown backend name (the message lists the
            names usable here); or an experiment that runs no circuits given a backend.
        TypeError: ``backend`` is neither a string nor ``None``.

    Example:
        >>> validate_backend("simulate", "aer")
        >>> validate_backend("simulate", "bogus")  # doctest: +ELLIPSIS
        Traceback (most recent call last):
        ...
        ValueError: unknown backend 'bogus' for --backend; available here: tensornet, aer, ...
        >>> validate_backend("designs", "aer")  # doctest: +ELLIPSIS
        Traceback (most recent call last):
        ...
        ValueError: experiment 'designs' runs no circuits, so it takes no --backend ...
    """
    exp = get_experiment(experiment)
    if backend is None:
        return
    if not isinstance(backend, str):
        raise TypeError(f"backend must be a backend name (str) or None, got {backend!r}")
    if not exp.circuits:
        raise ValueError(
            f"experiment {experiment!r} runs no circuits, so it takes no --backend "
            f"(got {backend!r}); run it without --backend"
        )
    from qtwin.backends import available_backends

    available = available_backends()
    name = backend.strip()
    kind, _, device = name.partition(":")
    if name in available or (kind.lower() in ("ibm", "pennylane") and device.strip()):
        return
    if kind.lower() == "fake" and device.strip() and any(n.startswith("fake:") for n in available):
        from qtwin.backends.fake import resolve_fake_device

        try:
            resolve_fake_device(device.strip())
        except ValueError as exc:
            raise ValueError(f"unknown backend {backend!r} for --backend: {exc}") from None
        return
    shown = [n for n in available if not n.startswith("fake:")]
    fakes = [n for n in available if n.startswith("fake:")]
    if fakes:
        shown.append(f"fake:<device> ({len(fakes)} devices, e.g. {', '.join(fakes[:3])})")
    if "ibm:<device>" not in shown:
        shown.append("ibm:<device> (needs a saved IBM Quantum account)")
    raise ValueError(
        f"unknown backend {backend!r} for --backend; available here: {', '.join(shown)}"
    )
