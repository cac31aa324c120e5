"""MPS simulator benchmark: qtwin tensornet vs Aer MPS vs quimb CircuitMPS, in one process.

Random brickwork circuits (layers of random SU(2) on every qubit, then CX + RZZ on alternating
bonds) at n = 20, 50, 100 and depth 10-20, truncated to the same ``max_bond`` on every side with
no cutoff beyond numerical noise. For each case it prints wall time, the time ratios against
qtwin, and each simulator's fidelity with qtwin's state (and qtwin's own discarded-weight
estimate), then writes ``benchmarks/results/simulator.json``.

Targets (from the foundation issue): tensornet within 1.5x of Aer MPS at bond 64 and faster at
bond 256 on CPU; at least 3x faster than quimb CircuitMPS.

Usage::

    python benchmarks/simulator.py                 # full grid
    python benchmarks/simulator.py --quick         # n=20,50 depth 10, bond 64 only
    python benchmarks/simulator.py --device cuda   # qtwin on the GPU (Aer MPS stays on CPU)
"""

from __future__ import annotations

import argparse
import json
import time
from functools import partial
from pathlib import Path

import numpy as np
import torch
from qiskit import QuantumCircuit

from qtwin.tensornet import MPS


def brickwork(n: int, depth: int, seed: int) -> QuantumCircuit:
    """Random brickwork: U(θ, φ, λ) on all qubits, then CX·RZZ on even/odd bonds in turn."""
    rng = np.random.default_rng(seed)
    qc = QuantumCircuit(n)
    for layer in range(depth):
        for q in range(n):
            qc.u(*rng.uniform(0, 2 * np.pi, 3), q)
        for q in range(layer % 2, n - 1, 2):
            qc.cx(q, q + 1)
            qc.rzz(rng.uniform(0, np.pi), q, q + 1)
    return qc


def best_of(fn, *, runs: int = 3, budget_s: float = 10.0):
    """Run ``fn`` up to ``runs`` times (stopping once ``budget_s`` is spent); return the
    fastest time and the last result. Sub-second timings on a shared machine vary by ±50 %."""
    best, spent, out = float("inf"), 0.0, None
    for _ in range(runs):
        t, out = fn()
        best, spent = min(best, t), spent + t
        if spent > budget_s:
            break
    return best, out


def run_qtwin(qc: QuantumCircuit, max_bond: int, device: str) -> tuple[float, MPS]:
    MPS.from_circuit(brickwork(4, 2, 0), device=device)  # warm-up
    if device.startswith("cuda"):
        torch.cuda.synchronize()
    t0 = time.perf_counter()
    psi = MPS.from_circuit(qc, max_bond=max_bond, cutoff=1e-16, device=device)
    if device.startswith("cuda"):
        torch.cuda.synchronize()
    return time.perf_counter() - t0, psi


def run_aer(qc: QuantumCircuit, max_bond: int) -> tuple[float, list]:
    from qiskit_aer import AerSimulator

    sim = AerSimulator(
        method="matrix_product_state",
        matrix_product_state_max_bond_dimension=max_bond,
        matrix_product_state_truncation_threshold=1e-16,
    )
    circ = qc.copy()
    circ.save_matrix_product_state(label="mps")
    # u, cx and rzz are Aer-native: no transpile (its target caps MPS circuits at 63 qubits)
    t0 = time.perf_counter()
    result = sim.run(circ, shots=1).result()
    elapsed = time.perf_counter() - t0
    return elapsed, result.data()["mps"]


def aer_to_qtwin(aer_mps: tuple) -> MPS:
    """Aer's Vidal form (Γ per site as two matrices, λ per bond) as a qtwin MPS."""
    gammas, lambdas = aer_mps
    tensors = []
    for i, (g0, g1) in enumerate(gammas):
        t = np.stack([np.asarray(g0), np.asarray(g1)], axis=1)  # (chi_l, 2, chi_r)
        if i < len(lambdas):
            t = t * np.asarray(lambdas[i])[None, None, :]
        tensors.append(torch.as_tensor(t, dtype=torch.complex128))
    return MPS(tensors)


def run_quimb(qc: QuantumCircuit, max_bond: int) -> tuple[float, object]:
    import quimb.tensor as qtn

    gates = []
    for inst in qc.data:
        qubits = [qc.find_bit(q).index for q in inst.qubits]
        gates.append((inst.operation.name, [float(p) for p in inst.operation.params], qubits))
    t0 = time.perf_counter()
    circ = qtn.CircuitMPS(qc.num_qubits, max_bond=max_bond, cutoff=1e-16)
    for name, params, qubits in gates:
        circ.apply_gate({"u": "U3"}.get(name, name.upper()), *params, *qubits)
    psi = circ.psi
    return time.perf_counter() - t0, psi


def quimb_fidelity(quimb_psi: object, ours: MPS) -> float:
    """Fidelity of quimb's MPS with qtwin's: quimb site i is qubit i with index ``k{i}``."""
    psi = quimb_psi.copy()  # type: ignore[attr-defined]
    psi.permute_arrays("lrp")
    arrays = [np.asarray(a) for a in psi.arrays]
    tensors = [arrays[0].T[None, :, :]]
    tensors += [a.transpose(0, 2, 1) for a in arrays[1:-1]]
    tensors += [arrays[-1][:, :, None]]
    theirs = MPS([torch.as_tensor(t, dtype=torch.complex128) for t in tensors])
    return abs(theirs.overlap(ours)) ** 2 / (theirs.norm() ** 2 * ours.norm() ** 2)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--cases", default=None, help="e.g. 100x10,100x20 (n x depth)")
    parser.add_argument("--bonds", default=None, help="e.g. 64,256")
    parser.add_argument("--no-quimb", action="store_true")
    parser.add_argument(
        "--threads",
        type=int,
        default=1,
        help="torch CPU threads (default 1, like Aer's MPS default mps_omp_threads=1)",
    )
    parser.add_argument("--out", default=str(Path(__file__).parent / "results" / "simulator.json"))
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    cases = [(20, 10), (50, 10), (50, 20), (100, 10), (100, 20)]
    bonds = [64, 256]
    if args.quick:
        cases, bonds = [(20, 10), (50, 10)], [64]
    if args.cases:
        cases = [tuple(int(x) for x in c.split("x")) for c in args.cases.split(",")]
    if args.bonds:
        bonds = [int(b) for b in args.bonds.split(",")]
    rows = []
    print(
        f"{'n':>4} {'depth':>5} {'bond':>5} | {'qtwin s':>8} {'aer s':>8} {'quimb s':>8} | "
        f"{'aer/qtwin':>9} {'quimb/qtwin':>11} | {'F(aer)':>8} {'F(quimb)':>8} {'1-dw(qtwin)':>11}"
    )
    for n, depth in cases:
        qc = brickwork(n, depth, seed=n * 100 + depth)
        for bond in bonds:
            t_q, psi = best_of(partial(run_qtwin, qc, bond, args.device))
            psi_cpu = psi.to("cpu")
            t_a, aer_state = best_of(partial(run_aer, qc, bond))
            f_a = abs(aer_to_qtwin(aer_state).overlap(psi_cpu)) ** 2
            t_b, f_b = float("nan"), float("nan")
            if not args.no_quimb and not (bond == 256 and n == 100 and depth == 20):
                t_b, qpsi = best_of(partial(run_quimb, qc, bond))
                try:
                    f_b = quimb_fidelity(qpsi, psi_cpu)
                except Exception:  # noqa: BLE001 - report the timing even if the layout differs
                    f_b = float("nan")
            row = dict(
                n=n,
                depth=depth,
                max_bond=bond,
                device=args.device,
                qtwin_s=t_q,
                aer_s=t_a,
                quimb_s=t_b,
                aer_over_qtwin=t_a / t_q,
                quimb_over_qtwin=t_b / t_q,
                fidelity_aer_vs_qtwin=f_a,
                fidelity_quimb_vs_qtwin=f_b,
                qtwin_fidelity_estimate=psi.fidelity_estimate,
                qtwin_max_bond=max(psi.bond_dims),
            )
            rows.append(row)
            print(
                f"{n:>4} {depth:>5} {bond:>5} | {t_q:8.2f} {t_a:8.2f} {t_b:8.2f} | "
                f"{t_a / t_q:9.2f} {t_b / t_q:11.2f} | {f_a:8.5f} {f_b:8.5f} "
                f"{psi.fidelity_estimate:11.5f}",
                flush=True,
            )
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps({"torch_threads": torch.get_num_threads(), "rows": rows}, indent=2))
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
