"""Circuits and statistics shared by the backend tests (imported as ``backends_helpers``)."""

from __future__ import annotations

import math

import numpy as np
from qiskit import QuantumCircuit
from qiskit.circuit import Parameter
from qiskit.quantum_info import Statevector


def parameterized_circuit(measure: bool = True) -> QuantumCircuit:
    """3 qubits, 2 parameters, asymmetric gates (crx, rxx, ccx, cx(0, 2)) and final measurements."""
    a, b = Parameter("a"), Parameter("b")
    qc = QuantumCircuit(3, 3 if measure else 0)
    qc.h(0)
    qc.ry(a, 1)
    qc.cx(0, 2)
    qc.rz(b, 2)
    qc.crx(a, 1, 2)
    qc.rxx(b, 0, 1)
    qc.ccx(0, 1, 2)
    qc.ry(a / 2 + b, 0)
    if measure:
        qc.measure(range(3), range(3))
    return qc


PARAMETER_SETS = np.array([[0.1, 0.2], [1.0, -0.5], [2.0, 3.0]])


def exact_probabilities(qc: QuantumCircuit, values: np.ndarray) -> dict[str, float]:
    """Exact outcome probabilities (Qiskit bitstrings) of the unitary part of ``qc``."""
    body = qc.remove_final_measurements(inplace=False)
    bound = body.assign_parameters(dict(zip(body.parameters, values, strict=True)))
    return Statevector(bound).probabilities_dict()


def tv_distance(counts: dict[str, int], probs: dict[str, float]) -> float:
    """Total-variation distance between empirical ``counts`` and a distribution ``probs``."""
    shots = sum(counts.values())
    keys = set(counts) | set(probs)
    return 0.5 * sum(abs(counts.get(k, 0) / shots - probs.get(k, 0.0)) for k in keys)


def tv_bound(num_outcomes: int, shots: int, delta: float = 1e-6) -> float:
    r"""Bound on the TV distance of ``shots`` samples from their distribution, w.p. ``1 - delta``.

    :math:`E[TV] \le \tfrac12 \sum_x \sqrt{p_x(1-p_x)/N} \le \tfrac12\sqrt{K/N}` (Cauchy-Schwarz);
    one sample moves TV by at most :math:`1/N`, so McDiarmid adds :math:`\sqrt{\ln(1/\delta)/2N}`.
    """
    return 0.5 * math.sqrt(num_outcomes / shots) + math.sqrt(math.log(1 / delta) / (2 * shots))


def error_probability(backend, circuit: QuantumCircuit, *, readout: bool = True) -> float:
    r"""Union bound :math:`P = \sum_i p_i` on the chance that any device error occurs.

    Every instruction of the ISA circuit carries the device's reported error ``e`` (average
    gate infidelity; flip probability for readout). A ``k``-qubit depolarizing-type channel
    with average infidelity ``e`` applies an error with probability
    :math:`p = e\,d/(d-1)`, :math:`d = 2^k`. Writing each noisy location as
    :math:`(1-p)\,\mathrm{ideal} + p\,\mathrm{other}`, the output is
    :math:`(1-P')\,\mathrm{ideal} + P'\,\mathrm{other}'` with :math:`P' \le P`, so the TV
    distance of the outcome distribution (and the trace distance of the state) is at most P.
    """
    target = backend.target_backend.target
    isa = backend.prepare(circuit)
    total = 0.0
    for inst in isa.data:
        name = inst.operation.name
        if name in {"barrier", "delay"} or (name == "measure" and not readout):
            continue
        qargs = tuple(isa.find_bit(q).index for q in inst.qubits)
        props = target[name].get(qargs) if name in target.operation_names else None
        error = (props.error or 0.0) if props is not None else 0.0
        d = 2 ** len(qargs)
        total += error if name == "measure" else error * d / (d - 1)
    return total
