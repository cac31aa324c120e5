r"""Training loops for sequence models: seeded mini-batch training, progress, checkpoints.

:func:`fit_sequence_model` minimises the mean squared error of the last-step prediction,

.. math::

    \mathcal L = \frac1N \sum_i \big(\hat y(x_i) - y_i\big)^2,

with RMSprop (the authors' ``lr = 0.01, alpha = 0.99, eps = 1e-8``), Adam or SGD over
chronological mini-batches (the authors do not shuffle; ``shuffle=True`` draws a seeded
permutation per epoch). Only parameters with ``requires_grad`` are optimised, so a reservoir
model trains its readout alone; for a model in reservoir mode (``model.reservoir`` true, with
``features`` and ``readout``) the frozen features of every window are computed once and the
epochs train the readout on them — the same updates at the cost of a linear model. After
every epoch it records the train and test MSE and the
wall time, and (with ``checkpoint``) writes model, optimiser and history atomically; calling
again with the same checkpoint resumes after the last finished epoch.

Example:
    >>> import torch
    >>> from qtwin.qml.sequences.baselines import ClassicalRNN
    >>> x = torch.linspace(-1, 1, 40, dtype=torch.float64).reshape(10, 4, 1)
    >>> res = fit_sequence_model(ClassicalRNN("gru", seed=0), x, x[:, -1], epochs=3,
    ...                          progress=False, seed=0)
    >>> len(res.train_loss), res.epochs_run
    (3, 3)
"""

from __future__ import annotations

import os
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import torch

from qtwin._validation import check_choice, check_nonnegative_float, check_positive_int

__all__ = ["TrainResult", "fit_sequence_model", "mse", "epochs_to_threshold"]


@dataclass
class TrainResult:
    """History of a training run (one entry per epoch)."""

    train_loss: list[float] = field(default_factory=list)
    test_loss: list[float] = field(default_factory=list)
    epoch_time_s: list[float] = field(default_factory=list)
    epochs_run: int = 0
    resumed_from: int = 0

    @property
    def final_test_loss(self) -> float:
        """Test MSE after the last epoch (NaN without test data)."""
        return self.test_loss[-1] if self.test_loss else float("nan")


def _tensor(a: Any) -> torch.Tensor:
    t = a if isinstance(a, torch.Tensor) else torch.as_tensor(np.asarray(a, dtype=float))
    return t.to(torch.float64)


@torch.no_grad()
def mse(model: torch.nn.Module, x: Any, y: Any, *, batch_size: int = 512) -> float:
    """Mean squared error of ``model(x)`` against ``y`` (evaluated in batches, no gradients).

    Example:
        >>> import torch
        >>> mse(torch.nn.Identity(), torch.ones(3, 1), torch.zeros(3, 1))
        1.0
    """
    x, y = _tensor(x), _tensor(y)
    total = 0.0
    for s in range(0, len(x), batch_size):
        pred = model(x[s : s + batch_size])
        total += float(torch.sum((pred - y[s : s + batch_size].reshape(pred.shape)) ** 2))
    return total / (len(x) * (y.numel() // len(y)))


def epochs_to_threshold(losses: list[float], threshold: float) -> int | None:
    """First epoch (1-based) whose loss is below ``threshold``; ``None`` if never.

    Example:
        >>> epochs_to_threshold([0.5, 0.2, 0.05], 0.1)
        3
    """
    for k, v in enumerate(losses):
        if v < threshold:
            return k + 1
    return None


def _optimizer(name: str, params: list[torch.nn.Parameter], lr: float) -> torch.optim.Optimizer:
    if name == "rmsprop":
        return torch.optim.RMSprop(params, lr=lr, alpha=0.99, eps=1e-8)
    if name == "adam":
        return torch.optim.Adam(params, lr=lr)
    return torch.optim.SGD(params, lr=lr)


def _save(path: Path, payload: dict[str, Any]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(path.suffix + ".tmp")
    torch.save(payload, tmp)
    os.replace(tmp, path)


def fit_sequence_model(
    model: torch.nn.Module,
    x_train: Any,
    y_train: Any,
    x_test: Any = None,
    y_test: Any = None,
    *,
    epochs: int = 100,
    lr: float = 0.01,
    batch_size: int = 10,
    optimizer: str = "rmsprop",
    shuffle: bool = False,
    seed: int = 0,
    checkpoint: str | Path | None = None,
    progress: bool = True,
) -> TrainResult:
    r"""Train ``model`` on windows ``x_train`` ``(N, T, m)`` and targets ``y_train`` ``(N, o)``.

    Args:
        model: a torch module mapping ``(B, T, m)`` to ``(B, o)``.
        x_train, y_train: training windows and targets.
        x_test, y_test: optional test data, evaluated after each epoch.
        epochs: total number of epochs (a resumed run continues up to it).
        lr: learning rate.
        batch_size: mini-batch size (authors: 10).
        optimizer: ``"rmsprop"`` (authors), ``"adam"`` or ``"sgd"``.
        shuffle: shuffle the batches each epoch (seeded); the authors do not.
        seed: seed of torch and of the shuffling.
        checkpoint: file to write after each epoch and to resume from.
        progress: draw a tqdm bar.

    Returns:
        A :class:`TrainResult` with per-epoch losses and times.

    Raises:
        ValueError: if the model has no trainable parameter or the shapes disagree.
    """
    epochs = check_positive_int(epochs, "epochs")
    batch_size = check_positive_int(batch_size, "batch_size")
    lr = check_nonnegative_float(lr, "lr")
    if lr == 0:
        raise ValueError("lr must be > 0, got 0")
    check_choice(optimizer, "optimizer", ("rmsprop", "adam", "sgd"))
    x, y = _tensor(x_train), _tensor(y_train)
    if len(x) != len(y):
        raise ValueError(f"x_train has {len(x)} samples but y_train has {len(y)}")
    y = y.reshape(len(y), -1)
    params = [p for p in model.parameters() if p.requires_grad]
    if not params:
        raise ValueError("model has no trainable parameters (requires_grad) to optimise")
    torch.manual_seed(seed)
    opt = _optimizer(optimizer, params, lr)
    forward: Any = model
    xt = None if x_test is None else _tensor(x_test)
    if getattr(model, "reservoir", False) and hasattr(model, "features"):
        with torch.no_grad():  # frozen reservoir: features once, readout trained on them
            x = model.features(x)
            xt = None if xt is None else model.features(xt)
        forward = model.readout
    result = TrainResult()
    start = 0
    path = Path(checkpoint) if checkpoint is not None else None
    if path is not None and path.exists():
        state = torch.load(path, weights_only=True)  # plain tensors and builtins only
        model.load_state_dict(state["model"])
        opt.load_state_dict(state["optimizer"])
        result = TrainResult(**state["result"])
        start = result.resumed_from = result.epochs_run
    rng = np.random.default_rng(seed)
    for _ in range(start):  # keep the shuffling stream identical after a resume
        rng.permutation(len(x)) if shuffle else None
    epochs_iter: Any = range(start, epochs)
    if progress:
        from tqdm.auto import tqdm

        epochs_iter = tqdm(epochs_iter, total=epochs, initial=start, desc=type(model).__name__)
    for _epoch in epochs_iter:
        t0 = time.perf_counter()
        order = rng.permutation(len(x)) if shuffle else np.arange(len(x))
        total = 0.0
        for s in range(0, len(x), batch_size):
            idx = torch.as_tensor(order[s : s + batch_size])
            opt.zero_grad()
            pred = forward(x[idx])
            loss = torch.mean((pred - y[idx].reshape(pred.shape)) ** 2)
            loss.backward()
            opt.step()
            total += float(loss.detach()) * len(idx)
        result.epoch_time_s.append(time.perf_counter() - t0)
        result.train_loss.append(total / len(x))
        if xt is not None and y_test is not None:
            result.test_loss.append(mse(forward, xt, y_test))
        result.epochs_run += 1
        if progress:
            epochs_iter.set_postfix(train=result.train_loss[-1], test=result.final_test_loss)
        if path is not None:
            _save(
                path,
                {
                    "model": model.state_dict(),
                    "optimizer": opt.state_dict(),
                    "result": asdict(result),
                },
            )
    return result
