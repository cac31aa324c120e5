"""IBM Quantum hardware through Qiskit IBM Runtime, with automatic ISA transpilation.

``ibm:<device>`` (e.g. ``"ibm:ibm_torino"``) opens :class:`qiskit_ibm_runtime.QiskitRuntimeService`
from the account saved on this machine, fetches the device and wraps Runtime's ``SamplerV2``
and ``EstimatorV2`` (``mode=device``, job mode) in :class:`~qtwin.backends.isa.IsaSampler` /
:class:`~qtwin.backends.isa.IsaEstimator`. Jobs are Runtime jobs: ``job.job_id()`` names them.

Save an account once (the token stays in ``~/.qiskit/qiskit-ibm.json``; qtwin never reads,
prints or logs it, and redacts token-like strings from the errors it re-raises)::

    from qiskit_ibm_runtime import QiskitRuntimeService
    QiskitRuntimeService.save_account(channel="ibm_quantum_platform", token="<API key>",
                                      instance="<CRN>", set_as_default=True)

Example:
    >>> redact("invalid token abcdefghijklmnopqrstuvwxyz0123456789ABCD")
    'invalid token <redacted>'
"""

from __future__ import annotations

import re
from typing import Any

from qtwin._validation import check_positive_int
from qtwin.backends._extras import require_module
from qtwin.backends.backend import QtwinBackend
from qtwin.backends.errors import BackendUnavailableError
from qtwin.backends.isa import make_isa_backend

__all__ = ["make_ibm_backend", "redact"]

_TOKEN_LIKE = re.compile(r"[A-Za-z0-9_\-]{32,}")

_HOW_TO_SAVE = (
    "Save an IBM Quantum account once with\n"
    "    from qiskit_ibm_runtime import QiskitRuntimeService\n"
    '    QiskitRuntimeService.save_account(channel="ibm_quantum_platform", '
    'token="<API key>", instance="<CRN>", set_as_default=True)\n'
    "(or set QISKIT_IBM_TOKEN and QISKIT_IBM_INSTANCE), then call get_backend('ibm:<device>')."
)


def redact(message: str) -> str:
    """Replace token-like substrings (32+ letters, digits, ``-`` or ``_``) by ``<redacted>``."""
    return _TOKEN_LIKE.sub("<redacted>", message)


def make_ibm_backend(
    device: str,
    *,
    instance: str | None = None,
    channel: str | None = None,
    default_shots: int | None = None,
    optimization_level: int = 1,
    seed_transpiler: int | None = None,
) -> QtwinBackend:
    """Build the ``ibm:<device>`` backend from the saved IBM Quantum account.

    Args:
        device: IBM device name, e.g. ``"ibm_torino"``.
        instance: IBM Cloud instance (CRN or name); the saved default when omitted.
        channel: Runtime channel; the saved default when omitted.
        default_shots: sampler default shots (Runtime's default when omitted).
        optimization_level: transpiler optimization level (0-3), default 1.
        seed_transpiler: seed of layout and routing.

    Raises:
        BackendUnavailableError: qiskit-ibm-runtime missing, no saved account, or the service
            cannot be reached (the message is token-redacted and says how to save an account).
        ValueError: the account has no device of that name.
    """
    runtime = require_module(
        "qiskit_ibm_runtime", extra="ibm", purpose="the 'ibm:<device>' backends"
    )
    service_kwargs: dict[str, Any] = {}
    if instance is not None:
        service_kwargs["instance"] = instance
    if channel is not None:
        service_kwargs["channel"] = channel
    try:
        service = runtime.QiskitRuntimeService(**service_kwargs)
    except Exception as exc:  # AccountNotFoundError, network and auth errors
        raise BackendUnavailableError(
            f"cannot open IBM Quantum for 'ibm:{device}': {type(exc).__name__}: "
            f"{redact(str(exc))}\n{_HOW_TO_SAVE}"
        ) from None
    try:
        target = service.backend(device)
    except Exception as exc:
        raise ValueError(
            f"IBM Quantum has no device {device!r} for this account "
            f"({type(exc).__name__}: {redact(str(exc))}); list them with "
            "QiskitRuntimeService().backends()"
        ) from None
    options: dict[str, Any] = {}
    if default_shots is not None:
        options["default_shots"] = check_positive_int(default_shots, "default_shots")
    sampler = runtime.SamplerV2(mode=target, options=options or None)
    estimator = runtime.EstimatorV2(mode=target)
    return make_isa_backend(
        f"ibm:{device}",
        sampler,
        estimator,
        target,
        description=(
            f"IBM Quantum device {device} ({target.num_qubits} qubits) via Qiskit Runtime"
        ),
        optimization_level=optimization_level,
        seed_transpiler=seed_transpiler,
    )
