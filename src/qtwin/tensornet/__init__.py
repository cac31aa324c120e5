"""qtwin's shared simulator: matrix product states and a batched dense statevector, on torch.

Both run on CPU or CUDA and are differentiable through autograd: :class:`MPS` for wide,
weakly entangled states and qudits; :class:`Statevector` for small systems run on a batch of
inputs or parameter sets at once.
"""

from qtwin.tensornet.mps import MPS
from qtwin.tensornet.statevector import Statevector

__all__ = ["MPS", "Statevector"]
