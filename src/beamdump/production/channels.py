"""Which production channels exist, and building them for an experiment's beam."""

from __future__ import annotations

import warnings
from typing import Callable, Mapping, Sequence

from ..errors import BeamdumpInputError
from ..models.base import Model
from ..sources.meson_table import MesonSpectra
from ..sources.shipped_spectra import collider_spectra, default_spectra, nuclear_spectra
from .decay_pipe import DecayPipe
from .electron_brems import ElectronBremsChannel
from .flavour_channels import FLAVOUR_CHANNELS, build_flavour_channels, flavour_descriptions
from .flavour_decays import StoppedKaons
from .hnl_channels import HNL_CHANNELS, build_hnl_channels, hnl_descriptions
from .meson_decays import MesonDecayChannel, load_definitions
from .positron_annihilation import PositronAnnihilationChannel
from .primakoff_photons import Converter, PrimakoffPhotonChannel
from .primakoff_proton import PrimakoffProtonChannel
from .primakoff_shower import PrimakoffShowerChannel
from .proton_brems import BremsSettings, ProtonBremsChannel, default_brems_settings
from .sample import ProductionChannel
from .vector_mixing import VectorMixingChannel

PROTON_BREMS = "proton_brems"
VECTOR_MIXING = "vector_mixing"
ELECTRON_BREMS = "electron_brems"
POSITRON_ANNIHILATION = "positron_annihilation"
PRIMAKOFF_SHOWER = "primakoff_shower"
PRIMAKOFF_MESON_PHOTONS = "primakoff_meson_photons"
PRIMAKOFF_PROTON = "primakoff_proton"
#: the vector channels of an electron beam (its shower), built in this order
ELECTRON_BEAM_CHANNELS = {ELECTRON_BREMS: ElectronBremsChannel, POSITRON_ANNIHILATION: PositronAnnihilationChannel}
#: the channels that read the two-photon coupling (``ProductionCouplings.photon``), with their beam
PHOTON_CHANNELS = {PRIMAKOFF_SHOWER: "electron", PRIMAKOFF_MESON_PHOTONS: "proton", PRIMAKOFF_PROTON: "proton"}


def applicable(names: Sequence[str], model: Model) -> list[str]:
    """The channels of ``names`` that the kind of coupling the model has can feed (a preset lists
    the channels of every model it is used for; a dark photon takes the vector ones, an ALP the
    Primakoff ones, a scalar the K and B decays); the order is kept."""
    photon = model.production.photon is not None
    vector = model.production.vector is not None
    flavour = model.production.flavour is not None
    mixing = model.production.mixing is not None  # a heavy neutral lepton: the hnl_* channels only
    if mixing:
        return [n for n in names if n in HNL_CHANNELS]
    return [n for n in names if n not in HNL_CHANNELS and (flavour if n in FLAVOUR_CHANNELS else photon if n in PHOTON_CHANNELS else vector)]


def channel_descriptions() -> dict[str, str]:
    """Every channel name with a one-line description."""
    out = {name: f"{d.label} (proton beams; {d.source})" for name, d in load_definitions().items()}
    out[PROTON_BREMS] = (
        "p → p A′ bremsstrahlung, Fermi–Weizsäcker–Williams with timelike form factor (proton beams; arXiv:1311.3870)"
    )
    out[VECTOR_MIXING] = "A′ inherits ρ⁰/ω/φ kinematics with Breit–Wigner mixing (proton beams; alternative to bremsstrahlung)"
    out[ELECTRON_BREMS] = (
        "e → e A′ bremsstrahlung of the shower e± in a thick target, improved Weizsäcker–Williams "
        "(electron beams; arXiv:0906.0580, Tsai RMP 46 (1974) 815)"
    )
    out[PRIMAKOFF_SHOWER] = (
        "γN → aN Primakoff conversion of the shower photons on the dump nuclei, Tsai's form factors "
        "(electron beams; Tsai PRD 34 (1986) 1326, arXiv:1709.00009)"
    )
    out[PRIMAKOFF_MESON_PHOTONS] = (
        "γN → aN Primakoff conversion of the photons of π⁰/η/η′/ω decays in the dump or, at a collider, in "
        "the neutral absorber (proton beams; arXiv:1904.02091, arXiv:1806.02348)"
    )
    out[PRIMAKOFF_PROTON] = (
        "pN → pNa: the beam proton's equivalent photons (Budnev flux, dipole form factors) converting on the "
        "dump nuclei over one interaction length (proton beams on a fixed target; arXiv:1512.03069)"
    )
    out[POSITRON_ANNIHILATION] = (
        "e⁺e⁻ → A′ resonant annihilation of the shower positrons on the atomic electrons, at E₊ = m²/2m_e "
        "(electron beams; arXiv:1802.04756, arXiv:1802.03794)"
    )
    out.update(flavour_descriptions())
    out.update(hnl_descriptions())
    return out


def build_channels(
    names: Sequence[str],
    beam_particle: str,
    beam_energy_gev: float,
    model: Model,
    spectra: MesonSpectra | None = None,
    brems: BremsSettings | None = None,
    target: str | None = None,
    target_length: float | None = None,
    collider_tune: str | None = None,
    meson_production: str = "nucleon",
    converter: Converter | None = None,
    min_energy: float = 0.0,
    stopped_kaons: StoppedKaons | None = None,
    parent_tables: Mapping[int, MesonSpectra] | None = None,
    channel_parents: Mapping[str, Sequence[int]] | None = None,
    decay_pipe: DecayPipe | None = None,
    heavy_flavour_cascade: bool | None = None,
) -> list[ProductionChannel]:
    """Production channels ``names`` for a beam and a model.

    Every channel here makes a vector boson: it reads the model's vector charges
    (``model.production.vector``) and scales the dark photon's rate by them; a model without a
    vector current cannot use these channels.

    The meson spectrum is the package's default table at the beam energy unless given; the
    bremsstrahlung settings are the published defaults unless given. ``target`` is the dump
    material of an electron beam (a name known to ``materials.get_material``, i.e. the preset's
    ``beam.target``); electron beams need it. ``target_length`` (m) ends the electron shower
    there (an active dump's length); ``None`` lets it run its full course. ``collider_tune``
    marks a pp collider: ``beam_energy_gev`` is then √s and the meson spectra are the shipped
    forward table of that tune. ``meson_production`` (a proton fixed target): ``"nucleon"`` takes
    the isoscalar nucleon table, ``"nucleus"`` the Angantyr p+A table of the ``target`` nucleus,
    ``"cascade"`` that plus the later collisions of the hadronic cascade in the dump.
    ``converter``: where meson-decay photons convert into ALPs (default: the dump, ``target`` at
    the source). ``min_energy`` (GeV): the smallest energy of a new particle the analysis can see
    (its daughters' energy-sum cut); Primakoff channels skip photons below it.

    The channels of a particle coupled to photons (Primakoff) read ``model.production.photon``;
    the K and B decays (:data:`FLAVOUR_CHANNELS`) read ``model.production.flavour``, with the
    parents' spectra of :func:`beamdump.sources.flavour_spectra.parent_spectra` (or
    ``parent_tables``, parent PDG id → table) and, for ``k_to_pi_at_rest``, ``stopped_kaons``;
    ``channel_parents`` (channel → parent PDG ids) keeps only those parents of a channel (the
    species an analysis reconstructs, e.g. B⁺ → K⁺X alone of ``b_to_k``); ``k_to_pi_in_pipe``
    needs ``decay_pipe`` (kaons leaving a thin target and decaying in a neutrino beam's decay pipe).
    The heavy neutral lepton's channels (:data:`~.hnl_channels.HNL_CHANNELS`) read
    ``model.production.mixing`` and take the same parent tables (π, K, D, B; τ from D_s), the
    ``hnl_*_in_pipe`` ones ``decay_pipe``. ``heavy_flavour_cascade`` (None: as ``meson_production``)
    sets whether the charm and beauty parent tables carry the thick dump's cascade enhancement.
    """
    defs = load_definitions()
    known = channel_descriptions()
    unknown = [n for n in names if n not in known]
    if unknown:
        raise BeamdumpInputError(f"channel: {', '.join(map(repr, unknown))} not known; known channels: {', '.join(known)}")
    # the charm and beauty parents: with the thick dump's cascade enhancement where the preset says
    # so (beam.heavy_flavour_cascade), else as the meson tables (meson_production = "cascade")
    cascade = meson_production == "cascade" if heavy_flavour_cascade is None else heavy_flavour_cascade
    hnl_names = [n for n in names if n in HNL_CHANNELS]
    if hnl_names:
        made = coupled(build_hnl_channels(
            hnl_names, beam_particle, beam_energy_gev, model, target, collider_tune, cascade,
            parent_tables, channel_parents, decay_pipe,
        ), model)
        rest = [n for n in names if n not in HNL_CHANNELS]
        if rest:
            made += build_channels(
                rest, beam_particle, beam_energy_gev, model, spectra, brems, target, target_length, collider_tune,
                meson_production, converter, min_energy, stopped_kaons, parent_tables, channel_parents, decay_pipe,
                heavy_flavour_cascade,
            )
        return made
    flavour_names = [n for n in names if n in FLAVOUR_CHANNELS]
    if flavour_names:
        made = coupled(build_flavour_channels(
            flavour_names, beam_particle, beam_energy_gev, model, target, collider_tune, cascade,
            stopped_kaons, parent_tables, channel_parents, decay_pipe,
        ), model)
        rest = [n for n in names if n not in FLAVOUR_CHANNELS]
        if rest:
            made += build_channels(
                rest, beam_particle, beam_energy_gev, model, spectra, brems, target, target_length, collider_tune,
                meson_production, converter, min_energy,
            )
        return made
    photon_names = [n for n in names if n in PHOTON_CHANNELS]
    if photon_names:
        if len(photon_names) != len(names):
            raise BeamdumpInputError(
                f"channel: {', '.join(photon_names)} make a particle coupled to photons and "
                f"{', '.join(n for n in names if n not in PHOTON_CHANNELS)} a vector; one model cannot use both"
            )
        return _photon_channels(
            photon_names, beam_particle, beam_energy_gev, model, target, target_length,
            lambda: spectra if spectra is not None else _spectra(beam_energy_gev, collider_tune, meson_production, target),
            converter,
            min_energy,
        )
    if beam_particle == "electron":
        wrong = [n for n in names if n not in ELECTRON_BEAM_CHANNELS]
        if wrong:
            raise BeamdumpInputError(
                f"channel: {', '.join(wrong)} need a proton beam, not 'electron'; allowed: {', '.join(ELECTRON_BEAM_CHANNELS)}"
            )
    charges = model.production.vector
    if charges is None:
        raise BeamdumpInputError(
            f"model: {model.name} has no vector current; the channels {', '.join(names)} make vector bosons and do not apply"
        )
    if beam_particle == "electron":
        if target is None:
            raise BeamdumpInputError("beam.target: an electron beam needs the dump material (see materials.toml)")
        made = [
            ELECTRON_BEAM_CHANNELS[n](beam_energy_gev, target, charges=charges, max_depth=target_length) for n in names
        ]
        return coupled(made, model)
    shower = [n for n in names if n in ELECTRON_BEAM_CHANNELS]
    if shower:
        raise BeamdumpInputError(f"channel: {', '.join(shower)} needs an electron beam, not {beam_particle!r}")
    if beam_particle != "proton":
        raise BeamdumpInputError(f"channel: {', '.join(names)} need a proton beam, not {beam_particle!r}")
    if PROTON_BREMS in names and VECTOR_MIXING in names:
        raise BeamdumpInputError(
            f"channel: {PROTON_BREMS} and {VECTOR_MIXING} describe the same production (the bremsstrahlung form "
            "factor already holds the rho/omega/phi); choose one"
        )
    needs_spectra = any(n in defs or n == VECTOR_MIXING for n in names)
    if needs_spectra and spectra is None:
        spectra = _spectra(beam_energy_gev, collider_tune, meson_production, target)
    out: list[ProductionChannel] = []
    for n in names:  # built in order, then the channels the model does not couple to are dropped
        if n == PROTON_BREMS:
            collider = collider_tune is not None
            e_beam = 0.5 * beam_energy_gev if collider else beam_energy_gev  # √s → energy per beam
            out.append(ProtonBremsChannel(e_beam, brems or default_brems_settings(), charges=charges, collider=collider))
        elif n == VECTOR_MIXING:
            out.append(VectorMixingChannel(spectra, charges=charges))
        else:
            out.append(MesonDecayChannel(defs[n], spectra, charges=charges))
    return coupled(out, model)


def _spectra(beam_energy_gev: float, collider_tune: str | None, meson_production: str, target: str | None) -> MesonSpectra:
    """The meson table of a proton beam: the collider's forward table, the nucleus' or the nucleon one."""
    if collider_tune is not None:
        return collider_spectra(beam_energy_gev, collider_tune)
    if meson_production != "nucleon":
        return nuclear_spectra(beam_energy_gev, str(target), cascade=meson_production == "cascade")
    return default_spectra(beam_energy_gev)


def _photon_channels(
    names: Sequence[str], beam_particle: str, beam_energy_gev: float, model: Model, target: str | None,
    target_length: float | None, spectra: Callable[[], MesonSpectra], converter: Converter | None,
    min_energy: float,
) -> list[ProductionChannel]:
    """The Primakoff channels ``names`` for a model with a two-photon coupling."""
    g = model.production.photon
    if g is None:
        raise BeamdumpInputError(
            f"model: {model.name} has no coupling to two photons; the channels {', '.join(names)} "
            "(Primakoff conversion) do not apply"
        )
    wrong = [n for n in names if PHOTON_CHANNELS[n] != beam_particle]
    if wrong:
        beam = PHOTON_CHANNELS[wrong[0]]
        article = "an" if beam == "electron" else "a"
        raise BeamdumpInputError(f"channel: {', '.join(wrong)} needs {article} {beam} beam, not {beam_particle!r}")
    out: list[ProductionChannel] = []
    for n in names:
        if n == PRIMAKOFF_SHOWER:
            if target is None:
                raise BeamdumpInputError("beam.target: an electron beam needs the dump material (see materials.toml)")
            out.append(PrimakoffShowerChannel(
                beam_energy_gev, target, max_depth=target_length, photon_coupling=g, min_photon_energy=min_energy
            ))
        elif n == PRIMAKOFF_MESON_PHOTONS:
            if converter is None:
                if not target:
                    raise BeamdumpInputError("primakoff: a collider needs a [primakoff] converter (material, z, radius)")
                converter = Converter(target)
            out.append(PrimakoffPhotonChannel(spectra(), converter, photon_coupling=g, min_photon_energy=min_energy))
        elif n == PRIMAKOFF_PROTON:
            if not target or (converter is not None and converter.z_front > 0.0):
                raise BeamdumpInputError("channel: primakoff_proton needs a proton beam on a fixed-target dump (beam.target)")
            out.append(PrimakoffProtonChannel(beam_energy_gev, target, photon_coupling=g, min_photon_energy=min_energy))
    return coupled(out, model)


def coupled(channels: Sequence[ProductionChannel], model: Model) -> list[ProductionChannel]:
    """The channels the model couples to; the others are dropped with a warning, and none left is
    an input error naming the model and the channels."""
    keep = [c for c in channels if c.couples()]
    dropped = [c.name for c in channels if not c.couples()]
    if channels and not keep:
        raise BeamdumpInputError(
            f"model: {model.name} cannot be made by the channels {', '.join(dropped)} (it does not couple to what they "
            "need: e.g. the electron for electron_brems, x_u != x_d for omega); choose other channels or another model"
        )
    if dropped:
        warnings.warn(f"channel: {model.name} does not couple to {', '.join(dropped)}; dropped")
    return keep
