"""ShardedSQMatrix: shards on workers, shard norms on the client, same draws everywhere."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from scipy import stats

from qtwin.dequantized.sharded import ShardedSQMatrix


@pytest.fixture(scope="module")
def shards(tmp_path_factory: pytest.TempPathFactory) -> tuple[list[str], np.ndarray]:
    rng = np.random.default_rng(0)
    parts = [rng.normal(size=(m, 5)) * rng.random((m, 1)) for m in (7, 12, 4)]
    parts[1][3] = 0.0  # a zero row is never drawn
    d = tmp_path_factory.mktemp("shards")
    paths = []
    for k, a in enumerate(parts):
        np.save(d / f"s{k}.npy", a)
        paths.append(str(d / f"s{k}.npy"))
    return paths, np.vstack(parts)


def test_queries_match_dense(shards: tuple, client2: object) -> None:
    paths, dense = shards
    for cl in ("local", client2):
        A = ShardedSQMatrix(paths, cluster=cl)
        assert A.shape == dense.shape and A.num_shards == 3
        assert A.frobenius_norm() == pytest.approx(np.linalg.norm(dense))
        np.testing.assert_allclose(
            A.shard_norms(), [np.linalg.norm(dense[a:b]) for a, b in [(0, 7), (7, 19), (19, 23)]]
        )
        i, j = np.array([0, 22, 8, 7, 19]), np.array([4, 0, 2, 1, 3])
        np.testing.assert_array_equal(A.query(i, j), dense[i, j])
        np.testing.assert_array_equal(A.rows([20, 1, 9]), dense[[20, 1, 9]])
        np.testing.assert_allclose(A.row_norm(i), np.linalg.norm(dense[i], axis=1))
        assert A.query(10, 1) == dense[10, 1]


def test_draws_equal_on_any_worker_count(shards: tuple, client1: object, client2: object) -> None:
    paths, _ = shards
    draws = []
    for cl in (None, client1, client2):
        A = ShardedSQMatrix(paths, cluster=cl)
        rows = A.sample_rows(3000, seed=11)
        draws.append((rows, A.sample_in_rows(rows[:500], seed=12)))
    for rows, cols in draws[1:]:
        np.testing.assert_array_equal(rows, draws[0][0])
        np.testing.assert_array_equal(cols, draws[0][1])


def test_rows_follow_the_row_norms(shards: tuple, client2: object) -> None:
    paths, dense = shards
    A = ShardedSQMatrix(paths, cluster=client2)
    r = 20_000
    rows = A.sample_rows(r, seed=5)
    p = np.linalg.norm(dense, axis=1) ** 2
    p /= p.sum()
    assert not np.any(rows == 10)  # the zero row (shard 1, local row 3)
    keep = p > 0
    observed = np.bincount(rows, minlength=len(p))[keep]
    assert stats.chisquare(observed, r * p[keep]).pvalue > 1e-3
    i, j = A.sample_entries(20_000, seed=6)
    q = np.abs(dense) ** 2 / np.sum(np.abs(dense) ** 2)
    counts = np.zeros_like(q)
    np.add.at(counts, (i, j), 1)
    keep = q.ravel() > 0
    assert stats.chisquare(counts.ravel()[keep], 20_000 * q.ravel()[keep]).pvalue > 1e-3


def test_update_touches_one_shard_and_the_top(shards: tuple, tmp_path: Path) -> None:
    paths, dense = shards
    copies = []
    for k, p in enumerate(paths):
        np.save(tmp_path / f"c{k}.npy", np.load(p))
        copies.append(str(tmp_path / f"c{k}.npy"))
    A = ShardedSQMatrix(copies, cluster="local", writable=True, tree_dir=tmp_path)
    before = [np.array(s._nodes) for s in A._shards]
    norms = A.shard_norms()
    A.update(9, 2, 100.0)  # shard 1, local row 2
    after = [np.array(s._nodes) for s in A._shards]
    np.testing.assert_array_equal(after[0], before[0])
    np.testing.assert_array_equal(after[2], before[2])
    assert not np.array_equal(after[1], before[1])
    new = dense.copy()
    new[9, 2] = 100.0
    assert A.shard_norms()[[0, 2]].tolist() == norms[[0, 2]].tolist()
    assert A.shard_norms()[1] == pytest.approx(np.linalg.norm(new[7:19]))
    assert A.frobenius_norm() == pytest.approx(np.linalg.norm(new))
    assert np.load(copies[1])[2, 2] == 100.0  # written through to the file


def test_errors(shards: tuple, tmp_path: Path) -> None:
    paths, _ = shards
    np.save(tmp_path / "wide.npy", np.ones((2, 6)))
    with pytest.raises(ValueError, match="columns"):
        ShardedSQMatrix([paths[0], str(tmp_path / "wide.npy")])
    with pytest.raises(ValueError, match="paths"):
        ShardedSQMatrix([])
    A = ShardedSQMatrix(paths)
    with pytest.raises(ValueError, match="row indices"):
        A.query(23, 0)
    with pytest.raises(ValueError, match="cluster="):
        ShardedSQMatrix(paths, cluster="dask:0")
