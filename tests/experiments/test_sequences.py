"""The ``sequences`` experiment through the runner (tiny config), one row recomputed."""

from __future__ import annotations

import pytest

from qtwin.qml.sequences.recurrent import QRNNReservoir
from qtwin.qml.sequences.timeseries import load_sequence_task
from qtwin.qml.sequences.training import mse


def test_sequences_experiment_small(tmp_path):
    from qtwin.experiments import run_experiment

    pytest.importorskip("reservoirpy")
    res = run_experiment(
        "sequences",
        out=tmp_path / "s",
        progress=False,
        overrides={"models": "qfwp,qlstm_rc,lstm,esn", "epochs": 1},
    )
    rows = {r["model"]: r for r in res["metrics"]["rows"]}
    assert set(rows) == {"qfwp", "qlstm_rc", "lstm", "esn"}
    shm = load_sequence_task("damped_shm")
    # recompute the reservoir row independently
    rc = QRNNReservoir("qlstm", seed=0)  # run_experiment's default seed is 0
    rc.fit_readout(shm.x_train, shm.y_train, 1e-6)
    assert rows["qlstm_rc"]["test_mse"] == pytest.approx(mse(rc, shm.x_test, shm.y_test), rel=1e-8)
    assert sorted(res["figures"]) == ["loss_curves.png", "predictions.png"]


def test_task_names_are_the_libraries_tasks():
    from qtwin.experiments.sequences import TASK_NAMES
    from qtwin.qml.sequences.timeseries import TASKS

    assert tuple(TASK_NAMES) == tuple(TASKS)


def test_sequences_config_is_checked_before_running(tmp_path):
    from qtwin.experiments import run_experiment

    with pytest.raises(ValueError, match="models"):
        run_experiment(
            "sequences", out=tmp_path, progress=False, overrides={"models": "transformer"}
        )
    assert not (tmp_path / "run.json").exists()
