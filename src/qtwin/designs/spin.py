r"""Spin-``j`` states: spin coherent states (a 1-design, never a 2-design) and spin-GKP states.

A spin ``j`` (``j = 1/2, 1, 3/2, ...``) is a qudit of dimension ``d = 2j + 1``. Every array
here is in the :math:`J_z` eigenbasis ordered as in QuTiP: basis index ``k`` is
:math:`|j, m = j - k\rangle` (index 0 is :math:`m = j`).

**Spin coherent states** :math:`|j; \theta, \phi\rangle = e^{-i\phi J_z} e^{-i\theta J_y}
|j, j\rangle` satisfy :math:`|\langle \mathbf n|\mathbf n'\rangle|^2 = ((1 + \mathbf n
\cdot\mathbf n')/2)^{2j}`, hence over the uniform measure on the sphere

.. math::

    F_t = \frac{1}{2jt + 1} \quad\text{vs. Haar}\quad \binom{2j + t}{t}^{-1}:

equal for ``t = 1`` (a 1-design) and for ``j = 1/2``, strictly larger for ``t >= 2``,
``j >= 1`` (not a 2-design).

**Spin-GKP states** (the family used here, documented because the source paper's exact
family could not be read): the finite-dimensional GKP code of Gottesman, Kitaev & Preskill
(PRA 64, 012310 (2001), "qudit in a qudit") placed on the :math:`J_z` ladder. For
``d = 2j + 1 = k r_1 r_2`` it encodes a ``k``-level system with codewords

.. math::

    |\bar\mu\rangle = r_2^{-1/2}\sum_{s=0}^{r_2 - 1} |r_1(\mu + k s)\rangle, \qquad
    \mu = 0..k-1,

stabilized by :math:`X^{r_1 k}` (cyclic shift of the ladder by :math:`r_1 k` steps) and
:math:`Z^{r_2 k} \propto e^{-2\pi i J_z / r_1}` (a rotation about z), with logical
:math:`\bar X = X^{r_1}`, :math:`\bar Z = Z^{r_2}`. A "grid" (comb) of :math:`J_z` levels is
the spin analogue of the GKP comb of positions. The physical approximate spin-GKP codes of
Omanakuttan et al. (one-axis-twisting / spin-squeezed combs in atomic ensembles) are not
implemented.

The 2-design statement mirrors the optical one ("all GKP states", i.e. the orbit of GKP
codewords under the symplectic group, form a rigged 2-design; Gaussian states form none):
:func:`spin_gkp_states` returns the orbit of the codewords under the Clifford group of the
spin's phase space. For ``d = p^m`` a prime power the Clifford group is taken in the
Galois/Kronecker sense (``m`` qupits on the base-``p`` digits of the ladder index), the
codewords are product stabilizer states there, and their orbit is the set of all
``m``-qupit stabilizer states: a state 2-design (:math:`F_2 = 2/(d(d+1))`). This says no
more than "stabilizer states are a 2-design"; for ``d`` not a prime power (``j = 5/2,
11/2, ...``) there is no such ensemble here (the :math:`\mathbb{Z}_d` Clifford orbit is not
a 2-design, Graydon et al. arXiv:2108.04200) and the function raises.
"""

from __future__ import annotations

import math
from fractions import Fraction

import numpy as np
from scipy.special import gammaln, roots_legendre

from qtwin._validation import check_finite, check_positive_int
from qtwin.circuits.qudit_gates import clock, csum, fourier, shift
from qtwin.designs.clifford import phase_gate, prime_factors

__all__ = [
    "spin_dimension",
    "spin_operators",
    "spin_coherent_state",
    "spin_coherent_states",
    "spin_coherent_frame_potential",
    "spin_gkp_codewords",
    "spin_gkp_states",
]


def _two_j(j: object) -> int:
    """Return ``2j`` as an int >= 1, or raise."""
    if isinstance(j, bool) or not isinstance(j, (int, float, Fraction, np.integer, np.floating)):
        raise TypeError(f"j must be a positive integer or half-integer, got {j!r}")
    if not math.isfinite(float(j)):
        raise ValueError(f"j must be a positive integer or half-integer, got {j!r}")
    twice = float(2 * j)
    if abs(twice - round(twice)) > 1e-9 or round(twice) < 1:
        raise ValueError(
            f"j must be a positive integer or half-integer (1/2, 1, 3/2, ...), got {j!r}"
        )
    return int(round(twice))


def spin_dimension(j: float | int | Fraction) -> int:
    """Dimension ``d = 2j + 1`` of spin ``j``.

    Example:
        >>> spin_dimension(0.5), spin_dimension(Fraction(7, 2)), spin_dimension(3)
        (2, 8, 7)
    """
    return _two_j(j) + 1


def spin_operators(j: float | int | Fraction) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    r"""Spin matrices :math:`(J_x, J_y, J_z)` of spin ``j``, :math:`J_z` basis (index k: m = j - k).

    :math:`J_+|j,m\rangle = \sqrt{j(j+1) - m(m+1)}\,|j,m+1\rangle`, :math:`[J_x, J_y] = iJ_z`.

    Example:
        >>> jx, jy, jz = spin_operators(1)
        >>> np.allclose(jx @ jy - jy @ jx, 1j * jz), np.diag(jz).real.tolist()
        (True, [1.0, 0.0, -1.0])
    """
    two_j = _two_j(j)
    jj = two_j / 2
    m = jj - np.arange(two_j + 1)
    jp = np.zeros((two_j + 1, two_j + 1), dtype=np.complex128)
    # <m+1|J_+|m>: from index k+1 (m = j-k-1) to index k
    mk = m[1:]
    jp[np.arange(two_j), np.arange(1, two_j + 1)] = np.sqrt(jj * (jj + 1) - mk * (mk + 1))
    jx = (jp + jp.conj().T) / 2
    jy = (jp - jp.conj().T) / 2j
    jz = np.diag(m).astype(np.complex128)
    return jx, jy, jz


def spin_coherent_state(j: float | int | Fraction, theta: object, phi: object) -> np.ndarray:
    r"""Spin coherent state(s) :math:`e^{-i\phi J_z}e^{-i\theta J_y}|j, j\rangle` (J_z basis).

    Amplitudes :math:`\sqrt{\binom{2j}{k}}\cos^{2j-k}(\theta/2)\sin^{k}(\theta/2)
    e^{-i(j-k)\phi}` for basis index ``k`` (:math:`m = j - k`); the state points along
    :math:`\mathbf n = (\sin\theta\cos\phi, \sin\theta\sin\phi, \cos\theta)`.

    Args:
        j: spin, a positive integer or half-integer.
        theta: polar angle(s) (finite), any shape.
        phi: azimuth(s) (finite), broadcastable against ``theta``.

    Returns:
        ``complex128`` array of shape ``broadcast(theta, phi).shape + (2j + 1,)``.

    Example:
        >>> np.round(spin_coherent_state(1, np.pi / 2, 0.0).real, 6)
        array([0.5     , 0.707107, 0.5     ])
    """
    two_j = _two_j(j)
    check_finite(theta, "theta")
    check_finite(phi, "phi")
    th, ph = np.broadcast_arrays(np.asarray(theta, dtype=float), np.asarray(phi, dtype=float))
    k = np.arange(two_j + 1)
    log_binom = 0.5 * (gammaln(two_j + 1) - gammaln(k + 1) - gammaln(two_j - k + 1))
    c = np.cos(th / 2)[..., None]
    s = np.sin(th / 2)[..., None]
    amp = np.exp(log_binom) * c ** (two_j - k) * s**k
    m = two_j / 2 - k
    return (amp * np.exp(-1j * ph[..., None] * m)).astype(np.complex128)


def spin_coherent_states(j: float | int | Fraction, t: int = 1) -> tuple[np.ndarray, np.ndarray]:
    r"""Spin coherent states on a sphere quadrature exact for the ``t``-th moment.

    Product rule: ``L = ceil((2jt + 1)/2)`` Gauss–Legendre nodes in :math:`\cos\theta` times
    ``M = 2jt + 1`` equally spaced :math:`\phi`, weights (Gauss weight / 2) / M. It
    integrates every polynomial of degree :math:`\le 2jt` on the sphere exactly, and the
    entries of :math:`|\mathbf n\rangle\langle\mathbf n|^{\otimes t}` are such polynomials,
    so the weighted ensemble has exactly the moments of the uniform (SU(2)-invariant)
    coherent-state ensemble up to order ``t``: with ``t = 1`` it is an exact weighted
    1-design, and its frame potential for any ``t' <= t`` is :math:`1/(2jt'+1)`.

    Args:
        j: spin, a positive integer or half-integer.
        t: moment order to reproduce, ``t >= 1``.

    Returns:
        ``(states, weights)``: ``(L*M, 2j+1)`` complex states and ``(L*M,)`` positive
        weights summing to 1.

    Example:
        >>> psi, w = spin_coherent_states(1, t=2)
        >>> G = np.abs(psi.conj() @ psi.T) ** 2
        >>> round(float(w @ G**2 @ w), 12), 1 / 5     # F_2 = 1/(4j+1), Haar would be 1/6
        (0.2, 0.2)
    """
    two_j = _two_j(j)
    t = check_positive_int(t, "t")
    degree = two_j * t
    n_theta = (degree + 2) // 2
    n_phi = degree + 1
    x, wx = roots_legendre(n_theta)
    theta = np.arccos(x)
    phi = 2 * np.pi * np.arange(n_phi) / n_phi
    th, ph = np.meshgrid(theta, phi, indexing="ij")
    states = spin_coherent_state(Fraction(two_j, 2), th.ravel(), ph.ravel())
    weights = np.repeat(wx / 2, n_phi) / n_phi
    return states, weights


def spin_coherent_frame_potential(j: float | int | Fraction, t: int) -> float:
    r"""Closed form :math:`F_t = 1/(2jt + 1)` of the uniform spin-coherent-state ensemble.

    From :math:`\int |\langle \mathbf n|\mathbf n'\rangle|^{2t} d\mathbf n' =
    \int_{-1}^{1} ((1+x)/2)^{2jt} dx / 2 = 1/(2jt+1)`.

    Example:
        >>> spin_coherent_frame_potential(1, 2), spin_coherent_frame_potential(0.5, 3)
        (0.2, 0.25)
    """
    two_j = _two_j(j)
    t = check_positive_int(t, "t")
    return 1.0 / (two_j * t + 1)


def spin_gkp_codewords(j: float | int | Fraction, k: int, r1: int = 1) -> np.ndarray:
    r"""Codewords of the finite GKP code on the :math:`J_z` ladder of spin ``j`` (see module doc).

    ``d = 2j + 1`` must equal ``k * r1 * r2`` for an integer ``r2``; codeword ``mu`` is
    :math:`r_2^{-1/2}\sum_{s<r_2} |r_1(\mu + ks)\rangle` in the basis index, which is
    :math:`j - m` for the :math:`J_z` eigenvalue :math:`m`.

    Args:
        j: spin, a positive integer or half-integer.
        k: logical dimension, ``k >= 1`` (``k = 1`` gives the single grid state).
        r1: spacing factor, ``r1 >= 1``, with ``k * r1`` dividing ``2j + 1``.

    Returns:
        ``(k, 2j + 1)`` real-valued ``complex128`` array of orthonormal codewords.

    Example:
        >>> np.round(spin_gkp_codewords(3.5, 2, 2).real * np.sqrt(2), 6)   # d = 8 = 2*2*2
        array([[1., 0., 0., 0., 1., 0., 0., 0.],
               [0., 0., 1., 0., 0., 0., 1., 0.]])
    """
    d = _two_j(j) + 1
    k = check_positive_int(k, "k")
    r1 = check_positive_int(r1, "r1")
    if d % (k * r1):
        raise ValueError(
            f"k * r1 must divide d = 2j + 1 = {d} (d = k * r1 * r2); got k = {k}, r1 = {r1}"
        )
    r2 = d // (k * r1)
    out = np.zeros((k, d), dtype=np.complex128)
    mu = np.arange(k)[:, None]
    s = np.arange(r2)[None, :]
    out[np.repeat(np.arange(k), r2), (r1 * (mu + k * s)).ravel()] = 1 / math.sqrt(r2)
    return out


def _embed(gate: np.ndarray, first: int, width: int, p: int, m: int) -> np.ndarray:
    """Place a gate acting on digits ``first..first+width-1`` into m little-endian qupits."""
    return np.kron(np.kron(np.eye(p ** (m - first - width)), gate), np.eye(p**first))


def _canonical_key(psi: np.ndarray) -> bytes:
    i = int(np.argmax(np.abs(psi) > 1e-6))
    v = psi * (abs(psi[i]) / psi[i])
    return (np.round(v, 7) + 0.0).tobytes()  # + 0.0 turns -0.0 into 0.0


def spin_gkp_states(j: float | int | Fraction, k: int, r1: int = 1) -> np.ndarray:
    r"""The spin-GKP ensemble: the Clifford orbit of the codewords of :func:`spin_gkp_codewords`.

    Needs ``d = 2j + 1 = p^m`` a prime power. The Clifford group is that of ``m`` qupits on
    the base-``p`` digits of the ladder index (generated by Fourier, phase, shift and clock
    gates on each digit and CSUM on neighbouring digits); the codewords are products of
    computational states (low digits) and Fourier states (high digits), and their orbit is
    the set of all :math:`p^m\prod_{i=1}^m (p^i + 1)` ``m``-qupit stabilizer states, a state
    2-design. Enumerated by breadth-first search modulo phases.

    Args:
        j: spin with ``2j + 1`` a prime power (``j = 1/2, 1, 3/2, 2, 3, 7/2, 4, ...``).
        k: logical dimension of the code (see :func:`spin_gkp_codewords`).
        r1: spacing factor of the code.

    Returns:
        ``(N, 2j + 1)`` unit vectors, uniform weights :math:`1/N`.

    Raises:
        ValueError: if ``2j + 1`` is not a prime power, or the code parameters do not fit.

    Example:
        >>> psi = spin_gkp_states(1.5, 2)           # d = 4 = 2 qubits: 60 stabilizer states
        >>> G = np.abs(psi.conj() @ psi.T) ** 2
        >>> len(psi), bool(np.isclose(np.mean(G**2), 2 / (4 * 5)))
        (60, True)
    """
    code = spin_gkp_codewords(j, k, r1)
    d = code.shape[1]
    primes = prime_factors(d)
    if len(primes) != 1:
        raise ValueError(
            f"spin_gkp_states needs 2j + 1 to be a prime power (Galois/Kronecker Clifford "
            f"group); got 2j + 1 = {d} = product of primes {primes}. The Z_d Clifford orbit "
            f"is not a 2-design for such d (Graydon et al., arXiv:2108.04200)."
        )
    p = primes[0]
    m = round(math.log(d, p))
    gens = []
    for q in range(m):
        for g in (fourier(p), phase_gate(p), shift(p), clock(p)):
            gens.append(_embed(g, q, 1, p, m))
    for q in range(m - 1):
        gens.append(_embed(csum(p), q, 2, p, m))
        flipped = csum(p).reshape(p, p, p, p).transpose(1, 0, 3, 2).reshape(p * p, -1)
        gens.append(_embed(flipped, q, 2, p, m))  # control on the higher digit
    gens_arr = np.array(gens)
    seen: dict[bytes, np.ndarray] = {}
    frontier = []
    for psi in code:
        key = _canonical_key(psi)
        if key not in seen:
            seen[key] = psi
            frontier.append(psi)
    while frontier:
        images = np.einsum("gij,fj->fgi", gens_arr, np.array(frontier)).reshape(-1, d)
        frontier = []
        for psi in images:
            key = _canonical_key(psi)
            if key not in seen:
                seen[key] = psi
                frontier.append(psi)
    return np.array(list(seen.values()))
