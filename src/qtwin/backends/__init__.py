"""Where circuits run: one name, a Qiskit V2 sampler and estimator.

:func:`get_backend` returns a :class:`QtwinBackend` whose ``sampler`` and ``estimator`` are
Qiskit V2 primitives, so code written against Qiskit primitives runs unchanged on qtwin's
tensor-network simulator, on Aer (CPU or GPU), on PennyLane devices, on IBM fake devices and
on IBM hardware. Bit order is Qiskit's little-endian convention on every backend.

Example:
    >>> from qiskit import QuantumCircuit
    >>> qc = QuantumCircuit(2); _ = qc.h(0); _ = qc.cx(0, 1)
    >>> for name in ["tensornet", "aer"]:
    ...     est = get_backend(name).estimator
    ...     print(name, round(float(est.run([(qc, "ZZ")]).result()[0].data.evs), 12))
    tensornet 1.0
    aer 1.0
"""

from qtwin.backends.aer import STATEVECTOR_MAX_QUBITS, AerAutoEstimator, AerAutoSampler
from qtwin.backends.backend import QtwinBackend
from qtwin.backends.fake import fake_device_names
from qtwin.backends.isa import IsaEstimator, IsaSampler
from qtwin.backends.pennylane import PennyLaneEstimator, PennyLaneSampler
from qtwin.backends.preflight import dry_run
from qtwin.backends.qiskit_backend import TensornetBackend
from qtwin.backends.registry import BACKEND_PATTERNS, available_backends, get_backend
from qtwin.backends.tensornet_estimator import TensornetEstimator
from qtwin.backends.tensornet_options import MPSOptions
from qtwin.backends.tensornet_sampler import TensornetSampler
from qtwin.exceptions import BackendUnavailableError

__all__ = [
    "get_backend",
    "available_backends",
    "BACKEND_PATTERNS",
    "QtwinBackend",
    "BackendUnavailableError",
    "TensornetSampler",
    "TensornetBackend",
    "TensornetEstimator",
    "MPSOptions",
    "AerAutoSampler",
    "AerAutoEstimator",
    "STATEVECTOR_MAX_QUBITS",
    "IsaSampler",
    "IsaEstimator",
    "PennyLaneSampler",
    "PennyLaneEstimator",
    "fake_device_names",
    "dry_run",
]
