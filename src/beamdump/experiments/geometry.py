"""Geometry of an experiment, gathered from its one-concept modules (pure geometry).

* :mod:`.volumes` — decay volumes (cylinder, annulus, box, frustum) and their path intervals;
* :mod:`.rays` — the ray primitives and :func:`points_along`;
* :mod:`.apertures` — detector planes with an active area;
* :mod:`.tracks` — the thin dipole and daughter tracks to the planes;
* :mod:`.acceptance` — the daughter acceptance (planes, dipole, energy cuts).

Conventions: lengths in metres, momenta/energies in GeV. Right-handed coordinates with z along
the beam and the origin at the production target (front face of the dump). Points and directions
are arrays (..., 3); four-momenta are (..., 4) ordered (E, px, py, pz) as in
:mod:`beamdump.kinematics`. Everything is vectorised over the leading axes.
"""

from __future__ import annotations

from .acceptance import DaughterAcceptance
from .apertures import AnnulusAperture, Aperture, BoxAperture, OctagonAperture
from .rays import points_along
from .tracks import Dipole, track_position_at, track_positions_at
from .volumes import Annulus, Box, Cylinder, DecayVolume, Frustum

__all__ = [
    "Annulus",
    "AnnulusAperture",
    "Aperture",
    "Box",
    "BoxAperture",
    "Cylinder",
    "DaughterAcceptance",
    "DecayVolume",
    "Dipole",
    "Frustum",
    "OctagonAperture",
    "points_along",
    "track_position_at",
    "track_positions_at",
]
