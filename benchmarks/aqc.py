"""AQC benchmark: qtwin.aqc vs qiskit-addon-aqc-tensor (quimb and Aer backends), one process.

Case: XXZ chain ``H = 0.5 sum (XX + YY + 2 ZZ)`` (the IBM AQC tutorial's couplings), Néel
initial state, evolution time ``t = 0.4``. Target: the same deep second-order Trotter circuit
(8 steps) for both sides, simulated by each side's own MPS simulator (qtwin: TEBD on
``qtwin.tensornet``; peer: its backend's MPS). Ansatz and initial point: generated on both
sides from the same 2-step first-order Trotter circuit (KAK blocks + ZXZ, initialized to
reproduce it; both start at the same fidelity, printed). Both run scipy L-BFGS-B for the same
number of iterations; we record the fidelity after every iteration with a timestamp, take the
common fidelity ``F* = min(final qtwin, final peer)`` and report each side's wall time to reach
``F*`` (target of the issue: qtwin at least 5x faster at equal or better fidelity).

Also: AQC vs the staircase method (Ran 2020, ``qtwin.aqc.staircase_compile``) two-qubit depth
at n = 100.

Corpus case (``--corpus NAME``, e.g. ``xxz_quench_20``): the target is a state of the
reference-MPS corpus (``qtwin.tensornet.corpus``, made by quimb's TEBD), identical for both
sides (the peer gets it as a quimb MPS); the ansatz comes from a 2-step Trotter circuit of the
state's own Hamiltonian and time. Only the quimb peer runs here (an Aer peer would need the
target as an Aer MPS). Both sides must start at the same fidelity (printed): a check that the
two read the target in the same qubit order.

Usage::

    python benchmarks/aqc.py            # n = 20, 50, 100 (peer: quimb 'explicit' gradient
                                        # backend and Aer; long: the peer takes seconds per
                                        # evaluation)
    python benchmarks/aqc.py --quick    # n = 20 only, 10 iterations
    python benchmarks/aqc.py --sizes 20 50 --peers quimb --maxiter 20
    python benchmarks/aqc.py --corpus xxz_quench_20 --maxiter 10   # corpus target, quimb peer

Notes: the quimb backend's ``autodiff_backend="jax"`` fails with the installed jax/quimb
(``TracerArrayConversionError``), so the peer's quimb runs use its ``"explicit"`` gradient (the
fastest of the ones that work here; ``"autograd"`` measured ~35 s per evaluation at n = 20).
Timings are wall-clock on a shared 2-core machine (other jobs running): single runs for the
peer (each takes minutes), so ratios carry maybe +-30 % noise.
"""

from __future__ import annotations

import argparse
import json
import time
from functools import partial
from pathlib import Path

import numpy as np
import scipy.optimize

from qtwin.aqc import compile_mps, staircase_compile
from qtwin.circuits import trotter_circuit, xxz_chain

T = 0.4
DEEP_STEPS = 8
ANSATZ_STEPS = 2
MAX_BOND = 64


def case(n: int):
    H = xxz_chain(n, J=0.5, delta=2.0)
    deep = trotter_circuit(H, T, DEEP_STEPS, order=2, initial_state="neel")
    shallow = trotter_circuit(H, T, ANSATZ_STEPS, order=1, initial_state="neel")
    return H, deep, shallow


def run_qtwin(n: int, maxiter: int) -> dict:
    from qtwin.aqc import target_from_circuit

    _, deep, shallow = case(n)
    t0 = time.perf_counter()
    psi = target_from_circuit(deep, max_bond=MAX_BOND, cutoff=1e-10)
    t_target = time.perf_counter() - t0
    stamps: list[tuple[float, float]] = []
    start = [0.0]

    def cb(it: int, f: float, theta: np.ndarray) -> None:
        stamps.append((time.perf_counter() - start[0], f))

    start[0] = time.perf_counter()
    res = compile_mps(psi, shallow, maxiter=maxiter, progress=False, callback=cb)
    # timestamps include ansatz generation, contraction planning and the initial evaluation
    # (the peer's exclude its equivalents): a conservative comparison
    return {
        "side": "qtwin",
        "target_time": t_target,
        "initial_fidelity": res.initial_fidelity,
        "final_fidelity": res.fidelity,
        "time": res.wall_time,
        "evaluations": res.num_evaluations,
        "history": stamps,
        "two_qubit_depth": res.two_qubit_depth,
        "target_max_bond": max(psi.bond_dims),
        "psi": psi,
    }


def run_qtwin_on_peer_ansatz(n: int, maxiter: int) -> dict:
    """qtwin's optimizer on the peer's own parametrized ansatz and initial point (general
    circuit path: gates re-evaluated through Qiskit parameter binding every call, slower than
    qtwin's native BlockAnsatz but the identical parametrization)."""
    from qiskit_addon_aqc_tensor import generate_ansatz_from_circuit

    from qtwin.aqc import target_from_circuit

    _, deep, shallow = case(n)
    psi = target_from_circuit(deep, max_bond=MAX_BOND, cutoff=1e-10)
    ansatz, x0 = generate_ansatz_from_circuit(shallow, qubits_initially_zero=True)
    stamps: list[tuple[float, float]] = []
    start = time.perf_counter()
    res = compile_mps(
        psi,
        ansatz,
        np.asarray(x0, dtype=float),
        maxiter=maxiter,
        progress=False,
        callback=lambda it, f, th: stamps.append((time.perf_counter() - start, f)),
    )
    return {
        "side": "qtwin[peer ansatz]",
        "initial_fidelity": res.initial_fidelity,
        "final_fidelity": res.fidelity,
        "time": res.wall_time,
        "evaluations": res.num_evaluations,
        "history": stamps,
    }


def run_peer(n: int, maxiter: int, backend: str) -> dict:
    from qiskit_addon_aqc_tensor import generate_ansatz_from_circuit
    from qiskit_addon_aqc_tensor.objective import MaximizeStateFidelity
    from qiskit_addon_aqc_tensor.simulation import tensornetwork_from_circuit

    _, deep, shallow = case(n)
    if backend == "quimb":
        import quimb.tensor as qtn
        from qiskit_addon_aqc_tensor.simulation.quimb import QuimbSimulator

        settings = QuimbSimulator(
            partial(qtn.CircuitMPS, max_bond=MAX_BOND, cutoff=1e-10), autodiff_backend="explicit"
        )
    else:
        from qiskit_aer import AerSimulator

        settings = AerSimulator(
            method="matrix_product_state",
            matrix_product_state_max_bond_dimension=MAX_BOND,
            matrix_product_state_truncation_threshold=1e-10,
            # Aer's worst-case MPS memory estimate refuses n >= 50 ("26 TB required")
            max_memory_mb=2**40,
        )
    t0 = time.perf_counter()
    target = tensornetwork_from_circuit(deep, settings)
    t_target = time.perf_counter() - t0
    ansatz, x0 = generate_ansatz_from_circuit(shallow, qubits_initially_zero=True)
    x0 = np.asarray(x0, dtype=float)
    obj = MaximizeStateFidelity(target, ansatz, settings)
    f0 = 1 - obj.loss_function(x0)[0]
    stamps: list[tuple[float, float]] = []
    start = time.perf_counter()
    nfev = [0]

    def fun(x):
        nfev[0] += 1
        return obj.loss_function(x)

    def cb(intermediate_result):
        stamps.append((time.perf_counter() - start, 1 - float(intermediate_result.fun)))

    res = scipy.optimize.minimize(
        fun, x0, method="L-BFGS-B", jac=True, callback=cb, options={"maxiter": maxiter}
    )
    return {
        "side": f"aqc-tensor[{backend}]",
        "target_time": t_target,
        "initial_fidelity": float(f0),
        "final_fidelity": float(1 - res.fun),
        "time": time.perf_counter() - start,
        "evaluations": nfev[0],
        "history": stamps,
    }


def corpus_case(name: str):
    """Target, Hamiltonian-derived shallow circuit and metadata of a corpus state."""
    from qtwin.circuits import hamiltonians
    from qtwin.tensornet import corpus

    rec = corpus.entry(name)
    if rec["kind"] != "quench":
        raise SystemExit(f"--corpus needs a quench state, {name!r} is a {rec['kind']}")
    h = dict(rec["hamiltonian"])
    H = getattr(hamiltonians, h.pop("function"))(**h)
    shallow = trotter_circuit(H, rec["time"], ANSATZ_STEPS, order=1, initial_state="neel")
    return corpus.load(name), shallow, rec


def run_corpus(name: str, maxiter: int) -> list[dict]:
    """qtwin and qiskit-addon-aqc-tensor (quimb) on the same corpus target."""
    import quimb.tensor as qtn
    from qiskit_addon_aqc_tensor import generate_ansatz_from_circuit
    from qiskit_addon_aqc_tensor.objective import MaximizeStateFidelity
    from qiskit_addon_aqc_tensor.simulation.quimb import QuimbSimulator

    psi, shallow, _ = corpus_case(name)
    stamps: list[tuple[float, float]] = []
    start = time.perf_counter()
    res = compile_mps(
        psi,
        shallow,
        maxiter=maxiter,
        progress=False,
        callback=lambda it, f, th: stamps.append((time.perf_counter() - start, f)),
    )
    ours = {
        "side": "qtwin",
        "initial_fidelity": res.initial_fidelity,
        "final_fidelity": res.fidelity,
        "time": res.wall_time,
        "evaluations": res.num_evaluations,
        "history": stamps,
    }
    settings = QuimbSimulator(
        partial(qtn.CircuitMPS, max_bond=MAX_BOND, cutoff=1e-10), autodiff_backend="explicit"
    )
    target = qtn.CircuitMPS(psi0=psi.to_quimb())  # the same tensors, qubit i on site i
    ansatz, x0 = generate_ansatz_from_circuit(shallow, qubits_initially_zero=True)
    obj = MaximizeStateFidelity(target, ansatz, settings)
    x0 = np.asarray(x0, dtype=float)
    f0 = 1 - obj.loss_function(x0)[0]
    peer_stamps: list[tuple[float, float]] = []
    nfev = [0]

    def fun(x):
        nfev[0] += 1
        return obj.loss_function(x)

    def record(intermediate_result):  # scipy passes the result only under this name
        peer_stamps.append((time.perf_counter() - start, 1 - float(intermediate_result.fun)))

    start = time.perf_counter()
    out = scipy.optimize.minimize(
        fun, x0, method="L-BFGS-B", jac=True, options={"maxiter": maxiter}, callback=record
    )
    peer = {
        "side": "aqc-tensor[quimb]",
        "initial_fidelity": float(f0),
        "final_fidelity": float(1 - out.fun),
        "time": time.perf_counter() - start,
        "evaluations": nfev[0],
        "history": peer_stamps,
    }
    return [ours, peer]


def main_corpus(name: str, maxiter: int) -> None:
    sides = run_corpus(name, maxiter)
    f_star = min(s["final_fidelity"] for s in sides)
    t_ours = time_to(sides[0]["history"], f_star)
    lines = [
        f"corpus target {name}, ansatz from {ANSATZ_STEPS} Trotter steps, maxiter {maxiter}",
        f"{'side':<20} {'F0':>9} {'F_final':>9} {'t_total':>8} {'nfev':>5} {'t(F*)':>8} "
        f"{'ratio':>7}",
    ]
    for s in sides:
        t_s = time_to(s["history"], f_star)
        ratio = (t_s / t_ours) if (t_s and t_ours) else None
        s["t_to_common"], s["ratio_vs_qtwin"] = t_s, ratio
        lines.append(
            f"{s['side']:<20} {s['initial_fidelity']:9.6f} {s['final_fidelity']:9.6f} "
            f"{s['time']:8.2f} {s['evaluations']:5d} "
            f"{t_s if t_s is not None else float('nan'):8.2f} "
            f"{ratio if ratio is not None else float('nan'):7.1f}"
        )
    print("\n".join(lines), flush=True)
    out = Path(__file__).parent / "results"
    out.mkdir(exist_ok=True)
    (out / f"aqc_corpus_{name}.json").write_text(
        json.dumps({"target": name, "maxiter": maxiter, "sides": sides}, indent=1)
    )
    (out / f"aqc_corpus_{name}.txt").write_text("\n".join(lines) + "\n")


def time_to(history: list[tuple[float, float]], f: float) -> float | None:
    for t, fid in history:
        if fid >= f - 1e-12:
            return t
    return None


def reach_peer(maxiter: int) -> None:
    """Rerun qtwin (more iterations) for every size in ``results/aqc.json`` and time how long
    it takes to reach each peer's *final* fidelity (equal-or-better fidelity criterion)."""
    out = Path(__file__).parent / "results"
    data = json.loads((out / "aqc.json").read_text())
    lines = [
        f"{'n':>4} {'peer':<20} {'F_peer':>9} {'t_peer':>8} {'t_qtwin':>8} {'ratio':>7}"
        "   (t_qtwin: median of 3 runs, from the call to compile_mps incl. set-up)"
    ]
    rows = []
    for row in data["rows"]:
        n = row["n"]
        runs = [run_qtwin(n, maxiter) for _ in range(3)]  # qtwin is cheap: median of 3
        for r in runs:
            r.pop("psi")
        for side in row["sides"]:
            if "error" in side or side["side"].startswith("qtwin"):
                continue
            f_peer = side["final_fidelity"]
            t_peer = time_to(side["history"], f_peer)
            times = [time_to(r["history"], f_peer) for r in runs]
            t_ours = None if None in times else float(np.median(times))
            ours = runs[0]
            ratio = t_peer / t_ours if (t_peer and t_ours) else None
            lines.append(
                f"{n:>4} {side['side']:<20} {f_peer:9.6f} {t_peer:8.2f} "
                f"{t_ours if t_ours is not None else float('nan'):8.2f} "
                f"{ratio if ratio is not None else float('nan'):7.1f}"
            )
            rows.append(
                {
                    "n": n,
                    "peer": side["side"],
                    "peer_final_fidelity": f_peer,
                    "peer_time": t_peer,
                    "qtwin_time": t_ours,
                    "ratio": ratio,
                    "qtwin_final_fidelity": ours["final_fidelity"],
                }
            )
        print("\n".join(lines[-2:]), flush=True)
    (out / "aqc.reach.json").write_text(json.dumps(rows, indent=1))
    (out / "aqc.reach.txt").write_text(
        f"qtwin (maxiter {maxiter}) time to reach each peer's final fidelity\n"
        + "\n".join(lines)
        + "\n"
    )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--sizes", type=int, nargs="*", default=None)
    ap.add_argument("--peers", nargs="*", default=["quimb", "aer"])
    ap.add_argument("--maxiter", type=int, default=None)
    ap.add_argument("--staircase-layers", type=int, default=2)
    ap.add_argument(
        "--peer-ansatz",
        action="store_true",
        help="also run qtwin's optimizer on the peer's own parametrized ansatz",
    )
    ap.add_argument(
        "--reach-peer",
        type=int,
        default=0,
        metavar="MAXITER",
        help="rerun qtwin with MAXITER iterations on the sizes in results/aqc.json and time "
        "it to each peer's final fidelity",
    )
    ap.add_argument(
        "--corpus",
        default=None,
        metavar="NAME",
        help="run qtwin and the quimb peer on a reference-MPS corpus state (a quench)",
    )
    args = ap.parse_args()
    if args.corpus:
        main_corpus(args.corpus, args.maxiter or 10)
        return
    if args.reach_peer:
        reach_peer(args.reach_peer)
        return
    sizes = args.sizes or ([20] if args.quick else [20, 50, 100])
    maxiter = args.maxiter or (10 if args.quick else 20)
    rows, lines = [], []
    header = (
        f"{'n':>4} {'side':<20} {'F0':>9} {'F_final':>9} {'t_total':>8} {'nfev':>5} "
        f"{'F*':>9} {'t(F*)':>8} {'ratio':>7}"
    )
    print(header)
    lines.append(header)
    for n in sizes:
        ours = run_qtwin(n, maxiter)
        sides = [ours]
        if args.peer_ansatz:
            sides.append(run_qtwin_on_peer_ansatz(n, maxiter))
        for peer in args.peers:
            try:
                sides.append(run_peer(n, maxiter, peer))
            except Exception as exc:  # noqa: BLE001 - record and go on
                sides.append({"side": f"aqc-tensor[{peer}]", "error": repr(exc)[:300]})
        ok = [s for s in sides if "error" not in s]
        f_star = min(s["final_fidelity"] for s in ok)
        t_ours = time_to(ours["history"], f_star)
        for s in sides:
            if "error" in s:
                line = f"{n:>4} {s['side']:<20} ERROR {s['error'][:80]}"
            else:
                t_s = time_to(s["history"], f_star)
                s["t_to_common"] = t_s
                ratio = (t_s / t_ours) if (t_s and t_ours) else None
                s["ratio_vs_qtwin"] = ratio
                line = (
                    f"{n:>4} {s['side']:<20} {s['initial_fidelity']:9.6f} "
                    f"{s['final_fidelity']:9.6f} {s['time']:8.2f} {s['evaluations']:5d} "
                    f"{f_star:9.6f} {t_s if t_s is not None else float('nan'):8.2f} "
                    f"{ratio if ratio is not None else float('nan'):7.1f}"
                )
            print(line, flush=True)
            lines.append(line)
        # staircase at the same target
        stair = staircase_compile(ours.pop("psi"), args.staircase_layers)
        sl = (
            f"{n:>4} staircase (Ran): layers={args.staircase_layers} F={stair.fidelity:.6f} "
            f"depth={stair.two_qubit_depth}; AQC F={ours['final_fidelity']:.6f} "
            f"depth={ours['two_qubit_depth']} -> depth ratio "
            f"{stair.two_qubit_depth / ours['two_qubit_depth']:.1f}x"
            + ("" if stair.fidelity >= ours["final_fidelity"] else " (staircase less faithful)")
        )
        print(sl, flush=True)
        lines.append(sl)
        rows.append(
            {
                "n": n,
                "sides": sides,
                "common_fidelity": f_star,
                "staircase": {
                    "layers": args.staircase_layers,
                    "fidelities": stair.fidelities,
                    "two_qubit_depths": stair.two_qubit_depths,
                },
            }
        )
    out = Path(__file__).parent / "results"
    out.mkdir(exist_ok=True)
    meta = {
        "case": f"XXZ J=0.5 delta=2, t={T}, target {DEEP_STEPS} 2nd-order steps, "
        f"ansatz from {ANSATZ_STEPS} 1st-order steps, max_bond={MAX_BOND}",
        "maxiter": maxiter,
        "note": "wall clock, shared 2-core machine, single runs",
    }
    # merge with earlier runs (other sizes); rows of the same n are replaced
    path = out / "aqc.json"
    old_rows = []
    if path.exists():
        try:
            old_rows = json.loads(path.read_text())["rows"]
        except (ValueError, KeyError):
            old_rows = []
    done = {r["n"] for r in rows}
    rows = sorted([r for r in old_rows if r["n"] not in done] + rows, key=lambda r: r["n"])
    path.write_text(json.dumps({"meta": meta, "rows": rows}, indent=1, default=str))
    txt = out / "aqc.txt"
    old_lines = txt.read_text().splitlines()[1:] if txt.exists() else []
    keep = [ln for ln in old_lines if ln.strip() and ln.split()[0].isdigit()]
    keep = [ln for ln in keep if int(ln.split()[0]) not in done]
    body = sorted(keep + lines[1:], key=lambda ln: int(ln.split()[0]))
    txt.write_text("\n".join([json.dumps(meta), lines[0], *body]) + "\n")


if __name__ == "__main__":
    main()
