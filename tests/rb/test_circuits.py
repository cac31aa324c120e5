"""qubit RB circuits (d = 2, and d = 4 as two qubits) on qtwin backends.

References: the circuit unitaries against the Clifford indices (dense numpy), noiseless
survival exactly 1 (tensornet, Aer), depolarizing noise against the closed form
``(1 - 1/d)(1 - p)^(m+1) + 1/d`` (exact for every sequence, since depolarizing noise
commutes with every gate), amplitude damping against a dense density-matrix simulation of
the same sequences, and a ``fake:`` IBM device (its own noise model).
"""

from __future__ import annotations

import numpy as np
import pytest
from qiskit.quantum_info import Operator

from qtwin.designs.clifford import clifford_group
from qtwin.designs.weyl import displacement_operator
from qtwin.rb.circuits import rb_circuits, run_rb_on_backend


def _proportional_to(a: np.ndarray, b: np.ndarray) -> bool:
    """Whether ``a = c b`` for a phase ``c``."""
    d = a.shape[0]
    return abs(abs(np.trace(b.conj().T @ a)) - d) < 1e-9


@pytest.mark.parametrize("d", [2, 4])
def test_circuits_are_the_sequence_and_its_inverse(d):
    rb = rb_circuits(d, [0, 1, 4], num_samples=3, seed=11, measure=False)
    unitaries = clifford_group(d).unitaries
    assert rb.num_qubits == d.bit_length() - 1 and len(rb.circuits) == 9
    for qc, idx, m in zip(rb.circuits, rb.clifford_indices, np.repeat([0, 1, 4], 3), strict=True):
        assert len(idx) == m
        gates = [inst.operation for inst in qc.data if inst.operation.name == "unitary"]
        assert len(gates) == m + 1 and all(g.label == "clifford" for g in gates)
        for g, k in zip(gates, idx, strict=False):
            assert _proportional_to(g.to_matrix(), unitaries[k])
        assert _proportional_to(Operator(qc).data, np.eye(d))


def test_character_gate_is_merged_into_the_first_clifford():
    d = 4
    rb = rb_circuits(d, [0, 3], num_samples=2, seed=5, character=True, measure=False)
    labels = rb.character_labels
    assert labels.shape == (16, 2) and len(rb.circuits) == 2 * 2 * 16
    for c, qc in enumerate(rb.circuits):
        seq, k = divmod(c, 16)
        n_gates = sum(inst.operation.name == "unitary" for inst in qc.data)
        assert n_gates == len(rb.clifford_indices[seq]) + 1  # no extra gate for D(u)
        assert _proportional_to(Operator(qc).data, displacement_operator(labels[k], d))


def test_same_seed_same_circuits_and_sequences_do_not_depend_on_character():
    a = rb_circuits(2, [2, 5], 3, seed=9)
    b = rb_circuits(2, [2, 5], 3, seed=9)
    c = rb_circuits(2, [2, 5], 3, seed=9, character=True)
    for x, y, z in zip(a.clifford_indices, b.clifford_indices, c.clifford_indices, strict=True):
        assert np.array_equal(x, y) and np.array_equal(x, z)


@pytest.mark.parametrize("backend", ["tensornet", "aer"])
@pytest.mark.parametrize("d", [2, 4])
def test_noiseless_survival_is_one(backend, d):
    data = run_rb_on_backend(backend, d, [0, 2, 7], num_samples=2, shots=50, seed=3)
    assert data.survival.shape == (3, 2) and data.shots == 50
    assert np.all(data.survival == 1.0)
    assert data.backend == backend


def test_noiseless_character_survival_is_delta_of_the_x_part():
    # D(a, b)|0> = phase |a>: survival 1 exactly when a = 0
    data = run_rb_on_backend("tensornet", 4, [0, 3], 2, shots=20, seed=2, character=True)
    assert data.survival.shape == (2, 2, 16)
    expected = (data.character_labels[:, 0] == 0).astype(float)
    assert np.array_equal(data.survival, np.broadcast_to(expected, (2, 2, 16)))


def _aer_noise(error):
    from qiskit_aer.noise import NoiseModel

    nm = NoiseModel()
    nm.add_all_qubit_quantum_error(error, ["clifford"])
    return {"method": "density_matrix", "backend_options": {"noise_model": nm}}


@pytest.mark.parametrize("d", [2, 4])
def test_aer_depolarizing_matches_closed_form(d):
    from qiskit_aer.noise import depolarizing_error

    p, shots, lengths = 0.04, 4000, [0, 4, 15]
    n = d.bit_length() - 1
    data = run_rb_on_backend(
        "aer",
        d,
        lengths,
        3,
        shots=shots,
        seed=7,
        backend_options=_aer_noise(depolarizing_error(p, n)),
    )
    exact = (1 - 1 / d) * (1 - p) ** (np.array(lengths) + 1) + 1 / d
    sigma = np.sqrt(exact * (1 - exact) / shots)
    assert np.all(np.abs(data.survival - exact[:, None]) < 5 * sigma[:, None])


def test_aer_amplitude_damping_matches_dense_simulation():
    from qiskit_aer.noise import amplitude_damping_error

    gamma, shots, lengths, samples, seed = 0.05, 4000, [1, 6, 20], 3, 21
    data = run_rb_on_backend(
        "aer",
        2,
        lengths,
        samples,
        shots=shots,
        seed=seed,
        backend_options=_aer_noise(amplitude_damping_error(gamma)),
    )
    kraus = [np.array([[1, 0], [0, np.sqrt(1 - gamma)]]), np.array([[0, np.sqrt(gamma)], [0, 0]])]
    rb = rb_circuits(2, lengths, samples, np.random.default_rng(seed))  # same sequences
    unitaries = clifford_group(2).unitaries
    exact = np.empty((len(lengths), samples))
    for k, idx in enumerate(rb.clifford_indices):
        rho = np.diag([1.0, 0.0]).astype(complex)
        total = np.eye(2, dtype=complex)
        for u in [unitaries[i] for i in idx] + [None]:
            if u is None:
                u = total.conj().T
            else:
                total = u @ total
            rho = u @ rho @ u.conj().T
            rho = sum(K @ rho @ K.conj().T for K in kraus)
        exact[k // samples, k % samples] = rho[0, 0].real
    assert np.ptp(exact) > 0.02  # the sequences differ: a real test of the bookkeeping
    sigma = np.sqrt(exact * (1 - exact) / shots) + 1e-3
    assert np.all(np.abs(data.survival - exact) < 5 * sigma)


def test_character_rb_on_aer_recovers_each_irrep_decay():
    # depolarizing noise: every irrep decays with f = 1 - p (closed form), F = 1 - p (d-1)/d
    from qiskit_aer.noise import depolarizing_error

    p, d = 0.03, 4
    data = run_rb_on_backend(
        "aer",
        d,
        [1, 4, 10, 20],
        4,
        shots=2000,
        seed=1,
        character=True,
        backend_options=_aer_noise(depolarizing_error(p, 2)),
    )
    res = data.fit_character(seed=0)
    assert [(x.g, x.dim) for x in res.decays] == [(1, 12), (2, 3)]
    for x in res.decays:
        lo, hi = x.fit.f_ci
        assert lo <= 1 - p <= hi and hi - lo < 0.05
    exact = 1 - p * (d - 1) / d
    assert res.fidelity_ci[0] <= exact <= res.fidelity_ci[1]
    with pytest.raises(ValueError, match="use fit_character"):
        data.fit()
    with pytest.raises(ValueError, match="without character gates"):
        run_rb_on_backend("tensornet", 2, [1, 2], 1, shots=10).fit_character()


def test_standard_fit_of_backend_data():
    from qiskit_aer.noise import depolarizing_error

    p = 0.04
    data = run_rb_on_backend(
        "aer",
        2,
        [1, 5, 15, 30],
        3,
        shots=4000,
        seed=8,
        backend_options=_aer_noise(depolarizing_error(p, 1)),
    )
    fit = data.fit(seed=0)
    assert fit.f_ci[0] <= 1 - p <= fit.f_ci[1]


def test_fake_device_runs_and_decays():
    pytest.importorskip("qiskit_ibm_runtime")  # the `ibm` extra: fake device snapshots
    data = run_rb_on_backend("fake:manila", 2, [0, 60], 3, shots=2000, seed=4)
    assert data.backend.startswith("fake:")
    mean = data.mean_survival()
    assert 0.85 < mean[0] <= 1.0  # readout error only
    assert mean[1] < mean[0]  # gate noise: survival decays with length


def test_bad_input():
    with pytest.raises(ValueError, match="power of two"):
        rb_circuits(3, [1], 1)
    with pytest.raises(ValueError, match="d must be 2, 4 or 8"):
        rb_circuits(16, [1], 1)
    with pytest.raises(ValueError, match="d must be an integer >= 2"):
        rb_circuits(1, [1], 1)
    with pytest.raises(ValueError, match="lengths must be a non-empty"):
        rb_circuits(2, [], 1)
    with pytest.raises(ValueError, match="lengths must be non-negative"):
        rb_circuits(2, [1, -2], 1)
    with pytest.raises(TypeError, match="lengths must hold integers"):
        rb_circuits(2, [1.5], 1)
    with pytest.raises(ValueError, match="num_samples must be an integer >= 1"):
        rb_circuits(2, [1], 0)
    with pytest.raises(ValueError, match="shots must be an integer >= 1"):
        run_rb_on_backend("tensornet", 2, [1], 1, shots=0)
    with pytest.raises(ValueError, match="unknown backend"):
        run_rb_on_backend("nope", 2, [1], 1)
    with pytest.raises(TypeError, match="backend must be a backend name"):
        run_rb_on_backend(3, 2, [1], 1)


def test_backend_data_tables():
    data = run_rb_on_backend("tensornet", 2, [1, 3], num_samples=2, shots=16, seed=1)
    df = data.to_dataframe()
    assert df.columns.tolist() == ["length", "sequence", "survival"]
    np.testing.assert_array_equal(df["survival"].to_numpy().reshape(2, 2), data.survival)
    assert df["length"].tolist() == [1, 1, 3, 3]
    char = run_rb_on_backend("tensornet", 2, [1], num_samples=1, shots=8, seed=1, character=True)
    cdf = char.to_dataframe()
    assert len(cdf) == 4 and cdf["character"].tolist() == [0, 1, 2, 3]
    assert char.to_dict()["character_labels"] == char.character_labels.tolist()


def test_missing_qiskit_experiments_names_the_extra(monkeypatch):
    import sys

    from qtwin.exceptions import MissingExtraError
    from qtwin.rb.channels import depolarizing
    from qtwin.rb.circuits import qiskit_experiments_standard_rb

    monkeypatch.setitem(sys.modules, "qiskit_experiments.library", None)
    with pytest.raises(MissingExtraError, match=r'pip install "qtwin\[dev\]"') as info:
        qiskit_experiments_standard_rb(depolarizing(2, 0.1), [1, 2, 3], 1)
    assert info.value.extra == "dev"
