"""Issue 15 regression tests: bad input at the public boundary is refused early and clearly.

Each test failed on the code before the fix (NaN results, bare ``IndexError``s, deep numpy
or torch errors, or minutes of work and tens of GiB for a group that was too large).
"""

from __future__ import annotations

import numpy as np
import pytest
from qiskit import QuantumCircuit
from qiskit.quantum_info import SparsePauliOp

from qtwin.tensornet import MPS


def _nan_circuit(value: float = float("nan")) -> QuantumCircuit:
    qc = QuantumCircuit(2)
    qc.rx(value, 0)
    qc.cx(0, 1)
    return qc


# --- item 4: a literal NaN angle in a circuit ----------------------------------------------


@pytest.mark.parametrize("value", [float("nan"), float("inf"), -float("inf")])
def test_nan_angle_is_refused_by_mps_and_statevector(value):
    from qtwin.tensornet import Statevector

    with pytest.raises(ValueError, match="gate 'rx' on qubits \\[0\\] has a non-finite"):
        MPS.from_circuit(_nan_circuit(value))
    with pytest.raises(ValueError, match="gate 'rx' on qubits \\[0\\] has a non-finite"):
        Statevector.from_circuit(_nan_circuit(value))


def test_nan_angle_is_refused_by_the_tensornet_estimator():
    from qtwin.backends import get_backend

    estimator = get_backend("tensornet").estimator
    with pytest.raises(ValueError, match="non-finite"):
        estimator.run([(_nan_circuit(), SparsePauliOp("ZZ"))]).result()


def test_nan_global_phase_is_refused():
    qc = QuantumCircuit(1, global_phase=float("nan"))
    with pytest.raises(ValueError, match="global_phase must be a finite"):
        MPS.from_circuit(qc)


def test_nan_angle_is_refused_by_gate_matrix():
    from qtwin.circuits.gates import gate_matrix

    with pytest.raises(ValueError, match="params\\[0\\] of gate 'rx' must be finite"):
        gate_matrix("rx", [float("nan")])


# --- item 5: zero-norm states -------------------------------------------------------------


def test_zero_norm_states_are_refused():
    with pytest.raises(ValueError, match="psi must be a non-zero state vector"):
        MPS.from_dense(np.zeros(4))
    with pytest.raises(ValueError, match="vectors\\[0\\] must be a non-zero local state"):
        MPS.product_state([[0, 0], [1, 0]])
    with pytest.raises(ValueError, match="vectors must hold at least one"):
        MPS.product_state([])


# --- item 6: probabilities_of checks its outcomes ----------------------------------------


@pytest.mark.parametrize(
    ("outcomes", "error", "match"),
    [
        ([[0, 0, 1]], ValueError, "shape \\(k, 2\\)"),
        ([[0]], ValueError, "shape \\(k, 2\\)"),
        ([[-1, 0]], ValueError, "outcomes\\[0, 0\\] = -1 is outside \\[0, 1\\]"),
        ([[0, 0], [0, 7]], ValueError, "outcomes\\[1, 1\\] = 7 is outside"),
        ([[0.5, 0]], TypeError, "integers"),
        ([["a", "b"]], TypeError, "array of numbers"),
    ],
)
def test_probabilities_of_checks_outcomes(outcomes, error, match):
    psi = MPS.from_dense(np.array([1, 0, 0, 1]) / np.sqrt(2))
    with pytest.raises(error, match=match):
        psi.probabilities_of(outcomes)


def test_probabilities_of_still_works():
    psi = MPS.from_dense(np.array([1, 0, 0, 1]) / np.sqrt(2))
    np.testing.assert_allclose(psi.probabilities_of([[1, 1], [0, 1], [0, 0]]), [0.5, 0, 0.5])


# --- item 7: Clifford group size limit ----------------------------------------------------


def test_clifford_group_size_limit():
    from qtwin.designs import clifford_group

    with pytest.raises(ValueError, match="clifford_group\\(200\\) has .* max_elements"):
        clifford_group(200)
    with pytest.raises(ValueError, match="max_elements"):
        clifford_group(100)
    with pytest.raises(ValueError, match="max_elements=100"):
        clifford_group(3, max_elements=100)
    assert len(clifford_group(3, max_elements=216)) == 216


# --- item 8: messages name the argument ---------------------------------------------------


def test_tebd_target_refuses_nan_time():
    from qtwin.aqc import tebd_target

    h = SparsePauliOp.from_list([("ZZ", 1.0)])
    with pytest.raises(ValueError, match="time and dt must be finite"):
        tebd_target(h, float("nan"))
    with pytest.raises(TypeError, match="time must be a real number"):
        tebd_target(h, "1")


def test_accuracy_on_an_empty_data_set():
    from qtwin.qml import accuracy, subset_parity_model

    with pytest.raises(ValueError, match="z must hold at least one input"):
        accuracy(subset_parity_model(4, [0, 3]), np.zeros((0, 4)), np.zeros(0))


@pytest.mark.parametrize(("params", "match"), [([], "takes 1 angle"), ([1, 2], "got 2")])
def test_gate_matrix_angle_count(params, match):
    from qtwin.circuits.gates import gate_matrix

    with pytest.raises(ValueError, match=f"gate 'rx' {match}|{match}"):
        gate_matrix("rx", params)
    with pytest.raises(TypeError, match="params must be a sequence"):
        gate_matrix("rx", 1.0)
    with pytest.raises(TypeError, match="params\\[0\\] of gate 'rx' must be a real number"):
        gate_matrix("rx", ["x"])


def test_recommend_names_rank():
    from qtwin.dequantized import recommend

    with pytest.raises(ValueError, match="rank must be an integer >= 1"):
        recommend(np.random.default_rng(0).random((5, 4)), user=0, rank=0)


def test_from_dense_of_text_is_a_type_error():
    with pytest.raises(TypeError, match="psi must be an array of numbers"):
        MPS.from_dense(["a", "b"])


# --- item 9: a circuit on no qubits --------------------------------------------------------


def test_from_circuit_refuses_zero_qubits():
    with pytest.raises(ValueError, match="at least one qubit"):
        MPS.from_circuit(QuantumCircuit(0))


# --- item 12: AQC resume is documented as not identical (and why) --------------------------


def test_compile_mps_documents_why_resume_is_not_identical():
    """SciPy's L-BFGS-B cannot be restarted with its curvature memory; the docs must say so."""
    from qtwin.aqc import compile_mps

    doc = " ".join(compile_mps.__doc__.split())
    assert "is *not* bit-identical to an uninterrupted one" in doc
    assert "L-BFGS-B" in doc and "empty memory" in doc
