"""Atomic writes and resumable work units."""

from __future__ import annotations

import json
import os

import pytest

from qtwin.experiments.store import (
    ResultStore,
    atomic_write_bytes,
    atomic_write_json,
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
