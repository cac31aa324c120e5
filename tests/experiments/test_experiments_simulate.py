"""The ``simulate`` experiment: with stand-in corpus/backends, and for real on tensornet + Aer."""

from __future__ import annotations

import dataclasses
import importlib
import json
import sys
import types
from dataclasses import dataclass
from typing import Any

import numpy as np
import pytest
from qiskit import QuantumCircuit
from qiskit.primitives import StatevectorEstimator

from qtwin.experiments import get_experiment, run_experiment, write_report
from qtwin.experiments.simulate import SimulateConfig, zz_observables


class BiasedEstimator(StatevectorEstimator):
    """Exact values plus a fixed bias: a stand-in for a noisy backend."""

    def __init__(self, bias: float) -> None:
        super().__init__()
        self.bias = bias

    def run(self, pubs, *, precision=None):
        job = super().run(pubs, precision=precision)
        bias = self.bias

        class Job:
            def result(self):
                res = job.result()
                res[0].data.evs = np.asarray(res[0].data.evs) + bias
                return res

        return Job()


@dataclass
class StandIn:
    name: str
    estimator: Any
    sampler: Any = None
    target_backend: Any = None


def _ghz(n: int) -> QuantumCircuit:
    qc = QuantumCircuit(n, n)
    qc.h(0)
    for i in range(n - 1):
        qc.cx(i, i + 1)
    qc.measure(range(n), range(n))
    return qc


@pytest.fixture
def stand_ins(monkeypatch):
    """Stand-in ``qtwin.circuits.corpus`` and ``qtwin.backends.get_backend``."""
    circuits = {"ghz_3": _ghz(3), "ghz_4": _ghz(4), "ghz_5": _ghz(5)}
    corpus = types.ModuleType("qtwin.circuits.corpus")
    corpus.list_circuits = lambda: [
        {"name": k, "file": f"{k}.qasm", "num_qubits": v.num_qubits, "description": k}
        for k, v in circuits.items()
    ]
    corpus.load = lambda name: circuits[name].copy()
    circuits_pkg = importlib.import_module("qtwin.circuits")
    monkeypatch.setitem(sys.modules, "qtwin.circuits.corpus", corpus)
    monkeypatch.setattr(circuits_pkg, "corpus", corpus, raising=False)

    class Unavailable(ValueError):
        pass

    def get_backend(name, **options):
        if name == "exact":
            return StandIn(name, StatevectorEstimator())
        if name == "biased":
            return StandIn(name, BiasedEstimator(0.01))
        if name in ("device", "two-qubit-device"):
            qubits = types.SimpleNamespace(num_qubits=2 if name.startswith("two") else 10)
            return StandIn(name, StatevectorEstimator(), target_backend=qubits)
        raise Unavailable(f"backend {name!r} is not available here")

    backends = types.ModuleType("qtwin.backends")
    backends.get_backend = get_backend
    backends.available_backends = lambda: ["exact", "biased", "device", "two-qubit-device"]
    backends.BackendUnavailableError = Unavailable
    monkeypatch.setitem(sys.modules, "qtwin.backends", backends)
    return circuits


def test_zz_observables_match_statevector_closed_form():
    from qiskit.quantum_info import Statevector

    sv = Statevector(_ghz(3).remove_final_measurements(inplace=False))
    values = [float(np.real(sv.expectation_value(op))) for op in zz_observables(3)]
    np.testing.assert_allclose(values, [0, 0, 0, 1, 1], atol=1e-12)


def test_simulate_with_stand_ins(stand_ins, tmp_path):
    overrides = {
        "circuits": "ghz_3,ghz_4,ghz_5",
        "backends": "exact,biased,device,two-qubit-device,missing",
        "max_dense_qubits": 4,
        "mps_backends": "exact",
        "device_max_qubits": 3,
    }
    res = run_experiment("simulate", out=tmp_path, progress=False, overrides=overrides)
    m = res["metrics"]
    assert m["backends"] == ["exact", "biased", "device", "two-qubit-device"]
    assert "not available here" in m["skipped_backends"]["missing"]
    rows = {(r["circuit"], r["backend"]): r for r in m["rows"]}
    assert rows[("ghz_3", "exact")]["max_abs_dev"] < 1e-12
    assert rows[("ghz_3", "biased")]["max_abs_dev"] == pytest.approx(0.01)
    assert rows[("ghz_3", "device")]["status"] == "ok"
    assert rows[("ghz_3", "two-qubit-device")]["reason"] == "device has 2 qubits"
    assert rows[("ghz_4", "device")]["reason"] == (
        "device backends run circuits up to device_max_qubits=3"
    )
    assert rows[("ghz_5", "exact")]["status"] == "ok"  # wide (> 4 qubits): MPS backend only
    assert rows[("ghz_5", "biased")]["reason"] == "wide circuit: MPS backends only"
    assert m["summary"]["biased"]["max_abs_dev"] == pytest.approx(0.01)
    assert m["summary"]["exact"]["circuits_run"] == 3
    # the wide circuit's reference comes from Aer's exact MPS simulator
    assert [c["reference"].split()[0] for c in m["circuits"]] == [
        "qiskit.quantum_info.Statevector",
        "qiskit.quantum_info.Statevector",
        "qiskit-aer",
    ]
    assert sorted(res["figures"]) == ["max_deviation.png", "time_per_backend.png"]
    # 3 references; estimates: ghz_3 x 3, ghz_4 x 2, ghz_5 x 1
    assert res["units"]["total"] == 3 + 3 + 2 + 1

    again = run_experiment("simulate", out=tmp_path, progress=False, overrides=overrides)
    assert again["units"]["computed"] == 0
    assert again["metrics"]["summary"] == m["summary"]
    html = write_report(tmp_path).read_text()
    assert html.count("data:image/png;base64,") == 2


def test_unknown_circuit_is_a_clear_error(stand_ins, tmp_path):
    with pytest.raises(ValueError, match="circuit 'bell' is not in the corpus; available: ghz_3"):
        run_experiment(
            "simulate",
            out=tmp_path,
            progress=False,
            overrides={"circuits": "bell", "backends": "exact"},
        )


@pytest.mark.parametrize(
    ("kwargs", "overrides"),
    [
        ({"backend": "missing"}, {}),  # named explicitly: must run
        ({}, {"backends": "exact,missing", "skip_unavailable": False}),
    ],
)
def test_unavailable_backend_raises_unless_skipped(stand_ins, tmp_path, kwargs, overrides):
    # named with backend=: refused up front by validate_backend; listed in the config: at run time
    with pytest.raises(ValueError, match="not available here|unknown backend 'missing'"):
        run_experiment(
            "simulate",
            out=tmp_path,
            progress=False,
            overrides={"circuits": "ghz_3", **overrides},
            **kwargs,
        )


def test_backend_argument_restricts_the_run(stand_ins, tmp_path):
    res = run_experiment(
        "simulate", out=tmp_path, progress=False, backend="biased", overrides={"circuits": "ghz_3"}
    )
    assert res["backend"] == "biased" and res["metrics"]["backends"] == ["biased"]


def test_default_config_is_small():
    config = get_experiment("simulate").config()
    assert isinstance(config, SimulateConfig)
    assert set(config.backends) >= {"tensornet", "aer"}
    assert "ghz_50" in config.circuits


@pytest.mark.parametrize(
    ("overrides", "match"),
    [
        ({"backends": ""}, "config key 'backends' is empty"),
        ({"max_bond": "0"}, "config key 'max_bond' must be >= 1, got 0"),
        ({"precision": "0"}, "config key 'precision' must be > 0 or none"),
        ({"max_bnd": "3"}, "did you mean 'max_bond'"),
    ],
)
def test_bad_config_is_refused_before_anything_is_written(tmp_path, overrides, match):
    out = tmp_path / "run"
    with pytest.raises(ValueError, match=match):
        run_experiment("simulate", out=out, progress=False, overrides=overrides)
    assert not out.exists()


def test_run_function_receives_the_typed_instance(stand_ins, tmp_path):
    config = SimulateConfig(circuits=("ghz_3",), backends=("exact",))
    res = run_experiment("simulate", out=tmp_path, progress=False, overrides=config)
    assert res["config"]["circuits"] == ["ghz_3"] and res["config"]["backends"] == ["exact"]
    run_json = json.loads((tmp_path / "run.json").read_text())
    assert run_json["config"] == dataclasses.asdict(config) | {
        "circuits": ["ghz_3"],
        "backends": ["exact"],
        "mps_backends": ["tensornet", "aer"],
    }
    # the same config given as --set strings resumes the same run
    again = run_experiment(
        "simulate",
        out=tmp_path,
        progress=False,
        overrides={"circuits": "ghz_3", "backends": "exact"},
    )
    assert again["units"]["computed"] == 0 and again["metrics"] == res["metrics"]


def _real_modules_ready() -> bool:
    try:
        importlib.import_module("qtwin.circuits.corpus")
        importlib.import_module("qtwin.backends")
        importlib.import_module("qtwin.tensornet")
    except ImportError:
        return False
    return True


@pytest.mark.skipif(not _real_modules_ready(), reason="corpus/backends/tensornet not ready")
def test_simulate_real_tensornet_and_aer(tmp_path):
    res = run_experiment(
        "simulate",
        out=tmp_path,
        progress=False,
        overrides={"circuits": "qft_8,ghz_50", "backends": "tensornet,aer"},
    )
    m = res["metrics"]
    for backend in ("tensornet", "aer"):
        assert m["summary"][backend]["circuits_run"] == 2
        assert m["summary"][backend]["max_abs_dev"] < 1e-8
    rows = {(r["circuit"], r["backend"]): r for r in m["rows"]}
    assert rows[("qft_8", "tensornet")]["fidelity"] == pytest.approx(1.0, abs=1e-10)
    assert rows[("ghz_50", "tensornet")]["max_bond_dim"] == 2
    assert rows[("ghz_50", "tensornet")]["fidelity_estimate"] == pytest.approx(1.0, abs=1e-12)
    saved = json.loads((tmp_path / "results.json").read_text())
    assert saved["metrics"] == m
