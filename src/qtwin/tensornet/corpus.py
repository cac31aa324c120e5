"""The reference-MPS corpus: named matrix product states that tests and benchmarks load.

The corpus lives in the top-level ``tensornet/`` folder of the repository (as ``circuits/``
holds the circuit corpus): one ``<name>.npz`` per state, written by ``tensornet/generate.py``
with quimb (DMRG ground states of Heisenberg, XX and transverse-field Ising chains, TEBD
quenches of the Néel state, random MPS with a prescribed entanglement profile), and a
``manifest.json`` recording for each state its ``name``, ``file``, ``kind``, ``num_sites``,
``dims``, ``bond_dims``, ``description``, the ``hamiltonian`` (the
:mod:`qtwin.circuits.hamiltonians` function and its arguments), the ``energy`` (and the exact
``energy_exact`` where a closed form exists) or the quench ``time``, the
``entropy_profile`` (nats) and the file's ``sha256``. :func:`load` checks the hash, so a
modified file is refused instead of silently giving wrong reference results.

The folder is found from the ``QTWIN_TENSORNET_CORPUS`` environment variable, else as
``tensornet/`` at the root of the source checkout this module was imported from (an
installed wheel does not carry the corpus: point the variable at a copy of the folder).

Example:
    >>> psi = load("tfim_critical_20")
    >>> psi.num_sites, max(psi.bond_dims) <= 32
    (20, True)
    >>> from qtwin.circuits import transverse_field_ising
    >>> e = psi.expectation(transverse_field_ising(20, J=1.0, g=1.0)).real
    >>> abs(e - entry("tfim_critical_20")["energy"]) < 1e-8
    True
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import numpy as np
import torch

from qtwin._io import corpus_folder
from qtwin.tensornet.mps import MPS

__all__ = ["ENV_VAR", "corpus_dir", "entries", "entry", "load", "names"]

#: environment variable naming the folder that holds ``manifest.json`` and the states
ENV_VAR = "QTWIN_TENSORNET_CORPUS"


def corpus_dir() -> Path:
    """The folder holding the corpus: ``$QTWIN_TENSORNET_CORPUS``, else ``<repo>/tensornet``.

    Raises:
        FileNotFoundError: when the folder has no ``manifest.json`` (e.g. an installed
            wheel without the source checkout: set ``QTWIN_TENSORNET_CORPUS``).

    Example:
        >>> (corpus_dir() / "manifest.json").is_file()
        True
    """
    return corpus_folder("tensornet", ENV_VAR, what="reference-MPS corpus")


def entries() -> list[dict[str, Any]]:
    """The manifest records, one dict per state, in manifest order (copies).

    Example:
        >>> {"name", "file", "kind", "num_sites", "sha256"} <= set(entries()[0])
        True
    """
    with open(corpus_dir() / "manifest.json", encoding="utf-8") as fh:
        return [dict(e) for e in json.load(fh)["states"]]


def names() -> list[str]:
    """Names of the corpus states, in manifest order.

    Example:
        >>> "xxz_quench_20" in names()
        True
    """
    return [e["name"] for e in entries()]


def entry(name: str) -> dict[str, Any]:
    """The manifest record of state ``name`` (energies, entropies, Hamiltonian, ...).

    Raises:
        ValueError: an unknown name; the message lists the valid ones.
    """
    found = {e["name"]: e for e in entries()}
    if name not in found:
        raise ValueError(f"name must be one of the corpus states {sorted(found)}, got {name!r}")
    return found[name]


def load(
    name: str,
    *,
    verify: bool = True,
    dtype: torch.dtype = torch.complex128,
    device: torch.device | str | None = None,
) -> MPS:
    """Load corpus state ``name`` as a qtwin :class:`~qtwin.tensornet.MPS`.

    Args:
        name: a manifest name, e.g. ``"heisenberg_12"`` (see :func:`names`).
        verify: check the file's sha256 against the manifest first.
        dtype: ``torch.complex128`` (as stored) or ``torch.complex64``.
        device: torch device of the tensors.

    Returns:
        A normalized MPS (site ``i`` is qubit ``i``) in canonical form around site 0.

    Raises:
        ValueError: an unknown name (the message lists the valid ones) or a file whose
            hash does not match the manifest.

    Example:
        >>> load("heisenberg_12").bond_dims
        [2, 4, 8, 16, 32, 29, 32, 16, 8, 4, 2]
    """
    rec = entry(name)
    path = corpus_dir() / rec["file"]
    if verify:
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
        if digest != rec["sha256"]:
            raise ValueError(
                f"{path} does not match its manifest sha256 ({digest} != {rec['sha256']}); "
                "it was modified: regenerate the corpus with python tensornet/generate.py"
            )
    with np.load(path) as data:
        arrays = [data[f"site_{i}"] for i in range(rec["num_sites"])]
    tensors = [torch.as_tensor(a).to(dtype=dtype, device=device) for a in arrays]
    return MPS(tensors).canonicalize(0)
