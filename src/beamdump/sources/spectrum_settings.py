"""Settings of a meson spectrum table: everything that determines one, and its cache key.

Units: energies and momenta in GeV, angles in rad; the bins are in log10(θ/rad) × log10(p/GeV)
(θ is the polar angle to the beam axis in the target rest frame, or to the +z beam at a collider).

:class:`SpectrumSettings` fixes the beam energy, the target model (``TARGETS``: isoscalar
nucleons, pp or pn; or a nucleus of :mod:`.nuclear_targets` for Angantyr p+A), the frame
(``FRAMES``: fixed target or pp collider), the Pythia processes and options, the statistics, the
seed and the binning. Its :meth:`~SpectrumSettings.key` (sha256 of all of it and
``FORMAT_VERSION``) names a cached table (:mod:`.meson_generator`) and is checked whenever a table
is loaded (:mod:`.meson_table`). The physics model behind the settings is described in
:mod:`.meson_generator`.
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from importlib.metadata import PackageNotFoundError, version
from types import MappingProxyType
from typing import Any

import numpy as np
from numpy.typing import NDArray

from beamdump.datafiles import bin_edges
from beamdump.errors import BeamdumpInputError
from beamdump.sources.nuclear_targets import get_nucleus, known_nuclei

__all__ = [
    "DEFAULT_PDG_IDS",
    "FORMAT_VERSION",
    "FRAMES",
    "SpectrumSettings",
    "TARGETS",
    "installed_pythia_version",
]

DEFAULT_PDG_IDS: tuple[int, ...] = (111, 221, 331, 223, 113, 333)
TARGETS: Mapping[str, tuple[tuple[int, float], ...]] = MappingProxyType({
    "isoscalar": ((2212, 0.5), (2112, 0.5)),  # (target nucleon PDG id, weight)
    "pp": ((2212, 1.0),),
    "pn": ((2112, 1.0),),
})
FRAMES = ("fixed-target", "collider")
FORMAT_VERSION = 1


def installed_pythia_version() -> str:
    """Version of the installed ``pythia8mc`` (the default of :attr:`SpectrumSettings.pythia_version`)."""
    try:
        return version("pythia8mc")
    except PackageNotFoundError:  # pragma: no cover - pythia8mc is a hard dependency
        return "unknown"


@dataclass(frozen=True)
class SpectrumSettings:
    """Everything that determines a spectrum table (all of it enters :meth:`key`).

    beam_energy_gev: proton beam energy in the lab (target at rest), GeV.
    n_events: inelastic collisions generated in total (split between pp and pn for "isoscalar").
    seed: master seed; chunk seeds are derived from it, the target and the chunk index.
    chunk_size: events per parallel chunk (changes the random streams, hence the result).
    target: "isoscalar" (½ pp + ½ pn), "pp", "pn", or a nucleus of ``nuclei.toml`` ("Cu", …: Angantyr p+A).
    processes: Pythia process switches turned on.
    pdg_ids: meson species tabulated (made stable in the generator).
    count_feed_down: also count the species produced in decays of each other (see :mod:`.meson_generator`).
    pythia_options: extra Pythia ``readString`` lines, e.g. a tune.
    log10_theta_min, log10_p_min, bin_width: binning in log10(θ/rad) up to log10(π) (or
    log10_theta_max) and log10(p/GeV) up to log10(beam energy).
    frame: "fixed-target" (default) or "collider" (pp at √s = 2 × beam_energy_gev, +z hemisphere).
    cascade_min_ekin: with a nucleus target, a table of the hadronic cascade's *later* collisions
    (:mod:`.hadron_cascade`): π±, K±, K_L, p, n above this kinetic energy (GeV) collide again,
    and the mesons of the second and later collisions are tabulated (the first collision is the
    Angantyr table's; :func:`.shipped_spectra.nuclear_spectra` adds the two). ``None`` (default): no cascade.
    Mesons much softer than the cut are undercounted.
    """

    beam_energy_gev: float = 400.0
    n_events: int = 100_000
    seed: int = 1
    chunk_size: int = 100_000
    target: str = "isoscalar"
    pythia_version: str = field(default_factory=installed_pythia_version)
    processes: tuple[str, ...] = ("SoftQCD:inelastic",)
    pdg_ids: tuple[int, ...] = DEFAULT_PDG_IDS
    count_feed_down: bool = False
    pythia_options: tuple[str, ...] = ()
    log10_theta_min: float = -6.0
    log10_p_min: float = -2.0
    bin_width: float = 0.05
    frame: str = "fixed-target"
    log10_theta_max: float | None = None
    cascade_min_ekin: float | None = None

    def __post_init__(self) -> None:
        set_ = object.__setattr__
        for name in ("beam_energy_gev", "log10_theta_min", "log10_p_min", "bin_width"):
            set_(self, name, float(getattr(self, name)))
        for name in ("n_events", "seed", "chunk_size"):
            set_(self, name, int(getattr(self, name)))
        set_(self, "processes", tuple(str(p) for p in self.processes))
        set_(self, "pdg_ids", tuple(int(p) for p in self.pdg_ids))
        set_(self, "pythia_options", tuple(str(p) for p in self.pythia_options))
        set_(self, "count_feed_down", bool(self.count_feed_down))
        if not (self.beam_energy_gev > 1.0 and math.isfinite(self.beam_energy_gev)):
            raise BeamdumpInputError(f"beam_energy_gev={self.beam_energy_gev}: must be a finite energy > 1 GeV")
        if self.frame not in FRAMES:
            raise BeamdumpInputError(f"frame={self.frame!r}: allowed values are {', '.join(FRAMES)}")
        if self.frame == "collider" and self.target != "pp":
            raise BeamdumpInputError(f"target={self.target!r}: a collider table is pp (target = 'pp')")
        if self.log10_theta_max is not None:
            set_(self, "log10_theta_max", float(self.log10_theta_max))
            if not self.log10_theta_min < self.log10_theta_max <= math.log10(math.pi):
                raise BeamdumpInputError(
                    f"log10_theta_max={self.log10_theta_max}: must lie in (log10_theta_min, log10(π)]"
                )
        if self.cascade_min_ekin is not None:
            set_(self, "cascade_min_ekin", float(self.cascade_min_ekin))
            if self.target in TARGETS:  # (a collider table's target is "pp")
                raise BeamdumpInputError(
                    f"cascade_min_ekin: the hadronic cascade needs a nucleus target on a fixed target (target={self.target!r})"
                )
            if not 0.5 <= self.cascade_min_ekin < self.beam_energy_gev:
                raise BeamdumpInputError(
                    f"cascade_min_ekin={self.cascade_min_ekin}: allowed 0.5 GeV ≤ cut < the beam energy"
                )
        if self.target not in TARGETS and self.target not in known_nuclei():
            allowed = ", ".join((*TARGETS, *known_nuclei()))
            raise BeamdumpInputError(f"target={self.target!r}: allowed values are {allowed} (a nucleus: Angantyr p+A)")
        if self.n_events < len(self.components()):
            raise BeamdumpInputError(f"n_events={self.n_events}: need at least {len(self.components())}")
        if self.chunk_size < 1:
            raise BeamdumpInputError(f"chunk_size={self.chunk_size}: must be ≥ 1")
        if not 0 <= self.seed < 2**63:
            raise BeamdumpInputError(f"seed={self.seed}: must be a non-negative integer < 2^63")
        if not self.pdg_ids or len(set(self.pdg_ids)) != len(self.pdg_ids):
            raise BeamdumpInputError(f"pdg_ids={self.pdg_ids}: must be non-empty and distinct")
        if not 0.0 < self.bin_width <= 0.5:
            raise BeamdumpInputError(f"bin_width={self.bin_width}: must be in (0, 0.5] (decades)")
        if not self.log10_theta_min < math.log10(math.pi) or not self.log10_p_min < math.log10(self.beam_energy_gev):
            raise BeamdumpInputError("log10_theta_min / log10_p_min: must lie below log10(π) / log10(beam energy)")
        if any("=" not in o for o in self.pythia_options):
            raise BeamdumpInputError(f"pythia_options={self.pythia_options}: each must read 'Key = value'")

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict of all fields; the collider fields are left out at their fixed-target
        defaults, so the keys of fixed-target tables made before they existed stay valid."""
        d = asdict(self)
        if d["frame"] == "fixed-target":
            del d["frame"]
        for optional in ("log10_theta_max", "cascade_min_ekin"):
            if d[optional] is None:
                del d[optional]
        return {k: list(v) if isinstance(v, tuple) else v for k, v in d.items()}

    @property
    def hemispheres(self) -> int:
        """How many generated hemispheres each table entry stands for (2 at a collider: folded)."""
        return 2 if self.frame == "collider" else 1

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> SpectrumSettings:
        """Inverse of :meth:`to_dict` (unknown keys raise TypeError)."""
        return cls(**d)

    def key(self) -> str:
        """sha256 hex digest of the canonical JSON of all fields (+ table format version)."""
        blob = json.dumps({"format": FORMAT_VERSION, **self.to_dict()}, sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(blob.encode()).hexdigest()

    def log10_theta_edges(self) -> NDArray[np.float64]:
        """Edges in log10(θ/rad), from log10_theta_min to log10_theta_max (default log10(π))."""
        top = self.log10_theta_max if self.log10_theta_max is not None else math.log10(math.pi)
        return bin_edges(self.log10_theta_min, top, self.bin_width)

    def log10_p_edges(self) -> NDArray[np.float64]:
        """Edges in log10(p/GeV), from log10_p_min to log10(beam energy)."""
        return bin_edges(self.log10_p_min, math.log10(self.beam_energy_gev), self.bin_width)

    def components(self) -> tuple[tuple[int, float], ...]:
        """(target PDG id, weight fraction) of the target model: nucleons, or one whole nucleus."""
        if self.target in TARGETS:
            return TARGETS[self.target]
        return ((get_nucleus(self.target).pdg, 1.0),)

    def event_split(self) -> tuple[tuple[int, float, int], ...]:
        """(target PDG id, weight fraction, events) for each component of the target model."""
        comps = self.components()
        base, rest = divmod(self.n_events, len(comps))
        return tuple((pdg, frac, base + (i < rest)) for i, (pdg, frac) in enumerate(comps))
