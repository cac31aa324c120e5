r"""Expectation values on an MPS in mixed canonical form, touching only each term's support.

With the orthogonality centre moved to the first site ``lo`` of a term, everything left of
``lo`` is left-isometric and everything right of its last site ``hi`` right-isometric, so

.. math::

    \langle\psi|O|\psi\rangle = \operatorname{tr} \prod_{i=lo}^{hi} E_i,
    \qquad E_i = \sum_{s, s'} \bar A^{[i]}_{s} \otimes O_{s s'} A^{[i]}_{s'},

at cost :math:`O((hi - lo + 1)\,\chi^3 d)` per term. Pauli strings factorize site by site;
general local operators (qudits) are applied to the contracted block of their span. Terms are
sorted by ``lo`` so the centre sweeps once from left to right.

These functions back :meth:`qtwin.tensornet.MPS.expectation`; call that. They use only the
public face of the state (:class:`CanonicalState`: ``canonicalize``, ``tensors``,
``norm_squared``, ``check_site``), so this module does not import :mod:`qtwin.tensornet.mps`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol, runtime_checkable

import numpy as np
import torch

from qtwin._validation import check_finite
from qtwin.circuits.gates import pauli_matrix, permute_wires

__all__ = ["CanonicalState", "pauli_expectation", "local_expectation"]


@runtime_checkable
class CanonicalState(Protocol):
    """What the expectation values need from a state (:class:`qtwin.tensornet.MPS` has it)."""

    @property
    def num_sites(self) -> int: ...

    @property
    def dims(self) -> tuple[int, ...]: ...

    @property
    def dtype(self) -> torch.dtype: ...

    @property
    def device(self) -> torch.device: ...

    @property
    def tensors(self) -> list[torch.Tensor]: ...

    def canonicalize(self, center: int) -> Any: ...

    def norm_squared(self) -> Any: ...

    def check_site(self, s: Any, name: str = "site") -> int: ...


_MAX_SPAN = 2**16


def pauli_expectation(psi: CanonicalState, op: Any) -> torch.Tensor:
    """Normalized :math:`\\langle\\psi|O|\\psi\\rangle` of a ``SparsePauliOp`` ``op``."""
    if op.num_qubits != psi.num_sites:
        raise ValueError(f"op acts on {op.num_qubits} qubits but the MPS has {psi.num_sites} sites")
    bad = [i for i, d in enumerate(psi.dims) if d != 2]
    if bad:
        raise ValueError(f"Pauli operators need qubit sites; sites {bad[:5]} are not dimension 2")
    norm2 = _norm_squared(psi)
    terms = []
    for label, coeff in op.label_iter():
        support = [q for q in range(psi.num_sites) if label[-1 - q] != "I"]
        terms.append((coeff, {q: label[-1 - q] for q in support}))
    terms.sort(key=lambda t: min(t[1], default=0))
    mats = {p: torch.as_tensor(pauli_matrix(p), dtype=psi.dtype, device=psi.device) for p in "XYZ"}
    total: Any = 0.0
    for coeff, paulis in terms:
        if not paulis:
            total = total + coeff * norm2
            continue
        lo, hi = min(paulis), max(paulis)
        psi.canonicalize(lo)
        env = None
        for i in range(lo, hi + 1):
            a = psi.tensors[i]
            oa = torch.matmul(mats[paulis[i]], a) if i in paulis else a
            env = _transfer(env, a, oa)
        total = total + coeff * torch.diagonal(env).sum()
    return total / norm2


def local_expectation(
    psi: CanonicalState, terms: Sequence[tuple[Any, Sequence[int]]]
) -> torch.Tensor:
    """Sum of :math:`\\langle O_j \\rangle` over ``(matrix, sites)`` pairs (little-endian)."""
    norm2 = _norm_squared(psi)
    total: Any = 0.0
    for j, term in enumerate(terms):
        if not (isinstance(term, tuple) and len(term) == 2):
            raise TypeError(f"op[{j}] must be a (matrix, sites) pair")
        matrix, sites = term
        sites = tuple(psi.check_site(s, f"op[{j}] sites") for s in sites)
        if len(set(sites)) != len(sites):
            raise ValueError(f"op[{j}] sites must be distinct, got {sites}")
        m = torch.as_tensor(matrix if isinstance(matrix, torch.Tensor) else np.asarray(matrix))
        m = m.to(dtype=psi.dtype, device=psi.device)
        site_dims = [psi.dims[s] for s in sites]
        dim = int(np.prod(site_dims))
        if m.shape != (dim, dim):
            raise ValueError(
                f"op[{j}] matrix has shape {tuple(m.shape)}; sites {sites} need ({dim}, {dim})"
            )
        check_finite(m, f"op[{j}] matrix")
        lo, hi = min(sites), max(sites)
        span = int(np.prod(psi.dims[lo : hi + 1]))
        if span > _MAX_SPAN:
            raise ValueError(
                f"op[{j}] spans sites {lo}..{hi} ({span} states); keep it under {_MAX_SPAN}"
            )
        psi.canonicalize(lo)
        theta = psi.tensors[lo]
        for i in range(lo + 1, hi + 1):
            theta = torch.tensordot(theta, psi.tensors[i], dims=1)
        ordered = sorted(sites)
        k = len(sites)
        # row-major over the sorted sites: axes (out_0..out_{k-1}, in_0..in_{k-1})
        g = permute_wires(m, site_dims, sites, ordered[::-1])
        g = g.reshape(tuple(psi.dims[s] for s in ordered) * 2)
        axes = [1 + s - lo for s in ordered]
        out = torch.tensordot(g, theta, dims=(list(range(k, 2 * k)), axes))
        out = torch.movedim(out, list(range(k)), axes)
        total = total + torch.sum(theta.conj() * out)
    return total / norm2


def _norm_squared(psi: CanonicalState) -> torch.Tensor:
    """:math:`\\langle\\psi|\\psi\\rangle` as a real tensor of the state's precision (a plain
    float would become float32 in torch and cost the sum its last digits)."""
    return torch.as_tensor(psi.norm_squared(), dtype=psi.dtype.to_real(), device=psi.device)


def _transfer(env: torch.Tensor | None, a: torch.Tensor, oa: torch.Tensor) -> torch.Tensor:
    """One step of :math:`E' = \\sum A^* E (O A)`; ``None`` is the identity environment."""
    if env is None:
        return torch.tensordot(a.conj(), oa, dims=([0, 1], [0, 1]))
    tmp = torch.tensordot(env, oa, dims=([1], [0]))
    return torch.tensordot(a.conj(), tmp, dims=([0, 1], [0, 1]))
