"""Physics tests of the dark-photon model and of the hadronic R(s) it uses."""

from __future__ import annotations

import copy
from pathlib import Path

import numpy as np
import pytest

from beamdump.errors import BeamdumpInputError
from beamdump.models import Model, get_model
from beamdump.models.r_ratio import ALPHA_EM, RRatio, load_parameters
from beamdump.models.base import HBARC_GEV_M

REFERENCE = Path(__file__).resolve().parents[1] / ".." / "shared" / "reference" / "dark_photon"

ALPHA = 1 / 137.035999084  # CODATA 2018
M_E, M_MU = 0.51099895069e-3, 0.1056583755


@pytest.fixture(scope="module")
def dp() -> Model:
    return get_model("dark-photon")


@pytest.fixture(scope="module")
def rr(dp: Model) -> RRatio:
    return dp.r_ratio


# ----------------------------------------------------------------------------- leptons


def test_lepton_width_by_hand(dp: Model) -> None:
    m, eps = 0.5, 1e-3
    x = (M_MU / m) ** 2
    hand = ALPHA * eps**2 * m / 3 * (1 + 2 * x) * np.sqrt(1 - 4 * x)
    assert hand == pytest.approx(1.20071e-9, rel=1e-4)  # 1.21622e-9 * 1.08931 * 0.90630
    assert dp.partial_widths(m, eps)["mumu"] == pytest.approx(hand, rel=1e-9)
    assert dp.partial_widths(m, eps)["ee"] == pytest.approx(ALPHA * eps**2 * m / 3, rel=1e-5)
    assert ALPHA_EM == pytest.approx(1 / 137.035999084, rel=1e-12)  # CODATA 2018
    assert HBARC_GEV_M == pytest.approx(1.973269804e-16, rel=1e-9)


def test_br_ee_is_one_below_dimuon_threshold(dp: Model) -> None:
    m = np.linspace(2 * M_E * 1.001, 2 * M_MU * 0.999, 2000)
    br = dp.branching_fraction(m, "ee")
    # only the omega -> pi0 gamma tail (~1e-6) competes between m_pi0 and 2 m_mu
    np.testing.assert_allclose(br, 1.0, atol=1e-5)
    assert np.all(dp.partial_widths(m)["mumu"] == 0)


def test_partial_widths_add_up_to_the_width_from_ctau(dp: Model) -> None:
    """Γ_ee + Γ_μμ + Γ_ττ + Γ_had against the total width ħc/cτ, and each BR against Γ_f/(ħc/cτ):
    a channel missing from the partial widths, from the branching fractions or from cτ shows."""
    m = np.geomspace(1.1e-3, 10, 3000)
    eps = 1e-3
    total = HBARC_GEV_M / dp.ctau(m, eps)
    widths = dp.partial_widths(m, eps)
    assert set(widths) == {"ee", "mumu", "tautau", "hadrons"}
    np.testing.assert_allclose(sum(widths[fs] for fs in ("ee", "mumu", "tautau", "hadrons")) / total, 1.0, rtol=1e-12)
    for fs in ("ee", "mumu", "tautau", "hadrons"):
        np.testing.assert_allclose(dp.branching_fraction(m, fs), widths[fs] / total, rtol=1e-10, atol=1e-300)
    np.testing.assert_allclose(dp.branching_fraction(m, "visible"), 1.0, rtol=1e-12)


def test_dimuon_threshold_is_continuous(dp: Model) -> None:
    thr = 2 * dp.final_states()["mumu"].masses[0]
    assert thr == dp.final_states()["mumu"].threshold
    assert dp.partial_widths(thr * (1 - 1e-9))["mumu"] == 0
    just_above = dp.partial_widths(thr * (1 + 1e-9))
    assert 0 < just_above["mumu"] < 1e-4 * just_above["ee"]
    # continuous: the jump of the total width across threshold vanishes like sqrt(h)
    for h, tol in ((1e-8, 1e-3), (1e-10, 1e-4)):
        below, above = dp.total_width(np.array([thr - h, thr + h]))
        assert 0 < above / below - 1 < tol
    # beta-like growth above threshold: Gamma_mumu ~ sqrt(m - 2 m_mu)
    g1, g4 = dp.partial_widths(thr * (1 + 1e-6))["mumu"], dp.partial_widths(thr * (1 + 4e-6))["mumu"]
    assert g4 / g1 == pytest.approx(2.0, rel=1e-3)


def test_tau_channel(dp: Model) -> None:
    thr = dp.final_states()["tautau"].threshold
    assert dp.branching_fraction(thr * 0.999, "tautau") == 0
    assert dp.branching_fraction(5.0, "tautau") > 0.1
    assert dp.final_states()["tautau"].masses == pytest.approx((1.77693, 1.77693), rel=1e-4)


def test_below_electron_threshold_is_stable(dp: Model) -> None:
    m = np.array([1e-4, 1.0e-3, 2 * M_E * 0.999])
    assert np.all(np.isinf(dp.ctau(m)))
    for fs in dp.final_states():
        assert np.all(dp.branching_fraction(m, fs) == 0)
    assert np.all(dp.total_width(m) == 0)


# ----------------------------------------------------------------------------- coupling scaling


def test_epsilon_scaling(dp: Model) -> None:
    m = np.geomspace(2e-3, 10, 500)
    for eps in (1e-2, 3e-5):
        np.testing.assert_allclose(dp.ctau(m, eps), dp.ctau(m) / eps**2, rtol=1e-12)
        for key, width in dp.partial_widths(m, eps).items():
            np.testing.assert_allclose(width, dp.partial_widths(m)[key] * eps**2, rtol=1e-12)
    assert dp.width_power == 2


# ----------------------------------------------------------------------------- R(s)


def test_r_is_positive_and_finite(rr: RRatio) -> None:
    e = np.linspace(2 * rr.m_pi * 1.0001, 10, 20000)
    r = rr(e**2)
    assert np.all(np.isfinite(r)) and np.all(r > 0)
    assert np.all(rr(np.linspace(1e-4, rr.m_pi0 * 0.999, 50) ** 2) == 0)


def test_rho_omega_phi_peaks(rr: RRatio) -> None:
    e = np.linspace(0.6, 0.95, 7001)
    form2 = np.abs(rr.pion_form_factor(e**2)) ** 2
    rho_peak = e[np.argmax(rr.r_pipi(e**2))]
    assert 0.765 < rho_peak < 0.785 and 35 < form2.max() < 50
    total = rr(e**2)
    assert abs(e[np.argmax(total)] - 0.7827) < 0.003  # omega on top of the rho
    assert abs(e[np.argmax(rr.r_omega(e**2))] - 0.78266) < 0.001
    # R at the omega peak: rho (~9) + omega (9 B_ee B_had / alpha^2 ~ 12)
    assert 15 < total.max() < 25
    e = np.linspace(1.0, 1.04, 4001)
    r_phi = rr(e**2)
    assert abs(e[np.argmax(r_phi)] - 1.01946) < 0.001
    assert 40 < r_phi.max() < 60  # 9 B_ee B_had / alpha^2 = 50
    # rho-omega interference: constructive just below the omega, destructive just above
    params = copy.deepcopy(load_parameters())
    params["pion_form_factor"]["omega_mix_abs"]["value"] = 0.0
    no_mix = RRatio(params)
    mw, ww = rr.m_omega, rr.w_omega
    ratio = rr.r_pipi(np.array([mw - ww, mw + ww]) ** 2) / no_mix.r_pipi(np.array([mw - ww, mw + ww]) ** 2)
    assert ratio[0] > 1.05 and ratio[1] < 0.95


def test_continuum_near_2_gev(rr: RRatio) -> None:
    for e in (1.9, 2.0, 2.5):
        expected = 2 * (1 + float(rr.alpha_s(e)) / np.pi)
        assert float(rr(e**2)) == pytest.approx(expected, rel=0.03)
    assert 0.27 < float(rr.alpha_s(2.0)) < 0.33
    assert float(rr(2.0**2)) == pytest.approx(2.2, rel=0.05)
    # charm above its threshold: R -> (2 + 4/3)(1 + alpha_s/pi)
    assert float(rr(10.0**2)) == pytest.approx((2 + 4 / 3) * (1 + float(rr.alpha_s(10.0)) / np.pi), rel=0.05)


def test_r_pipi_at_threshold(rr: RRatio) -> None:
    s_thr = 4 * rr.m_pi**2
    assert float(rr.r_pipi(np.asarray(s_thr * (1 + 1e-8)))) < 1e-10
    assert float(rr.r_pipi(np.asarray(s_thr * 0.999))) == 0
    r = rr.r_pipi(s_thr * (1 + np.array([1e-4, 4e-4])))
    assert r[1] / r[0] == pytest.approx(8.0, rel=0.01)  # beta^3
    assert abs(rr.pion_form_factor(s_thr * 1.0001)) == pytest.approx(1.17, abs=0.05)


# ----------------------------------------------------------------------------- reference tables


def _reference(name: str) -> tuple[np.ndarray, np.ndarray]:
    path = REFERENCE / name
    if not path.is_file():
        pytest.skip(f"reference table {path} not found (shared/reference/dark_photon is not checked out)")
    data = np.loadtxt(path)
    return data[:, 0], data[:, 1]


def _windows(dp: Model, m: np.ndarray) -> dict[str, np.ndarray]:
    phi = np.abs(m - dp.r_ratio.m_phi) < 3 * dp.r_ratio.w_phi
    return {
        "low": (m > 2 * M_E) & (m < 0.70),
        "mid": (m > 0.85) & (m < 2.0) & ~phi,
        "high": ((m >= 2.0) & (m < 3.0)) | ((m >= 4.5) & (m < 10.0)),
        "charm": (m >= 3.0) & (m < 4.5),
        "rho_omega": (m >= 0.70) & (m <= 0.85),
        "phi": phi,
    }


def _quantity(dp: Model, what: str, m: np.ndarray) -> np.ndarray:
    return dp.ctau(m) if what == "ctau" else dp.branching_fraction(m, what)


# (table, quantity) -> {window: (max median |rel. dev.|, max |rel. dev.|)}; measured values in docs/dark_photon.md
_DELIVER_LEPTONIC = {"low": (0.001, 0.01), "mid": (0.08, 0.16), "rho_omega": (0.025, 0.035), "phi": (0.08, 0.10)}
_DARKCAST = {
    "low": (0.005, 0.02),
    "mid": (0.12, 0.20),
    "high": (0.004, 0.035),
    "charm": (0.14, 0.26),
    "rho_omega": (0.005, 0.02),
    "phi": (0.07, 0.16),
}
TOLERANCES = {
    ("ctau_m_deliver.txt", "ctau"): _DELIVER_LEPTONIC,
    ("br_elec_deliver.txt", "ee"): _DELIVER_LEPTONIC,
    ("br_muon_deliver.txt", "mumu"): {**_DELIVER_LEPTONIC, "low": (0.003, 0.01)},
    ("br_qcd_deliver.txt", "hadrons"): {"low": (0.01, 0.012), "mid": (0.09, 0.30), "rho_omega": (0.006, 0.02), "phi": (0.03, 0.10)},
    ("ctau_m_darkcast.txt", "ctau"): {**_DARKCAST, "low": (0.003, 0.02)},
    ("br_e_e_darkcast.txt", "ee"): {**_DARKCAST, "low": (0.004, 0.02)},
    ("br_mu_mu_darkcast.txt", "mumu"): _DARKCAST,
}


@pytest.mark.parametrize(("table", "what"), list(TOLERANCES))
def test_agreement_with_reference_tables(dp: Model, table: str, what: str) -> None:
    m, ref = _reference(table)
    ours = _quantity(dp, what, m)
    valid = (ref > 0) & (m > 2 * M_E)
    if what == "mumu":
        valid &= m > 2 * M_MU
    if what == "hadrons":
        valid &= m > 2 * dp.r_ratio.m_pi + 0.02  # below: pi0 gamma tail at the 1e-6 level
    rel = np.abs(ours / np.where(valid, ref, 1.0) - 1)
    windows = _windows(dp, m)
    for window, (tol_median, tol_max) in TOLERANCES[(table, what)].items():
        sel = windows[window] & valid
        assert sel.sum() >= 3, window
        assert np.median(rel[sel]) < tol_median, (window, np.median(rel[sel]))
        assert rel[sel].max() < tol_max, (window, rel[sel].max(), m[sel][np.argmax(rel[sel])])


def test_reference_points(dp: Model) -> None:
    """Values quoted for DeLiVeR: BR(ee/mumu/hadrons) at 0.5, 0.78, 1.0 GeV and c*tau at 2.02 MeV."""
    # at 1.0 GeV (19 MeV below the phi) this model's R is 17 % low: see docs/dark_photon.md
    points = ((0.5, (0.40, 0.40, 0.20), 0.01), (0.78, (0.05, 0.05, 0.90), 0.01), (1.0, (0.31, 0.31, 0.37), 0.06))
    for m, expected, tol in points:
        got = [float(dp.branching_fraction(m, fs)) for fs in ("ee", "mumu", "hadrons")]
        assert got == pytest.approx(expected, abs=tol), m
    assert float(dp.ctau(0.0020219978922)) == pytest.approx(4.12300e-11, rel=1e-5)


# ----------------------------------------------------------------------------- robustness


def test_no_nan_on_fine_grid(dp: Model) -> None:
    m = np.geomspace(1e-3, 10, 50000)
    assert np.all(np.isfinite(dp.ctau(m[m > 2 * M_E])))
    for fs in dp.final_states():
        br = dp.branching_fraction(m, fs)
        assert np.all(np.isfinite(br)) and np.all((br >= 0) & (br <= 1 + 1e-12))
    for width in dp.partial_widths(m, 1e-4).values():
        assert np.all(np.isfinite(width)) and np.all(width >= 0)


def test_scalar_and_array_inputs(dp: Model) -> None:
    assert np.ndim(dp.ctau(0.3)) == 0
    assert dp.ctau([0.3, 0.4]).shape == (2,)
    assert dp.branching_fraction(np.ones((2, 3)) * 0.3, "ee").shape == (2, 3)


@pytest.mark.parametrize("mass", [0.0, -0.1, np.nan, np.inf, [0.1, -1.0]])
def test_bad_mass(dp: Model, mass: object) -> None:
    with pytest.raises(BeamdumpInputError, match="mass"):
        dp.ctau(mass)


@pytest.mark.parametrize("coupling", [0.0, -1e-3, np.nan])
def test_bad_coupling(dp: Model, coupling: float) -> None:
    with pytest.raises(BeamdumpInputError, match="coupling"):
        dp.partial_widths(0.1, coupling)


def test_bad_final_state(dp: Model) -> None:
    with pytest.raises(BeamdumpInputError, match="final_state.*ee, mumu, tautau, hadrons, visible"):
        dp.branching_fraction(0.1, "gammagamma")
    assert "pi0 gamma" not in dp.final_states()
    with pytest.raises(BeamdumpInputError, match="final_state"):
        dp.branching_fraction(0.1, "pi0 gamma")
    with pytest.raises(BeamdumpInputError, match="final_state"):
        dp.branching_fraction(0.1, "invisible")  # no neutrino charge: no invisible state
    assert isinstance(BeamdumpInputError("x"), ValueError)


def test_interface(dp: Model) -> None:
    assert isinstance(dp, Model)
    assert dp.name == "dark-photon" and dp.coupling.key == "eps"
    assert dp.description
    states = dp.final_states()
    assert set(states) == {"ee", "mumu", "tautau", "hadrons", "visible"}
    assert states["ee"].masses == pytest.approx((M_E, M_E))
    assert states["mumu"].masses == pytest.approx((M_MU, M_MU))
    assert states["hadrons"].masses == pytest.approx((0.13957039, 0.13957039))
    assert states["visible"].masses == pytest.approx((M_E, M_E))
    assert all(fs.visible for fs in states.values())
    with pytest.raises(AttributeError):
        dp.r_ratio = None  # type: ignore[misc]
