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
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import torch
from numpy.typing import ArrayLike

from qtwin._validation import check_choice, check_finite, check_positive_int
from qtwin.qml._random import torch_generator
from qtwin.tensornet import Statevector

if TYPE_CHECKING:
    from qiskit import QuantumCircuit

__all__ = [
    "FarhiNevenQNN",
    "PauliTerm",
    "QNNInputs",
    "default_generators",
    "pauli_terms_circuit",
]

#: how bad-parameter errors name the angles
_THETA = "theta (the QNN parameters)"

PauliTerm = tuple[str, tuple[int, ...]]
"""A generator: Pauli letters and the qubits they act on, letter ``k`` on qubit ``sites[k]``."""

QNNInputs = ArrayLike | torch.Tensor | Statevector
"""Inputs of a QNN: bit strings ``(N, n)`` in its encoding, or input states (a
:class:`~qtwin.tensornet.Statevector` or complex amplitudes ``(N, 2^n)``)."""

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
    num_qubits: int,
    terms: Sequence[PauliTerm],
    thetas: Sequence[float],
    z: ArrayLike | None = None,
) -> QuantumCircuit:
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


@dataclass(frozen=True)
class _Plan:
    r"""How to evaluate :math:`\langle Y_r\rangle` exactly with the fewest simulated qubits."""

    peeled: tuple[int, ...]
    prefix: tuple[tuple[tuple[int, ...], np.ndarray, str, tuple[int, ...]], ...]
    quantum: tuple[int, ...]
    obs_signs: tuple[int, ...]
    obs_op: Any
    zero: bool


def _anticommute(a: dict[int, str], b: dict[int, str]) -> bool:
    return sum(1 for q, p in a.items() if q in b and b[q] != p) % 2 == 1


def _make_plan(generators: Sequence[PauliTerm], num_qubits: int, basis: frozenset[int]) -> _Plan:
    r"""Exact reduction of :math:`\langle\psi|U^\dagger Y_r U|\psi\rangle` (see the module).

    ``basis`` holds the qubits that start in a computational basis state (all of them for bit
    inputs, only the readout for state inputs; empty for the dense reference).

    1. Heisenberg peeling from the last gate: a generator that commutes with the observable
       :math:`O` drops out; one that anticommutes gives
       :math:`e^{-i\theta\Sigma} O e^{i\theta\Sigma} = \cos 2\theta\, O + i\sin 2\theta\, O\Sigma`,
       and the second term has zero expectation when :math:`O\Sigma` flips a basis qubit that
       no earlier gate flips (its support is orthogonal to the state). Peeling stops at the
       first gate where neither holds; :math:`O` stays :math:`Y_r`, times
       :math:`\prod\cos 2\theta_k`.
    2. In the remaining prefix, a basis qubit with no X/Y letter is *classical*: it stays
       :math:`|b_q\rangle`, so its Z letters become signs :math:`(-1)^{b_q}` on the angles
       (and on :math:`O`). Only the other qubits are simulated, with per-sample angles
       :math:`\theta_k \prod_q (-1)^{b_q}` through
       :meth:`~qtwin.tensornet.Statevector.apply_pauli_rotation`; consecutive gates with the
       same reduced Pauli commute and merge into one rotation whose angle is the sum.

    For the default ZX-then-XX network on bit strings every XX gate peels off, all data
    qubits are classical and the ZX layer merges: one rotation of one qubit per sample.
    """
    from qiskit.quantum_info import SparsePauliOp

    readout = num_qubits - 1
    obs = {readout: "Y"}
    gens = [
        {q: p for p, q in zip(label, sites, strict=True) if p != "I"} for label, sites in generators
    ]
    flipped_before: list[set[int]] = []
    acc: set[int] = set()
    for g in gens:
        flipped_before.append(set(acc))
        acc |= {q for q, p in g.items() if p in "XY"}
    peeled: list[int] = []
    stop = len(gens)
    for k in range(len(gens) - 1, -1, -1):
        g = gens[k]
        if not _anticommute(g, obs):
            stop = k
            continue
        flips = {
            q for q in set(g) | set(obs) if (g.get(q, "I") in "XY") != (obs.get(q, "I") in "XY")
        }
        if any(q in basis and q not in flipped_before[k] for q in flips):
            peeled.append(k)
            stop = k
            continue
        stop = k + 1
        break
    prefix_gens = list(range(stop))
    prefix_flipped = set().union(
        *[{q for q, p in gens[k].items() if p in "XY"} for k in prefix_gens]
    )
    classical = {q for q in basis if q not in prefix_flipped}
    quantum = tuple(q for q in range(num_qubits) if q not in classical)
    where = {q: i for i, q in enumerate(quantum)}
    zero = any(q in classical and p in "XY" for q, p in obs.items())
    groups: list[tuple[list[int], list[np.ndarray], str, tuple[int, ...]]] = []
    for k in prefix_gens:
        g = gens[k]
        mask = np.zeros(num_qubits, dtype=np.int64)
        mask[[q for q in g if q in classical]] = 1  # classical letters are all Z: signs
        qpart = sorted((q, p) for q, p in g.items() if q not in classical)
        if not qpart:
            continue  # a global phase e^{±iθ} on every sample: no effect on <Y_r>
        label = "".join(p for _, p in qpart)
        sites = tuple(where[q] for q, _ in qpart)
        if groups and groups[-1][2:] == (label, sites):
            groups[-1][0].append(k)  # same reduced Pauli: the rotations merge, angles add
            groups[-1][1].append(mask)
        else:
            groups.append(([k], [mask], label, sites))
    prefix = [(tuple(ks), np.stack(masks), label, sites) for ks, masks, label, sites in groups]
    obs_signs = tuple(sorted(q for q, p in obs.items() if q in classical and p == "Z"))
    qlabel = ["I"] * len(quantum)
    for q, p in obs.items():
        if q in where:
            qlabel[where[q]] = p
    obs_op = SparsePauliOp("".join(reversed(qlabel))) if quantum else None
    return _Plan(tuple(sorted(peeled)), tuple(prefix), quantum, obs_signs, obs_op, zero)


class FarhiNevenQNN(torch.nn.Module):
    r"""Farhi–Neven QNN on ``n`` data qubits plus a readout (the last qubit); see the module.

    Args:
        n: number of data qubits (input bits), ``n >= 1``.
        generators: Pauli terms ``(label, sites)``, letter ``k`` acting on ``sites[k]``;
            default :func:`default_generators` (a ZX layer then an XX layer).
        encoding: ``"bits"`` (inputs in {0, 1}) or ``"spins"`` (inputs in {+1, -1},
            +1 meaning :math:`|0\rangle`).
        seed: seed (an int or a numpy generator) of the initial angles, drawn uniformly from
            ``[-init_scale, init_scale]`` with a local generator; ``None`` means seed 0.
        init_scale: half-width of the initial angle distribution (non-negative).
        theta: explicit initial angles, one per generator (overrides the random draw).
        dtype: complex dtype of the simulation (``torch.complex128`` or ``torch.complex64``).
        chunk_size: samples per pass when all ``n + 1`` qubits are simulated; small chunks
            keep the ``2^(n+1)`` amplitudes in cache (on a 2-core CPU, 17 qubits: 4 per pass
            is ~3x faster than 32). A reduced simulation of ``q`` qubits takes
            ``chunk_size * 2^(n+1-q)`` samples per pass.
        simulation: ``"reduced"`` (default; exact, see :func:`_make_plan` in the module
            docstring) or ``"dense"`` (all ``n + 1`` qubits, every gate; the reference).

    Example:
        >>> import math, torch
        >>> m = FarhiNevenQNN(1, generators=[("ZX", (0, 1))], theta=[math.pi / 4])
        >>> m(torch.tensor([[0], [1]])).detach().round(decimals=12).tolist()
        [1.0, -1.0]
    """

    def __init__(
        self,
        n: int,
        generators: Sequence[PauliTerm] | None = None,
        *,
        encoding: str = "bits",
        seed: int | np.random.Generator | None = None,
        init_scale: float = 0.1,
        theta: ArrayLike | torch.Tensor | None = None,
        dtype: torch.dtype = torch.complex128,
        chunk_size: int = 4,
        simulation: str = "reduced",
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
            check_finite(init, _THETA)
        else:
            if not np.isfinite(init_scale) or init_scale < 0:
                raise ValueError(f"init_scale must be a finite number >= 0, got {init_scale!r}")
            gen = torch_generator(0 if seed is None else seed)
            init = (2 * torch.rand(num, generator=gen, dtype=real) - 1) * init_scale
        self.theta = torch.nn.Parameter(init.clone())
        self.simulation = check_choice(simulation, "simulation", ("reduced", "dense"))
        nq = self.n + 1
        everything = frozenset(range(nq)) if self.simulation == "reduced" else frozenset()
        readout = frozenset({self.n}) if self.simulation == "reduced" else frozenset()
        self._plan_bits = _make_plan(self.generators, nq, everything)
        self._plan_states = _make_plan(self.generators, nq, readout)

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

    def _states(self, z: Any) -> torch.Tensor:
        data = z.data if isinstance(z, Statevector) else torch.as_tensor(z)
        if data.ndim == 1:
            data = data.reshape(1, -1)
        if data.ndim != 2 or data.shape[1] != 2**self.n:
            raise ValueError(
                f"input states must have shape (batch, {2**self.n}) (n = {self.n} data qubits), "
                f"got {tuple(data.shape)}"
            )
        if not bool(torch.isfinite(torch.view_as_real(data)).all()):
            raise ValueError("input states must hold finite amplitudes; got NaN or inf")
        norms = torch.linalg.vector_norm(data, dim=1)
        if not bool(torch.all(torch.abs(norms - 1) < 1e-6)):
            raise ValueError("input states must be normalized (each row of unit norm)")
        return data.to(dtype=self.dtype, device=self.theta.device)

    def _inputs(self, z: Any) -> tuple[str, torch.Tensor]:
        """``("states", (B, 2^n) amplitudes)`` for state input, else ``("bits", (B, n))``."""
        if isinstance(z, Statevector):
            if tuple(z.dims) != (2,) * self.n:
                raise ValueError(f"input Statevector must have {self.n} qubits, got dims {z.dims}")
            return "states", self._states(z)
        if (isinstance(z, torch.Tensor) and z.is_complex()) or (
            not isinstance(z, torch.Tensor) and np.iscomplexobj(np.asarray(z))
        ):
            return "states", self._states(z)
        return "bits", self._bits(z)

    def forward(self, z: QNNInputs) -> torch.Tensor:
        r"""Predictions :math:`\langle Y_r\rangle` for a batch of inputs, shape ``(B,)``.

        ``z`` is either bit strings of shape ``(B, n)`` in this model's encoding, or data-qubit
        *states* (quantum data): a :class:`~qtwin.tensornet.Statevector` on ``n`` qubits or a
        complex array of shape ``(B, 2^n)`` of normalized amplitudes (Qiskit order); the
        readout is appended in :math:`|0\rangle`.
        """
        check_finite(self.theta, _THETA)
        kind, data = self._inputs(z)
        if kind == "bits":
            bits = data.to(self.theta.device)
            full = torch.cat([bits, torch.zeros_like(bits[:, :1])], dim=1)
            return self._run(self._plan_bits, full, None)
        zeros = torch.zeros(data.shape[0], self.num_qubits, dtype=torch.long, device=data.device)
        return self._run(self._plan_states, zeros, data)

    def _run(self, plan: _Plan, full: torch.Tensor, states: torch.Tensor | None) -> torch.Tensor:
        """Evaluate ``plan`` for classical bits ``full`` (``(B, n + 1)``) and optional states."""
        real = self.theta.dtype
        b = full.shape[0]
        coef = torch.prod(torch.cos(2 * self.theta[list(plan.peeled)]))
        if plan.zero:
            return torch.zeros(b, dtype=real, device=self.theta.device) * coef
        spins = (1 - 2 * full).to(real)
        sign = torch.prod(spins[:, list(plan.obs_signs)], dim=1) if plan.obs_signs else None
        if not plan.quantum:
            out = coef.expand(b)
            return out * sign if sign is not None else out
        nq = len(plan.quantum)
        weights = 2 ** torch.arange(nq, device=full.device)
        per_pass = max(1, self.chunk_size * 2**self.num_qubits // 2**nq)
        outs = []
        for start in range(0, b, per_pass):
            stop = min(b, start + per_pass)
            if states is None:
                index = (full[start:stop][:, list(plan.quantum)] * weights).sum(dim=1)
                data = torch.zeros(stop - start, 2**nq, dtype=self.dtype, device=full.device)
                data[torch.arange(stop - start, device=full.device), index] = 1
            elif nq == self.n:  # the readout stays classical in |0>
                data = states[start:stop]
            else:  # readout (most significant) in |0>
                data = torch.cat([states[start:stop], torch.zeros_like(states[start:stop])], dim=1)
            sv = Statevector(data, [2] * nq)
            bits = full[start:stop]
            for ks, masks, label, sites in plan.prefix:
                # e^{iθΣ} = R_Σ(-2θ); classical Z letters give the sign (-1)^{b·mask} per sample
                parity = (bits @ torch.as_tensor(masks, device=bits.device).T) % 2
                signs = (1 - 2 * parity).to(real)
                angle = -2 * (signs @ self.theta[list(ks)])
                sv.apply_pauli_rotation(label, sites, angle)
            outs.append(sv.expectation(plan.obs_op).real)
        out = coef * torch.cat(outs)
        return out * sign if sign is not None else out

    def loss(self, z: QNNInputs, labels: ArrayLike | torch.Tensor) -> torch.Tensor:
        r"""Mean Farhi–Neven loss :math:`\frac1B\sum_b (1 - l_b\,\hat y(z_b))`; labels are ±1."""
        out = self.forward(z)
        y = _check_labels(labels, out.shape[0]).to(out)
        return torch.mean(1 - y * out)

    def predict(self, z: QNNInputs) -> torch.Tensor:
        """Predicted labels ``sign⟨Y_r⟩`` in {+1, -1} (ties go to +1)."""
        with torch.no_grad():
            out = self.forward(z)
        return torch.where(out >= 0, 1, -1)

    def to_qiskit(self, z: ArrayLike | None = None) -> QuantumCircuit:
        r"""The network as a Qiskit ``QuantumCircuit`` on ``n + 1`` qubits with bound angles.

        With ``z`` (one bit string in this model's encoding) X gates prepare :math:`|z\rangle`
        first; without it the circuit is a template that acts on whatever input precedes it.
        The readout is the last qubit; measure ``Y`` on it (``SparsePauliOp("Y" + "I" * n)``).
        """
        theta = self.theta.detach().cpu()
        check_finite(theta, _THETA)
        bits = None if z is None else self._bits(z)
        if bits is not None and bits.shape[0] != 1:
            raise ValueError(f"z must be a single bit string of length {self.n} for to_qiskit")
        return pauli_terms_circuit(
            self.num_qubits,
            self.generators,
            theta.tolist(),
            None if bits is None else bits[0].numpy(),
        )


def _check_labels(labels: Any, batch: int) -> torch.Tensor:
    y = torch.as_tensor(np.asarray(labels) if not isinstance(labels, torch.Tensor) else labels)
    y = y.reshape(-1)
    if y.numel() != batch:
        raise ValueError(f"labels must have one entry per input string ({batch}), got {y.numel()}")
    if not bool(((y == 1) | (y == -1)).all()):
        raise ValueError("labels must be +1 or -1 (Farhi–Neven's l(z)); got other values")
    return y
