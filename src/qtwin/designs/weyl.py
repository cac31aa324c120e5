r"""The Weyl–Heisenberg (generalized Pauli) group of ``n`` qudits of any dimension ``d >= 2``.

One qudit: with :math:`X|k\rangle = |k+1\rangle`, :math:`Z|k\rangle = \omega^k|k\rangle`,
:math:`\omega = e^{2\pi i/d}` and :math:`\tau = -e^{i\pi/d}` (so :math:`\tau^2 = \omega`),

.. math::

    D(a, b) = \tau^{ab} X^a Z^b
    \qquad\text{(:func:`qtwin.circuits.qudit_gates.displacement`)}.

For integer labels this is a proper projective representation of :math:`\mathbb{Z}^2`:

.. math::

    D(u)\,D(v) = \tau^{-[u, v]}\, D(u + v), \qquad D(u)^\dagger = D(-u), \qquad
    D(u)^d = D(d u) = I,

with the symplectic form :math:`[u, v] = u_1 v_2 - u_2 v_1`. Labels are periodic mod ``d``
for odd ``d`` and mod ``2d`` for even ``d`` (there :math:`D(a + d, b) = (-1)^b D(a, b)`);
the ``d**2`` operators with labels in ``0..d-1`` are one representative per element of the
group modulo phases.

``n`` qudits: a label is :math:`v = (a_0, \dots, a_{n-1}, b_0, \dots, b_{n-1}) \in
\mathbb{Z}^{2n}` and :math:`D(v) = D(a_{n-1}, b_{n-1}) \otimes \dots \otimes D(a_0, b_0)`
(little-endian, as in :class:`qtwin.circuits.QuditCircuit`: qudit 0 is the least
significant index). The form is :math:`[u, v] = a \cdot b' - b \cdot a'` and the
composition law above holds with it.
"""

from __future__ import annotations

import numpy as np

from qtwin._validation import check_positive_int
from qtwin.circuits.qudit_gates import displacement

__all__ = [
    "wh_labels",
    "weyl_heisenberg",
    "displacement_operator",
    "symplectic_form",
    "wh_coefficients",
]


def _check_d(d: object) -> int:
    return check_positive_int(d, "d", minimum=2)


def _check_n(n: object) -> int:
    return check_positive_int(n, "n", minimum=1)


def _as_labels(label: object, n: int, name: str = "label") -> np.ndarray:
    arr = np.asarray(label)
    if arr.dtype.kind not in "iu" and not (arr.dtype == bool and arr.size == 0):
        raise TypeError(f"{name} must hold integers, got dtype {arr.dtype}")
    if arr.ndim < 1 or arr.shape[-1] != 2 * n:
        raise ValueError(
            f"{name} must have last axis of length 2n = {2 * n}, got shape {arr.shape}"
        )
    return arr.astype(np.int64)


def _digits(d: int, n: int) -> np.ndarray:
    """(d**n, n) base-d digits of each basis index, qudit 0 least significant."""
    idx = np.arange(d**n)
    return (idx[:, None] // d ** np.arange(n)[None, :]) % d


def _tau_power(m: np.ndarray | int, d: int) -> np.ndarray:
    r""":math:`\tau^m` for integer ``m``, exact to rounding (the exponent is reduced mod ``2d``)."""
    return np.exp(1j * np.pi * (((d + 1) * np.asarray(m, dtype=np.int64)) % (2 * d)) / d)


def _omega_power(m: np.ndarray | int, d: int) -> np.ndarray:
    return np.exp(2j * np.pi * (np.asarray(m, dtype=np.int64) % d) / d)


def wh_labels(d: int, n: int = 1) -> np.ndarray:
    r"""All ``d**(2n)`` displacement labels :math:`v \in \{0..d-1\}^{2n}`, in lexicographic order.

    Row ``r`` holds the base-``d`` digits of ``r`` with the first column most significant,
    so for one qudit row ``a * d + b`` is :math:`(a, b)`. This is the order of
    :func:`weyl_heisenberg` and :func:`wh_coefficients`.

    Args:
        d: local dimension, ``d >= 2``.
        n: number of qudits, ``n >= 1``.

    Returns:
        ``int64`` array of shape ``(d**(2n), 2n)``, columns :math:`(a_0..a_{n-1}, b_0..b_{n-1})`.

    Example:
        >>> wh_labels(2).tolist()
        [[0, 0], [0, 1], [1, 0], [1, 1]]
    """
    d, n = _check_d(d), _check_n(n)
    return np.indices((d,) * (2 * n)).reshape(2 * n, -1).T.astype(np.int64)


def displacement_operator(label: object, d: int) -> np.ndarray:
    r"""The ``n``-qudit displacement :math:`D(v) = \bigotimes_q D(a_q, b_q)` for an integer label.

    Labels may be any integers (not reduced): the phase convention is that of
    :func:`qtwin.circuits.qudit_gates.displacement` on each qudit, so the composition law
    :math:`D(u)D(v) = \tau^{-[u,v]} D(u+v)` holds exactly for all integer labels.

    Args:
        label: integer sequence of even length ``2n``, :math:`(a_0..a_{n-1}, b_0..b_{n-1})`.
        d: local dimension, ``d >= 2``.

    Returns:
        ``complex128`` array of shape ``(d**n, d**n)`` (little-endian over the qudits).

    Example:
        >>> from qtwin.circuits.qudit_gates import shift, clock
        >>> np.allclose(displacement_operator([1, 0, 0, 1], 3), np.kron(clock(3), shift(3)))
        True
    """
    d = _check_d(d)
    arr = np.asarray(label)
    if arr.ndim != 1 or arr.size == 0 or arr.size % 2:
        raise ValueError(f"label must be a 1-D integer sequence of even length 2n, got {label!r}")
    n = arr.size // 2
    v = _as_labels(arr, n)
    out = np.ones((1, 1), dtype=np.complex128)
    for q in range(n):  # qudit 0 is the least significant (rightmost) factor
        out = np.kron(displacement(d, int(v[q]), int(v[n + q])), out)
    return out


def weyl_heisenberg(d: int, n: int = 1) -> np.ndarray:
    r"""The ``d**(2n)`` displacement operators :math:`D(v)`, :math:`v \in \{0..d-1\}^{2n}`.

    They are one representative per element of the Weyl–Heisenberg group modulo phases, in
    the order of :func:`wh_labels`, and an orthogonal operator basis:
    :math:`\mathrm{tr}(D(u)^\dagger D(v)) = d^n \delta_{uv}`.

    Args:
        d: local dimension, ``d >= 2``.
        n: number of qudits, ``n >= 1``.

    Returns:
        ``complex128`` array of shape ``(d**(2n), d**n, d**n)``.

    Example:
        >>> W = weyl_heisenberg(3)
        >>> W.shape
        (9, 3, 3)
        >>> G = np.einsum("aij,bij->ab", W.conj(), W)   # tr(D_a^dagger D_b)
        >>> np.allclose(G, 3 * np.eye(9))
        True
    """
    d, n = _check_d(d), _check_n(n)
    single = np.array([displacement(d, a, b) for a in range(d) for b in range(d)])
    single = single.reshape(d, d, d, d)  # [a, b, row, col]
    labels = wh_labels(d, n)
    out = np.ones((labels.shape[0], 1, 1), dtype=np.complex128)
    for q in range(n):
        f = single[labels[:, q], labels[:, n + q]]  # (L, d, d)
        out = np.einsum("lij,lkm->likjm", f, out).reshape(labels.shape[0], d ** (q + 1), -1)
    return out


def symplectic_form(u: object, v: object, d: int) -> np.ndarray | int:
    r"""The symplectic form :math:`[u, v] = a\cdot b' - b\cdot a' \bmod d` of labels.

    It gives the commutation phase :math:`D(u)D(v) = \omega^{-[u, v]} D(v) D(u)`.

    Args:
        u: integer label(s), last axis ``2n``.
        v: integer label(s), last axis ``2n``, broadcastable against ``u``.
        d: local dimension, ``d >= 2``.

    Returns:
        ``int`` for single labels, else an integer array of the broadcast shape.

    Example:
        >>> int(symplectic_form([1, 0], [0, 1], 5))
        1
    """
    d = _check_d(d)
    ua, va = np.asarray(u), np.asarray(v)
    if ua.ndim < 1 or ua.shape[-1] % 2 or ua.shape[-1] != va.shape[-1]:
        raise ValueError(f"u and v must be labels of equal even length, got {ua.shape}, {va.shape}")
    n = ua.shape[-1] // 2
    ua, va = _as_labels(ua, n, "u"), _as_labels(va, n, "v")
    out = (
        np.sum(ua[..., :n] * va[..., n:], axis=-1) - np.sum(ua[..., n:] * va[..., :n], axis=-1)
    ) % d
    return int(out) if np.ndim(out) == 0 else out


def wh_coefficients(matrix: object, d: int, n: int = 1) -> np.ndarray:
    r"""Coefficients :math:`c_v = \mathrm{tr}(D(v)^\dagger M) / d^n` in the displacement basis.

    :math:`M = \sum_v c_v D(v)` over the labels of :func:`wh_labels` (same order). Computed
    in :math:`O(d^{2n} n \log d)` with an FFT over each shifted diagonal of ``M``:
    :math:`\mathrm{tr}(D(a,b)^\dagger M) = \tau^{-a\cdot b}\sum_k \omega^{-b\cdot k}
    M_{k+a,\,k}`. For a unitary ``M``, :math:`\sum_v |c_v|^2 = 1`, and ``M`` is proportional
    to a displacement exactly when some :math:`|c_v| = 1`.

    Args:
        matrix: ``(d**n, d**n)`` array.
        d: local dimension, ``d >= 2``.
        n: number of qudits, ``n >= 1``.

    Returns:
        ``complex128`` array of shape ``(d**(2n),)``.

    Example:
        >>> from qtwin.circuits.qudit_gates import displacement
        >>> c = wh_coefficients(displacement(4, 1, 3), 4)
        >>> int(np.argmax(abs(c))), bool(np.isclose(c[7], 1))
        (7, True)
    """
    d, n = _check_d(d), _check_n(n)
    m = np.asarray(matrix, dtype=np.complex128)
    size = d**n
    if m.shape != (size, size):
        raise ValueError(f"matrix must have shape ({size}, {size}) for d={d}, n={n}, got {m.shape}")
    digits = _digits(d, n)  # (N, n)
    powers = d ** np.arange(n)
    # rows[a, k] = index of (digits(k) + digits(a)) mod d; a runs over shift labels
    rows = ((digits[None, :, :] + digits[:, None, :]) % d) @ powers
    diag = m[rows, np.arange(size)[None, :]]  # (N_a, N_k): M_{k+a, k}
    # FFT over the digits of k: reshape with the most significant digit first
    shape = (size,) + (d,) * n
    rev = diag.reshape(shape)  # axis 1 is digit n-1 (most significant), ..., axis n is digit 0
    spec = np.fft.fftn(rev, axes=tuple(range(1, n + 1)))  # sum_k omega^{-b.k} diag[a, k]
    # spec[a, b_{n-1}, ..., b_0]; reorder to (a digits, b digits) in wh_labels order
    spec = spec.reshape((d,) * n + (d,) * n)  # a index is little-endian -> axes a_{n-1}..a_0
    perm = [n - 1 - q for q in range(n)] + [2 * n - 1 - q for q in range(n)]
    spec = np.transpose(spec, perm).reshape(-1)
    labels = wh_labels(d, n)
    ab = np.sum(labels[:, :n] * labels[:, n:], axis=1)
    return _tau_power(-ab, d) * spec / size


def _displace(labels: np.ndarray, vecs: np.ndarray, d: int, n: int) -> np.ndarray:
    r"""Apply :math:`D(v_m)` to ``vecs[m]`` for a batch (internal, no checks).

    ``labels``: (M, 2n) integers (any representatives), ``vecs``: (M, N) or (M, N, K).
    :math:`D(a,b)|k\rangle = \tau^{a\cdot b}\omega^{b\cdot k}|k+a\rangle`.
    """
    digits = _digits(d, n)
    powers = d ** np.arange(n)
    a, b = labels[:, :n], labels[:, n:]
    src_digits = (digits[None, :, :] - a[:, None, :]) % d  # (M, N, n)
    src = src_digits @ powers  # (M, N)
    phase = _tau_power(np.sum(a * b, axis=1), d)[:, None] * _omega_power(
        np.einsum("mq,mkq->mk", b, src_digits), d
    )
    if vecs.ndim == 2:
        return phase * np.take_along_axis(vecs, src, axis=1)
    return phase[:, :, None] * np.take_along_axis(vecs, src[:, :, None], axis=1)
