"""The ``svt`` and ``recommend`` experiments run through the runner (small configs)."""

from __future__ import annotations

import numpy as np
import pytest

from qtwin.experiments import get_experiment, list_experiments, run_experiment


def test_registered_with_small_defaults():
    names = list_experiments()
    assert "svt" in names and "recommend" in names
    assert get_experiment("recommend").config().users <= 100_000
    assert max(get_experiment("svt").config().dims) <= 100_000


def test_svt_experiment_small(tmp_path):
    over = {
        "sample_counts": "20,80,320",
        "repeats": 2,
        "dims": "500,5000",
        "dim_samples": 50,
        "timing_repeats": 2,
        "quantum": False,
    }
    res = run_experiment("svt", out=tmp_path, progress=False, overrides=over)
    m = res["metrics"]
    errs = [e["mean_error"] for e in m["error_vs_samples"]]
    assert errs[0] > errs[-1]  # more samples, smaller error
    assert -1.2 < m["error_slope"] < -0.2
    assert [t["m"] for t in m["timing"]] == [500, 5000]
    assert all(t["error"] < 0.2 for t in m["timing"])
    assert all(len(t["svt_times_s"]) == len(t["exact_times_s"]) == 2 for t in m["timing"])
    assert all(len(e["errors"]) == 2 for e in m["error_vs_samples"])
    assert m["quantum"]["status"] == "skipped"
    assert sorted(res["figures"]) == ["error_vs_samples.png", "time_vs_dimension.png"]
    assert set(res["captions"]) == set(res["figures"])
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


@pytest.mark.parametrize(
    ("over", "match"),
    [
        ({"sample_counts": "0"}, "sample_counts"),
        ({"qsvt_degree": 7}, "qsvt_degree"),
        ({"rank": 100}, "rank"),
        ({"k": 500}, None),
    ],
)
def test_experiments_reject_bad_overrides_before_writing(tmp_path, over, match):
    name = "recommend" if "k" in over else "svt"
    with pytest.raises(ValueError, match=match):
        run_experiment(name, out=tmp_path / "run", progress=False, overrides=over)
    assert not (tmp_path / "run" / "results.json").exists()


def test_crossover_against_hand_interpolation():
    from qtwin.experiments.dequantized import crossover

    # exact time ~ m, dequantized flat at 0.05: equal at m = 500 on log-log axes
    ms = [100, 1000, 10000]
    assert crossover(ms, [0.01, 0.1, 1.0], [0.05] * 3) == pytest.approx(500.0, rel=1e-12)
    assert crossover(ms, [1.0] * 3, [0.5] * 3) is None  # faster from the start
    assert crossover(ms, [0.01] * 3, [0.5] * 3) is None  # never faster
