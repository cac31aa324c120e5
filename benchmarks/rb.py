"""RB benchmark: qtwin vs qiskit-experiments single-qubit standard RB, and character RB timings.

1. Single-qubit standard RB, the same lengths, sample count, shots and noise model
   (depolarizing ``p`` after every Clifford, the inverse included) on both sides, each
   timed end to end (sequence generation + simulation + fit) in one process:

   * qtwin: :func:`qtwin.rb.protocols.standard_rb` (exact Liouville simulation of all
     sequences with torch, binomial shot sampling, fit with bootstrap interval);
   * qiskit-experiments: ``StandardRB`` on ``AerSimulator(method="density_matrix")`` with
     the same channel inserted after every Clifford
     (:func:`qtwin.rb.circuits.qiskit_experiments_standard_rb`: its own circuit generation,
     transpilation and ``RBAnalysis`` fit).

   Each side runs once to warm up (imports, caches) and is then timed on one run; the
   cold time (first run) is printed too. Both error-per-Clifford estimates are printed with
   their intervals next to the exact value.

2. Character RB (:func:`qtwin.rb.protocols.character_rb`, all ``d**2`` character gates per
   sequence, exact probabilities) wall time for ``d = 6`` and ``d = 12`` (amplitude
   damping + coherent over-rotation noise), with the estimated and exact fidelity.

Prints the ratios and writes ``benchmarks/results/rb.json``.

Usage::

    python benchmarks/rb.py            # lengths 1..500 (8 values), 50 samples, 1024 shots
    python benchmarks/rb.py --quick    # fewer samples and lengths
"""

from __future__ import annotations

import argparse
import json
import platform
import time
import warnings
from pathlib import Path

import numpy as np
import torch

from qtwin.rb.channels import (
    amplitude_damping_cascade,
    coherent_overrotation,
    compose,
    depolarizing,
)
from qtwin.rb.circuits import qiskit_experiments_standard_rb
from qtwin.rb.fidelity import average_gate_fidelity
from qtwin.rb.protocols import character_rb, standard_rb


def timed(fn):
    t0 = time.perf_counter()
    out = fn()
    return out, time.perf_counter() - t0


def standard_case(lengths: list[int], samples: int, shots: int, p: float, seed: int) -> dict:
    channel = depolarizing(2, p)
    exact = 1 - average_gate_fidelity(channel)

    def qtwin_run():
        return standard_rb(2, lengths, samples, channel, seed=seed, shots=shots)

    def qe_run():
        return qiskit_experiments_standard_rb(channel, lengths, samples, shots=shots, seed=seed)

    _, qt_cold = timed(qtwin_run)
    qt, qt_time = timed(qtwin_run)
    _, qe_cold = timed(qe_run)
    qe, qe_time = timed(qe_run)
    qe_lo, qe_hi = qe.epc_interval(0.95)
    return {
        "lengths": lengths,
        "num_samples": samples,
        "shots": shots,
        "p": p,
        "epc_exact": exact,
        "qtwin": {
            "time_s": qt_time,
            "cold_time_s": qt_cold,
            "epc": qt.error_per_clifford,
            "epc_ci": [1 - qt.fidelity_ci[1], 1 - qt.fidelity_ci[0]],
        },
        "qiskit_experiments": {
            "time_s": qe_time,
            "cold_time_s": qe_cold,
            "epc": qe.epc,
            "epc_stderr": qe.epc_stderr,
            "epc_ci": [qe_lo, qe_hi],
        },
        "ratio": qe_time / qt_time,
        "cold_ratio": qe_cold / qt_cold,
    }


def character_case(d: int, lengths: list[int], samples: int, seed: int) -> dict:
    channel = compose(amplitude_damping_cascade(d, 0.01), coherent_overrotation(d, 0.01))
    exact = average_gate_fidelity(channel)
    res, t = timed(lambda: character_rb(d, lengths, samples, channel, seed=seed))
    return {
        "d": d,
        "lengths": lengths,
        "num_samples": samples,
        "character_gates_per_sequence": d * d,
        "time_s": t,
        "fidelity": res.fidelity,
        "fidelity_ci": list(res.fidelity_ci),
        "fidelity_exact": exact,
        "decays": [{"g": x.g, "dim": x.dim, "f": x.f} for x in res.decays],
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--quick", action="store_true", help="small sizes (a smoke test)")
    ap.add_argument("--samples", type=int, default=None, help="sequences per length")
    ap.add_argument("--shots", type=int, default=1024)
    ap.add_argument("--p", type=float, default=0.01, help="depolarizing probability per Clifford")
    ap.add_argument("--seed", type=int, default=1234)
    ap.add_argument("--out", default=str(Path(__file__).parent / "results" / "rb.json"))
    args = ap.parse_args()
    warnings.filterwarnings("ignore", category=DeprecationWarning)

    if args.quick:
        lengths, samples = [1, 10, 50, 100], args.samples or 10
        char_lengths, char_samples = [1, 4, 16], 5
    else:
        lengths, samples = [1, 10, 20, 50, 100, 200, 300, 500], args.samples or 50
        char_lengths, char_samples = [1, 2, 4, 8, 16, 32, 64], 30

    print(f"torch {torch.__version__}, threads {torch.get_num_threads()}, {platform.processor()}")
    std = standard_case(lengths, samples, args.shots, args.p, args.seed)
    qt, qe = std["qtwin"], std["qiskit_experiments"]
    print(
        f"single-qubit standard RB: {len(lengths)} lengths up to {max(lengths)}, "
        f"{samples} samples, {args.shots} shots, depolarizing p={args.p}"
    )
    print(f"  exact EPC                {std['epc_exact']:.6f}")
    print(
        f"  qtwin               EPC  {qt['epc']:.6f}  95% CI [{qt['epc_ci'][0]:.6f}, "
        f"{qt['epc_ci'][1]:.6f}]  time {qt['time_s']:.3f} s (cold {qt['cold_time_s']:.3f} s)"
    )
    print(
        f"  qiskit-experiments  EPC  {qe['epc']:.6f}  95% CI [{qe['epc_ci'][0]:.6f}, "
        f"{qe['epc_ci'][1]:.6f}]  time {qe['time_s']:.3f} s (cold {qe['cold_time_s']:.3f} s)"
    )
    print(
        f"  ratio qiskit-experiments / qtwin: {std['ratio']:.1f}x (cold {std['cold_ratio']:.1f}x)"
    )

    chars = []
    for d in (6, 12):
        row = character_case(d, char_lengths, char_samples, args.seed)
        chars.append(row)
        print(
            f"character RB d={d}: {len(char_lengths)} lengths, {char_samples} samples x {d * d} "
            f"character gates: {row['time_s']:.2f} s; F = {row['fidelity']:.6f} "
            f"[{row['fidelity_ci'][0]:.6f}, {row['fidelity_ci'][1]:.6f}], exact "
            f"{row['fidelity_exact']:.6f}; {len(row['decays'])} decays"
        )

    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    payload = {
        "machine": {
            "processor": platform.processor(),
            "python": platform.python_version(),
            "torch": torch.__version__,
            "threads": torch.get_num_threads(),
        },
        "standard_rb_1q": std,
        "character_rb": chars,
    }
    out.write_text(json.dumps(payload, indent=2, default=float) + "\n")
    print(f"wrote {out}")


if __name__ == "__main__":
    np.set_printoptions(precision=6)
    main()
