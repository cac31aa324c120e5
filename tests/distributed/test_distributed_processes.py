"""A real LocalCluster of worker processes (spawned, loopback TCP): same numbers as in-process."""

from __future__ import annotations

import numpy as np
import pytest

from qtwin.designs import frame_potential
from qtwin.distributed import cluster, map_units
from qtwin.rb import standard_rb
from qtwin.rb.channels import depolarizing


def _draw(n: int, seed: np.random.SeedSequence) -> float:
    return float(np.random.default_rng(seed).random(n).sum())


@pytest.mark.slow
def test_dask_two_processes_equal_local() -> None:
    x = np.random.default_rng(0).normal(size=(600, 3)) + 0j
    x /= np.linalg.norm(x, axis=1, keepdims=True)
    noise = depolarizing(3, 0.03)
    local_rb = standard_rb(3, [1, 4, 8], 6, noise, seed=4, shots=40, batch_size=2, cluster="local")
    with cluster("dask:2") as client:
        assert client is not None
        addr = client.scheduler.address
        assert addr.startswith("tcp://127.0.0.1:")
        assert len(client.scheduler_info()["workers"]) == 2
        units = map_units(_draw, [5, 6, 7, 8], cluster=client, seed=9, progress=False)
        rb = standard_rb(3, [1, 4, 8], 6, noise, seed=4, shots=40, batch_size=2, cluster=client)
        fp = frame_potential(x, 2, method="gram", block_size=100, cluster=client)
    assert units == map_units(_draw, [5, 6, 7, 8], cluster=None, seed=9, progress=False)
    np.testing.assert_array_equal(rb.survival, local_rb.survival)
    assert rb.fidelity == local_rb.fidelity
    assert fp == frame_potential(x, 2, method="gram", block_size=100)
