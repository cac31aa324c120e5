r"""The parametrized gates of AQC ansätze, batched in torch, and their 3-CNOT circuits.

One-qubit block (Euler ZXZ, three angles, any :math:`SU(2)` element):

.. math::

    R(\alpha, \beta, \gamma) = R_z(\gamma)\, R_x(\beta)\, R_z(\alpha),
    \qquad R_P(\theta) = e^{-i\theta P/2}.

Two-qubit block (KAK / Cartan form, nine angles): the canonical gate followed by a ZXZ
rotation on each qubit,

.. math::

    B = \big(R_{\text{hi}} \otimes R_{\text{lo}}\big)\, N(a, b, c), \qquad
    N(a, b, c) = e^{i (a XX + b YY + c ZZ)}.

Every two-qubit unitary is, up to a global phase, :math:`(A_1 \otimes A_0) N (B_1 \otimes B_0)`
(the KAK decomposition); the trailing local gates :math:`B` of one block are absorbed by the
rotations before it, so a chain of blocks plus one leading ZXZ layer covers every circuit of the
same connectivity. :math:`N` is diagonal in the Bell basis, in closed form

.. math::

    N = \begin{pmatrix}
    e^{ic}\cos(a-b) & 0 & 0 & i e^{ic}\sin(a-b) \\
    0 & e^{-ic}\cos(a+b) & i e^{-ic}\sin(a+b) & 0 \\
    0 & i e^{-ic}\sin(a+b) & e^{-ic}\cos(a+b) & 0 \\
    i e^{ic}\sin(a-b) & 0 & 0 & e^{ic}\cos(a-b)
    \end{pmatrix},

and symmetric under exchange of the two qubits. On hardware :math:`N` costs three CNOTs
(:func:`append_canonical`, Vatan & Williams, PRA 69, 032315 (2004)).

Gate tensors use the site-ordered layout of :mod:`qtwin.aqc.network`: ``(o_lo, o_hi, i_lo,
i_hi)`` for a two-qubit gate on qubits ``lo < hi`` (outputs first), ``(o, i)`` for one qubit.

Example:
    >>> import torch
    >>> g = canonical_gate(torch.tensor([[0.1, 0.2, 0.3]], dtype=torch.float64))
    >>> g.shape, bool(torch.allclose(g[0] @ g[0].conj().T, torch.eye(4, dtype=g.dtype)))
    (torch.Size([1, 4, 4]), True)
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import torch
from qiskit import QuantumCircuit
from qiskit.circuit import ParameterExpression

__all__ = ["zxz_gate", "canonical_gate", "kak_block_tensor", "append_canonical", "append_zxz"]


def zxz_gate(angles: torch.Tensor) -> torch.Tensor:
    r""":math:`R_z(\gamma) R_x(\beta) R_z(\alpha)` for a batch of angles ``(..., 3)`` =
    ``(alpha, beta, gamma)``; returns ``(..., 2, 2)`` complex.

    Example:
        >>> import torch
        >>> u = zxz_gate(torch.tensor([0.0, math.pi, 0.0], dtype=torch.float64))
        >>> torch.round(u.abs(), decimals=12).tolist()
        [[0.0, 1.0], [1.0, 0.0]]
    """
    a, b, c = angles.unbind(-1)
    cdt = torch.complex128 if angles.dtype == torch.float64 else torch.complex64
    cb, sb = torch.cos(b / 2).to(cdt), torch.sin(b / 2).to(cdt)
    # Rz(g) Rx(b) Rz(a): entries e^{-i(a+g)/2} cb, -i e^{i(a-g)/2} sb, ...
    e_pp = torch.polar(torch.ones_like(a), -(a + c) / 2)
    e_pm = torch.polar(torch.ones_like(a), (a - c) / 2)
    u00 = e_pp * cb
    u01 = -1j * e_pm * sb
    u10 = -1j * e_pm.conj() * sb
    u11 = e_pp.conj() * cb
    return torch.stack([torch.stack([u00, u01], -1), torch.stack([u10, u11], -1)], -2)


def canonical_gate(abc: torch.Tensor) -> torch.Tensor:
    r""":math:`N(a, b, c) = e^{i(aXX + bYY + cZZ)}` for a batch ``(..., 3)``; returns
    ``(..., 4, 4)`` (the same matrix in either qubit order)."""
    a, b, c = abc.unbind(-1)
    cdt = torch.complex128 if abc.dtype == torch.float64 else torch.complex64
    ep = torch.polar(torch.ones_like(c), c)
    cm, sm = torch.cos(a - b).to(cdt), torch.sin(a - b).to(cdt)
    cp, sp = torch.cos(a + b).to(cdt), torch.sin(a + b).to(cdt)
    z = torch.zeros_like(ep)
    d0, o0 = ep * cm, 1j * ep * sm
    d1, o1 = ep.conj() * cp, 1j * ep.conj() * sp
    rows = [
        torch.stack([d0, z, z, o0], -1),
        torch.stack([z, d1, o1, z], -1),
        torch.stack([z, o1, d1, z], -1),
        torch.stack([o0, z, z, d0], -1),
    ]
    return torch.stack(rows, -2)


def kak_block_tensor(params: torch.Tensor) -> torch.Tensor:
    r"""Two-qubit blocks from ``(B, 9)`` angles ``(a, b, c, lo_zxz[3], hi_zxz[3])``.

    Returns ``(B, 2, 2, 2, 2)`` tensors in the site-ordered layout ``(o_lo, o_hi, i_lo, i_hi)``
    of :math:`(R_{\text{hi}} \otimes R_{\text{lo}}) N(a, b, c)`.
    """
    n = canonical_gate(params[:, 0:3]).reshape(-1, 2, 2, 2, 2)  # symmetric: any order
    r_lo = zxz_gate(params[:, 3:6])
    r_hi = zxz_gate(params[:, 6:9])
    return torch.einsum("bxy,bXY,byYzZ->bxXzZ", r_lo, r_hi, n)


def append_zxz(qc: QuantumCircuit, angles: np.ndarray, qubit: int) -> None:
    """Append ``rz(alpha) rx(beta) rz(gamma)`` (in time order) on ``qubit``."""
    a, b, c = (_num(x) for x in angles)
    qc.rz(a, qubit)
    qc.rx(b, qubit)
    qc.rz(c, qubit)


def append_canonical(qc: QuantumCircuit, abc: np.ndarray, lo: int, hi: int) -> None:
    r"""Append :math:`N(a, b, c)` on ``(lo, hi)`` as 3 CNOTs and 5 rotations, exactly (global
    phase included in ``qc.global_phase``).

    Example:
        >>> from qiskit.quantum_info import Operator
        >>> qc = QuantumCircuit(2); append_canonical(qc, np.array([0.3, -0.7, 0.45]), 0, 1)
        >>> m = canonical_gate(torch.tensor([0.3, -0.7, 0.45], dtype=torch.float64)).numpy()
        >>> bool(np.allclose(Operator(qc).data, m))
        True
    """
    a, b, c = (_num(x) for x in abc)
    q0, q1 = lo, hi
    qc.rz(-math.pi / 2, q1)
    qc.cx(q1, q0)
    qc.rz(-2 * c - math.pi / 2, q0)
    qc.ry(2 * a + math.pi / 2, q1)
    qc.cx(q0, q1)
    qc.ry(-2 * b - math.pi / 2, q1)
    qc.cx(q1, q0)
    qc.rz(math.pi / 2, q0)
    qc.global_phase += _CANONICAL_PHASE


def _num(x: Any) -> Any:
    """A float for numbers; Qiskit ``Parameter`` expressions pass through."""
    return x if isinstance(x, ParameterExpression) else float(x)


def _canonical_phase() -> float:
    """Global phase that makes the 3-CNOT circuit equal to :math:`N` exactly."""
    from qiskit.quantum_info import Operator

    qc = QuantumCircuit(2)
    qc.rz(-math.pi / 2, 1)
    qc.cx(1, 0)
    qc.rz(-math.pi / 2, 0)
    qc.ry(math.pi / 2, 1)
    qc.cx(0, 1)
    qc.ry(-math.pi / 2, 1)
    qc.cx(1, 0)
    qc.rz(math.pi / 2, 0)
    u = Operator(qc).data  # should equal N(0,0,0) = I up to phase
    return float(-np.angle(u[0, 0]))


_CANONICAL_PHASE = _canonical_phase()
