"""Which production channels exist, and building them for an experiment's beam."""

from __future__ import annotations

from typing import Sequence

from ..errors import BeamdumpInputError
from ..sources.meson_spectra import MesonSpectra, default_spectra
from .meson_decays import MesonDecayChannel, load_definitions
from .sample import ProductionChannel


def channel_descriptions() -> dict[str, str]:
    """Every channel name with a one-line description."""
    return {name: f"{d.label} (proton beams; {d.source})" for name, d in load_definitions().items()}


def build_channels(
    names: Sequence[str],
    beam_particle: str,
    beam_energy_gev: float,
    model,
    spectra: MesonSpectra | None = None,
) -> list[ProductionChannel]:
    """Production channels ``names`` for a beam, for a model that couples like the photon.

    The meson spectrum is the package's default table at the beam energy unless given.
    """
    defs = load_definitions()
    unknown = [n for n in names if n not in defs]
    if unknown:
        raise BeamdumpInputError(f"channel: {', '.join(map(repr, unknown))} not known; known channels: {', '.join(defs)}")
    if beam_particle != "proton":
        raise BeamdumpInputError(f"channel: meson-decay channels need a proton beam, not {beam_particle!r}")
    ratio = getattr(model, "photon_coupling_ratio", None)
    if ratio is None:
        raise BeamdumpInputError(f"model: {model.name} does not couple like the photon; meson channels {', '.join(names)} do not apply")
    spectra = spectra if spectra is not None else default_spectra(beam_energy_gev)
    return [MesonDecayChannel(defs[n], spectra, coupling_ratio=float(ratio)) for n in names]
