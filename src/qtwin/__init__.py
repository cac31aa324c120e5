"""qtwin: quantum circuits and their classical twins on one shared tensor-network simulator."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("qtwin")
except PackageNotFoundError:  # pragma: no cover - running from a source tree without install
    __version__ = "0.0.0"

__all__ = ["__version__"]
