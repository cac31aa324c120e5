r"""Convert matrix product states between qtwin and quimb.

Both libraries store an open-boundary MPS as one tensor per site,

.. math::

    |\psi\rangle = \sum_{s_0 \dots s_{n-1}} A^{[0]}_{s_0} \cdots A^{[n-1]}_{s_{n-1}}
    \, |s_0, \dots, s_{n-1}\rangle ,

and both call site ``i`` qubit (or qudit) ``i``, so the conversion keeps the tensors and their
site order unchanged. Only the *dense* vectors differ: qtwin (like Qiskit) is little-endian, the
basis index being :math:`\sum_i s_i \prod_{j<i} d_j`, while quimb's ``to_dense`` is big-endian
(site 0 most significant). For qubits, ``to_quimb(psi).to_dense()`` is therefore
``psi.to_dense()`` with the bits of the index reversed.

qtwin tensors have shape ``(chi_left, d, chi_right)`` with outer bonds of size 1; quimb's
``MatrixProductState`` drops the outer bonds (first and last arrays are 2-D) and this module
builds it with ``shape="lpr"`` (qtwin's own axis order).

Example:
    >>> from qiskit import QuantumCircuit
    >>> from qtwin.tensornet import MPS
    >>> qc = QuantumCircuit(3); _ = qc.x(0)
    >>> q = to_quimb(MPS.from_circuit(qc))
    >>> q.L, q.to_dense().real.ravel().round(12).tolist().index(1.0)  # |s0 s1 s2> = |100>
    (3, 4)
    >>> from_quimb(q).to_dense().real.round(decimals=12).tolist().index(1.0)  # 0b001
    1
"""

from __future__ import annotations

from typing import Any

import numpy as np
import torch

from qtwin.tensornet.mps import MPS

__all__ = ["to_quimb", "from_quimb"]


def to_quimb(mps: MPS, *, site_ind_id: str = "k{}", site_tag_id: str = "I{}") -> Any:
    """A ``quimb.tensor.MatrixProductState`` with the same tensors, site ``i`` = qubit ``i``.

    The arrays are numpy copies (detached from autograd, moved to the CPU), so the quimb state
    does not share memory with ``mps``.

    Args:
        mps: a qtwin :class:`~qtwin.tensornet.MPS` (any local dimensions).
        site_ind_id: quimb's format string of the physical indices.
        site_tag_id: quimb's format string of the site tags.

    Raises:
        TypeError: ``mps`` is not a qtwin ``MPS``.

    Example:
        >>> from qtwin.tensornet import MPS
        >>> to_quimb(MPS.zeros(4, dims=3)).phys_dim()
        3
    """
    import quimb.tensor as qtn

    if not isinstance(mps, MPS):
        raise TypeError(f"mps must be a qtwin.tensornet.MPS, got {type(mps).__name__}")
    arrays = [t.detach().cpu().resolve_conj().numpy().copy() for t in mps.tensors]
    if len(arrays) == 1:
        # one site: quimb needs at least the physical index; a (1, d, 1) tensor becomes (d,)
        return qtn.MatrixProductState(
            [arrays[0].reshape(-1)], site_ind_id=site_ind_id, site_tag_id=site_tag_id
        )
    arrays[0] = arrays[0][0]  # (d, chi_r): quimb's "pr" end
    arrays[-1] = arrays[-1][:, :, 0]  # (chi_l, d): quimb's "lp" end
    return qtn.MatrixProductState(
        arrays, shape="lpr", site_ind_id=site_ind_id, site_tag_id=site_tag_id
    )


def from_quimb(qtn_mps: Any, *, dtype: torch.dtype = torch.complex128) -> MPS:
    """A qtwin :class:`~qtwin.tensornet.MPS` from a quimb ``MatrixProductState``.

    Site ``i`` of the quimb state (tag ``site_tag_id.format(i)``) becomes site ``i`` (qubit
    ``i``); bonds are read from the indices the neighbouring tensors share, so any quimb index
    order and any bond names work. Several bonds between two sites are fused into one. The
    result is brought to canonical form around site 0 (the norm is unchanged).

    Args:
        qtn_mps: a quimb ``MatrixProductState`` (open boundary).
        dtype: ``torch.complex128`` (default) or ``torch.complex64``.

    Raises:
        TypeError: ``qtn_mps`` is not a quimb ``MatrixProductState``.
        ValueError: a periodic MPS, or a site tensor with indices that are neither its
            physical index nor bonds to its neighbours.

    Example:
        >>> import quimb.tensor as qtn
        >>> q = qtn.MPS_computational_state("011")  # quimb: site 0 is the leftmost character
        >>> from_quimb(q).to_dense().real.tolist().index(1.0)  # qubits 1, 2 set: 0b110
        6
    """
    import quimb.tensor as qtn

    if not isinstance(qtn_mps, qtn.MatrixProductState):
        raise TypeError(
            f"qtn_mps must be a quimb.tensor.MatrixProductState, got {type(qtn_mps).__name__}"
        )
    if dtype not in (torch.complex64, torch.complex128):
        raise ValueError(f"dtype must be torch.complex64 or torch.complex128, got {dtype!r}")
    if getattr(qtn_mps, "cyclic", False):
        raise ValueError("qtn_mps must be an open-boundary MPS, got a periodic (cyclic) one")
    n = qtn_mps.L
    site_tensors = [qtn_mps[qtn_mps.site_tag(i)] for i in range(n)]
    tensors = []
    for i, t in enumerate(site_tensors):
        site = qtn_mps.site_ind(i)
        left = [ix for ix in t.inds if i > 0 and ix in site_tensors[i - 1].inds]
        right = [ix for ix in t.inds if i < n - 1 and ix in site_tensors[i + 1].inds]
        extra = set(t.inds) - set(left) - set(right) - {site}
        if extra:
            raise ValueError(
                f"qtn_mps site {i} has indices {sorted(extra)} that are neither its physical "
                f"index {site!r} nor bonds to its neighbours"
            )
        arr = np.asarray(t.transpose(*left, site, *right).data)
        chi_l = int(np.prod([t.ind_size(x) for x in left]))
        chi_r = int(np.prod([t.ind_size(x) for x in right]))
        arr = arr.reshape(chi_l, t.ind_size(site), chi_r)
        tensors.append(torch.as_tensor(arr.astype(np.complex128)).to(dtype))
    out = MPS(tensors)
    out.canonicalize(0)
    return out
