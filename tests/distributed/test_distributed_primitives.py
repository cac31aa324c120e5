"""Tensornet primitives on a cluster: the same samples and values as the in-process run."""

from __future__ import annotations

import numpy as np
import pytest
from qiskit import QuantumCircuit
from qiskit.circuit import Parameter
from qiskit.primitives import StatevectorEstimator
from qiskit.quantum_info import SparsePauliOp

from qtwin.backends import TensornetEstimator, TensornetSampler, get_backend
from qtwin.distributed import ClusterHandle


def _ansatz(n: int = 3) -> tuple[QuantumCircuit, list[Parameter]]:
    ps = [Parameter(f"t{i}") for i in range(2 * n)]
    qc = QuantumCircuit(n)
    for i in range(n):
        qc.ry(ps[i], i)
    for i in range(n - 1):
        qc.cx(i, i + 1)
    for i in range(n):
        qc.rz(ps[n + i], i)
        qc.h(i)
    return qc, ps


def _pubs_sampler() -> list:
    qc, ps = _ansatz()
    meas = qc.copy()
    meas.measure_all()
    rng = np.random.default_rng(1)
    dyn = QuantumCircuit(2, 2)
    dyn.h(0)
    dyn.measure(0, 0)
    with dyn.if_test((dyn.clbits[0], 1)):
        dyn.x(1)
    dyn.measure(1, 1)
    return [
        (meas, rng.uniform(0, np.pi, (5, 7, len(ps)))),  # 35 sets: 3 chunks of 16
        (meas, rng.uniform(0, np.pi, (len(ps),))),  # a scalar PUB
        (dyn, None, 64),  # a dynamic circuit
    ]


def _pubs_estimator() -> list:
    qc, ps = _ansatz()
    rng = np.random.default_rng(2)
    obs = [[SparsePauliOp("ZZI")], [SparsePauliOp.from_list([("XIX", 0.5), ("IYI", -1.0)])]]
    return [
        (qc, obs, rng.uniform(0, np.pi, (2, 9, len(ps)))),  # broadcast (2, 1) x (2, 9)
        (qc, "ZIZ", rng.uniform(0, np.pi, (len(ps),))),
    ]


def _counts(result: object) -> list:
    return [
        {name: getattr(r.data, name).get_counts() for name in r.data}
        for r in result  # type: ignore[attr-defined]
    ]


@pytest.mark.parametrize("seed", [5, 123])
def test_sampler_counts_equal_local(procs2: object, seed: int) -> None:
    pubs = _pubs_sampler()
    local = TensornetSampler(seed=seed).run(pubs, shots=50).result()
    for chunk_size in (16, 5):
        remote = TensornetSampler(seed=seed, cluster=procs2, chunk_size=chunk_size)
        got = remote.run(pubs, shots=50).result()
        assert _counts(got) == _counts(local)
        for a, b in zip(got, local, strict=True):
            for name in a.data:
                np.testing.assert_array_equal(
                    getattr(a.data, name).array, getattr(b.data, name).array
                )
            assert a.metadata["qtwin"]["method"] == b.metadata["qtwin"]["method"]
            np.testing.assert_array_equal(
                a.metadata["qtwin"]["discarded_weight"], b.metadata["qtwin"]["discarded_weight"]
            )
    assert remote.cluster.client() is procs2


def test_generator_seed_continues_across_pubs(procs2: object) -> None:
    pubs = _pubs_sampler()[:2]
    local = TensornetSampler(seed=np.random.default_rng(9)).run(pubs, shots=20).result()
    got = TensornetSampler(seed=np.random.default_rng(9), cluster=procs2, chunk_size=4)
    assert _counts(got.run(pubs, shots=20).result()) == _counts(local)


@pytest.mark.parametrize("precision", [0.0, 0.05])
def test_estimator_values_equal_local(procs2: object, precision: float) -> None:
    pubs = _pubs_estimator()
    local = TensornetEstimator(seed=3).run(pubs, precision=precision).result()
    got = TensornetEstimator(seed=3, cluster=procs2, chunk_size=4)
    got = got.run(pubs, precision=precision).result()
    for a, b in zip(got, local, strict=True):
        assert a.data.evs.shape == b.data.evs.shape
        np.testing.assert_allclose(a.data.evs, b.data.evs, rtol=0, atol=1e-12)
        np.testing.assert_array_equal(a.data.stds, b.data.stds)
    # the exact values themselves, against Qiskit's reference estimator
    if precision == 0:
        ref = StatevectorEstimator().run(pubs).result()
        for a, b in zip(got, ref, strict=True):
            np.testing.assert_allclose(a.data.evs, b.data.evs, atol=1e-10)


def test_get_backend_with_a_client(procs2: object) -> None:
    qc, ps = _ansatz(2)
    values = np.random.default_rng(0).uniform(0, 1, (6, len(ps)))
    local = get_backend("tensornet", seed=8, default_precision=0.01).estimator
    want = local.run([(qc, "XZ", values)]).result()[0].data.evs
    with get_backend("tensornet", seed=8, default_precision=0.01, cluster=procs2) as backend:
        got = backend.estimator.run([(qc, "XZ", values)]).result()[0].data.evs
    np.testing.assert_allclose(got, want, rtol=0, atol=1e-12)
    assert procs2.status == "running"  # a client passed in is never closed  # type: ignore[attr-defined]


@pytest.mark.slow
def test_get_backend_cluster_spec_starts_and_closes_a_cluster() -> None:
    qc, ps = _ansatz(2)
    qc.measure_all()
    values = np.random.default_rng(0).uniform(0, 1, (6, len(ps)))
    local = get_backend("tensornet", seed=8).sampler.run([(qc, values)], shots=30).result()
    with get_backend("tensornet", seed=8, cluster="dask:2", chunk_size=2) as backend:
        assert "cluster='dask:2'" in backend.description
        handle = backend.sampler.cluster
        assert handle is backend.estimator.cluster  # one client for both primitives
        got = backend.sampler.run([(qc, values)], shots=30).result()
        client = handle.client()
        assert len(client.scheduler_info()["workers"]) == 2
    assert _counts(got) == _counts(local)
    assert client.status == "closed"


def test_bad_cluster_options() -> None:
    with pytest.raises(ValueError, match="dask:N"):
        get_backend("tensornet", cluster="dask:0")
    with pytest.raises(ValueError, match="chunk_size"):
        get_backend("tensornet", cluster="local", chunk_size=0)
    with pytest.raises(TypeError, match="cluster"):
        get_backend("aer", cluster="dask:2")
    assert ClusterHandle("local").client() is None
