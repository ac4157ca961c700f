"""Figures: no backend chosen at import, the y axis names the band's coupling, the CL is shown,
one-edge references draw, and draw_bands works on any Axes."""

import subprocess
import sys

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from beamdump.limits.contours import ExclusionBand
from beamdump.models.base import Coupling
from beamdump.report.plotting import draw_bands, plot_bands, plot_design_scan

G_AGG = Coupling("g_agg", r"$g_{agg}$", "GeV^-1", (1e-8, 1e-1))
M = np.geomspace(0.01, 1, 20)


def band(coupling=None, cl=0.9):
    extra = {"coupling": coupling} if coupling else {}
    return ExclusionBand(M, np.geomspace(1e-7, 1e-6, 20), np.geomspace(1e-3, 1e-5, 20), cl=cl, **extra)


def axes():
    fig = Figure()
    FigureCanvasAgg(fig)
    return fig.add_subplot()


def test_import_chooses_no_backend():
    code = (
        "import matplotlib\n"
        "calls = []\n"
        "matplotlib.use = lambda *a, **k: calls.append(a)\n"
        "raw = lambda: dict.__getitem__(matplotlib.rcParams, 'backend')\n"
        "before = raw()\n"
        "import beamdump.report.plotting\n"
        "assert not calls, calls\n"
        "assert raw() is before or raw() == before, (before, raw())\n"
    )
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr


def test_y_label_is_the_coupling_and_the_legend_has_the_cl():
    ax = axes()
    artists = draw_bands(ax, [("ours", band(G_AGG, cl=0.95))])
    assert artists and ax.get_ylabel() == r"$g_{agg}$ [GeV$^{-1}$]"
    assert ax.get_legend().get_title().get_text() == "95% CL"
    ax = axes()
    draw_bands(ax, [("a", band()), ("b", band(cl=0.95))])
    assert ax.get_ylabel() == r"$\varepsilon$"
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["a (90% CL)", "b (95% CL)"]
    ax = axes()
    draw_bands(ax, [("a", band())], ylabel="g", cl=0.68, show_cl=True)
    assert ax.get_ylabel() == "g" and ax.get_legend().get_title().get_text() == "68% CL"


def test_one_edge_reference_draws_with_finite_limits():
    ref = ExclusionBand(M, np.geomspace(1e-7, 1e-6, 20), np.where(M < 0.1, 1e-3, np.nan))
    lower_only = ExclusionBand(M, np.geomspace(1e-8, 1e-7, 20), np.full(20, np.nan))
    ax = axes()
    draw_bands(ax, [("ours", band())], references=[("ref", ref), ("lower only", lower_only)])
    lo, hi = ax.get_ylim()
    assert np.isfinite([lo, hi]).all() and lo < 1e-8 < 1e-3 < hi


def test_files_are_written(tmp_path):
    g = np.geomspace(1e-9, 1e-2, 30)
    n = np.outer(np.ones(20), g) * 1e9
    path = plot_bands([("ours", band())], tmp_path / "a.png", title="t", references=[("ref", band())],
                      events=(M, g, n, 2.3), envelope=(band(), band()), marks=[("X17", 0.017, (1e-4, 1e-3))])
    assert path.stat().st_size > 0
    covered = np.zeros((4, 5), dtype=bool)
    covered[2:, 3:] = True
    out = plot_design_scan(np.arange(4.0), np.geomspace(1e9, 1e12, 5), np.full((4, 5), 1e-4), covered, tmp_path / "d.png")
    assert out.stat().st_size > 0
