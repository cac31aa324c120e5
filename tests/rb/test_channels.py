"""Noise channels: Kraus, superoperator and composition against dense numpy, CPTP checks."""

from __future__ import annotations

import numpy as np
import pytest

from qtwin.rb.channels import (
    Channel,
    amplitude_damping_cascade,
    as_noise_model,
    check_cptp,
    coherent_overrotation,
    compose,
    dephasing,
    depolarizing,
    from_kraus,
    from_superop,
)


def test_channels_apply_like_kraus():
    rng = np.random.default_rng(0)
    a = rng.normal(size=(5, 5)) + 1j * rng.normal(size=(5, 5))
    rho = a @ a.conj().T
    rho /= np.trace(rho)
    for ch in (dephasing(5, 0.2), amplitude_damping_cascade(5, 0.3), coherent_overrotation(5, 0.4)):
        ref = sum(k @ rho @ k.conj().T for k in ch.kraus)
        assert np.allclose(ch.apply(rho), ref)
    dep = depolarizing(5, 0.3).apply(rho)
    assert np.allclose(dep, 0.7 * rho + 0.3 * np.eye(5) / 5)
    both = compose(dephasing(5, 0.2), amplitude_damping_cascade(5, 0.3))
    assert np.allclose(
        both.apply(rho), amplitude_damping_cascade(5, 0.3).apply(dephasing(5, 0.2).apply(rho))
    )
    for ch in (depolarizing(5, 1.0), both):
        check_cptp(ch)


def test_cptp_errors():
    with pytest.raises(ValueError, match="not trace preserving"):
        from_kraus([np.eye(2), np.eye(2)])
    with pytest.raises(ValueError, match="not completely positive"):
        # transpose map: positive, trace preserving, not CP
        from_superop(np.eye(4)[[0, 2, 1, 3]])
    with pytest.raises(ValueError, match="Hermiticity"):
        from_superop(np.diag([1, 1j, 1, 1]))
    with pytest.raises(ValueError, match="p must be a number in"):
        depolarizing(2, 1.5)
    with pytest.raises(ValueError, match="d must be an integer >= 2"):
        depolarizing(1, 0.1)
    with pytest.raises(ValueError, match="generator must be Hermitian"):
        coherent_overrotation(2, 0.1, np.array([[0, 1], [0, 0]]))
    with pytest.raises(ValueError, match="dimension 3"):
        as_noise_model(depolarizing(3, 0.1), 2)
    bad = Channel(2, 2 * np.eye(4), None)
    with pytest.raises(ValueError, match="not trace preserving"):
        as_noise_model({5: bad}, 2)
    with pytest.raises(ValueError, match="not trace preserving"):
        as_noise_model(lambda k: bad, 2).superop(3)
    with pytest.raises(TypeError, match="noise must be"):
        as_noise_model("depolarizing", 2)
