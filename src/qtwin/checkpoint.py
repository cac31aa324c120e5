"""Checkpoints for training and optimisation loops: one file, one run, resumable exactly.

A loop that may be interrupted saves its state every few steps with :meth:`Checkpoint.save`
and, when started again, continues from :meth:`Checkpoint.load`. Three things make the
resumed run equal an uninterrupted one:

* the file is written atomically (a crash leaves the previous checkpoint, never half a file);
* the random-number state is saved beside the user state — Python's :mod:`random`, numpy's
  global generator and torch's CPU (and CUDA) generators automatically, local generators
  through :func:`capture_generator` / :func:`restore_generator`;
* the file carries a :func:`fingerprint` of the run (configuration, data, model shape), and a
  file written by a different run is refused with :class:`~qtwin.exceptions.CheckpointMismatchError`
  instead of being silently continued.

Files are read with ``torch.load(weights_only=True)``: no code from a checkpoint is executed,
so state values must be tensors, Python scalars and strings, ``None``, lists, tuples and dicts.

Example:
    >>> import tempfile, pathlib, torch
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "run.pt"
    >>> ckpt = Checkpoint(path, fingerprint(lr=0.1, shape=(2, 3)))
    >>> ckpt.load() is None                      # nothing saved yet
    True
    >>> ckpt.save({"step": 7, "weights": torch.ones(2, 3)})
    >>> Checkpoint(path, fingerprint(lr=0.1, shape=(2, 3))).load()["step"]
    7
    >>> Checkpoint(path, fingerprint(lr=0.2, shape=(2, 3))).load()  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    qtwin.exceptions.CheckpointMismatchError: checkpoint ... was written by a different run ...
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import random
from collections.abc import Mapping
from dataclasses import asdict, is_dataclass
from pathlib import Path
from typing import Any

import numpy as np
import torch

from qtwin._io import atomic_write_bytes
from qtwin.exceptions import CheckpointMismatchError

__all__ = [
    "Checkpoint",
    "fingerprint",
    "capture_rng",
    "restore_rng",
    "capture_generator",
    "restore_generator",
]

_FORMAT = "qtwin-checkpoint/1"


def _canonical(obj: Any) -> Any:
    """A JSON-able, order-independent stand-in for ``obj`` (arrays become digests)."""
    if isinstance(obj, Mapping):
        return {str(k): _canonical(v) for k, v in sorted(obj.items(), key=lambda kv: str(kv[0]))}
    if is_dataclass(obj) and not isinstance(obj, type):
        return {"__dataclass__": type(obj).__name__, **_canonical(asdict(obj))}
    if isinstance(obj, (list, tuple)):
        return [_canonical(v) for v in obj]
    if isinstance(obj, torch.Tensor):
        tensor = obj.detach().cpu().resolve_conj().resolve_neg().contiguous()
        if tensor.dtype == torch.bfloat16:  # numpy has no bfloat16: hash its raw 16-bit words
            data = tensor.view(torch.int16).numpy()
            digest = hashlib.sha256(data.tobytes()).hexdigest()
            return {"__array__": ["bfloat16", list(data.shape), digest]}
        obj = tensor.numpy()
    if isinstance(obj, np.ndarray):
        data = np.ascontiguousarray(obj)
        digest = hashlib.sha256(data.tobytes()).hexdigest()
        return {"__array__": [str(data.dtype), list(data.shape), digest]}
    if isinstance(obj, np.generic):
        return obj.item()
    if isinstance(obj, float) and obj != obj:
        return "nan"
    if isinstance(obj, (bool, int, float, str)) or obj is None:
        return obj
    if isinstance(obj, complex):
        return [obj.real, obj.imag]
    if isinstance(obj, os.PathLike):
        return os.fspath(obj)
    if isinstance(obj, (torch.dtype, torch.device, np.dtype, type)):
        return str(obj)
    raise TypeError(
        f"fingerprint cannot describe a value of type {type(obj).__name__}: pass numbers, "
        "strings, arrays/tensors, dataclasses or lists/dicts of those"
    )


def fingerprint(**parts: Any) -> str:
    """The SHA-256 of a run's defining parts: configuration, data, model shape.

    Mappings are sorted by key; numpy arrays and torch tensors enter by dtype, shape and the
    SHA-256 of their bytes, so a large data set costs one pass over its memory.

    Args:
        parts: named parts, e.g. ``fingerprint(config=cfg, data=x, shapes=[p.shape ...])``.

    Returns:
        A 64-character hex digest.

    Example:
        >>> fingerprint(a=1, b=[1, 2]) == fingerprint(b=[1, 2], a=1)
        True
        >>> fingerprint(x=np.zeros(3)) == fingerprint(x=np.zeros(4))
        False
    """
    text = json.dumps(_canonical(parts), sort_keys=True, separators=(",", ":"), allow_nan=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def capture_rng() -> dict[str, Any]:
    """The states of the global generators: Python's, numpy's legacy global and torch's."""
    kind, keys, pos, has_gauss, cached = np.random.get_state(legacy=True)
    state: dict[str, Any] = {
        "python": random.getstate(),
        "numpy": {
            "kind": kind,
            "keys": torch.from_numpy(np.asarray(keys, dtype=np.int64)),
            "pos": int(pos),
            "has_gauss": int(has_gauss),
            "cached": float(cached),
        },
        "torch": torch.get_rng_state(),
    }
    if torch.cuda.is_available():
        state["cuda"] = torch.cuda.get_rng_state_all()
    return state


def restore_rng(state: Mapping[str, Any]) -> None:
    """Restore the global generators from :func:`capture_rng`'s ``state``."""
    version, internal, gauss = state["python"]
    random.setstate((version, tuple(internal), gauss))
    npy = state["numpy"]
    keys = np.asarray(npy["keys"].numpy(), dtype=np.uint32)
    np.random.set_state((npy["kind"], keys, npy["pos"], npy["has_gauss"], npy["cached"]))
    torch.set_rng_state(state["torch"])
    if "cuda" in state and torch.cuda.is_available():
        torch.cuda.set_rng_state_all(state["cuda"])


def capture_generator(generator: np.random.Generator | torch.Generator) -> Any:
    """The state of a local generator, in a form :class:`Checkpoint` can store.

    Example:
        >>> g = np.random.default_rng(3); s = capture_generator(g); a = g.random()
        >>> restore_generator(g, s); g.random() == a
        True
    """
    if isinstance(generator, torch.Generator):
        return generator.get_state()
    if isinstance(generator, np.random.Generator):
        return generator.bit_generator.state
    raise TypeError(
        f"generator must be a numpy.random.Generator or torch.Generator, got {type(generator)}"
    )


def restore_generator(generator: np.random.Generator | torch.Generator, state: Any) -> None:
    """Put ``generator`` back into ``state`` (from :func:`capture_generator`)."""
    if isinstance(generator, torch.Generator):
        generator.set_state(state)
    elif isinstance(generator, np.random.Generator):
        generator.bit_generator.state = state
    else:
        raise TypeError(
            f"generator must be a numpy.random.Generator or torch.Generator, got {type(generator)}"
        )


class Checkpoint:
    """One checkpoint file of one run (``path=None``: checkpointing off, every call a no-op).

    Args:
        path: the file (conventionally ``*.pt``); its folder is created on the first save.
        fingerprint: the run's :func:`fingerprint`; a file with another one is refused.
    """

    def __init__(self, path: str | os.PathLike[str] | None, fingerprint: str) -> None:
        if path is not None and not isinstance(path, (str, os.PathLike)):
            raise TypeError(f"path must be a file path or None, got {type(path).__name__}")
        if not isinstance(fingerprint, str) or not fingerprint:
            raise ValueError(
                "fingerprint must be a non-empty string (see qtwin.checkpoint.fingerprint)"
            )
        self.path = None if path is None else Path(path)
        self.fingerprint = fingerprint

    @property
    def enabled(self) -> bool:
        """Whether a path was given."""
        return self.path is not None

    def exists(self) -> bool:
        """Whether a checkpoint file is there to resume from."""
        return self.path is not None and self.path.is_file()

    def save(self, state: Mapping[str, Any]) -> None:
        """Write ``state`` with the fingerprint and the global RNG states, atomically."""
        if self.path is None:
            return
        payload = {
            "format": _FORMAT,
            "fingerprint": self.fingerprint,
            "rng": capture_rng(),
            "state": dict(state),
        }
        buffer = io.BytesIO()
        torch.save(payload, buffer)
        atomic_write_bytes(self.path, buffer.getvalue())

    def load(self) -> dict[str, Any] | None:
        """The saved state (global RNG states restored), or ``None`` when there is no file.

        Raises:
            CheckpointMismatchError: the file was written by a run with another fingerprint.
            ValueError: the file is not a qtwin checkpoint (or cannot be read).
        """
        if not self.exists():
            return None
        assert self.path is not None
        try:
            payload = torch.load(self.path, map_location="cpu", weights_only=True)
        except Exception as exc:  # unpickling errors of every kind
            raise ValueError(
                f"checkpoint {self.path} cannot be read ({exc}); delete it to start afresh"
            ) from exc
        if not isinstance(payload, dict) or payload.get("format") != _FORMAT:
            raise ValueError(
                f"{self.path} is not a qtwin checkpoint; delete it or choose another path"
            )
        if payload["fingerprint"] != self.fingerprint:
            raise CheckpointMismatchError(
                f"checkpoint {self.path} was written by a different run (configuration, data "
                "or model differ); delete it, or choose another checkpoint path"
            )
        restore_rng(payload["rng"])
        return payload["state"]

    def remove(self) -> None:
        """Delete the file (e.g. once the run has finished), if there is one."""
        if self.path is not None:
            self.path.unlink(missing_ok=True)

    def __repr__(self) -> str:
        return f"Checkpoint({str(self.path)!r}, fingerprint={self.fingerprint[:12]}...)"
