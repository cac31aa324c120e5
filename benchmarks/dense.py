"""Dense statevector benchmark: qtwin ``Statevector`` vs Aer ``statevector``, one thread each.

Two circuit families at n = 18, 20, 22, 24 qubits:

* ``ucx``: ``depth`` layers of a random ``u(θ, φ, λ)`` on every qubit followed by ``cx`` on a
  random pairing of all qubits (long-range pairs included);
* ``qft``: ``x`` on a random half of the qubits, then ``QFTGate(n)`` decomposed by ``transpile``
  to ``h``, ``cp`` and ``swap``.

Aer runs ``AerSimulator(method="statevector", max_parallel_threads=1)`` with its default fusion
(on from 15 qubits) and ``save_statevector``; its time is ``time.perf_counter`` around
``sim.run(circ).result()`` (Aer's own overhead included). qtwin's time is
``Statevector.from_circuit(qc)`` (conversion, fusion and the in-place kernels). Each side is the
best of ``--repeats`` runs (default 2), torch and OpenMP at one thread. The two final states must
agree: fidelity > 1 - 1e-10. Results: ``benchmarks/results/dense.json`` (written after every
case, atomically).

Target (Engine issue, part 3): qtwin within 1.5x of Aer's time on every case.

Usage::

    python benchmarks/dense.py                 # n = 18, 20, 22, 24
    python benchmarks/dense.py --sizes 18 20   # a subset
"""

from __future__ import annotations

import os

os.environ.setdefault("OMP_NUM_THREADS", "1")  # before numpy/torch/Aer load their thread pools

import argparse
import json
import platform
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import torch
from qiskit import QuantumCircuit, transpile
from qiskit.circuit.library import QFTGate

from qtwin.tensornet import Statevector

RESULTS = Path(__file__).parent / "results" / "dense.json"


def random_ucx(n: int, depth: int, seed: int) -> QuantumCircuit:
    """``depth`` layers: random ``u`` on every qubit, then ``cx`` on a random pairing."""
    rng = np.random.default_rng(seed)
    qc = QuantumCircuit(n)
    for _ in range(depth):
        for q in range(n):
            qc.u(*rng.uniform(0, 2 * np.pi, 3), q)
        perm = rng.permutation(n)
        for a, b in zip(perm[0::2], perm[1::2], strict=False):
            qc.cx(int(a), int(b))
    return qc


def qft_circuit(n: int, seed: int) -> QuantumCircuit:
    """``x`` on a random half of the qubits, then the QFT decomposed to h, cp and swap."""
    rng = np.random.default_rng(seed)
    qc = QuantumCircuit(n)
    for q in rng.choice(n, size=n // 2, replace=False):
        qc.x(int(q))
    qc.append(QFTGate(n), range(n))
    return transpile(qc, basis_gates=["x", "h", "cp", "swap"], optimization_level=0)


def best_of(fn: Callable[[], Any], repeats: int) -> tuple[float, Any]:
    """Fastest of ``repeats`` timed calls of ``fn`` and the last result."""
    best, out = float("inf"), None
    for _ in range(repeats):
        t0 = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - t0)
    return best, out


def run_qtwin(qc: QuantumCircuit) -> np.ndarray:
    return Statevector.from_circuit(qc).data[0].numpy()


def make_aer() -> Callable[[QuantumCircuit], np.ndarray]:
    from qiskit_aer import AerSimulator

    sim = AerSimulator(method="statevector", max_parallel_threads=1, fusion_enable=True)

    def run(qc: QuantumCircuit) -> np.ndarray:
        circ = qc.copy()
        circ.save_statevector()
        result = sim.run(circ).result()
        return np.asarray(result.get_statevector())

    return run


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[18, 20, 22, 24])
    parser.add_argument("--depth", type=int, default=10, help="layers of the ucx circuits")
    parser.add_argument("--repeats", type=int, default=2)
    parser.add_argument("--families", nargs="+", default=["ucx", "qft"])
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args()
    torch.set_num_threads(1)
    aer = make_aer()
    run_qtwin(random_ucx(12, 2, 0))  # warm-up: numba kernels and conversion caches
    aer(random_ucx(16, 2, 0))
    cases: list[dict[str, Any]] = []
    header = (
        f"{'circuit':>8} {'n':>3} {'gates':>6} {'qtwin s':>9} {'aer s':>8} {'ratio':>6} {'1-F':>9}"
    )
    print(header)
    for n in args.sizes:
        for family in args.families:
            qc = random_ucx(n, args.depth, seed=n) if family == "ucx" else qft_circuit(n, seed=n)
            t_q, psi = best_of(lambda qc=qc: run_qtwin(qc), args.repeats)
            t_a, ref = best_of(lambda qc=qc: aer(qc), args.repeats)
            infidelity = float(1 - abs(np.vdot(ref, psi)) ** 2)
            del psi, ref
            case = {
                "circuit": family,
                "n": n,
                "gates": len(qc.data),
                "qtwin_s": t_q,
                "aer_s": t_a,
                "ratio_qtwin_over_aer": t_q / t_a,
                "infidelity": infidelity,
                "states_agree": abs(infidelity) < 1e-10,
            }
            cases.append(case)
            print(
                f"{family:>8} {n:>3} {len(qc.data):>6} {t_q:>9.3f} {t_a:>8.3f} "
                f"{t_q / t_a:>6.2f} {infidelity:>9.1e}",
                flush=True,
            )
            _write(args.out, args, cases)


def _write(path: Path, args: argparse.Namespace, cases: list[dict[str, Any]]) -> None:
    import qiskit_aer

    payload = {
        "benchmark": "dense statevector: qtwin Statevector vs Aer statevector (1 thread)",
        "settings": {
            "depth": args.depth,
            "repeats": args.repeats,
            "torch_threads": torch.get_num_threads(),
            "OMP_NUM_THREADS": os.environ.get("OMP_NUM_THREADS"),
            "aer": {"method": "statevector", "max_parallel_threads": 1, "fusion_enable": True},
        },
        "versions": {
            "python": platform.python_version(),
            "torch": torch.__version__,
            "qiskit_aer": qiskit_aer.__version__,
        },
        "machine": f"{platform.machine()}, {os.cpu_count()} cores (shared, timings noisy)",
        "cases": cases,
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".json.tmp")
    tmp.write_text(json.dumps(payload, indent=2) + "\n")
    tmp.replace(path)


if __name__ == "__main__":
    main()
