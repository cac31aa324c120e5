"""The exceptions qtwin raises on purpose, in one hierarchy.

Every error qtwin raises deliberately derives from :class:`QtwinError`, and also from the
built-in exception a caller would guard against without knowing qtwin (``ValueError`` for a
bad value, ``ImportError`` for a missing package), so both ``except QtwinError`` and the
usual ``except ValueError`` work.

=================================  ===========================  =================================
exception                           also a                       raised when
=================================  ===========================  =================================
:class:`BackendUnavailableError`    ``ValueError``               a known backend cannot run here
                                                                 (no GPU, no IBM account, ...)
:class:`MissingExtraError`          ``ImportError``              an optional package is missing;
                                                                 names the extra to install
:class:`CheckpointMismatchError`    ``ValueError``               a checkpoint file belongs to a
                                                                 different run
=================================  ===========================  =================================

Example:
    >>> issubclass(MissingExtraError, ImportError), issubclass(BackendUnavailableError, ValueError)
    (True, True)
"""

from __future__ import annotations

__all__ = [
    "QtwinError",
    "BackendUnavailableError",
    "MissingExtraError",
    "CheckpointMismatchError",
]


class QtwinError(Exception):
    """Base class of every exception qtwin raises on purpose."""


class BackendUnavailableError(QtwinError, ValueError):
    """A backend name is valid but the backend cannot run here (missing extra, GPU, account)."""


class MissingExtraError(QtwinError, ImportError):
    """An optional dependency is not installed; the message names the extra that provides it.

    Attributes:
        extra: the qtwin extra to install (``pip install "qtwin[extra]"``), or ``None`` when
            the package is a core dependency that is missing from the environment.
    """

    def __init__(self, message: str, *, extra: str | None = None, name: str | None = None):
        super().__init__(message, name=name)
        self.extra = extra


class CheckpointMismatchError(QtwinError, ValueError):
    """A checkpoint file was written by a different run (config, data or model differ)."""
