"""Arguments that used to be replaced or accepted silently now raise, naming themselves."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from qtwin.qml.sequences.timeseries import (
    delayed_quantum_control,
    jaynes_cummings_inversion,
    load_sequence_task,
)


@pytest.mark.parametrize(
    ("kwargs", "name"),
    [
        ({"step": 0.0}, "step"),
        ({"x_min": 5.0, "x_max": 1.0}, "x_min"),
        ({"x_min": np.nan}, "x_min"),
    ],
)
def test_delayed_quantum_control_rejects_bad_grid(kwargs, name):
    with pytest.raises(ValueError, match=name):
        delayed_quantum_control(**kwargs)


def test_jaynes_cummings_rejects_bad_photon_cutoff_and_time():
    with pytest.raises(ValueError, match="max_photons"):
        jaynes_cummings_inversion(max_photons=0)
    with pytest.raises(ValueError, match="t_max"):
        jaynes_cummings_inversion(t_max=float("inf"))


def test_load_sequence_task_rejects_too_few_points():
    with pytest.raises(ValueError, match="num_points"):
        load_sequence_task("delayed_quantum_control", num_points=0)


def test_training_rejects_zero_learning_rate_and_bad_discount():
    from qtwin.qml.sequences.control import QuantumActorCritic, train_actor_critic
    from qtwin.qml.sequences.training import fit_sequence_model

    x = torch.zeros(4, 3, 1, dtype=torch.float64)
    y = torch.zeros(4, 1, dtype=torch.float64)
    with pytest.raises(ValueError, match="lr"):
        fit_sequence_model(torch.nn.Linear(3, 1), x, y, epochs=1, lr=0.0, progress=False)
    with pytest.raises(ValueError, match="gamma"):
        train_actor_critic(
            QuantumActorCritic("qfwp", seed=0), episodes=1, gamma=1.5, progress=False
        )


def test_low_rank_approximation_rejects_nan_threshold():
    from qtwin.dequantized import low_rank_approximation

    A = np.random.default_rng(0).normal(size=(20, 6))
    with pytest.raises(ValueError, match="threshold"):
        low_rank_approximation(A, 2, 0.5, 0.1, threshold=float("nan"))
