r"""Running compiled circuits: OpenQASM 3 round trip, fidelity by Aer, ZZ correlators.

:func:`circuit_fidelity` checks a compiled circuit independently of the contraction used to
optimize it: the circuit is simulated by Aer's ``matrix_product_state`` method (or its
statevector method), and :math:`|\langle\psi|\phi\rangle|^2` is taken with the target MPS.

:func:`zz_correlators` exports the circuit as OpenQASM 3, reads it back, and measures the
nearest-neighbour correlators :math:`\langle Z_i Z_{i+1}\rangle` with a backend's V2 estimator
(``"aer"``, ``"tensornet"``, ``"fake:<device>"`` (transpiled to the device, with its noise)...).

Example:
    >>> from qiskit import QuantumCircuit
    >>> qc = QuantumCircuit(3); _ = qc.x(1)
    >>> zz_correlators(qc, "aer").round(12).tolist()
    [-1.0, -1.0]
"""

from __future__ import annotations

from typing import Any

import numpy as np
from qiskit import QuantumCircuit, qasm3
from qiskit.quantum_info import SparsePauliOp

from qtwin._validation import check_choice
from qtwin.aqc.targets import TargetLike, to_target_mps

__all__ = ["circuit_fidelity", "zz_correlators", "zz_observables", "exact_zz"]


def zz_observables(num_qubits: int) -> list[SparsePauliOp]:
    """:math:`Z_i Z_{i+1}` for ``i = 0 .. n-2`` (Qiskit label order)."""
    return [
        SparsePauliOp.from_sparse_list([("ZZ", [i, i + 1], 1.0)], num_qubits=num_qubits)
        for i in range(num_qubits - 1)
    ]


def exact_zz(target: TargetLike) -> np.ndarray:
    r""":math:`\langle Z_iZ_{i+1}\rangle` of a target state (MPS contraction)."""
    psi = to_target_mps(target)
    return np.array([float(np.real(psi.expectation(o))) for o in zz_observables(psi.num_sites)])


def zz_correlators(
    circuit: QuantumCircuit,
    backend: str = "aer",
    *,
    precision: float | None = None,
    via_qasm3: bool = True,
    **options: Any,
) -> np.ndarray:
    r""":math:`\langle Z_iZ_{i+1}\rangle` of ``circuit|0>`` measured on a qtwin backend.

    Args:
        circuit: a bound circuit.
        backend: a :func:`qtwin.backends.get_backend` name (``"aer"``, ``"tensornet"``,
            ``"fake:<device>"``...).
        precision: estimator precision (shot noise); ``None`` for the backend default.
        via_qasm3: export to OpenQASM 3 and re-import before running (the hand-off format).
        **options: backend options (``seed``...).

    Returns:
        ``n - 1`` real values.
    """
    from qtwin.backends import get_backend

    if not isinstance(circuit, QuantumCircuit):
        raise TypeError(f"circuit must be a QuantumCircuit, got {type(circuit).__name__}")
    qc = qasm3.loads(qasm3.dumps(circuit)) if via_qasm3 else circuit
    be = get_backend(backend, **options)
    obs = zz_observables(qc.num_qubits)
    run_qc = be.prepare(qc)
    if run_qc is not qc and getattr(run_qc, "layout", None) is not None:
        obs = [o.apply_layout(run_qc.layout) for o in obs]
    pub = (run_qc, obs) if precision is None else (run_qc, obs, None, precision)
    evs = be.estimator.run([pub]).result()[0].data.evs
    return np.asarray(evs, dtype=float).reshape(-1)


def circuit_fidelity(circuit: QuantumCircuit, target: TargetLike, *, method: str = "mps") -> float:
    r""":math:`|\langle\psi|C|0\rangle|^2`, with ``C|0>`` simulated by Aer.

    Args:
        circuit: a bound circuit on the target's qubits.
        target: the target state (see :func:`~qtwin.aqc.to_target_mps`).
        method: ``"mps"`` (Aer ``matrix_product_state``, no truncation) or
            ``"statevector"``.
    """
    from qiskit_aer import AerSimulator

    check_choice(method, "method", ("mps", "statevector"))
    psi = to_target_mps(target)
    if circuit.num_qubits != psi.num_sites:
        raise ValueError(
            f"circuit has {circuit.num_qubits} qubits but the target has {psi.num_sites}"
        )
    qc = circuit.copy()
    if method == "mps":
        qc.save_matrix_product_state(label="out")
        sim = AerSimulator(method="matrix_product_state")
        data = sim.run(qc).result().data()["out"]
        phi = to_target_mps(data)
        return float(abs(psi.overlap(phi)) ** 2)
    qc.save_statevector(label="out")
    vec = np.asarray(AerSimulator(method="statevector").run(qc).result().data()["out"])
    return float(abs(np.vdot(psi.to_dense().numpy(), vec)) ** 2)
