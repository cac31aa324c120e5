"""Matplotlib figures that never touch pyplot's global state (Agg renderer, PNG out), in
qtwin's shared style.

Experiments build their figures with :func:`new_figure` inside :func:`use_style` and save
them with :meth:`qtwin.experiments.store.ResultStore.save_figure` (with a ``caption=``);
this works headless, inside notebooks and in tests alike, and leaves the user's matplotlib
backend and settings alone::

    with use_style():
        fig, ax = new_figure()
        ax.errorbar(lengths, survival, yerr=sem, fmt="o", label="measured")
        ax.plot(lengths, fit, label=f"fit, f = {f:.4f}")
        ax.set_xlabel("sequence length m")
        ax.set_ylabel("survival probability")
        ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1))   # outside the data
        store.save_figure(fig, "decay.png", caption="Survival probability vs length ...")

The style (``qtwin.mplstyle`` in this package, :data:`STYLE_PATH`): readable tick and label
sizes, constrained layout (no overlapping labels), the Okabe–Ito colour-blind-safe colour
cycle, a light grid and no top/right spines. :func:`apply_style` makes it the default for a
whole session (notebooks).
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from importlib.resources import as_file, files
from pathlib import Path
from typing import Any

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

__all__ = [
    "STYLE_PATH",
    "OKABE_ITO",
    "new_figure",
    "use_style",
    "apply_style",
    "style_path",
    "plain_log_ticks",
]

#: The colour cycle of the style (Okabe & Ito, "Color Universal Design").
OKABE_ITO: tuple[str, ...] = (
    "#0072B2",
    "#E69F00",
    "#009E73",
    "#D55E00",
    "#CC79A7",
    "#56B4E9",
    "#F0E442",
    "#000000",
)


def style_path() -> Path:
    """The path of ``qtwin.mplstyle`` (a real file, also for zipped installs)."""
    resource = files("qtwin.experiments").joinpath("qtwin.mplstyle")
    with as_file(resource) as path:
        return Path(path)


#: Path of qtwin's matplotlib style file.
STYLE_PATH: Path = style_path()


@contextlib.contextmanager
def use_style() -> Iterator[None]:
    """Context manager (or decorator: ``@use_style()``) applying qtwin's style inside it.

    Example:
        >>> import matplotlib as mpl
        >>> with use_style():
        ...     mpl.rcParams["axes.spines.top"], mpl.rcParams["xtick.labelsize"]
        (False, 10.0)
        >>> mpl.rcParams["axes.spines.top"]  # restored afterwards
        True
    """
    import matplotlib.style

    with matplotlib.style.context(str(STYLE_PATH)):
        yield


def apply_style() -> None:
    """Make qtwin's style the default for the rest of the session (e.g. in a notebook)."""
    import matplotlib.style

    matplotlib.style.use(str(STYLE_PATH))


def new_figure(
    nrows: int = 1,
    ncols: int = 1,
    *,
    figsize: tuple[float, float] = (7.0, 4.2),
    **kwargs: Any,
) -> tuple[Figure, Any]:
    """Return ``(figure, axes)`` drawn by the Agg renderer, like ``plt.subplots``.

    Args:
        nrows: rows of axes.
        ncols: columns of axes.
        figsize: size in inches.
        **kwargs: passed to :meth:`matplotlib.figure.Figure.subplots`.

    Example:
        >>> with use_style():
        ...     fig, ax = new_figure()
        ...     _ = ax.plot([0, 1], [1, 0])
        >>> type(fig.canvas).__name__, fig.get_layout_engine().__class__.__name__
        ('FigureCanvasAgg', 'ConstrainedLayoutEngine')
    """
    fig = Figure(figsize=figsize, layout="constrained")
    FigureCanvasAgg(fig)
    axes = fig.subplots(nrows, ncols, **kwargs)
    return fig, axes


#: "nice" tick values for logarithmic axes that span less than a few decades
_NICE = tuple(m * 10.0**e for e in range(-9, 10) for m in (1, 1.5, 2, 3, 5))


def plain_log_ticks(
    ax: Any, lo: float | None = None, hi: float | None = None, *, extra: tuple[float, ...] = ()
) -> None:
    """A logarithmic y axis labelled with plain numbers (0.5, 1, 2, 3...), not ``2×10⁰``.

    With ``lo`` and ``hi`` the axis spans ``[lo, hi]`` with ticks on the 1-1.5-2-3-5 sequence
    (thinned to 1-2-5 when there would be more than seven) plus the values ``extra`` (e.g. a
    labelled reference line); without them the limits stay matplotlib's and the ticks fall on
    1, 2, 3 and 5 times each power of ten. Minor ticks are off in both cases.

    Example:
        >>> with use_style():
        ...     fig, ax = new_figure()
        ...     _ = ax.plot([1, 2], [0.9, 1.25])
        ...     plain_log_ticks(ax, 0.5, 3.0, extra=(1.25,))
        >>> [t.get_text() for t in ax.get_yticklabels()]
        ['0.5', '1', '1.25', '1.5', '2', '3']
    """
    from matplotlib.ticker import FixedLocator, FuncFormatter, LogLocator, NullLocator

    ax.set_yscale("log")
    if lo is None or hi is None:
        ax.yaxis.set_major_locator(LogLocator(subs=(1.0, 2.0, 3.0, 5.0)))
    else:
        ax.set_ylim(lo, hi)
        ticks = [v for v in _NICE if lo <= v <= hi]
        if len(ticks) > 7:  # thin to the 1-2-5 sequence
            ticks = [v for v in ticks if f"{v:.0e}"[0] in "125"]
        ticks = sorted(set(ticks) | {v for v in extra if lo <= v <= hi})
        ax.yaxis.set_major_locator(FixedLocator(ticks))
    ax.yaxis.set_minor_locator(NullLocator())
    ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:g}"))
