"""Provenance of a run: versions of qtwin, its dependencies and Python, and UTC timestamps."""

from __future__ import annotations

import platform
import sys
from datetime import UTC, datetime
from importlib.metadata import PackageNotFoundError, version

__all__ = ["TRACKED_DISTRIBUTIONS", "dependency_versions", "utc_now"]

#: Distributions whose versions every results.json records.
TRACKED_DISTRIBUTIONS: tuple[str, ...] = (
    "qtwin",
    "qiskit",
    "qiskit-aer",
    "qiskit-ibm-runtime",
    "torch",
    "quimb",
    "numpy",
    "pennylane",
)


def dependency_versions() -> dict[str, str | None]:
    """Return ``{distribution: version or None}`` plus ``python`` and ``platform``.

    Example:
        >>> v = dependency_versions()
        >>> sorted(k for k in ("qtwin", "qiskit", "torch") if v[k])
        ['qiskit', 'qtwin', 'torch']
    """
    out: dict[str, str | None] = {}
    for dist in TRACKED_DISTRIBUTIONS:
        try:
            out[dist] = version(dist)
        except PackageNotFoundError:
            out[dist] = None
    out["python"] = sys.version.split()[0]
    out["platform"] = platform.platform()
    return out


def utc_now() -> str:
    """Current time as an ISO 8601 UTC string, e.g. ``2025-01-31T12:00:00.123456+00:00``."""
    return datetime.now(UTC).isoformat()
