"""The base of the qml result dataclasses: attribute access, ``result["name"]`` and ``to_dict``.

Example:
    >>> from dataclasses import dataclass
    >>> @dataclass
    ... class Demo(DictLikeResult):
    ...     accuracy: float
    >>> r = Demo(0.5)
    >>> r.accuracy, r["accuracy"], r.to_dict()
    (0.5, 0.5, {'accuracy': 0.5})
"""

from __future__ import annotations

import dataclasses
from typing import Any

import numpy as np

__all__ = ["DictLikeResult"]


def _plain(value: Any) -> Any:
    if isinstance(value, np.ndarray):
        return value.tolist()
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    return value


class DictLikeResult:
    """Mixin for result dataclasses that used to be plain dicts.

    ``result["name"]`` and ``"name" in result`` read the fields (fields that are ``None`` count
    as absent), and :meth:`to_dict` gives a JSON-ready dict (arrays become lists).
    """

    def to_dict(self) -> dict[str, Any]:
        """The fields that are not ``None``, arrays as lists (JSON-ready)."""
        return {
            f.name: _plain(getattr(self, f.name))
            for f in dataclasses.fields(self)  # type: ignore[arg-type]
            if getattr(self, f.name) is not None
        }

    def keys(self) -> list[str]:
        """Names of the fields that are not ``None``."""
        return [
            f.name
            for f in dataclasses.fields(self)  # type: ignore[arg-type]
            if getattr(self, f.name) is not None
        ]

    def __getitem__(self, key: str) -> Any:
        if key in self.keys():
            return getattr(self, key)
        raise KeyError(key)

    def __contains__(self, key: object) -> bool:
        return key in self.keys()
