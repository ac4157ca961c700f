"""Lab-frame meson spectra from Pythia 8, for a proton beam on a fixed target or for a symmetric
pp collider (the LHC), with a disk cache.

Units: energies and momenta in GeV, angles in rad (θ is the polar angle to the beam axis in the
target rest frame, or to the +z beam at a collider). A spectrum table holds, per species, the
number of mesons per beam proton (per inelastic collision at a collider, in the +z hemisphere)
in bins of log10(θ/rad) × log10(p/GeV).

Collider frame (``frame="collider"``): pp at √s = 2 × beam_energy_gev in the centre-of-mass
frame. Both hemispheres are generated alike, so each meson of the −z hemisphere is folded onto
+z (θ → π − θ) and every entry counts 1/2: the table is the +z hemisphere with twice the
statistics. Only θ up to 10^log10_theta_max is kept (forward detectors see a few mrad).

Physics model and its limits
----------------------------
* Each beam proton is assumed to interact exactly once, inelastically (``SoftQCD:inelastic``:
  non-diffractive + diffractive), so "per inelastic collision" = "per proton on a thick target".
* Target model ``"isoscalar"`` (default): an incoherent 50/50 mix of pp and pn collisions standing in
  for the nucleons of the dump's nucleus (``"pp"`` and ``"pn"`` are also accepted). A nucleus name
  (``"Cu"``, ``"Fe"``, ``"Mo"``; :mod:`.nuclear_targets`) instead generates whole p+A collisions with
  Pythia's heavy-ion model Angantyr, which adds the extra wounded nucleons' soft mesons and the
  depletion of the hardest forward ones (tables ``pythia8_p<E>gev_<nucleus>.npz``). With
  ``cascade_min_ekin`` a nucleus table holds the later collisions of the hadronic cascade in the
  dump instead (:mod:`.hadron_cascade`, ``pythia8_p<E>gev_<nucleus>_secondaries.npz``), to be added
  to the first collision (:func:`nuclear_spectra` with ``cascade=True``).
* Neglected in the isoscalar tables (the default): nuclear effects of the pA collision (nuclear
  stopping that softens the leading-particle / large-x_F region, the rise of soft multiplicity
  with A), and the hadronic cascade in the thick dump. For 400 GeV protons on copper the p+A and
  cascade tables quantify them: 1.6× (first collision) and 10× (with the cascade) the mesons per
  proton, mostly soft; in NA62's forward cone 0.87× and 1.36× the η (docs/validation.md).
* The six species of interest are stable in the generator (``mayDecay = off``), so e.g. π⁰ from
  η → 3π⁰ or ω → π⁰γ are *not* counted unless ``count_feed_down=True`` (then the other five decay
  and every produced meson is counted, keeping π⁰ stable). Feed-down from all other hadrons that
  Pythia decays by default (ρ±, K*, K_S, Λ, Σ, …) is always included.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import math
import os
import re
import time
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field, replace
from datetime import datetime, timezone
from functools import cached_property
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from types import MappingProxyType
from typing import Any

import numpy as np
from numpy.typing import NDArray

from beamdump.datafiles import (
    bin_edges,
    cache_dir,
    check_table_key,
    load_or_make,
    load_toml,
    package_data,
    read_table,
    write_table,
)
from beamdump.errors import BeamdumpInputError, CacheError
from beamdump.kinematics import four_momentum
from beamdump.pdg import mass_gev
from beamdump.sources.nuclear_targets import angantyr_options, get_nucleus, known_nuclei

__all__ = [
    "DEFAULT_PDG_IDS",
    "MesonSpectra",
    "SpectrumSettings",
    "cache_dir",
    "cached_spectra",
    "chunk_seed",
    "COLLIDER_LOG10_THETA_MAX",
    "collider_settings",
    "collider_spectra",
    "collider_table_name",
    "default_spectra",
    "pythia_tune",
    "generate",
    "nuclear_settings",
    "nuclear_spectra",
    "nuclear_table_name",
    "nucleon_table_name",
    "pythia_config",
    "run_chunk",
    "shipped_energies",
    "shipped_table_lines",
]

DEFAULT_PDG_IDS: tuple[int, ...] = (111, 221, 331, 223, 113, 333)
TARGETS: Mapping[str, tuple[tuple[int, float], ...]] = MappingProxyType({
    "isoscalar": ((2212, 0.5), (2112, 0.5)),  # (target nucleon PDG id, weight)
    "pp": ((2212, 1.0),),
    "pn": ((2112, 1.0),),
})
FRAMES = ("fixed-target", "collider")
FORMAT_VERSION = 1
MAX_PYTHIA_SEED = 900_000_000
_ARRAY_NAMES = ("log10_theta_edges", "log10_p_edges", "yields", "counts")


def _pythia_version() -> str:
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
    count_feed_down: also count the species produced in decays of each other (see module doc).
    pythia_options: extra Pythia ``readString`` lines, e.g. a tune.
    log10_theta_min, log10_p_min, bin_width: binning in log10(θ/rad) up to log10(π) (or
    log10_theta_max) and log10(p/GeV) up to log10(beam energy).
    frame: "fixed-target" (default) or "collider" (pp at √s = 2 × beam_energy_gev, +z hemisphere).
    cascade_min_ekin: with a nucleus target, a table of the hadronic cascade's *later* collisions
    (:mod:`.hadron_cascade`): π±, K±, K_L, p, n above this kinetic energy (GeV) collide again,
    and the mesons of the second and later collisions are tabulated (the first collision is the
    Angantyr table's; :func:`nuclear_spectra` adds the two). ``None`` (default): no cascade.
    Mesons much softer than the cut are undercounted.
    """

    beam_energy_gev: float = 400.0
    n_events: int = 100_000
    seed: int = 1
    chunk_size: int = 100_000
    target: str = "isoscalar"
    pythia_version: str = field(default_factory=_pythia_version)
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


@dataclass(frozen=True)
class _Bins:
    """Non-empty bins of one species, precomputed for :meth:`MesonSpectra.sample`."""

    lt_lo: NDArray[np.float64]
    lt_w: NDArray[np.float64]
    lp_lo: NDArray[np.float64]
    lp_w: NDArray[np.float64]
    yields: NDArray[np.float64]
    mass: float


@dataclass(frozen=True, eq=False)
class MesonSpectra:
    """Meson yields per beam proton in bins of log10(θ/rad) × log10(p/GeV), lab frame.

    yields: float64 (species, nθ, np), mesons per beam proton per bin.
    counts: int64 (species, nθ, np), raw generated entries (relative stat. error ≈ 1/√counts).
    metadata: provenance (Pythia version, date, generation time, out-of-range counts, σ_inel, …).
    """

    settings: SpectrumSettings
    pdg_ids: tuple[int, ...]
    log10_theta_edges: NDArray[np.float64]
    log10_p_edges: NDArray[np.float64]
    yields: NDArray[np.float64]
    counts: NDArray[np.int64]
    n_events: int
    metadata: dict[str, Any] = field(default_factory=dict)

    def index(self, pdg: int) -> int:
        """Position of species ``pdg`` along the first axis of :attr:`yields`."""
        try:
            return self.pdg_ids.index(int(pdg))
        except ValueError:
            raise BeamdumpInputError(f"pdg={pdg}: not tabulated; available: {list(self.pdg_ids)}") from None

    @property
    def theta_max(self) -> float:
        """Largest polar angle (rad) the table covers."""
        return float(10.0 ** self.log10_theta_edges[-1])

    def multiplicity(self, pdg: int) -> float:
        """Mesons of species ``pdg`` per beam proton inside the table's θ and p range."""
        return float(self.yields[self.index(pdg)].sum())

    def plus(self, other: MesonSpectra) -> MesonSpectra:
        """This table with ``other``'s mesons per beam proton added (same species and binning):
        e.g. the first p+A collision plus the later collisions of the cascade. Keeps this
        table's settings with ``other``'s cascade cut, and both tables' provenance."""
        same = (self.pdg_ids == other.pdg_ids and np.array_equal(self.log10_theta_edges, other.log10_theta_edges)
                and np.array_equal(self.log10_p_edges, other.log10_p_edges))
        if not same:
            raise BeamdumpInputError("meson tables: only tables of the same species and binning can be added")
        settings = replace(self.settings, cascade_min_ekin=other.settings.cascade_min_ekin)
        meta = {"sum_of": [dict(self.metadata, key=self.settings.key()), dict(other.metadata, key=other.settings.key())]}
        return MesonSpectra(settings, self.pdg_ids, self.log10_theta_edges, self.log10_p_edges,
                            self.yields + other.yields, self.counts + other.counts, self.n_events, meta)

    def errors(self) -> NDArray[np.float64]:
        """Statistical (Poisson) error of :attr:`yields` per bin, same shape."""
        return np.where(self.counts > 0, self.yields / np.sqrt(np.maximum(self.counts, 1)), 0.0)

    @cached_property
    def _bins(self) -> dict[int, _Bins]:
        lt, lp = self.log10_theta_edges, self.log10_p_edges
        out = {}
        for s, pdg in enumerate(self.pdg_ids):
            it, ip = np.nonzero(self.yields[s] > 0)
            out[pdg] = _Bins(
                lt_lo=lt[it], lt_w=lt[it + 1] - lt[it], lp_lo=lp[ip], lp_w=lp[ip + 1] - lp[ip],
                yields=self.yields[s, it, ip], mass=mass_gev(pdg),
            )
        return out

    def sample(
        self,
        pdg: int,
        n_per_bin: int = 1,
        rng: np.random.Generator | int | None = None,
        max_theta: float | None = None,
    ) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
        """Representative mesons: ``n_per_bin`` per non-empty bin, log10 θ and log10 p uniform in
        the bin, azimuth uniform. Returns (weights (n,) in mesons per beam proton, four-momenta
        (n, 4) = (E, px, py, pz) in GeV with the PDG mass). ``max_theta`` (rad) drops the bins whose
        lower θ edge is ≥ max_theta (bins straddling it are kept whole)."""
        b = self._bins[self.pdg_ids[self.index(pdg)]]
        if n_per_bin < 1:
            raise BeamdumpInputError(f"n_per_bin={n_per_bin}: must be ≥ 1")
        rng = np.random.default_rng(rng)
        lt_lo, lt_w, lp_lo, lp_w, y = b.lt_lo, b.lt_w, b.lp_lo, b.lp_w, b.yields
        if max_theta is not None:
            keep = lt_lo < math.log10(max_theta) if max_theta > 0 else np.zeros(lt_lo.shape, bool)
            lt_lo, lt_w, lp_lo, lp_w, y = lt_lo[keep], lt_w[keep], lp_lo[keep], lp_w[keep], y[keep]
        if n_per_bin > 1:
            lt_lo, lt_w, lp_lo, lp_w, y = (np.repeat(a, n_per_bin) for a in (lt_lo, lt_w, lp_lo, lp_w, y))
        u = rng.random((3, y.size))
        theta = 10.0 ** (lt_lo + u[0] * lt_w)
        p = 10.0 ** (lp_lo + u[1] * lp_w)
        return y / n_per_bin, four_momentum(b.mass, p, theta, 2.0 * np.pi * u[2])

    def sample_with_angles(
        self, pdg: int, n_per_bin: int = 1, rng: np.random.Generator | int | None = None
    ) -> tuple[NDArray[np.float64], NDArray[np.float64], NDArray[np.float64]]:
        """:meth:`sample` plus each meson's polar angle to the beam axis (rad)."""
        w, p4 = self.sample(pdg, n_per_bin=n_per_bin, rng=rng)
        p = np.maximum(np.linalg.norm(p4[:, 1:], axis=1), 1e-300)
        return w, p4, np.arccos(np.clip(p4[:, 3] / p, -1.0, 1.0))

    # ------------------------------------------------------------------ persistence
    def _arrays(self) -> dict[str, NDArray[Any]]:
        return {
            "log10_theta_edges": np.ascontiguousarray(self.log10_theta_edges, dtype=np.float64),
            "log10_p_edges": np.ascontiguousarray(self.log10_p_edges, dtype=np.float64),
            "yields": np.ascontiguousarray(self.yields, dtype=np.float64),
            "counts": np.ascontiguousarray(self.counts, dtype=np.int64),
        }

    def save(self, path: str | os.PathLike[str]) -> Path:
        """Write a compressed ``.npz`` with the JSON metadata embedded, atomically (temp file + os.replace)."""
        arrays = self._arrays()
        meta = {
            "format": FORMAT_VERSION,
            "key": self.settings.key(),
            "settings": self.settings.to_dict(),
            "pdg_ids": list(self.pdg_ids),
            "n_events": self.n_events,
            "provenance": self.metadata,
        }
        return write_table(path, arrays, meta)

    @classmethod
    def load(cls, path: str | os.PathLike[str], expected_key: str | None = None) -> MesonSpectra:
        """Read and validate a table written by :meth:`save`; any problem raises :class:`CacheError`."""
        path = Path(path)
        meta, arrays = read_table(path, _ARRAY_NAMES, "spectrum table")
        try:
            settings = SpectrumSettings.from_dict(meta["settings"])
            pdg_ids, n_events = tuple(int(p) for p in meta["pdg_ids"]), int(meta["n_events"])
            provenance = dict(meta.get("provenance", {}))
        except Exception as exc:  # missing or bad settings
            raise CacheError(f"{path}: unreadable spectrum table ({type(exc).__name__}: {exc})") from exc
        check_table_key(path, meta, settings.key(), FORMAT_VERSION, expected_key)
        lt, lp, y, c = (arrays[n] for n in _ARRAY_NAMES)
        try:
            bad = _problems(settings, pdg_ids, n_events, lt, lp, y, c)
        except Exception as exc:  # e.g. arrays of a nonsensical dtype
            bad = [f"{type(exc).__name__}: {exc}"]
        if bad:
            raise CacheError(f"{path}: invalid spectrum table: {'; '.join(bad)}")
        return cls(settings, pdg_ids, lt, lp, y, c.astype(np.int64), n_events, provenance)


def _problems(
    settings: SpectrumSettings, pdg_ids: tuple[int, ...], n_events: int,
    lt: NDArray[Any], lp: NDArray[Any], y: NDArray[Any], c: NDArray[Any],
) -> list[str]:
    """Inconsistencies between a table's arrays and its settings (empty list if none)."""
    if pdg_ids != settings.pdg_ids or n_events != settings.n_events:
        return ["pdg_ids or n_events differ from the settings"]
    for name, edges, ref in (("θ", lt, settings.log10_theta_edges()), ("p", lp, settings.log10_p_edges())):
        if edges.shape != ref.shape or not np.allclose(edges, ref, rtol=0, atol=1e-9):
            return [f"{name} bin edges differ from the settings"]
    shape = (len(pdg_ids), lt.size - 1, lp.size - 1)
    if y.shape != shape or c.shape != shape:
        return [f"yields/counts shapes {y.shape}/{c.shape}, expected {shape}"]
    if y.dtype != np.float64 or not np.issubdtype(c.dtype, np.integer):
        return [f"dtypes {y.dtype}/{c.dtype}, expected float64/integer"]
    if not (np.all(np.isfinite(y)) and np.all(y >= 0)):
        return ["yields not all finite and ≥ 0"]
    if np.any(c < 0) or np.any((y > 0) != (c > 0)):
        return ["counts negative or inconsistent with the yields"]
    return []




# ---------------------------------------------------------------------- generation
def chunk_seed(master_seed: int, target_pdg: int, chunk: int) -> int:
    """Pythia seed in 1..900000000 for one chunk, fixed by (master seed, target, chunk index)."""
    h = hashlib.sha256(f"beamdump-meson-spectra|{master_seed}|{target_pdg}|{chunk}".encode()).digest()
    return int.from_bytes(h[:8], "big") % MAX_PYTHIA_SEED + 1


def _chunk_plan(settings: SpectrumSettings) -> list[tuple[int, int, int]]:
    """(target PDG id, events, seed) for every chunk, in a fixed order."""
    plan = []
    for target_pdg, _, n_target in settings.event_split():
        for k, start in enumerate(range(0, n_target, settings.chunk_size)):
            n = min(settings.chunk_size, n_target - start)
            plan.append((target_pdg, n, chunk_seed(settings.seed, target_pdg, k)))
    return plan


def pythia_config(settings: SpectrumSettings, target_pdg: int, seed: int) -> list[str]:
    """Pythia ``readString`` lines for one chunk (event record in the lab: the target's rest frame,
    or the centre-of-mass frame at a collider)."""
    stable = settings.pdg_ids if not settings.count_feed_down else tuple(p for p in settings.pdg_ids if p == 111)
    if settings.frame == "collider":
        beams = ["Beams:frameType = 1", "Beams:idA = 2212", "Beams:idB = 2212", f"Beams:eCM = {2.0 * settings.beam_energy_gev!r}"]
    else:
        beams = [
            "Beams:frameType = 2", "Beams:idA = 2212", f"Beams:idB = {target_pdg}",
            f"Beams:eA = {settings.beam_energy_gev!r}", "Beams:eB = 0.",
        ]
    return [
        "Print:quiet = on",
        "Init:showChangedSettings = off",
        "Init:showChangedParticleData = off",
        "Next:numberCount = 0",
        "Next:numberShowEvent = 0",
        *beams,
        *(f"{proc} = on" for proc in settings.processes),
        *(f"{pdg}:mayDecay = off" for pdg in stable),
        "Random:setSeed = on",
        f"Random:seed = {seed}",
        *settings.pythia_options,
    ]


def run_chunk(settings: SpectrumSettings, target_pdg: int, n_events: int, seed: int) -> dict[str, Any]:
    """Generate ``n_events`` accepted collisions of a proton on ``target_pdg`` (own Pythia instance).

    Returns {"counts": int64 (species, nθ, np), "outside": int64 (species,) entries outside the
    table range, "n_failed": failed ``next()`` calls, "sigma_mb": Pythia's σ estimate in mb}.
    """
    if settings.cascade_min_ekin is not None:
        from .hadron_cascade import cascade_chunk

        res = cascade_chunk(settings.beam_energy_gev, settings.target, settings.pdg_ids, settings.cascade_min_ekin,
                            n_events, seed, secondary_only=True)
        counts, outside = _histogram(settings, res["species"], res["theta"], res["p"])
        return {"counts": counts, "outside": outside, "n_failed": res["n_failed"], "sigma_mb": res["sigma_mb"],
                "n_collisions": res["n_collisions"]}
    import pythia8mc

    pythia = pythia8mc.Pythia("", False)
    for line in pythia_config(settings, target_pdg, seed):
        if not pythia.readString(line):
            raise RuntimeError(f"Pythia rejected setting {line!r}")
    if not pythia.init():
        raise RuntimeError(f"Pythia initialisation failed for {settings.beam_energy_gev} GeV p on {target_pdg}")
    species = {pdg: i for i, pdg in enumerate(settings.pdg_ids)}
    feed_down = settings.count_feed_down
    sp: list[int] = []
    th: list[float] = []
    pa: list[float] = []
    n_ok = n_failed = 0
    while n_ok < n_events:
        if not pythia.next():
            n_failed += 1
            if n_failed > 100 + n_events // 10:
                raise RuntimeError(f"Pythia failed {n_failed} times in a chunk of {n_events} events")
            continue
        n_ok += 1
        for q in pythia.event.particles():
            s = species.get(q.id())
            if s is not None and (feed_down or q.isFinal()):
                sp.append(s)
                th.append(q.theta())
                pa.append(q.pAbs())
    sigma_mb = float(pythia.infoPython().sigmaGen())
    counts, outside = _histogram(settings, sp, th, pa)
    return {"counts": counts, "outside": outside, "n_failed": n_failed, "sigma_mb": sigma_mb}


def _histogram(settings: SpectrumSettings, sp: list[int], th: list[float], pa: list[float]) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
    """(counts (species, nθ, np), entries outside the table range per species) of mesons given as
    species index, polar angle (rad) and momentum (GeV)."""
    lt_edges, lp_edges = settings.log10_theta_edges(), settings.log10_p_edges()
    s_arr = np.asarray(sp, dtype=np.int64)
    theta = np.asarray(th, dtype=float)
    if settings.frame == "collider":  # fold the −z hemisphere onto +z
        theta = np.minimum(theta, math.pi - theta)
    with np.errstate(divide="ignore"):
        it = np.searchsorted(lt_edges, np.log10(theta), side="right") - 1
        ip = np.searchsorted(lp_edges, np.log10(np.asarray(pa, dtype=float)), side="right") - 1
    inside = (it >= 0) & (it < lt_edges.size - 1) & (ip >= 0) & (ip < lp_edges.size - 1)
    shape = (len(settings.pdg_ids), lt_edges.size - 1, lp_edges.size - 1)
    flat = np.ravel_multi_index((s_arr[inside], it[inside], ip[inside]), shape)
    counts = np.bincount(flat, minlength=math.prod(shape)).reshape(shape).astype(np.int64)
    outside = np.bincount(s_arr[~inside], minlength=shape[0]).astype(np.int64)
    return counts, outside


def generate(
    settings: SpectrumSettings,
    workers: int | None = None,
    scheduler: str | None = None,
    progress: bool = True,
) -> MesonSpectra:
    """Run Pythia in chunks (seeds fixed per chunk) and sum the histograms into a table.

    ``workers=0`` or ``scheduler="synchronous"``: run in-process without Dask. Otherwise a Dask
    ``LocalCluster`` with ``workers`` single-threaded processes (default: min(CPUs, chunks)), or
    an existing cluster at the address ``scheduler``. The histograms are bitwise identical for any
    number of workers.
    """
    if settings.pythia_version != _pythia_version():
        raise BeamdumpInputError(
            f"pythia_version={settings.pythia_version!r}: installed pythia8mc is {_pythia_version()!r}"
        )
    plan = _chunk_plan(settings)
    t0 = time.perf_counter()
    results, how = _run_plan(settings, plan, workers, scheduler, progress)
    wall = time.perf_counter() - t0

    lt, lp = settings.log10_theta_edges(), settings.log10_p_edges()
    shape = (len(settings.pdg_ids), lt.size - 1, lp.size - 1)
    counts = np.zeros(shape, np.int64)
    outside = np.zeros(shape[0], np.int64)
    yields = np.zeros(shape, np.float64)
    sigma: dict[str, float] = {}
    n_failed = 0
    for target_pdg, frac, n_target in settings.event_split():
        idx = [i for i, (t, _, _) in enumerate(plan) if t == target_pdg]
        c_t = sum((results[i]["counts"] for i in idx), np.zeros(shape, np.int64))
        counts += c_t
        outside += sum((results[i]["outside"] for i in idx), np.zeros(shape[0], np.int64))
        yields += (frac / (n_target * settings.hemispheres)) * c_t
        sigma[str(target_pdg)] = float(np.mean([results[i]["sigma_mb"] for i in idx]))
        n_failed += sum(int(results[i]["n_failed"]) for i in idx)
    metadata = {
        "generator": "Pythia 8 (pythia8mc)",
        "pythia_version": settings.pythia_version,
        "created_utc": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "generation_wall_s": round(wall, 3),
        "events_per_s": round(settings.n_events / wall, 1) if wall > 0 else None,
        "n_chunks": len(plan),
        "executed_by": how,
        "n_failed_next": n_failed,
        "entries_outside_range": dict(zip(map(str, settings.pdg_ids), outside.tolist())),
        "sigma_gen_mb": sigma,
        **({"collisions_per_proton": round(sum(int(r["n_collisions"]) for r in results) / settings.n_events, 3)}
           if settings.cascade_min_ekin is not None else {}),
        "beamdump_version": _beamdump_version(),
        "numpy_version": np.__version__,
    }
    return MesonSpectra(settings, settings.pdg_ids, lt, lp, yields, counts, settings.n_events, metadata)


def _beamdump_version() -> str:
    try:
        return version("beamdump")
    except PackageNotFoundError:  # pragma: no cover
        return "unknown"


def _run_plan(
    settings: SpectrumSettings,
    plan: list[tuple[int, int, int]],
    workers: int | None,
    scheduler: str | None,
    progress: bool,
) -> tuple[list[dict[str, Any]], str]:
    """Execute the chunks; results come back in plan order whatever the completion order."""
    from tqdm.auto import tqdm

    bar = tqdm(total=len(plan), desc=f"Pythia {settings.beam_energy_gev:g} GeV", unit="chunk", disable=not progress)
    results: list[dict[str, Any] | None] = [None] * len(plan)
    with bar:
        if workers == 0 or scheduler == "synchronous":
            how = "in-process"
            for i, task in enumerate(plan):
                results[i] = run_chunk(settings, *task)
                bar.update()
        else:
            from dask.distributed import Client, LocalCluster, as_completed

            with contextlib.ExitStack() as stack:
                if scheduler is None:
                    n = workers if workers is not None else min(os.cpu_count() or 1, len(plan))
                    if n < 1:
                        raise BeamdumpInputError(f"workers={workers}: must be ≥ 0")
                    cluster = stack.enter_context(
                        LocalCluster(
                            n_workers=n, threads_per_worker=1, processes=True,
                            dashboard_address=None, silence_logs=logging.ERROR,
                        )
                    )
                    client = stack.enter_context(Client(cluster))
                    how = f"dask LocalCluster, {n} worker processes"
                else:
                    client = stack.enter_context(Client(scheduler))
                    how = f"dask scheduler {scheduler}"
                tag = settings.key()[:16]
                futures = {
                    client.submit(run_chunk, settings, *task, key=f"meson-chunk-{tag}-{i}", pure=False): i
                    for i, task in enumerate(plan)
                }
                for fut in as_completed(futures):
                    results[futures[fut]] = fut.result()
                    bar.update()
    if any(r is None for r in results):  # pragma: no cover - as_completed yields every future
        raise RuntimeError("a generator chunk returned no result")
    return [r for r in results if r is not None], how


# ---------------------------------------------------------------------- cache and shipped tables
def cached_spectra(
    settings: SpectrumSettings,
    workers: int | None = None,
    scheduler: str | None = None,
    progress: bool = True,
    regenerate: bool = False,
) -> MesonSpectra:
    """Load ``<cache>/spectra/<key>.npz`` if valid; otherwise generate, save atomically and return it.

    A damaged or stale cache file is reported with a warning and regenerated.
    """
    return load_or_make(
        "spectra", settings.key(), MesonSpectra.load,
        lambda: generate(settings, workers=workers, scheduler=scheduler, progress=progress),
        "meson-spectrum", regenerate,
    )


_SHIPPED = re.compile(r"^pythia8_p(\d+)gev\.npz$")


def shipped_energies() -> tuple[float, ...]:
    """Beam energies (GeV) of the tables shipped in ``beamdump/data/spectra``."""
    found = (m.group(1) for m in (_SHIPPED.match(f.name) for f in package_data("spectra").iterdir()) if m)
    return tuple(sorted(float(e) for e in found))


def shipped_table_lines() -> list[str]:
    """One line per table shipped in ``data/spectra``: file, beam and target, statistics."""
    lines = []
    for path in sorted(package_data("spectra").glob("pythia8_*.npz")):
        meta, _ = read_table(path, _ARRAY_NAMES, "spectrum table")
        st = meta["settings"]
        if st.get("frame") == "collider":
            what = f"pp collider, sqrt(s) = {2 * st['beam_energy_gev']:g} GeV, tune '{path.stem.rsplit('_', 1)[-1]}'"
        elif st.get("cascade_min_ekin") is not None:
            what = (f"{st['beam_energy_gev']:g} GeV p in a {st['target']} dump: the cascade's later collisions "
                    f"(PythiaCascade, E_kin > {st['cascade_min_ekin']:g} GeV)")
        else:
            target = {"isoscalar": "nucleons (pp/pn)"}.get(st["target"], st["target"])
            what = f"{st['beam_energy_gev']:g} GeV p on {target if st['target'] in TARGETS else f'{target} nuclei (Angantyr p+A)'}"
        unit = "protons" if st.get("cascade_min_ekin") is not None else "collisions"
        lines.append(f"{path.name:<38} {what}; {meta['n_events']:.3g} {unit}")
    return lines


def default_spectra(beam_energy_gev: float) -> MesonSpectra:
    """The shipped Pythia 8 table for a proton beam of ``beam_energy_gev`` (GeV) on an isoscalar target."""
    energies = shipped_energies()
    match = [e for e in energies if math.isclose(e, float(beam_energy_gev), rel_tol=1e-9)]
    if not match:
        listed = ", ".join(f"{e:g}" for e in energies) or "none"
        raise BeamdumpInputError(
            f"beam_energy_gev={beam_energy_gev:g}: no shipped meson spectra; shipped energies (GeV): {listed}. "
            "Use cached_spectra(SpectrumSettings(beam_energy_gev=...)) to generate one."
        )
    return MesonSpectra.load(package_data("spectra", nucleon_table_name(match[0])))


def nucleon_table_name(beam_energy_gev: float) -> str:
    """File name of a shipped fixed-target table on isoscalar nucleons."""
    return f"pythia8_p{float(beam_energy_gev):.0f}gev.npz"


def _load_shipped(name: str, pattern: str, problem: str, how_to_make: str) -> MesonSpectra:
    """The shipped table ``name``; if absent, an input error stating ``problem``, the shipped
    tables matching ``pattern`` and ``how_to_make`` one."""
    path = package_data("spectra", name)
    if not path.exists():
        shipped = sorted(p.name for p in package_data("spectra").glob(pattern))
        raise BeamdumpInputError(f"{problem}; shipped: {', '.join(shipped) or 'none'} ({how_to_make})")
    return MesonSpectra.load(path)


# ---------------------------------------------------------------------- LHC forward tables
COLLIDER_LOG10_THETA_MAX = -1.0  # keep θ < 0.1 rad: every forward detector (FASER, FASER2, SND@LHC) sits far inside


def pythia_tune(name: str) -> tuple[str, ...]:
    """The readString lines of a named tune in ``data/spectra/pythia_tunes.toml``."""
    tunes = load_toml(package_data("spectra", "pythia_tunes.toml"))
    if name not in tunes:
        raise BeamdumpInputError(f"tune: {name!r} is not known; known tunes: {', '.join(tunes)}")
    return tuple(str(o) for o in tunes[name]["options"])


def collider_settings(ecm_gev: float, tune: str = "forward", n_events: int = 100_000, seed: int = 1,
                      chunk_size: int = 25_000) -> SpectrumSettings:
    """Settings of an LHC forward table: pp at √s = ``ecm_gev``, +z hemisphere, θ < 0.1 rad."""
    return SpectrumSettings(
        beam_energy_gev=0.5 * float(ecm_gev), n_events=n_events, seed=seed, chunk_size=chunk_size, target="pp",
        frame="collider", log10_theta_max=COLLIDER_LOG10_THETA_MAX, pythia_options=pythia_tune(tune),
    )


def collider_table_name(ecm_gev: float, tune: str) -> str:
    """File name of a shipped LHC table."""
    return f"pythia8_pp{float(ecm_gev):.0f}gev_{tune}.npz"


def collider_spectra(ecm_gev: float, tune: str = "forward") -> MesonSpectra:
    """The shipped Pythia 8 forward table for pp at √s = ``ecm_gev`` (GeV) with ``tune``."""
    pythia_tune(tune)  # unknown tunes name the known ones
    return _load_shipped(
        collider_table_name(ecm_gev, tune), "pythia8_pp*gev_*.npz",
        f"collider spectra: no shipped table for sqrt(s) = {ecm_gev:g} GeV, tune {tune!r}",
        "scripts/make_spectra_tables.py --collider makes one",
    )


# ---------------------------------------------------------------------- p+A (Angantyr) tables
CASCADE_MIN_EKIN = 5.0  # GeV: the shipped cascade tables follow hadrons down to this kinetic energy


def nuclear_settings(beam_energy_gev: float, nucleus: str, n_events: int = 100_000, seed: int = 1,
                     chunk_size: int = 25_000, cascade_min_ekin: float | None = None) -> SpectrumSettings:
    """Settings of a p+A table: protons of ``beam_energy_gev`` (GeV) on ``nucleus`` at rest, whole
    collisions from Angantyr with the sub-collision fit stored for that energy (``nuclei.toml``);
    with ``cascade_min_ekin`` (GeV) the whole hadronic cascade in the dump (PythiaCascade) instead."""
    options = angantyr_options(beam_energy_gev, nucleus) if cascade_min_ekin is None else ()
    return SpectrumSettings(
        beam_energy_gev=beam_energy_gev, n_events=n_events, seed=seed, chunk_size=chunk_size, target=nucleus,
        pythia_options=options, cascade_min_ekin=cascade_min_ekin,
    )


def nuclear_table_name(beam_energy_gev: float, nucleus: str, cascade: bool = False) -> str:
    """File name of a shipped p+A table (``_secondaries``: the cascade's later collisions)."""
    return f"pythia8_p{float(beam_energy_gev):.0f}gev_{nucleus}{'_secondaries' if cascade else ''}.npz"


def nuclear_spectra(beam_energy_gev: float, nucleus: str, cascade: bool = False) -> MesonSpectra:
    """The shipped table for protons of ``beam_energy_gev`` (GeV) on ``nucleus``: the first p+A
    collision (Angantyr), or with ``cascade`` every generation of the hadronic cascade."""
    get_nucleus(nucleus)  # unknown names list the known ones
    first = _shipped_nuclear(beam_energy_gev, nucleus, False)
    return first.plus(_shipped_nuclear(beam_energy_gev, nucleus, True)) if cascade else first


def _shipped_nuclear(beam_energy_gev: float, nucleus: str, cascade: bool) -> MesonSpectra:
    flag = f" --cascade {CASCADE_MIN_EKIN:g}" if cascade else ""
    return _load_shipped(
        nuclear_table_name(beam_energy_gev, nucleus, cascade), "pythia8_p[0-9]*gev_*.npz",
        f"beam.meson_production = '{'cascade' if cascade else 'nucleus'}': no shipped table for "
        f"{beam_energy_gev:g} GeV p on {nucleus}",
        f"scripts/make_spectra_tables.py --energies {beam_energy_gev:g} --nucleus {nucleus}{flag} makes one beside them",
    )
