"""Frame potentials on a cluster equal the in-process values."""

from __future__ import annotations

import numpy as np
import pytest

from qtwin.designs import frame_potential, is_design


def _states(n: int, d: int, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, d)) + 1j * rng.normal(size=(n, d))
    return x / np.linalg.norm(x, axis=1, keepdims=True)


@pytest.mark.parametrize("method", ["gram", "moment"])
def test_cluster_equals_local(method: str, client1: object, client2: object) -> None:
    x = _states(700, 3)
    w = np.random.default_rng(1).random(700)
    w /= w.sum()
    ref = frame_potential(x, 2, w, method=method, block_size=128)
    local = frame_potential(x, 2, w, method=method, block_size=128, cluster="local")
    one = frame_potential(x, 2, w, method=method, block_size=128, cluster=client1)
    two = frame_potential(x, 2, w, method=method, block_size=128, cluster=client2)
    assert local == one == two
    if method == "gram":
        assert two == ref  # tiles summed in the in-process order: bit for bit
    else:
        assert two == pytest.approx(ref, rel=1e-14)


def test_moment_blocks_on_cluster(client2: object, monkeypatch: pytest.MonkeyPatch) -> None:
    import qtwin.designs.frame_potentials as fp

    monkeypatch.setattr(fp, "MOMENT_UNIT_ROWS", 256)  # several moment units
    x = _states(1000, 2, seed=3)
    ref = frame_potential(x, 3, method="moment", block_size=64)
    got = frame_potential(x, 3, method="moment", block_size=64, cluster=client2)
    assert got == frame_potential(x, 3, method="moment", block_size=64, cluster="local")
    assert got == pytest.approx(ref, rel=1e-13)


def test_is_design_on_cluster(client2: object) -> None:
    mub = (
        np.array([[1, 0], [0, 1], [1, 1], [1, -1], [1, 1j], [1, -1j]])
        / np.sqrt([1, 1, 2, 2, 2, 2])[:, None]
    )
    assert is_design(mub, 3, cluster=client2, block_size=2)
    assert not is_design(mub, 4, cluster=client2, block_size=2)
