r"""The Farhi–Neven QNN binary classifier (arXiv:1802.06002), its data and its baselines.

Modules, one idea each:

* :mod:`~qtwin.qml.qnn.model` — :class:`FarhiNevenQNN` (Pauli-rotation network, readout
  :math:`\langle Y_r\rangle`) on the shared statevector engine;
* :mod:`~qtwin.qml.qnn.training` — Adam / normalized-SGD training with checkpoints;
* :mod:`~qtwin.qml.qnn.representations`, :mod:`~qtwin.qml.qnn.boolean_functions` — exact
  circuits for subset parity, subset majority and any Boolean function;
* :mod:`~qtwin.qml.qnn.datasets`, :mod:`~qtwin.qml.qnn.quantum_data` — bit-string tasks
  (digits, parity, majority, random labels) and quantum-state tasks;
* :mod:`~qtwin.qml.qnn.hardness` — how learnability falls with the number of bits;
* :mod:`~qtwin.qml.qnn.export` — Qiskit/PennyLane export and shot-based evaluation on any
  backend;
* :mod:`~qtwin.qml.qnn.baselines` — logistic regression and MLP on the same bits.

Every public name is also importable from :mod:`qtwin.qml`.

Example:
    >>> from qtwin.qml.qnn import subset_parity_model, subset_parity_dataset, accuracy
    >>> z, y = subset_parity_dataset(3, [0, 2])
    >>> accuracy(subset_parity_model(3, [0, 2]), z, y)
    1.0
"""

from __future__ import annotations

from qtwin.qml.qnn.baselines import (
    TFQ_MNIST_3V6_ANCHOR,
    BaselineResult,
    logistic_regression_baseline,
    mlp_baseline,
    mlp_hidden_units,
)
from qtwin.qml.qnn.boolean_functions import (
    boolean_function_circuit,
    boolean_function_model,
    boolean_function_terms,
    walsh_coefficients,
)
from qtwin.qml.qnn.datasets import (
    BinaryDataset,
    all_bit_strings,
    digits_dataset,
    random_boolean_dataset,
    subset_majority_dataset,
    subset_parity_dataset,
)
from qtwin.qml.qnn.export import (
    BackendEvaluation,
    evaluate_on_backend,
    to_pennylane_qnode,
    to_qiskit_circuit,
)
from qtwin.qml.qnn.hardness import HardnessResult, hardness_study, parity_capable_generators
from qtwin.qml.qnn.model import FarhiNevenQNN, PauliTerm, default_generators, pauli_terms_circuit
from qtwin.qml.qnn.quantum_data import (
    observable_expectations,
    observable_model,
    observable_sign_dataset,
    superposition_dataset,
)
from qtwin.qml.qnn.representations import (
    subset_majority_circuit,
    subset_majority_model,
    subset_majority_terms,
    subset_parity_circuit,
    subset_parity_model,
    subset_parity_terms,
)
from qtwin.qml.qnn.training import TrainHistory, accuracy, train

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
    "walsh_coefficients",
    "boolean_function_terms",
    "boolean_function_circuit",
    "boolean_function_model",
    "BinaryDataset",
    "all_bit_strings",
    "digits_dataset",
    "random_boolean_dataset",
    "subset_parity_dataset",
    "subset_majority_dataset",
    "superposition_dataset",
    "observable_sign_dataset",
    "observable_expectations",
    "observable_model",
    "train",
    "accuracy",
    "hardness_study",
    "parity_capable_generators",
    "to_qiskit_circuit",
    "to_pennylane_qnode",
    "evaluate_on_backend",
    "logistic_regression_baseline",
    "mlp_baseline",
    "mlp_hidden_units",
    "TFQ_MNIST_3V6_ANCHOR",
    "TrainHistory",
    "BackendEvaluation",
    "BaselineResult",
    "HardnessResult",
]
