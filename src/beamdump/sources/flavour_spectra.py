"""Pion, kaon, charm and beauty parent spectra: shipped Pythia 8 tables normalised per beam proton.

Units: beam energies and √s in GeV, cross-sections in μb (charm) and nb (beauty) as in
``data/production/heavy_flavour.toml``, angles in rad, momenta in GeV.

Four kinds of table (:data:`FLAVOURS`), each made by :func:`flavour_settings` and shipped as
``pythia8_p<E>gev_<flavour>.npz`` (fixed target, isoscalar nucleons) or
``pythia8_pp<√s>gev_<tune>_<flavour>.npz`` (pp collider, +z hemisphere, θ < 10^-0.5 rad, which
covers FASER2's few mrad and LHCb's 2 < η < 5):

* ``pions``: π⁺ (211), π⁻ (−211) from ``SoftQCD:inelastic``, per inelastic pN collision, made and
  normalised exactly as the kaons (factor 1). Pions from K_S, Λ, Σ, ρ, ω, η and every other
  hadron Pythia decays are counted; K± and K_L are stable in Pythia (their K → π decays in the
  dump belong to the kaon channels). At the PS (19.2 GeV, √s = 6.1 GeV) the same
  ``SoftQCD:inelastic`` runs and matches ⟨π⁻⟩ in pp within ~20%, where Pythia's low-energy
  framework (``LowEnergyQCD``) makes half the measured π⁻ (docs/heavy_flavour.md).
* ``kaons``: K⁺ (321), K⁻ (−321), K_L (130) from ``SoftQCD:inelastic``, per inelastic pN
  collision (the default tables' convention). Particle and antiparticle are separate species
  (signed PDG ids). Kaons from φ → KK̄, K* → Kπ and every other decaying hadron are counted
  (only the three species are final-state-stable; Pythia decays φ, K* and the rest).
* ``charm``: D⁰, D⁺, D_s⁺, Λ_c⁺ and their antiparticles; ``beauty``: B⁺, B⁰, B_s⁰, B_c⁺, Λ_b⁰ and
  antiparticles, from ``HardQCD:hardccbar`` / ``HardQCD:hardbbbar`` (gg → QQ̄ and qq̄ → QQ̄ at LO
  with massive matrix elements). Every generated event holds one heavy pair, so no event is wasted;
  the excited states (D*, B*, B**) decay in Pythia and feed the tabulated ground states. The
  table is per *hard event*; :func:`parent_spectra` multiplies it by the measured
  σ_QQ̄ / σ_inel (:func:`normalisation`) and, in a thick target, by the cascade enhancement.

Not in the LO pair-creation tables: flavour excitation (Qg → Qg) and gluon splitting in the
shower, which matter at the LHC; only the spectrum shape is taken from Pythia, the normalisation
from measurements. docs/heavy_flavour.md compares the shapes with a second generator setting.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, replace
from functools import lru_cache
from types import MappingProxyType
from typing import Any

import numpy as np

from beamdump.datafiles import load_toml, package_data
from beamdump.errors import BeamdumpInputError
from beamdump.sources.meson_table import MesonSpectra
from beamdump.sources.spectrum_settings import SpectrumSettings

__all__ = [
    "COLLIDER_LOG10_THETA_MAX",
    "FLAVOURS",
    "Flavour",
    "acceptance_yield",
    "flavour_of",
    "flavour_settings",
    "flavour_table_name",
    "is_parent_table",
    "normalisation",
    "normalisation_lines",
    "parent_spectra",
    "shipped_flavour_tables",
    "sigma_inel_per_nucleon_mb",
]

AVOGADRO = 6.02214076e23  # 1/mol (SI, exact)
MB_PER_CM2 = 1e27
COLLIDER_LOG10_THETA_MAX = -0.5  # θ < 0.316 rad: LHCb's 2 < η < 5 (θ < 0.266) and every forward detector
BIN_WIDTH = 0.1  # decades: coarse enough for ~1e5 events of heavy flavour


@dataclass(frozen=True)
class Flavour:
    """A kind of parent table: the Pythia processes, the tabulated species, and the measured
    cross-section that normalises it (``quark``: "c", "b", or None for the kaons, already per
    inelastic collision)."""

    name: str
    processes: tuple[str, ...]
    pdg_ids: tuple[int, ...]
    quark: str | None


FLAVOURS: Mapping[str, Flavour] = MappingProxyType({
    "pions": Flavour("pions", ("SoftQCD:inelastic",), (211, -211), None),
    "kaons": Flavour("kaons", ("SoftQCD:inelastic",), (321, -321, 130), None),
    "charm": Flavour("charm", ("HardQCD:hardccbar",), (421, -421, 411, -411, 431, -431, 4122, -4122), "c"),
    "beauty": Flavour("beauty", ("HardQCD:hardbbbar",), (521, -521, 511, -511, 531, -531, 541, -541, 5122, -5122), "b"),
})


def flavour_of(pdg: int) -> Flavour:
    """The table kind that holds species ``pdg``; other ids are a one-line input error."""
    for f in FLAVOURS.values():
        if int(pdg) in f.pdg_ids:
            return f
    known = ", ".join(f"{f.name} {list(f.pdg_ids)}" for f in FLAVOURS.values())
    raise BeamdumpInputError(f"pdg={pdg}: no parent table holds it; tabulated: {known}")


def flavour_settings(beam_energy_gev: float, flavour: str, *, collider_tune: str | None = None,
                     n_events: int = 100_000, seed: int = 1, chunk_size: int = 25_000) -> SpectrumSettings:
    """Settings of a parent table: protons of ``beam_energy_gev`` (GeV) on isoscalar nucleons, or
    with ``collider_tune`` (a tune of ``pythia_tunes.toml``) pp at √s = ``beam_energy_gev``."""
    from beamdump.sources.shipped_spectra import pythia_tune

    if flavour not in FLAVOURS:
        raise BeamdumpInputError(f"flavour={flavour!r}: allowed values are {', '.join(FLAVOURS)}")
    f = FLAVOURS[flavour]
    common = dict(n_events=n_events, seed=seed, chunk_size=chunk_size, processes=f.processes, pdg_ids=f.pdg_ids,
                  bin_width=BIN_WIDTH)
    if collider_tune is None:
        return SpectrumSettings(beam_energy_gev=float(beam_energy_gev), **common)
    return SpectrumSettings(beam_energy_gev=0.5 * float(beam_energy_gev), target="pp", frame="collider",
                            log10_theta_max=COLLIDER_LOG10_THETA_MAX, pythia_options=pythia_tune(collider_tune),
                            **common)


def _energy_label(energy_gev: float) -> str:
    """An energy (GeV) as written in a table name: "400" for a whole number, else "19p2" (one decimal)."""
    e = float(energy_gev)
    if math.isclose(e, round(e), rel_tol=0.0, abs_tol=1e-9):
        return f"{e:.0f}"
    return f"{e:.1f}".replace(".", "p")


def flavour_table_name(beam_energy_gev: float, flavour: str, collider_tune: str | None = None) -> str:
    """File name of a shipped parent table (√s for a collider); a fractional energy keeps its first
    decimal ("pythia8_p19p2gev_pions.npz" for the 19.2 GeV PS beam)."""
    if collider_tune is None:
        return f"pythia8_p{_energy_label(beam_energy_gev)}gev_{flavour}.npz"
    return f"pythia8_pp{_energy_label(beam_energy_gev)}gev_{collider_tune}_{flavour}.npz"


def shipped_flavour_tables() -> list[str]:
    """File names of the shipped parent tables."""
    names = {f"_{f}.npz" for f in FLAVOURS}
    return sorted(p.name for p in package_data("spectra").glob("pythia8_*.npz") if any(p.name.endswith(n) for n in names))


@lru_cache(maxsize=1)
def _data() -> dict[str, Any]:
    return load_toml(package_data("production", "heavy_flavour.toml"))


def _value(entry: dict[str, Any], name: str) -> float:
    """The number ``name`` of a ``heavy_flavour.toml`` entry (stored as {value, source})."""
    return float(entry[name]["value"])


def _energy_entry(energy_gev: float, collider: bool) -> dict[str, Any]:
    """The ``heavy_flavour.toml`` entry of a fixed-target beam energy or a collider √s (GeV)."""
    group = _data()["collider" if collider else "fixed_target"]
    for entry in group.values():
        if math.isclose(float(entry["energy_gev"]), energy_gev, rel_tol=1e-6):
            return dict(entry)
    what = "sqrt(s)" if collider else "beam energy"
    known = ", ".join(f"{float(e['energy_gev']):g}" for e in group.values())
    raise BeamdumpInputError(f"beam_energy_gev={energy_gev:g}: no measured heavy-flavour cross-section at that {what}; known: {known} GeV")


def sigma_inel_per_nucleon_mb(target: str) -> float:
    """σ_inel(pA)/A in mb from the nuclear interaction length λ_I (g/cm²) of ``target``:
    σ_inel/A = 1/(N_A λ_I), A in g/mol taken as the nucleon number (better than 1%)."""
    from beamdump.production.primakoff_proton import interaction_length_g_cm2
    from beamdump.sources.materials import get_material

    return MB_PER_CM2 / (AVOGADRO * interaction_length_g_cm2(get_material(target)))


def _ecm_gev(settings: SpectrumSettings) -> float:
    """√s (GeV) of a collider table (its beam_energy_gev is one beam's energy)."""
    return 2.0 * settings.beam_energy_gev


def acceptance_yield(table: MesonSpectra, acceptance: Mapping[str, float]) -> float:
    """Hadrons of all the table's species per event (+z hemisphere) whose bin centre lies in
    ``acceptance``: rapidity ``y_min`` < y < ``y_max`` (of the hadron, with its PDG mass) or
    pseudorapidity ``eta_min`` < η < ``eta_max``, and p_T < ``pt_max`` GeV if given."""
    from beamdump.pdg import mass_gev

    lt = 0.5 * (table.log10_theta_edges[1:] + table.log10_theta_edges[:-1])
    lp = 0.5 * (table.log10_p_edges[1:] + table.log10_p_edges[:-1])
    theta, p = np.meshgrid(10.0 ** lt, 10.0 ** lp, indexing="ij")
    pz, pt = p * np.cos(theta), p * np.sin(theta)
    total = 0.0
    for s, pdg in enumerate(table.pdg_ids):
        if "eta_min" in acceptance:
            x, lo, hi = -np.log(np.tan(0.5 * theta)), acceptance["eta_min"], acceptance["eta_max"]
        else:
            e = np.sqrt(p**2 + mass_gev(pdg) ** 2)
            x, lo, hi = 0.5 * np.log((e + pz) / (e - pz)), acceptance["y_min"], acceptance["y_max"]
        inside = (x > lo) & (x < hi) & (pt < acceptance.get("pt_max", math.inf))
        total += float(table.yields[s][inside].sum())
    return total


def normalisation(table: MesonSpectra, *, target: str | None = None, cascade: bool = True) -> dict[str, Any]:
    """Factor from a parent table's yields (per generated event) to parents per beam proton (per
    inelastic pp collision at a collider), with the numbers used.

    Pions and kaons: 1 (the table is per inelastic pN collision; the cascade's later collisions are not in it).
    Fixed target: χ = σ_QQ̄/σ_inel, σ_QQ̄ per nucleon (measured, ∝ A) over σ_inel per nucleon: the
    pN value (``target=None``: isoscalar nucleons, as the other tables) or σ_inel(pA)/A of the
    material ``target`` (:func:`sigma_inel_per_nucleon_mb`; smaller, so χ is larger: SHiP's
    χ_cc̄ = 1.7e-3 on Mo); times the cascade enhancement of a thick target when ``cascade``.
    Collider: the measured σ(pp → QQ̄X) inside LHCb's acceptance over σ_inel, divided by half the
    table's heavy hadrons in that acceptance per event (LHCb quotes the average of Q and Q̄):
    the table is scaled so that its hadrons in the acceptance reproduce the measurement.
    """
    st = table.settings
    f = _table_flavour(st)
    if f is None:
        raise BeamdumpInputError("table: not a parent table (pions, kaons, charm, beauty) of flavour_spectra")
    if f.quark is None:
        return {"flavour": f.name, "factor": 1.0, "chi": 1.0, "cascade": 1.0,
                "note": "SoftQCD:inelastic table: per inelastic pN collision; the cascade's later collisions not included"}
    q = f.quark
    if st.frame == "collider":
        if target is not None:
            raise BeamdumpInputError(f"target={target!r}: a collider table is pp; give no target")
        entry = _energy_entry(_ecm_gev(st), True)
        acc = {k: float(v) for k, v in entry[f"acceptance_{f.name}"].items() if k != "source"}
        sigma_acc = _value(entry, f"sigma_{q}{q}_ub_acceptance") * 1e-3
        sigma_inel = _value(entry, "sigma_inel_mb")
        per_event = 0.5 * acceptance_yield(table, acc)
        if not per_event > 0:
            raise BeamdumpInputError(f"table: no {f.name} hadrons inside the acceptance {acc}")
        chi = sigma_acc / sigma_inel / per_event
        return {"flavour": f.name, "factor": chi, "chi": chi, "cascade": 1.0, "sigma_acceptance_mb": sigma_acc,
                "acceptance": acc, "sigma_inel_mb": sigma_inel, "table_pairs_in_acceptance": per_event,
                "sigma_qq_total_mb": sigma_acc / per_event, "source": str(entry["source"])}
    entry = _energy_entry(st.beam_energy_gev, False)
    sigma_qq = _value(entry, "sigma_cc_ub") * 1e-3 if q == "c" else _value(entry, "sigma_bb_nb") * 1e-6
    sigma_inel = _value(entry, "sigma_inel_mb") if target is None else sigma_inel_per_nucleon_mb(target)
    enhancement = _value(entry, f"cascade_{f.name}") if cascade else 1.0
    chi = sigma_qq / sigma_inel
    return {"flavour": f.name, "factor": chi * enhancement, "chi": chi, "cascade": enhancement,
            "sigma_qq_mb": sigma_qq, "sigma_inel_mb": sigma_inel, "source": str(entry["source"])}


def parent_spectra(beam_energy_gev: float, pdg: int, *, collider_tune: str | None = None, target: str | None = None,
                   cascade: bool = True) -> MesonSpectra:
    """The shipped table holding species ``pdg`` (π±, kaons, D, B; :data:`FLAVOURS`), with yields per
    beam proton on a thick target (``collider_tune``: per inelastic pp collision at
    √s = ``beam_energy_gev``, +z hemisphere, θ < 0.316 rad), normalised to the measured σ_QQ̄
    (:func:`normalisation`; ``target`` a material such as "Mo", else isoscalar nucleons) and with
    the cascade enhancement when ``cascade``. The numbers used are in ``metadata["normalisation"]``.
    A missing table is a one-line input error listing the shipped ones."""
    f = flavour_of(pdg)
    e = float(beam_energy_gev)
    if not (e > 1.0 and math.isfinite(e)):
        raise BeamdumpInputError(f"beam_energy_gev={beam_energy_gev}: must be a finite energy > 1 GeV")
    name = flavour_table_name(e, f.name, collider_tune)
    path = package_data("spectra", name)
    if not path.exists():
        shipped = ", ".join(n.removesuffix(".npz") for n in shipped_flavour_tables()) or "none"
        frame = f"pp at sqrt(s) = {e:g} GeV with tune {collider_tune!r}" if collider_tune else f"{e:g} GeV protons on a fixed target"
        raise BeamdumpInputError(
            f"beam_energy_gev={e:g}: no {f.name} table for {frame} ({name}); shipped: {shipped} "
            "(make one with scripts/make_spectra_tables.py --flavour)"
        )
    table = MesonSpectra.load(path)
    norm = normalisation(table, target=target, cascade=cascade)
    per = "inelastic pp collision (+z hemisphere)" if collider_tune else "beam proton"
    meta = dict(table.metadata, normalisation=dict(norm, target=target, per=per))
    return replace(table, yields=table.yields * norm["factor"], metadata=meta)


def _table_flavour(settings: SpectrumSettings) -> Flavour | None:
    """The kind of parent table whose processes and species ``settings`` have, else None."""
    return next((f for f in FLAVOURS.values() if f.pdg_ids == settings.pdg_ids and f.processes == settings.processes), None)


def is_parent_table(settings: SpectrumSettings) -> bool:
    """Whether ``settings`` are those of a parent table of :data:`FLAVOURS` (processes and species)."""
    return _table_flavour(settings) is not None


def normalisation_lines(table: MesonSpectra) -> list[str]:
    """``beamdump spectra inspect``'s lines for a parent table: the factor from its yields per event
    to parents per beam proton (per inelastic pp collision) with the cross-sections used (isoscalar
    nucleons, cascade on), and each species' yield so normalised."""
    norm = normalisation(table)
    per = "inelastic pp collision (+z, theta < 0.316 rad)" if table.settings.frame == "collider" else "beam proton"
    parts = [f"factor {norm['factor']:.4g} per event -> per {per}"]
    if "sigma_qq_mb" in norm:
        parts.append(f"sigma_QQ = {norm['sigma_qq_mb'] * 1e3:.4g} ub/nucleon over sigma_inel = {norm['sigma_inel_mb']:.3g} mb, "
                     f"cascade x{norm['cascade']:g} (target=None; a material target uses its sigma_inel(pA)/A)")
    elif "sigma_acceptance_mb" in norm:
        parts.append(f"LHCb sigma = {norm['sigma_acceptance_mb'] * 1e3:.4g} ub in {norm['acceptance']} over sigma_inel = "
                     f"{norm['sigma_inel_mb']:.3g} mb; implied total sigma_QQ = {norm['sigma_qq_total_mb'] * 1e3:.4g} ub")
    else:
        parts.append(str(norm["note"]))
    yields = ", ".join(f"{pdg}: {table.multiplicity(pdg) * norm['factor']:.3g}" for pdg in table.pdg_ids)
    return ["; ".join(parts), f"per {per}: {yields}"]
