"""Units that share a process (a threads cluster) run one at a time.

torch's thread count is process-wide state (MKL's count is global; ``compile_mps`` sets it
and restores it around its work): units running as threads of one process would race on it.
"""

from __future__ import annotations

import time

import numpy as np
import torch

from qtwin._threads import torch_threads
from qtwin.distributed import map_units


def _interval(delay: float, seed: np.random.SeedSequence) -> tuple[float, float]:
    start = time.perf_counter()
    with torch_threads(1):  # compile_mps's pattern: set for the work, restore after
        time.sleep(delay)
    return start, time.perf_counter()


def test_threads_cluster_units_never_overlap(client2: object) -> None:
    before = torch.get_num_threads()
    spans = sorted(map_units(_interval, [0.15] * 6, cluster=client2, progress=False))
    for (_, end), (start, _) in zip(spans, spans[1:], strict=False):
        assert start >= end  # one at a time
    assert torch.get_num_threads() == before


def test_in_process_runs_are_unaffected() -> None:
    spans = map_units(_interval, [0.0, 0.0], cluster=None, progress=False)
    assert len(spans) == 2
