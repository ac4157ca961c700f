"""Figures in the field's style: exclusion bands on log axes (mplhep), reference curves beside them.

Nothing here chooses a matplotlib backend or imports pyplot: the figures written to files are
:class:`matplotlib.figure.Figure` objects on an Agg canvas, and :func:`draw_bands`
draws into any Axes the caller has (a notebook's, a subplot of a larger figure). The mplhep style
applies only while a file figure is made, not to the caller's session.
"""

from __future__ import annotations

import re
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterator, Sequence

import numpy as np
from matplotlib import colormaps
from matplotlib import style as mpl_style
from matplotlib.artist import Artist
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import LogLocator, NullFormatter

from ..limits.contours import DEFAULT_COUPLING, ExclusionBand, format_cl
from ..models.base import Coupling

FIGSIZE = (8, 6.4)
DPI = 110


def reference_label(band: ExclusionBand, fallback: str) -> str:
    """A published band's legend entry: the first arXiv number (or journal) of its ``# paper:``
    line, the figure a physicist would cite, else ``fallback`` (e.g. the file name)."""
    paper = next((c.split(":", 1)[1].strip() for c in band.comments if c.startswith("paper:")), "")
    arxiv = re.findall(r"arXiv:\d{4}\.\d{4,5}", paper)
    if arxiv:
        return f"published ({arxiv[-1]})" if "recast" in paper or "DarkCast" in paper else f"published ({arxiv[0]})"
    return f"published ({paper[:40]})" if paper else fallback


def _closed(band: ExclusionBand) -> tuple[np.ndarray, np.ndarray]:
    """The band as one closed polygon (lower edge out, upper edge back)."""
    x = np.concatenate([band.masses, band.masses[::-1], band.masses[:1]])
    y = np.concatenate([band.lower, band.upper[::-1], band.lower[:1]])
    return x, y


@contextmanager
def _file_figure(path: str | Path, figsize: tuple[float, float] = FIGSIZE) -> Iterator[Figure]:
    """A Figure on an Agg canvas in the mplhep ROOT style; on leaving: laid out and written (110 dpi)."""
    import mplhep  # here, not at import: mplhep imports pyplot

    with mpl_style.context(mplhep.style.ROOT):
        fig = Figure(figsize=figsize)
        FigureCanvasAgg(fig)
        yield fig
        fig.tight_layout()
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
    both = np.isfinite(band.lower) & np.isfinite(band.upper)
    if fill_alpha is not None and both.any():
        out.append(ax.fill_between(band.masses, band.lower, band.upper, where=both, color=color, alpha=fill_alpha, lw=0))
    return out


def _edges(bands: Sequence[ExclusionBand]) -> np.ndarray:
    vals = np.concatenate([np.concatenate([b.lower, b.upper]) for b in bands]) if bands else np.zeros(0)
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
) -> list[Artist]:
    """Draw excluded bands (filled, or outlines only) and reference bands (black outlines) into
    ``ax`` on log–log axes, label and scale the axes, and return the artists drawn.

    ``ylabel``: default the coupling's axis label (of the first band, else of the first reference).
    ``cl``: the confidence level, shown as the legend's title; by default the bands' own — one CL
    for all of them as the legend title, different ones in each band's legend entry
    (``show_cl=False``: neither). ``events`` = (masses, couplings, N, threshold) adds the event map
    as faint colour (with a colour bar); ``envelope`` = (low, high) draws the uncertainty band of
    the first band: the region excluded under some variation lightly shaded, the region excluded
    under every one outlined dotted. ``marks`` = (label, mass, (g_lo, g_hi)) draws a target: a
    coupling interval at one mass (e.g. the X17 band). ``xlim`` fixes the mass axis (GeV).
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
        c = colours[0]
        if len(high) >= 2:
            artists += ax.fill(*_closed(high), color=c, alpha=0.15, lw=0, label="uncertainty band (some variation)")
        if len(low) >= 2:
            artists += ax.plot(*_closed(low), color=c, lw=1.2, ls=":", label="excluded under every variation")
    cls = {float(b.cl) for _, b in drawn}
    per_band_cl = show_cl and cl is None and len(cls) > 1
    for i, (label, band) in enumerate(bands):
        if len(band) < 2:
            continue
        if per_band_cl:
            label = f"{label} ({format_cl(band.cl)} CL)"
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
        ax.set_ylim(edges.min() / 8.0, edges.max() * 8.0)
    if xlim is not None:
        ax.set_xlim(*xlim)
    for axis in (ax.xaxis, ax.yaxis):
        axis.set_major_locator(LogLocator(base=10, numticks=12))
        axis.set_minor_locator(LogLocator(base=10, subs=np.arange(2, 10), numticks=12))
        axis.set_minor_formatter(NullFormatter())
    ax.set_xlabel(r"$m$ [GeV]")
    first = next((b for _, b in [*bands, *references]), None)
    ax.set_ylabel(ylabel if ylabel is not None else (first.coupling if first is not None else DEFAULT_COUPLING).axis_label)
    if title:
        ax.set_title(title, fontsize=14, loc="left")
    if ax.get_legend_handles_labels()[0]:
        shared_cl = cl if cl is not None else (next(iter(cls)) if len(cls) == 1 else None)
        legend_title = f"{format_cl(shared_cl)} CL" if show_cl and shared_cl is not None and np.isfinite(shared_cl) else None
        ax.legend(fontsize=12, loc="upper right", frameon=False, title=legend_title, title_fontsize=12)
    return artists


def draw_reach(result, ax: Axes | None = None, label: str | None = None, events: bool = True) -> Axes:
    """A reach result (:class:`beamdump.engine.analysis.ReachResult`) in ``ax``: its excluded band,
    with ``events`` the event map under it; ``ax`` None draws into pyplot's current axes (the
    notebook case: pyplot is imported then, and only then). Returns the axes."""
    if ax is None:
        import matplotlib.pyplot as plt

        ax = plt.gca()
    g = result.grid
    name = label or f"{result.experiment.name} ({'+'.join(result.final_states)}), {result.model.name}"
    draw_bands(ax, [(name, result.band)], events=(g.masses, g.couplings, g.total, result.threshold) if events else None)
    return ax


def plot_bands(bands: Sequence[tuple[str, ExclusionBand]], path: str | Path, **style: Any) -> Path:
    """:func:`draw_bands` into a new figure written to ``path`` (PNG, PDF, SVG by its suffix);
    ``style`` takes :func:`draw_bands`'s keywords (title, references, ylabel, events, envelope,
    filled, marks, xlim, cl, show_cl)."""
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
            ax.set_title(title, fontsize=14, loc="left")
        ax.legend(fontsize=12, loc="lower right", frameon=False)
    return Path(path)
