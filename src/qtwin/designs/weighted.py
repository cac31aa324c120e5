r"""Weighted state t-designs in every dimension, and the linear program that finds them.

**Construction** (:func:`weighted_state_design`). Write a state as
:math:`|\psi\rangle = \sum_k \sqrt{p_k}\, e^{i\varphi_k} |k\rangle`. Under Haar measure
the moduli :math:`p` are uniform on the simplex (Dirichlet(1, ..., 1)) and independent of
the phases. A moment :math:`\mathbb{E}[\psi^{a}\bar\psi^{b}]` (multisets ``a, b`` of
``t`` indices) is :math:`\mathbb{E}[\prod_k p_k^{a_k}]` when ``a = b`` and zero otherwise.
So a weighted t-design is any product of

* an **amplitude rule** exact for polynomials of degree ``t`` on the simplex: stick-breaking
  :math:`p_k = u_k \prod_{l<k}(1-u_l)` with :math:`u_k \sim \mathrm{Beta}(1, d-1-k)`,
  ``k = 0..d-2``, each integrated by an ``n = ceil((t+1)/2)``-node Gauss–Jacobi rule (exact to
  degree ``2n-1 >= t``); positive weights, ``n**(d-1)`` points;
* a **phase rule** :math:`\varphi_k = 2\pi j g_k / m`, ``j = 0..m-1``, where
  :math:`g = (0, g_1, \dots, g_{d-1})` is a *modular* :math:`B_t` *set*: all sums of ``t``
  elements of ``g`` (with repetition) are distinct modulo ``m``. Then
  :math:`\frac1m\sum_j e^{2\pi i j (g\cdot a - g\cdot b)/m} = \delta_{ab}`.
  ``g`` is found greedily for the smallest ``m >= binom(d+t-1, t)`` that works (``m = t+1``
  for ``d = 2``).

The design has ``n**(d-1) * m`` states (``d=6, t=2``: 32 x 35 = 1120, against
``n**(d-1) (t+1)**(d-1) = 7776`` for the plain phase grid ``Z_{t+1}^{d-1}``), weights
``w = (Gauss weights product) / m``. ``prune=True`` keeps a vertex of the LP below (at most
``binom(d+t-1,t)**2`` states).

**Search** (:func:`find_design_weights`). Map a state to its symmetric-basis vector
:math:`v_a = \sqrt{t!/a!}\,\psi^{a}` in :math:`\mathrm{Sym}^t(\mathbb{C}^d)`, dimension
``D = binom(d+t-1, t)``; then :math:`\langle v(\psi), v(\phi)\rangle = \langle\psi|\phi\rangle^t`
and the design condition reads :math:`\sum_i w_i v_i v_i^\dagger = I_D / D`: ``D``
real diagonal equations plus the real and imaginary parts of the ``D(D-1)/2`` upper entries,
``D**2`` real linear equations in ``w >= 0``. HiGHS's dual simplex returns a basic (vertex)
solution, whose support is at most the rank of the constraints, ``<= D**2`` (Carathéodory);
infeasibility comes with a Farkas certificate: a Hermitian ``Y`` on ``Sym^t`` with
:math:`\langle\psi_i^{\otimes t}|Y|\psi_i^{\otimes t}\rangle \ge 0` for every candidate but
:math:`\operatorname{tr}(Y)/D < 0`, which no non-negative weighting can reconcile.
"""

from __future__ import annotations

import dataclasses
import itertools
import math
from dataclasses import dataclass
from functools import cache
from typing import Any

import numpy as np
from numpy.typing import ArrayLike
from scipy.optimize import linprog
from scipy.special import roots_jacobi

from qtwin._io import to_jsonable
from qtwin._validation import check_finite, check_positive_int
from qtwin.designs.frame_potentials import NORM_TOL, _sym_index

__all__ = [
    "DesignWeights",
    "find_design_weights",
    "modular_bt_set",
    "symmetric_vectors",
    "weighted_state_design",
]


# ---------------------------------------------------------------------------------------------
# construction


def _multiset_sums(g: np.ndarray, t: int) -> np.ndarray:
    """Sums of all multisets of size ``t`` drawn from ``g`` (one per multiset)."""
    combos = np.array(list(itertools.combinations_with_replacement(range(len(g)), t)))
    return g[combos].sum(axis=1)


@cache
def _bt_set(d: int, t: int) -> tuple[int, tuple[int, ...]]:
    need = math.comb(d + t - 1, t)
    m = need
    while True:
        g = [0]
        for cand in range(1, m):
            trial = np.array([*g, cand])
            sums = _multiset_sums(trial, t) % m
            if np.unique(sums).size == sums.size:
                g.append(cand)
                if len(g) == d:
                    return m, tuple(g)
        m += 1


def modular_bt_set(d: int, t: int) -> tuple[int, np.ndarray]:
    r"""A modulus ``m`` and ``d`` residues ``g`` (``g[0] = 0``) with distinct ``t``-fold sums.

    Every multiset of ``t`` elements of ``g`` has a different sum modulo ``m``, so the phase
    average :math:`\frac1m \sum_j e^{2\pi i j (g\cdot a - g\cdot b)/m}` vanishes for all
    multisets ``a != b``. Greedy search from ``m = binom(d+t-1, t)`` (the lower bound) up.

    Example:
        >>> m, g = modular_bt_set(3, 2)
        >>> m, g.tolist()
        (7, [0, 1, 3])
    """
    d = check_positive_int(d, "d", minimum=2)
    t = check_positive_int(t, "t", minimum=1)
    m, g = _bt_set(d, t)
    return m, np.array(g, dtype=np.int64)


def _dirichlet_rule(d: int, t: int) -> tuple[np.ndarray, np.ndarray]:
    """Positive cubature on the simplex, exact for the uniform law up to degree ``t``."""
    n = (t + 2) // 2  # ceil((t + 1) / 2)
    nodes, weights = [], []
    for k in range(d - 1):
        x, w = roots_jacobi(n, d - 2 - k, 0.0)  # weight (1-x)^(d-2-k) on [-1, 1]
        nodes.append((x + 1.0) / 2.0)
        weights.append(w / w.sum())
    u = np.array(list(itertools.product(*nodes)))  # (n^(d-1), d-1)
    wu = np.prod(np.array(list(itertools.product(*weights))), axis=1)
    p = np.empty((u.shape[0], d))
    rest = np.ones(u.shape[0])
    for k in range(d - 1):
        p[:, k] = rest * u[:, k]
        rest = rest * (1.0 - u[:, k])
    p[:, d - 1] = rest
    return p, wu


def weighted_state_design(
    d: int, t: int, *, prune: bool = False, max_states: int = 10_000_000
) -> tuple[np.ndarray, np.ndarray]:
    r"""Exact weighted state t-design in dimension ``d`` (any ``d >= 2``, any ``t >= 1``).

    Gauss–Jacobi stick-breaking cubature for the moduli times a modular-:math:`B_t` phase rule
    (see the module docstring for the construction and why it is exact). Size
    ``ceil((t+1)/2)**(d-1) * m`` with ``m`` from :func:`modular_bt_set`.

    Args:
        d: dimension, ``d >= 2`` (prime, prime power or composite alike).
        t: design order, ``t >= 1``.
        prune: keep only the support of a vertex solution of :func:`find_design_weights`
            on these states (at most ``binom(d+t-1, t)**2`` states; costs one LP).
        max_states: refuse (``ValueError``) constructions larger than this; the size grows
            like ``ceil((t+1)/2)**(d-1)``, e.g. ``d = 12, t = 2``: 2048 x m states.

    Returns:
        ``(states, weights)``: ``(N, d)`` complex128 unit vectors and ``(N,)`` positive
        weights summing to 1 with :math:`\sum_i w_i (|\psi_i\rangle\langle\psi_i|)^{\otimes t}
        = \Pi_{\mathrm{sym}} / \binom{d+t-1}{t}`.

    Example:
        >>> from qtwin.designs.frame_potentials import frame_potential
        >>> S, w = weighted_state_design(d=6, t=2)
        >>> S.shape, round(frame_potential(S, 2, w) * 21, 12)
        ((1120, 6), 1.0)
    """
    d = check_positive_int(d, "d", minimum=2)
    t = check_positive_int(t, "t", minimum=1)
    max_states = check_positive_int(max_states, "max_states")
    n_amp = ((t + 2) // 2) ** (d - 1)
    if n_amp > max_states:
        raise ValueError(
            f"weighted_state_design(d={d}, t={t}) needs at least {n_amp} states, more than "
            f"max_states={max_states}; raise max_states if that is intended"
        )
    m, g = _bt_set(d, t)
    if n_amp * m > max_states:
        raise ValueError(
            f"weighted_state_design(d={d}, t={t}) has {n_amp * m} states, more than "
            f"max_states={max_states}; raise max_states if that is intended"
        )
    p, wp = _dirichlet_rule(d, t)
    phases = np.exp(2j * np.pi * np.outer(np.arange(m), g) / m)  # (m, d)
    states = (np.sqrt(p)[:, None, :] * phases[None, :, :]).reshape(-1, d)
    weights = np.repeat(wp / m, m)
    weights = weights / weights.sum()
    if prune:
        res = find_design_weights(states, t)
        if not res.feasible:  # pragma: no cover - the construction is exact
            raise RuntimeError(f"pruning LP failed: {res.message}")
        states, weights = states[res.support], res.weights[res.support]
    return states, weights


# ---------------------------------------------------------------------------------------------
# search


def symmetric_vectors(states: ArrayLike, t: int) -> np.ndarray:
    r"""Coordinates :math:`\sqrt{t!/a!}\,\psi^a` of :math:`\psi^{\otimes t}` in ``Sym^t``.

    Rows are indexed by the multisets ``a`` of ``t`` indices in lexicographic order
    (``itertools.combinations_with_replacement``); inner products satisfy
    :math:`\langle v(\psi), v(\phi)\rangle = \langle\psi|\phi\rangle^t`.

    Example:
        >>> import numpy as np
        >>> v = symmetric_vectors(np.array([[1, 1j]]) / np.sqrt(2), 2)
        >>> np.round(v, 6).tolist()
        [[(0.5+0j), 0.707107j, (-0.5+0j)]]
    """
    x = np.asarray(states, dtype=np.complex128)
    idx, coef = _sym_index(x.shape[1], t)
    return np.prod(x[:, idx], axis=2) * coef


@dataclass(frozen=True)
class DesignWeights:
    """Result of :func:`find_design_weights`.

    Attributes:
        feasible: whether non-negative weights making a t-design exist (per the LP).
        weights: ``(N,)`` weights summing to 1 (zeros off the support), or ``None``.
        support: indices of the candidates with non-zero weight (empty if infeasible).
        status: scipy ``linprog`` status (0 solved, 2 infeasible, others: see ``message``).
        message: the solver's message.
        n_constraints: number of real equality constraints, ``D**2 + 1``.
        residual: ``max |sum_i w_i v_i v_i^† - I/D|`` entrywise (``nan`` when infeasible).
        certificate: Farkas vector ``y`` (real coordinates of a Hermitian ``Y`` on Sym^t, last
            entry multiplies ``sum w = 1``) with ``A^T y >= 0`` and ``b^T y < 0``; ``None``
            when feasible or when no certificate was found.
        certificate_value: ``b^T y`` (negative for a valid certificate).
    """

    feasible: bool
    weights: np.ndarray | None
    support: np.ndarray
    status: int
    message: str
    n_constraints: int
    residual: float
    certificate: np.ndarray | None = None
    certificate_value: float = math.nan

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready fields (arrays as lists, ``nan`` as ``None``).

        Example:
            >>> from qtwin.designs.known import mutually_unbiased_bases
            >>> mub = np.asarray(mutually_unbiased_bases(3)).reshape(-1, 3)
            >>> d = find_design_weights(mub, 2).to_dict()
            >>> d["feasible"], len(d["weights"])
            (True, 12)
        """
        return to_jsonable(dataclasses.asdict(self))


def _moment_constraints(vecs: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Real constraint matrix ``A`` (rows: equations, columns: candidates) and target ``b``."""
    n, dim = vecs.shape
    iu, ju = np.triu_indices(dim)
    outer = vecs[:, iu] * vecs[:, ju].conj()  # (N, D(D+1)/2): entries (v v^†)_{ab}, a <= b
    off = iu != ju
    rows = [outer.real.T, outer[:, off].imag.T, np.ones((1, n))]
    a = np.vstack(rows)
    target = np.where(iu == ju, 1.0 / dim, 0.0)
    b = np.concatenate([target, np.zeros(int(off.sum())), [1.0]])
    return a, b


def find_design_weights(
    candidates: ArrayLike,
    t: int,
    *,
    tol: float = 1e-9,
    sparse: bool = True,
) -> DesignWeights:
    r"""Non-negative weights that make ``candidates`` a weighted state t-design, or a proof of none.

    Solves the linear program :math:`\sum_i w_i v_i v_i^\dagger = I_D/D`, ``w >= 0``,
    :math:`\sum_i w_i = 1` in the real parametrization of the module docstring with scipy's
    HiGHS. ``sparse=True`` uses the dual simplex, whose basic solution has at most
    ``rank <= D**2`` non-zero weights; ``sparse=False`` maximizes the smallest weight instead
    (spreads weight over as many candidates as possible). The support is then polished by a
    least-squares solve to rounding accuracy. When the LP is infeasible a second LP
    (:math:`\min b^T y` s.t. :math:`A^T y \ge 0`, :math:`|y| \le 1`) returns a Farkas
    certificate.

    Args:
        candidates: ``(N, d)`` normalized states.
        t: design order, ``t >= 1``.
        tol: weights below ``tol`` count as zero; also the residual accepted after polishing.
        sparse: prefer a vertex (few non-zero weights) over a spread solution.

    Returns:
        A :class:`DesignWeights`. ``feasible`` is HiGHS's verdict at its own tolerances
        (primal feasibility ``1e-7``); ``residual`` says how exactly the returned weights
        meet the moment conditions (rounding level after polishing in the cases tested).

    Example:
        >>> import numpy as np
        >>> mub = np.array([[1, 0], [0, 1], [1, 1], [1, -1], [1, 1j], [1, -1j]]) / np.sqrt(
        ...     [1, 1, 2, 2, 2, 2])[:, None]
        >>> res = find_design_weights(mub, 3)
        >>> res.feasible, bool(np.allclose(res.weights, 1 / 6, atol=1e-12)), res.support.size
        (True, True, 6)
        >>> find_design_weights(mub[:4], 2).feasible  # two bases are too few for a 2-design
        False
    """
    t = check_positive_int(t, "t", minimum=1)
    x = np.asarray(candidates)
    if x.ndim != 2 or x.shape[0] < 1 or x.shape[1] < 2:
        raise ValueError(f"candidates must have shape (N, d) with N >= 1, d >= 2, got {x.shape}")
    check_finite(x, "candidates")
    x = x.astype(np.complex128)
    err = float(np.max(np.abs(np.linalg.norm(x, axis=1) - 1.0)))
    if err > NORM_TOL:
        raise ValueError(
            f"candidates must be normalized states: max | ||psi|| - 1 | = {err:.3g} "
            f"exceeds the tolerance {NORM_TOL:g}"
        )
    if not (isinstance(tol, (int, float)) and tol > 0):
        raise ValueError(f"tol must be a positive number, got {tol!r}")
    n = x.shape[0]
    a, b = _moment_constraints(symmetric_vectors(x, t))
    if sparse:
        res = linprog(np.zeros(n), A_eq=a, b_eq=b, bounds=(0, None), method="highs-ds")
        w = res.x
    else:  # maximize s subject to w_i >= s
        c = np.zeros(n + 1)
        c[-1] = -1.0
        a_ub = np.hstack([-np.eye(n), np.ones((n, 1))])
        a_eq = np.hstack([a, np.zeros((a.shape[0], 1))])
        res = linprog(
            c, A_ub=a_ub, b_ub=np.zeros(n), A_eq=a_eq, b_eq=b,
            bounds=[(0, None)] * n + [(None, None)], method="highs",
        )  # fmt: skip
        w = None if res.x is None else res.x[:n]
    if res.status != 0 or w is None:
        cert, value = None, math.nan
        if res.status == 2:
            far = linprog(b, A_ub=-a.T, b_ub=np.zeros(n), bounds=(-1, 1), method="highs")
            if far.status == 0 and far.fun < -tol:
                cert, value = far.x, float(far.fun)
        return DesignWeights(
            False, None, np.array([], dtype=np.int64), int(res.status), str(res.message),
            a.shape[0], math.nan, cert, value,
        )  # fmt: skip
    w = np.clip(w, 0.0, None)
    support = np.flatnonzero(w > tol)
    polished, *_ = np.linalg.lstsq(a[:, support], b, rcond=None)
    if np.all(polished >= 0) and np.max(np.abs(a[:, support] @ polished - b)) <= tol:
        w = np.zeros(n)
        w[support] = polished
    w = w / w.sum()
    residual = float(np.max(np.abs(a @ w - b)))
    return DesignWeights(True, w, np.flatnonzero(w > 0), 0, str(res.message), a.shape[0], residual)
