"""The active dump (NA64) and electron presets: the shower and the production stop at the dump's
end, a longer dump lowers only the upper edge, more electrons lower the lower edge as EOT^(-1/4)
where the A′ lives long, a combined result is the sum of its runs, and every electron preset
obeys the long-lifetime ε⁴ law (nothing in the machinery is special to one experiment)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from beamdump.engine.analysis import make_reach
from beamdump.errors import BeamdumpInputError
from beamdump.experiments.experiment import Experiment, load_experiment, preset_names
from beamdump.experiments.variants import with_beam_count, with_dump_length
from beamdump.production import electron_brems_xsec as xs
from beamdump.production.electron_brems import ElectronBremsChannel, atoms_per_x0
from beamdump.sources.materials import get_material
from beamdump.sources.shower_cascade import simulate
from beamdump.sources.shower_table import ShowerSettings
from beamdump.studies.x17 import excluded_interval

X0_W = get_material("tungsten").radiation_length_cm / 100.0


@pytest.fixture(scope="module")
def w100():
    """100 GeV e⁻ on 30 X0 of tungsten, e± above 1 GeV (small, for the channel-level tests)."""
    return simulate(ShowerSettings(material="W", beam_energy=100.0, e_min=1.0, thickness=30.0, n_showers=40000, seed=11, depth_bin=0.5))


@pytest.fixture(scope="module")
def na64_2018():
    return load_experiment("na64-2018")


def _interval(exp: Experiment, mass: float) -> tuple[float, float]:
    got = excluded_interval(make_reach(exp), mass)
    assert got is not None, f"{exp.name} excludes nothing at {mass} GeV"
    return got


# ---------------------------------------------------------------------- the dump's length
@pytest.mark.parametrize("depth_x0", [0.005, 0.02, 0.1])
def test_a_thin_cut_of_a_thick_shower_is_the_thin_target(w100, depth_x0):
    """Cutting the 30 X0 shower at t ≪ 1 X0 leaves the beam electron's own track:
    yield = n_atoms · t · σ(E0) to 4% (the MC error of the table's thin front bins with 4e4 showers)."""
    mass = 0.0167
    ch = ElectronBremsChannel(100.0, "W", shower=w100, max_depth=depth_x0 * X0_W)
    ((z, a, n),) = atoms_per_x0("W")
    thin = n * depth_x0 * float(xs.to_cm2(xs.total_cross_section(100.0, mass, z, a)))
    assert ch.sample(mass).total == pytest.approx(thin, rel=0.04)


@settings(max_examples=15, deadline=None)
@given(d1=st.floats(0.2, 25.0), d2=st.floats(0.2, 25.0))
def test_yield_grows_with_dump_length_and_origins_stay_inside(w100, d1, d2):
    """Property: a longer dump never makes fewer A′, and every A′ is made inside the dump."""
    lo, hi = sorted((d1, d2))
    a = ElectronBremsChannel(100.0, "W", shower=w100, max_depth=lo * X0_W, points=1024)
    b = ElectronBremsChannel(100.0, "W", shower=w100, max_depth=hi * X0_W, points=1024)
    assert a.quadrature_rate(0.01) <= b.quadrature_rate(0.01) * (1 + 1e-12)
    s = a.sample(0.01)
    assert s.origin[:, 2].max() <= lo * X0_W * (1 + 1e-9)


def test_bad_dump_length_is_refused():
    with pytest.raises(BeamdumpInputError, match="target_length"):
        ElectronBremsChannel(100.0, "W", max_depth=-1.0)


# ---------------------------------------------------------------------- design variants
def test_with_dump_length_moves_everything_behind_the_dump(na64_2018):
    cfg = na64_2018.config
    longer = with_dump_length(cfg, cfg.beam.target_length.value + 0.1)
    dv, dv2 = cfg.decay_volume, longer.decay_volume
    assert dv2.z_start.value == pytest.approx(dv.z_start.value + 0.1)
    assert dv2.z_end.value - dv2.z_start.value == pytest.approx(dv.z_end.value - dv.z_start.value)
    assert longer.detector.planes[0].z.value == pytest.approx(cfg.detector.planes[0].z.value + 0.1)
    assert with_beam_count(cfg, 1e12).beam.n_particles.value == 1e12
    with pytest.raises(BeamdumpInputError, match="target_length"):
        with_dump_length(load_experiment("ship").config, 1.0)
    with pytest.raises(BeamdumpInputError, match="dump length"):
        with_dump_length(cfg, 0.0)


def test_with_shield_length_moves_the_decay_region_but_not_the_dump(na64_2018):
    from beamdump.experiments.variants import with_shield_length

    cfg = na64_2018.config
    longer = with_shield_length(cfg, 0.05)
    assert longer.beam.target_length.value == cfg.beam.target_length.value
    assert longer.decay_volume.z_start.value == pytest.approx(cfg.decay_volume.z_start.value + 0.05)
    assert longer.decay_volume.z_end.value == pytest.approx(cfg.decay_volume.z_end.value + 0.05)
    assert longer.detector.planes[0].z.value == pytest.approx(cfg.detector.planes[0].z.value + 0.05)
    with pytest.raises(BeamdumpInputError, match="shield length"):
        with_shield_length(cfg, float("nan"))


def test_a_longer_active_dump_moves_only_the_upper_edge_down(na64_2018):
    """WCAL ×1.5 (decay region moved behind it, same length): the upper edge falls (≈ L^-1/2);
    the lower edge stays where the A′ lives long (2 MeV: unchanged to 1e-3) and moves by
    < 0.03 decades at 16.7 MeV, where the decay length is comparable to the decay region."""
    cfg = na64_2018.config
    longer = Experiment.from_config(with_dump_length(cfg, 1.5 * cfg.beam.target_length.value))
    for mass, lower_tol in ((0.002, 1e-3), (0.0167, 0.03)):
        lo0, hi0 = _interval(na64_2018, mass)
        lo1, hi1 = _interval(longer, mass)
        assert np.log10(hi0 / hi1) > 0.05
        assert abs(np.log10(lo1 / lo0)) < lower_tol


def test_more_electrons_lower_the_lower_edge_as_eot_to_the_minus_quarter(na64_2018):
    """×16 EOT: ε_low ∝ EOT^(-1/4) where λ ≫ the decay region (2 MeV: exponent −0.25 ± 0.01);
    at 16.7 MeV (λ ≈ 1.5 m, comparable with the region) the exponent is steeper (measured −0.29)."""
    more = Experiment.from_config(with_beam_count(na64_2018.config, 16 * na64_2018.n_beam))
    slopes = {}
    for mass in (0.002, 0.0167):
        lo0, hi0 = _interval(na64_2018, mass)
        lo1, hi1 = _interval(more, mass)
        slopes[mass] = np.log(lo1 / lo0) / np.log(16.0)
        assert hi1 > hi0  # the upper edge gains only logarithmically
    assert slopes[0.002] == pytest.approx(-0.25, abs=0.01)
    assert -0.35 < slopes[0.0167] < -0.26


# ---------------------------------------------------------------------- combined runs
def test_combined_result_is_the_sum_of_its_runs():
    masses, couplings = np.array([0.003, 0.0167]), np.geomspace(1e-5, 1e-2, 13)
    both = make_reach(load_experiment("na64-2017-2018"))
    grid, _ = both.grid(masses, couplings)
    parts = [make_reach(load_experiment(n)).grid(masses, couplings)[0].total for n in ("na64-2017", "na64-2018")]
    np.testing.assert_allclose(grid.total, parts[0] + parts[1], rtol=1e-12)
    np.testing.assert_allclose(both.flux(0.0167).total(couplings), grid.total[1], rtol=1e-12)


# ---------------------------------------------------------------------- every electron preset
def _own_model(name: str) -> str:
    return load_experiment(name).model


# the A′ presets (na64-alp-2020 is an ALP search that also counts ALPs which never decay: N ∝ g²,
# tests/test_primakoff_channels.py)
ELECTRON_PRESETS = [
    n for n in preset_names() if load_experiment(n).particle == "electron" and _own_model(n) == "dark-photon"
]


@pytest.mark.parametrize("name", ELECTRON_PRESETS)
def test_every_electron_preset_has_the_long_lifetime_eps4_law(name):
    """Far below the lower edge the A′ decays rarely inside the region: N ∝ ε² (production) ×
    ε² (decay probability), so N(2ε)/N(ε) = 16 to 1%, whatever the beam, dump and geometry."""
    engine = make_reach(load_experiment(name))
    mass = 0.005
    lo, _ = excluded_interval(engine, mass)
    flux = engine.flux(mass)
    eps = lo / 30.0
    n1, n2 = flux.total(np.array([eps, 2 * eps]))
    assert n1 > 0
    assert n2 / n1 == pytest.approx(16.0, rel=0.01)


def test_with_decay_length_keeps_the_start_and_moves_what_is_behind(na64_2018):
    from beamdump.experiments.variants import with_decay_length

    cfg = na64_2018.config
    longer = with_decay_length(cfg, 2.0)
    dv, dv2 = cfg.decay_volume, longer.decay_volume
    assert dv2.z_start.value == dv.z_start.value
    assert dv2.z_end.value - dv2.z_start.value == pytest.approx(2 * (dv.z_end.value - dv.z_start.value))
    assert longer.detector.planes[0].z.value == pytest.approx(dv2.z_end.value)
    with pytest.raises(BeamdumpInputError, match="factor"):
        with_decay_length(cfg, 0.0)


def test_band_on_a_combined_preset_is_one_clear_line(tmp_path):
    import subprocess
    import sys

    r = subprocess.run([sys.executable, "-m", "beamdump.cli", "reach", "na64-2017-2018", "--band", "--out", str(tmp_path)],
                       capture_output=True, text=True)
    assert r.returncode == 2 and "combines several runs" in r.stderr and "Traceback" not in r.stderr
