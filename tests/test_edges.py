"""Edges outside the coupling grid: searched for beyond it with the exact N(g), never put at the
grid's end; an edge that cannot be closed is NaN with its reason in the band, the CSV and run.json."""

import json
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.special import lambertw

from beamdump.engine.analysis import edge_search, make_reach, run_reach
from beamdump.engine.lifetime_table import LifetimeTable
from beamdump.experiments.experiment import load_experiment
from beamdump.limits.contours import exclusion_band
from beamdump.limits.edges import NO_EXACT, SearchRange, find_edges, log_excess

THR = 2.3


def toy(a: float, b: float):
    """N(g) = A g⁴ exp(−B g²): the long-lifetime ε⁴ rise and the exp(−ε²) fall of a vector's yield."""
    return lambda g: a * np.asarray(g, dtype=float) ** 4 * np.exp(-b * np.asarray(g, dtype=float) ** 2)


def analytic_edges(a: float, b: float, thr: float = THR) -> tuple[float, float]:
    """Both roots of A g⁴ e^{−Bg²} = thr in closed form: with y = B g², y e^{−y/2} = B √(thr/A), so
    −y/2 = W_k(−B √(thr/A) / 2); W₀ gives the lower edge, W₋₁ the upper."""
    z = -b * math.sqrt(thr / a) / 2.0
    return tuple(math.sqrt(-2.0 * lambertw(z, k).real / b) for k in (0, -1))


MASSES = np.array([0.01, 0.05, 0.2])
PARAMS = {0.01: (1e26, 1e6), 0.05: (3e24, 2.5e7), 0.2: (1e22, 4e8)}  # (A, B) per mass


def events_at(m: float):
    return toy(*PARAMS[float(m)])


def grid_events(g: np.ndarray) -> np.ndarray:
    return np.array([events_at(m)(g) for m in MASSES])


def test_edges_outside_the_grid_on_both_sides_are_the_analytic_ones():
    truth = np.array([analytic_edges(*PARAMS[m]) for m in MASSES])
    g = np.geomspace(truth[:, 0].max() * 3, truth[:, 1].min() / 3, 12)  # excluded everywhere: brackets no edge
    assert np.all(grid_events(g) >= THR)
    band = exclusion_band(MASSES, g, grid_events(g), THR, events_at=events_at, refine_ends=0)
    assert band.lower == pytest.approx(truth[:, 0], rel=1e-6)
    assert band.upper == pytest.approx(truth[:, 1], rel=1e-6)
    assert np.all(band.lower < g[0]) and np.all(band.upper > g[-1])  # beyond the grid, not at its ends
    assert band.unclosed == ()


@pytest.mark.parametrize("side", ["below", "above"])
def test_a_band_wholly_outside_the_grid_is_found(side):
    truth = np.array([analytic_edges(*PARAMS[m]) for m in MASSES])
    g = np.geomspace(1e-12, truth[:, 0].min() / 2, 8) if side == "below" else np.geomspace(truth[:, 1].max() * 2, 0.5, 8)
    assert np.all(grid_events(g) < THR)
    band = exclusion_band(MASSES, g, grid_events(g), THR, events_at=events_at, refine_ends=0)
    assert band.masses == pytest.approx(MASSES)
    assert band.lower == pytest.approx(truth[:, 0], rel=1e-6)
    assert band.upper == pytest.approx(truth[:, 1], rel=1e-6)


@pytest.mark.parametrize("side", ["below", "above"])
def test_a_band_narrower_than_a_search_step_is_found_at_its_peak(side):
    b = 1e8
    a = 1.05 * THR * b**2 * math.e**2 / 4.0  # the peak, at g² = 2/B, is 5% above the limit
    lo, hi = analytic_edges(a, b)
    assert math.log10(hi / lo) < 0.2  # narrower than the decade steps of the search
    g = np.geomspace(lo / 1e4, lo / 3, 5) if side == "below" else np.geomspace(hi * 3, hi * 30, 5)
    e = find_edges(g, toy(a, b)(g), THR, log_excess(toy(a, b), THR))
    assert (e.lower, e.upper) == pytest.approx((lo, hi), rel=1e-6)
    below_limit = toy(0.9 * a / 1.05, b)  # the peak 10% below the limit: nothing is excluded
    assert find_edges(g, below_limit(g), THR, log_excess(below_limit, THR)) is None


def test_no_exact_events_gives_nan_and_the_reason_never_the_range_end(tmp_path):
    g = np.geomspace(1e-5, 1e-4, 10)  # inside every mass's band
    band = exclusion_band(MASSES, g, grid_events(g), THR)  # no events_at: nothing to search with
    assert np.all(np.isnan(band.lower)) and np.all(np.isnan(band.upper))
    assert {(u.edge, u.reason) for u in band.unclosed} == {("lower", NO_EXACT), ("upper", NO_EXACT)}
    assert sorted(u.reached for u in band.unclosed if u.edge == "lower") == pytest.approx([1e-5] * 3)
    band.write_csv(tmp_path / "c.csv")
    text = (tmp_path / "c.csv").read_text()
    assert "# unclosed lower edge (nan) at 3 masses: " + NO_EXACT in text
    assert "0.01 (1e-05), 0.05 (1e-05), 0.2 (1e-05)" in text
    assert "\n0.01,nan,nan\n" in text and ",1e-05," not in text and ",0.0001\n" not in text


def test_an_edge_the_search_cannot_close_is_nan_with_its_reason():
    # particles made inside the decay volume: P(decay inside) = 1 − exp(−x_out/λ) → 1 at large g,
    # so N = C g² (1 − e^{−u g²}) rises for ever and the upper edge never closes below the cap
    table = LifetimeTable.from_terms(np.array([0.0, 1e-4]), np.array([1e20, -1e20]), 2, 2, total=0.0)
    g = np.geomspace(1e-3, 1e-2, 9)
    ev = table.evaluate(g)
    assert np.all(ev >= THR)
    search = SearchRange(1e-25, 1.0, cap_reason="eps = 1")
    e = find_edges(g, ev, THR, log_excess(table.evaluate, THR), search)
    assert math.isnan(e.upper) and e.upper_open == "N >= N_up still at the search cap (eps = 1)" and e.upper_reached == 1.0
    lower = (THR / (1e20 * 1e-4)) ** 0.25  # long lifetimes: N = C u g⁴ (u g² ≈ 1e-12 there)
    assert e.lower == pytest.approx(lower, rel=1e-6) and e.lower_open == ""
    band = exclusion_band(np.array([0.1]), g, ev[None, :], THR, events_at=lambda m: table.evaluate, search=lambda m: search)
    assert math.isnan(band.upper[0]) and band.upper[0] != g[-1]
    (u,) = band.unclosed
    assert (u.mass, u.edge, u.reached) == (0.1, "upper", 1.0)
    assert json.loads(json.dumps(u.as_dict())) == {
        "mass_gev": 0.1, "edge": "upper", "reason": "N >= N_up still at the search cap (eps = 1)", "coupling_reached": 1.0}


def test_a_flat_yield_does_not_close_below_the_floor():
    flat = lambda g: np.full(np.shape(g), 10.0) * np.exp(-1e6 * np.asarray(g) ** 2)  # no g⁴ at small g
    g = np.geomspace(1e-5, 1e-4, 5)
    e = find_edges(g, flat(g), THR, log_excess(flat, THR), SearchRange(1e-30, 1.0, "20 decades below the grid", "eps = 1"))
    assert math.isnan(e.lower) and e.lower_open.startswith("N >= N_up still at the search floor") and e.lower_reached == pytest.approx(1e-30)
    assert e.upper == pytest.approx(math.sqrt(math.log(10.0 / THR) / 1e6), rel=1e-6)


def test_edges_on_the_grid_are_unchanged_by_the_search():
    g = np.geomspace(1e-9, 1e-1, 161)
    band = exclusion_band(MASSES, g, grid_events(g), THR, events_at=events_at, refine_ends=0)
    truth = np.array([analytic_edges(*PARAMS[m]) for m in MASSES])
    assert band.lower == pytest.approx(truth[:, 0], rel=1e-8) and band.upper == pytest.approx(truth[:, 1], rel=1e-8)


@st.composite
def toy_and_grid(draw):
    """A yield with its band well inside (1e-15, 0.1), and a grid that brackets neither edge: inside
    the band, wholly below it or wholly above it."""
    log_b = draw(st.floats(4.0, 12.0))
    log_a = draw(st.floats(2 * log_b + 3.0, 2 * log_b + 30.0))
    a, b = 10.0**log_a, 10.0**log_b
    lo, hi = (math.log10(x) for x in analytic_edges(a, b))
    where = draw(st.sampled_from(["inside", "below", "above"]))
    span = {"inside": (lo, hi), "below": (lo - 6.0, lo), "above": (hi, hi + 2.0)}[where]
    pad = 0.02 * (span[1] - span[0])
    x = sorted(draw(st.floats(span[0] + pad, span[1] - pad)) for _ in range(2))
    n = draw(st.integers(2, 25))
    return a, b, np.geomspace(10.0 ** x[0], 10.0 ** max(x[1], x[0] + 1e-3), n)


@settings(max_examples=60, deadline=None)
@given(toy_and_grid())
def test_edges_do_not_depend_on_a_grid_that_brackets_nothing(case):
    a, b, g = case
    fn = toy(a, b)
    wide = np.geomspace(1e-16, 1.0, 321)
    ref = find_edges(wide, fn(wide), THR, log_excess(fn, THR))
    got = find_edges(g, fn(g), THR, log_excess(fn, THR))
    assert got is not None and ref is not None
    assert got.lower == pytest.approx(ref.lower, rel=1e-7)
    assert got.upper == pytest.approx(ref.upper, rel=1e-7)
    assert got.lower_open == got.upper_open == ""


def test_the_engine_closes_edges_beyond_a_narrow_grid_and_its_cap_is_physical():
    engine = make_reach(load_experiment("nucal"), channels=["proton_brems"])
    masses = np.array([0.03, 0.1, 0.3])
    wide = run_reach(engine, masses=masses, couplings=np.geomspace(1e-9, 1e-1, 161)).band
    narrow = run_reach(engine, masses=masses, couplings=np.geomspace(7e-7, 1.4e-6, 6))  # inside the band
    assert np.all(wide.lower > 1e-9) and np.all(wide.upper < 1e-1)  # the wide grid brackets every edge
    assert np.all(wide.lower < 7e-7) and np.all(wide.upper > 1.4e-6)  # and the narrow one none
    assert narrow.band.lower == pytest.approx(wide.lower, rel=1e-6)
    assert narrow.band.upper == pytest.approx(wide.upper, rel=1e-6)
    assert narrow.band.unclosed == ()
    search = edge_search(engine, narrow.grid.couplings)
    for m, up in zip(masses, wide.upper):
        cap = search(m).cap
        # at the cap even the most boosted A' decays within a micron: nothing reaches ν-Cal's volume 64 m away
        assert up < cap <= 1.0 and narrow.events_at(engine)(m)(np.array([cap]))[0] == 0.0


def test_csv_closes_an_open_upper_edge_at_the_search_stop(tmp_path):
    """An upper edge not closed is NaN in the band but written at the coupling where the search
    stopped, so the shared scorer (which drops rows lacking an edge) still reads the lower edge."""
    from beamdump.limits.contours import ExclusionBand, UnclosedEdge, read_band_csv

    band = ExclusionBand(
        np.array([0.1, 0.2]), np.array([1e-8, 2e-8]), np.array([np.nan, 1e-3]),
        unclosed=(UnclosedEdge(0.1, "upper", "N >= N_up still at the search cap (eps = 1)", 1.0),),
    )
    assert np.isnan(band.upper[0])
    assert list(band.upper_to_cap()) == [1.0, 1e-3]
    back = read_band_csv(band.write_csv(tmp_path / "band.csv"))
    assert list(back.upper) == [1.0, 1e-3] and list(back.lower) == [1e-8, 2e-8]
    assert any("written as the coupling where the search stopped" in c for c in back.comments)
