"""Property-based tests (hypothesis) of the core entry points (issue 15).

Every property has the same shape: for any input the call either returns a correct result
(checked against an independent reference: Qiskit's dense ``Statevector``, numpy) or raises a
``ValueError``/``TypeError`` whose message names the argument. Never a NaN result, never a
deep internal exception.

Profiles: ``fast`` (loaded unless ``--hypothesis-profile`` names another: 25 examples per
property, no deadline, since torch's and numba's first calls are slow) keeps the suite inside
its time budget; ``slow`` runs 500 per property:
``QTWIN_HYPOTHESIS_PROFILE=slow python -m pytest tests/test_properties.py`` (the profiles are
registered here, after pytest reads ``--hypothesis-profile``; registering them in the root
``conftest.py`` would make ``--hypothesis-profile=slow`` work too). The ``ci`` profile
that hypothesis selects itself when a CI variable is set is left as it is (derandomized).
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from qiskit import QuantumCircuit
from qiskit.quantum_info import Statevector as QiskitStatevector

from qtwin.tensornet import MPS

# angles a user may type: ordinary, huge, tiny, and the non-finite ones that must be refused
ANGLES = st.floats(allow_nan=True, allow_infinity=True) | st.floats(-10, 10)
ONE_QUBIT = ["h", "x", "y", "z", "s", "t", "sx"]
ROTATIONS = ["rx", "ry", "rz", "p"]
TWO_QUBIT = ["cx", "cz", "swap", "rzz", "rxx", "cp"]


@st.composite
def circuits(draw: st.DrawFn, max_qubits: int = 5, max_gates: int = 12) -> QuantumCircuit:
    """Random circuits of 1..max_qubits qubits (non-neighbour two-qubit gates included)."""
    n = draw(st.integers(1, max_qubits))
    qc = QuantumCircuit(n)
    for _ in range(draw(st.integers(0, max_gates))):
        kind = draw(st.sampled_from(["one", "rot", "two"] if n > 1 else ["one", "rot"]))
        if kind == "one":
            getattr(qc, draw(st.sampled_from(ONE_QUBIT)))(draw(st.integers(0, n - 1)))
        elif kind == "rot":
            getattr(qc, draw(st.sampled_from(ROTATIONS)))(draw(ANGLES), draw(st.integers(0, n - 1)))
        else:
            a, b = draw(st.lists(st.integers(0, n - 1), min_size=2, max_size=2, unique=True))
            name = draw(st.sampled_from(TWO_QUBIT))
            if name in {"rzz", "rxx", "cp"}:
                getattr(qc, name)(draw(ANGLES), a, b)
            else:
                getattr(qc, name)(a, b)
    return qc


def _has_non_finite_angle(qc: QuantumCircuit) -> bool:
    return any(
        isinstance(p, float) and not math.isfinite(p)
        for inst in qc.data
        for p in inst.operation.params
    )


def _bell_nan() -> QuantumCircuit:
    qc = QuantumCircuit(2)
    qc.rx(float("nan"), 0)
    qc.cx(0, 1)
    return qc


def _ghz(n: int) -> QuantumCircuit:
    qc = QuantumCircuit(n)
    qc.h(0)
    for i in range(n - 1):
        qc.cx(i, i + 1)
    return qc


@pytest.fixture(scope="module", autouse=True)
def _warm_up() -> None:
    """First torch/numba calls take seconds; pay them once, outside the examples."""
    MPS.from_circuit(_ghz(3)).to_dense()


@given(qc=circuits())
@example(qc=_bell_nan())
@example(qc=_ghz(5))
def test_mps_from_circuit_is_dense_or_refuses(qc: QuantumCircuit) -> None:
    try:
        psi = MPS.from_circuit(qc, cutoff=0.0).to_dense().numpy()  # exact: no truncation
    except ValueError as exc:
        assert _has_non_finite_angle(qc), f"refused a finite circuit: {exc}"
        assert "non-finite" in str(exc)
        return
    assert not _has_non_finite_angle(qc)
    assert np.all(np.isfinite(psi))
    ref = QiskitStatevector(qc).data
    np.testing.assert_allclose(psi, ref, atol=1e-8)


finite_complex = st.complex_numbers(max_magnitude=1e6, allow_nan=False, allow_infinity=False)
any_complex = st.complex_numbers(allow_nan=True, allow_infinity=True)


@given(
    psi=hnp.arrays(
        np.complex128, st.sampled_from([2, 4, 8, 16]), elements=finite_complex | any_complex
    )
)
@example(psi=np.zeros(4, dtype=np.complex128))
@example(psi=np.full(4, 6.4e307 + 6.4e307j))  # finite entries, overflowing norm: refused
def test_from_dense_round_trips_or_refuses(psi: np.ndarray) -> None:
    try:
        mps = MPS.from_dense(psi)
    except ValueError as exc:
        assert "psi" in str(exc)
        with np.errstate(over="ignore"):
            overflow = math.isinf(np.linalg.norm(psi))
        assert not np.all(np.isfinite(psi)) or not np.any(psi) or overflow
        return
    out = mps.to_dense().numpy()
    assert np.all(np.isfinite(out))
    np.testing.assert_allclose(out, psi, atol=1e-9 * max(1.0, float(np.max(np.abs(psi)))))


@given(
    rows=hnp.arrays(
        np.int64,
        hnp.array_shapes(min_dims=1, max_dims=2, min_side=1, max_side=4),
        elements=st.integers(-3, 4),
    )
)
def test_probabilities_of_matches_dense_or_refuses(rows: np.ndarray) -> None:
    rng = np.random.default_rng(0)
    vec = rng.normal(size=8) + 1j * rng.normal(size=8)
    mps = MPS.from_dense(vec)
    try:
        p = mps.probabilities_of(rows)
    except ValueError as exc:
        assert "outcomes" in str(exc)
        return
    rows2 = np.atleast_2d(rows)
    assert rows2.shape[1] == 3 and np.all((rows2 >= 0) & (rows2 <= 1))
    index = rows2 @ (1 << np.arange(3))  # little-endian: qubit 0 is the lowest bit
    ref = np.abs(vec[index]) ** 2 / np.sum(np.abs(vec) ** 2)
    np.testing.assert_allclose(p, ref, atol=1e-12)


@given(
    a=hnp.arrays(
        np.float64,
        hnp.array_shapes(min_dims=1, max_dims=2, min_side=1, max_side=5),
        # entries above ~1e154 overflow the squared norm: see the xfail test below
        elements=st.floats(-1e150, 1e150) | st.sampled_from([float("nan"), float("inf"), 0.0]),
    )
)
def test_sq_constructors_are_finite_or_refuse(a: np.ndarray) -> None:
    from qtwin.dequantized import SQMatrix
    from qtwin.dequantized.vector import SQVector

    cls = SQMatrix if a.ndim == 2 else SQVector
    try:
        sq = cls(a)
    except (ValueError, TypeError) as exc:
        assert any(w in str(exc) for w in ("matrix", "values", "finite", "zero", "norm", "A")), exc
        return
    norm = sq.frobenius_norm() if cls is SQMatrix else sq.norm()
    assert math.isfinite(float(norm))


@pytest.mark.parametrize("shape", [(1,), (1, 1)])
def test_sq_constructors_with_huge_entries(shape: tuple[int, ...]) -> None:
    """Found by hypothesis: squares of entries near 1e155 overflow; now refused by name."""
    test_sq_constructors_are_finite_or_refuse.hypothesis.inner_test(np.full(shape, 1e155))


@given(
    w=hnp.arrays(
        np.float64,
        st.sampled_from([(4, 4), (8, 4), (2, 8), (6, 6)]),
        elements=st.floats(-1e3, 1e3) | st.sampled_from([float("nan"), 0.0]),
    )
)
def test_entanglement_profile_is_finite_or_refuses(w: np.ndarray) -> None:
    from qtwin.entanglement import entanglement_profile

    try:
        prof = entanglement_profile(w)
    except ValueError as exc:
        assert "W" in str(exc) or "finite" in str(exc) or "zero" in str(exc), exc
        return
    ent = np.asarray(prof.entropies, dtype=float)
    assert np.all(np.isfinite(ent)) and np.all(ent >= -1e-12)


DEFAULTS = st.sampled_from([3, 0.5, True, "text", ["a"], [1], [0.5], [], None])


@given(default=DEFAULTS, text=st.text(max_size=20))
@example(default=0.5, text="nan")
@example(default=[1], text="[" * 3000)
def test_config_coercion_types_or_refuses(default, text: str) -> None:
    from qtwin.experiments.config import coerce_value

    try:
        value = coerce_value(text, default, "k")
    except ValueError as exc:
        assert str(exc).startswith("config key 'k"), exc
        return
    if isinstance(default, bool):
        assert isinstance(value, bool)
    elif isinstance(default, int):
        assert isinstance(value, int) and not isinstance(value, bool)
    elif isinstance(default, float):
        assert isinstance(value, float) and math.isfinite(value)
    elif isinstance(default, list):
        assert isinstance(value, list)
    import json

    json.dumps(value, allow_nan=False)  # what run.json/results.json will hold


@pytest.mark.slow
@settings(max_examples=300)
@given(qc=circuits(max_qubits=8, max_gates=30))
def test_mps_from_circuit_many_examples(qc: QuantumCircuit) -> None:
    """The long version of :func:`test_mps_from_circuit_is_dense_or_refuses` (``--runslow``)."""
    test_mps_from_circuit_is_dense_or_refuses.hypothesis.inner_test(qc)
