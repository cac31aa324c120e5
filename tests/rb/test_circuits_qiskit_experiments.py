"""Cross-check of qtwin's single-qubit standard RB with qiskit-experiments' StandardRB on Aer.

Like for like: qiskit-experiments generates, transpiles and fits its own circuits; the same
qtwin channel is inserted after every Clifford (at the barriers that separate them, so
``m + 1`` channels per length-``m`` sequence, as in :func:`qtwin.rb.protocols.standard_rb`).
Both error-per-Clifford estimates must agree within their confidence intervals and with
the exact ``1 - F_avg`` of the channel.
"""

from __future__ import annotations

import numpy as np
import pytest

pytest.importorskip("qiskit_experiments")

from qtwin.rb.channels import amplitude_damping_cascade, depolarizing  # noqa: E402
from qtwin.rb.circuits import qiskit_experiments_standard_rb  # noqa: E402
from qtwin.rb.fidelity import average_gate_fidelity  # noqa: E402

LENGTHS = [1, 10, 25, 50, 100]
SAMPLES = 20
SHOTS = 1000
Z95 = 1.959963984540054


@pytest.fixture(scope="module")
def depolarizing_run():
    channel = depolarizing(2, 0.03)
    return channel, qiskit_experiments_standard_rb(channel, LENGTHS, SAMPLES, shots=SHOTS, seed=5)


def test_noise_is_one_channel_per_clifford(depolarizing_run):
    # depolarizing noise commutes with every gate: each circuit survives with exactly
    # 1/2 + (1/2)(1 - p)^(m + 1), whatever its Cliffords
    channel, res = depolarizing_run
    exact = 0.5 + 0.5 * (1 - 0.03) ** (np.asarray(LENGTHS) + 1)
    sigma = np.sqrt(exact * (1 - exact) / SHOTS)
    assert res.survival.shape == (len(LENGTHS), SAMPLES)
    assert np.all(np.abs(res.survival - exact[:, None]) < 5 * sigma[:, None])
    z = (res.survival.mean(axis=1) - exact) / (sigma / np.sqrt(SAMPLES))
    assert np.all(np.abs(z) < 4)


def test_qiskit_experiments_epc_matches_exact(depolarizing_run):
    channel, res = depolarizing_run
    exact = 1 - average_gate_fidelity(channel)  # = p (d - 1)/d = 0.015
    assert exact == pytest.approx(0.015)
    assert abs(res.epc - exact) < 3 * res.epc_stderr
    lo, hi = res.epc_interval(0.99)
    assert lo < exact < hi
    assert res.alpha == pytest.approx(1 - 0.03, abs=3 * res.alpha_stderr)


def _qtwin_epc(channel, seed):
    protocols = pytest.importorskip("qtwin.rb.protocols")
    res = protocols.standard_rb(
        2, LENGTHS, SAMPLES, noise=channel, seed=seed, shots=SHOTS, confidence=0.95
    )
    f_lo, f_hi = res.fidelity_ci
    return 1 - res.fidelity, (1 - f_hi, 1 - f_lo)


@pytest.mark.parametrize(
    "channel",
    [depolarizing(2, 0.03), amplitude_damping_cascade(2, 0.04)],
    ids=["depolarizing", "amplitude_damping"],
)
def test_qtwin_and_qiskit_experiments_agree(channel):
    exact = 1 - average_gate_fidelity(channel)
    qt_epc, (qt_lo, qt_hi) = _qtwin_epc(channel, seed=12)
    qe = qiskit_experiments_standard_rb(channel, LENGTHS, SAMPLES, shots=SHOTS, seed=11)
    qe_lo, qe_hi = qe.epc_interval(0.95)
    # each contains the exact value (95 % intervals: allow the qiskit one a 99 % width)
    assert qt_lo <= exact <= qt_hi
    assert qe.epc_interval(0.99)[0] <= exact <= qe.epc_interval(0.99)[1]
    # they agree with each other within the combined interval widths
    assert abs(qt_epc - qe.epc) <= (qt_hi - qt_lo) / 2 + (qe_hi - qe_lo) / 2
    assert qt_lo <= qe_hi and qe_lo <= qt_hi  # intervals overlap


def test_two_qubit_noise_dimension_is_checked():
    with pytest.raises(ValueError, match="expected 4"):
        qiskit_experiments_standard_rb(depolarizing(2, 0.1), [1], 1, num_qubits=2)
    with pytest.raises(ValueError, match="num_qubits must be 1 or 2"):
        qiskit_experiments_standard_rb(depolarizing(2, 0.1), [1], 1, num_qubits=3)
