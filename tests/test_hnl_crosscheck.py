"""Independent physics cross-checks of HNL production (production.hnl_modes and the hnl_* channels):
SM limits summed against inclusive branching fractions, lepton universality, helicity scaling, the
muon-decay (Michel) means of τ → N ℓ ν, the D_s → τ chain against the data file, both charge states
of every parent counted once, and Majorana = Dirac in production. Tolerances follow the physics:
exact where the statement is kinematic, ~10–25 % where form factors or CKM enter.

SM numbers: PDG 2024 (RPP) values as recalled [check]; see scripts/hnl_production_table.py."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

from beamdump.models.registry import get_model
from beamdump.pdg import mass_gev, width_gev
from beamdump.production.hnl_modes import hnl_modes, modes_of
from beamdump.production.hnl_sources import ds_to_tau_nu

SMALL = 1e-6  # GeV: m_N -> 0
MODES = hnl_modes()
TAU = 15


def semileptonic_sum(parent: int, flavour: str, m: float = SMALL) -> float:
    """Σ BR(parent → hadron ℓ N)/U² over the semileptonic modes of one flavour."""
    return sum(float(x.branching(m)) for x in modes_of(parent) if x.flavour == flavour and x.kind.startswith("semileptonic"))


def leptonic(parent: int, flavour: str):
    return next(x for x in modes_of(parent) if x.kind == "leptonic" and x.flavour == flavour)


def channel(name: str, model: str, production: str = "nucleon", target: str = "Mo"):
    from beamdump.production.channels import build_channels

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        (ch,) = build_channels([name], "proton", 400.0, get_model(model), target=target, meson_production=production)
    return ch


# --- sums against inclusive SM semileptonic branching fractions -----------------------------------

@pytest.mark.parametrize("parent, inclusive, lowest", [
    (411, 0.1607, 0.8),   # D+ -> e+ X: K̄, K̄*, π make ~95 %
    (421, 0.0649, 0.8),   # D0 -> e+ X
    (511, 0.1033, 0.6),   # B0 -> l nu X: D, D* ~75 % (D**, non-resonant missing)
    (521, 0.1099, 0.6),   # B+ -> l nu X
])
@pytest.mark.parametrize("flavour", ["e", "mu"])
def test_exclusive_semileptonic_sum_stays_below_the_inclusive(parent, inclusive, lowest, flavour):
    """Σ exclusive modes at m_N -> 0 ≤ inclusive semileptonic BR (5 % slack for form factors/CKM) and
    not far below it (the dominant exclusive modes are present)."""
    total = semileptonic_sum(parent, flavour)
    assert total <= 1.05 * inclusive
    assert total >= lowest * inclusive


def test_ds_semileptonic_modes_make_most_of_the_inclusive():
    """D_s → η, η′, φ, K⁰, K*⁰ ℓ N at m_N → 0 against PDG D_s⁺ → e⁺X = 6.33 % [check]."""
    assert 0.7 * 0.0633 <= semileptonic_sum(431, "e") <= 1.05 * 0.0633


def test_tau_exclusive_modes_cover_most_of_the_tau_width():
    """U_τ = 1, m_N -> 0: every τ decay holds a ν_τ, so Σ BR(τ → N X) -> 1; the exclusive set (π, K, ρ,
    K*, e ν, μ ν) covers ≈ 73 % (τ → 3π ν etc. missing). Bound it on both sides."""
    total = sum(float(x.branching(SMALL)) for x in modes_of(TAU) if x.flavour == "tau")
    assert 0.65 <= total <= 1.0


# --- universality and helicity --------------------------------------------------------------------

@pytest.mark.parametrize("parent", [411, 421, 511, 521, 531])
def test_semileptonic_mu_over_e_is_phase_space_only(parent):
    """BR(μ)/BR(e) at m_N -> 0: lepton universality up to the μ mass (PDG D0 → K: 0.96; B → D(*): ≈ 1)."""
    e, mu = semileptonic_sum(parent, "e"), semileptonic_sum(parent, "mu")
    assert 0.85 <= mu / e <= 1.0


@pytest.mark.parametrize("parent", [411, 431, 521, 541])
def test_leptonic_modes_lose_the_helicity_suppression_for_a_heavy_n(parent):
    """P → ℓN at m_N ≫ m_ℓ: the rate ∝ m_N² of the N, no longer m_ℓ², so e and μ agree within the
    phase space (≤ 6 % at m_N = 1 GeV), while at m_N -> 0 their ratio is (m_e/m_μ)² × phase space."""
    e, mu = leptonic(parent, "e"), leptonic(parent, "mu")
    assert float(e.branching(1.0)) / float(mu.branching(1.0)) == pytest.approx(1.0, abs=0.06)
    r0 = float(e.branching(SMALL)) / float(mu.branching(SMALL))
    M = mass_gev(parent)
    ye, ym = (mass_gev(11) / M) ** 2, (mass_gev(13) / M) ** 2
    assert r0 == pytest.approx(ye * (1 - ye) ** 2 / (ym * (1 - ym) ** 2), rel=1e-3)


def test_ds_to_mu_n_grows_as_m_n_squared_then_closes():
    """BR(D_s → μN)/BR(D_s → μν)_SM ≈ (m_N² + m_μ²)/m_μ² × (1 − m_N²/M²)² for m_N ≪ M: ~ 90 at 1 GeV."""
    mode = leptonic(431, "mu")
    sm = float(mode.branching(SMALL))
    M, ml = mass_gev(431), mass_gev(13)
    for m in (0.3, 0.5, 1.0):
        approx = (m * m + ml * ml) / ml**2 * (1 - m * m / M**2) ** 2
        assert float(mode.branching(m)) / sm == pytest.approx(approx, rel=0.1)
    assert float(mode.branching(mode.max_mass() * 0.999)) < 0.1 * float(mode.branching(1.0))


# --- τ → N ℓ ν: the muon-decay spectra ------------------------------------------------------------

def test_tau_leptonic_mean_momenta_are_the_michel_values():
    """m_N -> 0: N in place of ν_τ (U_τ) has the charged lepton's spectrum, ⟨E⟩ = 7/20 m_τ; N in place of
    ν̄_ℓ (U_ℓ) has ⟨E⟩ = 3/10 m_τ (V−A muon decay, massless daughters)."""
    rng = np.random.default_rng(3)
    m_tau = mass_gev(TAU)
    for mode in modes_of(TAU):
        if mode.kind != "tau_leptonic" or 11 not in {abs(q) for q in mode.partners}:
            continue  # the electron modes only: m_e/m_τ negligible
        mean = float(mode.rest_momenta(SMALL, 40000, rng).mean())
        expected = 0.35 if mode.flavour == "tau" else 0.30
        assert mean == pytest.approx(expected * m_tau, rel=0.02)


# --- the D_s → τ chain ------------------------------------------------------------------------------

def test_direct_ds_to_tau_n_matches_the_data_file_sm_branching():
    """Γ(D_s → τN)(m_N -> 0) from f_Ds |V_cs| against BR(D_s → τν) of hnl_tau.toml (what hnl_tau uses):
    the two must describe the same SM decay within 5 %."""
    assert float(leptonic(431, "tau").branching(SMALL)) == pytest.approx(ds_to_tau_nu(), rel=0.05)


def test_tau_channel_is_ds_times_sm_br_times_tau_modes():
    """hnl_tau with U_τ = 1 at m: Σ weights = (D_s decaying per proton) × BR(D_s → τν) × Σ BR(τ → N X)."""
    tau = channel("hnl_tau", "hnl-tau")
    charm = channel("hnl_charm", "hnl-tau")
    ds = sum(float(s.frame.weights.sum()) for s in charm.source.species if abs(s.pdg) == 431)
    for m in (0.1, 0.5, 1.0):
        taus = sum(float(x.branching(m)) for x in modes_of(TAU) if x.flavour == "tau" and m < x.max_mass())
        got = float(tau.sample(m, np.random.default_rng(1)).weights.sum())
        assert got == pytest.approx(ds * ds_to_tau_nu() * taus, rel=1e-3)  # D_s drawn 4 (hnl_tau) vs 2 per bin


def test_u_tau_chain_and_direct_ds_are_comparable_below_the_tau_threshold():
    """At m_N = 0.1 GeV the chain D_s → τν, τ → N X and the direct D_s → τN are of the same size
    (0.5 – 1.2 of each other; SHiP's U_τ production below 0.2 GeV is the sum of both)."""
    direct = float(leptonic(431, "tau").branching(0.1))
    chain = ds_to_tau_nu() * sum(float(x.branching(0.1)) for x in modes_of(TAU) if x.flavour == "tau")
    assert 0.5 <= chain / direct <= 1.2


# --- charge states and Majorana / Dirac ---------------------------------------------------------------

@pytest.mark.parametrize("parent", [211, 321, 411, 421, 431, 511, 521, 531, 541, 15])
def test_no_mode_is_listed_with_its_charge_conjugate(parent):
    """A charged or flavoured parent (PDG id > 0) lists each decay once; its antiparticle's C-conjugate
    decays come from the channel (one rate per |pdg|). Only the self-conjugate K_L lists both."""
    partners = {tuple(sorted(x.partners)) for x in modes_of(parent)}
    for p in partners:
        assert tuple(sorted(-q for q in p)) not in partners or p == tuple(sorted(-q for q in p))


def test_k_long_lists_both_charge_combinations_with_equal_rates():
    pairs = {}
    for x in modes_of(130):
        pairs.setdefault(x.flavour, []).append(float(x.branching(0.1)))
    for rates in pairs.values():
        assert len(rates) == 2 and rates[0] == pytest.approx(rates[1], rel=1e-12)


@pytest.mark.parametrize("name, parents", [("hnl_charm", (411, 421, 431)), ("hnl_beauty", (511, 521, 531)), ("hnl_kaon", (321,))])
def test_channel_counts_each_charge_state_once(name, parents):
    """Every parent appears as particle and antiparticle species; the channel's N per proton equals
    Σ_species (decaying parents per proton) × Σ_modes BR(|pdg|) at U_μ² = 1."""
    ch = channel(name, "hnl-mu")
    signs = {s.pdg for s in ch.source.species}
    for p in parents:
        assert p in signs and -p in signs
    m = 0.3
    expected = 0.0
    for s in ch.source.species:
        expected += float(s.frame.weights.sum()) * sum(float(x.branching(m)) for x in modes_of(abs(s.pdg)) if x.flavour == "mu" and m < x.max_mass())
    got = float(ch.sample(m, np.random.default_rng(2)).weights.sum())
    assert got == pytest.approx(expected, rel=1e-6)


def test_majorana_and_dirac_are_produced_alike():
    """Production does not see the N's nature: hnl-mu and hnl-mu-dirac give the same weights."""
    a = channel("hnl_charm", "hnl-mu").sample(1.0, np.random.default_rng(5)).weights
    b = channel("hnl_charm", "hnl-mu-dirac").sample(1.0, np.random.default_rng(5)).weights
    assert np.array_equal(a, b)


# --- rest-frame momenta ------------------------------------------------------------------------------

@pytest.mark.parametrize("name", [n for n, x in MODES.items() if x.kind.startswith("semileptonic")])
def test_three_body_mean_momentum_is_a_sensible_fraction_of_the_endpoint(name):
    """⟨|p_N|⟩ of P → H ℓ N lies between 0.4 and 0.75 of the end point p(M; m_N, m_H + m_ℓ) (a flat
    Dalitz plot gives ≈ 0.5–0.6; V−A and form factors move it a little)."""
    from beamdump.kinematics import two_body_momentum

    x = MODES[name]
    m = 0.3 * x.max_mass()
    p = x.rest_momenta(m, 4000, np.random.default_rng(9))
    end = float(two_body_momentum(x.parent_mass, m, sum(mass_gev(abs(q)) for q in x.partners)))
    assert np.all(p <= end * (1 + 1e-9))
    assert 0.4 * end <= float(p.mean()) <= 0.75 * end


def test_parent_widths_are_the_pdg_ones():
    """BR = Γ/Γ_PDG: the D_s → μN rate at m_N -> 0 times the D_s lifetime is the measured 0.543 % within 5 %."""
    mode = leptonic(431, "mu")
    assert float(mode.width(SMALL)) / width_gev(431) == pytest.approx(5.43e-3, rel=0.05)
