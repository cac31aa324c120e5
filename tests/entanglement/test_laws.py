"""Law fits (volume, area, area plus log) recover the parameters of synthetic profiles."""

from __future__ import annotations

import numpy as np
import pytest

from qtwin.entanglement import (
    best_law,
    fit_laws,
)


def test_fit_laws_recover_parameters():
    x = np.arange(1, 14)
    volume = 0.6 * np.minimum(x, 14 - x)
    fits = fit_laws(volume)
    assert fits["volume"].params["s"] == pytest.approx(0.6) and best_law(fits) == "volume"
    cardy = 0.2 + (2.0 / 6) * np.log(14 / np.pi * np.sin(np.pi * x / 14))
    fits = fit_laws(cardy + np.random.default_rng(0).normal(scale=1e-3, size=13))
    assert fits["area_log"].params["c"] == pytest.approx(2.0, abs=0.02)
    assert fits["area_log"].params["a"] == pytest.approx(0.2, abs=0.01)
    assert best_law(fits) == "area_log"
    flat = fit_laws(np.full(13, 0.7) + np.random.default_rng(1).normal(scale=1e-3, size=13))
    assert flat["area"].params["a"] == pytest.approx(0.7, abs=1e-3)


def test_critical_ising_chain_has_central_charge_one_half():
    """quimb's DMRG ground state of the critical transverse-field Ising chain (20 sites, in
    the tensornet/ corpus): the area-plus-log law fits best, with the Ising CFT's c = 1/2
    (open chain, S = c/6 ln[(2L/pi) sin(pi x/L)] + const) up to finite-size corrections;
    the ordered phase (g = 0.5) is area law, c near 0."""
    from qtwin.tensornet import corpus

    critical = fit_laws(corpus.entry("tfim_critical_20")["entropy_profile"])
    assert best_law(critical) == "area_log"
    assert critical["area_log"].params["c"] == pytest.approx(0.5, abs=0.1)
    ordered = fit_laws(corpus.entry("tfim_ordered_24")["entropy_profile"])
    assert abs(ordered["area_log"].params["c"]) < 0.1
