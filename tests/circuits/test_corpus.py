"""The OpenQASM 3 corpus: hashes, qubit counts, round trip against the generator's circuits."""

from __future__ import annotations

import hashlib
import importlib.util
import json
import math
import re
import shutil
import sys

import numpy as np
import pytest
import qiskit
from qiskit.quantum_info import Operator, Statevector

from qtwin.circuits import corpus

ENTRIES = corpus.list_circuits()
NAMES = [e["name"] for e in ENTRIES]
BY_NAME = {e["name"]: e for e in ENTRIES}
STDGATES = {
    "p", "x", "y", "z", "h", "s", "sdg", "t", "tdg", "sx", "rx", "ry", "rz", "cx", "cy", "cz",
    "cp", "crx", "cry", "crz", "ch", "swap", "ccx", "cswap", "cu", "id", "u1", "u2", "u3",
    "U", "gphase",
}  # fmt: skip


@pytest.fixture(scope="module")
def generator():
    """circuits/generate.py, imported from the corpus folder."""
    spec = importlib.util.spec_from_file_location(
        "qtwin_corpus_generate", corpus.corpus_dir() / "generate.py"
    )
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up here
    try:
        spec.loader.exec_module(module)
        yield module
    finally:
        sys.modules.pop(spec.name, None)


def test_manifest_lists_the_required_circuits():
    assert len(NAMES) >= 14 and len(set(NAMES)) == len(NAMES)
    required = {
        "ghz_12", "ghz_50", "qft_8", "quantum_volume_8", "random_brickwork_10",
        "random_brickwork_30", "trotter_xxz_12", "trotter_tfim_20", "w_state_8",
        "bernstein_vazirani_9", "grover_4", "draper_adder_8", "real_amplitudes_10",
        "ripple_carry_adder_10", "random_clifford_6",
    }  # fmt: skip
    assert required <= set(NAMES)
    assert corpus.circuit_names() == NAMES
    for e in ENTRIES:
        assert {"name", "file", "num_qubits", "description", "source", "sha256"} <= set(e)


@pytest.mark.parametrize("name", NAMES)
def test_file_hash_and_standard_gates(name):
    entry = BY_NAME[name]
    text = (corpus.corpus_dir() / entry["file"]).read_text()
    assert hashlib.sha256(text.encode()).hexdigest() == entry["sha256"]
    body = [ln for ln in text.splitlines()[2:] if ln and not ln.startswith("qubit[")]
    assert text.startswith('OPENQASM 3.0;\ninclude "stdgates.inc";\n')
    names = {re.match(r"[A-Za-z_][A-Za-z_0-9]*", ln).group() for ln in body}
    assert names <= STDGATES, f"non-standard statements {names - STDGATES}"


@pytest.mark.parametrize("name", NAMES)
def test_round_trip_matches_generator(name, generator):
    qc = corpus.load(name)
    entry = BY_NAME[name]
    assert qc.num_qubits == entry["num_qubits"] and qc.name == name
    assert qc.num_clbits == 0
    if qc.num_qubits > 12:
        pytest.skip("wide circuit: checked with Aer's MPS simulator below")
    ref = generator.build(name)
    np.testing.assert_allclose(Statevector(qc).data, Statevector(ref).data, atol=1e-9)
    if qc.num_qubits <= 8:
        np.testing.assert_allclose(Operator(qc).data, Operator(ref).data, atol=1e-9)


@pytest.mark.parametrize(
    "name",
    [
        "ghz_50",
        "trotter_tfim_20",
        pytest.param("random_brickwork_30", marks=pytest.mark.slow),
    ],
)
def test_wide_round_trip_with_aer_mps(name, generator):
    """<0| ref^dagger loaded |0> = 1 (global phase included) on Aer's MPS simulator."""
    from qiskit import transpile
    from qiskit_aer import AerSimulator

    sim = AerSimulator(method="matrix_product_state")
    check = corpus.load(name).compose(generator.build(name).inverse())
    check.save_amplitudes([0])
    amp = sim.run(transpile(check, sim, optimization_level=0)).result().data()["amplitudes"][0]
    assert abs(amp - 1) < 1e-8


@pytest.mark.parametrize("name", [n for n in NAMES if "expected_bitstring" in BY_NAME[n]])
def test_expected_bitstrings(name):
    probs = Statevector(corpus.load(name)).probabilities_dict()
    assert probs[BY_NAME[name]["expected_bitstring"]] == pytest.approx(1.0, abs=1e-9)


def test_closed_form_states():
    ghz = Statevector(corpus.load("ghz_12")).data
    want = np.zeros(2**12)
    want[[0, -1]] = 1 / math.sqrt(2)
    np.testing.assert_allclose(ghz, want, atol=1e-12)
    w = Statevector(corpus.load("w_state_8")).data
    want = np.zeros(2**8)
    want[[2**q for q in range(8)]] = 1 / math.sqrt(8)
    np.testing.assert_allclose(w, want, atol=1e-12)
    probs = Statevector(corpus.load("grover_4")).probabilities()
    assert probs.max() == pytest.approx(math.sin(7 * math.asin(0.25)) ** 2)


def test_unknown_name_lists_valid_names():
    with pytest.raises(
        ValueError, match=r"name must be one of the corpus circuits \[.*'ghz_12'.*\], got 'ghz_13'"
    ):
        corpus.load("ghz_13")


def test_env_var_and_tampered_file(tmp_path, monkeypatch):
    for path in corpus.corpus_dir().iterdir():
        if path.suffix in (".qasm", ".json"):
            shutil.copy(path, tmp_path / path.name)
    monkeypatch.setenv("QTWIN_CIRCUITS_DIR", str(tmp_path))
    assert corpus.corpus_dir() == tmp_path.resolve()
    assert corpus.load("ghz_12").num_qubits == 12
    with open(tmp_path / "ghz_12.qasm", "a") as fh:
        fh.write("x q[0];\n")
    with pytest.raises(ValueError, match="does not match its manifest sha256"):
        corpus.load("ghz_12")
    assert len(corpus.load("ghz_12", verify=False).data) == 13
    monkeypatch.setenv("QTWIN_CIRCUITS_DIR", str(tmp_path / "missing"))
    with pytest.raises(FileNotFoundError, match="QTWIN_CIRCUITS_DIR"):
        corpus.list_circuits()


@pytest.mark.slow
def test_generator_reproduces_the_files(generator, tmp_path):
    manifest = json.loads((corpus.corpus_dir() / "manifest.json").read_text())
    if manifest["qiskit_version"] != qiskit.__version__:
        pytest.skip("transpiler output may differ between Qiskit versions")
    assert generator.main(["--out", str(tmp_path)]) == 0
    for entry in ENTRIES:
        assert (tmp_path / entry["file"]).read_text() == (
            corpus.corpus_dir() / entry["file"]
        ).read_text()
