"""Known designs: complete MUBs, stabilizer orbits, the qubit Clifford and icosahedral groups.

* :func:`mutually_unbiased_bases` — ``d + 1`` mutually unbiased bases for a prime power
  ``d = p^m`` (Wootters–Fields), a state 2-design (Klappenecker–Rötteler).
* :func:`stabilizer_orbit` — the Clifford orbit of ``|0>``: a 2-design exactly when ``d`` is
  prime (then it *is* the complete set of MUBs); for composite ``d`` it is not (and, being a
  single orbit of a group, no re-weighting makes it one: the group average of a design weighting
  would be the uniform one).
* :func:`qubit_clifford_group` — 24 elements: a unitary 3-design, not a 4-design.
* :func:`binary_icosahedral_group` — 120 elements of SU(2): a unitary 5-design, not a 6-design.
"""

from __future__ import annotations

import itertools
from functools import cache

import numpy as np

from qtwin._validation import check_positive_int

__all__ = [
    "binary_icosahedral_group",
    "mutually_unbiased_bases",
    "prime_power",
    "qubit_clifford_group",
    "stabilizer_orbit",
]


def prime_power(d: int) -> tuple[int, int] | None:
    """``(p, m)`` with ``d = p**m`` for a prime ``p``, or ``None`` if ``d`` is no prime power.

    Example:
        >>> prime_power(8), prime_power(9), prime_power(6)
        ((2, 3), (3, 2), None)
    """
    d = check_positive_int(d, "d", minimum=2)
    p = next(q for q in range(2, d + 1) if d % q == 0)
    m, rest = 0, d
    while rest % p == 0:
        rest //= p
        m += 1
    return (p, m) if rest == 1 else None


def _poly_mod(a: list[int], f: list[int], p: int) -> list[int]:
    """Remainder of ``a`` modulo monic ``f`` over F_p (coefficients low degree first)."""
    a = [c % p for c in a]
    while len(a) >= len(f):
        lead = a[-1]
        if lead:
            shift = len(a) - len(f)
            for i, c in enumerate(f):
                a[shift + i] = (a[shift + i] - lead * c) % p
        a.pop()
    return a


def _irreducible(p: int, m: int) -> list[int]:
    """The first monic irreducible polynomial of degree ``m`` over F_p (low degree first)."""
    for tail in itertools.product(range(p), repeat=m):
        f = [*tail, 1]
        if f[0] == 0 and m > 1:
            continue
        reducible = False
        for k in range(1, m // 2 + 1):
            for gt in itertools.product(range(p), repeat=k):
                if not any(_poly_mod(f, [*gt, 1], p)):
                    reducible = True
                    break
            if reducible:
                break
        if not reducible:
            return f
    raise AssertionError("no irreducible polynomial found")  # pragma: no cover


@cache
def _mub_array(p: int, m: int) -> np.ndarray:
    d = p**m
    f = _irreducible(p, m)
    comp = np.zeros((m, m), dtype=np.int64)  # multiplication by x in the basis 1, x, ..., x^(m-1)
    comp[1:, :-1] = np.eye(m - 1, dtype=np.int64)
    comp[:, -1] = [-c % p for c in f[:-1]]
    powers = [np.eye(m, dtype=np.int64)]
    for _ in range(3 * m):
        powers.append(powers[-1] @ comp % p)
    # field traces tr(x^k) = trace of the multiplication matrix
    tr_pow = np.array([int(np.trace(c)) % p for c in powers])
    xs = np.array(list(itertools.product(range(p), repeat=m)))[:, ::-1]  # index = sum x_i p^i
    bases = np.empty((d + 1, d, d), dtype=np.complex128)
    bases[0] = np.eye(d)
    ij = np.add.outer(np.arange(m), np.arange(m))
    for ridx, r in enumerate(xs):
        # B_r[i, j] = tr(r x^i x^j) = sum_k r_k tr(x^(i+j+k))
        b = sum(int(r[k]) * tr_pow[ij + k] for k in range(m)) % p
        quad = np.einsum("xi,ij,xj->x", xs, b, xs)
        lin = xs @ xs.T  # (s, x) -> s . x
        if p == 2:
            phase = 1j ** ((quad[None, :] + 2 * lin) % 4)
        else:
            phase = np.exp(2j * np.pi * ((quad[None, :] + lin) % p) / p)
        bases[1 + ridx] = phase / np.sqrt(d)
    return bases


def mutually_unbiased_bases(d: int) -> np.ndarray:
    r"""A complete set of ``d + 1`` mutually unbiased bases for a prime power ``d = p^m``.

    Wootters–Fields: identify :math:`\mathbb{C}^d` with functions on :math:`\mathrm{GF}(p^m)`
    (index :math:`\sum_i x_i p^i \leftrightarrow \sum_i x_i \alpha^i`, ``α`` a root of the
    first irreducible polynomial). Besides the computational basis, for each ``r ∈ GF(d)`` the
    basis vectors are

    .. math:: \psi_{r,s}(x) = \frac{1}{\sqrt d}\,\omega_p^{\operatorname{tr}(r x^2) + s \cdot x}
              \quad (p \text{ odd}), \qquad
              \psi_{r,s}(x) = \frac{1}{\sqrt d}\, i^{\,x^T B_r x}\,(-1)^{s \cdot x}
              \quad (p = 2),

    where :math:`B_r[i,j] = \operatorname{tr}(r\,\alpha^{i+j}) \in \{0,\dots,p-1\}` is the
    trace form (the exponent of ``i`` is evaluated in the integers mod 4). For prime ``d`` this
    is the standard :math:`\omega^{r x^2 + s x}/\sqrt d` construction. Unbiasedness follows
    from Gauss sums of the non-degenerate forms :math:`B_r - B_{r'}`.

    Args:
        d: a prime power ``>= 2``.

    Returns:
        ``(d + 1, d, d)`` complex array: ``bases[b, s]`` is the ``s``-th vector of basis ``b``
        (``bases[0]`` is the computational basis).

    Raises:
        ValueError: ``d`` is not a prime power (complete MUB sets are unknown there).

    Example:
        >>> B = mutually_unbiased_bases(4)
        >>> B.shape, bool(np.allclose(abs(B[1].conj() @ B[3].T) ** 2, 1 / 4))
        ((5, 4, 4), True)
    """
    d = check_positive_int(d, "d", minimum=2)
    pm = prime_power(d)
    if pm is None:
        raise ValueError(
            f"d must be a prime power for the Wootters-Fields MUB construction, got d = {d} "
            "(whether d + 1 MUBs exist for other d is open)"
        )
    return _mub_array(*pm).copy()


def _canonical_states(states: np.ndarray, decimals: int = 8) -> np.ndarray:
    """Unique rays: fix the phase of the first non-negligible entry, then deduplicate."""
    first = np.argmax(np.abs(states) > 1e-6, axis=1)
    ph = states[np.arange(len(states)), first]
    fixed = states * (np.abs(ph) / ph)[:, None]
    key = np.round(np.concatenate([fixed.real, fixed.imag], axis=1), decimals) + 0.0
    _, idx = np.unique(key, axis=0, return_index=True)
    return fixed[np.sort(idx)]


def stabilizer_orbit(d: int) -> np.ndarray:
    r"""The Clifford orbit of ``|0>``: all single-qudit stabilizer states of dimension ``d``.

    Computed as the distinct rays among ``U|0>`` over
    :func:`qtwin.designs.clifford.clifford_group` (one phase per ray). Its size is
    :math:`d \prod_{p | d}(1 + 1/p)` (6, 12, 24, 30, 72, 56 for d = 2..7). For prime ``d``
    it is the complete set of MUBs, a 2-design; for composite ``d`` it is not
    (frame potential 0.104167 vs 0.1 at d = 4).

    Args:
        d: dimension ``>= 2``.

    Returns:
        ``(M, d)`` complex array of normalized states.

    Example:
        >>> stabilizer_orbit(3).shape
        (12, 3)
    """
    d = check_positive_int(d, "d", minimum=2)
    from qtwin.designs.clifford import clifford_group

    group = clifford_group(d)
    return _canonical_states(np.asarray(group.unitaries)[:, :, 0])


def qubit_clifford_group() -> np.ndarray:
    """The 24 single-qubit Cliffords modulo phase, ``(24, 2, 2)``: a unitary 3-design.

    Example:
        >>> qubit_clifford_group().shape
        (24, 2, 2)
    """
    from qtwin.designs.clifford import clifford_group

    return np.asarray(clifford_group(2).unitaries)


def _quaternion_to_su2(q: np.ndarray) -> np.ndarray:
    """``a + b i + c j + d k -> a I - i (b X + c Y + d Z)`` (a group isomorphism onto SU(2))."""
    a, b, c, dd = q
    return np.array([[a - 1j * dd, -c - 1j * b], [c - 1j * b, a + 1j * dd]])


@cache
def _icosahedral() -> np.ndarray:
    phi = (1 + np.sqrt(5)) / 2
    gens = [
        _quaternion_to_su2(np.array([1.0, 1.0, 1.0, 1.0]) / 2),  # order 6
        _quaternion_to_su2(np.array([phi, 1 / phi, 1.0, 0.0]) / 2),  # order 10
    ]
    eye = np.eye(2, dtype=np.complex128)
    elems = {(np.round(eye, 9) + 0.0).tobytes(): eye}
    frontier = [eye]
    while frontier:
        new = []
        for g in frontier:
            for h in gens:
                k = g @ h
                key = (np.round(k, 9) + 0.0).tobytes()
                if key not in elems:
                    elems[key] = k
                    new.append(k)
        if len(elems) > 120:  # pragma: no cover - guards the generator choice
            raise AssertionError("icosahedral generators do not close on 120 elements")
        frontier = new
    return np.array(list(elems.values()))


def binary_icosahedral_group() -> np.ndarray:
    r"""The binary icosahedral group 2I: 120 matrices in SU(2) (60 rotations, times ±1).

    Generated by the unit quaternions :math:`(1 + i + j + k)/2` (order 6) and
    :math:`(\varphi + \varphi^{-1} i + j)/2` (order 10), :math:`\varphi = (1+\sqrt5)/2`,
    mapped to SU(2) by :math:`q \mapsto a I - i(b X + c Y + d Z)`, and closed under products.
    Its traces are ``±2`` (1 each), ``0`` (30), ``±1`` (20 each), ``±φ`` and ``±1/φ``
    (12 each), so :math:`F_t = (2\cdot 4^t + 40 + 24 L_{2t})/120` with Lucas numbers
    :math:`L_n = \varphi^n + (-\varphi)^{-n}`: 1, 2, 5, 14, 42, **133** for t = 1..6 against
    Haar 1, 2, 5, 14, 42, 132 — a unitary 5-design and not a 6-design (the same holds for the
    60 classes modulo ``±1``).

    Returns:
        ``(120, 2, 2)`` complex128 array.

    Example:
        >>> G = binary_icosahedral_group()
        >>> from qtwin.designs.frame_potentials import group_frame_potential
        >>> G.shape, [round(group_frame_potential(G, t), 9) for t in (5, 6)]
        ((120, 2, 2), [42.0, 133.0])
    """
    return _icosahedral().copy()
