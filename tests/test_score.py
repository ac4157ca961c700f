"""The package's score is the shared tool's, number for number, on every published reference band
(one-edge ones included), and a known shift of a band comes back out of it."""

import importlib.util
import math
from pathlib import Path

import numpy as np
import pytest

from beamdump.limits.contours import ExclusionBand, read_band_csv
from beamdump.report.score import MISS, Score, band_table, edge_shifts, score_band

SHARED = Path(__file__).resolve().parents[1].parent / "shared"
REFERENCE = SHARED / "reference"
TOOL = SHARED / "tools" / "score.py"
REF_FILES = sorted((REFERENCE / "limits").glob("*/*.csv"))
SHIFT = 0.1  # decades


def _ref_params():
    if not REF_FILES:
        return [pytest.param(None, marks=pytest.mark.skip(reason=f"{REFERENCE}/limits/*/*.csv is absent (not a CI checkout)"))]
    return [pytest.param(p, id=f"{p.parent.name}/{p.name}") for p in REF_FILES]


@pytest.fixture(scope="module")
def tool():
    if not TOOL.exists():
        pytest.skip(f"{TOOL} is absent (not a CI checkout)")
    spec = importlib.util.spec_from_file_location("shared_tools_score", TOOL)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def assert_same(mine: Score, theirs: dict) -> None:
    """Every number the tool gives, to 1e-12 (None where it gives None, inf where inf)."""
    got = mine.as_dict()
    for key, want in theirs.items():
        if want is None or (isinstance(want, float) and math.isinf(want)):
            assert got[key] == want, key
        else:
            assert got[key] == pytest.approx(want, rel=1e-12, abs=1e-12), key
    if "mass_max_ratio" not in theirs:  # the tool's no-band answer leaves it out
        assert got["mass_max_ratio"] == 0.0


def shifted(ref: ExclusionBand, factor_lo: float, factor_hi: float) -> ExclusionBand:
    """A band on the reference's masses, each edge the reference gives times its factor; where it
    gives none, a stand-in three decades from the other edge (never scored: the reference has no
    such edge there)."""
    lo = ref.lower * factor_lo
    hi = ref.upper * factor_hi
    lo = np.where(np.isfinite(lo), lo, hi / 1e3)
    hi = np.where(np.isfinite(hi), hi, lo * 1e3)
    return ExclusionBand(ref.masses.copy(), lo, hi, coupling=ref.coupling, model=ref.model, cl=ref.cl)


@pytest.mark.parametrize("ref_path", _ref_params())
def test_reader_gives_the_tools_table(tool, ref_path):
    ref = read_band_csv(ref_path)
    np.testing.assert_array_equal(band_table(ref), tool.load(ref_path))
    np.testing.assert_array_equal(np.column_stack([ref.masses, ref.lower, ref.upper]), tool.load(ref_path))


@pytest.mark.parametrize("ref_path", _ref_params())
def test_score_equals_the_shared_tool_and_recovers_a_known_shift(tool, ref_path, tmp_path):
    ref = read_band_csv(ref_path)
    ref_tool = tool.load(ref_path)
    has_lo, has_hi = np.isfinite(ref.lower).any(), np.isfinite(ref.upper).any()
    ours = shifted(ref, 10**SHIFT, 10**SHIFT)
    s = score_band(ours, ref)
    assert_same(s, tool.score(band_table(ours), ref_tool))
    for edge, has in (("lower", has_lo), ("upper", has_hi)):
        if has:
            assert getattr(s, f"{edge}_median") == pytest.approx(SHIFT, abs=1e-12)
            assert getattr(s, f"{edge}_p90") == pytest.approx(SHIFT, abs=1e-12)
        else:  # not given by the reference: not scored
            assert getattr(s, f"{edge}_median") is None and getattr(s, f"{edge}_p90") is None
            assert f"{edge} median n/a p90 n/a" in s.line()
    assert s.coverage == 1.0 and s.mass_max_ratio == 1.0 and s.n_ref == len(ref)

    # half the masses, the edges shifted apart: misses (99 decades) and the interpolation between masses
    n = len(ref)
    part = ExclusionBand(ours.masses[n // 4 : 3 * n // 4 + 2 : 2], ours.lower[n // 4 : 3 * n // 4 + 2 : 2] / 10**0.3,
                         ours.upper[n // 4 : 3 * n // 4 + 2 : 2] * 10**0.05)
    if len(part) >= 2:
        assert_same(score_band(part, ref), tool.score(band_table(part), ref_tool))

    # and through files: what the tool reads from our contour.csv is what the package scores
    ours.write_csv(tmp_path / "ours.csv")
    assert_same(score_band(read_band_csv(tmp_path / "ours.csv"), ref), tool.score(tool.load(tmp_path / "ours.csv"), ref_tool))


def test_rows_the_tool_drops_or_keeps(tool, tmp_path):
    """Edges ≤ 0 are missing, rows without an edge or with lower ≥ upper are dropped, unsorted
    rows are sorted, NaN rows of ours are not used: as the tool does."""
    p = tmp_path / "odd.csv"
    p.write_text(
        "# model: hnl_mu\nmass_gev,coupling_lower,coupling_upper\n"
        "0.3,1e-7,nan\n0.1,1e-6,1e-3\n0.2,0,1e-4\n0.25,nan,nan\n0.27,1e-4,1e-5\n-1,1e-6,1e-3\n0.4,2e-7,-3\n"
    )
    ref = read_band_csv(p)
    np.testing.assert_array_equal(band_table(ref), tool.load(p))
    assert list(ref.masses) == [0.1, 0.2, 0.3, 0.4]
    assert np.isnan(ref.lower[1]) and np.isnan(ref.upper[2:]).all()
    ours = ExclusionBand(np.array([0.05, 0.15, 0.22, 0.35]), np.array([2e-6, np.nan, 3e-7, 4e-7]), np.array([1e-3, 1e-3, 1e-4, 1e-4]))
    assert_same(score_band(ours, ref), tool.score(band_table(ours), tool.load(p)))


def test_an_empty_edge_cell_is_a_missing_edge(tool, tmp_path):
    """The one place where reading differs from the tool: an empty edge cell is a missing edge
    (the row is kept), where the tool drops the row. No reference file has an empty cell."""
    p = tmp_path / "empty.csv"
    p.write_text("mass_gev,coupling_lower,coupling_upper\n0.1,1e-6,1e-3\n0.5,3e-7,\n")
    ref = read_band_csv(p)
    assert list(ref.masses) == [0.1, 0.5] and np.isnan(ref.upper[1])
    assert len(tool.load(p)) == 1
    assert not any("," in ln and ln.split(",")[-1].strip() == "" for f in REF_FILES for ln in f.read_text().splitlines())


def test_no_band_is_the_tools_no_band(tool):
    ref = ExclusionBand(np.array([0.1, 0.2]), np.array([1e-7, np.nan]), np.array([1e-5, 1e-5]))
    one = ExclusionBand(np.array([0.1]), np.array([1e-7]), np.array([1e-5]))
    s = score_band(one, ref)
    assert_same(s, tool.score(band_table(one), band_table(ref)))
    assert s.lower_median == math.inf and "inf" in s.line()


def test_line_says_what_99_means_and_n_a():
    s = Score(0.4, 0.05, MISS, None, None, 0.5, 10)
    line = s.line()
    assert "p90 99 (not covered)" in line and "upper median n/a p90 n/a" in line and "\n" not in line
    assert "partly not covered" in Score(0.85, 0.05, 40.0, 0.02, 0.03, 1.0, 10).line()
    assert Score(1.0, 0.05, 0.1, 0.02, 0.03, 1.0, 10).line() == (
        "lower median 0.050 p90 0.1 | upper median 0.020 p90 0.03 | coverage 1.00 | m_max ratio 1.000"
    )


def test_one_edge_reference_is_scored_on_that_edge_alone():
    m = np.geomspace(0.01, 1, 30)
    ref = ExclusionBand(m, np.geomspace(1e-7, 1e-6, 30), np.full(30, np.nan))
    ours = ExclusionBand(m, ref.lower * 10**0.2, np.full(30, 1e-2))
    s = score_band(ours, ref)
    assert s.lower_median == pytest.approx(0.2, abs=1e-12) and s.upper_median is None and s.coverage == 1
    assert s.as_dict()["upper_p90"] is None


def test_edge_shifts_sign_and_mass_end():
    m = np.geomspace(0.01, 1, 30)
    nominal = ExclusionBand(m, np.geomspace(1e-7, 1e-6, 30), np.geomspace(1e-4, 1e-5, 30))
    other = ExclusionBand(m[:-3], nominal.lower[:-3] * 10**0.1, nominal.upper[:-3] / 10**0.2)
    lo, hi, dm = edge_shifts(nominal, other)
    assert lo == pytest.approx(0.1) and hi == pytest.approx(-0.2) and dm == pytest.approx(m[-4] / m[-1] - 1)
    assert all(math.isnan(x) for x in edge_shifts(nominal, ExclusionBand(np.zeros(0), np.zeros(0), np.zeros(0))))
