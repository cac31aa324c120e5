"""Standard and character RB on a cluster: identical on 0, 1 and 2 workers."""

from __future__ import annotations

import numpy as np
import pytest

from qtwin.rb import character_rb, standard_rb
from qtwin.rb.channels import depolarizing


def test_standard_rb_cluster_equals_local(client1: object, client2: object) -> None:
    kw = dict(seed=5, shots=50, batch_size=3, num_bootstrap=20)
    noise = depolarizing(3, 0.03)
    local = standard_rb(3, [1, 4, 8], 7, noise, cluster="local", **kw)
    one = standard_rb(3, [1, 4, 8], 7, noise, cluster=client1, **kw)
    two = standard_rb(3, [1, 4, 8], 7, noise, cluster=client2, **kw)
    assert local.survival.shape == (3, 7)
    np.testing.assert_array_equal(local.survival, one.survival)
    np.testing.assert_array_equal(local.survival, two.survival)
    assert local.fidelity == one.fidelity == two.fidelity
    assert local.fidelity_ci == two.fidelity_ci
    # a different random stream from cluster=None, the same physics
    ref = standard_rb(3, [1, 4, 8], 7, noise, seed=5, shots=50, num_bootstrap=20)
    assert not np.array_equal(ref.survival, two.survival)
    assert two.fit.f == pytest.approx(ref.fit.f, abs=0.05)


def test_exact_standard_rb_on_cluster_recovers_depolarizing(client2: object) -> None:
    res = standard_rb(3, [1, 5, 10, 20], 4, depolarizing(3, 0.02), seed=1, cluster=client2)
    assert res.fit.f == pytest.approx(0.98, abs=1e-10)


@pytest.mark.parametrize("characters", ["all", 2])
def test_character_rb_cluster_equals_local(
    characters: object, client1: object, client2: object
) -> None:
    kw = dict(seed=2, characters=characters, batch_size=2, num_bootstrap=20)
    noise = depolarizing(4, 0.04)
    local = character_rb(4, [1, 3, 6], 5, noise, cluster="local", **kw)
    one = character_rb(4, [1, 3, 6], 5, noise, cluster=client1, **kw)
    two = character_rb(4, [1, 3, 6], 5, noise, cluster=client2, **kw)
    np.testing.assert_array_equal(local.survival, two.survival)
    np.testing.assert_array_equal(local.characters, two.characters)
    np.testing.assert_array_equal(one.survival, two.survival)
    assert local.fidelity == one.fidelity == two.fidelity
    if characters == "all":  # exact average over u: the depolarizing value
        assert two.fidelity == pytest.approx(1 - 0.04 * 3 / 4, abs=1e-8)


def test_batch_size_checked() -> None:
    with pytest.raises(ValueError, match="batch_size"):
        standard_rb(3, [1, 2, 3], 2, cluster="local", batch_size=0)


@pytest.mark.parametrize("method", ["standard", "character"])
def test_interleaved_rb_cluster_equals_local(method: str, client2: object) -> None:
    from qtwin.rb import interleaved_rb

    args = (3, [1, 4, 8], 4, 17, depolarizing(3, 0.02), depolarizing(3, 0.05))
    kw = dict(method=method, seed=0, batch_size=3, num_bootstrap=20)
    local = interleaved_rb(*args, cluster="local", **kw)
    two = interleaved_rb(*args, cluster=client2, **kw)
    np.testing.assert_array_equal(local.reference.survival, two.reference.survival)
    np.testing.assert_array_equal(local.interleaved.survival, two.interleaved.survival)
    assert local.gate_fidelity == two.gate_fidelity
    assert two.gate_fidelity == pytest.approx(1 - 0.05 * 2 / 3, abs=1e-8)
