r"""Experiment ``shadows``: classical-shadow estimation error against the number of snapshots.

For each local dimension ``d`` (qubits and qudits) a random brickwork state of
``num_sites`` qudits is prepared on the MPS simulator, and ``repetitions`` independent
shadows of ``max(snapshots)`` snapshots are measured with the default local 2-design
ensemble of :func:`qtwin.designs.shadows.classical_shadow` (Clifford for prime ``d``, MUBs for
prime powers, Haar otherwise). The observables are the Hermitian parts of the
Weyl–Heisenberg clock and shift operators on every site,

.. math:: \tfrac12(Z_i + Z_i^\dagger), \quad \tfrac12(X_i + X_i^\dagger), \quad
          \tfrac12(Z_iZ_{i+1}^\dagger + Z_i^\dagger Z_{i+1}),

(for qubits :math:`Z_i`, :math:`X_i`, :math:`Z_iZ_{i+1}`), each with
:math:`\|O\|_\infty \le 1`, estimated with the median of means from the first ``N``
snapshots and compared with the exact values ``mps.expectation``. The metrics are the RMS
and the maximum absolute error over observables (averaged over repetitions) for every
``N``, the fitted log-log slope (``-1/2`` expected) and the variance bound
:func:`~qtwin.designs.shadows.shadow_variance_bound` turned into the one-sigma guide
:math:`\sqrt{B/N}`.

Work units: ``state/<d>`` (exact values) and ``shadow/<d>/<rep>`` (errors for every ``N``).
Figure: ``error_vs_snapshots.png`` (log-log, with :math:`c/\sqrt N` guides).
"""

from __future__ import annotations

import time
from typing import Any

import numpy as np

from qtwin.experiments.registry import Progress, register
from qtwin.experiments.store import ResultStore

__all__ = ["DEFAULT_CONFIG", "run", "wh_observables"]

DEFAULT_CONFIG: dict[str, Any] = {
    # local dimensions compared (2: qubits)
    "dims": [2, 3],
    # qudits in the state, brickwork layers of Haar-random two-qudit gates
    "num_sites": 6,
    "layers": 2,
    # snapshot counts (prefixes of one shadow of max(snapshots) snapshots)
    "snapshots": [100, 200, 500, 1000, 2000, 4000],
    # independent shadows per dimension
    "repetitions": 3,
    # median-of-means groups
    "num_groups": 5,
    # measurement ensemble ("auto", "clifford", "mub", "haar", "weighted", "pauli")
    "ensemble": "auto",
}


def wh_observables(d: int, n: int) -> list[tuple[str, np.ndarray, list[int]]]:
    r"""``[(name, matrix, sites)]``: Hermitian parts of :math:`Z_i, X_i, Z_iZ_{i+1}^\dagger`.

    Example:
        >>> [name for name, _, _ in wh_observables(2, 2)]
        ['Z0', 'X0', 'Z1', 'X1', 'Z0Z1']
    """
    from qtwin.circuits.qudit_gates import clock, shift

    z, x = clock(d), shift(d)
    obs: list[tuple[str, np.ndarray, list[int]]] = []
    for i in range(n):
        obs.append((f"Z{i}", (z + z.conj().T) / 2, [i]))
        obs.append((f"X{i}", (x + x.conj().T) / 2, [i]))
    for i in range(n - 1):
        zz = np.kron(z.conj().T, z)  # little-endian: Z on site i, Z^dagger on site i + 1
        obs.append((f"Z{i}Z{i + 1}", (zz + zz.conj().T) / 2, [i, i + 1]))
    return obs


def _state(d: int, n: int, layers: int, seed: int) -> Any:
    from scipy.stats import unitary_group

    from qtwin.circuits import QuditCircuit
    from qtwin.tensornet import MPS

    rng = np.random.default_rng(seed)
    qc = QuditCircuit(d, n)
    for layer in range(layers):
        for i in range(layer % 2, n - 1, 2):
            qc.append(unitary_group.rvs(d * d, random_state=rng), [i, i + 1])
    return MPS.from_circuit(qc)


def _exact(d: int, config: dict[str, Any], seed: int) -> dict[str, Any]:
    from qtwin.designs.shadows import shadow_variance_bound

    psi = _state(d, int(config["num_sites"]), int(config["layers"]), seed)
    obs = wh_observables(d, psi.num_sites)
    return {
        "names": [name for name, _, _ in obs],
        "values": [float(psi.expectation([(m, s)]).real) for _, m, s in obs],
        "bounds": [shadow_variance_bound(m, d) for _, m, _ in obs],
        "bond_dims": psi.bond_dims,
    }


def _shadow_errors(
    d: int, rep: int, config: dict[str, Any], seed: int, exact: list[float]
) -> dict[str, Any]:
    from qtwin.designs.shadows import classical_shadow, median_of_means, snapshot_estimates

    psi = _state(d, int(config["num_sites"]), int(config["layers"]), seed)
    sizes = sorted(int(n) for n in config["snapshots"])
    t0 = time.perf_counter()
    shadow = classical_shadow(
        psi, sizes[-1], ensemble=config["ensemble"], seed=seed + 1000 * (rep + 1)
    )
    t_sample = time.perf_counter() - t0
    obs = wh_observables(d, psi.num_sites)
    vals = np.stack([snapshot_estimates(shadow, m, s) for _, m, s in obs])  # (O, N)
    k = int(config["num_groups"])
    rms, worst = [], []
    for n in sizes:
        est = np.array([median_of_means(v[:n], k) for v in vals])
        err = np.abs(est - np.asarray(exact))
        rms.append(float(np.sqrt(np.mean(err**2))))
        worst.append(float(err.max()))
    return {
        "ensemble": shadow.ensemble,
        "sizes": sizes,
        "rms_error": rms,
        "max_error": worst,
        "second_moment": [float(np.mean(v**2)) for v in vals],
        "sample_time_s": t_sample,
        "total_time_s": time.perf_counter() - t0,
    }


#: random Pauli measurement settings of the backend part (shots split evenly over them)
BACKEND_SETTINGS = 32


def _qiskit_state(n: int, layers: int, seed: int) -> Any:
    """The qubit (``d = 2``) brickwork state of :func:`_state` as a Qiskit circuit."""
    from qiskit import QuantumCircuit
    from scipy.stats import unitary_group

    rng = np.random.default_rng(seed)
    qc = QuantumCircuit(n)
    for layer in range(layers):
        for i in range(layer % 2, n - 1, 2):
            qc.unitary(unitary_group.rvs(4, random_state=rng), [i, i + 1])
    return qc


def _pauli_circuits(state: Any, bases: np.ndarray) -> list[Any]:
    """``state`` followed by a measurement in the Pauli basis ``bases[k, q]`` (0 X, 1 Y, 2 Z)."""
    circuits = []
    for row in bases:
        qc = state.copy()
        for q, b in enumerate(row):
            if b == 0:
                qc.h(q)
            elif b == 1:
                qc.sdg(q)
                qc.h(q)
        qc.measure_all()
        circuits.append(qc)
    return circuits


def _pauli_estimate(name: str, bases: np.ndarray, bits: list[np.ndarray]) -> float:
    """Classical-shadow estimate of ``Z<i>``, ``X<i>`` or ``Z<i>Z<j>`` from Pauli snapshots."""
    import re

    terms = [(p, int(q)) for p, q in re.findall(r"([XZ])(\d+)", name)]
    total, count = 0.0, 0
    for row, shots in zip(bases, bits, strict=True):  # shots: (S, n) 0/1, column q = qubit q
        value = np.ones(len(shots))
        for p, q in terms:
            if row[q] != (0 if p == "X" else 2):
                value = np.zeros(len(shots))
                break
            value = value * 3.0 * (1 - 2 * shots[:, q])
        total += float(value.sum())
        count += len(shots)
    return total / count


def _on_backend(config: dict[str, Any], seed: int, backend: str, exact: dict[str, Any]) -> Any:
    """Random-Pauli classical shadow of the qubit state measured on ``backend``."""
    from qtwin.backends import get_backend
    from qtwin.experiments._backend import too_wide

    n = int(config["num_sites"])
    reason = too_wide(backend, n)
    if reason is not None:
        return {"status": "skipped", "reason": reason}
    total = max(int(x) for x in config["snapshots"])
    shots = max(1, -(-total // BACKEND_SETTINGS))
    bases = np.random.default_rng(seed + 7).integers(0, 3, size=(BACKEND_SETTINGS, n))
    state = _qiskit_state(n, int(config["layers"]), seed)  # the seed of state/2
    t0 = time.perf_counter()
    result = (
        get_backend(backend, seed=seed)
        .sampler.run(_pauli_circuits(state, bases), shots=shots)
        .result()
    )
    bits = [
        np.array([[int(c) for c in reversed(b)] for b in pub.data.meas.get_bitstrings()])
        for pub in result
    ]
    est = np.array([_pauli_estimate(name, bases, bits) for name in exact["names"]])
    err = np.abs(est - np.asarray(exact["values"]))
    return {
        "status": "ok",
        "ensemble": "pauli",
        "settings": BACKEND_SETTINGS,
        "shots_per_setting": shots,
        "num_snapshots": BACKEND_SETTINGS * shots,
        "estimates": est.tolist(),
        "rms_error": float(np.sqrt(np.mean(err**2))),
        "max_error": float(err.max()),
        "time_s": time.perf_counter() - t0,
    }


@register("shadows", config=DEFAULT_CONFIG)
def run(
    config: dict[str, Any],
    *,
    backend: str | None,
    seed: int,
    store: ResultStore,
    progress: Progress,
) -> dict[str, Any]:
    """Qudit classical shadows on an MPS: estimation error vs snapshots, qudit vs qubit."""
    dims = [int(d) for d in config["dims"]]
    if not dims:
        raise ValueError("config key 'dims' is empty: name at least one local dimension")
    if not config["snapshots"]:
        raise ValueError("config key 'snapshots' is empty: name at least one snapshot count")
    reps = int(config["repetitions"])
    tasks = [(d, r) for d in dims for r in range(reps)]
    exact: dict[int, dict[str, Any]] = {}
    runs: dict[int, list[dict[str, Any]]] = {d: [] for d in dims}
    for d, rep in progress(tasks, total=len(tasks), desc="shadows"):
        if d not in exact:
            exact[d] = store.compute(f"state/{d}", lambda d=d: _exact(d, config, seed + d))
        runs[d].append(
            store.compute(
                f"shadow/{d}/{rep}",
                lambda d=d, rep=rep: _shadow_errors(d, rep, config, seed + d, exact[d]["values"]),
            )
        )

    rows: list[dict[str, Any]] = []
    per_dim: dict[str, Any] = {}
    for d in dims:
        sizes = runs[d][0]["sizes"]
        rms = np.mean([r["rms_error"] for r in runs[d]], axis=0)
        worst = np.mean([r["max_error"] for r in runs[d]], axis=0)
        for n, e, w in zip(sizes, rms, worst, strict=True):
            rows.append({"d": d, "num_snapshots": n, "rms_error": float(e), "max_error": float(w)})
        slope = float(np.polyfit(np.log(sizes), np.log(rms), 1)[0]) if len(sizes) > 1 else None
        second = np.mean([r["second_moment"] for r in runs[d]], axis=0)
        bounds = np.asarray(exact[d]["bounds"])
        per_dim[str(d)] = {
            "ensemble": runs[d][0]["ensemble"],
            "slope": slope,
            "rms_error_at_max": float(rms[-1]),
            "max_second_moment_over_bound": float(np.max(second / bounds)),
            "mean_bound": float(bounds.mean()),
            "num_observables": len(bounds),
            "sample_time_s": float(np.mean([r["sample_time_s"] for r in runs[d]])),
        }
    _plot(store, rows, per_dim, dims)
    metrics: dict[str, Any] = {
        "rows": rows,
        "per_dim": per_dim,
        "num_sites": int(config["num_sites"]),
    }
    if backend is not None:
        metrics.update(_backend_metrics(config, seed, backend, store, exact, dims))
    return metrics


def _backend_metrics(
    config: dict[str, Any],
    seed: int,
    backend: str,
    store: ResultStore,
    exact: dict[int, dict[str, Any]],
    dims: list[int],
) -> dict[str, Any]:
    """The qubit shadow measured on ``backend``; ``backend_parts`` for every dimension."""
    parts: dict[str, Any] = {}
    for d in dims:
        parts[f"mps_shadow/{d}"] = {"backend": "qtwin.tensornet (MPS)", "status": "ran"}
    if 2 not in dims:
        parts["pauli_shadow/2"] = {
            "backend": backend,
            "status": "skipped",
            "reason": "no qubit dimension (2) in dims: a qubit backend measures qubits only",
        }
        return {"backend_parts": parts}
    res = store.compute(
        f"backend/{backend}", lambda: _on_backend(config, seed + 2, backend, exact[2])
    )
    if res["status"] == "ok":
        parts["pauli_shadow/2"] = {
            "backend": backend,
            "status": "ran",
            "circuits": res["settings"],
            "shots": res["shots_per_setting"],
        }
    else:
        parts["pauli_shadow/2"] = {"backend": backend, "status": "skipped", "reason": res["reason"]}
    return {"backend_shadow": res, "backend_parts": parts}


def _plot(
    store: ResultStore, rows: list[dict[str, Any]], per_dim: dict[str, Any], dims: list[int]
) -> None:
    from qtwin.experiments.figures import new_figure

    fig, ax = new_figure(figsize=(6.0, 4.2))
    for idx, d in enumerate(dims):
        color = f"C{idx}"
        pts = [(r["num_snapshots"], r["rms_error"]) for r in rows if r["d"] == d]
        ns, errs = (np.array(v) for v in zip(*pts, strict=True))
        label = f"d = {d} ({per_dim[str(d)]['ensemble']}), slope {per_dim[str(d)]['slope']:.2f}"
        ax.loglog(ns, errs, "o-", color=color, label=label)
        c = errs[0] * np.sqrt(ns[0])
        ax.loglog(ns, c / np.sqrt(ns), ":", color=color, lw=1)
    ax.plot([], [], "k:", lw=1, label=r"$c/\sqrt{N}$ guide")
    ax.set_xlabel("snapshots N")
    ax.set_ylabel("RMS error over observables")
    ax.set_title("Classical shadows: qudit vs qubit")
    ax.legend(fontsize="small")
    store.save_figure(fig, "error_vs_snapshots.png")
