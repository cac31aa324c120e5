r"""Sequential MPS-to-circuit compilation with staircase layers (Ran, PRA 101, 032310 (2020)).

The baseline that AQC is compared with. One layer is the exact circuit of the bond-dimension-2
truncation :math:`|\phi\rangle` of the current state: in right-canonical form each tensor
:math:`B^{[i]}_{\alpha, s, \beta}` is an isometry :math:`\alpha \mapsto (s, \beta)`, completed
to a two-qubit unitary :math:`G_i` with :math:`G_i|\alpha\rangle_i|0\rangle_{i+1} =
\sum_{s\beta} B^{[i]}_{\alpha s\beta}|s\rangle_i|\beta\rangle_{i+1}`, so the staircase
:math:`S = G_{n-1} G_{n-2} \cdots G_0` (``G_0`` on qubits 0, 1 first) prepares
:math:`|\phi\rangle` from :math:`|0\rangle`. The state is then disentangled,
:math:`|\psi\rangle \leftarrow S^\dagger|\psi\rangle`, and the next layer is built from it;
after ``K`` layers :math:`|\psi\rangle \approx S_1 S_2 \cdots S_K|0\rangle`.

Each layer is a staircase of ``n - 1`` sequential gates, so the two-qubit depth grows linearly
with ``n`` (``n - 2 + 2K`` gate layers, times 3 CNOTs per gate), unlike AQC's constant depth.

Example:
    >>> from qtwin.tensornet import MPS
    >>> from qiskit import QuantumCircuit
    >>> qc = QuantumCircuit(4); _ = qc.h(0)
    >>> for i in range(3): _ = qc.cx(i, i + 1)
    >>> res = staircase_compile(MPS.from_circuit(qc), layers=1)
    >>> round(res.fidelities[0], 10)  # a bond-2 state: one layer is exact
    1.0
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch
from qiskit import QuantumCircuit

from qtwin._threads import torch_threads
from qtwin._validation import check_positive_int
from qtwin.aqc.network import OverlapNetwork
from qtwin.aqc.targets import TargetLike, to_target_mps
from qtwin.tensornet import MPS

__all__ = ["StaircaseResult", "staircase_compile"]


@dataclass
class StaircaseResult:
    """Output of :func:`staircase_compile`.

    Attributes:
        circuit: the circuit of all layers (each gate as 3 CNOTs + rotations).
        fidelities: fidelity with the target after ``1, 2, ..., layers`` layers.
        two_qubit_depths: CNOT depth after ``1, 2, ..., layers`` layers.
        fidelity: the last entry of ``fidelities``.
        two_qubit_depth: the last entry of ``two_qubit_depths``.
    """

    circuit: QuantumCircuit
    fidelities: list[float]
    two_qubit_depths: list[int]
    fidelity: float
    two_qubit_depth: int


def _complete(cols: np.ndarray) -> np.ndarray:
    """A unitary whose first columns are the orthonormal columns ``cols`` (4 x k)."""
    k = cols.shape[1]
    u = np.zeros((4, 4), dtype=complex)
    u[:, :k] = cols
    j = k
    for e in np.eye(4, dtype=complex):  # Gram-Schmidt completion
        if j == 4:
            break
        v = e - u[:, :j] @ (u[:, :j].conj().T @ e)
        if np.linalg.norm(v) > 1e-6:
            u[:, j] = v / np.linalg.norm(v)
            j += 1
    return u


def _layer(psi: MPS) -> list[tuple[np.ndarray, tuple[int, ...]]]:
    """Gates (little-endian matrices, qubits) of one staircase for the bond-2 truncation."""
    # the bond-2 truncation, right-canonical (centre on site 0)
    phi = psi.copy().compress(max_bond=2).normalize()
    n = phi.num_sites
    gates = []
    for i in range(n - 1):
        b = phi.tensors[i].detach().cpu().numpy()  # (alpha, s, beta)
        chi_l, _, chi_r = b.shape
        bb = np.zeros((2, 2, 2), dtype=complex)
        bb[:chi_l, :, :chi_r] = b
        # G[(s, beta), (alpha, 0)] = B[alpha, s, beta]; order (o_i, o_i+1, in_i, in_i+1)
        cols = bb.reshape(2, 4).T[:, :chi_l]  # column alpha = vec(s, beta)
        u = _complete(cols)  # columns: (alpha, 0) for alpha < chi_l first
        g = np.zeros((2, 2, 2, 2), dtype=complex)  # (o_i, o_j, in_i, in_j)
        order = [(a, 0) for a in range(chi_l)] + [
            (a, c) for a in range(2) for c in range(2) if not (c == 0 and a < chi_l)
        ]
        for col, (a, c) in enumerate(order):
            g[:, :, a, c] = u[:, col].reshape(2, 2)
        m = g.transpose(1, 0, 3, 2).reshape(4, 4)  # little-endian over (i, i+1)
        gates.append((m, (i, i + 1)))
    last = phi.tensors[n - 1].detach().cpu().numpy().reshape(-1, 2)  # (alpha, s)
    u1 = np.zeros((2, 2), dtype=complex)  # u1[s, alpha] = B[alpha, s]
    u1[:, : last.shape[0]] = last.T
    if last.shape[0] == 1:
        u1[:, 1] = [-np.conj(u1[1, 0]), np.conj(u1[0, 0])]
    gates.append((u1, (n - 1,)))
    return gates


def staircase_compile(
    target: TargetLike, layers: int, *, max_bond: int | None = None
) -> StaircaseResult:
    """Ran's sequential staircase compilation of a target MPS, ``layers`` layers.

    Args:
        target: the target state (see :func:`~qtwin.aqc.to_target_mps`), normalized.
        layers: number of staircase layers, ``>= 1``.
        max_bond: bond cap while disentangling (``None``: the target's largest bond).

    Returns:
        A :class:`StaircaseResult`; fidelities are exact contractions with the target.
    """
    from qtwin.aqc.generation import ansatz_from_circuit

    layers = check_positive_int(layers, "layers")
    psi0 = to_target_mps(target)
    psi0.normalize()
    if max_bond is not None:
        max_bond = check_positive_int(max_bond, "max_bond")
    cap = max_bond if max_bond is not None else max(max(psi0.bond_dims, default=1), 2)
    all_layers: list[list[tuple[np.ndarray, tuple[int, ...]]]] = []
    fids: list[float] = []
    depths: list[int] = []
    circuit = QuantumCircuit(psi0.num_sites)
    with torch_threads(1):
        psi = psi0.copy()
        for _ in range(layers):
            gates = _layer(psi)
            all_layers.append(gates)
            for m, qubits in reversed(gates):  # psi <- S^dagger psi
                psi.apply_gate(
                    torch.as_tensor(m.conj().T), list(qubits), max_bond=cap, cutoff=1e-14
                )
            psi.normalize()
            # V = S_1 ... S_K |0>: the newest layer acts first
            ops = [g for lay in reversed(all_layers) for g in lay]
            net = OverlapNetwork(psi0.tensors, [q for _, q in ops])
            ov = net.overlap([_site(torch.as_tensor(m), q) for m, q in ops])
            fids.append(float(ov.abs().item() ** 2))
            qc = QuantumCircuit(psi0.num_sites)
            for m, q in ops:
                qc.unitary(m, list(q))
            ansatz, theta = ansatz_from_circuit(qc)
            circuit = ansatz.circuit(theta)
            depths.append(int(circuit.depth(lambda ins: ins.operation.num_qubits == 2)))
    return StaircaseResult(circuit, fids, depths, fids[-1], depths[-1])


def _site(m: torch.Tensor, qubits: tuple[int, ...]) -> torch.Tensor:
    from qtwin.aqc.network import matrix_to_site_tensor

    return matrix_to_site_tensor(m, qubits)
