"""Export of a trained QNN: Qiskit on Aer with shots, PennyLane QNode, fake device; baselines."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch

from qtwin.qml.qnn.baselines import (
    TFQ_MNIST_3V6_ANCHOR,
    logistic_regression_baseline,
    mlp_baseline,
    mlp_hidden_units,
)
from qtwin.qml.qnn.datasets import all_bit_strings, digits_dataset, subset_majority_dataset
from qtwin.qml.qnn.export import evaluate_on_backend, to_pennylane_qnode, to_qiskit_circuit
from qtwin.qml.qnn.model import FarhiNevenQNN, default_generators
from qtwin.qml.qnn.representations import subset_majority_model

GENS = default_generators(3) + [("YZ", (1, 3)), ("X", (3,)), ("XYZ", (0, 2, 3))]


def test_exported_circuit_on_aer_shots_agrees_with_torch() -> None:
    m = FarhiNevenQNN(3, GENS, seed=4, init_scale=math.pi)
    z = all_bit_strings(3)
    exact = m(torch.as_tensor(z)).detach().numpy()
    labels = np.where(exact >= 0, 1, -1)
    shots = 4000
    res = evaluate_on_backend(m, z, labels, "aer", shots=shots, seed=11)
    sigma = np.sqrt(np.maximum(1 - exact**2, 1e-3) / shots)
    assert np.all(np.abs(res["expectations"] - exact) < 5 * sigma + 1e-9)
    confident = np.abs(exact) > 0.2
    assert np.all(np.where(res["expectations"] >= 0, 1, -1)[confident] == labels[confident])


def test_pennylane_qnode_agrees_with_torch() -> None:
    pytest.importorskip("pennylane")
    m = FarhiNevenQNN(3, GENS, seed=6, init_scale=math.pi)
    z = all_bit_strings(3)
    qnode = to_pennylane_qnode(m)
    ref = np.array([float(qnode(row)) for row in z])
    np.testing.assert_allclose(m(torch.as_tensor(z)).detach().numpy(), ref, atol=1e-10)
    spins = FarhiNevenQNN(3, GENS, theta=m.theta.detach(), encoding="spins")
    assert float(to_pennylane_qnode(spins)(1 - 2 * z[5])) == pytest.approx(ref[5], abs=1e-10)


def test_measured_circuit_layout() -> None:
    qc = to_qiskit_circuit(FarhiNevenQNN(2, seed=0), [1, 1], measure=True)
    names = [inst.operation.name for inst in qc.data]
    assert names[:2] == ["x", "x"] and names[-3:] == ["sdg", "h", "measure"]


@pytest.mark.slow
def test_fake_device_majority() -> None:
    z, y = subset_majority_dataset(3, [0, 1, 2])
    res = evaluate_on_backend(
        subset_majority_model(3, [0, 1, 2]), z, y, "fake:manila", shots=512, seed=3
    )
    assert res["accuracy"] >= 0.75 and res["backend"] == "fake:manila"


def test_export_bad_inputs() -> None:
    m = FarhiNevenQNN(2)
    with pytest.raises(ValueError, match=r"z must have shape \(batch, 2\)"):
        evaluate_on_backend(m, np.zeros((2, 3), int), [1, 1], "aer")
    with pytest.raises(ValueError, match="labels must be"):
        evaluate_on_backend(m, np.zeros((2, 2), int), [1, 2], "aer")
    with pytest.raises(ValueError, match="shots must be"):
        evaluate_on_backend(m, np.zeros((2, 2), int), [1, 1], "aer", shots=0)
    with pytest.raises(ValueError, match="unknown backend"):
        evaluate_on_backend(m, np.zeros((2, 2), int), [1, 1], "nonesuch")


def test_baselines_on_digits() -> None:
    ds = digits_dataset((3, 6), seed=0)
    lr = logistic_regression_baseline(ds)
    mlp = mlp_baseline(ds, 32)
    assert lr["test_accuracy"] >= TFQ_MNIST_3V6_ANCHOR["test_accuracy"]
    assert mlp["num_parameters"] == 37 and mlp_hidden_units(16, 32) == 2
    assert 0.5 <= mlp["test_accuracy"] <= 1.0
    with pytest.raises(ValueError, match="y_train must hold"):
        logistic_regression_baseline((ds.z_train, ds.y_train * 0, ds.z_test, ds.y_test))
    with pytest.raises(TypeError, match="data must be"):
        mlp_baseline(3, 32)


def test_nan_parameters_and_wrong_lengths_everywhere() -> None:
    from qtwin.qml.qnn.training import train

    z, y = subset_majority_dataset(3, [0, 1, 2])
    bad = FarhiNevenQNN(3)
    with torch.no_grad():
        bad.theta[2] = float("nan")
    with pytest.raises(ValueError, match="finite"):
        train(bad, z, y, epochs=1, progress=False)
    with pytest.raises(ValueError, match="finite"):
        evaluate_on_backend(bad, z, y, "aer", shots=8)
    with pytest.raises(ValueError, match="finite"):
        to_pennylane_qnode(bad)([0, 1, 1])
    good = FarhiNevenQNN(3)
    with pytest.raises(ValueError, match=r"z must have shape \(batch, 3\)"):
        train(good, z[:, :2], y, epochs=1, progress=False)
    with pytest.raises(ValueError, match="labels must be"):
        train(good, z, 2 * y, epochs=1, progress=False)
