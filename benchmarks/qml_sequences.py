"""QLSTM and QFWP training speed on damped SHM: qtwin vs PennyLane, in one process.

One epoch = the authors' set-up: 157 training windows of length 4, batches of 10, MSE on the
last step, RMSprop(lr=0.01). Sides, all starting from the same parameters:

* ``qtwin`` — :class:`qtwin.qml.QFWP` / :class:`qtwin.qml.sequences.recurrent.QLSTM` on the shared
  batched statevector (for QFWP also ``qtwin (all steps)``: the circuits of every time step
  evaluated, as the authors' loop does, instead of only the last one that the loss needs);
* ``pennylane loop`` — the authors' formulation: ``default.qubit`` with the torch interface
  (backprop), one QNode call per sample, per time step and per VQC;
* ``pennylane broadcast`` — the same QNodes with parameter broadcasting over the batch (one
  call per time step and VQC); for QLSTM each VQC is a ``qml.qnn.TorchLayer``; for QFWP, whose
  circuit angles are per-sample fast weights (inputs, not layer weights), a broadcast QNode.

The first batch's loss is compared across sides (equal to 1e-9) and so are the losses of every
timed batch (same parameters, same optimiser). qtwin always runs the whole epoch; the
PennyLane sides time the first ``k`` batches and are extrapolated to the epoch (``k`` = 1 for
the loop and 2 for broadcast with ``--quick``; 4 and the whole epoch otherwise). Every side
runs with one torch thread (the machine is shared; tiny tensors gain nothing from more).
Timings: qtwin best of 3, PennyLane best of 2, sides interleaved.

Usage::

    python benchmarks/qml_sequences.py [--quick]

Target (issue): qtwin at least 20x faster per epoch than the fastest PennyLane side.
"""

from __future__ import annotations

import argparse
import json
import math
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import torch

from qtwin.qml.sequences.export import pennylane_vqc
from qtwin.qml.sequences.fast_weights import QFWP
from qtwin.qml.sequences.recurrent import QLSTM
from qtwin.qml.sequences.timeseries import load_sequence_task

RESULTS = Path(__file__).parent / "results"


# ----------------------------------------------------------------------------- PennyLane sides
def _qnode(n: int, k: int, enc: str, ent: str, rot: str) -> Any:
    import pennylane as qml

    dev = qml.device("default.qubit", wires=n)

    @qml.qnode(dev, interface="torch", diff_method="backprop")
    def circ(inputs, weights):
        pennylane_vqc(
            inputs, weights, wires=list(range(n)), encoding=enc, entangler=ent, rotation=rot
        )
        return [qml.expval(qml.PauliZ(q)) for q in range(k)]

    return circ


def _stack(out: Any) -> torch.Tensor:
    return torch.stack([o.to(torch.float64) for o in out], dim=-1)


class PLQFWP(torch.nn.Module):
    """QFWP on PennyLane; slow programmer and readout copied from a qtwin model."""

    def __init__(self, ref: QFWP, broadcast: bool) -> None:
        super().__init__()
        import copy

        self.ref = copy.deepcopy(ref)
        self.broadcast = broadcast
        self.circ = _qnode(ref.num_qubits, ref.num_readout, "ry", "brick", "ry")

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        m = self.ref
        if self.broadcast:
            w = m.init_state(x.shape[0])
            for t in range(x.shape[1]):
                w = w + m.delta(x[:, t])
                # x[q] -> (B,) and layer[q] -> (B,): broadcast over the batch
                feats = _stack(self.circ(x[:, t].T, w.permute(1, 2, 0)))
                out = m.readout(feats)
            return out
        outs = []
        for b in range(x.shape[0]):  # the authors' BatchVQC: one sample at a time
            w = torch.zeros(m.num_layers, m.num_qubits, dtype=torch.float64)
            for t in range(x.shape[1]):
                w = w + m.delta(x[b, t])
                out = m.readout(_stack(self.circ(x[b, t], w)))
            outs.append(out)
        return torch.stack(outs)


def _torch_layer(n: int, k: int, w: torch.Tensor) -> Any:
    """A ``qml.qnn.TorchLayer`` for one block circuit, holding a copy of ``w``."""
    import pennylane as qml

    dev = qml.device("default.qubit", wires=n)

    @qml.qnode(dev, interface="torch", diff_method="backprop")
    def circ(inputs, weights):
        pennylane_vqc(
            torch.movedim(inputs, -1, 0),
            weights,
            wires=list(range(n)),
            encoding="arctan",
            entangler="ring2",
            rotation="rot",
        )
        return [qml.expval(qml.PauliZ(q)) for q in range(k)]

    layer = qml.qnn.TorchLayer(circ, {"weights": tuple(w.shape)})
    with torch.no_grad():
        layer.qnode_weights["weights"].data = w.detach().clone().to(torch.float64)
    return layer


class PLQLSTM(torch.nn.Module):
    """Chen's QLSTM on PennyLane with the weights of a qtwin :class:`QLSTM`."""

    def __init__(self, ref: QLSTM, broadcast: bool) -> None:
        super().__init__()
        import copy

        n, h = ref.num_qubits, ref.hidden_size
        self.h, self.broadcast = h, broadcast
        ws = [ref.gates.weights[j] for j in range(4)] + [
            ref.hidden_map.weights,
            ref.out_map.weights,
        ]
        ks = [h] * 5 + [n]
        if broadcast:
            self.layers = torch.nn.ModuleList(
                [_torch_layer(n, k, w) for k, w in zip(ks, ws, strict=True)]
            )
        else:
            self.weights = torch.nn.ParameterList(
                [torch.nn.Parameter(w.detach().clone()) for w in ws]
            )
            self.circs = [_qnode(n, k, "arctan", "ring2", "rot") for k in ks]
        self.readout = copy.deepcopy(ref.readout)

    def _vqc(self, j: int, v: torch.Tensor) -> torch.Tensor:
        if self.broadcast:
            return self.layers[j](v).to(torch.float64)  # (B, k), one broadcast call
        return _stack(self.circs[j](v, self.weights[j]))  # one sample

    def _sequence(self, x: torch.Tensor) -> torch.Tensor:
        """Features of the last step; ``x`` is ``(B, T, 1)`` (broadcast) or ``(T, 1)``."""
        steps = x.shape[-2]
        h = torch.zeros(*x.shape[:-2], self.h, dtype=torch.float64)
        c = torch.zeros_like(h)
        phi = h
        for t in range(steps):
            v = torch.cat([x[..., t, :], h], dim=-1)
            g = [self._vqc(j, v) for j in range(4)]
            f, i, o = torch.sigmoid(g[0]), torch.sigmoid(g[1]), torch.sigmoid(g[3])
            c = f * c + i * torch.tanh(g[2])
            h = self._vqc(4, o * torch.tanh(c))
            phi = self._vqc(5, h)
        return phi

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if self.broadcast:
            return self.readout(self._sequence(x))
        return torch.stack([self.readout(self._sequence(x[b])) for b in range(x.shape[0])])


# ----------------------------------------------------------------------------- timing
def _epoch(
    model: torch.nn.Module,
    x: torch.Tensor,
    y: torch.Tensor,
    batches: int,
    forward: Callable[[torch.Tensor], torch.Tensor] | None = None,
) -> tuple[float, list]:
    opt = torch.optim.RMSprop(
        [p for p in model.parameters() if p.requires_grad], lr=0.01, alpha=0.99, eps=1e-8
    )
    fwd = forward or model
    losses = []
    t0 = time.perf_counter()
    for k in range(batches):
        xb, yb = x[10 * k : 10 * k + 10], y[10 * k : 10 * k + 10]
        opt.zero_grad()
        loss = torch.mean((fwd(xb) - yb) ** 2)
        loss.backward()
        opt.step()
        losses.append(float(loss.detach()))
    return time.perf_counter() - t0, losses


def bench_model(kind: str, quick: bool, runs: int = 3) -> dict[str, Any]:
    data = load_sequence_task("damped_shm")
    x = torch.as_tensor(data.x_train)
    y = torch.as_tensor(data.y_train)
    n_batches = math.ceil(len(x) / 10)
    # batches timed per side (then extrapolated to the epoch) and repetitions
    timed = {"pennylane loop": 1 if quick else 4, "pennylane broadcast": 2 if quick else n_batches}

    def make(side: str) -> tuple[torch.nn.Module, Callable | None]:
        ref: Any = QFWP(seed=0) if kind == "qfwp" else QLSTM(seed=0, scale=0.5)
        if side == "qtwin":
            return ref, None
        if side == "qtwin (all steps)":
            return ref, lambda xb: ref(xb, all_steps=True)[:, -1]
        cls = PLQFWP if kind == "qfwp" else PLQLSTM
        return cls(ref, broadcast=side == "pennylane broadcast"), None

    sides = (
        ["qtwin"]
        + (["qtwin (all steps)"] if kind == "qfwp" else [])
        + ["pennylane loop", "pennylane broadcast"]
    )
    # equal loss on the first batch from the same start
    first = {}
    for side in sides:
        m, f = make(side)
        with torch.no_grad():
            first[side] = float(torch.mean(((f or m)(x[:10]) - y[:10]) ** 2))
    base = first["qtwin"]
    equal = all(abs(v - base) < 1e-9 for v in first.values())
    best = {s: float("inf") for s in sides}
    losses: dict[str, list] = {}
    for r in range(runs):
        for side in sides:
            nb = timed.get(side, n_batches)
            if r >= 2 and not side.startswith("qtwin"):
                continue  # PennyLane sides: best of 2 (each takes seconds to minutes)
            m, f = make(side)
            t, ls = _epoch(m, x, y, nb, f)
            best[side] = min(best[side], t / nb * n_batches)
            losses[side] = ls
    k = min(len(v) for v in losses.values())
    traj_equal = all(np.allclose(v[:k], losses["qtwin"][:k], atol=1e-8) for v in losses.values())
    fastest_peer = min(best[s] for s in sides if s.startswith("pennylane"))
    return {
        "model": kind,
        "epoch_s": best,
        "first_batch_loss": first,
        "equal_loss": bool(equal and traj_equal),
        "speedup_vs_fastest_peer": fastest_peer / best["qtwin"],
        "speedup_all_steps_vs_fastest_peer": (
            fastest_peer / best["qtwin (all steps)"] if "qtwin (all steps)" in best else None
        ),
        "timed_batches": {s: timed.get(s, n_batches) for s in sides},
        "batches_per_epoch": n_batches,
    }


def run(quick: bool = True) -> dict[str, Any]:
    """Time per epoch of QLSTM and QFWP on damped SHM, qtwin vs PennyLane (see module)."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        rows = [bench_model("qfwp", quick), bench_model("qlstm", quick)]
    finally:
        torch.set_num_threads(threads)
    import pennylane

    return {
        "benchmark": "qml_sequences",
        "quick": quick,
        "torch_threads": 1,
        "pennylane": pennylane.__version__,
        "target_speedup": 20.0,
        "rows": rows,
    }


def _table(res: dict[str, Any]) -> str:
    lines = [f"{'model':6} {'side':22} {'s/epoch':>9} {'x vs qtwin':>10}  first-batch loss"]
    for r in res["rows"]:
        q = r["epoch_s"]["qtwin"]
        for side, t in r["epoch_s"].items():
            lines.append(
                f"{r['model']:6} {side:22} {t:9.3f} {t / q:10.1f}  "
                f"{r['first_batch_loss'][side]:.12f}"
            )
        lines.append(
            f"{r['model']:6} equal loss: {r['equal_loss']}; qtwin speed-up vs fastest "
            f"PennyLane side: {r['speedup_vs_fastest_peer']:.1f}x (target 20x)"
        )
    return "\n".join(lines)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true")
    args = ap.parse_args()
    res = run(quick=args.quick)
    text = _table(res)
    print(text)
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "qml_sequences.json").write_text(json.dumps(res, indent=2))
    (RESULTS / "qml_sequences.txt").write_text(text + "\n")


if __name__ == "__main__":
    main()
