r"""Classical baselines on the same bits as the QNN, and the published anchor figure.

* :func:`logistic_regression_baseline`: scikit-learn ``LogisticRegression`` on the bits
  (``n + 1`` parameters).
* :func:`mlp_baseline`: scikit-learn ``MLPClassifier`` with one hidden layer of ``h`` units,
  ``h`` chosen so its parameter count :math:`(n + 1)h + h + 1` is the closest to the QNN's
  (32 for the default 16-bit digits network: ``h = 2``, 37 parameters, like TFQ's
  "fair" classical model).

Anchor: the TensorFlow Quantum MNIST tutorial, which follows Farhi–Neven's 3 vs 6 task on
4×4 binarized MNIST images with a 32-parameter QNN, reports ">85%" test accuracy
(:data:`TFQ_MNIST_3V6_ANCHOR`). Our digits are scikit-learn's 8×8 images pooled to 4×4,
a smaller and cleaner data set, so the numbers are an anchor, not a like-for-like result.

Example:
    >>> from qtwin.qml.qnn.datasets import digits_dataset
    >>> ds = digits_dataset((3, 6), seed=0)
    >>> res = logistic_regression_baseline(ds)
    >>> res["num_parameters"], res["test_accuracy"] > 0.9
    (17, True)
"""

from __future__ import annotations

from dataclasses import dataclass
from types import ModuleType
from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from qtwin._extras import require_module
from qtwin._validation import check_positive_int
from qtwin.qml._results import DictLikeResult
from qtwin.qml.qnn.datasets import BinaryDataset

#: a train/test split given as arrays: ``(z_train, y_train, z_test, y_test)``
Split = tuple[ArrayLike, ArrayLike, ArrayLike, ArrayLike]

__all__ = [
    "BaselineResult",
    "TFQ_MNIST_3V6_ANCHOR",
    "logistic_regression_baseline",
    "mlp_baseline",
    "mlp_hidden_units",
]

TFQ_MNIST_3V6_ANCHOR: dict[str, Any] = {
    "source": "TensorFlow Quantum MNIST tutorial (docs/tutorials/mnist.ipynb), after "
    "Farhi & Neven arXiv:1802.06002 sec. 3.3",
    "task": "MNIST 3 vs 6, 4x4 binarized, 17 qubits, 32 parameters",
    "test_accuracy": 0.85,
    "claim": ">85% test accuracy",
}
"""Published anchor for the digits task (a lower bound as stated in the tutorial)."""


def _unpack(data: BinaryDataset | Split) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    try:
        z_tr, y_tr, z_te, y_te = (np.asarray(a) for a in data)
    except (TypeError, ValueError):
        raise TypeError(
            "data must be a BinaryDataset or (z_train, y_train, z_test, y_test)"
        ) from None
    for name, y in (("y_train", y_tr), ("y_test", y_te)):
        if not np.all((y == 1) | (y == -1)):
            raise ValueError(f"{name} must hold labels +1 or -1")
    if z_tr.ndim != 2 or z_te.ndim != 2 or z_tr.shape[1] != z_te.shape[1]:
        raise ValueError("z_train and z_test must be 2-D with the same number of bits")
    return z_tr, y_tr, z_te, y_te


def _sklearn() -> ModuleType:
    return require_module("sklearn", extra="qml", purpose="the classical baselines")


@dataclass
class BaselineResult(DictLikeResult):
    """A classical baseline's scores (also readable as a dict; :meth:`to_dict` for JSON).

    Attributes:
        model: a short description, e.g. ``"MLP 16-2-1"``.
        num_parameters: trainable parameters.
        train_accuracy: accuracy on the training set.
        test_accuracy: accuracy on the test set.
        hidden_units: hidden units of the MLP (``None`` for logistic regression).
    """

    model: str
    num_parameters: int
    train_accuracy: float
    test_accuracy: float
    hidden_units: int | None = None


def logistic_regression_baseline(data: BinaryDataset | Split, *, seed: int = 0) -> BaselineResult:
    """Logistic regression on the bits; returns train/test accuracy and parameter count.

    Args:
        data: a :class:`~qtwin.qml.qnn.datasets.BinaryDataset` or a 4-tuple of arrays.
        seed: ``random_state`` of the solver.

    Returns:
        A :class:`BaselineResult`.
    """
    _sklearn()
    from sklearn.linear_model import LogisticRegression

    z_tr, y_tr, z_te, y_te = _unpack(data)
    clf = LogisticRegression(max_iter=2000, random_state=seed).fit(z_tr, y_tr)
    return BaselineResult(
        model="logistic regression",
        num_parameters=int(z_tr.shape[1] + 1),
        train_accuracy=float(clf.score(z_tr, y_tr)),
        test_accuracy=float(clf.score(z_te, y_te)),
    )


def mlp_hidden_units(num_inputs: int, num_parameters: int) -> int:
    r"""Hidden units ``h >= 1`` of a one-hidden-layer MLP with about ``num_parameters``
    parameters, :math:`(n+1)h + h + 1`.

    Example:
        >>> mlp_hidden_units(16, 32)
        2
    """
    num_inputs = check_positive_int(num_inputs, "num_inputs")
    num_parameters = check_positive_int(num_parameters, "num_parameters")
    return max(1, int(round((num_parameters - 1) / (num_inputs + 2))))


def mlp_baseline(
    data: BinaryDataset | Split, num_parameters: int, *, seed: int = 0
) -> BaselineResult:
    """One-hidden-layer MLP (tanh) with about ``num_parameters`` parameters, on the bits.

    Args:
        data: a :class:`~qtwin.qml.qnn.datasets.BinaryDataset` or a 4-tuple of arrays.
        num_parameters: the parameter budget (the QNN's parameter count).
        seed: ``random_state`` of the initialization.

    Returns:
        A :class:`BaselineResult` with ``hidden_units`` set.

    Example:
        >>> from qtwin.qml.qnn.datasets import digits_dataset
        >>> res = mlp_baseline(digits_dataset((3, 6), seed=0), 32)
        >>> res["hidden_units"], res["num_parameters"]
        (2, 37)
    """
    _sklearn()
    import warnings

    from sklearn.exceptions import ConvergenceWarning
    from sklearn.neural_network import MLPClassifier

    z_tr, y_tr, z_te, y_te = _unpack(data)
    n = z_tr.shape[1]
    h = mlp_hidden_units(n, num_parameters)
    clf = MLPClassifier(
        hidden_layer_sizes=(h,), activation="tanh", max_iter=3000, random_state=seed
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        clf.fit(z_tr, y_tr)
    return BaselineResult(
        model=f"MLP {n}-{h}-1",
        num_parameters=int((n + 1) * h + h + 1),
        train_accuracy=float(clf.score(z_tr, y_tr)),
        test_accuracy=float(clf.score(z_te, y_te)),
        hidden_units=h,
    )
