r"""A batched, differentiable dense statevector on torch (up to ~28 qubits).

The state is a tensor of shape ``(B, D)`` holding ``B`` states at once (one per input or
parameter set), in Qiskit's little-endian order. A gate on wires :math:`(q_0, \dots, q_{k-1})`
acts on every state of the batch; its matrix may itself be batched, ``(B, d^k, d^k)``, which is
how one circuit runs for ``B`` parameter sets in a single pass. Everything is a torch operation,
so ``loss.backward()`` gives exact gradients.

:meth:`Statevector.from_circuit` first fuses the gate list (:mod:`qtwin.tensornet.fusion`:
dense blocks of up to 5 qubits, diagonal gates such as ``p``, ``cp``, ``rz``, ``rzz`` fused into
diagonal blocks applied as elementwise products). When no gradient is needed (no parameter
tensor requires grad, or under ``torch.no_grad()``), on CPU qubits with unbatched gates, the
blocks run in place through numba kernels (:mod:`qtwin.tensornet._dense_kernels`), one pass over
the amplitudes per block: on one thread this is about twice as fast as Aer's fused statevector
simulator on 18-24 qubit random and QFT circuits (``benchmarks/dense.py``). Otherwise the
blocks run as torch products, keeping autograd and batched matrices. The in-place path
starts at 12 qubits and fuses from 14; the torch path fuses from 10 sites (below these sizes
the extra machinery costs more than it saves).

Example:
    >>> import torch
    >>> from qiskit import QuantumCircuit
    >>> from qiskit.circuit import Parameter
    >>> from qiskit.quantum_info import SparsePauliOp
    >>> t = Parameter("t"); qc = QuantumCircuit(1); _ = qc.ry(t, 0)
    >>> angles = torch.tensor([0.0, torch.pi / 2, torch.pi], dtype=torch.float64)
    >>> sv = Statevector.from_circuit(qc, {t: angles})
    >>> sv.expectation(SparsePauliOp("Z")).real.round(decimals=12).tolist()
    [1.0, 0.0, -1.0]
"""

from __future__ import annotations

import functools
import math
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import torch

from qtwin._typing import TensorLike
from qtwin._validation import (
    as_generator,
    check_dims,
    check_finite,
    check_index,
    check_positive_int,
)
from qtwin.circuits.convert import ParameterValue, ParameterValues, phase_factor, to_gate_list
from qtwin.tensornet.fusion import FusedGate, fuse_blocks

if TYPE_CHECKING:
    from qiskit.circuit import QuantumCircuit
    from qiskit.quantum_info import SparsePauliOp

    from qtwin.circuits.qudit import QuditCircuit

__all__ = ["Statevector"]

_MAX_AMPLITUDES = 2**28
# the in-place numba path from this many qubits on (below, torch is fast enough and a process
# skips numba's import and first compilation)
_NUMBA_MIN_SITES = 12
# fuse gates from this many sites on (below, one pass per gate is cheaper than fusing)
_NUMBA_FUSION_MIN_SITES = 14
_TORCH_FUSION_MIN_SITES = 10
# widest dense and diagonal blocks of the fusion pass (see qtwin.tensornet.fusion)
_MAX_FUSED_QUBITS = 5
_MAX_DIAGONAL_QUBITS = 14
# a projection keeping at most this fraction of the norm is an outcome of zero probability
_ZERO_PROBABILITY = {torch.complex128: 1e-24, torch.complex64: 1e-10}


class Statevector:
    """A batch of dense state vectors; see the module docstring."""

    def __init__(self, data: torch.Tensor, dims: Sequence[int]) -> None:
        dims = check_dims(dims)
        if data.ndim != 2 or data.shape[1] != int(np.prod(dims)):
            raise ValueError(
                f"data must have shape (batch, {int(np.prod(dims))}) for dims {dims}, "
                f"got {tuple(data.shape)}"
            )
        self.data = data
        self.dims = dims

    @classmethod
    def zeros(
        cls,
        num_sites: int,
        dims: int | Sequence[int] = 2,
        *,
        batch: int = 1,
        dtype: torch.dtype = torch.complex128,
        device: torch.device | str | None = None,
    ) -> Statevector:
        """``batch`` copies of :math:`|0\\dots0\\rangle`."""
        num_sites = check_positive_int(num_sites, "num_sites")
        batch = check_positive_int(batch, "batch")
        dims = check_dims([dims] * num_sites if isinstance(dims, (int, np.integer)) else dims)
        if len(dims) != num_sites:
            raise ValueError(f"dims has {len(dims)} entries but num_sites is {num_sites}")
        size = int(np.prod(dims))
        if size * batch > _MAX_AMPLITUDES:
            raise ValueError(
                f"a batch of {batch} states of dimension {size} needs {size * batch} amplitudes, "
                f"above the dense engine's limit of {_MAX_AMPLITUDES}; use qtwin.tensornet.MPS"
            )
        data = torch.zeros(batch, size, dtype=dtype, device=device)
        data[:, 0] = 1
        return cls(data, dims)

    @classmethod
    def from_circuit(
        cls,
        qc: QuantumCircuit | QuditCircuit,
        parameter_values: ParameterValues | TensorLike = None,
        *,
        batch: int | None = None,
        initial: Statevector | None = None,
        dtype: torch.dtype = torch.complex128,
        device: torch.device | str | None = None,
    ) -> Statevector:
        """Run a Qiskit circuit (or QuditCircuit) on :math:`|0\\dots0\\rangle` or on ``initial``.

        Args:
            qc: the circuit (no measurements or resets).
            parameter_values: values for ``qc.parameters``; a value with a leading batch
                dimension ``(B,)`` runs ``B`` parameter sets at once. A 2-D array or tensor of
                shape ``(B, num_parameters)`` is taken in ``qc.parameters`` order.
            batch: batch size when it is not implied by the parameters or ``initial``.
            initial: a batch of initial states (e.g. encoded data) instead of zeros.
        """
        if isinstance(parameter_values, (np.ndarray, torch.Tensor)) and parameter_values.ndim == 2:
            cols = torch.as_tensor(parameter_values)
            parameter_values = [cols[:, j] for j in range(cols.shape[1])]
        ops, phase, dims = to_gate_list(qc, parameter_values, dtype=dtype, device=device)
        if initial is not None:
            if tuple(initial.dims) != dims:
                raise ValueError(f"initial has dims {initial.dims}, the circuit needs {dims}")
            state = Statevector(initial.data.to(dtype=dtype, device=device), dims)
        else:
            b = batch or max([m.shape[0] for m, _ in ops if m.ndim == 3] + [1])
            state = cls.zeros(len(dims), dims, batch=b, dtype=dtype, device=device)
        state._run(ops, owned=initial is None)
        factor = phase_factor(phase, dtype, state.data.device)
        if factor is not None:
            state.data = state.data * (factor.reshape(-1, 1) if factor.ndim else factor)
        return state

    @property
    def batch(self) -> int:
        """Number of states in the batch."""
        return int(self.data.shape[0])

    @property
    def num_sites(self) -> int:
        """Number of qubits or qudits."""
        return len(self.dims)

    def apply_gate(self, matrix: TensorLike, sites: Sequence[int]) -> Statevector:
        """Apply a (possibly batched) matrix on ``sites`` in place; returns ``self``.

        ``matrix`` has shape ``(D, D)`` or ``(B, D, D)``, little-endian over ``sites``.
        """
        m = torch.as_tensor(matrix if isinstance(matrix, torch.Tensor) else np.asarray(matrix))
        sites = tuple(int(s) for s in sites)
        if any(not 0 <= s < self.num_sites for s in sites) or len(set(sites)) != len(sites):
            raise ValueError(
                f"sites must be distinct indices in [0, {self.num_sites - 1}], got {sites}"
            )
        dim = int(np.prod([self.dims[s] for s in sites]))
        if m.shape[-2:] != (dim, dim) or m.ndim not in (2, 3):
            raise ValueError(
                f"matrix must have shape ({dim}, {dim}) or (B, {dim}, {dim}), got {tuple(m.shape)}"
            )
        check_finite(m, "matrix")
        self._apply(m.to(dtype=self.data.dtype, device=self.data.device), sites)
        return self

    def _run(self, ops: list[tuple[torch.Tensor, tuple[int, ...]]], *, owned: bool) -> None:
        """Apply a validated gate list, fused, on the fastest path that keeps autograd.

        Without autograd, on CPU qubits (from :data:`_NUMBA_MIN_SITES` on) with unbatched
        matrices, the blocks run in place through the numba kernels of
        :mod:`qtwin.tensornet._dense_kernels`; otherwise through torch, fusing from
        :data:`_TORCH_FUSION_MIN_SITES` sites on. ``owned`` says whether ``self.data`` may be
        overwritten in place.
        """
        if not ops:
            return
        if self._numba_ok(ops):
            from qtwin.tensornet import _dense_kernels as kernels

            data = (self.data if owned else self.data.clone()).detach().contiguous()
            psi = data.numpy()
            fuse = self.num_sites >= _NUMBA_FUSION_MIN_SITES
            blocks = _fused(ops, self.dims) if fuse else [FusedGate(m, w) for m, w in ops]
            for blk in blocks:
                m = blk.matrix.detach().resolve_conj().numpy()
                if blk.diagonal:
                    kernels.apply_diagonal(psi, m, blk.wires)
                else:
                    kernels.apply_dense(psi, m, blk.wires)
            self.data = data
            return
        if self.num_sites >= _TORCH_FUSION_MIN_SITES:
            for blk in _fused(ops, self.dims):
                if blk.diagonal:
                    self._apply_diagonal(blk.matrix, blk.wires)
                else:
                    self._apply(blk.matrix, blk.wires)
            return
        for m, wires in ops:
            self._apply(m, wires)

    def _numba_ok(self, ops: list[tuple[torch.Tensor, tuple[int, ...]]]) -> bool:
        """Whether the in-place numba kernels may run ``ops`` (see :meth:`_run`)."""
        from qtwin.tensornet import _dense_kernels as kernels

        data = self.data
        if self.num_sites < _NUMBA_MIN_SITES or data.device.type != "cpu":
            return False
        if data.dtype not in (torch.complex128, torch.complex64):
            return False
        if set(self.dims) != {2} or not kernels.available():
            return False
        if torch.is_grad_enabled() and (data.requires_grad or any(m.requires_grad for m, _ in ops)):
            return False
        return all(m.ndim == 2 and m.device.type == "cpu" for m, _ in ops)

    def _apply_diagonal(self, diag: torch.Tensor, sites: tuple[int, ...]) -> None:
        """Multiply by the diagonal ``diag`` (``(d,)`` or ``(B, d)``) on ``sites``."""
        n = self.num_sites
        positions = tuple(sites)
        b = self.data.shape[0]
        shape = [1] * n
        for p in positions:
            shape[n - 1 - p] = self.dims[p]
        order = sorted(range(len(positions)), key=lambda i: -positions[i])
        nb = diag.ndim - 1
        gd = [self.dims[p] for p in positions]
        t = diag.reshape(tuple(diag.shape[:-1]) + tuple(reversed(gd)))
        t = t.permute(*range(nb), *[nb + (len(positions) - 1 - i) for i in order])
        t = t.reshape(tuple(diag.shape[:-1]) + tuple(shape))
        if nb == 0:
            t = t.unsqueeze(0)
        psi = self.data.reshape((b,) + tuple(reversed(self.dims))) * t
        self.data = psi.reshape(psi.shape[0], -1)

    def _apply(self, m: torch.Tensor, sites: tuple[int, ...]) -> None:
        n = self.num_sites
        b = self.data.shape[0]
        if m.ndim == 3 and m.shape[0] != b:
            if b == 1:
                self.data = self.data.expand(m.shape[0], -1)
                b = m.shape[0]
            else:
                raise ValueError(f"gate batch {m.shape[0]} does not match state batch {b}")
        if len(sites) == 1:
            self.data = _apply_one_site(self.data, m, sites[0], self.dims)
            return
        psi = self.data.reshape((b,) + tuple(reversed(self.dims)))
        axes = [1 + (n - 1 - s) for s in reversed(sites)]  # most significant wire first
        k = len(sites)
        psi = psi.movedim(axes, list(range(n + 1 - k, n + 1)))
        shape = psi.shape
        flat = psi.reshape(b, -1, m.shape[-1])
        flat = torch.matmul(flat, m.transpose(-1, -2))
        psi = flat.reshape(shape).movedim(list(range(n + 1 - k, n + 1)), axes)
        self.data = psi.reshape(b, -1)

    def expectation(self, op: SparsePauliOp | TensorLike) -> torch.Tensor:
        r"""Expectation values :math:`\langle\psi_b|O|\psi_b\rangle` of every state, shape ``(B,)``.

        ``op`` is a ``SparsePauliOp`` (qubits only), evaluated without forming its matrix:
        :math:`P|k\rangle = i^{n_Y} (-1)^{|k \wedge z|} |k \oplus x\rangle`; or a dense
        ``(D, D)`` matrix on the whole system.
        """
        from qiskit.quantum_info import SparsePauliOp

        psi = self.data
        if isinstance(op, SparsePauliOp):
            if set(self.dims) != {2} or op.num_qubits != self.num_sites:
                raise ValueError(
                    f"op acts on {op.num_qubits} qubits; the state has dims {self.dims}"
                )
            op = op.copy()
            op.coeffs = op.coeffs * (-1j) ** op.paulis.phase  # fold Pauli phases into coeffs
            op.paulis.phase = 0
            idx = torch.arange(psi.shape[1], device=psi.device)
            total = torch.zeros(psi.shape[0], dtype=psi.dtype, device=psi.device)
            for z, x, coeff in zip(op.paulis.z, op.paulis.x, op.coeffs, strict=True):
                xm, zm, ny = _pauli_masks(x, z)
                src = idx ^ xm
                parity = _popcount(src & zm) % 2
                sign = (1 - 2 * parity).to(psi.dtype) * (1j) ** ny
                total = total + complex(coeff) * torch.sum(psi.conj() * sign * psi[:, src], dim=1)
            return total
        m = torch.as_tensor(op if isinstance(op, torch.Tensor) else np.asarray(op))
        m = m.to(dtype=psi.dtype, device=psi.device)
        if m.shape != (psi.shape[1], psi.shape[1]):
            raise ValueError(
                f"op must be a SparsePauliOp or a ({psi.shape[1]}, {psi.shape[1]}) matrix"
            )
        return torch.sum(psi.conj() * (psi @ m.T), dim=1)

    def apply_pauli_rotation(
        self, pauli: str, sites: Sequence[int], theta: ParameterValue | TensorLike
    ) -> Statevector:
        r"""Apply the Pauli rotation :math:`R_P(\theta) = e^{-i\theta P/2}` in place.

        ``P`` is the Pauli string ``pauli`` (letters ``I``, ``X``, ``Y``, ``Z``), letter ``k``
        acting on qubit ``sites[k]``; the convention is Qiskit's ``rx``/``rzx``/``rxx`` and
        PennyLane's ``PauliRot`` (so :math:`e^{i\phi P} = R_P(-2\phi)`). No matrix is formed:

        .. math::

            R_P(\theta)\,\psi = \cos\tfrac{\theta}{2}\,\psi - i\sin\tfrac{\theta}{2}\,P\psi,
            \qquad (P\psi)_k = i^{n_Y} (-1)^{|(k \oplus x) \wedge z|}\, \psi_{k \oplus x},

        with :math:`x`, :math:`z` the bit masks of the X/Y and Z/Y letters and :math:`n_Y`
        the number of Y letters (the masks :meth:`expectation` uses too). ``P\psi`` is a flip
        of the X/Y axes times a sign pattern: a few elementwise passes over the amplitudes,
        about ten times faster than a two-qubit matrix product on 17 qubits. Gradients with
        respect to ``theta`` (and the state) are exact through autograd.

        Args:
            pauli: Pauli letters over ``"IXYZ"``, one per site.
            sites: distinct qubit indices, ``len(sites) == len(pauli)``.
            theta: rotation angle: a number, a 0-d tensor, or a ``(B,)`` tensor with one angle
                per state of the batch (a batch-1 state is broadcast to ``B`` states).

        Returns:
            ``self``, updated in place.

        Raises:
            ValueError: non-qubit dims, a bad label or sites, a batch mismatch, or a
                non-finite ``theta``.
            TypeError: a complex ``theta``.

        Example:
            >>> import torch
            >>> sv = Statevector.zeros(2)
            >>> th = torch.tensor([0.0, torch.pi], dtype=torch.float64)
            >>> sv = sv.apply_pauli_rotation("XZ", [1, 0], th)  # X on qubit 1, Z on qubit 0
            >>> sv.probabilities().round(decimals=12).tolist()
            [[1.0, 0.0, 0.0, 0.0], [0.0, 0.0, 1.0, 0.0]]
        """
        if set(self.dims) != {2}:
            raise ValueError(
                f"apply_pauli_rotation needs qubits (all dims 2), got dims {self.dims}"
            )
        if not isinstance(pauli, str) or not pauli or set(pauli) - set("IXYZ"):
            raise ValueError(f"pauli must be a non-empty string over 'IXYZ', got {pauli!r}")
        sites = tuple(int(s) for s in sites)
        if len(sites) != len(pauli):
            raise ValueError(f"pauli has {len(pauli)} letters but sites has {len(sites)} entries")
        if any(not 0 <= s < self.num_sites for s in sites) or len(set(sites)) != len(sites):
            raise ValueError(
                f"sites must be distinct indices in [0, {self.num_sites - 1}], got {sites}"
            )
        th = theta if isinstance(theta, torch.Tensor) else torch.as_tensor(np.asarray(theta))
        if th.is_complex():
            raise TypeError("theta must be real (an angle), got a complex value")
        if th.ndim > 1 or (th.ndim == 1 and th.shape[0] not in (1, self.batch) and self.batch != 1):
            raise ValueError(
                f"theta must be a number or have shape ({self.batch},), got {tuple(th.shape)}"
            )
        check_finite(th, "theta")
        x = np.zeros(self.num_sites, dtype=bool)
        z = np.zeros(self.num_sites, dtype=bool)
        for letter, q in zip(pauli, sites, strict=True):
            x[q] = letter in "XY"
            z[q] = letter in "ZY"
        self._rotate(x, z, th)
        return self

    def _rotate(self, x: np.ndarray, z: np.ndarray, theta: torch.Tensor) -> None:
        """:meth:`apply_pauli_rotation` on validated masks (boolean arrays, one entry per qubit)."""
        n = self.num_sites
        xm, zm, ny = _pauli_masks(x, z)
        real = torch.float64 if self.data.dtype == torch.complex128 else torch.float32
        half = theta.to(dtype=real, device=self.data.device) / 2
        b = self.data.shape[0]
        if half.ndim == 1 and half.shape[0] != b:
            if b != 1:
                half = half.expand(b)
            else:
                self.data = self.data.expand(half.shape[0], -1)
                b = half.shape[0]
        if half.ndim == 1:
            half = half.reshape((-1,) + (1,) * n)
        psi = self.data.reshape((b,) + (2,) * n)
        flips = [1 + (n - 1 - q) for q in range(n) if (xm >> q) & 1]
        sigma = torch.flip(psi, flips) if flips else psi
        factor = _pauli_factor(xm, zm, ny, n, self.data.dtype, self.data.device)
        if factor is not None:
            sigma = sigma * factor
        psi = torch.cos(half).to(psi.dtype) * psi - 1j * torch.sin(half).to(psi.dtype) * sigma
        self.data = psi.reshape(b, -1)

    def probabilities(self) -> torch.Tensor:
        """Born probabilities, shape ``(B, D)``."""
        return self.data.abs() ** 2

    def _site_view(self, site: int) -> torch.Tensor:
        r"""The amplitudes as ``(B, D_above, d_site, D_below)`` (a view, no copy).

        Little-endian: site ``s`` has stride :math:`\prod_{j<s} d_j`, so the sites above it form
        the leading axis and the sites below it the trailing one.
        """
        above = int(np.prod(self.dims[site + 1 :], dtype=np.int64))
        below = int(np.prod(self.dims[:site], dtype=np.int64))
        return self.data.reshape(self.data.shape[0], above, self.dims[site], below)

    def _check_site(self, site: object) -> int:
        return check_index(site, "site", self.num_sites, what="a site index")

    def qubit_probabilities(self, site: int) -> torch.Tensor:
        r"""Born probabilities of the local outcomes of one site, shape ``(B, d)``.

        .. math::

            p_b(k) = \frac{\sum_{i:\,i_{\text{site}}=k} |\psi_b(i)|^2}{\sum_i |\psi_b(i)|^2},
            \qquad k = 0, \dots, d_{\text{site}} - 1,

        normalized per batch entry (each row sums to 1). Differentiable through autograd.

        Args:
            site: the qubit or qudit, ``0 <= site < num_sites``.

        Example:
            >>> from qiskit import QuantumCircuit
            >>> qc = QuantumCircuit(2); _ = qc.ry(torch.pi / 3, 1)
            >>> Statevector.from_circuit(qc).qubit_probabilities(1).round(decimals=12).tolist()
            [[0.75, 0.25]]
        """
        site = self._check_site(site)
        p = torch.sum(self._site_view(site).abs() ** 2, dim=(1, 3))
        return p / p.sum(dim=1, keepdim=True)

    def project(self, site: int, outcome: int | Sequence[int]) -> Statevector:
        r"""Project one site onto :math:`|k\rangle` and renormalize, in place; returns ``self``.

        .. math::

            \psi_b \leftarrow \frac{(\mathbb{1} \otimes |k_b\rangle\langle k_b|_{\text{site}}
            \otimes \mathbb{1})\,\psi_b}{\lVert \cdots \rVert}

        the post-measurement state of outcome :math:`k_b` (a mid-circuit measurement once
        :math:`k_b` is drawn from :meth:`qubit_probabilities`). Differentiable through autograd.

        Args:
            site: the qubit or qudit, ``0 <= site < num_sites``.
            outcome: one outcome for every batch entry, or a sequence (or 1-D array/tensor) with
                one outcome per batch entry; each in ``[0, d_site - 1]``.

        Raises:
            ValueError: ``site`` or ``outcome`` out of range, ``outcome`` of the wrong length,
                or an outcome of zero probability.

        Example:
            >>> from qiskit import QuantumCircuit
            >>> qc = QuantumCircuit(2); _ = qc.h(0); _ = qc.cx(0, 1)
            >>> sv = Statevector.from_circuit(qc, batch=2).project(0, [0, 1])
            >>> sv.probabilities().round(decimals=12).tolist()
            [[1.0, 0.0, 0.0, 0.0], [0.0, 0.0, 0.0, 1.0]]
        """
        site = self._check_site(site)
        d = self.dims[site]
        b = self.batch
        k = np.asarray(outcome.detach().cpu() if isinstance(outcome, torch.Tensor) else outcome)
        if k.dtype == bool or not np.issubdtype(k.dtype, np.integer) or k.ndim > 1:
            raise ValueError(f"outcome must be an int or a sequence of {b} ints, got {outcome!r}")
        k = np.full(b, int(k)) if k.ndim == 0 else k
        if k.shape != (b,):
            raise ValueError(f"outcome must have one entry per batch entry ({b}), got {k.size}")
        if np.any((k < 0) | (k >= d)):
            raise ValueError(f"outcome must be in [0, {d - 1}] for site {site}, got {k.tolist()}")
        view = self._site_view(site)
        rows = torch.arange(b, device=self.data.device)
        cols = torch.as_tensor(k, dtype=torch.long, device=self.data.device)
        mask = torch.zeros(b, d, dtype=self.data.real.dtype, device=self.data.device)
        mask[rows, cols] = 1
        kept = view * mask.reshape(b, 1, d, 1).to(view.dtype)
        norm2 = torch.sum(kept.abs() ** 2, dim=(1, 2, 3))
        total = torch.sum(view.abs() ** 2, dim=(1, 2, 3))
        tiny = _ZERO_PROBABILITY.get(self.data.dtype, 1e-10)
        bad = (norm2.detach() <= tiny * total.detach()).cpu().numpy()
        if bad.any():
            raise ValueError(
                f"outcome {k[bad].tolist()} of site {site} has zero probability "
                f"in batch entries {np.flatnonzero(bad).tolist()}"
            )
        scale = torch.rsqrt(norm2).to(kept.dtype).reshape(b, 1, 1, 1)
        self.data = (kept * scale).reshape(b, -1)
        return self

    def sample(self, shots: int, seed: int | np.random.Generator | None = None) -> np.ndarray:
        """``shots`` basis-state indices per batch entry, shape ``(B, shots)``."""
        shots = check_positive_int(shots, "shots")
        rng = as_generator(seed)
        p = self.probabilities().detach().to(torch.float64).cpu().numpy()
        p /= p.sum(axis=1, keepdims=True)
        return np.stack([rng.choice(p.shape[1], size=shots, p=row) for row in p])


def _pauli_masks(x: Any, z: Any) -> tuple[int, int, int]:
    r"""Bit masks of a Pauli string from its X and Z bits (one per qubit, qubit 0 first).

    Returns ``(x_mask, z_mask, n_y)`` with
    :math:`P|k\rangle = i^{n_Y}(-1)^{|k\wedge z|}|k\oplus x\rangle`.
    """
    xb = np.asarray(x, dtype=bool).reshape(-1)
    zb = np.asarray(z, dtype=bool).reshape(-1)
    weights = 1 << np.arange(xb.size, dtype=object)
    xm = int(np.sum(weights[xb])) if xb.any() else 0
    zm = int(np.sum(weights[zb])) if zb.any() else 0
    return xm, zm, int(np.sum(xb & zb))


@functools.lru_cache(maxsize=1024)
def _pauli_factor(
    xm: int, zm: int, ny: int, n: int, dtype: torch.dtype, device: torch.device
) -> torch.Tensor | None:
    r"""Sign/phase pattern :math:`i^{n_Y}(-1)^{|(k\oplus x)\wedge z|}` as a broadcastable
    tensor over the ``(B, 2, ..., 2)`` view (most significant qubit first); ``None`` if all 1."""
    if zm == 0:
        return None
    factor = torch.full((1,) + (1,) * n, complex(1j**ny), dtype=dtype, device=device)
    for q in range(n):
        if (zm >> q) & 1:
            shape = [1] * (n + 1)
            shape[1 + (n - 1 - q)] = 2
            vec = [-1.0, 1.0] if (xm >> q) & 1 else [1.0, -1.0]
            factor = factor * torch.tensor(vec, dtype=dtype, device=device).reshape(shape)
    return factor


def _popcount(x: torch.Tensor) -> torch.Tensor:
    count = torch.zeros_like(x)
    while bool((x > 0).any()):
        count = count + (x & 1)
        x = x >> 1
    return count


def _apply_one_site(
    data: torch.Tensor, m: torch.Tensor, site: int, dims: tuple[int, ...]
) -> torch.Tensor:
    r"""``m`` (``(d, d)`` or ``(B, d, d)``) on one site, without moving axes.

    The amplitudes are viewed as :math:`\psi_{b,a,j,c}` (``a`` the sites above, ``c`` those
    below) and :math:`\psi'_{b,a,i,c} = \sum_j m_{ij}\,\psi_{b,a,j,c}` is one broadcast matmul
    (for the lowest site, one matmul with :math:`m^T` on the ``(B, A, d)`` view).
    """
    b = data.shape[0]
    d = dims[site]
    above = math.prod(dims[site + 1 :])
    below = math.prod(dims[:site])
    if below == 1:
        out = torch.matmul(data.reshape(b, above, d), m.transpose(-1, -2))
        return out.reshape(out.shape[0], -1)
    mm = m if m.ndim == 2 else m.reshape(m.shape[0], 1, d, d)
    out = torch.matmul(mm, data.reshape(b, above, d, below))
    return out.reshape(out.shape[0], -1)


def _fused(ops: list[tuple[torch.Tensor, tuple[int, ...]]], dims: Sequence[int]) -> list[FusedGate]:
    """The engine's fusion pass: dense blocks up to 5 wires, diagonal blocks up to 14."""
    return fuse_blocks(
        ops, dims, max_qubits=_MAX_FUSED_QUBITS, max_diagonal_qubits=_MAX_DIAGONAL_QUBITS
    )
