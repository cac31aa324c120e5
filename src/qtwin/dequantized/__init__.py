r"""Quantum-inspired ("dequantized") linear algebra by ℓ²-norm sampling, beside quantum QSVT.

Implements the sampling-based sublinear low-rank matrix arithmetic of Chia, Gilyén, Li,
Lin, Tang and Wang (arXiv:1910.06151): sampling-and-query (SQ) access to vectors and
matrices (:class:`SQVector`, :class:`SQMatrix`, oversampled access and linear
combinations), the primitives built on it (approximate matrix products, the FKV sketch,
median-of-means inner products, low-rank approximation), the singular value
transformation :func:`svt` whose cost does not depend on the dimensions, the quantum
machine-learning applications it dequantizes, and the quantum QSVT circuit for the same
polynomial (PennyLane) so that :func:`compare` can put exact, dequantized and quantum
answers side by side.

Example:
    >>> import numpy as np
    >>> from qtwin.dequantized import SQMatrix
    >>> A = SQMatrix(np.array([[3.0, 4.0], [0.0, 5.0]]))
    >>> round(A.frobenius_norm() ** 2, 6)
    50.0
"""

from __future__ import annotations

from qtwin.dequantized.applications import (
    discriminant_analysis,
    hamiltonian_simulation,
    linear_regression,
    ls_svm,
    nearest_centroid,
    pca,
)
from qtwin.dequantized.comparison import ComparisonResult, SVTProblem, compare
from qtwin.dequantized.estimation import MeanSamples, inner_product, median_of_means_counts
from qtwin.dequantized.matrix import SQMatrix
from qtwin.dequantized.outer import OuterProduct
from qtwin.dequantized.oversampled import LinearCombination, OversampledVector, RejectionStats
from qtwin.dequantized.products import AMPResult, amp_sample_count, approx_matrix_product
from qtwin.dequantized.quantum import (
    QSVTCircuit,
    QSVTResult,
    poly_approximation,
    qsvt_angles,
    qsvt_apply,
    qsvt_circuit,
)
from qtwin.dequantized.recommendation import Recommendation, recommend
from qtwin.dequantized.sharded import ShardedSQMatrix
from qtwin.dequantized.sketch import (
    LowRankApproximation,
    Sketch,
    fkv_sketch,
    low_rank_approximation,
    sketch_sample_counts,
)
from qtwin.dequantized.transform import SVTCost, SVTOperator, SVTResult, svt
from qtwin.dequantized.types import MatrixLike, QueryAccess, SQAccess, VectorLike
from qtwin.dequantized.vector import SQVector

__all__ = [
    "AMPResult",
    "ComparisonResult",
    "LinearCombination",
    "LowRankApproximation",
    "MatrixLike",
    "MeanSamples",
    "OuterProduct",
    "OversampledVector",
    "QSVTCircuit",
    "QueryAccess",
    "QSVTResult",
    "Recommendation",
    "RejectionStats",
    "SQAccess",
    "SQMatrix",
    "SQVector",
    "SVTCost",
    "SVTOperator",
    "SVTProblem",
    "SVTResult",
    "ShardedSQMatrix",
    "VectorLike",
    "Sketch",
    "amp_sample_count",
    "approx_matrix_product",
    "compare",
    "discriminant_analysis",
    "fkv_sketch",
    "hamiltonian_simulation",
    "inner_product",
    "linear_regression",
    "low_rank_approximation",
    "ls_svm",
    "median_of_means_counts",
    "nearest_centroid",
    "pca",
    "poly_approximation",
    "qsvt_angles",
    "qsvt_apply",
    "qsvt_circuit",
    "recommend",
    "sketch_sample_counts",
    "svt",
]
