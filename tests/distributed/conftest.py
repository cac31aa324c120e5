"""Module-scoped in-process LocalClusters (threads, inproc, HTTP on a free loopback port)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

distributed = pytest.importorskip("distributed")


def _client(n_workers: int) -> Iterator[object]:
    with (
        distributed.LocalCluster(
            n_workers=n_workers,
            threads_per_worker=1,
            processes=False,
            dashboard_address="127.0.0.1:0",
        ) as lc,
        distributed.Client(lc, set_as_default=False) as client,
    ):
        yield client


@pytest.fixture(scope="module")
def client2() -> Iterator[object]:
    """Two one-thread workers in this process."""
    yield from _client(2)


@pytest.fixture(scope="module")
def client1() -> Iterator[object]:
    """One one-thread worker in this process."""
    yield from _client(1)
