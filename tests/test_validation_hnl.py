"""HNL limits against the published curves (docs/validation.md, docs/hnl_presets.md): the scores
reached today, as regression guards. Bounds are what is achieved with margin; where the issue's
target (≤ 0.15 decades per edge) is met the guard is that target."""

from pathlib import Path

import pytest

from beamdump.studies.validation import validate_preset

LIMITS = Path(__file__).resolve().parents[1] / ".." / "shared" / "reference" / "limits"

pytestmark = pytest.mark.skipif(not LIMITS.is_dir(), reason="../shared/reference/limits is absent (not a CI checkout)")


def _score(preset: str, model: str, reference: str):
    (v,) = [v for v in validate_preset(preset, LIMITS, model) if v.reference == reference]
    return v.score


def test_bebc_electron_mixing_against_barouki_et_al():
    """BEBC WA66 reanalysis (Dirac, N < 2.3): both edges within the issue's 0.15 decades."""
    s = _score("bebc", "hnl-e-dirac", "hnl_e/bebc_barouki_e.csv")
    assert s.coverage >= 0.9
    assert s.lower_median <= 0.15 and s.upper_median <= 0.15


def test_charm_tau_mixing_against_boiarska_et_al():
    """CHARM e+e- search recast for U_tau (Majorana): both edges within 0.15 decades."""
    s = _score("charm", "hnl-tau", "hnl_tau/charm_boiarska_tau.csv")
    assert s.coverage >= 0.9
    assert s.lower_median <= 0.15 and s.upper_median <= 0.15


def test_charm_1986_electron_mixing_against_the_published_curve():
    """CHARM 1986 (Dirac), N -> nu ee and nu mumu from D decays: the one edge within 0.15 decades."""
    s = _score("charm", "hnl-e-dirac", "hnl_e/charm_1986_e.csv")
    assert s.coverage >= 0.9
    assert s.lower_median <= 0.15


def test_nutev_lower_edge_against_the_published_curve():
    """NuTeV (Dirac): the lower edge within 0.15 decades; the published upper edge is not a
    lifetime edge for our spectra (docs/hnl_presets.md) and is not guarded."""
    s = _score("nutev", "hnl-mu-dirac", "hnl_mu/nutev_mu.csv")
    assert s.coverage >= 0.9
    assert s.lower_median <= 0.15


def test_ps191_and_the_remaining_misses_stay_where_they_are():
    """The misses documented in docs/hnl_presets.md do not grow: PS191's lower edge, BEBC U_tau."""
    assert _score("ps191", "hnl-mu-dirac", "hnl_mu/ps191_mu.csv").lower_median <= 0.40
    tau = _score("bebc", "hnl-tau-dirac", "hnl_tau/bebc_barouki_tau.csv")
    assert tau.lower_median <= 0.45 and tau.coverage >= 0.8
