"""Electron bremsstrahlung of a dark photon: the flux χ, the WW and improved-WW cross-sections.

Each test checks a property the physics fixes (a closed form, a limit, a scaling law), so a
wrong formula or constant fails it. All cross-sections at ε = 1, in GeV⁻².
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import integrate

from beamdump.constants import ALPHA_EM
from beamdump.errors import BeamdumpInputError
from beamdump.production.electron_brems_xsec import (
    ELECTRON_MASS,
    GEV2_TO_PB,
    chi,
    dsigma_dx,
    dsigma_dx_dcos,
    flux_integral,
    form_factor_g2,
    leading_log_cross_section,
    load_constants,
    to_cm2,
    to_pb,
    total_cross_section,
    x_range,
)

W = (74.0, 183.84)
AL = (13.0, 26.9815)
E0 = 100.0


def _chi_quad(t_min: float, t_max: float, Z: float, A: float, component: str = "total") -> float:
    f = lambda lt: (1.0 - t_min / np.exp(lt)) * form_factor_g2(np.exp(lt), Z, A, component)  # noqa: E731
    return integrate.quad(f, np.log(t_min), np.log(t_max), limit=1000, epsabs=0.0, epsrel=1e-11)[0]


# --------------------------------------------------------------------------- χ


def test_chi_fixed_rule_matches_adaptive_quadrature():
    """The 32×8 Gauss–Legendre rule in ln t equals scipy quad to 1e-6 (IWW and WW-size ranges)."""
    for Z, A in (W, AL):
        for t_min, t_max in ((2.5e-17, 1.26e-6), (7.0e-12, 2.9e-4), (1e-9, 1e4), (1e-14, 1e4)):
            assert flux_integral(t_min, t_max, Z, A) == pytest.approx(_chi_quad(t_min, t_max, Z, A), rel=1e-6)


def test_chi_is_positive_and_increases_with_beam_energy():
    """t_min = (m²/2E0)² falls with E0, so χ grows (and is > 0) at fixed m."""
    energies = np.array([5.0, 10.0, 30.0, 100.0, 300.0])
    for m in (0.002, 0.017, 0.1):
        c = chi(energies, m, *W)
        assert np.all(c > 0.0)
        assert np.all(np.diff(c) > 0.0)


def test_chi_vectorises_over_energy_and_mass():
    E = np.array([20.0, 100.0, 150.0])
    m = np.array([0.001, 0.017, 0.1])
    c = chi(E[:, None], m[None, :], *W)
    assert c.shape == (3, 3)
    assert c[1, 2] == pytest.approx(float(chi(100.0, 0.1, *W)), rel=1e-12)


def test_elastic_flux_with_complete_screening_is_z_squared_times_tsai_log():
    """t_min ≪ 1/a², t_max ≫ d: χ_el/Z² → ln(a²d) − 2 (Tsai's complete-screening limit), so the
    W/Al ratio is (74/13)² times the ratio of the logs; the inelastic part is O(1/Z) of it."""
    c = load_constants()
    logs = {}
    for Z, A in (W, AL):
        a2 = (c["elastic"]["screening"] / (ELECTRON_MASS * Z ** (1 / 3))) ** 2
        d = c["elastic"]["nuclear_size"] / A ** (2 / 3)
        logs[Z] = np.log(a2 * d) - 2.0
        chi_el = flux_integral(1e-22, 1e4, Z, A, "elastic")
        assert chi_el / Z**2 == pytest.approx(logs[Z], rel=1e-4)
        chi_in = flux_integral(1e-22, 1e4, Z, A, "inelastic")
        assert 0.5 < Z * chi_in / chi_el < 2.0
    ratio = flux_integral(1e-22, 1e4, *W, "elastic") / flux_integral(1e-22, 1e4, *AL, "elastic")
    assert ratio == pytest.approx((74.0 / 13.0) ** 2 * logs[74.0] / logs[13.0], rel=1e-4)
    # the log differs by 15% between W and Al: pure Z² would be wrong at that level
    assert abs(ratio / (74.0 / 13.0) ** 2 - 1.0) > 0.1


def test_iww_flux_per_z_squared_for_w_versus_al():
    """At 100 GeV and m = 17 MeV (complete screening: t_min ≪ 1/a²), χ/Z² is O(10) for both targets
    and larger for W only through its relatively smaller inelastic term and the logs (within 25%)."""
    r = (chi(E0, 0.017, *W) / 74.0**2) / (chi(E0, 0.017, *AL) / 13.0**2)
    assert 0.75 < float(r) < 1.25


# --------------------------------------------------------------------------- differential forms


def test_double_differential_reduces_to_the_bjorken_essig_schuster_toro_form():
    """m_l → 0: dσ/dx dcosθ = 8α³E0²xβχ/U² [(1 − x + x²/2) − x(1 − x)m²E0²xθ²/U²] (0906.0580, FACTS.md)."""
    m = 0.05
    x = np.array([0.2, 0.6, 0.95, 0.995])[:, None]
    theta = np.array([0.0, 1e-4, 5e-4, 3e-3, 0.05])[None, :]
    got = dsigma_dx_dcos(x, theta, E0, m, *W, flux="iww", lepton_mass=0.0)
    U = E0**2 * x * theta**2 + m**2 * (1 - x) / x
    beta = np.sqrt(1 - (m / (x * E0)) ** 2)
    c = chi(E0, m, *W, lepton_mass=0.0)
    expected = 8 * ALPHA_EM**3 * E0**2 * x * beta * c / U**2 * (
        (1 - x + x**2 / 2) - x * (1 - x) * m**2 * E0**2 * x * theta**2 / U**2
    )
    assert np.allclose(got, expected, rtol=1e-10)


def test_angle_integral_of_the_double_differential_gives_the_iww_spectrum():
    """With the fixed χ and m_l = 0 the θ integral is analytic: 4α³χβ x(1 − x + x²/3)/(m²(1 − x))."""
    m = 0.02
    for x in (0.1, 0.5, 0.9, 0.99):
        f = lambda th: float(dsigma_dx_dcos(x, th, E0, m, *W, flux="iww", lepton_mass=0.0)) * np.sin(th)  # noqa: E731
        pts = [m / E0, 10 * m / E0, 100 * m / E0]
        numeric = integrate.quad(f, 0.0, 0.3, points=pts, limit=500, epsrel=1e-10)[0]
        iww = float(dsigma_dx(x, E0, m, *W, "iww", lepton_mass=0.0))
        assert numeric == pytest.approx(iww, rel=1e-4)


def test_ww_angle_rule_matches_adaptive_quadrature():
    """The ln U Gauss–Legendre rule of the WW θ integral (χ(x, θ) at each angle) equals scipy quad."""
    m = 0.017
    for x in (0.3, 0.9, 0.999):
        f = lambda th: float(dsigma_dx_dcos(x, th, E0, m, *W)) * np.sin(th)  # noqa: E731
        pts = [m / E0, 10 * m / E0, 100 * m / E0]
        numeric = integrate.quad(f, 0.0, 0.3, points=pts, limit=500, epsrel=1e-10)[0]
        assert float(dsigma_dx(x, E0, m, *W, "ww")) == pytest.approx(numeric, rel=1e-5)


def test_iww_spectrum_rises_like_one_over_one_minus_x_until_the_cut():
    """m = 100 MeV at 100 GeV: (1 − x)dσ/dx is flat to 2% from 1 − x = 0.3 down to 1.5e-3 (m_e²/m²
    = 2.6e-5 is far below), and dσ/dx = 0 beyond x_max = 1 − m/E0."""
    m = 0.1
    omx = np.geomspace(0.3, 1.5e-3, 9)
    x = 1 - omx
    d = dsigma_dx(x, E0, m, *W)
    shape = omx * d / (x * (1 - x + x**2 / 3))
    assert np.allclose(shape / shape[0], 1.0, atol=0.02)
    # a factor 200 in 1/(1 − x) shows up as a factor ≈ 200/(0.3·…) in dσ/dx
    assert d[-1] / d[0] > 100.0
    x_lo, x_hi = x_range(E0, m)
    assert float(x_hi) == pytest.approx(1 - m / E0)
    assert float(dsigma_dx(0.5 * (float(x_hi) + 1.0), E0, m, *W)) == 0.0
    assert float(dsigma_dx(0.5 * float(x_lo), E0, m, *W)) == 0.0


def test_electron_mass_stops_the_rise_for_light_dark_photons():
    """m = 2 MeV: m_e²/m² = 0.065 ≫ m/E0, so below 1 − x ~ 0.065 the spectrum saturates at
    4α³χ/(m_e²)·(1/3) instead of growing like 1/(1 − x)."""
    m = 0.002
    d = dsigma_dx(np.array([1 - 1e-3, 1 - 1e-4]), E0, m, *W)
    assert d[1] / d[0] == pytest.approx(1.0, abs=0.02)
    plateau = 4 * ALPHA_EM**3 * float(chi(E0, m, *W)) / (3 * ELECTRON_MASS**2)
    assert d[1] == pytest.approx(plateau, rel=0.01)


def test_ww_spectrum_also_peaks_towards_x_one():
    m = 0.1
    omx = np.array([0.3, 0.03, 0.003])
    d = dsigma_dx(1 - omx, E0, m, *W, "ww")
    shape = omx * d / ((1 - omx) * (1 - (1 - omx) + (1 - omx) ** 2 / 3))
    assert np.allclose(shape / shape[0], 1.0, atol=0.1)


@settings(max_examples=60, deadline=None)
@given(
    x=st.floats(min_value=1e-3, max_value=1 - 1e-6),
    theta=st.floats(min_value=0.0, max_value=0.3),
    m=st.sampled_from([0.001, 0.017, 0.1, 0.5]),
    flux=st.sampled_from(["ww", "iww"]),
)
def test_double_differential_is_never_negative(x, theta, m, flux):
    assert float(dsigma_dx_dcos(x, theta, E0, m, *W, flux=flux)) >= 0.0


# --------------------------------------------------------------------------- totals


def test_iww_total_matches_the_leading_log_closed_form_for_heavy_dark_photons():
    """m_e²/m² ≪ m/E0: σ_IWW = (4α³χ/3m²)(ln(E0/m) − 1/3) (x(1 − x + x²/3) = [1 − (1 − x)³]/3);
    β and m_e² x² corrections stay below 1% for m ≥ 0.1 GeV at 100 GeV."""
    m = np.array([0.1, 0.2, 0.4])
    ratio = total_cross_section(E0, m, *W) / leading_log_cross_section(E0, m, *W)
    assert np.allclose(ratio, 1.0, atol=0.01)


def test_total_cross_section_scales_like_one_over_mass_squared():
    """Small m: σ ∝ 1/m² up to logarithms (of χ and of the x integral, ln(E0/m) or ln(m/m_e)).
    Tolerance: over a decade of mass (20 → 200 MeV) σ falls by more than 60 while σ·m² changes by
    less than a factor 2.5 (measured: 1.50 IWW, 2.29 WW; a 1/m³ law would give 10)."""
    m = np.array([0.02, 0.2])
    for method in ("iww", "ww"):
        s = total_cross_section(E0, m, *W, method)
        assert s[0] / s[1] > 60.0
        r = (s[0] * m[0] ** 2) / (s[1] * m[1] ** 2)
        assert 1.0 < r < 2.5


def test_total_cross_section_grows_like_z_squared():
    """W/Al: σ ratio equals the χ ratio (IWW) and lies within 25% of (74/13)² = 32.4."""
    s_w = float(total_cross_section(E0, 0.017, *W))
    s_al = float(total_cross_section(E0, 0.017, *AL))
    assert s_w / s_al == pytest.approx(float(chi(E0, 0.017, *W) / chi(E0, 0.017, *AL)), rel=1e-3)
    assert 0.75 < (s_w / s_al) / (74.0 / 13.0) ** 2 < 1.25


def test_x_rule_of_the_total_matches_adaptive_quadrature():
    m = 0.017
    x_lo, x_hi = (float(v) for v in x_range(E0, m))
    f = lambda x: float(dsigma_dx(x, E0, m, *W))  # noqa: E731
    numeric = integrate.quad(f, x_lo, x_hi, points=[0.9, 0.99, 0.999], limit=500, epsrel=1e-9)[0]
    assert float(total_cross_section(E0, m, *W)) == pytest.approx(numeric, rel=1e-4)


def test_ww_total_does_not_depend_on_the_angle_cut():
    a = float(total_cross_section(E0, 0.017, *W, "ww"))
    b = float(total_cross_section(E0, 0.017, *W, "ww", theta_max=1.0))
    assert b == pytest.approx(a, rel=1e-4)


def test_total_vectorises_and_is_zero_below_threshold():
    s = total_cross_section(np.array([0.015, 100.0]), 0.01, *W)
    assert s[0] == 0.0 and s[1] > 0.0


def test_unit_conversion():
    assert GEV2_TO_PB == pytest.approx(3.8938e8, rel=1e-4)
    assert float(to_cm2(1.0)) == pytest.approx(3.8938e-28, rel=1e-4)
    assert float(to_pb(2.0)) == pytest.approx(2 * 3.8938e8, rel=1e-4)


# --------------------------------------------------------------------------- bad input


@pytest.mark.parametrize(
    "call",
    [
        lambda: chi(100.0, 0.0, *W),
        lambda: chi(100.0, -0.01, *W),
        lambda: chi(0.01, 0.017, *W),
        lambda: chi(0.017, 0.017, *W),
        lambda: chi(100.0, 0.017, 0.0, 1.0),
        lambda: chi(100.0, 0.017, 74.0, 10.0),
        lambda: dsigma_dx(0.0, 100.0, 0.017, *W),
        lambda: dsigma_dx(1.0, 100.0, 0.017, *W),
        lambda: dsigma_dx(1.5, 100.0, 0.017, *W),
        lambda: dsigma_dx(np.array([0.5, np.nan]), 100.0, 0.017, *W),
        lambda: dsigma_dx(0.5, 100.0, 0.017, *W, method="exact"),
        lambda: dsigma_dx_dcos(0.5, -0.1, 100.0, 0.017, *W),
        lambda: dsigma_dx_dcos(-0.5, 0.0, 100.0, 0.017, *W),
        lambda: dsigma_dx_dcos(0.5, 0.0, 100.0, 0.017, *W, flux="none"),
        lambda: total_cross_section(100.0, 0.0, *W),
        lambda: total_cross_section(0.01, 0.017, *W),
        lambda: total_cross_section(100.0, 0.017, *W, "ww", theta_max=0.0),
        lambda: form_factor_g2(1e-3, 74.0, 183.84, "coherent"),
    ],
)
def test_bad_input_is_refused(call):
    with pytest.raises(BeamdumpInputError):
        call()


def test_error_message_names_the_field_and_range():
    with pytest.raises(BeamdumpInputError, match=r"A' mass m.*allowed m > 0"):
        total_cross_section(100.0, -1.0, *W)
    with pytest.raises(BeamdumpInputError, match=r"energy fraction x.*0 < x < 1"):
        dsigma_dx(1.2, 100.0, 0.017, *W)
    with pytest.raises(BeamdumpInputError, match=r"beam energy E0.*allowed E0 > m"):
        chi(0.01, 0.017, *W)
