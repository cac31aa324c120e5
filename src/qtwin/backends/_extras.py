"""Lazy imports of optional dependencies, with an install hint when they are missing.

Example:
    >>> require_module("math", extra="dev", purpose="arithmetic").sqrt(4.0)
    2.0
"""

from __future__ import annotations

import importlib
from types import ModuleType

from qtwin.backends.errors import BackendUnavailableError

__all__ = ["require_module"]


def require_module(module: str, *, extra: str | None, purpose: str) -> ModuleType:
    """Import ``module`` or raise :class:`BackendUnavailableError` naming the extra to install.

    Args:
        module: dotted module name, e.g. ``"qiskit_ibm_runtime"``.
        extra: the qtwin extra that provides it, e.g. ``"ibm"``; ``None`` for a core
            dependency (the hint is then to install the module's package itself).
        purpose: what the module is needed for, used in the message.
    """
    try:
        return importlib.import_module(module)
    except ImportError as exc:
        package = module.split(".")[0].replace("_", "-")
        hint = f'pip install "qtwin[{extra}]"' if extra else f"pip install {package}"
        kind = "optional package" if extra else "package"
        raise BackendUnavailableError(
            f"{purpose} needs the {kind} {package!r}, which is not installed: {hint}"
        ) from exc
