"""The bremsstrahlung uncertainty band: it brackets the central result and names its variations."""

import numpy as np
import pytest

from beamdump.engine.analysis import make_reach, run_reach
from beamdump.errors import BeamdumpInputError
from beamdump.experiments.experiment import load_experiment
from beamdump.production.proton_brems import band_variations
from beamdump.studies.uncertainty_band import uncertainty_band


@pytest.fixture(scope="module")
def nucal_band():
    reach = make_reach(load_experiment("nucal"), final_states=["ee"], channels=["pi0", "proton_brems"])
    result = run_reach(reach, np.geomspace(0.01, 0.9, 16), np.geomspace(1e-9, 1e-3, 61))
    return result, uncertainty_band(reach, result)


def test_band_brackets_the_central_events(nucal_band):
    result, band = nucal_band
    assert np.all(band.events_low <= result.grid.total)
    assert np.all(result.grid.total <= band.events_high)
    assert np.any(band.events_low < 0.99 * result.grid.total)
    assert np.any(band.events_high > 1.01 * result.grid.total)
    assert set(band.per_variation) == {v["label"] for v in band_variations()}


def test_band_contours_are_nested(nucal_band):
    result, band = nucal_band
    central = result.band
    for m, lo, hi in zip(band.low.masses, band.low.lower, band.low.upper):
        c = central.interval_at(m)
        assert c is not None and c[0] <= lo * (1 + 1e-6) and hi <= c[1] * (1 + 1e-6)
    for m, lo, hi in zip(central.masses, central.lower, central.upper):
        h = band.high.interval_at(m)
        assert h is not None and h[0] <= lo * (1 + 1e-6) and hi <= h[1] * (1 + 1e-6)


def test_meson_channels_do_not_move_with_the_bremsstrahlung_variations(nucal_band):
    result, band = nucal_band
    i = np.searchsorted(result.grid.masses, 0.05)  # π⁰ → γA′ dominates at 50 MeV for ν-Cal
    share = result.grid.by_channel["pi0"][i].max() / result.grid.total[i].max()
    assert share > 0.5
    assert band.events_low[i].max() >= share * result.grid.total[i].max() * 0.999


def test_band_needs_bremsstrahlung():
    reach = make_reach(load_experiment("nucal"), final_states=["ee"], channels=["pi0"])
    result = run_reach(reach, np.geomspace(0.01, 0.1, 4))
    with pytest.raises(BeamdumpInputError, match="--band"):
        uncertainty_band(reach, result)
