"""The parent tables the HNL presets need (sources/flavour_spectra.py): π± ("pions") and K± tables
from SoftQCD:inelastic at 19.2 (PS), 120, 400, 450 and 800 GeV on isoscalar nucleons, charm at
450 GeV and forward charm in pp at 14 TeV. Charge and energy conservation, the energy dependence,
and the per-inelastic-collision normalisation shared with the kaon tables."""

from __future__ import annotations

import math

import numpy as np
import pytest

from beamdump.datafiles import load_toml, package_data
from beamdump.errors import BeamdumpInputError
from beamdump.pdg import mass_gev
from beamdump.sources import flavour_spectra as fs
from beamdump.sources.meson_table import MesonSpectra
from beamdump.sources.spectra_lookup import same_physics

HF = load_toml(package_data("production", "heavy_flavour.toml"))
SOFT_ENERGIES = (19.2, 120.0, 400.0, 450.0, 800.0)


def _shipped(e: float, flavour: str, tune: str | None = None) -> bool:
    return package_data("spectra", fs.flavour_table_name(e, flavour, tune)).exists()


def _raw(e: float, flavour: str, tune: str | None = None) -> MesonSpectra:
    return MesonSpectra.load(package_data("spectra", fs.flavour_table_name(e, flavour, tune)))


PIONS = [e for e in SOFT_ENERGIES if _shipped(e, "pions")]
KAONS = [e for e in SOFT_ENERGIES if _shipped(e, "kaons")]


def test_pion_tables_are_shipped_at_every_hnl_energy() -> None:
    assert PIONS == list(SOFT_ENERGIES)
    assert KAONS == list(SOFT_ENERGIES)


def test_fractional_energy_names_keep_the_decimal() -> None:
    assert fs.flavour_table_name(19.2, "pions") == "pythia8_p19p2gev_pions.npz"
    assert fs.flavour_table_name(400, "kaons") == "pythia8_p400gev_kaons.npz"
    assert fs.flavour_table_name(14000, "charm", "forward") == "pythia8_pp14000gev_forward_charm.npz"
    with pytest.raises(BeamdumpInputError, match="no pions table") as err:
        fs.parent_spectra(19.0, 211)  # 19.2 GeV is not 19 GeV
    assert "\n" not in str(err.value)


@pytest.mark.parametrize("flavour,energies", [("pions", PIONS), ("kaons", KAONS)])
def test_soft_tables_have_the_settings_of_their_name(flavour: str, energies: list[float]) -> None:
    for e in energies:
        t = _raw(e, flavour)  # validates the arrays against the settings and their key
        assert same_physics(t.settings, fs.flavour_settings(e, flavour))
        assert t.settings.processes == ("SoftQCD:inelastic",) and t.settings.target == "isoscalar"
        assert t.pdg_ids == fs.FLAVOURS[flavour].pdg_ids
        assert t.settings.seed == 1 and t.metadata["n_failed_next"] < 1e-3 * t.n_events


@pytest.mark.parametrize("e", PIONS)
def test_pion_tables_load_for_both_signs_per_inelastic_collision(e: float) -> None:
    """parent_spectra(E, ±211) returns the same table (the sign picks the species, as for K±),
    unchanged by target and cascade: per inelastic pN collision, factor 1, the kaons' path."""
    raw = _raw(e, "pions")
    plus, minus = fs.parent_spectra(e, 211), fs.parent_spectra(e, -211, target="Be", cascade=False)
    for t in (plus, minus):
        assert t.pdg_ids == (211, -211)
        np.testing.assert_array_equal(t.yields, raw.yields)
        assert t.metadata["normalisation"]["factor"] == 1.0
    norm = fs.normalisation(raw)
    if _shipped(400.0, "kaons"):
        kaon_norm = fs.normalisation(_raw(400.0, "kaons"))
        assert {k: v for k, v in norm.items() if k != "flavour"} == {k: v for k, v in kaon_norm.items() if k != "flavour"}
    assert norm["note"].startswith("SoftQCD:inelastic table: per inelastic pN collision")


@pytest.mark.parametrize("flavour,e", [("pions", e) for e in PIONS] + [("kaons", e) for e in KAONS])
def test_charge_and_energy_conservation(flavour: str, e: float) -> None:
    """On isoscalar nucleons the initial charge is +3/2 per collision: positive mesons outnumber
    negative ones (the leading proton and associated Λ K⁺ production), and π⁺ − π⁻ < 3/2 since the
    baryons keep part of the charge. The mesons of one species carry less than the collision's
    energy E + m_N (bin centres, ±6% in p)."""
    t = fs.parent_spectra(e, fs.FLAVOURS[flavour].pdg_ids[0])
    pos, neg = t.pdg_ids[0], t.pdg_ids[1]
    n_pos, n_neg = t.multiplicity(pos), t.multiplicity(neg)
    assert n_pos > n_neg > 0
    assert n_pos - n_neg < 1.5
    p = 10.0 ** (0.5 * (t.log10_p_edges[1:] + t.log10_p_edges[:-1]))
    for s, pdg in enumerate(t.pdg_ids):
        energy = float(t.yields[s].sum(0) @ np.sqrt(p**2 + mass_gev(pdg) ** 2))
        assert 0.0 < energy < e + mass_gev(2212)
        # no meson above the beam momentum: the table ends at log10(E) and nothing fell outside above it
        assert t.log10_p_edges[-1] == pytest.approx(math.log10(e))


def test_multiplicities_rise_with_energy() -> None:
    for flavour, energies in (("pions", PIONS), ("kaons", KAONS)):
        for pdg in fs.FLAVOURS[flavour].pdg_ids:
            m = [fs.parent_spectra(e, pdg).multiplicity(pdg) for e in sorted(energies)]
            assert all(a < b for a, b in zip(m, m[1:])), (pdg, m)


@pytest.mark.skipif(not _shipped(19.2, "pions") or not _shipped(19.2, "kaons"), reason="19.2 GeV tables not shipped")
def test_ps_energy_pions_and_kaons_against_bubble_chamber_scale() -> None:
    """19.2 GeV (√s = 6.1 GeV): ⟨π⁻⟩ per inelastic pp is ≈ 1 (NA61/SHINE 20 GeV/c; ⟨n_ch⟩ ≈ 4 in
    bubble chambers [check: recalled]); on ½pp + ½pn π⁻ is higher. Pythia's SoftQCD:inelastic
    lies within 50% of it; K⁺/π⁺ is a few % near threshold (below the 400 GeV ratio)."""
    pi = fs.parent_spectra(19.2, 211)
    k = fs.parent_spectra(19.2, 321)
    assert 0.7 < pi.multiplicity(-211) < 2.0
    r19 = k.multiplicity(321) / pi.multiplicity(211)
    r400 = fs.parent_spectra(400, 321).multiplicity(321) / fs.parent_spectra(400, 211).multiplicity(211)
    assert 0.02 < r19 < r400 < 0.15
    # K_L = (K⁰ + K̄⁰)/2 ≈ (K⁺ + K⁻)/2 on isoscalar nucleons (isospin)
    assert k.multiplicity(130) == pytest.approx(0.5 * (k.multiplicity(321) + k.multiplicity(-321)), rel=0.15)


@pytest.mark.skipif(not _shipped(450.0, "charm"), reason="450 GeV charm table not shipped")
def test_charm_450_normalised_by_sigma_ratio_and_cascade() -> None:
    raw = _raw(450.0, "charm")
    assert same_physics(raw.settings, fs.flavour_settings(450.0, "charm"))
    entry = next(v for v in HF["fixed_target"].values() if v["energy_gev"] == 450.0)
    chi = entry["sigma_cc_ub"]["value"] * 1e-3 / entry["sigma_inel_mb"]["value"]
    for cascade in (False, True):
        t = fs.parent_spectra(450.0, 421, cascade=cascade)
        factor = chi * (entry["cascade_charm"]["value"] if cascade else 1.0)
        assert t.yields.sum() / raw.yields.sum() == pytest.approx(factor, rel=1e-12)
    # one cc̄ pair per generated event: two weakly decaying charm hadrons
    assert 1.85 < sum(raw.multiplicity(p) for p in raw.pdg_ids) < 2.05
    # σ_cc between the 400 and 800 GeV values of the same file
    sig = {v["energy_gev"]: v["sigma_cc_ub"]["value"] for v in HF["fixed_target"].values()}
    assert sig[400.0] < sig[450.0] < sig[800.0]


@pytest.mark.skipif(not _shipped(14000.0, "charm", "forward"), reason="14 TeV forward charm table not shipped")
def test_forward_charm_14tev_reproduces_lhcb_scaled() -> None:
    entry = next(v for v in HF["collider"].values() if v["energy_gev"] == 14000.0)
    acc = {k: v for k, v in entry["acceptance_charm"].items() if k != "source"}
    t = fs.parent_spectra(14000, 421, collider_tune="forward")
    assert same_physics(t.settings, fs.flavour_settings(14000, "charm", collider_tune="forward"))
    expected = entry["sigma_cc_ub_acceptance"]["value"] * 1e-3 / entry["sigma_inel_mb"]["value"]
    assert 0.5 * fs.acceptance_yield(t, acc) == pytest.approx(expected, rel=1e-9)
    # at 14 TeV the implied total σ_cc̄ exceeds the 13.6 TeV one (same LHCb scaling, same tune)
    if _shipped(13600.0, "charm", "forward"):
        n14 = t.metadata["normalisation"]["sigma_qq_total_mb"]
        n136 = fs.parent_spectra(13600, 421, collider_tune="forward").metadata["normalisation"]["sigma_qq_total_mb"]
        assert 1.0 < n14 / n136 < 1.15
