"""The direction of the shower e± that makes an A′: drawing it from a shower table's angle
histograms and turning the A′ momentum from the parent's frame into the lab.

A shower e± of energy E at depth t is not on the beam axis: the table holds its polar angle as
u = θ·E/E_s (:data:`beamdump.sources.shower_table.ANGLE_EDGES`, track-weighted per (E, t) cell),
E_s the Rossi–Greisen multiple-scattering energy of ``data/production/shower_angles.toml``. An A′
made by that e± goes along it (annihilation) or within its emission angle of it
(bremsstrahlung). Units: GeV, radians.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np

from ..datafiles import load_toml, package_data
from ..kinematics import FloatArray
from ..sources.shower_table import ANGLE_EDGES


@lru_cache(maxsize=1)
def scattering_energy() -> float:
    """E_s (GeV) of ``data/production/shower_angles.toml``: θ_rms² = (E_s/E)² per X0."""
    return float(load_toml(package_data("production", "shower_angles.toml"))["multiple_scattering"]["scattering_energy"])


def _within_bin(row_cdf: FloatArray, j: np.ndarray, target: FloatArray) -> FloatArray:
    """u at the fraction ``target`` of the cumulative ``row_cdf`` inside bin ``j`` (uniform in u in
    the first bin, in ln u in the others)."""
    lo_c = np.take_along_axis(row_cdf, j[:, None], axis=1)[:, 0]
    hi_c = np.take_along_axis(row_cdf, j[:, None] + 1, axis=1)[:, 0]
    f = np.clip(np.divide(target - lo_c, hi_c - lo_c, out=np.zeros_like(target), where=hi_c > lo_c), 0.0, 1.0)
    lo, hi = ANGLE_EDGES[j], ANGLE_EDGES[j + 1]
    log_lo = np.log(np.maximum(lo, 1e-300))
    inside = np.exp(log_lo + f * (np.log(hi) - log_lo))
    return np.where(j == 0, f * hi, inside)


def _cdf_at(row_cdf: FloatArray, u: FloatArray) -> FloatArray:
    """The cumulative ``row_cdf`` (n, nu + 1) at u (n,), interpolated as :func:`_within_bin` places points."""
    j = np.clip(np.searchsorted(ANGLE_EDGES, u, side="right") - 1, 0, ANGLE_EDGES.size - 2)
    lo, hi = ANGLE_EDGES[j], ANGLE_EDGES[j + 1]
    f = np.where(j == 0, u / hi, np.log(np.maximum(u, 1e-300) / np.maximum(lo, 1e-300)) / np.log(hi / np.maximum(lo, 1e-300)))
    f = np.clip(f, 0.0, 1.0)
    lo_c = np.take_along_axis(row_cdf, j[:, None], axis=1)[:, 0]
    hi_c = np.take_along_axis(row_cdf, j[:, None] + 1, axis=1)[:, 0]
    return lo_c + f * (hi_c - lo_c)


def parent_angles(
    rows: FloatArray, energy: FloatArray, uniform: FloatArray, e_s: float, theta_cap: float | None = None
) -> tuple[FloatArray, FloatArray]:
    """Polar angles θ (rad) of the parent e±, one per point, and the share of its distribution
    that was drawn from.

    rows: (n, nu) the angle histogram of each point's cell (any normalisation); energy: (n,) the
    parent's energy (GeV); uniform: (n,) numbers in [0, 1) that pick θ by inverse CDF; e_s: the
    multiple-scattering energy (GeV). With ``theta_cap`` only θ ≤ theta_cap is drawn and the share
    is that part's fraction of the histogram (1 without a cap); a row without entries gives θ = 0
    and share 0.
    """
    rows = np.asarray(rows, dtype=float)
    energy = np.asarray(energy, dtype=float)
    n = rows.shape[0]
    cdf = np.zeros((n, rows.shape[1] + 1))
    np.cumsum(rows, axis=1, out=cdf[:, 1:])
    total = cdf[:, -1]
    cdf = np.divide(cdf, total[:, None], out=np.zeros_like(cdf), where=total[:, None] > 0)
    if theta_cap is None:
        share = np.where(total > 0, 1.0, 0.0)
    else:
        share = _cdf_at(cdf, theta_cap * energy / e_s)
    target = np.asarray(uniform, dtype=float) * share
    j = np.clip((cdf[:, 1:] <= target[:, None]).sum(axis=1), 0, rows.shape[1] - 1)
    u = _within_bin(cdf, j, target)
    theta = np.minimum(u * e_s / energy, np.pi)
    if theta_cap is not None:
        theta = np.minimum(theta, theta_cap)
    return np.where(share > 0, theta, 0.0), share


def turned(p4: FloatArray, theta: FloatArray | float, phi: FloatArray | float) -> FloatArray:
    """Four-momenta (n, 4) given about a parent's direction (polar θ, azimuth φ in the lab),
    rotated into the lab: the parent's frame z axis goes to (sinθ cosφ, sinθ sinφ, cosθ)."""
    ct, st = np.cos(theta), np.sin(theta)
    cp, sp = np.cos(phi), np.sin(phi)
    x, y, z = p4[:, 1], p4[:, 2], p4[:, 3]
    out = p4.copy()
    out[:, 1] = cp * (ct * x + st * z) - sp * y
    out[:, 2] = sp * (ct * x + st * z) + cp * y
    out[:, 3] = -st * x + ct * z
    return out
