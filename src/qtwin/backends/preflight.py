r"""What a device backend would be sent, without sending it: :func:`dry_run`.

For each PUB the circuit is transpiled exactly as the backend's sampler would transpile it
(``backend.prepare``: the device ISA for ``fake:``/``ibm:`` backends, unchanged for
simulators) and summarised: the qubits it touches, its depth, its two-qubit gate count and
two-qubit depth, and the shots it would use (per parameter set and in total). Nothing is
submitted, so this is free on hardware.

Example:
    >>> from qiskit import QuantumCircuit
    >>> qc = QuantumCircuit(3); _ = qc.h(0); _ = qc.cx(0, 2); _ = qc.measure_all()
    >>> plan = dry_run("tensornet", [qc], shots=100)
    >>> plan[0]["two_qubit_gates"], plan[0]["shots"], plan[0]["total_shots"]
    (1, 100, 100)
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from qiskit.circuit import QuantumCircuit
from qiskit.primitives.containers import SamplerPubLike
from qiskit.primitives.containers.sampler_pub import SamplerPub

from qtwin.backends.backend import QtwinBackend

__all__ = ["dry_run", "circuit_summary"]

_NON_GATES = frozenset({"barrier", "measure", "reset", "delay"})


def circuit_summary(circuit: QuantumCircuit) -> dict[str, Any]:
    """Size of ``circuit``: active qubits, depth, two-qubit gate count and two-qubit depth.

    Example:
        >>> qc = QuantumCircuit(2); _ = qc.h(0); _ = qc.cx(0, 1); _ = qc.cx(1, 0)
        >>> circuit_summary(qc)["two_qubit_depth"]
        2
    """
    active = {q for inst in circuit.data for q in inst.qubits if inst.operation.name != "barrier"}

    def two_qubit(inst: Any) -> bool:
        return inst.operation.num_qubits == 2 and inst.operation.name not in _NON_GATES

    return {
        "num_qubits": circuit.num_qubits,
        "active_qubits": len(active),
        "depth": int(circuit.depth()),
        "two_qubit_gates": sum(1 for inst in circuit.data if two_qubit(inst)),
        "two_qubit_depth": int(circuit.depth(two_qubit)),
        "ops": {str(k): int(v) for k, v in circuit.count_ops().items()},
    }


def dry_run(
    backend: str | QtwinBackend,
    pubs: Iterable[SamplerPubLike],
    *,
    shots: int | None = None,
    **options: Any,
) -> list[dict[str, Any]]:
    """Summaries of the ISA circuits ``backend.sampler.run(pubs, shots=shots)`` would submit.

    Args:
        backend: a backend name (built with ``options``) or a :class:`QtwinBackend`.
        pubs: sampler PUBs (circuits, or ``(circuit, values[, shots])`` tuples).
        shots: shots per parameter set for PUBs that do not set them; 1024 when omitted.
        **options: :func:`qtwin.backends.get_backend` options (for a backend name).

    Returns:
        One dict per PUB: :func:`circuit_summary` of the ISA circuit plus ``backend``,
        ``parameter_sets``, ``shots`` and ``total_shots`` (``shots * parameter_sets``).

    Raises:
        ValueError: ``shots`` below 1, or a bad PUB (as ``SamplerPub.coerce`` raises).
    """
    from qtwin.backends.registry import get_backend

    be = get_backend(backend, **options) if isinstance(backend, str) else backend
    if options and not isinstance(backend, str):
        raise ValueError("options apply to a backend name, not a QtwinBackend object")
    default = 1024 if shots is None else shots
    if isinstance(default, bool) or not isinstance(default, int) or default < 1:
        raise ValueError(f"shots must be a positive integer, got {shots!r}")
    coerced = [SamplerPub.coerce(pub, default) for pub in pubs]
    isa = be.prepare([pub.circuit for pub in coerced])
    plan = []
    for circuit, pub in zip(isa, coerced, strict=True):
        sets = int(pub.parameter_values.size)
        plan.append(
            {
                "backend": be.name,
                **circuit_summary(circuit),
                "parameter_sets": sets,
                "shots": int(pub.shots),
                "total_shots": int(pub.shots) * sets,
            }
        )
    return plan
