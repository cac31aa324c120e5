"""qtwin.checkpoint: resume equals an uninterrupted run; foreign and damaged files refused."""

from __future__ import annotations

import random

import numpy as np
import pytest
import torch

from qtwin.checkpoint import (
    Checkpoint,
    capture_generator,
    capture_rng,
    fingerprint,
    restore_generator,
    restore_rng,
)
from qtwin.exceptions import CheckpointMismatchError, QtwinError


def _noisy_descent(steps: int, ckpt: Checkpoint, stop_after: int | None = None) -> torch.Tensor:
    """A toy loop that draws from every global generator and a local one each step."""
    local = torch.Generator().manual_seed(5)
    w = torch.zeros(3)
    start = 0
    state = ckpt.load()
    if state is not None:
        w, start = state["w"], state["step"]
        restore_generator(local, state["local"])
    for step in range(start, steps):
        noise = torch.randn(3) + torch.randn(3, generator=local)
        w = w - 0.1 * (w - 1.0) + 0.01 * noise + np.random.rand() + random.random()
        ckpt.save({"w": w, "step": step + 1, "local": capture_generator(local)})
        if stop_after is not None and step + 1 == stop_after:
            break
    return w


def test_resume_equals_uninterrupted(tmp_path):
    fp = fingerprint(lr=0.1, shape=(3,))
    torch.manual_seed(0), np.random.seed(0), random.seed(0)
    full = _noisy_descent(8, Checkpoint(None, fp))
    torch.manual_seed(0), np.random.seed(0), random.seed(0)
    _noisy_descent(8, Checkpoint(tmp_path / "c.pt", fp), stop_after=3)
    torch.manual_seed(123), np.random.seed(9), random.seed(4)  # the global state moved on
    resumed = _noisy_descent(8, Checkpoint(tmp_path / "c.pt", fp))
    assert torch.equal(full, resumed)


def test_rng_round_trip():
    state = capture_rng()
    a = (random.random(), np.random.rand(), torch.rand(1).item())
    restore_rng(state)
    assert (random.random(), np.random.rand(), torch.rand(1).item()) == a


def test_numpy_generator_state_round_trip(tmp_path):
    g = np.random.default_rng(1)
    ckpt = Checkpoint(tmp_path / "g.pt", fingerprint(k=1))
    ckpt.save({"g": capture_generator(g)})
    expected = g.random(4)
    restore_generator(g, ckpt.load()["g"])
    np.testing.assert_array_equal(g.random(4), expected)


def test_mismatched_fingerprint_refused(tmp_path):
    Checkpoint(tmp_path / "c.pt", fingerprint(data=np.arange(4))).save({"x": 1})
    with pytest.raises(CheckpointMismatchError, match="different run"):
        Checkpoint(tmp_path / "c.pt", fingerprint(data=np.arange(4) + 1)).load()
    assert issubclass(CheckpointMismatchError, (QtwinError, ValueError))


def test_damaged_or_foreign_file_refused(tmp_path):
    bad = tmp_path / "bad.pt"
    bad.write_bytes(b"not a checkpoint")
    with pytest.raises(ValueError, match="cannot be read"):
        Checkpoint(bad, "f").load()
    foreign = tmp_path / "foreign.pt"
    torch.save({"weights": torch.ones(2)}, foreign)
    with pytest.raises(ValueError, match="not a qtwin checkpoint"):
        Checkpoint(foreign, "f").load()


def test_disabled_and_remove(tmp_path):
    off = Checkpoint(None, "f")
    off.save({"x": 1})
    assert not off.enabled and off.load() is None
    on = Checkpoint(tmp_path / "sub" / "c.pt", "f")
    on.save({"x": 1})
    assert on.exists()
    on.remove()
    assert not on.exists() and on.load() is None


def test_fingerprint_is_order_free_and_data_sensitive():
    assert fingerprint(a={"x": 1, "y": 2}) == fingerprint(a={"y": 2, "x": 1})
    assert fingerprint(t=torch.zeros(2)) != fingerprint(t=torch.zeros(2, dtype=torch.float64))
    z = torch.tensor([1 + 2j, 3 - 1j])
    assert fingerprint(t=z.conj()) == fingerprint(t=torch.tensor([1 - 2j, 3 + 1j]))  # lazy conj
    bf16 = torch.ones(2, dtype=torch.bfloat16)
    assert fingerprint(t=bf16) != fingerprint(t=torch.ones(2))
    assert fingerprint(t=bf16) != fingerprint(t=bf16 * 2)
    with pytest.raises(TypeError, match="fingerprint cannot describe"):
        fingerprint(f=object())
    with pytest.raises(ValueError, match="fingerprint must be"):
        Checkpoint(None, "")
