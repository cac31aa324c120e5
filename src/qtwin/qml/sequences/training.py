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
wall time, and (with ``checkpoint``, a :class:`qtwin.checkpoint.Checkpoint`) writes model,
optimiser, shuffling generator and history atomically; calling again with the same arguments
resumes after the last finished epoch and ends exactly where an uninterrupted run would (a
checkpoint written by another run — other hyper-parameters, seed, data or model shape — is
refused with :class:`~qtwin.exceptions.CheckpointMismatchError`).

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
from collections.abc import Callable
from dataclasses import asdict, dataclass, field

import numpy as np
import torch
from numpy.typing import ArrayLike

from qtwin._progress import progress as progress_bar
from qtwin._validation import (
    as_generator,
    check_choice,
    check_nonnegative_float,
    check_positive_int,
)
from qtwin.checkpoint import Checkpoint, capture_generator, fingerprint, restore_generator
from qtwin.qml._results import DictLikeResult

__all__ = ["TrainResult", "fit_sequence_model", "mse", "epochs_to_threshold"]


@dataclass
class TrainResult(DictLikeResult):
    """History of a training run (one entry per epoch); :meth:`to_dict` gives JSON."""

    train_loss: list[float] = field(default_factory=list)
    test_loss: list[float] = field(default_factory=list)
    epoch_time_s: list[float] = field(default_factory=list)
    epochs_run: int = 0
    resumed_from: int = 0

    @property
    def final_test_loss(self) -> float:
        """Test MSE after the last epoch (NaN without test data)."""
        return self.test_loss[-1] if self.test_loss else float("nan")


def _tensor(a: ArrayLike | torch.Tensor) -> torch.Tensor:
    t = a if isinstance(a, torch.Tensor) else torch.as_tensor(np.asarray(a, dtype=float))
    return t.to(torch.float64)


@torch.no_grad()
def mse(
    model: Callable[[torch.Tensor], torch.Tensor],
    x: ArrayLike | torch.Tensor,
    y: ArrayLike | torch.Tensor,
    *,
    batch_size: int = 512,
) -> float:
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


def _seed_part(seed: int | np.random.Generator | None) -> object:
    if isinstance(seed, np.random.Generator):
        return seed.bit_generator.state
    return None if seed is None else int(seed)


def fit_sequence_model(
    model: torch.nn.Module,
    x_train: ArrayLike | torch.Tensor,
    y_train: ArrayLike | torch.Tensor,
    x_test: ArrayLike | torch.Tensor | None = None,
    y_test: ArrayLike | torch.Tensor | None = None,
    *,
    epochs: int = 100,
    lr: float = 0.01,
    batch_size: int = 10,
    optimizer: str = "rmsprop",
    shuffle: bool = False,
    seed: int | np.random.Generator | None = 0,
    checkpoint: str | os.PathLike[str] | None = None,
    progress: bool = True,
) -> TrainResult:
    r"""Train ``model`` on windows ``x_train`` ``(N, T, m)`` and targets ``y_train`` ``(N, o)``.

    Args:
        model: a torch module mapping ``(B, T, m)`` to ``(B, o)``, trained in place.
        x_train, y_train: training windows and targets.
        x_test, y_test: optional test data, evaluated after each epoch.
        epochs: total number of epochs (a resumed run continues up to it).
        lr: learning rate.
        batch_size: mini-batch size (authors: 10).
        optimizer: ``"rmsprop"`` (authors), ``"adam"`` or ``"sgd"``.
        shuffle: shuffle the batches each epoch (seeded); the authors do not.
        seed: seed (or numpy generator) of the shuffling; the global torch state is not used.
        checkpoint: file to write after each epoch and to resume from.
        progress: draw a progress bar.

    Returns:
        A :class:`TrainResult` with per-epoch losses and times.

    Raises:
        ValueError: if the model has no trainable parameter or the shapes disagree.
        qtwin.exceptions.CheckpointMismatchError: ``checkpoint`` belongs to another run.
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
    xt = None if x_test is None else _tensor(x_test)
    yt = None if y_test is None else _tensor(y_test)
    ckpt = Checkpoint(
        checkpoint,
        fingerprint(
            loop="qtwin.qml.sequences.fit_sequence_model",
            optimizer=optimizer,
            lr=lr,
            batch_size=batch_size,
            shuffle=bool(shuffle),
            seed=_seed_part(seed) if shuffle else None,
            data=[x, y, xt, yt],
            model=[type(model).__name__]
            + [[name, list(p.shape), p.requires_grad] for name, p in model.named_parameters()],
        ),
    )
    rng = as_generator(seed)
    opt = _optimizer(optimizer, params, lr)
    result = TrainResult()
    state = ckpt.load()  # before the reservoir features: they use the restored weights
    if state is not None:
        model.load_state_dict(state["model"])
        opt.load_state_dict(state["optimizer"])
        restore_generator(rng, state["generator"])
        result = TrainResult(**state["result"])
        result.resumed_from = result.epochs_run
    forward: Callable[[torch.Tensor], torch.Tensor] = model
    if getattr(model, "reservoir", False) and hasattr(model, "features"):
        with (
            torch.no_grad()
        ):  # frozen reservoir (as restored): features once, readout trained on them
            x = model.features(x)
            xt = None if xt is None else model.features(xt)
        forward = model.readout
    start = result.epochs_run
    bar = progress_bar(
        range(start, epochs),
        total=epochs,
        initial=start,
        desc=type(model).__name__,
        enabled=progress,
    )
    for _epoch in bar:
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
        if xt is not None and yt is not None:
            result.test_loss.append(mse(forward, xt, yt))
        result.epochs_run += 1
        bar.set_postfix(train=result.train_loss[-1], test=result.final_test_loss)
        ckpt.save(
            {
                "model": model.state_dict(),
                "optimizer": opt.state_dict(),
                "generator": capture_generator(rng),
                "result": asdict(result),
            }
        )
    return result
