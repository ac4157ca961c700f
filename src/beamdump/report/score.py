"""Agreement of a computed band with a published one: the numbers of ``shared/tools/score.py``.

Both bands are first taken as that tool loads a file: an edge ≤ 0 is missing (NaN), a row needs a
mass > 0 and at least one edge, and lower < upper where both are given; rows sorted by mass. Of
our band only the rows with both edges are used. For each edge the reference gives: the median
and 90th percentile of |log10 g_ours − log10 g_ref| over the reference masses that have that
edge, our edge interpolated linearly in log mass; a reference mass outside our band's mass range
counts as a 99-decade miss ("not covered"). An edge the reference does not give at any mass is
not scored (None, "n/a"). Coverage is the fraction of all reference masses inside our mass range;
mass_max_ratio is our largest mass over the reference's.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass

import numpy as np

from ..limits.contours import ExclusionBand

MISS = 99.0  # decades: a reference mass our band does not reach
_MIXED = 10.0  # a percentile above this (and below MISS) mixes real deviations with misses


@dataclass(frozen=True)
class Score:
    """The shared tool's numbers; an edge median/p90 is None where the reference has no such edge."""

    coverage: float
    lower_median: float | None
    lower_p90: float | None
    upper_median: float | None
    upper_p90: float | None
    mass_max_ratio: float
    n_ref: int

    def as_dict(self) -> dict:
        return asdict(self)

    def line(self) -> str:
        """One line; ``99 (not covered)``: the reference masses that decide it lie outside our band."""
        return (
            f"lower median {_fmt(self.lower_median, '.3f')} p90 {_fmt(self.lower_p90)} | "
            f"upper median {_fmt(self.upper_median, '.3f')} p90 {_fmt(self.upper_p90)} | "
            f"coverage {self.coverage:.2f} | m_max ratio {self.mass_max_ratio:.3f}"
        )


def _fmt(v: float | None, spec: str = ".3g") -> str:
    if v is None:
        return "n/a"
    if math.isinf(v):
        return "inf (no band)"
    if v >= MISS:
        return f"{MISS:g} (not covered)"
    if v > _MIXED:
        return f"{v:{spec}} (partly not covered)"
    return f"{v:{spec}}"


def score_band(ours: ExclusionBand, ref: ExclusionBand) -> Score:
    """Compare ``ours`` with the reference ``ref``: :func:`score_tables` on both bands' tables."""
    return Score(**score_tables(band_table(ours), band_table(ref)))


def band_table(band: ExclusionBand) -> np.ndarray:
    """The band as ``shared/tools/score.py`` loads the file :meth:`ExclusionBand.write_csv` writes:
    (n, 3) rows (mass, lower, upper; an upper edge not closed at the coupling where the search
    stopped), an edge ≤ 0 as NaN, rows without any edge or with lower ≥ upper dropped, sorted."""
    rows = []
    for m, lo, hi in zip(band.masses, band.lower, band.upper_to_cap()):
        m, lo, hi = float(m), float(lo), float(hi)
        lo = lo if lo > 0 else math.nan
        hi = hi if hi > 0 else math.nan
        if m > 0 and not (math.isnan(lo) and math.isnan(hi)) and not (lo >= hi):
            rows.append((m, lo, hi))
    a = np.array(sorted(rows), dtype=float)
    return a if len(a) else np.zeros((0, 3))


def score_tables(ours: np.ndarray, ref: np.ndarray) -> dict:
    """The shared tool's ``score`` step by step, on (n, 3) tables from :func:`band_table`. Where the
    tool returns no mass_max_ratio (fewer than 2 rows of ours) it is 0.0 here."""
    n_ref = int(len(ref))
    inf = math.inf
    nothing = dict(coverage=0.0, lower_median=inf, lower_p90=inf, upper_median=inf, upper_p90=inf,
                   mass_max_ratio=0.0, n_ref=n_ref)
    if len(ours) < 2 or len(ref) == 0:
        return nothing
    ours = ours[np.isfinite(ours[:, 1]) & np.isfinite(ours[:, 2])]
    if not len(ours):  # the tool fails here; for us: no band to score
        return nothing
    lm = np.log(ours[:, 0])
    inside = (ref[:, 0] >= ours[0, 0]) & (ref[:, 0] <= ours[-1, 0])
    res: dict = {"coverage": float(inside.mean())}
    for k, col in (("lower", 1), ("upper", 2)):
        has = np.isfinite(ref[:, col])
        if not has.any():
            res[f"{k}_median"] = None
            res[f"{k}_p90"] = None
            continue
        d = np.full(int(has.sum()), MISS)  # not covered: a 99-decade miss
        inn = inside[has]
        ours_e = np.interp(np.log(ref[has][inn, 0]), lm, np.log10(ours[:, col]))
        d[inn] = np.abs(ours_e - np.log10(ref[has][inn, col]))
        res[f"{k}_median"] = float(np.median(d))
        res[f"{k}_p90"] = float(np.percentile(d, 90))
    res["mass_max_ratio"] = float(ours[-1, 0] / ref[-1, 0])
    res["n_ref"] = n_ref
    return res


def edge_shifts(nominal: ExclusionBand, other: ExclusionBand) -> tuple[float, float, float]:
    """Signed median shift of log10 g of ``other`` against ``nominal`` on the lower and upper
    edge (over the nominal masses inside ``other``'s range; + is a weaker lower limit / a higher
    upper edge) and the relative change of the largest excluded mass. NaN when they do not
    overlap (and, per edge, where either band lacks that edge)."""
    a, b = band_table(other), band_table(nominal)
    a = a[np.isfinite(a[:, 1]) & np.isfinite(a[:, 2])]
    if not len(a) or not len(b):
        return math.nan, math.nan, math.nan
    inside = (b[:, 0] >= a[0, 0]) & (b[:, 0] <= a[-1, 0])
    if not inside.any():
        return math.nan, math.nan, math.nan
    lm, la = np.log(a[:, 0]), np.log(b[inside, 0])
    shifts = []
    for col in (1, 2):
        d = np.interp(la, lm, np.log10(a[:, col])) - np.log10(b[inside, col])
        d = d[np.isfinite(d)]
        shifts.append(float(np.median(d)) if len(d) else math.nan)
    return shifts[0], shifts[1], float(a[-1, 0] / b[-1, 0] - 1)
