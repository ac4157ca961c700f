"""A band whose upper edge is open at the search cap is drawn filled up to the cap."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")
import numpy as np  # noqa: E402

from beamdump.limits.contours import ExclusionBand, UnclosedEdge  # noqa: E402
from beamdump.report.plotting import _open_top, figure_bands  # noqa: E402


def test_open_upper_edge_is_filled_to_where_the_search_stopped():
    m = np.array([1e-4, 1e-3, 1e-2])
    band = ExclusionBand(m, np.array([1e-4, 1e-5, 1e-6]), np.array([np.nan, 0.5, 1e-3]),
                         unclosed=(UnclosedEdge(1e-4, "upper", "N >= N_up at the cap", 1.0),))
    top = _open_top(band)
    assert top[0] == 1.0 and np.isnan(top[1:]).all()
    fig = figure_bands([("ours", band)])
    ax = fig.axes[0]
    dotted = [ln for ln in ax.get_lines() if ln.get_linestyle() == ":"]
    assert dotted and np.nanmax(dotted[0].get_ydata()) == 1.0


def test_the_legend_room_lies_above_an_open_top():
    """The axis clears the dotted top (the cap, above every closed edge) by the legend's room."""
    m = np.array([1e-4, 1e-3, 1e-2])
    band = ExclusionBand(m, np.array([1e-8, 1e-9, 1e-10]), np.array([np.nan, 1e-3, 1e-4]),
                         unclosed=(UnclosedEdge(1e-4, "upper", "N >= N_up at the cap", 1.0),))
    ax = figure_bands([("a", band), ("b", band)]).axes[0]
    lo, hi = ax.get_ylim()
    entries = 2 + 2  # two bands, the legend's title and its padding
    frac = np.log10(hi / 8.0) / np.log10(hi / lo)  # the share of the axis above the dotted top (x 8)
    assert frac >= 0.045 * entries - 1e-9
