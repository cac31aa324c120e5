r"""Farhi–Neven's quantum-data tasks: superposition inputs and labels of general states.

The QNN's input need not be a bit string: any state :math:`|\psi\rangle` of the ``n`` data
qubits (with the readout in :math:`|0\rangle`) gives a prediction
:math:`\langle\psi,0|U^\dagger Y_r U|\psi,0\rangle`, and
:class:`~qtwin.qml.FarhiNevenQNN` takes batches of such states directly.

**Superpositions of one label class** (:func:`superposition_dataset`): each input is
:math:`|\psi\rangle = \sum_{z \in C} c_z |z\rangle` with random complex amplitudes over a few
strings :math:`C` that all carry the same label :math:`l`; its label is :math:`l`. A network
:math:`U = e^{i\frac{\pi}{4} l(Z) X_r}` that is diagonal on the data (such as the exact subset
parity network) labels it exactly, since the cross terms
:math:`\langle z,0|U^\dagger Y_r U|z',0\rangle` vanish for :math:`z \ne z'`: the classifier
learned on basis states works on the superpositions, and can be learned from them.

**Labels of general quantum states** (:func:`observable_sign_dataset`): Haar-random states
labelled by the sign of a Pauli observable, :math:`l(\psi) = \operatorname{sign}
\langle\psi|P|\psi\rangle`. The network :math:`e^{i\frac{\pi}{4} P X_r}` reproduces the
expectation exactly, :math:`\langle Y_r\rangle = \langle\psi|P|\psi\rangle`
(:func:`observable_model`), so the label is representable; a QNN with generators
:math:`P X_r` learns it.

Example:
    >>> ds = observable_sign_dataset(2, "ZZ", num_samples=8, seed=0)
    >>> ds.z_train.shape, ds.z_train.dtype
    ((6, 4), dtype('complex128'))
    >>> m = observable_model(2, "ZZ")
    >>> bool((m.predict(ds.z_train).numpy() == ds.y_train).all())
    True
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import ArrayLike

from qtwin._validation import as_generator, check_positive_int
from qtwin.qml.qnn.datasets import BinaryDataset
from qtwin.qml.qnn.model import FarhiNevenQNN

if TYPE_CHECKING:
    from qtwin.tensornet import Statevector

__all__ = [
    "superposition_dataset",
    "observable_sign_dataset",
    "observable_expectations",
    "observable_model",
]


def _split(
    states: np.ndarray, labels: np.ndarray, test_fraction: float, rng: np.random.Generator
) -> BinaryDataset:
    if not 0 < float(test_fraction) < 1:
        raise ValueError(f"test_fraction must lie strictly between 0 and 1, got {test_fraction!r}")
    order = rng.permutation(len(states))
    n_test = max(1, int(round(float(test_fraction) * len(states))))
    test, train = order[:n_test], order[n_test:]
    return BinaryDataset(states[train], labels[train], states[test], labels[test])


def superposition_dataset(
    n: int,
    labels: ArrayLike,
    *,
    num_samples: int = 64,
    support: int = 3,
    test_fraction: float = 0.25,
    seed: int | np.random.Generator | None = 0,
) -> BinaryDataset:
    r"""Random superpositions of ``support`` strings of one label class, labelled by that class.

    Args:
        n: number of data qubits.
        labels: ``2^n`` labels ±1 of the basis strings (``all_bit_strings`` order), e.g. the
            second output of :func:`~qtwin.qml.qnn.datasets.subset_parity_dataset`.
        num_samples: number of states (half per class, rounded), ``>= 2``.
        support: strings per superposition (at most the size of the smaller class).
        test_fraction: held-out fraction.
        seed: seed or generator.

    Returns:
        :class:`~qtwin.qml.qnn.datasets.BinaryDataset` whose ``z_*`` are complex amplitudes of
        shape ``(N, 2^n)`` (normalized) and ``y_*`` labels ±1.

    Example:
        >>> from qtwin.qml.qnn.datasets import subset_parity_dataset
        >>> ds = superposition_dataset(3, subset_parity_dataset(3, [0, 1])[1], num_samples=6)
        >>> ds.z_train.shape, sorted(set(ds.y_train.tolist()))
        ((4, 8), [-1, 1])
    """
    n = check_positive_int(n, "n")
    num_samples = check_positive_int(num_samples, "num_samples", minimum=2)
    support = check_positive_int(support, "support")
    lab = np.asarray(labels).reshape(-1)
    if lab.shape != (2**n,) or not np.all((lab == 1) | (lab == -1)):
        raise ValueError(f"labels must be 2^n = {2**n} entries, each +1 or -1")
    classes = {c: np.flatnonzero(lab == c) for c in (1, -1)}
    if min(len(v) for v in classes.values()) < support:
        raise ValueError(
            f"support must be at most the size of the smaller label class "
            f"({min(len(v) for v in classes.values())}), got {support}"
        )
    rng = as_generator(seed)
    states = np.zeros((num_samples, 2**n), dtype=complex)
    y = np.where(np.arange(num_samples) % 2 == 0, 1, -1)
    for i, c in enumerate(y):
        idx = rng.choice(classes[int(c)], size=support, replace=False)
        amp = rng.normal(size=support) + 1j * rng.normal(size=support)
        states[i, idx] = amp / np.linalg.norm(amp)
    return _split(states, y, test_fraction, rng)


def _pauli_op(n: int, pauli: str) -> Any:
    from qiskit.quantum_info import SparsePauliOp

    if (
        not isinstance(pauli, str)
        or len(pauli) != n
        or set(pauli) - set("IXYZ")
        or set(pauli) == {"I"}
    ):
        raise ValueError(
            f"pauli must be a string of {n} letters over 'IXYZ' (letter j on qubit j), not all "
            f"'I', got {pauli!r}"
        )
    return SparsePauliOp(pauli[::-1])  # Qiskit labels put qubit 0 rightmost


def observable_expectations(states: Statevector | ArrayLike, pauli: str) -> np.ndarray:
    r""":math:`\langle\psi|P|\psi\rangle` for each row of ``states`` (``(N, 2^n)``), computed
    with :meth:`qtwin.tensornet.Statevector.expectation`; letter ``j`` of ``pauli`` acts on
    qubit ``j``.

    Example:
        >>> import numpy as np
        >>> observable_expectations(np.eye(4)[[0, 1]], "ZI").tolist()  # |00>, |01> (qubit 0 = 1)
        [1.0, -1.0]
    """
    import torch

    from qtwin.tensornet import Statevector

    psi = torch.as_tensor(np.asarray(states, dtype=complex))
    n = int(round(math.log2(psi.shape[1])))
    op = _pauli_op(n, pauli)
    return Statevector(psi, [2] * n).expectation(op).real.numpy()


def observable_sign_dataset(
    n: int,
    pauli: str,
    *,
    num_samples: int = 64,
    margin: float = 0.0,
    test_fraction: float = 0.25,
    seed: int | np.random.Generator | None = 0,
) -> BinaryDataset:
    r"""Haar-random ``n``-qubit states labelled :math:`\operatorname{sign}\langle P\rangle`.

    States with :math:`|\langle P\rangle| \le` ``margin`` are redrawn (a margin makes the
    task well posed under shot noise). Returns a
    :class:`~qtwin.qml.qnn.datasets.BinaryDataset` of complex amplitudes ``(N, 2^n)`` and labels.
    Example in the module docstring.
    """
    n = check_positive_int(n, "n")
    num_samples = check_positive_int(num_samples, "num_samples", minimum=2)
    _pauli_op(n, pauli)
    if not 0 <= float(margin) < 0.5:
        raise ValueError(f"margin must be in [0, 0.5), got {margin!r}")
    rng = as_generator(seed)
    kept: list[np.ndarray] = []
    while sum(len(k) for k in kept) < num_samples:
        psi = rng.normal(size=(num_samples, 2**n)) + 1j * rng.normal(size=(num_samples, 2**n))
        psi /= np.linalg.norm(psi, axis=1, keepdims=True)
        kept.append(psi[np.abs(observable_expectations(psi, pauli)) > float(margin)])
    states = np.concatenate(kept)[:num_samples]
    y = np.where(observable_expectations(states, pauli) >= 0, 1, -1)
    return _split(states, y, test_fraction, rng)


def observable_model(n: int, pauli: str, **kwargs: Any) -> FarhiNevenQNN:
    r"""Exact network :math:`e^{i\frac{\pi}{4}PX_r}`: :math:`\langle Y_r\rangle = \langle P\rangle`.

    Example:
        >>> import numpy as np
        >>> psi = np.array([[0.6, 0.8j, 0, 0]])  # qubit 0 in 0.6|0> + 0.8i|1>
        >>> round(observable_model(2, "YI")(psi)[0].item(), 12)
        0.96
    """
    _pauli_op(n, pauli)
    keep = [(p, j) for j, p in enumerate(pauli) if p != "I"]
    label = "".join(p for p, _ in keep) + "X"
    sites = tuple(j for _, j in keep) + (n,)
    return FarhiNevenQNN(n, [(label, sites)], theta=[math.pi / 4], **kwargs)
