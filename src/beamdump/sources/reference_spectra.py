"""Meson spectra of other generators (EPOS-LHC, SIBYLL tables of ../shared/reference/spectra) and
their comparison with a beamdump table inside a forward acceptance.

A reference file holds, per 0.05 × 0.05 bin of log10(θ/rad) × log10(p/GeV) (bin centres in the
first two columns), the cross-section in pb into the forward hemisphere. A beamdump collider
table holds mesons per inelastic collision in the same binning; multiplied by σ_inel (mb → pb)
it is a cross-section too. These tables are for cross-checks only, never inputs.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..errors import BeamdumpInputError
from ..kinematics import FloatArray
from .meson_table import MesonSpectra

PB_PER_MB = 1e9
BIN_WIDTH = 0.05  # decades in log10 θ and log10 p, the reference tables' binning


@dataclass(frozen=True)
class BinnedSpectrum:
    """Cross-section (pb) per bin of log10 θ × log10 p, given by bin centres (0.05-decade bins)."""

    log10_theta: FloatArray
    log10_p: FloatArray
    sigma_pb: FloatArray

    def in_acceptance(self, theta_max: float, p_min: float = 0.0) -> "BinnedSpectrum":
        """The bins wholly below ``theta_max`` (rad) and above ``p_min`` (GeV)."""
        half = 0.5 * BIN_WIDTH
        keep = (self.log10_theta + half <= np.log10(theta_max) + 1e-9) & (self.log10_p - half >= np.log10(max(p_min, 1e-30)) - 1e-9)
        return BinnedSpectrum(self.log10_theta[keep], self.log10_p[keep], self.sigma_pb[keep])

    @property
    def total_pb(self) -> float:
        """σ summed over the bins, pb."""
        return float(self.sigma_pb.sum())

    def energy_spectrum(self, log10_p_edges: FloatArray) -> FloatArray:
        """σ (pb) in bins of log10 p with the given edges (bins assigned by centre)."""
        idx = np.searchsorted(log10_p_edges, self.log10_p, side="right") - 1
        ok = (idx >= 0) & (idx < len(log10_p_edges) - 1)
        return np.bincount(idx[ok], weights=self.sigma_pb[ok], minlength=len(log10_p_edges) - 1)


def read_reference_spectrum(path: str | Path) -> BinnedSpectrum:
    """A reference table: ``#`` header lines, then log10(θ) log10(p) σ[pb] per line."""
    path = Path(path)
    try:
        data = np.loadtxt(path, comments="#", ndmin=2)
    except (OSError, ValueError) as exc:
        raise BeamdumpInputError(f"{path}: not a readable reference spectrum ({exc})") from None
    if data.shape[1] != 3:
        raise BeamdumpInputError(f"{path}: expected 3 columns (log10 theta, log10 p, pb), got {data.shape[1]}")
    return BinnedSpectrum(data[:, 0], data[:, 1], data[:, 2])


def table_spectrum(table: MesonSpectra, pdg: int, sigma_inel_mb: float) -> BinnedSpectrum:
    """A beamdump table of species ``pdg`` as cross-sections (pb) on its own bin centres."""
    if not sigma_inel_mb > 0:
        raise BeamdumpInputError(f"sigma_inel_mb: {sigma_inel_mb!r}; allowed > 0")
    if abs(table.settings.bin_width - BIN_WIDTH) > 1e-12:
        raise BeamdumpInputError(f"table bin_width {table.settings.bin_width:g}: the comparison needs {BIN_WIDTH:g}-decade bins")
    y = table.yields[table.index(pdg)]
    lt = 0.5 * (table.log10_theta_edges[1:] + table.log10_theta_edges[:-1])
    lp = 0.5 * (table.log10_p_edges[1:] + table.log10_p_edges[:-1])
    tt, pp = np.meshgrid(lt, lp, indexing="ij")
    return BinnedSpectrum(tt.ravel(), pp.ravel(), y.ravel() * sigma_inel_mb * PB_PER_MB)
