r"""Variational-circuit blocks for sequence models, batched over samples on the shared engine.

A block circuit ("VQC") on :math:`n` qubits is

.. math::

    |\psi(x, W)\rangle = \prod_{l=1}^{L} \big[ R(W_l)\, E \big]\; S(x)\, H^{\otimes n} |0\rangle,
    \qquad f_i(x, W) = \langle\psi| Z_i |\psi\rangle, \quad i < k,

with

* ``H^{\otimes n}`` then the **encoding** :math:`S(x)`, one value per qubit on the first
  ``len(x)`` qubits: ``"ry"`` is :math:`R_Y(x_i)` (Chen's fast-weight programmer) and
  ``"arctan"`` is :math:`R_Z(\arctan x_i^2) R_Y(\arctan x_i)` (Chen's QLSTM/QRNN block);
* an **entangling layer** :math:`E` of CNOTs: ``"brick"`` is CNOT on pairs (0,1), (2,3), ...
  then (1,2), (3,4), ... (Chen's QFWP); ``"ring"`` is CNOT(i, i+1 mod n) for every i;
  ``"ring2"`` is ``"ring"`` followed by CNOT(i, i+2 mod n) (Chen's ``more_entangle``);
* a **rotation layer** :math:`R(W_l)`: ``"ry"`` (one angle per qubit) or ``"rot"``
  (PennyLane's :math:`\mathrm{Rot}(\phi,\theta,\omega) = R_Z(\omega) R_Y(\theta) R_Z(\phi)`,
  three angles per qubit);
* the **readout** :math:`\langle Z_i\rangle` on the first ``k`` qubits.

The weights may carry a leading batch axis (one parameter set per sample), which is how the
fast weights :math:`W_t` of :class:`qtwin.qml.QFWP` differ between the sequences of a batch.
``num_circuits`` independent circuits with the same layout (e.g. the four gates of a QLSTM)
are stacked into one batch of ``num_circuits * B`` states and run in one pass.

The encoded state :math:`S(x) H^{\otimes n}|0\rangle` is a product state: it is built as the
Kronecker product of the single-qubit states :math:`R(x_i) H |0\rangle` (gate matrices from
:func:`qtwin.circuits.gates.gate_matrix`) and handed to :class:`qtwin.tensornet.Statevector`
as its initial data; each entangling layer is one fixed permutation matrix on all qubits.

Example:
    >>> import torch
    >>> vqc = VQC(3, 2, num_inputs=2, num_outputs=2, seed=0)
    >>> vqc(torch.zeros(5, 2, dtype=torch.float64)).shape
    torch.Size([5, 2])
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache
from typing import Any

import numpy as np
import torch
from numpy.typing import ArrayLike

from qtwin._validation import as_generator, check_choice, check_finite, check_positive_int
from qtwin.circuits.gates import batched_kron, gate_matrix
from qtwin.tensornet import Statevector

__all__ = [
    "ENCODINGS",
    "ENTANGLERS",
    "ROTATIONS",
    "VQC",
    "encode_product_state",
    "entangling_pairs",
    "entangling_matrix",
    "apply_rotation_layer",
    "z_expectations",
    "vqc_expectations",
    "init_weights",
    "circuit_unitary",
    "cached_unitaries",
    "check_inputs",
]

ENCODINGS = ("ry", "arctan")
ENTANGLERS = ("brick", "ring", "ring2", "none")
ROTATIONS = ("ry", "rot")

_ANGLES = {"ry": 1, "rot": 3}


def entangling_pairs(num_qubits: int, kind: str) -> list[tuple[int, int]]:
    """CNOT (control, target) pairs of one entangling layer, in the order applied.

    Example:
        >>> entangling_pairs(4, "brick")
        [(0, 1), (2, 3), (1, 2)]
        >>> entangling_pairs(3, "ring")
        [(0, 1), (1, 2), (2, 0)]
    """
    n = check_positive_int(num_qubits, "num_qubits")
    check_choice(kind, "entangler", ENTANGLERS)
    if kind == "none" or n == 1:
        return []
    if kind == "brick":
        return [(i, i + 1) for i in range(0, n - 1, 2)] + [(i, i + 1) for i in range(1, n - 1, 2)]
    if n == 2:
        return [(0, 1)] if kind == "ring" else [(0, 1), (1, 0)]
    ring = [(i, (i + 1) % n) for i in range(n)]
    if kind == "ring":
        return ring
    return ring + [(i, (i + 2) % n) for i in range(n) if (i + 2) % n != i]


@lru_cache(maxsize=64)
def _permutation(num_qubits: int, kind: str) -> np.ndarray:
    idx = np.arange(2**num_qubits)
    for c, t in entangling_pairs(num_qubits, kind):
        idx = np.where((idx >> c) & 1, idx ^ (1 << t), idx)  # new basis index of each input
    return idx


def entangling_matrix(
    num_qubits: int, kind: str, *, dtype: torch.dtype = torch.complex128
) -> torch.Tensor:
    r"""The whole entangling layer as one ``(2^n, 2^n)`` permutation matrix (little-endian).

    Example:
        >>> entangling_matrix(2, "ring").real.int().tolist()  # CNOT, control qubit 0
        [[1, 0, 0, 0], [0, 0, 0, 1], [0, 0, 1, 0], [0, 1, 0, 0]]
    """
    perm = _permutation(check_positive_int(num_qubits, "num_qubits"), kind)
    m = torch.zeros(len(perm), len(perm), dtype=dtype)
    m[torch.as_tensor(perm), torch.arange(len(perm))] = 1
    return m


def _real(dtype: torch.dtype) -> torch.dtype:
    return torch.float32 if dtype in (torch.complex64, torch.float32) else torch.float64


def encode_product_state(
    x: torch.Tensor, num_qubits: int, encoding: str = "ry", *, dtype: torch.dtype = torch.complex128
) -> Statevector:
    r"""The batch of product states :math:`S(x) H^{\otimes n}|0\rangle`, one per row of ``x``.

    Args:
        x: shape ``(B, m)`` with ``m <= num_qubits``; value ``i`` goes on qubit ``i``.
        num_qubits: number of qubits ``n``.
        encoding: ``"ry"`` or ``"arctan"`` (see the module docstring).
        dtype: complex dtype of the state.

    Returns:
        A :class:`~qtwin.tensornet.Statevector` with batch ``B``.

    Example:
        >>> import torch, math
        >>> sv = encode_product_state(torch.tensor([[-math.pi / 2]]), 1)
        >>> z_expectations(sv, 1).round(decimals=12).tolist()  # RY(-pi/2) H|0> = |0>
        [[1.0]]
    """
    check_choice(encoding, "encoding", ENCODINGS)
    if not dtype.is_complex and encoding != "ry":
        raise ValueError("a real dtype needs encoding='ry' (the arctan encoding has RZ)")
    cdtype = torch.complex64 if dtype in (torch.float32, torch.complex64) else torch.complex128
    b, m = x.shape
    plus = torch.full((2,), 2**-0.5, dtype=dtype, device=x.device)
    if encoding == "ry":  # all qubits' matrices in one batched call, (B, m, 2, 2)
        u = gate_matrix("ry", [x], dtype=cdtype)
    else:
        u = gate_matrix("rz", [torch.arctan(x**2)], dtype=cdtype) @ gate_matrix(
            "ry", [torch.arctan(x)], dtype=cdtype
        )
    vecs = (u.real if not dtype.is_complex else u) @ plus  # (B, m, 2)
    state = torch.ones(b, 1, dtype=dtype, device=x.device)
    for q in range(num_qubits):
        v = vecs[:, q] if q < m else plus.expand(b, 2)
        # qubit q is the next more significant bit
        state = (v[:, :, None] * state[:, None, :]).reshape(b, -1)
    return Statevector(state, [2] * num_qubits)


def _rotation_matrices(angles: torch.Tensor, rotation: str, dtype: torch.dtype) -> torch.Tensor:
    """All qubits' ``2 x 2`` matrices at once, shape ``(..., n, 2, 2)`` (real part for a real
    ``dtype``): one call of :func:`~qtwin.circuits.gates.gate_matrix` batched over the qubits."""
    cdtype = torch.complex64 if dtype in (torch.float32, torch.complex64) else torch.complex128
    if rotation == "ry":
        m = gate_matrix("ry", [angles], dtype=cdtype)
    else:
        m = gate_matrix("u", [angles[..., 1], angles[..., 2], angles[..., 0]], dtype=cdtype)
    return m.real if not dtype.is_complex else m


def _layer_kron(mats: torch.Tensor) -> torch.Tensor:
    """Little-endian tensor product of ``mats`` ``(..., k, 2, 2)``: qubit 0 least significant."""
    out = mats[..., 0, :, :]
    for q in range(1, mats.shape[-3]):
        out = batched_kron(mats[..., q, :, :], out)
    return out


#: registers up to this many qubits multiply each layer into one matrix (2^5 = 32)
_FUSE_QUBITS = 5
#: larger registers apply the rotation layer in groups of this many qubits
_GROUP = 4


def apply_rotation_layer(sv: Statevector, angles: torch.Tensor, rotation: str = "ry") -> None:
    r"""Apply :math:`R_Y(\theta_q)` or :math:`\mathrm{Rot}(\phi_q,\theta_q,\omega_q)` on each qubit.

    ``angles`` has shape ``(n,)`` / ``(n, 3)`` (shared by the batch) or ``(B, n)`` /
    ``(B, n, 3)`` (one set per state). ``Rot`` is applied as Qiskit's ``U(θ, ω, φ)``, equal to
    :math:`R_Z(\omega) R_Y(\theta) R_Z(\phi)` up to a global phase. The single-qubit matrices
    are multiplied into tensor products of up to four qubits, each applied in one pass.

    Example:
        >>> import torch, math
        >>> sv = Statevector.zeros(1)
        >>> apply_rotation_layer(sv, torch.tensor([math.pi], dtype=torch.float64))
        >>> z_expectations(sv, 1).round(decimals=12).tolist()
        [[-1.0]]
    """
    mats = _rotation_matrices(angles, rotation, sv.data.dtype)
    n = mats.shape[-3]
    for start in range(0, n, _GROUP):
        stop = min(start + _GROUP, n)
        sv.apply_gate(_layer_kron(mats[..., start:stop, :, :]), list(range(start, stop)))


@lru_cache(maxsize=64)
def _z_signs(num_qubits: int, k: int) -> np.ndarray:
    idx = np.arange(2**num_qubits)
    return np.stack([1.0 - 2.0 * ((idx >> q) & 1) for q in range(k)], axis=1)


def z_expectations(sv: Statevector, k: int) -> torch.Tensor:
    r""":math:`\langle Z_i\rangle` for qubits ``i < k`` of every state, shape ``(B, k)`` (real).

    Computed as Born probabilities times the sign :math:`(-1)^{b_i}` of each basis state.

    Example:
        >>> import torch
        >>> z_expectations(Statevector.zeros(2, batch=3), 2).tolist()
        [[1.0, 1.0], [1.0, 1.0], [1.0, 1.0]]
    """
    probs = sv.probabilities()
    signs = torch.as_tensor(_z_signs(sv.num_sites, k), dtype=probs.dtype, device=probs.device)
    return probs @ signs


def vqc_expectations(
    x: torch.Tensor,
    weights: torch.Tensor,
    *,
    num_outputs: int,
    encoding: str = "arctan",
    entangler: str = "ring2",
    rotation: str = "rot",
    num_qubits: int | None = None,
    dtype: torch.dtype = torch.complex128,
) -> torch.Tensor:
    r"""Run the block circuit of the module docstring for a batch; return ``(B, num_outputs)``.

    Args:
        x: inputs, shape ``(B, m)``.
        weights: shape ``(L, n[, 3])`` shared by the batch, or ``(B, L, n[, 3])`` per sample.
        num_outputs: ``k``, the number of qubits read out.
        encoding, entangler, rotation: block choices (see the module docstring).
        num_qubits: ``n``; read from ``weights`` when omitted.
        dtype: complex dtype of the simulation, or a real one (``torch.float64``) for the
            real circuits ``encoding="ry", rotation="ry"`` (H, RY and CNOT keep the state real,
            so real arithmetic is exact and about 2x cheaper).

    Example:
        >>> import torch
        >>> w = torch.zeros(1, 2, dtype=torch.float64)
        >>> vqc_expectations(torch.zeros(1, 2), w, num_outputs=2, encoding="ry",
        ...                  entangler="none", rotation="ry").tolist()  # H|0>: <Z> = 0
        [[0.0, 0.0]]
    """
    if not dtype.is_complex and (encoding, rotation) != ("ry", "ry"):
        raise ValueError(
            f"a real dtype ({dtype}) needs encoding='ry' and rotation='ry'; "
            f"got encoding={encoding!r}, rotation={rotation!r}"
        )
    n = num_qubits or weights.shape[-2 if rotation == "rot" else -1]
    batched = weights.ndim == (4 if rotation == "rot" else 3)
    sv = encode_product_state(x.to(_real(dtype)), n, encoding, dtype=dtype)
    ent = entangling_matrix(n, entangler, dtype=dtype).to(x.device) if entangler != "none" else None
    layers = weights.shape[1] if batched else weights.shape[0]
    wires = list(range(n))
    if n <= _FUSE_QUBITS:  # multiply the whole circuit into one 2^n x 2^n matrix
        sv.apply_gate(circuit_unitary(weights, entangler, rotation, dtype, batched), wires)
        return z_expectations(sv, num_outputs)
    for layer in range(layers):
        if ent is not None:
            sv.apply_gate(ent, wires)
        w = weights[:, layer] if batched else weights[layer]
        apply_rotation_layer(sv, w, rotation)
    return z_expectations(sv, num_outputs)


def circuit_unitary(
    weights: torch.Tensor,
    entangler: str = "ring2",
    rotation: str = "rot",
    dtype: torch.dtype = torch.complex128,
    batched: bool = False,
) -> torch.Tensor:
    r"""The variational part :math:`\prod_l R(W_l) E` as one matrix, ``(D, D)`` or ``(B, D, D)``.

    Meant for small registers (:math:`D = 2^n \le 32`), where one matrix per circuit is
    cheaper than gate-by-gate application; ``batched`` says whether ``weights`` has a leading
    batch axis.

    Example:
        >>> import torch
        >>> u = circuit_unitary(torch.zeros(1, 2, dtype=torch.float64), "ring", "ry")
        >>> u.real.int().tolist() == entangling_matrix(2, "ring").real.int().tolist()
        True
    """
    n = weights.shape[-2 if rotation == "rot" else -1]
    ent = entangling_matrix(n, entangler, dtype=dtype).to(weights.device)
    mats = _rotation_matrices(weights, rotation, dtype)  # (..., L, n, 2, 2)
    layers = mats.shape[1] if batched else mats.shape[0]
    unitary = None
    for layer in range(layers):
        m = _layer_kron(mats[:, layer] if batched else mats[layer])
        if entangler != "none":
            m = m @ ent
        unitary = m if unitary is None else m @ unitary
    assert unitary is not None
    return unitary


def init_weights(
    shape: tuple[int, ...],
    init: str = "normal",
    scale: float = 0.01,
    seed: int | np.random.Generator | None = None,
    dtype: torch.dtype = torch.float64,
) -> torch.Tensor:
    r"""Random circuit angles: ``"normal"`` :math:`\mathcal N(0, \sigma^2)` with
    :math:`\sigma` = ``scale`` (Chen's ``0.01 * randn``), or ``"uniform"`` on
    :math:`[0, \text{scale})` (``scale = 2π`` is PennyLane TorchLayer's default).

    Example:
        >>> init_weights((2, 3), "uniform", 1.0, seed=0).shape
        torch.Size([2, 3])
    """
    check_choice(init, "init", ("normal", "uniform"))
    rng = as_generator(seed)
    arr = rng.normal(0.0, scale, shape) if init == "normal" else rng.uniform(0.0, scale, shape)
    return torch.as_tensor(arr, dtype=dtype)


class VQC(torch.nn.Module):
    r"""``num_circuits`` trainable block circuits of one layout (see the module docstring).

    Args:
        num_qubits: ``n``.
        num_layers: ``L`` (entangling + rotation layers).
        num_inputs: values encoded per sample (``<= n``).
        num_outputs: qubits read out (``<= n``).
        num_circuits: independent circuits run side by side on the same input.
        encoding, entangler, rotation: block choices.
        init, scale, seed: distribution of the initial angles (:func:`init_weights`).
        dtype: complex dtype of the simulation.

    Example:
        >>> import torch
        >>> vqc = VQC(4, 1, num_inputs=4, num_outputs=3, num_circuits=2, seed=1)
        >>> vqc(torch.ones(6, 4)).shape  # (batch, circuits, outputs)
        torch.Size([6, 2, 3])
    """

    def __init__(
        self,
        num_qubits: int,
        num_layers: int,
        *,
        num_inputs: int | None = None,
        num_outputs: int | None = None,
        num_circuits: int | None = None,
        encoding: str = "arctan",
        entangler: str = "ring2",
        rotation: str = "rot",
        init: str = "normal",
        scale: float = 0.01,
        seed: int | np.random.Generator | None = None,
        dtype: torch.dtype = torch.complex128,
    ) -> None:
        super().__init__()
        self.num_qubits = check_positive_int(num_qubits, "num_qubits")
        self.num_layers = check_positive_int(num_layers, "num_layers")
        self.num_inputs = check_positive_int(
            self.num_qubits if num_inputs is None else num_inputs, "num_inputs"
        )
        self.num_outputs = check_positive_int(
            self.num_qubits if num_outputs is None else num_outputs, "num_outputs"
        )
        for name, v in (("num_inputs", self.num_inputs), ("num_outputs", self.num_outputs)):
            if v > self.num_qubits:
                raise ValueError(f"{name} must be <= num_qubits = {self.num_qubits}, got {v}")
        self.num_circuits = (
            None if num_circuits is None else check_positive_int(num_circuits, "num_circuits")
        )
        self.encoding = check_choice(encoding, "encoding", ENCODINGS)
        self.entangler = check_choice(entangler, "entangler", ENTANGLERS)
        self.rotation = check_choice(rotation, "rotation", ROTATIONS)
        if dtype not in (torch.complex128, torch.complex64):
            raise ValueError(f"dtype must be torch.complex128 or torch.complex64, got {dtype}")
        self.dtype = dtype
        shape: tuple[int, ...] = (self.num_layers, self.num_qubits)
        if self.rotation == "rot":
            shape += (3,)
        if self.num_circuits is not None:
            shape = (self.num_circuits, *shape)
        self.weights = torch.nn.Parameter(init_weights(shape, init, scale, seed, _real(dtype)))
        #: optional ``executor(vqc, x) -> outputs`` replacing the simulation (used to run the
        #: circuits on a Qiskit backend, see :func:`qtwin.qml.sequences.export.predict_on_backend`)
        self.executor: Any = None
        self._cache: dict[str, torch.Tensor] | None = None

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Expectations ``(B, k)``, or ``(B, C, k)`` with ``num_circuits = C``."""
        if x.ndim != 2 or x.shape[1] != self.num_inputs:
            raise ValueError(f"x must have shape (batch, {self.num_inputs}), got {tuple(x.shape)}")
        if self.executor is not None:
            return self.executor(self, x)
        c, b = self.num_circuits, x.shape[0]
        xs = x if c is None else x.repeat(c, 1)  # circuit-major rows: [k*b:(k+1)*b] -> circuit k
        if self.num_qubits <= _FUSE_QUBITS:  # one unitary per circuit, shared by its rows
            sv = encode_product_state(
                xs.to(_real(self.dtype)), self.num_qubits, self.encoding, dtype=self.dtype
            )
            u = self.unitary()
            sv.apply_gate(
                u if c is None else u.repeat_interleave(b, dim=0), list(range(self.num_qubits))
            )
            out = z_expectations(sv, self.num_outputs)
        else:
            w = self.weights if c is None else self.weights.repeat_interleave(b, dim=0)
            out = vqc_expectations(
                xs,
                w,
                num_outputs=self.num_outputs,
                encoding=self.encoding,
                entangler=self.entangler,
                rotation=self.rotation,
                num_qubits=self.num_qubits,
                dtype=self.dtype,
            )
        return out if c is None else out.reshape(c, b, -1).transpose(0, 1)

    def unitary(self) -> torch.Tensor:
        """The variational part as a matrix, ``(D, D)`` or ``(C, D, D)``; reused while cached.

        Inside :func:`cached_unitaries` it is built once and reused by every call (the
        weights do not change during a forward pass over a sequence).
        """
        if self._cache is not None and "u" in self._cache:
            return self._cache["u"]
        u = circuit_unitary(
            self.weights, self.entangler, self.rotation, self.dtype, self.num_circuits is not None
        )
        if self._cache is not None:
            self._cache["u"] = u
        return u


@contextmanager
def cached_unitaries(module: torch.nn.Module) -> Iterator[None]:
    """Within the block, every :class:`VQC` of ``module`` builds its unitary once.

    A recurrent network applies the same circuits at every time step; only the encoded inputs
    change, so the time-independent part is computed once per forward pass.

    Example:
        >>> import torch
        >>> v = VQC(2, 1, seed=0)
        >>> with cached_unitaries(v):
        ...     v.unitary() is v.unitary()
        True
    """
    vqcs = [m for m in module.modules() if isinstance(m, VQC)]
    for m in vqcs:
        m._cache = {}
    try:
        yield
    finally:
        for m in vqcs:
            m._cache = None


def check_inputs(x: ArrayLike | torch.Tensor, width: int, name: str = "x") -> torch.Tensor:
    """Validate a batch of sequences ``(B, T, width)`` (finite); return it as a float tensor.

    Example:
        >>> check_inputs([[[0.5]]], 1).shape
        torch.Size([1, 1, 1])
    """
    t = x if isinstance(x, torch.Tensor) else torch.as_tensor(np.asarray(x, dtype=float))
    if t.ndim != 3 or t.shape[-1] != width:
        raise ValueError(
            f"{name} must have shape (batch, time, {width}) (input width {width}), "
            f"got {tuple(t.shape)}"
        )
    check_finite(t, name)
    return t
