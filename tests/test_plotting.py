"""Figures: no backend chosen at import, the y axis names the band's coupling, the CL is shown,
one-edge references draw, and draw_bands works on any Axes."""

import subprocess
import sys

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.collections import QuadMesh
from matplotlib.colors import to_rgb
from matplotlib.figure import Figure
from matplotlib.patches import Polygon
from matplotlib.text import Text

from beamdump.limits.contours import ExclusionBand
from beamdump.models.base import Coupling
from beamdump.report.plotting import (
    draw_bands,
    figure_bands,
    fits,
    plot_bands,
    plot_design_scan,
    reference_label,
    short_description,
    short_name,
)

G_AGG = Coupling("g_agg", r"$g_{agg}$", "GeV^-1", (1e-8, 1e-1))
M = np.geomspace(0.01, 1, 20)


def band(coupling=None, cl=0.9, model=None):
    extra = {"coupling": coupling} if coupling else {}
    extra.update({"model": model} if model else {})
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
    artists = draw_bands(ax, [("ours", band(G_AGG, cl=0.95, model="alp-photon"))])
    assert artists and ax.get_ylabel() == r"$g_{agg}$ [GeV$^{-1}$]"
    assert ax.get_legend().get_title().get_text() == "alp-photon ($g_{agg}$), 95% CL"
    ax = axes()
    draw_bands(ax, [("a", band()), ("b", band(cl=0.95))])
    assert ax.get_ylabel() == r"$\varepsilon$"
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["a (90% CL)", "b (95% CL)"]
    assert ax.get_legend().get_title().get_text() == r"dark-photon ($\varepsilon$)"
    ax = axes()
    draw_bands(ax, [("a", band())], ylabel="g", cl=0.68, show_cl=True)
    assert ax.get_ylabel() == "g" and ax.get_legend().get_title().get_text() == r"dark-photon ($\varepsilon$), 68% CL"
    ax = axes()  # compare: each entry says its CL even when they agree
    draw_bands(ax, [("NA64 visible mode 2017+2018", band()), ("nu-Cal I", band())], cl_per_entry=True)
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["NA64 visible mode 2017+2018 (90% CL)", "nu-Cal I (90% CL)"]
    assert "CL" not in ax.get_legend().get_title().get_text()


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


def test_a_long_title_fits_inside_the_figure_at_the_default_size():
    g = np.geomspace(1e-9, 1e-2, 30)
    title = "NA64 ALP -> gamma gamma search (2.84e11 EOT, 100 GeV e- on the ECAL active dump): by production channel"
    fig = figure_bands([("ours", band())], title=title, events=(M, g, np.outer(np.ones(20), g) * 1e9, 2.3))
    ax = fig.axes[0]
    shown = next(t for t in ax.findobj(Text) if t.get_text() and t.get_text().replace("\n", " ") == title)
    assert fits(fig, shown)
    assert shown.get_fontsize() >= 9
    bare = Figure(figsize=fig.get_size_inches())  # the same title left alone would overflow: the test can fail
    FigureCanvasAgg(bare)
    t = bare.add_subplot().set_title(title, fontsize=14, loc="left")
    assert not fits(bare, t)


def test_band_envelope_is_hatched_apart_from_the_event_map():
    g = np.geomspace(1e-9, 1e-2, 30)
    ax = axes()
    artists = draw_bands(ax, [("ours", band())], events=(M, g, np.outer(np.ones(20), g) * 1e9, 2.3), envelope=(band(), band()))
    hatched = [a for a in artists if isinstance(a, Polygon) and a.get_hatch()]
    assert len(hatched) == 1 and hatched[0].get_facecolor()[3] == 0  # hatch only: the grey map shows through
    mesh = next(a for a in artists if isinstance(a, QuadMesh))
    assert mesh.get_cmap().name == "Greys" and to_rgb(hatched[0].get_edgecolor()) != to_rgb("grey")
    texts = [t.get_text() for t in ax.get_legend().get_texts()]
    assert texts[:2] == ["excluded under some variation", "excluded under every variation"]


def test_legends_name_experiments_and_papers_not_files():
    assert short_name("NA64 visible mode 2017+2018 (8.4e10 EOT at 100 and 150 GeV)") == "NA64 visible mode 2017+2018"
    assert short_name("NA62 beam-dump mode, projection for 1e18 POT") == "NA62 beam-dump mode, projection for 1e18 POT"
    ref = ExclusionBand(M, np.full(20, 1e-7), np.full(20, 1e-5), comments=(
        "experiment: NA62 in beam-dump mode, 2021 data, 1.4e17 POT", "paper: arXiv:2303.08666, JHEP 09 (2023) 035, Fig. 14"))
    assert reference_label(ref, "na62_mumu_2021.csv") == "NA62 in beam-dump mode: published (arXiv:2303.08666)"
    no_paper = ExclusionBand(M, np.full(20, 1e-7), np.full(20, 1e-5), comments=("experiment: CHARM, 400 GeV p",))
    assert reference_label(no_paper, "charm.csv") == "CHARM: published"
    assert short_description("π⁰ → γA′ (proton beams; PDG 2024)") == "π$^0$ → γA'"
    assert short_description("hadrons (R-ratio; pi+ pi- kinematics above 2 m_pi, pi0 gamma below)") == "hadrons"


def test_a_long_legend_entry_wraps_and_stays_inside_the_figure():
    """An HNL analysis lists many final states: its legend entry wraps onto several lines (at
    LEGEND_WIDTH characters) and the legend lies inside the figure, above the band."""
    from beamdump.report.plotting import LEGEND_WIDTH, figure_bands

    label = "beamdump: BEBC WA66 beam dump (nu e- e+ + nu e- mu+ + nu mu- mu+ + e- pi+ + e- rho+ + nu pi0)"
    fig = figure_bands([(label, band())])
    fig.canvas.draw()
    ax = fig.axes[0]
    texts = [t.get_text() for t in ax.get_legend().get_texts()]
    assert len(texts) == 1 and texts[0].count("\n") >= 1
    assert all(len(line) <= LEGEND_WIDTH for line in texts[0].splitlines())
    box = ax.get_legend().get_window_extent(fig.canvas.get_renderer())
    whole = fig.bbox
    assert box.x0 >= whole.x0 and box.x1 <= whole.x1 and box.y0 >= whole.y0 and box.y1 <= whole.y1
