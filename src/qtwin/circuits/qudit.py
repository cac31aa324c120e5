r"""Qudit circuits: a gate list over wires with a local dimension each.

A :class:`QuditCircuit` is the qudit counterpart of a Qiskit ``QuantumCircuit``: an
ordered list of :class:`QuditGate` s, each a unitary matrix on a few wires. The
simulators (:class:`qtwin.tensornet.MPS`) and the designs / RB modules consume it.

Ordering convention (the same as Qiskit's, for every local dimension):

* a gate matrix on ``wires = (w_0, w_1, ..., w_{k-1})`` is little-endian over ``wires``:
  the basis state :math:`|i_0, \dots, i_{k-1}\rangle` has index
  :math:`i_0 + d_{w_0} (i_1 + d_{w_1}(i_2 + \dots))`, so ``w_0`` is the least significant;
* a circuit's dense matrix is little-endian over all wires: wire 0 is the least
  significant, e.g. a gate ``U`` on wire 0 of ``QuditCircuit([3, 5])`` is
  :math:`I_5 \otimes U`.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from qtwin._typing import TensorLike
from qtwin._validation import check_dims, check_finite, check_positive_int, check_unitary
from qtwin.circuits import qudit_gates

if TYPE_CHECKING:
    from qiskit import QuantumCircuit

__all__ = ["QuditGate", "QuditCircuit", "MAX_DENSE_DIM"]

#: Largest total dimension :meth:`QuditCircuit.to_matrix` builds by default
#: (a 4096 x 4096 complex matrix is 256 MiB).
MAX_DENSE_DIM = 2**12


@dataclass(frozen=True, eq=False)
class QuditGate:
    r"""One gate of a :class:`QuditCircuit`: a unitary on ``wires``, little-endian over them.

    Attributes:
        matrix: ``complex128`` array of shape ``(D, D)`` with ``D = prod(dims[w] for w in
            wires)``; read-only.
        wires: the wires it acts on; ``wires[0]`` is the least significant matrix index.
        name: a label (``"x"``, ``"csum"``, ``"unitary"``, ...).

    Example:
        >>> g = QuditGate(np.eye(3, dtype=complex), (0,), "id")
        >>> g.num_wires, g.matrix.shape
        (1, (3, 3))
    """

    matrix: np.ndarray
    wires: tuple[int, ...]
    name: str

    @property
    def num_wires(self) -> int:
        """Number of wires the gate acts on."""
        return len(self.wires)

    def __repr__(self) -> str:
        return f"QuditGate(name={self.name!r}, wires={self.wires}, dim={self.matrix.shape[0]})"


def _readonly(matrix: np.ndarray) -> np.ndarray:
    out = np.array(matrix, dtype=np.complex128, copy=True)
    out.setflags(write=False)
    return out


class QuditCircuit:
    r"""An ordered list of unitary gates on qudits with (possibly mixed) local dimensions.

    Args:
        dims: the local dimension of every wire (a sequence), or one dimension shared by
            ``num_qudits`` wires (an int).
        num_qudits: number of wires; required when ``dims`` is an int, and must equal
            ``len(dims)`` when given with a sequence.

    Attributes:
        dims: tuple of local dimensions, one per wire.
        num_qudits: number of wires.
        gates: list of :class:`QuditGate`, in application order.

    Example:
        >>> qc = QuditCircuit(3, 2)          # two qutrits
        >>> _ = qc.f(0).csum(0, 1)           # a qutrit Bell-state preparation
        >>> psi = qc.to_matrix()[:, 0]       # column of |00>
        >>> np.round(np.abs(psi) ** 2, 3)    # |00>, |11>, |22> at indices 0, 4, 8
        array([0.333, 0.   , 0.   , 0.   , 0.333, 0.   , 0.   , 0.   , 0.333])
    """

    def __init__(self, dims: int | Sequence[int], num_qudits: int | None = None) -> None:
        if isinstance(dims, (int, np.integer)) and not isinstance(dims, bool):
            if num_qudits is None:
                raise ValueError(
                    "num_qudits is required when dims is an int "
                    "(e.g. QuditCircuit(3, 4) is four qutrits)"
                )
            n = check_positive_int(num_qudits, "num_qudits")
            self._dims = check_dims([int(dims)] * n)
        else:
            self._dims = check_dims(dims)
            if num_qudits is not None:
                n = check_positive_int(num_qudits, "num_qudits")
                if n != len(self._dims):
                    raise ValueError(
                        f"num_qudits must equal len(dims) = {len(self._dims)}, got {n}"
                    )
        self.gates: list[QuditGate] = []

    # -- basic properties ----------------------------------------------------------------
    @property
    def dims(self) -> tuple[int, ...]:
        """Local dimension of each wire."""
        return self._dims

    @property
    def num_qudits(self) -> int:
        """Number of wires."""
        return len(self._dims)

    @property
    def dim(self) -> int:
        """Total Hilbert-space dimension ``prod(dims)``."""
        return math.prod(self._dims)

    def __len__(self) -> int:
        return len(self.gates)

    def __iter__(self) -> Iterator[QuditGate]:
        return iter(self.gates)

    def __repr__(self) -> str:
        return f"QuditCircuit(dims={self._dims}, num_gates={len(self.gates)}, depth={self.depth()})"

    def depth(self) -> int:
        """Number of layers when every gate is placed as early as its wires allow.

        Example:
            >>> QuditCircuit(3, 3).x(0).x(1).csum(0, 1).z(2).depth()
            2
        """
        level = [0] * self.num_qudits
        for gate in self.gates:
            top = 1 + max(level[w] for w in gate.wires)
            for w in gate.wires:
                level[w] = top
        return max(level, default=0)

    # -- building ------------------------------------------------------------------------
    def _check_wires(self, wires: int | Sequence[int], name: str = "wires") -> tuple[int, ...]:
        if isinstance(wires, (int, np.integer)) and not isinstance(wires, bool):
            wires = (int(wires),)
        try:
            out = tuple(wires)
        except TypeError:
            raise TypeError(f"{name} must be an int or a sequence of ints, got {wires!r}") from None
        if not out:
            raise ValueError(f"{name} must name at least one wire")
        for w in out:
            if isinstance(w, bool) or not isinstance(w, (int, np.integer)):
                raise TypeError(f"{name} must hold ints, got {w!r}")
            if not 0 <= w < self.num_qudits:
                raise ValueError(
                    f"{name} must be wires in 0..{self.num_qudits - 1}, got {w} in {out}"
                )
        if len(set(out)) != len(out):
            raise ValueError(f"{name} must be distinct, got {out}")
        return tuple(int(w) for w in out)

    def append(
        self, matrix: TensorLike, wires: int | Sequence[int], name: str | None = None
    ) -> QuditCircuit:
        r"""Append a unitary ``matrix`` on ``wires`` (little-endian over ``wires``).

        Args:
            matrix: square unitary of size ``prod(dims[w] for w in wires)``; numpy array,
                torch tensor or nested lists.
            wires: a wire or a sequence of distinct wires in ``0..num_qudits-1``.
            name: label of the gate; ``"unitary"`` when omitted.

        Returns:
            ``self``, so calls chain.

        Raises:
            ValueError: for a non-square, non-finite or non-unitary matrix, a size that does
                not match the wires' dimensions, or repeated / out-of-range wires.

        Example:
            >>> qc = QuditCircuit([2, 3])
            >>> len(qc.append(np.eye(6), [0, 1], name="id"))
            1
        """
        wires = self._check_wires(wires)
        if hasattr(matrix, "detach"):  # torch tensor
            matrix = matrix.detach().cpu().numpy()
        m = np.asarray(matrix)
        if m.ndim != 2 or m.shape[0] != m.shape[1]:
            raise ValueError(f"matrix must be a square 2-D array, got shape {m.shape}")
        if m.dtype.kind not in "biufc":
            raise TypeError(f"matrix must hold numbers, got dtype {m.dtype}")
        check_finite(m, "matrix")
        expected = math.prod(self._dims[w] for w in wires)
        if m.shape[0] != expected:
            dims = tuple(self._dims[w] for w in wires)
            raise ValueError(
                f"matrix must be {expected} x {expected} (the product of dims {dims} of "
                f"wires {wires}), got shape {m.shape}"
            )
        check_unitary(m, "matrix")
        if name is not None and not isinstance(name, str):
            raise TypeError(f"name must be a string or None, got {name!r}")
        self.gates.append(QuditGate(_readonly(m), wires, name or "unitary"))
        return self

    def unitary(
        self, matrix: TensorLike, wires: int | Sequence[int], name: str = "unitary"
    ) -> QuditCircuit:
        """Append an arbitrary unitary; the same as :meth:`append`."""
        return self.append(matrix, wires, name=name)

    def x(self, wire: int, power: int = 1) -> QuditCircuit:
        r"""Append the shift :math:`X^p|j\rangle = |j+p \bmod d\rangle`."""
        (w,) = self._check_wires(wire, "wire")
        return self.append(
            qudit_gates.shift(self._dims[w], power), (w,), "x" if power == 1 else f"x^{power}"
        )

    def z(self, wire: int, power: int = 1) -> QuditCircuit:
        r"""Append the clock :math:`Z^p|j\rangle = \omega^{pj}|j\rangle`."""
        (w,) = self._check_wires(wire, "wire")
        return self.append(
            qudit_gates.clock(self._dims[w], power), (w,), "z" if power == 1 else f"z^{power}"
        )

    def f(self, wire: int) -> QuditCircuit:
        """Append the Fourier gate (:func:`.qudit_gates.fourier`)."""
        (w,) = self._check_wires(wire, "wire")
        return self.append(qudit_gates.fourier(self._dims[w]), (w,), "f")

    def csum(self, control: int, target: int) -> QuditCircuit:
        r"""Append CSUM :math:`|a, b\rangle \mapsto |a, b + a \bmod d_t\rangle`."""
        wires = self._check_wires((control, target), "(control, target)")
        d_c, d_t = (self._dims[w] for w in wires)
        return self.append(qudit_gates.csum(d_c, d_t), wires, "csum")

    def displacement(self, wire: int, a: int, b: int) -> QuditCircuit:
        r"""Append the Weyl–Heisenberg displacement :math:`D(a, b) = \tau^{ab} X^a Z^b`."""
        (w,) = self._check_wires(wire, "wire")
        return self.append(qudit_gates.displacement(self._dims[w], a, b), (w,), f"D({a},{b})")

    def rotation(self, wire: int, j: int, k: int, theta: float, phi: float = 0.0) -> QuditCircuit:
        r"""Append the Givens rotation :math:`R_{jk}(\theta, \phi)` between levels j and k."""
        (w,) = self._check_wires(wire, "wire")
        return self.append(qudit_gates.rotation(self._dims[w], j, k, theta, phi), (w,), "r")

    # -- whole-circuit operations ------------------------------------------------------
    def copy(self) -> QuditCircuit:
        """A new circuit with the same dims and gates (gates are immutable, so shared)."""
        out = QuditCircuit(self._dims)
        out.gates = list(self.gates)
        return out

    def inverse(self) -> QuditCircuit:
        r"""The inverse circuit: gates reversed, each replaced by its adjoint.

        Example:
            >>> qc = QuditCircuit([3, 4]).f(0).csum(0, 1).z(1)
            >>> np.allclose(qc.compose(qc.inverse()).to_matrix(), np.eye(12))
            True
        """
        out = QuditCircuit(self._dims)
        for g in reversed(self.gates):
            name = g.name[:-3] if g.name.endswith("_dg") else g.name + "_dg"
            out.gates.append(QuditGate(_readonly(g.matrix.conj().T), g.wires, name))
        return out

    def compose(self, other: QuditCircuit, wires: Sequence[int] | None = None) -> QuditCircuit:
        """A new circuit: ``self`` followed by ``other``.

        Args:
            other: the circuit to append.
            wires: where ``other``'s wire ``i`` lands (``wires[i]``); the identity map when
                omitted (then ``other.dims`` must equal ``self.dims``). Dimensions must match.

        Example:
            >>> big = QuditCircuit([2, 3, 5])
            >>> len(big.compose(QuditCircuit([5, 3]).csum(1, 0), wires=[2, 1]))
            1
        """
        if not isinstance(other, QuditCircuit):
            raise TypeError(f"other must be a QuditCircuit, got {type(other).__name__}")
        if wires is None:
            if other.dims != self._dims:
                raise ValueError(
                    f"other.dims {other.dims} must equal self.dims {self._dims} "
                    "when wires is omitted"
                )
            mapping = tuple(range(self.num_qudits))
        else:
            mapping = self._check_wires(wires)
            if len(mapping) != other.num_qudits:
                raise ValueError(
                    f"wires must name {other.num_qudits} wires (one per wire of other), "
                    f"got {len(mapping)}"
                )
            for i, w in enumerate(mapping):
                if self._dims[w] != other.dims[i]:
                    raise ValueError(
                        f"wire {i} of other has dimension {other.dims[i]} but wires[{i}] = {w} "
                        f"has dimension {self._dims[w]}"
                    )
        out = self.copy()
        for g in other.gates:
            out.gates.append(QuditGate(g.matrix, tuple(mapping[w] for w in g.wires), g.name))
        return out

    def to_matrix(self, max_dim: int = MAX_DENSE_DIM) -> np.ndarray:
        r"""The dense unitary of the whole circuit, little-endian over the wires.

        Args:
            max_dim: refuse circuits whose total dimension ``prod(dims)`` exceeds this.

        Raises:
            ValueError: when ``prod(dims) > max_dim``; simulate with
                :class:`qtwin.tensornet.MPS` instead.

        Example:
            >>> np.allclose(QuditCircuit([3, 5]).x(0).to_matrix(),
            ...             np.kron(np.eye(5), qudit_gates.shift(3)))
            True
        """
        dim = self.dim
        max_dim = check_positive_int(max_dim, "max_dim")
        if dim > max_dim:
            raise ValueError(
                f"the circuit's dimension prod(dims) = {dim} exceeds max_dim = {max_dim}; "
                "pass a larger max_dim or simulate with qtwin.tensornet.MPS"
            )
        n = self.num_qudits
        # axis a of the tensor holds wire n-1-a (C order: the last wire is most significant)
        op = np.eye(dim, dtype=np.complex128).reshape(self._dims[::-1] + (dim,))
        for g in self.gates:
            k = len(g.wires)
            gdims = tuple(self._dims[w] for w in reversed(g.wires))
            gt = g.matrix.reshape(gdims + gdims)
            axes = [n - 1 - w for w in reversed(g.wires)]
            op = np.tensordot(gt, op, axes=(list(range(k, 2 * k)), axes))
            op = np.moveaxis(op, list(range(k)), axes)
        return op.reshape(dim, dim)

    # -- Qiskit interop -------------------------------------------------------------------
    def to_qiskit(self) -> QuantumCircuit:
        """A Qiskit circuit with one ``UnitaryGate`` per gate; needs every dimension to be 2.

        Example:
            >>> from qiskit.quantum_info import Operator
            >>> qc = QuditCircuit(2, 2).f(0).csum(0, 1)
            >>> np.allclose(Operator(qc.to_qiskit()).data, qc.to_matrix())
            True
        """
        from qiskit import QuantumCircuit
        from qiskit.circuit.library import UnitaryGate

        if any(d != 2 for d in self._dims):
            raise ValueError(
                f"to_qiskit needs every dimension to be 2 (qubits), got dims {self._dims}"
            )
        qc = QuantumCircuit(self.num_qudits)
        for g in self.gates:
            qc.append(UnitaryGate(g.matrix, label=g.name, check_input=False), list(g.wires))
        return qc

    @classmethod
    def from_qiskit(cls, qc: QuantumCircuit) -> QuditCircuit:
        """A qubit :class:`QuditCircuit` (all dims 2) with one gate per Qiskit instruction.

        Barriers are skipped; the circuit's global phase is folded into the first gate.
        Measurements, resets, control flow and unbound parameters are refused.

        Example:
            >>> from qiskit import QuantumCircuit
            >>> from qiskit.quantum_info import Operator
            >>> bell = QuantumCircuit(2); _ = bell.h(0); _ = bell.cx(0, 1)
            >>> np.allclose(QuditCircuit.from_qiskit(bell).to_matrix(), Operator(bell).data)
            True
        """
        from qiskit import QuantumCircuit
        from qiskit.quantum_info import Operator

        if not isinstance(qc, QuantumCircuit):
            raise TypeError(f"qc must be a qiskit QuantumCircuit, got {type(qc).__name__}")
        if qc.num_qubits < 1:
            raise ValueError("qc must have at least one qubit")
        if qc.parameters:
            raise ValueError(
                f"qc has unbound parameters {sorted(p.name for p in qc.parameters)}; "
                "bind them with qc.assign_parameters first"
            )
        out = cls(2, qc.num_qubits)
        for inst in qc.data:
            op = inst.operation
            if op.name == "barrier":
                continue
            if op.name in ("measure", "reset") or inst.clbits:
                raise ValueError(
                    f"qc holds a non-unitary instruction {op.name!r}; remove measurements "
                    "(qtwin.circuits.convert.strip_final_measurements) and resets first"
                )
            try:
                matrix = Operator(op).data
            except Exception as exc:
                raise ValueError(f"instruction {op.name!r} has no matrix: {exc}") from None
            out.append(matrix, [qc.find_bit(q).index for q in inst.qubits], name=op.name)
        phase = float(qc.global_phase)
        if phase != 0.0:
            factor = np.exp(1j * phase)
            if out.gates:
                g = out.gates[0]
                out.gates[0] = QuditGate(_readonly(factor * g.matrix), g.wires, g.name)
            else:
                out.append(factor * np.eye(2), [0], name="global_phase")
        return out
