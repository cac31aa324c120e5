"""FarhiNevenQNN's exact reduced simulation against the dense one; state inputs; resume."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch
from qiskit.quantum_info import SparsePauliOp
from qiskit.quantum_info import Statevector as QiskitStatevector

from qtwin.exceptions import CheckpointMismatchError
from qtwin.qml.qnn.datasets import all_bit_strings, random_boolean_dataset
from qtwin.qml.qnn.model import FarhiNevenQNN, default_generators
from qtwin.qml.qnn.training import train
from qtwin.tensornet import Statevector

GENERATOR_SETS = [
    default_generators(3),
    default_generators(3, ("XX", "ZX")),
    default_generators(3, ("ZX", "XX", "YZ", "ZX")),
    [("XX", (0, 3)), ("ZX", (1, 3)), ("YY", (0, 1)), ("ZX", (2, 3)), ("XZ", (0, 3))],
    [("X", (3,)), ("ZZX", (0, 1, 3)), ("Z", (3,)), ("XYZ", (0, 2, 3)), ("ZI", (2, 0))],
]


@pytest.mark.parametrize("gens", GENERATOR_SETS)
def test_reduced_equals_dense_on_bits(gens) -> None:
    fast = FarhiNevenQNN(3, gens, seed=2, init_scale=math.pi)
    dense = FarhiNevenQNN(3, gens, theta=fast.theta.detach(), simulation="dense")
    z, y = all_bit_strings(3), torch.tensor([1, -1, 1, 1, -1, -1, 1, -1])
    fast.loss(z, y).backward()
    dense.loss(z, y).backward()
    torch.testing.assert_close(fast(z), dense(z), atol=1e-12, rtol=0)
    torch.testing.assert_close(fast.theta.grad, dense.theta.grad, atol=1e-12, rtol=0)


def test_default_network_simulates_one_qubit() -> None:
    m = FarhiNevenQNN(16)
    assert m._plan_bits.quantum == (16,) and len(m._plan_bits.peeled) == 16
    assert len(m._plan_bits.prefix) == 1  # the 16 ZX gates merge into one X_r rotation
    assert len(m._plan_states.quantum) == 17  # state inputs: data qubits are not classical


@pytest.mark.parametrize("gens", GENERATOR_SETS)
def test_state_inputs_against_qiskit(gens) -> None:
    m = FarhiNevenQNN(3, gens, seed=5, init_scale=math.pi)
    rng = np.random.default_rng(0)
    psi = rng.normal(size=(4, 8)) + 1j * rng.normal(size=(4, 8))
    psi /= np.linalg.norm(psi, axis=1, keepdims=True)
    qc, op = m.to_qiskit(), SparsePauliOp("YIII")
    ref = [
        QiskitStatevector(np.concatenate([row, np.zeros(8)])).evolve(qc).expectation_value(op).real
        for row in psi
    ]
    np.testing.assert_allclose(m(torch.as_tensor(psi)).detach(), ref, atol=1e-12)
    np.testing.assert_allclose(
        m(Statevector(torch.as_tensor(psi), [2] * 3)).detach(), ref, atol=1e-12
    )
    basis = np.eye(8, dtype=complex)  # basis states as states = bit strings
    torch.testing.assert_close(m(basis), m(all_bit_strings(3)), atol=1e-12, rtol=0)


def test_state_input_bad_values() -> None:
    m = FarhiNevenQNN(2)
    with pytest.raises(ValueError, match="normalized"):
        m(np.ones((1, 4), dtype=complex))
    with pytest.raises(ValueError, match=r"shape \(batch, 4\)"):
        m(np.ones((1, 8), dtype=complex) / np.sqrt(8))
    with pytest.raises(ValueError, match="finite"):
        m(np.full((1, 4), np.nan, dtype=complex))
    with pytest.raises(ValueError, match="2 qubits"):
        m(Statevector.zeros(3))


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
