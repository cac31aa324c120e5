"""Entanglement-profile benchmark: qtwin vs quimb on a 4096 x 4096 matrix and a rank-16 update.

The full profile (von Neumann entropy at every one of the 23 cuts of the 24-qubit chain,
row bits then column bits, state ``vec(W)/||W||_F``) of

1. ``dense``: a Gaussian 4096 x 4096 matrix ``W`` (float64);
2. ``rank16``: a rank-16 update ``dW = B @ A`` of it (Gaussian ``B`` 4096 x 16, ``A`` 16 x 4096).

Sides, in one process on the same input:

* qtwin: :func:`qtwin.entanglement.entanglement_profile` with its default method
  (``"gram"`` for the dense matrix: reduced density matrices and partial traces; the
  factored computation from ``(B, A)`` for the update, which never forms ``dW``); also the
  ``"svd"`` sweep on the dense matrix, for reference;
* quimb: ``MatrixProductState.from_dense(vec, dims=[2] * 24)`` then ``mps.entropy(c, info)``
  for every cut with one shared ``info`` dict (so quimb moves its orthogonality centre one
  site per cut instead of re-canonizing; bits, converted to nats), on the dense ``W`` and
  the dense ``dW``. quimb's default ``cutoff=1e-10`` truncation makes its rank-16 profile
  differ from the exact one by ~1e-9 nats.

``--device cuda`` runs the qtwin side on a GPU (the default is the CPU, qtwin's rule for
``device=None``). ``--no-quimb`` times the qtwin paths alone (for sizes where the peer takes
too long on the machine at hand); ``--svd`` adds qtwin's SVD sweep on the dense matrix.

The largest difference between the two profiles is printed with the timings. Timings are
best of ``--repeats`` runs per side, the sides interleaved (the machine is shared: noisy).
Writes ``benchmarks/results/entanglement.json`` and ``.txt``.

Usage::

    python benchmarks/entanglement.py            # 4096 x 4096
    python benchmarks/entanglement.py --quick    # 1024 x 1024
"""

from __future__ import annotations

import argparse
import json
import math
import platform
import time
from pathlib import Path

import numpy as np
import torch

from qtwin.entanglement import entanglement_profile


def timed(fn):
    t0 = time.perf_counter()
    out = fn()
    return out, time.perf_counter() - t0


def quimb_profile(w: np.ndarray) -> np.ndarray:
    import quimb.tensor as qtn

    n = int(round(math.log2(w.size)))
    vec = (w / np.linalg.norm(w)).reshape(-1)
    mps = qtn.MatrixProductState.from_dense(vec, dims=[2] * n)
    info: dict = {}  # shared: quimb moves the orthogonality centre one site per cut
    return np.array([mps.entropy(c, info=info) for c in range(1, n)]) * math.log(2)  # bits


def case(
    name: str,
    qtwin_input,
    dense: np.ndarray,
    repeats: int,
    extra: dict,
    peer: bool = True,
    device: str = "cpu",
) -> dict:
    runs: dict[str, list[float]] = {"qtwin": [], "quimb": [], **{k: [] for k in extra}}
    out: dict[str, np.ndarray] = {}
    for _ in range(repeats):  # interleaved
        prof, t = timed(lambda: entanglement_profile(qtwin_input, device=device))
        runs["qtwin"].append(t)
        out["qtwin"], method = prof.entropies, prof.method
        for key, fn in extra.items():
            p, t = timed(fn)
            runs[key].append(t)
            out[key] = p.entropies
        if peer:
            out["quimb"], t = timed(lambda: quimb_profile(dense))
            runs["quimb"].append(t)
    if not peer:
        out["quimb"] = np.full_like(out["qtwin"], np.nan)
        runs["quimb"] = [float("nan")]
    best = {k: min(v) for k, v in runs.items()}
    row = {
        "case": name,
        "shape": list(dense.shape),
        "qtwin_method": method,
        "best_s": best,
        "all_s": runs,
        "ratio_quimb_over_qtwin": best["quimb"] / best["qtwin"],
        "max_abs_diff_nats": float(np.max(np.abs(out["qtwin"] - out["quimb"]))),
        "middle_entropy_nats": float(out["qtwin"][len(out["qtwin"]) // 2]),
    }
    for k in extra:
        row[f"max_abs_diff_{k}"] = float(np.max(np.abs(out[k] - out["quimb"])))
    return row


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--quick", action="store_true", help="1024 x 1024 instead of 4096 x 4096")
    ap.add_argument("--size", type=int, default=None)
    ap.add_argument("--rank", type=int, default=16)
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--no-quimb", action="store_true", help="time the qtwin paths only")
    ap.add_argument("--svd", action="store_true", help="also time qtwin's SVD sweep")
    ap.add_argument("--device", default="cpu", help="torch device of the qtwin side (cpu, cuda)")
    ap.add_argument("--out", default=str(Path(__file__).parent / "results" / "entanglement.json"))
    args = ap.parse_args()
    n = args.size or (1024 if args.quick else 4096)
    rng = np.random.default_rng(args.seed)
    w = rng.normal(size=(n, n))
    b, a = rng.normal(size=(n, args.rank)), rng.normal(size=(args.rank, n))
    dw = b @ a
    peer = not args.no_quimb
    if peer:
        import quimb.tensor  # noqa: F401  (import cost kept out of the timings)

    dev = args.device
    entanglement_profile(np.eye(8), device=dev)  # warm up torch
    extra = (
        {"qtwin_svd": lambda: entanglement_profile(w, method="svd", device=dev)} if args.svd else {}
    )
    rows = [
        case("dense", w, w, args.repeats, extra, peer, dev),
        case(
            f"rank{args.rank}",
            (b, a),
            dw,
            args.repeats,
            {"qtwin_dense_gram": lambda: entanglement_profile(dw, device=dev)},
            peer,
            dev,
        ),
    ]
    lines = [
        f"entanglement profile benchmark, {n} x {n} ({2 * int(math.log2(n))} qubits), best of "
        f"{args.repeats} interleaved runs; {platform.processor() or platform.machine()}, "
        f"torch {torch.__version__}, {torch.get_num_threads()} threads, "
        f"device {dev}",
        f"{'case':<10}{'qtwin method':<14}{'qtwin s':>10}{'quimb s':>10}{'quimb/qtwin':>13}"
        f"{'max|dS| nats':>14}  other qtwin paths",
    ]
    for r in rows:
        others = ", ".join(
            f"{k} {v:.2f}s" for k, v in r["best_s"].items() if k not in ("qtwin", "quimb")
        )
        lines.append(
            f"{r['case']:<10}{r['qtwin_method']:<14}{r['best_s']['qtwin']:>10.3f}"
            f"{r['best_s']['quimb']:>10.3f}{r['ratio_quimb_over_qtwin']:>13.1f}"
            f"{r['max_abs_diff_nats']:>14.2e}  {others}"
        )
    text = "\n".join(lines)
    print(text)
    payload = {
        "benchmark": "entanglement",
        "size": n,
        "rank": args.rank,
        "repeats": args.repeats,
        "torch": torch.__version__,
        "threads": torch.get_num_threads(),
        "device": dev,
        "cuda": torch.cuda.is_available(),
        "platform": platform.platform(),
        "rows": rows,
    }
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(payload, indent=2, default=float) + "\n")
    out.with_suffix(".txt").write_text(text + "\n")


if __name__ == "__main__":
    main()
