"""Entanglement profiles of a sharded safetensors checkpoint, one unit per matrix."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

torch = pytest.importorskip("torch")
st = pytest.importorskip("safetensors.torch")

from qtwin.entanglement import checkpoint_profiles, entanglement_profile  # noqa: E402


@pytest.fixture(scope="module")
def sharded(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, torch.Tensor]]:
    g = torch.Generator().manual_seed(0)
    t = {
        "layers.0.self_attn.q_proj.weight": torch.randn(16, 32, generator=g),
        "layers.0.self_attn.v_proj.weight": torch.randn(8, 16, generator=g),
        "layers.0.input_layernorm.weight": torch.randn(16, generator=g),
        "layers.1.self_attn.q_proj.weight": torch.randn(16, 16, generator=g).to(torch.bfloat16),
        "layers.1.mlp.up_proj.weight": torch.randn(32, 16, generator=g),
    }
    d = tmp_path_factory.mktemp("ckpt")
    names = sorted(t)
    st.save_file({k: t[k] for k in names[:3]}, str(d / "model-00001-of-00002.safetensors"))
    st.save_file({k: t[k] for k in names[3:]}, str(d / "model-00002-of-00002.safetensors"))
    return d, t


def test_profiles_match_direct_and_cluster(
    sharded: tuple, client1: object, client2: object
) -> None:
    path, tensors = sharded
    local = checkpoint_profiles(path, cluster=None, progress=False)
    assert sorted(local) == [
        "layers.0.self_attn.q_proj.weight",
        "layers.0.self_attn.v_proj.weight",
        "layers.1.self_attn.q_proj.weight",
    ]
    for name, prof in local.items():
        ref = entanglement_profile(tensors[name].float())
        np.testing.assert_allclose(prof.entropies, ref.entropies, rtol=0, atol=1e-12)
    streamed: dict[str, object] = {}
    for client in (client1, client2):
        got = checkpoint_profiles(
            path, cluster=client, on_result=streamed.__setitem__, progress=False
        )
        assert list(got) == list(local)
        for name in local:
            np.testing.assert_array_equal(got[name].entropies, local[name].entropies)
    assert set(streamed) == set(local)


def test_kwargs_and_pattern(sharded: tuple, client2: object) -> None:
    path, tensors = sharded
    got = checkpoint_profiles(path, r"up_proj", cluster=client2, alpha=2.0, progress=False)
    ref = entanglement_profile(tensors["layers.1.mlp.up_proj.weight"], alpha=2.0)
    np.testing.assert_allclose(got["layers.1.mlp.up_proj.weight"].entropies, ref.entropies)


def test_errors(sharded: tuple, tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="matches pattern"):
        checkpoint_profiles(sharded[0], r"nothing-like-this", progress=False)
    with pytest.raises(ValueError, match="no \\*.safetensors"):
        checkpoint_profiles(tmp_path, progress=False)
    with pytest.raises(ValueError, match="checkpoint directory or file"):
        checkpoint_profiles(tmp_path / "missing", progress=False)
