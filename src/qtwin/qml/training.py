r"""Training loops for :class:`~qtwin.qml.qnn.FarhiNevenQNN`: Adam mini-batches or normalized SGD.

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

Both shuffle with ``seed`` and record the mean training loss and accuracy (after each epoch,
over the whole training set) in the returned history.

Example:
    >>> from qtwin.qml.datasets import subset_majority_dataset
    >>> from qtwin.qml.qnn import FarhiNevenQNN
    >>> z, y = subset_majority_dataset(3, [0, 1, 2])
    >>> model = FarhiNevenQNN(3, seed=0)
    >>> hist = train(model, z, y, epochs=30, lr=0.1, batch_size=8, seed=0, progress=False)
    >>> hist["accuracy"][-1]
    1.0
"""

from __future__ import annotations

from typing import Any

import numpy as np
import torch

from qtwin._validation import check_choice, check_positive_int
from qtwin.qml.qnn import FarhiNevenQNN, _check_labels

__all__ = ["train", "accuracy"]


def accuracy(model: FarhiNevenQNN, z: Any, labels: Any) -> float:
    """Fraction of strings whose predicted label ``sign⟨Y_r⟩`` equals ``labels`` (±1).

    Example:
        >>> from qtwin.qml.representations import subset_parity_model
        >>> from qtwin.qml.datasets import subset_parity_dataset
        >>> z, y = subset_parity_dataset(4, [0, 3])
        >>> accuracy(subset_parity_model(4, [0, 3]), z, y)
        1.0
    """
    zt = torch.as_tensor(np.asarray(z))
    y = _check_labels(labels, zt.reshape(-1, model.n).shape[0])
    return float((model.predict(zt).cpu() == y.cpu()).to(torch.float64).mean())


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
) -> dict[str, list[float]]:
    """Train ``model`` on strings ``z`` (``(N, n)``) with labels ±1; see the module docstring.

    Args:
        model: the network, trained in place.
        z: input strings in the model's encoding.
        labels: shape ``(N,)``, entries +1 or -1.
        method: ``"adam"`` or ``"sgd"`` (normalized step).
        epochs: passes over the data, ``>= 1``.
        batch_size: mini-batch size for Adam, ``>= 1``.
        lr: Adam learning rate, or the SGD step factor ``r``; positive.
        seed: seed of the shuffling order.
        progress: show a tqdm bar over epochs.

    Returns:
        ``{"loss": [...], "accuracy": [...]}``, one entry per epoch (training set).
    """
    method = check_choice(method, "method", ("adam", "sgd"))
    epochs = check_positive_int(epochs, "epochs")
    batch_size = check_positive_int(batch_size, "batch_size")
    if not np.isfinite(lr) or lr <= 0:
        raise ValueError(f"lr must be a positive finite number, got {lr!r}")
    zt = model._bits(z)  # validates shape and values
    zt = torch.as_tensor(np.asarray(z)).reshape(zt.shape)
    y = _check_labels(labels, zt.shape[0])
    gen = torch.Generator().manual_seed(0 if seed is None else int(seed))
    opt = torch.optim.Adam(model.parameters(), lr=lr) if method == "adam" else None
    history: dict[str, list[float]] = {"loss": [], "accuracy": []}
    from tqdm.auto import tqdm

    bar = tqdm(range(epochs), desc=f"QNN {method}", disable=not progress)
    for _ in bar:
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
        bar.set_postfix(loss=history["loss"][-1], acc=history["accuracy"][-1])
    return history
