"""The ``qnn`` experiment through the runner (small config, fake device skipped)."""

from __future__ import annotations

import pytest

from qtwin.experiments import get_experiment, list_experiments, run_experiment

SMALL = {
    "epochs": 2,
    "aer_test_size": 8,
    "shots": 256,
    "fake_device": "",
    "hardness_ns": (2, 4),
    "hardness_epochs": 2,
    "quantum_data_samples": 24,
    "quantum_data_epochs": 2,
}


def test_qnn_experiment_small(tmp_path) -> None:
    assert "qnn" in list_experiments()
    assert get_experiment("qnn").config().fake_device.startswith("fake:")
    res = run_experiment("qnn", out=tmp_path, progress=False, overrides=SMALL)
    m = res["metrics"]
    assert m["summary"]["exact_representations_correct"]
    assert all(r["max_dev_qtwin_vs_qiskit"] < 1e-10 for r in m["exactness"]["rows"])
    assert len(m["digits_train"]["history"]["test_accuracy"]) == 2
    assert m["summary"]["digits_test_accuracy"] >= 0.9
    assert m["digits_aer"]["num_test"] == 8
    qd = m["quantum_data"]
    assert qd["num_train"] == 12 and len(qd["history"]["test_accuracy"]) == 2
    assert [r["model"] for r in qd["table"]][0] == "QNN on the states"
    assert len(qd["table"]) == 5 and all(0 <= r["test_accuracy"] <= 1 for r in qd["table"])
    for name in ("learning_curve.png", "accuracy.png", "hardness.png", "quantum_data.png"):
        assert (tmp_path / name).exists()
    again = run_experiment("qnn", out=tmp_path, progress=False, overrides=SMALL)  # resumes
    assert again["units"]["computed"] == 0


def test_qnn_experiment_bad_fake_device(tmp_path) -> None:
    with pytest.raises(ValueError, match="fake_device' must be"):
        run_experiment("qnn", out=tmp_path, progress=False, overrides={"fake_device": "aer"})
