"""Types of the public arguments of :mod:`qtwin.dequantized`.

* :data:`MatrixLike`: what every algorithm accepts as a matrix: an
  :class:`~qtwin.dequantized.SQMatrix` (its sampling trees are reused), or a numpy array /
  scipy sparse matrix (wrapped in an ``SQMatrix``, one pass over the data);
* :data:`VectorLike`: an :class:`~qtwin.dequantized.SQVector` or a 1-D array;
* :class:`SQAccess`: the protocol of sampling-and-query access to a vector (``SQVector``,
  ``OversampledVector``, ``LinearCombination``, the output of ``svt``...);
* :class:`QueryAccess`: query access only.

Example:
    >>> import numpy as np
    >>> from qtwin.dequantized import SQVector
    >>> isinstance(SQVector(np.ones(3)), SQAccess), isinstance(np.ones(3), SQAccess)
    (True, False)
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Protocol, TypeAlias, runtime_checkable

from numpy.typing import ArrayLike

if TYPE_CHECKING:
    import numpy as np
    import scipy.sparse

    from qtwin.dequantized.matrix import SQMatrix
    from qtwin.dequantized.vector import SQVector

__all__ = ["MatrixLike", "VectorLike", "SQAccess", "QueryAccess"]

#: An :class:`~qtwin.dequantized.SQMatrix`, or a dense / scipy sparse matrix to wrap in one.
MatrixLike: TypeAlias = "SQMatrix | ArrayLike | scipy.sparse.sparray | scipy.sparse.spmatrix"
#: An :class:`~qtwin.dequantized.SQVector`, or a 1-D array to wrap in one.
VectorLike: TypeAlias = "SQVector | ArrayLike"


@runtime_checkable
class QueryAccess(Protocol):
    """Query access to a vector: its length and its entries."""

    def __len__(self) -> int: ...

    def query(self, index: ArrayLike) -> Any: ...


@runtime_checkable
class SQAccess(QueryAccess, Protocol):
    r"""Sampling-and-query access: entries, the norm, and samples :math:`i \sim |v_i|^2/\|v\|^2`."""

    def norm(self) -> float: ...

    def sample(
        self, size: int | None = None, *, seed: int | np.random.Generator | None = None
    ) -> Any: ...
