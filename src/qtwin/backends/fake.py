"""IBM fake devices: noisy Aer simulations with a real device's gates, coupling map and noise.

``qiskit_ibm_runtime.fake_provider`` ships snapshots of IBM devices (``FakeManilaV2``,
``FakeSherbrooke``...). :func:`make_fake_backend` turns one into a
:class:`~qtwin.backends.QtwinBackend` whose primitives are Aer's ``SamplerV2`` /
``EstimatorV2`` built with ``from_backend`` (so the device's noise model and readout errors
apply), wrapped in :class:`~qtwin.backends.isa.IsaSampler` /
:class:`~qtwin.backends.isa.IsaEstimator` so that any circuit is transpiled to the device
first. Device names are accepted as short names (``"manila"``), backend names
(``"fake_manila"``) or class names (``"FakeManilaV2"``), in any case.

Example:
    >>> resolve_fake_device("FakeManilaV2"), resolve_fake_device("fake_manila")
    ('FakeManilaV2', 'FakeManilaV2')
    >>> "manila" in fake_device_names()
    True
"""

from __future__ import annotations

import difflib
import functools
from typing import Any

from qtwin._validation import check_nonnegative_float, check_positive_int
from qtwin.backends._extras import require_module
from qtwin.backends._options import check_seed
from qtwin.backends.backend import QtwinBackend
from qtwin.backends.isa import make_isa_backend

__all__ = ["fake_device_names", "resolve_fake_device", "make_fake_backend"]

_NOT_DEVICES = {"FakeProviderForBackendV2", "FakeFractionalBackend"}


def _fake_provider() -> Any:
    return require_module(
        "qiskit_ibm_runtime.fake_provider", extra="ibm", purpose="the 'fake:<device>' backends"
    )


def _short(name: str) -> str:
    """Normalise a device name: ``"FakeManilaV2"``, ``"fake_manila"`` -> ``"manila"``."""
    key = name.strip().lower().replace("_", "").replace("-", "")
    key = key.removeprefix("fake")
    if key.endswith("v2"):
        key = key[:-2]
    return key


@functools.cache
def _classes() -> dict[str, str]:
    """``{short name: class name}`` of the fake devices in qiskit_ibm_runtime."""
    module = _fake_provider()
    return {
        _short(n): n
        for n in dir(module)
        if n.startswith("Fake") and n not in _NOT_DEVICES and isinstance(getattr(module, n), type)
    }


def fake_device_names() -> list[str]:
    """Short names of the available fake devices, sorted (``["aachen", "algiers", ...]``)."""
    return sorted(_classes())


def resolve_fake_device(name: str) -> str:
    """Return the fake backend class name for ``name``, or raise ``ValueError`` listing some.

    Raises:
        BackendUnavailableError: qiskit-ibm-runtime (the ``ibm`` extra) is not installed.
        ValueError: no fake device has that name.
    """
    classes = _classes()
    key = _short(name)
    if key in classes:
        return classes[key]
    close = difflib.get_close_matches(key, list(classes), n=5, cutoff=0.6)
    some = close or ["manila", "lima", "jakarta", "sherbrooke", "brisbane", "torino"]
    raise ValueError(
        f"unknown fake device {name!r}; valid names include "
        f"{', '.join('fake:' + s for s in some)} "
        f"({len(classes)} in all; see qtwin.backends.fake_device_names())"
    )


def make_fake_backend(
    device: str,
    *,
    seed: int | None = None,
    default_shots: int = 1024,
    default_precision: float = 0.0,
    optimization_level: int = 1,
) -> QtwinBackend:
    """Build the ``fake:<device>`` backend (noisy Aer simulation of an IBM device snapshot).

    Args:
        device: fake device name (short, backend or class name).
        seed: seeds Aer's sampling and noise and the transpiler's layout/routing.
        default_shots: sampler shots when ``run`` and the PUB set none.
        default_precision: estimator precision when ``run`` and the PUB set none. With 0 the
            estimator returns the exact expectation value under the noise model.
        optimization_level: transpiler optimization level (0-3), default 1.
    """
    from qiskit_aer import AerSimulator
    from qiskit_aer.primitives import EstimatorV2, SamplerV2

    class_name = resolve_fake_device(device)
    default_shots = check_positive_int(default_shots, "default_shots")
    default_precision = check_nonnegative_float(default_precision, "default_precision")
    seed = check_seed(seed)
    fake = getattr(_fake_provider(), class_name)()
    simulator = AerSimulator.from_backend(fake)  # the device's noise model, built once
    run_options = {} if seed is None else {"seed_simulator": seed}
    sampler = SamplerV2.from_backend(simulator, default_shots=default_shots, seed=seed)
    estimator = EstimatorV2.from_backend(
        simulator, options={"default_precision": default_precision, "run_options": run_options}
    )
    return make_isa_backend(
        f"fake:{_short(device)}",
        sampler,
        estimator,
        fake,
        description=(
            f"{class_name} ({fake.num_qubits} qubits): Aer simulation with the device's noise model"
        ),
        optimization_level=optimization_level,
        seed_transpiler=seed,
    )
