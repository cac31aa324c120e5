r"""Approximate unitary designs from the native gates of high-spin and cavity-QED qudits.

Two random-circuit families on one qudit of dimension ``d`` (arXiv:2603.02659, Sec. III):

* **High-spin qudit** (spin :math:`j`, :math:`d = 2j+1`, e.g. a donor nucleus): each layer is
  a Haar-random SU(2) rotation :math:`R = e^{-i\theta\,\hat n\cdot\vec J}` followed by the
  one-axis twisting :math:`T = e^{-i\kappa J_z^2}`,

  .. math:: U_L = T R_L \cdots T R_2\, T R_1 .

  The rotation is drawn as Euler angles :math:`e^{-i\alpha J_z}e^{-i\beta J_y}e^{-i\gamma J_z}`
  with :math:`\alpha, \gamma \sim U[0, 2\pi)`, :math:`\cos\beta \sim U[-1, 1]`, i.e. Haar on
  SU(2) (equivalently a uniform axis :math:`\hat n` and angle density
  :math:`\propto \sin^2(\theta/2)`). The default twist is :math:`\kappa = \pi/(2j)`:
  non-trivial for :math:`j \ge 1`, and it takes the rotations out of the spin-j irrep (for
  :math:`j = 1/2`, :math:`J_z^2 = I/4` and the twist is a phase). Rotations alone never leave
  the SU(2) irrep: their frame potential is the closed form
  :func:`su2_irrep_frame_potential` (:math:`F_2 = 2j + 1 = d > 2`), a sanity check.
* **Cavity-QED qudit** (the Fock space truncated to :math:`\{|0\rangle,\dots,|d-1\rangle\}`):
  each layer is a SNAP gate :math:`S(\vec\theta) = \sum_n e^{i\theta_n}|n\rangle\langle n|`
  with independent uniform phases, followed by a displacement :math:`D(\alpha)`,

  .. math:: U_L = D(\alpha) S(\vec\theta_L) \cdots D(\alpha) S(\vec\theta_1).

  :math:`D(\alpha) = \exp(\alpha a^\dagger - \alpha^* a)` is the exponential of the
  *truncated* generator (:math:`a = \sum_{n<d-1}\sqrt{n+1}\,|n\rangle\langle n+1|`), which is
  anti-Hermitian, so :math:`D` is exactly unitary on the ``d``-level space (no projection from a
  larger space, no leakage). ``alpha`` is fixed (default 1), the randomness is in the SNAP
  phases.

Frame potential against depth. For ``N`` independent circuits per depth,
:func:`frame_potential_estimate` returns the unbiased U-statistic

.. math::

    \hat F_t = \frac{1}{N(N-1)} \sum_{i\ne j} |\operatorname{tr}(U_i^\dagger U_j)|^{2t}
             = \frac{N F_t^{V} - d^{2t}}{N-1},

computed from :func:`qtwin.designs.frame_potentials.frame_potential` (the V-statistic
:math:`F_t^V` over all pairs, whose diagonal terms :math:`d^{2t}/N` would bias it upward);
:math:`\mathbb E\hat F_t` is the frame potential of the depth-:math:`L` distribution, which
decreases to the Haar value :math:`\mathbb E_{\rm Haar}|\operatorname{tr}U|^{2t}` (``t!`` for
:math:`d \ge t`) as the circuits converge to a unitary t-design.
:func:`frame_potential_vs_depth` tabulates it and finds the first depth within a relative
``eps`` of Haar.

Example:
    >>> us = high_spin_circuits(1, depth=8, num_circuits=400, seed=1)
    >>> us.shape
    (400, 3, 3)
    >>> abs(frame_potential_estimate(us, 2) - 2.0) < 0.3  # Haar on U(3): F_2 = 2
    True
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import ArrayLike

from qtwin._validation import (
    as_generator,
    check_choice,
    check_finite,
    check_nonnegative_float,
    check_positive_int,
)
from qtwin.designs.spin import spin_operators

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "FAMILIES",
    "NativeDesignResult",
    "cavity_circuits",
    "fock_displacement",
    "frame_potential_estimate",
    "frame_potential_std_error",
    "frame_potential_vs_depth",
    "high_spin_circuits",
    "random_su2_rotations",
    "snap_gate",
    "su2_irrep_frame_potential",
    "twisting_gate",
]

#: Circuit families of :func:`frame_potential_vs_depth`.
FAMILIES = ("high_spin", "rotations_only", "cavity")


def _check_spin(j: Any) -> Fraction:
    try:
        fj = Fraction(j).limit_denominator(2)
    except (TypeError, ValueError):
        raise TypeError(f"j must be a spin (a positive multiple of 1/2), got {j!r}") from None
    if fj <= 0 or abs(float(fj) - float(j)) > 1e-12 or (2 * fj).denominator != 1:
        raise ValueError(f"j must be a positive multiple of 1/2 (d = 2j + 1), got {j!r}")
    return fj


def random_su2_rotations(
    j: float, num: int, seed: int | np.random.Generator | None = None
) -> np.ndarray:
    r"""``num`` Haar-random SU(2) rotations in the spin-``j`` representation, ``(num, d, d)``.

    Euler angles :math:`e^{-i\alpha J_z}e^{-i\beta J_y}e^{-i\gamma J_z}` with
    :math:`\alpha,\gamma\sim U[0,2\pi)` and :math:`\cos\beta\sim U[-1,1]`.

    Example:
        >>> r = random_su2_rotations(0.5, 2000, seed=0)
        >>> bool(abs(np.mean(np.abs(np.trace(r, axis1=1, axis2=2)) ** 2) - 1) < 0.1)  # Haar: 1
        True
    """
    fj = _check_spin(j)
    num = check_positive_int(num, "num")
    rng = as_generator(seed)
    _, jy, jz = spin_operators(fj)
    m = np.diag(jz).real
    ev, vec = np.linalg.eigh(jy)
    alpha, gamma = rng.uniform(0, 2 * np.pi, size=(2, num))
    beta = np.arccos(rng.uniform(-1, 1, size=num))
    ry = np.einsum("ik,nk,jk->nij", vec, np.exp(-1j * np.outer(beta, ev)), vec.conj())
    za = np.exp(-1j * np.outer(alpha, m))
    zg = np.exp(-1j * np.outer(gamma, m))
    return za[:, :, None] * ry * zg[:, None, :]


def twisting_gate(j: float, kappa: float | None = None) -> np.ndarray:
    r"""One-axis twisting :math:`T = e^{-i\kappa J_z^2}`, default :math:`\kappa = \pi/(2j)`.

    Example:
        >>> np.round(np.diag(twisting_gate(1)), 12).tolist()
        [-1j, (1+0j), -1j]
    """
    fj = _check_spin(j)
    kappa = np.pi / (2 * float(fj)) if kappa is None else kappa
    check_finite(kappa, "kappa")
    m = float(fj) - np.arange(int(2 * fj) + 1)
    return np.diag(np.exp(-1j * float(kappa) * m**2))


def high_spin_circuits(
    j: float,
    depth: int,
    num_circuits: int,
    *,
    kappa: float | None = None,
    twist: bool = True,
    seed: int | np.random.Generator | None = None,
) -> np.ndarray:
    r"""``num_circuits`` random high-spin circuits :math:`T R_L \cdots T R_1`, ``(N, d, d)``.

    Args:
        j: spin, a positive multiple of 1/2 (``d = 2j + 1``).
        depth: number of layers ``L >= 0`` (``0``: identities).
        num_circuits: ``N >= 1``.
        kappa: twisting strength (default :math:`\pi/(2j)`).
        twist: ``False`` drops the twist (rotations only: stays in the SU(2) irrep).
        seed: an int, a numpy ``Generator`` or ``None``.

    Example:
        >>> u = high_spin_circuits(1.5, 3, 5, seed=0)
        >>> u.shape, np.allclose(u[0] @ u[0].conj().T, np.eye(4))
        ((5, 4, 4), True)
    """
    fj = _check_spin(j)
    depth = check_positive_int(depth, "depth", minimum=0)
    num = check_positive_int(num_circuits, "num_circuits")
    rng = as_generator(seed)
    d = int(2 * fj) + 1
    t = np.diag(twisting_gate(fj, kappa)) if twist else np.ones(d)
    u = np.broadcast_to(np.eye(d, dtype=np.complex128), (num, d, d)).copy()
    for _ in range(depth):
        u = t[None, :, None] * (random_su2_rotations(fj, num, rng) @ u)
    return u


def snap_gate(phases: ArrayLike) -> np.ndarray:
    r"""SNAP gate :math:`S(\vec\theta) = \sum_n e^{i\theta_n}|n\rangle\langle n|`.

    Args:
        phases: ``(d,)`` or a batch ``(N, d)`` of real phases.

    Example:
        >>> np.round(snap_gate([0, np.pi / 2]), 12).tolist()
        [[(1+0j), 0j], [0j, 1j]]
    """
    th = np.asarray(phases, dtype=np.float64)
    check_finite(th, "phases")
    if th.ndim not in (1, 2) or th.shape[-1] < 2:
        raise ValueError(f"phases must have shape (d,) or (N, d) with d >= 2, got {th.shape}")
    return np.exp(1j * th)[..., :, None] * np.eye(th.shape[-1])


def fock_displacement(d: int, alpha: complex | Sequence[complex]) -> np.ndarray:
    r"""Displacement :math:`\exp(\alpha a^\dagger - \alpha^* a)` of the truncated generator.

    The generator truncated to ``d`` Fock levels is anti-Hermitian, so the result is exactly
    unitary on the ``d``-level space. It differs from the infinite-dimensional displacement
    projected onto the first ``d`` levels by terms that vanish as ``d`` grows at fixed
    :math:`\alpha`. :math:`D(\alpha) = R_\varphi\,e^{|\alpha|(a^\dagger - a)}\,R_\varphi^\dagger`
    with :math:`R_\varphi = e^{i\varphi a^\dagger a}`, :math:`\alpha = |\alpha|e^{i\varphi}`.

    Args:
        d: number of Fock levels, ``d >= 2``.
        alpha: complex amplitude, or a 1-D batch of them (result ``(N, d, d)``).

    Example:
        >>> D = fock_displacement(40, 0.5)
        >>> bool(abs(abs(D[0, 0]) ** 2 - np.exp(-0.25)) < 1e-12)  # <0|alpha>: coherent state
        True
    """
    d = check_positive_int(d, "d", minimum=2)
    a = np.asarray(alpha, dtype=np.complex128)
    check_finite(a, "alpha")
    if a.ndim > 1:
        raise ValueError(f"alpha must be a number or a 1-D batch, got shape {a.shape}")
    lower = np.diag(np.sqrt(np.arange(1, d)), k=1)  # a
    h = 1j * (lower.T - lower)  # i(a^dag - a), Hermitian
    ev, vec = np.linalg.eigh(h)
    r, phi = np.abs(a), np.angle(a)
    # exp(r (a^dag - a)) = exp(-i r h)
    core = np.einsum("ik,...k,jk->...ij", vec, np.exp(-1j * r[..., None] * ev), vec.conj())
    rot = np.exp(1j * phi[..., None] * np.arange(d))
    return rot[..., :, None] * core * rot.conj()[..., None, :]


def cavity_circuits(
    d: int,
    depth: int,
    num_circuits: int,
    *,
    alpha: complex = 1.0,
    seed: int | np.random.Generator | None = None,
) -> np.ndarray:
    r"""``num_circuits`` random SNAP-displacement circuits :math:`D S_L \cdots D S_1`.

    Args:
        d: Fock levels kept, ``d >= 2``.
        depth: number of layers ``L >= 0``.
        num_circuits: ``N >= 1``.
        alpha: the displacement amplitude of every layer (non-zero).
        seed: an int, a numpy ``Generator`` or ``None``.

    Example:
        >>> u = cavity_circuits(3, 2, 4, seed=0)
        >>> u.shape, np.allclose(u[1].conj().T @ u[1], np.eye(3))
        ((4, 3, 3), True)
    """
    d = check_positive_int(d, "d", minimum=2)
    depth = check_positive_int(depth, "depth", minimum=0)
    num = check_positive_int(num_circuits, "num_circuits")
    if check_nonnegative_float(abs(complex(alpha)), "alpha") == 0:
        raise ValueError("alpha must be non-zero (D(0) = I never mixes Fock levels)")
    rng = as_generator(seed)
    disp = fock_displacement(d, alpha)
    u = np.broadcast_to(np.eye(d, dtype=np.complex128), (num, d, d)).copy()
    for _ in range(depth):
        phases = np.exp(1j * rng.uniform(0, 2 * np.pi, size=(num, d)))
        u = disp[None] @ (phases[:, :, None] * u)
    return u


def frame_potential_estimate(unitaries: ArrayLike, t: int) -> float:
    r"""Unbiased U-statistic of the unitary frame potential (pairs ``i != j`` only).

    .. math:: \hat F_t = \frac{1}{N(N-1)}\sum_{i\ne j}|\operatorname{tr}U_i^\dagger U_j|^{2t}

    Uses :func:`qtwin.designs.frame_potentials.frame_potential` (all pairs) and removes the
    ``N`` diagonal terms :math:`|\operatorname{tr} I|^{2t} = d^{2t}`.

    Args:
        unitaries: ``(N, d, d)``, ``N >= 2`` independent samples.
        t: moment order ``t >= 1``.

    Example:
        >>> from scipy.stats import unitary_group
        >>> us = unitary_group.rvs(3, size=600, random_state=0)
        >>> abs(frame_potential_estimate(us, 1) - 1) < 0.1
        True
    """
    from qtwin.designs.frame_potentials import frame_potential

    us = np.asarray(unitaries)
    if us.ndim != 3 or us.shape[1] != us.shape[2] or us.shape[0] < 2:
        raise ValueError(f"unitaries must have shape (N, d, d) with N >= 2, got {us.shape}")
    t = check_positive_int(t, "t")
    n, d = us.shape[0], us.shape[1]
    fv = frame_potential(us, t, kind="unitary")
    return float((n * fv - float(d) ** (2 * t)) / (n - 1))


def frame_potential_std_error(unitaries: ArrayLike, t: int) -> float:
    r"""Standard error of :func:`frame_potential_estimate` (Hoeffding's variance formula).

    The estimate is a degree-2 U-statistic of :math:`h_{ij} =
    |\operatorname{tr}U_i^\dagger U_j|^{2t}` with mean :math:`\theta = F_t`; its variance is

    .. math::

        \operatorname{Var}\hat F_t = \frac{4(N-2)}{N(N-1)}\zeta_1 + \frac{2}{N(N-1)}\zeta_2,
        \qquad \zeta_1 = \operatorname{Cov}(h_{ij}, h_{ik}),\ \zeta_2 = \operatorname{Var}h_{ij}.

    Both terms are kept: near Haar the ensemble is invariant, :math:`\mathbb E_j h_{ij}` does
    not depend on :math:`U_i`, :math:`\zeta_1 \to 0` and the :math:`1/N^2` term dominates.
    :math:`\zeta_1` is estimated from the row sums :math:`S_i = \sum_{j\ne i}h_{ij}` as
    :math:`\overline{(S_i^2 - \sum_j h_{ij}^2)}/((N-1)(N-2)) - \hat F_t^2` (clipped at 0),
    :math:`\zeta_2` as :math:`\overline{h_{ij}^2} - \hat F_t^2`.

    Args:
        unitaries: ``(N, d, d)``, ``N >= 3`` independent samples.
        t: moment order ``t >= 1``.

    Example:
        >>> from scipy.stats import unitary_group
        >>> us = unitary_group.rvs(3, size=400, random_state=0)
        >>> 0.005 < frame_potential_std_error(us, 2) < 0.05   # Haar F_2 = 2
        True
    """
    us = np.asarray(unitaries)
    if us.ndim != 3 or us.shape[1] != us.shape[2] or us.shape[0] < 3:
        raise ValueError(f"unitaries must have shape (N, d, d) with N >= 3, got {us.shape}")
    t = check_positive_int(t, "t")
    n = us.shape[0]
    h = np.abs(np.einsum("aij,bij->ab", us.conj(), us)) ** (2 * t)
    np.fill_diagonal(h, 0.0)
    mean = h.sum() / (n * (n - 1))
    row_sum, row_sq = h.sum(axis=1), (h * h).sum(axis=1)
    zeta1 = max(float(np.mean((row_sum**2 - row_sq) / ((n - 1) * (n - 2)))) - mean**2, 0.0)
    zeta2 = max(float(row_sq.sum() / (n * (n - 1))) - mean**2, 0.0)
    var = 4 * (n - 2) / (n * (n - 1)) * zeta1 + 2 / (n * (n - 1)) * zeta2
    return float(np.sqrt(var))


def su2_irrep_frame_potential(j: float, t: int) -> int:
    r"""Frame potential of Haar SU(2) in the spin-``j`` irrep: :math:`\int |\chi_j|^{2t}`.

    The multiplicity of spin 0 in :math:`V_j^{\otimes 2t}`: with
    :math:`\chi_j = \sum_{m=-j}^{j} q^{2m}`, it is the coefficient of :math:`q^0` minus that of
    :math:`q^2` in :math:`\chi_j^{2t}`. ``t = 1`` gives 1 (irreducible), ``t = 2`` gives
    :math:`2j + 1`.

    Example:
        >>> [su2_irrep_frame_potential(1, t) for t in (1, 2, 3)]
        [1, 3, 15]
    """
    fj = _check_spin(j)
    t = check_positive_int(t, "t")
    two_j = int(2 * fj)
    char = np.ones(two_j + 1, dtype=object)  # powers q^{-2j}, q^{-2j+2}, ..., q^{2j} (step 2)
    poly = np.array([1], dtype=object)
    for _ in range(2 * t):
        poly = np.convolve(poly, char)
    centre = len(poly) // 2  # the q^0 coefficient (poly is symmetric)
    return int(poly[centre] - (poly[centre + 1] if centre + 1 < len(poly) else 0))


@dataclass
class NativeDesignResult:
    """Frame potentials of a native-gate circuit family against depth.

    Attributes:
        family: ``"high_spin"``, ``"rotations_only"`` or ``"cavity"``.
        d: qudit dimension.
        depths: the depths ``1..max_depth``.
        ts: the moments ``t``.
        potentials: ``{t: [F_t(depth) for depth in depths]}`` (U-statistics).
        std_errors: ``{t: [se(depth) ...]}`` (:func:`frame_potential_std_error`; empty for
            results built without them).
        haar: ``{t: Haar value}``.
        eps: the relative tolerance of :attr:`depth_to_haar`.
        depth_to_haar: ``{t: first depth with |F_t - F_Haar| <= eps * F_Haar, or None}``.
        num_circuits: circuits per depth.
        params: the family's parameters (``j``, ``kappa``, ``alpha``).
    """

    family: str
    d: int
    depths: list[int]
    ts: list[int]
    potentials: dict[int, list[float]]
    haar: dict[int, float]
    eps: float
    depth_to_haar: dict[int, int | None]
    num_circuits: int
    params: dict[str, Any] = field(default_factory=dict)
    std_errors: dict[int, list[float]] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        """JSON-able form (keys of the per-``t`` dicts become strings)."""
        return {
            "family": self.family,
            "d": self.d,
            "depths": list(self.depths),
            "ts": list(self.ts),
            "potentials": {str(t): v for t, v in self.potentials.items()},
            "haar": {str(t): v for t, v in self.haar.items()},
            "eps": self.eps,
            "depth_to_haar": {str(t): v for t, v in self.depth_to_haar.items()},
            "num_circuits": self.num_circuits,
            "params": dict(self.params),
            "std_errors": {str(t): v for t, v in self.std_errors.items()},
        }

    def to_dict(self) -> dict[str, Any]:
        """JSON-able form (the name every ``*Result`` of qtwin uses; same as :meth:`as_dict`)."""
        return self.as_dict()

    def to_dataframe(self) -> pd.DataFrame:
        """One row per ``(t, depth)``: ``family, d, t, depth, frame_potential, std_error,
        haar, ratio``.

        Example:
            >>> r = frame_potential_vs_depth("cavity", 3, 2, 50, ts=(2,), seed=0)
            >>> r.to_dataframe().columns.tolist()
            ['family', 'd', 't', 'depth', 'frame_potential', 'std_error', 'haar', 'ratio']
        """
        import pandas as pd

        rows = [
            {
                "family": self.family,
                "d": self.d,
                "t": t,
                "depth": depth,
                "frame_potential": f,
                "std_error": self.std_errors[t][k] if t in self.std_errors else float("nan"),
                "haar": self.haar[t],
                "ratio": f / self.haar[t],
            }
            for t in self.ts
            for k, (depth, f) in enumerate(zip(self.depths, self.potentials[t], strict=True))
        ]
        return pd.DataFrame(rows)


def frame_potential_vs_depth(
    family: str,
    d: int,
    max_depth: int,
    num_circuits: int,
    *,
    ts: Sequence[int] = (1, 2, 3),
    eps: float = 0.05,
    kappa: float | None = None,
    alpha: complex = 1.0,
    seed: int | np.random.Generator | None = None,
) -> NativeDesignResult:
    r"""Frame potentials :math:`F_t` of ``num_circuits`` random native circuits at depths 1..L.

    The circuits are grown layer by layer (depth ``L`` extends depth ``L - 1``), each depth
    estimated with :func:`frame_potential_estimate` and compared with
    :func:`qtwin.designs.haar.haar_frame_potential` (``kind="unitary"``).

    Args:
        family: ``"high_spin"`` (rotation + twist), ``"rotations_only"`` (no twist) or
            ``"cavity"`` (SNAP + displacement).
        d: qudit dimension (``j = (d - 1)/2`` for the spin families).
        max_depth: largest depth ``>= 1``.
        num_circuits: circuits per depth, ``>= 2``.
        ts: moments to compute.
        eps: relative tolerance for :attr:`NativeDesignResult.depth_to_haar`.
        kappa: twist of the high-spin family (default :math:`\pi/(2j)`).
        alpha: displacement of the cavity family.
        seed: an int, a numpy ``Generator`` or ``None``.

    Example:
        >>> r = frame_potential_vs_depth("rotations_only", 3, 2, 300, ts=(2,), seed=0)
        >>> [round(f) for f in r.potentials[2]]  # stuck at su2_irrep_frame_potential(1, 2)
        [3, 3]
    """
    from qtwin.designs.haar import haar_frame_potential

    check_choice(family, "family", FAMILIES)
    d = check_positive_int(d, "d", minimum=2)
    max_depth = check_positive_int(max_depth, "max_depth")
    num = check_positive_int(num_circuits, "num_circuits", minimum=2)
    ts = [check_positive_int(t, "ts") for t in ts]
    if not ts:
        raise ValueError("ts must name at least one moment t >= 1")
    eps = check_nonnegative_float(eps, "eps")
    rng = as_generator(seed)
    j = Fraction(d - 1, 2)
    params: dict[str, Any]
    if family == "cavity":
        params = {"alpha": complex(alpha).real if complex(alpha).imag == 0 else str(alpha)}

        def step(u: np.ndarray) -> np.ndarray:
            return cavity_circuits(d, 1, num, alpha=alpha, seed=rng) @ u
    else:
        twist = family == "high_spin"
        k = np.pi / (2 * float(j)) if kappa is None else float(kappa)
        params = {"j": float(j), "kappa": k if twist else None}

        def step(u: np.ndarray) -> np.ndarray:
            return high_spin_circuits(j, 1, num, kappa=k, twist=twist, seed=rng) @ u

    haar = {t: haar_frame_potential(d, t, "unitary") for t in ts}
    pots: dict[int, list[float]] = {t: [] for t in ts}
    errs: dict[int, list[float]] = {t: [] for t in ts}
    u = np.broadcast_to(np.eye(d, dtype=np.complex128), (num, d, d)).copy()
    depths = list(range(1, max_depth + 1))
    for _ in depths:
        u = step(u)
        for t in ts:
            pots[t].append(frame_potential_estimate(u, t))
            errs[t].append(frame_potential_std_error(u, t) if num >= 3 else float("nan"))
    reached: dict[int, int | None] = {}
    for t in ts:
        close = [
            L for L, f in zip(depths, pots[t], strict=True) if abs(f - haar[t]) <= eps * haar[t]
        ]
        reached[t] = close[0] if close else None
    return NativeDesignResult(family, d, depths, ts, pots, haar, eps, reached, num, params, errs)
