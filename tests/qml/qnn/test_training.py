"""Training: digits 3 vs 6 on 17 qubits, normalized SGD, seeding, resume equals an uninterrupted
run, refused checkpoints, bad arguments."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from qtwin.exceptions import CheckpointMismatchError
from qtwin.qml import (
    FarhiNevenQNN,
    accuracy,
    default_generators,
    digits_dataset,
    random_boolean_dataset,
    subset_majority_dataset,
    train,
)


def test_digits_dataset_shape_and_no_contradictions() -> None:
    ds = digits_dataset((3, 6), seed=0)
    z = np.concatenate([ds.z_train, ds.z_test])
    y = np.concatenate([ds.y_train, ds.y_test])
    assert z.shape[1] == 16 and set(np.unique(z)) <= {0, 1} and set(np.unique(y)) == {-1, 1}
    labels: dict[bytes, set[int]] = {}
    for row, lab in zip(z, y, strict=True):
        labels.setdefault(row.tobytes(), set()).add(int(lab))
    assert all(len(v) == 1 for v in labels.values())
    again = digits_dataset((3, 6), seed=0)
    assert np.array_equal(again.z_train, ds.z_train) and np.array_equal(again.y_test, ds.y_test)
    assert abs(len(ds.z_test) / len(z) - 0.3) < 0.01


def _digits_run(n_train: int, epochs: int) -> float:
    ds = digits_dataset((3, 6), seed=0)
    model = FarhiNevenQNN(16, seed=0, dtype=torch.complex64)
    train(
        model, ds.z_train[:n_train], ds.y_train[:n_train],
        epochs=epochs, batch_size=16, lr=0.05, seed=0, progress=False,
    )  # fmt: skip
    return accuracy(model, ds.z_test, ds.y_test)


def test_digits_3_vs_6_quick() -> None:
    assert _digits_run(n_train=48, epochs=1) >= 0.8


@pytest.mark.slow
def test_digits_3_vs_6_full() -> None:
    assert _digits_run(n_train=10_000, epochs=2) >= 0.90


def test_sgd_normalized_step_learns_majority() -> None:
    z, y = subset_majority_dataset(3, [0, 1, 2])
    model = FarhiNevenQNN(3, seed=0)
    hist = train(model, z, y, method="sgd", epochs=5, lr=0.5, seed=0, progress=False)
    assert hist["accuracy"][-1] == 1.0 and hist["loss"][-1] < hist["loss"][0]


def test_train_is_seeded() -> None:
    z, y = random_boolean_dataset(3, seed=1)
    runs = []
    for _ in range(2):
        m = FarhiNevenQNN(3, seed=2)
        runs.append(train(m, z, y, epochs=3, batch_size=3, seed=4, progress=False)["loss"])
    assert runs[0] == runs[1]


def test_train_and_dataset_bad_arguments() -> None:
    z, y = subset_majority_dataset(3, [0, 1, 2])
    m = FarhiNevenQNN(3)
    with pytest.raises(ValueError, match="method must be one of"):
        train(m, z, y, method="lbfgs", progress=False)
    with pytest.raises(ValueError, match="epochs must be"):
        train(m, z, y, epochs=0, progress=False)
    with pytest.raises(ValueError, match="lr must be"):
        train(m, z, y, lr=-1.0, progress=False)
    with pytest.raises(ValueError, match="labels must be"):
        train(m, z, np.zeros(8), progress=False)
    with pytest.raises(ValueError, match="pair must be"):
        digits_dataset((3, 3))
    with pytest.raises(ValueError, match="test_fraction"):
        digits_dataset(test_fraction=1.5)
    with pytest.raises(ValueError, match="odd"):
        subset_majority_dataset(4, [0, 1])


@pytest.mark.parametrize("method", ["adam", "sgd"])
def test_checkpoint_resume_matches_uninterrupted(tmp_path, method) -> None:
    z, y = random_boolean_dataset(3, seed=3)
    kw = dict(method=method, batch_size=3, lr=0.1, seed=2, progress=False, eval_data=(z, -y))
    full = FarhiNevenQNN(3, seed=1)
    ref = train(full, z, y, epochs=4, **kw)
    path = tmp_path / "qnn.pt"
    part = FarhiNevenQNN(3, seed=1)
    train(part, z, y, epochs=2, checkpoint=path, **kw)
    assert path.exists() and not list(tmp_path.glob(".*tmp"))
    resumed = FarhiNevenQNN(3, seed=99)  # parameters come from the checkpoint
    hist = train(resumed, z, y, epochs=4, checkpoint=path, **kw)
    assert hist.resumed_from == 2 and ref.resumed_from == 0
    assert hist.loss == ref.loss and hist.accuracy == ref.accuracy  # exactly, not approx
    assert hist.test_accuracy == ref.test_accuracy
    assert torch.equal(resumed.theta, full.theta)
    again = train(resumed, z, y, epochs=4, checkpoint=path, **kw)
    assert again.loss == hist.loss  # finished: nothing left to run


def test_checkpoint_of_another_run_is_refused(tmp_path) -> None:
    z, y = random_boolean_dataset(3, seed=3)
    path = tmp_path / "qnn.pt"
    train(FarhiNevenQNN(3, seed=1), z, y, epochs=1, seed=2, progress=False, checkpoint=path)
    others = [
        dict(method="sgd"),  # another method
        dict(lr=0.2),  # another hyper-parameter
        dict(seed=3),  # another shuffling seed
    ]
    for kw in others:
        args = {"seed": 2, **kw}
        with pytest.raises(CheckpointMismatchError, match="different run"):
            train(FarhiNevenQNN(3), z, y, epochs=2, progress=False, checkpoint=path, **args)
    with pytest.raises(CheckpointMismatchError):  # other data
        train(FarhiNevenQNN(3), z, -y, epochs=2, seed=2, progress=False, checkpoint=path)
    with pytest.raises(CheckpointMismatchError):  # other model shape
        model = FarhiNevenQNN(3, default_generators(3, ("ZX",)))
        train(model, z, y, epochs=2, seed=2, progress=False, checkpoint=path)


def test_history_is_a_dataclass_with_dict_access() -> None:
    z, y = random_boolean_dataset(2, seed=0)
    hist = train(FarhiNevenQNN(2, seed=0), z, y, epochs=2, progress=False)
    assert hist["loss"] is hist.loss and "test_accuracy" not in hist
    assert hist.to_dict() == {"loss": hist.loss, "accuracy": hist.accuracy, "resumed_from": 0}
