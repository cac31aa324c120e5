"""A tiny registered experiment (``toy``) whose work units can be made to fail on demand."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest

from qtwin.experiments import registry
from qtwin.experiments.figures import new_figure
from qtwin.experiments.registry import Experiment

TOY_CONFIG: dict[str, Any] = {"n": 5, "scale": 1.0, "flag": False, "names": ["a", "b"]}


@pytest.fixture
def toy(monkeypatch: pytest.MonkeyPatch) -> SimpleNamespace:
    """Register experiment ``toy``: ``n`` units ``unit/i`` of value ``scale * i**2 + seed``.

    ``state.fail_at = k`` makes unit ``k`` raise (an interruption); ``state.calls`` lists
    the units actually computed.
    """
    state = SimpleNamespace(calls=[], fail_at=None)

    def run(config, *, backend, seed, store, progress):
        values = []
        for i in progress(range(config["n"]), total=config["n"], desc="toy"):

            def work(i: int = i) -> dict[str, float]:
                if state.fail_at == i:
                    raise KeyboardInterrupt(f"interrupted at unit {i}")
                state.calls.append(i)
                return {"i": i, "value": config["scale"] * i * i + seed}

            values.append(store.compute(f"unit/{i}", work)["value"])
        fig, ax = new_figure()
        ax.plot(values)
        store.save_figure(fig, "toy.png")
        return {
            "total": sum(values),
            "per_unit": [{"i": i, "v": v} for i, v in enumerate(values)],
            "backend": backend,
        }

    registry.list_experiments()  # load the built-in experiments first
    monkeypatch.setitem(
        registry._REGISTRY, "toy", Experiment("toy", run, dict(TOY_CONFIG), "A toy experiment.")
    )
    return state
