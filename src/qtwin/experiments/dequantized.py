r"""Experiments ``svt`` and ``recommend``: dequantized linear algebra vs exact vs quantum.

``svt`` (quantum-inspired singular value transformation, CGLLTW arXiv:1910.06151):

* *error vs samples*: :math:`x = e^{-tA^\dagger A}b` for a noisy rank-``rank`` ``m × n``
  matrix with :math:`\|A\|_F = 1`, computed by :func:`qtwin.dequantized.svt` with
  :math:`r = c` sampled rows/columns in ``sample_counts`` (inner products from ``20 r``
  samples), ``repeats`` seeds each; the relative error against the exact numpy answer
  should fall like :math:`r^{-1/2}`;
* *time vs dimension*: for ``m`` in ``dims`` (same rank, same :math:`\|A\|_F`, fixed
  ``r = c = dim_samples``) the time of one dequantized SVT (sketch + output, excluding the
  one-off O(nnz) build of the sampling trees) against the exact dense answer
  (:math:`A^\dagger A` and its eigendecomposition);
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

import time
from typing import Any

import numpy as np

from qtwin.experiments.registry import Progress, register
from qtwin.experiments.store import ResultStore

__all__ = [
    "SVT_CONFIG",
    "RECOMMEND_CONFIG",
    "run_svt",
    "run_recommend",
    "low_rank_matrix",
    "preference_matrix",
]

SVT_CONFIG: dict[str, Any] = {
    "m": 2000,
    "n": 64,
    "rank": 4,
    "noise": 0.01,
    "t": 3.0,
    "sample_counts": [25, 50, 100, 200, 400],
    "repeats": 3,
    "dims": [1000, 10000, 100000],
    "dim_samples": 200,
    "quantum": True,
    "qsvt_size": 16,
    "qsvt_degree": 12,
}

RECOMMEND_CONFIG: dict[str, Any] = {
    "users": 20000,
    "items": 200,
    "rank": 5,
    "noise": 0.05,
    "sketch": 300,
    "test_users": 20,
    "num_samples": 200,
    "k": 10,
    "dims": [2000, 20000],
}


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


# ----------------------------------------------------------------------------- svt
def _heat_exact(A: np.ndarray, t: float, b: np.ndarray) -> np.ndarray:
    w, V = np.linalg.eigh(A.T @ A)
    return V @ (np.exp(-t * np.maximum(w, 0)) * (V.T @ b))


def _svt_error(config: dict[str, Any], r: int, seed: int) -> dict[str, Any]:
    from qtwin.dequantized import svt

    A = low_rank_matrix(
        int(config["m"]), int(config["n"]), int(config["rank"]), float(config["noise"]), seed
    )
    b = np.random.default_rng(seed + 1).normal(size=int(config["n"]))
    t = float(config["t"])
    exact = _heat_exact(A, t, b)
    out = svt(A, lambda s: np.exp(-t * s**2), b=b, r=r, c=r, samples=20 * r, seed=seed + 2)
    return {
        "r": r,
        "seed": seed,
        "error": float(np.linalg.norm(out.to_numpy() - exact) / np.linalg.norm(b)),
        "samples": out.cost.samples,
    }


def _svt_timing(config: dict[str, Any], m: int, seed: int) -> dict[str, Any]:
    from qtwin.dequantized import SQMatrix, svt

    n, t = int(config["n"]), float(config["t"])
    A = low_rank_matrix(m, n, int(config["rank"]), float(config["noise"]), seed)
    b = np.random.default_rng(seed).normal(size=n)
    t0 = time.perf_counter()
    S = SQMatrix(A)
    build = time.perf_counter() - t0
    r = int(config["dim_samples"])
    best = float("inf")
    for k in range(3):
        t0 = time.perf_counter()
        out = svt(S, lambda s: np.exp(-t * s**2), b=b, r=r, c=r, samples=20 * r, seed=seed + k)
        x0 = out.query(np.arange(min(n, 8)))
        best = min(best, time.perf_counter() - t0)
    t0 = time.perf_counter()
    exact = _heat_exact(A, t, b)
    t_exact = time.perf_counter() - t0
    return {
        "m": m,
        "build_s": build,
        "svt_s": best,
        "exact_s": t_exact,
        "error": float(np.linalg.norm(out.to_numpy() - exact) / np.linalg.norm(b)),
        "first_entry": float(x0[0]),
    }


def _svt_quantum(config: dict[str, Any], seed: int) -> dict[str, Any]:
    from qtwin.dequantized import compare

    prob = _qsvt_problem(config, seed)
    try:
        res = compare(prob, r=400, c=400, samples=8000, seed=seed)
    except ImportError as exc:  # PennyLane missing
        return {"status": "skipped", "reason": str(exc)}
    return {
        "status": "ok",
        **res.summary(),
        "exact": res.exact.tolist(),
        "dequantized": np.real(res.dequantized).tolist(),
        "quantum": None if res.quantum is None else np.real(res.quantum).tolist(),
    }


#: shots of the QSVT circuit when it runs on a backend
BACKEND_SHOTS = 4096


def _qsvt_problem(config: dict[str, Any], seed: int) -> Any:
    from qtwin.dequantized import SVTProblem

    size, t = int(config["qsvt_size"]), float(config["t"])
    A = low_rank_matrix(size, size, min(int(config["rank"]), size), 0.0, seed)
    b = np.random.default_rng(seed).normal(size=size)
    return SVTProblem(A, b, lambda s: np.exp(-t * s**2), degree=int(config["qsvt_degree"]))


def _qsvt_qiskit(config: dict[str, Any], seed: int) -> tuple[Any, dict[str, Any]]:
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


def _qsvt_on_backend(config: dict[str, Any], seed: int, backend: str) -> dict[str, Any]:
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


@register("svt", config=SVT_CONFIG)
def run_svt(
    config: dict[str, Any],
    *,
    backend: str | None,
    seed: int,
    store: ResultStore,
    progress: Progress,
) -> dict[str, Any]:
    """Dequantized SVT: error vs samples, time vs dimension, quantum vs dequantized vs exact."""
    from qtwin.dequantized._blas import one_blas_thread

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
    config: dict[str, Any], seed: int, store: ResultStore, progress: Progress
) -> dict[str, Any]:
    tasks = [
        (int(r), seed + 17 * k)
        for r in config["sample_counts"]
        for k in range(int(config["repeats"]))
    ]
    errs = [
        store.compute(f"error/r{r}/s{s}", lambda r=r, s=s: _svt_error(config, r, s))
        for r, s in progress(tasks, total=len(tasks), desc="svt error")
    ]
    dims = [int(m) for m in config["dims"]]
    timing = [
        store.compute(f"time/m{m}", lambda m=m: _svt_timing(config, m, seed))
        for m in progress(dims, total=len(dims), desc="svt time")
    ]
    quantum = (
        store.compute("quantum", lambda: _svt_quantum(config, seed))
        if config["quantum"]
        else {"status": "skipped", "reason": "quantum=False"}
    )
    by_r: dict[int, list[float]] = {}
    for e in errs:
        by_r.setdefault(e["r"], []).append(e["error"])
    rs = sorted(by_r)
    mean_err = [float(np.mean(by_r[r])) for r in rs]
    slope = float(np.polyfit(np.log(rs), np.log(mean_err), 1)[0]) if len(rs) > 1 else float("nan")
    _plot_error(store, rs, by_r)
    _plot_time(
        store,
        timing,
        "m (rows)",
        "svt_s",
        "exact_s",
        "time_vs_dimension.png",
        "one SVT (r = c fixed)",
    )
    if quantum.get("status") == "ok":
        _plot_comparison(store, quantum)
    ts = [x["svt_s"] for x in timing]
    return {
        "error_vs_samples": [{"r": r, "mean_error": e} for r, e in zip(rs, mean_err, strict=True)],
        "error_slope": slope,
        "timing": timing,
        "svt_time_ratio_max_min": float(max(ts) / min(ts)) if ts else None,
        "quantum": {
            k: v for k, v in quantum.items() if k not in ("exact", "dequantized", "quantum")
        },
    }


def _no_minor_labels(ax: Any) -> None:
    from matplotlib.ticker import NullFormatter

    ax.xaxis.set_minor_formatter(NullFormatter())
    ax.yaxis.set_minor_formatter(NullFormatter())


def _plot_error(store: ResultStore, rs: list[int], by_r: dict[int, list[float]]) -> None:
    from qtwin.experiments.figures import new_figure

    fig, ax = new_figure(figsize=(5.5, 3.8))
    for r in rs:
        ax.plot([r] * len(by_r[r]), by_r[r], ".", color="tab:gray", ms=4)
    mean = [np.mean(by_r[r]) for r in rs]
    ax.plot(rs, mean, "o-", label="dequantized SVT (mean)")
    ax.plot(
        rs,
        mean[0] * np.sqrt(rs[0] / np.asarray(rs, float)),
        "k--",
        lw=0.8,
        label=r"$\propto r^{-1/2}$",
    )
    ax.set_xscale("log")
    ax.set_yscale("log")
    _no_minor_labels(ax)
    ax.set_xlabel("sampled rows = columns r")
    ax.set_ylabel(r"$\|x - e^{-tA^\dagger A}b\| / \|b\|$")
    ax.set_title("error vs samples")
    ax.legend(fontsize="small")
    store.save_figure(fig, "error_vs_samples.png")


def _plot_time(
    store: ResultStore,
    rows: list[dict[str, Any]],
    xlabel: str,
    ours: str,
    exact: str,
    name: str,
    title: str,
) -> None:
    from qtwin.experiments.figures import new_figure

    fig, ax = new_figure(figsize=(5.5, 3.8))
    x = [r[xlabel.split()[0]] for r in rows]
    ax.plot(x, [r[ours] for r in rows], "o-", label="dequantized (per query)")
    ax.plot(x, [r[exact] for r in rows], "s-", label="exact (dense)")
    if "build_s" in rows[0]:
        ax.plot(x, [r["build_s"] for r in rows], "^:", label="SQ build (one-off)")
    ax.set_xscale("log")
    ax.set_yscale("log")
    _no_minor_labels(ax)
    ax.set_xlabel(xlabel)
    ax.set_ylabel("seconds")
    ax.set_title(title)
    ax.legend(fontsize="small")
    store.save_figure(fig, name)


def _plot_comparison(store: ResultStore, q: dict[str, Any]) -> None:
    from qtwin.experiments.figures import new_figure

    fig, ax = new_figure(figsize=(6.0, 3.8))
    idx = np.arange(len(q["exact"]))
    ax.plot(idx, q["exact"], "k-", lw=2, label="exact")
    ax.plot(idx, q["dequantized"], "o", label=f"dequantized ({q['classical_samples']} samples)")
    if q.get("quantum") is not None:
        p = q["success_probability"]
        ax.plot(
            idx,
            q["quantum"],
            "x",
            label=f"QSVT ({q['quantum_queries_per_run']} queries/run, p={p:.2f})",
        )
    ax.set_xlabel("entry")
    ax.set_ylabel(r"$(e^{-tA^\dagger A}b)_i$")
    ax.set_title("quantum vs dequantized vs exact")
    ax.legend(fontsize="small")
    store.save_figure(fig, "comparison.png")


# ----------------------------------------------------------------------------- recommend
def _exact_topk(A: np.ndarray, rank: int) -> tuple[np.ndarray, float]:
    t0 = time.perf_counter()
    w, V = np.linalg.eigh(A.T @ A)
    Vk = V[:, ::-1][:, :rank]
    return Vk, time.perf_counter() - t0


def _recommend_size(config: dict[str, Any], users: int, seed: int, full: bool) -> dict[str, Any]:
    from qtwin.dequantized import SQMatrix, low_rank_approximation, recommend

    items, rank, k = int(config["items"]), int(config["rank"]), int(config["k"])
    A = preference_matrix(users, items, rank, float(config["noise"]), seed)
    t0 = time.perf_counter()
    S = SQMatrix(A, copy=False)
    build = time.perf_counter() - t0
    Vk, t_exact_model = _exact_topk(A, rank)
    rng = np.random.default_rng(seed)
    t0 = time.perf_counter()
    model = low_rank_approximation(
        S, rank, r=int(config["sketch"]), c=int(config["sketch"]), seed=rng
    )
    t_model = time.perf_counter() - t0
    n_test = int(config["test_users"]) if full else min(5, int(config["test_users"]))
    test_users = rng.choice(users, size=n_test, replace=False)
    precision, q_times, e_times, proposals = [], [], [], []
    for u in test_users:
        t0 = time.perf_counter()
        rec = recommend(
            S, int(u), rank, num_items=int(config["num_samples"]), model=model, seed=rng
        )
        top = rec.top(k)
        q_times.append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        exact = A[u] @ Vk @ Vk.T
        top_exact = np.argsort(-exact)[:k]
        e_times.append(time.perf_counter() - t0)
        precision.append(len(set(top.tolist()) & set(top_exact.tolist())) / k)
        proposals.append(rec.proposals / int(config["num_samples"]))
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


@register("recommend", config=RECOMMEND_CONFIG, circuits=False)
def run_recommend(
    config: dict[str, Any],
    *,
    backend: str | None,
    seed: int,
    store: ResultStore,
    progress: Progress,
) -> dict[str, Any]:
    """Tang's dequantized recommendations on a synthetic low-rank preference matrix vs exact SVD."""
    from qtwin.dequantized._blas import one_blas_thread

    with one_blas_thread():  # both sides single-threaded: fair, and fast on shared machines
        return _run_recommend(config, seed, store, progress)


def _run_recommend(
    config: dict[str, Any], seed: int, store: ResultStore, progress: Progress
) -> dict[str, Any]:
    users = int(config["users"])
    sizes = sorted({int(d) for d in config["dims"] if int(d) < users} | {users})
    rows = [
        store.compute(f"users/{u}", lambda u=u: _recommend_size(config, u, seed, u == users))
        for u in progress(sizes, total=len(sizes), desc="recommend")
    ]
    main = rows[-1]
    _plot_precision(store, main, int(config["k"]))
    for r in rows:
        r["query_plus_model_s"] = r["query_s"] + r["model_s"]
    _plot_time(
        store,
        rows,
        "users",
        "query_plus_model_s",
        "exact_s",
        "time_vs_users.png",
        "recommendation for one user",
    )
    return {
        "users": users,
        "items": int(config["items"]),
        "precision_at_k": main["precision_at_k"],
        "query_s": main["query_s"],
        "model_s": main["model_s"],
        "exact_s": main["exact_s"],
        "proposals_per_sample": main["proposals_per_sample"],
        "by_size": [{k: v for k, v in r.items() if k != "precision_per_user"} for r in rows],
    }


def _plot_precision(store: ResultStore, row: dict[str, Any], k: int) -> None:
    from qtwin.experiments.figures import new_figure

    fig, ax = new_figure(figsize=(5.5, 3.5))
    p = row["precision_per_user"]
    ax.bar(np.arange(len(p)), p, color="tab:blue")
    ax.axhline(np.mean(p), color="k", lw=1, label=f"mean {np.mean(p):.2f}")
    ax.set_ylim(0, 1.05)
    ax.set_xlabel("test user")
    ax.set_ylabel(f"precision@{k} vs exact rank-k SVD")
    ax.set_title(f"{row['users']} users")
    ax.legend(fontsize="small")
    store.save_figure(fig, "precision.png")
