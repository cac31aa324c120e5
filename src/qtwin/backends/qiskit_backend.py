r"""qtwin's tensor-network simulator as a Qiskit ``BackendV2``: :class:`TensornetBackend`.

Every Qiskit tool that takes a backend (``transpile``, ``backend.run``, qiskit-experiments,
:class:`~qiskit.primitives.BackendSamplerV2`, :class:`~qiskit.primitives.BackendEstimatorV2`)
runs on qtwin's simulator through this class. The target holds Qiskit's standard gates with
free ``Parameter`` angles (``ccx``, ``cswap`` and ``unitary`` included), ``measure``,
``reset``, ``delay``, ``barrier`` and the control-flow operations ``if_else``, ``for_loop``,
``while_loop`` and ``switch_case`` (with ``break_loop``/``continue_loop``), all ideal and
on every qubit (no coupling map), for ``num_qubits`` qubits (1000 by default: an MPS is
limited by entanglement, not by width).

``run`` samples each circuit with :class:`~qtwin.backends.TensornetSampler`: for a circuit
preparing :math:`|\psi\rangle` and measuring it, each shot draws an outcome :math:`x` with
probability :math:`|\langle x|\psi\rangle|^2` (exactly, unless ``max_bond``/``cutoff``
truncate the MPS); dynamic circuits (mid-circuit measurements, resets, classical control
flow) run as the sampler's branching trajectories. ``method`` picks the engine: ``"mps"``,
``"statevector"`` (dense) or ``"auto"`` (the sampler's choice).

The :class:`~qiskit.result.Result` has Aer's layout: counts keyed by hex strings of the
classical memory (clbit ``j`` is bit ``j``), per-shot ``memory`` when asked for, and a
header with ``name``, ``memory_slots`` and ``creg_sizes``, so ``get_counts`` prints
``'1 01'``-style keys with a space between registers as on Aer.

Noise models are refused (the engine simulates pure states): use ``qiskit_aer.AerSimulator``
(``noise_model=...``) or ``get_backend("aer", backend_options={"noise_model": ...})``.

Example:
    >>> from qiskit import QuantumCircuit, transpile
    >>> backend = TensornetBackend()
    >>> qc = QuantumCircuit(3); _ = qc.h(0); _ = qc.cx(0, 1); _ = qc.cx(1, 2)
    >>> _ = qc.measure_all()
    >>> counts = backend.run(transpile(qc, backend), shots=100, seed_simulator=1).result()
    >>> sorted(counts.get_counts())
    ['000', '111']
"""

from __future__ import annotations

import uuid
import warnings
from collections.abc import Sequence
from typing import Any

import numpy as np
from qiskit.circuit import (
    Barrier,
    BreakLoopOp,
    ContinueLoopOp,
    ForLoopOp,
    IfElseOp,
    QuantumCircuit,
    SwitchCaseOp,
    WhileLoopOp,
)
from qiskit.circuit.library import UnitaryGate, get_standard_gate_name_mapping
from qiskit.providers import BackendV2, JobStatus, JobV1, Options
from qiskit.result import Result
from qiskit.transpiler import Target

from qtwin._validation import check_positive_int

__all__ = ["TensornetBackend", "TensornetJob", "DEFAULT_NUM_QUBITS"]

DEFAULT_NUM_QUBITS = 1000
"""Width of the default :class:`TensornetBackend` target."""

_METHODS = ("auto", "mps", "statevector")
# hardware knobs that a simulator of classified (meas_level=2) outcomes may ignore
_IGNORED_OPTIONS = {"meas_level", "meas_return", "init_qubits", "rep_delay"}
_NOISE_HINT = (
    "TensornetBackend simulates ideal (noise-free) pure states and does not take a noise_model; "
    "run noisy circuits on qiskit_aer.AerSimulator(noise_model=...) or on "
    "qtwin.backends.get_backend('aer', backend_options={'noise_model': ...}) "
    "(or 'fake:<device>' for a device's noise)."
)


def tensornet_target(num_qubits: int = DEFAULT_NUM_QUBITS) -> Target:
    """The target of :class:`TensornetBackend`: every standard gate, ideal, on every qubit.

    Args:
        num_qubits: number of qubits, ``>= 1``.

    Example:
        >>> t = tensornet_target(5)
        >>> t.num_qubits, "cswap" in t, "if_else" in t, t.build_coupling_map() is None
        (5, True, True, True)
    """
    num_qubits = check_positive_int(num_qubits, "num_qubits")
    target = Target(description="qtwin tensornet simulator", num_qubits=num_qubits)
    for name, op in get_standard_gate_name_mapping().items():
        target.add_instruction(op, properties=None, name=name)
    target.add_instruction(UnitaryGate, name="unitary")
    target.add_instruction(Barrier, name="barrier")
    target.add_instruction(IfElseOp, name="if_else")
    target.add_instruction(ForLoopOp, name="for_loop")
    target.add_instruction(WhileLoopOp, name="while_loop")
    target.add_instruction(SwitchCaseOp, name="switch_case")
    target.add_instruction(BreakLoopOp, name="break_loop")
    target.add_instruction(ContinueLoopOp, name="continue_loop")
    return target


class TensornetJob(JobV1):
    """A finished job of :class:`TensornetBackend` (``run`` is synchronous)."""

    _async = False

    def __init__(self, backend: BackendV2, job_id: str, result: Result) -> None:
        super().__init__(backend, job_id)
        self._result = result

    def submit(self) -> None:
        """Nothing to do: the circuits ran when the job was created."""
        return None

    def result(self, timeout: float | None = None) -> Result:
        """The :class:`~qiskit.result.Result` (``timeout`` is accepted and ignored)."""
        return self._result

    def status(self) -> JobStatus:
        """Always ``JobStatus.DONE``."""
        return JobStatus.DONE


class TensornetBackend(BackendV2):
    """A Qiskit ``BackendV2`` that runs circuits on qtwin's MPS simulator (module docstring).

    Args:
        num_qubits: width of the target, ``>= 1`` (default 1000).
        **options: defaults of the run options (``shots``, ``seed_simulator``, ``memory``,
            ``max_bond``, ``cutoff``, ``method``, ``dtype``, ``device``); see :meth:`run`.

    Raises:
        ValueError: ``num_qubits < 1``, or a bad option value (``noise_model`` included).
    """

    #: a simulator, not a device (experiments size circuits by this flag)
    is_simulator = True

    def __init__(self, num_qubits: int = DEFAULT_NUM_QUBITS, **options: Any) -> None:
        super().__init__(
            name="tensornet",
            description="qtwin.tensornet matrix-product-state simulator",
            backend_version="0.1.0",
        )
        self._target = tensornet_target(num_qubits)
        if options:
            _check_run_options({**dict(self.options.items()), **options})
            self.set_options(**options)

    @classmethod
    def _default_options(cls) -> Options:
        return Options(
            shots=1024,
            seed_simulator=None,
            memory=False,
            max_bond=None,
            cutoff=None,
            method="auto",
            dtype=None,
            device=None,
            noise_model=None,
        )

    @property
    def target(self) -> Target:
        """Standard gates, measure/reset/delay/barrier and control flow on every qubit."""
        return self._target

    @property
    def max_circuits(self) -> None:
        """No limit on the number of circuits per job."""
        return None

    def run(
        self, run_input: QuantumCircuit | Sequence[QuantumCircuit], **options: Any
    ) -> TensornetJob:
        """Sample the circuits and return a finished :class:`TensornetJob`.

        Args:
            run_input: one circuit or a list of them, all parameters bound.
            **options: override the backend's options for this call:

                * ``shots`` (int >= 1, default 1024) shots per circuit;
                * ``seed_simulator`` (int or ``None``): the same seed gives the same counts;
                * ``memory`` (bool): add each shot's outcome (``Result.get_memory``);
                * ``max_bond`` (int >= 1 or ``None``), ``cutoff`` (float >= 0 or ``None``):
                  MPS truncation;
                * ``method``: ``"auto"``, ``"mps"`` or ``"statevector"`` (the engine);
                * ``dtype``, ``device``: torch dtype and device of the simulation.

                ``noise_model`` raises ``ValueError``; ``meas_level``/``meas_return`` and
                other options that the simulator does not use give a warning.

        Raises:
            ValueError: a bad option, a circuit with unbound parameters or wider than the
                target, or a circuit the engine cannot run (the message says which).
        """
        circuits = [run_input] if isinstance(run_input, QuantumCircuit) else list(run_input)
        for i, qc in enumerate(circuits):
            if not isinstance(qc, QuantumCircuit):
                raise TypeError(f"run_input[{i}] must be a QuantumCircuit, got {type(qc).__name__}")
            if qc.parameters:
                names = sorted(p.name for p in qc.parameters)
                raise ValueError(
                    f"run_input[{i}] ({qc.name!r}) has unbound parameters {names}; bind them "
                    "with circuit.assign_parameters(...) before backend.run"
                )
            if qc.num_qubits > self._target.num_qubits:
                raise ValueError(
                    f"run_input[{i}] has {qc.num_qubits} qubits, more than the backend's "
                    f"{self._target.num_qubits}; use TensornetBackend(num_qubits=...)"
                )
        opts = dict(self.options.items())
        if int(options.get("meas_level", 2)) != 2:
            raise ValueError(
                f"meas_level must be 2 (classified counts) on TensornetBackend, "
                f"got {options['meas_level']!r}"
            )
        unused = sorted(set(options) - set(opts))
        for key in unused:
            if key not in _IGNORED_OPTIONS:
                warnings.warn(
                    f"option {key!r} is not used by TensornetBackend", UserWarning, stacklevel=2
                )
            options.pop(key)
        opts.update(options)
        _check_run_options(opts)
        job_id = str(uuid.uuid4())
        results = self._sample(circuits, opts) if circuits else []
        result = Result.from_dict(
            {
                "backend_name": self.name,
                "backend_version": self.backend_version,
                "job_id": job_id,
                "qobj_id": "",
                "success": True,
                "status": "COMPLETED",
                "results": results,
            }
        )
        return TensornetJob(self, job_id, result)

    def _sample(self, circuits: list[QuantumCircuit], opts: dict[str, Any]) -> list[dict]:
        from qtwin.backends.tensornet_sampler import TensornetSampler

        kwargs: dict[str, Any] = {
            "default_shots": opts["shots"],
            "seed": opts["seed_simulator"],
            "max_bond": opts["max_bond"],
            "cutoff": opts["cutoff"],
            "dtype": opts["dtype"],
            "device": opts["device"],
            "method": opts["method"],
        }
        sampler = TensornetSampler(**kwargs)
        with warnings.catch_warnings():
            # a circuit without classical registers has an empty result, as on Aer
            warnings.filterwarnings("ignore", message=r"pubs\[\d+\] has no classical registers")
            pub_results = sampler.run([(qc,) for qc in circuits], shots=opts["shots"]).result()
        return [
            _experiment_result(qc, pub.data, opts["shots"], bool(opts["memory"]))
            for qc, pub in zip(circuits, pub_results, strict=True)
        ]


def _experiment_result(qc: QuantumCircuit, data: Any, shots: int, memory: bool) -> dict[str, Any]:
    """One entry of ``Result.results`` in Aer's layout, from the sampler's ``DataBin``."""
    values = np.zeros(shots, dtype=object)  # Python ints: any number of clbits
    for creg in qc.cregs:
        bits = np.asarray(getattr(data, creg.name).to_bool_array(order="little"))  # (shots, k)
        for k, bit in enumerate(creg):
            position = qc.find_bit(bit).index
            values = values | (bits[:, k].astype(np.int64).astype(object) << position)
    header = {
        "name": qc.name,
        "memory_slots": qc.num_clbits,
        "creg_sizes": [[creg.name, creg.size] for creg in qc.cregs],
        "n_qubits": qc.num_qubits,
        "qreg_sizes": [[qreg.name, qreg.size] for qreg in qc.qregs],
        "global_phase": float(qc.global_phase) if not qc.parameters else 0.0,
        "metadata": qc.metadata or {},
    }
    out: dict[str, Any] = {}
    if qc.cregs:
        hexes = [hex(int(v)) for v in values]
        counts: dict[str, int] = {}
        for h in hexes:
            counts[h] = counts.get(h, 0) + 1
        out["counts"] = counts
        if memory:
            out["memory"] = hexes
    return {
        "shots": shots,
        "success": True,
        "status": "DONE",
        "meas_level": 2,
        "data": out,
        "header": header,
    }


def _check_run_options(opts: dict[str, Any]) -> None:
    """``ValueError``/``TypeError`` naming the option for a bad run-option value."""
    from qtwin.backends.tensornet_options import MPSOptions

    if opts.get("noise_model") is not None:
        raise ValueError(f"noise_model: {_NOISE_HINT}")
    check_positive_int(opts["shots"], "shots")
    seed = opts["seed_simulator"]
    if seed is not None and (isinstance(seed, bool) or not isinstance(seed, (int, np.integer))):
        raise TypeError(f"seed_simulator must be an int or None, got {seed!r}")
    if opts["method"] not in _METHODS:
        raise ValueError(f"method must be one of {list(_METHODS)}, got {opts['method']!r}")
    MPSOptions.checked(
        max_bond=opts["max_bond"], cutoff=opts["cutoff"], dtype=opts["dtype"], device=opts["device"]
    )
