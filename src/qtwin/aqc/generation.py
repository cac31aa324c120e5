r"""AQC ansätze: KAK blocks on the connectivity of a circuit, or a brickwork.

A :class:`BlockAnsatz` is a leading ZXZ rotation on every qubit followed by a sequence of
two-qubit KAK blocks (:mod:`qtwin.aqc.blocks`) on fixed qubit pairs,

.. math::

    V(\theta) = B_m(\theta_m) \cdots B_1(\theta_1)
    \Big(\bigotimes_q R(\theta^{(0)}_q)\Big),
    \qquad B_k = (R \otimes R)\,N(a_k, b_k, c_k),

with :math:`3n + 9m` real parameters. Its two-qubit depth does not depend on the number of
qubits when the pairs form a fixed number of brickwork layers.

:func:`ansatz_from_circuit` reads a (shallow Trotter) circuit: every maximal run of gates on
one qubit pair, with the one-qubit gates in between, becomes one block; each block's
4 x 4 unitary is split by the KAK (Weyl) decomposition
:math:`U = e^{i\varphi}(K_1^{hi} \otimes K_1^{lo}) N(a,b,c) (K_2^{hi} \otimes K_2^{lo})`, the
:math:`K_2` factors are pushed into the rotations before the block and the angles are read
off, so that :math:`V(\theta_0)` equals the circuit up to a global phase.

Example:
    >>> from qtwin.circuits import trotter_circuit, xxz_chain
    >>> qc = trotter_circuit(xxz_chain(4), time=0.5, steps=1, initial_state="neel")
    >>> ansatz, theta0 = ansatz_from_circuit(qc)
    >>> ansatz.num_parameters, ansatz.block_depth, ansatz.two_qubit_depth
    (39, 2, 6)
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol, runtime_checkable

import numpy as np
import torch
from qiskit import QuantumCircuit
from qiskit.circuit import ParameterVector

from qtwin._validation import as_generator, check_nonnegative_float, check_positive_int
from qtwin.aqc.blocks import append_canonical, append_zxz, kak_block_tensor, zxz_gate
from qtwin.aqc.network import matrix_to_site_tensor
from qtwin.circuits.convert import circuit_to_gates

__all__ = ["Ansatz", "BlockAnsatz", "CircuitAnsatz", "ansatz_from_circuit", "brickwork_ansatz"]


@runtime_checkable
class Ansatz(Protocol):
    """What the AQC objective needs from an ansatz (:class:`BlockAnsatz` and
    :class:`CircuitAnsatz` have it).

    ``pairs`` are the qubit pairs of the two-qubit tensors in application order;
    ``gate_tensors(theta)`` returns the bottom vectors (shape ``(n, 2)``) and one site-ordered
    tensor per pair (:mod:`qtwin.aqc.network`), differentiably in ``theta``; ``circuit(theta)``
    the bound Qiskit circuit.
    """

    num_qubits: int
    pairs: list[tuple[int, int]]

    @property
    def num_parameters(self) -> int: ...

    def gate_tensors(self, theta: torch.Tensor) -> tuple[torch.Tensor, list[torch.Tensor]]: ...

    def circuit(self, theta: np.ndarray) -> QuantumCircuit: ...


@dataclass
class BlockAnsatz:
    """Leading ZXZ layer plus KAK blocks on ``pairs`` (see the module docstring).

    Args:
        num_qubits: number of qubits.
        pairs: ``(lo, hi)`` qubit pairs (``lo < hi``) of the blocks in application order.

    Parameter layout: ``theta[3q : 3q + 3]`` is the leading ZXZ rotation of qubit ``q``; block
    ``k`` uses ``theta[3n + 9k : 3n + 9k + 9]`` = ``(a, b, c, R_lo[3], R_hi[3])``.
    """

    num_qubits: int
    pairs: list[tuple[int, int]]
    _depth: int = field(default=-1, repr=False)

    def __post_init__(self) -> None:
        self.num_qubits = check_positive_int(self.num_qubits, "num_qubits")
        clean = []
        for k, pair in enumerate(self.pairs):
            lo, hi = (int(x) for x in pair)
            if not (0 <= lo < hi < self.num_qubits):
                raise ValueError(
                    f"pairs[{k}] = {pair!r}: pairs must be (lo, hi) with "
                    f"0 <= lo < hi < {self.num_qubits}"
                )
            clean.append((lo, hi))
        self.pairs = clean

    @property
    def num_parameters(self) -> int:
        """``3 * num_qubits + 9 * len(pairs)``."""
        return 3 * self.num_qubits + 9 * len(self.pairs)

    @property
    def block_depth(self) -> int:
        """Number of block layers when blocks are scheduled as early as possible."""
        level = [0] * self.num_qubits
        for lo, hi in self.pairs:
            d = max(level[lo : hi + 1]) + 1
            for q in range(lo, hi + 1):
                level[q] = d
        return max(level, default=0)

    @property
    def two_qubit_depth(self) -> int:
        """CNOT depth of :meth:`circuit` (three CNOTs per block, in series)."""
        return 3 * self.block_depth

    def gate_tensors(self, theta: torch.Tensor) -> tuple[torch.Tensor, list[torch.Tensor]]:
        """Bottom vectors ``R_q |0>`` (shape ``(n, 2)``) and block tensors for
        :class:`~qtwin.aqc.network.OverlapNetwork` (layout ``(o_lo, o_hi, i_lo, i_hi)``)."""
        n = self.num_qubits
        lead = zxz_gate(theta[: 3 * n].reshape(n, 3))
        bottom = lead[:, :, 0]
        if not self.pairs:
            return bottom, []
        blocks = kak_block_tensor(theta[3 * n :].reshape(-1, 9))
        return bottom, list(blocks.unbind(0))

    def circuit(self, theta: Sequence[float] | np.ndarray | None = None) -> QuantumCircuit:
        """The ansatz as a Qiskit circuit of ``rz``, ``rx``, ``ry`` and ``cx`` gates.

        Args:
            theta: parameter values; ``None`` gives a circuit with a ``ParameterVector``
                named ``theta``.
        """
        if theta is None:
            values: Sequence = ParameterVector("theta", self.num_parameters)
        else:
            values = np.asarray(theta, dtype=float).reshape(-1)
            if values.shape[0] != self.num_parameters:
                raise ValueError(
                    f"theta has {values.shape[0]} values, the ansatz has "
                    f"{self.num_parameters} parameters"
                )
        n = self.num_qubits
        qc = QuantumCircuit(n, name="aqc_ansatz")
        for q in range(n):
            append_zxz(qc, values[3 * q : 3 * q + 3], q)
        for k, (lo, hi) in enumerate(self.pairs):
            p = values[3 * n + 9 * k : 3 * n + 9 * k + 9]
            append_canonical(qc, p[0:3], lo, hi)
            append_zxz(qc, p[3:6], lo)
            append_zxz(qc, p[6:9], hi)
        return qc


class CircuitAnsatz:
    """A parametrized Qiskit circuit used as it is (gates evaluated by qtwin.circuits).

    What :func:`~qtwin.aqc.compile_mps` makes of a ``QuantumCircuit`` with free parameters;
    ``theta`` follows ``qc.parameters`` order.

    Its gates are fused, differentiably, into the same shape as a :class:`BlockAnsatz`: one
    4 x 4 block per maximal run of gates on a qubit pair (one-qubit gates absorbed into the
    last block on their qubit) and a leading one-qubit gate per qubit, so the exact
    contraction sees one tensor per block whatever the circuit's gate decomposition.
    """

    def __init__(self, qc: QuantumCircuit) -> None:
        self.qc = qc
        self.num_qubits = qc.num_qubits
        self.num_parameters = qc.num_parameters
        ops, _ = circuit_to_gates(qc, np.zeros(qc.num_parameters))
        self.pairs: list[tuple[int, int]] = []
        self.plan: list[tuple[str, int, int]] = []  # (kind, target, qubit side or -1)
        last: list[int | None] = [None] * self.num_qubits
        for op in ops:
            if len(op.qubits) == 1:
                q = op.qubits[0]
                if last[q] is None:
                    self.plan.append(("lead", q, -1))
                else:
                    b = last[q]
                    self.plan.append(("b1", b, 0 if self.pairs[b][0] == q else 1))
            elif len(op.qubits) == 2:
                p, r = op.qubits
                if last[p] is not None and last[p] == last[r]:
                    b = last[p]
                else:
                    self.pairs.append((min(p, r), max(p, r)))
                    b = last[p] = last[r] = len(self.pairs) - 1
                self.plan.append(("b2", b, 0 if p < r else 1))
            else:
                raise ValueError(
                    f"the ansatz has a gate {op.name!r} on {len(op.qubits)} qubits; only one- "
                    "and two-qubit gates are supported"
                )

    def gate_tensors(self, theta: torch.Tensor) -> tuple[torch.Tensor, list[torch.Tensor]]:
        ops, _ = circuit_to_gates(self.qc, list(theta.unbind(0)))
        dtype, device = ops[0].matrix.dtype if ops else torch.complex128, theta.device
        eye2 = torch.eye(2, dtype=dtype, device=device)
        lead = [eye2] * self.num_qubits
        blocks: list[torch.Tensor] = [torch.eye(4, dtype=dtype, device=device)] * len(self.pairs)
        for op, (kind, k, side) in zip(ops, self.plan, strict=True):
            m = op.matrix.to(dtype)
            if kind == "lead":
                lead[k] = m @ lead[k]
            elif kind == "b1":  # little-endian over (lo, hi): lo is the right factor
                full = torch.kron(eye2, m) if side == 0 else torch.kron(m, eye2)
                blocks[k] = full @ blocks[k]
            else:
                if side == 1:  # listed (hi, lo): reorder to little-endian over (lo, hi)
                    m = m.reshape(2, 2, 2, 2).permute(1, 0, 3, 2).reshape(4, 4)
                blocks[k] = m @ blocks[k]
        bottom = torch.stack([u[:, 0] for u in lead])
        tensors = [
            matrix_to_site_tensor(b, pair) for b, pair in zip(blocks, self.pairs, strict=True)
        ]
        return bottom, tensors

    def circuit(self, theta: np.ndarray) -> QuantumCircuit:
        return self.qc.assign_parameters(np.asarray(theta, dtype=float))


def brickwork_ansatz(
    num_qubits: int,
    layers: int,
    *,
    seed: int | np.random.Generator | None = None,
    scale: float = 0.1,
) -> tuple[BlockAnsatz, np.ndarray]:
    """A brickwork of ``layers`` block layers (even bonds first) and a random initial point.

    Args:
        num_qubits: number of qubits, ``>= 2``.
        layers: number of block layers, ``>= 1``.
        seed: seed of the initial angles (normal, standard deviation ``scale``).
        scale: spread of the initial angles.

    Example:
        >>> ansatz, theta0 = brickwork_ansatz(5, 3, seed=0)
        >>> ansatz.pairs
        [(0, 1), (2, 3), (1, 2), (3, 4), (0, 1), (2, 3)]
    """
    n = check_positive_int(num_qubits, "num_qubits", minimum=2)
    layers = check_positive_int(layers, "layers")
    scale = check_nonnegative_float(scale, "scale")
    pairs = [(i, i + 1) for lay in range(layers) for i in range(lay % 2, n - 1, 2)]
    ansatz = BlockAnsatz(n, pairs)
    theta0 = as_generator(seed).normal(scale=scale, size=ansatz.num_parameters)
    return ansatz, theta0


def ansatz_from_circuit(qc: QuantumCircuit) -> tuple[BlockAnsatz, np.ndarray]:
    """Blocks on the connectivity of ``qc`` and the angles that reproduce it.

    Args:
        qc: a circuit without free parameters, measurements or gates on three or more qubits
            (a shallow Trotter circuit from :func:`qtwin.circuits.trotter_circuit`, say).

    Returns:
        ``(ansatz, theta0)`` with ``ansatz.circuit(theta0)`` equal to ``qc`` up to a global
        phase.

    Raises:
        TypeError: ``qc`` is not a QuantumCircuit.
        ValueError: free parameters, or a gate on more than two qubits.
    """
    from qiskit.synthesis import OneQubitEulerDecomposer, TwoQubitWeylDecomposition

    from qtwin.circuits.convert import circuit_to_gates

    if not isinstance(qc, QuantumCircuit):
        raise TypeError(f"qc must be a qiskit QuantumCircuit, got {type(qc).__name__}")
    if qc.parameters:
        raise ValueError(
            "qc has free parameters: bind them first, or pass the parametrized circuit itself "
            "as the ansatz of compile_mps"
        )
    ops, _ = circuit_to_gates(qc)
    n = qc.num_qubits
    lead = [np.eye(2, dtype=complex) for _ in range(n)]
    blocks: list[list] = []  # [lo, hi, 4x4 matrix little-endian over (lo, hi)]
    last: list[int | None] = [None] * n
    for op in ops:
        m = op.matrix.detach().cpu().numpy()
        if len(op.qubits) == 1:
            q = op.qubits[0]
            if last[q] is None:
                lead[q] = m @ lead[q]
            else:
                b = blocks[last[q]]
                full = np.kron(np.eye(2), m) if q == b[0] else np.kron(m, np.eye(2))
                b[2] = full @ b[2]
        elif len(op.qubits) == 2:
            p, r = op.qubits
            lo, hi = min(p, r), max(p, r)
            t = m.reshape(2, 2, 2, 2)
            if p > r:  # reorder to little-endian over (lo, hi)
                t = t.transpose(1, 0, 3, 2)
            m = t.reshape(4, 4)
            if last[p] is not None and last[p] == last[r]:
                blocks[last[p]][2] = m @ blocks[last[p]][2]
            else:
                blocks.append([lo, hi, m])
                last[p] = last[r] = len(blocks) - 1
        else:
            raise ValueError(
                f"qc has a gate {op.name!r} on {len(op.qubits)} qubits; transpile it to one- "
                "and two-qubit gates first"
            )
    ansatz = BlockAnsatz(n, [(b[0], b[1]) for b in blocks])
    # rotations: slot ("lead", q) or (k, 0 = lo / 1 = hi); slot[q] = current last slot on q
    rot: dict[tuple, np.ndarray] = {("lead", q): lead[q] for q in range(n)}
    slot: list[tuple] = [("lead", q) for q in range(n)]
    kak: list[np.ndarray] = []
    for k, (lo, hi, m) in enumerate(blocks):
        d = _weyl(m, TwoQubitWeylDecomposition)
        kak.append(np.array([d.a, d.b, d.c]))
        rot[slot[lo]] = d.K2r @ rot[slot[lo]]
        rot[slot[hi]] = d.K2l @ rot[slot[hi]]
        rot[(k, 0)], rot[(k, 1)] = d.K1r, d.K1l
        slot[lo], slot[hi] = (k, 0), (k, 1)
    euler = OneQubitEulerDecomposer("ZXZ")

    def angles(u: np.ndarray) -> list[float]:
        theta, phi, lam = euler.angles(u)
        return [lam, theta, phi]

    theta0 = [a for q in range(n) for a in angles(rot[("lead", q)])]
    for k in range(len(blocks)):
        theta0 += list(kak[k]) + angles(rot[(k, 0)]) + angles(rot[(k, 1)])
    return ansatz, np.asarray(theta0, dtype=float)


def _weyl(m: np.ndarray, decomposition: type) -> Any:
    """KAK of ``m`` after projecting it to the nearest unitary (polar factor); Qiskit's Weyl
    decomposition can fail on nearly degenerate inputs (Qiskit issue 4159), so on failure the
    input is rotated by a tiny known phase on both qubits and the rotation undone afterwards.
    """
    w, _, vh = np.linalg.svd(m)
    u = w @ vh
    try:
        return decomposition(u)
    except Exception:  # noqa: BLE001 - QiskitError "failed to diagonalize M2"
        eps = 1e-7
        rz = np.diag([np.exp(-0.5j * eps), np.exp(0.5j * eps)])
        d = decomposition(u @ np.kron(rz, rz))
        d.K2l = d.K2l @ rz.conj().T
        d.K2r = d.K2r @ rz.conj().T
        return d
