r"""Experiments ``svt`` and ``recommend``: dequantized linear algebra vs exact vs quantum.

``svt`` (quantum-inspired singular value transformation, CGLLTW arXiv:1910.06151):

* *error vs samples*: :math:`x = e^{-tA^\dagger A}b` for a noisy rank-``rank`` ``m × n``
  matrix with :math:`\|A\|_F = 1`, computed by :func:`qtwin.dequantized.svt` with
  :math:`r = c` sampled rows/columns in ``sample_counts`` (inner products from ``20 r``
  samples), ``repeats`` seeds each; the relative error against the exact numpy answer
  should fall like :math:`r^{-1/2}`;
* *time vs dimension*: for ``m`` in ``dims`` (same rank, same :math:`\|A\|_F`, fixed
  ``r = c = dim_samples``) ``timing_repeats`` timings of one dequantized SVT (sketch +
  output, excluding the one-off O(nnz) build of the sampling trees) against the exact
  dense answer (:math:`A^\dagger A` and its eigendecomposition); the median and spread
  are plotted and the dimension where the dequantized SVT becomes faster (the crossover,
  interpolated on the log-log medians) is marked and reported;
* *quantum vs dequantized vs exact*: one ``qsvt_size × qsvt_size`` problem through
  :func:`qtwin.dequantized.compare` (PennyLane QSVT with a degree-``qsvt_degree``
  polynomial): errors, success probability, queries vs samples.

``recommend`` (Tang's dequantized recommendation system): a synthetic non-negative
preference matrix of ``users × items`` with rank ``rank`` plus noise (``users = 1000000``
gives the million-user matrix: about 1.6 GB of data plus its trees, minutes to build).
One FKV model (``r = c = sketch``) serves ``test_users`` users; each gets ``num_samples``
item samples and a top-``k`` list, scored by precision@k against the exact top-``k`` of
:math:`A_u V_kV_k^\dagger` (the rank-``rank`` SVD). Time per query is reported for
``users`` in ``dims`` (query time flat, the exact SVD growing linearly).

Both experiments run with one BLAS thread (exact baselines included), so that timings compare
like with like and the small dense algebra is not slowed down by thread oversubscription.

Figures: ``error_vs_samples.png``, ``time_vs_dimension.png``, ``comparison.png`` (svt) and
``precision.png``, ``time_vs_users.png`` (recommend).
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from qtwin.experiments.config import config_to_dict, option
from qtwin.experiments.figures import new_figure, use_style
from qtwin.experiments.registry import Progress, register
from qtwin.experiments.store import ResultStore

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from qiskit import QuantumCircuit

    from qtwin.dequantized import SVTProblem

__all__ = [
    "SVTConfig",
    "RecommendConfig",
    "SVT_CONFIG",
    "RECOMMEND_CONFIG",
    "run_svt",
    "run_recommend",
    "low_rank_matrix",
    "preference_matrix",
    "crossover",
]


@dataclass(frozen=True)
class SVTConfig:
    """Dequantized SVT: error vs samples, time vs dimension, quantum vs dequantized vs exact."""

    m: int = option(2000, "rows of A in the error-vs-samples scan", low=2)
    n: int = option(64, "columns of A (length of b) in both scans", low=2)
    rank: int = option(4, "rank of the low-rank part of A (singular values 1 ... 0.3)", low=1)
    noise: float = option(0.01, "Frobenius size of the dense noise relative to A", low=0.0)
    t: float = option(3.0, "time t of the heat kernel f(s) = exp(-t s^2)", low=0.0)
    sample_counts: tuple[int, ...] = option(
        (25, 50, 100, 200, 400), "sampled rows = columns r of the error scan", low=1
    )
    repeats: int = option(5, "seeds per sample count in the error scan", low=1)
    dims: tuple[int, ...] = option(
        (300, 1000, 3000, 10000, 30000, 100000), "rows m of the time-vs-dimension scan", low=2
    )
    dim_samples: int = option(200, "r = c in the time-vs-dimension scan", low=1)
    timing_repeats: int = option(5, "timings per dimension (median and spread are plotted)", low=1)
    quantum: bool = option(True, "run the PennyLane QSVT comparison (quantum vs dequantized)")
    qsvt_size: int = option(16, "size of the square QSVT problem", low=2, high=128)
    qsvt_degree: int = option(12, "degree of the QSVT polynomial (even: f is even)", low=2)

    def __post_init__(self) -> None:
        if self.rank > min(self.m, self.n):
            raise ValueError(
                f"config key 'rank' must be <= min(m, n) = {min(self.m, self.n)}, got {self.rank}"
            )
        if any(d < self.rank for d in self.dims):
            raise ValueError(f"config key 'dims' must all be >= rank = {self.rank}")
        if self.qsvt_degree % 2:
            raise ValueError(
                f"config key 'qsvt_degree' must be even (exp(-t s^2) is even), "
                f"got {self.qsvt_degree}"
            )
        if not self.sample_counts:
            raise ValueError("config key 'sample_counts' is empty: give at least one r")


@dataclass(frozen=True)
class RecommendConfig:
    """Tang's dequantized recommendations on a synthetic low-rank preference matrix."""

    users: int = option(20000, "users (rows) of the main preference matrix", low=2)
    items: int = option(200, "items (columns) of the preference matrix", low=2)
    rank: int = option(5, "rank of the taste model (and of the exact SVD baseline)", low=1)
    noise: float = option(0.05, "size of the non-negative noise added to the preferences", low=0.0)
    sketch: int = option(300, "r = c of the FKV model", low=1)
    test_users: int = option(20, "users served and scored at the main size", low=1)
    num_samples: int = option(200, "item samples drawn per user", low=1)
    k: int = option(10, "length of the top-k list scored by precision@k", low=1)
    dims: tuple[int, ...] = option(
        (2000, 20000), "smaller user counts timed beside the main size", low=2
    )

    def __post_init__(self) -> None:
        if self.k > self.items:
            raise ValueError(f"config key 'k' must be <= items = {self.items}, got {self.k}")
        if self.rank > self.items:
            raise ValueError(f"config key 'rank' must be <= items = {self.items}, got {self.rank}")
        if self.test_users > self.users:
            raise ValueError(
                f"config key 'test_users' must be <= users = {self.users}, got {self.test_users}"
            )


#: the default configurations in their JSON form (kept for callers of the dict era)
SVT_CONFIG: dict[str, Any] = config_to_dict(SVTConfig())
RECOMMEND_CONFIG: dict[str, Any] = config_to_dict(RecommendConfig())


def low_rank_matrix(m: int, n: int, rank: int, noise: float, seed: int) -> np.ndarray:
    r"""``m × n`` matrix of rank ``rank`` (singular values 1 … 0.3) plus noise, :math:`\|A\|_F = 1`.

    Example:
        >>> A = low_rank_matrix(50, 8, 2, 0.0, 0)
        >>> round(float(np.linalg.norm(A)), 12), int(np.linalg.matrix_rank(A))
        (1.0, 2)
    """
    rng = np.random.default_rng(seed)
    U = np.linalg.qr(rng.normal(size=(m, rank)))[0]
    V = np.linalg.qr(rng.normal(size=(n, rank)))[0]
    A = U @ np.diag(np.linspace(1.0, 0.3, rank)) @ V.T
    if noise:
        A += noise * np.linalg.norm(A) * rng.normal(size=(m, n)) / np.sqrt(m * n)
    return A / np.linalg.norm(A)


def preference_matrix(
    users: int, items: int, rank: int, noise: float, seed: int, chunk: int = 65536
) -> np.ndarray:
    """Non-negative ``users × items`` preferences: gamma-distributed tastes times item profiles.

    Example:
        >>> P = preference_matrix(100, 20, 3, 0.05, 0)
        >>> P.shape, bool((P >= 0).all())
        ((100, 20), True)
    """
    rng = np.random.default_rng(seed)
    items_f = rng.gamma(1.0, 1.0, size=(rank, items)) * rng.uniform(0.2, 1.0, size=(1, items))
    out = np.empty((users, items))
    for lo in range(0, users, chunk):
        hi = min(users, lo + chunk)
        tastes = rng.gamma(0.5, 1.0, size=(hi - lo, rank))
        out[lo:hi] = tastes @ items_f + noise * np.abs(rng.normal(size=(hi - lo, items)))
    return out


def crossover(x: list[float], slow: list[float], fast: list[float]) -> float | None:
    r"""First ``x`` where ``fast`` drops below ``slow``, interpolated on log-log axes.

    Between the last point where ``fast >= slow`` and the next one, the log-time difference
    :math:`\ln f - \ln s` is taken linear in :math:`\ln x` and its zero returned. ``None``
    when ``fast`` is below ``slow`` from the first point on, or never below it.

    Example:
        >>> round(crossover([10, 100, 1000], [1.0, 10.0, 100.0], [5.0, 5.0, 5.0]), 6)
        50.0
        >>> crossover([10, 100], [1.0, 2.0], [0.5, 0.5]) is None
        True
    """
    d = np.log(np.asarray(fast, float)) - np.log(np.asarray(slow, float))
    for k in range(1, len(d)):
        if d[k - 1] >= 0 > d[k]:
            lx0, lx1 = math.log(x[k - 1]), math.log(x[k])
            return float(math.exp(lx0 + (lx1 - lx0) * d[k - 1] / (d[k - 1] - d[k])))
    return None


# ----------------------------------------------------------------------------- svt
def _heat_exact(A: np.ndarray, t: float, b: np.ndarray) -> np.ndarray:
    w, V = np.linalg.eigh(A.T @ A)
    return V @ (np.exp(-t * np.maximum(w, 0)) * (V.T @ b))


def _svt_error(config: SVTConfig, r: int, seed: int) -> dict[str, Any]:
    from qtwin.dequantized import svt

    A = low_rank_matrix(config.m, config.n, config.rank, config.noise, seed)
    b = np.random.default_rng(seed + 1).normal(size=config.n)
    t = config.t
    exact = _heat_exact(A, t, b)
    out = svt(A, lambda s: np.exp(-t * s**2), b=b, r=r, c=r, samples=20 * r, seed=seed + 2)
    return {
        "r": r,
        "seed": seed,
        "error": float(np.linalg.norm(out.to_numpy() - exact) / np.linalg.norm(b)),
        "samples": out.cost.samples,
    }


def _svt_timing(config: SVTConfig, m: int, seed: int) -> dict[str, Any]:
    from qtwin.dequantized import SQMatrix, svt

    n, t = config.n, config.t
    A = low_rank_matrix(m, n, config.rank, config.noise, seed)
    b = np.random.default_rng(seed).normal(size=n)
    t0 = time.perf_counter()
    S = SQMatrix(A)
    build = time.perf_counter() - t0
    r = config.dim_samples
    svt_times, exact_times = [], []
    for k in range(config.timing_repeats):
        t0 = time.perf_counter()
        out = svt(S, lambda s: np.exp(-t * s**2), b=b, r=r, c=r, samples=20 * r, seed=seed + k)
        x0 = out.query(np.arange(min(n, 8)))
        svt_times.append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        exact = _heat_exact(A, t, b)
        exact_times.append(time.perf_counter() - t0)
    return {
        "m": m,
        "build_s": build,
        "svt_s": float(np.median(svt_times)),
        "exact_s": float(np.median(exact_times)),
        "svt_times_s": svt_times,
        "exact_times_s": exact_times,
        "error": float(np.linalg.norm(out.to_numpy() - exact) / np.linalg.norm(b)),
        "first_entry": float(x0[0]),
    }


def _qsvt_problem(config: SVTConfig, seed: int) -> SVTProblem:
    from qtwin.dequantized import SVTProblem

    size, t = config.qsvt_size, config.t
    A = low_rank_matrix(size, size, min(config.rank, size), 0.0, seed)
    b = np.random.default_rng(seed).normal(size=size)
    return SVTProblem(A, b, lambda s: np.exp(-t * s**2), degree=config.qsvt_degree)


def _svt_quantum(config: SVTConfig, seed: int) -> dict[str, Any]:
    from qtwin.dequantized import compare

    prob = _qsvt_problem(config, seed)
    try:
        res = compare(prob, r=400, c=400, samples=8000, seed=seed)
    except ImportError as exc:  # PennyLane missing
        return {"status": "skipped", "reason": str(exc)}
    return {"status": "ok", **res.to_dict()}


#: shots of the QSVT circuit when it runs on a backend
BACKEND_SHOTS = 4096


def _qsvt_qiskit(config: SVTConfig, seed: int) -> tuple[QuantumCircuit, dict[str, Any]]:
    """The svt experiment's QSVT circuit as a Qiskit circuit, and its exact outcome numbers.

    The circuit is :meth:`qtwin.dequantized.SVTProblem.qsvt_circuit` (the one
    :func:`qtwin.dequantized.quantum.qsvt_apply` simulates) exported by
    :meth:`~qtwin.dequantized.QSVTCircuit.to_qiskit`: qubit 0 is the LCU qubit, qubit 1 the
    block-encoding ancilla, success is both reading 0.
    """
    prob = _qsvt_problem(config, seed)
    circ = prob.qsvt_circuit()
    qc = circ.to_qiskit(prob.b)
    psi = circ.unitary() @ np.kron(circ.padded_input(prob.b), [1.0, 0.0, 0.0, 0.0])
    amp = psi.reshape(-1, 4)[:, 0]  # qubits 0 and 1 read 0
    p = float(np.sum(np.abs(amp) ** 2))
    return qc, {"success_probability": p, "output_distribution": (np.abs(amp) ** 2 / p).tolist()}


def _qsvt_on_backend(config: SVTConfig, seed: int, backend: str) -> dict[str, Any]:
    """The QSVT circuit sampled on ``backend``: success probability and output distribution."""
    from qtwin.backends import get_backend
    from qtwin.experiments._backend import too_wide

    try:
        qc, exact = _qsvt_qiskit(config, seed)
    except ImportError as exc:  # PennyLane missing
        return {"status": "skipped", "reason": str(exc)}
    reason = too_wide(backend, qc.num_qubits)
    if reason is not None:
        return {"status": "skipped", "reason": reason}
    t0 = time.perf_counter()
    pub = get_backend(backend, seed=seed).sampler.run([qc], shots=BACKEND_SHOTS).result()[0]
    counts = pub.data.meas.get_counts()
    dim = len(exact["output_distribution"])
    hits = np.zeros(dim)
    for key, c in counts.items():
        v = int(key, 2)
        if v & 3 == 0:
            hits[v >> 2] += c
    p = float(hits.sum() / BACKEND_SHOTS)
    dist = hits / hits.sum() if hits.sum() else hits
    return {
        "status": "ok",
        "num_qubits": qc.num_qubits,
        "shots": BACKEND_SHOTS,
        "success_probability": p,
        "exact_success_probability": exact["success_probability"],
        "output_tv_distance": float(0.5 * np.abs(dist - exact["output_distribution"]).sum()),
        "time_s": time.perf_counter() - t0,
    }


@register("svt", config=SVTConfig)
def run_svt(
    config: SVTConfig,
    *,
    backend: str | None,
    seed: int,
    store: ResultStore,
    progress: Progress,
) -> dict[str, Any]:
    """Dequantized SVT: error vs samples, time vs dimension, quantum vs dequantized vs exact."""
    from qtwin._threads import one_blas_thread

    with one_blas_thread():  # both sides single-threaded: fair, and fast on shared machines
        metrics = _run_svt(config, seed, store, progress)
    if backend is not None:
        res = store.compute(f"qsvt/{backend}", lambda: _qsvt_on_backend(config, seed, backend))
        parts: dict[str, Any] = {
            "dequantized": {"backend": "qtwin.dequantized (classical)", "status": "ran"},
            "quantum": {"backend": "pennylane:default.qubit (exact state)", "status": "ran"},
        }
        if res["status"] == "ok":
            parts["qsvt_shots"] = {
                "backend": backend,
                "status": "ran",
                "circuits": 1,
                "shots": res["shots"],
            }
        else:
            parts["qsvt_shots"] = {"backend": backend, "status": "skipped", "reason": res["reason"]}
        metrics["qsvt_backend"] = res
        metrics["backend_parts"] = parts
    return metrics


def _run_svt(
    config: SVTConfig, seed: int, store: ResultStore, progress: Progress
) -> dict[str, Any]:
    tasks = [(r, seed + 17 * k) for r in config.sample_counts for k in range(config.repeats)]
    errs = [
        store.compute(f"error/r{r}/s{s}", lambda r=r, s=s: _svt_error(config, r, s))
        for r, s in progress(tasks, total=len(tasks), desc="svt error")
    ]
    timing = [
        store.compute(
            f"time/m{m}/x{config.timing_repeats}", lambda m=m: _svt_timing(config, m, seed)
        )
        for m in progress(config.dims, total=len(config.dims), desc="svt time")
    ]
    quantum = (
        store.compute("quantum", lambda: _svt_quantum(config, seed))
        if config.quantum
        else {"status": "skipped", "reason": "quantum=False"}
    )
    by_r: dict[int, list[float]] = {}
    for e in errs:
        by_r.setdefault(e["r"], []).append(e["error"])
    rs = sorted(by_r)
    mean_err = [float(np.mean(by_r[r])) for r in rs]
    median_err = [float(np.median(by_r[r])) for r in rs]
    slope = float(np.polyfit(np.log(rs), np.log(mean_err), 1)[0]) if len(rs) > 1 else float("nan")
    timing = sorted(timing, key=lambda row: row["m"])
    ms = [row["m"] for row in timing]
    cross = crossover(ms, [row["exact_s"] for row in timing], [row["svt_s"] for row in timing])
    _plot_error(store, rs, by_r, slope, config)
    _plot_svt_time(store, timing, cross, config)
    if quantum.get("status") == "ok":
        _plot_comparison(store, quantum, config)
    ts = [x["svt_s"] for x in timing]
    return {
        "error_vs_samples": [
            {"r": r, "mean_error": e, "median_error": md, "errors": by_r[r]}
            for r, e, md in zip(rs, mean_err, median_err, strict=True)
        ],
        "error_slope": slope,
        "timing": timing,
        "crossover_m": cross,
        "svt_time_ratio_max_min": float(max(ts) / min(ts)) if ts else None,
        "quantum": {
            k: v for k, v in quantum.items() if k not in ("exact", "dequantized", "quantum")
        },
    }


def _log_ticks(ax: Axes, values: list[float], axis: str = "x") -> None:
    """Ticks exactly at ``values`` on a log axis, labelled as plain numbers."""
    from matplotlib.ticker import FixedLocator, FuncFormatter, NullLocator

    target = ax.xaxis if axis == "x" else ax.yaxis
    target.set_major_locator(FixedLocator(values))
    target.set_major_formatter(FuncFormatter(lambda v, _: f"{v:,.0f}"))
    target.set_minor_locator(NullLocator())


@use_style()
def _plot_error(
    store: ResultStore,
    rs: list[int],
    by_r: dict[int, list[float]],
    slope: float,
    config: SVTConfig,
) -> None:
    fig, ax = new_figure(figsize=(6.4, 4.0))
    n_seeds = max(len(v) for v in by_r.values())
    for k, r in enumerate(rs):
        ax.plot(
            [r] * len(by_r[r]),
            by_r[r],
            "o",
            color="0.6",
            ms=3.5,
            alpha=0.8,
            label=f"one seed ({n_seeds} per r)" if k == 0 else None,
        )
    lo = [np.min(by_r[r]) for r in rs]
    hi = [np.max(by_r[r]) for r in rs]
    med = [np.median(by_r[r]) for r in rs]
    ax.fill_between(rs, lo, hi, color="C0", alpha=0.15, lw=0, label="range over seeds")
    ax.plot(rs, med, "o-", color="C0", label=f"median (fitted slope {slope:.2f})")
    ref = med[0] * np.sqrt(rs[0] / np.asarray(rs, float))
    ax.plot(rs, ref, "k--", lw=1, label=r"reference $\propto r^{-1/2}$")
    ax.set_xscale("log")
    ax.set_yscale("log")
    _log_ticks(ax, [float(r) for r in rs])
    ax.set_xlabel("sampled rows = sampled columns r")
    ax.set_ylabel(r"relative error $\|x - e^{-tA^\dagger A}b\|\,/\,\|b\|$")
    ax.set_title(f"dequantized SVT, A: {config.m} × {config.n}, rank {config.rank}")
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize="small", frameon=False)
    store.save_figure(
        fig,
        "error_vs_samples.png",
        caption=(
            f"Relative error of the dequantized heat-kernel SVT (t = {config.t:g}) against the "
            f"exact dense answer, for r = c sampled rows and columns ({20}r inner-product "
            f"samples). Grey dots: the {n_seeds} seeds per r; line and band: median and range. "
            f"The error falls like r^{slope:.2f}; sampling theory predicts r^-1/2 (dashed)."
        ),
    )


@use_style()
def _plot_svt_time(
    store: ResultStore, rows: list[dict[str, Any]], cross: float | None, config: SVTConfig
) -> None:
    fig, ax = new_figure(figsize=(6.4, 5.2))
    x = np.asarray([row["m"] for row in rows], float)
    r = config.dim_samples
    series = [
        ("svt_times_s", "svt_s", "o-", "C0", f"dequantized SVT, r = c = {r}"),
        ("exact_times_s", "exact_s", "s-", "C1", "exact dense solve (eigh of AᵀA)"),
    ]
    for many, one, style, color, label in series:
        med = np.asarray([row[one] for row in rows])
        lo = np.asarray([np.min(row.get(many, [row[one]])) for row in rows])
        hi = np.asarray([np.max(row.get(many, [row[one]])) for row in rows])
        ax.errorbar(
            x,
            med,
            yerr=[med - lo, hi - med],
            fmt=style,
            color=color,
            ms=5,
            capsize=3,
            label=f"{label} (median; bars: min–max of {config.timing_repeats})",
        )
    ax.plot(x, [row["build_s"] for row in rows], "^:", color="0.4", label="SQ tree build (one-off)")
    if cross is not None:
        ax.axvline(cross, color="k", lw=0.8, ls="--", label=f"crossover m ≈ {cross:,.0f}")
    ax.set_xscale("log")
    ax.set_yscale("log")
    _log_ticks(ax, [float(v) for v in x])
    ax.tick_params(axis="x", labelrotation=30)
    ax.set_xlabel(f"rows m of A (n = {config.n} columns)")
    ax.set_ylabel("time per solve (s)")
    ax.set_title("dequantized vs exact: time against the dimension")
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.25), fontsize="small", frameon=False)
    where = (
        f"the dequantized SVT is faster beyond m ≈ {cross:,.0f} (dashed line)"
        if cross is not None
        else "no crossover inside the scanned range"
    )
    store.save_figure(
        fig,
        "time_vs_dimension.png",
        caption=(
            f"Time of one dequantized SVT (sketch and output, r = c = {config.dim_samples}) and "
            f"of the exact dense solve against the number of rows m; markers are medians of "
            f"{config.timing_repeats} timings, bars their min–max, one BLAS thread each. The "
            f"dequantized time does not grow with m; {where}."
        ),
    )


@use_style()
def _plot_comparison(store: ResultStore, q: dict[str, Any], config: SVTConfig) -> None:
    fig, (left, right) = new_figure(1, 2, figsize=(10.0, 3.9))
    exact = np.asarray(q["exact"])
    idx = np.arange(len(exact))
    deq = np.asarray(q["dequantized"])
    errs = q["errors"]
    deq_label = f"dequantized ({q['classical_samples']:,} samples)"
    left.plot(idx, exact, "o", mfc="none", mec="k", ms=8, label="exact (dense SVD)")
    left.plot(idx, deq, "x", color="C0", ms=6, label=deq_label)
    right.plot(
        idx,
        np.abs(deq - exact),
        "x",
        color="C0",
        ms=6,
        label=f"dequantized: relative error {errs['dequantized']:.1e}",
    )
    if q.get("quantum") is not None:
        quant = np.asarray(q["quantum"])
        p = q["success_probability"]
        qlabel = f"QSVT ({q['quantum_queries_per_run']} queries/run, p = {p:.2f})"
        left.plot(idx, quant, "+", color="C3", ms=8, label=qlabel)
        right.plot(
            idx,
            np.maximum(np.abs(quant - exact), 1e-17),
            "+",
            color="C3",
            ms=8,
            label=f"QSVT: relative error {errs['quantum']:.1e}",
        )
    left.set_xlabel("entry i")
    left.set_ylabel(r"$x_i = (e^{-tA^\dagger A}b)_i$")
    left.set_title("the three answers")
    right.set_yscale("log")
    right.set_xlabel("entry i")
    right.set_ylabel(r"$|x_i - x_i^{\rm exact}|$")
    right.set_title("residuals (log scale)")
    for ax in (left, right):
        ax.set_xticks(idx[:: max(1, len(idx) // 8)])
    left.legend(loc="upper center", bbox_to_anchor=(0.5, -0.18), fontsize="small", frameon=False)
    right.legend(loc="upper center", bbox_to_anchor=(0.5, -0.18), fontsize="small", frameon=False)
    store.save_figure(
        fig,
        "comparison.png",
        caption=(
            f"One {config.qsvt_size} × {config.qsvt_size} problem solved three ways. Left: the "
            "entries of the answer. Right: the absolute error of each entry on a log scale; "
            "the exact-state QSVT simulation is limited only by its degree-"
            f"{config.qsvt_degree} polynomial, the dequantized answer by sampling."
        ),
    )


# ----------------------------------------------------------------------------- recommend
def _exact_topk(A: np.ndarray, rank: int) -> tuple[np.ndarray, float]:
    t0 = time.perf_counter()
    w, V = np.linalg.eigh(A.T @ A)
    Vk = V[:, ::-1][:, :rank]
    return Vk, time.perf_counter() - t0


def _recommend_size(config: RecommendConfig, users: int, seed: int, full: bool) -> dict[str, Any]:
    from qtwin.dequantized import SQMatrix, low_rank_approximation, recommend

    items, rank, k = config.items, config.rank, config.k
    A = preference_matrix(users, items, rank, config.noise, seed)
    t0 = time.perf_counter()
    S = SQMatrix(A, copy=False)
    build = time.perf_counter() - t0
    Vk, t_exact_model = _exact_topk(A, rank)
    rng = np.random.default_rng(seed)
    t0 = time.perf_counter()
    model = low_rank_approximation(S, rank, r=config.sketch, c=config.sketch, seed=rng)
    t_model = time.perf_counter() - t0
    n_test = config.test_users if full else min(5, config.test_users)
    test_users = rng.choice(users, size=n_test, replace=False)
    precision, q_times, e_times, proposals = [], [], [], []
    for u in test_users:
        t0 = time.perf_counter()
        rec = recommend(S, int(u), rank, num_items=config.num_samples, model=model, seed=rng)
        top = rec.top(k)
        q_times.append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        exact = A[u] @ Vk @ Vk.T
        top_exact = np.argsort(-exact)[:k]
        e_times.append(time.perf_counter() - t0)
        precision.append(len(set(top.tolist()) & set(top_exact.tolist())) / k)
        proposals.append(rec.proposals / config.num_samples)
    return {
        "users": users,
        "build_s": build,
        "model_s": t_model,
        "query_s": float(np.median(q_times)),
        "exact_model_s": t_exact_model,
        "exact_query_s": float(np.median(e_times)),
        "exact_s": t_exact_model + float(np.median(e_times)),
        "precision_at_k": float(np.mean(precision)),
        "precision_per_user": precision,
        "proposals_per_sample": float(np.mean(proposals)),
    }


@register("recommend", config=RecommendConfig, circuits=False)
def run_recommend(
    config: RecommendConfig,
    *,
    backend: str | None,
    seed: int,
    store: ResultStore,
    progress: Progress,
) -> dict[str, Any]:
    """Tang's dequantized recommendations on a synthetic low-rank preference matrix vs exact SVD."""
    from qtwin._threads import one_blas_thread

    with one_blas_thread():  # both sides single-threaded: fair, and fast on shared machines
        return _run_recommend(config, seed, store, progress)


def _run_recommend(
    config: RecommendConfig, seed: int, store: ResultStore, progress: Progress
) -> dict[str, Any]:
    users = config.users
    sizes = sorted({d for d in config.dims if d < users} | {users})
    rows = [
        store.compute(f"users/{u}", lambda u=u: _recommend_size(config, u, seed, u == users))
        for u in progress(sizes, total=len(sizes), desc="recommend")
    ]
    main = rows[-1]
    _plot_precision(store, main, config.k)
    for r in rows:
        r["query_plus_model_s"] = r["query_s"] + r["model_s"]
    _plot_users_time(store, rows)
    return {
        "users": users,
        "items": config.items,
        "precision_at_k": main["precision_at_k"],
        "query_s": main["query_s"],
        "model_s": main["model_s"],
        "exact_s": main["exact_s"],
        "proposals_per_sample": main["proposals_per_sample"],
        "by_size": [{k: v for k, v in r.items() if k != "precision_per_user"} for r in rows],
    }


@use_style()
def _plot_users_time(store: ResultStore, rows: list[dict[str, Any]]) -> None:
    fig, ax = new_figure(figsize=(6.4, 4.0))
    x = [float(r["users"]) for r in rows]
    ax.plot(x, [r["query_plus_model_s"] for r in rows], "o-", label="dequantized (model + query)")
    ax.plot(x, [r["exact_s"] for r in rows], "s-", label="exact (rank-k SVD + projection)")
    ax.plot(x, [r["build_s"] for r in rows], "^:", color="0.4", label="SQ tree build (one-off)")
    ax.set_xscale("log")
    ax.set_yscale("log")
    _log_ticks(ax, x)
    ax.set_xlabel("users (rows of the preference matrix)")
    ax.set_ylabel("time for one user's recommendations (s)")
    ax.set_title("recommendation for one user")
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize="small", frameon=False)
    store.save_figure(
        fig,
        "time_vs_users.png",
        caption=(
            "Time to recommend items to one user: the dequantized FKV model plus one query "
            "against the exact rank-k SVD and projection (medians over the test users)."
        ),
    )


@use_style()
def _plot_precision(store: ResultStore, row: dict[str, Any], k: int) -> None:
    fig, ax = new_figure(figsize=(6.4, 3.6))
    p = row["precision_per_user"]
    ax.bar(np.arange(len(p)), p, color="C0", label="one test user")
    ax.axhline(np.mean(p), color="k", lw=1, label=f"mean {np.mean(p):.2f}")
    ax.set_ylim(0, 1.05)
    ax.set_xticks(np.arange(len(p)))
    ax.set_xlabel("test user")
    ax.set_ylabel(f"precision@{k} vs exact rank-k SVD")
    ax.set_title(f"{row['users']:,} users")
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize="small", frameon=False)
    store.save_figure(
        fig,
        "precision.png",
        caption=(
            f"Share of each test user's dequantized top-{k} items that are also in the exact "
            f"top-{k} of the rank-k SVD projection."
        ),
    )
