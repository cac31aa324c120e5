r"""Training loops for :class:`~qtwin.qml.FarhiNevenQNN`: Adam mini-batches or normalized SGD.

``method="adam"``: shuffled mini-batches of ``batch_size`` samples, ``torch.optim.Adam`` with
learning rate ``lr`` on the mean loss :math:`\frac1B\sum_b (1 - l_b \hat y_b)`.

``method="sgd"``: Farhi–Neven's stochastic gradient descent, one sample at a time, with the
normalized step

.. math::

    \theta \leftarrow \theta - r\,\frac{\mathrm{loss}(\theta, z)}{\lVert g\rVert^2}\, g,
    \qquad g = \nabla_\theta\, \mathrm{loss}(\theta, z),

where ``r = lr``; with ``r = 1`` the step would zero the loss of that sample to first order.
A step is skipped when :math:`\lVert g\rVert^2 < 10^{-12}` (a flat point; the step is
undefined). ``batch_size`` is ignored for this method.

Both shuffle with a local generator seeded by ``seed``, can checkpoint every epoch and resume
(``checkpoint=path``, through :class:`qtwin.checkpoint.Checkpoint`: a resumed run ends exactly
where an uninterrupted one would, and a checkpoint of another run is refused), and record the
mean training loss and accuracy (after each epoch, over the whole training set) in the
returned :class:`TrainHistory`.

Example:
    >>> from qtwin.qml.qnn.datasets import subset_majority_dataset
    >>> from qtwin.qml.qnn.model import FarhiNevenQNN
    >>> z, y = subset_majority_dataset(3, [0, 1, 2])
    >>> model = FarhiNevenQNN(3, seed=0)
    >>> hist = train(model, z, y, epochs=30, lr=0.1, batch_size=8, seed=0, progress=False)
    >>> hist.accuracy[-1]
    1.0
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field

import numpy as np
import torch
from numpy.typing import ArrayLike

from qtwin._progress import progress as progress_bar
from qtwin._validation import check_choice, check_positive_int
from qtwin.checkpoint import Checkpoint, capture_generator, fingerprint, restore_generator
from qtwin.qml._random import torch_generator
from qtwin.qml._results import DictLikeResult
from qtwin.qml.qnn.model import FarhiNevenQNN, QNNInputs, _check_labels

__all__ = ["TrainHistory", "train", "accuracy"]


@dataclass
class TrainHistory(DictLikeResult):
    r"""Per-epoch learning curve of :func:`train` (training-set loss and accuracy).

    Also readable as a dict (``history["accuracy"]``); :meth:`to_dict` gives JSON.

    Attributes:
        loss: mean loss :math:`1 - l\,\hat y` over the training set after each epoch.
        accuracy: training accuracy after each epoch.
        test_accuracy: accuracy on ``eval_data`` after each epoch (``None`` without it).
        resumed_from: epochs restored from a checkpoint (0 for a fresh run).
    """

    loss: list[float] = field(default_factory=list)
    accuracy: list[float] = field(default_factory=list)
    test_accuracy: list[float] | None = None
    resumed_from: int = 0

    @property
    def epochs_run(self) -> int:
        """Number of epochs recorded."""
        return len(self.loss)


def accuracy(model: FarhiNevenQNN, z: QNNInputs, labels: ArrayLike | torch.Tensor) -> float:
    """Fraction of inputs (bit strings or states) whose label ``sign⟨Y_r⟩`` equals ``labels``.

    Example:
        >>> from qtwin.qml.qnn.representations import subset_parity_model
        >>> from qtwin.qml.qnn.datasets import subset_parity_dataset
        >>> z, y = subset_parity_dataset(4, [0, 3])
        >>> accuracy(subset_parity_model(4, [0, 3]), z, y)
        1.0
    """
    if hasattr(z, "__len__") and len(z) == 0:
        raise ValueError("z must hold at least one input; got an empty data set")
    _, data = model._inputs(z)
    y = _check_labels(labels, data.shape[0])
    return float((model.predict(z).cpu() == y.cpu()).to(torch.float64).mean())


def _seed_part(seed: int | np.random.Generator | None) -> object:
    """What of ``seed`` identifies the run in the checkpoint fingerprint."""
    if isinstance(seed, np.random.Generator):
        return seed.bit_generator.state
    return None if seed is None else int(seed)


def train(
    model: FarhiNevenQNN,
    z: QNNInputs,
    labels: ArrayLike | torch.Tensor,
    *,
    method: str = "adam",
    epochs: int = 10,
    batch_size: int = 32,
    lr: float = 0.05,
    seed: int | np.random.Generator | None = 0,
    progress: bool = True,
    checkpoint: str | os.PathLike[str] | None = None,
    eval_data: tuple[QNNInputs, ArrayLike | torch.Tensor] | None = None,
) -> TrainHistory:
    """Train ``model`` on inputs ``z`` with labels ±1; see the module docstring.

    Args:
        model: the network, trained in place.
        z: input bit strings ``(N, n)`` in the model's encoding, or input states (a
            :class:`~qtwin.tensornet.Statevector` or complex ``(N, 2^n)`` amplitudes).
        labels: shape ``(N,)``, entries +1 or -1.
        method: ``"adam"`` or ``"sgd"`` (normalized step).
        epochs: total passes over the data, ``>= 1`` (a resumed run continues up to it).
        batch_size: mini-batch size for Adam, ``>= 1``.
        lr: Adam learning rate, or the SGD step factor ``r``; positive.
        seed: seed (or numpy generator) of the shuffling order; ``None`` draws fresh entropy.
        progress: show a progress bar over epochs.
        checkpoint: a file; after every epoch the model parameters, the optimizer state, the
            shuffling generator and the history are written to it atomically. When the file
            exists, training resumes from it (the model's parameters are replaced by the saved
            ones), so an interrupted run rerun with the same arguments (any ``epochs``) ends
            exactly where an uninterrupted one would.
        eval_data: optional held-out ``(z_test, labels_test)``; its accuracy after each epoch
            is recorded as ``test_accuracy`` (a learning curve).

    Returns:
        A :class:`TrainHistory`, one entry per epoch, including epochs restored from
        ``checkpoint``.

    Raises:
        ValueError: bad ``method``, ``epochs``, ``batch_size``, ``lr``, inputs or labels.
        qtwin.exceptions.CheckpointMismatchError: ``checkpoint`` was written by another run
            (other method, hyper-parameters, seed, data or model shape).
    """
    method = check_choice(method, "method", ("adam", "sgd"))
    epochs = check_positive_int(epochs, "epochs")
    batch_size = check_positive_int(batch_size, "batch_size")
    if not isinstance(lr, (int, float, np.floating, np.integer)) or not np.isfinite(lr) or lr <= 0:
        raise ValueError(f"lr must be a positive finite number, got {lr!r}")
    kind, data = model._inputs(z)  # validates shape and values
    zt = data if kind == "states" else torch.as_tensor(np.asarray(z)).reshape(data.shape)
    y = _check_labels(labels, zt.shape[0])
    eval_tensors = None
    if eval_data is not None:
        z_eval, y_eval = eval_data
        eval_inputs = model._inputs(z_eval)[1]
        eval_tensors = (eval_inputs, _check_labels(y_eval, eval_inputs.shape[0]))
    ckpt = Checkpoint(
        checkpoint,
        fingerprint(
            loop="qtwin.qml.qnn.train",
            method=method,
            batch_size=batch_size if method == "adam" else None,
            lr=float(lr),
            seed=_seed_part(seed),
            data=[zt, y],
            eval_data=eval_tensors,
            model=[model.n, model.encoding, model.generators, str(model.dtype)],
        ),
    )
    gen = torch_generator(seed)
    opt = torch.optim.Adam(model.parameters(), lr=lr) if method == "adam" else None
    history = TrainHistory(test_accuracy=[] if eval_data is not None else None)
    state = ckpt.load()
    if state is not None:
        model.load_state_dict(state["model"])
        if opt is not None:
            opt.load_state_dict(state["optimizer"])
        restore_generator(gen, state["generator"])
        history = TrainHistory(**state["history"])
        history.resumed_from = history.epochs_run
    bar = progress_bar(
        range(history.epochs_run, epochs),
        total=epochs,
        initial=history.epochs_run,
        desc=f"QNN {method}",
        enabled=progress,
    )
    for _epoch in bar:
        order = torch.randperm(zt.shape[0], generator=gen)
        if opt is not None:
            for start in range(0, len(order), batch_size):
                idx = order[start : start + batch_size]
                opt.zero_grad()
                model.loss(zt[idx], y[idx]).backward()
                opt.step()
        else:
            for i in order.tolist():
                model.zero_grad()
                loss = model.loss(zt[i : i + 1], y[i : i + 1])
                loss.backward()
                g = model.theta.grad
                norm2 = float(torch.sum(g * g))
                if norm2 < 1e-12:
                    continue
                with torch.no_grad():
                    model.theta -= lr * loss.item() / norm2 * g
        with torch.no_grad():
            out = model(zt)
            yt = y.to(out)
            history.loss.append(float(torch.mean(1 - yt * out)))
            history.accuracy.append(float((torch.where(out >= 0, 1.0, -1.0) == yt).double().mean()))
        if eval_data is not None and history.test_accuracy is not None:
            history.test_accuracy.append(accuracy(model, *eval_data))
        ckpt.save(
            {
                "model": model.state_dict(),
                "optimizer": None if opt is None else opt.state_dict(),
                "generator": capture_generator(gen),
                "history": {
                    "loss": history.loss,
                    "accuracy": history.accuracy,
                    "test_accuracy": history.test_accuracy,
                },
            }
        )
        bar.set_postfix(loss=history.loss[-1], acc=history.accuracy[-1])
    return history
