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

Only the dynamic circuits (``"dynamic": true``: mid-circuit measurement, reset, ``if_else``)
measure; they keep their classical registers and the manifest records the clbits every shot
agrees on as ``deterministic_clbits``. Add ``measure_all()`` to sample the others. Where the
output is a computational basis state the manifest records it as ``expected_bitstring``
(Qiskit order: qubit 0 is the last character).

Two suites: ``"suite": "unit"`` (small circuits for tests) and ``"suite": "real"`` (benchmark
circuits at application sizes, up to 430 qubits, each tagged with a ``family``; see
``benchmarks/simulator.py --suite real``). Every record also carries ``num_2q_gates``,
``num_3q_gates`` and ``max_gate_span`` (the largest qubit distance one gate spans).

``--check`` accepts a file that differs from the regenerated text only in float literals
past 9 significant digits (two-qubit unitary synthesis runs through LAPACK, whose last bits
depend on the CPU), and keeps such a file and its hash when writing.
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
from functools import partial
from pathlib import Path

import numpy as np
import qiskit
from qiskit import ClassicalRegister, QuantumCircuit, QuantumRegister, qasm3, transpile
from qiskit.circuit.library import (
    HRSCumulativeMultiplier,
    QFTGate,
    RGQFTMultiplier,
    UGate,
    quantum_volume,
    real_amplitudes,
)
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
    family: str = ""
    suite: str = "unit"
    #: mid-circuit measurement, reset or ``if_else``: written with its classical registers
    dynamic: bool = False
    #: clbit index (as a string) -> the value every shot gives there (dynamic circuits)
    deterministic_clbits: Callable[[], dict[str, int]] | None = None


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


# -- the "real" suite: benchmark circuits at application sizes ---------------------------
def _random_int(offset: int, bits: int) -> int:
    """A seeded ``bits``-bit integer (any width; numpy's int64 would overflow past 62 bits)."""
    digits = _rng(offset).integers(0, 2, size=bits)
    return int("".join(str(int(d)) for d in digits[::-1]), 2) if bits else 0


def _cdkm_inputs(bits: int) -> tuple[int, int]:
    return _random_int(100 + bits, bits), _random_int(200 + bits, bits)


def adder_cdkm(bits: int) -> QuantumCircuit:
    """CDKM ripple-carry adder at scale: cin = 0, a (1..bits), b <- a + b, cout (last qubit).

    Each MAJ/UMA block couples a_i with b_i, ``bits`` qubits apart, and a_{i-1}: CCX gates
    whose span grows with the register, so an MPS must route them across the chain.
    """
    a, b = _cdkm_inputs(bits)
    n = 2 * bits + 2
    qc = QuantumCircuit(n, name=f"adder_cdkm_{n}")
    _prepare_int(qc, a, range(1, bits + 1))
    _prepare_int(qc, b, range(bits + 1, 2 * bits + 1))
    qc.compose(adder_ripple_c04(bits, kind="full"), inplace=True)
    return qc


def _cdkm_expected(bits: int) -> str:
    a, b = _cdkm_inputs(bits)
    total = a + b
    return format(total, f"0{bits + 1}b") + format(a, f"0{bits}b") + "0"


def _multiplier_inputs(bits: int) -> tuple[int, int]:
    a, b = _rng(300 + bits).integers(1, 2**bits, size=2)
    return int(a), int(b)


def multiplier(bits: int, kind: str) -> QuantumCircuit:
    """Out-of-place multiplier out <- a * b on seeded inputs: a, b (``bits`` each), out (2 bits).

    ``kind="rgqft"``: Ruiz-Perez & Garcia-Escartin QFT multiplier (doubly controlled phases);
    ``kind="hrs"``: Haner-Roetteler-Svore cumulative multiplier (controlled CDKM adders; one
    helper qubit last).
    """
    a, b = _multiplier_inputs(bits)
    gate = RGQFTMultiplier(bits) if kind == "rgqft" else HRSCumulativeMultiplier(bits)
    qc = QuantumCircuit(gate.num_qubits, name=f"multiplier_{kind}_{gate.num_qubits}")
    _prepare_int(qc, a, range(bits))
    _prepare_int(qc, b, range(bits, 2 * bits))
    qc.compose(gate, inplace=True)
    return qc


def _multiplier_expected(bits: int, kind: str) -> str:
    a, b = _multiplier_inputs(bits)
    out = format(a * b, f"0{2 * bits}b") + format(b, f"0{bits}b") + format(a, f"0{bits}b")
    return ("0" + out) if kind == "hrs" else out


def qft_on_product_state(n: int) -> QuantumCircuit:
    """QFTGate (with swaps) on a seeded random product state (a basis state would stay product)."""
    rng = _rng(400 + n)
    qc = QuantumCircuit(n, name=f"qft_{n}")
    for q in range(n):
        qc.ry(float(rng.uniform(0, math.pi)), q)
        qc.rz(float(rng.uniform(0, 2 * math.pi)), q)
    qc.append(QFTGate(n), range(n))
    return qc


def bernstein_vazirani_wide(n: int) -> QuantumCircuit:
    """Bernstein-Vazirani with a seeded (n - 1)-bit secret; every CX targets the last qubit."""
    secret = _random_int(500 + n, n - 1)
    qc = QuantumCircuit(n, name=f"bernstein_vazirani_{n}")
    qc.x(n - 1)
    qc.h(range(n))
    for i in range(n - 1):
        if (secret >> i) & 1:
            qc.cx(i, n - 1)
    qc.h(range(n))
    return qc


def _bv_wide_expected(n: int) -> str:
    return "1" + format(_random_int(500 + n, n - 1), f"0{n - 1}b")


def swap_test_wide(k: int, entangled: bool) -> QuantumCircuit:
    """Swap test of two k-qubit states (ancilla 0, registers 1..k and k+1..2k): CSWAP(0, i, i+k).

    ``entangled=False``: random product states (QASMBench's swap_test); ``True``: each register
    is a random RY layer then a CX chain, the encoded vectors of a kNN distance estimate.
    """
    rng = _rng(600 + k + (1000 if entangled else 0))
    n = 2 * k + 1
    qc = QuantumCircuit(n, name=f"{'knn' if entangled else 'swap_test'}_{n}")
    for q in range(1, n):
        qc.ry(float(rng.uniform(0, math.pi)), q)
        if not entangled:
            qc.rz(float(rng.uniform(0, 2 * math.pi)), q)
    if entangled:
        for start in (1, k + 1):
            for q in range(start, start + k - 1):
                qc.cx(q, q + 1)
    qc.h(0)
    for i in range(1, k + 1):
        qc.cswap(0, i, i + k)
    qc.h(0)
    return qc


def ghz_star(n: int) -> QuantumCircuit:
    """GHZ state by a star of CX from qubit 0 to every other qubit (span up to n - 1)."""
    qc = QuantumCircuit(n, name=f"ghz_star_{n}")
    qc.h(0)
    for q in range(1, n):
        qc.cx(0, q)
    return qc


def trotter_wide(model: str, n: int, steps: int) -> QuantumCircuit:
    """Nearest-neighbour Trotter circuit at scale, t = 1, second order.

    ``"ising"``: H = -sum ZZ - sum X from |0...0>; ``"xxz"``: J = 1, Delta = 0.5 from Neel.
    """
    if model == "ising":
        qc = trotter_circuit(transverse_field_ising(n, J=1.0, g=1.0), 1.0, steps, order=2)
    else:
        ham = xxz_chain(n, J=1.0, delta=0.5)
        qc = trotter_circuit(ham, 1.0, steps, order=2, initial_state="neel")
    qc.name = f"trotter_{model}_{n}"
    return qc


def _pauli_exponential(qc: QuantumCircuit, paulis: dict[int, str], theta: float) -> None:
    """exp(-i theta/2 P) for a Pauli string on ``paulis`` (qubit -> X/Y/Z): basis change, CX
    ladder over the sorted support (long range where the support has gaps), RZ, undo."""
    support = sorted(paulis)
    for q in support:
        if paulis[q] == "X":
            qc.h(q)
        elif paulis[q] == "Y":
            qc.rx(math.pi / 2, q)
    for a, b in zip(support, support[1:], strict=False):
        qc.cx(a, b)
    qc.rz(theta, support[-1])
    for a, b in reversed(list(zip(support, support[1:], strict=False))):
        qc.cx(a, b)
    for q in support:
        if paulis[q] == "X":
            qc.h(q)
        elif paulis[q] == "Y":
            qc.rx(-math.pi / 2, q)


def _jw_string(ends: list[tuple[int, str]], z_spans: list[tuple[int, int]]) -> dict[int, str]:
    string = {q: "Z" for lo, hi in z_spans for q in range(lo + 1, hi)}
    string.update(dict(ends))
    return string


def uccsd_like(n: int, electrons: int, max_doubles: int | None) -> QuantumCircuit:
    """UCCSD-shaped ansatz (Jordan-Wigner, first-order Trotterized) with seeded amplitudes.

    Hartree-Fock start (X on the ``electrons`` lowest orbitals), then for every single
    excitation i -> a the two strings X Z..Z Y and Y Z..Z X, and for each double excitation
    (i, j) -> (a, b) (all of them, or a seeded subset of ``max_doubles``) its eight strings
    with an odd number of Y: Pauli-exponential ladders whose CX chains jump from j to a.
    """
    rng = _rng(700 + n)
    occ, virt = range(electrons), range(electrons, n)
    qc = QuantumCircuit(n, name=f"uccsd_{n}")
    qc.x(list(occ))
    for i in occ:
        for a in virt:
            t = float(rng.normal(0, 0.1))
            for pi_, pa, sign in (("X", "Y", 1), ("Y", "X", -1)):
                _pauli_exponential(qc, _jw_string([(i, pi_), (a, pa)], [(i, a)]), sign * t)
    doubles = [(i, j, a, b) for i in occ for j in occ if i < j for a in virt for b in virt if a < b]
    if max_doubles is not None and max_doubles < len(doubles):
        pick = np.sort(rng.choice(len(doubles), size=max_doubles, replace=False))
        doubles = [doubles[k] for k in pick]
    for i, j, a, b in doubles:
        t = float(rng.normal(0, 0.05))
        for labels in ("XXXY", "XXYX", "XYXX", "YXXX", "YYYX", "YYXY", "YXYY", "XYYY"):
            sign = 1 if labels.count("Y") == 1 else -1
            ends = list(zip((i, j, a, b), labels, strict=True))
            _pauli_exponential(qc, _jw_string(ends, [(i, j), (a, b)]), sign * t / 4)
    return qc


def hhl_problem(n_sys: int, n_clock: int) -> tuple[np.ndarray, np.ndarray]:
    """The seeded Hermitian ``A`` (eigenvalues distinct integers in [1, 2^n_clock)) and unit
    vector ``b`` that :func:`hhl` solves; ``A`` is in Qiskit's little-endian basis order."""
    rng = _rng(800 + n_sys)
    dim = 2**n_sys
    lam = np.sort(rng.choice(np.arange(1, 2**n_clock), size=dim, replace=False)).astype(float)
    v = random_unitary(dim, seed=int(rng.integers(2**31))).data
    b = rng.normal(size=dim)
    return (v * lam) @ v.conj().T, b / np.linalg.norm(b)


def hhl(n_sys: int, n_clock: int) -> QuantumCircuit:
    """HHL for ``A x = b`` (:func:`hhl_problem`): system 0..n_sys-1, clock, ancilla last.

    QPE of U = exp(2 pi i A / 2^n_clock) (exact: the eigenvalues are clock integers), a
    uniformly controlled RY(2 asin(1 / y)) on the ancilla for clock value y, inverse QPE.
    The amplitudes with ancilla 1 and clock 0 are exactly ``A^-1 b`` (rotation constant 1,
    at most the smallest eigenvalue).
    """
    from qiskit.circuit.library import StatePreparation, UCRYGate, UnitaryGate
    from scipy.linalg import expm

    a_mat, b = hhl_problem(n_sys, n_clock)
    system = list(range(n_sys))
    clock = list(range(n_sys, n_sys + n_clock))
    ancilla = n_sys + n_clock
    qpe = QuantumCircuit(n_sys + n_clock)
    qpe.h(clock)
    u = expm(2j * math.pi * a_mat / 2**n_clock)
    for k, c in enumerate(clock):
        power = UnitaryGate(np.linalg.matrix_power(u, 2**k), label=f"U^{2**k}")
        qpe.append(power.control(1), [c, *system])
    qpe.append(QFTGate(n_clock).inverse(), clock)
    qc = QuantumCircuit(n_sys + n_clock + 1, name=f"hhl_{n_sys + n_clock + 1}")
    qc.append(StatePreparation(b.astype(complex)), system)
    qc.compose(qpe, range(n_sys + n_clock), inplace=True)
    angles = [0.0] + [2 * math.asin(1 / y) for y in range(1, 2**n_clock)]
    qc.append(UCRYGate(angles), [ancilla, *clock])
    qc.compose(qpe.inverse(), range(n_sys + n_clock), inplace=True)
    return qc


def quantum_volume_wide(n: int) -> QuantumCircuit:
    """Qiskit's quantum-volume circuit (depth n, SU(4) on random pairs; bond saturates)."""
    qc = quantum_volume(n, seed=SEED + n)
    qc.name = f"quantum_volume_{n}"
    return qc


# -- dynamic circuits (mid-circuit measurement, reset, if_else) --------------------------
def _teleport_angles() -> tuple[float, float, float]:
    t, p, lam = _rng(900).uniform(0, math.pi, size=3)
    return float(t), float(p), float(lam)


def teleportation() -> QuantumCircuit:
    """Teleport a seeded U(θ, φ, λ)|0> from qubit 0 to qubit 2 with if_else corrections, then
    undo U on qubit 2 and measure it into c[2]: always 0."""
    q, c = QuantumRegister(3, "q"), ClassicalRegister(3, "c")
    qc = QuantumCircuit(q, c, name="teleportation_3")
    angles = _teleport_angles()
    qc.u(*angles, 0)
    qc.h(1)
    qc.cx(1, 2)
    qc.cx(0, 1)
    qc.h(0)
    qc.measure(0, 0)
    qc.measure(1, 1)
    with qc.if_test((c[1], 1)):
        qc.x(2)
    with qc.if_test((c[0], 1)):
        qc.z(2)
    qc.append(UGate(*angles).inverse(), [2])
    qc.measure(2, 2)
    return qc


def _reuse_data() -> int:
    return int(_rng(901).integers(0, 2**5))


def reset_and_reuse() -> QuantumCircuit:
    """Parities of neighbouring pairs of 5 seeded data bits, all through one ancilla (qubit 5)
    that is measured and reset after each pair; c[k] = d_k XOR d_{k+1}."""
    q, c = QuantumRegister(6, "q"), ClassicalRegister(4, "c")
    qc = QuantumCircuit(q, c, name="reset_reuse_6")
    _prepare_int(qc, _reuse_data(), range(5))
    for k in range(4):
        qc.cx(k, 5)
        qc.cx(k + 1, 5)
        qc.measure(5, k)
        qc.reset(5)
    return qc


def _reuse_expected() -> dict[str, int]:
    d = _reuse_data()
    return {str(k): ((d >> k) ^ (d >> (k + 1))) & 1 for k in range(4)}


def repetition_code() -> QuantumCircuit:
    """3-qubit bit-flip code: encode RY(θ)|0> on data 0-2, three rounds of syndrome
    measurement through ancillas 3, 4 (reset each round), an X error on data qubit 1 after
    round 0, if_else correction from the last syndrome, decode and measure the data.

    Registers: s0, s1, s2 (syndromes (Z0Z1, Z1Z2) per round), out (data after decoding).
    Every shot gives s0 = 00, s1 = s2 = 11 and out = 000.
    """
    theta = float(_rng(902).uniform(0.3, 2.8))
    q = QuantumRegister(5, "q")
    rounds = [ClassicalRegister(2, f"s{r}") for r in range(3)]
    out = ClassicalRegister(3, "out")
    qc = QuantumCircuit(q, *rounds, out, name="repetition_code_5")
    qc.ry(theta, 0)
    qc.cx(0, 1)
    qc.cx(0, 2)
    for r, syn in enumerate(rounds):
        if r == 1:
            qc.x(1)  # the error
        qc.cx(0, 3)
        qc.cx(1, 3)
        qc.cx(1, 4)
        qc.cx(2, 4)
        qc.measure([3, 4], syn)
        qc.reset([3, 4])
    last = rounds[-1]
    for value, flip in ((1, 0), (3, 1), (2, 2)):
        with qc.if_test((last, value)):
            qc.x(flip)
    qc.cx(0, 2)
    qc.cx(0, 1)
    qc.ry(-theta, 0)
    qc.measure([0, 1, 2], out)
    return qc


def _repetition_expected() -> dict[str, int]:
    bits = [0, 0, 1, 1, 1, 1, 0, 0, 0]  # clbit order: s0[0], s0[1], s1..., s2..., out[0..2]
    return {str(k): v for k, v in enumerate(bits)}


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
_REAL = "real"
_DYNAMIC_BASIS = [*STANDARD_BASIS, "measure", "reset", "if_else"]


def _real(name: str, build: Callable[[], QuantumCircuit], family: str, description: str,
          source: str, **kwargs) -> Entry:  # fmt: skip
    return Entry(name, build, description, f"{_GEN}:{source}", family=family, suite=_REAL, **kwargs)


REAL_ENTRIES: list[Entry] = [
    *(
        _real(
            f"adder_cdkm_{2 * bits + 2}",
            partial(adder_cdkm, bits),
            "adder",
            f"CDKM ripple-carry adder, {bits}-bit seeded inputs: cin=0 (qubit 0), a (1-{bits}), "
            f"b ({bits + 1}-{2 * bits}) <- a+b, cout ({2 * bits + 1}); CCX spanning {bits} qubits.",
            "adder_cdkm (qiskit adder_ripple_c04, i.e. CDKMRippleCarryAdder 'full')",
            expected_bitstring=partial(_cdkm_expected, bits),
        )
        for bits in (49, 124, 214)
    ),
    *(
        _real(
            f"multiplier_{kind}_{n}",
            partial(multiplier, bits, kind),
            "multiplier",
            f"{label} multiplier out <- a*b on seeded {bits}-bit inputs: a (0-{bits - 1}), "
            f"b ({bits}-{2 * bits - 1}), out ({2 * bits}-{4 * bits - 1})"
            + (f", helper ({4 * bits})." if kind == "hrs" else "."),
            f"multiplier (qiskit {cls})",
            expected_bitstring=partial(_multiplier_expected, bits, kind),
        )
        for kind, bits, n, label, cls in (
            ("rgqft", 5, 20, "Ruiz-Perez/Garcia-Escartin QFT", "RGQFTMultiplier"),
            ("rgqft", 8, 32, "Ruiz-Perez/Garcia-Escartin QFT", "RGQFTMultiplier"),
            (
                "hrs",
                10,
                41,
                "Haner-Roetteler-Svore cumulative (CDKM adders)",
                "HRSCumulativeMultiplier",
            ),
        )
    ),
    *(
        _real(
            f"qft_{n}",
            partial(qft_on_product_state, n),
            "qft",
            f"{n}-qubit QFT (with final swaps) on a seeded random RY/RZ product state.",
            "qft_on_product_state (qiskit QFTGate)",
        )
        for n in (29, 63)
    ),
    *(
        _real(
            f"bernstein_vazirani_{n}",
            partial(bernstein_vazirani_wide, n),
            "bernstein_vazirani",
            f"Bernstein-Vazirani, {n - 1}-bit seeded secret, ancilla {n - 1} (every CX targets "
            "it); outputs |1>|secret>.",
            "bernstein_vazirani_wide",
            expected_bitstring=partial(_bv_wide_expected, n),
        )
        for n in (100, 300)
    ),
    *(
        _real(
            f"{'knn' if ent else 'swap_test'}_{2 * k + 1}",
            partial(swap_test_wide, k, ent),
            "swap_test",
            f"Swap test (CSWAP(0, i, i+{k}), 3-qubit gates spanning {k}-{2 * k - 1}) of two "
            + (
                f"{k}-qubit kNN-encoded states (RY layer + CX chain per register)."
                if ent
                else f"random {k}-qubit product states; P(q0 = 0) = (1 + |<a|b>|^2)/2."
            ),
            "swap_test_wide",
        )
        for k, ent in ((57, False), (64, True), (180, False))
    ),
    _real(
        "w_state_380",
        partial(w_state, 380),
        "w_state",
        "380-qubit W state by a nearest-neighbour CRY + CX cascade.",
        "w_state",
    ),
    _real(
        "trotter_ising_400",
        partial(trotter_wide, "ising", 400, 3),
        "trotter",
        "Transverse-field Ising chain (J=g=1), 400 qubits, 2nd-order Trotter, t=1, 3 steps, "
        "from |0...0>; nearest neighbour only.",
        "trotter_wide (qtwin.circuits.trotter)",
    ),
    _real(
        "trotter_xxz_400",
        partial(trotter_wide, "xxz", 400, 2),
        "trotter",
        "XXZ chain (J=1, Delta=0.5), 400 qubits, 2nd-order Trotter, t=1, 2 steps, from Neel; "
        "nearest neighbour only.",
        "trotter_wide (qtwin.circuits.trotter)",
    ),
    _real(
        "uccsd_8",
        partial(uccsd_like, 8, 4, None),
        "uccsd",
        "UCCSD-like ansatz, 8 spin orbitals, 4 electrons, all 16 singles and 36 doubles as "
        "Pauli-exponential CX ladders (JW), seeded amplitudes.",
        "uccsd_like",
    ),
    _real(
        "uccsd_12",
        partial(uccsd_like, 12, 4, 40),
        "uccsd",
        "UCCSD-like ansatz, 12 spin orbitals, 4 electrons, all 32 singles and 40 seeded doubles "
        "as Pauli-exponential CX ladders (JW, long-range CX from j to a).",
        "uccsd_like",
    ),
    _real(
        "hhl_7",
        partial(hhl, 2, 4),
        "hhl",
        "HHL for a seeded 4x4 Hermitian A (eigenvalues clock integers) and b: system 0-1, "
        "clock 2-5, ancilla 6; ancilla=1, clock=0 block = A^-1 b.",
        "hhl (qiskit StatePreparation, UCRYGate, QFTGate)",
    ),
    _real(
        "hhl_10",
        partial(hhl, 3, 6),
        "hhl",
        "HHL for a seeded 8x8 Hermitian A (eigenvalues clock integers) and b: system 0-2, "
        "clock 3-8, ancilla 9; ancilla=1, clock=0 block = A^-1 b.",
        "hhl (qiskit StatePreparation, UCRYGate, QFTGate)",
    ),
    _real(
        "quantum_volume_32",
        partial(quantum_volume_wide, 32),
        "quantum_volume",
        "Quantum-volume model circuit, 32 qubits, depth 32, SU(4) on random pairs as CX + U "
        "(bond saturates: truncated at any practical max_bond).",
        f"quantum_volume_wide (qiskit quantum_volume, seed {SEED + 32})",
        basis=CX_U_BASIS,
    ),
    _real(
        "ghz_star_200",
        partial(ghz_star, 200),
        "ghz",
        "200-qubit GHZ state by a star of CX from qubit 0 (span up to 199).",
        "ghz_star",
    ),
    _real(
        "teleportation_3",
        teleportation,
        "dynamic",
        "Teleportation of a seeded U|0> with mid-circuit measurement and if_else X/Z "
        "corrections; U^dagger on qubit 2 then c[2] = 0 in every shot.",
        "teleportation",
        basis=_DYNAMIC_BASIS,
        dynamic=True,
        deterministic_clbits=lambda: {"2": 0},
    ),
    _real(
        "reset_reuse_6",
        reset_and_reuse,
        "dynamic",
        "Parities of neighbouring seeded data bits through one ancilla, measured and reset "
        "after each use (4 reuses); c[k] = d_k xor d_k+1.",
        "reset_and_reuse",
        basis=_DYNAMIC_BASIS,
        dynamic=True,
        deterministic_clbits=_reuse_expected,
    ),
    _real(
        "repetition_code_5",
        repetition_code,
        "dynamic",
        "3-qubit bit-flip code, 3 rounds of syndrome measurement (ancillas reset), X error on "
        "qubit 1 after round 0, if_else correction, decode: s0=00, s1=s2=11, out=000.",
        "repetition_code",
        basis=_DYNAMIC_BASIS,
        dynamic=True,
        deterministic_clbits=_repetition_expected,
    ),
]
ENTRIES += REAL_ENTRIES
BY_NAME = {e.name: e for e in ENTRIES}


def build(name: str) -> QuantumCircuit:
    """The in-memory reference circuit of corpus entry ``name``."""
    return BY_NAME[name].build()


def to_standard_gates(qc: QuantumCircuit, basis: list[str]) -> QuantumCircuit:
    """Transpile to ``basis`` (level 0, no layout) and put the qubits on one register ``q``.

    A circuit with classical bits (a dynamic one, built on registers ``q`` and its own
    classical registers) keeps the transpiler's registers, so its conditions stay valid.
    """
    t = transpile(qc, basis_gates=basis, optimization_level=0, seed_transpiler=SEED)
    if qc.num_clbits:
        return t
    flat = QuantumCircuit(qc.num_qubits)  # compose adds t.global_phase
    flat.compose(t, qubits=range(qc.num_qubits), inplace=True)
    return flat


def _gate_spans(qc: QuantumCircuit, wires: list[int] | None = None) -> list[tuple[int, int]]:
    """(arity, span) of every multi-qubit gate, looking inside control-flow blocks."""
    wires = wires if wires is not None else list(range(qc.num_qubits))
    out = []
    for inst in qc.data:
        idx = [wires[qc.find_bit(q).index] for q in inst.qubits]
        for block in getattr(inst.operation, "blocks", ()):
            out += _gate_spans(block, idx)
        if len(idx) > 1 and not getattr(inst.operation, "blocks", ()):
            out.append((len(idx), max(idx) - min(idx)))
    return out


def gate_stats(qc: QuantumCircuit) -> dict[str, int]:
    """Two- and three-qubit gate counts and the largest qubit distance a gate spans."""
    spans = _gate_spans(qc)
    return {
        "num_2q_gates": sum(1 for k, _ in spans if k == 2),
        "num_3q_gates": sum(1 for k, _ in spans if k == 3),
        "max_gate_span": max((s for _, s in spans), default=0),
    }


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
        **gate_stats(flat),
        "family": entry.family or entry.name.rsplit("_", 1)[0],
        "suite": entry.suite,
        "dynamic": entry.dynamic,
        "sha256": hashlib.sha256(text.encode()).hexdigest(),
    }
    if entry.expected_bitstring is not None:
        record["expected_bitstring"] = entry.expected_bitstring()
    if entry.deterministic_clbits is not None:
        record["num_clbits"] = flat.num_clbits
        record["deterministic_clbits"] = entry.deterministic_clbits()
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


_FLOAT = re.compile(r"-?\d+\.\d+(?:e[-+]?\d+)?")


def _same_up_to_float_noise(a: str, b: str, digits: int = 9) -> bool:
    """Whether two QASM texts differ at most in float literals beyond ``digits`` significant
    digits (two-qubit unitary synthesis goes through LAPACK, whose last bits depend on the
    CPU's BLAS kernel)."""

    def norm(text: str) -> str:
        return _FLOAT.sub(lambda m: f"{float(m.group()):.{digits}g}", text)

    return a == b or norm(a) == norm(b)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only report files that would change")
    parser.add_argument("--out", type=Path, default=HERE, help="output folder (default: this one)")
    args = parser.parse_args(argv)
    records, stale = [], []
    for entry in ENTRIES:
        text, record = render(entry)
        path = args.out / record["file"]
        old = path.read_text() if path.exists() else None
        if old is not None and old != text and _same_up_to_float_noise(old, text):
            text, record["sha256"] = old, hashlib.sha256(old.encode()).hexdigest()  # keep it
        records.append(record)
        if old != text:
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
