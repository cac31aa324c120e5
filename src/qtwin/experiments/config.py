"""Configuration overrides: ``--set key=value`` strings coerced against a default config.

An override's value is coerced to the type of the default value of its key:

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
"""

from __future__ import annotations

import copy
import json
import math
from collections.abc import Mapping, Sequence
from typing import Any

__all__ = ["parse_set_options", "coerce_value", "apply_overrides"]

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
        if isinstance(value, str):
            text = value.strip()
            if text.startswith("["):
                try:
                    items = json.loads(text)
                except (json.JSONDecodeError, RecursionError):
                    raise fail() from None
                if not isinstance(items, list):
                    raise fail()
            else:
                items = [part.strip() for part in text.split(",")] if text else []
        elif isinstance(value, (list, tuple)):
            items = list(value)
        else:
            raise fail()
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
        ValueError: unknown config key 'shot'; valid keys: shots
    """
    config = copy.deepcopy(dict(defaults))
    if not overrides:
        return config
    unknown = [k for k in overrides if k not in config]
    if unknown:
        plural = "s" if len(unknown) > 1 else ""
        names = ", ".join(repr(k) for k in unknown)
        raise ValueError(
            f"unknown config key{plural} {names}; valid keys: {', '.join(sorted(config))}"
        )
    for key, value in overrides.items():
        config[key] = coerce_value(value, defaults[key], key)
    return config
