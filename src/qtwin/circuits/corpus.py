"""The OpenQASM 3 reference corpus: named circuits that tests and benchmarks load.

The corpus lives in the top-level ``circuits/`` folder of the repository: ``*.qasm`` files
written by ``circuits/generate.py`` and a ``manifest.json`` recording, for each circuit,
its ``name``, ``file``, ``num_qubits``, ``description``, ``source`` (the generator
function), gate counts, depth, the file's ``sha256`` and, where the output is a basis
state, its ``expected_bitstring`` (Qiskit order). :func:`load` checks the hash, so a
hand-edited file is refused instead of silently giving wrong reference results.

The folder is found from the ``QTWIN_CIRCUITS_DIR`` environment variable, else as
``circuits/`` at the root of the source checkout this module was imported from.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

from qiskit import QuantumCircuit

from qtwin._io import corpus_folder

__all__ = ["corpus_dir", "list_circuits", "load", "circuit_names"]

ENV_VAR = "QTWIN_CIRCUITS_DIR"


def corpus_dir() -> Path:
    """The folder holding the corpus: ``$QTWIN_CIRCUITS_DIR``, else ``<repo root>/circuits``.

    Raises:
        FileNotFoundError: when the folder has no ``manifest.json`` (e.g. an installed
            wheel without the source checkout: set ``QTWIN_CIRCUITS_DIR``).

    Example:
        >>> (corpus_dir() / "manifest.json").is_file()
        True
    """
    return corpus_folder("circuits", ENV_VAR, what="circuit corpus")


def _manifest(path: Path) -> dict[str, Any]:
    with open(path / "manifest.json", encoding="utf-8") as fh:
        return json.load(fh)


def list_circuits() -> list[dict[str, Any]]:
    """The manifest entries, one dict per circuit (a copy; safe to modify).

    Example:
        >>> entries = list_circuits()
        >>> {"name", "file", "num_qubits", "description", "source", "sha256"} <= set(entries[0])
        True
    """
    return [dict(e) for e in _manifest(corpus_dir())["circuits"]]


def circuit_names() -> list[str]:
    """Names of the corpus circuits, in manifest order.

    Example:
        >>> "ghz_12" in circuit_names()
        True
    """
    return [e["name"] for e in list_circuits()]


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def load(name: str, *, verify: bool = True) -> QuantumCircuit:
    """Load corpus circuit ``name`` as a Qiskit ``QuantumCircuit`` (no measurements).

    Args:
        name: a manifest name, e.g. ``"ghz_12"`` (see :func:`circuit_names`).
        verify: check the file's sha256 against the manifest first.

    Raises:
        ValueError: for an unknown name (the message lists the valid ones) or a file whose
            hash does not match the manifest.

    Example:
        >>> qc = load("ghz_12")
        >>> qc.num_qubits, qc.name
        (12, 'ghz_12')
    """
    from qiskit import qasm3
    from qiskit.exceptions import MissingOptionalLibraryError

    entries = {e["name"]: e for e in list_circuits()}
    if name not in entries:
        raise ValueError(f"name must be one of the corpus circuits {sorted(entries)}, got {name!r}")
    entry = entries[name]
    path = corpus_dir() / entry["file"]
    if verify:
        digest = _sha256(path)
        if digest != entry["sha256"]:
            raise ValueError(
                f"{path} does not match its manifest sha256 ({digest} != {entry['sha256']}); "
                "it was modified: regenerate the corpus with python circuits/generate.py"
            )
    try:
        qc = qasm3.load(str(path))
    except MissingOptionalLibraryError as exc:  # pragma: no cover - depends on the environment
        raise ImportError(
            "loading OpenQASM 3 needs qiskit-qasm3-import: pip install qiskit-qasm3-import"
        ) from exc
    qc.name = name
    return qc
