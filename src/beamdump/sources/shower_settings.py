"""The settings of an electromagnetic shower table: everything that determines one, its binning
and its cache key.

:class:`ShowerSettings` fixes the target material, the beam energy, the tracking cut, the
thickness, the statistics, the seed and the binning; its :meth:`~ShowerSettings.key` (sha256 of
all of it, the material's critical energy and ``FORMAT_VERSION``) names a cached or shipped table
and is checked whenever one is loaded (:mod:`.shower_table`). Units: energies in GeV, depths in
radiation lengths X0.
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from beamdump.datafiles import bin_edges
from beamdump.errors import BeamdumpInputError
from beamdump.sources.materials import get_material

__all__ = ["FORMAT_VERSION", "MIN_E_MIN", "ShowerSettings"]

# the table format, part of every key; 2: the first depth bin is split geometrically (thin-target limit)
# 3: the positron track and the e± / e⁺ angle histograms
# 4: the photon angle histogram
FORMAT_VERSION = 4
_FRONT_SPLITS = 10  # the first depth bin is split at depth_bin / 2^k, k = 1..10
MIN_E_MIN = 1e-3  # GeV; below ~1 MeV the model (no Compton, constant dE/dx) is meaningless


@dataclass(frozen=True)
class ShowerSettings:
    """Everything that determines a shower table (all of it enters :meth:`key`).

    material: name in ``materials.toml`` (or alias). beam_energy: E0 of the beam electron, GeV.
    e_min: lowest tabulated e± energy and the photon/electron tracking cut, GeV (≥ 1 MeV).
    thickness: target thickness in X0. n_showers: primaries simulated. seed: RNG seed.
    bins_per_decade: log10 E bins per decade. depth_bin: depth bin width in X0.
    """

    material: str = "tungsten"
    beam_energy: float = 100.0
    e_min: float = 0.01
    thickness: float = 40.0
    n_showers: int = 1000
    seed: int = 1
    bins_per_decade: int = 20
    depth_bin: float = 0.25

    def __post_init__(self) -> None:
        set_ = object.__setattr__
        set_(self, "material", get_material(self.material).name)
        for name in ("beam_energy", "e_min", "thickness", "depth_bin"):
            v = float(getattr(self, name))
            if not math.isfinite(v):
                raise BeamdumpInputError(f"{name}={v}: must be finite")
            set_(self, name, v)
        for name in ("n_showers", "seed", "bins_per_decade"):
            set_(self, name, int(getattr(self, name)))
        if not self.e_min >= MIN_E_MIN:
            raise BeamdumpInputError(f"e_min={self.e_min}: must be ≥ {MIN_E_MIN} GeV (1 MeV)")
        if not self.beam_energy > self.e_min:
            raise BeamdumpInputError(f"beam_energy={self.beam_energy}: must exceed e_min={self.e_min} GeV")
        if self.beam_energy > 1e5:
            raise BeamdumpInputError(f"beam_energy={self.beam_energy}: must be ≤ 1e5 GeV (LPM effect not modelled)")
        if not 0.0 < self.thickness <= 1000.0:
            raise BeamdumpInputError(f"thickness={self.thickness}: must lie in (0, 1000] radiation lengths")
        if not self.depth_bin > 0.0 or self.thickness / self.depth_bin > 20000:
            raise BeamdumpInputError(f"depth_bin={self.depth_bin}: must be ≥ thickness/20000 > 0 X0 (one bin if > thickness)")
        if self.n_showers < 1:
            raise BeamdumpInputError(f"n_showers={self.n_showers}: must be ≥ 1")
        if not 1 <= self.bins_per_decade <= 1000:
            raise BeamdumpInputError(f"bins_per_decade={self.bins_per_decade}: must lie in [1, 1000]")
        if not 0 <= self.seed < 2**63:
            raise BeamdumpInputError(f"seed={self.seed}: must be a non-negative integer < 2^63")

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict of all fields."""
        return asdict(self)

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> ShowerSettings:
        """Inverse of :meth:`to_dict`."""
        return cls(**d)

    def key(self) -> str:
        """sha256 of the canonical JSON of the settings, the material's E_c and the format version."""
        blob = json.dumps(
            {"format": FORMAT_VERSION, "critical_energy_mev": get_material(self.material).critical_energy_mev,
             **self.to_dict()},
            sort_keys=True, separators=(",", ":"),
        )
        return hashlib.sha256(blob.encode()).hexdigest()

    def log10_e_edges(self) -> NDArray[np.float64]:
        """Edges in log10(E/GeV) from log10(e_min) to log10(beam_energy)."""
        return bin_edges(math.log10(self.e_min), math.log10(self.beam_energy), 1.0 / self.bins_per_decade)

    def t_edges(self) -> NDArray[np.float64]:
        """Depth edges in X0 from 0 to thickness: every depth_bin, the first bin split at
        depth_bin/2, /4, … /1024, so that a dump cut at any thin depth keeps the track of that
        depth (thin-target limit) instead of a share of the first bin's developed shower."""
        edges = bin_edges(0.0, self.thickness, self.depth_bin)
        front = edges[1] * 2.0 ** -np.arange(_FRONT_SPLITS, 0, -1)
        return np.concatenate([[0.0], front, edges[1:]])
