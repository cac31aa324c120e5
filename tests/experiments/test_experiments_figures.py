"""qtwin's shared matplotlib style: the file, the context manager, the session default."""

from __future__ import annotations

import matplotlib as mpl
import pytest

from qtwin.experiments.figures import OKABE_ITO, STYLE_PATH, apply_style, new_figure, use_style


def test_style_file_is_in_the_package_and_parses():
    assert STYLE_PATH.name == "qtwin.mplstyle" and STYLE_PATH.is_file()
    params = mpl.rc_params_from_file(str(STYLE_PATH), use_default_template=False)
    colours = [mpl.colors.to_hex(c["color"]).upper() for c in params["axes.prop_cycle"]]
    assert colours == list(OKABE_ITO)
    assert params["figure.constrained_layout.use"] is True
    assert params["xtick.labelsize"] >= 9 and params["axes.labelsize"] >= 10


def test_use_style_applies_inside_and_restores_after():
    before = dict(mpl.rcParams)
    with use_style():
        colours = [mpl.colors.to_hex(c["color"]).upper() for c in mpl.rcParams["axes.prop_cycle"]]
        assert colours == list(OKABE_ITO)
        assert mpl.rcParams["axes.grid"] is True and mpl.rcParams["grid.alpha"] < 0.5
        fig, ax = new_figure()
        (line,) = ax.plot([0, 1])
        assert mpl.colors.to_hex(line.get_color()).upper() == OKABE_ITO[0]
        assert ax.xaxis.get_label().get_fontsize() == pytest.approx(11)
    assert dict(mpl.rcParams) == before


def test_use_style_as_a_decorator():
    @use_style()
    def grid_on() -> bool:
        return bool(mpl.rcParams["axes.grid"])

    with mpl.rc_context({"axes.grid": False}):
        assert grid_on() is True
        assert mpl.rcParams["axes.grid"] is False


def test_apply_style_sets_the_session_default():
    with mpl.rc_context():
        apply_style()
        assert mpl.rcParams["axes.spines.top"] is False
    assert mpl.rcParams["axes.spines.top"] is True
