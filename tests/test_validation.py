"""Published curves: the scores beamdump reaches today (docs/validation.md), as regression guards.

The bounds are what is achieved with margin, not always the issues' targets: the lower edges of
NA62 (0.256) and CHARM (0.356) miss theirs, and docs/validation.md says why we think so; ν-Cal
meets its targets (≤ 0.15 on each edge, coverage ≥ 0.8).
"""

from pathlib import Path

import numpy as np
import pytest

from beamdump.engine.analysis import make_reach, run_reach
from beamdump.limits.contours import read_band_csv
from beamdump.experiments.experiment import load_experiment
from beamdump.production.proton_brems import default_brems_settings
from beamdump.studies.validation import validate_preset

LIMITS = Path(__file__).resolve().parents[1] / ".." / "shared" / "reference" / "limits"

pytestmark = pytest.mark.skipif(not LIMITS.is_dir(), reason="../shared/reference/limits is absent (not a CI checkout)")


def test_na62_mumu_against_the_published_curve():
    (v,) = validate_preset("na62-dump-2021", LIMITS, "dark-photon")
    s = v.score
    assert s.coverage >= 0.8
    assert s.upper_median <= 0.12
    assert s.lower_median <= 0.27


def test_na62_published_mass_end_lies_within_the_form_factor_uncertainty():
    """The published band ends at 0.537 GeV; bremsstrahlung with the FairShip/SHiP penalty dipole
    ends within 10% of it (0.572 GeV), with the extended-VMD form factor (default) it runs through the ρ/ω."""
    ref = read_band_csv(LIMITS / "dark_photon" / "na62_mumu_2021.csv")
    published = ref.mass_range[1]
    ends = {}
    for ff in ("dipole_penalty", "vmd"):
        reach = make_reach(load_experiment("na62-dump-2021"), final_states=["mumu"], brems=default_brems_settings(form_factor=ff))
        ends[ff] = run_reach(reach, np.geomspace(0.22, 1.3, 60)).band.mass_range[1]
    assert abs(ends["dipole_penalty"] / published - 1) < 0.1
    assert ends["vmd"] > 1.5 * published


def test_nucal_bremsstrahlung_against_bluemlein_brunner():
    (v,) = validate_preset("nucal", LIMITS, "dark-photon")
    s = v.score
    assert v.channels == ("proton_brems",)
    assert s.lower_median <= 0.12 and s.upper_median <= 0.06
    assert s.coverage >= 0.95


def test_charm_eta_against_the_bluemlein_brunner_reinterpretation():
    (v,) = validate_preset("charm", LIMITS, "dark-photon")
    s = v.score
    assert v.channels == ("eta",)
    assert s.upper_median <= 0.15
    assert s.lower_median <= 0.45
    assert s.coverage >= 0.7


@pytest.mark.parametrize("preset", ["na62-dump-2021", "charm"])
def test_whole_nucleus_meson_tables_move_the_edges_little(preset):
    """Angantyr p+Cu tables instead of isoscalar pp/pn: today NA62 0.256 → 0.241 / 0.099 → 0.097,
    CHARM 0.356 → 0.340 / 0.142 → 0.161 (docs/validation.md): the nuclear treatment is not what
    separates us from the references."""
    (a,) = validate_preset(preset, LIMITS, "dark-photon")
    (b,) = validate_preset(preset, LIMITS, "dark-photon", mesons="nucleus")
    assert abs(a.score.lower_median - b.score.lower_median) < 0.05
    assert abs(a.score.upper_median - b.score.upper_median) < 0.05


@pytest.mark.parametrize(
    "preset, lower, upper",
    [
        # meets the target (≤ 0.15 each edge, coverage ≥ 0.8) with the [check] lengths of
        # the presets (docs/na64.md: how far each moves it); today 0.113 / 0.120, coverage 1.00
        ("na64-2017-2018", 0.13, 0.14),
        # π⁰ and η, forward tune (docs/lhc.md); today 0.079 / 0.078, coverage 0.90
        ("faser-2022", 0.11, 0.11),
    ],
)
def test_targets_met_against_the_published_curve(preset, lower, upper):
    (v,) = validate_preset(preset, LIMITS, "dark-photon")
    s = v.score
    assert s.coverage >= 0.8
    assert s.lower_median <= lower
    assert s.upper_median <= upper


@pytest.mark.parametrize(
    "preset, lower, upper, coverage",
    [
        # meets the target; today 0.065 / 0.090, coverage 1.00
        ("na64-2017-2018", 0.10, 0.12, 0.95),
        # the rest inherit the dark photon's miss at the same experiment (docs/validation.md);
        # today charm 0.370 / 0.098 (0.73), e137 0.258 / 0.008 (0.94; 0.213 before the shower e±
        # directions were modelled, shower_angles=False), nucal 0.247 / 0.015 (1.00)
        ("charm", 0.40, 0.13, 0.70),
        ("e137", 0.28, 0.03, 0.9),
        ("nucal", 0.28, 0.04, 0.95),
    ],
)
def test_b_minus_l_against_darkcast_recasts(preset, lower, upper, coverage):
    (v,) = validate_preset(preset, LIMITS, "b-l")
    s = v.score
    assert v.model == "b-l" and v.reference.startswith("b_minus_l/")
    assert s.coverage >= coverage
    assert s.lower_median <= lower
    assert s.upper_median <= upper


@pytest.mark.parametrize(
    "preset, channel, ref_dp, ref_bl",
    [
        ("charm", "eta", "dark_photon/charm_blumlein_brunner.csv", "b_minus_l/charm_bl.csv"),
        ("e137", "electron_brems", "dark_photon/e137_andreas2012.csv", "b_minus_l/e137_bl.csv"),
        ("na64-2017-2018", "electron_brems", "dark_photon/na64_visible_2017_2018.csv", "b_minus_l/na64_visible_bl.csv"),
    ],
)
def test_b_minus_l_translation_agrees_with_darkcast(preset, channel, ref_dp, ref_bl):
    """Independently of how well the dark photon is reproduced: the ratio of the B−L lower edge
    to the dark photon's at small mass (long lifetimes, below 2 m_μ) is DarkCast's. For η → γX it
    is e·(1/4)^(-1/4) = 0.43 (the η's B−L amplitude is half the photon's), for electron
    bremsstrahlung e = 0.303 (x_e = −1 in units of g, not of e)."""
    exp = load_experiment(preset)
    masses = np.array([0.003, 0.006, 0.012])
    bands = {
        m: run_reach(make_reach(exp, m, final_states=["ee"], channels=[channel]), masses=masses,
                     couplings=np.geomspace(1e-10, 1e-2, 161)).band
        for m in ("dark-photon", "b-l")
    }
    dp, bl = read_band_csv(LIMITS / ref_dp), read_band_csv(LIMITS / ref_bl)
    for m in masses:
        ours = bands["b-l"].interval_at(m)[0] / bands["dark-photon"].interval_at(m)[0]
        theirs = bl.interval_at(m)[0] / dp.interval_at(m)[0]
        assert ours == pytest.approx(theirs, rel=0.08), (m, ours, theirs)
