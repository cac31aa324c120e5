"""map_units: order, seeds independent of the worker count, handles, errors."""

from __future__ import annotations

import numpy as np
import pytest

from qtwin.distributed import map_units, persist_units, share, unit_seed


def _draw(n: int, seed: np.random.SeedSequence) -> list[float]:
    return np.random.default_rng(seed).random(n).tolist()


def _sum_pair(item: tuple, seed: object) -> float:
    a, b = item
    return float(np.sum(a) + np.sum(b))


def _fail(x: int, seed: object) -> int:
    if x == 3:
        raise RuntimeError("unit 3 failed")
    return x


def test_seeds_follow_the_spawn_key_rule() -> None:
    s = unit_seed(5, 2, key="job")
    assert s.entropy == 5 and s.spawn_key[-1] == 2
    assert unit_seed(5, "a", key="job").spawn_key == unit_seed(5, "a", key="job").spawn_key
    # different job names: independent streams
    a = np.random.default_rng(unit_seed(5, 0, key="x")).random()
    b = np.random.default_rng(unit_seed(5, 0, key="y")).random()
    assert a != b


def test_local_equals_one_and_two_workers(client1: object, client2: object) -> None:
    items = list(range(1, 12))
    local = map_units(_draw, items, cluster="local", seed=11, key="t", progress=False)
    one = map_units(_draw, items, cluster=client1, seed=11, key="t", progress=False)
    two = map_units(_draw, items, cluster=client2, seed=11, key="t", progress=False)
    assert local == one == two
    assert [len(r) for r in two] == items  # input order
    # pure=False: equal arguments still give distinct units with distinct seeds
    same = map_units(_draw, [3, 3, 3], cluster=client2, seed=1, progress=False)
    assert len({tuple(r) for r in same}) == 3


def test_unit_keys_make_seeds_stable_under_reordering() -> None:
    a = map_units(_draw, [1, 2], cluster=None, seed=3, unit_keys=["u", "v"], progress=False)
    b = map_units(_draw, [2, 1], cluster=None, seed=3, unit_keys=["v", "u"], progress=False)
    assert a == b[::-1]


def test_on_result_sees_every_unit(client2: object) -> None:
    seen: dict[int, list[float]] = {}
    res = map_units(
        _draw, [2, 3, 4], cluster=client2, seed=0, on_result=seen.__setitem__, progress=False
    )
    assert [seen[i] for i in range(3)] == res


def test_shared_and_persisted_handles(client2: object) -> None:
    for client in (None, client2):
        a = share(np.arange(4.0), client)
        b = persist_units(np.ones, [3, 5], client=client)
        res = map_units(_sum_pair, [(a, b[0]), (a, b[1])], cluster=client, progress=False)
        assert res == [9.0, 11.0]


def test_errors(client2: object) -> None:
    with pytest.raises(RuntimeError, match="unit 3 failed"):
        map_units(_fail, range(6), cluster=client2, progress=False)
    with pytest.raises(ValueError, match="unit_keys"):
        map_units(_fail, [1, 2], unit_keys=[0], progress=False)
    with pytest.raises(ValueError, match="distinct"):
        map_units(_fail, [1, 2], unit_keys=[0, 0], progress=False)
    with pytest.raises(TypeError, match="seed"):
        map_units(_fail, [1], seed="x", progress=False)
