r"""Experiment ``simulate``: corpus circuits on every backend, checked against exact references.

For each circuit :math:`|\psi\rangle = U|0\rangle` (final measurements removed) and each
backend, the backend's V2 estimator returns the one- and two-body observables

.. math::

    \langle Z_i\rangle \quad (0 \le i < n), \qquad
    \langle Z_i Z_{i+1}\rangle \quad (0 \le i < n - 1),

which are compared with exact values: Qiskit's dense :class:`~qiskit.quantum_info.Statevector`
up to ``max_dense_qubits`` qubits, and Aer's exact matrix-product-state simulator beyond
(the wide GHZ circuit). The metric is :math:`\max_O |\langle O\rangle_{\rm backend} -
\langle O\rangle_{\rm exact}|`, together with the wall time of the estimator call
(including any transpilation a device backend does).

For qtwin's own simulator the state itself is checked as well: the fidelity
:math:`|\langle\psi_{\rm Aer}|\psi_{\rm MPS}\rangle|^2` between
``MPS.from_circuit(qc).to_dense()`` and ``Statevector(qc)`` (dense circuits), and the
truncation estimate ``mps.fidelity_estimate`` (from the discarded weight) for every circuit.

Work units (each stored as it finishes, so a rerun resumes; computed with
:meth:`~qtwin.experiments.store.ResultStore.compute_many`, so ``--cluster`` runs them on
Dask workers): ``reference/<circuit>``, ``state/<circuit>`` and
``estimate/<circuit>/<backend>``. Each estimate unit builds its backend on the worker,
seeded from the unit's own seed (run seed and unit name), so a noisy device backend gives
the same numbers on any number of workers. Figures: ``time_per_backend.png``
(wall time per backend per circuit, log scale) and ``max_deviation.png`` (max
:math:`|\Delta\langle O\rangle|` per backend).
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from qtwin.experiments.config import config_to_dict, option
from qtwin.experiments.registry import Progress, register
from qtwin.experiments.store import ResultStore

__all__ = ["DEFAULT_CONFIG", "SimulateConfig", "run", "zz_observables"]


@dataclass(frozen=True)
class SimulateConfig:
    """Corpus circuits on every backend, checked against exact references."""

    circuits: tuple[str, ...] = option(
        ("qft_8", "w_state_8", "random_brickwork_10", "ghz_50"),
        "corpus circuits to run (names from qtwin.circuits.corpus.list_circuits())",
    )
    backends: tuple[str, ...] = option(
        ("tensornet", "aer", "fake:guadalupe"),
        "backends to run (qtwin.backends.get_backend names)",
    )
    mps_backends: tuple[str, ...] = option(
        ("tensornet", "aer"),
        "backends that also run circuits wider than max_dense_qubits (MPS methods)",
    )
    device_max_qubits: int = option(
        8,
        "widest circuit run on device backends (fake:*, ibm:*); noisy simulation costs ~4**n",
        low=1,
    )
    skip_unavailable: bool = option(
        True, "skip (and record) configured backends this machine cannot run, instead of failing"
    )
    max_dense_qubits: int = option(
        20,
        "widest circuit given a dense statevector reference (and run on every backend)",
        low=1,
        high=30,
    )
    max_bond: int = option(64, "bond-dimension cap of the direct MPS state check", low=1)
    precision: float | None = option(
        None, "estimator precision, > 0 (none: each backend's default; simulators are exact)"
    )

    def __post_init__(self) -> None:
        if not self.backends:
            raise ValueError("config key 'backends' is empty: name at least one backend")
        if not self.circuits:
            raise ValueError("config key 'circuits' is empty: name at least one corpus circuit")
        if self.precision is not None and self.precision <= 0:
            raise ValueError(f"config key 'precision' must be > 0 or none, got {self.precision!r}")


#: The default config in its JSON form (kept for callers of the dict-config era).
DEFAULT_CONFIG: dict[str, Any] = config_to_dict(SimulateConfig())


def zz_observables(num_qubits: int) -> list[Any]:
    r"""The observables :math:`Z_0, \dots, Z_{n-1}, Z_0Z_1, \dots, Z_{n-2}Z_{n-1}`.

    Example:
        >>> [str(op.paulis[0]) for op in zz_observables(3)]
        ['IIZ', 'IZI', 'ZII', 'IZZ', 'ZZI']
    """
    from qiskit.quantum_info import SparsePauliOp

    singles = [
        SparsePauliOp.from_sparse_list([("Z", [i], 1.0)], num_qubits) for i in range(num_qubits)
    ]
    pairs = [
        SparsePauliOp.from_sparse_list([("ZZ", [i, i + 1], 1.0)], num_qubits)
        for i in range(num_qubits - 1)
    ]
    return singles + pairs


def _unitary_part(qc: Any) -> Any:
    """``qc`` without final measurements and without classical bits."""
    from qiskit import QuantumCircuit

    from qtwin.circuits.convert import strip_final_measurements

    body, _ = strip_final_measurements(qc)
    out = QuantumCircuit(body.num_qubits, name=qc.name, global_phase=body.global_phase)
    for inst in body.data:
        out.append(inst.operation, [body.find_bit(q).index for q in inst.qubits])
    return out


def _load_circuits(names: Sequence[str]) -> list[tuple[str, Any, str]]:
    """``[(name, unitary circuit, description)]`` of the named corpus circuits."""
    from qtwin.circuits import corpus

    described = {c["name"]: c for c in corpus.list_circuits()}
    circuits = []
    for name in names:
        if name not in described:
            known = ", ".join(sorted(described))
            raise ValueError(f"circuit {name!r} is not in the corpus; available: {known}")
        qc = _unitary_part(corpus.load(name))
        circuits.append((name, qc, str(described[name].get("description", ""))))
    return circuits


def _reference(qc: Any, max_dense: int) -> dict[str, Any]:
    """Exact ⟨Z_i⟩, ⟨Z_iZ_i+1⟩: dense statevector, or Aer's MPS simulator for wide circuits."""
    observables = zz_observables(qc.num_qubits)
    t0 = time.perf_counter()
    if qc.num_qubits <= max_dense:
        from qiskit.quantum_info import Statevector

        sv = Statevector(qc)
        values = [float(np.real(sv.expectation_value(op))) for op in observables]
        method = "qiskit.quantum_info.Statevector"
    else:
        from qiskit_aer.primitives import EstimatorV2 as AerEstimator

        est = AerEstimator(options={"backend_options": {"method": "matrix_product_state"}})
        evs = est.run([(qc, observables)]).result()[0].data.evs
        values = [float(v) for v in np.asarray(evs).ravel()]
        method = "qiskit-aer matrix_product_state (exact)"
    return {"values": values, "method": method, "time_s": time.perf_counter() - t0}


def _state_check(qc: Any, max_bond: int, max_dense: int) -> dict[str, Any]:
    """qtwin's MPS of ``qc`` against Aer's statevector: fidelity and truncation estimate."""
    from qtwin.tensornet import MPS

    t0 = time.perf_counter()
    mps = MPS.from_circuit(qc, max_bond=max_bond)
    elapsed = time.perf_counter() - t0
    out: dict[str, Any] = {
        "time_s": elapsed,
        "max_bond_dim": int(max(mps.bond_dims, default=1)),
        "fidelity_estimate": float(mps.fidelity_estimate),
        "fidelity": None,
    }
    if qc.num_qubits <= max_dense:
        from qiskit.quantum_info import Statevector

        exact = np.asarray(Statevector(qc).data)
        psi = mps.to_dense().detach().cpu().numpy()
        out["fidelity"] = float(abs(np.vdot(exact, psi)) ** 2 / np.vdot(psi, psi).real)
    return out


#: Backend names warmed up in this process (one-off costs kept out of the timings).
_WARMED: set[str] = set()


def _warm_up(backend: Any) -> None:
    """One tiny estimator call, so that one-off costs (imports, caches) stay out of timings."""
    from qiskit import QuantumCircuit

    qc = QuantumCircuit(1)
    qc.h(0)
    backend.estimator.run([(qc, zz_observables(1))]).result()


def _estimate(backend: Any, qc: Any, precision: float | None) -> dict[str, Any]:
    """Run the estimator of ``backend`` on all Z/ZZ observables of ``qc``; time it."""
    observables = zz_observables(qc.num_qubits)
    t0 = time.perf_counter()
    job = backend.estimator.run([(qc, observables)], precision=precision)
    evs = job.result()[0].data.evs
    elapsed = time.perf_counter() - t0
    return {"values": [float(v) for v in np.asarray(evs).ravel()], "time_s": elapsed}


def _seeded_backend(name: str, seed: np.random.SeedSequence) -> Any:
    """Backend ``name`` seeded from a unit's seed (hardware takes none), warmed up once."""
    from qtwin.backends import get_backend

    if name.startswith("ibm:"):
        backend = get_backend(name)
    else:
        backend = get_backend(name, seed=int(seed.generate_state(1)[0]))
    if name not in _WARMED:
        _warm_up(backend)
        _WARMED.add(name)
    return backend


def _reference_unit(item: tuple[Any, int], seed: np.random.SeedSequence) -> dict[str, Any]:
    """Unit ``reference/<circuit>``: ``item = (circuit, max_dense_qubits)``."""
    qc, max_dense = item
    return _reference(qc, max_dense)


def _state_unit(item: tuple[Any, int, int], seed: np.random.SeedSequence) -> dict[str, Any]:
    """Unit ``state/<circuit>``: ``item = (circuit, max_bond, max_dense_qubits)``."""
    qc, max_bond, max_dense = item
    return _state_check(qc, max_bond, max_dense)


def _estimate_unit(
    item: tuple[str, Any, float | None], seed: np.random.SeedSequence
) -> dict[str, Any]:
    """Unit ``estimate/<circuit>/<backend>``: ``item = (backend name, circuit, precision)``."""
    name, qc, precision = item
    return _estimate(_seeded_backend(name, seed), qc, precision)


def _resolve_backends(
    names: Sequence[str], seed: int, skip_unavailable: bool
) -> tuple[dict[str, Any], dict[str, str]]:
    """``({name: backend}, {name: why skipped})``; seeded where the backend takes a seed."""
    from qtwin.backends import get_backend

    try:
        from qtwin.backends import BackendUnavailableError
    except ImportError:  # pragma: no cover - older backends module
        BackendUnavailableError = ValueError  # noqa: N806

    backends: dict[str, Any] = {}
    skipped: dict[str, str] = {}
    for name in names:
        try:
            seeded = not name.startswith("ibm:")  # hardware takes no seed
            backends[name] = get_backend(name, seed=seed) if seeded else get_backend(name)
        except BackendUnavailableError as exc:
            if not skip_unavailable:
                raise
            skipped[name] = str(exc)
    return backends, skipped


def _skip_reason(n: int, name: str, backend: Any, config: SimulateConfig) -> str | None:
    """Why an ``n``-qubit circuit does not run on ``backend`` (``None``: it runs)."""
    if n > config.max_dense_qubits and name not in config.mps_backends:
        return "wide circuit: MPS backends only"
    target = getattr(backend, "target_backend", None)
    if target is not None and not getattr(target, "is_simulator", False):  # a device
        limit = config.device_max_qubits
        if n > limit:
            return f"device backends run circuits up to device_max_qubits={limit}"
        device_qubits = getattr(target, "num_qubits", None)
        if device_qubits is not None and n > device_qubits:
            return f"device has {device_qubits} qubits"
    return None


def _max_dev(values: Sequence[float], exact: Sequence[float], lo: int, hi: int) -> float | None:
    diff = np.abs(np.asarray(values[lo:hi]) - np.asarray(exact[lo:hi]))
    return float(diff.max()) if diff.size else None


@register("simulate", config=SimulateConfig)
def run(
    config: SimulateConfig,
    *,
    backend: str | None,
    seed: int,
    store: ResultStore,
    progress: Progress,
) -> dict[str, Any]:
    """Corpus circuits on every backend: ⟨Z⟩, ⟨ZZ⟩ and fidelity vs exact, and wall time."""
    names = [backend] if backend is not None else list(config.backends)
    max_dense = config.max_dense_qubits
    # a backend asked for by name (--backend) must run; configured ones may be skipped
    skip = config.skip_unavailable and backend is None
    backends, skipped = _resolve_backends(names, seed, skip)
    circuits = _load_circuits(config.circuits)

    refs = store.compute_many(
        [f"reference/{cname}" for cname, _, _ in circuits],
        _reference_unit,
        [(qc, max_dense) for _, qc, _ in circuits],
        desc="references",
    )
    circuit_info = [
        {
            "name": cname,
            "num_qubits": qc.num_qubits,
            "description": description,
            "reference": ref["method"],
            "reference_time_s": ref["time_s"],
        }
        for (cname, qc, description), ref in zip(circuits, refs, strict=True)
    ]

    # which (circuit, backend) pairs run, and why the others do not
    plan: list[tuple[str, Any, str, str | None]] = [
        (cname, qc, bname, _skip_reason(qc.num_qubits, bname, backends[bname], config))
        for cname, qc, _ in circuits
        for bname in backends
    ]
    runs = [(cname, qc, bname) for cname, qc, bname, reason in plan if reason is None]
    estimates = store.compute_many(
        [f"estimate/{cname}/{bname}" for cname, _, bname in runs],
        _estimate_unit,
        [(bname, qc, config.precision) for _, qc, bname in runs],
        desc="estimates",
    )
    checked = [(cname, qc) for cname, qc, bname in runs if bname == "tensornet"]
    states = store.compute_many(
        [f"state/{cname}" for cname, _ in checked],
        _state_unit,
        [(qc, config.max_bond, max_dense) for _, qc in checked],
        desc="MPS state checks",
    )
    est_of = {(c, b): e for (c, _, b), e in zip(runs, estimates, strict=True)}
    state_of = {c: st for (c, _), st in zip(checked, states, strict=True)}
    exact_of = {cname: ref["values"] for (cname, _, _), ref in zip(circuits, refs, strict=True)}

    rows: list[dict[str, Any]] = []
    for cname, qc, bname, reason in plan:
        n = qc.num_qubits
        row: dict[str, Any] = {"circuit": cname, "backend": bname, "num_qubits": n}
        if reason:
            rows.append({**row, "status": "skipped", "reason": reason})
            continue
        est, exact = est_of[(cname, bname)], exact_of[cname]
        row.update(
            status="ok",
            time_s=est["time_s"],
            max_abs_dev_z=_max_dev(est["values"], exact, 0, n),
            max_abs_dev_zz=_max_dev(est["values"], exact, n, 2 * n - 1),
            max_abs_dev=_max_dev(est["values"], exact, 0, 2 * n - 1),
        )
        if bname == "tensornet":
            state = state_of[cname]
            row.update(
                fidelity=state["fidelity"],
                fidelity_estimate=state["fidelity_estimate"],
                max_bond_dim=state["max_bond_dim"],
            )
        rows.append(row)

    summary = _summarize(rows, list(backends))
    _plot_times(store, rows, [c[0] for c in circuits], list(backends))
    _plot_deviation(store, summary)
    return {
        "headline": _headline(summary),
        "backends": list(backends),
        "skipped_backends": skipped,
        "circuits": circuit_info,
        "summary": summary,
        "rows": rows,
        **({} if backend is None else {"backend_parts": _parts(rows, backend)}),
    }


def _headline(summary: dict[str, dict[str, Any]]) -> dict[str, float | None]:
    """``{label: max deviation}`` of qtwin's own backend (else the first one that ran)."""
    ran = [b for b in summary if summary[b]["max_abs_dev"] is not None]
    name = "tensornet" if "tensornet" in ran else (ran[0] if ran else None)
    if name is None:
        return {"max |Δ⟨O⟩| vs exact": None}
    return {f"{name}: max |Δ⟨O⟩| vs exact": summary[name]["max_abs_dev"]}


def _parts(rows: list[dict[str, Any]], backend: str) -> dict[str, Any]:
    """``backend_parts``: exact references on qtwin/numpy, the estimates on ``backend``."""
    ok = [r for r in rows if r["backend"] == backend and r["status"] == "ok"]
    skipped = [r for r in rows if r["backend"] == backend and r["status"] != "ok"]
    parts: dict[str, Any] = {
        "reference": {"backend": "exact (dense statevector or qtwin MPS)", "status": "ran"},
        "estimates": {"backend": backend, "status": "ran" if ok else "skipped"},
    }
    parts["estimates"]["circuits"] = len(ok)
    if skipped:
        parts["estimates"]["skipped"] = {r["circuit"]: r.get("reason") for r in skipped}
    return parts


def _summarize(rows: list[dict[str, Any]], backends: list[str]) -> dict[str, dict[str, Any]]:
    summary: dict[str, dict[str, Any]] = {}
    for b in backends:
        ok = [r for r in rows if r["backend"] == b and r["status"] == "ok"]
        devs = [r["max_abs_dev"] for r in ok if r["max_abs_dev"] is not None]
        fids = [r["fidelity"] for r in ok if r.get("fidelity") is not None]
        summary[b] = {
            "circuits_run": len(ok),
            "max_abs_dev": max(devs) if devs else None,
            "total_time_s": float(sum(r["time_s"] for r in ok)),
            "min_fidelity": min(fids) if fids else None,
        }
    return summary


def _plot_times(
    store: ResultStore, rows: list[dict[str, Any]], circuits: list[str], backends: list[str]
) -> None:
    from qtwin.experiments.figures import new_figure, use_style

    with use_style():
        fig, ax = new_figure(figsize=(max(6.5, 1.2 * len(circuits) + 3), 4.2))
        width = 0.8 / max(len(backends), 1)
        x = np.arange(len(circuits))
        for k, b in enumerate(backends):
            times = [
                next(
                    (
                        r["time_s"]
                        for r in rows
                        if r["circuit"] == c and r["backend"] == b and r["status"] == "ok"
                    ),
                    np.nan,
                )
                for c in circuits
            ]
            ax.bar(x + (k - (len(backends) - 1) / 2) * width, times, width, label=b)
        ax.set_xticks(x, circuits, rotation=20, ha="right")
        if any(r["status"] == "ok" for r in rows):
            ax.set_yscale("log")
        ax.set_xlabel("corpus circuit")
        ax.set_ylabel("estimator wall time [s]")
        ax.set_title("Wall time per backend per circuit")
        ax.legend(title="backend", loc="upper left", bbox_to_anchor=(1.01, 1.0))
        store.save_figure(
            fig,
            "time_per_backend.png",
            caption="Wall time of one estimator call (all ⟨Z_i⟩ and ⟨Z_iZ_i+1⟩ of a circuit) "
            "per backend and circuit, log scale; device backends include transpilation and "
            "noisy simulation. A missing bar: that backend skipped the circuit (see the rows "
            "table).",
        )


def _plot_deviation(store: ResultStore, summary: dict[str, dict[str, Any]]) -> None:
    from qtwin.experiments.figures import OKABE_ITO, new_figure, use_style

    names = list(summary)
    floor = 1e-17
    devs = [max(summary[b]["max_abs_dev"] or 0.0, floor) for b in names]
    with use_style():
        fig, ax = new_figure(figsize=(max(7.0, 1.2 * len(names) + 4), 4.2))
        bars = ax.bar(names, devs, color=OKABE_ITO[0], label="max over its circuits")
        for bar, dev in zip(bars, devs, strict=True):
            ax.annotate(
                f"{dev:.1e}",
                (bar.get_x() + bar.get_width() / 2, dev),
                ha="center",
                va="bottom",
                fontsize="small",
            )
        eps = float(np.finfo(float).eps)
        ax.axhline(
            eps,
            color=OKABE_ITO[3],
            linestyle="--",
            linewidth=1.2,
            label=f"double-precision ε = {eps:.1e}",
        )
        ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0))
        ax.set_yscale("log")
        ax.set_ylim(floor, max(max(devs, default=1.0) * 30, 1e-10))
        ax.set_xlabel("backend")
        ax.set_ylabel(r"max $|\Delta\langle O\rangle|$ over circuits")
        ax.set_title(r"Deviation from exact $\langle Z_i\rangle$, $\langle Z_iZ_{i+1}\rangle$")
        store.save_figure(
            fig,
            "max_deviation.png",
            caption="Largest deviation of each backend's ⟨Z_i⟩ and ⟨Z_iZ_i+1⟩ from the exact "
            "values (dense statevector, or Aer's exact MPS for wide circuits) over all circuits "
            "it ran, log scale; the dashed line is double-precision ε ≈ 2.2e-16. Exact "
            "simulators sit near ε; noisy devices at 1e-2 to 1e-1.",
        )
