"""General Boolean functions (Walsh construction) and the hardness study."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from qiskit.quantum_info import Operator, SparsePauliOp

from qtwin.qml.qnn.boolean_functions import (
    boolean_function_circuit,
    boolean_function_model,
    boolean_function_terms,
    walsh_coefficients,
)
from qtwin.qml.qnn.datasets import all_bit_strings, subset_majority_dataset, subset_parity_dataset
from qtwin.qml.qnn.hardness import hardness_study


@pytest.mark.parametrize(("n", "seed"), [(1, 0), (2, 1), (3, 2), (4, 3), (5, 4)])
def test_random_function_labels_every_string(n: int, seed: int) -> None:
    labels = np.random.default_rng(seed).choice([-1, 1], size=2**n)
    z = all_bit_strings(n)
    out = boolean_function_model(n, labels)(torch.as_tensor(z)).detach().numpy()
    np.testing.assert_allclose(out, labels, atol=1e-12)
    u = Operator(boolean_function_circuit(n, labels)).data
    y = SparsePauliOp("Y" + "I" * n).to_matrix()
    ref = [np.vdot(u[:, k], y @ u[:, k]).real for k in range(2**n)]  # columns: U|z, 0>
    np.testing.assert_allclose(ref, labels, atol=1e-12)


def test_walsh_against_dense_hadamard_and_lengths() -> None:
    n = 4
    labels = np.random.default_rng(9).choice([-1, 1], size=2**n)
    h = np.array([[1, 1], [1, -1]])
    hn = h
    for _ in range(n - 1):
        hn = np.kron(hn, h)  # Sylvester Hadamard: entry (m, k) = (-1)^{popcount(m & k)}
    np.testing.assert_allclose(walsh_coefficients(n, labels), hn @ labels / 2**n, atol=1e-14)
    assert len(boolean_function_terms(5, subset_parity_dataset(5, [0, 2, 4])[1])[0]) == 1
    assert len(boolean_function_terms(5, subset_majority_dataset(5, [0, 1, 2])[1])[0]) == 4
    assert len(boolean_function_terms(3, lambda b: 1 - 2 * int(b[0] and b[2]))[0]) == 4


def test_boolean_bad_inputs() -> None:
    with pytest.raises(ValueError, match="2\\^n = 8 entries"):
        walsh_coefficients(3, [1, -1])
    with pytest.raises(ValueError, match="labels must be \\+1 or -1"):
        walsh_coefficients(1, [1, 0])
    with pytest.raises(ValueError, match="n must be <= 16"):
        walsh_coefficients(17, [1])


def test_hardness_study_small() -> None:
    res = hardness_study([1, 6], trials=2, epochs=3, seed=0, progress=False)
    assert res["n"] == [1.0, 6.0] and len(res["random_accuracy"]) == 2
    assert all(0 <= a <= 1 for a in res["parity_accuracy"] + res["random_accuracy"])
    assert res["grad_norm_parity"][1] < res["grad_norm_parity"][0]  # the gradient vanishes
    with pytest.raises(ValueError, match="tasks entries"):
        hardness_study([2], tasks=["xor"], progress=False)
    with pytest.raises(ValueError, match="ns must be"):
        hardness_study([20], progress=False)
