"""Crash-safe file writes: a temporary file in the target's folder, then :func:`os.replace`.

:func:`os.replace` is atomic on POSIX and Windows, so a reader (or a rerun after ``Ctrl-C``)
sees either the old file or the new one, never half a file. New files get the mode an
ordinary ``open(path, "w")`` would give them (``0o666`` less the process umask, so ``0644``
under umask ``022``); a file that is replaced keeps its mode.
"""

from __future__ import annotations

import json
import math
import os
import re
import stat
import tempfile
import threading
from pathlib import Path
from typing import Any

__all__ = [
    "atomic_write_bytes",
    "atomic_write_text",
    "atomic_write_json",
    "to_jsonable",
    "corpus_folder",
]

_UMASK_LOCK = threading.Lock()


def current_umask() -> int:
    """The process umask, read without changing it where the OS allows (Linux ``/proc``)."""
    try:
        with open("/proc/self/status", encoding="ascii") as fh:
            match = re.search(r"^Umask:\s*([0-7]+)", fh.read(), re.MULTILINE)
        if match:
            return int(match.group(1), 8)
    except OSError:
        pass
    with _UMASK_LOCK:  # set-and-restore is the only portable way to read it
        mask = os.umask(0o022)
        os.umask(mask)
    return mask


def _target_mode(path: Path) -> int:
    """Mode for ``path``: its current mode when it exists, else ``0o666 & ~umask``."""
    try:
        return stat.S_IMODE(path.stat().st_mode)
    except OSError:
        return 0o666 & ~current_umask()


def atomic_write_bytes(path: str | os.PathLike[str], data: bytes) -> Path:
    """Write ``data`` to ``path`` atomically (temporary file + :func:`os.replace`).

    The file mode follows the umask (see the module docstring), not ``mkstemp``'s ``0600``.

    Example:
        >>> import tempfile, pathlib
        >>> d = pathlib.Path(tempfile.mkdtemp())
        >>> atomic_write_bytes(d / "a.bin", b"xyz").read_bytes()
        b'xyz'
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    mode = _target_mode(path)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            if hasattr(os, "fchmod"):
                os.fchmod(fh.fileno(), mode)
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        if not hasattr(os, "fchmod"):  # pragma: no cover - Windows
            os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise
    return path


def atomic_write_text(path: str | os.PathLike[str], text: str) -> Path:
    """Write ``text`` (UTF-8) to ``path`` atomically."""
    return atomic_write_bytes(path, text.encode("utf-8"))


def to_jsonable(obj: Any) -> Any:
    """Convert numpy/torch scalars and arrays, tuples, paths and complex numbers to JSON.

    Complex numbers become ``{"re": x, "im": y}``; NaN and infinities become ``None``
    (strict JSON has neither).

    Example:
        >>> import numpy as np
        >>> to_jsonable({"a": np.float64(0.5), "b": (1, 2), "c": np.arange(2), "d": float("nan")})
        {'a': 0.5, 'b': [1, 2], 'c': [0, 1], 'd': None}
    """
    if isinstance(obj, dict):
        return {str(k): to_jsonable(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [to_jsonable(v) for v in obj]
    if isinstance(obj, bool) or obj is None or isinstance(obj, (int, str)):
        return obj
    if isinstance(obj, float):  # includes numpy.float64
        return float(obj) if math.isfinite(obj) else None
    if isinstance(obj, complex):
        return {"re": to_jsonable(obj.real), "im": to_jsonable(obj.imag)}
    if isinstance(obj, os.PathLike):
        return os.fspath(obj)
    if hasattr(obj, "tolist"):  # numpy arrays and scalars, torch tensors
        if hasattr(obj, "detach"):
            obj = obj.detach().cpu()
        return to_jsonable(obj.tolist())
    raise TypeError(f"cannot store a value of type {type(obj).__name__} as JSON: {obj!r}")


def atomic_write_json(path: str | os.PathLike[str], obj: Any) -> Path:
    """Write ``obj`` as indented strict JSON to ``path`` atomically (see :func:`to_jsonable`)."""
    text = json.dumps(to_jsonable(obj), indent=2, allow_nan=False)
    return atomic_write_text(path, text + "\n")


def corpus_folder(folder: str, env_var: str, *, what: str = "corpus") -> Path:
    """The folder of a repository corpus (``circuits/``, ``tensornet/``): ``$env_var``, else
    ``<repository root>/<folder>``; it must hold a ``manifest.json``.

    Args:
        folder: the corpus folder's name at the repository root.
        env_var: the environment variable that overrides it (for an installed wheel).
        what: what the corpus holds, for the error message.

    Raises:
        FileNotFoundError: the folder has no ``manifest.json``; the message names the variable
            and the generator script ``<folder>/generate.py``.

    Example:
        >>> (corpus_folder("circuits", "QTWIN_CIRCUITS_DIR") / "manifest.json").is_file()
        True
    """
    env = os.environ.get(env_var)
    root = Path(__file__).resolve().parents[2]  # src/qtwin/_io.py -> the repository root
    path = Path(env).expanduser().resolve() if env else root / folder
    if not (path / "manifest.json").is_file():
        where = f"${env_var} = {env!r}" if env else "the source checkout"
        raise FileNotFoundError(
            f"no {folder}/manifest.json found at {path} (from {where}); set {env_var} to the "
            f"folder holding the {what}, or regenerate it with python {folder}/generate.py"
        )
    return path
