"""Lazy imports of optional dependencies, with an install hint when they are missing.

Every package of qtwin imports an optional dependency through :func:`require_module`, so a
missing one is reported the same way everywhere: a :class:`~qtwin.exceptions.MissingExtraError`
(an ``ImportError``) naming the extra to install.

Example:
    >>> require_module("math", extra="dev", purpose="arithmetic").sqrt(4.0)
    2.0
    >>> require_module("no_such_module_xyz", extra="llm", purpose="the demo")
    ... # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    qtwin.exceptions.MissingExtraError: the demo needs ... pip install "qtwin[llm]"
"""

from __future__ import annotations

import importlib
from types import ModuleType

from qtwin.exceptions import MissingExtraError

__all__ = ["require_module"]


def require_module(module: str, *, extra: str | None, purpose: str) -> ModuleType:
    """Import ``module`` or raise :class:`MissingExtraError` naming the extra to install.

    Args:
        module: dotted module name, e.g. ``"qiskit_ibm_runtime"``.
        extra: the qtwin extra that provides it, e.g. ``"ibm"``; ``None`` for a core
            dependency (the hint is then to install the module's package itself).
        purpose: what the module is needed for, used in the message.

    Raises:
        MissingExtraError: the module cannot be imported (its ``__cause__`` is the
            original ``ImportError``).
    """
    try:
        return importlib.import_module(module)
    except ImportError as exc:
        package = module.split(".")[0].replace("_", "-")
        hint = f'pip install "qtwin[{extra}]"' if extra else f"pip install {package}"
        kind = "optional package" if extra else "package"
        raise MissingExtraError(
            f"{purpose} needs the {kind} {package!r}, which is not installed: {hint}",
            extra=extra,
            name=module,
        ) from exc
