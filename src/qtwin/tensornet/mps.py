r"""Matrix product states on torch: qubits, qudits and mixed local dimensions, CPU or CUDA.

.. math::

    |\psi\rangle = \sum_{s_0 \dots s_{n-1}} A^{[0]}_{s_0} A^{[1]}_{s_1} \cdots A^{[n-1]}_{s_{n-1}}
    \, |s_{n-1} \dots s_1 s_0\rangle

Qubit (or qudit) ``i`` has local index ``s_i``; dense vectors use Qiskit's little-endian order, so
the basis index is :math:`\sum_i s_i \prod_{j<i} d_j`.

**Routing.** A gate on distant qubits moves one of them next to the other by swaps and leaves it
there, like Aer's MPS (the side to move is chosen by how close it brings the next few gates'
qubits); circuit SWAP gates are relabellings and cost nothing. The MPS keeps a qubit → site map:
every public method takes and returns qubits, and the site order is restored (by swaps) only
where a result needs it — :attr:`tensors`, :meth:`expectation`, entropies, :meth:`overlap` —
while :meth:`to_dense`, :meth:`sample` and :meth:`probabilities_of` just permute their output.

**Fast path.** On the CPU without autograd, circuits run on numpy views of the site tensors
with compiled kernels (:mod:`qtwin.tensornet._kernels`: one call per two-site update, swap or
QR step); on CUDA, or when parameters carry gradients, the same moves run on torch.

Each site tensor ``A[i]`` has shape ``(chi_left, d_i, chi_right)``. The state is kept in mixed
canonical form around an orthogonality centre, which makes two-site truncations optimal and
norms, entropies and local expectation values cheap.

Truncation follows :mod:`qtwin.tensornet.linalg`: at most ``max_bond`` singular values are kept,
and the smallest are dropped while their relative squared weight stays ``<= cutoff``. The sum of
discarded weights is kept in :attr:`MPS.discarded_weight`, and
:attr:`MPS.fidelity_estimate` is the product :math:`\prod_k (1 - \epsilon_k)` over all
truncations, the standard estimate of the fidelity with the exact state. :meth:`MPS.compress`
truncates an existing state the same way in one sweep.

Methods return Python numbers, or 0-dim torch tensors when the MPS carries autograd history, so
gradients flow through expectation values and overlaps.

Example:
    >>> from qiskit import QuantumCircuit
    >>> qc = QuantumCircuit(3); _ = qc.h(0); _ = qc.cx(0, 1); _ = qc.cx(1, 2)
    >>> psi = MPS.from_circuit(qc)
    >>> psi.bond_dims, round(psi.entropy(1, base=2), 12)
    ([2, 2], 1.0)
    >>> psi.to_dense().abs().square().round(decimals=3).tolist()
    [0.5, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.5]
"""

from __future__ import annotations

import math
import os
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

import numpy as np
import torch

from qtwin._validation import (
    as_generator,
    check_dims,
    check_finite,
    check_index,
    check_nonnegative_float,
    check_positive_int,
    check_unitary,
)
from qtwin.circuits.convert import ParameterValues, phase_factor, to_gate_list
from qtwin.circuits.gates import permute_wires
from qtwin.tensornet import site_updates
from qtwin.tensornet.entropy import check_entropy_args, renyi_entropy
from qtwin.tensornet.linalg import split, svd
from qtwin.tensornet.observables import local_expectation, pauli_expectation
from qtwin.tensornet.schedule import GateScheduler
from qtwin.tensornet.site_updates import TORCH, SiteUpdates

if TYPE_CHECKING:
    from qiskit import QuantumCircuit

    from qtwin.circuits.qudit import QuditCircuit

__all__ = ["MPS"]

Number = complex | float | torch.Tensor


class MPS:
    """A matrix product state (see the module docstring for conventions).

    Build one with :meth:`zeros`, :meth:`product_state`, :meth:`from_dense` or
    :meth:`from_circuit` (or load a reference state with :func:`qtwin.tensornet.corpus.load`);
    gates act in place through :meth:`apply_gate`, :meth:`compress` truncates in place, and
    :meth:`norm_squared`, :meth:`expectation`, :meth:`entropy`, :meth:`overlap` read it.
    """

    def __init__(self, tensors: Sequence[torch.Tensor], *, center: int | None = None) -> None:
        if not tensors:
            raise ValueError("tensors must hold at least one site tensor")
        for i, t in enumerate(tensors):
            if not isinstance(t, torch.Tensor) or t.ndim != 3:
                raise ValueError(f"tensors[{i}] must be a torch tensor of shape (chi_l, d, chi_r)")
            if i and tensors[i - 1].shape[2] != t.shape[0]:
                raise ValueError(
                    f"bond {i - 1}-{i} does not match: {tensors[i - 1].shape[2]} vs {t.shape[0]}"
                )
        if tensors[0].shape[0] != 1 or tensors[-1].shape[2] != 1:
            raise ValueError("the outer bonds of an open-boundary MPS must have dimension 1")
        self._tensors: list[Any] = list(tensors)  # site order
        # qubit routing: _qubit_at[s] is the logical qubit stored at site s and _site_of[q]
        # its site; both None while every qubit sits at its own site (the identity layout)
        self._qubit_at: list[int] | None = None
        self._site_of: list[int] | None = None
        self._updates: SiteUpdates = TORCH
        self.center: int | None = center
        self.discarded_weight: float = 0.0
        self._log_fidelity: float = 0.0
        self.max_bond: int | None = None
        self.cutoff: float = 0.0

    # ------------------------------------------------------------------ constructors
    @classmethod
    def product_state(
        cls,
        vectors: Sequence[Any],
        *,
        dtype: torch.dtype = torch.complex128,
        device: torch.device | str | None = None,
    ) -> MPS:
        """Product state :math:`\\bigotimes_i |v_i\\rangle` from one local vector per site.

        Example:
            >>> MPS.product_state([[1, 0], [0, 0, 1]]).to_dense().real.tolist()
            [0.0, 0.0, 0.0, 0.0, 1.0, 0.0]
        """
        tensors = []
        for i, v in enumerate(vectors):
            t = torch.as_tensor(_numeric_array(v, f"vectors[{i}]"), dtype=dtype, device=device)
            if t.ndim != 1 or t.shape[0] < 2:
                raise ValueError(f"vectors[{i}] must be a 1-D local state of dimension >= 2")
            check_finite(t, f"vectors[{i}]")
            if not bool(t.abs().max() > 0):
                raise ValueError(f"vectors[{i}] must be a non-zero local state, got all zeros")
            tensors.append(t.reshape(1, -1, 1))
        if not tensors:
            raise ValueError("vectors must hold at least one local state")
        # canonical around site 0: unit vectors elsewhere, the whole norm on site 0
        norms = [torch.linalg.vector_norm(t) for t in tensors[1:]]
        tensors = [tensors[0] * math.prod(norms)] + [
            t / n for t, n in zip(tensors[1:], norms, strict=True)
        ]
        return cls(tensors, center=0)

    @classmethod
    def zeros(
        cls,
        num_sites: int,
        dims: int | Sequence[int] = 2,
        *,
        dtype: torch.dtype = torch.complex128,
        device: torch.device | str | None = None,
    ) -> MPS:
        """The state :math:`|0\\dots0\\rangle` on ``num_sites`` sites of local dimension ``dims``.

        Example:
            >>> MPS.zeros(3, dims=[2, 3, 2]).dims
            (2, 3, 2)
        """
        num_sites = check_positive_int(num_sites, "num_sites")
        dims = check_dims([dims] * num_sites if isinstance(dims, (int, np.integer)) else dims)
        if len(dims) != num_sites:
            raise ValueError(f"dims has {len(dims)} entries but num_sites is {num_sites}")
        _check_dtype(dtype)
        tensors = []
        for d in dims:
            t = torch.zeros(1, d, 1, dtype=dtype, device=device)
            t[0, 0, 0] = 1
            tensors.append(t)
        return cls(tensors, center=0)

    @classmethod
    def from_dense(
        cls,
        psi: Any,
        dims: int | Sequence[int] = 2,
        *,
        max_bond: int | None = None,
        cutoff: float = 0.0,
        dtype: torch.dtype = torch.complex128,
        device: torch.device | str | None = None,
    ) -> MPS:
        """MPS of a dense state vector by successive SVDs (exact unless truncated).

        Args:
            psi: 1-D vector in little-endian order, length ``prod(dims)``.
            dims: local dimension of every site (an int means all sites, which must then
                divide the length exactly into a power).
            max_bond: largest bond dimension kept, ``>= 1``; ``None`` for no limit.
            cutoff: relative squared weight that may be discarded at each cut.

        Example:
            >>> psi = np.zeros(8); psi[0] = psi[7] = 2 ** -0.5
            >>> MPS.from_dense(psi).bond_dims
            [2, 2]
        """
        vec = torch.as_tensor(
            _numeric_array(psi, "psi") if not isinstance(psi, torch.Tensor) else psi
        )
        vec = vec.to(dtype=dtype, device=device)
        if vec.ndim != 1:
            raise ValueError(f"psi must be a 1-D state vector, got shape {tuple(vec.shape)}")
        check_finite(vec, "psi")
        if vec.numel() == 0 or not bool(vec.detach().abs().max() > 0):
            raise ValueError("psi must be a non-zero state vector, got norm 0")
        if not bool(torch.isfinite(torch.linalg.vector_norm(vec.detach()))):
            raise ValueError("psi has a norm too large for floating point (overflow); rescale it")
        dims = _dims_for_length(dims, vec.shape[0])
        max_bond, cutoff = _check_truncation(max_bond, cutoff)
        n = len(dims)
        t = vec.reshape(tuple(reversed(dims))).permute(*reversed(range(n)))  # site order
        tensors = []
        rest = t.reshape(1, -1)
        weights = []
        for i in range(n - 1):
            mat = rest.reshape(rest.shape[0] * dims[i], -1)
            left, rest, w = split(mat, max_bond, cutoff, absorb="right")
            weights.append(w)
            tensors.append(left.reshape(-1, dims[i], left.shape[1]))
        tensors.append(rest.reshape(rest.shape[0], dims[-1], 1))
        out = cls(tensors, center=n - 1)
        for w in weights:
            out._record_discarded(w)
        out.max_bond, out.cutoff = max_bond, cutoff
        return out

    @classmethod
    def from_circuit(
        cls,
        qc: QuantumCircuit | QuditCircuit,
        *,
        max_bond: int | None = None,
        cutoff: float = 1e-12,
        parameter_values: ParameterValues = None,
        dtype: torch.dtype = torch.complex128,
        device: torch.device | str | None = None,
    ) -> MPS:
        """Run a circuit on :math:`|0\\dots0\\rangle` and return the final MPS.

        Args:
            qc: a Qiskit ``QuantumCircuit`` (any gates with a matrix or a definition; barriers
                are ignored; measurements and resets raise ``ValueError``) or a
                :class:`qtwin.circuits.QuditCircuit`.
            max_bond: largest bond dimension, ``>= 1``; ``None`` for no limit.
            cutoff: relative squared weight that may be discarded at each two-site split.
            parameter_values: values for ``qc.parameters`` (mapping or sequence); torch tensors
                make the result differentiable in them.
            dtype: ``torch.complex128`` (default) or ``torch.complex64``.
            device: ``"cpu"``, ``"cuda"`` or a ``torch.device``.

        Example:
            >>> from qiskit.circuit.library import QFTGate
            >>> from qiskit import QuantumCircuit
            >>> qc = QuantumCircuit(4); _ = qc.append(QFTGate(4), range(4))
            >>> round(abs(MPS.from_circuit(qc).to_dense()[5].item()), 6)
            0.25
        """
        _check_dtype(dtype)
        max_bond, cutoff = _check_truncation(max_bond, cutoff)
        if getattr(qc, "num_qubits", None) == 0 or getattr(qc, "dims", None) == ():
            raise ValueError("qc must act on at least one qubit, got a circuit on 0 qubits")
        ops, phase, dims = to_gate_list(qc, parameter_values, dtype=dtype, device=device)
        out = cls.zeros(max(len(dims), 1), dims or 2, dtype=dtype, device=device)
        out.max_bond, out.cutoff = max_bond, cutoff
        out._run(ops, phase)
        return out

    @classmethod
    def from_quimb(cls, qtn_mps: Any, *, dtype: torch.dtype = torch.complex128) -> MPS:
        """An MPS from a quimb ``MatrixProductState`` (site ``i`` becomes qubit ``i``); see
        :func:`qtwin.tensornet.quimb_interop.from_quimb`."""
        from qtwin.tensornet.quimb_interop import from_quimb

        return from_quimb(qtn_mps, dtype=dtype)

    def to_quimb(self) -> Any:
        """This state as a quimb ``MatrixProductState`` (qubit ``i`` on quimb site ``i``); see
        :func:`qtwin.tensornet.quimb_interop.to_quimb`.

        Example:
            >>> psi = MPS.from_dense(np.array([1, 0, 0, 1]) / np.sqrt(2))
            >>> MPS.from_quimb(psi.to_quimb()).entropy(1, base=2)
            1.0
        """
        from qtwin.tensornet.quimb_interop import to_quimb

        return to_quimb(self)

    # ------------------------------------------------------------------ properties
    @property
    def tensors(self) -> list[torch.Tensor]:
        """The site tensors, ``tensors[i]`` of shape ``(chi_l, d_i, chi_r)`` for qubit ``i``.

        While a circuit runs, long-range gates leave qubits where routing moved them; reading
        this list first restores the qubit order (by swaps), so site ``i`` is qubit ``i`` again.
        """
        self._sort_sites()
        return self._tensors

    @tensors.setter
    def tensors(self, value: Sequence[torch.Tensor]) -> None:
        self._tensors = list(value)
        self._qubit_at = self._site_of = None

    @property
    def num_sites(self) -> int:
        """Number of sites (qubits or qudits)."""
        return len(self._tensors)

    @property
    def dims(self) -> tuple[int, ...]:
        """Local dimension of every qubit (or qudit), in qubit order."""
        if self._site_of is None:
            return tuple(int(t.shape[1]) for t in self._tensors)
        return tuple(int(self._tensors[s].shape[1]) for s in self._site_of)

    @property
    def bond_dims(self) -> list[int]:
        """Bond dimensions between neighbouring sites (``num_sites - 1`` of them)."""
        return [int(t.shape[2]) for t in self.tensors[:-1]]

    @property
    def dtype(self) -> torch.dtype:
        """Complex dtype of the site tensors."""
        return self._tensors[0].dtype

    @property
    def device(self) -> torch.device:
        """Torch device of the site tensors."""
        return self._tensors[0].device

    @property
    def fidelity_estimate(self) -> float:
        r""":math:`\prod_k (1 - \epsilon_k)` over the truncations: estimated fidelity with the
        untruncated state."""
        return math.exp(self._log_fidelity)

    def _record_discarded(self, weight: float) -> None:
        self.discarded_weight += weight
        self._log_fidelity += math.log1p(-min(weight, 1.0 - 1e-300))

    def copy(self) -> MPS:
        """A copy sharing no mutable state (tensors are immutable in use, so not cloned)."""
        out = MPS(self._tensors, center=self.center)
        if self._qubit_at is not None and self._site_of is not None:
            out._qubit_at, out._site_of = list(self._qubit_at), list(self._site_of)
        out.discarded_weight, out._log_fidelity, out.max_bond, out.cutoff = (
            self.discarded_weight,
            self._log_fidelity,
            self.max_bond,
            self.cutoff,
        )
        return out

    def to(self, device: torch.device | str | None = None, dtype: torch.dtype | None = None) -> MPS:
        """Copy on another device and/or dtype."""
        out = self.copy()
        out._tensors = [t.to(device=device, dtype=dtype) for t in self._tensors]
        return out

    def __repr__(self) -> str:
        return (
            f"MPS(num_sites={self.num_sites}, dims={_short(self.dims)}, "
            f"max_bond_dim={max(self.bond_dims, default=1)}, dtype={self.dtype}, "
            f"discarded_weight={self.discarded_weight:.3g})"
        )

    # ------------------------------------------------------------------ canonical forms
    def canonicalize(self, center: int) -> MPS:
        """Bring the state to mixed canonical form with orthogonality centre ``center``.

        Sites left of the centre become left-isometric
        (:math:`\\sum_{s} A_s^\\dagger A_s = I`), sites right of it right-isometric.
        In place; returns ``self``.
        """
        center = self.check_site(center, "center")
        self._sort_sites()
        self._move_center(center)
        return self

    def left_canonicalize(self) -> MPS:
        """Canonical form with the centre on the last site."""
        return self.canonicalize(self.num_sites - 1)

    def right_canonicalize(self) -> MPS:
        """Canonical form with the centre on the first site."""
        return self.canonicalize(0)

    def compress(self, max_bond: int | None = None, cutoff: float = 0.0) -> MPS:
        r"""Truncate every bond by one SVD sweep, in place; returns ``self``.

        The state is first brought to left-canonical form (centre on the last site); the
        sweep then runs right to left, splitting the centre :math:`A^{[i]} = U S V^\dagger`
        across the cut ``(i - 1, i)``, keeping :math:`V^\dagger` (right-isometric) at site
        ``i`` and moving :math:`U S` into site ``i - 1``. With everything left of the cut
        left-isometric, :math:`S` holds the Schmidt values of that cut, so each truncation is
        the optimal one given the cuts already truncated. Truncation follows
        :mod:`qtwin.tensornet.linalg` (at most ``max_bond`` values kept; the smallest dropped
        while their relative squared weight stays ``<= cutoff``; quimb calls this
        ``cutoff_mode="rsum2"``); the norm is preserved, each discarded weight is added to
        :attr:`discarded_weight` and :attr:`fidelity_estimate`.

        Like quimb's ``MatrixProductState.compress`` (default ``form="right"``) this works in
        place and leaves the state right-canonical, the centre on site 0; use
        ``psi.copy().compress(...)`` to keep the original.

        Args:
            max_bond: largest bond dimension kept, ``>= 1``; ``None`` for no limit.
            cutoff: relative squared weight that may be discarded at each cut, ``>= 0``.

        Example:
            >>> ghz = np.zeros(16); ghz[0] = ghz[15] = 2 ** -0.5
            >>> psi = MPS.from_dense(ghz).compress(max_bond=1)
            >>> psi.bond_dims, round(psi.fidelity_estimate, 12), psi.center
            ([1, 1, 1], 0.5, 0)
        """
        max_bond, cutoff = _check_truncation(max_bond, cutoff)
        self.canonicalize(self.num_sites - 1)
        tensors = self._tensors
        for i in range(self.num_sites - 1, 0, -1):
            a = tensors[i]
            chi_l, d, chi_r = a.shape
            left, right, w = split(a.reshape(chi_l, d * chi_r), max_bond, cutoff, absorb="left")
            tensors[i] = right.reshape(-1, d, chi_r)
            tensors[i - 1] = torch.tensordot(tensors[i - 1], left, dims=1)
            if w:
                self._record_discarded(w)
        self.center = 0
        return self

    def _move_center(self, target: int) -> None:
        if self.center is None:  # no canonical form yet: sweep in from both ends
            self._updates.move_center(self._tensors, 0, target)
            self._updates.move_center(self._tensors, self.num_sites - 1, target)
        elif self.center != target:
            self._updates.move_center(self._tensors, self.center, target)
        self.center = target

    # ------------------------------------------------------------------ gates
    def apply_gate(
        self,
        matrix: Any,
        sites: Sequence[int],
        *,
        max_bond: int | None = None,
        cutoff: float | None = None,
    ) -> MPS:
        """Apply a unitary on ``sites`` in place; returns ``self``.

        The matrix uses the little-endian convention over ``sites`` (``sites[0]`` is the least
        significant index). Non-adjacent qubits are routed: swaps bring them together and they
        stay there (the MPS keeps a qubit → site map; results always refer to qubits, and the
        order is restored lazily where a result needs it). Gates on three or more sites are
        contracted into one block and split again by SVDs.

        Args:
            matrix: unitary of shape ``(D, D)`` with ``D = prod(dims[s] for s in sites)``.
            sites: distinct site indices.
            max_bond: bond limit for this gate (default: the MPS's own, set at construction).
            cutoff: discarded-weight cutoff for this gate (default: the MPS's own).

        Example:
            >>> psi = MPS.zeros(3)
            >>> h = np.array([[1, 1], [1, -1]]) / np.sqrt(2)
            >>> cx = np.array([[1, 0, 0, 0], [0, 0, 0, 1], [0, 0, 1, 0], [0, 1, 0, 0]])
            >>> _ = psi.apply_gate(h, [0]).apply_gate(cx, [0, 2])
            >>> np.round(psi.to_dense().real.numpy(), 3).tolist()
            [0.707, 0.0, 0.0, 0.0, 0.0, 0.707, 0.0, 0.0]
        """
        sites = tuple(self.check_site(s, "sites") for s in sites)
        if len(set(sites)) != len(sites) or not sites:
            raise ValueError(f"sites must be distinct and non-empty, got {sites}")
        m = torch.as_tensor(matrix if isinstance(matrix, torch.Tensor) else np.asarray(matrix))
        dim = int(np.prod([self.dims[s] for s in sites]))
        if m.shape != (dim, dim):
            raise ValueError(
                f"matrix has shape {tuple(m.shape)} but sites {sites} with local dimensions "
                f"{[self.dims[s] for s in sites]} need ({dim}, {dim})"
            )
        if not m.requires_grad:
            check_unitary(m, "matrix")
        else:
            check_finite(m, "matrix")
        old = (self.max_bond, self.cutoff)
        mb, co = _check_truncation(
            self.max_bond if max_bond is None else max_bond,
            self.cutoff if cutoff is None else cutoff,
        )
        self.max_bond, self.cutoff = mb, co
        try:
            self._apply(m.to(dtype=self.dtype, device=self.device), sites)
        finally:
            self.max_bond, self.cutoff = old
        return self

    def apply_circuit(
        self, qc: QuantumCircuit | QuditCircuit, parameter_values: ParameterValues = None
    ) -> MPS:
        """Apply a Qiskit circuit (or QuditCircuit) to this state in place; returns ``self``."""
        ops, phase, dims = to_gate_list(qc, parameter_values, dtype=self.dtype, device=self.device)
        if dims != self.dims:
            raise ValueError(
                f"the circuit acts on local dimensions {_short(dims)} but the MPS has "
                f"{_short(self.dims)}"
            )
        self._run(ops, phase)
        return self

    def _run(self, ops: list[tuple[torch.Tensor, tuple[int, ...]]], phase: Any) -> None:
        ops, relabel = _absorb_swaps(ops, self.dims)
        with self._kernel_mode(ops):
            if self._updates is not TORCH:  # schedule and fuse numpy matrices, not tensors
                ops = [(m.resolve_conj().numpy(), wires) for m, wires in ops]
            self._apply_fused(ops)
        if relabel is not None:  # the circuit's SWAP gates, applied as a relabelling
            self._ensure_layout()
            assert self._site_of is not None and self._qubit_at is not None
            sites = [self._site_of[relabel[q]] for q in range(self.num_sites)]
            self._site_of = sites
            for q, site in enumerate(sites):
                self._qubit_at[site] = q
        factor = phase_factor(phase, self.dtype, self.device)
        if factor is not None:
            self._tensors[0] = self._tensors[0] * factor

    @contextmanager
    def _kernel_mode(
        self, ops: Sequence[tuple[torch.Tensor, tuple[int, ...]]] = ()
    ) -> Iterator[None]:
        """Run the block on numpy views with the compiled kernels when nothing needs torch
        (CPU, no autograd, unbatched gates); otherwise on torch. The tensors share memory
        with their numpy views, so entering and leaving costs no copies."""
        fast = (
            MPS.use_kernels
            and site_updates.NUMPY is not None
            and self._updates is TORCH
            and self.device.type == "cpu"
            and not any(t.requires_grad for t in self._tensors)
            and not any(m.requires_grad or m.ndim != 2 for m, _ in ops)
        )
        if not fast:
            yield
            return
        self._tensors = [t.detach().resolve_conj().numpy() for t in self._tensors]
        self._updates = site_updates.NUMPY
        try:
            yield
        finally:
            self._tensors = [torch.from_numpy(t) for t in self._tensors]
            self._updates = TORCH

    #: walk a routed qubit back home when the bonds it crossed are at ``max_bond``. Off (the
    #: default, as in Aer): qubits stay where routing moved them. On: 2-4x slower on qft_29 at
    #: bond 64, but estimated fidelity 0.99 instead of 0.82 (a far-moved qubit entangles every
    #: cut it crossed, and each later truncation pays for it)
    walk_back_at_limit: bool = False

    #: use the compiled numpy kernels for circuits on the CPU without gradients (the torch
    #: path computes the same; tests switch this off to compare the two)
    use_kernels: bool = True

    def _apply_fused(self, ops: Iterable[tuple[torch.Tensor, tuple[int, ...]]]) -> None:
        """Apply a gate list through :class:`~qtwin.tensornet.schedule.GateScheduler`."""
        scheduler = GateScheduler(ops, self.dims)
        last_lo = 0
        while (item := scheduler.next(self.center or 0, self._site)) is not None:
            m, wires = item
            lo = min(self._site(q) for q in wires)
            ahead = scheduler.upcoming(_LOOKAHEAD)
            self._apply(m, wires, hint=lo - 1 if lo < last_lo else None, lookahead=ahead)
            last_lo = lo
        for q, m in scheduler.leftover_single_site().items():
            self._apply(m, (q,))

    def _apply(
        self,
        m: torch.Tensor,
        qubits: tuple[int, ...],
        hint: int | None = None,
        lookahead: Sequence[tuple[int, ...]] = (),
    ) -> None:
        """Apply ``m`` (little-endian over the logical ``qubits``); long-range gates first
        route their qubits next to each other and leave them there (``lookahead``: the qubits
        of the next gates, which decide the direction)."""
        up = self._updates
        if len(qubits) == 1:
            up.one_site(self._tensors, up.matrix(m), self._site(qubits[0]))
            return
        lo, walk = self._gather(qubits, lookahead)
        k = len(qubits)
        block = [self._qubit(lo + j) for j in range(k)]
        qarg_dims = [self._tensors[self._site(q)].shape[1] for q in qubits]
        g = permute_wires(m, qarg_dims, qubits, block[::-1])
        absorb_right = not (hint is not None and hint < lo)
        self._apply_contiguous(up.matrix(g), lo, k, absorb_right)
        if walk is not None and self.max_bond is not None and MPS.walk_back_at_limit:
            src, dst = walk
            lo_b, hi_b = min(src, dst), max(src, dst)
            if max(int(t.shape[2]) for t in self._tensors[lo_b:hi_b]) >= self.max_bond:
                self._move_site(dst, src)

    def _gather(
        self, qubits: Sequence[int], lookahead: Sequence[tuple[int, ...]]
    ) -> tuple[int, tuple[int, int] | None]:
        """Move the sites of ``qubits`` next to each other and return the first site of the
        block, and the ``(from, to)`` sites of a two-qubit walk (``None`` otherwise). Two
        qubits: the one whose move leaves the ``lookahead`` gates' qubits closer moves (ties:
        the one nearer the orthogonality centre). More: they pack around their median."""
        sites = sorted(self._site(q) for q in qubits)
        k = len(sites)
        if sites[-1] - sites[0] == k - 1:
            return sites[0], None
        if k == 2:
            a, b = sites
            down = self._route_cost(b, a + 1, lookahead)
            up = self._route_cost(a, b - 1, lookahead)
            if down == up:  # no preference from the gates ahead: walk the centre less
                c = self.center if self.center is not None else a
                down, up = abs(c - b), abs(c - a)
            if down <= up:
                self._move_site(b, a + 1)
                return a, (b, a + 1)
            self._move_site(a, b - 1)
            return b - 1, (a, b - 1)
        mid = k // 2
        anchor = sites[mid]
        for j in range(mid - 1, -1, -1):
            self._move_site(sites[j], anchor - (mid - j))
        for j in range(mid + 1, k):
            self._move_site(sites[j], anchor + (j - mid))
        return anchor - mid, None

    def _route_cost(self, src: int, dst: int, lookahead: Sequence[tuple[int, ...]]) -> float:
        r"""How far apart the next gates' qubits would be if site ``src`` moved to ``dst``:
        :math:`\sum_j \gamma^j (\text{span}_j - \text{size}_j)` over the lookahead (the swaps
        they would need, discounted by :math:`\gamma` per gate)."""
        cost, weight = 0.0, 1.0
        step = 1 if dst > src else -1
        lo, hi = min(src, dst), max(src, dst)
        for wires in lookahead:
            pos = []
            for q in wires:
                s = self._site(q)
                if s == src:
                    s = dst
                elif lo <= s <= hi:
                    s -= step
                pos.append(s)
            cost += weight * (max(pos) - min(pos) + 1 - len(pos))
            weight *= _LOOKAHEAD_DISCOUNT
        return cost

    def _move_site(self, src: int, dst: int) -> None:
        """Carry the contents of site ``src`` to site ``dst`` by neighbour swaps; the other
        sites in between shift by one towards ``src``, and the centre ends on ``dst``."""
        if src == dst:
            return
        self._move_center(src)  # the walker carries the centre
        weights = self._updates.walk(self._tensors, src, dst, self.max_bond, self.cutoff)
        for w in weights:
            if w:
                self._record_discarded(w)
        self.center = dst
        self._ensure_layout()
        assert self._qubit_at is not None and self._site_of is not None
        at = self._qubit_at
        if dst > src:
            at[src : dst + 1] = at[src + 1 : dst + 1] + [at[src]]
        else:
            at[dst : src + 1] = [at[src]] + at[dst:src]
        for site in range(min(src, dst), max(src, dst) + 1):
            self._site_of[at[site]] = site

    def _apply_contiguous(self, g: Any, lo: int, k: int, absorb_right: bool = True) -> None:
        """Apply ``g`` on sites ``lo .. lo+k-1``: a ``(D, D)`` matrix over the block's row-major
        index (site ``lo`` most significant), i.e. little-endian over the sites listed high to
        low, as :func:`~qtwin.circuits.gates.permute_wires` writes it."""
        if self.center is None or not (lo <= self.center < lo + k):
            self._move_center(lo if self.center is None or self.center < lo else lo + k - 1)
        w = self._updates.block(self._tensors, g, lo, k, absorb_right, self.max_bond, self.cutoff)
        self._record_discarded(w)
        self.center = lo + k - 1 if absorb_right else lo + k - 2

    # ------------------------------------------------------------------ layout (routing)
    def _site(self, qubit: int) -> int:
        return qubit if self._site_of is None else self._site_of[qubit]

    def _qubit(self, site: int) -> int:
        return site if self._qubit_at is None else self._qubit_at[site]

    def _ensure_layout(self) -> None:
        if self._qubit_at is None:
            self._qubit_at = list(range(self.num_sites))
            self._site_of = list(range(self.num_sites))

    def _sort_sites(self) -> None:
        """Restore the qubit order (site ``i`` holds qubit ``i``) by neighbour swaps; the
        number of swaps is the number of inversions of the layout."""
        if self._qubit_at is None:
            return
        if self._qubit_at != sorted(self._qubit_at):
            with self._kernel_mode():
                for q in range(self.num_sites):
                    self._move_site(self._site(q), q)
        self._qubit_at = self._site_of = None

    # ------------------------------------------------------------------ dense / norms
    def to_dense(self, *, max_bytes: int | None = None) -> torch.Tensor:
        """The full state vector (little-endian), refusing sizes that would not fit in memory.

        Args:
            max_bytes: the largest vector allowed, in bytes; default half the machine's RAM.
        """
        size = int(np.prod(self.dims, dtype=object))
        nbytes = size * self._tensors[0].element_size()
        limit = max_bytes if max_bytes is not None else _half_memory()
        if nbytes > limit:
            raise ValueError(
                f"to_dense would need {nbytes / 2**30:.3g} GiB for {size} amplitudes "
                f"({self.num_sites} sites), above the limit of {limit / 2**30:.3g} GiB; "
                "use expectation(), sample() or overlap() on the MPS instead"
            )
        psi = self._tensors[0]
        for t in self._tensors[1:]:
            psi = torch.tensordot(psi, t, dims=1)
        psi = psi.reshape([int(t.shape[1]) for t in self._tensors])
        return psi.permute([self._site(q) for q in reversed(range(self.num_sites))]).reshape(-1)

    def overlap(self, other: MPS) -> Number:
        """:math:`\\langle \\text{self} | \\text{other} \\rangle` by a transfer-matrix sweep, cost
        :math:`O(n \\chi^3 d)`.

        Example:
            >>> a = MPS.zeros(2); b = MPS.product_state([[0.6, 0.8], [1, 0]])
            >>> round(a.overlap(b).real, 12)
            0.6
        """
        if not isinstance(other, MPS):
            raise TypeError(f"other must be an MPS, got {type(other).__name__}")
        if other.dims != self.dims:
            raise ValueError(f"other has dims {_short(other.dims)}, self has {_short(self.dims)}")
        env = torch.ones(1, 1, dtype=self.dtype, device=self.device)
        for a, b in zip(self.tensors, other.tensors, strict=True):
            tmp = torch.tensordot(env, b.to(self.dtype), dims=([1], [0]))  # (a, s, d)
            env = torch.tensordot(a.conj(), tmp, dims=([0, 1], [0, 1]))
        return _out(env.reshape(()), complex)

    def norm(self) -> Number:
        """The 2-norm :math:`\\sqrt{\\langle\\psi|\\psi\\rangle}`."""
        return _out(self._norm_squared_tensor().sqrt(), float)

    def normalize(self) -> MPS:
        """Rescale to unit norm in place; returns ``self``."""
        self._move_center(self.center if self.center is not None else 0)
        c = self.center
        self._tensors[c] = self._tensors[c] / torch.linalg.vector_norm(self._tensors[c])
        return self

    # ------------------------------------------------------------------ observables
    def expectation(self, op: Any) -> Number:
        """Expectation value :math:`\\langle\\psi|O|\\psi\\rangle / \\langle\\psi|\\psi\\rangle`.

        Args:
            op: a Qiskit ``SparsePauliOp`` or ``Pauli`` on all qubits (Qiskit's label order:
                the rightmost letter acts on site 0), or local operators as one
                ``(matrix, sites)`` pair or a list of them (summed); matrices use the
                little-endian convention over their sites and may act on qudits.

        Returns:
            A complex number (take ``.real`` for Hermitian ``op``), or a torch tensor when the
            MPS carries autograd history.

        Example:
            >>> from qiskit.quantum_info import SparsePauliOp
            >>> psi = MPS.product_state([[1, 0], [2 ** -0.5, 2 ** -0.5]])
            >>> round(psi.expectation(SparsePauliOp(["XI", "IZ"], [0.5, 2.0])).real, 12)
            2.5
        """
        from qiskit.quantum_info import Pauli, SparsePauliOp

        self._sort_sites()  # the observables below read sites as qubits
        if isinstance(op, Pauli):
            op = SparsePauliOp(op)
        if isinstance(op, SparsePauliOp):
            return _out(pauli_expectation(self, op), complex)
        if isinstance(op, tuple) and len(op) == 2 and not isinstance(op[0], tuple):
            op = [op]
        if isinstance(op, (list, tuple)):
            return _out(local_expectation(self, op), complex)
        raise TypeError(
            "op must be a SparsePauliOp, a Pauli, or (matrix, sites) pairs; "
            f"got {type(op).__name__}"
        )

    def norm_squared(self) -> Number:
        """:math:`\\langle\\psi|\\psi\\rangle`, read off the orthogonality centre.

        A float, or a 0-dim torch tensor when the MPS carries autograd history.

        Example:
            >>> MPS.product_state([[3, 0], [0, 2]]).norm_squared()
            36.0
        """
        return _out(self._norm_squared_tensor(), float)

    def _norm_squared_tensor(self) -> torch.Tensor:
        self._move_center(self.center if self.center is not None else 0)
        return torch.sum(self._tensors[self.center].abs() ** 2)

    # ------------------------------------------------------------------ sampling
    def sample(self, shots: int, seed: int | np.random.Generator | None = None) -> np.ndarray:
        """Draw ``shots`` measurement outcomes in the computational basis by perfect sampling.

        Sites are sampled left to right from exact conditional probabilities; shots that share a
        prefix are drawn together with a multinomial, so peaked distributions cost little.

        Returns:
            An int array of shape ``(shots, num_sites)``; column ``i`` is the outcome on site ``i``.

        Example:
            >>> from qiskit import QuantumCircuit
            >>> qc = QuantumCircuit(30); _ = qc.h(0)
            >>> for i in range(29): _ = qc.cx(i, i + 1)
            >>> s = MPS.from_circuit(qc).sample(1000, seed=1)
            >>> set(s.sum(axis=1).tolist()) == {0, 30}
            True
        """
        shots = check_positive_int(shots, "shots")
        rng = as_generator(seed)
        with torch.no_grad():
            self._move_center(0)
            env = torch.ones(1, 1, dtype=self.dtype, device=self.device)
            counts = np.array([shots], dtype=np.int64)
            history = np.zeros((1, 0), dtype=np.int64)
            for a in self._tensors:
                v = torch.tensordot(env, a.detach(), dims=1)  # (G, d, chi_r)
                p = (v.abs() ** 2).sum(-1).to(torch.float64).cpu().numpy()
                p = np.clip(p, 0, None)
                p /= p.sum(axis=1, keepdims=True)
                draws = rng.multinomial(counts, p)  # (G, d)
                g_idx, d_idx = np.nonzero(draws)
                counts = draws[g_idx, d_idx]
                history = np.concatenate([history[g_idx], d_idx[:, None]], axis=1)
                gi = torch.as_tensor(g_idx, device=self.device)
                di = torch.as_tensor(d_idx, device=self.device)
                env = v[gi, di]
                env = env / torch.linalg.vector_norm(env, dim=1, keepdim=True)
        samples = np.repeat(history, counts, axis=0)[
            :, [self._site(q) for q in range(self.num_sites)]
        ]
        return samples[rng.permutation(shots)]

    def qubit_probabilities(self, site: int) -> torch.Tensor:
        r"""Born probabilities of the local outcomes of one qubit (or qudit), shape ``(d,)``.

        With the orthogonality centre on the qubit's site,
        :math:`p_s = \sum_{a b} |A_{a s b}|^2 / \sum_{a s b} |A_{a s b}|^2`.

        Example:
            >>> psi = MPS.product_state([[1, 0], [0.6, 0.8]])
            >>> psi.qubit_probabilities(1).round(decimals=12).tolist()
            [0.36, 0.64]
        """
        s = self._site(self.check_site(site, "site"))
        self._move_center(s)
        a = self._tensors[s].detach()
        p = (a.abs() ** 2).sum(dim=(0, 2)).to(torch.float64)
        return p / p.sum()

    def project(self, site: int, outcome: int) -> MPS:
        """Project one qubit (or qudit) onto the basis state ``|outcome>`` and renormalize, in
        place (a measurement that gave ``outcome``); returns ``self``.

        Raises:
            ValueError: ``outcome`` outside ``[0, d)`` or of zero probability.

        Example:
            >>> psi = MPS.from_dense(np.array([1, 0, 0, 1]) / np.sqrt(2))
            >>> psi.project(0, 1).to_dense().real.tolist()
            [0.0, 0.0, 0.0, 1.0]
        """
        q = self.check_site(site, "site")
        s = self._site(q)
        d = int(self._tensors[s].shape[1])
        if isinstance(outcome, bool) or not isinstance(outcome, (int, np.integer)):
            raise ValueError(f"outcome must be an integer in [0, {d - 1}], got {outcome!r}")
        if not 0 <= outcome < d:
            raise ValueError(f"outcome must be in [0, {d - 1}] for site {q}, got {outcome}")
        self._move_center(s)
        a = self._tensors[s]
        kept = torch.zeros_like(a)
        kept[:, int(outcome), :] = a[:, int(outcome), :]
        norm = torch.linalg.vector_norm(kept)
        total = torch.linalg.vector_norm(a)
        if float(norm) <= 1e-12 * float(total):
            raise ValueError(
                f"outcome {outcome} on site {q} has probability "
                f"{float(norm / total) ** 2:.3g}; cannot project onto it"
            )
        self._tensors[s] = kept / norm
        return self

    def probabilities_of(self, outcomes: np.ndarray) -> np.ndarray:
        """Born probabilities :math:`|\\langle s|\\psi\\rangle|^2 / \\langle\\psi|\\psi\\rangle`
        of the given outcome rows (shape ``(k, num_sites)``, entry ``j`` in ``[0, dims[j])``).

        Raises:
            ValueError: rows of the wrong length, or an outcome outside its qubit's range.
            TypeError: outcomes that are not integers.
        """
        outcomes = _check_outcomes(outcomes, self.dims)
        with torch.no_grad():
            amp = torch.ones(outcomes.shape[0], 1, dtype=self.dtype, device=self.device)
            for i, a in enumerate(self._tensors):
                idx = torch.as_tensor(outcomes[:, self._qubit(i)], device=self.device)
                amp = torch.einsum("ka,kab->kb", amp, a.detach()[:, idx].permute(1, 0, 2))
            p = (amp.abs() ** 2).reshape(-1) / self._norm_squared_tensor().detach()
        return p.to(torch.float64).cpu().numpy()

    # ------------------------------------------------------------------ entanglement
    def schmidt_values(self, cut: int) -> torch.Tensor:
        """Normalized Schmidt coefficients across the bond after the first ``cut`` sites."""
        cut = self._check_cut(cut)
        self._sort_sites()
        self._move_center(cut - 1)
        a = self.tensors[cut - 1]
        _, s, _ = svd(a.reshape(-1, a.shape[2]))
        return s / torch.linalg.vector_norm(s)

    def entropy(self, cut: int, alpha: float = 1.0, base: float = math.e) -> float:
        """Entanglement entropy between sites ``[0, cut)`` and ``[cut, n)``.

        Von Neumann for ``alpha = 1``: :math:`S = -\\sum_k p_k \\log p_k`; Rényi otherwise:
        :math:`S_\\alpha = \\log(\\sum_k p_k^\\alpha) / (1 - \\alpha)`, with
        :math:`p_k = s_k^2` the squared Schmidt values and the logarithm in ``base``
        (``math.e`` for nats, 2 for bits). ``alpha = 0`` is the log of the Schmidt rank,
        ``alpha = inf`` the min-entropy.

        Example:
            >>> psi = MPS.from_dense(np.array([1, 0, 0, 1]) / np.sqrt(2))
            >>> psi.entropy(1, base=2), psi.entropy(1, alpha=2, base=2)
            (1.0, 1.0)
        """
        p = (self.schmidt_values(cut).detach() ** 2).to(torch.float64).cpu().numpy()
        return renyi_entropy(p, alpha, base)

    def entropy_profile(self, alpha: float = 1.0, base: float = math.e) -> np.ndarray:
        """Entropy at every cut ``1 .. num_sites - 1`` in one left-to-right SVD sweep."""
        check_entropy_args(alpha, base)
        out = []
        with torch.no_grad():
            self._sort_sites()
            self._move_center(0)
            carry = self.tensors[0].detach()  # the centre, moved right on local copies only
            for c in range(self.num_sites - 1):
                _, s, vh = svd(carry.reshape(-1, carry.shape[2]))
                p = (s / torch.linalg.vector_norm(s)) ** 2
                out.append(renyi_entropy(p.to(torch.float64).cpu().numpy(), alpha, base))
                sv = s.to(vh.dtype).unsqueeze(-1) * vh
                carry = torch.tensordot(sv, self.tensors[c + 1].detach(), dims=1)
        return np.asarray(out)

    # ------------------------------------------------------------------ helpers
    def check_site(self, s: object, name: str = "site") -> int:
        """Return ``s`` as an int if it is a qubit (site) index in ``[0, num_sites)``; raise
        ``ValueError`` naming ``name`` otherwise (booleans and non-integers included).

        Example:
            >>> MPS.zeros(3).check_site(2)
            2
        """
        return check_index(s, name, self.num_sites, what="a site index")

    def _check_cut(self, cut: object) -> int:
        return check_index(
            cut, "cut", self.num_sites, low=1, what="a number of sites left of the cut"
        )


# ---------------------------------------------------------------------- module helpers
_SWAP = torch.eye(4, dtype=torch.complex128)[[0, 2, 1, 3]]
# routing looks this many multi-qubit gates ahead, each one counting this much less than the
# one before (measured on QFT, adders and random long-range CX: 4-8 gates, 0.7 are best)
_LOOKAHEAD = 6
_LOOKAHEAD_DISCOUNT = 0.7


def _absorb_swaps(
    ops: Sequence[tuple[torch.Tensor, tuple[int, ...]]], dims: Sequence[int]
) -> tuple[list[tuple[torch.Tensor, tuple[int, ...]]], list[int] | None]:
    """Turn the circuit's SWAP gates into a relabelling of the wires that follow them.

    Returns the gate list without its SWAPs, the later gates renamed, and ``wire_of`` with
    ``wire_of[q]`` the wire that holds qubit ``q`` at the end (``None`` if there was no SWAP).
    Exact, and free: a SWAP costs an SVD on an MPS, a relabelling nothing.
    """
    wire_of = list(range(len(dims)))
    out, swapped = [], False
    reference: dict[tuple[torch.dtype, torch.device], torch.Tensor] = {}  # SWAP, converted once

    def is_swap(m: torch.Tensor, wires: tuple[int, ...]) -> bool:
        if len(wires) != 2 or m.shape != (4, 4) or m.requires_grad:
            return False
        if not dims[wires[0]] == dims[wires[1]] == 2:
            return False
        key = (m.dtype, m.device)
        if key not in reference:
            reference[key] = _SWAP.to(dtype=m.dtype, device=m.device)
        return torch.equal(m, reference[key])

    for m, wires in ops:
        if is_swap(m, wires):
            a, b = wires
            wire_of[a], wire_of[b] = wire_of[b], wire_of[a]
            swapped = True
            continue
        out.append((m, tuple(wire_of[w] for w in wires)) if swapped else (m, wires))
    return out, (wire_of if swapped else None)


def _numeric_array(value: Any, name: str) -> np.ndarray:
    """``np.asarray(value)``, refusing text, objects and other non-numbers with a TypeError."""
    try:
        arr = np.asarray(value)
    except (TypeError, ValueError) as exc:
        raise TypeError(f"{name} must be an array of numbers, got {value!r} ({exc})") from None
    if arr.dtype.kind not in "biufc":
        raise TypeError(f"{name} must be an array of numbers, got {value!r}")
    return arr


def _check_outcomes(outcomes: Any, dims: tuple[int, ...]) -> np.ndarray:
    """Outcome rows as an ``(k, n)`` int64 array with entry ``j`` in ``[0, dims[j])``."""
    arr = np.atleast_2d(_numeric_array(outcomes, "outcomes"))
    if arr.dtype.kind not in "biu" and not (
        arr.dtype.kind == "f" and np.all(np.isfinite(arr)) and np.all(arr == np.round(arr))
    ):
        raise TypeError(f"outcomes must be integers, got dtype {arr.dtype}")
    if arr.ndim != 2 or arr.shape[1] != len(dims):
        raise ValueError(
            f"outcomes must have shape (k, {len(dims)}) (one column per qubit), "
            f"got shape {arr.shape}"
        )
    arr = arr.astype(np.int64)
    high = np.asarray(dims)
    bad = (arr < 0) | (arr >= high)
    if bad.any():
        row, col = map(int, np.argwhere(bad)[0])
        raise ValueError(
            f"outcomes[{row}, {col}] = {arr[row, col]} is outside [0, {high[col] - 1}] "
            f"(qubit {col} has dimension {high[col]})"
        )
    return arr


def _check_truncation(max_bond: Any, cutoff: Any) -> tuple[int | None, float]:
    if max_bond is not None:
        max_bond = check_positive_int(max_bond, "max_bond")
    return max_bond, check_nonnegative_float(cutoff, "cutoff")


def _check_dtype(dtype: Any) -> None:
    if dtype not in (torch.complex64, torch.complex128):
        raise ValueError(f"dtype must be torch.complex128 or torch.complex64, got {dtype}")


def _dims_for_length(dims: int | Sequence[int], length: int) -> tuple[int, ...]:
    if isinstance(dims, (int, np.integer)):
        d = check_dims(dims)[0]
        n = round(math.log(length, d)) if length > 1 else 0
        if n < 1 or d**n != length:
            raise ValueError(f"psi has length {length}, which is not a power of dims={d}")
        return (d,) * n
    dims = check_dims(dims)
    if int(np.prod(dims)) != length:
        raise ValueError(f"psi has length {length} but prod(dims) = {int(np.prod(dims))}")
    return dims


def _half_memory() -> int:
    try:
        return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") // 2
    except (ValueError, OSError, AttributeError):  # pragma: no cover - non-POSIX
        return 8 * 2**30


def _out(x: Any, kind: type) -> Number:
    if isinstance(x, torch.Tensor) and not x.requires_grad:
        return kind(x.item())
    return x


def _short(dims: tuple[int, ...]) -> str:
    if len(set(dims)) == 1:
        return f"{dims[0]}^{len(dims)}"
    return str(dims)
