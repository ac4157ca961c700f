"""Flavour-changing K and B decays to a spin-0 particle: closed-form widths, the scalar's
literature branching fractions, kinematics, absorption in the dump, kaons at rest, channels."""

from dataclasses import dataclass

import numpy as np
import pytest

from beamdump.errors import BeamdumpInputError
from beamdump.kinematics import invariant_mass
from beamdump.models.base import FlavourCouplings, ProductionCouplings
from beamdump.pdg import mass_gev, width_gev
from beamdump.production.decay_pipe import DecayPipe
from beamdump.production.flavour_decays import (
    FlavourDecayChannel,
    KaonAtRestChannel,
    StoppedKaons,
    decay_before_absorption,
    interaction_length_m,
    load_definitions,
)
from beamdump.production.flavour_widths import FormFactor, load_form_factors, width_p_to_p, width_p_to_v, width_quarks
from beamdump.sources.meson_table import MesonSpectra
from beamdump.sources.spectrum_settings import SpectrumSettings

ONE = FormFactor("one", "linear", value0=1.0, slope=0.0)

# --- the scalar mixing with the Higgs, h X q̄′P_R q with h = 3√2 G_F m_t² V_tq′* V_tq m_q sinθ / (16π² v)
G_F, V_EW, M_TOP = 1.1663788e-5, 246.21965, 172.69  # PDG 2022
# CKM to O(λ⁵), Wolfenstein λ = 0.22500, A = 0.826, ρ̄ = 0.159, η̄ = 0.348 (PDG 2022 global fit)
_L, _A, _RHO, _ETA = 0.22500, 0.826, 0.159, 0.348
V_TD, V_TS, V_TB = _A * _L**3 * (1 - _RHO - 1j * _ETA), -_A * _L**2, 1.0


def scalar_h(ckm: complex, m_q: float) -> complex:
    return 3 * np.sqrt(2) * G_F * M_TOP**2 * ckm * m_q / (16 * np.pi**2 * V_EW)


M_B_POLE = 4.78  # the inclusive channel's b mass (flavour_decays.toml), also in h_bs as Boiarska et al. do


def scalar_couplings() -> FlavourCouplings:
    """The Higgs-mixed scalar's couplings per unit sin²θ (rate_power 1), built here as the
    interface says: c_V = h/(2(m_q − m_q′)), c_A = h/(2(m_q + m_q′))."""
    mb, ms, md = M_B_POLE, mass_gev(3), mass_gev(1)
    hbs, hsd = scalar_h(np.conj(V_TS) * V_TB, mb), scalar_h(np.conj(V_TS) * V_TD, ms)
    return FlavourCouplings(
        vector={"bs": hbs / (2 * (mb - ms)), "sd": hsd / (2 * (ms - md))},
        axial={"bs": hbs / (2 * (mb + ms)), "sd": hsd / (2 * (ms + md))},
        rate_power=1,
    )


@pytest.fixture(scope="module")
def defs():
    return load_definitions()


# ------------------------------------------------------------------ closed forms
def test_p_to_p_width_by_hand():
    # c = 1e-8 GeV⁻¹, M = 0.5, M′ = 0.14, m = 0.2 GeV, f0 = 1:
    # λ = (0.25 − 0.0196 − 0.04)² − 4·0.0196·0.04 = 0.03311616
    gamma = 1e-16 * (0.25 - 0.0196) ** 2 * np.sqrt(0.03311616) / (16 * np.pi * 0.125)
    assert float(width_p_to_p(1e-8, 0.5, 0.14, 0.2, ONE)) == pytest.approx(gamma, rel=1e-12)
    assert float(width_p_to_p(1e-8j, 0.5, 0.14, 0.2, ONE)) == pytest.approx(gamma, rel=1e-12)  # |c|²


def test_p_to_v_width_from_the_polarisation_sum():
    """|M|² = |c_A|² 4m_V² A0² Σ_pol|ε*·q|², the sum done with explicit polarisation vectors of V
    (momentum p along z in the P frame), against the closed form |c_A|² A0² λ^{3/2}/(16πM³)."""
    M, mv, m, c = 5.28, 0.892, 1.3, 2e-6
    lam = (M * M - mv * mv - m * m) ** 2 - 4 * mv * mv * m * m
    p = np.sqrt(lam) / (2 * M)
    ev = np.sqrt(p * p + mv * mv)
    q = np.array([M - ev, 0.0, 0.0, -p])  # X recoils along −z
    metric = np.diag([1.0, -1.0, -1.0, -1.0])
    eps = [np.array([0, 1, 0, 0.0]), np.array([0, 0, 1, 0.0]), np.array([p, 0, 0, ev]) / mv]
    pol_sum = sum(float(e @ metric @ q) ** 2 for e in eps)
    assert pol_sum == pytest.approx(lam / (4 * mv * mv), rel=1e-12)
    gamma = c * c * 4 * mv * mv * pol_sum * p / (8 * np.pi * M * M)  # Γ = |M|² p/(8πM²), A0 = 1
    assert float(width_p_to_v(c, M, mv, m, ONE)) == pytest.approx(gamma, rel=1e-12)


def test_quark_width_of_a_right_handed_scalar_coupling():
    """h X q̄′P_R q (c_V = h/2(m_q − m_q′), c_A = h/2(m_q + m_q′)): spin-summed |ū P_R u|² = 2p·p′,
    Γ = |h|² (m_q² + m_q′² − m²) λ^{1/2} / (32π m_q³); massless q′: |h|² m_q (1 − m²/m_q²)²/(32π)."""
    h, mq, mqp, m = 3e-6, 4.18, 0.0934, 1.7
    lam = (mq**2 - mqp**2 - m**2) ** 2 - 4 * mqp**2 * m**2
    want = h * h * (mq**2 + mqp**2 - m * m) * np.sqrt(lam) / (32 * np.pi * mq**3)
    got = float(width_quarks(h / (2 * (mq - mqp)), h / (2 * (mq + mqp)), mq, mqp, m))
    assert got == pytest.approx(want, rel=1e-12)
    massless = float(width_quarks(h / (2 * mq), h / (2 * mq), mq, 0.0, m))
    assert massless == pytest.approx(h * h * mq * (1 - m * m / mq**2) ** 2 / (32 * np.pi), rel=1e-12)
    # a pure vector current cannot make X at m = m_q + ... : it closes at m_q − m_q′ like the axial
    assert float(width_quarks(1.0, 0.0, mq, mqp, mq - mqp + 1e-9)) == 0.0


def test_thresholds_follow_lambda_powers(defs):
    """Near threshold Γ(P → P′X) ∝ λ^{1/2} (the form factor smooth), Γ(P → V X) ∝ λ^{3/2}; zero above."""
    fc = scalar_couplings()
    for name, parent, power in (("k_to_pi", 321, 0.5), ("b_to_k", 521, 0.5), ("b_to_kstar", 521, 1.5)):
        d = defs[name]
        top = d.max_mass(parent)
        M, Mp = mass_gev(parent), mass_gev(d.partner_of(parent))
        m1, m2 = top - 1e-4, top - 4e-4
        lam = lambda m: (M * M - Mp * Mp - m * m) ** 2 - 4 * Mp * Mp * m * m  # noqa: E731
        ratio = float(d.branching(m2, fc, parent) / d.branching(m1, fc, parent))
        assert ratio == pytest.approx((lam(m2) / lam(m1)) ** power, rel=2e-3)
        assert float(d.branching(top * (1 + 1e-9), fc, parent)) == 0.0


def test_form_factors_at_zero_and_their_sources():
    ff = load_form_factors()
    assert float(ff["B_to_K_f0"](0.0)) == pytest.approx(0.330)
    assert float(ff["B_to_Kstar_A0"](0.0)) == pytest.approx(0.374, abs=1e-3)
    assert float(ff["K_to_pi_f0"](mass_gev(211) ** 2)) == pytest.approx(0.9698 * 1.01338)
    assert all("arXiv" in f.source or "hep-ph" in f.source for f in ff.values())
    with pytest.raises(BeamdumpInputError, match="kind"):
        FormFactor("bad", "spline")


# ------------------------------------------------------------------ the scalar: literature numbers
def test_scalar_branching_fractions_match_the_literature(defs):
    fc = scalar_couplings()
    # B⁺ → K⁺S ≈ 0.5 sin²θ at small m (f0(0) = 0.33; e.g. Winkler arXiv:1809.01876, Boiarska et al. arXiv:1904.10447)
    assert float(defs["b_to_k"].branching(1e-3, fc, 521)) == pytest.approx(0.5, rel=0.15)
    # K⁺ → π⁺S ≈ 2e-3 (2p_S/m_K) sin²θ (Bezrukov & Gorbunov arXiv:0912.0390; FACTS.md [check])
    m, mk = 0.2, mass_gev(321)
    two_p = 2 * float(defs["k_to_pi"].rest_momentum(321, m))
    assert float(defs["k_to_pi"].branching(m, fc, 321)) == pytest.approx(2e-3 * two_p / mk, rel=0.2)
    # inclusive B → X_s S ≈ 5.7 (1 − m²/m_b²)² sin²θ (Bezrukov & Gorbunov; FACTS.md [check]): within 20%
    mb = M_B_POLE
    assert float(defs["b_to_xs"].branching(1.0, fc, 521)) == pytest.approx(5.7 * (1 - 1 / mb**2) ** 2, rel=0.2)
    assert defs["b_to_xs"].max_mass(521) == pytest.approx(mb - mass_gev(3))


def test_kl_reads_the_imaginary_part(defs):
    """Γ(K_L → π⁰S)/Γ(K⁺ → π⁺S) = (Im λ_t/|λ_t|)² × phase space (f0 the same by isospin); a real
    coupling makes no K_L → π⁰X."""
    fc = scalar_couplings()
    m = 0.15
    kl, kp = defs["kl_to_pi0"], defs["k_to_pi"]
    lt = np.conj(V_TS) * V_TD
    ps = lambda M, Mp: (M * M - Mp * Mp) ** 2 * np.sqrt((M * M - Mp * Mp - m * m) ** 2 - 4 * Mp * Mp * m * m) / M**3  # noqa: E731
    f0 = load_form_factors()["K_to_pi_f0"](m * m)
    assert f0 > 1.0 - 0.05
    want = (lt.imag / abs(lt)) ** 2 * ps(mass_gev(130), mass_gev(111)) / ps(mass_gev(321), mass_gev(211))
    assert float(kl.width(m, fc, 130) / kp.width(m, fc, 321)) == pytest.approx(want, rel=1e-9)
    real = FlavourCouplings(vector={"sd": abs(fc.c_vector("sd"))})
    assert float(kl.width(m, real, 130)) == 0.0 and not kl.couples(real) and kp.couples(real)


# ------------------------------------------------------------------ absorption in the dump
def test_decay_before_absorption_limits():
    ell = np.array([1e-4, 1.0, 1e4])
    p, depth = decay_before_absorption(ell, np.inf)
    assert np.all(p == 1.0) and np.array_equal(depth, ell)
    p, depth = decay_before_absorption(ell, 0.2)
    assert p[0] == pytest.approx(1.0, abs=1e-3)  # prompt (B mesons)
    assert p[2] == pytest.approx(0.2 / 1e4, rel=1e-4)  # long-lived: λ_int/ℓ_dec
    assert depth[2] == pytest.approx(0.2, rel=1e-4) and depth[0] == pytest.approx(1e-4, rel=1e-3)
    assert np.all(np.diff(p) < 0)
    assert interaction_length_m("copper") == pytest.approx(165.9 / 8.96 / 100)
    with pytest.raises(BeamdumpInputError, match="beam.target"):
        interaction_length_m("water")


# ------------------------------------------------------------------ the channel on a synthetic table
def one_bin_table(pdg_ids, p_gev=10.0, theta=1e-3, per_proton=0.1) -> MesonSpectra:
    """Every species with ``per_proton`` parents per proton at one momentum and angle (a bin of width 1e-6 in log10)."""
    settings = SpectrumSettings(beam_energy_gev=400.0, n_events=1000, pdg_ids=tuple(pdg_ids))
    lt = np.log10(theta) + np.array([0.0, 1e-6])
    lp = np.log10(p_gev) + np.array([0.0, 1e-6])
    y = np.full((len(pdg_ids), 1, 1), per_proton)
    return MesonSpectra(settings, tuple(pdg_ids), lt, lp, y, np.full(y.shape, 1000, dtype=np.int64), 1000)


def test_channel_yield_is_parents_times_br_times_survival(defs):
    fc = scalar_couplings()
    table = one_bin_table((321, -321))
    lam = interaction_length_m("copper")
    ch = FlavourDecayChannel(defs["k_to_pi"], {321: table}, fc, interaction_length=lam, parents_per_bin=50)
    m, p = 0.2, 10.0
    ell = p / mass_gev(321) * (1.973269804e-16 / width_gev(321))
    want = 2 * 0.1 * float(defs["k_to_pi"].branching(m, fc, 321)) * lam / (lam + ell)
    s = ch.sample(m, np.random.default_rng(1))
    assert s.total == pytest.approx(want, rel=1e-5)
    assert s.coupling_power == 1  # sin²θ: rate_power of the couplings
    # decay depths: exponential with mean ℓλ/(ℓ + λ) along the kaon's flight (θ = 1 mrad)
    r = np.linalg.norm(s.origin, axis=1)
    assert r.mean() == pytest.approx(ell * lam / (ell + lam), rel=0.3)
    assert np.allclose(s.origin[:, 2] / r, np.cos(1e-3), atol=1e-6)


def test_channel_kinematics_two_body(defs):
    """In the parent frame X has the two-body momentum; the partner left over has its mass."""
    fc = scalar_couplings()
    table = one_bin_table((521, -521, 511), p_gev=50.0, theta=0.05)
    ch = FlavourDecayChannel(defs["b_to_k"], {521: table, 511: table}, fc, parents_per_bin=40)
    m = 1.5
    s = ch.sample(m, np.random.default_rng(3))
    assert np.allclose(invariant_mass(s.p4), m, rtol=1e-9)
    parents = []
    for sp in ch.species:
        f = sp.frame
        e = f.gamma * f.mass
        parents.append(np.column_stack([e, (e * f.beta).T]))
    parent = np.concatenate(parents)
    partner = parent - s.p4
    want_partner = np.concatenate([np.full(len(sp.frame.gamma), mass_gev(abs(sp.pdg) - 200)) for sp in ch.species])
    assert np.allclose(invariant_mass(partner), want_partner, rtol=1e-6)  # K⁺ (321), K⁰ (311)
    # X energy in the parent frame: E* = (M² + m² − M′²)/2M
    M = mass_gev(521)
    e_star = (parent[:, 0] * s.p4[:, 0] - np.sum(parent[:, 1:] * s.p4[:, 1:], axis=1)) / M
    mk = mass_gev(321)
    assert np.allclose(e_star[: len(ch.species[0].frame.gamma)], (M * M + m * m - mk * mk) / (2 * M), rtol=1e-6)
    # three species (B⁺, B⁻, B⁰), each with its own lifetime in the BR
    assert {sp.pdg for sp in ch.species} == {521, -521, 511}
    assert ch.mass_range()[1] == pytest.approx(max(mass_gev(511) - mass_gev(311), mass_gev(521) - mass_gev(321)))


def test_angle_cut_keeps_what_can_reach(defs):
    fc = scalar_couplings()
    table = one_bin_table((521,), p_gev=100.0, theta=0.3)
    ch = FlavourDecayChannel(defs["b_to_k"], {521: table}, fc, parents_per_bin=200)
    full = ch.sample(0.5, np.random.default_rng(5))
    cut = ch.sample(0.5, np.random.default_rng(5), max_theta=0.01)
    theta = np.arccos(full.p4[:, 3] / np.linalg.norm(full.p4[:, 1:], axis=1))
    assert cut.total <= full.total and full.weights[theta <= 0.01].sum() <= cut.total + 1e-300


def test_yield_scales_with_sin2theta(defs):
    """N ∝ sin²θ: couplings of twice the mixing (h ∝ sinθ, so c × √2) give twice the yield."""
    fc = scalar_couplings()
    fc2 = FlavourCouplings({k: np.sqrt(2) * v for k, v in fc.vector.items()},
                           {k: np.sqrt(2) * v for k, v in fc.axial.items()}, rate_power=1)
    table = one_bin_table((130,), p_gev=20.0)
    a, b = (FlavourDecayChannel(defs["kl_to_pi0"], {130: table}, c, interaction_length=0.2).sample(0.2, np.random.default_rng(0))
            for c in (fc, fc2))
    assert b.total == pytest.approx(2 * a.total, rel=1e-12) and a.total > 0


def test_kaons_at_rest_are_monochromatic_and_isotropic(defs):
    fc = scalar_couplings()
    stopped = StoppedKaons(per_proton=0.05, z=30.0, x=1.0)
    ch = KaonAtRestChannel(stopped, fc, n_directions=20000)
    m = 0.25
    s = ch.sample(m, np.random.default_rng(2))
    q = float(defs["k_to_pi"].rest_momentum(321, m))
    mk, mpi = mass_gev(321), mass_gev(211)
    assert q == pytest.approx(np.sqrt((mk**2 - (mpi + m) ** 2) * (mk**2 - (mpi - m) ** 2)) / (2 * mk))
    assert np.allclose(np.linalg.norm(s.p4[:, 1:], axis=1), q, rtol=1e-12)
    assert np.allclose(s.p4[:, 0], np.hypot(q, m))
    assert np.abs(s.p4[:, 1:].mean(axis=0)).max() < 0.03 * q  # isotropic
    assert s.total == pytest.approx(0.05 * float(defs["k_to_pi"].branching(m, fc, 321)), rel=1e-12)
    assert np.all(s.origin == [1.0, 0.0, 30.0])
    assert len(ch.sample(0.36, np.random.default_rng(2))) == 0  # above m_K − m_π
    # off the origin the engine's angle cut does not apply: the whole sphere either way
    assert ch.sample(m, np.random.default_rng(2), max_theta=0.1).total == pytest.approx(s.total, rel=1e-12)
    # at the origin only the cone is drawn, with its solid-angle share of the yield, and none is lost
    here = KaonAtRestChannel(StoppedKaons(per_proton=0.05, z=0.0), fc, n_directions=20000)
    cone = here.sample(m, np.random.default_rng(2), max_theta=0.1)
    theta = np.arccos(cone.p4[:, 3] / q)
    assert theta.max() <= 0.1 + 1e-12
    assert cone.total == pytest.approx(s.total * (1 - np.cos(0.1)) / 2, rel=1e-12)
    sphere = here.sample(m, np.random.default_rng(2))
    assert sphere.weights[np.arccos(sphere.p4[:, 3] / q) < 0.1].sum() == pytest.approx(cone.total, rel=0.5)
    with pytest.raises(BeamdumpInputError, match="per_proton"):
        StoppedKaons(per_proton=0.0, z=1.0)


# ------------------------------------------------------------------ channels.py
@dataclass(frozen=True)
class _Flavoured:
    name: str = "test-scalar"
    production: ProductionCouplings = ProductionCouplings(flavour=scalar_couplings())


def test_applicable_and_build():
    from beamdump.production.channels import FLAVOUR_CHANNELS, applicable, build_channels, channel_descriptions

    model = _Flavoured()
    names = ["pi0", "k_to_pi", "b_to_k", "primakoff_proton", "k_to_pi_at_rest"]
    assert applicable(names, model) == ["k_to_pi", "b_to_k", "k_to_pi_at_rest"]
    assert set(FLAVOUR_CHANNELS) <= set(channel_descriptions())
    kaons, beauty = one_bin_table((321, -321, 130)), one_bin_table((521, -521, 511, -511, 531, 5122))
    tables = {321: kaons, 130: kaons, 521: beauty, 511: beauty, 531: beauty, 5122: beauty}
    every = [n for n in FLAVOUR_CHANNELS if n != "b_to_xs"]
    made = build_channels(
        every, "proton", 400.0, model, target="copper", parent_tables=tables, stopped_kaons=StoppedKaons(1e-3, 10.0),
        decay_pipe=DecayPipe(50.0, 725.0, 1.0),
    ) + build_channels(["b_to_xs"], "proton", 400.0, model, target="copper", parent_tables=tables)
    assert [c.name for c in made] == every + ["b_to_xs"]
    assert all(c.sample(0.2, np.random.default_rng(0)).total > 0 for c in made)
    with pytest.raises(BeamdumpInputError, match="kaons_at_rest"):
        build_channels(["k_to_pi_at_rest"], "proton", 400.0, model, target="copper")
    with pytest.raises(BeamdumpInputError, match="collider"):
        build_channels(["k_to_pi"], "proton", 13600.0, model, collider_tune="forward", parent_tables=tables)
    with pytest.raises(BeamdumpInputError, match="inclusive"):
        build_channels(["b_to_k", "b_to_xs"], "proton", 400.0, model, target="copper", parent_tables=tables)
    with pytest.raises(BeamdumpInputError, match="flavour"):
        build_channels(["b_to_k"], "proton", 400.0, _Flavoured(production=ProductionCouplings()), parent_tables=tables)


def test_kaons_at_rest_config():
    from pydantic import ValidationError

    from beamdump.experiments.config import KaonsAtRestConfig

    ok = KaonsAtRestConfig(per_proton={"value": 1e-3, "source": "test"}, z={"value": 50.0, "source": "test"})
    assert ok.x is None and ok.per_proton.value == 1e-3
    with pytest.raises(ValidationError, match="per_proton"):
        KaonsAtRestConfig(per_proton={"value": -1.0, "source": "test"}, z={"value": 50.0, "source": "test"})


def test_through_the_scalar_model_when_it_exists(defs):
    """When models/scalar.py lands: its flavour couplings give the literature numbers too."""
    from beamdump.models import get_model

    try:
        model = get_model("scalar")
    except BeamdumpInputError:
        pytest.skip("models/scalar.py not on this checkout yet")
    fc = model.production.flavour
    assert fc is not None and fc.rate_power == 1
    assert float(defs["b_to_k"].branching(1e-3, fc, 521)) == pytest.approx(0.5, rel=0.25)
    m = 0.2
    two_p = 2 * float(defs["k_to_pi"].rest_momentum(321, m))
    assert float(defs["k_to_pi"].branching(m, fc, 321)) == pytest.approx(2e-3 * two_p / mass_gev(321), rel=0.3)
