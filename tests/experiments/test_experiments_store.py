"""Atomic writes and resumable work units."""

from __future__ import annotations

import json
import os
import stat

import pytest

from qtwin.experiments.store import (
    ResultStore,
    atomic_write_bytes,
    atomic_write_json,
    atomic_write_text,
    to_jsonable,
)


def test_atomic_write_replaces_content(tmp_path):
    path = tmp_path / "sub" / "f.json"
    atomic_write_json(path, {"a": 1})
    atomic_write_json(path, {"a": 2})
    assert json.loads(path.read_text()) == {"a": 2}
    assert sorted(p.name for p in path.parent.iterdir()) == ["f.json"]


def test_failed_write_keeps_old_file_and_leaves_no_temp(tmp_path, monkeypatch):
    path = tmp_path / "f.bin"
    atomic_write_bytes(path, b"old")

    def crash(src, dst):
        raise OSError("disk vanished")

    monkeypatch.setattr(os, "replace", crash)
    with pytest.raises(OSError, match="disk vanished"):
        atomic_write_bytes(path, b"new content")
    assert path.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["f.bin"]


def test_unserializable_value_does_not_touch_file(tmp_path):
    path = tmp_path / "f.json"
    atomic_write_json(path, [1])
    with pytest.raises(TypeError, match="cannot store a value of type object"):
        atomic_write_json(path, [object()])
    assert json.loads(path.read_text()) == [1]


def test_to_jsonable_handles_numpy_torch_complex():
    np = pytest.importorskip("numpy")
    torch = pytest.importorskip("torch")
    out = to_jsonable({"t": torch.tensor([1.5]), "c": 1 + 2j, "i": np.int64(3), "inf": np.inf})
    assert out == {"t": [1.5], "c": {"re": 1.0, "im": 2.0}, "i": 3, "inf": None}


def test_compute_resumes_from_disk(tmp_path):
    calls = []

    def work(x):
        calls.append(x)
        return {"x": x, "tuple": (x, x)}

    store = ResultStore(tmp_path)
    assert store.compute("a/1", lambda: work(1)) == {"x": 1, "tuple": [1, 1]}
    assert "a/1" in store and "a/2" not in store

    again = ResultStore(tmp_path)  # a new process, same folder
    assert again.compute("a/1", lambda: work(99)) == {"x": 1, "tuple": [1, 1]}
    assert again.compute("a/2", lambda: work(2))["x"] == 2
    assert calls == [1, 2]
    assert again.completed() == ["a/1", "a/2"]
    assert (again.computed, again.reused) == (1, 1)


def test_unit_names_with_slashes_stay_in_units_dir(tmp_path):
    store = ResultStore(tmp_path)
    store.save("../../escape", 1)
    assert [p.parent for p in tmp_path.rglob("*.json")] == [tmp_path / "units"]
    assert store.load("../../escape") == 1
    with pytest.raises(KeyError, match="has not finished"):
        store.load("missing")
    with pytest.raises(ValueError, match="unit name"):
        store.save("", 1)


def test_save_figure_writes_png(tmp_path):
    from qtwin.experiments.figures import new_figure

    store = ResultStore(tmp_path)
    fig, ax = new_figure()
    ax.plot([1, 2])
    path = store.save_figure(fig, "plot.png")
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert store.figures == ["plot.png"]
    with pytest.raises(ValueError, match="plain file name ending in .png"):
        store.save_figure(fig, "../x.png")


# --- issue 15 item 11: files follow the umask (they were 0600), still atomically ------------


@pytest.mark.skipif(os.name != "posix", reason="POSIX file modes")
@pytest.mark.parametrize(("umask", "mode"), [(0o022, 0o644), (0o027, 0o640), (0o002, 0o664)])
def test_new_files_follow_the_umask(tmp_path, umask, mode):
    old = os.umask(umask)
    try:
        path = atomic_write_json(tmp_path / "results.json", {"a": 1})
        store = ResultStore(tmp_path, fingerprint="abc123")
        store.save("u", 1)
        unit_file = next((tmp_path / "units").glob("*.json"))
    finally:
        os.umask(old)
    assert stat.S_IMODE(path.stat().st_mode) == mode
    assert stat.S_IMODE(unit_file.stat().st_mode) == mode


@pytest.mark.skipif(os.name != "posix", reason="POSIX file modes")
def test_replaced_file_keeps_its_mode(tmp_path):
    path = tmp_path / "report.html"
    path.write_text("old")
    path.chmod(0o604)
    atomic_write_text(path, "new")
    assert stat.S_IMODE(path.stat().st_mode) == 0o604 and path.read_text() == "new"


def test_units_of_another_fingerprint_are_invisible(tmp_path):
    a = ResultStore(tmp_path, fingerprint="aaaa")
    a.save("u/1", 1)
    b = ResultStore(tmp_path, fingerprint="bbbb")
    assert "u/1" not in b and b.completed() == [] and a.completed() == ["u/1"]
    assert b.compute("u/1", lambda: 2) == 2 and a.load("u/1") == 1
    with pytest.raises(ValueError, match="fingerprint"):
        ResultStore(tmp_path, fingerprint="../x")


def test_damaged_unit_file_names_the_file(tmp_path):
    store = ResultStore(tmp_path)
    store.save("u", 1)
    path = next((tmp_path / "units").glob("*.json"))
    path.write_text("[1]")
    with pytest.raises(ValueError, match=f"unit file .*{path.name} is not a unit record"):
        store.load("u")
    assert store.completed() == []
    with pytest.warns(UserWarning, match=f"{path.name}.*recomputing unit 'u'"):
        assert store.compute("u", lambda: 7) == 7
    assert store.load("u") == 7
