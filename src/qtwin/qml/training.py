"""Deprecated old location of :mod:`qtwin.qml.qnn.training`; import from there or qtwin.qml."""

from __future__ import annotations

import warnings

from qtwin.qml.qnn.training import (
    accuracy,
    train,
)

__all__ = ["train", "accuracy"]

warnings.warn(
    "qtwin.qml.training moved to qtwin.qml.qnn.training; import from there or from qtwin.qml",
    DeprecationWarning,
    stacklevel=2,
)
