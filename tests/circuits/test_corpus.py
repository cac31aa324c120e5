"""The OpenQASM 3 corpus: hashes, qubit counts, round trip against the generator's circuits.

The "real" suite (up to 430 qubits) is checked cheaply: metadata, gate counts and spans of
the loaded circuit, expected bitstrings by Aer MPS sampling (bond 2-4 for those circuits),
states against qiskit's Statevector only for n <= 12. Parsing a file above 10 000 gates takes
5-20 s, so those round trips are marked slow.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import math
import re
import shutil
import sys
from functools import cache

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
DYNAMIC_STATEMENTS = {"measure", "reset", "if", "else"}
REAL = [e["name"] for e in ENTRIES if e.get("suite") == "real"]
STATIC_REAL = [n for n in REAL if not BY_NAME[n]["dynamic"]]
DYNAMIC = [n for n in NAMES if BY_NAME[n].get("dynamic")]
HEAVY = 10_000  # gates: parsing takes seconds


def _param(name: str):
    """``name`` as a pytest param, marked slow when its file is heavy to parse."""
    heavy = sum(BY_NAME[name]["gates"].values()) > HEAVY
    return pytest.param(name, marks=pytest.mark.slow) if heavy else name


@cache
def _load(name: str):
    """corpus.load, once per test session (parsing the wide files dominates these tests)."""
    return corpus.load(name)


def _aer_mps_counts(qc, shots: int) -> dict[str, int]:
    """Sample ``qc`` on Aer's MPS simulator without its 63-qubit transpiler target."""
    from qiskit_aer import AerSimulator

    sim = AerSimulator(method="matrix_product_state", max_parallel_threads=1)
    circ = qc.copy()
    if not circ.num_clbits:
        circ.measure_all()
    return sim.run(circ, shots=shots, seed_simulator=1).result().get_counts()


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


def _statement_names(text: str) -> list[str]:
    """The statement keyword of every line after the header (``measure`` for assignments)."""
    names = []
    for line in text.splitlines()[2:]:
        line = line.strip()
        if not line or line.startswith(("qubit[", "bit[")) or line == "}":
            continue
        if " = measure " in line:
            names.append("measure")
        elif line.startswith("} else {"):
            names.append("else")
        else:
            names.append(re.match(r"[A-Za-z_][A-Za-z_0-9]*", line).group())
    return names


@pytest.mark.parametrize("name", NAMES)
def test_file_hash_and_standard_gates(name):
    entry = BY_NAME[name]
    text = (corpus.corpus_dir() / entry["file"]).read_text()
    assert hashlib.sha256(text.encode()).hexdigest() == entry["sha256"]
    assert text.startswith('OPENQASM 3.0;\ninclude "stdgates.inc";\n')
    names = _statement_names(text)
    allowed = STDGATES | (DYNAMIC_STATEMENTS if entry.get("dynamic") else set())
    assert set(names) <= allowed, f"non-standard statements {set(names) - allowed}"
    if not entry.get("dynamic"):  # text counts equal the manifest's (no nested blocks)
        counts: dict[str, int] = {}
        for n in names:
            if n != "gphase":
                counts[n.lower()] = counts.get(n.lower(), 0) + 1
        assert counts == entry["gates"]


@pytest.mark.parametrize("name", [_param(n) for n in NAMES])
def test_round_trip_matches_generator(name, generator):
    qc = _load(name)
    entry = BY_NAME[name]
    assert qc.num_qubits == entry["num_qubits"] and qc.name == name
    assert dict(qc.count_ops()) == entry["gates"]
    if "num_2q_gates" in entry:
        assert generator.gate_stats(qc) == {
            k: entry[k] for k in ("num_2q_gates", "num_3q_gates", "max_gate_span")
        }
    if entry.get("dynamic"):
        assert qc.num_clbits == entry["num_clbits"]
        pytest.skip("dynamic circuit: checked by test_dynamic_round_trip")
    assert qc.num_clbits == 0
    if qc.num_qubits > 12:
        pytest.skip("wide circuit: checked with Aer's MPS simulator below")
    ref = generator.build(name)
    np.testing.assert_allclose(Statevector(qc).data, Statevector(ref).data, atol=1e-9)
    if qc.num_qubits <= 8 and sum(entry["gates"].values()) <= 2000:
        np.testing.assert_allclose(Operator(qc).data, Operator(ref).data, atol=1e-9)


@pytest.mark.parametrize(
    "name",
    [
        "ghz_50",
        "trotter_tfim_20",
        "ghz_star_200",
        "swap_test_115",
        "adder_cdkm_100",
        pytest.param("qft_29", marks=pytest.mark.slow),  # bond grows: ~20 s
        pytest.param("random_brickwork_30", marks=pytest.mark.slow),
        pytest.param("knn_129", marks=pytest.mark.slow),
    ],
)
def test_wide_round_trip_with_aer_mps(name, generator):
    """<0| ref^dagger loaded |0> = 1 (global phase included) on Aer's MPS simulator."""
    from qiskit import transpile
    from qiskit_aer import AerSimulator

    sim = AerSimulator(method="matrix_product_state", max_parallel_threads=1)
    check = _load(name).compose(generator.build(name).inverse())
    check = transpile(check, basis_gates=generator.STANDARD_BASIS, optimization_level=0)
    check.save_amplitudes([0])
    amp = sim.run(check).result().data()["amplitudes"][0]
    assert abs(amp - 1) < 1e-8


@pytest.mark.parametrize("name", [_param(n) for n in NAMES if "expected_bitstring" in BY_NAME[n]])
def test_expected_bitstrings(name):
    entry = BY_NAME[name]
    if entry["num_qubits"] <= 12:
        probs = Statevector(_load(name)).probabilities_dict()
        assert probs[entry["expected_bitstring"]] == pytest.approx(1.0, abs=1e-9)
    else:  # a basis state at the end; the adders' and BV's bonds stay small on the way
        assert _aer_mps_counts(_load(name), shots=4) == {entry["expected_bitstring"]: 4}


def test_real_suite_metadata():
    families = {BY_NAME[n]["family"] for n in REAL}
    assert {
        "adder", "multiplier", "qft", "bernstein_vazirani", "swap_test", "w_state", "trotter",
        "uccsd", "hhl", "quantum_volume", "ghz", "dynamic",
    } <= families  # fmt: skip
    sizes = {n: BY_NAME[n]["num_qubits"] for n in REAL}
    assert max(sizes[n] for n in REAL if BY_NAME[n]["family"] == "adder") >= 400
    assert {29, 63} <= {sizes[n] for n in REAL if BY_NAME[n]["family"] == "qft"}
    assert sizes["quantum_volume_32"] == 32 and 8 <= sizes["uccsd_12"] <= 13
    for name in NAMES:
        entry = BY_NAME[name]
        assert entry["suite"] in {"unit", "real"} and entry["family"]
        assert isinstance(entry["dynamic"], bool)
        assert entry["num_2q_gates"] + entry["num_3q_gates"] <= sum(entry["gates"].values())
        assert 0 <= entry["max_gate_span"] < entry["num_qubits"]
    for name in REAL:  # 3-qubit gates stay whole: they are part of what the suite measures
        entry = BY_NAME[name]
        assert entry["num_3q_gates"] == entry["gates"].get("ccx", 0) + entry["gates"].get(
            "cswap", 0
        )
        if entry["family"] == "hhl":
            assert sum(entry["gates"].values()) <= 20_000
    assert BY_NAME["adder_cdkm_430"]["num_3q_gates"] > 400
    assert BY_NAME["swap_test_361"]["max_gate_span"] == 360
    total = sum(p.stat().st_size for p in corpus.corpus_dir().iterdir() if p.is_file())
    assert total < 4 * 2**20, f"the corpus folder grew to {total / 2**20:.1f} MiB"


@pytest.mark.parametrize("name", ["hhl_7", "hhl_10"])
def test_hhl_solves_the_system(name, generator):
    """Amplitudes with ancilla 1 and clock 0 equal A^-1 b exactly (QPE is exact)."""
    n_sys, n_clock = {"hhl_7": (2, 4), "hhl_10": (3, 6)}[name]
    a_mat, b = generator.hhl_problem(n_sys, n_clock)
    state = Statevector(_load(name)).data
    block = state[(1 << (n_sys + n_clock)) + np.arange(2**n_sys)]
    np.testing.assert_allclose(block, np.linalg.solve(a_mat, b), atol=1e-10)


@pytest.mark.parametrize("name", DYNAMIC)
def test_dynamic_round_trip(name, generator):
    """The file re-exports to itself, and every shot gives the manifest's deterministic bits."""
    from qiskit import qasm3

    entry = BY_NAME[name]
    qc = _load(name)
    text = (corpus.corpus_dir() / entry["file"]).read_text()
    assert generator.to_qasm3(qc) == text
    counts = _aer_mps_counts(qc, shots=64)
    for key in counts:
        bits = key.replace(" ", "")  # clbit 0 is the last character
        for index, value in entry["deterministic_clbits"].items():
            assert bits[-1 - int(index)] == str(value), (key, index)
    assert qasm3.loads(text).num_clbits == entry["num_clbits"]


@pytest.mark.parametrize("name", DYNAMIC)
def test_dynamic_on_tensornet_sampler(name):
    """qtwin's own sampler (trajectories) gives the manifest's deterministic bits."""
    from qtwin.backends import get_backend

    entry = BY_NAME[name]
    qc = _load(name)
    data = get_backend("tensornet").sampler.run([qc], shots=32).result()[0].data
    offsets, start = {}, 0
    for creg in qc.cregs:  # clbit index = register offset + bit
        offsets[creg.name], start = start, start + creg.size
    for reg, offset in offsets.items():
        for key in getattr(data, reg).get_counts():
            for bit, char in enumerate(reversed(key)):
                want = entry["deterministic_clbits"].get(str(offset + bit))
                assert want is None or int(char) == want, (reg, key)


def test_ghz_star_and_w_state_wide():
    counts = _aer_mps_counts(_load("ghz_star_200"), shots=200)
    assert set(counts) == {"0" * 200, "1" * 200}
    counts = _aer_mps_counts(_load("w_state_380"), shots=50)
    assert all(key.count("1") == 1 for key in counts)


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
        assert generator._same_up_to_float_noise(
            (tmp_path / entry["file"]).read_text(),
            (corpus.corpus_dir() / entry["file"]).read_text(),
        )
