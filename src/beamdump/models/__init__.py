"""New-particle models: one module per kind of particle (widths, branching fractions, cτ)."""

from __future__ import annotations

from types import MappingProxyType

from ..errors import BeamdumpInputError
from .dark_photon import DarkPhoton

MODELS = MappingProxyType({DarkPhoton.name: DarkPhoton})


def get_model(name: str):
    """An instance of the model called ``name``; unknown names list the known ones."""
    try:
        return MODELS[name]()
    except KeyError:
        raise BeamdumpInputError(f"model: {name!r} is not known; known models: {', '.join(MODELS)}") from None
