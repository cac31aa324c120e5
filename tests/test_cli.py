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
    index = (tmp_path / "index.html").read_text()
    assert 'href="toy/report.html"' in index and 'src="toy2/bars.png"' in index
    assert str(tmp_path / "index.html") in out
    # qtwin report on the tour folder rewrites every report and the index
    (tmp_path / "index.html").unlink()
    assert main(["report", str(tmp_path)]) == 0
    assert (tmp_path / "index.html").is_file()


def test_no_command_is_a_usage_error(capsys):
    with pytest.raises(SystemExit) as info:
        main([])
    assert info.value.code == 2


# --- issue 15: busy folder, damaged folders, tour warnings, fuzz of `report` and `run --set` ---

_HOLD_LOCK = """
import sys, time
from qtwin.experiments.runner import run_lock
with run_lock(sys.argv[1]):
    print("locked", flush=True)
    time.sleep(60)
"""


def test_a_busy_output_folder_is_refused_naming_the_holder(toy, tmp_path, capsys):
    import subprocess
    import sys

    proc = subprocess.Popen(
        [sys.executable, "-c", _HOLD_LOCK, str(tmp_path)], stdout=subprocess.PIPE, text=True
    )
    try:
        assert proc.stdout.readline().strip() == "locked"
        assert main(["run", "toy", "--out", str(tmp_path), "--no-progress"]) == 2
        err = capsys.readouterr().err
        assert f"in use by another qtwin run (process {proc.pid} on" in err and "--wait" in err
        assert main(["run", "toy", "--out", str(tmp_path), "--wait", "0.2"]) == 2
    finally:
        proc.kill()
        proc.wait()
    assert main(["run", "toy", "--out", str(tmp_path), "--no-progress", "--wait", "5"]) == 0
    assert toy.calls == [0, 1, 2, 3]


@pytest.mark.parametrize("wait", ["-1", "nan", "inf", "soon"])
def test_bad_wait_is_a_usage_error(toy, wait, capsys):
    with pytest.raises(SystemExit) as info:
        main(["run", "toy", "--wait", wait])
    assert info.value.code == 2 and "expects a number of seconds >= 0" in capsys.readouterr().err


def test_damaged_run_json_through_the_cli(toy, tmp_path, capsys):
    assert main(["run", "toy", "--out", str(tmp_path), "--no-progress"]) == 0
    (tmp_path / "run.json").write_text("garbage{")
    assert main(["run", "toy", "--out", str(tmp_path), "--no-progress"]) == 2
    err = capsys.readouterr().err
    assert f"{tmp_path / 'run.json'} is damaged" in err and "--force" in err
    assert "Traceback" not in err


def test_tour_keeps_library_warnings_out_of_its_output(toy, tmp_path, capsys, monkeypatch):
    import warnings

    import scipy.sparse as sp
    import scipy.sparse.linalg as spla

    def noisy(config, *, backend, seed, store, progress):
        spla.spsolve(sp.eye(3, format="csr")[:, :3].tolil(), [1.0, 2.0, 3.0])  # scipy warns
        warnings.warn("from qtwin itself", DamagedUnitWarning, stacklevel=1)
        warnings.warn("a library's notice", FutureWarning, stacklevel=1)
        return {"ok": 1}

    monkeypatch.setitem(registry._REGISTRY, "toy2", Experiment("toy2", noisy, {}, "Noisy."))
    from qtwin.experiments.store import DamagedUnitWarning

    with pytest.warns(DamagedUnitWarning, match="from qtwin itself") as shown:
        assert main(["tour", "--out", str(tmp_path), "--no-progress"]) == 0
    assert [w.category for w in shown] == [DamagedUnitWarning]  # ours only
    captured = capsys.readouterr()
    assert "SparseEfficiencyWarning" not in captured.out + captured.err
    log = (tmp_path / "warnings.log").read_text()
    assert "SparseEfficiencyWarning" in log and "a library's notice" in log
    assert f"kept out of this output: {tmp_path / 'warnings.log'}" in captured.out


_REPORT_FUZZ = [
    "",
    "garbage{",
    "[1, 2]",
    "null",
    "42",
    '"text"',
    "\x00\xff",
    "[" * 5000,
    '{"a": ' * 5000,
    '{"config": [1, 2], "versions": null}',
    '{"figures": 7, "units": [1], "metrics": null, "experiment": {"x": 1}}',
    '{"figures": ["../../etc/passwd", "", "a/b.png", null], "metrics": [[[[]]]]}',
    '{"metrics": {"x": NaN, "y": Infinity, "z": -Infinity}}',
    '{"metrics": ' + "[" * 900 + "]" * 900 + "}",
    '{"metrics": ' + '{"k": ' * 900 + "1" + "}" * 900 + "}",
    '{"metrics": {"<script>": "</table>", "\\u0000": "\\ud800"}}',
]


@pytest.mark.parametrize("content", _REPORT_FUZZ, ids=lambda s: repr(s)[:24])
def test_report_fuzz_never_tracebacks(tmp_path, capsys, content):
    path = tmp_path / "results.json"
    path.write_bytes(content.encode("utf-8", "surrogatepass"))
    code = main(["report", str(tmp_path)])
    err = capsys.readouterr().err
    if code == 0:
        text = (tmp_path / "report.html").read_text(encoding="utf-8", errors="replace")
        assert "<script>" not in text
    else:
        assert code == 2 and "results.json" in err


def test_report_fuzz_hypothesis(tmp_path_factory):
    """Any JSON value as results.json: a page, or exit 2 naming results.json."""
    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st

    json_values = st.recursive(
        st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=8),
        lambda inner: (
            st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=6), inner, max_size=4)
        ),
        max_leaves=30,
    )

    @settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(results=json_values)
    def check(results):
        out = tmp_path_factory.mktemp("r")
        (out / "results.json").write_text(json.dumps(results))
        assert main(["report", str(out)]) in (0, 2)

    check()


def test_report_on_odd_folders(tmp_path, capsys):
    (tmp_path / "results.json").mkdir()
    assert main(["report", str(tmp_path)]) == 2
    assert "no results.json" in capsys.readouterr().err
    file_not_dir = tmp_path / "f"
    file_not_dir.write_text("x")
    assert main(["report", str(file_not_dir)]) == 2
    blocked = tmp_path / "b"
    blocked.mkdir()
    (blocked / "results.json").write_text("{}")
    (blocked / "report.html").mkdir()  # cannot be replaced by a file
    assert main(["report", str(blocked)]) == 1
    assert "qtwin: error:" in capsys.readouterr().err


_SET_FUZZ = [
    "n=",
    "n= ",
    "=3",
    "==",
    "n=3=4",
    "n=1e3",
    "n=0x10",
    "scale=99999999999999999999999999999999999999999",
    "n=-1",
    "n=true",
    "n=[1]",
    "scale=nan",
    "scale=inf",
    "scale=-Infinity",
    "scale=1e999",
    "scale=1,2",
    "scale=",
    "tags=[1, 2",
    "tags=[[[[",
    "tags={}",
    "tags=" + "[" * 5000,
    "tags=a,,b",
    "tags=\x00",
    "n=\u0663",
    "N=1",
    " n =2",
    "n\t=2",
    "\u00e9=1",
]


@pytest.mark.parametrize("setting", _SET_FUZZ, ids=lambda s: repr(s)[:24])
def test_run_set_fuzz_never_tracebacks(toy, tmp_path, capsys, setting):
    code = main(["run", "toy", "--out", str(tmp_path / "r"), "--set", setting, "--no-progress"])
    err = capsys.readouterr().err
    assert code in (0, 2), err
    if code == 2:
        assert err.startswith("qtwin: error: ") and "Traceback" not in err
        assert not (tmp_path / "r" / "run.json").exists()  # refused before anything is written
    else:
        results = json.loads((tmp_path / "r" / "results.json").read_text())
        assert results["config"]["scale"] is not None  # never a NaN turned into null


def test_run_set_fuzz_hypothesis(toy, tmp_path_factory):
    """Random ``key=value`` text: exit 0 or a one-line error (exit 2), never a traceback."""
    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st

    keys = st.sampled_from(["n", "scale", "tags", "x", ""]) | st.text(max_size=4)
    values = st.text(max_size=12) | st.sampled_from(["nan", "1e999", "[1,", "-0", "1_0"])

    @settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(key=keys, value=values)
    def check(key, value):
        out = tmp_path_factory.mktemp("r")
        code = main(["run", "toy", "--out", str(out), "--set", f"{key}={value}", "--no-progress"])
        assert code in (0, 2)

    check()


@pytest.mark.parametrize("backend", ["bogus", "fake:nonexistent_device_xyz"])
def test_unknown_backend_is_refused_before_anything_is_written(toy, tmp_path, capsys, backend):
    out = tmp_path / "r"
    assert main(["run", "toy", "--out", str(out), "--backend", backend, "--no-progress"]) == 2
    assert "unknown backend" in capsys.readouterr().err
    assert not out.exists()


_BELL_QASM = (
    'OPENQASM 2.0;\ninclude "qelib1.inc";\nqreg q[3];\ncreg c[3];\n'
    "h q[0];\ncx q[0],q[2];\nmeasure q -> c;\n"
)


def test_dry_run_prints_the_isa_summary_without_submitting(tmp_path, capsys):
    from qiskit import qasm2, transpile
    from qiskit_ibm_runtime.fake_provider import FakeManilaV2

    path = tmp_path / "bell.qasm"
    path.write_text(_BELL_QASM)
    assert main(["dry-run", str(path), "--backend", "fake:manila", "--shots", "100"]) == 0
    (plan,) = json.loads(capsys.readouterr().out)
    assert plan["backend"] == "fake:manila" and plan["shots"] == 100 and plan["active_qubits"] == 3
    # an independent reference: Qiskit's own transpile for the same device keeps one CX
    ref = transpile(
        qasm2.loads(_BELL_QASM), FakeManilaV2(), optimization_level=1, seed_transpiler=0
    )
    assert plan["two_qubit_gates"] >= ref.count_ops().get("cx", 0) >= 1


def test_dry_run_refuses_bad_input_with_exit_2(tmp_path, capsys):
    path = tmp_path / "bell.qasm"
    path.write_text(_BELL_QASM)
    assert main(["dry-run", str(path), "--backend", "bogus"]) == 2
    assert "unknown backend 'bogus'" in capsys.readouterr().err
    wide = tmp_path / "wide.qasm"
    wide.write_text(_BELL_QASM.replace("q[3]", "q[12]").replace("c[3]", "c[12]"))
    assert main(["dry-run", str(wide), "--backend", "fake:manila"]) == 2
    assert "cannot take these circuits" in capsys.readouterr().err
    broken = tmp_path / "broken.qasm"
    broken.write_text("OPENQASM 2.0;\nqreg q[1];\nfoo q[0];\n")
    assert main(["dry-run", str(broken), "--backend", "fake:manila"]) == 2
    assert "broken.qasm" in capsys.readouterr().err


# --- issue 18 item 6 / issue 16 item 6: --version, run --help, did you mean --------------


def test_version(capsys):
    from qtwin import __version__

    with pytest.raises(SystemExit) as exc:
        main(["--version"])
    assert exc.value.code == 0
    assert capsys.readouterr().out.strip() == f"qtwin {__version__}"


def test_run_help_lists_the_experiments(toy, capsys):
    with pytest.raises(SystemExit) as exc:
        main(["run", "--help"])
    assert exc.value.code == 0
    out = capsys.readouterr().out
    assert "usage: qtwin run" in out
    assert "  toy   Toy one." in out and "  toy2  Toy two." in out


def test_run_name_help_lists_typed_fields(capsys):
    with pytest.raises(SystemExit) as exc:
        main(["run", "simulate", "--help"])
    assert exc.value.code == 0
    out = capsys.readouterr().out
    assert "config fields of simulate" in out
    assert "  max_bond: int = 64\n      bond-dimension cap of the direct MPS state check" in out
    assert "[1 <= value <= 30]" in out
    assert "  circuits: tuple[str, ...] = qft_8,w_state_8,random_brickwork_10,ghz_50" in out


def test_run_name_help_of_an_unknown_name_suggests(capsys):
    with pytest.raises(SystemExit) as exc:
        main(["run", "simulte", "--help"])
    assert exc.value.code == 2
    assert "did you mean 'simulate'?" in capsys.readouterr().err


def test_did_you_mean_for_experiments_keys_and_backends(toy, tmp_path, capsys):
    assert main(["run", "toyy", "--out", str(tmp_path / "a")]) == 2
    assert "unknown experiment 'toyy'; did you mean 'toy'?" in capsys.readouterr().err
    assert main(["run", "toy", "--out", str(tmp_path / "b"), "--set", "scal=2"]) == 2
    assert "unknown config key 'scal'; did you mean 'scale'?" in capsys.readouterr().err
    assert main(["run", "toy", "--out", str(tmp_path / "c"), "--backend", "tensornett"]) == 2
    assert "did you mean 'tensornet'?" in capsys.readouterr().err
    assert not any((tmp_path / d).exists() for d in "abc")


def test_list_markdown_prints_the_experiments_page(capsys):
    from qtwin.experiments.registry import describe_markdown

    assert main(["list", "--markdown"]) == 0
    assert capsys.readouterr().out == describe_markdown()


def test_tour_on_a_cluster_from_the_environment(toy, tmp_path, capsys, monkeypatch):
    pytest.importorskip("distributed")
    monkeypatch.setenv("QTWIN_CLUSTER", "dask:1")
    assert main(["tour", "--out", str(tmp_path), "--no-progress"]) == 0
    for name in ("toy", "toy2"):
        results = json.loads((tmp_path / name / "results.json").read_text())
        assert results["cluster"]["workers"] == 1
    assert (tmp_path / "index.html").is_file()
    # the flag wins over the environment
    assert main(["tour", "--out", str(tmp_path / "x"), "--cluster", "dask:0"]) == 2
    assert "dask:N' must be an integer >= 1" in capsys.readouterr().err
    assert not (tmp_path / "x").exists()
