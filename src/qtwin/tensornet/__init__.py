"""qtwin's shared simulator: matrix product states and a batched dense statevector, on torch.

Both run on CPU or CUDA and are differentiable through autograd. See :class:`MPS` and
:class:`Statevector`.
"""

from qtwin.tensornet.mps import MPS

__all__ = ["MPS"]
