"""MPSAdapter: forward pass and dense matrix against an explicit numpy contraction; counts."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from torch import nn

from qtwin.entanglement import (
    MPSAdapter,
    apply_mps_adaptation,
    entanglement_profile,
    lora_parameter_count,
    mps_adapter_parameter_count,
)


def numpy_mps_matrix(cores):
    """A[k, (i1..iK)] by numpy einsum over the bonds (independent of the module's tensordot)."""
    g = [c.detach().numpy() for c in cores]
    if len(g) == 2:
        a = np.einsum("kia,aj->kij", g[0], g[1])
    else:
        a = np.einsum("kia,ajb,bl->kijl", g[0], g[1], g[2])
    return a.reshape(g[0].shape[0], -1)


@pytest.mark.parametrize("factors", [None, (4, 3, 2)])
def test_forward_equals_dense_update(factors):
    torch.manual_seed(0)
    base = nn.Linear(24, 10, dtype=torch.float64)
    layer = MPSAdapter(base, rank=3, alpha=6.0, chi=2, in_factors=factors, seed=1)
    x = torch.randn(5, 7, 24, dtype=torch.float64)
    assert torch.allclose(layer(x), base(x))  # B starts at zero
    with torch.no_grad():
        layer.lora_B.copy_(torch.randn(10, 3, dtype=torch.float64))
    a = numpy_mps_matrix(layer.cores)
    dense = 2.0 * layer.lora_B.detach().numpy() @ a  # alpha / rank = 2
    np.testing.assert_allclose(layer.delta_weight().numpy(), dense, atol=1e-12)
    expect = base(x).detach().numpy() + x.numpy() @ dense.T
    np.testing.assert_allclose(layer(x).detach().numpy(), expect, atol=1e-10)
    b, af = layer.delta_factors()
    prof = entanglement_profile((b, af), sites=[[10], [2, 2, 2, 3]])
    ref = entanglement_profile(dense, sites=[[10], [2, 2, 2, 3]], method="svd")
    np.testing.assert_allclose(prof.entropies, ref.entropies, atol=1e-10)


def test_parameter_counts_match_the_paper():
    # d_in = d_out = 4096, r = 256, chi = 32, d1 = d2 = 64 (arXiv:2601.06788, section IX)
    assert lora_parameter_count(4096, 4096, 256) == 2_097_152
    # B: 4096 x 256; A_MPS: cores 256 x 64 x 32 and 32 x 64 -> the paper's 1 574 912
    assert 4096 * 256 + 256 * 64 * 32 + 32 * 64 == 1_574_912
    assert mps_adapter_parameter_count(4096, 4096, 256, 32, (64, 64)) == 1_574_912
    layer = MPSAdapter(nn.Linear(384, 384), rank=8, alpha=16, chi=4)
    assert layer.num_adapter_parameters == mps_adapter_parameter_count(384, 384, 8, 4)
    assert layer.num_adapter_parameters == 384 * 8 + 8 * 16 * 4 + 4 * 24


def test_init_scale_and_gradients():
    layer = MPSAdapter(nn.Linear(256, 64), rank=16, chi=8, seed=2)
    var = float(layer.mps_matrix().detach().var())
    assert var == pytest.approx(1 / (3 * 256), rel=0.25)  # LoRA's kaiming-uniform variance
    out = layer(torch.randn(4, 256)).sum()
    out.backward()
    assert layer.base.weight.grad is None and layer.lora_B.grad is not None


def test_apply_mps_adaptation_replaces_targets():
    model = nn.ModuleDict(
        {"query": nn.Linear(16, 16), "key": nn.Linear(16, 16), "value": nn.Linear(16, 8)}
    )
    found = apply_mps_adaptation(model, rank=2, chi=2, seed=0)
    assert sorted(found) == ["query", "value"]
    assert isinstance(model["query"], MPSAdapter) and isinstance(model["key"], nn.Linear)
    trainable = {n for n, p in model.named_parameters() if p.requires_grad}
    assert trainable and all("lora_B" in n or "cores" in n for n in trainable)


def test_adapter_bad_input():
    with pytest.raises(ValueError, match="in_factors"):
        MPSAdapter(nn.Linear(24, 4), in_factors=(5, 5))
    with pytest.raises(ValueError, match="prime"):
        MPSAdapter(nn.Linear(13, 4))
    with pytest.raises(ValueError, match="chi"):
        MPSAdapter(nn.Linear(16, 4), chi=0)
    with pytest.raises(TypeError, match="nn.Linear"):
        MPSAdapter(nn.Conv1d(1, 1, 1))
    with pytest.raises(ValueError, match="match no"):
        apply_mps_adaptation(nn.Sequential(nn.Linear(4, 4)), ["q_proj"])
