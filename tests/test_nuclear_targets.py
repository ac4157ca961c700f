"""Tests of the p+A meson tables (Pythia Angantyr) and of the hadronic cascade (PythiaCascade):
nuclei data, settings, generator runs, shipped tables, presets."""

from __future__ import annotations

import numpy as np
import pytest

from beamdump.errors import BeamdumpInputError
from beamdump.experiments.experiment import Experiment, load_experiment
from beamdump.experiments.variants import with_meson_production
from beamdump.pdg import mass_gev
from beamdump.sources import meson_generator as gen, shipped_spectra as shipped
from beamdump.sources.nuclear_targets import angantyr_options, get_nucleus, known_nuclei
from beamdump.sources.spectrum_settings import DEFAULT_PDG_IDS, SpectrumSettings


def test_nuclei_codes_encode_z_and_a() -> None:
    for name in known_nuclei():
        n = get_nucleus(name)
        # PDG numbering scheme for nuclei: 10LZZZAAAI with L = I = 0
        assert n.pdg == 1_000_000_000 + 10_000 * n.z + 10 * n.a
        # nuclear mass ≈ A × 0.93 GeV (binding ≈ 8.5 MeV per nucleon)
        assert n.mass_gev == pytest.approx(n.a * 0.9315, rel=0.01)
    assert {"Cu", "Fe", "Mo"} <= set(known_nuclei())
    with pytest.raises(BeamdumpInputError, match="known nuclei: Cu"):
        get_nucleus("Unobtainium")


def test_angantyr_options() -> None:
    at400 = angantyr_options(400.0, "Cu")
    assert "HeavyIon:SigFitNGen = 0" in at400 and any(o.startswith("HeavyIon:SigFitDefPar") for o in at400)
    assert angantyr_options(400.0, "Fe") == at400  # the fit depends on √s_NN only
    assert angantyr_options(250.0, "Cu") == ()  # no stored fit: Pythia fits on initialisation
    mo = angantyr_options(400.0, "Mo")
    assert mo[0] == f"1000420980:new = 98Mo void 1 {3 * 42} 0 {get_nucleus('Mo').mass_gev!r}"


def test_nuclear_settings(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("BEAMDUMP_CACHE_DIR", str(tmp_path))  # an empty cache: the missing table is missing
    s = shipped.nuclear_settings(400.0, "Cu", n_events=10)
    assert s.components() == ((1000290630, 1.0),) and s.event_split() == ((1000290630, 1.0, 10),)
    config = gen.pythia_config(s, 1000290630, 5)
    assert "Beams:idB = 1000290630" in config and "HeavyIon:SigFitNGen = 0" in config
    assert s.key() != shipped.nuclear_settings(400.0, "Fe", n_events=10).key()
    with pytest.raises(BeamdumpInputError, match="isoscalar, pp, pn, Cu"):
        SpectrumSettings(target="Xx")
    with pytest.raises(BeamdumpInputError, match="no shipped table for 450 GeV p on Cu"):
        shipped.nuclear_spectra(450.0, "Cu")


@pytest.mark.slow
def test_angantyr_p_cu_against_nucleon_collisions() -> None:
    """A whole p+Cu collision against one pp collision at 400 GeV (300 events each): the
    generated cross-section is the p+Cu inelastic one and there are more mesons per collision."""
    n = 300
    cu = shipped.nuclear_settings(400.0, "Cu", n_events=n)
    pp = SpectrumSettings(beam_energy_gev=400.0, n_events=n, target="pp")
    r_cu = gen.run_chunk(cu, 1000290630, n, 3)
    r_pp = gen.run_chunk(pp, 2212, n, 3)
    # σ_inel(p Cu) ≈ 780 mb at high energy (PDG hadronic cross-section compilation) vs σ_inel(pp) ≈ 32 mb
    assert 650.0 < r_cu["sigma_mb"] < 900.0 and 28.0 < r_pp["sigma_mb"] < 36.0
    pi0_cu, pi0_pp = r_cu["counts"][0].sum() / n, r_pp["counts"][0].sum() / n
    # the wounded-nucleon picture: ⟨ν⟩ ≈ 2.5–3 collisions in Cu, multiplicity ≈ (1 + ν)/2 × pp
    assert 1.2 < pi0_cu / pi0_pp < 2.5


def test_meson_production_in_presets() -> None:
    na62 = load_experiment("na62-dump-2021")
    assert na62.config.beam.meson_production == "nucleon"
    nuc = with_meson_production(na62.config, "nucleus")
    assert nuc.beam.meson_production == "nucleus" and nuc.beam.target == "Cu"
    with pytest.raises(BeamdumpInputError, match="allowed: nucleon, nucleus"):
        with_meson_production(na62.config, "quark")
    with pytest.raises(BeamdumpInputError, match="proton beam on a fixed target"):
        with_meson_production(load_experiment("e137").config, "nucleus")
    with pytest.raises(BeamdumpInputError, match="proton beam on a fixed target"):
        with_meson_production(load_experiment("faser-2022").config, "nucleus")
    data = na62.config.model_dump()
    data["beam"]["target"] = "graphite"
    from beamdump.experiments.variants import _validated

    with pytest.raises(BeamdumpInputError, match="allowed: Cu, Fe, Mo"):
        _validated({**data, "beam": {**data["beam"], "meson_production": "nucleus"}})


def _ratio_by_momentum(nucleus: str, energy: float, pdg: int) -> dict[str, float]:
    """Mesons per proton, p+A table / isoscalar nucleon table, in bands of x = p / E_beam."""
    a, b = shipped.default_spectra(energy), shipped.nuclear_spectra(energy, nucleus)
    lp = 0.5 * (a.log10_p_edges[1:] + a.log10_p_edges[:-1])
    x = 10.0 ** lp / energy
    ya, yb = a.yields[a.index(pdg)].sum(0), b.yields[b.index(pdg)].sum(0)
    bands = {"all": x > 0, "soft": x < 0.025, "leading": x > 0.3}
    return {k: float(yb[m].sum() / ya[m].sum()) for k, m in bands.items()}


@pytest.mark.parametrize("pdg", [111, 221])
def test_shipped_p_cu_table_nuclear_effects(pdg: int) -> None:
    """The p+Cu table against the isoscalar one at 400 GeV, per beam proton. Measured (π⁰ / η):
    all 1.66 / 1.61, x < 0.025 1.9 / 1.9, x > 0.3 0.67 / 0.72. Data on p+A (e.g. Barton et al.,
    PRD 27 (1983) 2580: yields ∝ A^α(x_F), α ≈ 0.8–0.9 at small x_F falling to ≈ 0.5 at large x_F,
    against σ_inel ∝ A^0.71) say: more soft mesons per collision, fewer leading ones."""
    sp = shipped.nuclear_spectra(400.0, "Cu")
    assert sp.settings.target == "Cu" and sp.n_events >= 1_000_000
    assert sp.settings.pythia_options == angantyr_options(400.0, "Cu")
    assert 650.0 < sp.metadata["sigma_gen_mb"]["1000290630"] < 900.0
    r = _ratio_by_momentum("Cu", 400.0, pdg)
    assert 1.3 < r["all"] < 2.2
    assert r["soft"] > r["all"] > 1.0 > r["leading"] > 0.4


def test_nucleus_preset_uses_the_p_a_table() -> None:
    from beamdump.engine.analysis import make_reach

    exp = Experiment.from_config(with_meson_production(load_experiment("na62-dump-2021").config, "nucleus"))
    reach = make_reach(exp, channels=["eta"])
    assert reach.channels[0].spectra.settings.target == "Cu"
    nominal = make_reach(load_experiment("na62-dump-2021"), channels=["eta"])
    assert nominal.channels[0].spectra.settings.target == "isoscalar"


# ---------------------------------------------------------------- the hadronic cascade
def test_cascade_settings() -> None:
    s = shipped.nuclear_settings(400.0, "Cu", n_events=10, cascade_min_ekin=5.0)
    assert s.cascade_min_ekin == 5.0 and s.pythia_options == ()
    assert "cascade_min_ekin" not in shipped.nuclear_settings(400.0, "Cu").to_dict()  # old keys stay valid
    assert s.key() != shipped.nuclear_settings(400.0, "Cu", n_events=10).key()
    with pytest.raises(BeamdumpInputError, match="needs a nucleus target"):
        SpectrumSettings(target="isoscalar", cascade_min_ekin=5.0)
    with pytest.raises(BeamdumpInputError, match="0.5 GeV ≤ cut < the beam energy"):
        shipped.nuclear_settings(400.0, "Cu", cascade_min_ekin=400.0)
    assert shipped.nuclear_table_name(400.0, "Cu", cascade=True) == "pythia8_p400gev_Cu_secondaries.npz"


@pytest.mark.slow
def test_cascade_conserves_energy_and_grows_with_lower_cut() -> None:
    """20 protons of 400 GeV in copper. With the cut near the beam energy only the first
    collision happens; with a 5 GeV cut about 20 collisions follow per proton and there are more
    mesons. The mesons of all generations together never carry more than the beam energy."""
    from beamdump.sources.hadron_cascade import cascade_chunk

    ids = DEFAULT_PDG_IDS
    first = cascade_chunk(400.0, "Cu", ids, 390.0, 20, 5)
    full = cascade_chunk(400.0, "Cu", ids, 5.0, 20, 5)
    assert first["n_collisions"] == 20 and first["n_failed"] == 0
    assert 10 * 20 < full["n_collisions"] < 40 * 20
    assert len(full["species"]) > 2 * len(first["species"])
    assert 700.0 < full["sigma_mb"] < 850.0  # σ_inel(p Cu)
    masses = {i: mass_gev(pdg) for i, pdg in enumerate(ids)}
    energy = sum((p * p + masses[s] ** 2) ** 0.5 for s, p in zip(full["species"], full["p"]))
    assert energy < 20 * 400.0
    again = cascade_chunk(400.0, "Cu", ids, 5.0, 20, 5)
    assert again["p"] == full["p"]  # a fixed seed repeats the cascade
    # the later collisions alone: the same cascade, without the first collision's mesons
    later = cascade_chunk(400.0, "Cu", ids, 5.0, 20, 5, secondary_only=True)
    assert later["n_collisions"] == full["n_collisions"]
    assert 0 < len(later["p"]) < len(full["p"]) and set(later["p"]) <= set(full["p"])
    assert cascade_chunk(400.0, "Cu", ids, 390.0, 20, 5, secondary_only=True)["p"] == []


def test_plus_adds_tables_of_the_same_binning() -> None:
    a = shipped.nuclear_spectra(400.0, "Cu")
    twice = a.plus(a)
    assert twice.multiplicity(221) == pytest.approx(2 * a.multiplicity(221))
    assert len(twice.metadata["sum_of"]) == 2
    with pytest.raises(BeamdumpInputError, match="same species and binning"):
        a.plus(shipped.default_spectra(120.0))


@pytest.mark.parametrize("energy, nucleus, sigma", [(400.0, "Cu", 766.0), (400.0, "Mo", 1027.0), (120.0, "Fe", 696.0), (70.0, "Fe", 698.0)])
def test_shipped_p_a_tables(energy: float, nucleus: str, sigma: float) -> None:
    """Every shipped p+A table: its settings, σ_inel(pA) (measured values, e.g. PDG: Cu ≈ 780 mb,
    Fe ≈ 700 mb, Mo ≈ 1 b at these energies; Angantyr's is quoted) and 1.4–1.8 times the mesons
    of a nucleon collision (more wounded nucleons in heavier nuclei: Mo > Cu)."""
    sp = shipped.nuclear_spectra(energy, nucleus)
    assert sp.settings.target == nucleus and sp.settings.beam_energy_gev == energy and sp.n_events >= 1_000_000
    assert sp.metadata["sigma_gen_mb"][str(get_nucleus(nucleus).pdg)] == pytest.approx(sigma, rel=0.01)
    ratio = sp.multiplicity(111) / shipped.default_spectra(energy).multiplicity(111)
    assert 1.4 < ratio < 1.9
    if nucleus == "Mo":
        cu = shipped.nuclear_spectra(400.0, "Cu").multiplicity(111) / shipped.default_spectra(400.0).multiplicity(111)
        assert ratio > cu


def test_shipped_cascade_table() -> None:
    """The later collisions of the cascade in copper (400 GeV protons, hadrons followed down to
    5 GeV): ≈ 20 collisions per proton; added to the first collision they give per proton, over
    the isoscalar nucleon table (measured, π⁰ / η): all 10.9 / 9.9, p > 20 GeV 1.9 / 2.2, NA62's
    cone 1.17 / 1.36, CHARM's window 2.1 / 2.7. The cascade adds most where mesons are soft and
    wide, least for the hardest forward ones."""
    later = shipped._shipped_nuclear(400.0, "Cu", True)
    assert later.settings.cascade_min_ekin == shipped.CASCADE_MIN_EKIN and later.n_events >= 200_000
    assert 15.0 < later.metadata["collisions_per_proton"] < 25.0
    first, both = shipped.nuclear_spectra(400.0, "Cu"), shipped.nuclear_spectra(400.0, "Cu", cascade=True)
    assert np.all(both.yields >= first.yields)
    r = _ratio_by_momentum("Cu", 400.0, 221)  # first collision / nucleon table
    nucleon = shipped.default_spectra(400.0)
    lp = 0.5 * (nucleon.log10_p_edges[1:] + nucleon.log10_p_edges[:-1])
    x = 10.0 ** lp / 400.0
    i = nucleon.index(221)
    gain_soft = both.yields[i].sum(0)[x < 0.025].sum() / first.yields[i].sum(0)[x < 0.025].sum()
    gain_leading = both.yields[i].sum(0)[x > 0.3].sum() / first.yields[i].sum(0)[x > 0.3].sum()
    assert gain_soft > 3.0 > gain_leading > 1.0 and r["leading"] < 1.0


def test_cascade_preset_uses_both_tables() -> None:
    from beamdump.engine.analysis import make_reach

    exp = Experiment.from_config(with_meson_production(load_experiment("charm").config, "cascade"))
    spectra = make_reach(exp, channels=["eta"]).channels[0].spectra
    assert spectra.settings.target == "Cu" and spectra.settings.cascade_min_ekin == shipped.CASCADE_MIN_EKIN
    assert len(spectra.metadata["sum_of"]) == 2
    with pytest.raises(BeamdumpInputError, match="no shipped table for 120 GeV p on Fe"):
        make_reach(Experiment.from_config(with_meson_production(load_experiment("darkquest").config, "cascade")))
