r"""Continuation in evolution time: AQC without the orthogonality catastrophe.

At large ``n`` the fidelity between two different many-body states is exponentially small
in ``n`` (the orthogonality catastrophe): a randomly initialized ansatz has
:math:`F \approx 0` and a flat landscape, so a global optimizer cannot start. The scheme of
Robertson et al. (arXiv:2301.08609) never starts far from the target:

1. at the first time :math:`t_1` (short), the ansatz is generated from a shallow Trotter
   circuit :math:`U_{\text{Trotter}}(t_1)` and starts *exactly* at it, where
   :math:`F \approx 1 - O(n\, t_1^{2p+2}/s^{2p})`, far from zero;
2. at each later time :math:`t_k` the target moves continuously, so the previous solution
   :math:`\theta^*(t_{k-1})` is still close to it; the optimizer starts from whichever of
   :math:`\theta^*(t_{k-1})` and the Trotter angles for :math:`t_k` has the higher
   fidelity (the ansatz structure is the same at every step), and L-BFGS runs on all
   parameters at once;
3. the targets :math:`|\psi(t_k)\rangle` are produced incrementally by TEBD on the shared
   MPS (each is the previous one evolved by :math:`t_k - t_{k-1}`).

With ``loss="log"`` the objective is :math:`-\log F`, whose gradient does not vanish with
:math:`F`, for steps where the global fidelity is small.

Example:
    >>> from qtwin.circuits import xxz_chain
    >>> out = compile_time_evolution(xxz_chain(4), [0.1, 0.2], maxiter=5, progress=False)
    >>> [r.fidelity >= r.initial_fidelity for r in out]
    [True, True]
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from qiskit.quantum_info import SparsePauliOp

from qtwin._threads import torch_threads
from qtwin._validation import check_finite, check_positive_int
from qtwin.aqc.generation import ansatz_from_circuit
from qtwin.aqc.optimize import AQCResult, FidelityObjective, compile_mps

__all__ = ["compile_time_evolution"]


def compile_time_evolution(
    hamiltonian: SparsePauliOp,
    times: Sequence[float],
    *,
    ansatz_steps: int = 1,
    order: int = 1,
    initial_state: str | None = "neel",
    dt: float = 0.05,
    max_bond: int | None = None,
    cutoff: float = 1e-12,
    maxiter: int = 100,
    target_fidelity: float | None = None,
    loss: str = "infidelity",
    progress: bool = True,
    **kwargs: Any,
) -> list[AQCResult]:
    r"""Compile :math:`e^{-iHt_k}|\text{initial}\rangle` for increasing times ``t_k``, each
    optimization starting from the previous solution (see the module docstring).

    Args:
        hamiltonian: a chain Hamiltonian (:mod:`qtwin.circuits.hamiltonians`).
        times: increasing positive evolution times.
        ansatz_steps: Trotter steps of the shallow circuit the ansatz is generated from
            (its two-qubit depth is fixed by this, not by ``n``).
        order: Trotter order of that circuit, 1 or 2.
        initial_state: ``"neel"`` (default), ``"zeros"`` or a bitstring.
        dt: TEBD step of the targets.
        max_bond: bond-dimension cap of the targets; ``None`` for none.
        cutoff: truncation cutoff of the targets.
        maxiter: L-BFGS iterations per time.
        target_fidelity: stop each optimization once reached.
        loss: ``"infidelity"`` or ``"log"`` (see :func:`~qtwin.aqc.compile_mps`).
        progress: progress bars.
        **kwargs: passed on to :func:`~qtwin.aqc.compile_mps` (``device``, ``threads``...).

    Returns:
        One :class:`~qtwin.aqc.AQCResult` per time.
    """
    from qtwin.circuits import initial_state_circuit, trotter_circuit

    ts = np.asarray(times, dtype=float).reshape(-1)
    check_finite(ts, "times")
    if ts.size == 0 or np.any(ts <= 0) or np.any(np.diff(ts) <= 0):
        raise ValueError(f"times must be positive and strictly increasing, got {list(ts)}")
    ansatz_steps = check_positive_int(ansatz_steps, "ansatz_steps")
    n = hamiltonian.num_qubits
    with torch_threads(kwargs.get("threads", 1)):
        from qtwin.aqc.targets import target_from_circuit

        psi = target_from_circuit(
            initial_state_circuit(n, initial_state), max_bond=max_bond, cutoff=cutoff
        )
    results: list[AQCResult] = []
    t_prev = 0.0
    theta_prev: np.ndarray | None = None
    for t in ts:
        steps = max(1, int(np.ceil((t - t_prev) / dt - 1e-9)))
        evo = trotter_circuit(hamiltonian, float(t - t_prev), steps, order=2)
        with torch_threads(kwargs.get("threads", 1)):
            psi.max_bond, psi.cutoff = max_bond, cutoff
            psi.apply_circuit(evo).normalize()
        ansatz, theta0 = ansatz_from_circuit(
            trotter_circuit(
                hamiltonian, float(t), ansatz_steps, order=order, initial_state=initial_state
            )
        )
        if theta_prev is not None and theta_prev.shape == theta0.shape:
            obj = FidelityObjective(psi, ansatz)
            if obj.fidelity(theta_prev) > obj.fidelity(theta0):
                theta0 = theta_prev
        res = compile_mps(
            psi.copy(),
            (ansatz, theta0),
            maxiter=maxiter,
            target_fidelity=target_fidelity,
            loss=loss,
            progress=progress,
            **kwargs,
        )
        results.append(res)
        theta_prev, t_prev = res.parameters, float(t)
    return results
