r"""Quantum fast weight programmer (QFWP; S. Y.-C. Chen, arXiv:2402.17760).

A classical **slow programmer** reads the input :math:`x_t` at every step and emits an
additive update of the parameters of a variational circuit, the **fast programmer**:

.. math::

    e_t = E x_t + e_0, \qquad \Delta W_t = \ell(e_t)\, q(e_t)^\top \in \mathbb R^{L\times n},
    \qquad W_t = W_{t-1} + \Delta W_t,\quad W_0 = 0,

with linear heads :math:`\ell: \mathbb R^{8} \to \mathbb R^L` (one value per layer) and
:math:`q: \mathbb R^{8} \to \mathbb R^n` (one per qubit), as in the authors' code. The fast
programmer is the block circuit of :mod:`.variational` with Hadamards, the encoding
:math:`R_Y(x_{t,i})` on the first ``input_size`` qubits, then ``L`` layers of "brick" CNOTs and
:math:`R_Y(W_t[l, i])`; the outputs are :math:`\langle Z_i\rangle` on the first
``num_readout`` qubits followed by a linear layer. The prediction for a window is the output of
its last step.

The circuit has no quantum recurrence: memory lives only in the classical fast weights
:math:`W_t = \sum_{s \le t} \Delta W_s`. So the circuits of all time steps are independent,
and the model runs them as **one batch** (``B·T`` states) after a cumulative sum over time; when
only the last step is needed (training on windows) it runs only the last step's circuit, which
gives the same loss and gradients as the authors' step-by-step loop.

Example:
    >>> import torch
    >>> model = QFWP(seed=0)
    >>> x = torch.zeros(3, 4, 1)
    >>> model(x).shape
    torch.Size([3, 1])
    >>> out, w = model(x, all_steps=True, return_fast_weights=True)
    >>> out.shape, w.shape   # (B, T, out), (B, T, L, n)
    (torch.Size([3, 4, 1]), torch.Size([3, 4, 2, 8]))
"""

from __future__ import annotations

import numpy as np
import torch
from numpy.typing import ArrayLike

from qtwin._validation import check_positive_int
from qtwin.qml._random import linear, torch_generator
from qtwin.qml.sequences.variational import check_inputs, vqc_expectations

__all__ = ["QFWP"]


class QFWP(torch.nn.Module):
    r"""Quantum fast weight programmer; see the module docstring.

    Args:
        input_size: input width per step (``s_dim``); at most ``num_qubits``.
        num_qubits: qubits of the fast circuit (authors: 8).
        num_layers: layers ``L`` of the fast circuit (authors: 2).
        num_readout: qubits read out (authors: 4).
        output_size: width of the prediction.
        hidden_size: width of the slow programmer's encoding (authors: 8).
        seed: seed (or numpy generator) of the classical layers' initialisation (torch's
            default distributions, drawn from a local generator: the global torch random
            state is left alone); ``None`` draws fresh entropy.
        dtype: dtype of the simulation; the fast circuit (H, RY, CNOT) is real, so the default
            ``torch.float64`` is exact; complex dtypes give the same numbers.

    Example:
        >>> m = QFWP(seed=0)
        >>> sum(p.numel() for p in m.parameters())  # slow programmer + readout only
        111
    """

    def __init__(
        self,
        input_size: int = 1,
        *,
        num_qubits: int = 8,
        num_layers: int = 2,
        num_readout: int = 4,
        output_size: int = 1,
        hidden_size: int = 8,
        seed: int | np.random.Generator | None = None,
        dtype: torch.dtype = torch.float64,
    ) -> None:
        super().__init__()
        self.input_size = check_positive_int(input_size, "input_size")
        self.num_qubits = check_positive_int(num_qubits, "num_qubits")
        self.num_layers = check_positive_int(num_layers, "num_layers")
        self.num_readout = check_positive_int(num_readout, "num_readout")
        self.output_size = check_positive_int(output_size, "output_size")
        hidden = check_positive_int(hidden_size, "hidden_size")
        if self.input_size > self.num_qubits or self.num_readout > self.num_qubits:
            raise ValueError(
                f"input_size ({input_size}) and num_readout ({num_readout}) must be "
                f"<= num_qubits ({num_qubits})"
            )
        allowed = (torch.float64, torch.float32, torch.complex128, torch.complex64)
        if dtype not in allowed:
            raise ValueError(f"dtype must be one of {list(allowed)}, got {dtype}")
        self.dtype = dtype
        gen = torch_generator(seed)
        f64 = torch.float64
        self.encoder = linear(self.input_size, hidden, gen, dtype=f64)
        self.layer_head = linear(hidden, self.num_layers, gen, dtype=f64)
        self.qubit_head = linear(hidden, self.num_qubits, gen, dtype=f64)
        self.readout = linear(self.num_readout, self.output_size, gen, dtype=f64)

    @property
    def num_features(self) -> int:
        """Width of the quantum features fed to the readout."""
        return self.num_readout

    def delta(self, x_t: torch.Tensor) -> torch.Tensor:
        r"""The slow programmer's update :math:`\Delta W_t`, shape ``(..., L, n)``."""
        e = self.encoder(x_t.to(torch.float64))
        return self.layer_head(e)[..., :, None] * self.qubit_head(e)[..., None, :]

    def circuit_features(self, x_t: torch.Tensor, fast_weights: torch.Tensor) -> torch.Tensor:
        r"""Fast-circuit outputs :math:`\langle Z_i\rangle`, ``(B, num_readout)``, for inputs
        ``(B, input_size)`` and per-sample fast weights ``(B, L, n)``."""
        return vqc_expectations(
            x_t.to(torch.float64),
            fast_weights,
            num_outputs=self.num_readout,
            encoding="ry",
            entangler="brick",
            rotation="ry",
            num_qubits=self.num_qubits,
            dtype=self.dtype,
        )

    def init_state(self, batch: int) -> torch.Tensor:
        """:math:`W_0 = 0` for ``batch`` sequences, shape ``(B, L, n)``."""
        return torch.zeros(batch, self.num_layers, self.num_qubits, dtype=torch.float64)

    def step(self, x_t: torch.Tensor, state: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """One step: ``W_t = W_{t-1} + ΔW_t``; returns features ``(B, num_readout)`` and ``W_t``."""
        w = state + self.delta(x_t)
        return self.circuit_features(x_t, w), w

    def fast_weights(self, x: ArrayLike | torch.Tensor) -> torch.Tensor:
        r""":math:`W_t` for every step, shape ``(B, T, L, n)`` (cumulative sum of the updates)."""
        x = check_inputs(x, self.input_size)
        return torch.cumsum(self.delta(x), dim=1)

    def features(self, x: ArrayLike | torch.Tensor, *, all_steps: bool = False) -> torch.Tensor:
        """Quantum features of the last step ``(B, k)``, or of every step ``(B, T, k)``."""
        x = check_inputs(x, self.input_size)
        w = torch.cumsum(self.delta(x), dim=1)
        b, t = x.shape[:2]
        if not all_steps:
            return self.circuit_features(x[:, -1], w[:, -1])
        flat = self.circuit_features(x.reshape(b * t, -1), w.reshape(b * t, *w.shape[2:]))
        return flat.reshape(b, t, -1)

    def forward(
        self,
        x: ArrayLike | torch.Tensor,
        *,
        all_steps: bool = False,
        return_fast_weights: bool = False,
    ) -> torch.Tensor | tuple[torch.Tensor, torch.Tensor]:
        """Prediction of the last step ``(B, out)`` (or every step ``(B, T, out)``).

        With ``return_fast_weights=True`` also returns :math:`W_t`, ``(B, T, L, n)``.
        """
        x = check_inputs(x, self.input_size)
        out = self.readout(self.features(x, all_steps=all_steps))
        if return_fast_weights:
            return out, self.fast_weights(x)
        return out
