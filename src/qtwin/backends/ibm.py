"""IBM Quantum hardware through Qiskit IBM Runtime, with automatic ISA transpilation.

``ibm:<device>`` (e.g. ``"ibm:ibm_torino"``) opens :class:`qiskit_ibm_runtime.QiskitRuntimeService`
from the account saved on this machine, fetches the device and wraps Runtime's ``SamplerV2``
and ``EstimatorV2`` (``mode=device``, job mode) in :class:`~qtwin.backends.isa.IsaSampler` /
:class:`~qtwin.backends.isa.IsaEstimator`. Jobs are Runtime jobs: ``job.job_id()`` names them.

**Local testing mode** (no account, no network): a device name starting with ``fake_``
(``"ibm:fake_manila"``, ``"ibm:fake_torino"``) takes the device from
``qiskit_ibm_runtime.fake_provider`` and gives it to the same Runtime ``SamplerV2`` /
``EstimatorV2`` as ``mode``; Runtime then runs the jobs locally on Aer with the device's noise
model. Everything else (ISA transpilation, sessions and batches, job objects with
``job_id()``, ``usage()``, ``metrics()``) is the hardware code path.

``mode`` picks the Runtime execution mode: ``"job"`` (one job per ``run``), ``"session"`` or
``"batch"`` (a :class:`qiskit_ibm_runtime.Session` / ``Batch`` opened with the backend; close it
with :func:`close_ibm_backend`). Every job submitted is recorded: :func:`ibm_job_records` lists
job id, session id, mode, number of PUBs, status and (when available) usage and metrics.

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

from qiskit.primitives import BaseEstimatorV2, BaseSamplerV2

from qtwin._validation import check_choice, check_positive_int
from qtwin.backends._extras import require_module
from qtwin.backends.backend import QtwinBackend
from qtwin.backends.isa import make_isa_backend
from qtwin.exceptions import BackendUnavailableError

__all__ = ["make_ibm_backend", "redact", "ibm_job_records", "close_ibm_backend", "IBM_MODES"]

IBM_MODES = ("job", "session", "batch")
"""Runtime execution modes of ``ibm:<device>`` backends."""

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


class _RecordingPrimitive:
    """A Runtime primitive whose ``run`` remembers every job it submitted (see ``records``)."""

    def __init__(self, inner: Any, kind: str, mode_name: str, mode: Any) -> None:
        self.inner = inner
        self.kind = kind
        self.mode_name = mode_name
        self.mode = mode
        self.jobs: list[tuple[Any, int]] = []

    def run(self, pubs: Any, **kwargs: Any) -> Any:
        pubs = list(pubs)
        job = self.inner.run(pubs, **kwargs)
        self.jobs.append((job, len(pubs)))
        return job

    def records(self) -> list[dict[str, Any]]:
        """One dict per submitted job: ids, mode, PUB count, status, usage and metrics."""
        return [self._record(job, n) for job, n in self.jobs]

    def _record(self, job: Any, num_pubs: int) -> dict[str, Any]:
        out: dict[str, Any] = {
            "primitive": self.kind,
            "job_id": job.job_id(),
            "session_id": getattr(job, "session_id", None),
            "mode": self.mode_name,
            "num_pubs": num_pubs,
        }
        for key, getter in (("status", "status"), ("usage", "usage"), ("metrics", "metrics")):
            try:
                value = getattr(job, getter)()
            except Exception as exc:  # network or not-yet-finished job: say so, redacted
                value = f"unavailable ({type(exc).__name__}: {redact(str(exc))})"
            out[key] = (
                value if isinstance(value, (str, int, float, dict, type(None))) else str(value)
            )
        return out


class _RecordingSampler(_RecordingPrimitive, BaseSamplerV2):
    pass


class _RecordingEstimator(_RecordingPrimitive, BaseEstimatorV2):
    pass


def ibm_job_records(backend: QtwinBackend) -> list[dict[str, Any]]:
    """Every job an ``ibm:<device>`` backend submitted: id, session id, mode, status, usage.

    Raises:
        ValueError: ``backend`` is not an ``ibm:`` backend.
    """
    inners = [getattr(getattr(backend, p), "inner", None) for p in ("sampler", "estimator")]
    if not all(isinstance(x, _RecordingPrimitive) for x in inners):
        raise ValueError(f"backend must be an 'ibm:<device>' backend, got {backend.name!r}")
    return [r for x in inners for r in x.records()]


def close_ibm_backend(backend: QtwinBackend) -> None:
    """Close the Runtime session or batch of an ``ibm:`` backend (no-op in job mode)."""
    inner = getattr(backend.sampler, "inner", None)
    if not isinstance(inner, _RecordingPrimitive):
        raise ValueError(f"backend must be an 'ibm:<device>' backend, got {backend.name!r}")
    if inner.mode_name != "job":
        inner.mode.close()


def _local_device(runtime: Any, device: str) -> Any:
    """The ``qiskit_ibm_runtime.fake_provider`` device for ``fake_<name>`` (local testing)."""
    from qtwin.backends.fake import resolve_fake_device

    class_name = resolve_fake_device(device[len("fake_") :])
    return getattr(runtime.fake_provider, class_name)()


def _service_device(runtime: Any, device: str, instance: str | None, channel: str | None) -> Any:
    """The device ``device`` of the saved IBM Quantum account."""
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
        return service.backend(device)
    except Exception as exc:
        raise ValueError(
            f"IBM Quantum has no device {device!r} for this account "
            f"({type(exc).__name__}: {redact(str(exc))}); list them with "
            "QiskitRuntimeService().backends()"
        ) from None


def make_ibm_backend(
    device: str,
    *,
    instance: str | None = None,
    channel: str | None = None,
    default_shots: int | None = None,
    optimization_level: int = 1,
    seed_transpiler: int | None = None,
    mode: str = "job",
    seed: int | None = None,
) -> QtwinBackend:
    """Build the ``ibm:<device>`` backend from the saved IBM Quantum account (or locally).

    Args:
        device: IBM device name, e.g. ``"ibm_torino"``; ``"fake_<name>"`` (e.g.
            ``"fake_manila"``) runs Runtime's local testing mode on that fake device.
        instance: IBM Cloud instance (CRN or name); the saved default when omitted.
        channel: Runtime channel; the saved default when omitted.
        default_shots: sampler default shots (Runtime's default when omitted).
        optimization_level: transpiler optimization level (0-3), default 1.
        seed_transpiler: seed of layout and routing.
        mode: Runtime execution mode, ``"job"``, ``"session"`` or ``"batch"``.
        seed: simulator seed in local testing mode; ignored on hardware (whose shots cannot
            be seeded), so that code passing ``seed`` for simulators runs there unchanged.

    Raises:
        BackendUnavailableError: qiskit-ibm-runtime missing, no saved account, or the service
            cannot be reached (the message is token-redacted and says how to save an account).
        ValueError: the account has no device of that name.
    """
    runtime = require_module(
        "qiskit_ibm_runtime", extra="ibm", purpose="the 'ibm:<device>' backends"
    )
    check_choice(mode, "mode", IBM_MODES)
    local = device.startswith("fake_")
    if not local:
        seed = None  # hardware shots cannot be seeded; callers pass seed for simulators
    target = (
        _local_device(runtime, device)
        if local
        else _service_device(runtime, device, instance, channel)
    )
    options: dict[str, Any] = {}
    if default_shots is not None:
        options["default_shots"] = check_positive_int(default_shots, "default_shots")
    if seed is not None:
        options["simulator"] = {"seed_simulator": int(seed)}
    est_options = {"simulator": options["simulator"]} if "simulator" in options else None
    context = target if mode == "job" else getattr(runtime, mode.capitalize())(backend=target)
    sampler = _RecordingSampler(
        runtime.SamplerV2(mode=context, options=options or None), "sampler", mode, context
    )
    estimator = _RecordingEstimator(
        runtime.EstimatorV2(mode=context, options=est_options), "estimator", mode, context
    )
    where = "Qiskit Runtime local testing mode (Aer, device noise)" if local else "Qiskit Runtime"
    return make_isa_backend(
        f"ibm:{device}",
        sampler,
        estimator,
        target,
        description=(
            f"IBM Quantum device {device} ({target.num_qubits} qubits) via {where}, {mode} mode"
        ),
        optimization_level=optimization_level,
        seed_transpiler=seed_transpiler,
    )
