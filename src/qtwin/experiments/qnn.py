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
* ``quantum_data``: a task the classical baselines cannot read: Haar-random 3-qubit states
  labelled by :math:`\operatorname{sign}\langle X\otimes Z\otimes Y\rangle`. A 9-generator QNN
  learns it from the states; logistic regression and an MLP get the computational-basis
  probabilities :math:`|\psi_z|^2` (what measuring the state reveals; they carry no information
  about an observable with X or Y letters, so chance is the best possible) and, as a
  stronger reference, the full amplitudes.

The digits task is easy for classical models on the same bits (both baselines score about
1.0), so it checks the QNN, not an advantage; the quantum-data task is where they differ.

Figures: ``learning_curve.png``, ``accuracy.png`` (the table as bars), ``hardness.png``,
``quantum_data.png``.
"""

from __future__ import annotations

import dataclasses
import time
from dataclasses import dataclass
from typing import Any

import numpy as np

from qtwin.experiments.config import option
from qtwin.experiments.figures import use_style
from qtwin.experiments.registry import Progress, register
from qtwin.experiments.store import ResultStore

__all__ = ["QNNConfig", "DEFAULT_CONFIG", "run"]


@dataclass(frozen=True)
class QNNConfig:
    """Farhi–Neven QNN: exact networks, digits, quantum data vs classical models, hardness."""

    digit_a: int = option(3, "first digit of the pair (label +1)", low=0, high=9)
    digit_b: int = option(6, "second digit of the pair (label -1)", low=0, high=9)
    epochs: int = option(4, "Adam epochs on the digits task", low=1)
    batch_size: int = option(16, "mini-batch size (samples)", low=1)
    lr: float = option(0.05, "Adam learning rate", low=0)
    shots: int = option(512, "shots per circuit on aer and the fake device", low=1)
    aer_test_size: int = option(16, "test images run with shots on aer", low=1)
    fake_device: str = option(
        "fake:manila", "noisy fake IBM device for the small exact networks ('' skips it)"
    )
    hardness_ns: tuple[int, ...] = option(
        (2, 4, 6), "input sizes n of the hardness study (empty skips it)", low=1, high=14
    )
    hardness_trials: int = option(1, "random starts (and tasks) per n in the hardness study", low=1)
    hardness_epochs: int = option(5, "Adam epochs per hardness run", low=1)
    quantum_data_samples: int = option(
        160, "labelled random states of the quantum-data task (half for testing; 0 skips it)", low=0
    )
    quantum_data_epochs: int = option(15, "Adam epochs on the quantum-data task", low=1)

    def __post_init__(self) -> None:
        if self.digit_a == self.digit_b:
            raise ValueError(f"config key 'digit_b' must differ from digit_a, got {self.digit_b}")
        if self.lr <= 0:
            raise ValueError(f"config key 'lr' must be > 0, got {self.lr!r}")
        fake = self.fake_device.strip()
        if fake and not fake.startswith("fake:"):
            raise ValueError(
                f"config key 'fake_device' must be 'fake:<device>' or '' (skip), got {fake!r}"
            )


#: the defaults as a plain dict (kept for callers of the dict-config era)
DEFAULT_CONFIG: dict[str, Any] = dataclasses.asdict(QNNConfig())


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


def _digits(config: QNNConfig, seed: int) -> Any:
    from qtwin.qml.qnn.datasets import digits_dataset

    return digits_dataset((config.digit_a, config.digit_b), seed=seed)


def _train(config: QNNConfig, seed: int) -> dict[str, Any]:
    from qtwin.qml.qnn.model import FarhiNevenQNN
    from qtwin.qml.qnn.training import accuracy, train

    data = _digits(config, seed)
    model = FarhiNevenQNN(16, seed=seed)
    t0 = time.perf_counter()
    hist = train(
        model,
        data.z_train,
        data.y_train,
        epochs=config.epochs,
        batch_size=config.batch_size,
        lr=config.lr,
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


def _aer(config: QNNConfig, seed: int, theta: list[float], backend: str = "aer") -> dict[str, Any]:
    from qtwin.qml.qnn.export import evaluate_on_backend
    from qtwin.qml.qnn.training import accuracy

    data = _digits(config, seed)
    k = min(config.aer_test_size, len(data.z_test))
    model = _model(theta)
    res = evaluate_on_backend(
        model, data.z_test[:k], data.y_test[:k], backend, shots=config.shots, seed=seed
    )
    return {
        "accuracy": res.accuracy,
        "noiseless_same_subset": accuracy(model, data.z_test[:k], data.y_test[:k]),
        "num_test": k,
    }


def _fake(config: QNNConfig, seed: int, device: str | None = None) -> dict[str, Any]:
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
            device or config.fake_device,
            shots=config.shots,
            seed=seed,
        )
        out[name] = {
            "accuracy": res.accuracy,
            "mean_abs_expectation": float(np.mean(np.abs(res.expectations))),
        }
    return out


def _baselines(config: QNNConfig, seed: int, num_parameters: int) -> dict[str, Any]:
    from qtwin.qml.qnn.baselines import (
        TFQ_MNIST_3V6_ANCHOR,
        logistic_regression_baseline,
        mlp_baseline,
    )

    data = _digits(config, seed)
    return {
        "logistic": logistic_regression_baseline(data, seed=seed).to_dict(),
        "mlp": mlp_baseline(data, num_parameters, seed=seed).to_dict(),
        "anchor": TFQ_MNIST_3V6_ANCHOR,
    }


def _hardness(config: QNNConfig, seed: int) -> dict[str, Any]:
    from qtwin.qml.qnn.hardness import hardness_study

    return hardness_study(
        list(config.hardness_ns),
        trials=config.hardness_trials,
        epochs=config.hardness_epochs,
        seed=seed,
        progress=False,
    ).to_dict()


#: the quantum-data task: the observable, and the QNN's candidate generators (the default ZX
#: and XX layers plus three three-body terms, one of which is P X_r)
QUANTUM_DATA_PAULI = "XZY"
QUANTUM_DATA_GENERATORS = (
    [("ZX", (j, 3)) for j in range(3)]
    + [("XX", (j, 3)) for j in range(3)]
    + [("XZYX", (0, 1, 2, 3)), ("ZZZX", (0, 1, 2, 3)), ("YXZX", (0, 1, 2, 3))]
)


def _quantum_data(config: QNNConfig, seed: int) -> dict[str, Any]:
    """QNN vs classical models on labels of random states (see the module docstring)."""
    from qtwin.qml.qnn.baselines import logistic_regression_baseline, mlp_baseline
    from qtwin.qml.qnn.model import FarhiNevenQNN
    from qtwin.qml.qnn.quantum_data import observable_sign_dataset
    from qtwin.qml.qnn.training import train

    qd = observable_sign_dataset(
        3,
        QUANTUM_DATA_PAULI,
        num_samples=config.quantum_data_samples,
        margin=0.1,
        test_fraction=0.5,
        seed=seed,
    )
    model = FarhiNevenQNN(3, QUANTUM_DATA_GENERATORS, seed=seed)
    hist = train(
        model,
        qd.z_train,
        qd.y_train,
        epochs=config.quantum_data_epochs,
        batch_size=16,
        lr=0.01,
        seed=seed,
        progress=False,
        eval_data=(qd.z_test, qd.y_test),
    )
    n_test = len(qd.y_test)
    table = [
        {
            "model": "QNN on the states",
            "parameters": int(model.theta.numel()),
            "test_accuracy": hist.test_accuracy[-1] if hist.test_accuracy else None,
            "num_test": n_test,
        }
    ]
    features = {
        "probabilities": lambda z: np.abs(z) ** 2,
        "amplitudes": lambda z: np.concatenate([z.real, z.imag], axis=1),
    }
    for name, f in features.items():
        split = (f(qd.z_train), qd.y_train, f(qd.z_test), qd.y_test)
        for res in (
            logistic_regression_baseline(split, seed=seed),
            mlp_baseline(split, 200, seed=seed),
        ):
            table.append(
                {
                    "model": f"{res.model} on {name}",
                    "parameters": res.num_parameters,
                    "test_accuracy": res.test_accuracy,
                    "num_test": n_test,
                }
            )
    return {
        "pauli": QUANTUM_DATA_PAULI,
        "num_train": len(qd.y_train),
        "history": hist.to_dict(),
        "qnn_test_accuracy": table[0]["test_accuracy"],
        "theta": model.theta.detach().numpy().tolist(),
        "table": table,
    }


@use_style()
def _plot_quantum_data(store: ResultStore, qd: dict[str, Any]) -> None:
    """QNN learning curve on the states, classical test accuracies as labelled lines."""
    from matplotlib.ticker import MaxNLocator

    from qtwin.experiments.figures import new_figure

    hist = qd["history"]
    ep = np.arange(1, len(hist["loss"]) + 1)
    fig, ax = new_figure(figsize=(8.0, 3.6))
    ax.plot(ep, hist["accuracy"], "o-", ms=4, label="QNN, train")
    ax.plot(ep, hist["test_accuracy"], "s-", ms=4, label="QNN, test")
    styles = [("tab:gray", "--"), ("tab:gray", ":"), ("tab:brown", "--"), ("tab:brown", ":")]
    for row, (color, ls) in zip(qd["table"][1:], styles, strict=False):
        ax.axhline(row["test_accuracy"], color=color, ls=ls, label=f"{row['model']} (test)")
    ax.axhline(0.5, color="k", lw=0.8, label="chance")
    ax.set_xlabel("epoch")
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_ylabel("accuracy (fraction correct)")
    ax.set_ylim(0.3, 1.03)
    ax.set_title(
        rf"Labels $\mathrm{{sign}}\langle {qd['pauli']}\rangle$ of random 3-qubit states "
        f"({qd['num_train']} for training)"
    )
    fig.legend(loc="outside right upper", fontsize="small")
    store.save_figure(
        fig,
        "quantum_data.png",
        caption="Test accuracy on quantum data (the sign of a Pauli expectation of random "
        "states): the QNN reads the states, the classical models only measured probabilities "
        "or amplitudes; the dashed line is chance.",
    )


@register("qnn", config=QNNConfig)
def run(
    config: QNNConfig,
    *,
    backend: str | None,
    seed: int,
    store: ResultStore,
    progress: Progress,
) -> dict[str, Any]:
    """Farhi–Neven QNN: exact networks, digits 3 vs 6, quantum data vs classical models, shots."""
    fake = config.fake_device.strip()
    steps = ["exactness", "digits/train", "digits/aer", "fake", "baselines", "hardness"]
    steps.append("quantum_data")
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
        elif unit == "quantum_data" and config.quantum_data_samples >= 4:
            results[unit] = store.compute(unit, lambda: _quantum_data(config, seed))
        elif unit == "hardness" and config.hardness_ns:
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
            "model": f"QNN on aer, {config.shots} shots",
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
                    "model": f"exact {task} network on {device}, {config.shots} shots",
                    "parameters": None,
                    "test_accuracy": r["accuracy"],
                    "num_test": None,
                }
            )
    if "quantum_data" in results:
        for row in results["quantum_data"]["table"]:
            table.append({**row, "model": f"quantum data: {row['model']}"})
    _plot_learning(store, tr, base["anchor"]["test_accuracy"], (config.digit_a, config.digit_b))
    _plot_table(store, table)
    if "hardness" in results:
        _plot_hardness(store, results["hardness"])
    if "quantum_data" in results:
        _plot_quantum_data(store, results["quantum_data"])
    summary = {
        "exact_representations_correct": all(
            r["all_correct"] for r in results["exactness"]["rows"]
        ),
        "digits_test_accuracy": tr["test_accuracy"],
        "epoch_time_s": tr["time_s"] / max(1, len(tr["history"]["loss"])),
        "beats_anchor": tr["test_accuracy"] > base["anchor"]["test_accuracy"],
        "quantum_data_qnn_test_accuracy": (
            results["quantum_data"]["qnn_test_accuracy"] if "quantum_data" in results else None
        ),
    }
    metrics = {
        "headline": {"QNN test accuracy (digits)": tr["test_accuracy"]},
        "summary": summary,
        "table": table,
        **{k.replace("/", "_"): v for k, v in results.items()},
    }
    if parts is not None:
        metrics["backend_parts"] = parts
    return metrics


def _backend_parts(
    backend: str, config: QNNConfig, seed: int, store: ResultStore, results: dict[str, Any]
) -> dict[str, Any]:
    """Digits inference with shots on ``backend`` (when it fits); where each part ran."""
    from qtwin.experiments._backend import record_part, skip_part, too_wide

    shots = config.shots
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


@use_style()
def _plot_learning(
    store: ResultStore, tr: dict[str, Any], anchor: float, digits: tuple[int, int]
) -> None:
    """Two labelled panels over epochs: accuracy (train, test, TFQ anchor) and training loss."""
    from qtwin.experiments.figures import new_figure

    hist = tr["history"]
    ep = np.arange(1, len(hist["loss"]) + 1)
    fig, (acc_ax, loss_ax) = new_figure(1, 2, figsize=(8.4, 3.4), sharex=True)
    acc_ax.plot(ep, hist["accuracy"], "o-", label="train")
    acc_ax.plot(ep, hist["test_accuracy"], "s-", label=f"test ({tr['num_test']} images)")
    acc_ax.axhline(anchor, color="gray", ls=":", label="TFQ MNIST anchor (85%)")
    acc_ax.set_xlabel("epoch")
    acc_ax.set_ylabel("accuracy (fraction correct)")
    acc_ax.set_ylim(min(0.5, float(np.min(hist["accuracy"])) - 0.05), 1.01)
    acc_ax.set_title("accuracy")
    loss_ax.plot(ep, hist["loss"], "^-", color="tab:red", label="train")
    loss_ax.set_xlabel("epoch")
    loss_ax.set_ylabel(r"mean loss $1 - l(z)\,\langle Y_r \rangle$")
    loss_ax.set_title("training loss")
    loss_ax.set_ylim(bottom=0)
    from matplotlib.ticker import MaxNLocator

    for ax in (acc_ax, loss_ax):
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.grid(alpha=0.3)
    handles, labels = acc_ax.get_legend_handles_labels()
    h2, l2 = loss_ax.get_legend_handles_labels()
    fig.legend(
        handles + h2,
        labels[:2] + [labels[2]] + ["train loss"],
        loc="outside lower center",
        ncol=4,
        fontsize="small",
        frameon=False,
    )
    fig.suptitle(
        f"Farhi–Neven QNN, digits {digits[0]} vs {digits[1]} "
        f"(17 qubits, {tr['num_parameters']} parameters)"
    )
    store.save_figure(
        fig,
        "learning_curve.png",
        caption="Training of the Farhi–Neven QNN on the two digits: accuracy (top, train and "
        "test, with the classical anchor) and loss (bottom) per epoch.",
    )


@use_style()
def _plot_table(store: ResultStore, table: list[dict[str, Any]]) -> None:
    """Test accuracy of every row, coloured by task, with its value and the chance line."""
    from matplotlib.patches import Patch

    from qtwin.experiments.figures import new_figure

    def group(name: str) -> str:
        if name.startswith("quantum data"):
            return "quantum data (random states)"
        if "network on" in name:
            return "exact networks, noisy device"
        return "digits (bit strings)"

    colors = {
        "digits (bit strings)": "tab:blue",
        "exact networks, noisy device": "tab:green",
        "quantum data (random states)": "tab:orange",
    }
    fig, ax = new_figure(figsize=(8.6, 0.36 * len(table) + 1.4))
    names = [r["model"].removeprefix("quantum data: ") for r in table]
    values = [r["test_accuracy"] for r in table]
    ax.barh(range(len(table)), values, color=[colors[group(r["model"])] for r in table])
    for k, v in enumerate(values):
        ax.text(v + 0.01, k, f"{v:.2f}", va="center", fontsize="x-small")
    ax.axvline(0.5, color="k", lw=0.8, ls=":")
    ax.set_yticks(range(len(table)), names, fontsize="x-small")
    ax.set_xlim(0, 1.1)
    ax.set_xlabel("test accuracy (fraction correct; dotted: chance)")
    ax.invert_yaxis()
    used = [g for g in colors if any(group(r["model"]) == g for r in table)]
    fig.legend(
        [Patch(color=colors[g]) for g in used],
        used,
        loc="outside lower center",
        ncol=3,
        fontsize="small",
        frameon=False,
    )
    store.save_figure(
        fig,
        "accuracy.png",
        caption="Test accuracy of every model and task in this run, coloured by task; the "
        "dashed line is chance.",
    )


@use_style()
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
    store.save_figure(
        fig,
        "hardness.png",
        caption="Subset parity against random labels as the input size n grows: training "
        "accuracy the QNN reaches (left) and the gradient norm at a random start (right, log "
        "scale).",
    )
