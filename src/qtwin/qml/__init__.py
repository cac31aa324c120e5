"""Quantum machine learning on the shared statevector engine.

Three families of models, each beside its classical baselines:

* the Farhi–Neven QNN binary classifier (arXiv:1802.06002): :class:`FarhiNevenQNN`, its
  exact subset-parity, subset-majority and general Boolean-function circuits, the
  handwritten-digits and quantum-data tasks, export to Qiskit/PennyLane and shot-based
  evaluation on any backend;
* quantum fast weight programmers (arXiv:2402.17760): :class:`QFWP`;
* quantum recurrent networks (QRNN, QLSTM, QGRU) trained fully or as reservoirs with a
  ridge-regression readout (arXiv:2211.02612): :class:`QRNNReservoir`, and the time-series
  data sets of both papers (:mod:`qtwin.qml.sequences.timeseries`).

The package has two halves that import nothing from each other: :mod:`qtwin.qml.qnn` (the
Farhi–Neven classifier) and :mod:`qtwin.qml.sequences` (QFWP, recurrent networks, reservoirs,
control). Every public name of both is re-exported here.

Conventions shared by both halves: ``seed`` is an int, a :class:`numpy.random.Generator` or
``None`` (fresh entropy; :class:`FarhiNevenQNN` alone keeps its historical meaning, seed 0),
and models draw their initial weights from local generators (the
global torch random state is never reseeded); every model is created on the CPU (there is no
``device=`` argument that picks CUDA by itself) and follows its parameters when moved with
``model.to(device)``; results are dataclasses that also read like the dicts they replace
(``result["accuracy"]``) and give JSON with ``to_dict()``; training loops checkpoint through
:class:`qtwin.checkpoint.Checkpoint` and resume exactly.

Example:
    >>> from qtwin.qml import subset_parity_model, subset_parity_dataset, accuracy
    >>> z, y = subset_parity_dataset(3, [0, 2])
    >>> accuracy(subset_parity_model(3, [0, 2]), z, y)
    1.0
"""

from __future__ import annotations

from qtwin.qml.qnn import (
    TFQ_MNIST_3V6_ANCHOR,
    BackendEvaluation,
    BaselineResult,
    BinaryDataset,
    FarhiNevenQNN,
    HardnessResult,
    PauliTerm,
    TrainHistory,
    accuracy,
    all_bit_strings,
    boolean_function_circuit,
    boolean_function_model,
    boolean_function_terms,
    default_generators,
    digits_dataset,
    evaluate_on_backend,
    hardness_study,
    logistic_regression_baseline,
    mlp_baseline,
    mlp_hidden_units,
    observable_expectations,
    observable_model,
    observable_sign_dataset,
    parity_capable_generators,
    pauli_terms_circuit,
    random_boolean_dataset,
    subset_majority_circuit,
    subset_majority_dataset,
    subset_majority_model,
    subset_majority_terms,
    subset_parity_circuit,
    subset_parity_dataset,
    subset_parity_model,
    subset_parity_terms,
    superposition_dataset,
    to_pennylane_qnode,
    to_qiskit_circuit,
    train,
    walsh_coefficients,
)
from qtwin.qml.sequences import (
    QFWP,
    QGRU,
    QLSTM,
    QRNN,
    VQC,
    ActorCriticResult,
    ClassicalRNN,
    EchoStateNetwork,
    QRNNReservoir,
    QuantumActorCritic,
    QuantumRecurrentNet,
    ReservoirSweepRow,
    SequenceData,
    TrainResult,
    fit_sequence_model,
    load_sequence_task,
    predict_on_backend,
    reservoir_sweep,
    ridge_readout,
    train_actor_critic,
)

__all__ = [
    # Farhi–Neven QNN
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
    # sequences: QFWP, quantum recurrent networks, reservoirs
    "VQC",
    "QFWP",
    "QuantumRecurrentNet",
    "QRNN",
    "QLSTM",
    "QGRU",
    "QRNNReservoir",
    "ridge_readout",
    "reservoir_sweep",
    "ClassicalRNN",
    "EchoStateNetwork",
    "SequenceData",
    "load_sequence_task",
    "fit_sequence_model",
    "TrainResult",
    "predict_on_backend",
    "QuantumActorCritic",
    "train_actor_critic",
    "ActorCriticResult",
    "ReservoirSweepRow",
]
