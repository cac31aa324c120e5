"""The ``svt`` and ``recommend`` experiments run through the runner (small configs)."""

from __future__ import annotations

import numpy as np
import pytest

from qtwin.experiments import get_experiment, list_experiments, run_experiment


def test_registered_with_small_defaults():
    names = list_experiments()
    assert "svt" in names and "recommend" in names
    assert get_experiment("recommend").config()["users"] <= 100_000
    assert max(get_experiment("svt").config()["dims"]) <= 100_000


def test_svt_experiment_small(tmp_path):
    over = {
        "sample_counts": "20,80,320",
        "repeats": 2,
        "dims": "500,5000",
        "dim_samples": 50,
        "quantum": False,
    }
    res = run_experiment("svt", out=tmp_path, progress=False, overrides=over)
    m = res["metrics"]
    errs = [e["mean_error"] for e in m["error_vs_samples"]]
    assert errs[0] > errs[-1]  # more samples, smaller error
    assert -1.2 < m["error_slope"] < -0.2
    assert [t["m"] for t in m["timing"]] == [500, 5000]
    assert all(t["error"] < 0.2 for t in m["timing"])
    assert m["quantum"]["status"] == "skipped"
    assert sorted(res["figures"]) == ["error_vs_samples.png", "time_vs_dimension.png"]
    again = run_experiment("svt", out=tmp_path, progress=False, overrides=over)
    assert again["units"]["computed"] == 0


def test_recommend_experiment_small(tmp_path):
    from qtwin.experiments.dequantized import preference_matrix

    over = {
        "users": 3000,
        "items": 60,
        "dims": "1000",
        "test_users": 6,
        "num_samples": 100,
        "sketch": 200,
    }
    res = run_experiment("recommend", out=tmp_path, progress=False, overrides=over)
    m = res["metrics"]
    assert m["users"] == 3000 and [r["users"] for r in m["by_size"]] == [1000, 3000]
    assert m["precision_at_k"] >= 0.6
    assert m["proposals_per_sample"] >= 1.0
    assert sorted(res["figures"]) == ["precision.png", "time_vs_users.png"]
    P = preference_matrix(3000, 60, 5, 0.05, 0)
    assert P.shape == (3000, 60) and np.linalg.matrix_rank(P) == 60  # noise makes it full rank
    s = np.linalg.svd(P, compute_uv=False)
    assert np.sum(s[:5] ** 2) / np.sum(s**2) > 0.95  # but close to rank 5


def test_svt_experiment_rejects_bad_override(tmp_path):
    with pytest.raises(ValueError):
        run_experiment("svt", out=tmp_path, progress=False, overrides={"sample_counts": "0"})
