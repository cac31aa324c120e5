r"""``compile_mps``: optimize all ansatz parameters at once against a target MPS.

The objective (Robertson et al., arXiv:2301.08609, Eq. 7) is the infidelity

.. math::

    f(\theta) = 1 - \big|\langle 0 | V(\theta)^\dagger | \psi \rangle\big|^2
              = 1 - \big|\langle \psi | V(\theta) | 0 \rangle\big|^2,

evaluated exactly by :class:`~qtwin.aqc.network.OverlapNetwork` (target MPS on top, ansatz
gates, :math:`|0\rangle` at the bottom, contracted column by column without truncation) and
differentiated by torch autograd (reverse mode: the environment method, the exact gradient for
about twice the cost of the value). All parameters are updated together by scipy's L-BFGS-B.

``loss="log"`` minimizes :math:`-\log F` instead: the same minimizers, but its gradient
:math:`-\nabla F / F` does not shrink with :math:`F`, which keeps L-BFGS moving when the global
fidelity is small at large ``n`` (the orthogonality catastrophe; see
:func:`qtwin.aqc.compile_time_evolution` for the continuation scheme that avoids it).

Example:
    >>> from qtwin.circuits import trotter_circuit, xxz_chain
    >>> from qtwin.aqc.targets import tebd_target
    >>> H = xxz_chain(4)
    >>> psi = tebd_target(H, time=0.3)
    >>> res = compile_mps(psi, trotter_circuit(H, 0.3, 1, initial_state="neel"),
    ...                   maxiter=5, progress=False)
    >>> bool(res.fidelity > res.initial_fidelity), res.two_qubit_depth
    (True, 6)
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import scipy.optimize
import torch
from qiskit import QuantumCircuit

from qtwin._threads import torch_threads
from qtwin._validation import check_choice, check_finite, check_positive_int
from qtwin.aqc.generation import BlockAnsatz, ansatz_from_circuit
from qtwin.aqc.network import OverlapNetwork, matrix_to_site_tensor
from qtwin.aqc.targets import to_target_mps
from qtwin.tensornet import MPS  # noqa: F401  (used in the doctest)

__all__ = ["AQCResult", "FidelityObjective", "compile_mps"]


@dataclass
class AQCResult:
    """What :func:`compile_mps` returns.

    Attributes:
        circuit: the optimized ansatz, a bound Qiskit ``QuantumCircuit`` (``cx`` + rotations
            for a :class:`~qtwin.aqc.BlockAnsatz`).
        parameters: the optimal parameter vector.
        fidelity: :math:`|\\langle\\psi|V(\\theta)|0\\rangle|^2` with the (normalized) target.
        initial_fidelity: the same at the initial point.
        two_qubit_depth: depth of ``circuit`` counting two-qubit gates only.
        history: fidelity after every L-BFGS iteration (starting with the initial one).
        truncation_error: ``1 - target.fidelity_estimate``: the estimated error of the target
            MPS itself (from its SVD truncations), a floor on the meaningful infidelity.
        num_iterations, num_evaluations: optimizer iterations and objective evaluations.
        wall_time: seconds spent in the optimization.
        reached_target: whether ``target_fidelity`` was reached.
        message: the optimizer's stop message.
    """

    circuit: QuantumCircuit
    parameters: np.ndarray
    fidelity: float
    initial_fidelity: float
    two_qubit_depth: int
    history: list[float]
    truncation_error: float
    num_iterations: int
    num_evaluations: int
    wall_time: float
    reached_target: bool
    message: str
    ansatz: Any = field(default=None, repr=False)


class _CircuitAnsatz:
    """A parametrized Qiskit circuit used as it is (gates evaluated by qtwin.circuits).

    Its gates are fused, differentiably, into the same shape as a :class:`BlockAnsatz`: one
    4 x 4 block per maximal run of gates on a qubit pair (one-qubit gates absorbed into the
    last block on their qubit) and a leading one-qubit gate per qubit, so the exact
    contraction sees one tensor per block whatever the circuit's gate decomposition.
    """

    def __init__(self, qc: QuantumCircuit) -> None:
        from qtwin.circuits.convert import circuit_to_gates

        self.qc = qc
        self.num_qubits = qc.num_qubits
        self.num_parameters = qc.num_parameters
        ops, _ = circuit_to_gates(qc, np.zeros(qc.num_parameters))
        self.pairs: list[tuple[int, int]] = []
        self.plan: list[tuple[str, int, int]] = []  # (kind, target, qubit side or -1)
        last: list[int | None] = [None] * self.num_qubits
        for op in ops:
            if len(op.qubits) == 1:
                q = op.qubits[0]
                if last[q] is None:
                    self.plan.append(("lead", q, -1))
                else:
                    b = last[q]
                    self.plan.append(("b1", b, 0 if self.pairs[b][0] == q else 1))
            elif len(op.qubits) == 2:
                p, r = op.qubits
                if last[p] is not None and last[p] == last[r]:
                    b = last[p]
                else:
                    self.pairs.append((min(p, r), max(p, r)))
                    b = last[p] = last[r] = len(self.pairs) - 1
                self.plan.append(("b2", b, 0 if p < r else 1))
            else:
                raise ValueError(
                    f"the ansatz has a gate {op.name!r} on {len(op.qubits)} qubits; only one- "
                    "and two-qubit gates are supported"
                )
        self.structure = self.pairs

    def gate_tensors(self, theta: torch.Tensor) -> tuple[torch.Tensor, list[torch.Tensor]]:
        from qtwin.circuits.convert import circuit_to_gates

        ops, _ = circuit_to_gates(self.qc, list(theta.unbind(0)))
        dtype, device = ops[0].matrix.dtype if ops else torch.complex128, theta.device
        eye2 = torch.eye(2, dtype=dtype, device=device)
        lead = [eye2] * self.num_qubits
        blocks: list[torch.Tensor] = [torch.eye(4, dtype=dtype, device=device)] * len(self.pairs)
        for op, (kind, k, side) in zip(ops, self.plan, strict=True):
            m = op.matrix.to(dtype)
            if kind == "lead":
                lead[k] = m @ lead[k]
            elif kind == "b1":  # little-endian over (lo, hi): lo is the right factor
                full = torch.kron(eye2, m) if side == 0 else torch.kron(m, eye2)
                blocks[k] = full @ blocks[k]
            else:
                if side == 1:  # listed (hi, lo): reorder to little-endian over (lo, hi)
                    m = m.reshape(2, 2, 2, 2).permute(1, 0, 3, 2).reshape(4, 4)
                blocks[k] = m @ blocks[k]
        bottom = torch.stack([u[:, 0] for u in lead])
        tensors = [
            matrix_to_site_tensor(b, pair) for b, pair in zip(blocks, self.pairs, strict=True)
        ]
        return bottom, tensors

    def circuit(self, theta: np.ndarray) -> QuantumCircuit:
        return self.qc.assign_parameters(np.asarray(theta, dtype=float))


class FidelityObjective:
    r"""The fidelity :math:`F(\theta) = |\langle\psi|V(\theta)|0\rangle|^2` and its gradient.

    Args:
        target: the target state (anything :func:`~qtwin.aqc.to_target_mps` takes), normalized.
        ansatz: a :class:`~qtwin.aqc.BlockAnsatz` or a parametrized ``QuantumCircuit``.
        device: torch device for the contraction (default: the target's).
        threads: torch CPU threads used while evaluating (restored afterwards); ``None``
            keeps torch's setting.

    Example:
        >>> from qtwin.aqc import brickwork_ansatz
        >>> ansatz, theta = brickwork_ansatz(4, 2, seed=1)
        >>> obj = FidelityObjective(MPS.zeros(4), ansatz)
        >>> f, g = obj.value_and_grad(theta)
        >>> g.shape == theta.shape and 0 < f <= 1
        True
    """

    def __init__(
        self, target: Any, ansatz: Any, *, device: Any = None, threads: int | None = 1
    ) -> None:
        if threads is not None:
            threads = check_positive_int(threads, "threads")
        self.threads = threads
        psi = to_target_mps(target)
        if device is not None:
            psi = psi.to(device=device)
        self.target = psi
        self.ansatz = ansatz
        structure: Sequence[tuple[int, ...]] = ansatz.pairs
        bottom = True
        if ansatz.num_qubits != psi.num_sites:
            raise ValueError(
                f"the ansatz acts on {ansatz.num_qubits} qubits but the target has {psi.num_sites}"
            )
        self.network = OverlapNetwork(psi.tensors, structure, bottom=bottom)
        self.num_evaluations = 0

    def _overlap(self, theta: torch.Tensor) -> torch.Tensor:
        bottom, gates = self.ansatz.gate_tensors(theta)
        return self.network.overlap(gates, bottom)

    def fidelity(self, theta: Sequence[float] | np.ndarray) -> float:
        """:math:`F(\\theta)` without gradient."""
        with torch.no_grad(), torch_threads(self.threads):
            t = torch.as_tensor(np.asarray(theta, dtype=float), device=self.target.device)
            return float(self._overlap(t).abs().square().item())

    def value_and_grad(self, theta: Sequence[float] | np.ndarray) -> tuple[float, np.ndarray]:
        """:math:`F(\\theta)` and :math:`\\nabla_\\theta F` (exact, by reverse-mode autograd)."""
        t = torch.tensor(
            np.asarray(theta, dtype=float), device=self.target.device, requires_grad=True
        )
        with torch_threads(self.threads):
            f = self._overlap(t).abs().square()
            (g,) = torch.autograd.grad(f, t)
        self.num_evaluations += 1
        return float(f.item()), g.detach().cpu().numpy().astype(float)


def _resolve_ansatz(ansatz: Any, initial_point: Any, n: int) -> tuple[Any, np.ndarray]:
    theta0 = None
    if isinstance(ansatz, tuple) and len(ansatz) == 2 and isinstance(ansatz[0], BlockAnsatz):
        ansatz, theta0 = ansatz
    if isinstance(ansatz, QuantumCircuit):
        if ansatz.num_qubits != n:
            raise ValueError(
                f"the ansatz circuit has {ansatz.num_qubits} qubits but the target has {n}"
            )
        if ansatz.parameters:
            ansatz = _CircuitAnsatz(ansatz)
            theta0 = np.zeros(ansatz.num_parameters)
        else:
            ansatz, theta0 = ansatz_from_circuit(ansatz)
    elif not isinstance(ansatz, BlockAnsatz):
        raise TypeError(
            "ansatz must be a BlockAnsatz, (BlockAnsatz, theta0), a parametrized QuantumCircuit "
            f"or a plain QuantumCircuit to generate the ansatz from; got {type(ansatz).__name__}"
        )
    if initial_point is not None:
        theta0 = np.asarray(initial_point, dtype=float).reshape(-1)
    if theta0 is None:
        raise ValueError("initial_point is required with a BlockAnsatz")
    if theta0.shape[0] != ansatz.num_parameters:
        raise ValueError(
            f"initial_point has {theta0.shape[0]} values, the ansatz has "
            f"{ansatz.num_parameters} parameters"
        )
    check_finite(theta0, "initial_point")
    return ansatz, theta0


def compile_mps(
    target: Any,
    ansatz: Any,
    initial_point: Sequence[float] | np.ndarray | None = None,
    *,
    maxiter: int = 200,
    target_fidelity: float | None = None,
    loss: str = "infidelity",
    progress: bool = True,
    checkpoint: str | os.PathLike | None = None,
    checkpoint_every: int = 10,
    device: Any = None,
    threads: int | None = 1,
    callback: Callable[[int, float, np.ndarray], None] | None = None,
) -> AQCResult:
    r"""Compile a target MPS into the ansatz by L-BFGS over all parameters at once.

    Args:
        target: the state :math:`|\psi\rangle`: a qtwin ``MPS``, a quimb
            ``MatrixProductState``, Aer's ``(gammas, lambdas)`` or a dense vector; it must be
            normalized.
        ansatz: a plain ``QuantumCircuit`` (a shallow Trotter circuit, say: the ansatz and its
            initial point are generated from it, see :func:`~qtwin.aqc.ansatz_from_circuit`),
            a parametrized ``QuantumCircuit`` (used as it is), a
            :class:`~qtwin.aqc.BlockAnsatz`, or a ``(BlockAnsatz, theta0)`` pair.
        initial_point: starting parameters (overrides the generated ones; required for a bare
            ``BlockAnsatz``; zeros for a parametrized circuit when omitted).
        maxiter: largest number of L-BFGS iterations, ``>= 1``.
        target_fidelity: stop as soon as the fidelity reaches it (in ``(0, 1]``).
        loss: ``"infidelity"`` (:math:`1-F`) or ``"log"`` (:math:`-\log F`).
        progress: show a tqdm bar with the current fidelity.
        checkpoint: ``.npz`` file; the parameters and history are saved there every
            ``checkpoint_every`` iterations and at the end, and a run whose checkpoint exists
            resumes from it. A resumed run is *not* identical to an uninterrupted one (unlike
            :func:`qtwin.qml.train`, whose optimizer state is saved): SciPy's L-BFGS-B keeps
            its curvature memory (the last ``maxcor`` step/gradient pairs) in internal work
            arrays that it can neither return nor be restarted from, so a resumed run restarts
            L-BFGS-B from the saved parameters with an empty memory. Its first steps are
            gradient-descent-like, and the parameters it reaches differ (typically at the
            same final fidelity to the tolerance asked); the saved history and iteration count
            continue unchanged. Pass the same ``maxiter`` to resume a run.
        checkpoint_every: iterations between checkpoints, ``>= 1``.
        device: torch device for the contraction (``"cuda"`` on a GPU machine).
        threads: torch CPU threads during the optimization (restored afterwards); the
            default 1 is fastest for the small tensors of typical targets (intra-op threading
            only adds overhead there); ``None`` keeps torch's setting.
        callback: called as ``callback(iteration, fidelity, theta)`` after every iteration.

    Returns:
        An :class:`AQCResult`.

    Raises:
        ValueError: mismatched qubit counts, a target that is not normalized, a wrong-length
            or non-finite initial point, bad option values.
        TypeError: an ansatz or target of an unsupported type.
    """
    psi = to_target_mps(target)
    norm = float(abs(psi.norm()))
    if abs(norm - 1.0) > 1e-6:
        raise ValueError(f"target must be normalized, its norm is {norm:.8g}")
    psi = psi.copy().normalize()  # remove rounding-level deviations
    maxiter = check_positive_int(maxiter, "maxiter")
    checkpoint_every = check_positive_int(checkpoint_every, "checkpoint_every")
    check_choice(loss, "loss", ("infidelity", "log"))
    if target_fidelity is not None and not (0.0 < float(target_fidelity) <= 1.0):
        raise ValueError(f"target_fidelity must be in (0, 1], got {target_fidelity!r}")
    ansatz, theta0 = _resolve_ansatz(ansatz, initial_point, psi.num_sites)
    objective = FidelityObjective(psi, ansatz, device=device, threads=threads)

    history: list[float] = []
    start_iter = 0
    if checkpoint is not None and os.path.exists(checkpoint):
        saved = np.load(checkpoint)
        if saved["theta"].shape != theta0.shape:
            raise ValueError(
                f"checkpoint {os.fspath(checkpoint)!r} holds {saved['theta'].size} parameters, "
                f"this ansatz has {theta0.size}: it belongs to another problem (delete it or "
                "pass another path)"
            )
        # the same parameters must give the same fidelity against this target and ansatz
        f_saved = objective.fidelity(saved["theta"].astype(float))
        if "fidelity" in saved and abs(f_saved - float(saved["fidelity"])) > 1e-8:
            raise ValueError(
                f"checkpoint {os.fspath(checkpoint)!r} was written for another target or "
                f"ansatz (its parameters give fidelity {f_saved:.10f} here, "
                f"{float(saved['fidelity']):.10f} when saved); delete it or pass another path"
            )
        theta0 = saved["theta"].astype(float)
        history = [float(x) for x in saved["history"]]
        start_iter = int(saved["iteration"])
    f0 = objective.fidelity(theta0)
    initial_fidelity = history[0] if history else f0
    if not history:
        history.append(f0)

    last = {"f": f0, "theta": theta0}

    def fun(x: np.ndarray) -> tuple[float, np.ndarray]:
        f, g = objective.value_and_grad(x)
        last["f"], last["theta"] = f, x.copy()
        if loss == "log":
            fs = max(f, 1e-300)
            return -float(np.log(fs)), -g / fs
        return 1.0 - f, -g

    def save(it: int) -> None:
        if checkpoint is None:
            return
        tmp = f"{os.fspath(checkpoint)}.tmp.npz"
        np.savez(
            tmp,
            theta=last["theta"],
            fidelity=last["f"],
            history=np.asarray(history),
            iteration=it,
        )
        os.replace(tmp, checkpoint)

    bar = None
    if progress:
        from tqdm.auto import tqdm

        bar = tqdm(total=maxiter, initial=min(start_iter, maxiter), desc="aqc", leave=False)
        bar.set_postfix(fidelity=f"{f0:.6f}")
    state = {"it": start_iter}
    reached = target_fidelity is not None and f0 >= target_fidelity

    def on_iteration(intermediate_result: scipy.optimize.OptimizeResult) -> None:
        state["it"] += 1
        x = np.asarray(intermediate_result.x)
        f = last["f"] if np.array_equal(x, last["theta"]) else objective.fidelity(x)
        last["f"], last["theta"] = f, x.copy()
        history.append(f)
        if bar is not None:
            bar.update(1)
            bar.set_postfix(fidelity=f"{f:.6f}")
        if callback is not None:
            callback(state["it"], f, x)
        if state["it"] % checkpoint_every == 0:
            save(state["it"])
        if target_fidelity is not None and f >= target_fidelity:
            raise StopIteration
        if state["it"] >= maxiter:
            raise StopIteration

    t0 = time.perf_counter()
    message = "target fidelity reached at the initial point"
    theta = theta0
    if not reached and state["it"] < maxiter:
        res = scipy.optimize.minimize(
            fun,
            theta0,
            jac=True,
            method="L-BFGS-B",
            callback=on_iteration,
            options={
                "maxiter": maxiter - start_iter,
                "ftol": 0.0,
                "gtol": 1e-12,
                "maxcor": 30,
            },
        )
        theta, message = np.asarray(res.x), str(res.message)
    wall = time.perf_counter() - t0
    if bar is not None:
        bar.close()
    fidelity = objective.fidelity(theta)
    last["theta"] = theta
    save(state["it"])
    reached = target_fidelity is not None and fidelity >= target_fidelity
    circuit = ansatz.circuit(theta)
    depth = circuit.depth(lambda ins: ins.operation.num_qubits == 2)
    return AQCResult(
        circuit=circuit,
        parameters=theta,
        fidelity=fidelity,
        initial_fidelity=initial_fidelity,
        two_qubit_depth=int(depth),
        history=history,
        truncation_error=float(1.0 - psi.fidelity_estimate),
        num_iterations=state["it"],
        num_evaluations=objective.num_evaluations,
        wall_time=wall,
        reached_target=bool(reached),
        message=message,
        ansatz=ansatz,
    )
