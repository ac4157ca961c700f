"""Figures in the field's style: exclusion bands on log axes (mplhep), reference curves beside them.

Nothing here chooses a matplotlib backend or imports pyplot: the figures written to files are
:class:`matplotlib.figure.Figure` objects on an Agg canvas, and :func:`draw_bands`
draws into any Axes the caller has (a notebook's, a subplot of a larger figure). The mplhep style
applies only while a file figure is made, not to the caller's session.
"""

from __future__ import annotations

import re
import textwrap
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterator, Sequence

import numpy as np
from matplotlib import colormaps, rcParams
from matplotlib import style as mpl_style
from matplotlib.artist import Artist
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.text import Text
from matplotlib.ticker import FuncFormatter, LogLocator, NullFormatter

from ..limits.contours import DEFAULT_COUPLING, ExclusionBand, format_cl
from ..models.base import Coupling

FIGSIZE = (8, 6.4)
DPI = 110
TITLE_SIZE = 14  # points; a title wider than the figure shrinks to WRAP_TITLE_SIZE, then wraps, then shrinks
WRAP_TITLE_SIZE = 12
MIN_TITLE_SIZE = 9
ENVELOPE_COLOUR = "darkorange"  # the --band region: hatched orange, apart from the grey event map and the blue band


LEGEND_LINE = 0.045  # fraction of the axes height one legend line takes (12 pt on the default figure)
LEGEND_WIDTH = 46  # characters of a legend entry per line before it wraps


def _mantissa(x: float) -> int:
    """The leading digit of a tick value (2 of 0.2, 1 of 10)."""
    return int(round(x / 10 ** np.floor(np.log10(x) + 1e-9)))


def _tick_label(x: float) -> str:
    """A tick value as a number (0.2, 5, 1) between 1e-3 and 1e4, else as m×10^k."""
    if 1e-3 <= x < 1e4:
        return f"{x:g}"
    k = int(np.floor(np.log10(x) + 1e-9))
    m = _mantissa(x)
    return f"$10^{{{k}}}$" if m == 1 else rf"${m}\times10^{{{k}}}$"


def short_name(title: str) -> str:
    """An experiment's name for a legend: its preset title up to the first parenthesis, e.g.
    "NA64 visible mode 2017+2018" of "NA64 visible mode 2017+2018 (8.4e10 EOT at 100 and 150 GeV)"."""
    return title.split(" (", 1)[0].strip() or title


def short_description(description: str, width: int = 45) -> str:
    """A one-line description for a legend: up to its first parenthesis or comma, at most
    ``width`` characters ("hadrons (R-ratio; …)" → "hadrons"; "π⁰ → γA′ (proton beams; …)" → "π⁰ → γA′")."""
    head = description.split(" (", 1)[0].split(", ", 1)[0].strip() or description
    return textwrap.shorten(head, width, placeholder="…").translate(_GLYPHS)


#: Characters the figure fonts lack, as mathtext: superscripts and the prime (π⁰, A′, e⁺e⁻).
_GLYPHS = str.maketrans({"⁰": "$^0$", "⁺": "$^+$", "⁻": "$^-$", "′": "'", "±": r"$\pm$"})


def reference_label(band: ExclusionBand, fallback: str) -> str:
    """A published band's legend entry: the experiment (its ``# experiment:`` line up to the first
    comma) and the paper (the first arXiv number of its ``# paper:`` line, the last for a recast,
    else the start of the line), e.g. "NA62 in beam-dump mode: published (arXiv:2303.08666)";
    ``fallback`` (e.g. the file name) when the file names neither."""
    paper = next((c.split(":", 1)[1].strip() for c in band.comments if c.startswith("paper:")), "")
    experiment = next((c.split(":", 1)[1].split(",")[0].strip() for c in band.comments if c.startswith("experiment:")), "")
    arxiv = re.findall(r"arXiv:\d{4}\.\d{4,5}", paper)
    if arxiv:
        cite = arxiv[-1] if "recast" in paper or "DarkCast" in paper else arxiv[0]
    else:
        cite = textwrap.shorten(paper, 40, placeholder="…")
    if not cite:
        return f"{experiment}: published" if experiment else fallback
    return f"{experiment}: published ({cite})" if experiment else f"published ({cite})"


def _closed(band: ExclusionBand) -> tuple[np.ndarray, np.ndarray]:
    """The band as one closed polygon (lower edge out, upper edge back)."""
    x = np.concatenate([band.masses, band.masses[::-1], band.masses[:1]])
    y = np.concatenate([band.lower, band.upper[::-1], band.lower[:1]])
    return x, y


@contextmanager
def _style() -> Iterator[None]:
    """The mplhep ROOT style while a file figure is made (not left in the caller's session)."""
    import mplhep  # here, not at import: mplhep imports pyplot

    with mpl_style.context(mplhep.style.ROOT):
        yield


def _new_figure(figsize: tuple[float, float] = FIGSIZE) -> Figure:
    fig = Figure(figsize=figsize)
    FigureCanvasAgg(fig)
    return fig


def _titles(fig: Figure) -> list[Text]:
    """The non-empty axes titles of ``fig`` (each of left, centre, right)."""
    found = []
    for ax in fig.axes:
        for loc in ("left", "center", "right"):
            text = ax.get_title(loc)
            if text:
                found.append(next(t for t in ax.findobj(Text) if t.get_text() == text and t.axes is ax))
    return found


def fits(fig: Figure, text: Text) -> bool:
    """Whether ``text`` as rendered lies inside the figure (pixels, at the figure's dpi)."""
    box = text.get_window_extent(fig.canvas.get_renderer())
    return box.x0 >= -0.5 and box.y0 >= -0.5 and box.x1 <= fig.bbox.x1 + 0.5 and box.y1 <= fig.bbox.y1 + 0.5


def _fit_titles(fig: Figure) -> None:
    """Lay ``fig`` out so that every title fits: smaller type first (down to WRAP_TITLE_SIZE),
    then wrapped onto more lines, then smaller again (down to MIN_TITLE_SIZE)."""
    fig.tight_layout()
    changed = False
    for title in _titles(fig):
        if fits(fig, title):
            continue
        changed = True
        _shrink(fig, title, WRAP_TITLE_SIZE)
        width = len(title.get_text())
        while not fits(fig, title) and width > 20:
            width = int(width * 0.8)
            title.set_text(textwrap.fill(" ".join(title.get_text().split()), width))
        _shrink(fig, title, MIN_TITLE_SIZE)
    if changed:  # a smaller or wrapped title: lay out again (only then: a layout costs a draw)
        fig.tight_layout()


def _shrink(fig: Figure, title: Text, smallest: float) -> None:
    size = float(title.get_fontsize())
    while not fits(fig, title) and size > smallest:
        size -= 1.0
        title.set_fontsize(size)


@contextmanager
def _file_figure(path: str | Path, figsize: tuple[float, float] = FIGSIZE) -> Iterator[Figure]:
    """A Figure on an Agg canvas in the mplhep ROOT style; on leaving: laid out with its titles
    fitted and written (110 dpi)."""
    with _style():
        fig = _new_figure(figsize)
        yield fig
        _fit_titles(fig)
        fig.savefig(Path(path), dpi=DPI)


def _draw_band(ax: Axes, band: ExclusionBand, color, ls: str, lw: float, label: str, fill_alpha: float | None) -> list[Artist]:
    """One band: a closed outline (filled when ``fill_alpha``); a band with a missing edge at some
    masses (a published one-sided limit) as its edges, each broken where it is missing."""
    if np.isfinite(band.lower).all() and np.isfinite(band.upper).all():
        x, y = _closed(band)
        out: list[Artist] = []
        if fill_alpha is not None:
            out += ax.fill(x, y, color=color, alpha=fill_alpha, lw=0)
        return out + ax.plot(x, y, color=color, lw=lw, ls=ls, label=label)
    out = ax.plot(band.masses, band.lower, color=color, lw=lw, ls=ls, label=label)
    out += ax.plot(band.masses, band.upper, color=color, lw=lw, ls=ls)
    # an upper edge left open where the search stopped (the model's physical bound) is excluded at
    # least up to there: filled to it, its top dotted
    top = _open_top(band)
    upper = np.where(np.isfinite(band.upper), band.upper, top)
    if np.isfinite(top).any():
        out += ax.plot(band.masses, top, color=color, lw=lw, ls=":")
    both = np.isfinite(band.lower) & np.isfinite(upper)
    if fill_alpha is not None and both.any():
        out.append(ax.fill_between(band.masses, band.lower, upper, where=both, color=color, alpha=fill_alpha, lw=0))
    return out


def _open_top(band: ExclusionBand) -> np.ndarray:
    """Per mass: the coupling where the search for an unclosed upper edge stopped (NaN elsewhere)."""
    top = np.full(band.masses.shape, np.nan)
    reached = {u.mass: u.reached for u in band.unclosed if u.edge == "upper" and np.isfinite(u.reached)}
    for i, m in enumerate(band.masses):
        if not np.isfinite(band.upper[i]) and float(m) in reached:
            top[i] = reached[float(m)]
    return top


def _edges(bands: Sequence[ExclusionBand]) -> np.ndarray:
    """Every finite edge > 0 of ``bands``, the dotted tops of open upper edges included (the axis
    and the legend's room above the bands must clear them)."""
    vals = np.concatenate([np.concatenate([b.lower, b.upper, _open_top(b)]) for b in bands]) if bands else np.zeros(0)
    return vals[np.isfinite(vals) & (vals > 0)]


def draw_bands(
    ax: Axes,
    bands: Sequence[tuple[str, ExclusionBand]],
    references: Sequence[tuple[str, ExclusionBand]] = (),
    ylabel: str | None = None,
    events: tuple[np.ndarray, np.ndarray, np.ndarray, float] | None = None,
    envelope: tuple[ExclusionBand, ExclusionBand] | None = None,
    filled: bool = True,
    marks: Sequence[tuple[str, float, tuple[float, float]]] = (),
    xlim: tuple[float, float] | None = None,
    cl: float | None = None,
    show_cl: bool = True,
    title: str = "",
    cl_per_entry: bool = False,
) -> list[Artist]:
    """Draw excluded bands (filled, or outlines only) and reference bands (black outlines) into
    ``ax`` on log–log axes, label and scale the axes, and return the artists drawn.

    ``ylabel``: default the coupling's axis label (of the first band, else of the first reference).
    The legend's title names the bands' model and coupling (e.g. "dark-photon ($\\varepsilon$)")
    and the confidence level: ``cl`` if given, else the bands' own — one CL for all of them in the
    title, different ones (or with ``cl_per_entry``) in each band's legend entry, e.g.
    "NA64 visible mode 2017+2018 (90% CL)" (``show_cl=False``: no CL). ``events`` = (masses,
    couplings, N, threshold) adds the event map in grey (with a colour bar); ``envelope`` = (low,
    high) draws the uncertainty band of the first band in orange: the region excluded under some
    variation hatched, the region excluded under every one outlined dotted. ``marks`` = (label,
    mass, (g_lo, g_hi)) draws a target: a coupling interval at one mass (e.g. the X17 band).
    ``xlim`` fixes the mass axis (GeV). An axis spanning less than two decades (1.3 below 1e-3)
    labels 2× and 5× its decades too.
    """
    artists: list[Artist] = []
    drawn = [(label, b) for label, b in bands if len(b) >= 2]
    if events is not None:
        m, g, n, thr = events
        with np.errstate(divide="ignore"):
            z = np.log10(np.clip(n.T, 1e-300, None))
        mesh = ax.pcolormesh(m, g, z, shading="auto", cmap="Greys", vmin=np.log10(thr) - 1, vmax=np.log10(thr) + 6, alpha=0.5)
        ax.figure.colorbar(mesh, ax=ax, label=r"$\log_{10}$ signal events")
        artists.append(mesh)
    colours = list(colormaps["tab10"].colors)
    if envelope is not None:
        low, high = envelope
        if len(high) >= 2:
            artists += ax.fill(*_closed(high), facecolor="none", edgecolor=ENVELOPE_COLOUR, hatch="////", lw=1.0,
                               label="excluded under some variation")
        if len(low) >= 2:
            artists += ax.plot(*_closed(low), color=ENVELOPE_COLOUR, lw=1.8, ls=":", label="excluded under every variation")
    cls = {float(b.cl) for _, b in drawn}
    per_band_cl = show_cl and (cl_per_entry or (cl is None and len(cls) > 1))
    for i, (label, band) in enumerate(bands):
        if len(band) < 2:
            continue
        if per_band_cl:
            label = f"{label} ({format_cl(cl if cl is not None else band.cl)} CL)"
        label = textwrap.fill(label, LEGEND_WIDTH)  # a long entry (an HNL's many final states) wraps inside the axes
        c = colours[i % len(colours)]
        ls = ("-", "--")[(i // len(colours)) % 2]
        artists += _draw_band(ax, band, c, ls, 2, label, 0.35 if filled else None)
    for j, (label, band) in enumerate(references):
        if len(band):
            artists += _draw_band(ax, band, "k", ("--", ":", "-.")[j % 3], 1.6, label, None)
    for k, (label, mass, (g_lo, g_hi)) in enumerate(marks):
        mid = np.sqrt(g_lo * g_hi)
        artists.append(ax.errorbar([mass], [mid], yerr=[[mid - g_lo], [g_hi - mid]], fmt="*", ms=12,
                                   color="crimson" if k == 0 else "darkorange", capsize=5, lw=2, label=label))
    ax.set_xscale("log")
    ax.set_yscale("log")
    shown = [b for _, b in drawn] + [b for _, b in references if len(b)]
    if envelope is not None:
        shown += [b for b in envelope if len(b) >= 2]
    edges = _edges(shown)
    if len(edges):
        ax.set_xlim(min(b.masses[0] for b in shown) / 1.5, max(b.masses[-1] for b in shown) * 1.5)
        lo, hi = edges.min() / 8.0, edges.max() * 8.0
        entries = sum(lab.count("\n") + 1 for lab in ax.get_legend_handles_labels()[1]) + 2  # + the title and padding
        frac = min(0.45, LEGEND_LINE * entries)  # room at the top for the legend, above the bands
        ax.set_ylim(lo, hi * 10 ** (np.log10(hi / lo) * frac / (1.0 - frac)))
    if xlim is not None:
        ax.set_xlim(*xlim)
    for axis in (ax.xaxis, ax.yaxis):
        axis.set_major_locator(LogLocator(base=10, numticks=12))
        axis.set_minor_locator(LogLocator(base=10, subs=np.arange(2, 10), numticks=12))
        lo, hi = axis.get_view_interval()
        plain = 1e-3 <= lo and hi < 1e4  # labels as numbers (0.02), narrower than 2×10^-5
        if 0 < lo < hi and np.log10(hi / lo) < (2.0 if plain else 1.3):  # a short axis: label 2 and 5 too
            axis.set_major_formatter(FuncFormatter(lambda x, _: _tick_label(x)))
            axis.set_minor_formatter(FuncFormatter(lambda x, _: _tick_label(x) if _mantissa(x) in (2, 5) else ""))
            axis.set_tick_params(which="minor", pad=rcParams[f"{axis.axis_name}tick.major.pad"])  # one baseline
        else:
            axis.set_minor_formatter(NullFormatter())
    ax.set_xlabel(r"$m$ [GeV]")
    first = next((b for _, b in [*bands, *references]), None)
    coupling = first.coupling if first is not None else DEFAULT_COUPLING
    ax.set_ylabel(ylabel if ylabel is not None else coupling.axis_label)
    if ylabel is None and not coupling.unit:  # a lone symbol stands upright (a turned ε reads as ω)
        ax.yaxis.label.set_rotation(0)
    if title:
        ax.set_title(title, fontsize=TITLE_SIZE, loc="left")
    if ax.get_legend_handles_labels()[0]:
        shared_cl = cl if cl is not None else (next(iter(cls)) if len(cls) == 1 else None)
        parts = [_model_line([b for _, b in drawn])]
        if show_cl and not per_band_cl and shared_cl is not None and np.isfinite(shared_cl):
            parts.append(f"{format_cl(shared_cl)} CL")
        legend_title = ", ".join(p for p in parts if p) or None
        ax.legend(fontsize=12, loc="upper right", frameon=False, title=legend_title, title_fontsize=12)
    return artists


def _model_line(bands: Sequence[ExclusionBand]) -> str:
    """The bands' model and coupling, e.g. "dark-photon ($\\varepsilon$)"; models joined by
    " / " when the bands differ; "" without bands."""
    names = list(dict.fromkeys(f"{b.model} ({b.coupling.label})" for b in bands))
    return " / ".join(names)


def draw_reach(result, ax: Axes | None = None, label: str | None = None, events: bool = True) -> Axes:
    """A reach result (:class:`beamdump.engine.analysis.ReachResult`) in ``ax``: its excluded band,
    with ``events`` the event map under it; ``ax`` None draws into pyplot's current axes (the
    notebook case: pyplot is imported then, and only then). Returns the axes."""
    if ax is None:
        import matplotlib.pyplot as plt

        ax = plt.gca()
    g = result.grid
    name = label or reach_label(result)
    draw_bands(ax, [(name, result.band)], events=(g.masses, g.couplings, g.total, result.threshold) if events else None)
    return ax


def reach_label(result) -> str:
    """The legend entry of a reach result: "beamdump: <experiment> (<final states>)", the
    experiment by its :func:`short_name` and the final states by their descriptions."""
    states = result.model.final_states()
    fs = " + ".join(short_description(states[k].description) for k in result.final_states)
    return f"beamdump: {short_name(result.experiment.config.title)} ({fs})"


def figure_bands(bands: Sequence[tuple[str, ExclusionBand]], **style: Any) -> Figure:
    """:func:`draw_bands` into a new figure (Agg canvas, mplhep style) laid out with its title
    fitted inside; ``style`` takes :func:`draw_bands`'s keywords."""
    with _style():
        fig = _new_figure()
        draw_bands(fig.add_subplot(), bands, **style)
        _fit_titles(fig)
    return fig


def plot_bands(bands: Sequence[tuple[str, ExclusionBand]], path: str | Path, **style: Any) -> Path:
    """:func:`draw_bands` into a new figure (as :func:`figure_bands`) written to ``path`` (PNG, PDF,
    SVG by its suffix, 110 dpi); ``style`` takes :func:`draw_bands`'s keywords (title, references,
    ylabel, events, envelope, filled, marks, xlim, cl, show_cl, cl_per_entry)."""
    with _file_figure(path) as fig:
        draw_bands(fig.add_subplot(), bands, **style)
    return Path(path)


def plot_design_scan(
    lengths: np.ndarray,
    counts: np.ndarray,
    upper: np.ndarray,
    covered: np.ndarray,
    path: str | Path,
    title: str = "",
    target: float | None = None,
    coupling: Coupling = DEFAULT_COUPLING,
) -> Path:
    """The design scan: the excluded band's upper edge (colour) over dump length (X0) × beam
    count, with the region that covers the target outlined. ``upper``, ``covered``: (n_L, n_N)."""
    with _file_figure(path) as fig:
        ax = fig.add_subplot()
        with np.errstate(divide="ignore", invalid="ignore"):
            z = np.log10(np.where(upper > 0, upper, np.nan)).T
        mesh = ax.pcolormesh(lengths, counts, z, shading="auto", cmap="viridis")
        fig.colorbar(mesh, ax=ax, label=rf"$\log_{{10}}$ upper edge {coupling.label}")
        if covered.any() and not covered.all() and min(covered.shape) >= 2:
            ax.contourf(lengths, counts, covered.T.astype(float), levels=[0.5, 1.5], colors="none", hatches=["//"])
            ax.contour(lengths, counts, covered.T.astype(float), levels=[0.5], colors="crimson", linewidths=2.5)
        ax.plot([], [], color="crimson", lw=2.5, label="hatched: covers the target" + (f" (up to {target:.2g})" if target else ""))
        ax.set_yscale("log")
        ax.set_xlabel(r"active dump length [$X_0$]")
        ax.set_ylabel("electrons on target")
        if title:
            ax.set_title(title, fontsize=TITLE_SIZE, loc="left")
        ax.legend(fontsize=12, loc="lower right", frameon=True, facecolor="white", framealpha=0.85)  # readable on dark cells
    return Path(path)
