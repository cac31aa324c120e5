"""Quantum sequence models: fast weight programmers, recurrent networks, reservoirs, control.

Modules, one idea each:

* :mod:`~qtwin.qml.sequences.variational` — the VQC block circuits every model is built from;
* :mod:`~qtwin.qml.sequences.fast_weights` — :class:`QFWP` (arXiv:2402.17760);
* :mod:`~qtwin.qml.sequences.recurrent` — QRNN/QLSTM/QGRU, trained or as reservoirs with a
  ridge readout (arXiv:2211.02612);
* :mod:`~qtwin.qml.sequences.baselines` — classical RNN/LSTM/GRU and an echo state network;
* :mod:`~qtwin.qml.sequences.timeseries` — the papers' time-series tasks and windowing;
* :mod:`~qtwin.qml.sequences.training` — :func:`fit_sequence_model` with checkpoints;
* :mod:`~qtwin.qml.sequences.export` — Qiskit/PennyLane circuits and shot-based prediction;
* :mod:`~qtwin.qml.sequences.control` — actor-critic reinforcement learning on CartPole.

Every public name is also importable from :mod:`qtwin.qml`.

Example:
    >>> import torch
    >>> from qtwin.qml.sequences import QRNNReservoir
    >>> QRNNReservoir("qrnn", seed=0)(torch.zeros(2, 3, 1)).shape
    torch.Size([2, 1])
"""

from __future__ import annotations

from qtwin.qml.sequences.baselines import ClassicalRNN, EchoStateNetwork
from qtwin.qml.sequences.control import (
    ActorCriticResult,
    QuantumActorCritic,
    train_actor_critic,
)
from qtwin.qml.sequences.export import predict_on_backend
from qtwin.qml.sequences.fast_weights import QFWP
from qtwin.qml.sequences.recurrent import (
    QGRU,
    QLSTM,
    QRNN,
    QRNNReservoir,
    QuantumRecurrentNet,
    ReservoirSweepRow,
    reservoir_sweep,
    ridge_readout,
)
from qtwin.qml.sequences.timeseries import SequenceData, load_sequence_task
from qtwin.qml.sequences.training import TrainResult, fit_sequence_model
from qtwin.qml.sequences.variational import VQC

__all__ = [
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
