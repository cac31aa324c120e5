"""Shared fixtures of the sequence-model tests."""

from __future__ import annotations

import pytest
import torch

from qtwin.qml.sequences.timeseries import load_sequence_task


@pytest.fixture(autouse=True)
def _one_thread():
    """Tiny tensors: one torch thread avoids oversubscription on a shared CPU."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


@pytest.fixture(scope="module")
def shm():
    return load_sequence_task("damped_shm")
