r"""Export the sequence models' circuits to Qiskit and PennyLane; inference on any backend.

* :func:`vqc_circuit` — one block circuit of :mod:`.variational` at given inputs and
  angles as a Qiskit ``QuantumCircuit`` (``h``, ``ry``/``rz`` encoding, ``cx``, ``ry`` or
  ``rz·ry·rz`` for ``Rot``).
* :func:`pennylane_vqc` — the same gates as PennyLane operations, to call inside a QNode.
* :func:`predict_on_backend` — a trained :class:`~qtwin.qml.QFWP` or quantum recurrent
  network evaluated with every circuit run by the estimator of
  :func:`qtwin.backends.get_backend` (``"aer"``, ``"fake:manila"``, ``"tensornet"``, ...);
  the classical parts (slow programmer, gates' nonlinearities, readout) stay in torch. Each
  time step sends all its circuits as one estimator job.

Example:
    >>> import torch
    >>> from qtwin.qml.sequences.fast_weights import QFWP
    >>> model = QFWP(seed=0)
    >>> x = torch.linspace(-1, 1, 8, dtype=torch.float64).reshape(2, 4, 1)
    >>> out = predict_on_backend(model, x, "aer")
    >>> bool(torch.allclose(out, model(x).detach(), atol=1e-9))
    True
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

import numpy as np
import torch
from numpy.typing import ArrayLike

from qtwin.qml.sequences.fast_weights import QFWP
from qtwin.qml.sequences.recurrent import QuantumRecurrentNet
from qtwin.qml.sequences.variational import VQC, entangling_pairs

if TYPE_CHECKING:
    from qiskit import QuantumCircuit
    from qiskit.quantum_info import SparsePauliOp

    from qtwin.backends import QtwinBackend

__all__ = [
    "vqc_circuit",
    "pennylane_vqc",
    "z_observables",
    "estimate_z",
    "executing_on",
    "predict_on_backend",
]


def _rows(a: Any) -> np.ndarray:
    return np.asarray(a.detach().cpu().numpy() if isinstance(a, torch.Tensor) else a, dtype=float)


def vqc_circuit(
    x: ArrayLike | torch.Tensor,
    weights: ArrayLike | torch.Tensor,
    *,
    num_qubits: int,
    encoding: str = "arctan",
    entangler: str = "ring2",
    rotation: str = "rot",
) -> Any:
    r"""Qiskit circuit of one block circuit at inputs ``x`` ``(m,)`` and angles ``(L, n[, 3])``.

    Example:
        >>> qc = vqc_circuit([0.3], [[0.1, 0.2]], num_qubits=2, encoding="ry",
        ...                  entangler="brick", rotation="ry")
        >>> [i.operation.name for i in qc.data]
        ['h', 'h', 'ry', 'cx', 'ry', 'ry']
    """
    from qiskit import QuantumCircuit

    xs, w = _rows(x).reshape(-1), _rows(weights)
    qc = QuantumCircuit(num_qubits)
    for q in range(num_qubits):
        qc.h(q)
    for q, v in enumerate(xs):
        if encoding == "ry":
            qc.ry(float(v), q)
        else:
            qc.ry(float(np.arctan(v)), q)
            qc.rz(float(np.arctan(v**2)), q)
    for layer in w:
        for c, t in entangling_pairs(num_qubits, entangler):
            qc.cx(c, t)
        for q in range(num_qubits):
            if rotation == "ry":
                qc.ry(float(layer[q]), q)
            else:
                phi, theta, omega = (float(a) for a in layer[q])
                qc.rz(phi, q)
                qc.ry(theta, q)
                qc.rz(omega, q)
    return qc


def pennylane_vqc(
    x: ArrayLike | torch.Tensor,
    weights: ArrayLike | torch.Tensor,
    *,
    wires: list[int],
    encoding: str = "arctan",
    entangler: str = "ring2",
    rotation: str = "rot",
) -> None:
    """Queue the block circuit's gates as PennyLane operations (call inside a QNode).

    ``x`` and ``weights`` may be torch tensors (PennyLane's torch interface differentiates
    them); ``wires[i]`` plays qubit ``i``.

    Example:
        >>> import pennylane as qml
        >>> dev = qml.device("default.qubit", wires=2)
        >>> @qml.qnode(dev)
        ... def f():
        ...     pennylane_vqc([0.3], [[0.1, 0.2]], wires=[0, 1], encoding="ry",
        ...                   entangler="brick", rotation="ry")
        ...     return qml.expval(qml.PauliZ(0))
        >>> round(float(f()), 6) == round(float(_aer_z0_reference()), 6)
        True
    """
    import pennylane as qml

    n = len(wires)
    for q in range(n):
        qml.Hadamard(wires=wires[q])
    for q in range(len(x)):
        if encoding == "ry":
            qml.RY(x[q], wires=wires[q])
        else:
            qml.RY(_arctan(x[q]), wires=wires[q])
            qml.RZ(_arctan(x[q] ** 2), wires=wires[q])
    for layer in weights:
        for c, t in entangling_pairs(n, entangler):
            qml.CNOT(wires=[wires[c], wires[t]])
        for q in range(n):
            if rotation == "ry":
                qml.RY(layer[q], wires=wires[q])
            else:
                qml.Rot(layer[q][0], layer[q][1], layer[q][2], wires=wires[q])


def _arctan(v: Any) -> Any:
    return torch.arctan(v) if isinstance(v, torch.Tensor) else np.arctan(v)


def _aer_z0_reference() -> float:
    """Reference value for :func:`pennylane_vqc`'s example: ⟨Z_0⟩ of the same circuit via Aer."""
    from qtwin.backends import get_backend

    qc = vqc_circuit(
        [0.3], [[0.1, 0.2]], num_qubits=2, encoding="ry", entangler="brick", rotation="ry"
    )
    res = get_backend("aer").estimator.run([(qc, z_observables(2, 1))]).result()
    return float(res[0].data.evs[0])


def z_observables(num_qubits: int, k: int) -> list[SparsePauliOp]:
    """``SparsePauliOp`` :math:`Z_i` for ``i < k`` (little-endian labels).

    Example:
        >>> [str(o.paulis[0]) for o in z_observables(3, 2)]
        ['IIZ', 'IZI']
    """
    from qiskit.quantum_info import SparsePauliOp

    return [SparsePauliOp("I" * (num_qubits - 1 - i) + "Z" + "I" * i) for i in range(k)]


def estimate_z(
    circuits: Sequence[QuantumCircuit], num_qubits: int, k: int, backend: QtwinBackend
) -> np.ndarray:
    r"""Expectations :math:`\langle Z_i\rangle`, ``i < k``, of every circuit on ``backend``.

    All circuits go to ``backend.estimator`` (a Qiskit V2 estimator) in one job.

    Args:
        circuits: circuits on ``num_qubits`` qubits, without measurements.
        num_qubits: their width.
        k: number of qubits read out (the first ``k``).
        backend: any object with an ``estimator`` (e.g. from :func:`qtwin.backends.get_backend`).

    Returns:
        Shape ``(len(circuits), k)``.

    Example:
        >>> from qiskit import QuantumCircuit
        >>> from qtwin.backends import get_backend
        >>> qc = QuantumCircuit(2); _ = qc.x(1)
        >>> estimate_z([qc], 2, 2, get_backend("tensornet")).round(6).tolist()
        [[1.0, -1.0]]
    """
    obs = z_observables(num_qubits, k)
    result = backend.estimator.run([(qc, obs) for qc in circuits]).result()
    return np.stack([np.asarray(r.data.evs, dtype=float) for r in result])


def _vqc_executor(backend: Any) -> Any:
    def run(vqc: VQC, x: torch.Tensor) -> torch.Tensor:
        xs = _rows(x)
        weights = _rows(vqc.weights)
        groups = weights if vqc.num_circuits is not None else weights[None]
        circuits = [
            vqc_circuit(
                row,
                w,
                num_qubits=vqc.num_qubits,
                encoding=vqc.encoding,
                entangler=vqc.entangler,
                rotation=vqc.rotation,
            )
            for w in groups
            for row in xs
        ]
        evs = estimate_z(circuits, vqc.num_qubits, vqc.num_outputs, backend)
        out = torch.as_tensor(evs, dtype=torch.float64).reshape(len(groups), len(xs), -1)
        return out.transpose(0, 1) if vqc.num_circuits is not None else out[0]

    return run


def _qfwp_executor(model: QFWP, backend: QtwinBackend) -> Callable[..., torch.Tensor]:
    def features(x_t: torch.Tensor, fast_weights: torch.Tensor) -> torch.Tensor:
        xs, ws = _rows(x_t), _rows(fast_weights)
        circuits = [
            vqc_circuit(
                xs[b],
                ws[b],
                num_qubits=model.num_qubits,
                encoding="ry",
                entangler="brick",
                rotation="ry",
            )
            for b in range(len(xs))
        ]
        evs = estimate_z(circuits, model.num_qubits, model.num_readout, backend)
        return torch.as_tensor(evs, dtype=torch.float64)

    return features


@contextmanager
def executing_on(model: torch.nn.Module, backend: QtwinBackend) -> Iterator[None]:
    """Inside the block, every circuit of ``model`` runs on ``backend``'s estimator.

    Every :class:`~qtwin.qml.sequences.variational.VQC` inside ``model`` and the fast circuit
    of every :class:`~qtwin.qml.QFWP` inside it are evaluated by :func:`estimate_z` (one job
    per batch of circuits) instead of the exact simulation; the classical layers stay in
    torch. Leaving the block restores exact simulation.

    Example:
        >>> import torch
        >>> from qtwin.backends import get_backend
        >>> from qtwin.qml import QRNNReservoir
        >>> m, x = QRNNReservoir("qrnn", seed=0, num_layers=1), torch.rand(2, 2, 1)
        >>> with executing_on(m, get_backend("tensornet")):
        ...     on_backend = m(x)
        >>> torch.allclose(on_backend, m(x), atol=1e-8)
        True
    """
    vqcs = [m for m in model.modules() if isinstance(m, VQC)]
    fast = [m for m in model.modules() if isinstance(m, QFWP)]
    for m in vqcs:
        m.executor = _vqc_executor(backend)
    for m in fast:
        m.circuit_features = _qfwp_executor(m, backend)  # type: ignore[method-assign]
    try:
        yield
    finally:
        for m in vqcs:
            m.executor = None
        for m in fast:
            del m.circuit_features  # the instance attribute shadowed the method


@torch.no_grad()
def predict_on_backend(
    model: QFWP | QuantumRecurrentNet,
    x: ArrayLike | torch.Tensor,
    backend: str | QtwinBackend = "aer",
    **options: Any,
) -> torch.Tensor:
    """Predictions of ``model`` on windows ``x`` ``(B, T, m)`` with circuits run on ``backend``.

    Args:
        model: a :class:`~qtwin.qml.QFWP` or :class:`~qtwin.qml.QuantumRecurrentNet`.
        x: input windows.
        backend: a backend name for :func:`qtwin.backends.get_backend` or a backend object.
        **options: options for :func:`~qtwin.backends.get_backend` (``seed``,
            ``default_precision``, ...).

    Returns:
        Predictions ``(B, out)``; equal to ``model(x)`` on an exact simulator, noisy on
        ``fake:`` devices.
    """
    from qtwin.backends import get_backend

    if not isinstance(model, (QFWP, QuantumRecurrentNet)):
        raise TypeError(
            f"model must be a QFWP or a QuantumRecurrentNet, got {type(model).__name__}"
        )
    be = get_backend(backend, **options) if isinstance(backend, str) else backend
    with executing_on(model, be):
        return model(x)
