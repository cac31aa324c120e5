r"""Exact fidelities of a channel and its exact RB decays, one per Clifford irrep.

Entanglement and average gate fidelity of :math:`\Lambda` with respect to a target unitary
:math:`U` (default the identity), in Liouville form (:mod:`qtwin.rb.channels`):

.. math::

    F_e = \frac{\mathrm{tr}\,(L(U)^\dagger L(\Lambda))}{d^2}, \qquad
    F_{\rm avg} = \frac{d F_e + 1}{d + 1}.

**Clifford irreps.** The single-qudit Clifford group acts on operators by
:math:`C D(v) C^\dagger \propto D(Sv)`, and :math:`SL(2, \mathbb{Z}_d)` preserves the
"order" :math:`g = \gcd(v_1, v_2, d)` of a label. The operator space splits into the trivial
irrep :math:`\mathrm{span}\{I\}` and, for each proper divisor :math:`g` of ``d`` (``g < d``),

.. math::

    \sigma_g = \mathrm{span}\{D(v) : \gcd(v_1, v_2, d) = g\},
    \qquad d_{\sigma_g} = J_2(d/g) = (d/g)^2\prod_{p | d/g}(1 - p^{-2})

(Jordan's totient; :math:`\sum_g J_2(d/g) = d^2 - 1`). They are pairwise inequivalent, so
by Schur's lemma the Clifford twirl of any trace-preserving :math:`\Lambda` is

.. math::

    \mathbb{E}_{C}\, L(C)^\dagger L(\Lambda) L(C) = P_0 + \sum_\sigma f_\sigma P_\sigma,
    \qquad f_\sigma = \frac{\mathrm{tr}(P_\sigma L(\Lambda))}{d_\sigma},
    \qquad P_\sigma = \frac1d \sum_{v\in\sigma} |D(v)\rangle\rangle\langle\langle D(v)|,

and :math:`F_{\rm avg} = (d + 1 + \sum_\sigma d_\sigma f_\sigma)/(d(d+1))`. For prime ``d``
there is one irrep (``g = 1``) and :math:`F_{\rm avg} = f + (1 - f)/d`.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import numpy as np

from qtwin._validation import check_positive_int, check_unitary
from qtwin.designs.weyl import weyl_heisenberg, wh_labels
from qtwin.rb.channels import Channel

__all__ = [
    "CliffordIrrep",
    "clifford_irreps",
    "irrep_projector",
    "wh_characters",
    "rb_decays",
    "entanglement_fidelity",
    "average_gate_fidelity",
    "fidelity_from_decays",
    "jordan_totient2",
]


def jordan_totient2(n: int) -> int:
    r"""Jordan's totient :math:`J_2(n) = n^2\prod_{p|n}(1 - p^{-2})` (``J_2(1) = 1``).

    Example:
        >>> [jordan_totient2(n) for n in range(1, 7)]
        [1, 3, 8, 12, 24, 24]
    """
    n = check_positive_int(n, "n")
    out, m, p = n * n, n, 2
    while p * p <= m:
        if m % p == 0:
            out = out // (p * p) * (p * p - 1)
            while m % p == 0:
                m //= p
        p += 1
    if m > 1:
        out = out // (m * m) * (m * m - 1)
    return out


@dataclass(frozen=True)
class CliffordIrrep:
    r"""One non-trivial irrep :math:`\sigma_g` of the Clifford adjoint action.

    Attributes:
        d: local dimension.
        g: the proper divisor of ``d`` (labels with :math:`\gcd(v_1, v_2, d) = g`).
        dim: :math:`d_\sigma = J_2(d/g)`.
        labels: indices (rows of :func:`qtwin.designs.weyl.wh_labels`) spanning it.
    """

    d: int
    g: int
    dim: int
    labels: tuple[int, ...]


def clifford_irreps(d: int) -> tuple[CliffordIrrep, ...]:
    """The non-trivial Clifford irreps, one per proper divisor ``g`` of ``d``, ``g`` increasing.

    Example:
        >>> [(s.g, s.dim) for s in clifford_irreps(6)]
        [(1, 24), (2, 8), (3, 3)]
        >>> [(s.g, s.dim) for s in clifford_irreps(5)]
        [(1, 24)]
    """
    d = check_positive_int(d, "d", minimum=2)
    return _irreps(d)


@functools.cache
def _irreps(d: int) -> tuple[CliffordIrrep, ...]:
    lab = wh_labels(d)
    order = np.gcd(np.gcd(lab[:, 0], lab[:, 1]), d)  # gcd(0, 0, d) = d: the identity
    out = []
    for g in range(1, d):
        if d % g:
            continue
        idx = tuple(int(i) for i in np.flatnonzero(order == g))
        out.append(CliffordIrrep(d, g, jordan_totient2(d // g), idx))
    return tuple(out)


def _check_irrep(irrep: CliffordIrrep, d: int) -> CliffordIrrep:
    if not isinstance(irrep, CliffordIrrep) or irrep.d != d:
        raise ValueError(f"irrep must be one of clifford_irreps({d}), got {irrep!r}")
    return irrep


@functools.cache
def _wh_vecs(d: int) -> np.ndarray:
    out = weyl_heisenberg(d).reshape(d * d, d * d)  # rows: row-major vec(D_v)
    out.setflags(write=False)
    return out


def irrep_projector(irrep: CliffordIrrep) -> np.ndarray:
    r"""Liouville projector onto an irrep.

    :math:`P_\sigma = \frac1d\sum_{v\in\sigma}|D(v)\rangle\rangle\langle\langle D(v)|`.

    Example:
        >>> s = clifford_irreps(4)[1]
        >>> P = irrep_projector(s)
        >>> bool(np.allclose(P @ P, P)), round(float(np.trace(P).real))
        (True, 3)
    """
    if not isinstance(irrep, CliffordIrrep):
        raise TypeError(f"irrep must be a CliffordIrrep, got {type(irrep).__name__}")
    d = irrep.d
    vecs = _wh_vecs(d)[list(irrep.labels)]
    return vecs.T @ vecs.conj() / d


def wh_characters(irrep: CliffordIrrep) -> np.ndarray:
    r"""Characters :math:`\chi_\sigma(u) = \mathrm{tr}(P_\sigma L(D(u)))` for all labels ``u``.

    Since :math:`D(u)D(v)D(u)^\dagger = \omega^{-[u, v]}D(v)`,
    :math:`\chi_\sigma(u) = \sum_{v\in\sigma}\omega^{-[u,v]}`, which is real (``sigma`` is
    closed under :math:`v\mapsto -v`) and obeys the orthogonality
    :math:`\frac{1}{d^2}\sum_u \chi_\sigma(u)\,\omega^{[u,v]} = [v\in\sigma]`.

    Returns:
        ``(d*d,)`` float array in the order of :func:`qtwin.designs.weyl.wh_labels`.

    Example:
        >>> wh_characters(clifford_irreps(2)[0]).tolist()
        [3.0, -1.0, -1.0, -1.0]
    """
    if not isinstance(irrep, CliffordIrrep):
        raise TypeError(f"irrep must be a CliffordIrrep, got {type(irrep).__name__}")
    d = irrep.d
    lab = wh_labels(d)
    v = lab[list(irrep.labels)]
    form = (lab[:, None, 0] * v[None, :, 1] - lab[:, None, 1] * v[None, :, 0]) % d
    chi = np.exp(-2j * np.pi * form / d).sum(axis=1)
    return np.round(chi.real, 12) + 0.0


def _check_channel(channel: object) -> Channel:
    if not isinstance(channel, Channel):
        raise TypeError(
            f"channel must be a qtwin.rb.channels.Channel, got {type(channel).__name__}"
        )
    return channel


def rb_decays(channel: Channel) -> dict[int, float]:
    r"""Exact decays :math:`f_\sigma = \mathrm{tr}(P_\sigma L(\Lambda))/d_\sigma`, keyed by ``g``.

    These are the decay rates that standard and character RB estimate under the
    gate-independent noise ``channel``.

    Example:
        >>> from qtwin.rb.channels import depolarizing
        >>> {g: round(f, 12) for g, f in rb_decays(depolarizing(6, 0.1)).items()}
        {1: 0.9, 2: 0.9, 3: 0.9}
    """
    ch = _check_channel(channel)
    d = ch.d
    vecs = _wh_vecs(d)
    # <<D_v| L |D_v>> / d for every label, then averaged over each irrep
    diag = np.einsum("vi,ij,vj->v", vecs.conj(), ch.superop, vecs).real / d
    return {s.g: float(diag[list(s.labels)].sum() / s.dim) for s in _irreps(d)}


def entanglement_fidelity(channel: Channel, target: np.ndarray | None = None) -> float:
    r"""Entanglement fidelity :math:`\mathrm{tr}(L(U)^\dagger L(\Lambda))/d^2` (``U`` = ``target``).

    Example:
        >>> from qtwin.rb.channels import depolarizing
        >>> round(entanglement_fidelity(depolarizing(3, 0.3)), 12)   # 1 - p (d^2 - 1)/d^2
        0.733333333333
    """
    ch = _check_channel(channel)
    d = ch.d
    sup = ch.superop
    if target is not None:
        u = np.asarray(target, dtype=np.complex128)
        if u.shape != (d, d):
            raise ValueError(f"target must have shape ({d}, {d}), got {u.shape}")
        check_unitary(u, "target")
        sup = np.kron(u, u.conj()).conj().T @ sup
    return float(np.trace(sup).real / d**2)


def average_gate_fidelity(channel: Channel, target: np.ndarray | None = None) -> float:
    r"""Average gate fidelity :math:`F_{\rm avg} = (d F_e + 1)/(d + 1)` with respect to ``target``.

    Equals :math:`\int d\psi\,\langle\psi|U^\dagger\Lambda(|\psi\rangle\langle\psi|)U|\psi\rangle`
    (Horodecki–Nielsen).

    Example:
        >>> from qtwin.rb.channels import depolarizing
        >>> round(average_gate_fidelity(depolarizing(2, 0.3)), 12)   # 1 - p (d - 1)/d
        0.85
    """
    ch = _check_channel(channel)
    fe = entanglement_fidelity(ch, target)
    return (ch.d * fe + 1) / (ch.d + 1)


def fidelity_from_decays(d: int, decays: dict[int, float] | np.ndarray) -> float | np.ndarray:
    r"""Average gate fidelity from decays: :math:`(d + 1 + \sum_\sigma d_\sigma f_\sigma)/(d(d+1))`.

    Args:
        d: local dimension.
        decays: mapping ``g -> f_g`` over all proper divisors, or an array whose last axis
            lists :math:`f_\sigma` in the order of :func:`clifford_irreps` (batches allowed).

    Example:
        >>> from qtwin.rb.channels import amplitude_damping_cascade as ad
        >>> ch = ad(6, 0.05)
        >>> bool(np.isclose(fidelity_from_decays(6, rb_decays(ch)), average_gate_fidelity(ch)))
        True
    """
    d = check_positive_int(d, "d", minimum=2)
    irr = _irreps(d)
    dims = np.array([s.dim for s in irr], dtype=float)
    if isinstance(decays, dict):
        if set(decays) != {s.g for s in irr}:
            raise ValueError(
                f"decays must have keys {[s.g for s in irr]} (proper divisors of d={d}), "
                f"got {sorted(decays)}"
            )
        f = np.array([decays[s.g] for s in irr], dtype=float)
        return float((d + 1 + dims @ f) / (d * (d + 1)))
    f = np.asarray(decays, dtype=float)
    if f.shape[-1:] != (len(irr),):
        raise ValueError(f"decays must have last axis {len(irr)} for d={d}, got shape {f.shape}")
    return (d + 1 + f @ dims) / (d * (d + 1))
