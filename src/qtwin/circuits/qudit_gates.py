r"""Native qudit gates: shift, clock, Fourier, CSUM, Weyl–Heisenberg displacement, Givens rotation.

All gates act on a ``d``-level system with computational basis :math:`|0\rangle, \dots,
|d-1\rangle` and are returned as dense ``complex128`` numpy arrays. With
:math:`\omega = e^{2\pi i/d}`:

.. math::

    X|j\rangle = |j+1 \bmod d\rangle, \qquad Z|j\rangle = \omega^j |j\rangle, \qquad
    ZX = \omega XZ, \qquad F X F^\dagger = Z.

Two-qudit gates use the little-endian convention of :class:`qtwin.circuits.QuditCircuit`
(and of Qiskit): the first wire is the least significant index of the matrix.
"""

from __future__ import annotations

import cmath
import math

import numpy as np

from qtwin._validation import check_finite, check_positive_int

__all__ = ["shift", "clock", "fourier", "csum", "displacement", "rotation", "weyl_tau"]


def _check_int(value: object, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise TypeError(f"{name} must be an integer, got {value!r}")
    return int(value)


def _check_dim(d: object, name: str = "d") -> int:
    return check_positive_int(d, name, minimum=2)


def shift(d: int, power: int = 1) -> np.ndarray:
    r"""Shift (generalized Pauli X) gate :math:`X^p|j\rangle = |j + p \bmod d\rangle`.

    Args:
        d: local dimension, ``d >= 2``.
        power: integer exponent ``p`` (any sign; taken mod ``d``).

    Example:
        >>> shift(3).real.astype(int)
        array([[0, 0, 1],
               [1, 0, 0],
               [0, 1, 0]])
    """
    d = _check_dim(d)
    p = _check_int(power, "power") % d
    out = np.zeros((d, d), dtype=np.complex128)
    j = np.arange(d)
    out[(j + p) % d, j] = 1.0
    return out


def clock(d: int, power: int = 1) -> np.ndarray:
    r"""Clock (generalized Pauli Z) gate :math:`Z^p|j\rangle = \omega^{pj}|j\rangle`.

    Here :math:`\omega = e^{2\pi i/d}`.

    Args:
        d: local dimension, ``d >= 2``.
        power: integer exponent ``p`` (any sign; taken mod ``d``).

    Example:
        >>> np.round(np.diag(clock(4)), 12)
        array([ 1.+0.j,  0.+1.j, -1.+0.j, -0.-1.j])
    """
    d = _check_dim(d)
    p = _check_int(power, "power") % d
    return np.diag(np.exp(2j * np.pi * p * np.arange(d) / d)).astype(np.complex128)


def fourier(d: int) -> np.ndarray:
    r"""Quantum Fourier transform :math:`F|j\rangle = d^{-1/2}\sum_k \omega^{jk}|k\rangle`.

    It maps shifts to clocks: :math:`F X F^\dagger = Z`. For ``d = 2`` it is the Hadamard gate.

    Args:
        d: local dimension, ``d >= 2``.

    Example:
        >>> np.allclose(fourier(2), np.array([[1, 1], [1, -1]]) / np.sqrt(2))
        True
    """
    d = _check_dim(d)
    j = np.arange(d)
    return (np.exp(2j * np.pi * np.outer(j, j) / d) / math.sqrt(d)).astype(np.complex128)


def csum(d_control: int, d_target: int | None = None) -> np.ndarray:
    r"""Controlled sum :math:`\mathrm{CSUM}|a, b\rangle = |a, b + a \bmod d_t\rangle`.

    The control has ``d_control`` levels and the target ``d_target`` levels; they may differ
    (the control value is added mod ``d_target``). For two qubits it is CNOT.

    Wire order is ``(control, target)`` and the matrix is little-endian over it: the basis
    state :math:`|a, b\rangle` has matrix index ``a + d_control * b``.

    Args:
        d_control: levels of the control, ``>= 2``.
        d_target: levels of the target, ``>= 2``; equal to ``d_control`` when omitted.

    Example:
        >>> from qiskit.circuit.library import CXGate
        >>> np.allclose(csum(2), CXGate().to_matrix())
        True
    """
    dc = _check_dim(d_control, "d_control")
    dt = dc if d_target is None else _check_dim(d_target, "d_target")
    out = np.zeros((dc * dt, dc * dt), dtype=np.complex128)
    a, b = np.meshgrid(np.arange(dc), np.arange(dt), indexing="ij")
    out[(a + dc * ((b + a) % dt)).ravel(), (a + dc * b).ravel()] = 1.0
    return out


def weyl_tau(d: int) -> complex:
    r"""The Weyl–Heisenberg phase :math:`\tau = -e^{i\pi/d}` (so :math:`\tau^2 = \omega`).

    Example:
        >>> abs(weyl_tau(3) ** 3 - 1) < 1e-12 and abs(weyl_tau(4) ** 8 - 1) < 1e-12
        True
    """
    d = _check_dim(d)
    return -cmath.exp(1j * math.pi / d)


def displacement(d: int, a: int, b: int) -> np.ndarray:
    r"""Displacement operator :math:`D(a, b) = \tau^{ab} X^a Z^b`, :math:`\tau = -e^{i\pi/d}`.

    With this phase :math:`\tau^2 = \omega` and :math:`\tau^{d^2} = 1`, and

    .. math::

        D(a,b)^\dagger = D(-a,-b), \qquad
        D(a,b)\, D(a',b') = \tau^{a'b - ab'}\, D(a+a', b+b')

    for integer labels. :math:`\tau^d = (-1)^{d+1}`, so the labels are periodic mod ``d``
    for odd ``d`` and mod ``2d`` for even ``d`` (:math:`D(a + d, b) = (-1)^b D(a, b)` there).
    This is the convention of :mod:`qtwin.designs` (Gross; arXiv:2603.02659).

    Args:
        d: local dimension, ``d >= 2``.
        a: shift label (integer, any sign).
        b: clock label (integer, any sign).

    Example:
        >>> D = displacement(3, 1, 2)
        >>> np.allclose(D @ D.conj().T, np.eye(3))
        True
    """
    d = _check_dim(d)
    a = _check_int(a, "a")
    b = _check_int(b, "b")
    # reduce tau's exponent mod 2d (tau^(2d) = 1) to keep the phase exact
    phase = cmath.exp(1j * math.pi * ((d + 1) * a * b % (2 * d)) / d)
    return phase * (shift(d, a) @ clock(d, b))


def rotation(d: int, j: int, k: int, theta: float, phi: float = 0.0) -> np.ndarray:
    r"""Givens rotation between levels ``j`` and ``k`` of a ``d``-level system.

    .. math::

        R_{jk}(\theta, \phi) = \exp\!\big(-i\tfrac{\theta}{2}(\cos\phi\,\sigma_x^{jk}
        + \sin\phi\,\sigma_y^{jk})\big),

    with :math:`\sigma_x^{jk} = |j\rangle\langle k| + |k\rangle\langle j|` and
    :math:`\sigma_y^{jk} = -i|j\rangle\langle k| + i|k\rangle\langle j|`. On the
    :math:`\{|j\rangle, |k\rangle\}` block it is Qiskit's ``RGate(theta, phi)`` (level ``j``
    playing :math:`|0\rangle`); the other levels are untouched. These rotations (with
    clock phases) are the native gates of trapped-ion and superconducting qudits.

    Args:
        d: local dimension, ``d >= 2``.
        j: first level, ``0 <= j < d``.
        k: second level, ``0 <= k < d``, ``k != j``.
        theta: rotation angle (finite).
        phi: axis angle in the xy plane (finite).

    Example:
        >>> from qiskit.circuit.library import RGate
        >>> np.allclose(rotation(2, 0, 1, 0.3, 0.2), RGate(0.3, 0.2).to_matrix())
        True
    """
    d = _check_dim(d)
    j = _check_int(j, "j")
    k = _check_int(k, "k")
    for name, level in (("j", j), ("k", k)):
        if not 0 <= level < d:
            raise ValueError(f"{name} must be a level in 0..{d - 1}, got {level}")
    if j == k:
        raise ValueError(f"j and k must be different levels, got j = k = {j}")
    check_finite(theta, "theta")
    check_finite(phi, "phi")
    theta, phi = float(theta), float(phi)
    out = np.eye(d, dtype=np.complex128)
    c, s = math.cos(theta / 2), math.sin(theta / 2)
    out[j, j] = out[k, k] = c
    out[j, k] = -1j * cmath.exp(-1j * phi) * s
    out[k, j] = -1j * cmath.exp(1j * phi) * s
    return out
