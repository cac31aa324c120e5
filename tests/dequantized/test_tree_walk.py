"""The sampling-tree walk: sorted walking and the depth jump draw from the exact distribution."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from qtwin.dequantized import SQMatrix, SQVector, _heap
from qtwin.dequantized.sharded import ShardedSQMatrix

from ._stats import chi2_ok


def _weights(n: int, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    w = rng.random(n) ** 3
    w[rng.random(n) < 0.2] = 0.0  # scattered zeros
    w[n // 3 : n // 3 + n // 10] = 0.0  # a zero block wider than one node of the jump level
    return w


def _reference(w: np.ndarray, t: np.ndarray) -> np.ndarray:
    """Leaf j with cum[j-1] <= t < cum[j], by exact prefix sums (independent of the tree)."""
    return np.searchsorted(np.cumsum(w), t, side="right")


@pytest.mark.parametrize("n", [5, 33, 1000, 70_000, 300_000])
def test_descend_matches_prefix_sums(n: int) -> None:
    w = _weights(n, n)
    size = _heap.tree_size(n)
    nodes = _heap.build_nodes(w[None, :], size)

    def leaf(trees: np.ndarray, cols: np.ndarray) -> np.ndarray:
        return np.where(cols < n, w[np.minimum(cols, n - 1)], 0.0)

    t = np.random.default_rng(1).random(5000) * nodes[0, 1]
    got = _heap.descend(nodes, leaf, np.zeros(len(t), np.int64), t, size)
    want = _reference(w, t)
    cum = np.cumsum(w)
    # away from the boundaries (relative round-off of the two summation orders) they agree
    gap = np.minimum(np.abs(t - np.concatenate([[0.0], cum])[want]), np.abs(cum[want] - t))
    clear = gap > 1e-9 * cum[-1]
    assert clear.mean() > 0.99
    np.testing.assert_array_equal(got[clear], want[clear])
    assert np.all(w[got] > 0)  # never a zero-weight leaf, even at a boundary
    # the order of the targets does not matter: the walk is sorted internally
    perm = np.random.default_rng(2).permutation(len(t))
    np.testing.assert_array_equal(
        _heap.descend(nodes, leaf, np.zeros(len(t), np.int64), t[perm], size), got[perm]
    )


def test_descend_edges() -> None:
    w = np.zeros(100)
    w[[3, 97]] = [1.0, 2.0]
    size = _heap.tree_size(100)
    nodes = _heap.build_nodes(w[None, :], size)

    def leaf(trees: np.ndarray, cols: np.ndarray) -> np.ndarray:
        return np.where(cols < 100, w[np.minimum(cols, 99)], 0.0)

    zeros = np.zeros(4, np.int64)
    t = np.array([0.0, 0.999999, 1.0, 3.0 + 1e-12])  # the last is past the total (round-off)
    assert _heap.descend(nodes, leaf, zeros, t, size).tolist() == [3, 3, 97, 97]
    assert _heap.descend(nodes, leaf, zeros[:0], t[:0], size).tolist() == []


def test_many_trees_sorted_walk() -> None:
    rng = np.random.default_rng(3)
    A = rng.random((40, 50)) ** 2
    A[:, 10:20] = 0.0
    S = SQMatrix(A)
    rows = rng.integers(0, 40, 4000)
    cols = S.sample_in_rows(rows, seed=4)
    u = np.random.default_rng(4).random(len(rows))
    want = [
        np.searchsorted(np.cumsum(A[r] ** 2), x * np.sum(A[r] ** 2), side="right")
        for r, x in zip(rows, u, strict=True)
    ]
    assert np.mean(cols == np.array(want)) > 0.999
    assert np.all(A[rows, cols] != 0)


@pytest.mark.parametrize("m", [40, 5000])
def test_rows_chi_square(m: int) -> None:
    rng = np.random.default_rng(m)
    A = rng.uniform(0.2, 1.0, size=(m, 3))  # expected counts large enough for chi-square
    A[m // 4 : m // 2] = 0.0
    S = SQMatrix(A)
    p = np.sum(A**2, 1) / np.sum(A**2)
    draws = 40 * m if m > 40 else 40_000
    assert chi2_ok(S.sample_rows(draws, seed=7), p)
    S.update(m - 1, 0, 5.0)  # updates reach the jump level (recomputed per draw)
    A[m - 1, 0] = 5.0
    p = np.sum(A**2, 1) / np.sum(A**2)
    assert chi2_ok(S.sample_rows(draws, seed=8), p)


def test_vector_chi_square() -> None:
    x = _weights(3000, 9)
    x[x > 0] += 0.05
    v = SQVector(np.sqrt(x))
    assert chi2_ok(v.sample(100_000, seed=1), x / x.sum())


def test_sharded_chi_square_and_update(tmp_path: Path) -> None:
    rng = np.random.default_rng(10)
    parts = [rng.uniform(-1, 1, size=(m, 2)) for m in (900, 40, 1500)]
    parts[2][200:700] = 0.0
    paths = []
    for k, a in enumerate(parts):
        np.save(tmp_path / f"s{k}.npy", a)
        paths.append(str(tmp_path / f"s{k}.npy"))
    dense = np.vstack(parts)
    A = ShardedSQMatrix(paths, cluster="local", writable=True)
    p = np.sum(dense**2, 1) / np.sum(dense**2)
    assert chi2_ok(A.sample_rows(100_000, seed=3), p)
    trees = [np.array(s._row_nodes) for s in A._shards]
    top = A.shard_norms()
    A.update(930, 1, 3.0)  # shard 1
    dense[930, 1] = 3.0
    now = [np.array(s._row_nodes) for s in A._shards]
    np.testing.assert_array_equal(now[0], trees[0])
    np.testing.assert_array_equal(now[2], trees[2])
    assert not np.array_equal(now[1], trees[1])
    assert A.shard_norms()[[0, 2]].tolist() == top[[0, 2]].tolist()
    assert A.shard_norms()[1] == pytest.approx(np.linalg.norm(dense[900:940]))
    p = np.sum(dense**2, 1) / np.sum(dense**2)
    assert chi2_ok(A.sample_rows(100_000, seed=4), p)
