r"""``compile_mps``: optimize all ansatz parameters at once against a target MPS.

The objective (Robertson et al., arXiv:2301.08609, Eq. 7) is the infidelity

.. math::

    f(\theta) = 1 - \big|\langle 0 | V(\theta)^\dagger | \psi \rangle\big|^2
              = 1 - \big|\langle \psi | V(\theta) | 0 \rangle\big|^2,

evaluated exactly by :class:`~qtwin.aqc.network.OverlapNetwork` (target MPS on top, ansatz
gates, :math:`|0\rangle` at the bottom, contracted column by column without truncation) and
differentiated by torch autograd (reverse mode: the environment method, the exact gradient for
about twice the cost of the value). All parameters are updated together by scipy's L-BFGS-B.

:func:`compile_mps` runs four steps: prepare the target (convert it once, check and fix its
norm), resolve the ansatz and its initial point, optimize (with an optional checkpoint), and
assemble the :class:`AQCResult`.

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

import functools
import os
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeAlias

import numpy as np
import scipy.optimize
import torch
from qiskit import QuantumCircuit

from qtwin._progress import progress as progress_bar
from qtwin._threads import torch_threads
from qtwin._validation import check_choice, check_finite, check_positive_int
from qtwin.aqc.generation import Ansatz, BlockAnsatz, CircuitAnsatz, ansatz_from_circuit
from qtwin.aqc.network import OverlapNetwork
from qtwin.aqc.targets import TargetLike, to_target_mps
from qtwin.checkpoint import Checkpoint, fingerprint
from qtwin.tensornet import MPS

__all__ = ["AQCResult", "AnsatzLike", "FidelityObjective", "compile_mps"]

#: what :func:`compile_mps` accepts as its ansatz (see there)
AnsatzLike: TypeAlias = QuantumCircuit | BlockAnsatz | tuple[BlockAnsatz, np.ndarray] | Ansatz

#: the former name of :class:`~qtwin.aqc.generation.CircuitAnsatz`
_CircuitAnsatz = CircuitAnsatz


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
    ansatz: Ansatz | None = field(default=None, repr=False)


class FidelityObjective:
    r"""The fidelity :math:`F(\theta) = |\langle\psi|V(\theta)|0\rangle|^2` and its gradient.

    Args:
        target: the target state, normalized: a complex128 qubit
            :class:`~qtwin.tensornet.MPS` is used as it is; anything else
            :func:`~qtwin.aqc.to_target_mps` takes is converted.
        ansatz: a :class:`~qtwin.aqc.BlockAnsatz`, a :class:`~qtwin.aqc.CircuitAnsatz` or
            another :class:`~qtwin.aqc.Ansatz`.
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
        self,
        target: TargetLike,
        ansatz: Ansatz,
        *,
        device: torch.device | str | None = None,
        threads: int | None = 1,
    ) -> None:
        if threads is not None:
            threads = check_positive_int(threads, "threads")
        self.threads = threads
        ready = (
            isinstance(target, MPS) and set(target.dims) == {2} and target.dtype == torch.complex128
        )
        psi = target if ready else to_target_mps(target)
        assert isinstance(psi, MPS)
        if device is not None:
            psi = psi.to(device=device)
        if ansatz.num_qubits != psi.num_sites:
            raise ValueError(
                f"the ansatz acts on {ansatz.num_qubits} qubits but the target has {psi.num_sites}"
            )
        self.target = psi
        self.ansatz = ansatz
        self.network = OverlapNetwork(psi.tensors, ansatz.pairs, bottom=True)
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


# ---------------------------------------------------------------------- step 1: the target
def _prepare_target(target: TargetLike) -> MPS:
    """The target as a canonical complex128 qubit MPS, converted once, normalized exactly."""
    psi = to_target_mps(target)
    norm = float(abs(psi.norm()))
    if abs(norm - 1.0) > 1e-6:
        raise ValueError(f"target must be normalized, its norm is {norm:.8g}")
    return psi.normalize()  # remove rounding-level deviations (psi is already a copy)


# ---------------------------------------------------------------------- step 2: the ansatz
@functools.singledispatch
def _ansatz_and_start(ansatz: object, n: int) -> tuple[Ansatz, np.ndarray | None]:
    if isinstance(ansatz, Ansatz):  # any object with the Ansatz protocol
        return ansatz, None
    raise TypeError(
        "ansatz must be a BlockAnsatz, (BlockAnsatz, theta0), a parametrized QuantumCircuit "
        f"or a plain QuantumCircuit to generate the ansatz from; got {type(ansatz).__name__}"
    )


@_ansatz_and_start.register
def _(ansatz: tuple, n: int) -> tuple[Ansatz, np.ndarray | None]:
    if len(ansatz) == 2 and isinstance(ansatz[0], BlockAnsatz):
        return ansatz[0], np.asarray(ansatz[1], dtype=float).reshape(-1)
    raise TypeError(
        "a tuple ansatz must be (BlockAnsatz, theta0), got a tuple of "
        f"{[type(x).__name__ for x in ansatz]}"
    )


@_ansatz_and_start.register
def _(ansatz: QuantumCircuit, n: int) -> tuple[Ansatz, np.ndarray | None]:
    if ansatz.num_qubits != n:
        raise ValueError(
            f"the ansatz circuit has {ansatz.num_qubits} qubits but the target has {n}"
        )
    if ansatz.parameters:
        return CircuitAnsatz(ansatz), np.zeros(ansatz.num_parameters)
    return ansatz_from_circuit(ansatz)


def _resolve_ansatz(
    ansatz: AnsatzLike, initial_point: Sequence[float] | np.ndarray | None, n: int
) -> tuple[Ansatz, np.ndarray]:
    """The ansatz object and its checked initial point (``initial_point`` wins)."""
    resolved, theta0 = _ansatz_and_start(ansatz, n)
    if initial_point is not None:
        theta0 = np.asarray(initial_point, dtype=float).reshape(-1)
    if theta0 is None:
        raise ValueError("initial_point is required with a BlockAnsatz")
    if theta0.shape[0] != resolved.num_parameters:
        raise ValueError(
            f"initial_point has {theta0.shape[0]} values, the ansatz has "
            f"{resolved.num_parameters} parameters"
        )
    check_finite(theta0, "initial_point")
    return resolved, theta0


@functools.singledispatch
def _describe(ansatz: object) -> Any:
    """What identifies an ansatz in a checkpoint fingerprint."""
    return {"type": type(ansatz).__qualname__, "pairs": getattr(ansatz, "pairs", None)}


@_describe.register
def _(ansatz: BlockAnsatz) -> Any:
    return {"type": "BlockAnsatz", "num_qubits": ansatz.num_qubits, "pairs": ansatz.pairs}


@_describe.register
def _(ansatz: CircuitAnsatz) -> Any:
    qc = ansatz.qc
    ops = [
        [inst.operation.name, [qc.find_bit(q).index for q in inst.qubits]]
        + [str(p) for p in inst.operation.params]
        for inst in qc.data
    ]
    return {"type": "CircuitAnsatz", "parameters": [p.name for p in qc.parameters], "ops": ops}


def _fingerprint(psi: MPS, ansatz: Ansatz, theta0: np.ndarray, loss: str) -> str:
    """What makes two compilations the same problem (a checkpoint of another is refused)."""
    return fingerprint(
        target=[t.detach().cpu().resolve_conj() for t in psi.tensors],
        ansatz=_describe(ansatz),
        initial_point=theta0,
        loss=loss,
    )


# ---------------------------------------------------------------------- step 3: optimize
@dataclass
class _Run:
    """The optimizer's state: what a checkpoint saves and a resumed run continues from."""

    theta: np.ndarray
    fidelity: float
    history: list[float]
    iteration: int = 0
    num_evaluations: int = 0
    stopped_by: str = ""  # "" while running; "maxiter", "target" or "optimizer" at the end
    message: str = ""

    def state(self) -> dict[str, Any]:
        return {
            "theta": torch.as_tensor(self.theta),
            "fidelity": self.fidelity,
            "history": list(self.history),
            "iteration": self.iteration,
            "num_evaluations": self.num_evaluations,
            "stopped_by": self.stopped_by,
            "message": self.message,
        }

    @classmethod
    def from_state(cls, state: dict[str, Any]) -> _Run:
        return cls(
            theta=state["theta"].numpy().astype(float),
            fidelity=float(state["fidelity"]),
            history=[float(x) for x in state["history"]],
            iteration=int(state["iteration"]),
            num_evaluations=int(state["num_evaluations"]),
            stopped_by=str(state["stopped_by"]),
            message=str(state["message"]),
        )

    def finished(self, maxiter: int, target_fidelity: float | None) -> bool:
        """Whether this call's stop rule already holds (then nothing is optimized)."""
        return (
            self.stopped_by == "optimizer"
            or self.iteration >= maxiter
            or (target_fidelity is not None and self.fidelity >= target_fidelity)
        )


def _optimize(
    objective: FidelityObjective,
    run: _Run,
    *,
    maxiter: int,
    target_fidelity: float | None,
    loss: str,
    ckpt: Checkpoint,
    checkpoint_every: int,
    show_progress: bool,
    callback: Callable[[int, float, np.ndarray], None] | None,
) -> None:
    """L-BFGS-B from ``run.theta`` until ``maxiter`` iterations in all, the target fidelity or
    the optimizer's own stop; updates ``run`` in place and checkpoints it."""
    evaluations0 = objective.num_evaluations - run.num_evaluations
    last = {"f": run.fidelity, "theta": run.theta.copy()}

    def fun(x: np.ndarray) -> tuple[float, np.ndarray]:
        f, g = objective.value_and_grad(x)
        last["f"], last["theta"] = f, x.copy()
        if loss == "log":
            fs = max(f, 1e-300)
            return -float(np.log(fs)), -g / fs
        return 1.0 - f, -g

    bar = progress_bar(total=maxiter, initial=run.iteration, desc="aqc", enabled=show_progress)
    bar.set_postfix(fidelity=f"{run.fidelity:.6f}")

    def on_iteration(intermediate_result: scipy.optimize.OptimizeResult) -> None:
        x = np.asarray(intermediate_result.x)
        f = last["f"] if np.array_equal(x, last["theta"]) else objective.fidelity(x)
        run.iteration += 1
        run.theta, run.fidelity = x.copy(), f
        run.num_evaluations = objective.num_evaluations - evaluations0
        run.history.append(f)
        bar.update(1)
        bar.set_postfix(fidelity=f"{f:.6f}")
        if target_fidelity is not None and f >= target_fidelity:
            run.stopped_by = "target"
        elif run.iteration >= maxiter:
            run.stopped_by = "maxiter"
        if run.iteration % checkpoint_every == 0 or run.stopped_by:
            ckpt.save(run.state())
        if callback is not None:  # after the save: an exception here loses nothing
            callback(run.iteration, f, x)
        if run.stopped_by:
            raise StopIteration

    try:
        res = scipy.optimize.minimize(
            fun,
            run.theta,
            jac=True,
            method="L-BFGS-B",
            callback=on_iteration,
            options={
                "maxiter": maxiter - run.iteration,
                "ftol": 0.0,
                "gtol": 1e-12,
                "maxcor": 30,
            },
        )
    finally:
        bar.close()
    run.message = str(res.message)
    if not run.stopped_by:  # scipy stopped on its own: converged or no further progress
        run.stopped_by = "optimizer"
        x = np.asarray(res.x)
        if not np.array_equal(x, run.theta):
            run.theta, run.fidelity = x.copy(), objective.fidelity(x)
    run.num_evaluations = objective.num_evaluations - evaluations0
    ckpt.save(run.state())


# ---------------------------------------------------------------------- step 4: the result
def _assemble(
    run: _Run,
    ansatz: Ansatz,
    psi: MPS,
    target_fidelity: float | None,
    wall_time: float,
) -> AQCResult:
    circuit = ansatz.circuit(run.theta)
    depth = circuit.depth(lambda ins: ins.operation.num_qubits == 2)
    return AQCResult(
        circuit=circuit,
        parameters=run.theta,
        fidelity=run.fidelity,
        initial_fidelity=run.history[0],
        two_qubit_depth=int(depth),
        history=run.history,
        truncation_error=float(1.0 - psi.fidelity_estimate),
        num_iterations=run.iteration,
        num_evaluations=run.num_evaluations,
        wall_time=wall_time,
        reached_target=bool(target_fidelity is not None and run.fidelity >= target_fidelity),
        message=run.message,
        ansatz=ansatz,
    )


def compile_mps(
    target: TargetLike,
    ansatz: AnsatzLike,
    initial_point: Sequence[float] | np.ndarray | None = None,
    *,
    maxiter: int = 200,
    target_fidelity: float | None = None,
    loss: str = "infidelity",
    progress: bool = True,
    checkpoint: str | os.PathLike[str] | None = None,
    checkpoint_every: int = 10,
    device: torch.device | str | None = None,
    threads: int | None = 1,
    callback: Callable[[int, float, np.ndarray], None] | None = None,
) -> AQCResult:
    r"""Compile a target MPS into the ansatz by L-BFGS over all parameters at once.

    Args:
        target: the state :math:`|\psi\rangle`: a qtwin ``MPS``, a quimb
            ``MatrixProductState``, Aer's ``(gammas, lambdas)`` or a dense vector
            (:data:`~qtwin.aqc.targets.TargetLike`); it must be normalized. It is converted
            once, to a canonical complex128 MPS.
        ansatz: a plain ``QuantumCircuit`` (a shallow Trotter circuit, say: the ansatz and its
            initial point are generated from it, see :func:`~qtwin.aqc.ansatz_from_circuit`),
            a parametrized ``QuantumCircuit`` (used as it is), a
            :class:`~qtwin.aqc.BlockAnsatz`, a ``(BlockAnsatz, theta0)`` pair, or any object
            with the :class:`~qtwin.aqc.Ansatz` protocol.
        initial_point: starting parameters (overrides the generated ones; required for a bare
            ``BlockAnsatz``; zeros for a parametrized circuit when omitted).
        maxiter: largest number of L-BFGS iterations in all (a resumed run included), ``>= 1``.
        target_fidelity: stop as soon as the fidelity reaches it (in ``(0, 1]``).
        loss: ``"infidelity"`` (:math:`1-F`) or ``"log"`` (:math:`-\log F`).
        progress: show a tqdm bar with the current fidelity.
        checkpoint: a file path (a :class:`qtwin.checkpoint.Checkpoint`, written atomically
            with ``torch.save``; ``.pt`` by convention). The parameters, history and counters
            are saved every ``checkpoint_every`` iterations and at the end; a run whose file
            exists resumes from it. The file carries a fingerprint of the target tensors, the
            ansatz, the initial point and ``loss``; a file of another problem raises
            :class:`~qtwin.exceptions.CheckpointMismatchError` (a ``ValueError``).
            ``maxiter`` and ``target_fidelity`` may change between runs (to extend one).
            **What resuming guarantees.** A file whose run had already stopped under this
            call's rule (``maxiter`` reached, ``target_fidelity`` reached, or L-BFGS-B stopped
            by itself) is returned unchanged, without optimizing: the same parameters,
            fidelity, history and counters as the uninterrupted run. A run interrupted
            midway is *not* bit-identical to an uninterrupted one: SciPy's L-BFGS-B keeps its
            curvature memory (the last ``maxcor`` step/gradient pairs) in internal work
            arrays that it can neither return nor be restarted from, so the resumed run
            restarts L-BFGS-B from the saved parameters with an empty memory; its first
            steps are gradient-descent-like and it reaches the same optimum by a different
            path (the tests check the same final fidelity to ``1e-6`` on a compilable
            target). The history and iteration count continue from the file.
        checkpoint_every: iterations between checkpoints, ``>= 1``.
        device: torch device for the contraction (``"cuda"`` on a GPU machine).
        threads: torch CPU threads during the optimization (restored afterwards); the
            default 1 is fastest for the small tensors of typical targets (intra-op threading
            only adds overhead there); ``None`` keeps torch's setting.
        callback: called as ``callback(iteration, fidelity, theta)`` after every iteration
            (after that iteration's checkpoint is written).

    Returns:
        An :class:`AQCResult`.

    Raises:
        ValueError: mismatched qubit counts, a target that is not normalized, a wrong-length
            or non-finite initial point, bad option values, a checkpoint of another problem.
        TypeError: an ansatz or target of an unsupported type.
    """
    maxiter = check_positive_int(maxiter, "maxiter")
    checkpoint_every = check_positive_int(checkpoint_every, "checkpoint_every")
    check_choice(loss, "loss", ("infidelity", "log"))
    if target_fidelity is not None and not (0.0 < float(target_fidelity) <= 1.0):
        raise ValueError(f"target_fidelity must be in (0, 1], got {target_fidelity!r}")

    psi = _prepare_target(target)
    ansatz_obj, theta0 = _resolve_ansatz(ansatz, initial_point, psi.num_sites)
    objective = FidelityObjective(psi, ansatz_obj, device=device, threads=threads)

    ckpt = Checkpoint(
        checkpoint,
        _fingerprint(psi, ansatz_obj, theta0, loss) if checkpoint is not None else "off",
    )
    saved = ckpt.load()
    if saved is not None:
        run = _Run.from_state(saved)
        if run.stopped_by in ("maxiter", "target"):  # stopped by a rule this call may relax
            run.stopped_by = ""
    else:
        f0 = objective.fidelity(theta0)
        run = _Run(theta=theta0.copy(), fidelity=f0, history=[f0])
        if target_fidelity is not None and f0 >= target_fidelity:
            run.stopped_by, run.message = "target", "target fidelity reached at the initial point"

    t0 = time.perf_counter()
    if not run.finished(maxiter, target_fidelity):
        _optimize(
            objective,
            run,
            maxiter=maxiter,
            target_fidelity=target_fidelity,
            loss=loss,
            ckpt=ckpt,
            checkpoint_every=checkpoint_every,
            show_progress=progress,
            callback=callback,
        )
    elif saved is None:
        ckpt.save(run.state())
    return _assemble(run, ansatz_obj, psi, target_fidelity, time.perf_counter() - t0)
