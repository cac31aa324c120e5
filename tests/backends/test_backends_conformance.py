"""Conformance: qtwin's tensornet primitives against Qiskit's reference primitives.

The same PUB matrix (broadcasting shapes, bindings split over keys, per-PUB shots, empty
classical registers, projector observables, bad PUBs) runs through
:class:`~qtwin.backends.TensornetSampler`/:class:`~qtwin.backends.TensornetEstimator` and through
``qiskit.primitives.StatevectorSampler``/``StatevectorEstimator``; results, error types and the
stage that raises them (``run`` or ``result``), per-PUB seeding and metadata are compared.

Deliberate differences (each pinned by a test below):

* NaN/inf parameter values: qtwin raises ``ValueError`` in ``run`` (the project's convention:
  bad input is refused before a job starts); Qiskit raises ``RuntimeError`` from ``result``.
* Circuits Qiskit's reference refuses (mid-circuit measurements, control flow in the sampler;
  any measurement or reset in the estimator; projector observables in the estimator) run on
  qtwin; the values are checked against exact references instead.
* ``stds`` with ``precision > 0`` is ``precision`` on qtwin (the V2 standard error), 0 on Qiskit.
* metadata: qtwin's extra keys live under ``metadata["qtwin"]``; they are also still copied to
  the top level (deprecated, kept for existing users).
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
import pytest
from qiskit import ClassicalRegister, QuantumCircuit, QuantumRegister
from qiskit.circuit import Parameter
from qiskit.primitives import StatevectorEstimator, StatevectorSampler
from qiskit.quantum_info import SparseObservable, SparsePauliOp, Statevector

from qtwin.backends import TensornetEstimator, TensornetSampler
from qtwin.backends._primitive import METADATA_KEY

A, B = Parameter("a"), Parameter("b")
#: extra top-level metadata keys kept for compatibility (deprecated; also under "qtwin")
DEPRECATED_TOP_LEVEL = {"discarded_weight", "simulator", "method", "num_branches"}


def _basis_circuit() -> QuantumCircuit:
    """rx(pi a) on q0, rx(pi b) on q1: a basis state for a, b in {0, 1}; two registers."""
    q = QuantumRegister(3, "q")
    c1, c2 = ClassicalRegister(2, "alpha"), ClassicalRegister(1, "beta")
    qc = QuantumCircuit(q, c1, c2)
    qc.rx(np.pi * A, 0)
    qc.rx(np.pi * B, 1)
    qc.cx(1, 2)
    qc.measure(0, c1[1])
    qc.measure(1, c1[0])
    qc.measure(2, c2[0])
    return qc


def _param_circuit() -> QuantumCircuit:
    qc = QuantumCircuit(2)
    qc.ry(A, 0)
    qc.rx(B, 1)
    qc.cx(0, 1)
    qc.rz(A * B, 1)
    return qc


def _bits01(shape: tuple[int, ...], seed: int = 0) -> np.ndarray:
    return np.random.default_rng(seed).integers(0, 2, size=shape + (2,)).astype(float)


SAMPLER_PUBS: dict[str, Any] = {
    "scalar": lambda qc: (qc, [1.0, 0.0]),
    "shape (3,)": lambda qc: (qc, _bits01((3,))),
    "shape (2, 3)": lambda qc: (qc, _bits01((2, 3), 1)),
    "keys split": lambda qc: (
        qc,
        {"a": _bits01((2, 3), 2)[..., 0], ("b",): _bits01((2, 3), 3)[..., :1]},
    ),
    "per-PUB shots": lambda qc: (qc, _bits01((4,), 4), 17),
}


def _sampler_results(pub: Any, shots: int = 32) -> tuple[Any, Any]:
    ref = StatevectorSampler(seed=5).run([pub], shots=shots).result()[0]
    ours = TensornetSampler(seed=5).run([pub], shots=shots).result()[0]
    return ref, ours


@pytest.mark.parametrize("case", list(SAMPLER_PUBS))
def test_sampler_pub_matrix(case: str) -> None:
    pub = SAMPLER_PUBS[case](_basis_circuit())
    ref, ours = _sampler_results(pub)
    assert set(ours.data.keys()) == set(ref.data.keys()) == {"alpha", "beta"}
    assert ours.data.shape == ref.data.shape
    for name in ("alpha", "beta"):
        r, o = ref.data[name], ours.data[name]
        assert (o.shape, o.num_bits, o.num_shots) == (r.shape, r.num_bits, r.num_shots)
        # basis states: every shot identical, so the arrays agree exactly
        np.testing.assert_array_equal(o.array, r.array)
    assert ours.metadata["shots"] == ref.metadata["shots"]


def test_sampler_empty_and_missing_registers() -> None:
    qc = QuantumCircuit(2)
    qc.x(0)
    qc.add_register(ClassicalRegister(0, "empty"))
    qc.measure_all()
    ref, ours = _sampler_results(qc, shots=8)
    assert set(ours.data.keys()) == set(ref.data.keys()) == {"empty", "meas"}
    for name in ("empty", "meas"):
        r, o = ref.data[name], ours.data[name]
        assert (o.shape, o.num_bits, o.num_shots) == (r.shape, r.num_bits, r.num_shots)
    assert ours.data.meas.get_counts() == ref.data.meas.get_counts() == {"01": 8}
    bare = QuantumCircuit(1)
    bare.h(0)
    for prim in (StatevectorSampler(), TensornetSampler()):
        with pytest.warns(UserWarning, match="no (output )?classical registers"):
            job = prim.run([bare], shots=4)
        assert list(job.result()[0].data.keys()) == []


def test_sampler_distribution_matches() -> None:
    qc = _param_circuit()
    qc.measure_all()
    vals = [[0.3, 1.1], [2.0, -0.4]]
    shots = 4000
    ours = TensornetSampler(seed=1).run([(qc, vals)], shots=shots).result()[0].data.meas
    for i, row in enumerate(vals):
        probs = Statevector(qc.remove_final_measurements(inplace=False).assign_parameters(row))
        exact = probs.probabilities_dict()
        counts = ours[i].get_counts()
        for key, p in exact.items():
            assert abs(counts.get(key, 0) / shots - p) < 5 * np.sqrt(p * (1 - p) / shots) + 1e-9


@pytest.mark.parametrize("seed_kind", ["int", "generator"])
def test_sampler_seeding_per_pub(seed_kind: str) -> None:
    qc = _param_circuit()
    qc.measure_all()
    pub = (qc, [0.9, 1.7])

    def same(prim_cls: type) -> bool:
        seed: Any = 11 if seed_kind == "int" else np.random.default_rng(11)
        res = prim_cls(seed=seed).run([pub, pub], shots=64).result()
        return bool(np.array_equal(res[0].data.meas.array, res[1].data.meas.array))

    assert same(TensornetSampler) == same(StatevectorSampler) == (seed_kind == "int")


ESTIMATOR_PUBS: dict[str, Any] = {
    "scalar": lambda qc: (qc, "ZZ", [0.3, 0.8]),
    "obs (3,) params ()": lambda qc: (qc, ["ZI", "XX", "IY"], [0.3, 0.8]),
    "obs (3, 1) params (2,)": lambda qc: (qc, [["ZZ"], ["XI"], ["YY"]], [[0.1, 0.2], [1.0, -2.0]]),
    "obs () params (2, 3)": lambda qc: (
        qc,
        SparsePauliOp(["ZI", "IX"], [0.5, -1.5]),
        _bits01((2, 3)) * 2,
    ),
    "keys split": lambda qc: (qc, ["ZZ", "XY"], {"a": [0.4, 1.2], ("b",): [[0.7], [-0.3]]}),
    "dict observable": lambda qc: (qc, {"ZZ": 0.5, "XI": 2.0}, [0.3, 0.4]),
}


@pytest.mark.parametrize("case", list(ESTIMATOR_PUBS))
def test_estimator_pub_matrix(case: str) -> None:
    pub = ESTIMATOR_PUBS[case](_param_circuit())
    ref = StatevectorEstimator().run([pub]).result()[0]
    ours = TensornetEstimator().run([pub]).result()[0]
    assert ours.data.evs.shape == ref.data.evs.shape
    np.testing.assert_allclose(ours.data.evs, ref.data.evs, atol=1e-10)
    np.testing.assert_array_equal(ours.data.stds, ref.data.stds)
    assert ours.metadata["target_precision"] == ref.metadata["target_precision"]


def test_estimator_projector_observables_match_their_pauli_expansion() -> None:
    qc = _param_circuit()
    labels = ["0+", "1l", "rZ", "-1"]
    vals = [[0.3, 0.4], [1.3, -2.2]]
    ours = TensornetEstimator().run([(qc, [[x] for x in labels], vals)]).result()[0].data.evs
    paulis = [[SparsePauliOp.from_sparse_observable(SparseObservable(x))] for x in labels]
    ref = StatevectorEstimator().run([(qc, paulis, vals)]).result()[0].data.evs
    np.testing.assert_allclose(ours, ref, atol=1e-10)
    with pytest.raises(Exception, match="not valid"):  # Qiskit's reference refuses projectors
        StatevectorEstimator().run([(qc, labels[:1], vals[0])]).result()


@pytest.mark.parametrize("seed_kind", ["int", "generator"])
def test_estimator_precision_noise_per_pub(seed_kind: str) -> None:
    qc = _param_circuit()
    pubs = [(qc, ["ZZ", "XI"], [0.2, 0.5]), (qc, ["ZZ", "XI"], [0.2, 0.5])]

    def run(prim_cls: type) -> Any:
        seed: Any = 7 if seed_kind == "int" else np.random.default_rng(7)
        return prim_cls(seed=seed).run(pubs, precision=0.05).result()

    ref, ours = run(StatevectorEstimator), run(TensornetEstimator)
    same_ref = np.array_equal(ref[0].data.evs, ref[1].data.evs)
    same_ours = np.array_equal(ours[0].data.evs, ours[1].data.evs)
    assert same_ours == same_ref == (seed_kind == "int")
    # same generator, same exact values, same draw order: the same noise as Qiskit's
    for r, o in zip(ref, ours, strict=True):
        np.testing.assert_allclose(o.data.evs, r.data.evs, atol=1e-10)
        np.testing.assert_array_equal(o.data.stds, 0.05)  # deliberate: Qiskit leaves 0
        np.testing.assert_array_equal(r.data.stds, 0.0)


def test_metadata_extras_only_under_one_key() -> None:
    qc = _param_circuit()
    qm = qc.copy()
    qm.measure_all()
    pairs = [
        (StatevectorSampler().run([(qm, [0.1, 0.2])]), TensornetSampler().run([(qm, [0.1, 0.2])])),
        (
            StatevectorEstimator().run([(qc, "ZZ", [0.1, 0.2])]),
            TensornetEstimator().run([(qc, "ZZ", [0.1, 0.2])]),
        ),
    ]
    for ref_job, our_job in pairs:
        ref, ours = ref_job.result(), our_job.result()
        assert ours.metadata == ref.metadata == {"version": 2}
        r, o = dict(ref[0].metadata), dict(ours[0].metadata)
        assert set(r) <= set(o)
        assert {k: o[k] for k in r} == r
        extra = set(o) - set(r)
        assert METADATA_KEY in extra and extra - {METADATA_KEY} <= DEPRECATED_TOP_LEVEL
        assert {"simulator", "method", "discarded_weight"} <= set(o[METADATA_KEY])
        for key in extra - {METADATA_KEY}:
            assert o[key] is o[METADATA_KEY][key]


def _sampler_bad_pubs() -> dict[str, Any]:
    qm = _param_circuit()
    qm.measure_all()
    return {
        "too few values": lambda p: p.run([(qm, [0.1])]),
        "too many values": lambda p: p.run([(qm, [0.1, 0.2, 0.3])]),
        "no values": lambda p: p.run([qm]),
        "unknown parameter name": lambda p: p.run([(qm, {("a", "c"): [0.1, 0.2]})]),
        "values of the wrong last dimension": lambda p: p.run([(qm, np.zeros((2, 3)))]),
        "zero shots": lambda p: p.run([qm.assign_parameters([0, 0])], shots=0),
        "negative PUB shots": lambda p: p.run([(qm, [0.1, 0.2], -1)]),
        "float shots": lambda p: p.run([qm.assign_parameters([0, 0])], shots=1.5),
        "not a circuit": lambda p: p.run(["x"]),
        "PUB of length 4": lambda p: p.run([(qm, [0.1, 0.2], 10, 1)]),
    }


def _estimator_bad_pubs() -> dict[str, Any]:
    qc = _param_circuit()
    return {
        "too few values": lambda p: p.run([(qc, "ZZ", {"a": [0.1]})]),
        "unknown parameter name": lambda p: p.run([(qc, "ZZ", {("a", "c"): [0.1, 0.2]})]),
        "observable width": lambda p: p.run([(qc, "ZZZ", [0.1, 0.2])]),
        "not broadcastable": lambda p: p.run([(qc, ["ZZ", "XX", "II"], [[0.1, 0.2], [0.3, 0.4]])]),
        "negative precision": lambda p: p.run([(qc, "ZZ", [0.1, 0.2])], precision=-1),
        "string precision": lambda p: p.run([(qc, "ZZ", [0.1, 0.2], "x")]),
        "bad Pauli label": lambda p: p.run([(qc, "ZQ", [0.1, 0.2])]),
        "no observable": lambda p: p.run([(qc,)]),
        "non-Hermitian with precision": lambda p: p.run(
            [(qc, {"ZZ": 1j}, [0.1, 0.2])], precision=0.1
        ),
        "not a circuit": lambda p: p.run([("x", "ZZ")]),
    }


def _failure(call: Any, prim: Any) -> tuple[str, type[BaseException] | None]:
    """(stage, exception type): the stage is 'run' or 'result' (or 'none')."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            job = call(prim)
        except Exception as exc:  # noqa: BLE001 - the type is what is compared
            return "run", type(exc)
        try:
            job.result()
        except Exception as exc:  # noqa: BLE001
            return "result", type(exc)
    return "none", None


@pytest.mark.parametrize("case", list(_sampler_bad_pubs()))
def test_sampler_bad_pubs_fail_like_qiskit(case: str) -> None:
    call = _sampler_bad_pubs()[case]
    ref = _failure(call, StatevectorSampler())
    ours = _failure(call, TensornetSampler())
    assert ref[1] is not None and ours[1] is not None
    assert ours[0] == ref[0] and issubclass(ours[1], ref[1]), (ours, ref)


@pytest.mark.parametrize("case", list(_estimator_bad_pubs()))
def test_estimator_bad_pubs_fail_like_qiskit(case: str) -> None:
    call = _estimator_bad_pubs()[case]
    ref = _failure(call, StatevectorEstimator())
    ours = _failure(call, TensornetEstimator())
    assert ref[1] is not None and ours[1] is not None
    assert ours[0] == ref[0] and issubclass(ours[1], ref[1]), (ours, ref)


def test_unknown_parameter_name_is_a_key_error_and_a_value_error() -> None:
    qc = _param_circuit()
    job = TensornetEstimator().run([(qc, "ZZ", {("a", "c"): [0.1, 0.2]})])
    with pytest.raises(KeyError, match="no parameter named 'c'"):
        job.result()
    with pytest.raises(ValueError, match="no parameter named 'c'"):
        TensornetEstimator().run([(qc, "ZZ", {("a", "c"): [0.1, 0.2]})]).result()


def test_nan_parameters_deliberately_refused_in_run() -> None:
    qc = _param_circuit()
    pub = (qc, "ZZ", [np.nan, 0.2])
    assert _failure(lambda p: p.run([pub]), StatevectorEstimator())[1] is RuntimeError
    with pytest.raises(ValueError, match="finite"):
        TensornetEstimator().run([pub])


def test_dynamic_circuits_run_where_qiskit_refuses() -> None:
    mid = QuantumCircuit(1, 2)
    mid.x(0)
    mid.measure(0, 0)
    mid.reset(0)
    mid.measure(0, 1)
    stage, err = _failure(lambda p: p.run([mid]), StatevectorSampler())
    assert (stage, err.__name__ if err else None) == ("result", "QiskitError")
    counts = TensornetSampler(seed=1).run([mid], shots=16).result()[0].data.c.get_counts()
    assert counts == {"01": 16}
    est = TensornetEstimator().run([(mid.remove_final_measurements(inplace=False), "Z")])
    assert float(est.result()[0].data.evs) == pytest.approx(1.0, abs=1e-12)
