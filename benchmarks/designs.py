"""Designs benchmark: blocked-torch frame potential vs numpy, and Clifford-group enumeration.

1. Frame potential :math:`F_t = N^{-2}\\sum_{ij} |\\langle\\psi_i|\\psi_j\\rangle|^{2t}` of
   ``N = 20 000`` Haar-random states in ``d = 16`` for ``t = 2, 3``:

   * qtwin ``frame_potential``, both exact methods timed: ``gram`` (blocked torch Gram,
     complex128, upper-triangular tiles) and ``moment`` (frame operator on Sym^t,
     ``O(N D^2)``); the ratios use the one ``method="auto"`` picks;
   * a plain numpy double loop over pairs (``np.vdot`` per pair). It is far too slow for
     ``N^2 = 4e8`` pairs, so it runs on a subsample of ``--sub`` states and its time is
     **extrapolated by (N / sub)^2** (the loop is exactly ``O(N^2)``); both values on the
     subsample are compared for correctness;
   * a vectorised numpy reference (blocked ``X^† X`` Gram), full size, for a fair peer.

2. Clifford-group enumeration: wall time of ``qtwin.designs.clifford.clifford_group(d)`` plus
   building its ``(N, d, d)`` unitaries, for ``d = 2..12``, with the group order checked
   against ``clifford_group_order(d)``. Rows are skipped (and say so) when the module is
   missing.

Prints the ratios and writes ``benchmarks/results/designs.json``.

Usage::

    python benchmarks/designs.py                  # N = 20000, d = 16, t = 2, 3; d = 2..12
    python benchmarks/designs.py --quick          # N = 2000, Clifford d = 2..6
    python benchmarks/designs.py --device cuda    # torch side on the GPU
"""

from __future__ import annotations

import argparse
import json
import platform
import time
from pathlib import Path

import numpy as np
import torch

from qtwin.designs.frame_potentials import _pick_method, frame_potential


def random_states(n: int, d: int, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, d)) + 1j * rng.normal(size=(n, d))
    return x / np.linalg.norm(x, axis=1, keepdims=True)


def numpy_double_loop(x: np.ndarray, t: int) -> float:
    """The plain reference: one ``np.vdot`` per ordered pair."""
    n = len(x)
    total = 0.0
    for i in range(n):
        xi = x[i]
        for j in range(n):
            total += abs(np.vdot(xi, x[j])) ** (2 * t)
    return total / n**2


def numpy_blocked(x: np.ndarray, t: int, block: int = 2048) -> float:
    """Vectorised numpy: blocked Gram rows ``X_blk^* X^T``, all pairs."""
    n = len(x)
    total = 0.0
    for i0 in range(0, n, block):
        g = x[i0 : i0 + block].conj() @ x.T
        total += float(np.sum((g.real**2 + g.imag**2) ** t))
    return total / n**2


def bench_frame_potential(args: argparse.Namespace) -> list[dict]:
    x = random_states(args.n, args.d, seed=0)
    sub = x[: args.sub]
    rows = []
    device = args.device or ("cuda" if torch.cuda.is_available() else "cpu")
    for t in (2, 3):
        frame_potential(x[:256], t, device=device)  # warm-up
        if device.startswith("cuda"):
            torch.cuda.synchronize()
        timings, values = {}, {}
        for method in ("gram", "moment"):
            if device.startswith("cuda"):
                torch.cuda.synchronize()
            t0 = time.perf_counter()
            values[method] = frame_potential(
                x, t, block_size=args.block_size, device=device, method=method
            )
            timings[method] = time.perf_counter() - t0
        auto = _pick_method("auto", args.n, args.d, t)
        f_torch, t_torch = values[auto], timings[auto]

        t0 = time.perf_counter()
        f_np = numpy_blocked(x, t)
        t_np = time.perf_counter() - t0

        t0 = time.perf_counter()
        f_loop_sub = numpy_double_loop(sub, t)
        t_loop_sub = time.perf_counter() - t0
        t_loop = t_loop_sub * (args.n / args.sub) ** 2
        f_torch_sub = frame_potential(sub, t, device=device)

        haar = 1.0 / ((args.d * (args.d + 1)) // 2 if t == 2 else _comb(args.d + 2, 3))
        row = {
            "t": t,
            "N": args.n,
            "d": args.d,
            "device": device,
            "block_size": args.block_size,
            "auto_method": auto,
            "time_torch_gram_s": timings["gram"],
            "time_torch_moment_s": timings["moment"],
            "rel_diff_gram_moment": abs(values["gram"] - values["moment"]) / values["gram"],
            "F_torch": f_torch,
            "F_numpy_blocked": f_np,
            "F_haar": haar,
            "rel_diff_torch_numpy": abs(f_torch - f_np) / f_np,
            "time_torch_s": t_torch,
            "time_numpy_blocked_s": t_np,
            "loop_subsample": args.sub,
            "time_loop_subsample_s": t_loop_sub,
            "time_loop_extrapolated_s": t_loop,
            "loop_extrapolated": True,
            "rel_diff_loop_torch_subsample": abs(f_loop_sub - f_torch_sub) / f_loop_sub,
            "speedup_vs_loop": t_loop / t_torch,
            "speedup_vs_numpy_blocked": t_np / t_torch,
        }
        rows.append(row)
        print(
            f"t={t}: torch[{device}] gram {timings['gram']:.3f} s, moment "
            f"{timings['moment']:.3f} s (auto -> {auto}); |gram-moment|/F = "
            f"{row['rel_diff_gram_moment']:.1e}"
        )
        print(
            f"t={t}: torch[{device}, {auto}] {t_torch:8.3f} s | numpy blocked {t_np:8.3f} s "
            f"(x{row['speedup_vs_numpy_blocked']:.2f}) | numpy loop ~{t_loop:10.1f} s "
            f"extrapolated from {args.sub} states (x{row['speedup_vs_loop']:.0f}) | "
            f"F = {f_torch:.6e} (Haar {haar:.6e}); |torch-numpy|/F = "
            f"{row['rel_diff_torch_numpy']:.1e}, loop vs torch on subsample "
            f"{row['rel_diff_loop_torch_subsample']:.1e}"
        )
    return rows


def _comb(n: int, k: int) -> int:
    from math import comb

    return comb(n, k)


def bench_clifford(dims: range) -> list[dict]:
    try:
        from qtwin.designs.clifford import clifford_group, clifford_group_order
    except ImportError as exc:
        print(f"Clifford enumeration skipped: qtwin.designs.clifford not importable ({exc})")
        return [{"d": d, "skipped": f"import failed: {exc}"} for d in dims]
    rows = []
    for d in dims:
        t0 = time.perf_counter()
        group = clifford_group(d)
        n = len(np.asarray(group.unitaries))
        elapsed = time.perf_counter() - t0
        order = clifford_group_order(d)
        rows.append({"d": d, "order": n, "expected_order": order, "time_s": elapsed})
        print(f"clifford_group(d={d:2d}): {n:7d} elements (closed form {order}) in {elapsed:.3f} s")
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=20_000)
    parser.add_argument("--d", type=int, default=16)
    parser.add_argument("--sub", type=int, default=400, help="double-loop subsample size")
    parser.add_argument("--block-size", type=int, default=4096)
    parser.add_argument("--device", default=None)
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--out", default=str(Path(__file__).parent / "results" / "designs.json"))
    args = parser.parse_args()
    dims = range(2, 13)
    if args.quick:
        args.n, args.sub, dims = 2000, 200, range(2, 7)
    print(f"torch {torch.__version__}, threads {torch.get_num_threads()}, {platform.processor()}")
    result = {
        "frame_potential": bench_frame_potential(args),
        "clifford_enumeration": bench_clifford(dims),
        "torch": torch.__version__,
        "threads": torch.get_num_threads(),
        "cuda": torch.cuda.get_device_name() if torch.cuda.is_available() else None,
    }
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=2))
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
