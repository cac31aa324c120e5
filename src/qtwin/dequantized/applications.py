r"""Quantum machine-learning algorithms and their dequantized twins (CGLLTW §6).

Each function names the quantum algorithm it dequantizes. All run from SQ access to the
data matrix and cost a number of samples that does not depend on its dimensions; their
answers are low-rank (sketched) approximations, checked in the tests against the exact
numpy/scipy answers.

* :func:`pca` – quantum PCA (Lloyd, Mohseni, Rebentrost 2014), dequantized by Tang
  (arXiv:1811.00414);
* :func:`linear_regression` – HHL / QSVT linear systems and low-rank regression
  (Harrow–Hassidim–Lloyd 2009; Gilyén et al. 2019), dequantized by Gilyén–Lloyd–Tang
  (arXiv:1811.04909) and Chia–Lin–Wang (arXiv:1811.04852);
* :func:`nearest_centroid` – quantum supervised clustering (Lloyd, Mohseni, Rebentrost
  2013), dequantized by Tang (arXiv:1811.00414);
* :func:`ls_svm` – the quantum least-squares SVM (Rebentrost, Mohseni, Lloyd 2014),
  dequantized by Ding, Bao, Huang (arXiv:1906.08902) and CGLLTW;
* :func:`hamiltonian_simulation` – low-rank Hamiltonian simulation :math:`e^{iHt}b`
  (QSVT, Gilyén et al. 2019; new in CGLLTW);
* :func:`discriminant_analysis` – quantum Fisher LDA (Cong, Duan 2016), dequantized in CGLLTW.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from qtwin._validation import (
    as_generator,
    check_finite,
    check_nonnegative_float,
)
from qtwin.dequantized.estimation import check_eps_delta, median_of_means, median_of_means_counts
from qtwin.dequantized.matrix import SQMatrix, as_sqmatrix
from qtwin.dequantized.oversampled import LinearCombination
from qtwin.dequantized.sketch import LowRankApproximation, low_rank_approximation
from qtwin.dequantized.transform import SVTCost, SVTResult, svt
from qtwin.dequantized.types import MatrixLike, VectorLike
from qtwin.dequantized.vector import SQVector

__all__ = [
    "pca",
    "linear_regression",
    "nearest_centroid",
    "CentroidResult",
    "ls_svm",
    "hamiltonian_simulation",
    "discriminant_analysis",
]


def pca(
    A: MatrixLike,
    k: int,
    eps: float = 0.1,
    delta: float = 0.1,
    *,
    r: int | None = 400,
    c: int | None = 400,
    seed: int | np.random.Generator | None = None,
) -> LowRankApproximation:
    r"""Top-``k`` principal components of the rows of ``A`` (dequantized quantum PCA).

    Dequantizes quantum PCA (Lloyd–Mohseni–Rebentrost); classical version by Tang
    (arXiv:1811.00414). The components are the approximate top right singular vectors
    :math:`\tilde v_l` of ``A`` (uncentred: centre the data first for covariance PCA) and
    the variances :math:`\sigma_l^2`; each :math:`\tilde v_l` has SQ access
    (``result.vector(l)``).

    Args:
        A: data matrix, one sample per row (:class:`SQMatrix` or numpy/scipy).
        k: number of components.
        eps: accuracy (see :func:`~qtwin.dequantized.sketch.low_rank_approximation`).
        delta: failure probability.
        r: sketch rows (``None``: derived).
        c: sketch columns.
        seed: int or ``numpy.random.Generator``.

    Returns:
        :class:`~qtwin.dequantized.sketch.LowRankApproximation`.

    Example:
        >>> rng = np.random.default_rng(0)
        >>> X = rng.normal(size=(3000, 2)) @ np.diag([3.0, 1.0]) @ rng.normal(size=(2, 20))
        >>> res = pca(X, 2, seed=1)
        >>> s = np.linalg.svd(X, compute_uv=False)[:2]
        >>> bool(np.allclose(res.singular_values, s, rtol=0.1))
        True
    """
    return low_rank_approximation(A, k, eps, delta, r=r, c=c, seed=seed)


def linear_regression(
    A: MatrixLike,
    b: ArrayLike,
    eps: float = 0.1,
    delta: float = 0.1,
    *,
    threshold: float = 0.05,
    r: int | None = 400,
    c: int | None = 400,
    samples: int | None = 20000,
    seed: int | np.random.Generator | None = None,
) -> SVTResult:
    r"""Low-rank least squares :math:`x = A_{\ge\theta}^+ b` (dequantized HHL / QSVT).

    Dequantizes quantum linear-system solvers (HHL; QSVT matrix inversion) in the low-rank
    regime: Gilyén–Lloyd–Tang (arXiv:1811.04909), Chia–Lin–Wang (arXiv:1811.04852). It is
    the odd SVT with :math:`f(\sigma) = 1/\sigma` on singular values
    :math:`\sigma \ge \theta\|A\|_F` (``threshold`` :math:`= \theta`, playing
    :math:`1/\kappa_F`); the answer :math:`x \in \mathbb{C}^n` has SQ access.

    Args:
        A: ``m × n`` matrix with SQ access.
        b: right-hand side, length ``m`` (query access).
        eps: accuracy target for the derived counts.
        delta: failure probability.
        threshold: relative singular-value cut-off :math:`\theta`.
        r: sketch rows.
        c: sketch columns.
        samples: inner-product samples.
        seed: int or ``numpy.random.Generator``.

    Returns:
        :class:`~qtwin.dequantized.transform.SVTResult`.

    Example:
        >>> rng = np.random.default_rng(0)
        >>> A = rng.normal(size=(400, 2)) @ rng.normal(size=(2, 10)); A /= np.linalg.norm(A)
        >>> x0 = np.linalg.pinv(A) @ rng.normal(size=400); b = A @ x0
        >>> x = linear_regression(A, b, r=100, c=300, samples=5000, seed=2).to_numpy()
        >>> bool(np.linalg.norm(A @ x - b) < 0.2 * np.linalg.norm(b))
        True
    """
    return svt(
        A,
        _inverse,
        eps,
        delta,
        b=b,
        parity="odd",
        r=r,
        c=c,
        samples=samples,
        threshold=threshold,
        seed=seed,
    )


def _inverse(s: Any) -> Any:
    with np.errstate(divide="ignore"):
        return 1.0 / np.asarray(s, dtype=float)


@dataclass
class CentroidResult:
    """Nearest-centroid classification: estimated squared distances and the chosen class."""

    label: int
    distances: np.ndarray
    samples: int


def _centroid_distance(A: SQMatrix, x: SQVector, counts: Any, rng: np.random.Generator) -> float:
    m = A.shape[0]
    F2 = A.frobenius_norm() ** 2
    N = counts.total
    i, j = A.sample_entries(N, seed=rng)
    aij = np.asarray(A.query(i, j))
    # <mu, x> = (1/m) sum_ij conj(a_ij) x_j
    z1 = F2 * np.asarray(x.query(j)) / (m * aij)
    # ||mu||^2 = (1/m) sum_ij conj(a_ij) mu_j, mu_j estimated by a_{i'j} with i' uniform
    ip = rng.integers(0, m, size=N)
    z2 = F2 * np.asarray(A.query(ip, j)) / (m * aij)
    cross = median_of_means(z1, counts)
    mu2 = median_of_means(z2, counts)
    return float(np.real(x.norm() ** 2 - 2 * np.real(cross) + mu2))


def nearest_centroid(
    classes: Sequence[MatrixLike],
    x: VectorLike,
    eps: float = 0.05,
    delta: float = 0.05,
    *,
    seed: int | np.random.Generator | None = None,
) -> CentroidResult:
    r"""Classify ``x`` by the nearest class mean :math:`\mu_c = \frac1{m_c}\sum_i a^{(c)}_i`.

    Dequantizes quantum supervised clustering (Lloyd–Mohseni–Rebentrost 2013), classical
    version by Tang (arXiv:1811.00414). With entries :math:`(i, j) \sim |a_{ij}|^2/\|A\|_F^2`
    and :math:`i'` uniform,
    :math:`\langle\mu, x\rangle = \mathbb{E}[\|A\|_F^2 x_j/(m a_{ij})]` and
    :math:`\|\mu\|^2 = \mathbb{E}[\|A\|_F^2 a_{i'j}/(m a_{ij})]`, so
    :math:`\|x - \mu\|^2 = \|x\|^2 - 2\,\mathrm{Re}\langle\mu, x\rangle + \|\mu\|^2` is
    estimated by median of means; the additive error is
    :math:`O(\varepsilon(\|A\|_F\|x\| + \|A\|_F^2)/\sqrt m)`, independent of the dimension.

    Args:
        classes: one matrix per class, training points as rows (:class:`SQMatrix` or arrays).
        x: the query point (:class:`SQVector` or array).
        eps: accuracy per estimate.
        delta: failure probability per estimate.
        seed: int or ``numpy.random.Generator``.

    Returns:
        :class:`CentroidResult` with the estimated squared distances.

    Raises:
        ValueError: for no classes, mismatched dimensions or bad ``eps``/``delta``.

    Example:
        >>> rng = np.random.default_rng(0)
        >>> c0 = rng.normal(size=(500, 5)) + 3; c1 = rng.normal(size=(500, 5)) - 3
        >>> nearest_centroid([c0, c1], np.full(5, -2.5), seed=1).label
        1
    """
    eps, delta = check_eps_delta(eps, delta)
    if len(classes) == 0:
        raise ValueError("classes must hold at least one class matrix")
    mats = [as_sqmatrix(a, f"classes[{k}]") for k, a in enumerate(classes)]
    xv = x if isinstance(x, SQVector) else SQVector(x)
    for k, a in enumerate(mats):
        if a.shape[1] != len(xv):
            raise ValueError(f"classes[{k}] has {a.shape[1]} columns but x has length {len(xv)}")
    rng = as_generator(seed)
    counts = median_of_means_counts(eps, delta)
    d = np.array([_centroid_distance(a, xv, counts, rng) for a in mats])
    return CentroidResult(int(np.argmin(d)), d, counts.total * 2 * len(mats))


def ls_svm(
    X: MatrixLike,
    y: ArrayLike,
    gamma: float = 10.0,
    eps: float = 0.1,
    delta: float = 0.1,
    *,
    r: int | None = 400,
    c: int | None = 400,
    samples: int | None = 20000,
    threshold: float = 1e-3,
    seed: int | np.random.Generator | None = None,
) -> SVTResult:
    r"""Least-squares SVM weights :math:`w = X^\dagger(XX^\dagger + I/\gamma)^{-1}y` (linear).

    Dequantizes the quantum least-squares SVM (Rebentrost–Mohseni–Lloyd 2014); classical
    version by Ding–Bao–Huang (arXiv:1906.08902) and CGLLTW. Equivalently
    :math:`w = (X^\dagger X + I/\gamma)^{-1}X^\dagger y`, the odd SVT of
    :math:`f(\sigma) = \sigma/(\sigma^2 + 1/\gamma)` applied to ``y``; predictions are
    :math:`\mathrm{sign}\langle w, x\rangle`. No bias term: append a constant feature to
    ``X`` for one (it is then regularised too).

    Args:
        X: ``m × n`` training points as rows.
        y: labels ``±1`` (any reals), length ``m``.
        gamma: regularisation :math:`\gamma > 0`.
        eps: accuracy target for the derived counts.
        delta: failure probability.
        r: sketch rows.
        c: sketch columns.
        samples: inner-product samples.
        threshold: drop singular values below ``threshold * ||X||_F``.
        seed: int or ``numpy.random.Generator``.

    Returns:
        :class:`~qtwin.dequantized.transform.SVTResult` for ``w`` (length ``n``).

    Example:
        >>> rng = np.random.default_rng(1)
        >>> X = rng.normal(size=(600, 2)) @ rng.normal(size=(2, 8)); y = np.sign(X[:, 0])
        >>> w = ls_svm(X / np.linalg.norm(X), y, r=100, c=300, samples=5000, seed=3).to_numpy()
        >>> bool(np.mean(np.sign(X @ w) == y) > 0.9)
        True
    """
    gamma = check_nonnegative_float(gamma, "gamma")
    if gamma <= 0:
        raise ValueError(f"gamma must be > 0, got {gamma}")
    inv = 1.0 / gamma
    return svt(
        X,
        lambda s: np.asarray(s) / (np.asarray(s) ** 2 + inv),
        eps,
        delta,
        b=y,
        parity="odd",
        r=r,
        c=c,
        samples=samples,
        threshold=threshold,
        seed=seed,
    )


def hamiltonian_simulation(
    H: MatrixLike,
    b: ArrayLike,
    t: float,
    eps: float = 0.1,
    delta: float = 0.1,
    *,
    r: int | None = 400,
    c: int | None = 400,
    samples: int | None = 20000,
    threshold: float = 1e-3,
    seed: int | np.random.Generator | None = None,
) -> SVTResult:
    r""":math:`e^{iHt}b` for a low-rank Hermitian ``H`` (low-rank Hamiltonian simulation).

    Dequantizes QSVT Hamiltonian simulation (Gilyén–Su–Low–Wiebe 2019) for low-rank
    :math:`H` (CGLLTW). With :math:`H = \sum_l\lambda_lv_lv_l^\dagger` and
    :math:`\sigma_l = |\lambda_l|`:
    :math:`\cos(Ht)` is the even SVT of :math:`\cos(t\sigma)` and :math:`\sin(Ht)` the odd SVT
    of :math:`\sin(t\sigma)` (its :math:`f^{(SV)}(H)^\dagger` carries the signs of the
    :math:`\lambda_l`), so :math:`e^{iHt}b = \cos(Ht)b + i\sin(Ht)b` is a combination of
    rows of ``H`` and ``b`` with SQ access.

    Args:
        H: Hermitian ``n × n`` matrix with SQ access (not checked beyond the shape).
        b: length ``n``.
        t: time.
        eps: accuracy target for the derived counts.
        delta: failure probability.
        r: sketch rows (each of the two SVTs).
        c: sketch columns.
        samples: inner-product samples.
        threshold: odd part: drop :math:`|\lambda| <` ``threshold`` :math:`\|H\|_F`.
        seed: int or ``numpy.random.Generator``.

    Returns:
        :class:`~qtwin.dequantized.transform.SVTResult` (complex entries).

    Example:
        >>> from scipy.linalg import expm
        >>> rng = np.random.default_rng(0)
        >>> V = np.linalg.qr(rng.normal(size=(30, 2)))[0]; H = V @ np.diag([0.8, -0.5]) @ V.T
        >>> b = rng.normal(size=30)
        >>> out = hamiltonian_simulation(H, b, 1.0, r=100, c=300, samples=5000, seed=1)
        >>> bool(np.linalg.norm(out.to_numpy() - expm(1j * H) @ b) < 0.1 * np.linalg.norm(b))
        True
    """
    Hs = as_sqmatrix(H, "H")
    if Hs.shape[0] != Hs.shape[1]:
        raise ValueError(f"H must be square, got shape {Hs.shape}")
    check_finite(t, "t")
    t = float(t)
    rng = as_generator(seed)
    bv = b if isinstance(b, SQVector) else SQVector(b)
    even = svt(
        Hs,
        lambda s: np.cos(t * np.asarray(s)),
        eps,
        delta,
        b=bv,
        parity="even",
        r=r,
        c=c,
        samples=samples,
        seed=rng,
    )
    odd = svt(
        Hs,
        lambda s: np.sin(t * np.asarray(s)),
        eps,
        delta,
        b=bv,
        parity="odd",
        r=r,
        c=c,
        samples=samples,
        threshold=threshold,
        seed=rng,
    )
    ske, sko = even.operator.sketch, odd.operator.sketch
    rows = np.concatenate([ske.rows, sko.rows])
    coeffs = np.concatenate(
        [even.coefficients * ske.row_scale, 1j * odd.coefficients * sko.row_scale]
    )
    vec = LinearCombination(Hs, rows, coeffs, vectors=[bv], vector_coeffs=[1.0], conjugate=True)
    cost = SVTCost(
        even.cost.rows + odd.cost.rows,
        even.cost.cols + odd.cost.cols,
        even.cost.inner_samples + odd.cost.inner_samples,
        even.cost.queries + odd.cost.queries,
    )
    return SVTResult(vec, coeffs, even.operator, cost)


def discriminant_analysis(
    X: MatrixLike,
    labels: ArrayLike,
    eps: float = 0.1,
    delta: float = 0.1,
    *,
    threshold: float = 0.05,
    r: int | None = 400,
    c: int | None = 400,
    samples: int | None = 20000,
    seed: int | np.random.Generator | None = None,
) -> SVTResult:
    r"""Fisher discriminant direction :math:`w \propto S_T^{+}(\mu_1 - \mu_0)` for two classes.

    Dequantizes quantum Fisher linear discriminant analysis (Cong–Duan 2016), as in CGLLTW.
    For centred data ``X`` (rows; centre them first) the total scatter is
    :math:`S_T = X^\dagger X` and :math:`\mu_1 - \mu_0 = X^\dagger d` with
    :math:`d_i = 1/m_1` on class 1 and :math:`-1/m_0` on class 0, so
    :math:`S_T^+(\mu_1-\mu_0) = (X^\dagger X)^+X^\dagger d = X^+d`: the odd SVT
    :math:`f(\sigma) = 1/\sigma` applied to ``d`` (the same direction as
    :math:`S_W^{-1}(\mu_1 - \mu_0)` since
    :math:`S_T = S_W + \frac{m_0m_1}{m}\Delta\mu\Delta\mu^\dagger`).

    Args:
        X: ``m × n`` centred data, one point per row.
        labels: ``m`` labels in ``{0, 1}`` (both present).
        eps: accuracy target for the derived counts.
        delta: failure probability.
        threshold: relative singular-value cut-off of the pseudo-inverse.
        r: sketch rows.
        c: sketch columns.
        samples: inner-product samples.
        seed: int or ``numpy.random.Generator``.

    Returns:
        :class:`~qtwin.dequantized.transform.SVTResult` for ``w`` (length ``n``).

    Raises:
        ValueError: for labels not in {0, 1}, a missing class or a length mismatch.

    Example:
        >>> rng = np.random.default_rng(0)
        >>> lab = rng.integers(0, 2, 800)
        >>> noise = rng.normal(size=(800, 2)) @ rng.normal(size=(2, 4)) * 0.3
        >>> X = np.outer(2 * lab - 1, [1.0, 1.0, 0, 0]) + noise
        >>> X -= X.mean(axis=0)
        >>> Xn = X / np.linalg.norm(X)
        >>> w = discriminant_analysis(Xn, lab, r=100, c=300, samples=5000, seed=0).to_numpy()
        >>> bool(np.mean((X @ w > 0) == lab) > 0.9)
        True
    """
    lab = np.asarray(labels).ravel()
    As = as_sqmatrix(X, "X")
    if len(lab) != As.shape[0]:
        raise ValueError(f"labels must have length {As.shape[0]}, got {len(lab)}")
    if not np.all(np.isin(lab, (0, 1))):
        raise ValueError("labels must be 0 or 1")
    m1 = int(np.sum(lab == 1))
    m0 = len(lab) - m1
    if m0 == 0 or m1 == 0:
        raise ValueError("both classes (0 and 1) must be present in labels")
    d = np.where(lab == 1, 1.0 / m1, -1.0 / m0)
    return linear_regression(
        As, d, eps, delta, threshold=threshold, r=r, c=c, samples=samples, seed=seed
    )
