r"""Quantum recurrent networks (QRNN, QLSTM, QGRU) from VQC blocks; trained or as reservoirs.

Each cell reads :math:`v_t = [x_t, h_{t-1}]` (input width ``m`` plus hidden width ``h``,
one value per qubit, so ``n = m + h`` qubits) into block circuits
:math:`\mathrm{VQC}(v) \in [-1, 1]^h` of :mod:`~qtwin.qml.sequences.variational` (Chen's block:
``arctan`` encoding, ``ring2`` CNOTs, ``Rot`` layers, :math:`\langle Z\rangle` readout):

* **QLSTM** (Chen et al., arXiv:2009.01783):
  :math:`f = \sigma(\mathrm{VQC}_1 v)`, :math:`i = \sigma(\mathrm{VQC}_2 v)`,
  :math:`g = \tanh(\mathrm{VQC}_3 v)`, :math:`o = \sigma(\mathrm{VQC}_4 v)`,
  :math:`c_t = f \odot c_{t-1} + i \odot g`,
  :math:`h_t = \mathrm{VQC}_5(o \odot \tanh c_t)`;
* **QRNN**: :math:`h_t = \mathrm{VQC}_h(v_t)`;
* **QGRU**: :math:`r = \sigma(\mathrm{VQC}_r v)`, :math:`z = \sigma(\mathrm{VQC}_z v)`,
  :math:`\tilde h = \tanh \mathrm{VQC}_n([x_t, r \odot h_{t-1}])`,
  :math:`h_t = (1 - z)\odot\tilde h + z \odot h_{t-1}`;

and every cell emits the features :math:`\phi_t = \mathrm{VQC}_{\rm out}(h_t) \in [-1,1]^n`
(all ``n`` qubits read out). The prediction for a window is the linear readout
:math:`\hat y = A \phi_T + b` of the last step. The gates of one cell that share an input
(QLSTM's four, QGRU's two) run as one stacked batch, and each circuit's variational part is
multiplied into one matrix once per sequence (:func:`~.variational.cached_unitaries`)
and reused at every time step.

**Reservoir mode** (Chen, Fry et al., arXiv:2211.02612): the quantum weights are drawn at
random and frozen (``requires_grad = False``); only :math:`(A, b)` is trained, by gradient
descent or in closed form by ridge regression (:meth:`QuantumRecurrentNet.fit_readout`):

.. math::

    [A\; b] = Y^\top \Phi_1 (\Phi_1^\top \Phi_1 + \alpha D)^{-1}, \qquad
    \Phi_1 = [\Phi\; \mathbf 1],\ D = \mathrm{diag}(1, \dots, 1, 0)

(the bias is not penalised). The random angles are **the documented choice**
``init="uniform", scale=π`` by default in reservoir mode (angles uniform on
:math:`[0, \pi)`): Chen's ``0.01·randn`` (the default when trained) leaves the reservoir
almost the identity, and on damped SHM (ridge readout, 2 seeds) uniform on :math:`[0, \pi)`
and :math:`\mathcal N(0, 0.3^2)` gave the lowest test MSE (about 0.010, against 0.016 for
``0.01·randn`` and 0.019 for PennyLane's uniform :math:`[0, 2\pi)`); :func:`reservoir_sweep`
reruns that comparison.

Example:
    >>> import torch
    >>> model = QRNNReservoir("qlstm", seed=0)
    >>> [n for n, p in model.named_parameters() if p.requires_grad]
    ['readout.weight', 'readout.bias']
    >>> model(torch.zeros(2, 4, 1)).shape
    torch.Size([2, 1])
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import torch
from numpy.typing import ArrayLike

from qtwin._validation import (
    as_generator,
    check_choice,
    check_nonnegative_float,
    check_positive_int,
)
from qtwin.qml._random import linear, torch_generator
from qtwin.qml._results import DictLikeResult
from qtwin.qml.sequences.variational import VQC, cached_unitaries, check_inputs

__all__ = [
    "CELLS",
    "QuantumRecurrentNet",
    "QRNN",
    "QLSTM",
    "QGRU",
    "QRNNReservoir",
    "ridge_readout",
    "reservoir_sweep",
    "ReservoirSweepRow",
]

CELLS = ("qrnn", "qlstm", "qgru")
_NUM_GATES = {"qrnn": 1, "qlstm": 4, "qgru": 2}


def ridge_readout(
    features: torch.Tensor, targets: torch.Tensor, alpha: float = 1e-6
) -> tuple[torch.Tensor, torch.Tensor]:
    r"""Closed-form ridge regression with an unpenalised bias; returns ``(A, b)``.

    Args:
        features: :math:`\Phi`, shape ``(N, F)``.
        targets: :math:`Y`, shape ``(N, O)`` or ``(N,)``.
        alpha: ridge penalty :math:`\alpha \ge 0`.

    Returns:
        ``A`` of shape ``(O, F)`` and ``b`` of shape ``(O,)`` minimising
        :math:`\|\Phi A^\top + b - Y\|^2 + \alpha \|A\|^2`.

    Example:
        >>> import torch
        >>> phi = torch.tensor([[0.0], [1.0], [2.0]], dtype=torch.float64)
        >>> a, b = ridge_readout(phi, 3 * phi + 1, alpha=0.0)
        >>> round(a.item(), 9), round(b.item(), 9)
        (3.0, 1.0)
    """
    alpha = check_nonnegative_float(alpha, "alpha")
    phi = features.detach().to(torch.float64)
    y = targets.detach().to(torch.float64).reshape(phi.shape[0], -1)
    a1 = torch.cat([phi, torch.ones(phi.shape[0], 1, dtype=phi.dtype)], dim=1)
    pen = torch.eye(a1.shape[1], dtype=phi.dtype) * alpha
    pen[-1, -1] = 0
    sol = torch.linalg.lstsq(a1.T @ a1 + pen, a1.T @ y).solution  # (F+1, O)
    return sol[:-1].T.contiguous(), sol[-1].contiguous()


class QuantumRecurrentNet(torch.nn.Module):
    r"""A QRNN, QLSTM or QGRU network with a linear readout; see the module docstring.

    Args:
        cell: ``"qrnn"``, ``"qlstm"`` or ``"qgru"``.
        input_size: input width ``m`` per time step.
        hidden_size: hidden width ``h`` (``n = m + h`` qubits per block).
        num_layers: entangling + rotation layers per block.
        output_size: width of the prediction.
        reservoir: freeze the quantum weights (only the readout trains).
        init: ``"normal"`` or ``"uniform"`` angle distribution (default: ``"normal"`` when
            trained, ``"uniform"`` in reservoir mode).
        scale: its standard deviation / width (default 0.01 when trained, :math:`\pi` in
            reservoir mode).
        seed: seed (or numpy generator) of the quantum angles and the readout initialisation
            (a local generator: the global torch random state is left alone); ``None`` draws
            fresh entropy.
        dtype: complex dtype of the simulation.

    Example:
        >>> import torch
        >>> net = QLSTM(seed=0)
        >>> sum(p.numel() for p in net.parameters() if p.requires_grad)
        149
    """

    def __init__(
        self,
        cell: str = "qlstm",
        *,
        input_size: int = 1,
        hidden_size: int = 3,
        num_layers: int = 2,
        output_size: int = 1,
        reservoir: bool = False,
        init: str | None = None,
        scale: float | None = None,
        seed: int | np.random.Generator | None = None,
        dtype: torch.dtype = torch.complex128,
    ) -> None:
        super().__init__()
        self.cell = check_choice(cell, "cell", CELLS)
        self.input_size = check_positive_int(input_size, "input_size")
        self.hidden_size = check_positive_int(hidden_size, "hidden_size")
        self.num_layers = check_positive_int(num_layers, "num_layers")
        self.output_size = check_positive_int(output_size, "output_size")
        self.reservoir = bool(reservoir)
        self.init = init or ("uniform" if reservoir else "normal")
        self.scale = check_nonnegative_float(
            scale if scale is not None else (math.pi if reservoir else 0.01), "scale"
        )
        rng = as_generator(seed)
        n = self.num_qubits = self.input_size + self.hidden_size
        common = dict(num_layers=self.num_layers, init=self.init, scale=self.scale, dtype=dtype)
        self.gates = VQC(
            n,
            num_inputs=n,
            num_outputs=self.hidden_size,
            num_circuits=_NUM_GATES[self.cell],
            seed=rng,
            **common,
        )
        if self.cell == "qlstm":  # VQC_5: o * tanh(c) -> h
            self.hidden_map = VQC(
                n, num_inputs=self.hidden_size, num_outputs=self.hidden_size, seed=rng, **common
            )
        if self.cell == "qgru":  # candidate state
            self.candidate = VQC(n, num_inputs=n, num_outputs=self.hidden_size, seed=rng, **common)
        self.out_map = VQC(n, num_inputs=self.hidden_size, num_outputs=n, seed=rng, **common)
        self.readout = linear(n, self.output_size, torch_generator(rng), dtype=torch.float64)
        if self.reservoir:
            for name, p in self.named_parameters():
                if not name.startswith("readout."):
                    p.requires_grad_(False)

    @property
    def num_features(self) -> int:
        """Width of the features fed to the readout (all ``n`` qubits)."""
        return self.num_qubits

    def init_state(self, batch: int) -> tuple[torch.Tensor, torch.Tensor]:
        """Zero hidden (and cell) state for ``batch`` sequences."""
        z = torch.zeros(batch, self.hidden_size, dtype=torch.float64)
        return z, z.clone()

    def step(
        self, x_t: torch.Tensor, state: tuple[torch.Tensor, torch.Tensor]
    ) -> tuple[torch.Tensor, tuple[torch.Tensor, torch.Tensor]]:
        """One time step: ``x_t`` of shape ``(B, m)`` → features ``(B, n)`` and the new state."""
        h, c = state
        v = torch.cat([x_t.to(torch.float64), h], dim=1)
        g = self.gates(v)  # (B, C, h)
        if self.cell == "qlstm":
            f, i, o = torch.sigmoid(g[:, 0]), torch.sigmoid(g[:, 1]), torch.sigmoid(g[:, 3])
            c = f * c + i * torch.tanh(g[:, 2])
            h = self.hidden_map(o * torch.tanh(c))
        elif self.cell == "qrnn":
            h = g[:, 0]
        else:
            r, z = torch.sigmoid(g[:, 0]), torch.sigmoid(g[:, 1])
            cand = torch.tanh(self.candidate(torch.cat([x_t.to(torch.float64), r * h], dim=1)))
            h = (1 - z) * cand + z * h
        return self.out_map(h), (h, c)

    def features(self, x: ArrayLike | torch.Tensor) -> torch.Tensor:
        """Features of the last time step, shape ``(B, n)``; ``x`` is ``(B, T, m)``."""
        x = check_inputs(x, self.input_size)
        state = self.init_state(x.shape[0])
        phi = None
        with cached_unitaries(self):  # the circuits' matrices are the same at every step
            for t in range(x.shape[1]):
                phi, state = self.step(x[:, t], state)
        assert phi is not None
        return phi

    def forward(self, x: ArrayLike | torch.Tensor) -> torch.Tensor:
        """Prediction ``(B, output_size)`` from the last time step of ``x`` ``(B, T, m)``."""
        return self.readout(self.features(x))

    @torch.no_grad()
    def fit_readout(
        self, x: ArrayLike | torch.Tensor, y: ArrayLike | torch.Tensor, alpha: float = 1e-6
    ) -> QuantumRecurrentNet:
        """Set the readout to the closed-form ridge solution on windows ``x``, targets ``y``."""
        a, b = ridge_readout(self.features(x), torch.as_tensor(np.asarray(y, dtype=float)), alpha)
        self.readout.weight.copy_(a)
        self.readout.bias.copy_(b)
        return self


class QRNN(QuantumRecurrentNet):
    """The QRNN network (``cell="qrnn"``); arguments of :class:`QuantumRecurrentNet`."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__("qrnn", **kwargs)


class QLSTM(QuantumRecurrentNet):
    """The QLSTM network (``cell="qlstm"``); arguments of :class:`QuantumRecurrentNet`."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__("qlstm", **kwargs)


class QGRU(QuantumRecurrentNet):
    """The QGRU network (``cell="qgru"``); arguments of :class:`QuantumRecurrentNet`."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__("qgru", **kwargs)


class QRNNReservoir(QuantumRecurrentNet):
    """A quantum recurrent network in reservoir mode: random frozen circuits, trained readout.

    Example:
        >>> m = QRNNReservoir("qgru", seed=1)
        >>> m.init, round(m.scale, 4)
        ('uniform', 3.1416)
    """

    def __init__(self, cell: str = "qlstm", **kwargs: Any) -> None:
        kwargs.setdefault("reservoir", True)
        if not kwargs["reservoir"]:
            raise ValueError("QRNNReservoir needs reservoir=True; use QuantumRecurrentNet")
        super().__init__(cell, **kwargs)


@dataclass
class ReservoirSweepRow(DictLikeResult):
    """One angle distribution of :func:`reservoir_sweep` (also readable as a dict).

    Attributes:
        init: ``"normal"`` or ``"uniform"``.
        scale: its standard deviation / width.
        test_mse: mean test MSE over the seeds.
        test_mse_per_seed: the test MSE of each seed.
    """

    init: str
    scale: float
    test_mse: float
    test_mse_per_seed: list[float]


def reservoir_sweep(
    x_train: ArrayLike | torch.Tensor,
    y_train: ArrayLike | torch.Tensor,
    x_test: ArrayLike | torch.Tensor,
    y_test: ArrayLike | torch.Tensor,
    *,
    cell: str = "qlstm",
    inits: Sequence[tuple[str, float]] = (
        ("normal", 0.01),
        ("normal", 0.3),
        ("normal", 1.0),
        ("uniform", math.pi),
        ("uniform", 2 * math.pi),
    ),
    num_seeds: int = 2,
    alpha: float = 1e-6,
    seed: int = 0,
    **kwargs: Any,
) -> list[ReservoirSweepRow]:
    r"""Test MSE of ridge-trained reservoirs over random-angle distributions and seeds.

    Returns one :class:`ReservoirSweepRow` per ``(init, scale)``: the mean and the per-seed
    test MSEs.

    Example:
        >>> import torch
        >>> x = torch.linspace(-1, 1, 12, dtype=torch.float64).reshape(6, 2, 1)
        >>> rows = reservoir_sweep(x, x[:, -1], x, x[:, -1], cell="qrnn",
        ...                        inits=[("uniform", 1.0)], num_seeds=1, num_layers=1)
        >>> rows[0].init, rows[0].scale, len(rows[0].test_mse_per_seed)
        ('uniform', 1.0, 1)
    """
    y_test_t = torch.as_tensor(np.asarray(y_test, dtype=float)).reshape(len(y_test), -1)
    rows = []
    for init, scale in inits:
        mses = []
        for k in range(check_positive_int(num_seeds, "num_seeds")):
            m = QRNNReservoir(cell, init=init, scale=scale, seed=seed + k, **kwargs)
            m.fit_readout(x_train, y_train, alpha)
            with torch.no_grad():
                mses.append(float(torch.mean((m(x_test) - y_test_t) ** 2)))
        rows.append(ReservoirSweepRow(init, float(scale), float(np.mean(mses)), mses))
    return rows
