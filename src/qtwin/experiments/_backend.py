"""Helpers for experiments that run (part of) their circuits on a user-chosen backend.

An experiment given ``backend`` records, per part, where it ran in
``metrics["backend_parts"]``: ``{part: {"backend": name, "status": "ran" | "skipped", ...}}``.
Parts that need more qubits than a device has are recorded as skipped with the reason, not
silently simulated elsewhere.

Example:
    >>> parts: dict = {}
    >>> record_part(parts, "inference", "aer", circuits=3, shots=64)
    >>> parts["inference"]["status"], parts["inference"]["circuits"]
    ('ran', 3)
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

__all__ = ["backend_num_qubits", "too_wide", "record_part", "skip_part"]


@lru_cache(maxsize=32)
def backend_num_qubits(backend: str) -> int | None:
    """Qubits of a device backend (``fake:*``, ``ibm:*``), ``None`` for simulators."""
    from qtwin.backends import get_backend

    target = get_backend(backend).target_backend
    if target is None or getattr(target, "is_simulator", False):
        return None
    n = getattr(target, "num_qubits", None)
    return int(n) if n is not None else None


def too_wide(backend: str, num_qubits: int) -> str | None:
    """The reason a ``num_qubits`` circuit cannot run on ``backend``, or ``None`` if it fits."""
    cap = backend_num_qubits(backend)
    if cap is not None and num_qubits > cap:
        return f"needs {num_qubits} qubits, {backend} has {cap}"
    return None


def record_part(parts: dict[str, Any], part: str, backend: str, **info: Any) -> None:
    """Record that ``part`` ran on ``backend`` (``info``: circuits, shots, ...)."""
    parts[part] = {"backend": backend, "status": "ran", **info}


def skip_part(parts: dict[str, Any], part: str, backend: str, reason: str) -> None:
    """Record that ``part`` did not run on ``backend``, and why."""
    parts[part] = {"backend": backend, "status": "skipped", "reason": reason}
