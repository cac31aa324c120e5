"""AQC-Tensor: compile a matrix product state into a short-depth circuit.

Approximate quantum compiling with tensor networks (Robertson, Akhriev, Vala, Zhuk,
arXiv:2301.08609): a target state given as an MPS (typically a time-evolved spin chain from
TEBD) is compiled into a parametrized circuit of constant two-qubit depth by maximizing the
fidelity :math:`|\\langle\\psi|V(\\theta)|0\\rangle|^2` over all parameters at once (L-BFGS),
with exact gradients from an exact tensor-network contraction on the shared simulator.

* targets: :func:`tebd_target`, :func:`target_from_circuit`, :func:`to_target_mps`;
* ansätze: :func:`ansatz_from_circuit` (KAK blocks initialized at a shallow Trotter
  circuit), :func:`brickwork_ansatz`, :class:`BlockAnsatz`, :class:`CircuitAnsatz` (a
  parametrized Qiskit circuit as it is), the :class:`Ansatz` protocol they share;
* optimization: :func:`compile_mps` (-> :class:`AQCResult`), :class:`FidelityObjective`,
  :func:`compile_time_evolution` (continuation in time), :func:`compile_sweep` (independent
  targets, one unit each, on a Dask cluster with ``cluster=``);
* baselines: :func:`staircase_compile` (Ran 2020);
* running: :func:`zz_correlators` (OpenQASM 3 round trip, Aer or a fake device).
"""

from qtwin.aqc.continuation import compile_time_evolution
from qtwin.aqc.execute import circuit_fidelity, zz_correlators
from qtwin.aqc.generation import (
    Ansatz,
    BlockAnsatz,
    CircuitAnsatz,
    ansatz_from_circuit,
    brickwork_ansatz,
)
from qtwin.aqc.network import OverlapNetwork
from qtwin.aqc.optimize import AnsatzLike, AQCResult, FidelityObjective, compile_mps
from qtwin.aqc.staircase import StaircaseResult, staircase_compile
from qtwin.aqc.sweep import compile_sweep
from qtwin.aqc.targets import TargetLike, target_from_circuit, tebd_target, to_target_mps

__all__ = [
    "AQCResult",
    "Ansatz",
    "AnsatzLike",
    "BlockAnsatz",
    "CircuitAnsatz",
    "FidelityObjective",
    "OverlapNetwork",
    "StaircaseResult",
    "TargetLike",
    "ansatz_from_circuit",
    "brickwork_ansatz",
    "circuit_fidelity",
    "compile_mps",
    "compile_sweep",
    "compile_time_evolution",
    "staircase_compile",
    "target_from_circuit",
    "tebd_target",
    "to_target_mps",
    "zz_correlators",
]
