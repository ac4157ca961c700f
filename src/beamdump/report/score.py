"""Agreement of a computed band with a published one (the metric of shared/tools/score.py).

For each edge: the median and 90th percentile of |log10 ε_ours − log10 ε_ref| over the reference
masses, our edge interpolated log-linearly in mass; reference masses outside our band's mass range
count as a 99-decade miss. Coverage is the fraction of reference masses inside our mass range.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np

from ..limits.contours import ExclusionBand

MISS = 99.0


@dataclass(frozen=True)
class Score:
    coverage: float
    lower_median: float
    lower_p90: float
    upper_median: float
    upper_p90: float
    mass_max_ratio: float
    n_ref: int

    def as_dict(self) -> dict:
        return asdict(self)

    def line(self) -> str:
        return (
            f"lower median {self.lower_median:.3f} p90 {self.lower_p90:.3g} | "
            f"upper median {self.upper_median:.3f} p90 {self.upper_p90:.3g} | "
            f"coverage {self.coverage:.2f} | m_max ratio {self.mass_max_ratio:.3f}"
        )


def score_band(ours: ExclusionBand, ref: ExclusionBand) -> Score:
    """Compare ``ours`` with the reference ``ref``."""
    n_ref = len(ref)
    if len(ours) < 2:
        inf = float("inf")
        return Score(0.0, inf, inf, inf, inf, 0.0, n_ref)
    inside, diffs = _edge_differences(ours, ref)
    out = {}
    for name, diff in zip(("lower", "upper"), diffs):
        d = np.full(n_ref, MISS)
        d[inside] = np.abs(diff)
        out[f"{name}_median"] = float(np.median(d))
        out[f"{name}_p90"] = float(np.percentile(d, 90))
    return Score(
        coverage=float(inside.mean()),
        mass_max_ratio=float(ours.masses[-1] / ref.masses[-1]),
        n_ref=n_ref,
        **out,
    )


def edge_shifts(nominal: ExclusionBand, other: ExclusionBand) -> tuple[float, float, float]:
    """Signed median shift of log10 ε of ``other`` against ``nominal`` on the lower and upper
    edge (over the nominal masses inside ``other``'s range; + is a weaker lower limit / a higher
    upper edge) and the relative change of the largest excluded mass. NaN when they do not overlap."""
    if not len(other):
        return float("nan"), float("nan"), float("nan")
    inside, (d_lo, d_hi) = _edge_differences(other, nominal)
    if not inside.any():
        return float("nan"), float("nan"), float("nan")
    return float(np.median(d_lo)), float(np.median(d_hi)), float(other.masses[-1] / nominal.masses[-1] - 1)


def _edge_differences(band: ExclusionBand, at: ExclusionBand) -> tuple[np.ndarray, tuple[np.ndarray, np.ndarray]]:
    """(mask of ``at``'s masses inside ``band``'s range, signed log10 ε of ``band`` − ``at`` on the
    lower and upper edge there), ``band`` interpolated in log mass."""
    inside = (at.masses >= band.masses[0]) & (at.masses <= band.masses[-1])
    lm, la = np.log(band.masses), np.log(at.masses[inside])
    d_lo = np.interp(la, lm, np.log10(band.lower)) - np.log10(at.lower[inside])
    d_hi = np.interp(la, lm, np.log10(band.upper)) - np.log10(at.upper[inside])
    return inside, (d_lo, d_hi)
