r"""Experiment configs: typed dataclasses declared with :func:`option`, and ``--set`` overrides.

An experiment's config is a frozen dataclass whose fields are all declared with
:func:`option` (a default, one line of help, and optional ``choices``/``low``/``high``
bounds); list-valued fields are typed ``tuple[T, ...]`` with tuple defaults, and checks
that involve several fields go in ``__post_init__`` (raising ``ValueError`` naming the
field):

.. code-block:: python

    @dataclass(frozen=True)
    class RBConfig:
        '''Standard and character RB of qudit channels.'''

        dims: tuple[int, ...] = option((2, 3), "local dimensions d of the qudits", low=2)
        shots: int = option(200, "shots per sequence", low=1)
        noise: str = option("depolarizing", "noise channel",
                            choices=("depolarizing", "dephasing"))

:func:`make_config` builds an instance from ``{key: value}`` overrides: ``--set`` strings
are coerced against the field's type (:func:`coerce_typed`), then ``choices``/``low``/
``high`` are checked, then the dataclass is built (running ``__post_init__``), all before a
run writes anything. :func:`config_to_dict` is what ``run.json`` and ``results.json`` store
(``dataclasses.asdict`` with tuples as lists).

Accepted ``--set`` text per field type:

=======================  ======================================================
field type               accepted text
=======================  ======================================================
``bool``                 ``true/false``, ``yes/no``, ``on/off``, ``1/0`` (any case)
``int``                  an integer literal, e.g. ``12`` or ``-3``
``float``                a finite number, e.g. ``0.5``, ``1e-3`` (not ``nan``/``inf``)
``str``                  any text
``T | None``             ``none``/``null`` for ``None``, else text for ``T``
``tuple[T, ...]``        comma-separated items (``a,b,c``; empty text is ``()``) or
                         a JSON list (``[1, 2]``)
``Literal[...]``         one of the literal values
=======================  ======================================================

Legacy experiments registered with a plain dict config keep working: their overrides are
coerced against the type of each default value (:func:`coerce_value`,
:func:`apply_overrides`):

=================  ==========================================================
default            accepted text
=================  ==========================================================
``bool``           ``true/false``, ``yes/no``, ``on/off``, ``1/0`` (any case)
``int``            an integer literal, e.g. ``12`` or ``-3``
``float``          a finite number, e.g. ``0.5``, ``1e-3`` (not ``nan``/``inf``:
                   results.json is strict JSON, which has neither)
``str``            any text
``list``           comma-separated items (``a,b,c``; empty text is ``[]``) or a
                   JSON list (``[1, 2]``); items are coerced like the first
                   default item
``None``           JSON (``3``, ``0.1``, ``true``, ``null``) or else text; no
                   ``NaN``/``Infinity``
=================  ==========================================================

Example:
    >>> from dataclasses import dataclass
    >>> @dataclass(frozen=True)
    ... class Demo:
    ...     '''A demo config.'''
    ...     shots: int = option(100, "shots per circuit", low=1)
    ...     dims: tuple[int, ...] = option((2, 3), "local dimensions", low=2)
    ...     noise: str = option("none", "noise model", choices=("none", "depolarizing"))
    >>> make_config(Demo, {"shots": "2000", "dims": "2,5"})
    Demo(shots=2000, dims=(2, 5), noise='none')
    >>> make_config(Demo, {"shot": "1"})
    Traceback (most recent call last):
    ...
    ValueError: unknown config key 'shot'; did you mean 'shots'? valid keys: dims, noise, shots
    >>> make_config(Demo, {"dims": "1,2"})
    Traceback (most recent call last):
    ...
    ValueError: config key 'dims' must be >= 2, got 1
"""

from __future__ import annotations

import copy
import dataclasses
import difflib
import json
import math
import numbers
import types
import typing
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal, Union

__all__ = [
    "FieldInfo",
    "apply_overrides",
    "coerce_typed",
    "coerce_value",
    "config_fields",
    "config_to_dict",
    "did_you_mean",
    "format_type",
    "is_config_class",
    "make_config",
    "option",
    "parse_set_options",
    "validate_config",
]

_TRUE = {"true", "yes", "on", "1", "y", "t"}
_FALSE = {"false", "no", "off", "0", "n", "f"}


def parse_set_options(items: Sequence[str]) -> dict[str, str]:
    """Split ``["key=value", ...]`` (the ``--set`` options) into a dict of strings.

    The value is everything after the first ``=``, so it may itself contain ``=``.

    Raises:
        ValueError: for an item without ``=`` or with an empty key.

    Example:
        >>> parse_set_options(["shots=100", "backends=aer,tensornet"])
        {'shots': '100', 'backends': 'aer,tensornet'}
    """
    out: dict[str, str] = {}
    for item in items:
        key, sep, value = item.partition("=")
        key = key.strip()
        if not sep or not key:
            raise ValueError(f"--set expects key=value, got {item!r}")
        out[key] = value.strip()
    return out


def _type_name(default: Any) -> str:
    if isinstance(default, list):
        return "list"
    return "any value" if default is None else type(default).__name__


def _list_items(value: Any, fail: Callable[[], ValueError]) -> list[Any]:
    """The items of a list-valued override: comma-separated text (``a,b``; empty text is
    ``[]``), a JSON list (``[1, 2]``), or a Python list/tuple; ``fail()`` otherwise."""
    if isinstance(value, (list, tuple)):
        return list(value)
    if not isinstance(value, str):
        raise fail()
    text = value.strip()
    if not text.startswith("["):
        return [part.strip() for part in text.split(",")] if text else []
    try:
        items = json.loads(text)
    except (RecursionError, ValueError):  # JSONDecodeError is a ValueError
        raise fail() from None
    if not isinstance(items, list):
        raise fail()
    return items


def coerce_value(value: Any, default: Any, key: str = "value") -> Any:
    """Coerce ``value`` (a ``--set`` string or a Python value) to the type of ``default``.

    Args:
        value: the override: a string from the command line, or a Python value.
        default: the default value of the key; its type decides the coercion.
        key: the key's name, used in error messages.

    Raises:
        ValueError: when ``value`` cannot be read as the type of ``default``.

    Example:
        >>> coerce_value("12", 3, "shots"), coerce_value("1e-3", 0.1), coerce_value("no", True)
        (12, 0.001, False)
        >>> coerce_value("ghz,qft", ["bell"]), coerce_value("[1, 2]", [0])
        (['ghz', 'qft'], [1, 2])
        >>> coerce_value("many", 3, "shots")
        Traceback (most recent call last):
        ...
        ValueError: config key 'shots' expects an int (default 3), got 'many'
    """

    def fail() -> ValueError:
        article = "an" if _type_name(default)[0] in "aeiou" else "a"
        return ValueError(
            f"config key {key!r} expects {article} {_type_name(default)} "
            f"(default {default!r}), got {value!r}"
        )

    if isinstance(default, list):
        items = _list_items(value, fail)
        item_default = default[0] if default else None
        return [coerce_value(item, item_default, f"{key}[{i}]") for i, item in enumerate(items)]

    if isinstance(default, bool):
        if isinstance(value, bool):
            return value
        if isinstance(value, str) and value.strip().lower() in _TRUE | _FALSE:
            return value.strip().lower() in _TRUE
        raise fail()

    if isinstance(default, int):
        if isinstance(value, int) and not isinstance(value, bool):
            return value
        if isinstance(value, float) and value.is_integer():
            return int(value)
        if isinstance(value, str):
            try:
                return int(value.strip())
            except ValueError:
                raise fail() from None
        raise fail()

    if isinstance(default, float):
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            out = _finite_float(value)
        elif isinstance(value, str):
            try:
                out = float(value.strip())
            except ValueError:
                raise fail() from None
        else:
            raise fail()
        if not math.isfinite(out):
            raise ValueError(
                f"config key {key!r} expects a finite float (default {default!r}), got {value!r}"
            )
        return out

    if isinstance(default, str):
        if isinstance(value, str):
            return value
        raise fail()

    # default None: anything JSON-like
    if isinstance(value, str):
        text = value.strip()
        if text.lower() == "none":
            return None
        try:
            parsed = json.loads(text, parse_constant=_refuse_constant)
        except (json.JSONDecodeError, RecursionError):
            return value
        except ValueError:  # NaN / Infinity
            parsed = math.nan
        if not _all_finite(parsed):
            raise ValueError(f"config key {key!r} expects finite numbers, got {value!r}")
        return parsed if isinstance(parsed, (int, float, bool, str, list, type(None))) else value
    if isinstance(value, (int, float, bool, str, list, type(None))):
        if not _all_finite(value):
            raise ValueError(f"config key {key!r} expects finite numbers, got {value!r}")
        return copy.deepcopy(value)
    raise fail()


def _finite_float(value: float) -> float:
    """``float(value)``; huge ints become inf (and are refused by the caller)."""
    try:
        return float(value)
    except OverflowError:
        return math.inf


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a finite number")


def _all_finite(value: Any) -> bool:
    """Whether every float in ``value`` (nested lists) is finite."""
    if isinstance(value, float):
        return math.isfinite(value)
    if isinstance(value, list):
        return all(_all_finite(v) for v in value)
    return True


def apply_overrides(
    defaults: Mapping[str, Any], overrides: Mapping[str, Any] | None
) -> dict[str, Any]:
    """Return a copy of ``defaults`` with ``overrides`` applied and coerced.

    Args:
        defaults: the experiment's default config.
        overrides: ``{key: value}``; string values are parsed as by ``--set``.

    Raises:
        ValueError: for keys not in ``defaults`` (listing the valid keys) or values that
            do not fit the default's type.

    Example:
        >>> apply_overrides({"shots": 100, "seeded": True}, {"shots": "2000"})
        {'shots': 2000, 'seeded': True}
        >>> apply_overrides({"shots": 100}, {"shot": "1"})
        Traceback (most recent call last):
        ...
        ValueError: unknown config key 'shot'; did you mean 'shots'? valid keys: shots
    """
    config = copy.deepcopy(dict(defaults))
    if not overrides:
        return config
    unknown = [k for k in overrides if k not in config]
    if unknown:
        plural = "s" if len(unknown) > 1 else ""
        names = ", ".join(repr(k) for k in unknown)
        hint = did_you_mean(unknown[0], config) if len(unknown) == 1 else ""
        raise ValueError(
            f"unknown config key{plural} {names}{hint or ';'} "
            f"valid keys: {', '.join(sorted(config))}"
        )
    for key, value in overrides.items():
        config[key] = coerce_value(value, defaults[key], key)
    return config


# --- typed configs (contract C2) -------------------------------------------------------

_NONE_TEXT = {"none", "null"}


def did_you_mean(name: str, candidates: Sequence[str] | Mapping[str, Any]) -> str:
    """``"; did you mean 'x'?"`` for the closest candidate to ``name`` (``""`` when none is close).

    Used in the "unknown name" messages of config keys, experiments and backends.

    Example:
        >>> did_you_mean("simulte", ["simulate", "rb"])
        "; did you mean 'simulate'?"
        >>> did_you_mean("zzz", ["simulate", "rb"])
        ''
    """
    close = difflib.get_close_matches(str(name), [str(c) for c in candidates], n=1, cutoff=0.6)
    return f"; did you mean {close[0]!r}?" if close else ""


def option(
    default: Any,
    help: str,  # noqa: A002 - the word users read in ``--help``
    *,
    choices: Sequence[Any] | None = None,
    low: float | None = None,
    high: float | None = None,
) -> Any:
    """Declare a config field: its default, one line of help, and optional bounds.

    Args:
        default: the default value; immutable (a list default is stored as a tuple).
        help: one line saying what the field means (shown by ``qtwin run NAME --help``
            and in ``docs/experiments.md``); include units.
        choices: the allowed values (for a tuple field: the allowed items).
        low: smallest allowed value (for a tuple field: of every item), inclusive.
        high: largest allowed value (for a tuple field: of every item), inclusive.

    Returns:
        A :func:`dataclasses.field` carrying the help and bounds in its metadata.

    Raises:
        TypeError: ``help`` is not a non-empty string, or ``default`` is a dict or set.
        ValueError: ``low > high`` or empty ``choices``.

    Example:
        >>> from dataclasses import dataclass, fields
        >>> @dataclass(frozen=True)
        ... class C:
        ...     n: int = option(3, "number of qubits", low=1, high=30)
        >>> f = fields(C)[0]
        >>> f.default, f.metadata["help"], f.metadata["low"], f.metadata["high"]
        (3, 'number of qubits', 1, 30)
    """
    if not isinstance(help, str) or not help.strip():
        raise TypeError(f"option help must be a non-empty string, got {help!r}")
    if isinstance(default, (dict, set)):
        raise TypeError(
            f"option default must be immutable (a scalar, None or a tuple), got {default!r}"
        )
    if isinstance(default, list):
        default = tuple(default)
    if choices is not None:
        choices = tuple(choices)
        if not choices:
            raise ValueError("option choices must not be empty (omit them instead)")
    for name, bound in (("low", low), ("high", high)):
        if bound is not None and (isinstance(bound, bool) or not isinstance(bound, numbers.Real)):
            raise TypeError(f"option {name} must be a number or None, got {bound!r}")
    if low is not None and high is not None and low > high:
        raise ValueError(f"option low={low!r} is above high={high!r}")
    metadata = {"help": help.strip(), "choices": choices, "low": low, "high": high}
    return dataclasses.field(default=default, metadata=metadata)


@dataclass(frozen=True)
class FieldInfo:
    """One field of a typed config, as :func:`config_fields` describes it.

    Attributes:
        name: the field (and ``--set`` key) name.
        type: the resolved type annotation.
        default: the default value.
        help: the help line given to :func:`option` (``""`` for a plain field).
        choices: the allowed values, or ``None``.
        low: the inclusive lower bound, or ``None``.
        high: the inclusive upper bound, or ``None``.
    """

    name: str
    type: Any
    default: Any
    help: str
    choices: tuple[Any, ...] | None
    low: float | None
    high: float | None

    @property
    def type_name(self) -> str:
        """The type as users read it, e.g. ``tuple[int, ...]`` or ``float | None``."""
        return format_type(self.type)

    def constraints(self) -> str:
        """The bounds and choices in words, e.g. ``">= 1"`` or ``"one of: a, b"``."""
        parts = []
        if self.choices is not None:
            parts.append("one of: " + ", ".join(_show(c) for c in self.choices))
        if self.low is not None and self.high is not None:
            parts.append(f"{_show(self.low)} <= value <= {_show(self.high)}")
        elif self.low is not None:
            parts.append(f">= {_show(self.low)}")
        elif self.high is not None:
            parts.append(f"<= {_show(self.high)}")
        return "; ".join(parts)


def _show(value: Any) -> str:
    """A value as users type it: ``a,b`` for tuples, ``none`` for None, JSON-ish otherwise."""
    if value is None:
        return "none"
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, (tuple, list)):
        return ",".join(_show(v) for v in value)
    return str(value)


def is_config_class(obj: Any) -> bool:
    """Whether ``obj`` is a dataclass type (a typed config class, not an instance).

    Example:
        >>> from dataclasses import dataclass
        >>> @dataclass(frozen=True)
        ... class C:
        ...     n: int = option(1, "n")
        >>> is_config_class(C), is_config_class(C()), is_config_class({"n": 1})
        (True, False, False)
    """
    return isinstance(obj, type) and dataclasses.is_dataclass(obj)


def _hints(cls: type) -> dict[str, Any]:
    try:
        return typing.get_type_hints(cls)
    except Exception as exc:  # noqa: BLE001 - any failure to resolve names
        raise TypeError(f"cannot resolve the field types of config {cls.__name__}: {exc}") from exc


def config_fields(cls: type) -> list[FieldInfo]:
    """The fields of config class ``cls``, in declaration order.

    Raises:
        TypeError: ``cls`` is not a dataclass type, a field has no default, or a field's
            type is not one :func:`coerce_typed` reads.

    Example:
        >>> from dataclasses import dataclass
        >>> @dataclass(frozen=True)
        ... class C:
        ...     n: int = option(3, "qubits", low=1)
        ...     rate: float | None = option(None, "noise rate; none: noiseless", low=0)
        >>> [(f.name, f.type_name, f.default, f.constraints()) for f in config_fields(C)]
        [('n', 'int', 3, '>= 1'), ('rate', 'float | None', None, '>= 0')]
    """
    if not is_config_class(cls):
        raise TypeError(f"a typed config must be a dataclass type, got {cls!r}")
    hints = _hints(cls)
    out = []
    for f in dataclasses.fields(cls):
        if not f.init:
            continue
        if f.default is dataclasses.MISSING:
            if f.default_factory is dataclasses.MISSING:
                raise TypeError(
                    f"config field {cls.__name__}.{f.name} has no default; declare it with "
                    f"option(default, help)"
                )
            default = f.default_factory()
        else:
            default = f.default
        tp = hints.get(f.name, Any)
        _check_supported(tp, f"{cls.__name__}.{f.name}")
        meta = f.metadata
        out.append(
            FieldInfo(
                name=f.name,
                type=tp,
                default=default,
                help=str(meta.get("help", "")),
                choices=meta.get("choices"),
                low=meta.get("low"),
                high=meta.get("high"),
            )
        )
    return out


_SCALARS = (bool, int, float, str, type(None))


def _check_supported(tp: Any, where: str) -> None:
    """Raise ``TypeError`` for a field type that ``--set`` cannot read."""
    if tp is Any or tp in _SCALARS:
        return
    origin = typing.get_origin(tp)
    args = typing.get_args(tp)
    if origin is Literal:
        if all(isinstance(a, _SCALARS) for a in args):
            return
    elif origin in (Union, types.UnionType):
        for a in args:
            _check_supported(a, where)
        return
    elif origin in (tuple, list):
        for a in args:
            if a is not Ellipsis:
                _check_supported(a, where)
        return
    raise TypeError(
        f"config field {where} has type {format_type(tp)}, which --set cannot read; use "
        f"bool, int, float, str, None, Literal[...], unions of those or tuple[T, ...]"
    )


def format_type(tp: Any) -> str:
    """A type annotation as users read it.

    Example:
        >>> format_type(tuple[int, ...]), format_type(float | None), format_type(Literal["a", "b"])
        ('tuple[int, ...]', 'float | None', "'a' | 'b'")
    """
    if tp is type(None):
        return "None"
    if tp is Any:
        return "any"
    if isinstance(tp, type) and not typing.get_args(tp):
        return tp.__name__
    origin = typing.get_origin(tp)
    args = typing.get_args(tp)
    if origin is Literal:
        return " | ".join(repr(a) for a in args)
    if origin in (Union, types.UnionType):
        return " | ".join(format_type(a) for a in args)
    if origin in (tuple, list):
        inner = ", ".join("..." if a is Ellipsis else format_type(a) for a in args)
        return f"{origin.__name__}[{inner}]"
    return str(tp).replace("typing.", "")


def _article(name: str) -> str:
    return "an" if name[:1] in "aeiou" else "a"


def coerce_typed(value: Any, tp: Any, key: str = "value") -> Any:
    """Coerce ``value`` (a ``--set`` string or a Python value) to the field type ``tp``.

    Args:
        value: the override: a string from the command line, or a Python value.
        tp: the field's type annotation (see the module docstring for those accepted).
        key: the key's name, used in error messages.

    Raises:
        ValueError: when ``value`` cannot be read as ``tp``; the message names the key.

    Example:
        >>> coerce_typed("12", int, "shots"), coerce_typed("1e-3", float), coerce_typed("no", bool)
        (12, 0.001, False)
        >>> coerce_typed("2,3", tuple[int, ...]), coerce_typed("none", float | None)
        ((2, 3), None)
        >>> coerce_typed("many", int, "shots")
        Traceback (most recent call last):
        ...
        ValueError: config key 'shots' expects an int, got 'many'
    """
    name = format_type(tp)

    def fail() -> ValueError:
        return ValueError(f"config key {key!r} expects {_article(name)} {name}, got {value!r}")

    if tp is Any:
        return coerce_value(value, None, key)
    if tp is type(None):
        if value is None or (isinstance(value, str) and value.strip().lower() in _NONE_TEXT):
            return None
        raise fail()
    origin = typing.get_origin(tp)
    args = typing.get_args(tp)
    if origin is Literal:
        for allowed in args:
            try:
                candidate = coerce_typed(value, type(allowed), key)
            except ValueError:
                continue
            if candidate == allowed and type(candidate) is type(allowed):
                return allowed
        raise ValueError(
            f"config key {key!r} expects one of {', '.join(_show(a) for a in args)}, got {value!r}"
        )
    if origin in (Union, types.UnionType):
        members = [a for a in args if a is not type(None)]
        if type(None) in args and (
            value is None or (isinstance(value, str) and value.strip().lower() in _NONE_TEXT)
        ):
            return None
        # a Python value already of a member type is kept as it is (no bool -> int)
        for member in members:
            if member in _SCALARS and type(value) is member:
                return value
        for member in members:
            try:
                return coerce_typed(value, member, key)
            except ValueError:
                continue
        raise fail()
    if origin in (tuple, list):
        items = _list_items(value, fail)
        if origin is tuple and args and (len(args) != 2 or args[1] is not Ellipsis):
            if len(items) != len(args):
                raise ValueError(
                    f"config key {key!r} expects {len(args)} items ({name}), got {value!r}"
                )
            item_types = list(args)
        else:
            item_types = [args[0] if args else Any] * len(items)
        out = [
            coerce_typed(v, t, f"{key}[{i}]")
            for i, (v, t) in enumerate(zip(items, item_types, strict=True))
        ]
        return tuple(out) if origin is tuple else out
    if tp is bool:
        if isinstance(value, bool):
            return value
        if isinstance(value, str) and value.strip().lower() in _TRUE | _FALSE:
            return value.strip().lower() in _TRUE
        raise fail()
    if tp is int:
        if isinstance(value, numbers.Integral) and not isinstance(value, bool):
            return int(value)
        if isinstance(value, float) and value.is_integer():
            return int(value)
        if isinstance(value, str):
            try:
                return int(value.strip())
            except ValueError:
                raise fail() from None
        raise fail()
    if tp is float:
        if isinstance(value, numbers.Real) and not isinstance(value, bool):
            out_f = _finite_float(value)
        elif isinstance(value, str):
            try:
                out_f = float(value.strip())
            except ValueError:
                raise fail() from None
        else:
            raise fail()
        if not math.isfinite(out_f):
            raise ValueError(f"config key {key!r} expects a finite float, got {value!r}")
        return out_f
    if tp is str:
        if isinstance(value, str):
            return value
        raise fail()
    raise TypeError(f"config key {key!r} has type {name}, which --set cannot read")


def _check_bounds(info: FieldInfo, value: Any) -> None:
    """``choices``/``low``/``high`` of ``info`` on ``value`` (on every item of a sequence)."""
    items = list(value) if isinstance(value, (tuple, list)) else [value]
    for item in items:
        if item is None:
            continue
        if info.choices is not None and item not in info.choices:
            allowed = ", ".join(_show(c) for c in info.choices)
            hint = (
                did_you_mean(item, [str(c) for c in info.choices]) if isinstance(item, str) else ""
            )
            raise ValueError(
                f"config key {info.name!r} must be one of: {allowed}; got {_show(item)!r}{hint}"
            )
        if isinstance(item, numbers.Real) and not isinstance(item, bool):
            if info.low is not None and item < info.low:
                raise ValueError(
                    f"config key {info.name!r} must be >= {_show(info.low)}, got {_show(item)}"
                )
            if info.high is not None and item > info.high:
                raise ValueError(
                    f"config key {info.name!r} must be <= {_show(info.high)}, got {_show(item)}"
                )


def make_config(cls: type, overrides: Mapping[str, Any] | None = None) -> Any:
    """Build config ``cls`` from its defaults and ``overrides``, fully checked.

    Every override is coerced against its field's type (:func:`coerce_typed`); every value
    (defaults included) is checked against the field's ``choices``/``low``/``high``; then
    the dataclass is built, which runs its ``__post_init__`` cross-field checks.

    Args:
        cls: a config dataclass whose fields are declared with :func:`option`.
        overrides: ``{key: value}``; string values are parsed as by ``--set``.

    Returns:
        The config instance.

    Raises:
        ValueError: an unknown key (with a "did you mean"), a value of the wrong type,
            outside its bounds or choices, or refused by ``__post_init__``.
        TypeError: ``cls`` is not a dataclass type.
    """
    infos = {f.name: f for f in config_fields(cls)}
    overrides = dict(overrides or {})
    unknown = [k for k in overrides if k not in infos]
    if unknown:
        plural = "s" if len(unknown) > 1 else ""
        names = ", ".join(repr(k) for k in unknown)
        hint = did_you_mean(unknown[0], infos) if len(unknown) == 1 else ""
        raise ValueError(
            f"unknown config key{plural} {names}{hint or ';'} "
            f"valid keys: {', '.join(sorted(infos))}"
        )
    values: dict[str, Any] = {}
    for name, info in infos.items():
        if name in overrides:
            value = coerce_typed(overrides[name], info.type, name)
        else:
            value = info.default
        _check_bounds(info, value)
        values[name] = value
    try:
        return cls(**values)
    except TypeError as exc:  # e.g. a misdeclared field; keep the config's name in view
        raise TypeError(f"cannot build config {cls.__name__}: {exc}") from exc


def validate_config(config: Any) -> Any:
    """Check a config instance field by field (types, choices, bounds); return it.

    Used for instances built directly (``RBConfig(shots=0)`` runs ``__post_init__`` but not
    the :func:`option` bounds); :func:`make_config` does the same checks.

    Raises:
        TypeError: ``config`` is not a dataclass instance.
        ValueError: a field of the wrong type or outside its bounds or choices.

    Example:
        >>> from dataclasses import dataclass
        >>> @dataclass(frozen=True)
        ... class C:
        ...     n: int = option(3, "qubits", low=1)
        >>> validate_config(C(n=0))
        Traceback (most recent call last):
        ...
        ValueError: config key 'n' must be >= 1, got 0
    """
    if not dataclasses.is_dataclass(config) or isinstance(config, type):
        raise TypeError(f"expected a config dataclass instance, got {config!r}")
    for info in config_fields(type(config)):
        value = getattr(config, info.name)
        coerced = coerce_typed(value, info.type, info.name)
        if coerced != value or type(coerced) is not type(value):
            raise ValueError(
                f"config key {info.name!r} expects {_article(info.type_name)} "
                f"{info.type_name}, got {value!r}"
            )
        _check_bounds(info, value)
    return config


def config_to_dict(config: Any) -> dict[str, Any]:
    """The JSON form of a config (what ``run.json`` stores): ``asdict`` with tuples as lists.

    A plain dict (a legacy config) is deep-copied with tuples as lists.

    Example:
        >>> from dataclasses import dataclass
        >>> @dataclass(frozen=True)
        ... class C:
        ...     dims: tuple[int, ...] = option((2, 3), "dimensions")
        >>> config_to_dict(C())
        {'dims': [2, 3]}
    """
    data = dataclasses.asdict(config) if dataclasses.is_dataclass(config) else dict(config)
    return _lists(data)


def _lists(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _lists(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_lists(v) for v in value]
    return copy.deepcopy(value)
