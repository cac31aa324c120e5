"""The ``qtwin`` command through ``main([...])``: list, run, report, tour and errors."""

from __future__ import annotations

import json
from types import SimpleNamespace

import pytest

from qtwin.cli import main
from qtwin.experiments import registry
from qtwin.experiments.figures import new_figure
from qtwin.experiments.registry import Experiment


@pytest.fixture
def toy(monkeypatch):
    """Replace the registry by two tiny experiments; ``state.interrupt_at`` interrupts one."""
    state = SimpleNamespace(calls=[], interrupt_at=None)

    def run(config, *, backend, seed, store, progress):
        out = []
        for i in progress(range(config["n"]), total=config["n"], desc="units"):

            def work(i=i):
                if state.interrupt_at == i:
                    raise KeyboardInterrupt
                state.calls.append(i)
                return config["scale"] * i + seed

            out.append(store.compute(f"u{i}", work))
        fig, ax = new_figure()
        ax.bar(range(len(out)), out)
        store.save_figure(fig, "bars.png")
        return {"sum": sum(out), "backend": backend}

    monkeypatch.setattr(registry, "_builtins_loaded", True)
    monkeypatch.setattr(
        registry,
        "_REGISTRY",
        {
            "toy": Experiment("toy", run, {"n": 4, "scale": 1.0, "tags": ["x"]}, "Toy one."),
            "toy2": Experiment("toy2", run, {"n": 2, "scale": 3.0, "tags": []}, "Toy two."),
        },
    )
    return state


def test_list(toy, capsys):
    assert main(["list"]) == 0
    out = capsys.readouterr().out
    assert out.splitlines() == ["toy   Toy one.", "toy2  Toy two."]
    assert main(["list", "-v"]) == 0
    assert "scale = 1.0" in capsys.readouterr().out


def test_run_writes_results_figures_and_report(toy, tmp_path, capsys):
    out = tmp_path / "r"
    argv = [
        "run",
        "toy",
        "--out",
        str(out),
        "--seed",
        "2",
        "--backend",
        "aer",
        "--set",
        "n=3",
        "--set",
        "tags=a,b",
        "--no-progress",
    ]
    assert main(argv) == 0
    results = json.loads((out / "results.json").read_text())
    assert results["config"] == {"n": 3, "scale": 1.0, "tags": ["a", "b"]}
    assert (results["seed"], results["backend"]) == (2, "aer")
    assert results["metrics"]["sum"] == 0 + 1 + 2 + 3 * 2
    printed = capsys.readouterr().out
    assert str(out / "report.html") in printed and (out / "report.html").is_file()
    assert "data:image/png;base64," in (out / "report.html").read_text()


def test_run_default_out_is_runs_name(toy, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert main(["run", "toy2", "--no-progress"]) == 0
    assert (tmp_path / "runs" / "toy2" / "results.json").is_file()


def test_unknown_experiment_lists_valid_ones(toy, tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert main(["run", "nope"]) == 2
    err = capsys.readouterr().err
    assert "unknown experiment 'nope'; available experiments: toy, toy2" in err
    assert not (tmp_path / "runs").exists()


@pytest.mark.parametrize(
    ("setting", "message"),
    [
        ("bogus=1", "unknown config key 'bogus'; valid keys: n, scale, tags"),
        ("n=lots", "config key 'n' expects an int"),
        ("n", "--set expects key=value"),
    ],
)
def test_bad_set_is_a_clear_error(toy, tmp_path, capsys, setting, message):
    assert main(["run", "toy", "--out", str(tmp_path), "--set", setting]) == 2
    assert message in capsys.readouterr().err


def test_interrupt_then_resume_then_mismatch_then_force(toy, tmp_path, capsys):
    out = str(tmp_path / "r")
    toy.interrupt_at = 2
    assert main(["run", "toy", "--out", out, "--no-progress"]) == 130
    assert "Run the same command again to resume" in capsys.readouterr().err
    assert toy.calls == [0, 1]

    toy.interrupt_at = None
    assert main(["run", "toy", "--out", out, "--no-progress"]) == 0
    assert toy.calls == [0, 1, 2, 3]
    assert "2 work units computed, 2 reused" in capsys.readouterr().out

    assert main(["run", "toy", "--out", out, "--set", "n=5"]) == 2
    assert "n 4 -> 5" in capsys.readouterr().err
    assert main(["run", "toy", "--out", out, "--set", "n=5", "--force", "--no-progress"]) == 0
    assert json.loads((tmp_path / "r" / "results.json").read_text())["config"]["n"] == 5


def test_report_command(toy, tmp_path, capsys):
    assert main(["run", "toy", "--out", str(tmp_path), "--no-progress"]) == 0
    (tmp_path / "report.html").unlink()
    capsys.readouterr()
    assert main(["report", str(tmp_path)]) == 0
    assert capsys.readouterr().out.strip() == str(tmp_path / "report.html")
    assert main(["report", str(tmp_path / "missing")]) == 2
    assert "no results.json" in capsys.readouterr().err


def test_tour_runs_everything_and_reports(toy, tmp_path, capsys):
    assert main(["tour", "--out", str(tmp_path), "--no-progress"]) == 0
    out = capsys.readouterr().out
    for name in ("toy", "toy2"):
        assert (tmp_path / name / "report.html").is_file()
        assert str(tmp_path / name / "report.html") in out
    assert "tour finished: 2 experiment(s)" in out


def test_no_command_is_a_usage_error(capsys):
    with pytest.raises(SystemExit) as info:
        main([])
    assert info.value.code == 2
