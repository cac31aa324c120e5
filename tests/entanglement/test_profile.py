"""entanglement_profile against dense numpy SVD entropies, quimb, and its own bounds."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch

from qtwin.entanglement import (
    entanglement_profile,
    prime_factors,
    weight_mps,
)

from ._reference import dense_reference


@pytest.mark.parametrize("method", ["svd", "gram", "mps"])
@pytest.mark.parametrize("shape", [(16, 32), (24, 18), (12, 7)])
def test_every_cut_matches_dense_svd(method, shape):
    w = np.random.default_rng(1).normal(size=shape)
    prof = entanglement_profile(w, method=method)
    ref = dense_reference(w, prime_factors(shape[0]), prime_factors(shape[1]))
    np.testing.assert_allclose(prof.entropies, ref, atol=1e-10)
    assert prof.boundaries == (len(prime_factors(shape[0])),)
    assert np.all(prof.entropies <= prof.max_entropies + 1e-12)


@pytest.mark.parametrize("method", ["svd", "gram", "mps"])
def test_orderings_match_dense_svd(method):
    rng = np.random.default_rng(2)
    w = rng.normal(size=(8, 16)) + 1j * rng.normal(size=(8, 16))
    rows, cols = (2, 2, 2), (2, 2, 2, 2)
    col_major = entanglement_profile(w, ordering="column-major", method=method)
    np.testing.assert_allclose(col_major.entropies, dense_reference(w.T, cols, rows), atol=1e-10)
    inter = entanglement_profile(w, ordering="interleaved", method=method)
    np.testing.assert_allclose(
        inter.entropies, dense_reference(w, rows, cols, perm=[0, 3, 1, 4, 2, 5, 6]), atol=1e-10
    )
    perm = [6, 0, 5, 1, 4, 2, 3]
    custom = entanglement_profile(w, ordering=perm, method=method)
    np.testing.assert_allclose(custom.entropies, dense_reference(w, rows, cols, perm), atol=1e-10)


@pytest.mark.parametrize("alpha", [0.0, 0.5, 2.0, math.inf])
def test_renyi_and_bits(alpha):
    w = np.random.default_rng(3).normal(size=(16, 16))
    w[:, 8:] = 0  # rank deficiency makes alpha = 0 meaningful
    ref = dense_reference(w, (2,) * 4, (2,) * 4, alpha=alpha)
    prof = entanglement_profile(w, alpha=alpha)
    np.testing.assert_allclose(prof.entropies, ref, atol=1e-9)
    np.testing.assert_allclose(prof.renyi(alpha, base="bits"), ref / math.log(2), atol=1e-9)
    gram = entanglement_profile(w, alpha=alpha, method="gram")
    np.testing.assert_allclose(gram.entropies, ref, atol=1e-7)


def test_tensor_input_and_explicit_sites():
    t = np.random.default_rng(4).normal(size=(4, 6, 9))
    prof = entanglement_profile(t, sites=[[4], [2, 3], [3, 3]])
    assert prof.site_dims == (4, 2, 3, 3, 3) and prof.boundaries == (1, 3)
    vec = t.reshape(-1) / np.linalg.norm(t)
    for c, left in enumerate([4, 8, 24, 72], start=1):
        p = np.linalg.svd(vec.reshape(left, -1), compute_uv=False) ** 2
        p = p[p > 1e-28]
        assert prof.entropies[c - 1] == pytest.approx(-np.sum(p * np.log(p)), abs=1e-10)


@pytest.mark.parametrize("rank", [1, 3, 8])
def test_row_column_cut_bounded_by_log_rank(rank):
    rng = np.random.default_rng(rank)
    b, a = rng.normal(size=(64, rank)), rng.normal(size=(rank, 32))
    prof = entanglement_profile((b, a))
    assert prof.method == "factored"
    (cut,) = prof.boundaries
    assert prof.entropies[cut - 1] <= math.log(rank) + 1e-12
    assert prof.schmidt_ranks[cut - 1] == rank
    # the row|column cut is the matrix SVD itself
    s = np.linalg.svd(b @ a, compute_uv=False)
    p = s**2 / np.sum(s**2)
    p = p[p > 1e-28]
    assert prof.entropies[cut - 1] == pytest.approx(-np.sum(p * np.log(p)), abs=1e-10)


@pytest.mark.parametrize("ordering", ["row-major", "column-major"])
@pytest.mark.parametrize("shape,rank", [((64, 32), 4), ((48, 96), 5), ((30, 8), 2)])
def test_factored_equals_dense(ordering, shape, rank):
    rng = np.random.default_rng(7)
    b = rng.normal(size=(shape[0], rank)) + 1j * rng.normal(size=(shape[0], rank))
    a = rng.normal(size=(rank, shape[1]))
    fac = entanglement_profile((b, a), ordering=ordering, alpha=2.0)
    dense = entanglement_profile(b @ a, ordering=ordering, method="svd", alpha=2.0)
    assert fac.method == "factored" and fac.site_dims == dense.site_dims
    np.testing.assert_allclose(fac.entropies, dense.entropies, atol=1e-10)
    for p, q in zip(fac.spectra, dense.spectra, strict=True):
        np.testing.assert_allclose(p[: q.size], q[: p.size], atol=1e-12)


def test_factored_full_rank_forms_the_product():
    rng = np.random.default_rng(8)
    b, a = rng.normal(size=(8, 8)), rng.normal(size=(8, 8))
    prof = entanglement_profile((b, a))
    assert prof.method == "svd"
    np.testing.assert_allclose(
        prof.entropies, dense_reference(b @ a, (2,) * 3, (2,) * 3), atol=1e-10
    )


@pytest.mark.slow  # importing quimb.tensor takes ~30 s on the 2-core CI machine
def test_weight_mps_agrees_with_quimb():
    qtn = pytest.importorskip("quimb.tensor")
    w = np.random.default_rng(9).normal(size=(12, 8))
    psi = weight_mps(w)
    vec = w.reshape(-1) / np.linalg.norm(w)
    ref = qtn.MatrixProductState.from_dense(vec, dims=list(psi.dims))
    quimb_nats = [ref.entropy(c) * math.log(2) for c in range(1, psi.num_sites)]  # bits
    np.testing.assert_allclose(psi.entropy_profile(), quimb_nats, atol=1e-9)
    np.testing.assert_allclose(entanglement_profile(w).entropies, quimb_nats, atol=1e-9)


def test_torch_float32_and_known_states():
    eye = torch.eye(8, dtype=torch.float32)  # maximally entangled across rows|columns
    prof = entanglement_profile(eye, base=2)
    assert prof.entropies.tolist() == pytest.approx([1, 2, 3, 2, 1], abs=1e-12)
    ones = np.ones((4, 8))  # product state: zero everywhere
    assert np.allclose(entanglement_profile(ones).entropies, 0, atol=1e-12)


@pytest.mark.parametrize(
    "kwargs,err,match",
    [
        (dict(W=np.array([[1.0, np.nan], [0.0, 1.0]])), ValueError, "finite"),
        (dict(W=np.array([[1.0, np.inf], [0.0, 1.0]])), ValueError, "finite"),
        (dict(W=np.zeros((4, 4))), ValueError, "zero"),
        (dict(W=(np.zeros((4, 1)), np.ones((1, 4)))), ValueError, "zero"),
        (dict(W=(np.array([[1.0, -1.0]] + [[0.0, 0.0]] * 3), np.ones((2, 4)))), ValueError, "zero"),
        (dict(W=np.ones((384, 4)), sites=2), ValueError, "cannot be factored"),
        (dict(W=np.ones((6, 4)), sites=[[2, 2], [4]]), ValueError, "product is 6"),
        (dict(W=np.ones((3, 1))), ValueError, "at least two"),
        (dict(W=np.ones((4, 4)), ordering="diagonal"), ValueError, "ordering"),
        (dict(W=np.ones((4, 4)), ordering=[0, 1, 1, 3]), ValueError, "permutation"),
        (dict(W=np.ones((4, 4)), method="qr"), ValueError, "method"),
        (dict(W=np.ones((4, 4)), base=1.0), ValueError, "base"),
        (dict(W=np.ones((4, 4)), base="decibels"), ValueError, "base"),
        (dict(W=np.ones((4, 4)), alpha=-1), ValueError, "alpha"),
        (dict(W=(np.ones((4, 2)), np.ones((3, 4)))), ValueError, "B.shape"),
        (dict(W=np.array([["a", "b"], ["c", "d"]])), TypeError, "numbers"),
    ],
)
def test_bad_input(kwargs, err, match):
    with pytest.raises(err, match=match):
        entanglement_profile(**kwargs)


@pytest.mark.gpu
@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA device")
def test_gpu_profile_matches_cpu():
    rng = np.random.default_rng(11)
    w = rng.normal(size=(256, 128))
    b, a = rng.normal(size=(256, 8)), rng.normal(size=(8, 128))
    for method in ("svd", "gram"):
        gpu = entanglement_profile(w, method=method, device="cuda")
        np.testing.assert_allclose(gpu.entropies, dense_reference(w, (2,) * 8, (2,) * 7), atol=1e-9)
    fac = entanglement_profile((b, a), device="cuda")
    np.testing.assert_allclose(
        fac.entropies, entanglement_profile(b @ a, device="cpu").entropies, atol=1e-9
    )


def test_device_none_is_the_cpu(monkeypatch):
    w = np.random.default_rng(4).normal(size=(8, 8))
    ref = entanglement_profile(w).entropies
    # were None read as "CUDA when available", this would try (and fail) to reach a GPU
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    np.testing.assert_array_equal(entanglement_profile(w, device=None).entropies, ref)
    assert torch.device(weight_mps(w).device).type == "cpu"
    with pytest.raises(ValueError, match="device"):
        entanglement_profile(w, device="no-such-device")


@pytest.mark.parametrize("name", ["heisenberg_12", "tfim_quench_16", "random_profile_16"])
def test_reference_mps_profiles_match_quimb(name):
    """States of the tensornet/ corpus (quimb DMRG, TEBD, random MPS) as n-qubit matrices:
    the profile equals quimb's bond entropies stored in the corpus manifest."""
    from qtwin.tensornet import corpus

    meta = corpus.entry(name)
    n = meta["num_sites"]
    vec = np.asarray(corpus.load(name).to_dense())
    # little-endian: row digits are qubits n-1 ... n/2, column digits qubits n/2 - 1 ... 0,
    # so the chain runs from qubit n-1 down to qubit 0: quimb's profile reversed
    prof = entanglement_profile(vec.reshape(2 ** (n // 2), -1))
    assert tuple(prof.site_dims) == (2,) * n
    np.testing.assert_allclose(prof.entropies, meta["entropy_profile"][::-1], atol=1e-10)
