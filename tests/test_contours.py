"""Band edges between grid points, the reference CSV format, the score metric."""

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from scipy import optimize

from beamdump.limits.contours import DEFAULT_COUPLING, ExclusionBand, band_edges, exclusion_band, read_band_csv
from beamdump.errors import BeamdumpInputError
from beamdump.models.base import Coupling
from beamdump.report.score import score_band

SHARED = Path(__file__).resolve().parents[1] / ".." / "shared"


def model_events(m, g):
    """A toy N(m, g) = A(m) g⁴ exp(−B(m) g²) with the shape of a beam-dump yield."""
    A = 1e26 * (1 - m) ** 3
    B = 1e10 * m**2
    return A * g**4 * np.exp(-B * g * g)


def analytic_edges(m, thr):
    f = lambda lg: np.log(model_events(m, np.exp(lg)) + 1e-300) - np.log(thr)
    peak = 0.5 * np.log(2.0 / (1e10 * m**2))  # d/dg of g⁴e^{−Bg²} = 0 at g² = 2/B
    lo = optimize.brentq(f, np.log(1e-12), peak)
    hi = optimize.brentq(f, peak, np.log(1.0))
    return np.exp(lo), np.exp(hi)


def test_interpolated_edges_are_close_and_exact_edges_are_exact():
    g = np.geomspace(1e-9, 1e-2, 50)  # coarse on purpose: 0.15 decades per step
    thr = 2.3
    for m in (0.01, 0.1, 0.5):
        truth = analytic_edges(m, thr)
        n = model_events(m, g)
        lo, hi = band_edges(g, n, thr)
        assert abs(np.log10(lo / truth[0])) < 1e-4  # log N is nearly linear in log g on the lower edge
        assert abs(np.log10(hi / truth[1])) < 0.05
        exact = lambda lg: np.log(model_events(m, np.exp(lg))) - np.log(thr)
        lo, hi = band_edges(g, n, thr, exact)
        assert lo == pytest.approx(truth[0], rel=1e-5)
        assert hi == pytest.approx(truth[1], rel=1e-5)


def test_band_over_masses_and_end_refinement():
    masses = np.geomspace(0.01, 0.99, 30)
    g = np.geomspace(1e-9, 1e-2, 80)
    thr = 2.3
    ev = model_events(masses[:, None], g[None, :])
    events_at = lambda m: (lambda gg: model_events(m, np.asarray(gg)))
    band = exclusion_band(masses, g, ev, thr, events_at=events_at, refine_ends=8)
    # the band closes where A(m) g⁴ e^{−Bg²} at its maximum g² = 2/B reaches thr
    tip = optimize.brentq(lambda m: 1e26 * (1 - m) ** 3 * (2 / (1e10 * m * m)) ** 2 * np.exp(-2) - thr, 0.1, 0.999)
    assert band.masses[-1] == pytest.approx(tip, rel=2e-3)
    assert band.masses[-1] > masses[masses < tip].max()  # refined beyond the last excluded grid mass
    assert np.all(band.lower < band.upper)


def test_no_exclusion_gives_empty_band():
    g = np.geomspace(1e-9, 1e-2, 20)
    assert band_edges(g, np.full(20, 0.1), 2.3) is None
    band = exclusion_band(np.array([0.1, 0.2]), g, np.zeros((2, 20)), 2.3)
    assert len(band) == 0


def test_csv_round_trip(tmp_path):
    band = ExclusionBand(np.array([0.1, 0.2, 0.3]), np.array([1e-7, 2e-7, 3e-7]), np.array([1e-5, 2e-5, 3e-5]), ("made in a test",))
    band.write_csv(tmp_path / "c.csv")
    text = (tmp_path / "c.csv").read_text()
    assert text.startswith(
        "# model: dark-photon\n# coupling: eps (dimensionless)\n# cl: 0.9\n# made in a test\nmass_gev,eps_lower,eps_upper\n"
    )
    back = read_band_csv(tmp_path / "c.csv")
    assert np.allclose(back.lower, band.lower) and np.allclose(back.masses, band.masses)
    assert back.comments == band.comments and back.coupling == DEFAULT_COUPLING
    assert (back.model, back.cl) == ("dark-photon", 0.9)


def test_band_records_its_coupling_model_and_cl():
    g_bl = Coupling("g_BL", r"$g_{B-L}$", "", (1e-10, 1e-1))
    band = ExclusionBand(np.array([0.1]), np.array([1e-7]), np.array([1e-5]))  # positional as before
    assert (band.coupling, band.model, band.cl) == (DEFAULT_COUPLING, "dark-photon", 0.9)
    assert DEFAULT_COUPLING.key == "eps" and DEFAULT_COUPLING.unit == "" and DEFAULT_COUPLING.default_range == (1e-9, 1e-1)
    masses = np.geomspace(0.01, 0.99, 12)
    g = np.geomspace(1e-9, 1e-2, 40)
    ev = model_events(masses[:, None], g[None, :])
    made = exclusion_band(masses, g, ev, 2.3, coupling=g_bl, model="b-l", cl=0.95)
    assert len(made) and (made.coupling, made.model, made.cl) == (g_bl, "b-l", 0.95)
    empty = exclusion_band(masses[:2], g, np.zeros((2, 40)), 2.3, coupling=g_bl, model="b-l", cl=0.95)
    assert len(empty) == 0 and empty.coupling == g_bl and empty.cl == 0.95
    with pytest.raises(BeamdumpInputError, match="cl: 90"):
        exclusion_band(masses, g, ev, 2.3, cl=90)


def test_bad_csv_is_a_clear_error(tmp_path):
    p = tmp_path / "bad.csv"
    p.write_text("mass,lo,hi\n1,2,3\n")
    with pytest.raises(BeamdumpInputError, match="bad.csv: the header is mass,lo,hi; it must be mass_gev,<c>_lower,<c>_upper"):
        read_band_csv(p)
    with pytest.raises(BeamdumpInputError, match="cannot be read"):
        read_band_csv(tmp_path / "missing.csv")


def test_score_of_a_band_against_itself_is_perfect_and_shifts_are_seen():
    ref = ExclusionBand(np.geomspace(0.01, 1, 40), np.geomspace(1e-7, 1e-6, 40), np.geomspace(1e-4, 1e-5, 40))
    s = score_band(ref, ref)
    assert s.coverage == 1 and s.lower_median < 1e-12 and s.upper_median < 1e-12
    shifted = ExclusionBand(ref.masses, ref.lower * 10**0.1, ref.upper)
    assert score_band(shifted, ref).lower_median == pytest.approx(0.1, abs=1e-9)
    half = ExclusionBand(ref.masses[:20], ref.lower[:20], ref.upper[:20])
    assert score_band(half, ref).coverage == pytest.approx(0.5)


def test_score_agrees_with_the_shared_tool(tmp_path):
    tool = SHARED / "tools" / "score.py"
    ref_file = SHARED / "reference" / "limits" / "dark_photon" / "na62_mumu_2021.csv"
    if not (tool.exists() and ref_file.exists()):
        pytest.skip("../shared/tools/score.py or the NA62 reference is absent (not a CI checkout)")
    ref = read_band_csv(ref_file)
    ours = ExclusionBand(ref.masses[5:-20:3], ref.lower[5:-20:3] * 1.3, ref.upper[5:-20:3] / 1.2)
    ours.write_csv(tmp_path / "ours.csv")
    out = subprocess.run([sys.executable, str(tool), str(tmp_path / "ours.csv"), str(ref_file), "--json"],
                         capture_output=True, text=True, check=True).stdout
    import json

    theirs = json.loads(out)
    mine = score_band(read_band_csv(tmp_path / "ours.csv"), ref).as_dict()
    for key in ("coverage", "lower_median", "upper_median", "lower_p90", "upper_p90", "mass_max_ratio"):
        assert mine[key] == pytest.approx(theirs[key], rel=1e-9, abs=1e-12)


def test_default_coupling_is_the_dark_photons():
    from beamdump.models import get_model

    assert get_model("dark-photon").coupling == DEFAULT_COUPLING


@pytest.mark.parametrize(
    "content, line, what",
    [
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", 1, "binary"),
        (b"mass_gev,eps_lower,eps_upper\n0.1,1e-7,1e-5\n0.2,\x00\x01\x02,1e-5\n", 3, "binary"),
        (b"mass_gev,eps_lower,eps_upper\n0.1,1e-7,1e-5\n0.2,1e-7,inf\n", 3, "infinite"),
        (b"# c\nmass_gev,eps_lower,eps_upper\n-inf,1e-7,1e-5\n", 3, "infinite"),
    ],
)
def test_binary_or_infinite_reference_is_an_error_naming_the_line(tmp_path, content, line, what):
    p = tmp_path / "ref.csv"
    p.write_bytes(content)
    with pytest.raises(BeamdumpInputError, match=rf"ref.csv, line {line}: .*{what}"):
        read_band_csv(p)


def test_rows_not_kept_are_named_in_a_warning(tmp_path):
    p = tmp_path / "ref.csv"
    p.write_text("mass_gev,eps_lower,eps_upper\n0.1,1e-7,1e-5\n0.2,1e-5,1e-7\n0.3,nan,nan\n0.4,2e-7,1e-5\n")
    with pytest.warns(UserWarning, match=r"2 row\(s\) skipped.*line\(s\) 3, 4"):
        band = read_band_csv(p)
    assert list(band.masses) == [0.1, 0.4]
