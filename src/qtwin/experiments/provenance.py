"""Provenance of a run: versions of qtwin, its dependencies and Python, the git commit of the
source tree qtwin runs from, and UTC timestamps."""

from __future__ import annotations

import platform
import subprocess
import sys
from datetime import UTC, datetime
from functools import lru_cache
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

__all__ = ["TRACKED_DISTRIBUTIONS", "dependency_versions", "git_commit", "utc_now"]

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


@lru_cache(maxsize=1)
def git_commit() -> str | None:
    """The git commit qtwin's source runs from, ``+dirty`` when it has uncommitted changes.

    ``None`` when qtwin is not run from a git checkout (an installed wheel) or git is
    missing.

    Example:
        >>> c = git_commit()
        >>> c is None or len(c.split("+")[0]) == 40
        True
    """
    here = Path(__file__).resolve().parent
    try:
        head = subprocess.run(
            ["git", "rev-parse", "HEAD"],
            cwd=here,
            capture_output=True,
            text=True,
            timeout=10,
            check=True,
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no", "--", "."],
            cwd=here.parent,
            capture_output=True,
            text=True,
            timeout=10,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return None
    if len(head) != 40:
        return None
    return head + ("+dirty" if dirty else "")
