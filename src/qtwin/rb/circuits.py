r"""Randomized-benchmarking circuits for qubit registers, runnable on every qtwin backend.

A qudit of dimension :math:`d = 2^n` is stored in ``n`` qubits (little-endian: basis index
:math:`k = \sum_q 2^q b_q`), so the qudit Clifford group of :mod:`qtwin.designs.clifford`
(``d = 2``: the 24 single-qubit Cliffords; ``d = 4``: the 768 Cliffords of
:math:`\mathbb{Z}_4`, **not** the 11520 two-qubit Cliffords) runs on qubit hardware. A
sequence of length ``m`` is

.. math::

    |0\rangle \;\to\; C_1 \to C_2 \to \dots \to C_m \to
    C_{\rm inv} = (C_m \cdots C_1)^\dagger \;\to\; \text{measure},

each :math:`C_i` drawn uniformly (independently for every length and sample) and
appended as one :class:`~qiskit.circuit.library.UnitaryGate` with label ``"clifford"``
(the inverse too), separated by barriers. Aer matches noise on unitary gates by their
label, so ``NoiseModel.add_all_qubit_quantum_error(err, ["clifford"])`` puts one channel
after every Clifford, :math:`m + 1` in all. The survival probability is the
probability of the all-zeros outcome. With ``character=True`` every sequence is run once for
each of the ``d**2`` Weyl–Heisenberg elements :math:`D(u)` (the character group of
character RB), merged into :math:`C_1` and left out of the inverse, so that the ideal
circuit ends in :math:`D(u)`; the character-weighted average over ``u`` is then exact.

:func:`run_rb_on_backend` sends the circuits to ``get_backend(name).sampler`` (``tensornet``,
``aer``, ``fake:<device>``, ...) and returns survival probabilities shaped
``(len(lengths), num_samples)``, the layout the fits of :mod:`qtwin.rb.fit` take.
:func:`qiskit_experiments_standard_rb` runs qiskit-experiments' ``StandardRB`` on Aer with
a given channel after every Clifford (the cross-check and the benchmark peer).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import ArrayLike

from qtwin._extras import require_module
from qtwin._io import to_jsonable
from qtwin._validation import as_generator, check_positive_int

if TYPE_CHECKING:
    import pandas as pd
    from qiskit import QuantumCircuit
    from qiskit_aer.noise import QuantumError
    from qiskit_experiments.framework import ExperimentData

    from qtwin.backends import QtwinBackend
    from qtwin.rb.channels import Channel
    from qtwin.rb.fit import DecayFit
    from qtwin.rb.protocols import CharacterRBResult

__all__ = [
    "RBCircuits",
    "RBBackendData",
    "rb_circuits",
    "run_rb_on_backend",
    "qiskit_experiments_standard_rb",
    "QiskitExperimentsRB",
]


def _num_qubits(d: object) -> int:
    d = check_positive_int(d, "d", minimum=2)
    n = d.bit_length() - 1
    if 2**n != d:
        raise ValueError(f"d must be a power of two (a qudit stored in qubits), got {d}")
    if n > 3:
        raise ValueError(f"d must be 2, 4 or 8 for qubit RB circuits, got {d}")
    return n


def _check_lengths(lengths: object) -> np.ndarray:
    arr = np.asarray(lengths)
    if arr.ndim != 1 or arr.size == 0:
        raise ValueError(f"lengths must be a non-empty 1-D sequence of integers, got {lengths!r}")
    if arr.dtype.kind not in "iu":
        raise TypeError(f"lengths must hold integers, got dtype {arr.dtype}")
    if np.any(arr < 0):
        raise ValueError(f"lengths must be non-negative integers, got {arr.tolist()}")
    return arr.astype(np.int64)


@dataclass(frozen=True)
class RBCircuits:
    """RB circuits in ``(length, sample)`` order, with what generated them.

    Attributes:
        d: qudit dimension (``2**num_qubits``).
        lengths: ``(L,)`` sequence lengths ``m`` (number of random Cliffords).
        num_samples: sequences per length ``S``.
        circuits: ``L * S * K`` circuits (``K = d**2`` with character gates, else 1);
            circuit ``(i * S + s) * K + k`` is sample ``s`` of length ``i`` with character
            label ``k`` (row ``k`` of :func:`qtwin.designs.weyl.wh_labels`).
        clifford_indices: per sequence (``L * S`` of them, ``i * S + s``) the indices of its
            Cliffords in ``qtwin.designs.clifford_group(d)`` (length ``m``).
        character_labels: ``(K, 2)`` Weyl–Heisenberg labels ``u`` of the character gates
            (:func:`~qtwin.designs.weyl.wh_labels`), or ``None`` for standard RB.
    """

    d: int
    lengths: np.ndarray
    num_samples: int
    circuits: list[QuantumCircuit]
    clifford_indices: list[np.ndarray]
    character_labels: np.ndarray | None = None

    @property
    def num_qubits(self) -> int:
        """Number of qubits, ``log2(d)``."""
        return self.d.bit_length() - 1


def rb_circuits(
    d: int,
    lengths: Sequence[int],
    num_samples: int,
    seed: int | np.random.Generator | None = None,
    *,
    character: bool = False,
    measure: bool = True,
) -> RBCircuits:
    r"""Random Clifford sequences with their inverse as Qiskit circuits on ``log2(d)`` qubits.

    Circuit for sample ``s`` of length ``m``: ``C_1 .. C_m`` uniform from the qudit
    Clifford group (:func:`qtwin.designs.clifford.clifford_group`), then
    :math:`C_{\rm inv} = (C_m\cdots C_1)^\dagger`, then ``measure_all``. Without noise every
    circuit is the identity (up to a global phase), so the survival probability is 1.
    With ``character=True`` each sequence gives ``d**2`` circuits, one per label ``u``,
    whose first gate is :math:`C_1 D(u)`
    (for ``m = 0`` the circuit is the single gate :math:`D(u)`), and the ideal circuit
    ends in :math:`D(u)`. Every gate carries the label ``"clifford"`` (for Aer noise models).

    Args:
        d: qudit dimension, a power of two: 2 (one qubit), 4 (two qubits) or 8.
        lengths: non-empty sequence of lengths ``m >= 0``.
        num_samples: random sequences per length, ``>= 1``.
        seed: int, ``numpy.random.Generator`` or ``None``.
        character: one circuit per Weyl–Heisenberg character gate (character RB).
        measure: append ``measure_all`` (set ``False`` to inspect the unitaries).

    Example:
        >>> from qiskit.quantum_info import Operator
        >>> rb = rb_circuits(2, [0, 3], num_samples=2, seed=1, measure=False)
        >>> len(rb.circuits), [len(i) for i in rb.clifford_indices]
        (4, [0, 0, 3, 3])
        >>> len(rb_circuits(2, [0, 3], num_samples=2, seed=1, character=True).circuits)
        16
        >>> round(float(abs(np.trace(Operator(rb.circuits[3]).data))) / 2, 12)
        1.0
    """
    from qiskit.circuit import QuantumCircuit
    from qiskit.circuit.library import UnitaryGate

    from qtwin.designs.clifford import clifford_group
    from qtwin.designs.weyl import displacement_operator, wh_labels

    n = _num_qubits(d)
    lens = _check_lengths(lengths)
    num_samples = check_positive_int(num_samples, "num_samples")
    rng = as_generator(seed)
    unitaries = clifford_group(d).unitaries
    labels = wh_labels(d) if character else None
    firsts = (
        [displacement_operator(u, d) for u in labels]
        if labels is not None
        else [np.eye(d, dtype=np.complex128)]
    )
    circuits, indices = [], []
    qubits = list(range(n))
    for m in lens:
        for s in range(num_samples):
            idx = rng.integers(0, len(unitaries), size=int(m))
            indices.append(idx)
            total = np.eye(d, dtype=np.complex128)
            for k in idx:
                total = unitaries[k] @ total
            inv = total.conj().T
            for first in firsts:
                qc = QuantumCircuit(n, name=f"rb_m{m}_s{s}")
                for j, k in enumerate(idx):
                    u = unitaries[k] @ first if j == 0 else unitaries[k]
                    qc.append(UnitaryGate(u, label="clifford", check_input=False), qubits)
                    qc.barrier()
                last = inv if m > 0 else first  # m = 0: the character gate alone
                qc.append(UnitaryGate(last, label="clifford", check_input=False), qubits)
                if measure:
                    qc.measure_all()
                circuits.append(qc)
    return RBCircuits(
        d=int(d),
        lengths=lens,
        num_samples=num_samples,
        circuits=circuits,
        clifford_indices=indices,
        character_labels=labels,
    )


@dataclass(frozen=True)
class RBBackendData:
    """Survival probabilities of RB circuits run on a backend.

    Attributes:
        d: qudit dimension.
        lengths: ``(L,)`` sequence lengths.
        survival: ``(L, S)`` fraction of shots with the all-zeros outcome, ``(L, S, K)``
            with character gates (``K = d**2``, label order of ``character_labels``).
        shots: shots per circuit.
        backend: name of the backend that ran them.
        character_labels: ``(K, 2)`` character labels (``character=True``), else ``None``.
    """

    d: int
    lengths: np.ndarray
    survival: np.ndarray
    shots: int
    backend: str
    character_labels: np.ndarray | None = None

    def mean_survival(self) -> np.ndarray:
        """``(L,)`` survival averaged over the sequences of each length."""
        return self.survival.mean(axis=1)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready fields (arrays as lists).

        Example:
            >>> data = run_rb_on_backend("tensornet", 2, [1, 4], num_samples=2, shots=8, seed=3)
            >>> data.to_dict()["survival"]
            [[1.0, 1.0], [1.0, 1.0]]
        """
        return to_jsonable(
            {
                "d": self.d,
                "lengths": self.lengths,
                "survival": self.survival,
                "shots": self.shots,
                "backend": self.backend,
                "character_labels": self.character_labels,
            }
        )

    def to_dataframe(self) -> pd.DataFrame:
        """Tidy survival: one row per circuit, ``length, sequence[, character], survival``.

        Example:
            >>> data = run_rb_on_backend("tensornet", 2, [1, 4], num_samples=2, shots=8, seed=3)
            >>> data.to_dataframe().shape
            (4, 3)
        """
        import pandas as pd

        surv = np.asarray(self.survival)
        grids = np.meshgrid(*(np.arange(n) for n in surv.shape), indexing="ij")
        data = {"length": np.asarray(self.lengths)[grids[0].ravel()], "sequence": grids[1].ravel()}
        if surv.ndim == 3:
            data["character"] = grids[2].ravel()
        data["survival"] = surv.ravel()
        return pd.DataFrame(data)

    def fit(
        self,
        *,
        confidence: float = 0.95,
        num_bootstrap: int = 200,
        seed: int | np.random.Generator | None = None,
    ) -> DecayFit:
        r"""Fit :math:`A f^m + B` with a bootstrap interval (:func:`qtwin.rb.fit.fit_decay`).

        For character data (``character_labels`` set) use :meth:`fit_character`.

        Returns:
            :class:`qtwin.rb.fit.DecayFit` (``f``, ``f_ci``, ``a``, ``b``, ...).
        """
        from qtwin.rb.fit import fit_decay

        if self.character_labels is not None:
            raise ValueError("these data carry character gates: use fit_character()")
        return fit_decay(
            self.lengths,
            self.survival,
            offset=True,
            confidence=confidence,
            num_bootstrap=num_bootstrap,
            seed=seed,
        )

    def fit_character(
        self,
        *,
        confidence: float = 0.95,
        num_bootstrap: int = 200,
        seed: int | np.random.Generator | None = None,
    ) -> CharacterRBResult:
        r"""Character-RB analysis of data taken with ``character=True``.

        Every sequence ran with all ``d**2`` character gates, so
        :math:`k_\sigma(m) = \frac{d_\sigma}{d^2}\sum_u\chi_\sigma(u)\,p(m; u)` is exact per
        sequence (:func:`qtwin.rb.fidelity.wh_characters`, real); each is fitted with
        :math:`A f^m` (no offset) and
        :math:`F = (d + 1 + \sum_\sigma d_\sigma f_\sigma)/(d(d+1))`, with a bootstrap
        interval over sequences (all irreps resampled together).

        Returns:
            :class:`qtwin.rb.protocols.CharacterRBResult`.
        """
        from qtwin.rb.fit import bootstrap_indices
        from qtwin.rb.protocols import analyze_character_rb

        if self.character_labels is None:
            raise ValueError("these data were taken without character gates (character=False)")
        num_bootstrap = check_positive_int(num_bootstrap, "num_bootstrap", minimum=10)
        num_l, num_s, num_k = self.survival.shape
        u = np.broadcast_to(np.arange(num_k), (num_l, num_s, num_k))
        resamples = bootstrap_indices(num_l, num_s, num_bootstrap, seed)
        return analyze_character_rb(
            self.d,
            self.lengths,
            self.survival,
            np.array(u),
            confidence=confidence,
            resamples=resamples,
        )


def run_rb_on_backend(
    backend: str | QtwinBackend,
    d: int,
    lengths: Sequence[int],
    num_samples: int,
    shots: int = 1024,
    seed: int | np.random.Generator | None = None,
    *,
    character: bool = False,
    backend_options: dict[str, Any] | None = None,
) -> RBBackendData:
    r"""Run qubit RB circuits (:func:`rb_circuits`) on a qtwin backend; survival probabilities.

    The circuits go to ``get_backend(backend, **backend_options).sampler`` (one job, ``shots``
    each); device backends (``fake:<device>``, ``ibm:<device>``) transpile them to their
    instruction set. Noise comes from the backend: a ``fake:`` device's noise model, or Aer
    with ``backend_options={"backend_options": {"noise_model": nm}}`` where ``nm`` attaches its
    error to the label ``"clifford"`` (one channel after every Clifford).

    Args:
        backend: a backend name (``"tensornet"``, ``"aer"``, ``"fake:manila"``, ...) or a
            :class:`qtwin.backends.QtwinBackend`.
        d: qudit dimension, 2, 4 or 8.
        lengths: sequence lengths ``m >= 0``.
        num_samples: sequences per length.
        shots: shots per circuit, ``>= 1``.
        seed: seeds the sequences (and the sampler when ``backend`` is a name).
        character: run every sequence with each of the ``d**2`` character gates.
        backend_options: keyword options of :func:`qtwin.backends.get_backend`.

    Returns:
        :class:`RBBackendData` with ``survival`` of shape ``(len(lengths), num_samples)``.

    Example:
        >>> data = run_rb_on_backend("tensornet", 2, [1, 4], num_samples=2, shots=64, seed=3)
        >>> data.survival.shape, float(data.survival.min())
        ((2, 2), 1.0)
    """
    from qtwin.backends import QtwinBackend, get_backend

    shots = check_positive_int(shots, "shots")
    rng = as_generator(seed)
    if isinstance(backend, QtwinBackend):
        if backend_options:
            raise ValueError("backend_options apply to a backend name, not a QtwinBackend object")
        qb = backend
    elif isinstance(backend, str):
        opts = dict(backend_options or {})
        if "seed" not in opts and isinstance(seed, (int, np.integer)):
            opts["seed"] = int(seed)
        qb = get_backend(backend, **opts)
    else:
        raise TypeError(f"backend must be a backend name or a QtwinBackend, got {backend!r}")
    rb = rb_circuits(d, lengths, num_samples, rng, character=character)
    result = qb.sampler.run([(qc,) for qc in rb.circuits], shots=shots).result()
    zeros = "0" * rb.num_qubits
    surv = np.empty(len(rb.circuits))
    for k, pub in enumerate(result):
        counts = pub.data.meas.get_counts()
        surv[k] = counts.get(zeros, 0) / sum(counts.values())
    return RBBackendData(
        d=rb.d,
        lengths=rb.lengths,
        survival=surv.reshape(rb.lengths.size, rb.num_samples, -1)
        if character
        else surv.reshape(rb.lengths.size, rb.num_samples),
        shots=shots,
        backend=qb.name,
        character_labels=rb.character_labels,
    )


# ----------------------------------------------------------------------------------------
# qiskit-experiments peer: StandardRB with one channel after every Clifford


def _kraus_list(noise: Any) -> list[np.ndarray]:
    """Kraus operators of a qtwin Channel, a Kraus list or an Aer QuantumError/Kraus."""
    kraus = getattr(noise, "kraus", None)
    if kraus is not None and not callable(kraus):
        return [np.asarray(k, dtype=np.complex128) for k in kraus]
    choi = getattr(noise, "choi", None)
    if choi is not None and hasattr(noise, "superop"):  # qtwin Channel without Kraus list
        # J[(i,k),(j,l)] = Lambda(|i><j|)_{kl} = sum_m K_m[k,i] conj(K_m[l,j])
        d = int(noise.d)
        vals, vecs = np.linalg.eigh(np.asarray(choi, dtype=np.complex128))
        keep = vals > 1e-12 * max(float(vals.max()), 1.0)
        return [
            np.sqrt(v) * vecs[:, m].reshape(d, d).T
            for m, v in zip(np.flatnonzero(keep), vals[keep], strict=True)
        ]
    if hasattr(noise, "to_quantumchannel"):  # qiskit_aer.noise.QuantumError
        from qiskit.quantum_info import Kraus

        return list(Kraus(noise.to_quantumchannel()).data)
    if hasattr(noise, "data") and hasattr(noise, "input_dims"):  # quantum_info channel
        from qiskit.quantum_info import Kraus

        return list(Kraus(noise).data)
    arr = [np.asarray(k, dtype=np.complex128) for k in noise]
    if not arr or any(k.ndim != 2 or k.shape != arr[0].shape for k in arr):
        raise ValueError("noise must be a Channel, a QuantumError or a list of square Kraus ops")
    return arr


def _qiskit_experiments() -> type:
    library = require_module(
        "qiskit_experiments.library",
        extra="dev",
        purpose="the qiskit-experiments cross-check (qiskit_experiments_standard_rb)",
    )
    return library.StandardRB


def _noisy_standard_rb_class() -> type:
    standard_rb = _qiskit_experiments()

    class NoisyStandardRB(standard_rb):  # type: ignore[misc, valid-type]
        """StandardRB whose transpiled circuits carry ``error`` after every Clifford.

        qiskit-experiments separates Clifford elements by barriers (and ``measure_all``
        puts one after the inverse); the channel is inserted before each barrier, so a
        length-``m`` sequence gets ``m + 1`` channels, one per Clifford including the
        inverse, whatever the number of basis gates each Clifford compiles to.
        """

        def __init__(self, *args: Any, error: Any = None, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            if error is None:
                raise ValueError("error (the per-Clifford QuantumError) is required")
            self._error_instruction = error.to_instruction()

        def _transpiled_circuits(self) -> list[QuantumCircuit]:
            out = []
            for circ in super()._transpiled_circuits():
                new = circ.copy_empty_like()
                where = [circ.qubits[q] for q in self.physical_qubits]
                for inst in circ.data:
                    if inst.operation.name == "barrier":
                        new.append(self._error_instruction, where)
                    new.append(inst)
                out.append(new)
            return out

    return NoisyStandardRB


@dataclass(frozen=True)
class QiskitExperimentsRB:
    """Result of :func:`qiskit_experiments_standard_rb`.

    Attributes:
        alpha: fitted decay :math:`\\alpha` and ``alpha_stderr`` its standard error.
        epc: error per Clifford :math:`(2^n - 1)(1 - \\alpha)/2^n` and ``epc_stderr``.
        lengths: the lengths used.
        survival: ``(L, S)`` survival per length and sample (fraction of shots).
        experiment_data: the qiskit-experiments ``ExperimentData``.
    """

    alpha: float
    alpha_stderr: float
    epc: float
    epc_stderr: float
    lengths: np.ndarray
    survival: np.ndarray
    experiment_data: ExperimentData

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready fields; ``experiment_data`` (a qiskit-experiments object) left out."""
        return to_jsonable(
            {
                "alpha": self.alpha,
                "alpha_stderr": self.alpha_stderr,
                "epc": self.epc,
                "epc_stderr": self.epc_stderr,
                "lengths": self.lengths,
                "survival": self.survival,
            }
        )

    def epc_interval(self, confidence: float = 0.95) -> tuple[float, float]:
        """Normal interval ``epc +- z * epc_stderr`` at the given confidence."""
        from scipy.stats import norm

        z = float(norm.ppf(0.5 + confidence / 2))
        return (self.epc - z * self.epc_stderr, self.epc + z * self.epc_stderr)


def qiskit_experiments_standard_rb(
    noise: Channel | Sequence[ArrayLike] | QuantumError,
    lengths: Sequence[int],
    num_samples: int,
    *,
    num_qubits: int = 1,
    shots: int = 1024,
    seed: int | np.random.Generator | None = None,
) -> QiskitExperimentsRB:
    r"""qiskit-experiments' ``StandardRB`` on Aer with ``noise`` after every Clifford.

    The peer of :func:`qtwin.rb.protocols.standard_rb` with gate-independent noise: circuit
    generation, transpilation and the :math:`a\alpha^m + b` fit are qiskit-experiments'
    own; the only change is the channel inserted at each Clifford boundary (see the class
    docstring in the source), so the per-Clifford channel is exactly ``noise``.

    Args:
        noise: the per-Clifford channel: a qtwin ``Channel`` (``.kraus``), a list of Kraus
            matrices of size ``2**num_qubits`` or a ``qiskit_aer.noise.QuantumError``.
        lengths: distinct positive lengths.
        num_samples: sequences per length.
        num_qubits: 1 or 2.
        shots: shots per circuit.
        seed: seeds the sequences and Aer's sampling (a ``Generator`` gives one int seed
            for both, as qiskit-experiments and Aer take ints).

    Example:
        >>> p = 0.98
        >>> kraus = [np.sqrt((1 + 3 * p) / 4) * np.eye(2)] + [
        ...     np.sqrt((1 - p) / 4) * m for m in (np.array([[0, 1], [1, 0]]),
        ...     np.array([[0, -1j], [1j, 0]]), np.diag([1, -1]))]
        >>> res = qiskit_experiments_standard_rb(kraus, [1, 20, 60], 4, shots=400, seed=1)
        >>> abs(res.epc - (1 - p) / 2) < 0.004
        True
    """
    from qiskit_aer import AerSimulator
    from qiskit_aer.noise import QuantumError

    if isinstance(seed, np.random.Generator):
        seed = int(seed.integers(2**31))
    num_qubits = check_positive_int(num_qubits, "num_qubits")
    if num_qubits > 2:
        raise ValueError(f"num_qubits must be 1 or 2, got {num_qubits}")
    shots = check_positive_int(shots, "shots")
    kraus = _kraus_list(noise)
    if kraus[0].shape != (2**num_qubits, 2**num_qubits):
        raise ValueError(
            f"noise acts on dimension {kraus[0].shape[0]}, expected {2**num_qubits} "
            f"for num_qubits={num_qubits}"
        )
    from qiskit.quantum_info import Kraus

    error = QuantumError(Kraus(kraus))
    cls = _noisy_standard_rb_class()
    opts = {"method": "density_matrix"}  # exact channels, one simulation per circuit
    sim = AerSimulator(seed_simulator=seed, **opts) if seed is not None else AerSimulator(**opts)
    exp = cls(
        list(range(num_qubits)),
        lengths=[int(m) for m in lengths],
        num_samples=check_positive_int(num_samples, "num_samples"),
        seed=seed,
        backend=sim,
        error=error,
    )
    exp.analysis.set_options(gate_error_ratio=False)
    exp.set_run_options(shots=shots)
    data = exp.run().block_for_results()
    table = data.analysis_results(dataframe=True)
    alpha_row = table[table["name"] == "alpha"].iloc[0]
    epc_row = table[table["name"] == "EPC"].iloc[0]
    lens = np.asarray(sorted(int(m) for m in lengths))
    surv = np.zeros((lens.size, exp.experiment_options.num_samples))
    counts_seen = np.zeros(lens.size, dtype=int)
    zeros = "0" * num_qubits
    for datum in data.data():
        i = int(np.searchsorted(lens, datum["metadata"]["xval"]))
        counts = datum["counts"]
        surv[i, counts_seen[i]] = counts.get(zeros, 0) / sum(counts.values())
        counts_seen[i] += 1
    return QiskitExperimentsRB(
        alpha=float(alpha_row["value"].nominal_value),
        alpha_stderr=float(alpha_row["value"].std_dev),
        epc=float(epc_row["value"].nominal_value),
        epc_stderr=float(epc_row["value"].std_dev),
        lengths=lens,
        survival=surv,
        experiment_data=data,
    )
