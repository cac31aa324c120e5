r"""Classical baselines on the same windows: torch RNN/LSTM/GRU and an echo state network.

* :class:`ClassicalRNN` — ``torch.nn.RNN``/``LSTM``/``GRU`` (one layer, ``hidden_size``
  units, zero initial state) and a linear readout of the last step, fully trained.
* :class:`EchoStateNetwork` — a classical reservoir from ``reservoirpy`` (extra ``[qml]``):
  leaky-tanh units :math:`r_t = (1-a) r_{t-1} + a \tanh(W r_{t-1} + W_{in} x_t)` with fixed
  random :math:`W` (spectral radius ``sr``) and :math:`W_{in}` (both dense: reservoirpy's
  default connectivity 0.1 would leave a 4-unit reservoir without inputs), reset to zero for every
  window; the readout is trained in closed form by ridge regression on the last state
  (:func:`qtwin.qml.ridge_readout`). ``units`` defaults to 4, the readout size of
  the quantum models, so the trained readouts are the same size.

Example:
    >>> import torch
    >>> ClassicalRNN("lstm", hidden_size=4, seed=0)(torch.zeros(2, 4, 1)).shape
    torch.Size([2, 1])
"""

from __future__ import annotations

from typing import Any

import numpy as np
import torch
from numpy.typing import ArrayLike

from qtwin._extras import require_module
from qtwin._validation import (
    check_choice,
    check_nonnegative_float,
    check_positive_int,
)
from qtwin.qml._random import linear, recurrent, torch_generator
from qtwin.qml.sequences.recurrent import ridge_readout
from qtwin.qml.sequences.variational import check_inputs

__all__ = ["ClassicalRNN", "EchoStateNetwork"]


class ClassicalRNN(torch.nn.Module):
    """A torch ``rnn``/``lstm``/``gru`` layer and a linear readout of the last step.

    ``seed`` (an int, a numpy generator or ``None`` for fresh entropy) seeds torch's default
    initialisation through a local generator; the global torch random state is left alone.

    Example:
        >>> m = ClassicalRNN("rnn", hidden_size=3, seed=0)
        >>> sum(p.numel() for p in m.parameters())
        22
    """

    def __init__(
        self,
        kind: str = "lstm",
        *,
        input_size: int = 1,
        hidden_size: int = 4,
        output_size: int = 1,
        seed: int | np.random.Generator | None = None,
    ) -> None:
        super().__init__()
        self.kind = check_choice(kind, "kind", ("rnn", "lstm", "gru"))
        self.input_size = check_positive_int(input_size, "input_size")
        hidden = check_positive_int(hidden_size, "hidden_size")
        gen = torch_generator(seed)
        cls = {"rnn": torch.nn.RNN, "lstm": torch.nn.LSTM, "gru": torch.nn.GRU}[self.kind]
        self.rnn = recurrent(cls, self.input_size, hidden, gen, dtype=torch.float64)
        out = check_positive_int(output_size, "output_size")
        self.readout = linear(hidden, out, gen, dtype=torch.float64)

    def forward(self, x: ArrayLike | torch.Tensor) -> torch.Tensor:
        """Prediction ``(B, out)`` from the last step of ``x`` ``(B, T, input_size)``."""
        x = check_inputs(x, self.input_size).to(torch.float64)
        out, _ = self.rnn(x)
        return self.readout(out[:, -1])


class EchoStateNetwork:
    """reservoirpy echo state network with a closed-form ridge readout; see the module.

    Args:
        units: reservoir size (= readout width; default 4 like the quantum models).
        sr: spectral radius of the recurrent matrix.
        lr: leak rate ``a``.
        input_scaling: scale of the input weights.
        alpha: ridge penalty of the readout.
        seed: seed of the random reservoir.

    Example:
        >>> import numpy as np
        >>> x = np.linspace(-1, 1, 40).reshape(10, 4, 1)
        >>> esn = EchoStateNetwork(units=4, seed=0).fit(x, x[:, -1])
        >>> esn.predict(x).shape
        (10, 1)
    """

    def __init__(
        self,
        units: int = 4,
        *,
        sr: float = 0.9,
        lr: float = 1.0,
        input_scaling: float = 1.0,
        alpha: float = 1e-6,
        seed: int | None = 0,
    ) -> None:
        rpy = require_module("reservoirpy", extra="qml", purpose="the echo state network")
        self.units = check_positive_int(units, "units")
        self.alpha = check_nonnegative_float(alpha, "alpha")
        self._reservoir = rpy.nodes.Reservoir(
            self.units,
            sr=sr,
            lr=lr,
            input_scaling=input_scaling,
            input_connectivity=1.0,  # reservoirpy's 0.1 leaves a 4-unit reservoir unconnected
            rc_connectivity=1.0,
            seed=seed,
        )
        self.weight: np.ndarray | None = None
        self.bias: np.ndarray | None = None

    def states(self, x: ArrayLike | torch.Tensor) -> np.ndarray:
        """Last reservoir state of every window (state reset per window), ``(N, units)``."""
        xs = check_inputs(x, self._width(x)).numpy()
        if self._reservoir.initialized:
            self._reservoir.reset()  # every window starts from the zero state
        return np.asarray(self._reservoir.run(xs))[:, -1]

    @staticmethod
    def _width(x: Any) -> int:
        return int(np.shape(x)[-1]) if np.ndim(x) == 3 else 1

    def fit(self, x: ArrayLike | torch.Tensor, y: ArrayLike | torch.Tensor) -> EchoStateNetwork:
        """Ridge readout on the last states of windows ``x`` ``(N, T, m)``; returns ``self``."""
        phi = torch.as_tensor(self.states(x))
        a, b = ridge_readout(phi, torch.as_tensor(np.asarray(y, dtype=float)), self.alpha)
        self.weight, self.bias = a.numpy(), b.numpy()
        return self

    def predict(self, x: ArrayLike | torch.Tensor) -> np.ndarray:
        """Predictions ``(N, out)``."""
        if self.weight is None or self.bias is None:
            raise ValueError("call fit() before predict()")
        return self.states(x) @ self.weight.T + self.bias
