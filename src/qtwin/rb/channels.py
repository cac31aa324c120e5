r"""Qudit noise channels for randomized benchmarking, as Kraus lists and Liouville superoperators.

A channel :math:`\Lambda(\rho) = \sum_k K_k \rho K_k^\dagger` is stored as its Liouville
superoperator in the **row-major** vectorisation :math:`|\rho\rangle\rangle =`
``rho.reshape(-1)``, for which :math:`|A\rho B\rangle\rangle = (A \otimes B^T)|\rho\rangle\rangle`:

.. math::

    L(\Lambda) = \sum_k K_k \otimes \overline{K_k}, \qquad
    L(U) = U \otimes \overline{U}, \qquad L(\Lambda_2\circ\Lambda_1) = L(\Lambda_2)L(\Lambda_1).

It is CPTP exactly when its Choi matrix :math:`J = \sum_{ij}|i\rangle\langle j|\otimes
\Lambda(|i\rangle\langle j|)` is positive semidefinite and :math:`\mathrm{tr}_2 J = I`
(:func:`check_cptp`).

Noise models for RB (:func:`as_noise_model`): ``None`` (noiseless), one :class:`Channel`
after every gate (gate-independent), or gate-dependent noise as a mapping or a callable
``Clifford index -> Channel`` (indices of :func:`qtwin.designs.clifford.clifford_group`;
indices missing from a mapping are noiseless).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import scipy.linalg

from qtwin._validation import check_finite, check_positive_int, check_unitary

__all__ = [
    "Channel",
    "from_kraus",
    "from_superop",
    "unitary_channel",
    "identity_channel",
    "depolarizing",
    "dephasing",
    "amplitude_damping_cascade",
    "coherent_overrotation",
    "compose",
    "check_cptp",
    "NoiseModel",
    "as_noise_model",
]


@dataclass(frozen=True, eq=False)
class Channel:
    r"""A qudit channel: Liouville superoperator (row-major vec) and, when known, Kraus operators.

    Attributes:
        d: Hilbert-space dimension.
        superop: ``(d*d, d*d)`` complex128 Liouville matrix :math:`\sum_k K_k\otimes\bar K_k`.
        kraus: ``(r, d, d)`` Kraus operators, or ``None`` when built from a superoperator.
        name: short description.
    """

    d: int
    superop: np.ndarray
    kraus: np.ndarray | None = None
    name: str = field(default="channel")

    @property
    def choi(self) -> np.ndarray:
        r"""Choi matrix :math:`J_{(i,k),(j,l)} = \Lambda(|i\rangle\langle j|)_{kl}`, trace ``d``."""
        d = self.d
        return self.superop.reshape(d, d, d, d).transpose(2, 0, 3, 1).reshape(d * d, d * d)

    def apply(self, rho: np.ndarray) -> np.ndarray:
        """Apply the channel to a ``(d, d)`` operator or a batch ``(..., d, d)``."""
        rho = np.asarray(rho, dtype=np.complex128)
        flat = rho.reshape(*rho.shape[:-2], self.d * self.d)
        return (flat @ self.superop.T).reshape(rho.shape)

    def then(self, other: Channel) -> Channel:
        """The channel ``other o self`` (``self`` applied first)."""
        return compose(self, other)

    def __repr__(self) -> str:
        return f"Channel(d={self.d}, name={self.name!r})"


def _check_d(d: object) -> int:
    return check_positive_int(d, "d", minimum=2)


def _prob(p: object, name: str) -> float:
    try:
        out = float(p)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise TypeError(f"{name} must be a number in [0, 1], got {p!r}") from None
    if not 0.0 <= out <= 1.0:
        raise ValueError(f"{name} must be a number in [0, 1], got {p!r}")
    return out


def _superop_from_kraus(kraus: np.ndarray) -> np.ndarray:
    d = kraus.shape[1]
    return np.einsum("kij,kab->iajb", kraus, kraus.conj()).reshape(d * d, d * d)


def from_kraus(kraus: Sequence[np.ndarray] | np.ndarray, *, name: str = "kraus") -> Channel:
    r"""Channel :math:`\rho\mapsto\sum_k K_k\rho K_k^\dagger` from Kraus operators (checked CPTP).

    Args:
        kraus: ``(r, d, d)`` array or a sequence of ``(d, d)`` matrices, ``r >= 1``.
        name: label kept on the channel.

    Raises:
        ValueError: wrong shapes, NaN, or :math:`\sum_k K_k^\dagger K_k \ne I`.

    Example:
        >>> ch = from_kraus([np.sqrt(0.9) * np.eye(2), np.sqrt(0.1) * np.diag([1, -1])])
        >>> ch.apply(np.array([[0.5, 0.5], [0.5, 0.5]])).round(3).real.tolist()
        [[0.5, 0.4], [0.4, 0.5]]
    """
    arr = np.asarray(kraus, dtype=np.complex128)
    if arr.ndim == 2:
        arr = arr[None]
    if arr.ndim != 3 or arr.shape[0] == 0 or arr.shape[1] != arr.shape[2] or arr.shape[1] < 2:
        raise ValueError(
            f"kraus must be a non-empty list of square (d, d) matrices with d >= 2, "
            f"got shape {np.shape(arr)}"
        )
    check_finite(arr, "kraus")
    ch = Channel(arr.shape[1], _superop_from_kraus(arr), arr, name)
    check_cptp(ch)
    return ch


def from_superop(superop: np.ndarray, *, name: str = "superop", check: bool = True) -> Channel:
    """Channel from a ``(d*d, d*d)`` row-major Liouville matrix (CPTP-checked unless told not).

    Example:
        >>> from_superop(np.eye(4)).d
        2
    """
    arr = np.asarray(superop, dtype=np.complex128)
    n = arr.shape[0] if arr.ndim == 2 else 0
    d = int(round(np.sqrt(n)))
    if arr.ndim != 2 or arr.shape[0] != arr.shape[1] or d * d != n or d < 2:
        raise ValueError(f"superop must be a (d*d, d*d) matrix with d >= 2, got shape {arr.shape}")
    check_finite(arr, "superop")
    ch = Channel(d, arr.copy(), None, name)
    if check:
        check_cptp(ch)
    return ch


def unitary_channel(u: np.ndarray, *, name: str = "unitary") -> Channel:
    r"""The channel :math:`\rho\mapsto U\rho U^\dagger` of a unitary ``(d, d)`` matrix.

    Example:
        >>> unitary_channel(np.array([[0, 1], [1, 0]])).apply(np.diag([1, 0])).real.tolist()
        [[0.0, 0.0], [0.0, 1.0]]
    """
    arr = np.asarray(u, dtype=np.complex128)
    if arr.ndim != 2 or arr.shape[0] != arr.shape[1] or arr.shape[0] < 2:
        raise ValueError(f"u must be a square (d, d) matrix with d >= 2, got shape {arr.shape}")
    check_unitary(arr, "u")
    return Channel(arr.shape[0], np.kron(arr, arr.conj()), arr[None].copy(), name)


def identity_channel(d: int) -> Channel:
    """The identity channel on a ``d``-level system.

    Example:
        >>> identity_channel(3).superop.shape
        (9, 9)
    """
    d = _check_d(d)
    return Channel(d, np.eye(d * d, dtype=np.complex128), np.eye(d, dtype=complex)[None], "id")


def depolarizing(d: int, p: float) -> Channel:
    r"""Depolarizing channel :math:`\Lambda(\rho) = (1-p)\rho + p\,\mathrm{tr}(\rho)\,I/d`.

    Same convention as Qiskit Aer's ``depolarizing_error(p, n)`` (``d = 2**n``). Every
    Clifford irrep decays with :math:`f_\sigma = 1 - p` and the average gate fidelity is
    :math:`1 - p(d-1)/d`.

    Args:
        d: dimension, ``d >= 2``.
        p: depolarizing probability in ``[0, 1]`` (``p`` up to :math:`d^2/(d^2-1)` is CPTP;
            values above 1 are rejected here).

    Example:
        >>> depolarizing(2, 0.5).apply(np.diag([1.0, 0.0])).real.diagonal().tolist()
        [0.75, 0.25]
    """
    d = _check_d(d)
    p = _prob(p, "p")
    eye = np.eye(d * d, dtype=np.complex128)
    vec_i = np.eye(d, dtype=np.complex128).reshape(-1)
    sup = (1 - p) * eye + p * np.outer(vec_i, vec_i) / d
    return Channel(d, sup, None, f"depolarizing(p={p:g})")


def dephasing(d: int, p: float) -> Channel:
    r"""Dephasing :math:`\Lambda(\rho) = (1-p)\rho + p\sum_k \Pi_k\rho\Pi_k`.

    :math:`\Pi_k = |k\rangle\langle k|`.

    Off-diagonal entries shrink by :math:`1 - p`, populations are kept.

    Example:
        >>> dephasing(2, 0.25).apply(np.full((2, 2), 0.5)).real.round(3).tolist()
        [[0.5, 0.375], [0.375, 0.5]]
    """
    d = _check_d(d)
    p = _prob(p, "p")
    kraus = [np.sqrt(1 - p) * np.eye(d)] + [np.sqrt(p) * np.diag(np.eye(d)[k]) for k in range(d)]
    return Channel(
        d,
        _superop_from_kraus(np.asarray(kraus, dtype=complex)),
        np.asarray(kraus, complex),
        f"dephasing(p={p:g})",
    )


def amplitude_damping_cascade(d: int, gamma: float) -> Channel:
    r"""Amplitude-damping cascade: each level :math:`k \ge 1` decays to :math:`k-1` w.p. ``gamma``.

    Kraus operators :math:`K_0 = |0\rangle\langle 0| + \sqrt{1-\gamma}\sum_{k\ge1}|k\rangle
    \langle k|` and :math:`K_1 = \sqrt{\gamma}\sum_{k\ge1}|k-1\rangle\langle k|`; for ``d = 2``
    this is the usual amplitude damping. The channel is not unital.

    Example:
        >>> amplitude_damping_cascade(3, 0.1).apply(np.diag([0.0, 0.0, 1.0])).real.diagonal()
        array([0. , 0.1, 0.9])
    """
    d = _check_d(d)
    g = _prob(gamma, "gamma")
    k0 = np.diag([1.0] + [np.sqrt(1 - g)] * (d - 1)).astype(complex)
    k1 = np.sqrt(g) * np.eye(d, k=1, dtype=complex)
    kraus = np.stack([k0, k1])
    return Channel(d, _superop_from_kraus(kraus), kraus, f"amplitude_damping_cascade(gamma={g:g})")


def coherent_overrotation(d: int, theta: float, generator: np.ndarray | None = None) -> Channel:
    r"""Coherent error :math:`\rho\mapsto U\rho U^\dagger`, :math:`U = e^{-i\theta H}`.

    Args:
        d: dimension, ``d >= 2``.
        theta: rotation angle (finite real).
        generator: Hermitian ``(d, d)`` :math:`H`; default the number operator
            :math:`\sum_k k|k\rangle\langle k|` (a Z-type over-rotation).

    Example:
        >>> bool(np.allclose(coherent_overrotation(3, 2 * np.pi).superop, np.eye(9)))
        True
    """
    d = _check_d(d)
    try:
        theta = float(theta)
    except (TypeError, ValueError):
        raise TypeError(f"theta must be a real number, got {theta!r}") from None
    check_finite(theta, "theta")
    if generator is None:
        h = np.diag(np.arange(d, dtype=float)).astype(complex)
    else:
        h = np.asarray(generator, dtype=np.complex128)
        if h.shape != (d, d):
            raise ValueError(f"generator must have shape ({d}, {d}), got {h.shape}")
        check_finite(h, "generator")
        if not np.allclose(h, h.conj().T, atol=1e-10):
            raise ValueError("generator must be Hermitian (H == H^dagger)")
    u = scipy.linalg.expm(-1j * theta * h)
    ch = unitary_channel(u)
    return Channel(d, ch.superop, ch.kraus, f"coherent_overrotation(theta={theta:g})")


def compose(*channels: Channel) -> Channel:
    r"""Sequential composition, first argument first: :math:`\Lambda_n\circ\dots\circ\Lambda_1`.

    Example:
        >>> ch = compose(depolarizing(2, 0.1), depolarizing(2, 0.2))
        >>> np.allclose(ch.superop, depolarizing(2, 1 - 0.9 * 0.8).superop)
        True
    """
    if not channels:
        raise ValueError("compose needs at least one channel")
    for i, c in enumerate(channels):
        if not isinstance(c, Channel):
            raise TypeError(f"channels[{i}] must be a Channel, got {type(c).__name__}")
    d = channels[0].d
    if any(c.d != d for c in channels):
        raise ValueError(f"channels must share one dimension, got {[c.d for c in channels]}")
    sup = channels[0].superop
    for c in channels[1:]:
        sup = c.superop @ sup
    return Channel(d, sup, None, " then ".join(c.name for c in channels))


def check_cptp(channel: Channel, *, atol: float = 1e-9) -> None:
    r"""Raise ``ValueError`` unless ``channel`` is completely positive and trace preserving.

    Checks, with tolerance ``atol``: the Choi matrix is Hermitian (Hermiticity preserving),
    its smallest eigenvalue is :math:`\ge -\text{atol}` (complete positivity) and
    :math:`\mathrm{tr}_{\rm out} J = I` (trace preservation). The message names the violation.

    Example:
        >>> check_cptp(depolarizing(3, 0.2))
        >>> check_cptp(from_superop(2 * np.eye(4), check=False))
        Traceback (most recent call last):
        ...
        ValueError: channel is not trace preserving: max |tr_out J - I| = 1 (tolerance 1e-09)
    """
    if not isinstance(channel, Channel):
        raise TypeError(
            f"channel must be a qtwin.rb.channels.Channel, got {type(channel).__name__}"
        )
    d = channel.d
    j = channel.choi
    herm = float(np.max(np.abs(j - j.conj().T)))
    if herm > atol:
        raise ValueError(
            f"channel is not Hermiticity preserving: max |J - J^dagger| = {herm:.3g} "
            f"(tolerance {atol:g})"
        )
    tp = float(np.max(np.abs(np.einsum("ikjk->ij", j.reshape(d, d, d, d)) - np.eye(d))))
    if tp > atol:
        raise ValueError(
            f"channel is not trace preserving: max |tr_out J - I| = {tp:.3g} (tolerance {atol:g})"
        )
    lam = float(np.linalg.eigvalsh((j + j.conj().T) / 2)[0])
    if lam < -atol:
        raise ValueError(
            f"channel is not completely positive: smallest Choi eigenvalue = {lam:.3g} "
            f"(tolerance {atol:g})"
        )


NoiseSpec = Channel | Mapping[int, Channel] | Callable[[int], Channel] | None


class NoiseModel:
    """Noise after each Clifford gate: gate-independent (one channel) or gate-dependent.

    Built by :func:`as_noise_model`; ``superops(indices)`` returns the ``(K, d*d, d*d)``
    superoperators of the noise after the Cliffords with those indices (CPTP-checked once
    per distinct channel).
    """

    def __init__(self, d: int, spec: NoiseSpec):
        self.d = d
        self._cache: dict[int, np.ndarray] = {}
        self._fixed: np.ndarray | None = None
        self._lookup: Callable[[int], Channel | None] | None = None
        if spec is None:
            self._fixed = np.eye(d * d, dtype=np.complex128)
        elif isinstance(spec, Channel):
            self._fixed = self._checked(spec, "noise").superop
        elif isinstance(spec, Mapping):
            for k, v in spec.items():
                self._checked(v, f"noise[{k!r}]")
            self._lookup = spec.get
        elif callable(spec):
            self._lookup = spec
        else:
            raise TypeError(
                "noise must be None, a Channel, a mapping Clifford index -> Channel or a "
                f"callable index -> Channel, got {type(spec).__name__}"
            )

    def _checked(self, ch: object, name: str) -> Channel:
        if not isinstance(ch, Channel):
            raise TypeError(f"{name} must be a Channel, got {type(ch).__name__}")
        if ch.d != self.d:
            raise ValueError(f"{name} acts on dimension {ch.d}, expected d = {self.d}")
        check_cptp(ch)
        return ch

    @property
    def gate_independent(self) -> bool:
        """Whether the same channel follows every gate."""
        return self._fixed is not None

    @property
    def fixed_superop(self) -> np.ndarray | None:
        """The superoperator of gate-independent noise, else ``None``."""
        return self._fixed

    def superop(self, index: int) -> np.ndarray:
        """Superoperator of the noise after Clifford ``index``."""
        if self._fixed is not None:
            return self._fixed
        index = int(index)
        if index not in self._cache:
            ch = self._lookup(index)  # type: ignore[misc]
            if ch is None:
                self._cache[index] = np.eye(self.d * self.d, dtype=np.complex128)
            else:
                self._cache[index] = self._checked(ch, f"noise({index})").superop
        return self._cache[index]

    def superops(self, indices: np.ndarray) -> np.ndarray:
        """``(K, d*d, d*d)`` superoperators for a 1-D array of Clifford indices."""
        idx = np.asarray(indices).reshape(-1)
        uniq, inv = np.unique(idx, return_inverse=True)
        table = np.stack([self.superop(int(k)) for k in uniq])
        return table[inv]


def as_noise_model(noise: NoiseSpec | NoiseModel, d: int) -> NoiseModel:
    """Normalise a noise argument (``None``, Channel, mapping or callable) into a NoiseModel.

    Example:
        >>> as_noise_model(depolarizing(2, 0.1), 2).gate_independent
        True
        >>> float(as_noise_model({0: depolarizing(2, 0.1)}, 2).superop(5).real.trace())
        4.0
    """
    if isinstance(noise, NoiseModel):
        if noise.d != d:
            raise ValueError(f"noise acts on dimension {noise.d}, expected d = {d}")
        return noise
    return NoiseModel(d, noise)
