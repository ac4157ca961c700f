"""Kaon, charm and beauty parent spectra (sources/flavour_spectra.py): shipped tables, their keys,
the normalisation to measured cross-sections, charge conjugation, one-line errors."""

from __future__ import annotations

import math

import numpy as np
import pytest

from beamdump.datafiles import load_toml, package_data
from beamdump.errors import BeamdumpInputError
from beamdump.sources import flavour_spectra as fs
from beamdump.sources.meson_table import MesonSpectra
from beamdump.sources.spectra_lookup import same_physics

HF = load_toml(package_data("production", "heavy_flavour.toml"))
#: (energy or √s, flavour, collider tune) of every shipped parent table.
SHIPPED = [
    (e, f, t)
    for e, f, t in [(400, "kaons", None), (120, "kaons", None),
                    (400, "charm", None), (120, "charm", None), (800, "charm", None),
                    (400, "beauty", None), (120, "beauty", None), (800, "beauty", None),
                    (13600, "charm", "forward"), (13600, "beauty", "forward"), (14000, "beauty", "forward"),
                    (7000, "beauty", "default")]
    if package_data("spectra", fs.flavour_table_name(e, f, t)).exists()
]
HEAVY = [s for s in SHIPPED if s[1] != "kaons"]


def _raw(e: float, flavour: str, tune: str | None) -> MesonSpectra:
    return MesonSpectra.load(package_data("spectra", fs.flavour_table_name(e, flavour, tune)))


@pytest.mark.parametrize("e,flavour,tune", SHIPPED)
def test_shipped_tables_have_the_settings_of_their_name(e, flavour, tune) -> None:
    t = _raw(e, flavour, tune)  # validates arrays against settings and key
    assert same_physics(t.settings, fs.flavour_settings(e, flavour, collider_tune=tune))
    assert t.pdg_ids == fs.FLAVOURS[flavour].pdg_ids


def test_first_kaon_table_is_shipped() -> None:
    assert (400, "kaons", None) in SHIPPED


def test_kaon_multiplicities_isospin_and_energy() -> None:
    k400 = fs.parent_spectra(400, 321)
    kp, km, kl = (k400.multiplicity(p) for p in (321, -321, 130))
    # valence-quark associated production (p → Λ K⁺) makes K⁺ > K⁻ at SPS energies
    assert 1.1 < kp / km < 1.6
    # isospin: K_L = (K⁰ + K̄⁰)/2 ≈ (K⁺ + K⁻)/2 on isoscalar nucleons
    assert kl == pytest.approx(0.5 * (kp + km), rel=0.1)
    if (120, "kaons", None) in SHIPPED:
        assert fs.parent_spectra(120, 321).multiplicity(321) < kp
    assert k400.metadata["normalisation"]["factor"] == 1.0


@pytest.mark.parametrize("e,flavour,tune", HEAVY)
def test_one_heavy_pair_per_generated_event(e, flavour, tune) -> None:
    """Each hard event holds one QQ̄ pair: two weakly decaying heavy hadrons (the few % of Ξ_Q, Ω_Q
    are not tabulated); at a collider the table keeps θ < 0.316 rad of the +z hemisphere only."""
    t = _raw(e, flavour, tune)
    per_event = sum(t.multiplicity(p) for p in t.pdg_ids)
    outside = sum(t.metadata["entries_outside_range"].values()) / (t.n_events * t.settings.hemispheres)
    # a collider table is per hemisphere; at the LHC MPI and the shower add a few % more pairs
    assert 1.85 < (per_event + outside) * t.settings.hemispheres < (2.05 if tune is None else 2.2)
    if tune is None:
        assert outside / per_event < 1e-3


@pytest.mark.parametrize("e,flavour", [(e, f) for e, f, t in HEAVY if t is None])
def test_fixed_target_normalisation_is_sigma_ratio_times_cascade(e, flavour) -> None:
    raw = _raw(e, flavour, None)
    entry = next(v for v in HF["fixed_target"].values() if v["energy_gev"] == e)
    sigma = entry["sigma_cc_ub"]["value"] * 1e-3 if flavour == "charm" else entry["sigma_bb_nb"]["value"] * 1e-6
    chi = sigma / entry["sigma_inel_mb"]["value"]
    pdg = raw.pdg_ids[0]
    for cascade in (False, True):
        norm = fs.parent_spectra(e, pdg, cascade=cascade)
        factor = chi * (entry[f"cascade_{flavour}"]["value"] if cascade else 1.0)
        assert norm.yields.sum() / raw.yields.sum() == pytest.approx(factor, rel=1e-12)
        np.testing.assert_array_equal(norm.counts, raw.counts)
    # pairs per proton = χ × (pairs per table event ≈ 1)
    pairs = 0.5 * sum(fs.parent_spectra(e, pdg, cascade=False).multiplicity(p) for p in raw.pdg_ids)
    assert pairs == pytest.approx(chi, rel=0.08)


def test_shipped_chi_on_molybdenum_is_ships() -> None:
    """σ_inel(pMo)/A from λ_I gives SHiP's χ_cc̄ = 1.7e-3 and χ_bb̄ = 1.6e-7 (18.1 μb, 1.7 nb over 10.7 mb)."""
    assert fs.sigma_inel_per_nucleon_mb("Mo") == pytest.approx(10.7, rel=0.03)
    for flavour, chi_ship in (("charm", 1.7e-3), ("beauty", 1.6e-7)):
        if (400, flavour, None) not in SHIPPED:
            continue
        pdg = fs.FLAVOURS[flavour].pdg_ids[0]
        norm = fs.parent_spectra(400, pdg, target="Mo", cascade=False).metadata["normalisation"]
        assert norm["chi"] == pytest.approx(chi_ship, rel=0.05)
        # the nucleus has fewer inelastic collisions per nucleon than a free nucleon: χ(Mo) > χ(pN)
        assert norm["chi"] > 2.5 * fs.parent_spectra(400, pdg, cascade=False).metadata["normalisation"]["chi"]


@pytest.mark.parametrize("e,flavour,tune", [s for s in HEAVY if s[2] is not None])
def test_collider_tables_reproduce_lhcb_in_its_acceptance(e, flavour, tune) -> None:
    entry = next(v for v in HF["collider"].values() if v["energy_gev"] == e)
    q = fs.FLAVOURS[flavour].quark
    acc = {k: v for k, v in entry[f"acceptance_{flavour}"].items() if k != "source"}
    t = fs.parent_spectra(e, fs.FLAVOURS[flavour].pdg_ids[0], collider_tune=tune)
    expected = entry[f"sigma_{q}{q}_ub_acceptance"]["value"] * 1e-3 / entry["sigma_inel_mb"]["value"]
    assert 0.5 * fs.acceptance_yield(t, acc) == pytest.approx(expected, rel=1e-9)
    with pytest.raises(BeamdumpInputError, match="collider table is pp"):
        fs.normalisation(_raw(e, flavour, tune), target="Mo")


@pytest.mark.parametrize("e,tune", [(e, t) for e, f, t in HEAVY if f == "beauty"])
def test_beauty_charge_conjugation_and_fragmentation(e, tune) -> None:
    t = _raw(e, "beauty", tune)
    m = {p: t.multiplicity(p) for p in t.pdg_ids}
    bbar_mesons, b_mesons = m[521] + m[511], m[-521] + m[-511]  # B⁺ = ub̄, B⁰ = db̄
    n = t.counts.sum()
    # beauty number: one b and one b̄ hadron per event (Ξ_b, Ω_b, a few %, are not tabulated)
    b = b_mesons + m[-531] + m[-541] + m[5122]
    bbar = bbar_mesons + m[531] + m[541] + m[-5122]
    assert b == pytest.approx(bbar, rel=0.05)
    # b quarks end up in Λ_b (beam-remnant diquarks) more often than b̄ in anti-Λ_b: the
    # remnant drag is ~15% at 400 GeV, gone at the LHC, and large near threshold (120 GeV)
    if e >= 400:
        assert abs(bbar_mesons / b_mesons - 1) < (0.25 if tune is None else 5 / math.sqrt(n) + 0.03)
    fu, fd, fs_ = m[521] + m[-521], m[511] + m[-511], m[531] + m[-531]
    assert fu == pytest.approx(fd, rel=0.1)  # isospin
    # B_s share against PDG's f_s/(f_u + f_d) = 0.101/0.814 = 0.124 (heavy_flavour.toml), within 35%
    # (at 120 GeV, 2.5 GeV above threshold, phase space suppresses B_s and favours Λ_b B)
    frag = {k: v["value"] for k, v in HF["fragmentation"]["beauty"].items()}
    if e >= 400:
        assert fs_ / (fu + fd) == pytest.approx(frag["f_s"] / (frag["f_u"] + frag["f_d"]), rel=0.35)
        assert fu / (fu + fd + fs_) == pytest.approx(frag["f_u"] / (frag["f_u"] + frag["f_d"] + frag["f_s"]), rel=0.05)


@pytest.mark.parametrize("e,tune", [(e, t) for e, f, t in HEAVY if f == "charm"])
def test_charm_fragmentation_against_the_ee_combination(e, tune) -> None:
    """Pythia's shares of D⁰, D⁺, D_s⁺, Λ_c⁺ (with antiparticles) against the e⁺e⁻/ep combination:
    within 30% (Pythia makes fewer D⁰ and more D⁺ than measured; Λ_c near threshold more)."""
    t = _raw(e, "charm", tune)
    frag = {k: v["value"] for k, v in HF["fragmentation"]["charm"].items()}
    total = sum(frag.values())
    m = {p: t.multiplicity(p) + t.multiplicity(-p) for p in (421, 411, 431, 4122)}
    pythia = {k: m[p] / sum(m.values()) for k, p in (("f_d0", 421), ("f_dplus", 411), ("f_ds", 431))}
    for k, share in pythia.items():
        assert share == pytest.approx(frag[k] / total, rel=0.3), k


def test_parent_spectra_errors_are_one_line() -> None:
    for call in (lambda: fs.parent_spectra(350, 321), lambda: fs.parent_spectra(400, 111),
                 lambda: fs.parent_spectra(13600, 321, collider_tune="forward"),
                 lambda: fs.parent_spectra(float("nan"), 521), lambda: fs.flavour_settings(400, "top")):
        with pytest.raises(BeamdumpInputError) as exc:
            call()
        assert "\n" not in str(exc.value)
    with pytest.raises(BeamdumpInputError, match="shipped: .*pythia8_p400gev_kaons"):
        fs.parent_spectra(350, 321)


def test_acceptance_yield_selects_by_pseudorapidity_and_rapidity() -> None:
    """One B⁺ bin at θ ≈ 0.05 rad (η ≈ 3.7) and the last one, centre θ = 0.28 rad (η = 1.95), at p ≈ 10 GeV:
    η cuts pick the first; the rapidity of a 5.28 GeV B at p = 10 GeV is y = ½ ln((E + p_z)/(E − p_z))."""
    st = fs.flavour_settings(13600, "beauty", collider_tune="default")
    lt, lp = st.log10_theta_edges(), st.log10_p_edges()
    y = np.zeros((len(st.pdg_ids), lt.size - 1, lp.size - 1))
    ip = int(np.searchsorted(lp, 1.0, side="right") - 1)  # the bin holding p = 10 GeV
    it_fwd, it_wide = (int(np.searchsorted(lt, math.log10(x), side="right") - 1) for x in (0.05, 0.3))
    y[0, it_fwd, ip], y[0, it_wide, ip] = 2.0, 3.0
    t = MesonSpectra(st, st.pdg_ids, lt, lp, y, (y > 0).astype(np.int64), st.n_events)
    assert fs.acceptance_yield(t, {"eta_min": 2.0, "eta_max": 5.0}) == 2.0
    assert fs.acceptance_yield(t, {"eta_min": 1.9, "eta_max": 5.0}) == 5.0
    theta, p = 10 ** (0.5 * (lt[it_fwd] + lt[it_fwd + 1])), 10 ** (0.5 * (lp[ip] + lp[ip + 1]))
    e, pz = math.hypot(p, 5.27934), p * math.cos(theta)
    rap = 0.5 * math.log((e + pz) / (e - pz))  # ≈ 1.3: a slow B's rapidity lies far below its η
    assert fs.acceptance_yield(t, {"y_min": rap - 0.01, "y_max": rap + 0.01}) == 2.0
    assert fs.acceptance_yield(t, {"y_min": 2.0, "y_max": 4.5}) == 0.0
    assert fs.acceptance_yield(t, {"eta_min": 2.0, "eta_max": 5.0, "pt_max": 0.1}) == 0.0


def test_inspect_prints_the_normalisation() -> None:
    import subprocess
    import sys

    if (400, "beauty", None) not in SHIPPED:
        pytest.skip("no 400 GeV beauty table")
    r = subprocess.run([sys.executable, "-m", "beamdump.cli", "spectra", "inspect", "pythia8_p400gev_beauty"],
                       capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    assert "normalise:" in r.stdout and "sigma_QQ = 0.0017 ub/nucleon" in r.stdout and "cascade x1.7" in r.stdout
    factor = fs.normalisation(_raw(400, "beauty", None))["factor"]
    assert f"factor {factor:.4g} per event" in r.stdout
