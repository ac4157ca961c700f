"""Excluded bands from an event grid: per mass, the lower and upper coupling edge where N = N_up.

The edges are found between grid points: the bracketing coupling cell is located on the grid and
the crossing is then solved for — by Brent's method on an exact N(g) when the caller supplies one
(the reach engine does), otherwise by linear interpolation of log N against log g. The mass ends
of the band can likewise be refined by bisection on the mass when N(m, g) can be evaluated at new
masses. Nothing here knows how the numbers were made.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Sequence

import numpy as np
from scipy import optimize

from ..errors import BeamdumpInputError
from ..kinematics import FloatArray

@dataclass(frozen=True)
class ExclusionBand:
    """The excluded band: for each mass (GeV) the coupling interval [lower, upper]."""

    masses: FloatArray
    lower: FloatArray
    upper: FloatArray
    comments: tuple[str, ...] = ()

    def __len__(self) -> int:
        return len(self.masses)

    @property
    def mass_range(self) -> tuple[float, float]:
        if not len(self):
            return (np.nan, np.nan)
        return float(self.masses[0]), float(self.masses[-1])

    def interval_at(self, mass: float) -> tuple[float, float] | None:
        """Excluded coupling interval at ``mass`` (log-log interpolation), None outside the band."""
        if not len(self) or not self.masses[0] <= mass <= self.masses[-1]:
            return None
        lm = np.log(self.masses)
        lo = np.exp(np.interp(np.log(mass), lm, np.log(self.lower)))
        hi = np.exp(np.interp(np.log(mass), lm, np.log(self.upper)))
        return float(lo), float(hi)

    def write_csv(self, path: str | Path) -> None:
        """Write ``mass_gev,eps_lower,eps_upper`` with ``#`` comment lines (the reference format)."""
        path = Path(path)
        with path.open("w", newline="") as f:
            for c in self.comments:
                f.write(f"# {c}\n")
            w = csv.writer(f)
            w.writerow(["mass_gev", "eps_lower", "eps_upper"])
            for m, lo, hi in zip(self.masses, self.lower, self.upper):
                w.writerow([f"{m:.6g}", f"{lo:.6g}", f"{hi:.6g}"])


def read_band_csv(path: str | Path) -> ExclusionBand:
    """Read a band in the reference format (``#`` comments, header mass_gev,eps_lower,eps_upper)."""
    path = Path(path)
    try:
        lines = [ln for ln in path.read_text().splitlines() if ln.strip() and not ln.lstrip().startswith("#")]
    except OSError as exc:
        raise BeamdumpInputError(f"{path}: cannot be read ({exc.strerror})") from None
    rows = []
    reader = csv.DictReader(lines)
    if reader.fieldnames is None or not {"mass_gev", "eps_lower", "eps_upper"} <= set(reader.fieldnames):
        raise BeamdumpInputError(f"{path}: the header must be mass_gev,eps_lower,eps_upper")
    for r in reader:
        try:
            m, lo, hi = float(r["mass_gev"]), float(r["eps_lower"]), float(r["eps_upper"])
        except (TypeError, ValueError):
            continue
        if m > 0 and lo > 0 and hi > lo:
            rows.append((m, lo, hi))
    if not rows:
        raise BeamdumpInputError(f"{path}: no valid rows (mass_gev > 0, 0 < eps_lower < eps_upper)")
    a = np.array(sorted(rows))
    return ExclusionBand(a[:, 0], a[:, 1], a[:, 2])


def _crossings(f: FloatArray) -> tuple[int, int] | None:
    """Indices of the cells holding the first upward and last downward crossing of f = 0."""
    above = f >= 0.0
    if not above.any():
        return None
    idx = np.nonzero(above)[0]
    return int(idx[0]), int(idx[-1])


def _edge(log_g: FloatArray, f: FloatArray, i_in: int, i_out: int, exact: Callable[[float], float] | None) -> float:
    """log g of the crossing between grid point i_in (f ≥ 0) and i_out (f < 0)."""
    a, b = log_g[i_out], log_g[i_in]
    if exact is not None:
        fa, fb = exact(a), exact(b)
        if np.isfinite(fa) and fa < 0.0 <= fb:
            return float(optimize.brentq(exact, a, b, xtol=1e-5))  # 1e-5 in ln g
    fa, fb = f[i_out], f[i_in]
    if not np.isfinite(fa):
        return float(a + (b - a) * 0.999)  # the outer point underflowed: the edge hugs the inner one
    return float(a + (b - a) * (0.0 - fa) / (fb - fa))


def band_edges(
    couplings: FloatArray,
    events: FloatArray,
    threshold: float,
    exact: Callable[[float], float] | None = None,
) -> tuple[float, float] | None:
    """Lower and upper coupling edge at one mass, or None if nothing on the grid is excluded.

    ``events`` (n_g,) on the coupling grid; ``exact(log_g)`` may return log N(g) − log threshold.
    An edge that falls outside the grid is reported at the grid's end.
    """
    log_g = np.log(couplings)
    with np.errstate(divide="ignore"):
        f = np.log(np.clip(events, 0.0, None)) - np.log(threshold)
    found = _crossings(f)
    if found is None:
        return None
    i_lo, i_hi = found
    lo = log_g[0] if i_lo == 0 else _edge(log_g, f, i_lo, i_lo - 1, exact)
    hi = log_g[-1] if i_hi == len(log_g) - 1 else _edge(log_g, f, i_hi, i_hi + 1, exact)
    return float(np.exp(lo)), float(np.exp(hi))


def exclusion_band(
    masses: FloatArray,
    couplings: FloatArray,
    events: FloatArray,
    threshold: float,
    events_at: Callable[[float], Callable[[FloatArray], FloatArray]] | None = None,
    refine_ends: int = 5,
    comments: Sequence[str] = (),
) -> ExclusionBand:
    """Band of masses × couplings where events ≥ threshold.

    ``events_at(mass)`` may return a function g ↦ N(mass, g), used to solve for the edges exactly
    and to bisect the mass ends of the band ``refine_ends`` times.
    """
    if not threshold > 0:
        raise BeamdumpInputError(f"threshold: {threshold} events is not allowed; it must be > 0")
    rows: list[tuple[float, float, float]] = []
    ok = np.zeros(len(masses), dtype=bool)
    for i, m in enumerate(masses):
        exact = _exact(events_at, float(m), threshold)
        edges = band_edges(couplings, events[i], threshold, exact)
        if edges is not None:
            ok[i] = True
            rows.append((float(m), *edges))
    if events_at is not None and refine_ends > 0 and ok.any():
        rows += _refine_ends(masses, couplings, ok, threshold, events_at, refine_ends)
    rows.sort()
    if not rows:
        return ExclusionBand(np.zeros(0), np.zeros(0), np.zeros(0), tuple(comments))
    a = np.array(rows)
    return ExclusionBand(a[:, 0], a[:, 1], a[:, 2], tuple(comments))


def _exact(events_at, mass: float, threshold: float, fn=None):
    if events_at is None:
        return None
    fn = fn if fn is not None else events_at(mass)

    def f(log_g: float) -> float:
        n = float(fn(np.array([np.exp(log_g)]))[0])
        return np.log(n) - np.log(threshold) if n > 0 else -np.inf

    return f


def _refine_ends(masses, couplings, ok, threshold, events_at, n_bisect) -> list[tuple[float, float, float]]:
    """Bisect on log mass between an excluded grid mass and a neighbouring non-excluded one."""
    out = []
    for i in range(len(masses)):
        for j in (i - 1, i + 1):
            if not (ok[i] and 0 <= j < len(masses) and not ok[j]):
                continue
            inside, outside = np.log(masses[i]), np.log(masses[j])
            best = None
            for _ in range(n_bisect):
                mid = 0.5 * (inside + outside)
                m = float(np.exp(mid))
                fn = events_at(m)
                edges = band_edges(couplings, fn(couplings), threshold, _exact(events_at, m, threshold, fn))
                if edges is None:
                    outside = mid
                else:
                    inside, best = mid, (m, *edges)
            if best is not None:
                out.append(best)
    return out
