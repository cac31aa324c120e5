"""Optional imports for backends: a missing extra makes the *backend* unavailable.

A backend that needs an optional package (``fake:*`` and ``ibm:*`` need the ``ibm`` extra)
reports it as :class:`~qtwin.exceptions.BackendUnavailableError` (a ``ValueError``, what
backend-name guards catch). Everything else in qtwin uses :func:`qtwin._extras.require_module`,
which raises :class:`~qtwin.exceptions.MissingExtraError` (an ``ImportError``).

Example:
    >>> require_module("math", extra="dev", purpose="arithmetic").sqrt(4.0)
    2.0
"""

from __future__ import annotations

from types import ModuleType

from qtwin import _extras
from qtwin.exceptions import BackendUnavailableError, MissingExtraError

__all__ = ["require_module"]


def require_module(module: str, *, extra: str | None, purpose: str) -> ModuleType:
    """Import ``module`` or raise :class:`BackendUnavailableError` naming the extra to install."""
    try:
        return _extras.require_module(module, extra=extra, purpose=purpose)
    except MissingExtraError as exc:
        raise BackendUnavailableError(str(exc)) from exc.__cause__
