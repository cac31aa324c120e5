"""Generate qtwin's OpenQASM 3 reference corpus: the ``*.qasm`` files and ``manifest.json``.

Run from anywhere with the project's Python::

    python circuits/generate.py            # (re)write every file and the manifest
    python circuits/generate.py --check    # only check the files on disk are up to date

Every circuit is built in memory by one function below (seeded, so reproducible),
transpiled at optimization level 0 to standard gates (``stdgates.inc`` and the builtin
``U``), put on one register ``q`` and written with ``qiskit.qasm3.dumps``. Qiskit's
exporter drops the global phase, so a ``gphase(...)`` statement carrying it is inserted
after the register declaration; loading a file with ``qiskit.qasm3.load`` gives a circuit
whose unitary equals the in-memory circuit's exactly (tests/circuits/test_corpus.py checks).

No circuit ends in measurements; add ``measure_all()`` to sample. Where the output is a
computational basis state the manifest records it as ``expected_bitstring`` (Qiskit
order: qubit 0 is the last character).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import math
import re
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import qiskit
from qiskit import QuantumCircuit, qasm3, transpile
from qiskit.circuit.library import QFTGate, quantum_volume, real_amplitudes
from qiskit.quantum_info import random_clifford, random_unitary
from qiskit.synthesis import adder_qft_d00, adder_ripple_c04

from qtwin.circuits.hamiltonians import transverse_field_ising, xxz_chain
from qtwin.circuits.trotter import neel_bitstring, trotter_circuit

HERE = Path(__file__).resolve().parent
SEED = 2024
#: gates written to the files: OpenQASM 3 ``stdgates.inc`` plus the builtin ``U``
STANDARD_BASIS = [
    "u", "cx", "h", "x", "y", "z", "s", "sdg", "t", "tdg", "sx", "rx", "ry", "rz", "p",
    "cz", "cp", "swap", "ccx", "cswap",
]  # fmt: skip
CX_U_BASIS = ["u", "cx"]


@dataclass(frozen=True)
class Entry:
    """One corpus circuit: how to build it and what the manifest says about it."""

    name: str
    build: Callable[[], QuantumCircuit]
    description: str
    source: str
    basis: list[str] = field(default_factory=lambda: STANDARD_BASIS)
    expected_bitstring: Callable[[], str] | None = None


def _rng(offset: int) -> np.random.Generator:
    return np.random.default_rng(SEED + offset)


# -- builders (in-memory reference circuits) ---------------------------------------------
def ghz(n: int) -> QuantumCircuit:
    """GHZ state (|0...0> + |1...1>)/sqrt(2): H then a CX chain."""
    qc = QuantumCircuit(n, name=f"ghz_{n}")
    qc.h(0)
    for q in range(n - 1):
        qc.cx(q, q + 1)
    return qc


def qft(n: int) -> QuantumCircuit:
    """Qiskit's QFTGate (with the final swaps) on n qubits."""
    qc = QuantumCircuit(n, name=f"qft_{n}")
    qc.append(QFTGate(n), range(n))
    return qc


def _qft_inverse_value(n: int) -> int:
    return int(_rng(1).integers(0, 2**n))


def qft_inverse(n: int) -> QuantumCircuit:
    """Prepare the Fourier state QFT|k> as a product state, then apply QFT^dagger: output |k>."""
    k = _qft_inverse_value(n)
    qc = QuantumCircuit(n, name=f"qft_inverse_{n}")
    for j in range(n):
        qc.h(j)
        qc.p(2 * math.pi * k * 2**j / 2**n, j)
    qc.append(QFTGate(n).inverse(), range(n))
    return qc


def quantum_volume_circuit(n: int) -> QuantumCircuit:
    """Qiskit's quantum-volume model circuit (square, seeded)."""
    qc = quantum_volume(n, seed=SEED)
    qc.name = f"quantum_volume_{n}"
    return qc


def random_brickwork(n: int, layers: int, offset: int) -> QuantumCircuit:
    """Brickwork of Haar-random two-qubit unitaries: even bonds, then odd bonds, alternating."""
    rng = _rng(offset)
    qc = QuantumCircuit(n, name=f"random_brickwork_{n}")
    for layer in range(layers):
        for q in range(layer % 2, n - 1, 2):
            qc.unitary(random_unitary(4, seed=rng), [q, q + 1], label="su4")
    return qc


def trotter_xxz(n: int) -> QuantumCircuit:
    """XXZ chain (J = 1, Delta = 0.5), second-order Trotter, t = 1, 4 steps, Neel start."""
    qc = trotter_circuit(xxz_chain(n, J=1.0, delta=0.5), 1.0, 4, order=2, initial_state="neel")
    qc.name = f"trotter_xxz_{n}"
    return qc


def trotter_tfim(n: int) -> QuantumCircuit:
    """Transverse-field Ising chain (J = g = 1), second-order Trotter, t = 1, 5 steps, |0...0>."""
    qc = trotter_circuit(transverse_field_ising(n, J=1.0, g=1.0), 1.0, 5, order=2)
    qc.name = f"trotter_tfim_{n}"
    return qc


def w_state(n: int) -> QuantumCircuit:
    """W state: equal superposition of the n single-excitation states (CRY + CX cascade)."""
    qc = QuantumCircuit(n, name=f"w_state_{n}")
    qc.x(0)
    for i in range(n - 1):
        qc.cry(2 * math.acos(math.sqrt(1 / (n - i))), i, i + 1)
        qc.cx(i + 1, i)
    return qc


def _bv_secret(n_data: int) -> int:
    return int(_rng(2).integers(1, 2**n_data))


def bernstein_vazirani(n: int) -> QuantumCircuit:
    """Bernstein–Vazirani with n - 1 data qubits and ancilla n - 1: output |1>|secret>."""
    s = _bv_secret(n - 1)
    qc = QuantumCircuit(n, name=f"bernstein_vazirani_{n}")
    qc.x(n - 1)
    qc.h(range(n))
    for i in range(n - 1):
        if (s >> i) & 1:
            qc.cx(i, n - 1)
    qc.h(range(n))
    return qc


def _grover_marked(n: int) -> int:
    return int(_rng(3).integers(0, 2**n))


def grover(n: int) -> QuantumCircuit:
    """Grover search for one marked basis state, floor(pi/4 sqrt(2^n)) iterations."""
    m = _grover_marked(n)
    qc = QuantumCircuit(n, name=f"grover_{n}")
    qc.h(range(n))

    def flip_zero_about(pattern: int) -> None:  # phase -1 on |pattern>
        zeros = [q for q in range(n) if not (pattern >> q) & 1]
        if zeros:
            qc.x(zeros)
        qc.h(n - 1)
        qc.mcx(list(range(n - 1)), n - 1)
        qc.h(n - 1)
        if zeros:
            qc.x(zeros)

    for _ in range(int(math.pi / 4 * math.sqrt(2**n))):
        flip_zero_about(m)  # oracle
        qc.h(range(n))  # diffuser 2|s><s| - I (up to a global phase)
        flip_zero_about(0)
        qc.h(range(n))
    return qc


def _adder_inputs(offset: int, bits: int) -> tuple[int, int]:
    a, b = _rng(offset).integers(0, 2**bits, size=2)
    return int(a), int(b)


def draper_adder(bits: int) -> QuantumCircuit:
    """Draper QFT adder b <- a + b mod 2^bits on registers a (qubits 0..) and b, inputs prepared."""
    a, b = _adder_inputs(4, bits)
    qc = QuantumCircuit(2 * bits, name=f"draper_adder_{2 * bits}")
    _prepare_int(qc, a, range(bits))
    _prepare_int(qc, b, range(bits, 2 * bits))
    qc.compose(adder_qft_d00(bits, kind="fixed"), inplace=True)
    return qc


def ripple_carry_adder(bits: int) -> QuantumCircuit:
    """Cuccaro (CDKM) ripple-carry adder, CCX heavy: qubits cin, a, b, cout; b <- a + b + cin."""
    a, b = _adder_inputs(5, bits)
    qc = QuantumCircuit(2 * bits + 2, name=f"ripple_carry_adder_{2 * bits + 2}")
    qc.x(0)  # carry in = 1
    _prepare_int(qc, a, range(1, bits + 1))
    _prepare_int(qc, b, range(bits + 1, 2 * bits + 1))
    qc.compose(adder_ripple_c04(bits, kind="full"), inplace=True)
    return qc


def _prepare_int(qc: QuantumCircuit, value: int, qubits: range) -> None:
    for i, q in enumerate(qubits):
        if (value >> i) & 1:
            qc.x(q)


def swap_test(k: int) -> QuantumCircuit:
    """Swap test of two random k-qubit product states (ancilla 0); CSWAP heavy."""
    rng = _rng(6)
    n = 2 * k + 1
    qc = QuantumCircuit(n, name=f"swap_test_{n}")
    for q in range(1, n):
        qc.ry(float(rng.uniform(0, math.pi)), q)
        qc.rz(float(rng.uniform(0, 2 * math.pi)), q)
    qc.h(0)
    for i in range(1, k + 1):
        qc.cswap(0, i, i + k)
    qc.h(0)
    return qc


def real_amplitudes_bound(n: int) -> QuantumCircuit:
    """Qiskit's real_amplitudes ansatz (3 reps, reverse-linear) with seeded bound angles."""
    ansatz = real_amplitudes(n, reps=3, entanglement="reverse_linear")
    values = _rng(7).uniform(0, 2 * math.pi, size=ansatz.num_parameters)
    qc = ansatz.assign_parameters(values)
    qc.name = f"real_amplitudes_{n}"
    return qc


def random_clifford_circuit(n: int) -> QuantumCircuit:
    """A uniformly random n-qubit Clifford (seeded), synthesized by Qiskit."""
    qc = random_clifford(n, seed=SEED).to_circuit()
    qc.name = f"random_clifford_{n}"
    return qc


def _draper_expected() -> str:
    a, b = _adder_inputs(4, 4)
    return format((a + b) % 16, "04b") + format(a, "04b")


def _ripple_expected() -> str:
    a, b = _adder_inputs(5, 4)
    total = a + b + 1
    return format(total >> 4, "01b") + format(total % 16, "04b") + format(a, "04b") + "1"


_GEN = "circuits/generate.py"
ENTRIES: list[Entry] = [
    Entry("ghz_12", lambda: ghz(12), "12-qubit GHZ state: H and a CX chain.", f"{_GEN}:ghz"),
    Entry(
        "ghz_50",
        lambda: ghz(50),
        "50-qubit GHZ state (wide; bond dimension 2 as an MPS).",
        f"{_GEN}:ghz",
    ),
    Entry(
        "qft_8",
        lambda: qft(8),
        "8-qubit quantum Fourier transform with final swaps.",
        f"{_GEN}:qft (qiskit QFTGate)",
    ),
    Entry(
        "qft_inverse_10",
        lambda: qft_inverse(10),
        "Fourier state of a seeded integer k, then the inverse QFT; outputs |k>.",
        f"{_GEN}:qft_inverse (qiskit QFTGate)",
        expected_bitstring=lambda: format(_qft_inverse_value(10), "010b"),
    ),
    Entry(
        "quantum_volume_8",
        lambda: quantum_volume_circuit(8),
        "Quantum-volume model circuit, 8 qubits, depth 8, SU(4) blocks as CX + U.",
        f"{_GEN}:quantum_volume_circuit (qiskit quantum_volume, seed {SEED})",
        CX_U_BASIS,
    ),
    Entry(
        "random_brickwork_10",
        lambda: random_brickwork(10, 10, 10),
        "Brickwork of Haar-random two-qubit unitaries, 10 qubits, 10 layers, each as 3 CX + U.",
        f"{_GEN}:random_brickwork",
        CX_U_BASIS,
    ),
    Entry(
        "random_brickwork_30",
        lambda: random_brickwork(30, 8, 30),
        "Brickwork of Haar-random two-qubit unitaries, 30 qubits, 8 layers, each as 3 CX + U.",
        f"{_GEN}:random_brickwork",
        CX_U_BASIS,
    ),
    Entry(
        "trotter_xxz_12",
        lambda: trotter_xxz(12),
        "XXZ chain (J=1, Delta=0.5), 2nd-order Trotter, t=1, 4 steps, from the Neel state "
        f"(X on odd qubits, {neel_bitstring(12)}).",
        f"{_GEN}:trotter_xxz (qtwin.circuits.trotter)",
    ),
    Entry(
        "trotter_tfim_20",
        lambda: trotter_tfim(20),
        "Transverse-field Ising chain H = -sum ZZ - sum X, 2nd-order Trotter, t=1, 5 steps, "
        "from |0...0>.",
        f"{_GEN}:trotter_tfim (qtwin.circuits.trotter)",
    ),
    Entry(
        "w_state_8", lambda: w_state(8), "8-qubit W state by a CRY + CX cascade.", f"{_GEN}:w_state"
    ),
    Entry(
        "bernstein_vazirani_9",
        lambda: bernstein_vazirani(9),
        "Bernstein-Vazirani, 8 data qubits and an ancilla (qubit 8); outputs |1>|secret>.",
        f"{_GEN}:bernstein_vazirani",
        expected_bitstring=lambda: "1" + format(_bv_secret(8), "08b"),
    ),
    Entry(
        "grover_4",
        lambda: grover(4),
        "Grover search on 4 qubits, 3 iterations, one seeded marked state (success ~0.96).",
        f"{_GEN}:grover",
    ),
    Entry(
        "draper_adder_8",
        lambda: draper_adder(4),
        "Draper QFT adder b <- a + b mod 16 on seeded 4-bit inputs (a: qubits 0-3, b: 4-7).",
        f"{_GEN}:draper_adder (qiskit adder_qft_d00)",
        expected_bitstring=_draper_expected,
    ),
    Entry(
        "ripple_carry_adder_10",
        lambda: ripple_carry_adder(4),
        "Cuccaro ripple-carry adder (CCX heavy): cin=1 (qubit 0), a (1-4), "
        "b (5-8) <- a+b+cin, cout (9).",
        f"{_GEN}:ripple_carry_adder (qiskit adder_ripple_c04)",
        expected_bitstring=_ripple_expected,
    ),
    Entry(
        "swap_test_7",
        lambda: swap_test(3),
        "Swap test (CSWAP) of two random 3-qubit product states; "
        "P(qubit 0 = 0) = (1 + |<a|b>|^2)/2.",
        f"{_GEN}:swap_test",
    ),
    Entry(
        "real_amplitudes_10",
        lambda: real_amplitudes_bound(10),
        "RealAmplitudes ansatz, 10 qubits, 3 reps, reverse-linear CX, seeded bound angles.",
        f"{_GEN}:real_amplitudes_bound (qiskit real_amplitudes)",
    ),
    Entry(
        "random_clifford_6",
        lambda: random_clifford_circuit(6),
        "Uniformly random 6-qubit Clifford, Qiskit synthesis.",
        f"{_GEN}:random_clifford_circuit (qiskit random_clifford, seed {SEED})",
    ),
]
BY_NAME = {e.name: e for e in ENTRIES}


def build(name: str) -> QuantumCircuit:
    """The in-memory reference circuit of corpus entry ``name``."""
    return BY_NAME[name].build()


def to_standard_gates(qc: QuantumCircuit, basis: list[str]) -> QuantumCircuit:
    """Transpile to ``basis`` (level 0, no layout) and put the qubits on one register ``q``."""
    t = transpile(qc, basis_gates=basis, optimization_level=0, seed_transpiler=SEED)
    flat = QuantumCircuit(qc.num_qubits)  # compose adds t.global_phase
    flat.compose(t, qubits=range(qc.num_qubits), inplace=True)
    return flat


def to_qasm3(qc: QuantumCircuit) -> str:
    """``qasm3.dumps`` plus a ``gphase`` statement carrying the global phase."""
    text = qasm3.dumps(qc)
    phase = math.remainder(float(qc.global_phase), 2 * math.pi)
    if phase != 0.0:
        decl = re.search(r"^qubit\[\d+\] q;\n", text, flags=re.MULTILINE)
        assert decl is not None, "expected a single register declaration"
        text = text[: decl.end()] + f"gphase({phase!r});\n" + text[decl.end() :]
    return text if text.endswith("\n") else text + "\n"


def render(entry: Entry) -> tuple[str, dict]:
    """The QASM text of ``entry`` and its manifest record."""
    flat = to_standard_gates(entry.build(), entry.basis)
    text = to_qasm3(flat)
    record = {
        "name": entry.name,
        "file": f"{entry.name}.qasm",
        "num_qubits": flat.num_qubits,
        "description": entry.description,
        "source": entry.source,
        "gates": dict(sorted(flat.count_ops().items())),
        "depth": flat.depth(),
        "sha256": hashlib.sha256(text.encode()).hexdigest(),
    }
    if entry.expected_bitstring is not None:
        record["expected_bitstring"] = entry.expected_bitstring()
    return text, record


def manifest_text(records: list[dict]) -> str:
    manifest = {
        "generator": _GEN,
        "seed": SEED,
        "qiskit_version": qiskit.__version__,
        "bit_order": "Qiskit little-endian: qubit 0 is the last character of a bitstring",
        "circuits": records,
    }
    return json.dumps(manifest, indent=2) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only report files that would change")
    parser.add_argument("--out", type=Path, default=HERE, help="output folder (default: this one)")
    args = parser.parse_args(argv)
    records, stale = [], []
    for entry in ENTRIES:
        text, record = render(entry)
        records.append(record)
        path = args.out / record["file"]
        if not path.exists() or path.read_text() != text:
            stale.append(path.name)
            if not args.check:
                path.write_text(text)
    mtext = manifest_text(records)
    mpath = args.out / "manifest.json"
    if not mpath.exists() or mpath.read_text() != mtext:
        stale.append(mpath.name)
        if not args.check:
            mpath.write_text(mtext)
    if args.check:
        print("up to date" if not stale else "stale: " + ", ".join(stale))
        return 1 if stale else 0
    print(f"wrote {len(stale)} file(s) of {len(records) + 1} in {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
