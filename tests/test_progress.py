"""qtwin._progress: the one progress bar."""

from __future__ import annotations

from qtwin._progress import progress


def test_progress_honours_tqdm_disable(monkeypatch):
    monkeypatch.delenv("TQDM_DISABLE", raising=False)
    assert not progress(range(3), enabled=True).disable
    monkeypatch.setenv("TQDM_DISABLE", "1")
    assert progress(range(3), enabled=True).disable
