"""Quantum machine learning: the Farhi–Neven QNN classifier, its exact representations and data.

Example:
    >>> from qtwin.qml import subset_parity_model, subset_parity_dataset, accuracy
    >>> z, y = subset_parity_dataset(3, [0, 2])
    >>> accuracy(subset_parity_model(3, [0, 2]), z, y)
    1.0
"""

from __future__ import annotations

from qtwin.qml.datasets import (
    BinaryDataset,
    all_bit_strings,
    digits_dataset,
    random_boolean_dataset,
    subset_majority_dataset,
    subset_parity_dataset,
)
from qtwin.qml.qnn import FarhiNevenQNN, PauliTerm, default_generators, pauli_terms_circuit
from qtwin.qml.representations import (
    subset_majority_circuit,
    subset_majority_model,
    subset_majority_terms,
    subset_parity_circuit,
    subset_parity_model,
    subset_parity_terms,
)
from qtwin.qml.training import accuracy, train

__all__ = [
    "FarhiNevenQNN",
    "PauliTerm",
    "default_generators",
    "pauli_terms_circuit",
    "subset_parity_terms",
    "subset_majority_terms",
    "subset_parity_circuit",
    "subset_majority_circuit",
    "subset_parity_model",
    "subset_majority_model",
    "BinaryDataset",
    "all_bit_strings",
    "digits_dataset",
    "random_boolean_dataset",
    "subset_parity_dataset",
    "subset_majority_dataset",
    "train",
    "accuracy",
]
