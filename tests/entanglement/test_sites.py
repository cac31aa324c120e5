"""site_layout options: factorisations, orderings, explicit sites."""

from __future__ import annotations

from qtwin.entanglement import (
    site_layout,
)


def test_layout_options():
    assert site_layout((384, 384)).dims[:8] == (2,) * 7 + (3,)
    assert site_layout((8, 27), sites=[[8], [3, 9]]).dims == (8, 3, 9)
    assert site_layout((4, 2), ordering="column-major").boundaries == (1,)
