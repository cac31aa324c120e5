r"""Experiment ``qnn``: the Farhi–Neven QNN classifier (arXiv:1802.06002) end to end.

Work units:

* ``exactness``: the exact subset parity and subset majority networks of
  :mod:`qtwin.qml.qnn.representations` and the general Boolean construction of
  :mod:`qtwin.qml.qnn.boolean_functions` on every bit string, evaluated by qtwin and by
  ``qiskit.quantum_info`` (independent reference): parity must give
  :math:`\langle Y_r\rangle = l(z)`, majority :math:`\operatorname{sign}\langle Y_r\rangle = l(z)`.
* ``digits/train``: the default 32-parameter network (ZX then XX layer, 17 qubits) trained with
  Adam on scikit-learn digits 3 vs 6 (4×4, binarized, contradictions removed), with the test
  accuracy after every epoch (the learning curve).
* ``digits/aer``: the trained network exported to Qiskit and run with ``shots`` on ``aer``
  (the first ``aer_test_size`` test images).
* ``fake``: exact majority (3 bits) and parity (2 bits) networks on the noisy fake IBM device
  ``fake_device`` with shots (small circuits: a noisy 17-qubit digits circuit is out of reach
  of a laptop-sized shot simulation; set ``fake_device=""`` to skip).
* ``baselines``: logistic regression and an MLP with the QNN's parameter count on the same
  bits, beside TFQ's published ">85%" anchor for MNIST 3 vs 6.
* ``hardness``: training accuracy and start gradient norm vs ``n`` for random Boolean labels
  and subset parity from random starts (:mod:`qtwin.qml.qnn.hardness`).

Figures: ``learning_curve.png``, ``accuracy.png`` (the table as bars), ``hardness.png``.
"""

from __future__ import annotations

import time
from typing import Any

import numpy as np

from qtwin.experiments.registry import Progress, register
from qtwin.experiments.store import ResultStore

__all__ = ["DEFAULT_CONFIG", "run"]

DEFAULT_CONFIG: dict[str, Any] = {
    "digit_a": 3,
    "digit_b": 6,
    "epochs": 4,
    "batch_size": 16,
    "lr": 0.05,
    "shots": 512,
    "aer_test_size": 16,
    "fake_device": "fake:manila",
    "hardness_ns": [2, 4, 6],
    "hardness_trials": 1,
    "hardness_epochs": 5,
}


def _exactness() -> dict[str, Any]:
    import torch
    from qiskit.quantum_info import Operator, SparsePauliOp

    from qtwin.qml.qnn import boolean_functions as bf
    from qtwin.qml.qnn import datasets as ds
    from qtwin.qml.qnn import representations as rep

    rows = []
    cases = [
        (
            "parity",
            4,
            [0, 2, 3],
            rep.subset_parity_circuit,
            rep.subset_parity_model,
            ds.subset_parity_dataset,
        ),
        (
            "parity",
            5,
            [1, 2, 4],
            rep.subset_parity_circuit,
            rep.subset_parity_model,
            ds.subset_parity_dataset,
        ),
        (
            "majority",
            5,
            [0, 2, 4],
            rep.subset_majority_circuit,
            rep.subset_majority_model,
            ds.subset_majority_dataset,
        ),
        (
            "majority",
            5,
            [0, 1, 2, 3, 4],
            rep.subset_majority_circuit,
            rep.subset_majority_model,
            ds.subset_majority_dataset,
        ),
    ]
    rng = np.random.default_rng(7)
    labels = rng.choice([-1, 1], size=8)
    cases.append(
        (
            "boolean(random)",
            3,
            labels,
            bf.boolean_function_circuit,
            bf.boolean_function_model,
            lambda n, lab: (ds.all_bit_strings(n), lab),
        )
    )
    for task, n, arg, circuit, model, data in cases:
        z, y = data(n, arg)
        u = Operator(circuit(n, arg)).data
        obs = SparsePauliOp("Y" + "I" * n).to_matrix()
        ref = np.array([np.vdot(u[:, k], obs @ u[:, k]).real for k in range(2**n)])
        ours = model(n, arg)(torch.as_tensor(z)).detach().numpy()
        exact = task != "majority"
        rows.append(
            {
                "task": task,
                "n": n,
                "num_generators": len(model(n, arg).generators),
                "all_correct": bool(np.all(np.sign(ref) == y) and np.all(np.sign(ours) == y)),
                "max_dev_from_label": float(np.max(np.abs(ref - y))) if exact else None,
                "max_dev_qtwin_vs_qiskit": float(np.max(np.abs(ours - ref))),
            }
        )
    return {"rows": rows}


def _digits(config: dict[str, Any], seed: int) -> Any:
    from qtwin.qml.qnn.datasets import digits_dataset

    return digits_dataset((int(config["digit_a"]), int(config["digit_b"])), seed=seed)


def _train(config: dict[str, Any], seed: int) -> dict[str, Any]:
    from qtwin.qml.qnn.model import FarhiNevenQNN
    from qtwin.qml.qnn.training import accuracy, train

    data = _digits(config, seed)
    model = FarhiNevenQNN(16, seed=seed)
    t0 = time.perf_counter()
    hist = train(
        model,
        data.z_train,
        data.y_train,
        epochs=int(config["epochs"]),
        batch_size=int(config["batch_size"]),
        lr=float(config["lr"]),
        seed=seed,
        progress=False,
        eval_data=(data.z_test, data.y_test),
    )
    return {
        "history": hist.to_dict(),
        "time_s": time.perf_counter() - t0,
        "theta": model.theta.detach().numpy().tolist(),
        "num_parameters": int(model.theta.numel()),
        "num_train": len(data.z_train),
        "num_test": len(data.z_test),
        "test_accuracy": accuracy(model, data.z_test, data.y_test),
    }


def _model(theta: list[float]) -> Any:
    from qtwin.qml.qnn.model import FarhiNevenQNN

    return FarhiNevenQNN(16, theta=theta)


def _aer(
    config: dict[str, Any], seed: int, theta: list[float], backend: str = "aer"
) -> dict[str, Any]:
    from qtwin.qml.qnn.export import evaluate_on_backend
    from qtwin.qml.qnn.training import accuracy

    data = _digits(config, seed)
    k = min(int(config["aer_test_size"]), len(data.z_test))
    model = _model(theta)
    res = evaluate_on_backend(
        model, data.z_test[:k], data.y_test[:k], backend, shots=int(config["shots"]), seed=seed
    )
    return {
        "accuracy": res["accuracy"],
        "noiseless_same_subset": accuracy(model, data.z_test[:k], data.y_test[:k]),
        "num_test": k,
    }


def _fake(config: dict[str, Any], seed: int, device: str | None = None) -> dict[str, Any]:
    from qtwin.qml.qnn import datasets as ds
    from qtwin.qml.qnn import representations as rep
    from qtwin.qml.qnn.export import evaluate_on_backend

    out = {}
    for name, model, (z, y) in (
        (
            "majority n=3",
            rep.subset_majority_model(3, [0, 1, 2]),
            ds.subset_majority_dataset(3, [0, 1, 2]),
        ),
        ("parity n=2", rep.subset_parity_model(2, [0, 1]), ds.subset_parity_dataset(2, [0, 1])),
    ):
        res = evaluate_on_backend(
            model,
            z,
            y,
            device or str(config["fake_device"]),
            shots=int(config["shots"]),
            seed=seed,
        )
        out[name] = {
            "accuracy": res["accuracy"],
            "mean_abs_expectation": float(np.mean(np.abs(res["expectations"]))),
        }
    return out


def _baselines(config: dict[str, Any], seed: int, num_parameters: int) -> dict[str, Any]:
    from qtwin.qml.qnn.baselines import (
        TFQ_MNIST_3V6_ANCHOR,
        logistic_regression_baseline,
        mlp_baseline,
    )

    data = _digits(config, seed)
    return {
        "logistic": logistic_regression_baseline(data, seed=seed),
        "mlp": mlp_baseline(data, num_parameters, seed=seed),
        "anchor": TFQ_MNIST_3V6_ANCHOR,
    }


def _hardness(config: dict[str, Any], seed: int) -> dict[str, Any]:
    from qtwin.qml.qnn.hardness import hardness_study

    return hardness_study(
        [int(n) for n in config["hardness_ns"]],
        trials=int(config["hardness_trials"]),
        epochs=int(config["hardness_epochs"]),
        seed=seed,
        progress=False,
    )


@register("qnn", config=DEFAULT_CONFIG)
def run(
    config: dict[str, Any],
    *,
    backend: str | None,
    seed: int,
    store: ResultStore,
    progress: Progress,
) -> dict[str, Any]:
    """Farhi–Neven QNN: exact parity/majority, digits 3 vs 6 learning curve, shots, baselines."""
    fake = str(config["fake_device"]).strip()
    if fake and not fake.startswith("fake:"):
        raise ValueError(f"fake_device must be 'fake:<device>' or '' (skip), got {fake!r}")
    steps = ["exactness", "digits/train", "digits/aer", "fake", "baselines", "hardness"]
    results: dict[str, Any] = {}
    for unit in progress(steps, total=len(steps), desc="qnn"):
        if unit == "exactness":
            results[unit] = store.compute(unit, _exactness)
        elif unit == "digits/train":
            results[unit] = store.compute(unit, lambda: _train(config, seed))
        elif unit == "digits/aer":
            theta = results["digits/train"]["theta"]
            results[unit] = store.compute(unit, lambda theta=theta: _aer(config, seed, theta))
        elif unit == "fake" and backend is not None:
            results[unit] = store.compute(f"small/{backend}", lambda: _fake(config, seed, backend))
        elif unit == "fake" and fake:
            results[unit] = store.compute(f"fake/{fake}", lambda: _fake(config, seed))
        elif unit == "baselines":
            n_par = results["digits/train"]["num_parameters"]
            results[unit] = store.compute(unit, lambda n_par=n_par: _baselines(config, seed, n_par))
        elif unit == "hardness" and config["hardness_ns"]:
            results[unit] = store.compute(unit, lambda: _hardness(config, seed))
    parts = _backend_parts(backend, config, seed, store, results) if backend is not None else None
    device = backend if backend is not None else fake
    tr = results["digits/train"]
    base = results["baselines"]
    table = [
        {
            "model": "QNN (qtwin, noiseless)",
            "parameters": tr["num_parameters"],
            "test_accuracy": tr["test_accuracy"],
            "num_test": tr["num_test"],
        },
        {
            "model": f"QNN on aer, {config['shots']} shots",
            "parameters": tr["num_parameters"],
            "test_accuracy": results["digits/aer"]["accuracy"],
            "num_test": results["digits/aer"]["num_test"],
        },
        {
            "model": base["logistic"]["model"],
            "parameters": base["logistic"]["num_parameters"],
            "test_accuracy": base["logistic"]["test_accuracy"],
            "num_test": tr["num_test"],
        },
        {
            "model": base["mlp"]["model"],
            "parameters": base["mlp"]["num_parameters"],
            "test_accuracy": base["mlp"]["test_accuracy"],
            "num_test": tr["num_test"],
        },
        {
            "model": "TFQ MNIST anchor (published, >85%)",
            "parameters": 32,
            "test_accuracy": base["anchor"]["test_accuracy"],
            "num_test": None,
        },
    ]
    if "fake" in results:
        for task, r in results["fake"].items():
            table.append(
                {
                    "model": f"exact {task} network on {device}, {config['shots']} shots",
                    "parameters": None,
                    "test_accuracy": r["accuracy"],
                    "num_test": None,
                }
            )
    _plot_learning(store, tr, base["anchor"]["test_accuracy"])
    _plot_table(store, table)
    if "hardness" in results:
        _plot_hardness(store, results["hardness"])
    summary = {
        "exact_representations_correct": all(
            r["all_correct"] for r in results["exactness"]["rows"]
        ),
        "digits_test_accuracy": tr["test_accuracy"],
        "epoch_time_s": tr["time_s"] / max(1, len(tr["history"]["loss"])),
        "beats_anchor": tr["test_accuracy"] > base["anchor"]["test_accuracy"],
    }
    metrics = {
        "summary": summary,
        "table": table,
        **{k.replace("/", "_"): v for k, v in results.items()},
    }
    if parts is not None:
        metrics["backend_parts"] = parts
    return metrics


def _backend_parts(
    backend: str, config: dict[str, Any], seed: int, store: ResultStore, results: dict[str, Any]
) -> dict[str, Any]:
    """Digits inference with shots on ``backend`` (when it fits); where each part ran."""
    from qtwin.experiments._backend import record_part, skip_part, too_wide

    shots = int(config["shots"])
    parts: dict[str, Any] = {}
    for name in ("exactness", "digits/train", "baselines", "hardness"):
        if name in results:
            parts[name] = {"backend": "qtwin (exact, torch)", "status": "ran"}
    record_part(parts, "digits/aer", "aer", circuits=results["digits/aer"]["num_test"], shots=shots)
    record_part(parts, "small_networks", backend, circuits=12, shots=shots)  # 8 + 4 inputs
    reason = too_wide(backend, 17)
    if reason is not None:
        skip_part(parts, "digits/backend", backend, reason)
    elif backend == "aer":
        parts["digits/backend"] = {**parts["digits/aer"], "same_as": "digits/aer"}
    else:
        theta = results["digits/train"]["theta"]
        results["digits/backend"] = store.compute(
            f"digits/{backend}", lambda: _aer(config, seed, theta, backend)
        )
        record_part(
            parts,
            "digits/backend",
            backend,
            circuits=results["digits/backend"]["num_test"],
            shots=shots,
        )
    return parts


def _plot_learning(store: ResultStore, tr: dict[str, Any], anchor: float) -> None:
    from qtwin.experiments.figures import new_figure

    hist = tr["history"]
    ep = np.arange(1, len(hist["loss"]) + 1)
    fig, ax = new_figure(figsize=(5.2, 3.4))
    ax.plot(ep, hist["accuracy"], "o-", label="train accuracy")
    ax.plot(ep, hist["test_accuracy"], "s-", label="test accuracy")
    ax.plot(ep, hist["loss"], "^--", label="train loss 1 - l·<Y>")
    ax.axhline(anchor, color="gray", ls=":", label="TFQ anchor (>85%)")
    ax.set_xlabel("epoch")
    ax.set_title("Farhi–Neven QNN, digits 3 vs 6 (17 qubits)")
    ax.legend(fontsize="x-small")
    store.save_figure(fig, "learning_curve.png")


def _plot_table(store: ResultStore, table: list[dict[str, Any]]) -> None:
    from qtwin.experiments.figures import new_figure

    fig, ax = new_figure(figsize=(6.4, 0.45 * len(table) + 1.2))
    names = [r["model"] for r in table]
    ax.barh(range(len(table)), [r["test_accuracy"] for r in table], color="tab:blue")
    ax.set_yticks(range(len(table)), names, fontsize="x-small")
    ax.set_xlim(0, 1.02)
    ax.set_xlabel("test accuracy")
    ax.invert_yaxis()
    store.save_figure(fig, "accuracy.png")


def _plot_hardness(store: ResultStore, hard: dict[str, Any]) -> None:
    from qtwin.experiments.figures import new_figure

    fig, (a1, a2) = new_figure(1, 2, figsize=(8, 3.2))
    for key, label in (("parity", "subset parity"), ("random", "random labels")):
        if f"{key}_accuracy" in hard:
            a1.plot(hard["n"], hard[f"{key}_accuracy"], "o-", label=label)
            a2.semilogy(hard["n"], hard[f"grad_norm_{key}"], "o-", label=label)
    a1.set_xlabel("n")
    a1.set_ylabel("training accuracy")
    a2.set_xlabel("n")
    a2.set_ylabel("|grad| at random start")
    a1.legend(fontsize="x-small")
    store.save_figure(fig, "hardness.png")
