"""The two coupling edges of one mass's excluded interval, where N(g) = N_up, on the grid and beyond it.

On the grid: the cells where the events cross the threshold are located and the crossing is solved
for — by Brent's method on the exact log N(g) when it is given, otherwise by linear interpolation of
log N against log g.

Beyond the grid: an edge is never put at the grid's end. With the exact N(g) the search steps
outward a decade at a time until N < N_up brackets the edge, then solves it (Brent). Below the grid
N ∝ g^(k+p) (production power k times the long-lifetime decay probability ∝ g^p: g⁴ for a vector),
so the lower edge is bracketed within a few decades; above, N falls like exp(−c·g^p) and the upper
edge within a decade or two. The search stops at a floor below the grid and a cap above it
(:class:`SearchRange`, set by the caller from the physics: see ``engine.analysis.edge_search``); an
edge not bracketed by then, or with no exact N(g) to search with, is NaN, with the reason kept
(:class:`Edges`). When nothing on the grid is excluded but N is largest at an end of the grid, N's
maximum lies beyond it: the search climbs there (a band wholly outside the grid is found too).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Callable

import numpy as np

from ..kinematics import FloatArray

LN10 = math.log(10.0)
XTOL = 1e-9  # Brent's tolerance in ln g: the edges are solved to 1e-9 relative
FLOOR_DECADES = 20.0  # default search floor below the grid: N ∝ g^(k+p) has fallen by ≥ 10^40 there
_UNDERFLOW = -1e3  # log-excess standing in for N = 0 (below ln of the smallest double, −745)

# why an edge was not closed (mass-independent, so that a table can group the masses by reason)
NO_EXACT = "N >= N_up at the grid's end and no exact N(g) was given to search beyond it"
NOT_A_NUMBER = "N(g) is not a number where the search beyond the grid evaluated it"

LogExcess = Callable[[float], float]  # ln g ↦ ln N(g) − ln N_up


@dataclass(frozen=True)
class SearchRange:
    """How far beyond the grid an edge is looked for: down to coupling ``floor``, up to ``cap``
    (units of the coupling); ``floor_reason`` and ``cap_reason`` say what sets them, for the record."""

    floor: float
    cap: float
    floor_reason: str = f"{FLOOR_DECADES:g} decades below the grid"
    cap_reason: str = "set by the caller"


@dataclass(frozen=True)
class Edges:
    """The lower and upper edge at one mass (coupling units); an edge that could not be closed is
    NaN, ``*_open`` says why and ``*_reached`` is the coupling where the search stopped."""

    lower: float
    upper: float
    lower_open: str = ""
    upper_open: str = ""
    lower_reached: float = math.nan
    upper_reached: float = math.nan


def default_search(couplings: FloatArray, cap: float | None = None, cap_reason: str = "") -> SearchRange:
    """``FLOOR_DECADES`` below the grid's smallest coupling and ``cap`` above (default: as far
    above its largest)."""
    lo, hi = float(np.min(couplings)), float(np.max(couplings))
    if cap is None:
        cap, cap_reason = hi * 10**FLOOR_DECADES, f"{FLOOR_DECADES:g} decades above the grid"
    return SearchRange(lo / 10**FLOOR_DECADES, cap, cap_reason=cap_reason)


def log_excess(fn: Callable[[FloatArray], FloatArray], threshold: float) -> LogExcess:
    """ln g ↦ ln N(g) − ln N_up for ``fn``: g ↦ N(g) (−inf where N = 0)."""
    log_thr = math.log(threshold)

    def f(log_g: float) -> float:
        n = float(np.asarray(fn(np.array([math.exp(log_g)])), dtype=float).reshape(-1)[0])
        if n > 0:
            return math.log(n) - log_thr
        return -math.inf if n <= 0 else math.nan  # NaN stays NaN

    return f


def grid_excess(events: FloatArray, threshold: float) -> FloatArray:
    """ln N − ln N_up on the grid (−inf where N = 0)."""
    with np.errstate(divide="ignore"):
        return np.log(np.clip(np.asarray(events, dtype=float), 0.0, None)) - math.log(threshold)


def _value(f: LogExcess, t: float) -> float:
    """f(t), with N = 0 as a finite stand-in so that Brent can work across an underflow."""
    v = f(t)
    return v if math.isnan(v) or v > _UNDERFLOW else _UNDERFLOW


def _solve(f: LogExcess, t_out: float, t_in: float) -> float:
    """ln g of the crossing between t_out (f < 0) and t_in (f ≥ 0); t_in itself when f there is
    below 0 too (a grid point that sits on the threshold within rounding)."""
    if not _value(f, t_in) >= 0.0:
        return t_in
    a, b = (t_out, t_in) if t_out < t_in else (t_in, t_out)
    from scipy import optimize  # here, not at import

    return float(optimize.brentq(lambda t: _value(f, t), a, b, xtol=XTOL))


def _on_grid(log_g: FloatArray, fg: FloatArray, i_in: int, i_out: int, exact: LogExcess | None) -> float:
    """ln g of the crossing between grid point i_in (f ≥ 0) and i_out (f < 0)."""
    a, b = log_g[i_out], log_g[i_in]
    if exact is not None:
        fa, fb = _value(exact, a), _value(exact, b)
        if fa < 0.0 <= fb:
            return _solve(exact, a, b)
    fa, fb = fg[i_out], fg[i_in]
    if not np.isfinite(fa):
        return float(a + (b - a) * 0.999)  # the outer point underflowed: the edge hugs the inner one
    return float(a + (b - a) * (0.0 - fa) / (fb - fa))


def _beyond(f: LogExcess, t_in: float, limit: float, why: str) -> tuple[float, str, float]:
    """Step outward from t_in (f ≥ 0) by decades towards ``limit`` (ln g) until f < 0, then solve:
    (ln g of the edge or NaN, why not closed, ln g where the search stopped)."""
    step = LN10 if limit > t_in else -LN10
    t = t_in
    while (limit - t) * step > 0.0:
        t_next = t + step if (limit - (t + step)) * step > 0.0 else limit
        v = _value(f, t_next)
        if math.isnan(v):
            return math.nan, NOT_A_NUMBER, t_next
        if v < 0.0:
            return _solve(f, t_next, t), "", math.nan
        t = t_next
    return math.nan, f"N >= N_up still at {why}", t


def _peak_beyond(f: LogExcess, log_g: FloatArray, fg: FloatArray, lo: float, hi: float) -> tuple[float, float | None, float | None] | None:
    """An excluded coupling off the grid, when nothing on it is excluded but N is largest at one of
    its ends: climb from that end by decades (to ``lo``/``hi``, ln g) while N grows. Returns
    (ln g inside, ln g below it with f < 0 or None, the same above) or None: not excluded."""
    n = len(log_g)
    i = int(np.argmax(fg))
    starts = ([(0, -LN10, lo)] if i == 0 else []) + ([(n - 1, LN10, hi)] if i == n - 1 else [])
    for j, step, limit in starts:
        t_prev, t = log_g[j - int(np.sign(step))] if n > 1 else log_g[j] - step, log_g[j]
        v = fg[j]
        while (limit - t) * step > 0.0:
            t_next = t + step if (limit - (t + step)) * step > 0.0 else limit
            v_next = _value(f, t_next)
            if math.isnan(v_next):
                break
            if v_next >= 0.0:  # the grid side is bracketed; the far side is searched from here
                return (t_next, t, None) if step > 0 else (t_next, None, t)
            if v_next < v:  # past the maximum: it lies between t_prev and t_next
                from scipy import optimize

                a, b = sorted((t_prev, t_next))
                best = optimize.minimize_scalar(lambda x: -_value(f, x), bounds=(a, b), method="bounded",
                                                options={"xatol": 1e-6})
                t_max = float(best.x) if -best.fun >= v else t
                return (t_max, a, b) if _value(f, t_max) >= 0.0 else None
            t_prev, t, v = t, t_next, v_next
    return None


def find_edges(
    couplings: FloatArray,
    events: FloatArray,
    threshold: float,
    exact: LogExcess | None = None,
    search: SearchRange | None = None,
) -> Edges | None:
    """The edges at one mass, or None where nothing is excluded (on the grid, or with ``exact``
    within ``search``: default :func:`default_search`).

    ``couplings`` ascending, ``events`` on them; ``exact(ln g)`` = ln N(g) − ln N_up (e.g.
    :func:`log_excess`) solves the edges and carries the search beyond the grid.
    """
    log_g = np.log(np.asarray(couplings, dtype=float))
    fg = grid_excess(events, threshold)
    search = search or default_search(couplings)
    lo = math.log(min(search.floor, float(np.min(couplings))))
    hi = math.log(max(search.cap, float(np.max(couplings))))
    inside = np.nonzero(fg >= 0.0)[0]
    if len(inside):
        i_lo, i_hi = int(inside[0]), int(inside[-1])
        t_in_lo, t_in_hi = float(log_g[i_lo]), float(log_g[i_hi])
        below = _on_grid(log_g, fg, i_lo, i_lo - 1, exact) if i_lo > 0 else None
        above = _on_grid(log_g, fg, i_hi, i_hi + 1, exact) if i_hi < len(log_g) - 1 else None
    elif exact is None:
        return None
    else:
        found = _peak_beyond(exact, log_g, fg, lo, hi)
        if found is None:
            return None
        t_in_lo = t_in_hi = found[0]
        below = None if found[1] is None else _solve(exact, found[1], found[0])
        above = None if found[2] is None else _solve(exact, found[2], found[0])
    lower = _closed(below, exact, t_in_lo, lo, f"the search floor ({search.floor_reason})")
    upper = _closed(above, exact, t_in_hi, hi, f"the search cap ({search.cap_reason})")
    return Edges(math.exp(lower[0]), math.exp(upper[0]), lower[1], upper[1], math.exp(lower[2]), math.exp(upper[2]))


def _closed(t_edge: float | None, exact: LogExcess | None, t_in: float, limit: float, why: str) -> tuple[float, str, float]:
    """(ln g of an edge, why open, ln g reached): the one found, or the search beyond the grid's end."""
    if t_edge is not None:
        return t_edge, "", math.nan
    if exact is None:
        return math.nan, NO_EXACT, t_in
    return _beyond(exact, t_in, limit, why)


def band_edges(
    couplings: FloatArray,
    events: FloatArray,
    threshold: float,
    exact: LogExcess | None = None,
    search: SearchRange | None = None,
) -> tuple[float, float] | None:
    """(lower, upper) edge at one mass, NaN for an edge that could not be closed, None if nothing is
    excluded: :func:`find_edges` without the reasons."""
    e = find_edges(couplings, events, threshold, exact, search)
    return None if e is None else (e.lower, e.upper)
