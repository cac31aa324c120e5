"""Deprecated old location of :mod:`qtwin.qml.qnn.representations`; import from there or from
:mod:`qtwin.qml`."""

from __future__ import annotations

import warnings

from qtwin.qml.qnn.representations import (
    subset_majority_circuit,
    subset_majority_model,
    subset_majority_terms,
    subset_parity_circuit,
    subset_parity_model,
    subset_parity_terms,
)

__all__ = [
    "subset_parity_terms",
    "subset_majority_terms",
    "subset_parity_circuit",
    "subset_majority_circuit",
    "subset_parity_model",
    "subset_majority_model",
]

warnings.warn(
    "qtwin.qml.representations moved to qtwin.qml.qnn.representations; "
    "import from there or from qtwin.qml",
    DeprecationWarning,
    stacklevel=2,
)
