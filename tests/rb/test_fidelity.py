"""Exact fidelities, RB decays, irreps and characters against dense references.

References: the Kraus-operator fidelity formula (Nielsen 2002), closed forms for depolarizing,
dephasing, amplitude damping and over-rotations, and the Clifford twirl computed as a dense
average over every element of the enumerated group.
"""

from __future__ import annotations

import numpy as np
import pytest
from scipy.stats import unitary_group

from qtwin.designs.clifford import clifford_group
from qtwin.rb.channels import (
    Channel,
    amplitude_damping_cascade,
    coherent_overrotation,
    dephasing,
    depolarizing,
    from_kraus,
)
from qtwin.rb.fidelity import (
    average_gate_fidelity,
    clifford_irreps,
    entanglement_fidelity,
    fidelity_from_decays,
    irrep_projector,
    rb_decays,
    wh_characters,
)


def random_channel(d: int, rank: int = 3, seed: int = 0) -> Channel:
    """A generic (non-unital) CPTP channel: Kraus operators from an isometry."""
    v = unitary_group.rvs(d * rank, random_state=seed)[:, :d]
    return from_kraus(v.reshape(rank, d, d))


def dense_fidelity(ch: Channel, target: np.ndarray | None = None) -> float:
    """Reference: F_avg = (sum_k |tr(U^dagger K_k)|^2 + d)/(d(d+1)) (Nielsen 2002)."""
    d = ch.d
    u = np.eye(d) if target is None else target
    ks = [u.conj().T @ k for k in ch.kraus]
    return (sum(abs(np.trace(k)) ** 2 for k in ks) + d) / (d * (d + 1))


@pytest.mark.parametrize("d", [2, 3, 4, 6])
def test_fidelity_matches_kraus_formula(d):
    ch = random_channel(d, seed=d)
    tgt = unitary_group.rvs(d, random_state=10 + d)
    for target in (None, tgt):
        assert average_gate_fidelity(ch, target) == pytest.approx(dense_fidelity(ch, target))
    fe = entanglement_fidelity(ch)
    assert average_gate_fidelity(ch) == pytest.approx((d * fe + 1) / (d + 1))
    # F_avg from the exact decays (closed form #14)
    assert fidelity_from_decays(d, rb_decays(ch)) == pytest.approx(average_gate_fidelity(ch))


def test_closed_form_fidelities():
    for d in (2, 3, 5, 6):
        assert average_gate_fidelity(depolarizing(d, 0.1)) == pytest.approx(1 - 0.1 * (d - 1) / d)
        assert all(f == pytest.approx(0.9) for f in rb_decays(depolarizing(d, 0.1)).values())
    # qubit amplitude damping: F = 2/3 - g/6 + sqrt(1 - g)/3
    g = 0.2
    ref = 2 / 3 - g / 6 + np.sqrt(1 - g) / 3
    assert average_gate_fidelity(amplitude_damping_cascade(2, g)) == pytest.approx(ref)
    # dephasing: F_e = (1 - p) + p/d
    assert entanglement_fidelity(dephasing(4, 0.3)) == pytest.approx(0.7 + 0.3 / 4)
    # over-rotation: F_e = |tr U|^2 / d^2
    u = np.diag(np.exp(-1j * 0.3 * np.arange(3)))
    assert entanglement_fidelity(coherent_overrotation(3, 0.3)) == pytest.approx(
        abs(np.trace(u)) ** 2 / 9
    )


@pytest.mark.parametrize("d", [4, 6])
def test_clifford_twirl_identity(d):
    """E_C L(C)^dagger L(Lambda) L(C) = P_0 + sum_sigma f_sigma P_sigma, by dense group average."""
    ch = random_channel(d, seed=3 * d)
    u = clifford_group(d).unitaries
    lc = np.einsum("kij,kab->kiajb", u, u.conj()).reshape(len(u), d * d, d * d)
    twirl = np.matmul(lc.conj().transpose(0, 2, 1), ch.superop @ lc).mean(axis=0)
    vec_i = np.eye(d).reshape(-1)
    pred = np.outer(vec_i, vec_i) / d
    dec = rb_decays(ch)
    irr = clifford_irreps(d)
    for s in irr:
        pred = pred + dec[s.g] * irrep_projector(s)
    assert np.abs(twirl - pred).max() < 1e-12
    # irreps: one per proper divisor, dimensions J2(d/g), summing to d^2 - 1
    assert [s.g for s in irr] == [g for g in range(1, d) if d % g == 0]
    assert sum(s.dim for s in irr) == d * d - 1
    # characters: orthogonality (1/d^2) sum_u chi_s(u) chi_t(u) = d_s delta_st
    chis = np.array([wh_characters(s) for s in irr])
    assert np.allclose(chis @ chis.T / d**2, np.diag([s.dim for s in irr]))
    assert np.allclose(chis[:, 0], [s.dim for s in irr])
