r"""Entanglement profiles of every selected matrix of a (sharded) safetensors checkpoint.

A multi-gigabyte checkpoint is profiled one matrix at a time: the client lists the tensor
names of every ``*.safetensors`` shard (headers only, nothing is loaded), and each matrix
is one work unit that opens its shard memory-mapped, loads that one tensor and returns its
:class:`~qtwin.entanglement.profile.EntanglementProfile` (:func:`entanglement_profile` of
:math:`\mathrm{vec}(W)/\|W\|_F`). On a cluster (``cluster=``, :mod:`qtwin.distributed`) the
units run on the workers, which read the files themselves (paths on shared storage; only
profiles travel), and results stream back through ``on_result`` as they complete. The
computation is deterministic, so every cluster gives the in-process profiles exactly.

Example:
    >>> import tempfile, torch
    >>> from safetensors.torch import save_file
    >>> d = tempfile.mkdtemp()
    >>> save_file({"layer.0.q_proj.weight": torch.eye(8), "layer.0.norm": torch.ones(8)},
    ...           f"{d}/model.safetensors")
    >>> profs = checkpoint_profiles(d, r"q_proj", cluster="local", progress=False)
    >>> list(profs), profs["layer.0.q_proj.weight"].entropies.round(6).tolist()
    (['layer.0.q_proj.weight'], [0.693147, 1.386294, 2.079442, 1.386294, 0.693147])
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from qtwin._extras import require_module
from qtwin.distributed import ClusterSpec, map_units
from qtwin.entanglement.profile import EntanglementProfile, entanglement_profile

__all__ = ["DEFAULT_PATTERN", "checkpoint_files", "checkpoint_matrices", "checkpoint_profiles"]

#: Query, key, value and output projections of BERT- and LLaMA-style checkpoints.
DEFAULT_PATTERN = r"(q_proj|k_proj|v_proj|o_proj|query|key|value)\.weight$"


def checkpoint_files(path: str | os.PathLike[str] | Sequence[str | os.PathLike[str]]) -> list[Path]:
    """The ``*.safetensors`` files of a checkpoint directory (sorted), or the files given.

    Raises:
        ValueError: no such directory or file, or a directory without safetensors files.
    """
    if isinstance(path, (str, os.PathLike)):
        p = Path(path)
        if p.is_file():
            return [p]
        if not p.is_dir():
            raise ValueError(f"path must be a checkpoint directory or file, got {str(path)!r}")
        files = sorted(p.glob("*.safetensors"))
        if not files:
            raise ValueError(f"path {str(p)!r} holds no *.safetensors files")
        return files
    files = [Path(f) for f in path]
    missing = [str(f) for f in files if not f.is_file()]
    if not files or missing:
        raise ValueError(f"path must list existing safetensors files, missing {missing}")
    return files


def checkpoint_matrices(
    path: str | os.PathLike[str] | Sequence[str | os.PathLike[str]],
    pattern: str = DEFAULT_PATTERN,
) -> list[tuple[str, str]]:
    """``(file, name)`` of every tensor with at least two axes whose name matches ``pattern``.

    Reads only the safetensors headers; file order, then name order.
    """
    st = require_module("safetensors", extra="llm", purpose="reading safetensors checkpoints")
    regex = re.compile(pattern)
    out = []
    for file in checkpoint_files(path):
        with st.safe_open(str(file), framework="pt") as f:
            for name in sorted(f.keys()):
                if regex.search(name) and len(f.get_slice(name).get_shape()) >= 2:
                    out.append((str(file), name))
    return out


def _profile_unit(
    item: tuple[str, str, dict[str, Any]], seed: object = None
) -> EntanglementProfile:
    """Load one tensor from its shard (memory-mapped) and profile it."""
    file, name, kwargs = item
    st = require_module("safetensors", extra="llm", purpose="reading safetensors checkpoints")
    with st.safe_open(file, framework="pt") as f:
        w = f.get_tensor(name)
    if not (w.is_floating_point() and w.element_size() >= 4):
        w = w.float()  # bfloat16/float16 weights: profile in float32 and up
    return entanglement_profile(w, **kwargs)


def checkpoint_profiles(
    path: str | os.PathLike[str] | Sequence[str | os.PathLike[str]],
    pattern: str = DEFAULT_PATTERN,
    *,
    cluster: ClusterSpec = None,
    on_result: Callable[[str, EntanglementProfile], None] | None = None,
    progress: bool = True,
    **profile_kwargs: Any,
) -> dict[str, EntanglementProfile]:
    r"""Profile every matrix of a checkpoint whose name matches ``pattern``, one unit each.

    Args:
        path: checkpoint directory (all its ``*.safetensors`` shards), one file, or a list
            of files; on a cluster the workers must see the same paths.
        pattern: regular expression searched in each tensor name (tensors with fewer than
            two axes are skipped).
        cluster: ``None``/``"local"`` in this process; a spec or client runs one unit per
            matrix on the workers (:mod:`qtwin.distributed`).
        on_result: ``on_result(name, profile)`` as each profile completes (stream them to
            disk).
        progress: show a progress bar.
        **profile_kwargs: passed to :func:`entanglement_profile` (``alpha``, ``base``,
            ``sites``, ``ordering``, ``method``, ``device``, ``dtype``).

    Returns:
        ``{name: profile}`` in file and name order.

    Raises:
        ValueError: no checkpoint at ``path``, or no tensor matches ``pattern``.
    """
    units = checkpoint_matrices(path, pattern)
    if not units:
        raise ValueError(f"no tensor of {str(path)!r} with >= 2 axes matches pattern {pattern!r}")
    items = [(file, name, dict(profile_kwargs)) for file, name in units]
    hook = None if on_result is None else (lambda i, prof: on_result(units[i][1], prof))
    profs = map_units(
        _profile_unit,
        items,
        cluster=cluster,
        key="entanglement-checkpoint",
        on_result=hook,
        progress=progress,
    )
    return {name: prof for (_, name), prof in zip(units, profs, strict=True)}
