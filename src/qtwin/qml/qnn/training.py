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

Both shuffle with ``seed``, can checkpoint every epoch and resume (``checkpoint=path``), and
record the mean training loss and accuracy (after each epoch,
over the whole training set) in the returned history.

Example:
    >>> from qtwin.qml.qnn.datasets import subset_majority_dataset
    >>> from qtwin.qml.qnn.model import FarhiNevenQNN
    >>> z, y = subset_majority_dataset(3, [0, 1, 2])
    >>> model = FarhiNevenQNN(3, seed=0)
    >>> hist = train(model, z, y, epochs=30, lr=0.1, batch_size=8, seed=0, progress=False)
    >>> hist["accuracy"][-1]
    1.0
"""

from __future__ import annotations

import io
import os
from pathlib import Path
from typing import Any

import numpy as np
import torch

from qtwin._validation import check_choice, check_positive_int
from qtwin.qml.qnn.model import FarhiNevenQNN, _check_labels

__all__ = ["train", "accuracy"]


def accuracy(model: FarhiNevenQNN, z: Any, labels: Any) -> float:
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


def train(
    model: FarhiNevenQNN,
    z: Any,
    labels: Any,
    *,
    method: str = "adam",
    epochs: int = 10,
    batch_size: int = 32,
    lr: float = 0.05,
    seed: int | None = 0,
    progress: bool = True,
    checkpoint: str | os.PathLike[str] | None = None,
    eval_data: tuple[Any, Any] | None = None,
) -> dict[str, list[float]]:
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
        seed: seed of the shuffling order.
        progress: show a tqdm bar over epochs.
        checkpoint: a file; after every epoch the model parameters, the optimizer state, the
            shuffling generator, the history and the epoch count are written to it atomically
            (temporary file + rename). When the file exists, training resumes from it (the
            model's parameters are replaced by the saved ones), so an interrupted run rerun with
            the same arguments ends exactly where an uninterrupted one would.
        eval_data: optional held-out ``(z_test, labels_test)``; its accuracy after each epoch
            is recorded as ``"test_accuracy"`` (a learning curve).

    Returns:
        ``{"loss": [...], "accuracy": [...]}`` (plus ``"test_accuracy"`` with ``eval_data``),
        one entry per epoch (training set), including epochs restored from ``checkpoint``.

    Raises:
        ValueError: bad ``method``, ``epochs``, ``batch_size``, ``lr``, inputs or labels, or a
            checkpoint written for another method or model size.
    """
    method = check_choice(method, "method", ("adam", "sgd"))
    epochs = check_positive_int(epochs, "epochs")
    batch_size = check_positive_int(batch_size, "batch_size")
    if not isinstance(lr, (int, float, np.floating, np.integer)) or not np.isfinite(lr) or lr <= 0:
        raise ValueError(f"lr must be a positive finite number, got {lr!r}")
    kind, data = model._inputs(z)  # validates shape and values
    zt = data if kind == "states" else torch.as_tensor(np.asarray(z)).reshape(data.shape)
    y = _check_labels(labels, zt.shape[0])
    if eval_data is not None:
        z_eval, y_eval = eval_data
        _check_labels(y_eval, model._inputs(z_eval)[1].shape[0])
    gen = torch.Generator().manual_seed(0 if seed is None else int(seed))
    opt = torch.optim.Adam(model.parameters(), lr=lr) if method == "adam" else None
    history: dict[str, list[float]] = {"loss": [], "accuracy": []}
    if eval_data is not None:
        history["test_accuracy"] = []
    done = 0
    if checkpoint is not None and Path(checkpoint).exists():
        done = _load_checkpoint(Path(checkpoint), model, opt, gen, history, method)
    from tqdm import tqdm

    bar = tqdm(range(done, epochs), desc=f"QNN {method}", disable=not progress)
    for epoch in bar:
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
            history["loss"].append(float(torch.mean(1 - yt * out)))
            history["accuracy"].append(
                float((torch.where(out >= 0, 1.0, -1.0) == yt).double().mean())
            )
        if eval_data is not None:
            history["test_accuracy"].append(accuracy(model, *eval_data))
        if checkpoint is not None:
            _save_checkpoint(Path(checkpoint), model, opt, gen, history, method, epoch + 1)
        bar.set_postfix(loss=history["loss"][-1], acc=history["accuracy"][-1])
    return history


def _save_checkpoint(
    path: Path,
    model: FarhiNevenQNN,
    opt: torch.optim.Optimizer | None,
    gen: torch.Generator,
    history: dict[str, list[float]],
    method: str,
    epoch: int,
) -> None:
    from qtwin._io import atomic_write_bytes

    state = {
        "format": "qtwin.qml.train/1",
        "method": method,
        "num_parameters": int(model.theta.numel()),
        "epoch": epoch,
        "model": model.state_dict(),
        "optimizer": None if opt is None else opt.state_dict(),
        "generator": gen.get_state(),
        "history": history,
    }
    buffer = io.BytesIO()
    torch.save(state, buffer)
    atomic_write_bytes(path, buffer.getvalue())


def _load_checkpoint(
    path: Path,
    model: FarhiNevenQNN,
    opt: torch.optim.Optimizer | None,
    gen: torch.Generator,
    history: dict[str, list[float]],
    method: str,
) -> int:
    state = torch.load(path, map_location="cpu", weights_only=True)
    if not isinstance(state, dict) or state.get("format") != "qtwin.qml.train/1":
        raise ValueError(f"checkpoint {str(path)!r} is not a qtwin QNN training checkpoint")
    if state["method"] != method or state["num_parameters"] != model.theta.numel():
        raise ValueError(
            f"checkpoint {str(path)!r} was written for method={state['method']!r} with "
            f"{state['num_parameters']} parameters; this run has method={method!r} and "
            f"{model.theta.numel()}: use another checkpoint path"
        )
    model.load_state_dict(state["model"])
    if opt is not None and state["optimizer"] is not None:
        opt.load_state_dict(state["optimizer"])
    gen.set_state(state["generator"])
    for key in history:
        history[key].extend(state["history"].get(key, []))
    return int(state["epoch"])
