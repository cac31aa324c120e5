r"""Exact vs dequantized vs quantum for one singular value transformation: :func:`compare`.

A :class:`SVTProblem` fixes a real matrix ``A``, a vector ``b`` and a function ``f`` of the
singular value of definite parity. :func:`compare` computes

* **exact**: :math:`f^{(SV)}` from a dense SVD (numpy): even
  :math:`\sum_l f(\sigma_l)v_lv_l^\dagger b + f(0)(I - VV^\dagger)b`, odd
  :math:`\sum_l f(\sigma_l)v_lu_l^\dagger b`;
* **dequantized**: :func:`~qtwin.dequantized.transform.svt` from ℓ²-norm samples;
* **quantum**: the QSVT circuit (:func:`~qtwin.dequantized.quantum.qsvt_apply`) for a
  degree-``d`` Chebyshev interpolant of :math:`x \mapsto f(\alpha x)` on [-1, 1],

and reports each relative error :math:`\|x - x_{\rm exact}\|/\|x_{\rm exact}\|`, the
quantum success probability, the quantum queries (``d`` per run; about
:math:`d/p_{\rm succ}` per post-selected output state, :math:`d/\sqrt{p_{\rm succ}}` with
amplitude amplification) and the classical sample count.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from qtwin._threads import single_threaded_blas
from qtwin._validation import check_choice, check_finite, check_positive_int
from qtwin.dequantized.quantum import (
    QSVTCircuit,
    block_encoding_scale,
    poly_approximation,
    qsvt_apply,
    qsvt_circuit,
)
from qtwin.dequantized.transform import check_parity, svt

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["SVTProblem", "ComparisonResult", "exact_svt", "compare"]


@dataclass
class SVTProblem:
    r"""One singular value transformation problem.

    Attributes:
        A: real ``m × n`` matrix (at most 128 × 128 for the quantum side).
        b: length ``n`` (even) or ``m`` (odd).
        f: vectorised function of the singular value, of parity ``parity``.
        parity: ``"even"`` or ``"odd"``.
        degree: degree of the quantum polynomial (parity-matched).
        threshold: odd case: singular values below ``threshold * ||A||_F`` are dropped
            (dequantized and exact alike).
    """

    A: np.ndarray
    b: np.ndarray
    f: Callable[[Any], Any]
    parity: str = "even"
    degree: int = 10
    threshold: float = 1e-6
    name: str = "svt"

    def __post_init__(self) -> None:
        self.A = np.asarray(self.A, dtype=float)
        self.b = np.asarray(self.b, dtype=float).ravel()
        check_choice(self.parity, "parity", ("even", "odd"))
        check_finite(self.A, "A")
        check_finite(self.b, "b")
        if self.A.ndim != 2 or self.A.size == 0:
            raise ValueError(f"A must be a non-empty 2-D matrix, got shape {self.A.shape}")
        want = self.A.shape[1] if self.parity == "even" else self.A.shape[0]
        if len(self.b) != want:
            raise ValueError(
                f"b must have length {want} for parity={self.parity!r}, got {len(self.b)}"
            )
        check_positive_int(self.degree, "degree")
        check_parity(self.f, self.parity, float(np.linalg.norm(self.A)))

    def quantum_polynomial(self) -> tuple[np.ndarray, float, float]:
        r"""``(coeffs, scale, alpha)`` of the polynomial the quantum side runs.

        ``alpha`` is :func:`~qtwin.dequantized.quantum.block_encoding_scale` of ``A``
        (even) or :math:`A^\dagger` (odd); ``coeffs`` (lowest power first) is the
        degree-``degree`` Chebyshev interpolant of :math:`x \mapsto f(\alpha x)` divided by
        ``scale`` so that :math:`|P| \le 0.99` on [-1, 1]
        (:func:`~qtwin.dequantized.quantum.poly_approximation`).
        """
        M = self.A if self.parity == "even" else self.A.T
        alpha = block_encoding_scale(M)
        coeffs, scale = poly_approximation(lambda x: self.f(alpha * x), self.degree, self.parity)
        return coeffs, scale, alpha

    def qsvt_circuit(self) -> QSVTCircuit:
        """The QSVT circuit of :meth:`quantum_polynomial` (:func:`qsvt_circuit`)."""
        coeffs, _, alpha = self.quantum_polynomial()
        return qsvt_circuit(self.A, coeffs, alpha=alpha)


def exact_svt(problem: SVTProblem) -> np.ndarray:
    """The exact transformed vector from a dense SVD (see the module docstring)."""
    U, s, Vh = np.linalg.svd(problem.A, full_matrices=False)
    F = np.linalg.norm(problem.A)
    with np.errstate(all="ignore"):
        if problem.parity == "even":
            fs = np.asarray(problem.f(s), dtype=float)
            f0 = float(np.asarray(problem.f(np.zeros(1)))[0])
            proj = Vh @ problem.b
            return Vh.T @ ((fs - f0) * proj) + f0 * problem.b
        keep = s >= max(problem.threshold * F, 1e-12 * F)
        fs = np.asarray(problem.f(s[keep]), dtype=float)
        return Vh[keep].T @ (fs * (U[:, keep].T @ problem.b))


@dataclass
class ComparisonResult:
    """Exact, dequantized and quantum answers side by side (see :func:`compare`)."""

    exact: np.ndarray
    dequantized: np.ndarray
    quantum: np.ndarray | None
    errors: dict[str, float]
    success_probability: float | None
    quantum_queries: int | None
    classical_samples: int
    times: dict[str, float] = field(default_factory=dict)
    details: dict[str, Any] = field(default_factory=dict)

    def summary(self) -> dict[str, Any]:
        """A JSON-able dict of the scalar results."""
        p = self.success_probability
        out = {
            "errors": dict(self.errors),
            "success_probability": p,
            "quantum_queries_per_run": self.quantum_queries,
            "quantum_queries_per_output": (self.quantum_queries / p) if p else None,
            "quantum_queries_amplified": (self.quantum_queries / np.sqrt(p)) if p else None,
            "classical_samples": self.classical_samples,
            "times_s": dict(self.times),
        }
        out.update({k: v for k, v in self.details.items() if np.isscalar(v)})
        return out

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: :meth:`summary` plus the three vectors (real parts) as lists."""
        return {
            **self.summary(),
            "exact": np.real(self.exact).tolist(),
            "dequantized": np.real(self.dequantized).tolist(),
            "quantum": None if self.quantum is None else np.real(self.quantum).tolist(),
        }

    def to_dataframe(self) -> pd.DataFrame:
        """One row per entry ``i``: ``exact``, ``dequantized``, ``quantum`` and their residuals."""
        import pandas as pd

        data: dict[str, Any] = {
            "exact": np.real(self.exact),
            "dequantized": np.real(self.dequantized),
            "dequantized_residual": np.real(self.dequantized - self.exact),
        }
        if self.quantum is not None:
            data["quantum"] = np.real(self.quantum)
            data["quantum_residual"] = np.real(self.quantum - self.exact)
        return pd.DataFrame(data).rename_axis("entry")


@single_threaded_blas
def compare(
    problem: SVTProblem,
    *,
    r: int = 400,
    c: int = 400,
    samples: int | None = 20000,
    eps: float = 0.1,
    delta: float = 0.1,
    quantum: bool = True,
    seed: int | np.random.Generator | None = None,
) -> ComparisonResult:
    r"""Run exact, dequantized (:func:`svt`) and quantum (QSVT) on ``problem``.

    Args:
        problem: the :class:`SVTProblem`.
        r: rows sampled by the dequantized algorithm.
        c: columns sampled.
        samples: inner-product samples (``None``: derived from ``eps``, ``delta``).
        eps: passed to :func:`svt`.
        delta: passed to :func:`svt`.
        quantum: run the QSVT circuit (needs at most 8 block-encoding qubits).
        seed: int or ``numpy.random.Generator``.

    Returns:
        A :class:`ComparisonResult`; ``errors`` has ``dequantized``, ``quantum`` and
        ``polynomial`` (the quantum polynomial's own error on the spectrum).

    Example:
        >>> rng = np.random.default_rng(0)
        >>> A = rng.normal(size=(8, 2)) @ rng.normal(size=(2, 8)); A /= np.linalg.norm(A)
        >>> prob = SVTProblem(A, rng.normal(size=8), lambda s: np.exp(-3 * s**2), degree=12)
        >>> res = compare(prob, r=200, c=200, samples=2000, quantum=False, seed=1)
        >>> bool(res.errors["dequantized"] < 0.2)
        True
    """
    t0 = time.perf_counter()
    exact = exact_svt(problem)
    t_exact = time.perf_counter() - t0
    t0 = time.perf_counter()
    deq = svt(
        problem.A,
        problem.f,
        eps,
        delta,
        b=problem.b,
        parity=problem.parity,
        r=r,
        c=c,
        samples=samples,
        threshold=problem.threshold,
        seed=seed,
    )
    x_deq = np.real_if_close(deq.to_numpy())
    t_deq = time.perf_counter() - t0
    ne = float(np.linalg.norm(exact)) or 1.0
    errors = {"dequantized": float(np.linalg.norm(x_deq - exact) / ne)}
    x_q, p, queries, details = None, None, None, {}
    times = {"exact": t_exact, "dequantized": t_deq}
    if quantum:
        t0 = time.perf_counter()
        coeffs, scale, alpha = problem.quantum_polynomial()
        res = qsvt_apply(problem.A, coeffs, problem.b, alpha=alpha)
        x_q = res.vector * scale
        times["quantum"] = time.perf_counter() - t0
        errors["quantum"] = float(np.linalg.norm(x_q - exact) / ne)
        s = np.linalg.svd(problem.A, compute_uv=False) / alpha
        errors["polynomial"] = float(
            np.max(
                np.abs(np.polynomial.polynomial.polyval(s, coeffs) * scale - problem.f(alpha * s))
            )
        )
        p, queries = res.success_probability, res.queries
        details = {"alpha": alpha, "poly_scale": scale, "qubits": res.qubits, "shrink": res.shrink}
    return ComparisonResult(exact, x_deq, x_q, errors, p, queries, deq.cost.samples, times, details)
