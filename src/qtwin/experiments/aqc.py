r"""Experiment ``aqc``: AQC-Tensor vs Trotter vs staircase on an XXZ quench.

Target: :math:`e^{-iHt}|\text{Néel}\rangle` for the XXZ chain
:math:`H = J\sum_i (X_iX_{i+1} + Y_iY_{i+1} + \Delta Z_iZ_{i+1})` (defaults ``J = 0.5``,
``Delta = 2``: the IBM AQC tutorial's :math:`(XX + YY + 2ZZ)/2`), computed by TEBD on the
shared MPS (:func:`qtwin.aqc.tebd_target`). For each entry of ``ansatz_steps`` the AQC ansatz
is generated from a first-order Trotter circuit with that many steps and optimized by
:func:`qtwin.aqc.compile_mps`. The comparisons, all scored by the exact fidelity with the
target and the CNOT depth (every two-qubit block as 3 CNOTs):

* ``trotter``: first-order Trotter circuits with ``1 .. max_trotter_steps`` steps; the table
  reports the Trotter circuit of the *same depth* as each AQC circuit and the shallowest
  Trotter circuit that reaches the *same fidelity* (or ``None`` within the range tried);
* ``staircase``: Ran's sequential compilation (:func:`qtwin.aqc.staircase_compile`),
  ``1 .. staircase_layers`` layers; its depth grows with ``n``;
* ``running``: the deepest AQC circuit is exported as OpenQASM 3 and its
  :math:`\langle Z_iZ_{i+1}\rangle` are measured on Aer (and on ``device``, a ``fake:``
  IBM device, when set) against the exact values of the target.

The default ``num_qubits = 20`` runs in about 7 s on one idle core (TEBD target ~2 s, both
AQC optimizations ~1.3 s, Trotter scan, staircase, Aer run); ``--set num_qubits=50`` or
``100`` take well under a minute for AQC itself (the staircase and Aer parts grow with
``n``). Work units: ``target``, ``aqc/<steps>``, ``trotter``, ``staircase``, ``running``.
Figures: ``fidelity_vs_depth.png`` (1 - fidelity against CNOT depth for the three methods),
``fidelity_vs_iteration.png`` (the L-BFGS histories) and ``entanglement_profile.png`` (the
entanglement entropy at every cut of the target and of each compiled state).
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

import numpy as np

from qtwin.experiments.config import config_to_dict, option
from qtwin.experiments.registry import Progress, register
from qtwin.experiments.store import ResultStore

__all__ = ["AQCConfig", "DEFAULT_CONFIG", "run"]


@dataclass(frozen=True)
class AQCConfig:
    """AQC-Tensor vs Trotter vs staircase on an XXZ quench of the Néel state."""

    num_qubits: int = option(20, "number of qubits (sites of the XXZ chain)", low=4)
    J: float = option(0.5, "XXZ coupling J in H = J sum (XX + YY + delta ZZ)")
    delta: float = option(2.0, "XXZ anisotropy delta")
    time: float = option(0.5, "evolution time t of the target exp(-iHt)|Neel>", low=0.0)
    dt: float = option(0.1, "TEBD step of the target (second-order Trotter)", low=1e-6)
    max_bond: int | None = option(64, "bond-dimension cap of the target MPS (none: no cap)", low=1)
    ansatz_steps: tuple[int, ...] = option(
        (1, 2), "Trotter steps of the circuits the AQC ansatze are generated from", low=1
    )
    maxiter: int = option(40, "L-BFGS iterations per AQC compilation", low=1)
    max_trotter_steps: int = option(6, "Trotter circuits compared: 1 .. this many steps", low=1)
    staircase_layers: int = option(2, "staircase (Ran 2020) layers compared: 1 .. this many", low=1)
    device: str | None = option(
        None, "a fake:<name> IBM device to also measure the deepest AQC circuit on (none: Aer only)"
    )
    shots_precision: float = option(
        0.0, "estimator precision on device/backend runs (0: the backend's default)", low=0.0
    )

    def __post_init__(self) -> None:
        if not self.ansatz_steps:
            raise ValueError("config key 'ansatz_steps' is empty: give at least one step count")
        if self.time <= 0:
            raise ValueError(f"config key 'time' must be > 0, got {self.time!r}")


DEFAULT_CONFIG: dict[str, Any] = config_to_dict(AQCConfig())


def _hamiltonian(config: AQCConfig) -> Any:
    from qtwin.circuits import xxz_chain

    return xxz_chain(config.num_qubits, J=config.J, delta=config.delta)


def _target(config: AQCConfig) -> Any:
    from qtwin.aqc import tebd_target

    return tebd_target(_hamiltonian(config), config.time, dt=config.dt, max_bond=config.max_bond)


def _depth(qc: Any) -> int:
    return int(qc.depth(lambda ins: ins.operation.num_qubits == 2))


def _aqc(psi: Any, steps: int, config: AQCConfig) -> dict[str, Any]:
    from qtwin.aqc import compile_mps
    from qtwin.circuits import trotter_circuit
    from qtwin.tensornet import MPS

    qc = trotter_circuit(_hamiltonian(config), config.time, steps, initial_state="neel")
    res = compile_mps(psi, qc, maxiter=config.maxiter, progress=False)
    return {
        "steps": steps,
        "fidelity": res.fidelity,
        "initial_fidelity": res.initial_fidelity,
        "two_qubit_depth": res.two_qubit_depth,
        "iterations": res.num_iterations,
        "wall_time": res.wall_time,
        "history": res.history,
        "parameters": res.parameters.tolist(),
        "truncation_error": res.truncation_error,
        "entropy_profile": MPS.from_circuit(res.circuit).entropy_profile().tolist(),
    }


def _trotter(psi: Any, config: AQCConfig) -> list[dict[str, Any]]:
    from qtwin.aqc import FidelityObjective, ansatz_from_circuit
    from qtwin.circuits import trotter_circuit

    rows = []
    for s in range(1, config.max_trotter_steps + 1):
        qc = trotter_circuit(_hamiltonian(config), config.time, s, initial_state="neel")
        ansatz, theta = ansatz_from_circuit(qc)  # the Trotter circuit in KAK form, exactly
        f = FidelityObjective(psi, ansatz).fidelity(theta)
        rows.append({"steps": s, "fidelity": f, "two_qubit_depth": ansatz.two_qubit_depth})
    return rows


def _staircase(psi: Any, config: AQCConfig) -> list[dict[str, Any]]:
    from qtwin.aqc import staircase_compile

    res = staircase_compile(psi, config.staircase_layers)
    return [
        {"layers": k + 1, "fidelity": f, "two_qubit_depth": d}
        for k, (f, d) in enumerate(zip(res.fidelities, res.two_qubit_depths, strict=True))
    ]


def _running(psi: Any, aqc_row: dict[str, Any], config: AQCConfig) -> dict[str, Any]:
    from qtwin.aqc import ansatz_from_circuit
    from qtwin.aqc.execute import exact_zz, zz_correlators
    from qtwin.circuits import trotter_circuit

    qc = trotter_circuit(_hamiltonian(config), config.time, aqc_row["steps"], initial_state="neel")
    ansatz, _ = ansatz_from_circuit(qc)
    circuit = ansatz.circuit(np.asarray(aqc_row["parameters"]))
    exact = exact_zz(psi)
    out: dict[str, Any] = {"exact": exact.tolist()}
    t0 = time.perf_counter()
    aer = zz_correlators(circuit, "aer")
    out["aer"] = aer.tolist()
    out["aer_max_error"] = float(np.max(np.abs(aer - exact)))
    out["aer_time"] = time.perf_counter() - t0
    if config.device:
        prec = config.shots_precision or None
        dev = zz_correlators(circuit, config.device, precision=prec, seed=1)
        out["device"] = config.device
        out["device_values"] = dev.tolist()
        out["device_max_error"] = float(np.max(np.abs(dev - exact)))
    return out


@register("aqc", config=AQCConfig)
def run(
    config: AQCConfig,
    *,
    backend: str | None,
    seed: int,
    store: ResultStore,
    progress: Progress,
) -> dict[str, Any]:
    """AQC-Tensor vs Trotter vs staircase on an XXZ quench: fidelity vs two-qubit depth."""
    n = config.num_qubits
    t0 = time.perf_counter()
    psi = _target(config)
    target_info = store.compute(
        "target",
        lambda: {
            "num_qubits": n,
            "max_bond": max(psi.bond_dims),
            "truncation_error": 1 - psi.fidelity_estimate,
            "entropy_profile": psi.entropy_profile().tolist(),
            "time_s": time.perf_counter() - t0,
        },
    )
    steps_list = list(config.ansatz_steps)
    aqc_rows = [
        store.compute(f"aqc/{s}", lambda s=s: _aqc(psi, s, config))
        for s in progress(steps_list, total=len(steps_list), desc="aqc")
    ]
    trotter_rows = store.compute("trotter", lambda: _trotter(psi, config))
    stair_rows = store.compute("staircase", lambda: _staircase(psi, config))
    running = store.compute("running", lambda: _running(psi, aqc_rows[-1], config))
    on_backend = None
    if backend is not None:
        on_backend = store.compute(
            f"running/{backend}", lambda: _on_backend(psi, aqc_rows[-1], config, backend, seed)
        )

    table = []
    for r in aqc_rows:
        same_depth = [t for t in trotter_rows if t["two_qubit_depth"] <= r["two_qubit_depth"]]
        same_fid = [t for t in trotter_rows if t["fidelity"] >= r["fidelity"]]
        stair_fid = [t for t in stair_rows if t["fidelity"] >= r["fidelity"]]
        table.append(
            {
                "ansatz_steps": r["steps"],
                "aqc_depth": r["two_qubit_depth"],
                "aqc_fidelity": r["fidelity"],
                "trotter_init_fidelity": r["initial_fidelity"],
                "trotter_same_depth_fidelity": max(t["fidelity"] for t in same_depth)
                if same_depth
                else None,
                "trotter_same_fidelity_depth": min(t["two_qubit_depth"] for t in same_fid)
                if same_fid
                else None,
                "staircase_same_fidelity_depth": min(t["two_qubit_depth"] for t in stair_fid)
                if stair_fid
                else None,
                "aqc_time_s": r["wall_time"],
            }
        )
    _plot(store, aqc_rows, trotter_rows, stair_rows)
    _plot_history(store, aqc_rows)
    _plot_profiles(store, target_info, aqc_rows)
    best = max(aqc_rows, key=lambda r: r["fidelity"]) if aqc_rows else None
    return {
        "headline": None
        if best is None
        else {f"AQC fidelity at CNOT depth {best['two_qubit_depth']}": best["fidelity"]},
        "target": target_info,
        "table": table,
        "aqc": [{k: v for k, v in r.items() if k != "parameters"} for r in aqc_rows],
        "trotter": trotter_rows,
        "staircase": stair_rows,
        "running": running,
        **({} if on_backend is None else _backend_metrics(on_backend, backend)),
    }


def _on_backend(
    psi: Any, aqc_row: dict[str, Any], config: AQCConfig, backend: str, seed: int
) -> dict[str, Any]:
    """The deepest compiled circuit on ``backend``: its ZZ correlators and their error."""
    from qtwin.aqc import ansatz_from_circuit
    from qtwin.aqc.execute import exact_zz, zz_correlators
    from qtwin.circuits import trotter_circuit
    from qtwin.experiments._backend import too_wide

    n = config.num_qubits
    reason = too_wide(backend, n)
    if reason is not None:
        return {"status": "skipped", "reason": reason}
    qc = trotter_circuit(_hamiltonian(config), config.time, aqc_row["steps"], initial_state="neel")
    ansatz, _ = ansatz_from_circuit(qc)
    circuit = ansatz.circuit(np.asarray(aqc_row["parameters"]))
    exact = exact_zz(psi)
    prec = config.shots_precision or None
    t0 = time.perf_counter()
    values = zz_correlators(circuit, backend, precision=prec, seed=seed)
    return {
        "status": "ok",
        "num_qubits": n,
        "precision": prec,
        "values": values.tolist(),
        "max_error": float(np.max(np.abs(values - exact))),
        "time_s": time.perf_counter() - t0,
    }


def _backend_metrics(on_backend: dict[str, Any], backend: str) -> dict[str, Any]:
    parts: dict[str, Any] = {
        name: {"backend": "qtwin.tensornet (MPS)", "status": "ran"}
        for name in ("target", "aqc", "trotter", "staircase")
    }
    parts["running/aer"] = {"backend": "aer", "status": "ran"}
    if on_backend["status"] == "ok":
        parts["running/backend"] = {
            "backend": backend,
            "status": "ran",
            "circuits": 1,
            "precision": on_backend["precision"],
        }
    else:
        parts["running/backend"] = {
            "backend": backend,
            "status": "skipped",
            "reason": on_backend["reason"],
        }
    return {"running_backend": on_backend, "backend_parts": parts}


def _plot(store: ResultStore, aqc: list, trotter: list, stair: list) -> None:
    from qtwin.experiments.figures import new_figure, use_style

    with use_style():
        fig, ax = new_figure(figsize=(6.0, 4.8))
        for rows, label, style in (
            (trotter, "Trotter (1st order, 1, 2, ... steps)", "s-"),
            (stair, "staircase (Ran 2020, 1, 2, ... layers)", "^-"),
            (aqc, "AQC-Tensor (ansatz from 1, 2, ... Trotter steps)", "o-"),
        ):
            d = [r["two_qubit_depth"] for r in rows]
            f = [max(1 - r["fidelity"], 1e-16) for r in rows]
            ax.plot(d, f, style, label=label)
        ax.set_yscale("log")
        ax.set_xlabel("two-qubit (CNOT) depth")
        ax.set_xlim(left=0)
        ax.set_ylabel("1 - fidelity with the target")
        ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.2), fontsize="small")
        store.save_figure(
            fig,
            "fidelity_vs_depth.png",
            caption="Infidelity with the target against two-qubit depth: AQC-compiled circuits, "
            "Trotter circuits of growing step count and the staircase (sequential) circuits; "
            "lower and further left is better.",
        )


def _plot_history(store: ResultStore, aqc: list) -> None:
    from qtwin.experiments.figures import new_figure, use_style

    with use_style():
        fig, ax = new_figure(figsize=(6.0, 4.8))
        for r in aqc:
            h = np.asarray(r["history"])
            ax.plot(
                np.arange(h.size),
                np.maximum(1 - h, 1e-16),
                "o-",
                ms=3,
                label=f"ansatz from {r['steps']} Trotter step(s), "
                f"CNOT depth {r['two_qubit_depth']}",
            )
        ax.set_yscale("log")
        ax.set_xlabel("L-BFGS iteration (0: the Trotter circuit itself)")
        ax.set_ylabel("1 - fidelity with the target")
        ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.2), fontsize="small")
        store.save_figure(
            fig,
            "fidelity_vs_iteration.png",
            caption="Infidelity during the L-BFGS optimisation, one line per ansatz depth; "
            "iteration 0 is the Trotter circuit the ansatz starts from.",
        )


def _plot_profiles(store: ResultStore, target: dict, aqc: list) -> None:
    from qtwin.experiments.figures import new_figure, use_style

    with use_style():
        fig, ax = new_figure(figsize=(6.0, 4.8))
        prof = np.asarray(target["entropy_profile"])
        cuts = np.arange(1, prof.size + 1)
        ax.plot(cuts, prof, "k-", lw=2, label="target (TEBD)")
        for r in aqc:
            ax.plot(
                cuts,
                r["entropy_profile"],
                "o--",
                ms=3,
                label=f"AQC, CNOT depth {r['two_qubit_depth']} (F = {r['fidelity']:.4f})",
            )
        ax.set_xlabel("cut (number of qubits on the left)")
        ax.set_ylabel("entanglement entropy (nats)")
        ax.set_ylim(bottom=0)
        ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.2), fontsize="small")
        store.save_figure(
            fig,
            "entanglement_profile.png",
            caption="Entanglement entropy across every cut: the TEBD target and the states "
            "prepared by the compiled circuits (how much of the target's entanglement each "
            "depth reproduces).",
        )
