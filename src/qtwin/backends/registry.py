"""Backends by name: :func:`get_backend` and :func:`available_backends`.

=============================  ==============================================================
name                           what runs the circuits
=============================  ==============================================================
``"tensornet"``                qtwin's MPS simulator (:class:`TensornetSampler`/``Estimator``)
``"aer"``                      Qiskit Aer; GPU when available; statevector up to 28 qubits,
                               matrix_product_state beyond (or ``method=...``)
``"aer-gpu"``                  Qiskit Aer on a CUDA GPU (needs ``pip install "qtwin[gpu]"``)
``"fake:<device>"``            noisy Aer simulation of an IBM device snapshot, e.g.
                               ``"fake:manila"`` (needs the ``ibm`` extra)
``"ibm:<device>"``             IBM Quantum hardware via Qiskit Runtime (saved account)
``"pennylane:<device>"``       a PennyLane device, e.g. ``"pennylane:lightning.qubit"``
=============================  ==============================================================

``get_backend("tensornet").target_backend`` is a :class:`~qtwin.backends.TensornetBackend`, a
Qiskit ``BackendV2`` with the same options, for ``transpile``, ``backend.run`` and
qiskit-experiments.

Options per backend (keyword arguments of :func:`get_backend`):

* ``tensornet``: ``method`` (``"auto"``: the dense Statevector up to 20 qubits without
  truncation, the MPS otherwise; ``"mps"``; ``"statevector"``), ``max_bond``, ``cutoff``,
  ``dtype``, ``device``, ``seed``, ``default_shots``, ``default_precision``, ``cluster``
  (``"dask:N"``, ``"tcp://host:port"`` or a ``distributed.Client``: the PUBs' parameter sets
  run in chunks of ``chunk_size`` (default 16) on Dask workers, with the same results as
  in-process; the sampler and estimator share one client, closed by ``backend.close()``).
* ``aer`` / ``aer-gpu``: ``method``, ``device`` (aer only), ``seed``, ``default_shots``,
  ``default_precision``, ``backend_options``.
* ``fake:*``: ``seed``, ``default_shots``, ``default_precision``, ``optimization_level``.
* ``ibm:*``: ``instance``, ``channel``, ``default_shots``, ``optimization_level``,
  ``seed_transpiler``, ``mode`` (``"job"``, ``"session"``, ``"batch"``), ``seed`` (local
  testing mode only: ``"ibm:fake_<device>"`` runs Runtime's own primitives locally on a fake
  device, no account needed).
* ``pennylane:*``: ``seed``, ``default_shots``, ``default_precision``.

Example:
    >>> from qiskit import QuantumCircuit
    >>> backend = get_backend("tensornet", seed=3)
    >>> qc = QuantumCircuit(3); _ = qc.x(0); _ = qc.measure_all()
    >>> backend.sampler.run([qc], shots=8).result()[0].data.meas.get_counts()
    {'001': 8}
    >>> "tensornet" in available_backends()
    True
"""

from __future__ import annotations

import importlib.util
import json
import os
from pathlib import Path
from typing import Any

from qtwin.backends._options import check_options
from qtwin.backends.backend import QtwinBackend

__all__ = ["get_backend", "available_backends", "BACKEND_PATTERNS"]

BACKEND_PATTERNS = (
    "tensornet",
    "aer",
    "aer-gpu",
    "fake:<device>",
    "ibm:<device>",
    "pennylane:<device>",
)
"""The backend names and name patterns :func:`get_backend` accepts."""

_TENSORNET_OPTIONS = {
    "method",
    "max_bond",
    "cutoff",
    "dtype",
    "device",
    "seed",
    "default_shots",
    "default_precision",
    "cluster",
    "chunk_size",
}
_AER_OPTIONS = {"method", "device", "seed", "default_shots", "default_precision", "backend_options"}
_FAKE_OPTIONS = {"seed", "default_shots", "default_precision", "optimization_level"}
_IBM_OPTIONS = {
    "instance",
    "channel",
    "default_shots",
    "optimization_level",
    "seed_transpiler",
    "mode",
    "seed",
}
_PENNYLANE_OPTIONS = {"seed", "default_shots", "default_precision"}


def get_backend(name: str, **options: Any) -> QtwinBackend:
    """Return the backend called ``name`` (see the module table), configured by ``options``.

    Args:
        name: ``"tensornet"``, ``"aer"``, ``"aer-gpu"``, ``"fake:<device>"``,
            ``"ibm:<device>"`` or ``"pennylane:<device>"``.
        **options: backend options (module docstring); unknown ones raise ``TypeError``.

    Raises:
        ValueError: unknown name or device (the message lists valid ones).
        BackendUnavailableError: a valid name that cannot run here (missing extra, no GPU,
            no IBM account); the message says what to install or configure.
        TypeError: an option the backend does not take.
    """
    if not isinstance(name, str):
        raise TypeError(f"name must be a string such as 'tensornet', got {name!r}")
    kind, _, device = name.strip().partition(":")
    kind = kind.lower()
    if kind == "tensornet" and not device:
        return _tensornet(**check_options(options, _TENSORNET_OPTIONS, backend=name))
    if kind in {"aer", "aer-gpu"} and not device:
        allowed = _AER_OPTIONS if kind == "aer" else _AER_OPTIONS - {"device"}
        return _aer(gpu=kind == "aer-gpu", **check_options(options, allowed, backend=name))
    if kind == "fake" and device:
        from qtwin.backends.fake import make_fake_backend

        return make_fake_backend(device, **check_options(options, _FAKE_OPTIONS, backend=name))
    if kind == "ibm" and device:
        from qtwin.backends.ibm import make_ibm_backend

        return make_ibm_backend(device, **check_options(options, _IBM_OPTIONS, backend=name))
    if kind == "pennylane" and device:
        from qtwin.backends.pennylane import make_pennylane_backend

        opts = check_options(options, _PENNYLANE_OPTIONS, backend=name)
        return make_pennylane_backend(device, **opts)
    raise ValueError(
        f"unknown backend {name!r}; valid names: {', '.join(BACKEND_PATTERNS)} "
        "(e.g. 'fake:manila', 'ibm:ibm_torino', 'pennylane:lightning.qubit'). "
        "qtwin.backends.available_backends() lists those usable on this machine."
    )


def _tensornet(
    *,
    seed: Any = None,
    default_shots: int = 1024,
    default_precision: float = 0.0,
    cluster: Any = None,
    chunk_size: int = 16,
    **mps: Any,
) -> QtwinBackend:
    from qtwin.backends.tensornet_estimator import TensornetEstimator
    from qtwin.backends.tensornet_sampler import TensornetSampler
    from qtwin.distributed import as_handle

    handle = as_handle(cluster)  # one client for both primitives, made on first use
    shared = {"seed": seed, "cluster": handle, "chunk_size": chunk_size, **mps}
    sampler = TensornetSampler(default_shots=default_shots, **shared)
    estimator = TensornetEstimator(default_precision=default_precision, **shared)
    detail = ", ".join(f"{k}={v}" for k, v in sampler.mps_options.kwargs().items()) or "exact"
    method = mps.get("method") or "auto"
    where = "" if handle.is_local else f"; cluster={handle.spec!r}"
    return QtwinBackend(
        name="tensornet",
        sampler=sampler,
        estimator=estimator,
        description=f"qtwin.tensornet simulator (method={method}; {detail}{where})",
        target_backend=_tensornet_target_backend(seed, default_shots, mps),
        close_hook=handle.close,
    )


def _tensornet_target_backend(seed: Any, shots: int, mps: dict[str, Any]) -> Any:
    """The :class:`~qtwin.backends.TensornetBackend` (a ``BackendV2``) with the same options."""
    from qtwin.backends.qiskit_backend import TensornetBackend

    seed_simulator = int(seed) if isinstance(seed, int) and not isinstance(seed, bool) else None
    known = set(TensornetBackend._default_options().__dict__)
    run_options = {k: v for k, v in mps.items() if k in known}
    return TensornetBackend(shots=shots, seed_simulator=seed_simulator, **run_options)


def _aer(
    *,
    gpu: bool,
    method: str | None = None,
    device: str | None = None,
    seed: int | None = None,
    default_shots: int = 1024,
    default_precision: float = 0.0,
    backend_options: dict[str, Any] | None = None,
) -> QtwinBackend:
    from qtwin.backends.aer import AerAutoEstimator, AerAutoSampler, require_aer_gpu

    if gpu or (device is not None and device.upper() == "GPU"):
        require_aer_gpu()
        device = "GPU"
    elif device is not None:
        device = device.upper()
    common = {"method": method, "device": device, "seed": seed, "backend_options": backend_options}
    sampler = AerAutoSampler(default_shots=default_shots, **common)
    estimator = AerAutoEstimator(default_precision=default_precision, **common)
    how = f"method={method}" if method else "statevector <= 28 qubits, else matrix_product_state"
    return QtwinBackend(
        name="aer-gpu" if gpu else "aer",
        sampler=sampler,
        estimator=estimator,
        description=f"Qiskit Aer on {sampler.device} ({how})",
    )


def _has_module(name: str) -> bool:
    try:
        return importlib.util.find_spec(name) is not None
    except (ImportError, ValueError):
        return False


def _has_saved_ibm_account() -> bool:
    """Whether an IBM account is configured (file or environment); the token is not read."""
    if os.environ.get("QISKIT_IBM_TOKEN"):
        return True
    path = Path.home() / ".qiskit" / "qiskit-ibm.json"
    try:
        accounts = json.loads(path.read_text())
    except (OSError, ValueError):
        return False
    return isinstance(accounts, dict) and bool(accounts)  # "{}" is written by a failed lookup


def available_backends() -> list[str]:
    """Names :func:`get_backend` can build on this machine now.

    Concrete names for simulators, every fake device when the ``ibm`` extra is installed
    (``"fake:manila"``...), installed PennyLane devices, and the pattern ``"ibm:<device>"``
    when an IBM Quantum account is saved (device names need a network query:
    ``QiskitRuntimeService().backends()``). ``"aer-gpu"`` appears only with a CUDA GPU.
    """
    from qtwin.backends.aer import aer_devices

    names = ["tensornet", "aer"]
    if "GPU" in aer_devices():
        names.append("aer-gpu")
    if _has_module("pennylane"):
        names.append("pennylane:default.qubit")
        if _has_module("pennylane_lightning"):
            names.append("pennylane:lightning.qubit")
    if _has_module("qiskit_ibm_runtime"):
        from qtwin.backends.fake import fake_device_names

        names.extend(f"fake:{d}" for d in fake_device_names())
        if _has_saved_ibm_account():
            names.append("ibm:<device>")
    return names
