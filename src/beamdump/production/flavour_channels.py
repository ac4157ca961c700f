"""Building the flavour-changing K and B decay channels (:data:`FLAVOUR_CHANNELS`) for a beam and a
spin-0 model with ``production.flavour`` (:class:`beamdump.models.base.FlavourCouplings`): K and B
in flight from the parents' tables of a proton beam (or the B of the Υ(4S) at an e⁺e⁻ collider),
and K⁺ stopped in an absorber. :mod:`.channels` dispatches here; units GeV, m.
"""

from __future__ import annotations

from typing import Mapping, Sequence

from ..errors import BeamdumpInputError
from ..models.base import FlavourCouplings, Model
from ..sources.meson_table import MesonSpectra
from .decay_pipe import DESCRIPTION as PIPE_DESCRIPTION
from .decay_pipe import K_TO_PI_IN_PIPE, DecayPipe, kaons_in_pipe
from .flavour_decays import K_TO_PI_AT_REST, FlavourDecayChannel, KaonAtRestChannel, StoppedKaons, interaction_length_m
from .flavour_decays import load_definitions as flavour_definitions
from .sample import ProductionChannel

#: the channels that read the flavour-changing couplings (``ProductionCouplings.flavour``): K and B decays
FLAVOUR_CHANNELS = (*flavour_definitions(), K_TO_PI_AT_REST, K_TO_PI_IN_PIPE)


def flavour_descriptions() -> dict[str, str]:
    """Each flavour channel's name with a one-line description (its beams and source)."""
    out = {}
    for name, d in flavour_definitions().items():
        b_parent = all(abs(p) // 100 == 5 or abs(p) // 1000 == 5 for p in d.parents)
        beams = "proton beams, or the B of the Upsilon(4S) at an e+e- collider" if b_parent else "proton beams"
        out[name] = f"{d.label} in flight, decaying before it is absorbed in the dump ({beams}; {d.source})"
    out[K_TO_PI_AT_REST] = (
        "K⁺ → π⁺ X of K⁺ stopped in an absorber, isotropic and monochromatic (proton beams; the preset's "
        "[kaons_at_rest] gives the stopped K⁺ per proton and where; K⁻ at rest are captured)"
    )
    out[K_TO_PI_IN_PIPE] = PIPE_DESCRIPTION
    return out


def build_flavour_channels(
    names: Sequence[str], beam_particle: str, beam_energy_gev: float, model: Model, target: str | None,
    collider_tune: str | None, cascade: bool, stopped_kaons: StoppedKaons | None,
    parent_tables: Mapping[int, MesonSpectra] | None, channel_parents: Mapping[str, Sequence[int]] | None = None,
    decay_pipe: DecayPipe | None = None,
) -> list[ProductionChannel]:
    """The K and B decay channels ``names`` (of :data:`FLAVOUR_CHANNELS`) for a model with
    flavour-changing couplings, in the order given; the arguments are :func:`.channels.build_channels`'
    (``beam_energy_gev`` is √s at a collider; ``cascade``: the charm and beauty tables carry the thick
    dump's cascade enhancement). Whether the model couples is left to the caller."""
    fc = model.production.flavour
    if fc is None:
        raise BeamdumpInputError(
            f"model: {model.name} has no flavour-changing quark couplings; the channels {', '.join(names)} (K and B decays) do not apply"
        )
    upsilon = beam_particle == "electron-positron"  # B parents from the Υ(4S) tables only (sources/upsilon4s)
    if upsilon and not parent_tables:
        raise BeamdumpInputError(f"channel: {', '.join(names)} at an e+e- collider need the B tables of the Upsilon(4S)")
    if beam_particle != "proton" and not upsilon:
        raise BeamdumpInputError(f"channel: {', '.join(names)} need a proton beam, not {beam_particle!r}")
    both = [n for n in ("b_to_k", "b_to_kstar") if n in names]
    if "b_to_xs" in names and both:
        raise BeamdumpInputError(
            f"channel: b_to_xs (inclusive b -> s X) already holds {', '.join(both)}; choose the inclusive or the exclusive channels"
        )
    defs = flavour_definitions()
    tables = dict(parent_tables or {})

    def table(pdg: int) -> MesonSpectra:
        if pdg not in tables:
            from ..sources.flavour_spectra import parent_spectra  # the heavy-flavour tables load only when asked for

            tables[pdg] = parent_spectra(
                beam_energy_gev, pdg, collider_tune=collider_tune, target=target, cascade=cascade
            )
        return tables[pdg]

    out: list[ProductionChannel] = []
    for n in names:
        if n == K_TO_PI_AT_REST:
            if stopped_kaons is None:
                raise BeamdumpInputError(f"kaons_at_rest: {n} needs the preset's [kaons_at_rest] (per_proton, z; x, y)")
            out.append(KaonAtRestChannel(stopped_kaons, fc))
            continue
        if n == K_TO_PI_IN_PIPE:
            out.append(_kaons_in_pipe(decay_pipe, fc, beam_particle, beam_energy_gev, target, collider_tune, parent_tables))
            continue
        d = defs[n]
        is_kaon = all(abs(p) in (321, 130) for p in d.parents)
        if is_kaon and (collider_tune is not None or not target):
            raise BeamdumpInputError(
                f"channel: {n} follows kaons until they are absorbed in a dump (beam.target); a collider has none"
            )
        length = interaction_length_m(target) if target else float("inf")
        parents = [p for p in d.parents if p in tables] if upsilon else list(d.parents)  # the Υ(4S) makes B± and B⁰ only
        wanted = (channel_parents or {}).get(n)
        if wanted is not None:
            wrong = [p for p in wanted if p not in d.parents]
            if wrong or not wanted:
                raise BeamdumpInputError(f"parents.{n} = {list(wanted)}: allowed a non-empty subset of {list(d.parents)}")
            parents = [p for p in parents if p in wanted]
        out.append(FlavourDecayChannel(d, {p: table(p) for p in parents}, fc, interaction_length=length))
    return out


def _kaons_in_pipe(pipe: DecayPipe | None, fc: FlavourCouplings, beam_particle: str, beam_energy_gev: float,
                   target: str | None, collider_tune: str | None, given: Mapping[int, MesonSpectra] | None) -> ProductionChannel:
    """``k_to_pi_in_pipe`` with the first-collision kaon tables of a proton fixed target (no cascade),
    or the ``given`` tables (parent PDG id → table)."""
    if pipe is None:
        raise BeamdumpInputError(f"decay_pipe: {K_TO_PI_IN_PIPE} needs the preset's [decay_pipe] (z_start, z_end, radius)")
    if collider_tune is not None or beam_particle != "proton":
        raise BeamdumpInputError(f"channel: {K_TO_PI_IN_PIPE} follows kaons from a proton fixed target into a decay pipe; a collider has none")
    from ..sources.flavour_spectra import parent_spectra  # the kaon tables load only when asked for

    def table(pdg: int) -> MesonSpectra:
        return given[pdg] if given and pdg in given else parent_spectra(beam_energy_gev, pdg, target=target, cascade=False)

    return kaons_in_pipe(pipe, fc, table)
