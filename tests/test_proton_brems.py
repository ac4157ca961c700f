"""Proton bremsstrahlung: the splitting function's limits, the form factor, the sample's integral."""

from __future__ import annotations

import copy

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import integrate

from beamdump.errors import BeamdumpInputError
from beamdump.pdg import mass_gev
from beamdump.production import proton_brems
from beamdump.production.proton_brems import (
    ALPHA_EM,
    PROTON_MASS,
    BremsSettings,
    ProtonBremsChannel,
    band_variations,
    default_brems_settings,
    load_form_factors,
    load_sigma_fit,
    splitting_function,
)

M = PROTON_MASS


def test_small_z_limit_is_two_over_z_times_the_propagator():
    """z → 0: w → (α / 2πH)·2/z with H → p_T² + m² (the soft-photon limit of the splitting)."""
    for m, pt2 in ((0.3, 0.2), (0.01, 0.5), (1.0, 0.05)):
        z = np.array([1e-4, 1e-5, 1e-6])
        w = splitting_function(z, pt2, m)
        expected = ALPHA_EM / (2 * np.pi * (pt2 + m * m)) * 2.0 / z
        assert np.allclose(w / expected, 1.0, rtol=2e-4)


def test_massless_limit_is_the_quark_to_photon_splitting_function():
    """m → 0 and p_T² ≫ z²M²: w → α/(2π p_T²) · (1 + (1 − z)²)/z (Altarelli–Parisi P_γq)."""
    z = np.linspace(0.05, 0.95, 19)
    pt2 = 1e4
    w = splitting_function(z, pt2, 1e-6)
    ap = ALPHA_EM / (2 * np.pi * pt2) * (1 + (1 - z) ** 2) / z
    assert np.allclose(w / ap, 1.0, rtol=1e-3)


def test_massless_limit_is_continuous_in_the_mass():
    z, pt2 = np.linspace(0.1, 0.9, 9), 0.3
    assert np.allclose(splitting_function(z, pt2, 1e-4), splitting_function(z, pt2, 0.0), rtol=1e-6)


@settings(max_examples=300, deadline=None)
@given(st.floats(1e-3, 0.999), st.floats(0.0, 25.0), st.floats(0.0, 5.0))
def test_splitting_function_is_positive(z, pt2, m):
    assert splitting_function(np.array([z]), np.array([pt2]), m)[0] > 0.0


def test_dirac_form_factor_is_one_at_zero_and_real_below_threshold():
    vmd = load_form_factors()["vmd"]
    assert vmd.amplitude(0.0) == pytest.approx(1.0, abs=1e-9)
    assert sum(p[2] for p in vmd.poles) == pytest.approx(1.0, abs=1e-9)
    for isospin in (0, 1):  # each family carries half of the charge
        assert sum(p[2] for p in vmd.poles if p[4] == isospin) == pytest.approx(0.5, abs=1e-9)
    assert abs(vmd.amplitude(0.1**2).imag) == 0.0  # below 2 m_π and m_π⁰: no width
    assert load_form_factors()["dipole"].squared(0.0) == 1.0
    assert load_form_factors()["none"].squared(4.0) == 1.0


def test_vmd_form_factor_peaks_at_the_rho_omega_and_falls_beyond():
    vmd = load_form_factors()["vmd"]
    m = np.array([0.3, 0.6, 0.77, 1.5, 3.0])
    f2 = vmd.squared(m * m)
    assert f2[0] < f2[1] < f2[2]  # rises towards the ρ/ω poles
    assert f2[2] > 100.0
    assert f2[3] < 1.0 and f2[4] < 1e-3  # Σ f_V m_V² ≈ 0, so F₁ falls like 1/m⁴


@pytest.mark.parametrize("name, peak", [("vmd", mass_gev(223)), ("vmd_bdnmc", 0.77)])
def test_vmd_peak_sits_at_its_omega_pole(name, peak):
    """The narrow ω dominates |F₁|²: the peak is at the PDG ω(782) for ``vmd`` and at the fit code's
    common ρ/ω mass 0.77 GeV for ``vmd_bdnmc`` (within a fraction of Γ_ω = 8.7 MeV)."""
    m = np.linspace(0.70, 0.85, 30001)
    f2 = load_form_factors()[name].squared(m * m)
    assert abs(m[np.argmax(f2)] - peak) < 1e-3
    assert f2.max() > 100.0 * max(f2[0], f2[-1])


def test_vmd_takes_the_rho_and_omega_from_the_pdg_and_is_nearly_superconvergent():
    """ρ(770) and ω(782) are the PDG's; the excited poles keep the fit's masses, with which the
    coefficients obey Σ f_V m_V² = 0 in each family (F₁ ~ 1/m⁴): at large m, |F₁|² m⁸ tends to a
    constant for the fit masses, while the PDG ρ/ω leave only a small 1/m² tail."""
    vmd, fit = load_form_factors()["vmd"], load_form_factors()["vmd_bdnmc"]
    masses = sorted(p[0] for p in vmd.poles)
    assert mass_gev(113) in masses and mass_gev(223) in masses
    for isospin in (0, 1):
        assert abs(sum(p[2] * p[0] ** 2 for p in fit.poles if p[4] == isospin)) < 1e-9
        assert abs(sum(p[2] * p[0] ** 2 for p in vmd.poles if p[4] == isospin)) < 0.03
    m = np.array([10.0, 20.0])
    scaled = fit.squared(m * m) * m**8
    assert scaled[1] == pytest.approx(scaled[0], rel=0.1)
    tail = sum(p[2] * p[0] ** 2 for p in vmd.poles)  # F₁ → −Σ f_V m_V² / m² when that is not 0
    assert np.sqrt(vmd.squared(300.0**2)) * 300.0**2 == pytest.approx(abs(tail), rel=0.01)


def test_vmd_with_constant_widths_is_the_fit_code_at_zero_mass():
    """BdNMC/FairShip keep the widths at m = 0: |F₁(0)|² = |Σ f_V m_V/(m_V − iΓ_V)|² ≈ 1.02."""
    fit = load_form_factors()["vmd_bdnmc"]
    expected = abs(sum(f * mv / (mv - 1j * gv) for mv, gv, f, _, _ in fit.poles)) ** 2
    assert float(fit.squared(0.0)) == pytest.approx(expected, rel=1e-12)
    assert 1.01 < expected < 1.03


def test_dipole_is_below_one_falls_and_gives_the_proton_radius():
    """(1 + m²/Λ²)⁻⁴ for every m > 0: below 1, strictly falling, → 1 as m → 0 with the slope of
    the dipole's charge radius r² = 12/Λ² (0.81 fm for Λ² = 0.71 GeV²), and → the penalty
    (Λ²/m²)⁴ for m² ≫ Λ² (from below)."""
    dip, pen = load_form_factors()["dipole"], load_form_factors()["dipole_penalty"]
    m = np.geomspace(1e-4, 20.0, 4000)
    f2 = dip.squared(m * m)
    assert np.all(f2 < 1.0) and np.all(np.diff(f2) < 0.0)
    assert dip.squared(1e-8) == pytest.approx(1.0, abs=1e-6)
    slope = (1.0 - float(dip.squared(1e-6))) / 1e-6  # −d|F|²/dm² at 0 = r²/3 (F = 1 − r² m²/6)
    radius_fm = np.sqrt(3.0 * slope) * 0.1973269804
    assert radius_fm == pytest.approx(0.811, abs=0.005)
    assert np.all(f2 <= pen.squared(m * m))
    assert dip.squared(20.0**2) / pen.squared(20.0**2) == pytest.approx(1.0, abs=0.01)


def test_dipole_penalty_is_the_fairship_penalty():
    """1 (the point-like proton) up to m² = Λ², (Λ²/m²)⁴ above: continuous at Λ²."""
    pen, none = load_form_factors()["dipole_penalty"], load_form_factors()["none"]
    below = np.linspace(0.0, np.sqrt(0.71), 50)
    np.testing.assert_array_equal(pen.squared(below**2), none.squared(below**2))
    assert pen.squared(2.0**2) == pytest.approx((0.71 / 4.0) ** 4)
    assert pen.squared(0.71 * (1 + 1e-9)) == pytest.approx(1.0, abs=1e-7)


def test_every_form_factor_of_the_data_file_builds_a_channel():
    forms = load_form_factors()
    assert {"vmd", "dipole", "dipole_penalty", "none", "vmd_bdnmc"} <= set(forms)
    for name, ff in forms.items():
        assert ff.source
        ch = ProtonBremsChannel(400.0, default_brems_settings(form_factor=name))
        assert ch.form_factor.name == name
        assert np.isfinite(ch.total_rate(0.3)) and ch.total_rate(0.3) > 0.0
        assert ch.mass_range()[1] > 1.0


def test_band_varies_every_form_factor():
    """The --band envelope includes each form factor the data file offers (the published choices)."""
    varied = {v["form_factor"] for v in band_variations() if "form_factor" in v}
    default = default_brems_settings().form_factor
    assert varied == set(load_form_factors()) - {default}


@pytest.mark.parametrize(
    "change, field",
    [
        (lambda d: d["form_factors"]["vmd"].update(masses="lattice"), "masses"),
        (lambda d: d["form_factors"]["vmd"].update(widths="running"), "widths"),
        (lambda d: d["form_factors"]["dipole"].update(kind="monopole"), "kind"),
        (lambda d: d["form_factors"]["dipole"].update(lambda2=-0.71), "lambda2"),
        (lambda d: d["vmd_poles"][0].update(coefficient=0.7), "sum to"),
        (lambda d: d["vmd_poles"][0].update(isospin=2), "isospin"),
    ],
)
def test_bad_form_factor_data_names_the_field(monkeypatch, change, field):
    raw = copy.deepcopy(proton_brems._raw_data())
    change(raw)
    monkeypatch.setattr(proton_brems, "_raw_data", lambda: raw)
    with pytest.raises(BeamdumpInputError, match=field):
        proton_brems.load_form_factors.__wrapped__()


def test_cross_section_fit_values():
    """The PDG fit gives the known σ_pp^tot ≈ 38–40 mb at fixed-target energies and rises slowly."""
    sig = load_sigma_fit()
    s = 2 * M * np.array([70.0, 120.0, 400.0])
    vals = sig(s)
    assert np.all((vals > 37.5) & (vals < 40.5))
    assert np.all(np.diff(vals) > 0)


@pytest.mark.parametrize("energy, mass", [(70.0, 0.01), (120.0, 0.3), (400.0, 0.5), (400.0, 1.0)])
def test_sample_integrates_the_density(energy, mass):
    """The Sobol sample's total equals the (z, p_T²) integral of the density (scipy) to 0.5%."""
    ch = ProtonBremsChannel(energy)
    s = ch.settings
    exact, _ = integrate.dblquad(
        lambda pt2, z: float(ch.density(np.array([z]), np.array([pt2]), mass)[0]),
        s.z_min, s.z_max, 0.0, s.pt_max**2, epsabs=0.0, epsrel=1e-6,
    )
    assert ch.total_rate(mass) == pytest.approx(exact, rel=5e-3)


def test_sample_stays_in_its_region_and_weights_are_positive():
    ch = ProtonBremsChannel(400.0)
    sample = ch.sample(0.4, max_theta=0.01)
    assert np.all(sample.weights > 0)
    p = sample.p4
    z = p[:, 3] / ch.beam_momentum
    pt = np.hypot(p[:, 1], p[:, 2])
    assert np.all((z >= 0.1 - 1e-12) & (z <= 0.9 + 1e-12))
    assert np.all(pt <= 1.0 + 1e-12)
    assert np.all(np.arctan2(pt, p[:, 3]) <= 0.01 + 1e-12)
    assert np.allclose(p[:, 0] ** 2 - np.sum(p[:, 1:] ** 2, axis=1), 0.4**2, rtol=1e-9)


def test_cone_restriction_keeps_the_flux_inside_the_cone():
    """Sampling only p_T up to the cone gives the same flux inside the cone as the full sample."""
    ch = ProtonBremsChannel(400.0, default_brems_settings(points=2**15))
    full = ch.sample(0.3)
    theta = np.arctan2(np.hypot(full.p4[:, 1], full.p4[:, 2]), full.p4[:, 3])
    inside = full.weights[theta <= 0.004].sum()
    cone = ch.sample(0.3, max_theta=0.004)
    assert cone.total == pytest.approx(inside, rel=0.02)
    assert cone.total < 0.8 * full.total


def test_yield_scales_with_the_charges_squared_and_has_no_randomness():
    from beamdump.models.vector_charges import VectorCharges

    half = VectorCharges({k: 0.5 * v for k, v in VectorCharges.photon().charges.items()}, in_units_of_e=True)
    a = ProtonBremsChannel(120.0).sample(0.2)
    b = ProtonBremsChannel(120.0, charges=half).sample(0.2)
    assert b.total == pytest.approx(0.25 * a.total, rel=1e-12)
    assert np.array_equal(ProtonBremsChannel(120.0).sample(0.2).weights, a.weights)


def test_wider_region_gives_more_and_narrower_less():
    ch = ProtonBremsChannel(400.0)
    central = ch.total_rate(0.3)
    assert ch.with_settings(z_min=0.05, z_max=0.95).total_rate(0.3) > central
    assert ch.with_settings(z_min=0.2, z_max=0.8).total_rate(0.3) < central
    assert ch.with_settings(pt_max=0.5).total_rate(0.3) < central < ch.with_settings(pt_max=2.0).total_rate(0.3)


def test_mass_range_ends_where_the_form_factor_dies():
    lo, hi = ProtonBremsChannel(400.0).mass_range()
    assert lo == 0.0 and 2.0 < hi < 5.0
    assert ProtonBremsChannel(400.0).sample(hi * 1.01).total == 0.0


def test_beam_below_threshold_is_an_input_error():
    with pytest.raises(BeamdumpInputError, match="beam.energy_gev"):
        ProtonBremsChannel(0.5)


def test_band_variations_are_valid_settings():
    labels = [v["label"] for v in band_variations()]
    assert len(labels) == len(set(labels)) >= 4
    for v in band_variations():
        default_brems_settings(**{k: val for k, val in v.items() if k != "label"})


@pytest.mark.parametrize(
    "changes, field",
    [
        (dict(z_min=0.5, z_max=0.4), "z range"),
        (dict(z_max=1.0), "z range"),
        (dict(pt_max=0.0), "pt_max"),
        (dict(form_factor="monopole"), "form factor"),
        (dict(points=1000), "power of two"),
    ],
)
def test_bad_settings_name_the_field(changes, field):
    with pytest.raises(BeamdumpInputError, match=field):
        BremsSettings(**{**dict(z_min=0.1, z_max=0.9, pt_max=1.0, form_factor="vmd", points=4096), **changes})
