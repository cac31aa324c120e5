r"""A Qiskit V2 estimator on qtwin's tensor-network simulator (MPS or dense statevector).

For a PUB ``(circuit, observables, parameter_values, precision)`` the observables array and
the parameter sets broadcast against each other as in Qiskit: the result has shape
``numpy.broadcast_shapes(observables.shape, parameter_values.shape)`` and element ``i`` is

.. math::

    \langle O_i \rangle = \sum_P c_{i,P}\, \langle\psi(\theta_i)| P |\psi(\theta_i)\rangle,

computed exactly (no sampling) for each Pauli string :math:`P` of :math:`O_i`, on the engine
that ``method`` picks (:mod:`~qtwin.backends.tensornet_options`). Each parameter set's state
is built once and serves every observable broadcast against it. Final measurements are
ignored.

Resets (which Qiskit's ``StatevectorEstimator`` accepts), mid-circuit measurements and
classical control flow act as channels: the circuit runs as exact weighted trajectories
(:func:`qtwin.tensornet.dynamic.expectation_program`), every outcome followed with its
probability, and :math:`\langle O\rangle = \sum_b w_b \langle\psi_b|O|\psi_b\rangle` is the
value in the mixed state (Qiskit's reference draws one random trajectory instead). At most
``max_branches`` trajectories are followed.

``precision = 0`` (the default) returns the exact values with ``stds = 0``. ``precision > 0``
mimics a shot-limited estimate: every value gets independent Gaussian noise
:math:`\mathcal N(0, \text{precision}^2)` from the seeded generator and ``stds = precision``
(the standard error the V2 interface defines; Qiskit's ``StatevectorEstimator`` leaves
``stds = 0`` here, a deliberate difference). As on Qiskit's reference, every PUB draws its
noise from ``numpy.random.default_rng(seed)``: with an int ``seed`` identical PUBs in one run
get identical noise.

Metadata: ``target_precision`` and ``circuit_metadata`` (Qiskit's keys), and under
``metadata["qtwin"]`` the engine (``simulator``, ``method``), ``discarded_weight`` and, for
dynamic circuits, ``num_branches`` (also copied to the top level: deprecated).

Example:
    >>> from qiskit import QuantumCircuit
    >>> from qiskit.circuit import Parameter
    >>> theta = Parameter("theta")
    >>> qc = QuantumCircuit(1); _ = qc.ry(theta, 0)
    >>> pub = (qc, [["Z"], ["X"]], [0.0, 1.5707963267948966])   # obs (2, 1) x params (2,)
    >>> evs = TensornetEstimator().run([pub]).result()[0].data.evs
    >>> evs.shape, np.round(evs, 12).tolist()
    ((2, 2), [[1.0, 0.0], [0.0, 1.0]])
"""

from __future__ import annotations

from typing import Any

import numpy as np
from qiskit.circuit import Parameter, QuantumCircuit
from qiskit.primitives.containers import PubResult
from qiskit.primitives.containers.estimator_pub import EstimatorPub
from qiskit.quantum_info import SparsePauliOp

from qtwin._validation import check_positive_int
from qtwin.backends._primitive import LocalEstimator
from qtwin.backends._pubs import check_unitary_circuit, dynamic_program, estimator_pub_result
from qtwin.backends.tensornet_options import PURE_STATE_HINT, TensornetPrimitive
from qtwin.circuits.dynamic import is_dynamic

__all__ = ["TensornetEstimator"]


class TensornetEstimator(TensornetPrimitive, LocalEstimator):
    """Estimator V2 whose expectation values are computed on :class:`qtwin.tensornet.MPS` or
    ``Statevector``.

    ``run`` raises ``ValueError`` for NaN/inf parameter values, negative precision or an
    instruction it cannot run (named in the message), before the job starts.

    Args:
        default_precision: precision used when neither ``run`` nor the PUB sets one; ``0``
            means exact values.
        seed: int or ``numpy.random.Generator`` for the precision noise.
        max_bond: largest bond dimension kept (``None``: exact, up to machine precision).
        cutoff: singular values below this (relative) threshold are discarded.
        dtype: torch complex dtype of the tensors (default ``torch.complex128``).
        device: torch device, default CPU.
        method: ``"auto"`` (default: dense up to 20 qubits without truncation, MPS beyond),
            ``"mps"`` or ``"statevector"``.
        max_branches: most trajectories a dynamic circuit may branch into (``ValueError``
            beyond).
    """

    def __init__(
        self,
        *,
        default_precision: float = 0.0,
        seed: int | np.random.Generator | None = None,
        max_bond: int | None = None,
        cutoff: float | None = None,
        dtype: Any = None,
        device: Any = None,
        method: str = "auto",
        max_branches: int = 1024,
    ) -> None:
        super().__init__(default_precision=default_precision)
        self._init_tensornet(
            seed, max_bond=max_bond, cutoff=cutoff, dtype=dtype, device=device, method=method
        )
        self._max_branches = check_positive_int(max_branches, "max_branches")

    def _check_pub(self, index: int, pub: EstimatorPub) -> None:
        super()._check_pub(index, pub)
        if is_dynamic(pub.circuit):
            dynamic_program(pub.circuit, index, "TensornetEstimator")
        else:
            check_unitary_circuit(pub.circuit, index, "TensornetEstimator", hint=PURE_STATE_HINT)

    def _run_pub(self, pub: EstimatorPub, rng: np.random.Generator) -> PubResult:
        from qtwin.tensornet.dynamic import expectation_program

        discarded = np.zeros(pub.parameter_values.shape)
        engine = self._engine(pub.circuit)
        dynamic = is_dynamic(pub.circuit)
        program = dynamic_program(pub.circuit, 0, "TensornetEstimator") if dynamic else None
        extra = {"num_branches": np.zeros(pub.parameter_values.shape, dtype=np.int64)}

        def evaluate(
            index: tuple[int, ...],
            body: QuantumCircuit,
            values: dict[Parameter, float],
            observables: list[SparsePauliOp],
        ) -> list[float]:
            if program is not None:
                evs, traj = expectation_program(
                    program,
                    engine,
                    observables,
                    parameter_values=values,
                    max_branches=self._max_branches,
                )
                extra["num_branches"][index] = traj.num_branches
                discarded[index] = float(np.max(engine.discarded_weight(traj.states)))
                return evs
            state = engine.prepare(body, values)
            discarded[index] = float(engine.discarded_weight(state)[0])
            return [float(engine.expectation(state, op)[0]) for op in observables]

        return estimator_pub_result(
            pub,
            "TensornetEstimator",
            rng,
            evaluate,
            strip=not dynamic,
            discarded_weight=discarded,
            simulator=engine.name,
            method=self._method_for(pub.circuit),
            **(extra if dynamic else {}),
        )
