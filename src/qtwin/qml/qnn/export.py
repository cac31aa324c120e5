r"""Interop for a trained :class:`~qtwin.qml.FarhiNevenQNN`: Qiskit, PennyLane, backends.

* :func:`to_qiskit_circuit`: the network with bound angles as a Qiskit circuit (readout is
  the last qubit), optionally with the input preparation and a Y-basis readout measurement
  (:math:`S^\dagger` then :math:`H`, so outcome 0 means :math:`Y = +1`).
* :func:`to_pennylane_qnode`: the same network as a PennyLane QNode
  ``qnode(bits) -> <Y_r>`` built from ``BasisState`` and ``PauliRot(-2θ)`` gates (the
  angles are copied; the QNode is independent of the model afterwards).
* :func:`evaluate_on_backend`: test accuracy with shots on any backend of
  :func:`qtwin.backends.get_backend` (``"aer"``, ``"fake:<device>"``, ``"ibm:<device>"``,
  ...), estimating :math:`\langle Y_r\rangle = p_0 - p_1` from the sampled readout bit.

Example:
    >>> from qtwin.qml.qnn.representations import subset_parity_model
    >>> from qtwin.qml.qnn.datasets import subset_parity_dataset
    >>> z, y = subset_parity_dataset(2, [0, 1])
    >>> res = evaluate_on_backend(subset_parity_model(2, [0, 1]), z, y, "aer", shots=64, seed=1)
    >>> res["accuracy"], res["expectations"].tolist()
    (1.0, [1.0, -1.0, -1.0, 1.0])
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import torch
from numpy.typing import ArrayLike

from qtwin._validation import check_finite, check_positive_int
from qtwin.qml._results import DictLikeResult
from qtwin.qml.qnn.model import FarhiNevenQNN, _check_labels

if TYPE_CHECKING:
    from qiskit import QuantumCircuit

    from qtwin.backends import QtwinBackend

__all__ = [
    "BackendEvaluation",
    "to_qiskit_circuit",
    "to_pennylane_qnode",
    "evaluate_on_backend",
]


def to_qiskit_circuit(
    model: FarhiNevenQNN, z: ArrayLike | None = None, *, measure: bool = False
) -> QuantumCircuit:
    r"""Qiskit circuit of ``model`` with bound angles; see the module docstring.

    Args:
        model: the network.
        z: optional single input bit string (model encoding) prepared with X gates.
        measure: append :math:`S^\dagger H` on the readout and measure it into one classical
            bit (for samplers).

    Returns:
        ``QuantumCircuit`` on ``n + 1`` qubits.

    Example:
        >>> m = FarhiNevenQNN(2, seed=0)
        >>> qc = to_qiskit_circuit(m, [1, 0], measure=True)
        >>> qc.num_qubits, qc.num_clbits, qc.count_ops()["rzx"]
        (3, 1, 2)
    """
    qc = model.to_qiskit(z)
    if measure:
        from qiskit import ClassicalRegister

        r = model.n
        qc.sdg(r)
        qc.h(r)
        creg = ClassicalRegister(1, "readout")
        qc.add_register(creg)
        qc.measure(r, creg[0])
    return qc


def to_pennylane_qnode(
    model: FarhiNevenQNN, device: str = "default.qubit", *, shots: int | None = None
) -> Any:
    r"""The network as a PennyLane QNode ``qnode(bits) -> <Y_r>`` (torch interface).

    ``bits`` is one bit string in the model's encoding. :math:`e^{i\theta\Sigma}` becomes
    ``qml.PauliRot(-2θ, Σ, wires)``.

    Example:
        >>> import math
        >>> m = FarhiNevenQNN(1, [("ZX", (0, 1))], theta=[math.pi / 4])
        >>> round(float(to_pennylane_qnode(m)([1])), 12)
        -1.0
    """
    from qtwin._extras import require_module

    qml = require_module("pennylane", extra="qml", purpose="exporting a QNN as a PennyLane QNode")
    thetas = model.theta.detach().cpu().numpy().copy()
    check_finite(thetas, "theta (the QNN parameters)")
    gens = list(model.generators)
    n = model.n
    kwargs = {} if shots is None else {"shots": check_positive_int(shots, "shots")}
    dev = qml.device(device, wires=n + 1, **kwargs)

    @qml.qnode(dev, interface="torch")
    def qnode(bits: Any) -> Any:
        b = model._bits(bits)[0].numpy()
        qml.BasisState(np.concatenate([b, [0]]), wires=range(n + 1))
        for (label, sites), theta in zip(gens, thetas, strict=True):
            qml.PauliRot(-2.0 * float(theta), label, wires=list(sites))
        return qml.expval(qml.PauliY(n))

    return qnode


@dataclass
class BackendEvaluation(DictLikeResult):
    r"""Result of :func:`evaluate_on_backend` (also readable as a dict).

    Attributes:
        accuracy: fraction of inputs whose sign of the estimated :math:`\langle Y_r\rangle`
            equals the label.
        expectations: the estimates :math:`(N_0 - N_1)/\text{shots}`, shape ``(N,)``.
        backend: the backend's name.
        shots: shots per input.
    """

    accuracy: float
    expectations: np.ndarray
    backend: str
    shots: int


def evaluate_on_backend(
    model: FarhiNevenQNN,
    z: ArrayLike | torch.Tensor,
    labels: ArrayLike | torch.Tensor,
    backend: str | QtwinBackend = "aer",
    *,
    shots: int = 1024,
    seed: int | None = None,
) -> BackendEvaluation:
    r"""Accuracy of ``model`` on ``(z, labels)`` with ``shots`` samples per input on ``backend``.

    Each input becomes :func:`to_qiskit_circuit` with ``measure=True``; all circuits go to
    ``backend.sampler`` in one job. :math:`\langle Y_r\rangle \approx (N_0 - N_1)/\text{shots}`
    and the predicted label is its sign (ties to +1).

    Args:
        model: the network.
        z: bit strings ``(N, n)`` in the model's encoding.
        labels: ``(N,)`` labels ±1.
        backend: a backend name for :func:`qtwin.backends.get_backend` or a backend object.
        shots: shots per input.
        seed: simulator seed (named backends only).

    Returns:
        A :class:`BackendEvaluation` (``result.accuracy`` or ``result["accuracy"]``).
    """
    from qtwin.backends import get_backend

    shots = check_positive_int(shots, "shots")
    bits = model._bits(z)
    y = _check_labels(labels, bits.shape[0]).numpy()
    if isinstance(backend, str):
        name = backend
        backend = get_backend(backend, **({} if seed is None else {"seed": int(seed)}))
    else:
        name = getattr(backend, "name", str(backend))
    circuits = [to_qiskit_circuit(model, row.numpy(), measure=True) for row in bits]
    result = backend.sampler.run([(qc,) for qc in circuits], shots=shots).result()
    ev = np.empty(len(circuits))
    for i, pub in enumerate(result):
        counts = pub.data.readout.get_counts()
        ev[i] = (counts.get("0", 0) - counts.get("1", 0)) / shots
    pred = np.where(ev >= 0, 1, -1)
    return BackendEvaluation(float(np.mean(pred == y)), ev, str(name), shots)
