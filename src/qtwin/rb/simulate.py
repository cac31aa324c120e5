r"""Exact simulation of many qudit RB sequences at once (torch, Heisenberg picture).

A sequence of Clifford indices :math:`(c_1, \dots, c_m)` (indices of
:func:`qtwin.designs.clifford.clifford_group`, :math:`U_k = D(a, b)V_S` for
``k = s*d**2 + a*d + b``) with an optional WH *character gate* :math:`D(u)` and an optional
interleaved Clifford :math:`G` is run as the physical gates

.. math::

    C_1D(u),\ [G],\ C_2,\ [G],\ \dots,\ C_m,\ [G],\ C_{\rm inv},
    \qquad C_{\rm inv} = (G C_m \cdots G C_1)^\dagger,

each followed by its noise channel, on :math:`\rho = |0\rangle\langle 0|`, and the survival
probability :math:`p = \langle 0|\rho_{\rm out}|0\rangle` is returned (the character gate is
compiled into the first Clifford, so it adds no gate and no noise; the inverse does not undo
it). With ``u = 0`` this is standard RB. In Liouville form, with gate-independent noise
:math:`\Lambda` and averaging over the Cliffords,

.. math::

    \mathbb{E}\,p(m; u) = \langle\langle E|\Lambda\,T^m L(D(u))|\rho\rangle\rangle,\qquad
    T = \mathbb{E}_C L(C)^\dagger L(\Lambda) L(C) = P_0 + \sum_\sigma f_\sigma P_\sigma

(:mod:`qtwin.rb.fidelity`). The simulation is exact: the effect
:math:`E = |0\rangle\langle 0|` is evolved backwards through the adjoint channels for all
sequences at once (``(S, d, d)`` torch tensors), and for every character gate only the
first step differs, so all ``d**2`` values of ``u`` cost one extra contraction.
Shot noise is added only when ``shots`` is given (binomial sampling of each survival).
"""

from __future__ import annotations

import functools
from typing import Literal

import numpy as np
import torch

from qtwin._validation import as_generator, check_positive_int
from qtwin.designs.clifford import _symplectic_table, clifford_group_order
from qtwin.designs.weyl import weyl_heisenberg, wh_labels
from qtwin.rb.channels import Channel, NoiseModel, NoiseSpec, as_noise_model
from qtwin.rb.fidelity import _irreps, irrep_projector, rb_decays

__all__ = [
    "clifford_unitaries",
    "clifford_index",
    "sample_sequences",
    "simulate_survival",
    "expected_survival",
]


@functools.cache
def _tables(d: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    s, v = _symplectic_table(d)
    dd = weyl_heisenberg(d)
    dd.setflags(write=False)
    code = ((s[:, 0, 0] * d + s[:, 0, 1]) * d + s[:, 1, 0]) * d + s[:, 1, 1]
    return v, dd, code


def _check_d(d: object) -> int:
    return check_positive_int(d, "d", minimum=2)


def clifford_unitaries(d: int, indices: np.ndarray) -> np.ndarray:
    r"""Unitaries :math:`U_k = D(a, b)V_S` of Clifford indices (any shape), without the full group.

    Equal to ``clifford_group(d).unitaries[indices]`` up to a global phase per element.

    Example:
        >>> from qtwin.designs.clifford import clifford_group
        >>> U, G = clifford_unitaries(3, [5, 100]), clifford_group(3).unitaries[[5, 100]]
        >>> bool(np.allclose(np.abs(np.einsum("kij,kij->k", U.conj(), G)), 3))
        True
    """
    d = _check_d(d)
    idx = np.asarray(indices)
    if idx.dtype.kind not in "iu":
        raise TypeError(f"indices must be integers, got dtype {idx.dtype}")
    n = clifford_group_order(d)
    if idx.size and (idx.min() < 0 or idx.max() >= n):
        raise ValueError(f"indices must lie in [0, {n}) for d={d}")
    v, dd, _ = _tables(d)
    return dd[idx % (d * d)] @ v[idx // (d * d)]


def clifford_index(u: np.ndarray, d: int, *, atol: float = 1e-8) -> np.ndarray:
    r"""Index ``k`` with :math:`U \propto U_k` for Clifford unitaries ``(..., d, d)``.

    The symplectic part is read off :math:`UXU^\dagger \propto D(Se_1)`,
    :math:`UZU^\dagger\propto D(Se_2)`, the shift off :math:`UV_S^\dagger\propto D(\chi)`.

    Raises:
        ValueError: a matrix that is not a Clifford unitary.

    Example:
        >>> clifford_index(clifford_unitaries(4, [7, 700]), 4).tolist()
        [7, 700]
    """
    d = _check_d(d)
    w = np.asarray(u, dtype=np.complex128)
    if w.ndim < 2 or w.shape[-2:] != (d, d):
        raise ValueError(f"u must have shape (..., {d}, {d}), got {w.shape}")
    shape = w.shape[:-2]
    w = w.reshape(-1, d, d)
    v, dd, code = _tables(d)
    lab = wh_labels(d)

    def decompose(m: np.ndarray, what: str) -> np.ndarray:
        c = np.einsum("vij,kij->kv", dd.conj(), m) / d
        best = np.argmax(np.abs(c), axis=1)
        bad = np.abs(np.abs(c[np.arange(len(best)), best]) - 1) > 1e-6 + atol
        if np.any(bad):
            raise ValueError(f"u is not a Clifford unitary ({what} is not a displacement)")
        return best

    wd = w.conj().transpose(0, 2, 1)
    col0 = lab[decompose(w @ dd[d] @ wd, "U X U^dagger")]  # D(1, 0) = X
    col1 = lab[decompose(w @ dd[1] @ wd, "U Z U^dagger")]  # D(0, 1) ~ Z
    key = ((col0[:, 0] * d + col1[:, 0]) * d + col0[:, 1]) * d + col1[:, 1]
    s_idx = np.searchsorted(code, key)
    if np.any(s_idx >= len(code)) or np.any(code[np.minimum(s_idx, len(code) - 1)] != key):
        raise ValueError("u is not a Clifford unitary (its action is not symplectic)")
    shift = decompose(w @ v[s_idx].conj().transpose(0, 2, 1), "U V_S^dagger")
    return (s_idx * d * d + shift).reshape(shape)


def sample_sequences(
    d: int, length: int, num_samples: int, seed: int | np.random.Generator | None = None
) -> np.ndarray:
    """``(num_samples, length)`` uniformly random Clifford indices.

    Example:
        >>> sample_sequences(2, 5, 3, seed=0).shape
        (3, 5)
    """
    d = _check_d(d)
    length = check_positive_int(length, "length")
    num_samples = check_positive_int(num_samples, "num_samples")
    return as_generator(seed).integers(0, clifford_group_order(d), size=(num_samples, length))


def _adjoint_noise(e: torch.Tensor, noise: NoiseModel, idx: np.ndarray) -> torch.Tensor:
    """Heisenberg step E -> Lambda^dagger(E) for effects (S, d*d) (row-major vec)."""
    if noise.gate_independent:
        return e @ torch.from_numpy(noise.fixed_superop).conj()
    sup = torch.from_numpy(noise.superops(idx))
    return torch.einsum("sji,sj->si", sup.conj(), e)


def simulate_survival(
    d: int,
    sequences: np.ndarray,
    noise: NoiseSpec | NoiseModel = None,
    *,
    characters: None | Literal["all"] | np.ndarray = None,
    interleaved: int | None = None,
    interleaved_noise: Channel | None = None,
    shots: int | None = None,
    seed: int | np.random.Generator | None = None,
) -> np.ndarray:
    r"""Survival probabilities of RB sequences, exact (or binomially sampled with ``shots``).

    Args:
        d: local dimension, ``d >= 2``.
        sequences: ``(S, m)`` Clifford indices :math:`c_1..c_m` (``m >= 1``).
        noise: ``None``, a :class:`~qtwin.rb.channels.Channel` after every gate, or
            gate-dependent noise (mapping / callable Clifford index -> Channel).
        characters: ``None`` (standard RB, ``u = 0``), ``"all"`` (every label
            ``u`` of :func:`~qtwin.designs.weyl.wh_labels`) or an integer array ``(S, K)``
            of label indices, one row per sequence.
        interleaved: Clifford index of a gate ``G`` run after every :math:`C_j`.
        interleaved_noise: channel after ``G`` (default: the noise model's for ``G``).
        shots: if given, each probability is replaced by ``Binomial(shots, p)/shots``.
        seed: seed for the shot sampling.

    Returns:
        ``(S,)`` survivals (``characters=None``) or ``(S, K)`` (``K = d**2`` for ``"all"``).

    Example:
        >>> from qtwin.rb.channels import depolarizing
        >>> seqs = sample_sequences(3, 4, 2, seed=1)
        >>> simulate_survival(3, seqs, depolarizing(3, 0.1)).round(6).tolist()  # 2/3 0.9^5 + 1/3
        [0.726993, 0.726993]
    """
    d = _check_d(d)
    seqs = np.asarray(sequences)
    if seqs.dtype.kind not in "iu" or seqs.ndim != 2 or 0 in seqs.shape:
        raise ValueError(
            f"sequences must be an (S, m) integer array with S, m >= 1, got shape {seqs.shape}"
        )
    n_group = clifford_group_order(d)
    if seqs.size and (seqs.min() < 0 or seqs.max() >= n_group):
        raise ValueError(f"sequences must hold Clifford indices in [0, {n_group}) for d={d}")
    model = as_noise_model(noise, d)
    n_seq, m = seqs.shape
    if interleaved is not None:
        interleaved = int(interleaved)
        if not 0 <= interleaved < n_group:
            raise ValueError(f"interleaved must be a Clifford index in [0, {n_group})")
    if characters is None:
        chars = np.zeros((n_seq, 1), dtype=np.int64)
    elif isinstance(characters, str):
        if characters != "all":
            raise ValueError(
                f"characters must be None, 'all' or an index array, got {characters!r}"
            )
        chars = np.broadcast_to(np.arange(d * d), (n_seq, d * d))
    else:
        chars = np.asarray(characters)
        if chars.dtype.kind not in "iu" or chars.ndim != 2 or chars.shape[0] != n_seq:
            raise ValueError(f"characters must be an integer array of shape ({n_seq}, K)")
        if chars.size and (chars.min() < 0 or chars.max() >= d * d):
            raise ValueError(f"characters must be label indices in [0, {d * d})")
    if shots is not None:
        shots = check_positive_int(shots, "shots")

    v, dd, _ = _tables(d)
    vt, ddt = torch.from_numpy(np.array(v)), torch.from_numpy(np.array(dd))

    def unit(idx: np.ndarray) -> torch.Tensor:
        it = torch.from_numpy(idx)
        return ddt[it % (d * d)] @ vt[it // (d * d)]

    def dag(x: torch.Tensor) -> torch.Tensor:
        return x.conj().transpose(-2, -1)

    g_unit = g_noise = None
    if interleaved is not None:
        g_unit = unit(np.array([interleaved]))[0]
        if interleaved_noise is None:
            g_noise = as_noise_model(Channel(d, model.superop(interleaved), None), d)
        else:
            g_noise = as_noise_model(interleaved_noise, d)
    g_idx = np.full(n_seq, interleaved if interleaved is not None else 0)

    # forward: total Clifford W = G C_m ... G C_1 (without the character gate)
    w = torch.eye(d, dtype=torch.complex128).expand(n_seq, d, d)
    for j in range(m):
        w = unit(seqs[:, j]) @ w
        if g_unit is not None:
            w = g_unit @ w
    inv = dag(w)
    # backward (Heisenberg): E = |0><0|, through the inverse and C_m .. C_2 (and C_1's G)
    e = torch.zeros(n_seq, d, d, dtype=torch.complex128)
    e[:, 0, 0] = 1
    inv_idx = clifford_index(inv.resolve_conj().numpy(), d) if not model.gate_independent else g_idx

    def step(e: torch.Tensor, u: torch.Tensor, nm: NoiseModel, idx: np.ndarray) -> torch.Tensor:
        e = _adjoint_noise(e.reshape(n_seq, d * d), nm, idx).reshape(n_seq, d, d)
        return dag(u) @ e @ u

    e = step(e, inv, model, inv_idx)
    for j in range(m - 1, -1, -1):
        if g_unit is not None:
            e = step(e, g_unit, g_noise, g_idx)
        if j > 0:
            e = step(e, unit(seqs[:, j]), model, seqs[:, j])
    first = seqs[:, 0]
    # first gate C_1 D(u) on |0><0|: D(a, b)|0> ~ |a>, so the state is C_1|a><a|C_1^dagger
    a = torch.from_numpy(np.ascontiguousarray(wh_labels(d)[chars][..., 0]))  # (S, K)
    c1 = unit(first)
    cols = torch.gather(c1, 2, a[:, None, :].expand(n_seq, d, a.shape[1]))  # C_1|a>, (S, d, K)
    if model.gate_independent:
        e = _adjoint_noise(e.reshape(n_seq, d * d), model, first).reshape(n_seq, d, d)
        out = torch.einsum("sik,sij,sjk->sk", cols.conj(), e, cols).real
    else:
        lab = wh_labels(d)
        _, _, code = _tables(d)
        s_first = first // (d * d)
        sm = _symplectic_table(d)[0][s_first]  # (S, 2, 2)
        chi = lab[first % (d * d)]  # (S, 2)
        img = (chi[:, None, :] + np.einsum("sij,skj->ski", sm, lab[chars])) % d  # (S, K, 2)
        gate_idx = s_first[:, None] * d * d + img[..., 0] * d + img[..., 1]  # C_1 D(u)
        rho = torch.einsum("sik,sjk->skij", cols, cols.conj()).reshape(-1, d * d)
        sup = torch.from_numpy(model.superops(gate_idx.reshape(-1)))
        rho = torch.einsum("nij,nj->ni", sup, rho).reshape(n_seq, -1, d * d)
        out = torch.einsum("sj,skj->sk", e.reshape(n_seq, d * d).conj(), rho).real
    p = np.clip(out.numpy(), 0.0, 1.0)
    if shots is not None:
        p = as_generator(seed).binomial(shots, p) / shots
    return p[:, 0] if characters is None else p


def expected_survival(channel: Channel, lengths: np.ndarray, *, g: int | None = None) -> np.ndarray:
    r"""Closed-form Clifford-averaged RB signal for gate-independent noise ``channel``.

    ``g=None``: standard RB, :math:`\langle\langle E|\Lambda(P_0 + \sum_\sigma f_\sigma^m
    P_\sigma)|\rho\rangle\rangle`. ``g`` a proper divisor: the character-weighted signal
    :math:`k_\sigma(m) = d_\sigma\langle\langle E|\Lambda P_\sigma|\rho\rangle\rangle
    f_\sigma^m` (see :mod:`qtwin.rb.protocols`). :math:`E = \rho = |0\rangle\langle 0|`.

    Example:
        >>> from qtwin.rb.channels import depolarizing
        >>> expected_survival(depolarizing(2, 0.1), [0, 1]).round(6).tolist()
        [0.95, 0.905]
    """
    if not isinstance(channel, Channel):
        raise TypeError(f"channel must be a Channel, got {type(channel).__name__}")
    d = channel.d
    ms = np.asarray(lengths, dtype=float)
    e = np.zeros((d, d), dtype=complex)
    e[0, 0] = 1
    left = e.reshape(-1).conj() @ channel.superop  # <<E| Lambda
    dec = rb_decays(channel)
    amps = {s.g: float((left @ irrep_projector(s) @ e.reshape(-1)).real) for s in _irreps(d)}
    if g is None:
        b = float((left @ np.eye(d).reshape(-1)).real / d)
        return b + sum(amps[k] * dec[k] ** ms for k in dec)
    irr = {s.g: s for s in _irreps(d)}
    if g not in irr:
        raise ValueError(f"g must be a proper divisor of d={d}: {sorted(irr)}, got {g!r}")
    return irr[g].dim * amps[g] * dec[g] ** ms
