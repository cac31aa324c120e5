"""OverlapNetwork: the exact contraction against dense Qiskit statevectors."""

from __future__ import annotations

import numpy as np
import torch
from qiskit import QuantumCircuit
from qiskit.quantum_info import Statevector, random_unitary

from qtwin.aqc import OverlapNetwork
from qtwin.aqc.network import matrix_to_site_tensor
from qtwin.tensornet import MPS

from ._helpers import random_state as _random_state


def test_network_overlap_matches_statevector_with_long_range_gates():
    n = 6
    psi = _random_state(n, 0)
    rng = np.random.default_rng(1)
    qc = QuantumCircuit(n)
    gates, mats = [], []
    for k in range(16):
        q = (
            (int(rng.integers(n)),)
            if k % 4 == 0
            else tuple(int(x) for x in rng.choice(n, 2, replace=False))
        )
        if k in (5, 6):  # repeated pair in both orders
            q = (2, 3) if k == 5 else (3, 2)
        u = random_unitary(2 ** len(q), seed=k).data
        qc.unitary(u, list(q))
        gates.append(q)
        mats.append(matrix_to_site_tensor(torch.tensor(u), q))
    net = OverlapNetwork(MPS.from_dense(psi).tensors, gates)
    ref = np.vdot(psi, Statevector(qc).data)
    assert abs(net.overlap(mats).item() - ref) < 1e-12
