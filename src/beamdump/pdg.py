"""Particle masses and widths from the PDG tables of the `particle` package, in GeV."""

from __future__ import annotations

from functools import lru_cache

from particle import Particle

PHOTON = 22
NEUTRINOS = (12, 14, 16)


@lru_cache(maxsize=None)
def mass_gev(pdg: int) -> float:
    """PDG mass of particle ``pdg`` in GeV (0 for the photon and the neutrinos, which the PDG
    tables list without a mass)."""
    if pdg == PHOTON:
        return 0.0
    mass = Particle.from_pdgid(pdg).mass
    return 0.0 if mass is None and abs(pdg) in NEUTRINOS else float(mass) / 1000.0


@lru_cache(maxsize=None)
def charge(pdg: int) -> float:
    """Electric charge of particle ``pdg`` in units of e."""
    return float(Particle.from_pdgid(pdg).charge)


@lru_cache(maxsize=None)
def width_gev(pdg: int) -> float:
    """PDG total width of particle ``pdg`` in GeV."""
    return float(Particle.from_pdgid(pdg).width) / 1000.0


PROTON_MASS: float = mass_gev(2212)
ELECTRON_MASS: float = mass_gev(11)
