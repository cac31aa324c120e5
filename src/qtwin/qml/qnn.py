r"""The Farhi–Neven quantum neural network binary classifier (arXiv:1802.06002).

An ``n``-bit string :math:`z` is loaded as the basis state :math:`|z\rangle` of ``n`` data
qubits (bit ``j`` on qubit ``j``, Qiskit little-endian order); one readout qubit, the **last**
qubit (index ``n``), starts in :math:`|0\rangle` and gets no preparation gate. The network is

.. math::

    U(\theta) = U_L(\theta_L) \cdots U_1(\theta_1), \qquad
    U_k(\theta_k) = e^{i\theta_k \Sigma_k} = \cos\theta_k\, I + i \sin\theta_k\, \Sigma_k,

with each :math:`\Sigma_k` a Pauli string on a few qubits (by default ``Z_j X_r`` for every
data qubit ``j``, then ``X_j X_r`` for every ``j``: 2n parameters). The prediction is

.. math::

    \hat y(z) = \langle z, 0| U^\dagger(\theta)\, Y_r\, U(\theta) |z, 0\rangle \in [-1, 1],

and the loss of a labelled sample is :math:`1 - l(z)\,\hat y(z)` with :math:`l(z) = \pm 1`.
With the readout in :math:`|0\rangle`, :math:`e^{i\phi X_r}|0\rangle` has
:math:`\langle Y_r\rangle = \sin 2\phi`, so a ZX layer alone already gives
:math:`\hat y = \sin(2\sum_j \theta_j s_j)` with spins :math:`s_j = (-1)^{z_j}`.

Everything runs batched on the shared engine :class:`qtwin.tensornet.Statevector`: one pass
evaluates a whole mini-batch, and ``loss.backward()`` gives exact gradients.

Input conventions: ``encoding="bits"`` takes :math:`z_j \in \{0, 1\}` (qubit state
:math:`|z_j\rangle`); ``encoding="spins"`` takes Farhi–Neven's :math:`z_j \in \{+1, -1\}`
with :math:`+1 \leftrightarrow |0\rangle` and :math:`-1 \leftrightarrow |1\rangle`.

Angle conventions for the Qiskit export: :math:`e^{i\theta\Sigma} = R_\Sigma(-2\theta)`, e.g.
:math:`e^{i\theta Z_j X_r}` is ``rzx(-2θ, j, r)`` and :math:`e^{i\theta X_j X_r}` is
``rxx(-2θ, j, r)``.

Example:
    >>> import torch
    >>> model = FarhiNevenQNN(2, seed=0)
    >>> z = torch.tensor([[0, 1], [1, 1]])
    >>> model(z).shape
    torch.Size([2])
    >>> model.loss(z, torch.tensor([1, -1])).item() > 0
    True
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import torch

from qtwin._validation import check_choice, check_positive_int
from qtwin.tensornet import Statevector

__all__ = ["FarhiNevenQNN", "PauliTerm", "default_generators", "pauli_terms_circuit"]

PauliTerm = tuple[str, tuple[int, ...]]
"""A generator: Pauli letters and the qubits they act on, letter ``k`` on qubit ``sites[k]``."""

_NATIVE = {"X": "rx", "Y": "ry", "Z": "rz", "XX": "rxx", "YY": "ryy", "ZZ": "rzz", "ZX": "rzx"}


def default_generators(n: int, layers: Sequence[str] = ("ZX", "XX")) -> list[PauliTerm]:
    """Farhi–Neven's default: for each two-letter label, one layer coupling every data qubit.

    Layer ``"ZX"`` is :math:`Z_j X_r` for ``j = 0..n-1`` (readout ``r = n``), then ``"XX"``.

    Example:
        >>> default_generators(2)
        [('ZX', (0, 2)), ('ZX', (1, 2)), ('XX', (0, 2)), ('XX', (1, 2))]
    """
    n = check_positive_int(n, "n")
    out: list[PauliTerm] = []
    for label in layers:
        if not isinstance(label, str) or len(label) != 2 or set(label) - set("IXYZ"):
            raise ValueError(
                f"layers must be two-letter Pauli labels over 'IXYZ' such as 'ZX', got {label!r}"
            )
        out.extend((label, (j, n)) for j in range(n))
    return out


def _check_generators(generators: Sequence[Any], num_qubits: int) -> list[PauliTerm]:
    out: list[PauliTerm] = []
    for g in generators:
        try:
            label, sites = g
            sites = tuple(int(s) for s in sites)
        except (TypeError, ValueError):
            raise TypeError(
                f"generators must be (label, sites) pairs such as ('ZX', (0, {num_qubits - 1})), "
                f"got {g!r}"
            ) from None
        if not isinstance(label, str) or not label or set(label) - set("IXYZ"):
            raise ValueError(
                f"generator labels must be non-empty strings over 'IXYZ', got {label!r}"
            )
        if len(label) != len(sites):
            raise ValueError(f"generator {g!r}: label has {len(label)} letters, {len(sites)} sites")
        if len(set(sites)) != len(sites) or any(not 0 <= s < num_qubits for s in sites):
            raise ValueError(
                f"generator {g!r}: sites must be distinct qubits in [0, {num_qubits - 1}]"
            )
        out.append((label, sites))
    if not out:
        raise ValueError("generators must hold at least one Pauli term")
    return out


def pauli_terms_circuit(
    num_qubits: int, terms: Sequence[PauliTerm], thetas: Sequence[float], z: Any = None
) -> Any:
    r"""Qiskit circuit :math:`\prod_k e^{i\theta_k\Sigma_k}` (first term applied first).

    Each factor is a native rotation with angle :math:`-2\theta_k` when one exists (``rx``,
    ``rzx``, ``rxx``, ...) and a ``PauliEvolutionGate`` with ``time = -θ`` otherwise.
    ``z`` (0/1 bits on the first qubits) prepends X gates that prepare :math:`|z\rangle`.

    Example:
        >>> qc = pauli_terms_circuit(2, [("ZX", (0, 1))], [0.25])
        >>> qc.data[0].operation.name, qc.data[0].operation.params[0]
        ('rzx', -0.5)
    """
    from qiskit import QuantumCircuit
    from qiskit.circuit.library import PauliEvolutionGate
    from qiskit.quantum_info import SparsePauliOp

    qc = QuantumCircuit(num_qubits)
    if z is not None:
        for j, bit in enumerate(np.asarray(z).reshape(-1)):
            if int(bit):
                qc.x(j)
    for (label, sites), theta in zip(terms, thetas, strict=True):
        keep = [(p, s) for p, s in zip(label, sites, strict=True) if p != "I"]
        if not keep:
            qc.global_phase += float(theta)  # e^{iθ I}
            continue
        lab = "".join(p for p, _ in keep)
        qubits = [s for _, s in keep]
        if lab in _NATIVE:
            getattr(qc, _NATIVE[lab])(-2.0 * float(theta), *qubits)
        else:  # Qiskit labels put qubits[0] rightmost
            gate = PauliEvolutionGate(SparsePauliOp(lab[::-1]), time=-float(theta))
            qc.append(gate, qubits)
    return qc


class FarhiNevenQNN(torch.nn.Module):
    r"""Farhi–Neven QNN on ``n`` data qubits plus a readout (the last qubit); see the module.

    Args:
        n: number of data qubits (input bits), ``n >= 1``.
        generators: Pauli terms ``(label, sites)``, letter ``k`` acting on ``sites[k]``;
            default :func:`default_generators` (a ZX layer then an XX layer).
        encoding: ``"bits"`` (inputs in {0, 1}) or ``"spins"`` (inputs in {+1, -1},
            +1 meaning :math:`|0\rangle`).
        seed: seed of the initial angles, drawn uniformly from ``[-init_scale, init_scale]``.
        init_scale: half-width of the initial angle distribution (non-negative).
        theta: explicit initial angles, one per generator (overrides the random draw).
        dtype: complex dtype of the simulation (``torch.complex128`` or ``torch.complex64``).
        chunk_size: samples simulated per pass; small chunks keep the ``2^(n+1)`` amplitudes
            of each in cache (on a 2-core CPU, 17 qubits: 4 per pass is ~3x faster than 32).

    Example:
        >>> import math, torch
        >>> m = FarhiNevenQNN(1, generators=[("ZX", (0, 1))], theta=[math.pi / 4])
        >>> m(torch.tensor([[0], [1]])).detach().round(decimals=12).tolist()
        [1.0, -1.0]
    """

    def __init__(
        self,
        n: int,
        generators: Sequence[Any] | None = None,
        *,
        encoding: str = "bits",
        seed: int | None = None,
        init_scale: float = 0.1,
        theta: Any = None,
        dtype: torch.dtype = torch.complex128,
        chunk_size: int = 4,
    ) -> None:
        super().__init__()
        self.n = check_positive_int(n, "n")
        self.encoding = check_choice(encoding, "encoding", ("bits", "spins"))
        if dtype not in (torch.complex128, torch.complex64):
            raise ValueError(f"dtype must be torch.complex128 or torch.complex64, got {dtype}")
        self.dtype = dtype
        self.chunk_size = check_positive_int(chunk_size, "chunk_size")
        gens = default_generators(self.n) if generators is None else generators
        self.generators = _check_generators(gens, self.n + 1)
        real = torch.float64 if dtype == torch.complex128 else torch.float32
        num = len(self.generators)
        if theta is not None:
            init = torch.as_tensor(np.asarray(theta, dtype=float), dtype=real).reshape(-1)
            if init.numel() != num:
                raise ValueError(
                    f"theta must have {num} entries (one per generator), got {init.numel()}"
                )
            _check_theta(init)
        else:
            if not np.isfinite(init_scale) or init_scale < 0:
                raise ValueError(f"init_scale must be a finite number >= 0, got {init_scale!r}")
            gen = torch.Generator().manual_seed(0 if seed is None else int(seed))
            init = (2 * torch.rand(num, generator=gen, dtype=real) - 1) * init_scale
        self.theta = torch.nn.Parameter(init.clone())
        # exp(iθΣ)ψ = cos θ ψ + i sin θ Σψ, and Σψ is a flip of the X/Y axes times a sign/phase
        # pattern: no dense matrix is formed (a 2-site matmul on 2^17 amplitudes is ~10x slower).
        nq = self.n + 1
        self._flips: list[list[int]] = []
        for k, (label, sites) in enumerate(self.generators):
            factor = torch.ones((1,) + (1,) * nq, dtype=dtype)
            flips = []
            for letter, q in zip(label, sites, strict=True):
                axis = 1 + (nq - 1 - q)  # most significant qubit first in the reshaped view
                shape = [1] * (nq + 1)
                shape[axis] = 2
                if letter in "XY":
                    flips.append(axis)
                vec = {"I": [1, 1], "X": [1, 1], "Y": [-1j, 1j], "Z": [1, -1]}[letter]
                factor = factor * torch.tensor(vec, dtype=dtype).reshape(shape)
            self._flips.append(flips)
            self.register_buffer(f"_sign{k}", factor, persistent=False)

    @property
    def num_qubits(self) -> int:
        """``n + 1``: the data qubits and the readout."""
        return self.n + 1

    def _bits(self, z: Any) -> torch.Tensor:
        t = torch.as_tensor(np.asarray(z) if not isinstance(z, torch.Tensor) else z)
        if t.ndim == 1:
            t = t.reshape(1, -1)
        if t.ndim != 2 or t.shape[1] != self.n:
            raise ValueError(f"z must have shape (batch, {self.n}), got {tuple(t.shape)}")
        if t.is_floating_point() and not bool(torch.isfinite(t).all()):
            raise ValueError("z must hold finite values; got NaN or inf")
        allowed = (0, 1) if self.encoding == "bits" else (1, -1)
        ok = (t == allowed[0]) | (t == allowed[1])
        if not bool(ok.all()):
            bad = t[~ok][0].item()
            raise ValueError(
                f"z must hold values in {set(allowed)} for encoding={self.encoding!r}, got {bad}"
            )
        bits = t if self.encoding == "bits" else (t == -1)
        return bits.to(torch.long)

    def forward(self, z: Any) -> torch.Tensor:
        r"""Predictions :math:`\langle Y_r\rangle` for a batch ``z`` of shape ``(B, n)``."""
        _check_theta(self.theta)
        bits = self._bits(z).to(self.theta.device)
        outs = [self._expect_y(c) for c in torch.split(bits, self.chunk_size)]
        return torch.cat(outs)

    def _expect_y(self, bits: torch.Tensor) -> torch.Tensor:
        b = bits.shape[0]
        weights = 2 ** torch.arange(self.n, device=bits.device)
        index = (bits * weights).sum(dim=1)  # readout bit (most significant) is 0
        data = torch.zeros(b, 2**self.num_qubits, dtype=self.dtype, device=bits.device)
        data[torch.arange(b, device=bits.device), index] = 1
        state = Statevector(data, [2] * self.num_qubits)
        cos = torch.cos(self.theta).to(self.dtype)
        isin = 1j * torch.sin(self.theta).to(self.dtype)
        psi = state.data.reshape((b,) + (2,) * self.num_qubits)
        for k, flips in enumerate(self._flips):
            sigma_psi = torch.flip(psi, flips) if flips else psi
            psi = cos[k] * psi + isin[k] * (getattr(self, f"_sign{k}") * sigma_psi)
        state.data = psi.reshape(b, -1)
        psi = state.data.reshape(b, 2, -1)  # readout = most significant bit
        return 2 * torch.sum(psi[:, 0].conj() * psi[:, 1], dim=1).imag

    def loss(self, z: Any, labels: Any) -> torch.Tensor:
        r"""Mean Farhi–Neven loss :math:`\frac1B\sum_b (1 - l_b\,\hat y(z_b))`; labels are ±1."""
        y = _check_labels(labels, self._bits(z).shape[0]).to(self.theta)
        return torch.mean(1 - y * self.forward(z))

    def predict(self, z: Any) -> torch.Tensor:
        """Predicted labels ``sign⟨Y_r⟩`` in {+1, -1} (ties go to +1)."""
        with torch.no_grad():
            out = self.forward(z)
        return torch.where(out >= 0, 1, -1)

    def to_qiskit(self, z: Any = None) -> Any:
        r"""The network as a Qiskit ``QuantumCircuit`` on ``n + 1`` qubits with bound angles.

        With ``z`` (one bit string in this model's encoding) X gates prepare :math:`|z\rangle`
        first; without it the circuit is a template that acts on whatever input precedes it.
        The readout is the last qubit; measure ``Y`` on it (``SparsePauliOp("Y" + "I" * n)``).
        """
        theta = self.theta.detach().cpu()
        _check_theta(theta)
        bits = None if z is None else self._bits(z)
        if bits is not None and bits.shape[0] != 1:
            raise ValueError(f"z must be a single bit string of length {self.n} for to_qiskit")
        return pauli_terms_circuit(
            self.num_qubits,
            self.generators,
            theta.tolist(),
            None if bits is None else bits[0].numpy(),
        )


def _check_theta(theta: torch.Tensor) -> None:
    if not bool(torch.isfinite(theta.detach()).all()):
        raise ValueError("theta (the QNN parameters) must be finite numbers; got NaN or inf")


def _check_labels(labels: Any, batch: int) -> torch.Tensor:
    y = torch.as_tensor(np.asarray(labels) if not isinstance(labels, torch.Tensor) else labels)
    y = y.reshape(-1)
    if y.numel() != batch:
        raise ValueError(f"labels must have one entry per input string ({batch}), got {y.numel()}")
    if not bool(((y == 1) | (y == -1)).all()):
        raise ValueError("labels must be +1 or -1 (Farhi–Neven's l(z)); got other values")
    return y
