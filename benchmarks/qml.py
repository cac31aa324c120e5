"""QML benchmark: Farhi–Neven QNN training on digits 3 vs 6, qtwin vs PennyLane and Qiskit ML.

The same model on every side: 16 data qubits + 1 readout (17 qubits), a ZX layer then an XX
layer coupling each data qubit to the readout (32 parameters, ``e^{iθΣ} = PauliRot(-2θ)``),
prediction <Y_readout>, loss mean(1 - l·<Y>), Adam (lr 0.05), mini-batches of 16, on the
scikit-learn digits 3 vs 6 (4x4 binarized, contradictions removed; 216 train / 93 test).

Sides, in one process on the same input:

* ``qtwin``: :class:`qtwin.qml.qnn.model.FarhiNevenQNN` (exact reduced simulation: the XX layer
  peels off in the Heisenberg picture and the data qubits stay classical, so one qubit is
  simulated per sample; see ``qtwin.qml.qnn.model._make_plan``), and ``qtwin-dense``: the same
  model simulating all 17 qubits (``simulation="dense"``) for reference.
* ``pennylane default.qubit``: ``qml.qnn.TorchLayer`` (backprop, parameter broadcasting
  over the mini-batch; inputs loaded with ``RX(pi z_j)``).
* ``pennylane lightning.qubit``: the same TorchLayer with ``diff_method="adjoint"``.
* ``qiskit-ml``: ``EstimatorQNN`` (``StatevectorEstimator``, parameter-shift gradients) in a
  ``TorchConnector``.

Time per epoch: qtwin sides run whole epochs (best of 3); the peers are timed on
``--batches`` mini-batches (best of up to 3 repeats) and scaled to the 14 batches of an epoch
(their per-batch cost does not depend on the data). Equal test accuracy: the parameters
trained by qtwin are loaded into every peer model and the test accuracy and the gradient of
one batch are compared. The machine is shared: timings are noisy, best-of runs interleaved.

Usage::

    python benchmarks/qml.py            # 4 peer batches
    python benchmarks/qml.py --quick    # 1 peer batch, 1 qtwin repeat per run

If ``benchmarks/qml_sequences.py`` exists (the QFWP / QRNN benchmark), its ``run(quick)`` is
called at the end and its results are added to the JSON.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import math
import time
from pathlib import Path
from typing import Any

import numpy as np
import torch

from qtwin.qml.qnn.datasets import digits_dataset
from qtwin.qml.qnn.model import FarhiNevenQNN
from qtwin.qml.qnn.training import accuracy, train

N = 16
BATCH = 16
LR = 0.05
RESULTS = Path(__file__).parent / "results"


def _epoch_batches(num_train: int) -> int:
    return math.ceil(num_train / BATCH)


def time_qtwin(ds: Any, simulation: str, repeats: int) -> tuple[float, FarhiNevenQNN]:
    best = float("inf")
    model = FarhiNevenQNN(N, seed=0, simulation=simulation)
    train(model, ds.z_train[:BATCH], ds.y_train[:BATCH], epochs=1, progress=False)  # warm-up
    model = FarhiNevenQNN(N, seed=0, simulation=simulation)
    for r in range(repeats):
        t0 = time.perf_counter()
        train(
            model, ds.z_train, ds.y_train, epochs=1, batch_size=BATCH, lr=LR, seed=r, progress=False
        )
        best = min(best, time.perf_counter() - t0)
    return best, model


def _loss(out: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    return torch.mean(1 - y * out.reshape(-1))


class _Peer:
    """A torch module ``f(x) -> <Y>`` with its 32 weights in ``weights`` (θ order of qtwin)."""

    def __init__(self, name: str, module: torch.nn.Module, set_theta: Any) -> None:
        self.name, self.module, self.set_theta = name, module, set_theta

    def out(self, z: np.ndarray) -> torch.Tensor:
        return self.module(torch.as_tensor(z, dtype=torch.float64)).reshape(-1).real

    def time_batches(self, ds: Any, batches: int, repeats: int = 3) -> float:
        opt = torch.optim.Adam(self.module.parameters(), lr=LR)
        best = float("inf")
        for _ in range(repeats):
            t0 = time.perf_counter()
            for b in range(batches):
                sl = slice(b * BATCH, (b + 1) * BATCH)
                y = torch.as_tensor(ds.y_train[sl], dtype=torch.float64)
                opt.zero_grad()
                _loss(self.out(ds.z_train[sl]), y).backward()
                opt.step()
            best = min(best, (time.perf_counter() - t0) / batches)
            if best * batches > 60:
                break
        return best


def pennylane_peer(device: str, generators: list) -> _Peer:
    import pennylane as qml

    dev = qml.device(device, wires=N + 1)
    diff = "adjoint" if device.startswith("lightning") else "backprop"

    @qml.qnode(dev, interface="torch", diff_method=diff)
    def circuit(inputs: torch.Tensor, weights: torch.Tensor) -> Any:
        for j in range(N):
            qml.RX(math.pi * inputs[..., j], wires=j)  # |z_j> up to a global phase
        for k, (label, sites) in enumerate(generators):
            qml.PauliRot(-2 * weights[k], label, wires=list(sites))
        return qml.expval(qml.PauliY(N))

    layer = qml.qnn.TorchLayer(circuit, {"weights": len(generators)})
    layer.double()

    def set_theta(theta: torch.Tensor) -> None:
        with torch.no_grad():
            layer.weights.copy_(theta)

    return _Peer(f"pennylane {device}", layer, set_theta)


def qiskit_ml_peer(generators: list) -> _Peer:
    from qiskit import QuantumCircuit
    from qiskit.circuit import ParameterVector
    from qiskit.primitives import StatevectorEstimator
    from qiskit.quantum_info import SparsePauliOp
    from qiskit_machine_learning.connectors import TorchConnector
    from qiskit_machine_learning.neural_networks import EstimatorQNN

    x = ParameterVector("x", N)
    w = ParameterVector("w", len(generators))
    qc = QuantumCircuit(N + 1)
    for j in range(N):
        qc.rx(math.pi * x[j], j)
    for k, (label, sites) in enumerate(generators):
        getattr(qc, {"ZX": "rzx", "XX": "rxx"}[label])(-2 * w[k], *sites)
    qnn = EstimatorQNN(
        circuit=qc,
        estimator=StatevectorEstimator(),
        observables=SparsePauliOp("Y" + "I" * N),
        input_params=list(x),
        weight_params=list(w),
    )
    module = TorchConnector(qnn, initial_weights=np.zeros(len(generators)))

    def set_theta(theta: torch.Tensor) -> None:
        with torch.no_grad():
            module.weight.copy_(theta.to(module.weight.dtype))

    class _Cast(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.inner = module

        def forward(self, z: torch.Tensor) -> torch.Tensor:
            return self.inner(z.float()).double()

    return _Peer("qiskit-ml EstimatorQNN", _Cast(), set_theta)


def check_equal(peer: _Peer, model: FarhiNevenQNN, ds: Any, test_size: int) -> dict[str, float]:
    """Load qtwin's trained θ into ``peer``: test accuracy and one batch's loss gradient."""
    theta = model.theta.detach().clone()
    peer.set_theta(theta)
    z, y = ds.z_test[:test_size], ds.y_test[:test_size]
    with torch.no_grad():
        pred = torch.where(peer.out(z) >= 0, 1, -1).numpy()
    acc_peer = float(np.mean(pred == y))
    acc_ours = accuracy(model, z, y)
    yb = torch.as_tensor(ds.y_train[:4], dtype=torch.float64)
    params = [p for p in peer.module.parameters() if p.requires_grad]
    for p in params:
        p.grad = None
    _loss(peer.out(ds.z_train[:4]), yb).backward()
    g_peer = params[0].grad.detach().double().reshape(-1)
    model.zero_grad()
    model.loss(ds.z_train[:4], ds.y_train[:4]).backward()
    g_ours = model.theta.grad.detach().reshape(-1)
    return {
        "test_accuracy_peer": acc_peer,
        "test_accuracy_qtwin": acc_ours,
        "test_size": len(y),
        "max_grad_diff": float(torch.max(torch.abs(g_peer - g_ours))),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--batches", type=int, default=4, help="peer mini-batches timed")
    parser.add_argument("--skip", default="", help="comma-separated peers to skip")
    args = parser.parse_args()
    quick = args.quick
    batches = 1 if quick else args.batches
    repeats = 1 if quick else 3
    skip = {s.strip() for s in args.skip.split(",") if s.strip()}
    torch.set_num_threads(max(1, torch.get_num_threads()))

    ds = digits_dataset((3, 6), seed=0)
    per_epoch = _epoch_batches(len(ds.z_train))
    rows: list[dict[str, Any]] = []
    t_fast, model = time_qtwin(ds, "reduced", repeats)
    train(
        model, ds.z_train, ds.y_train, epochs=4, batch_size=BATCH, lr=LR, seed=9, progress=False
    )  # θ for the equal-accuracy check: 5 epochs in all
    rows.append(
        {
            "side": "qtwin (reduced, exact)",
            "epoch_s": t_fast,
            "timed": "full epochs",
            "test_accuracy": accuracy(model, ds.z_test, ds.y_test),
            "max_grad_diff": 0.0,
        }
    )
    dense = FarhiNevenQNN(N, theta=model.theta.detach(), simulation="dense")
    dense_peer = _Peer("qtwin (dense, 17 qubits)", dense, None)
    dense_peer.out = lambda z: dense(torch.as_tensor(z))  # type: ignore[method-assign]
    t_dense = dense_peer.time_batches(ds, 1, repeats=1) * per_epoch
    rows.append(
        {
            "side": "qtwin (dense, 17 qubits)",
            "epoch_s": t_dense,
            "timed": f"1 batch x {per_epoch}",
            "test_accuracy": None,
            "max_grad_diff": None,
        }
    )
    gens = model.generators
    makers = {
        "default.qubit": lambda: pennylane_peer("default.qubit", gens),
        "lightning.qubit": lambda: pennylane_peer("lightning.qubit", gens),
        "qiskit-ml": lambda: qiskit_ml_peer(gens),
    }
    test_size = 24 if quick else len(ds.z_test)
    for key, make in makers.items():
        if key in skip:
            continue
        try:
            peer = make()
            nb = 1 if key == "qiskit-ml" else batches
            per_batch = peer.time_batches(ds, nb, repeats=1 if key == "qiskit-ml" else 3)
            eq = check_equal(
                peer, model, ds, test_size if key != "qiskit-ml" else min(test_size, 24)
            )
            rows.append(
                {
                    "side": peer.name,
                    "epoch_s": per_batch * per_epoch,
                    "timed": f"{nb} batch(es) x {per_epoch}",
                    **eq,
                    "test_accuracy": eq["test_accuracy_peer"],
                }
            )
        except Exception as exc:  # a missing peer is reported, not fatal
            rows.append({"side": key, "epoch_s": None, "error": f"{type(exc).__name__}: {exc}"})
        print(rows[-1], flush=True)
    peers = [
        r for r in rows if r["side"].startswith(("pennylane", "qiskit-ml")) and r.get("epoch_s")
    ]
    fastest = min(peers, key=lambda r: r["epoch_s"]) if peers else None
    lines = [f"{'side':34s} {'epoch [s]':>10s} {'vs qtwin':>9s} {'test acc':>9s} {'|dgrad|':>9s}"]
    for r in rows:
        e = r.get("epoch_s")
        ratio = f"{e / t_fast:9.1f}" if e else "        -"
        acc = f"{r['test_accuracy']:9.3f}" if r.get("test_accuracy") is not None else "        -"
        dg = f"{r['max_grad_diff']:9.1e}" if r.get("max_grad_diff") is not None else "        -"
        lines.append(
            f"{r['side']:34s} {e if e else float('nan'):10.3f} {ratio} {acc} {dg}"
            + (f"  ({r['error']})" if "error" in r else "")
        )
    summary: dict[str, Any] = {"qtwin_epoch_s": t_fast}
    if fastest:
        speedup = fastest["epoch_s"] / t_fast
        summary.update(
            {
                "fastest_peer": fastest["side"],
                "speedup_vs_fastest": speedup,
                "target_20x_met": speedup >= 20,
            }
        )
        lines.append(
            f"qtwin is {speedup:.0f}x faster per epoch than the fastest peer "
            f"({fastest['side']}); target >= 20x: {'met' if speedup >= 20 else 'NOT met'}"
        )
    text = "\n".join(lines)
    print(text)
    out: dict[str, Any] = {
        "benchmark": "qml",
        "quick": quick,
        "task": "digits 3 vs 6, 17 qubits, 32 parameters",
        "num_train": len(ds.z_train),
        "num_test": len(ds.z_test),
        "batch_size": BATCH,
        "rows": rows,
        "summary": summary,
        "torch_threads": torch.get_num_threads(),
        "note": "shared 2-core machine; peers timed on a few batches and scaled to an epoch",
    }
    seq = Path(__file__).with_name("qml_sequences.py")
    if seq.exists():
        spec = importlib.util.spec_from_file_location("qml_sequences", seq)
        assert spec and spec.loader
        mod = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(mod)
        out["sequences"] = mod.run(quick)
    RESULTS.mkdir(exist_ok=True)
    suffix = "_quick" if quick else ""
    (RESULTS / f"qml{suffix}.json").write_text(json.dumps(out, indent=2, default=str))
    (RESULTS / f"qml{suffix}.txt").write_text(text + "\n")


if __name__ == "__main__":
    main()
