"""Matplotlib figures that never touch pyplot's global state (Agg renderer, PNG out).

Experiments build their figures with :func:`new_figure` and save them with
:meth:`qtwin.experiments.store.ResultStore.save_figure`; this works headless, inside
notebooks and in tests alike, and leaves the user's matplotlib backend alone.
"""

from __future__ import annotations

from typing import Any

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

__all__ = ["new_figure"]


def new_figure(
    nrows: int = 1, ncols: int = 1, *, figsize: tuple[float, float] = (7.0, 4.0), **kwargs: Any
) -> tuple[Figure, Any]:
    """Return ``(figure, axes)`` drawn by the Agg renderer, like ``plt.subplots``.

    Args:
        nrows: rows of axes.
        ncols: columns of axes.
        figsize: size in inches.
        **kwargs: passed to :meth:`matplotlib.figure.Figure.subplots`.

    Example:
        >>> fig, ax = new_figure()
        >>> _ = ax.plot([0, 1], [1, 0])
        >>> type(fig.canvas).__name__
        'FigureCanvasAgg'
    """
    fig = Figure(figsize=figsize, layout="constrained")
    FigureCanvasAgg(fig)
    axes = fig.subplots(nrows, ncols, **kwargs)
    return fig, axes
