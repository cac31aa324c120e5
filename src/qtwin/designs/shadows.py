r"""Classical shadows of qudit states measured in random local (weighted) 2-design bases.

Protocol (Huang, Kueng, Preskill, arXiv:2002.08953, for qudits). Each of ``N`` snapshots
rotates every qudit ``i`` of an ``n``-qudit state :math:`\rho` by an independent unitary
:math:`U_i` drawn from a single-qudit *measurement ensemble* and measures in the
computational basis, giving outcomes :math:`k_i`. Write
:math:`|\phi_i\rangle = U_i^\dagger|k_i\rangle`. When the states :math:`\{|\phi\rangle\}` with
weights :math:`w_U/d` form a (weighted) state 2-design, the local measurement channel is the
depolarizing map :math:`\mathcal M(X) = (X + \operatorname{tr}(X) I)/(d+1)`, whose inverse gives
the unbiased snapshot

.. math::

    \hat\rho = \bigotimes_{i=1}^n \big((d+1)\,|\phi_i\rangle\langle\phi_i| - I\big),
    \qquad \mathbb E[\hat\rho] = \rho .

For qubits this is the familiar :math:`3U^\dagger|b\rangle\langle b|U - I`. A rank-one POVM
:math:`E_j = d\,w_j|\psi_j\rangle\langle\psi_j|` built from a weighted state 2-design
:math:`\{w_j, \psi_j\}` (``ensemble="weighted"``) gives the same snapshot with
:math:`|\phi\rangle = |\psi_j\rangle`; it needs no basis structure, so it exists in every ``d``.

Measurement ensembles (``ensemble=``):

* ``"clifford"``: the single-qudit Clifford group modulo phases
  (:func:`qtwin.designs.clifford.clifford_group`), a unitary 2-design exactly when ``d``
  is prime.
* ``"mub"``: a complete set of ``d + 1`` mutually unbiased bases
  (:func:`qtwin.designs.known.mutually_unbiased_bases`, prime-power ``d``); a state 2-design.
* ``"pauli"`` (``d = 2``): the X, Y, Z eigenbases, indices 0, 1, 2 as in PennyLane's
  ``recipes``; equal to the complete MUBs of a qubit.
* ``"haar"``: an independent Haar-random unitary per qudit and snapshot
  (:func:`scipy.stats.unitary_group`), an exact unitary design of every order, in every ``d``.
* ``"weighted"``: the POVM of the exact weighted state 2-design
  :func:`qtwin.designs.weighted.weighted_state_design` (every ``d``; a generalised
  measurement, realised by a Naimark dilation in the lab).
* ``"auto"`` (default): ``"clifford"`` for prime ``d``, ``"mub"`` for prime powers, and
  ``"haar"`` otherwise (no finite unitary 2-design of *bases* is built in for composite ``d``;
  the Clifford group is not a 2-design there, see Graydon et al. arXiv:2108.04200).
* an array ``(M, d, d)`` of unitaries, or a pair ``(unitaries, weights)``: a user ensemble,
  checked to give a weighted state 2-design.

Sampling. ``method="batched"`` (default) draws all snapshots at once by sequential
conditional sampling through the right-canonical MPS: at site ``i`` the conditional
amplitudes :math:`v = \text{env}\cdot A^{[i]}` are rotated by each snapshot's own frame
(:math:`\langle k|U_i`, or :math:`\sqrt{d w_j}\langle\psi_j|` for a POVM) and one outcome is
drawn per snapshot, exactly as :meth:`qtwin.tensornet.MPS.sample` does for the computational
basis, vectorised over snapshots (cost :math:`O(N n \chi^2 d^2)`). ``method="copies"`` is the
literal protocol, kept as a reference: for each distinct setting it applies the local
unitaries to a copy of the MPS with :meth:`~qtwin.tensornet.MPS.apply_gate` and calls
:meth:`~qtwin.tensornet.MPS.sample`.

Estimators use the median of means over ``num_groups`` groups of consecutive snapshots
(:func:`median_of_means`); the single-snapshot estimates are available from
:func:`snapshot_estimates` and :func:`snapshot_fidelities`.

Variance. For a ``k``-local observable :math:`O` on sites :math:`S` and any local (weighted)
2-design ensemble, :func:`shadow_variance_bound` returns

.. math::

    \mathbb E[\hat o^2] \le B(O) = \operatorname{tr}\Big[(O\otimes O)
    \bigotimes_{i\in S}\big((d+1)\,\mathrm{SWAP}_i - I\big)\Big]
    = \sum_{A\subseteq S} (d+1)^{|A|}(-1)^{k-|A|}\,
      \big\|\operatorname{tr}_{S\setminus A} O\big\|_F^2 ,

which holds for every state: bound the Born probability :math:`\langle\phi|\rho|\phi\rangle`
by 1, and the remaining sum over outcomes is a second moment of the design,
:math:`\sum_k \mathbb E_U\,\hat\rho_{U,k}^{\otimes 2} = (d+1)\mathrm{SWAP} - I` per qudit. For
one traceless qudit observable :math:`B = (d+1)\|O\|_F^2`; for a qubit Pauli string of
weight ``k`` it is :math:`6^k` (the exact value for Pauli measurements is :math:`3^k`). With
``N = K m`` snapshots, the median of ``K`` means deviates by more than
:math:`\sqrt{4B/m}` with probability at most :math:`e^{-K/8}` (Chebyshev + Hoeffding).

Example:
    >>> from qtwin.tensornet import MPS
    >>> psi = MPS.product_state([[1, 0, 0]] * 4)  # |0000>, qutrits
    >>> shadow = classical_shadow(psi, 2000, ensemble="haar", seed=1)
    >>> z = np.diag([1.0, -1.0, 0.0])  # |0><0| - |1><1| on one qutrit
    >>> abs(estimate_observable(shadow, z, [2]) - 1.0) < 0.2
    True
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeAlias

import numpy as np
import torch
from numpy.typing import ArrayLike

from qtwin._validation import (
    as_generator,
    check_choice,
    check_finite,
    check_positive_int,
    check_unitary,
)

__all__ = [
    "ShadowData",
    "classical_shadow",
    "estimate_fidelity",
    "estimate_observable",
    "measurement_ensemble",
    "median_of_means",
    "shadow_variance_bound",
    "snapshot_estimates",
    "snapshot_fidelities",
]

if TYPE_CHECKING:
    import pandas as pd

    from qtwin.tensornet import MPS

#: a named ensemble, unitaries ``(M, d, d)``, or ``(unitaries, weights)``
EnsembleSpec: TypeAlias = "str | ArrayLike | tuple[ArrayLike, ArrayLike]"
#: an :class:`~qtwin.tensornet.MPS` or a dense state vector (numpy or torch)
StateLike: TypeAlias = "MPS | ArrayLike | torch.Tensor"
#: qudit indices an observable acts on (one int for a single qudit)
Sites: TypeAlias = "int | Sequence[int]"

ENSEMBLES = ("auto", "clifford", "mub", "pauli", "haar", "weighted")
METHODS = ("batched", "copies")
_CHUNK_ELEMENTS = 1 << 22  # complex entries per batched block (64 MiB at complex128)


@dataclass(frozen=True)
class ShadowData:
    """The record of a classical-shadow experiment.

    Attributes:
        d: local dimension of every qudit.
        num_sites: number of qudits ``n``.
        ensemble: name of the measurement ensemble (``"custom"`` for user unitaries).
        unitaries: ``(M, d, d)`` basis rotations :math:`U` (``None`` for a POVM ensemble).
        weights: ``(M,)`` probabilities with which each unitary (or POVM element) is used.
        indices: ``(N, n)`` ints: which unitary rotated qudit ``i`` in snapshot ``s``
            (``None`` for a POVM ensemble).
        outcomes: ``(N, n)`` ints: the measured level :math:`k` (for a POVM, the element).
        povm_states: ``(M, d)`` states :math:`\\psi_j` of a POVM ensemble, else ``None``.
    """

    d: int
    num_sites: int
    ensemble: str
    unitaries: np.ndarray | None
    weights: np.ndarray
    indices: np.ndarray | None
    outcomes: np.ndarray
    povm_states: np.ndarray | None = None

    @property
    def num_snapshots(self) -> int:
        """Number of snapshots ``N``."""
        return int(self.outcomes.shape[0])

    def to_dataframe(self) -> pd.DataFrame:
        """Tidy snapshots: one row per snapshot and qudit, ``snapshot, site, setting, outcome``
        (``setting``: index of the rotation in :attr:`unitaries`; -1 for a POVM ensemble).

        Example:
            >>> psi = np.zeros(4); psi[0] = 1.0
            >>> s = classical_shadow(psi, 3, d=2, ensemble="pauli", seed=0)
            >>> s.to_dataframe().shape
            (6, 4)
        """
        import pandas as pd

        num, n = self.outcomes.shape
        setting = np.full((num, n), -1) if self.indices is None else np.asarray(self.indices)
        return pd.DataFrame(
            {
                "snapshot": np.repeat(np.arange(num), n),
                "site": np.tile(np.arange(n), num),
                "setting": setting.ravel(),
                "outcome": np.asarray(self.outcomes).ravel(),
            }
        )

    def snapshot_states(self, sites: Sequence[int] | None = None) -> np.ndarray:
        """The measured local states :math:`|\\phi\\rangle = U^\\dagger|k\\rangle`.

        Args:
            sites: the qudits to return (default all).

        Returns:
            ``(N, len(sites), d)`` complex array.
        """
        cols = list(range(self.num_sites)) if sites is None else list(sites)
        out = self.outcomes[:, cols]
        if self.unitaries is None:
            return np.asarray(self.povm_states)[out]
        idx = np.asarray(self.indices)[:, cols]
        # U^dagger |k> is the complex conjugate of row k of U
        return self.unitaries[idx, out, :].conj()


# ---------------------------------------------------------------------------- ensembles
def _is_prime(d: int) -> bool:
    return d >= 2 and all(d % p for p in range(2, math.isqrt(d) + 1))


def _prime_power_base(d: int) -> int | None:
    for p in range(2, d + 1):
        if d % p == 0:
            q = d
            while q % p == 0:
                q //= p
            return p if q == 1 else None
    return None


def _pauli_bases() -> np.ndarray:
    h = np.array([[1, 1], [1, -1]], dtype=np.complex128) / np.sqrt(2)
    sdg = np.diag([1, -1j])
    return np.stack([h, h @ sdg, np.eye(2, dtype=np.complex128)])


def _bases_to_unitaries(bases: ArrayLike, d: int) -> np.ndarray:
    """MUB array ``(d + 1, d, d)`` whose basis vectors are rows or columns -> rotations U."""
    b = np.asarray(bases, dtype=np.complex128)
    if b.ndim == 2:  # (d(d+1), d) stacked states
        b = b.reshape(-1, d, d)
    # rows are the states: U = conj(B) has <k|U = <psi_k| ; columns: transpose first
    rows_unitary = np.allclose(b @ b.conj().transpose(0, 2, 1), np.eye(d), atol=1e-9)
    if not rows_unitary:
        raise ValueError("mutually_unbiased_bases returned bases that are not orthonormal")
    return b.conj()


def measurement_ensemble(
    d: int, ensemble: EnsembleSpec = "auto"
) -> tuple[str, np.ndarray | None, np.ndarray]:
    """The measurement ensemble ``(name, elements, weights)`` used by :func:`classical_shadow`.

    Args:
        d: local dimension, ``d >= 2``.
        ensemble: a name from the module docstring, an array ``(M, d, d)`` of unitaries or a
            pair ``(unitaries, weights)``.

    Returns:
        ``(name, elements, weights)``: elements are ``(M, d, d)`` unitaries (``None`` for
        ``"haar"``, drawn fresh per snapshot), or ``(M, d)`` POVM states for ``"weighted"``.

    Raises:
        ValueError: for an unknown name, a named ensemble that does not exist in dimension
            ``d``, or a user ensemble that is not a weighted state 2-design.

    Example:
        >>> name, us, w = measurement_ensemble(2, "pauli")
        >>> name, us.shape, w.tolist()
        ('pauli', (3, 2, 2), [0.3333333333333333, 0.3333333333333333, 0.3333333333333333])
    """
    d = check_positive_int(d, "d", minimum=2)
    if not isinstance(ensemble, str):
        return ("custom", *_custom_ensemble(ensemble, d))
    check_choice(ensemble, "ensemble", ENSEMBLES)
    if ensemble == "auto":
        if _is_prime(d):
            ensemble = "clifford"
        elif _prime_power_base(d) is not None:
            ensemble = "mub"
        else:
            ensemble = "haar"
    if ensemble == "clifford":
        if not _is_prime(d):
            raise ValueError(
                f"ensemble='clifford' needs a prime d (the Clifford group is a unitary 2-design "
                f"only for prime d), got d={d}; use 'mub' (prime powers), 'haar' or 'weighted'"
            )
        from qtwin.designs.clifford import clifford_group

        us = np.asarray(clifford_group(d).unitaries, dtype=np.complex128)
    elif ensemble == "mub":
        if _prime_power_base(d) is None:
            raise ValueError(
                f"ensemble='mub' needs a prime-power d (complete MUBs are known only there), "
                f"got d={d}; use 'haar' or 'weighted'"
            )
        from qtwin.designs.known import mutually_unbiased_bases

        us = _bases_to_unitaries(mutually_unbiased_bases(d), d)
    elif ensemble == "pauli":
        if d != 2:
            raise ValueError(f"ensemble='pauli' is for qubits (d=2), got d={d}")
        us = _pauli_bases()
    elif ensemble == "haar":
        return "haar", None, np.ones(1)
    else:  # weighted
        from qtwin.designs.weighted import weighted_state_design

        states, weights = weighted_state_design(d, 2)
        states = np.asarray(states, dtype=np.complex128)
        weights = np.asarray(weights, dtype=np.float64)
        keep = weights > 0
        return "weighted", states[keep], weights[keep] / weights[keep].sum()
    return ensemble, us, np.full(us.shape[0], 1.0 / us.shape[0])


def _custom_ensemble(
    spec: ArrayLike | tuple[ArrayLike, ArrayLike], d: int
) -> tuple[np.ndarray, np.ndarray]:
    if isinstance(spec, tuple) and len(spec) == 2:
        us, weights = spec
    else:
        us, weights = spec, None
    us = np.asarray(us, dtype=np.complex128)
    if us.ndim != 3 or us.shape[1:] != (d, d):
        raise ValueError(f"ensemble unitaries must have shape (M, {d}, {d}), got {us.shape}")
    check_unitary(us, "ensemble unitaries")
    m = us.shape[0]
    if weights is None:
        w = np.full(m, 1.0 / m)
    else:
        w = np.asarray(weights, dtype=np.float64)
        check_finite(w, "ensemble weights")
        if w.shape != (m,) or np.any(w < 0) or abs(w.sum() - 1) > 1e-9:
            raise ValueError(
                f"ensemble weights must be {m} non-negative numbers summing to 1, got {w!r}"
            )
    # the states U^dagger|k> with weights w_U / d must form a weighted state 2-design
    from qtwin.designs.frame_potentials import frame_potential
    from qtwin.designs.haar import haar_frame_potential

    states = us.conj().reshape(m * d, d)
    f2 = frame_potential(states, 2, np.repeat(w / d, d), kind="state")
    haar = haar_frame_potential(d, 2, "state")
    if abs(f2 - haar) > 1e-8:
        raise ValueError(
            "ensemble is not a (weighted) 2-design measurement: the frame potential of its "
            f"basis states is F_2 = {f2:.6g}, Haar needs {haar:.6g}; the inverse channel "
            "(d+1)|phi><phi| - I would be biased"
        )
    return us, w


# ---------------------------------------------------------------------------- sampling
def _as_mps(state: StateLike, d: int | None) -> MPS:
    from qtwin.tensornet import MPS

    if isinstance(state, MPS):
        return state.copy()
    if isinstance(state, torch.Tensor):
        state = state.detach().cpu().numpy()
    vec = np.asarray(state)
    if vec.ndim != 1:
        raise ValueError(
            f"state must be an MPS or a 1-D dense state vector, got an array of shape {vec.shape}"
        )
    if d is None:
        raise ValueError("a dense state needs the local dimension: pass d=")
    n = round(math.log(vec.shape[0]) / math.log(d)) if vec.shape[0] > 1 else 0
    if n < 1 or d**n != vec.shape[0]:
        raise ValueError(f"a dense state of length {vec.shape[0]} is not n qudits of d={d}")
    check_finite(vec, "state")
    norm = np.linalg.norm(vec)
    if abs(norm - 1) > 1e-8:
        raise ValueError(f"state must be normalized, got norm {norm:.6g}")
    return MPS.from_dense(vec, d)


def _frames(
    name: str, elements: Any, weights: np.ndarray, d: int, n: int, num: int, rng: Any
) -> tuple[np.ndarray | None, np.ndarray | None]:
    """Draw ``(unitaries, indices)`` for ``num`` snapshots (``(None, None)`` for a POVM)."""
    if name == "weighted":
        return None, None
    if name == "haar":
        from scipy.stats import unitary_group

        us = unitary_group.rvs(d, size=num * n, random_state=rng).reshape(num * n, d, d)
        return us.astype(np.complex128), np.arange(num * n).reshape(num, n)
    idx = rng.choice(len(weights), size=(num, n), p=weights)
    return elements, idx


def _sample_batched(
    mps: Any,
    unitaries: np.ndarray | None,
    indices: np.ndarray | None,
    povm: np.ndarray | None,
    povm_weights: np.ndarray | None,
    num: int,
    rng: np.random.Generator,
) -> np.ndarray:
    """Sequential conditional sampling of all snapshots (see the module docstring)."""
    d = mps.dims[0]
    dev, dt = mps.device, mps.dtype
    mps.canonicalize(0)  # every site right of 0 right-isometric: conditionals are local
    tensors = [t.detach() for t in mps.tensors]
    chi = max(t.shape[2] for t in tensors)
    if povm is not None:
        frame = torch.as_tensor(
            np.sqrt(d * povm_weights)[:, None] * povm.conj(), dtype=dt, device=dev
        )
        m = frame.shape[0]
    else:
        us = torch.as_tensor(unitaries, dtype=dt, device=dev)
        m = d
    block = max(1, _CHUNK_ELEMENTS // max(1, m * chi * d))
    out = np.empty((num, len(tensors)), dtype=np.int64)
    with torch.no_grad():
        for lo in range(0, num, block):
            hi = min(num, lo + block)
            env = torch.ones(hi - lo, 1, dtype=dt, device=dev)
            for i, a in enumerate(tensors):
                v = torch.einsum("na,asb->nsb", env, a)
                if povm is not None:
                    amp = torch.einsum("ms,nsb->nmb", frame, v)
                else:
                    u = us[torch.as_tensor(indices[lo:hi, i], device=dev)]
                    amp = torch.einsum("nms,nsb->nmb", u, v)
                p = torch.view_as_real(amp).square().sum((-1, -2)).to(torch.float64).cpu().numpy()
                cdf = np.cumsum(p, axis=1)
                r = rng.random(hi - lo) * cdf[:, -1]
                k = np.minimum((cdf < r[:, None]).sum(axis=1), m - 1)
                out[lo:hi, i] = k
                kt = torch.as_tensor(k, device=dev)
                env = amp[torch.arange(hi - lo, device=dev), kt]
                env = env / torch.linalg.vector_norm(env, dim=1, keepdim=True)
    return out


def _sample_copies(
    mps: Any, unitaries: np.ndarray, indices: np.ndarray, rng: np.random.Generator
) -> np.ndarray:
    """The literal protocol: rotate a copy of the MPS per distinct setting, then sample."""
    num, n = indices.shape
    out = np.empty((num, n), dtype=np.int64)
    settings, inverse = np.unique(indices, axis=0, return_inverse=True)
    inverse = np.asarray(inverse).reshape(-1)
    for g, setting in enumerate(settings):
        rows = np.flatnonzero(inverse == g)
        psi = mps.copy()
        for site, j in enumerate(setting):
            psi.apply_gate(unitaries[j], [site])
        out[rows] = psi.sample(len(rows), seed=rng)
    return out


def classical_shadow(
    state: StateLike,
    num_snapshots: int,
    *,
    ensemble: EnsembleSpec = "auto",
    d: int | None = None,
    method: str = "batched",
    seed: int | np.random.Generator | None = None,
) -> ShadowData:
    r"""Measure ``num_snapshots`` classical-shadow snapshots of an ``n``-qudit state.

    Args:
        state: a :class:`qtwin.tensornet.MPS` with equal local dimensions, or a normalized
            dense state vector (little-endian, length :math:`d^n`; give ``d``).
        num_snapshots: ``N >= 1``.
        ensemble: the local measurement ensemble (see the module docstring).
        d: local dimension of a dense ``state`` (ignored for an MPS).
        method: ``"batched"`` (vectorised sampling, default) or ``"copies"`` (rotate a copy
            of the MPS with ``apply_gate`` and call ``MPS.sample`` per distinct setting; basis
            ensembles only).
        seed: an int, a numpy ``Generator`` or ``None``.

    Returns:
        A :class:`ShadowData`.

    Example:
        >>> psi = np.zeros(9); psi[0] = psi[8] = 2 ** -0.5  # (|00> + |22>)/sqrt 2, qutrits
        >>> s = classical_shadow(psi, 10, d=3, ensemble="haar", seed=0)
        >>> s.outcomes.shape, s.ensemble
        ((10, 2), 'haar')
    """
    num = check_positive_int(num_snapshots, "num_snapshots")
    check_choice(method, "method", METHODS)
    mps = _as_mps(state, d)
    dims = set(mps.dims)
    if len(dims) != 1:
        raise ValueError(f"state must have one local dimension on every site, got {mps.dims}")
    d = dims.pop()
    n = mps.num_sites
    rng = as_generator(seed)
    name, elements, weights = measurement_ensemble(d, ensemble)
    unitaries, indices = _frames(name, elements, weights, d, n, num, rng)
    if method == "copies":
        if unitaries is None:
            raise ValueError("method='copies' needs a basis ensemble, not the 'weighted' POVM")
        outcomes = _sample_copies(mps, unitaries, indices, rng)
    elif name == "weighted":
        outcomes = _sample_batched(mps, None, None, elements, weights, num, rng)
    else:
        outcomes = _sample_batched(mps, unitaries, indices, None, None, num, rng)
    return ShadowData(
        d=d,
        num_sites=n,
        ensemble=name,
        unitaries=unitaries,
        weights=np.asarray(weights, dtype=np.float64) if name != "haar" else np.ones(1),
        indices=indices,
        outcomes=outcomes,
        povm_states=elements if name == "weighted" else None,
    )


# ---------------------------------------------------------------------------- estimators
def median_of_means(values: ArrayLike, num_groups: int = 10) -> float:
    r"""Median of the means of ``num_groups`` groups of consecutive values.

    The groups are :func:`numpy.array_split` of the values (sizes differ by at most one;
    with ``len(values)`` divisible by ``num_groups`` this is PennyLane's convention). Capped
    at one value per group.

    Example:
        >>> median_of_means([1.0, 2.0, 3.0, 100.0, 5.0, 6.0], num_groups=3)
        5.5
    """
    x = np.asarray(values, dtype=np.float64).reshape(-1)
    if x.size == 0:
        raise ValueError("values must not be empty")
    k = min(check_positive_int(num_groups, "num_groups"), x.size)
    return float(np.median([g.mean() for g in np.array_split(x, k)]))


def _check_sites(sites: Sites, n: int) -> list[int]:
    if isinstance(sites, (int, np.integer)):
        sites = [sites]
    out = []
    for s in sites:
        if isinstance(s, bool) or not isinstance(s, (int, np.integer)) or not 0 <= s < n:
            raise ValueError(f"sites must be distinct qudit indices in 0..{n - 1}, got {sites!r}")
        out.append(int(s))
    if not out or len(set(out)) != len(out):
        raise ValueError(f"sites must be distinct qudit indices in 0..{n - 1}, got {sites!r}")
    return out


def _check_observable(observable: ArrayLike, d: int, k: int) -> np.ndarray:
    o = np.asarray(observable, dtype=np.complex128)
    dim = d**k
    if o.shape != (dim, dim):
        raise ValueError(
            f"observable must be a ({dim}, {dim}) matrix for {k} qudit(s) of d={d}, "
            f"got shape {o.shape}"
        )
    check_finite(o, "observable")
    if not np.allclose(o, o.conj().T, atol=1e-10):
        raise ValueError("observable must be Hermitian")
    return o


def snapshot_estimates(shadow: ShadowData, observable: ArrayLike, sites: Sites) -> np.ndarray:
    r"""Single-snapshot estimates :math:`\hat o_s = \operatorname{tr}(O\,\hat\rho_S^{(s)})`.

    Args:
        shadow: from :func:`classical_shadow`.
        observable: Hermitian :math:`d^k \times d^k` matrix, little-endian over ``sites``
            (``sites[0]`` is the least significant index, as in ``MPS.expectation``).
        sites: the ``k`` distinct qudits it acts on.

    Returns:
        ``(N,)`` real array; its mean is an unbiased estimate of :math:`\langle O\rangle`.

    Example:
        >>> psi = np.array([1.0, 0.0])
        >>> s = classical_shadow(psi, 6, d=2, ensemble="pauli", seed=3)
        >>> z = np.diag([1.0, -1.0])
        >>> vals = snapshot_estimates(s, z, [0])
        >>> bool(np.all((vals == 0) | (vals == 3)))  # 3 in the Z basis, else 0
        True
    """
    sites = _check_sites(sites, shadow.num_sites)
    d, k = shadow.d, len(sites)
    o = _check_observable(observable, d, k)
    phi = shadow.snapshot_states(sites)  # (N, k, d)
    # tensor axes (out_{k-1} .. out_0, in_{k-1} .. in_0), little-endian over sites
    t = torch.as_tensor(o.reshape((d,) * (2 * k)))
    ph = torch.as_tensor(phi)
    num = phi.shape[0]
    block = max(1, _CHUNK_ELEMENTS // d ** (2 * k))
    out = np.empty(num)
    eye = torch.eye(d, dtype=ph.dtype)
    for lo in range(0, num, block):
        p = ph[lo : lo + block]
        cur = t.expand((p.shape[0],) + tuple(t.shape))
        # contract site q (axes out: k-1-q, in: 2k-1-q) with rho_hat[b, a], a=out, b=in
        for q in range(k):
            rho = (d + 1) * torch.einsum("nb,na->nba", p[:, q], p[:, q].conj()) - eye
            m = cur.ndim - 1  # axes after the batch axis
            rem = m // 2  # sites left
            out_ax = 1 + (rem - 1)  # the least significant remaining site is the last
            in_ax = 1 + (2 * rem - 1)
            cur = torch.einsum(
                _contract_spec(m, out_ax - 1, in_ax - 1), cur, rho
            )  # sum_{a,b} O[..a..b..] rho[b,a]
        out[lo : lo + block] = cur.real.numpy()
    return out


def _contract_spec(m: int, out_ax: int, in_ax: int) -> str:
    letters = "abcdefghijklmopqrstuvwxyz"
    idx = list(letters[:m])
    a, b = idx[out_ax], idx[in_ax]
    rest = [c for j, c in enumerate(idx) if j not in (out_ax, in_ax)]
    return f"n{''.join(idx)},n{b}{a}->n{''.join(rest)}"


def estimate_observable(
    shadow: ShadowData, observable: ArrayLike, sites: Sites, *, num_groups: int = 10
) -> float:
    r"""Median-of-means estimate of :math:`\langle O\rangle` for a ``k``-local observable.

    Args:
        shadow: from :func:`classical_shadow`.
        observable: Hermitian :math:`d^k\times d^k` matrix, little-endian over ``sites``.
        sites: the ``k`` distinct qudits it acts on.
        num_groups: number of groups of the median of means (1: the plain mean).

    Example:
        >>> from qtwin.tensornet import MPS
        >>> s = classical_shadow(MPS.zeros(3, 2), 3000, ensemble="pauli", seed=7)
        >>> zz = np.diag([1.0, -1.0, -1.0, 1.0])
        >>> abs(estimate_observable(s, zz, [0, 2]) - 1) < 0.25
        True
    """
    return median_of_means(snapshot_estimates(shadow, observable, sites), num_groups)


def _target_mps(target: StateLike | Sequence[ArrayLike], shadow: ShadowData) -> MPS:
    from qtwin.tensornet import MPS

    if isinstance(target, MPS):
        if target.dims != (shadow.d,) * shadow.num_sites:
            raise ValueError(
                f"target has dims {target.dims}, the shadow has {shadow.num_sites} qudits of "
                f"d={shadow.d}"
            )
        return target.copy().normalize()
    arr = target.detach().cpu().numpy() if isinstance(target, torch.Tensor) else target
    if isinstance(arr, (list, tuple)) or (isinstance(arr, np.ndarray) and arr.ndim == 2):
        vecs = [np.asarray(v, dtype=np.complex128) for v in arr]
        if len(vecs) != shadow.num_sites or any(v.shape != (shadow.d,) for v in vecs):
            raise ValueError(
                f"a product target needs {shadow.num_sites} local vectors of length {shadow.d}"
            )
        for i, v in enumerate(vecs):
            check_finite(v, f"target[{i}]")
        return MPS.product_state([v / np.linalg.norm(v) for v in vecs])
    return _as_mps(np.asarray(arr) / np.linalg.norm(arr), shadow.d)


def snapshot_fidelities(shadow: ShadowData, target: StateLike | Sequence[ArrayLike]) -> np.ndarray:
    r"""Single-snapshot fidelity estimates :math:`\langle\Psi|\hat\rho^{(s)}|\Psi\rangle`.

    For a product target :math:`\bigotimes_i|\psi_i\rangle` this is
    :math:`\prod_i \big((d+1)|\langle\psi_i|\phi_i\rangle|^2 - 1\big)`; for an entangled pure
    target (MPS or dense vector) a transfer-matrix sweep of the product operator
    :math:`\hat\rho^{(s)}` through the target MPS, batched over snapshots. Its variance grows
    like :math:`(d+1)^n` for entangled targets, so use it on few qudits.

    Args:
        shadow: from :func:`classical_shadow`.
        target: a list of ``n`` local vectors (product state), an MPS, or a dense vector.

    Returns:
        ``(N,)`` real array with mean :math:`\langle\Psi|\rho|\Psi\rangle`.
    """
    mps = _target_mps(target, shadow)
    phi = torch.as_tensor(shadow.snapshot_states())  # (N, n, d)
    d = shadow.d
    eye = torch.eye(d, dtype=phi.dtype)
    num = phi.shape[0]
    chi = max(max(mps.bond_dims, default=1), 1)
    block = max(1, _CHUNK_ELEMENTS // (chi * chi * d))
    out = np.empty(num)
    tensors = [t.detach().to(phi.dtype) for t in mps.tensors]
    with torch.no_grad():
        for lo in range(0, num, block):
            p = phi[lo : lo + block]
            env = torch.ones(p.shape[0], 1, 1, dtype=phi.dtype)
            for i, a in enumerate(tensors):
                rho = (d + 1) * torch.einsum("nb,na->nba", p[:, i], p[:, i].conj()) - eye
                tmp = torch.einsum("nxy,ysb->nxsb", env, a)
                tmp = torch.einsum("nts,nxsb->nxtb", rho, tmp)
                env = torch.einsum("xta,nxtb->nab", a.conj(), tmp)
            out[lo : lo + block] = env.reshape(-1).real.numpy()
    return out


def estimate_fidelity(
    shadow: ShadowData, target: StateLike | Sequence[ArrayLike], *, num_groups: int = 10
) -> float:
    r"""Median-of-means estimate of the fidelity :math:`\langle\Psi|\rho|\Psi\rangle`.

    Args:
        shadow: from :func:`classical_shadow`.
        target: a pure state: ``n`` local vectors (a product state), an MPS or a dense vector.
        num_groups: number of groups of the median of means.

    Example:
        >>> from qtwin.tensornet import MPS
        >>> s = classical_shadow(MPS.zeros(2, 3), 4000, seed=2)  # two qutrits, Clifford
        >>> f = estimate_fidelity(s, [[1, 0, 0], [1, 0, 0]])
        >>> abs(f - 1) < 0.25
        True
    """
    return median_of_means(snapshot_fidelities(shadow, target), num_groups)


def shadow_variance_bound(observable: ArrayLike, d: int, num_sites: int | None = None) -> float:
    r"""Bound :math:`B(O) \ge \mathbb E[\hat o^2] \ge \operatorname{Var}[\hat o]`, any state.

    .. math::

        B(O) = \sum_{A\subseteq S} (d+1)^{|A|}(-1)^{k-|A|}
               \big\|\operatorname{tr}_{S\setminus A} O\big\|_F^2

    holds for every local (weighted) 2-design measurement ensemble (derivation in the
    module docstring); ``N = O(B / \varepsilon^2)`` snapshots estimate :math:`\langle O\rangle`
    to :math:`\pm\varepsilon`.

    Args:
        observable: Hermitian :math:`d^k\times d^k` matrix.
        d: local dimension.
        num_sites: ``k`` (inferred from the shape when omitted).

    Example:
        >>> z = np.diag([1.0, -1.0])
        >>> shadow_variance_bound(z, 2), shadow_variance_bound(np.kron(z, z), 2)
        (6.0, 36.0)
    """
    d = check_positive_int(d, "d", minimum=2)
    size = np.asarray(observable).shape[0] if np.ndim(observable) == 2 else 0
    k = num_sites if num_sites is not None else round(math.log(max(size, 1)) / math.log(d))
    k = check_positive_int(k, "num_sites")
    o = _check_observable(observable, d, k)
    t = o.reshape((d,) * (2 * k))  # axis j <-> site k-1-j (out), k + j (in)
    total = 0.0
    for r in range(k + 1):
        for traced in itertools.combinations(range(k), k - r):
            x = t
            for q in sorted(traced, reverse=True):  # trace axes (q, q + remaining)
                m = x.ndim // 2
                x = np.trace(x, axis1=q, axis2=q + m)
            total += (d + 1) ** r * (-1) ** (k - r) * float(np.sum(np.abs(x) ** 2))
    return float(total)
