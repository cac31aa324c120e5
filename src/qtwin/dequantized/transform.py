r"""Quantum-inspired singular value transformation (CGLLTW, arXiv:1910.06151, §5).

For :math:`A = \sum_l \sigma_l u_l v_l^\dagger` and a function ``f`` of the singular value,

* **even** ``f`` (:math:`f(-\sigma) = f(\sigma)`): :math:`f^{(SV)}(A) = h(A^\dagger A)` with
  :math:`h(x) = f(\sqrt x)`. With :math:`\bar h(x) = (h(x) - h(0))/x` and the FKV sketch
  :math:`R = SA`, :math:`C = SAT^\dagger` (:mod:`~qtwin.dequantized.sketch`),

  .. math:: h(A^\dagger A) \approx R^\dagger \bar h(CC^\dagger) R + h(0) I,

  so :math:`h(A^\dagger A)b \approx R^\dagger u + h(0) b` with :math:`u = \bar h(CC^\dagger)(Rb)`;
  the ``r`` entries of :math:`Rb` are inner products estimated by median of means from
  SQ(b).
* **odd** ``f`` (:math:`f(-\sigma) = -f(\sigma)`), e.g. the pseudo-inverse :math:`f = 1/\sigma`:
  the output is :math:`f^{(SV)}(A)^\dagger b = \sum_l f(\sigma_l) v_l u_l^\dagger b` for
  :math:`b \in \mathbb{C}^m` (for :math:`f = 1/\sigma` this is :math:`A^+b`). On the sketched
  row space, :math:`f^{(SV)}(A)^\dagger b \approx R^\dagger G (RA^\dagger b)` with
  :math:`G = \sum_{\sigma_l \ge \theta} f(\sigma_l)\sigma_l^{-3} w_l w_l^\dagger` from the SVD
  of ``C``; the entries of :math:`RA^\dagger b` are estimated from entry samples
  :math:`(i, j) \sim |A_{ij}|^2/\|A\|_F^2` and queries to ``b``. Components below the
  threshold :math:`\theta` are dropped (the low-rank regime of the paper).

The output is a linear combination of ``r`` rows of ``A`` (plus ``b``): SQ access to it by
rejection sampling (:class:`~qtwin.dequantized.oversampled.LinearCombination`). The cost is
``r`` row samples, ``c`` column samples, ``rc`` queries, an :math:`O(r^2c)` SVD and the
inner-product samples, all independent of the dimensions of ``A``.

**Sample counts from** :math:`(\varepsilon, \delta)` (even case; :math:`F = \|A\|_F`,
:math:`L`, :math:`\bar L` the Lipschitz constants of :math:`h`, :math:`\bar h` on
:math:`[0, F^2]`, :math:`\bar M = \max|\bar h|`): the error budget :math:`\varepsilon\|b\|`
is split in three, each failing with probability :math:`\le\delta/3`. Hermitian
Frobenius-Lipschitz continuity gives
:math:`\|h(R^\dagger R) - h(A^\dagger A)\| \le L\|R^\dagger R - A^\dagger A\|_F`, and the
approximate-matrix-product bound then asks for
:math:`r = \lceil 27L^2F^4/(\delta\varepsilon^2)\rceil`;
likewise :math:`c = \lceil 27\bar L^2F^8/(\delta\varepsilon^2)\rceil`; the inner products
need additive error :math:`\varepsilon/(3\bar M F^2)` (relative to :math:`\|R_t\|\|b\|`),
each with failure :math:`\delta/(3r)`. These worst-case counts are large; pass ``r``, ``c``
and ``samples`` to override them (they are capped at ``max_samples`` with a warning). For
odd ``f`` the counts use :math:`g(x) = f(\sqrt x)/\sqrt x` on :math:`[\theta^2, F^2]` in
place of :math:`h` and one more factor :math:`F^2` (a heuristic, not a proof).
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from qtwin._threads import single_threaded_blas
from qtwin._validation import (
    as_generator,
    check_choice,
    check_nonnegative_float,
    check_positive_int,
)
from qtwin.dequantized.estimation import MeanSamples, check_eps_delta, median_of_means
from qtwin.dequantized.matrix import as_sqmatrix
from qtwin.dequantized.oversampled import LinearCombination
from qtwin.dequantized.sketch import Sketch, fkv_sketch
from qtwin.dequantized.types import MatrixLike
from qtwin.dequantized.vector import SQVector

__all__ = ["SVTCost", "SVTOperator", "SVTResult", "svt", "check_parity"]

_GRID = 513


def _call(f: Callable[[Any], Any], x: np.ndarray) -> np.ndarray:
    with np.errstate(all="ignore"):
        try:
            out = np.asarray(f(x))
            if out.shape != x.shape:
                raise ValueError
        except Exception:
            out = np.array([f(float(t)) for t in x])
    return out


def check_parity(f: Callable[[Any], Any], parity: str, scale: float = 1.0) -> None:
    r"""Raise ``ValueError`` unless ``f`` is even/odd on :math:`[-\mathrm{scale}, \mathrm{scale}]`.

    Example:
        >>> check_parity(np.cos, "even")
        >>> check_parity(np.exp, "even")  # doctest: +ELLIPSIS
        Traceback (most recent call last):
        ...
        ValueError: f must be an even function (f(-s) == f(s)) for parity='even'; ...
    """
    if not callable(f):
        raise TypeError(f"f must be a callable of the singular value, got {f!r}")
    s = np.linspace(1e-3, 1.0, 64) * scale
    fp, fm = _call(f, s), _call(f, -s)
    if not (np.all(np.isfinite(fp)) and np.all(np.isfinite(fm))):
        raise ValueError("f must be finite on [-scale, scale] away from 0")
    sign = 1.0 if parity == "even" else -1.0
    gap = float(np.max(np.abs(fp - sign * fm)))
    tol = 1e-8 * (1.0 + float(np.max(np.abs(fp))))
    if gap > tol:
        word = "an even" if parity == "even" else "an odd"
        rel = "f(-s) == f(s)" if parity == "even" else "f(-s) == -f(s)"
        raise ValueError(
            f"f must be {word} function ({rel}) for parity={parity!r}; "
            f"max |f(s) - {'' if parity == 'even' else '-'}f(-s)| = {gap:.3g} "
            f"on [-{scale:g}, {scale:g}]"
        )


def _lipschitz(fn: Callable[[np.ndarray], np.ndarray], lo: float, hi: float) -> tuple[float, float]:
    x = np.linspace(lo, hi, _GRID)
    y = fn(x)
    slope = np.abs(np.diff(y)) / np.diff(x)
    return float(np.max(slope)), float(np.max(np.abs(y)))


@dataclass
class SVTCost:
    """Classical cost of one SVT: samples and queries (all independent of the dimensions)."""

    rows: int
    cols: int
    inner_samples: int
    queries: int

    @property
    def samples(self) -> int:
        """Row + column + inner-product samples."""
        return self.rows + self.cols + self.inner_samples


@dataclass
class SVTResult:
    r"""The transformed vector in SQ form.

    Attributes:
        vector: :class:`LinearCombination` :math:`R^\dagger u` (+ :math:`h(0)b`): sample
            with ``vector.sample``, query with ``vector.query``.
        coefficients: ``u`` (length ``r``), in the basis of the rescaled rows :math:`R_t`.
        operator: the :class:`SVTOperator` that produced it.
        cost: an :class:`SVTCost`.
    """

    vector: LinearCombination
    coefficients: np.ndarray
    operator: SVTOperator
    cost: SVTCost

    def __len__(self) -> int:
        return len(self.vector)

    def query(self, index: Any) -> np.ndarray:
        """Entries of the output vector."""
        return self.vector.query(index)

    def sample(
        self, size: int | None = None, *, seed: int | np.random.Generator | None = None
    ) -> Any:
        r"""Indices drawn with probability :math:`|x_i|^2/\|x\|^2` (rejection sampling)."""
        return self.vector.sample(size, seed=seed)

    def to_numpy(self) -> np.ndarray:
        """The dense output vector (``O(rn)``; for tests and small ``n``)."""
        return self.vector.to_numpy()


@dataclass
class SVTOperator:
    r"""The implicit transformation: the sketch and the ``r × r`` core matrix.

    Even: :math:`h(A^\dagger A) \approx R^\dagger Z R + h(0)I`; odd:
    :math:`f^{(SV)}(A)^\dagger \approx R^\dagger Z R A^\dagger`.
    """

    sketch: Sketch
    core: np.ndarray
    parity: str
    h0: float | complex
    counts: MeanSamples
    meta: dict[str, Any] = field(default_factory=dict)

    def to_numpy(self) -> np.ndarray:
        """The dense operator (``n × n`` even, ``n × m`` odd; for tests and small sizes)."""
        R = self.sketch.R()
        op = R.conj().T @ self.core @ R
        if self.parity == "even":
            return op + self.h0 * np.eye(R.shape[1])
        return op @ self.sketch.matrix.to_numpy().conj().T

    def _estimate_even(self, b: SQVector, rng: np.random.Generator, exact: bool) -> np.ndarray:
        sk = self.sketch
        A = sk.matrix
        if exact:
            return sk.row_scale * (A.rows(sk.rows) @ b.to_numpy())
        j = np.asarray(b.sample(self.counts.total, seed=rng))
        bj = np.asarray(b.query(j))
        vals = np.asarray(A.query(sk.rows[:, None], j[None, :]))  # r × N
        z = b.norm() ** 2 * vals / bj.conj()[None, :]
        return sk.row_scale * median_of_means(z, self.counts)

    def _estimate_odd(self, b: Any, rng: np.random.Generator, exact: bool) -> np.ndarray:
        sk = self.sketch
        A = sk.matrix
        bq = b.query
        if exact:
            bd = np.asarray(bq(np.arange(A.shape[0])))
            return sk.row_scale * (A.rows(sk.rows) @ (A.to_numpy().conj().T @ bd))
        i, j = A.sample_entries(self.counts.total, seed=rng)
        aij = np.asarray(A.query(i, j))
        vals = np.asarray(A.query(sk.rows[:, None], j[None, :]))
        z = A.frobenius_norm() ** 2 * vals * (np.asarray(bq(i)) / aij)[None, :]
        return sk.row_scale * median_of_means(z, self.counts)

    @single_threaded_blas
    def apply(
        self,
        b: Any,
        *,
        exact_products: bool = False,
        seed: int | np.random.Generator | None = None,
    ) -> SVTResult:
        r"""Apply to ``b``: estimate :math:`Rb` (even) or :math:`RA^\dagger b` (odd), then combine.

        Args:
            b: even: length ``n`` (an :class:`SQVector` or array, SQ access needed);
                odd: length ``m`` (query access only).
            exact_products: compute those ``r`` inner products exactly (``O(rn)`` or
                ``O(mn)``), to isolate the sketch error.
            seed: int or ``numpy.random.Generator``.

        Raises:
            ValueError: for a ``b`` of the wrong length or with NaN/inf entries.
        """
        rng = as_generator(seed)
        sk = self.sketch
        m, n = sk.matrix.shape
        if self.parity == "even":
            bv = b if isinstance(b, SQVector) else SQVector(b)
            if len(bv) != n:
                raise ValueError(f"b must have length n = {n} for an even SVT, got {len(bv)}")
            rb = self._estimate_even(bv, rng, exact_products)
        else:
            if not hasattr(b, "query"):
                b = SQVector(b)
            if len(b) != m:
                raise ValueError(f"b must have length m = {m} for an odd SVT, got {len(b)}")
            rb = self._estimate_odd(b, rng, exact_products)
            bv = None
        u = self.core @ rb
        vectors, vcoef = ([bv], [self.h0]) if (bv is not None and self.h0 != 0) else ([], [])
        vec = sk.row_combination(u)
        if vectors:
            vec = LinearCombination(
                sk.matrix,
                sk.rows,
                u * sk.row_scale,
                vectors=vectors,
                vector_coeffs=vcoef,
                conjugate=True,
            )
        inner = 0 if exact_products else self.counts.total
        cost = SVTCost(sk.r, sk.c, inner, sk.r * sk.c + inner * (sk.r + 1))
        return SVTResult(vec, u, self, cost)


def _cap(name: str, value: int, cap: int) -> int:
    if value > cap:
        warnings.warn(
            f"the (eps, delta)-derived {name} = {value} exceeds max_samples = {cap}; using "
            f"{cap} (the worst-case guarantee no longer applies; pass {name}= to choose)",
            RuntimeWarning,
            stacklevel=3,
        )
        return cap
    return value


@single_threaded_blas
def svt(
    A: MatrixLike,
    f: Callable[[np.ndarray], ArrayLike],
    eps: float = 0.1,
    delta: float = 0.1,
    *,
    b: ArrayLike | None = None,
    parity: str = "even",
    r: int | None = None,
    c: int | None = None,
    samples: int | MeanSamples | None = None,
    threshold: float = 1e-3,
    exact_products: bool = False,
    max_samples: int = 4000,
    seed: int | np.random.Generator | None = None,
) -> SVTResult | SVTOperator:
    r"""Singular value transformation from SQ(A) at a cost independent of the dimensions.

    Args:
        A: an :class:`SQMatrix` (or a numpy / scipy matrix, wrapped).
        f: a vectorised function of the singular value :math:`\sigma`; even for
            ``parity="even"`` (e.g. ``lambda s: np.exp(-t * s**2)`` for :math:`e^{-tA^\dagger A}`),
            odd for ``parity="odd"`` (e.g. ``lambda s: 1 / s`` for the pseudo-inverse).
        eps: target error :math:`\|x - f^{(SV)}b\| \le \varepsilon\|b\|` (drives the derived
            sample counts).
        delta: failure probability in ``(0, 1)``.
        b: the vector to transform (length ``n`` even, ``m`` odd). Without it, the
            :class:`SVTOperator` is returned.
        parity: ``"even"`` or ``"odd"``.
        r: override the number of sampled rows.
        c: override the number of sampled columns.
        samples: override the inner-product samples (an int total, split into 9 groups,
            or a :class:`MeanSamples`).
        threshold: drop the components of the sketch with :math:`\sigma_l(C) <`
            ``threshold`` :math:`\cdot\|A\|_F`. Odd case: the pseudo-inverse's cut-off.
            Even case: those components carry almost no signal
            (:math:`|h(\sigma^2) - h(0)| \le L\sigma^2`) but the estimation noise of
            :math:`Rb`, which would inflate the rejection sampler's :math:`\phi`.
        exact_products: compute the ``r`` inner products exactly instead of sampling.
        max_samples: cap on each derived ``r`` and ``c`` (with a warning).
        seed: int or ``numpy.random.Generator``.

    Returns:
        :class:`SVTResult` (SQ access to the output vector, and its cost) when ``b`` is
        given, else the :class:`SVTOperator`.

    Raises:
        ValueError: for an empty/non-finite/zero ``A``, ``eps <= 0``, ``delta`` outside
            ``(0, 1)``, an unknown ``parity``, or an ``f`` of the wrong parity.

    Example:
        >>> import numpy as np
        >>> rng = np.random.default_rng(0)
        >>> A = rng.normal(size=(500, 3)) @ rng.normal(size=(3, 20)); A /= np.linalg.norm(A)
        >>> b = rng.normal(size=20)
        >>> f = lambda s: np.exp(-2 * s**2)
        >>> out = svt(A, f, b=b, r=200, c=200, samples=5000, seed=1)
        >>> w, V = np.linalg.eigh(A.T @ A)
        >>> exact = V @ (np.exp(-2 * w) * (V.T @ b))
        >>> bool(np.linalg.norm(out.to_numpy() - exact) < 0.05 * np.linalg.norm(b))
        True
    """
    eps, delta = check_eps_delta(eps, delta)
    check_choice(parity, "parity", ("even", "odd"))
    As = as_sqmatrix(A)
    threshold = check_nonnegative_float(threshold, "threshold")
    max_samples = check_positive_int(max_samples, "max_samples")
    F = As.frobenius_norm()
    if F <= 0:
        raise ValueError("A must not be the zero matrix")
    check_parity(f, parity, F)
    rng = as_generator(seed)

    if parity == "even":

        def h(x: np.ndarray) -> np.ndarray:
            return _call(f, np.sqrt(np.maximum(x, 0.0)))

        h0 = _call(f, np.zeros(1))[0].item()
        tiny = 1e-9 * F**2

        def hbar(x: np.ndarray) -> np.ndarray:
            xs = np.maximum(x, tiny)
            return (h(xs) - h0) / xs

        L, _ = _lipschitz(h, 0.0, F**2)
        Lbar, Mbar = _lipschitz(hbar, 0.0, F**2)
        rf = 27 * L**2 * F**4 / (delta * eps**2)
        cf = 27 * Lbar**2 * F**8 / (delta * eps**2)
        eps_ip = eps / (3 * max(Mbar, 1e-300) * F**2)
    else:
        lo = (threshold * F) ** 2

        def g(x: np.ndarray) -> np.ndarray:
            s = np.sqrt(x)
            return _call(f, s) / s

        L, _ = _lipschitz(g, max(lo, 1e-6 * F**2), F**2)
        Lbar, Mbar = _lipschitz(lambda x: g(x) / x, max(lo, 1e-6 * F**2), F**2)
        rf = 27 * L**2 * F**6 / (delta * eps**2)
        cf = 27 * Lbar**2 * F**10 / (delta * eps**2)
        eps_ip = eps / (3 * max(Mbar, 1e-300) * F**3)
        h0 = 0.0
    r_n = (
        _cap("r", max(1, math.ceil(rf * (1 - 1e-9))), max_samples)
        if r is None
        else check_positive_int(r, "r")
    )
    c_n = (
        _cap("c", max(1, math.ceil(cf * (1 - 1e-9))), max_samples)
        if c is None
        else check_positive_int(c, "c")
    )
    if isinstance(samples, MeanSamples):
        counts = samples
    elif samples is not None:
        total = check_positive_int(samples, "samples")
        counts = MeanSamples(max(1, total // 9), 9 if total >= 9 else 1)
    else:
        per = math.ceil(4.0 / eps_ip**2)
        groups = math.ceil(8.0 * math.log(3.0 * r_n / delta))
        per = _cap("samples per group", per, 100 * max_samples)
        counts = MeanSamples(per, groups + 1 - groups % 2)

    sk = fkv_sketch(As, r=r_n, c=c_n, seed=rng)
    sv = sk.singular_values
    W = sk.left
    lam = sv**2
    if parity == "even":
        keep = sv >= max(threshold * F, 1e-12 * F)
        hb = hbar(lam[keep])
        core = (W[:, keep] * hb[None, :]) @ W[:, keep].conj().T
    else:
        keep = sv >= max(threshold * F, 1e-12 * F)
        fs = _call(f, sv[keep])
        core = (W[:, keep] * (fs / sv[keep] ** 3)[None, :]) @ W[:, keep].conj().T
    op = SVTOperator(
        sk, core, parity, h0, counts, {"eps": eps, "delta": delta, "L": L, "Lbar": Lbar}
    )
    if b is None:
        return op
    return op.apply(b, exact_products=exact_products, seed=rng)
