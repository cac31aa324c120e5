r"""Where learning gets hard: random Boolean labels and subset parity from random starts.

For each ``n`` in ``ns`` and each trial, a network with generators :math:`X_r` and
:math:`Z_j X_r`, :math:`X_j X_r` for every data qubit (able to represent every subset
parity exactly, see :mod:`qtwin.qml.qnn.representations`) starts from angles drawn uniformly in
:math:`[-\pi, \pi]` and is trained with Adam on all :math:`2^n` strings of

* ``"parity"``: a random subset parity (each bit in the subset with probability 1/2, at
  least one bit);
* ``"random"``: independent uniformly random labels (not representable by this short
  network for large ``n``: almost all :math:`2^n` Walsh coefficients are non-zero,
  see :mod:`qtwin.qml.qnn.boolean_functions`).

It records the final training accuracy and the norm of the loss gradient at the random start.
Farhi and Neven observe that learning parity from a random start fails as ``n`` grows;
for this network :math:`\langle Y_r\rangle = \prod_j\cos 2\phi_j\,\sin 2(\theta_0 + \sum_j
\theta_j s_j)`, so the gradient is damped by the product of :math:`n` cosines from the XX
layer at a random start, and the chance of a good start shrinks with ``n``.

Example:
    >>> res = hardness_study([2, 3], trials=2, epochs=5, seed=0, progress=False)
    >>> sorted(res.keys()), len(res.parity_accuracy)
    (['grad_norm_parity', 'grad_norm_random', 'n', 'parity_accuracy', 'random_accuracy'], 2)
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import torch

from qtwin._progress import progress as progress_bar
from qtwin._validation import as_generator, check_choice, check_positive_int
from qtwin.qml._results import DictLikeResult
from qtwin.qml.qnn.datasets import all_bit_strings, subset_parity_dataset
from qtwin.qml.qnn.model import FarhiNevenQNN, PauliTerm, default_generators
from qtwin.qml.qnn.training import train

__all__ = ["HardnessResult", "hardness_study", "parity_capable_generators"]


@dataclass
class HardnessResult(DictLikeResult):
    """Result of :func:`hardness_study`, one entry per ``n`` (also readable as a dict).

    Attributes:
        n: the input sizes.
        parity_accuracy: mean final training accuracy on subset parity (``None`` if not run).
        grad_norm_parity: mean gradient norm at the random start, subset parity.
        random_accuracy: mean final training accuracy on random labels.
        grad_norm_random: mean gradient norm at the random start, random labels.
    """

    n: list[float]
    parity_accuracy: list[float] | None = None
    grad_norm_parity: list[float] | None = None
    random_accuracy: list[float] | None = None
    grad_norm_random: list[float] | None = None


def parity_capable_generators(n: int) -> list[PauliTerm]:
    r""":math:`X_r`, then the default ZX and XX layers (``2n + 1`` generators).

    Example:
        >>> parity_capable_generators(1)
        [('X', (1,)), ('ZX', (0, 1)), ('XX', (0, 1))]
    """
    return [("X", (n,))] + default_generators(n)


def hardness_study(
    ns: Sequence[int],
    *,
    tasks: Sequence[str] = ("parity", "random"),
    trials: int = 3,
    epochs: int = 30,
    lr: float = 0.1,
    batch_size: int = 16,
    seed: int | np.random.Generator | None = 0,
    progress: bool = True,
) -> HardnessResult:
    r"""Training accuracy vs ``n`` for random starts; see the module docstring.

    Args:
        ns: input sizes, each ``1 <= n <= 14``.
        tasks: any of ``"parity"`` and ``"random"``.
        trials: random starts (and random tasks) per ``n``.
        epochs: Adam epochs over all :math:`2^n` strings.
        lr: Adam learning rate.
        batch_size: mini-batch size.
        seed: seed or generator for the tasks and the starts.
        progress: tqdm bar over the runs.

    Returns:
        A :class:`HardnessResult` (fields of tasks not run are ``None``).
    """
    ns = [check_positive_int(n, "ns entries") for n in ns]
    if not ns or max(ns) > 14:
        raise ValueError(f"ns must be a non-empty list of sizes in [1, 14], got {ns}")
    tasks = [check_choice(t, "tasks entries", ("parity", "random")) for t in tasks]
    trials = check_positive_int(trials, "trials")
    rng = as_generator(seed)
    out: dict[str, list[float]] = {"n": [float(n) for n in ns]}
    bar = progress_bar(total=len(ns) * len(tasks) * trials, desc="hardness", enabled=progress)
    for task in tasks:
        accs: list[float] = []
        grads: list[float] = []
        for n in ns:
            a_n, g_n = [], []
            for _ in range(trials):
                if task == "parity":
                    sub = [j for j in range(n) if rng.random() < 0.5] or [int(rng.integers(n))]
                    z, y = subset_parity_dataset(n, sub)
                else:
                    z = all_bit_strings(n)
                    y = rng.choice(np.array([-1, 1]), size=len(z))
                model = FarhiNevenQNN(
                    n,
                    parity_capable_generators(n),
                    seed=int(rng.integers(2**31)),
                    init_scale=float(np.pi),
                )
                model.loss(z, y).backward()
                g_n.append(float(torch.linalg.vector_norm(model.theta.grad)))
                model.zero_grad()
                hist = train(
                    model,
                    z,
                    y,
                    epochs=epochs,
                    lr=lr,
                    batch_size=batch_size,
                    seed=int(rng.integers(2**31)),
                    progress=False,
                )
                a_n.append(hist["accuracy"][-1])
                bar.update()
            accs.append(float(np.mean(a_n)))
            grads.append(float(np.mean(g_n)))
        out[f"{task}_accuracy"] = accs
        out[f"grad_norm_{task}"] = grads
    bar.close()
    return HardnessResult(**out)
