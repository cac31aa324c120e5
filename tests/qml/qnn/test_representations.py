"""Exactness of the Farhi–Neven parity and majority networks for every input string."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from qiskit.quantum_info import SparsePauliOp, Statevector

from qtwin.qml import (
    all_bit_strings,
    subset_majority_circuit,
    subset_majority_dataset,
    subset_majority_model,
    subset_parity_circuit,
    subset_parity_dataset,
    subset_parity_model,
)

PARITY = [
    (1, [0]),
    (3, [0, 2]),
    (4, [0, 2, 3]),
    (5, [1, 2, 3, 4]),
    (8, [0, 3, 5, 7]),
    (8, list(range(8))),
]
MAJORITY = [
    (1, [0]),
    (3, [0, 1, 2]),
    (5, [0, 2, 4]),
    (6, [1, 2, 3, 4, 5]),
    (8, [0, 1, 3, 4, 6, 7, 2]),
]


def _qiskit_y(qc, n: int) -> np.ndarray:
    """⟨Y_readout⟩ on |z⟩|0⟩ for every z, with qiskit.quantum_info only."""
    op = SparsePauliOp("Y" + "I" * n)
    return np.array(
        [
            Statevector.from_int(k, 2 ** (n + 1)).evolve(qc).expectation_value(op).real
            for k in range(2**n)
        ]
    )


@pytest.mark.parametrize(("n", "subset"), PARITY)
def test_parity_exact_every_string(n: int, subset: list[int]) -> None:
    z, labels = subset_parity_dataset(n, subset)
    np.testing.assert_allclose(_qiskit_y(subset_parity_circuit(n, subset), n), labels, atol=1e-12)
    out = subset_parity_model(n, subset)(torch.as_tensor(z)).detach().numpy()
    np.testing.assert_allclose(out, labels, atol=1e-12)


@pytest.mark.parametrize(("n", "subset"), MAJORITY)
def test_majority_sign_every_string(n: int, subset: list[int]) -> None:
    z, labels = subset_majority_dataset(n, subset)
    y_q = _qiskit_y(subset_majority_circuit(n, subset), n)
    assert np.all(np.sign(y_q) == labels)
    assert np.min(np.abs(y_q)) >= np.sin(np.pi / (2 * len(subset))) - 1e-12
    out = subset_majority_model(n, subset)(torch.as_tensor(z)).detach().numpy()
    np.testing.assert_allclose(out, y_q, atol=1e-12)


def test_label_conventions() -> None:
    z = all_bit_strings(3)
    assert subset_parity_dataset(3, [0, 2])[1].tolist() == [1, -1, 1, -1, -1, 1, -1, 1]
    assert subset_majority_dataset(3, [0, 1, 2])[1].tolist() == [
        1 if (2 * row.sum() < 3) else -1 for row in z
    ]


@pytest.mark.parametrize(
    ("call", "match"),
    [
        (lambda: subset_parity_circuit(3, []), "subset"),
        (lambda: subset_parity_circuit(3, [0, 3]), "subset"),
        (lambda: subset_parity_circuit(3, [1, 1]), "subset"),
        (lambda: subset_majority_circuit(4, [0, 1]), "odd"),
        (lambda: subset_parity_circuit(0, [0]), "n must"),
    ],
)
def test_bad_subsets(call, match: str) -> None:
    with pytest.raises(ValueError, match=match):
        call()
