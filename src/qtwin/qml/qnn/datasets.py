r"""Binary-classification data sets for the Farhi–Neven QNN: digits, random and parity labels.

Every data set is bit strings ``z`` of shape ``(N, n)`` with entries in {0, 1} (bit ``j``
goes on qubit ``j``) and labels in {+1, -1}. The Boolean tasks enumerate all :math:`2^n`
strings, row ``k`` holding the little-endian bits of ``k``.

Example:
    >>> z, y = subset_parity_dataset(3, [0, 1])
    >>> z[3].tolist(), int(y[3])
    ([1, 1, 0], 1)
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

import numpy as np

from qtwin._extras import require_module
from qtwin._validation import as_generator, check_positive_int

__all__ = [
    "BinaryDataset",
    "all_bit_strings",
    "digits_dataset",
    "random_boolean_dataset",
    "subset_parity_dataset",
    "subset_majority_dataset",
]

_MAX_ENUMERATED_BITS = 24


class BinaryDataset(NamedTuple):
    """Train/test bit strings (``(N, n)`` ints in {0, 1}) and labels (``(N,)`` ints, ±1)."""

    z_train: np.ndarray
    y_train: np.ndarray
    z_test: np.ndarray
    y_test: np.ndarray


def all_bit_strings(n: int) -> np.ndarray:
    """All :math:`2^n` strings, shape ``(2^n, n)``; row ``k`` is the little-endian bits of ``k``.

    Example:
        >>> all_bit_strings(2).tolist()
        [[0, 0], [1, 0], [0, 1], [1, 1]]
    """
    n = check_positive_int(n, "n")
    if n > _MAX_ENUMERATED_BITS:
        raise ValueError(f"n must be <= {_MAX_ENUMERATED_BITS} to enumerate 2^n strings, got {n}")
    k = np.arange(2**n)
    return ((k[:, None] >> np.arange(n)[None, :]) & 1).astype(np.int64)


def random_boolean_dataset(
    n: int, seed: int | np.random.Generator | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """All :math:`2^n` strings with independent uniformly random labels in {+1, -1}.

    Example:
        >>> z, y = random_boolean_dataset(3, seed=0)
        >>> z.shape, sorted(set(y.tolist())) <= [-1, 1]
        ((8, 3), True)
    """
    z = all_bit_strings(n)
    rng = as_generator(seed)
    return z, rng.choice(np.array([-1, 1]), size=z.shape[0])


def _subset(n: int, subset: Sequence[int]) -> list[int]:
    sub = [int(j) for j in subset]
    if not sub or len(set(sub)) != len(sub) or any(not 0 <= j < n for j in sub):
        raise ValueError(
            f"subset must be non-empty distinct indices in [0, {n - 1}], got {subset!r}"
        )
    return sub


def subset_parity_dataset(n: int, subset: Sequence[int]) -> tuple[np.ndarray, np.ndarray]:
    r"""All strings with labels :math:`l(z) = (-1)^{\sum_{j\in S} z_j}`. Example in the module."""
    z = all_bit_strings(n)
    sub = _subset(n, subset)
    return z, 1 - 2 * (z[:, sub].sum(axis=1) % 2)


def subset_majority_dataset(n: int, subset: Sequence[int]) -> tuple[np.ndarray, np.ndarray]:
    r"""All strings with the subset-majority label: +1 when the subset has more 0 bits.

    ``len(subset)`` must be odd (no ties).

    Example:
        >>> subset_majority_dataset(3, [0, 1, 2])[1].tolist()
        [1, 1, 1, -1, 1, -1, -1, -1]
    """
    z = all_bit_strings(n)
    sub = _subset(n, subset)
    if len(sub) % 2 == 0:
        raise ValueError(f"subset must have odd size for majority (no ties), got {len(sub)}")
    ones = z[:, sub].sum(axis=1)
    return z, np.where(2 * ones < len(sub), 1, -1)


def digits_dataset(
    pair: tuple[int, int] = (3, 6),
    seed: int | np.random.Generator | None = 0,
    test_fraction: float = 0.3,
    threshold: float | str = "mean",
) -> BinaryDataset:
    r"""scikit-learn's 8×8 handwritten digits as 16-bit strings, for a 17-qubit QNN.

    Steps: keep the two digits of ``pair`` (label +1 for ``pair[0]``, -1 for ``pair[1]``);
    downsample 8×8 → 4×4 by 2×2 average pooling; binarize, pixel bit = 1 when the pooled
    value exceeds the threshold (``"mean"``: the mean of all pooled pixels of the selected
    images; or a number on the 0..16 grey scale); pixel ``(r, c)`` becomes bit ``4r + c``;
    drop every image whose bit string occurs with both labels (contradictory images);
    shuffle with ``seed`` and hold out ``test_fraction`` of the rest as the test set.
    The data ships with scikit-learn (no download); install it with ``pip install "qtwin[qml]"``.

    Example:
        >>> ds = digits_dataset((3, 6), seed=0)
        >>> ds.z_train.shape[1], len(ds.z_train) + len(ds.z_test)
        (16, 309)
    """
    load_digits = require_module(
        "sklearn.datasets", extra="qml", purpose="digits_dataset"
    ).load_digits
    try:
        a, b = (int(pair[0]), int(pair[1]))
    except (TypeError, ValueError, IndexError):
        raise TypeError(f"pair must be two digits such as (3, 6), got {pair!r}") from None
    if len(pair) != 2 or a == b or not (0 <= a <= 9 and 0 <= b <= 9):
        raise ValueError(f"pair must be two different digits in 0..9, got {pair!r}")
    if not 0 < float(test_fraction) < 1:
        raise ValueError(f"test_fraction must lie strictly between 0 and 1, got {test_fraction!r}")
    digits = load_digits()
    mask = (digits.target == a) | (digits.target == b)
    images = digits.images[mask].astype(float)
    labels = np.where(digits.target[mask] == a, 1, -1)
    pooled = images.reshape(-1, 4, 2, 4, 2).mean(axis=(2, 4)).reshape(-1, 16)
    if isinstance(threshold, str):
        if threshold != "mean":
            raise ValueError(f"threshold must be 'mean' or a number, got {threshold!r}")
        thr = float(pooled.mean())
    else:
        thr = float(threshold)
        if not np.isfinite(thr):
            raise ValueError(f"threshold must be 'mean' or a finite number, got {threshold!r}")
    bits = (pooled > thr).astype(np.int64)
    seen: dict[bytes, set[int]] = {}
    for row, lab in zip(bits, labels, strict=True):
        seen.setdefault(row.tobytes(), set()).add(int(lab))
    keep = np.array([len(seen[row.tobytes()]) == 1 for row in bits])
    bits, labels = bits[keep], labels[keep]
    order = as_generator(seed).permutation(len(bits))
    n_test = int(round(float(test_fraction) * len(bits)))
    test, train = order[:n_test], order[n_test:]
    return BinaryDataset(bits[train], labels[train], bits[test], labels[test])
