r"""Experiment ``sequences``: quantum and classical sequence models on the papers' time series.

For every task in ``tasks`` (see :data:`qtwin.qml.sequences.timeseries.TASKS`; windows of length
``window``, chronological 67/33 split, MinMax scaling as the authors) and every model in
``models`` it records the test MSE, the epoch at which the training loss first falls below
``loss_threshold`` and the wall time:

* ``qfwp`` — :class:`qtwin.qml.QFWP` (8-qubit fast circuit), RMSprop;
* ``qlstm``, ``qrnn``, ``qgru`` — fully trained quantum recurrent networks, RMSprop;
* ``qlstm_rc`` — reservoir QLSTM, readout by closed-form ridge regression (``epochs`` = 0);
* ``qlstm_rc_gd`` — reservoir QLSTM, readout by RMSprop (gradient descent on 5 parameters);
* ``rnn``, ``lstm``, ``gru`` — torch baselines (hidden width 4), RMSprop;
* ``esn`` — reservoirpy echo state network, 4 units (the quantum readout size), ridge readout.

Work units ``<task>/<model>`` are stored as they finish (a rerun resumes). Figures:
``predictions.png`` (test prediction vs truth per task) and ``loss_curves.png`` (test MSE per
epoch). Defaults are small (one task, six models, two epochs) so that ``qtwin tour`` stays
fast; the papers train for 100 epochs (``--set epochs=100``, ``tasks``/``models`` lists for
the full grid, :data:`MODELS` and :data:`qtwin.qml.sequences.timeseries.TASKS`).
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

__all__ = ["SequencesConfig", "DEFAULT_CONFIG", "MODELS", "TASK_NAMES", "run"]

MODELS = ("qfwp", "qlstm", "qrnn", "qgru", "qlstm_rc", "qlstm_rc_gd", "rnn", "lstm", "gru", "esn")
_QUANTUM = frozenset(MODELS[:6])

#: the task names of :data:`qtwin.qml.sequences.timeseries.TASKS` (spelled out here so that
#: listing the experiments does not import torch; a test keeps the two equal)
TASK_NAMES = (
    "damped_shm",
    "bessel_j2",
    "delayed_quantum_control",
    "narma5",
    "narma10",
    "cosine",
    "jaynes_cummings",
)


@dataclass(frozen=True)
class SequencesConfig:
    """Quantum (QFWP, QRNN/QLSTM/QGRU, reservoirs) and classical sequence models on time series."""

    tasks: tuple[str, ...] = option(("damped_shm",), "time-series tasks", choices=TASK_NAMES)
    models: tuple[str, ...] = option(
        ("qfwp", "qlstm", "qlstm_rc", "qlstm_rc_gd", "lstm", "esn"),
        "models to train and compare",
        choices=MODELS,
    )
    epochs: int = option(2, "training epochs of the gradient-trained models (papers: 100)", low=1)
    lr: float = option(0.01, "RMSprop learning rate", low=0)
    batch_size: int = option(10, "mini-batch size (windows)", low=1)
    window: int = option(4, "window length (time steps fed per prediction)", low=1)
    loss_threshold: float = option(
        0.01, "training MSE whose first crossing is reported (epochs_to_threshold)", low=0
    )
    ridge_alpha: float = option(1e-6, "ridge penalty of the closed-form readouts", low=0)

    def __post_init__(self) -> None:
        if not self.tasks:
            raise ValueError("config key 'tasks' is empty: name at least one task")
        if not self.models:
            raise ValueError("config key 'models' is empty: name at least one model")
        if self.lr <= 0:
            raise ValueError(f"config key 'lr' must be > 0, got {self.lr!r}")


#: the defaults as a plain dict (kept for callers of the dict-config era)
DEFAULT_CONFIG: dict[str, Any] = dataclasses.asdict(SequencesConfig())


def _model(name: str, seed: int) -> Any:
    from qtwin.qml.sequences.baselines import ClassicalRNN
    from qtwin.qml.sequences.fast_weights import QFWP
    from qtwin.qml.sequences.recurrent import QRNNReservoir, QuantumRecurrentNet

    if name == "qfwp":
        return QFWP(seed=seed)
    if name in ("qlstm", "qrnn", "qgru"):
        return QuantumRecurrentNet(name, seed=seed)
    if name.startswith("qlstm_rc"):
        return QRNNReservoir("qlstm", seed=seed)
    return ClassicalRNN(name, hidden_size=4, seed=seed)


#: shots behind each expectation value when the circuits run on a backend (estimator
#: precision ``1 / sqrt(shots)``), and test windows evaluated there
BACKEND_SHOTS = 1024
BACKEND_WINDOWS = 8


def _on_backend(model: Any, name: str, data: Any, backend: str, seed: int) -> dict[str, Any]:
    """Inference of a trained quantum ``model`` on ``backend`` (shot noise), first windows."""
    from qtwin.experiments._backend import too_wide
    from qtwin.qml.sequences.export import predict_on_backend
    from qtwin.qml.sequences.variational import VQC

    widths = [m.num_qubits for m in model.modules() if isinstance(m, VQC)]
    width = max(widths + [int(getattr(model, "num_qubits", 0) or 0)])
    reason = too_wide(backend, width)
    if reason is not None:
        return {"status": "skipped", "reason": reason}
    k = min(BACKEND_WINDOWS, len(data.x_test))
    t0 = time.perf_counter()
    try:
        pred = predict_on_backend(
            model, data.x_test[:k], backend, seed=seed, default_precision=BACKEND_SHOTS**-0.5
        )
    except TypeError as exc:  # a model predict_on_backend cannot export
        return {"status": "skipped", "reason": str(exc)}
    pred = np.asarray(pred.detach().numpy() if hasattr(pred, "detach") else pred)
    return {
        "status": "ok",
        "num_qubits": width,
        "num_windows": k,
        "shots": BACKEND_SHOTS,
        "test_mse": float(np.mean((pred - np.asarray(data.y_test[:k])) ** 2)),
        "time_s": time.perf_counter() - t0,
    }


def _unit(
    task: str, name: str, config: SequencesConfig, seed: int, backend: str | None = None
) -> dict[str, Any]:
    import torch

    from qtwin.qml.sequences.baselines import EchoStateNetwork
    from qtwin.qml.sequences.timeseries import load_sequence_task
    from qtwin.qml.sequences.training import epochs_to_threshold, fit_sequence_model, mse

    data = load_sequence_task(task, window=config.window)
    t0 = time.perf_counter()
    train_curve: list[float] = []
    test_curve: list[float] = []
    if name == "esn":
        esn = EchoStateNetwork(units=4, alpha=config.ridge_alpha, seed=seed)
        esn.fit(data.x_train, data.y_train)
        pred = esn.predict(data.x_test)
        test = float(np.mean((pred - data.y_test) ** 2))
        train_curve = [float(np.mean((esn.predict(data.x_train) - data.y_train) ** 2))]
    else:
        model = _model(name, seed)
        if name == "qlstm_rc":
            model.fit_readout(data.x_train, data.y_train, config.ridge_alpha)
            train_curve = [mse(model, data.x_train, data.y_train)]
        else:
            res = fit_sequence_model(
                model,
                data.x_train,
                data.y_train,
                data.x_test,
                data.y_test,
                epochs=config.epochs,
                lr=config.lr,
                batch_size=config.batch_size,
                seed=seed,
                progress=False,
            )
            train_curve, test_curve = res.train_loss, res.test_loss
        with torch.no_grad():
            pred = model(torch.as_tensor(data.x_test)).numpy()
        test = float(np.mean((pred - data.y_test) ** 2))
    extra: dict[str, Any] = {}
    if backend is not None:
        if name in _QUANTUM:
            extra["backend"] = _on_backend(model, name, data, backend, seed)
        else:
            extra["backend"] = {"status": "skipped", "reason": "a classical model"}
    return {
        **extra,
        "task": task,
        "model": name,
        "test_mse": test,
        "train_loss": train_curve,
        "test_loss": test_curve,
        "epochs_to_threshold": epochs_to_threshold(train_curve, config.loss_threshold),
        "wall_s": time.perf_counter() - t0,
        "prediction": np.asarray(pred).reshape(-1).tolist(),
        "truth": np.asarray(data.y_test).reshape(-1).tolist(),
    }


@register("sequences", config=SequencesConfig)
def run(
    config: SequencesConfig,
    *,
    backend: str | None,
    seed: int,
    store: ResultStore,
    progress: Progress,
) -> dict[str, Any]:
    """Every sequence model on every task: test MSE, epochs to a loss threshold, wall time."""
    from qtwin._threads import torch_threads

    with torch_threads(1):  # tiny tensors: extra threads only add overhead
        return _run(config, seed=seed, store=store, progress=progress, backend=backend)


def _run(
    config: SequencesConfig,
    *,
    seed: int,
    store: ResultStore,
    progress: Progress,
    backend: str | None = None,
) -> dict[str, Any]:
    units = [(t, m) for t in config.tasks for m in config.models]
    suffix = "" if backend is None else f"@{backend}"
    rows = [
        store.compute(f"{t}/{m}{suffix}", lambda t=t, m=m: _unit(t, m, config, seed, backend))
        for t, m in progress(units, total=len(units), desc="sequences")
    ]
    _plot_predictions(store, rows)
    _plot_curves(store, rows)
    table = [
        {k: r[k] for k in ("task", "model", "test_mse", "epochs_to_threshold", "wall_s")}
        for r in rows
    ]
    best = {}
    for t in config.tasks:
        rs = [r for r in rows if r["task"] == t]
        best[t] = min(rs, key=lambda r: r["test_mse"])["model"] if rs else None
    metrics: dict[str, Any] = {"table": table, "rows": rows, "summary": {"best_model": best}}
    qfwp = [r["test_mse"] for r in rows if r["model"].lower() == "qfwp"]
    if qfwp:
        metrics["headline"] = {"QFWP test MSE (best task)": min(qfwp)}
    if backend is not None:
        metrics["backend_parts"] = _parts(rows, backend)
    return metrics


def _parts(rows: list[dict[str, Any]], backend: str) -> dict[str, Any]:
    """``backend_parts``: training on qtwin (torch), inference per quantum model on ``backend``."""
    parts: dict[str, Any] = {"training": {"backend": "qtwin (torch, exact)", "status": "ran"}}
    for r in rows:
        b = r["backend"]
        key = f"inference/{r['task']}/{r['model']}"
        if b["status"] == "ok":
            parts[key] = {
                "backend": backend,
                "status": "ran",
                "test_windows": b["num_windows"],
                "shots": b["shots"],
                "test_mse": b["test_mse"],
            }
        else:
            parts[key] = {"backend": backend, "status": "skipped", "reason": b["reason"]}
    return parts


@use_style()
def _plot_predictions(store: ResultStore, rows: list[dict[str, Any]]) -> None:
    """Test-set predictions of every model per task; the truth on top, dashed."""
    from qtwin.experiments.figures import new_figure

    tasks = sorted({r["task"] for r in rows}) or [""]
    fig, axes = new_figure(1, len(tasks), figsize=(4.6 * len(tasks) + 2.6, 3.4), squeeze=False)
    for ax, task in zip(axes[0], tasks, strict=True):
        rs = [r for r in rows if r["task"] == task]
        for r in rs:
            ax.plot(r["prediction"], lw=1.1, label=f"{r['model']} (MSE {r['test_mse']:.2g})")
        if rs:
            ax.plot(rs[0]["truth"], "k--", lw=1.4, label="truth", zorder=5)
        ax.set_title(f"{task}: test set")
        ax.set_xlabel("test window")
        ax.set_ylabel("next value (scaled to [-1, 1])")
    handles, labels = axes[0][0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="outside right upper", fontsize="small")
    store.save_figure(
        fig,
        "predictions.png",
        caption="Test-set predictions of every model against the true series (dashed), one "
        "panel per task.",
    )


@use_style()
def _plot_curves(store: ResultStore, rows: list[dict[str, Any]]) -> None:
    """Test MSE per epoch of the gradient-trained models, and the predict-the-mean level."""
    from matplotlib.ticker import MaxNLocator

    from qtwin.experiments.figures import new_figure

    fig, ax = new_figure(figsize=(7.6, 3.6))
    for r in rows:
        if r["test_loss"]:
            ax.plot(
                range(1, len(r["test_loss"]) + 1),
                r["test_loss"],
                "o-",
                ms=3,
                label=f"{r['task']}/{r['model']}",
            )
    for task in sorted({r["task"] for r in rows}):
        truth = next(np.asarray(r["truth"]) for r in rows if r["task"] == task)
        ax.axhline(float(np.var(truth)), color="k", ls=":", lw=1, label=f"{task}: predict the mean")
    ax.set_yscale("log")
    ax.set_xlabel("epoch")
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_ylabel("test MSE")
    ax.set_title("Test error during training")
    fig.legend(loc="outside right upper", fontsize="small")
    store.save_figure(
        fig,
        "loss_curves.png",
        caption="Training loss per epoch of every model, one panel per task; the reference "
        "line is the loss of predicting the mean.",
    )
