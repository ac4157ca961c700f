"""The fermion-coupled ALP (alp-fermion): widths, loop limits, light-meson mixing, 3π, flavour couplings."""

from __future__ import annotations

from dataclasses import replace
from types import MappingProxyType

import numpy as np
import pytest

import beamdump as bd
from beamdump.errors import BeamdumpInputError
from beamdump.models import model_names
from beamdump.models.alp_fermion import FermionALP, flavour_couplings
from beamdump.models.alp_fermion_hadrons import (inclusive_hadrons_width, isovector_coupling, load_parameters, loop_b1,
                                                 three_pion_phase_space, three_pion_widths, two_photon_amplitude_light)
from beamdump.models.base import HBARC_GEV_M, Model
from beamdump.pdg import mass_gev

M = np.geomspace(2e-3, 3.0, 300)


@pytest.fixture(scope="module")
def alp() -> FermionALP:
    return bd.model("alp-fermion")


def test_registered_model_with_the_agreed_names(alp):
    assert "alp-fermion" in model_names() and isinstance(alp, Model)
    assert alp.coupling.key == "g_aff" and alp.coupling.unit == "GeV^-1" and alp.width_power == 2
    assert set(alp.final_states()) == {"ee", "mumu", "tautau", "gg", "pipipi", "hadrons"}
    assert alp.final_states()["pipipi"].representative and alp.final_states()["pipipi"].daughters == (211, -211)
    assert alp.production.flavour is not None and alp.production.photon is None and alp.production.vector is None


def test_lepton_widths_closed_form_and_mass_squared_ratio(alp):
    m, g = np.array([0.25, 0.5, 1.0, 2.0]), 3e-5
    w = alp.partial_widths(m, g)
    me, mmu = mass_gev(11), mass_gev(13)
    beta = lambda ml: np.sqrt(1 - 4 * ml**2 / m**2)  # noqa: E731
    assert w["ee"] == pytest.approx(g * g * me**2 * m * beta(me) / (8 * np.pi), rel=1e-12)
    assert w["mumu"] / w["ee"] == pytest.approx(mmu**2 * beta(mmu) / (me**2 * beta(me)), rel=1e-12)
    assert np.all(alp.partial_widths([0.2, 3.5], 1e-4)["tautau"] == 0.0)  # below 2 m_tau


def test_branching_fractions_sum_to_one_and_widths_scale_as_g2(alp):
    total = sum(alp.branching_fraction(M, k) for k in alp.final_states())
    assert total == pytest.approx(1.0, rel=1e-12)
    r = alp.total_width(M, 3e-4) / alp.total_width(M, 1e-6)
    assert r == pytest.approx(9e4, rel=1e-12)
    assert alp.ctau(M, 1e-5) == pytest.approx(HBARC_GEV_M / alp.total_width(M, 1e-5), rel=1e-12)
    assert np.all(np.isfinite(alp.ctau(M, 1e-6)) & (alp.ctau(M, 1e-6) > 0))


def test_loop_function_limits():
    # heavy fermion: a derivative coupling decouples, B1 -> -m_a^2/(12 m_f^2)
    m = np.array([1e-3, 1e-2, 0.1])
    assert loop_b1(m, 172.57).real == pytest.approx(-(m**2) / (12 * 172.57**2), rel=1e-3)
    assert np.abs(loop_b1(np.array([0.5]), 20.0)) < 1e-4
    # light fermion: B1 -> 1
    assert loop_b1(np.array([3.0]), 1e-6) == pytest.approx(1.0, abs=1e-6)
    # at threshold tau = 1: 1 - (pi/2)^2, continuous from either side
    mf = 0.1
    at = loop_b1(np.array([2 * mf * (1 - 1e-12), 2 * mf, 2 * mf * (1 + 1e-12)]), mf)  # √ cusp
    assert at == pytest.approx(np.full(3, 1 - np.pi**2 / 4), abs=1e-5)


def test_light_quark_mixing_reproduces_the_quark_loops_at_high_mass():
    p = load_parameters()
    # sum over pi0, eta, eta' of the mixings -> N_c sum_q Q_q^2 = 2 (u, d, s) for m >> m_eta'
    assert two_photon_amplitude_light(np.array([60.0]), p) == pytest.approx(2.0, rel=1e-3)
    # and decouples for m << m_pi (derivative coupling: ∝ m²)
    s = two_photon_amplitude_light(np.array([1e-3, 2e-3]), p)
    assert abs(s[1] / s[0]) == pytest.approx(4.0, rel=1e-3)


def test_isospin_limit_has_no_pion_admixture_and_no_three_pion_decay():
    p = load_parameters()
    q = dict(p.quark_masses)
    q["u"] = q["d"] = 0.5 * (q["u"] + q["d"])
    iso = replace(p, quark_masses=MappingProxyType(q))
    m = np.array([0.5, 0.7])
    assert np.all(isovector_coupling(m, iso) == 0.0)
    assert np.all(three_pion_widths(m, iso)[0] == 0.0) and np.all(np.abs(isovector_coupling(m, p)) > 0)


def test_three_pion_phase_space_and_threshold(alp):
    # g(r) -> 1 as r -> 0 (arXiv:1708.00443 normalisation), 0 at threshold r = 1/9
    assert three_pion_phase_space(1e-6, True, n=4000) == pytest.approx(1.0, rel=2e-3)
    assert three_pion_phase_space(1e-6, False, n=4000) == pytest.approx(1.0, rel=2e-3)
    assert three_pion_phase_space(1 / 9, True) == 0.0
    thr = 2 * mass_gev(211) + mass_gev(111)
    w = alp.partial_widths([thr * (1 - 1e-4), thr * (1 + 1e-2)], 1e-3)["pipipi"]
    assert w[0] == 0.0 and w[1] > 0.0
    w0 = alp.partial_widths([3 * mass_gev(111) * (1 - 1e-4), 3 * mass_gev(111) * (1 + 1e-2)], 1e-3)["hadrons"]
    assert w0[0] == 0.0 and w0[1] > 0.0


def test_hadronic_join_is_continuous_and_perturbative_above(alp):
    p = alp.parameters
    for edge in (p.join_low, p.join_high):
        lo, hi = alp.total_width([edge * (1 - 1e-7), edge * (1 + 1e-7)], 1e-5)
        assert hi == pytest.approx(lo, rel=1e-4)
    m = np.array([2.0, 3.0])
    assert alp.partial_widths(m, 1.0)["hadrons"] == pytest.approx(inclusive_hadrons_width(m, p), rel=1e-12)
    assert np.all(alp.partial_widths(m, 1.0)["pipipi"] == 0.0)


def test_flavour_couplings_from_the_top_loop():
    p = load_parameters()
    fc = flavour_couplings(p)
    assert fc.rate_power == 2
    for t in ("bs", "bd", "sd"):
        assert fc.c_axial(t) == -fc.c_vector(t)
    ckm = p.ckm
    ratio = np.conj(ckm[2, 0]) * ckm[2, 2] / (np.conj(ckm[2, 1]) * ckm[2, 2])
    assert fc.c_vector("bd") / fc.c_vector("bs") == pytest.approx(ratio, rel=1e-12)
    # the cut-off enters only through (1/2) ln(Λ²/m_t²): c_V(Λ₂) − c_V(Λ₁) = ½ y_t²/16π² ln(Λ₂/Λ₁) V*V
    high = flavour_couplings(replace(p, cutoff=10 * p.cutoff))
    yt2 = 2 * p.quark_masses["t"] ** 2 / p.vev**2
    shift = 0.5 * yt2 / (16 * np.pi**2) * np.log(10.0) * np.conj(ckm[2, 1]) * ckm[2, 2]
    assert high.c_vector("bs") - fc.c_vector("bs") == pytest.approx(shift, rel=1e-9)
    # |c_V^bs| ≈ ½ · y_t²/16π² · |V_ts| · (½ ln(Λ²/m_t²) + 0.24) ~ 2e-4 per GeV⁻¹ at Λ = 1 TeV
    assert 1.5e-4 < abs(fc.c_vector("bs")) < 3e-4


def test_bad_input_is_one_line_errors(alp):
    with pytest.raises(BeamdumpInputError, match="pipipi"):
        alp.branching_fraction(0.5, "pipi")
    with pytest.raises(BeamdumpInputError, match="g_aff"):
        alp.with_couplings("g_agg", {})
    with pytest.raises(BeamdumpInputError, match="g_aff"):
        alp.total_width(0.5, -1.0)
    with pytest.raises(BeamdumpInputError, match="mass"):
        alp.ctau(-0.1, 1e-5)
    with pytest.raises(BeamdumpInputError, match="cutoff"):
        replace(load_parameters(), cutoff=100.0)
    assert alp.with_couplings("g_aff", {}) is alp


def test_charm_reach_uses_the_flavour_channels():
    # end to end: production.flavour feeds K -> pi a, K_L -> pi0 a, b -> s a at CHARM; the band's
    # lower edge is where N ∝ g⁴ (production × decay) crosses N_up, the upper where cτ gets short
    r = bd.reach("charm", model="alp-fermion", masses=[0.3], couplings=np.geomspace(1e-8, 1e-3, 11))
    assert {"k_to_pi", "kl_to_pi0", "b_to_xs"} <= set(r.grid.by_channel)
    band = r.band
    assert band.masses.size == 1 and 1e-8 < band.lower[0] < band.upper[0] < 1e-3
