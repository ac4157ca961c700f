"""Figures in the field's style: exclusion bands on log axes (mplhep), reference curves beside them."""

from __future__ import annotations

from pathlib import Path
from typing import Sequence

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import mplhep  # noqa: E402
import numpy as np  # noqa: E402
from matplotlib.ticker import LogLocator, NullFormatter  # noqa: E402

from ..limits.contours import ExclusionBand  # noqa: E402


def _closed(band: ExclusionBand) -> tuple[np.ndarray, np.ndarray]:
    """The band as one closed polygon (lower edge out, upper edge back)."""
    x = np.concatenate([band.masses, band.masses[::-1], band.masses[:1]])
    y = np.concatenate([band.lower, band.upper[::-1], band.lower[:1]])
    return x, y


def _save(fig, path: str | Path) -> Path:
    """Lay out, write (110 dpi) and close a figure."""
    fig.tight_layout()
    path = Path(path)
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def plot_bands(
    bands: Sequence[tuple[str, ExclusionBand]],
    path: str | Path,
    title: str = "",
    references: Sequence[tuple[str, ExclusionBand]] = (),
    ylabel: str = r"$\varepsilon$",
    events: tuple[np.ndarray, np.ndarray, np.ndarray, float] | None = None,
    envelope: tuple[ExclusionBand, ExclusionBand] | None = None,
    filled: bool = True,
    marks: Sequence[tuple[str, float, tuple[float, float]]] = (),
    xlim: tuple[float, float] | None = None,
) -> Path:
    """Draw excluded bands (filled, or outlines only) and reference bands (dashed outlines) on log–log axes.

    ``events`` = (masses, couplings, N, threshold) adds the event map as faint colour;
    ``envelope`` = (low, high) draws the uncertainty band of the first band: the region excluded
    under some variation lightly shaded, the region excluded under every one outlined dotted.
    ``marks`` = (label, mass, (g_lo, g_hi)) draws a target: a coupling interval at one mass
    (e.g. the X17 band). ``xlim`` fixes the mass axis (GeV).
    """
    plt.style.use(mplhep.style.ROOT)
    fig, ax = plt.subplots(figsize=(8, 6.4))
    if events is not None:
        m, g, n, thr = events
        with np.errstate(divide="ignore"):
            z = np.log10(np.clip(n.T, 1e-300, None))
        mesh = ax.pcolormesh(m, g, z, shading="auto", cmap="Greys", vmin=np.log10(thr) - 1, vmax=np.log10(thr) + 6, alpha=0.5)
        fig.colorbar(mesh, ax=ax, label=r"$\log_{10}$ signal events")
    colours = list(plt.get_cmap("tab10").colors)
    if envelope is not None:
        low, high = envelope
        c = colours[0]
        if len(high) >= 2:
            ax.fill(*_closed(high), color=c, alpha=0.15, lw=0, label="uncertainty band (some variation)")
        if len(low) >= 2:
            ax.plot(*_closed(low), color=c, lw=1.2, ls=":", label="excluded under every variation")
    for i, (label, band) in enumerate(bands):
        if len(band) < 2:
            continue
        x, y = _closed(band)
        c = colours[i % len(colours)]
        if filled:
            ax.fill(x, y, color=c, alpha=0.35, lw=0)
        ax.plot(x, y, color=c, lw=2, ls=("-", "--")[(i // len(colours)) % 2], label=label)
    for j, (label, band) in enumerate(references):
        x, y = _closed(band)
        ax.plot(x, y, color="k", lw=1.6, ls=("--", ":", "-.")[j % 3], label=label)
    for k, (label, mass, (g_lo, g_hi)) in enumerate(marks):
        ax.errorbar([mass], [np.sqrt(g_lo * g_hi)], yerr=[[np.sqrt(g_lo * g_hi) - g_lo], [g_hi - np.sqrt(g_lo * g_hi)]],
                    fmt="*", ms=12, color="crimson" if k == 0 else "darkorange", capsize=5, lw=2, label=label)
    ax.set_xscale("log")
    ax.set_yscale("log")
    shown = [b for _, b in list(bands) + list(references) if len(b) >= 2]
    if envelope is not None:
        shown += [b for b in envelope if len(b) >= 2]
    if shown:
        m_lo = min(b.masses[0] for b in shown)
        m_hi = max(b.masses[-1] for b in shown)
        g_lo = min(b.lower.min() for b in shown)
        g_hi = max(b.upper.max() for b in shown)
        ax.set_xlim(m_lo / 1.5, m_hi * 1.5)
        ax.set_ylim(g_lo / 8.0, g_hi * 8.0)
    if xlim is not None:
        ax.set_xlim(*xlim)
    for axis in (ax.xaxis, ax.yaxis):
        axis.set_major_locator(LogLocator(base=10, numticks=12))
        axis.set_minor_locator(LogLocator(base=10, subs=np.arange(2, 10), numticks=12))
        axis.set_minor_formatter(NullFormatter())
    ax.set_xlabel(r"$m$ [GeV]")
    ax.set_ylabel(ylabel)
    if title:
        ax.set_title(title, fontsize=14, loc="left")
    if ax.get_legend_handles_labels()[0]:
        ax.legend(fontsize=12, loc="upper right", frameon=False)
    return _save(fig, path)


def plot_design_scan(
    lengths: np.ndarray,
    counts: np.ndarray,
    upper: np.ndarray,
    covered: np.ndarray,
    path: str | Path,
    title: str = "",
    target: float | None = None,
) -> Path:
    """The design scan: the excluded band's upper edge (colour) over dump length (X0) × beam
    count, with the region that covers the target outlined. ``upper``, ``covered``: (n_L, n_N)."""
    plt.style.use(mplhep.style.ROOT)
    fig, ax = plt.subplots(figsize=(8, 6.4))
    with np.errstate(divide="ignore", invalid="ignore"):
        z = np.log10(np.where(upper > 0, upper, np.nan)).T
    mesh = ax.pcolormesh(lengths, counts, z, shading="auto", cmap="viridis")
    fig.colorbar(mesh, ax=ax, label=r"$\log_{10}$ upper edge $\varepsilon$")
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
    return _save(fig, path)
