"""AQC sweeps: one compilation per unit, the same results on any worker count."""

from __future__ import annotations

import numpy as np
import pytest

from qtwin.aqc import compile_mps, compile_sweep, tebd_target
from qtwin.circuits import xxz_chain
from qtwin.circuits.trotter import trotter_circuit


def test_sweep_equals_local(client1: object, client2: object) -> None:
    hams = [xxz_chain(4, delta=x) for x in (0.5, 1.0, 1.5)]
    targets = [tebd_target(h, 0.3) for h in hams]
    circuits = [trotter_circuit(h, 0.3, 1, initial_state="neel") for h in hams]
    local = compile_sweep(targets, circuits, maxiter=4, progress=False)
    direct = compile_mps(targets[1], circuits[1], maxiter=4, progress=False)
    assert local[1].fidelity == direct.fidelity
    np.testing.assert_array_equal(local[1].parameters, direct.parameters)
    for client in (client1, client2):
        got = compile_sweep(targets, circuits, maxiter=4, cluster=client, progress=False)
        for a, b in zip(local, got, strict=True):
            assert a.fidelity == b.fidelity
            np.testing.assert_array_equal(a.parameters, b.parameters)


def test_sweep_errors() -> None:
    with pytest.raises(ValueError, match="targets"):
        compile_sweep([], None)
    t = [tebd_target(xxz_chain(4), 0.1)] * 2
    with pytest.raises(ValueError, match="ansatz"):
        compile_sweep(t, [None], progress=False)
    with pytest.raises(ValueError, match="checkpoint"):
        compile_sweep(t, None, checkpoint="x.npz")
