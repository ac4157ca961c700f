"""Particle masses and widths from the PDG tables of the `particle` package, in GeV."""

from __future__ import annotations

from functools import lru_cache

from particle import Particle

PHOTON = 22


@lru_cache(maxsize=None)
def mass_gev(pdg: int) -> float:
    """PDG mass of particle ``pdg`` in GeV (0 for the photon)."""
    return 0.0 if pdg == PHOTON else float(Particle.from_pdgid(pdg).mass) / 1000.0


@lru_cache(maxsize=None)
def width_gev(pdg: int) -> float:
    """PDG total width of particle ``pdg`` in GeV."""
    return float(Particle.from_pdgid(pdg).width) / 1000.0


PROTON_MASS: float = mass_gev(2212)
ELECTRON_MASS: float = mass_gev(11)
