"""The error raised when a known backend cannot run on this machine.

A backend name can be valid yet unusable here: ``"aer-gpu"`` without a CUDA device,
``"fake:manila"`` without the ``ibm`` extra, ``"ibm:ibm_torino"`` without a saved IBM Quantum
account. :class:`BackendUnavailableError` says which, and what to install or configure. It
subclasses :class:`ValueError`, so code that guards backend names with ``except ValueError``
also catches it. It lives in :mod:`qtwin.exceptions`; this module re-exports it.

Example:
    >>> issubclass(BackendUnavailableError, ValueError)
    True
"""

from __future__ import annotations

from qtwin.exceptions import BackendUnavailableError

__all__ = ["BackendUnavailableError"]
