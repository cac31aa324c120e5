"""The experiment registry: ``@register``, ``list_experiments`` and ``get_experiment``.

An experiment is a function ``run(config, *, backend, seed, store, progress) -> metrics``
registered under a name together with its configuration: a frozen dataclass whose fields
are declared with :func:`~qtwin.experiments.config.option` (the run function then receives
an instance), or, for experiments not yet converted, a flat dict of defaults (the run
function receives a dict). The defaults are small so that every experiment finishes in
seconds (``qtwin tour`` runs them all); larger runs change them with overrides
(``qtwin run NAME --set key=value``; ``qtwin run NAME --help`` lists the fields).

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

from qtwin.experiments.config import (
    FieldInfo,
    apply_overrides,
    config_fields,
    config_to_dict,
    did_you_mean,
    is_config_class,
    make_config,
    validate_config,
)

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
    "describe_markdown",
]

#: Modules of this package that hold the framework itself, not experiments.
_FRAMEWORK_MODULES = frozenset(
    {"registry", "config", "store", "runner", "report", "provenance", "figures", "results"}
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
        config: Any,
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
        default_config: the small, fast default configuration in its JSON form (a dict of
            scalars and lists; for a typed config, ``config_to_dict`` of the default
            instance).
        description: one line shown by ``qtwin list``.
        circuits: whether the experiment runs circuits, so that ``--backend`` means
            something for it (experiments without circuits refuse a backend, see
            :func:`validate_backend`).
        config_class: the typed config dataclass, or ``None`` for a legacy dict config.
    """

    name: str
    run: ExperimentFunction
    default_config: Mapping[str, Any] = field(default_factory=dict)
    description: str = ""
    circuits: bool = True
    config_class: type | None = None

    @property
    def typed(self) -> bool:
        """Whether the experiment declares a typed config dataclass."""
        return self.config_class is not None

    def config(self) -> Any:
        """The default configuration: a config instance, or a private dict copy (legacy)."""
        if self.config_class is not None:
            return make_config(self.config_class)
        return copy.deepcopy(dict(self.default_config))

    def make_config(self, overrides: Mapping[str, Any] | Any | None = None) -> Any:
        """The configuration with ``overrides`` applied, coerced and validated.

        Args:
            overrides: ``{key: value}`` (strings parsed as by ``--set``), or, for a typed
                experiment, an instance of its config class.

        Raises:
            ValueError: an unknown key (with a "did you mean"), a bad value, or a value
                refused by the config's checks.
            TypeError: a config instance of another class.
        """
        if self.config_class is None:
            return apply_overrides(self.default_config, overrides)
        if overrides is not None and not isinstance(overrides, Mapping):
            if type(overrides) is not self.config_class:
                raise TypeError(
                    f"experiment {self.name!r} takes a {self.config_class.__name__} config or "
                    f"a dict of overrides, got {type(overrides).__name__}"
                )
            return validate_config(overrides)
        return make_config(self.config_class, overrides)

    def fields(self) -> list[FieldInfo]:
        """The config fields (name, type, default, help, bounds); ``[]`` for a legacy config."""
        return config_fields(self.config_class) if self.config_class is not None else []


def register(
    name: str,
    *,
    config: type | Mapping[str, Any],
    description: str | None = None,
    replace: bool = False,
    circuits: bool = True,
) -> Callable[[ExperimentFunction], ExperimentFunction]:
    """Decorator registering ``run`` as the experiment ``name`` with its ``config``.

    Args:
        name: unique experiment name (letters, digits, ``-`` and ``_``).
        config: the config class: a frozen dataclass whose fields are declared with
            :func:`~qtwin.experiments.config.option` (the run function receives an
            instance). Legacy: a flat dict of defaults whose values are ``int``, ``float``,
            ``bool``, ``str``, ``None`` or lists of those (the run function receives a
            dict; ``key=value`` overrides are coerced to the type of the default value).
        description: one line for ``qtwin list``; the first line of the function's
            docstring (else of the config class's docstring) when omitted.
        replace: allow replacing an experiment already registered under ``name``.
        circuits: ``False`` for an experiment that runs no circuits (it then refuses a
            ``backend``, see :func:`validate_backend`).

    Returns:
        The decorator; it returns the function unchanged.

    Raises:
        ValueError: for an invalid or already registered name, a dict config that is not
            flat JSON scalars and lists, or a config class whose defaults fail its checks.
        TypeError: a config class with a field that has no default or an unreadable type.

    Example:
        >>> from dataclasses import dataclass
        >>> from qtwin.experiments.config import option
        >>> @dataclass(frozen=True)
        ... class DemoConfig:
        ...     n: int = option(3, "how far to count", low=0)
        >>> @register("doc-demo", config=DemoConfig, circuits=False, replace=True)
        ... def demo(config, *, backend, seed, store, progress):
        ...     '''Count to n.'''
        ...     return {"total": sum(range(config.n))}
        >>> exp = get_experiment("doc-demo")
        >>> exp.description, exp.config(), exp.default_config
        ('Count to n.', DemoConfig(n=3), {'n': 3})
        >>> exp.make_config({"n": "5"}).n
        5
        >>> _ = _REGISTRY.pop("doc-demo")
    """
    if not isinstance(name, str) or not name or not all(c.isalnum() or c in "-_" for c in name):
        raise ValueError(
            f"experiment name must be a non-empty string of letters, digits, '-' and '_', "
            f"got {name!r}"
        )
    if is_config_class(config):
        config_class: type | None = config
        try:
            defaults = config_to_dict(make_config(config))
        except ValueError as exc:
            raise ValueError(
                f"the default config of experiment {name!r} is invalid: {exc}"
            ) from exc
    else:
        _check_config(config, name)
        config_class = None
        defaults = copy.deepcopy(dict(config))

    def decorator(func: ExperimentFunction) -> ExperimentFunction:
        if name in _REGISTRY and not replace:
            raise ValueError(
                f"an experiment named {name!r} is already registered "
                f"(by {getattr(_REGISTRY[name].run, '__module__', '?')}); pass replace=True"
            )
        doc = description
        if doc is None:
            doc = _first_line(func.__doc__) or _first_line(getattr(config_class, "__doc__", ""))
        _REGISTRY[name] = Experiment(
            name=name,
            run=func,
            default_config=defaults,
            description=doc,
            circuits=bool(circuits),
            config_class=config_class,
        )
        return func

    return decorator


def _first_line(doc: str | None) -> str:
    text = (doc or "").strip()
    # dataclasses give undocumented classes a signature docstring: "Name(field: type = ...)"
    return text.splitlines()[0] if text and not text.endswith(")") else ""


def _check_config(config: Mapping[str, Any], name: str) -> None:
    if not isinstance(config, Mapping):
        raise ValueError(
            f"config of experiment {name!r} must be a config dataclass (fields declared with "
            f"option()) or a dict, got {config!r}"
        )
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
        >>> get_experiment("simulte")  # doctest: +ELLIPSIS
        Traceback (most recent call last):
        ...
        ValueError: unknown experiment 'simulte'; did you mean 'simulate'? available ...
    """
    _load_builtins()
    try:
        return _REGISTRY[name]
    except (KeyError, TypeError):
        names = ", ".join(sorted(_REGISTRY)) or "(none)"
        hint = did_you_mean(name, list(_REGISTRY)) if isinstance(name, str) else ""
        raise ValueError(
            f"unknown experiment {name!r}{hint or ';'} available experiments: {names}"
        ) from None


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
    hint = did_you_mean(name, [n for n in available if not n.startswith("fake:")])
    shown = [n for n in available if not n.startswith("fake:")]
    fakes = [n for n in available if n.startswith("fake:")]
    if fakes:
        shown.append(f"fake:<device> ({len(fakes)} devices, e.g. {', '.join(fakes[:3])})")
    if "ibm:<device>" not in shown:
        shown.append("ibm:<device> (needs a saved IBM Quantum account)")
    raise ValueError(
        f"unknown backend {backend!r} for --backend{hint or ';'} available here: {', '.join(shown)}"
    )


def describe_fields(name: str) -> str:
    """The config fields of experiment ``name`` as plain text (``qtwin run NAME --help``).

    One block per field: ``--set key=VALUE``, the type, the default, the help line and the
    bounds. A legacy dict config lists its keys and defaults only.

    Example:
        >>> print(describe_fields("simulate"))  # doctest: +ELLIPSIS
        config fields of simulate (set with --set KEY=VALUE):
          circuits: tuple[str, ...] = qft_8,w_state_8,random_brickwork_10,ghz_50
              corpus circuits to run (names from qtwin.circuits.corpus.list_circuits())
        ...
    """
    import json

    from qtwin.experiments.config import _show

    exp = get_experiment(name)
    lines = [f"config fields of {name} (set with --set KEY=VALUE):"]
    if not exp.typed:
        for key, value in exp.default_config.items():
            lines.append(f"  {key} = {json.dumps(value)}")
        return "\n".join(lines)
    for info in exp.fields():
        lines.append(f"  {info.name}: {info.type_name} = {_show(info.default)}")
        text = info.help
        if info.constraints():
            text += f" [{info.constraints()}]"
        lines.append(f"      {text}")
    return "\n".join(lines)


def describe_markdown() -> str:
    """``docs/experiments.md``: every experiment with its description and config fields.

    Regenerate the page with ``qtwin list --markdown > docs/experiments.md``;
    a test checks that the page is up to date.

    Example:
        >>> text = describe_markdown()
        >>> text.startswith("# Experiments"), "## simulate" in text
        (True, True)
    """
    import json

    from qtwin.experiments.config import _show

    out = [
        "# Experiments",
        "",
        "<!-- generated by `qtwin list --markdown > docs/experiments.md`;",
        "     do not edit by hand: tests/experiments/test_experiments_docs.py checks it -->",
        "",
        "Every experiment runs with `qtwin run NAME` (defaults: small, seconds to a minute)",
        "and takes `--set KEY=VALUE` for each field below (`qtwin run NAME --help` prints the",
        "same list). Lists are comma-separated (`--set dims=2,3,5`); `none` means `None`.",
        "Experiments that run circuits honour `--backend`; the others refuse it.",
        "",
        "| experiment | what it does | `--backend` |",
        "|---|---|---|",
    ]
    names = list_experiments()
    for name in names:
        exp = _REGISTRY[name]
        out.append(
            f"| {{ref}}`{name} <experiment-{name}>` | {_md(exp.description)} | "
            f"{'yes' if exp.circuits else 'no'} |"
        )
    for name in names:
        exp = _REGISTRY[name]
        out += ["", f"(experiment-{name})=", f"## {name}", ""]
        out += [_md(exp.description) or "(no description)", ""]
        out += [f"Run it: `qtwin run {name}`; its fields: `qtwin run {name} --help`.", ""]
        if exp.config_class is not None:
            cls = exp.config_class
            out += [
                f"Config class: `{cls.__module__}.{cls.__qualname__}`.",
                "",
                "| field | type | default | meaning | allowed |",
                "|---|---|---|---|---|",
            ]
            for info in exp.fields():
                out.append(
                    f"| `{info.name}` | `{_md(info.type_name)}` | `{_md(_show(info.default))}` | "
                    f"{_md(info.help)} | {_md(info.constraints())} |"
                )
        else:
            out += [
                "Config (not yet typed; keys and defaults):",
                "",
                "| key | default |",
                "|---|---|",
            ]
            for key, value in exp.default_config.items():
                out.append(f"| `{key}` | `{_md(json.dumps(value))}` |")
    return "\n".join(out) + "\n"


def _md(text: str) -> str:
    """Text safe inside a markdown table cell (pipes, emphasis markers, HTML escaped)."""
    out = str(text).replace("\n", " ").replace("|", "\\|").replace("*", "\\*")
    return out.replace("<", "&lt;").replace(">", "&gt;")
