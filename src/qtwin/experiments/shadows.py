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
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from qtwin.experiments.config import config_to_dict, option
from qtwin.experiments.figures import new_figure, use_style
from qtwin.experiments.registry import Progress, register
from qtwin.experiments.store import ResultStore

if TYPE_CHECKING:
    from qiskit import QuantumCircuit

    from qtwin.tensornet import MPS

__all__ = ["DEFAULT_CONFIG", "ShadowsConfig", "run", "wh_observables"]

_ENSEMBLES = ("auto", "clifford", "mub", "haar", "weighted", "pauli")


@dataclass(frozen=True)
class ShadowsConfig:
    """Qudit classical shadows of an MPS: estimation error against the number of snapshots."""

    dims: tuple[int, ...] = option((2, 3), "local dimensions d compared (2: qubits)", low=2)
    num_sites: int = option(6, "qudits in the random brickwork state", low=2)
    layers: int = option(2, "brickwork layers of Haar-random two-qudit gates", low=0)
    snapshots: tuple[int, ...] = option(
        (100, 200, 500, 1000, 2000, 4000),
        "snapshot counts N (prefixes of one shadow of max(snapshots) snapshots)",
        low=1,
    )
    repetitions: int = option(3, "independent shadows per dimension", low=1)
    num_groups: int = option(5, "median-of-means groups", low=1)
    ensemble: str = option(
        "auto",
        "measurement ensemble (auto: Clifford for prime d, MUBs for prime powers, else Haar)",
        choices=_ENSEMBLES,
    )

    def __post_init__(self) -> None:
        if not self.dims:
            raise ValueError("config key 'dims' is empty: name at least one local dimension")
        if not self.snapshots:
            raise ValueError("config key 'snapshots' is empty: name at least one snapshot count")
        if self.num_groups > min(self.snapshots):
            raise ValueError(
                f"config key 'num_groups' ({self.num_groups}) exceeds the smallest snapshot "
                f"count {min(self.snapshots)}: every median-of-means group needs a snapshot"
            )


#: The default config in its JSON form (kept for callers of the dict-config era).
DEFAULT_CONFIG: dict[str, Any] = config_to_dict(ShadowsConfig())


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


def _state(d: int, n: int, layers: int, seed: int) -> MPS:
    from scipy.stats import unitary_group

    from qtwin.circuits import QuditCircuit
    from qtwin.tensornet import MPS

    rng = np.random.default_rng(seed)
    qc = QuditCircuit(d, n)
    for layer in range(layers):
        for i in range(layer % 2, n - 1, 2):
            qc.append(unitary_group.rvs(d * d, random_state=rng), [i, i + 1])
    return MPS.from_circuit(qc)


def _int_seed(seed: np.random.SeedSequence) -> int:
    return int(seed.generate_state(1)[0])


def _exact_unit(item: tuple[int, ShadowsConfig], seed: np.random.SeedSequence) -> dict[str, Any]:
    """Work unit ``state/<d>``: exact observable values of the state (and its seed)."""
    from qtwin.designs.shadows import shadow_variance_bound

    d, config = item
    state_seed = _int_seed(seed)
    psi = _state(d, config.num_sites, config.layers, state_seed)
    obs = wh_observables(d, psi.num_sites)
    return {
        "names": [name for name, _, _ in obs],
        "values": [float(psi.expectation([(m, s)]).real) for _, m, s in obs],
        "bounds": [shadow_variance_bound(m, d) for _, m, _ in obs],
        "bond_dims": psi.bond_dims,
        "state_seed": state_seed,
    }


def _shadow_unit(
    item: tuple[int, ShadowsConfig, int, list[float]], seed: np.random.SeedSequence
) -> dict[str, Any]:
    """Work unit ``shadow/<d>/<rep>``: one shadow's errors for every snapshot count."""
    from qtwin.designs.shadows import classical_shadow, median_of_means, snapshot_estimates

    d, config, state_seed, exact = item
    psi = _state(d, config.num_sites, config.layers, state_seed)
    sizes = sorted(config.snapshots)
    t0 = time.perf_counter()
    shadow = classical_shadow(psi, sizes[-1], ensemble=config.ensemble, seed=_int_seed(seed))
    t_sample = time.perf_counter() - t0
    obs = wh_observables(d, psi.num_sites)
    vals = np.stack([snapshot_estimates(shadow, m, s) for _, m, s in obs])  # (O, N)
    rms, worst = [], []
    for n in sizes:
        est = np.array([median_of_means(v[:n], config.num_groups) for v in vals])
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


def _qiskit_state(n: int, layers: int, seed: int) -> QuantumCircuit:
    """The qubit (``d = 2``) brickwork state of :func:`_state` as a Qiskit circuit."""
    from qiskit import QuantumCircuit
    from scipy.stats import unitary_group

    rng = np.random.default_rng(seed)
    qc = QuantumCircuit(n)
    for layer in range(layers):
        for i in range(layer % 2, n - 1, 2):
            qc.unitary(unitary_group.rvs(4, random_state=rng), [i, i + 1])
    return qc


def _pauli_circuits(state: QuantumCircuit, bases: np.ndarray) -> list[QuantumCircuit]:
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


def _backend_unit(
    item: tuple[str, ShadowsConfig, dict[str, Any]], seed: np.random.SeedSequence
) -> dict[str, Any]:
    """Work unit ``backend/<backend>``: random-Pauli shadow of the qubit state on ``backend``."""
    from qtwin.backends import get_backend
    from qtwin.experiments._backend import too_wide

    backend, config, exact = item
    n = config.num_sites
    reason = too_wide(backend, n)
    if reason is not None:
        return {"status": "skipped", "reason": reason}
    total = max(config.snapshots)
    shots = max(1, -(-total // BACKEND_SETTINGS))
    rng = np.random.default_rng(seed)
    bases = rng.integers(0, 3, size=(BACKEND_SETTINGS, n))
    state = _qiskit_state(n, config.layers, exact["state_seed"])  # the state of state/2
    t0 = time.perf_counter()
    result = (
        get_backend(backend, seed=_int_seed(seed))
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


@register("shadows", config=ShadowsConfig)
def run(
    config: ShadowsConfig,
    *,
    backend: str | None,
    seed: int,
    store: ResultStore,
    progress: Progress,
) -> dict[str, Any]:
    """Qudit classical shadows on an MPS: estimation error vs snapshots, qudit vs qubit.

    Two stages of units through :meth:`~qtwin.experiments.store.ResultStore.compute_many`
    (exact values, then shadows), so a cluster run gives the local numbers.
    """
    dims = list(config.dims)
    exact_values = store.compute_many(
        [f"state/{d}" for d in dims], _exact_unit, [(d, config) for d in dims], desc="states"
    )
    exact = dict(zip(dims, exact_values, strict=True))
    pairs = [(d, rep) for d in dims for rep in range(config.repetitions)]
    shadow_values = store.compute_many(
        [f"shadow/{d}/{rep}" for d, rep in pairs],
        _shadow_unit,
        [(d, config, exact[d]["state_seed"], exact[d]["values"]) for d, _ in pairs],
        desc="shadows",
    )
    runs: dict[int, list[dict[str, Any]]] = {d: [] for d in dims}
    for (d, _), value in zip(pairs, shadow_values, strict=True):
        runs[d].append(value)

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
        "headline": {
            f"RMS error at N = {max(config.snapshots)}, d = {d}": per_dim[str(d)][
                "rms_error_at_max"
            ]
            for d in dims[:1]
        },
        "rows": rows,
        "per_dim": per_dim,
        "num_sites": config.num_sites,
    }
    if backend is not None:
        metrics.update(_backend_metrics(config, backend, store, exact, dims))
    return metrics


def _backend_metrics(
    config: ShadowsConfig,
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
    (res,) = store.compute_many(
        [f"backend/{backend}"], _backend_unit, [(backend, config, exact[2])], desc="backend"
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


@use_style()
def _plot(
    store: ResultStore, rows: list[dict[str, Any]], per_dim: dict[str, Any], dims: list[int]
) -> None:
    from matplotlib.ticker import FuncFormatter

    fig, ax = new_figure(figsize=(6.8, 4.0))
    for idx, d in enumerate(dims):
        color = f"C{idx}"
        pts = [(r["num_snapshots"], r["rms_error"]) for r in rows if r["d"] == d]
        ns, errs = (np.array(v) for v in zip(*pts, strict=True))
        info = per_dim[str(d)]
        slope = "" if info["slope"] is None else f", fitted slope {info['slope']:.2f}"
        ax.loglog(
            ns, errs, "os^D"[idx % 4], color=color, label=f"d = {d} ({info['ensemble']}){slope}"
        )
        c = errs[0] * np.sqrt(ns[0])
        ax.loglog(ns, c / np.sqrt(ns), ":", color=color, lw=1)
    ax.plot([], [], "k:", lw=1, label=r"$c/\sqrt{N}$ guide (slope $-1/2$)")
    plain = FuncFormatter(lambda v, _: f"{v:g}")
    for axis in (ax.xaxis, ax.yaxis):
        axis.set_major_formatter(plain)
        axis.set_minor_formatter(plain if axis is ax.yaxis else FuncFormatter(lambda v, _: ""))
    ax.set_xlabel("number of snapshots N")
    ax.set_ylabel("RMS estimation error\nover observables")
    fig.legend(loc="outside right center", fontsize="small", frameon=False)
    store.save_figure(
        fig,
        "error_vs_snapshots.png",
        caption="Root-mean-square error of the classical-shadow estimates of the clock and "
        "shift observables against the number of snapshots, averaged over repetitions; "
        "dotted guides fall as 1/sqrt(N).",
    )
