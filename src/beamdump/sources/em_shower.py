"""Track length of shower electrons and positrons in a thick target hit by an electron beam.

The A′ bremsstrahlung yield of a thick electron dump integrates the per-nucleus cross section
over the track length of every e⁻ and e⁺ of the electromagnetic shower, by energy and depth
(Tsai, Rev. Mod. Phys. 46 (1974) 815; Bjorken et al., Phys. Rev. D 38 (1988) 3375). This
module tabulates the differential track length

    T(E, t) = d²ℓ/dE dt      [X0 of track per GeV per X0 of depth, per beam electron of energy E0]

for E_min ≤ E ≤ E0 and 0 ≤ t ≤ thickness, with a fast one-dimensional electromagnetic cascade
Monte Carlo. Units: energies in GeV, depths and track lengths in radiation lengths X0
(multiply by :attr:`Material.radiation_length_cm` for cm).

Physics model (Rossi's "approximation B", PDG "Passage of particles through matter")
-----------------------------------------------------------------------------------
* Bremsstrahlung: complete-screening Bethe–Heitler spectrum per X0,
  dN/dy = (1/y)(4/3 − 4/3 y + y²), y = k/E (the small (1 − y)/9 term is dropped), for photons
  with k ≥ E_min; softer photons are a continuous radiative loss of the electron.
* Pair production: complete screening, dN/dx = 1 − 4/3 x(1 − x) per X0 (total 7/9 per X0),
  independent of energy.
* Ionisation: a constant loss E_c (critical energy) per X0 for every electron.
* One dimension: all particles move forward along the beam axis (no angles, no backscattering),
  so the track length in the first t X0 of a thick target equals that of a target of thickness t.
* Neglected: Compton scattering, photo-effect, positron annihilation, the energy dependence of
  the ionisation loss, LPM and dielectric suppression (relevant above ~TeV for k ≪ E) and the
  incomplete screening at low energy. Below E_min electrons only ionise (range E/E_c) and soft
  photons convert after an exponential 9/7 X0 flight into two electrons sharing the energy
  uniformly. Photons softer than E_min are a continuous loss of their electron, so the
  track just above E_min is depleted (by ≈ 20% in the first factor 1.5 of energy): keep E_min
  well below the energies a production channel needs (≲ 1/10 of them).

In this model all energy is eventually lost by ionisation at E_c per X0, so the total e± track
length (all energies) is exactly (E0 − escaping energy)/E_c X0, Rossi's E0/E_c for a thick
target. For E_c ≪ E ≪ E0, T integrated over depth approaches Rossi's approximation-A result
0.437·E0/E² (photons: 0.572·E0/k², Tsai 1974 eq. for the thick-target photon track length).

The cascade is vectorised: each pass moves every live electron by one step and converts every
live photon, with NumPy arrays over all particles of a batch of showers (no Python loop per
particle). Each step enters the histograms at one uniformly random point along it, weighted by
its length: an unbiased estimate of the track length in any binning.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from functools import lru_cache
from pathlib import Path
from types import MappingProxyType
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from beamdump.datafiles import bin_edges, check_table_key, load_or_make, load_toml, package_data, read_table, write_table
from beamdump.errors import BeamdumpInputError, CacheError

__all__ = [
    "ELECTRON_TRACK_CONSTANT",
    "MIN_E_MIN",
    "PHOTON_TRACK_CONSTANT",
    "Material",
    "ShowerSettings",
    "ShowerTable",
    "cached_table",
    "cell_points",
    "get_material",
    "load_materials",
    "shower_max_pdg",
    "simulate",
    "thin_target",
]

#: Rossi approximation A: ∫dt (e⁺ + e⁻ per dE) → ELECTRON_TRACK_CONSTANT · E0/E² for E_c ≪ E ≪ E0
#: (B. Rossi, High-Energy Particles (1952), track-length integrals of approximation A).
ELECTRON_TRACK_CONSTANT: float = 0.437
#: Same for photons, 0.572 · E0/k² (Rossi 1952; Tsai RMP 46 (1974) 815, thick-target photon track length).
PHOTON_TRACK_CONSTANT: float = 0.572
PAIR_RATE: float = 7.0 / 9.0  # photon conversions per X0, complete screening
FORMAT_VERSION = 2  # 2: the first depth bin is split geometrically (thin-target limit)
_FRONT_SPLITS = 10  # the first depth bin is split at depth_bin / 2^k, k = 1..10
_ARRAY_NAMES = ("log10_e_edges", "t_edges", "track", "photon_track", "photons_emitted", "deposit", "track_below_min")
MIN_E_MIN = 1e-3  # GeV; below ~1 MeV the model (no Compton, constant dE/dx) is meaningless


# ====================================================================== materials
@dataclass(frozen=True)
class Material:
    """A target material.

    Z, A: atomic number and mass (g/mol); effective values for compounds and mixtures.
    density: g/cm³. radiation_length_g_cm2 / radiation_length_cm: X0. critical_energy_mev: E_c
    for electrons (Rossi definition), MeV. composition: (Z, A, mass fraction) per element.
    """

    name: str
    symbol: str
    Z: float
    A: float
    density: float
    radiation_length_g_cm2: float
    radiation_length_cm: float
    critical_energy_mev: float
    composition: tuple[tuple[float, float, float], ...]
    source: str

    def __post_init__(self) -> None:
        where = f"material {self.name!r}"
        for attr in ("Z", "A", "density", "radiation_length_g_cm2", "radiation_length_cm", "critical_energy_mev"):
            value = getattr(self, attr)
            if not (isinstance(value, (int, float)) and math.isfinite(value) and value > 0):
                raise BeamdumpInputError(f"{where}: {attr}={value!r} must be a finite number > 0")
        if not 1 <= self.Z <= 100:
            raise BeamdumpInputError(f"{where}: Z={self.Z} must lie in [1, 100]")
        if self.A < self.Z * 0.99:
            raise BeamdumpInputError(f"{where}: A={self.A} must be ≥ Z={self.Z}")
        if not 0.1 <= self.critical_energy_mev <= 1000:
            raise BeamdumpInputError(f"{where}: critical_energy_mev={self.critical_energy_mev} must lie in [0.1, 1000] MeV")
        x0 = self.radiation_length_cm * self.density
        if not math.isclose(x0, self.radiation_length_g_cm2, rel_tol=0.01):
            raise BeamdumpInputError(
                f"{where}: radiation_length_cm × density = {x0:.4g} g/cm² differs by > 1% from "
                f"radiation_length_g_cm2 = {self.radiation_length_g_cm2}"
            )
        if self.composition:
            total = sum(w for _, _, w in self.composition)
            if not math.isclose(total, 1.0, abs_tol=1e-3) or any(w <= 0 for _, _, w in self.composition):
                raise BeamdumpInputError(f"{where}: composition mass fractions must be > 0 and sum to 1 (got {total:.4f})")
        if not self.source.strip():
            raise BeamdumpInputError(f"{where}: source must name where the numbers come from")

    @property
    def critical_energy(self) -> float:
        """E_c in GeV."""
        return self.critical_energy_mev * 1e-3

    @property
    def elements(self) -> tuple[tuple[float, float, float], ...]:
        """(Z, A, mass fraction) of each element (the material itself for a pure element)."""
        return self.composition or ((float(self.Z), float(self.A), 1.0),)


def _element_from_toml(name: str, d: Mapping[str, Any]) -> Material:
    required = ("Z", "A", "density", "radiation_length_g_cm2", "radiation_length_cm", "critical_energy_mev", "source")
    missing = [k for k in required if k not in d]
    if missing:
        raise BeamdumpInputError(f"material {name!r}: missing field(s) {', '.join(missing)}")
    comp = tuple(
        (float(c["Z"]), float(c["A"]), float(c["mass_fraction"])) for c in d.get("composition", ())
    )
    return Material(
        name=name, symbol=str(d.get("symbol", name)), Z=float(d["Z"]), A=float(d["A"]), density=float(d["density"]),
        radiation_length_g_cm2=float(d["radiation_length_g_cm2"]), radiation_length_cm=float(d["radiation_length_cm"]),
        critical_energy_mev=float(d["critical_energy_mev"]), composition=comp, source=str(d["source"]),
    )


def _mixture(name: str, d: Mapping[str, Any], known: Mapping[str, Material]) -> Material:
    """Homogeneous mixture by mass fraction (rules in the header of materials.toml)."""
    comps = d.get("components")
    if not isinstance(comps, Mapping) or not comps:
        raise BeamdumpInputError(f"mixture {name!r}: components must be a table of material = mass fraction")
    unknown = [c for c in comps if c not in known]
    if unknown:
        raise BeamdumpInputError(f"mixture {name!r}: unknown component(s) {unknown}; known: {', '.join(sorted(known))}")
    w = {c: float(f) for c, f in comps.items()}
    if any(f <= 0 for f in w.values()) or not math.isclose(sum(w.values()), 1.0, abs_tol=1e-6):
        raise BeamdumpInputError(f"mixture {name!r}: mass fractions must be > 0 and sum to 1 (got {sum(w.values())})")
    x0 = 1.0 / sum(f / known[c].radiation_length_g_cm2 for c, f in w.items())
    rho = 1.0 / sum(f / known[c].density for c, f in w.items())
    ec = x0 * sum(f * known[c].critical_energy_mev / known[c].radiation_length_g_cm2 for c, f in w.items())
    elements: list[tuple[float, float, float]] = []
    for c, f in w.items():
        elements += [(z, a, f * wi) for z, a, wi in known[c].elements]
    z_over_a = sum(wi * z / a for z, a, wi in elements)
    z_eff = sum(wi * z / a * z for z, a, wi in elements) / z_over_a
    return Material(
        name=name, symbol=str(d.get("symbol", name)), Z=z_eff, A=z_eff / z_over_a, density=rho,
        radiation_length_g_cm2=x0, radiation_length_cm=x0 / rho, critical_energy_mev=ec,
        composition=tuple(elements), source=str(d.get("source", "")),
    )


def load_materials(path: str | os.PathLike[str] | None = None) -> Mapping[str, Material]:
    """All materials of a materials file (default: the shipped ``data/materials.toml``), by name.

    Aliases (element symbols, "aluminum", "e137") map to the same objects.
    """
    if path is None:
        return _shipped_materials()
    return _parse_materials(load_toml(path))


@lru_cache(maxsize=1)
def _shipped_materials() -> Mapping[str, Material]:
    return _parse_materials(load_toml(package_data("materials.toml")))


def _parse_materials(doc: Mapping[str, Any]) -> Mapping[str, Material]:
    out: dict[str, Material] = {}
    for name, d in doc.get("materials", {}).items():
        out[name] = _element_from_toml(name, d)
    for name, d in doc.get("mixtures", {}).items():
        out[name] = _mixture(name, d, out)
    for alias, target in doc.get("aliases", {}).items():
        if target not in out:
            raise BeamdumpInputError(f"alias {alias!r} → {target!r}: no such material")
        out[alias] = out[target]
    return MappingProxyType(out)


def get_material(name: str | Material) -> Material:
    """A shipped material by name or alias (case-insensitive); a :class:`Material` passes through."""
    if isinstance(name, Material):
        return name
    mats = _shipped_materials()
    lookup = {k.lower(): v for k, v in mats.items()}
    try:
        return lookup[str(name).lower()]
    except KeyError:
        raise BeamdumpInputError(
            f"material={name!r}: unknown; known materials: {', '.join(sorted(mats))}"
        ) from None


def shower_max_pdg(beam_energy: float, material: str | Material) -> float:
    """PDG estimate of the depth (X0) of the energy-deposition maximum of an electron-induced
    shower, t_max = ln(E0/E_c) − 0.5 (PDG 'Passage of particles through matter', EM cascades)."""
    return math.log(beam_energy / get_material(material).critical_energy) - 0.5


# ====================================================================== settings
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


# ====================================================================== the table
def _rebin_weights(native: NDArray[np.float64], query: NDArray[np.float64], what: str) -> NDArray[np.float64]:
    """Matrix M (len(query), len(native)) with cumulative(query) = M @ cumulative(native),
    linear interpolation of the cumulative sum inside each native bin."""
    query = np.asarray(query, dtype=float)
    if query.ndim != 1 or query.size < 2 or np.any(np.diff(query) <= 0) or not np.all(np.isfinite(query)):
        raise BeamdumpInputError(f"{what}: must be a strictly increasing 1D array of ≥ 2 finite edges")
    lo, hi = native[0], native[-1]
    tol = 1e-9 * max(1.0, abs(hi - lo))
    if query[0] < lo - tol or query[-1] > hi + tol:
        raise BeamdumpInputError(f"{what}: edges must lie within the table range [{lo:g}, {hi:g}]")
    q = np.clip(query, lo, hi)
    i = np.clip(np.searchsorted(native, q, side="right") - 1, 0, native.size - 2)
    f = (q - native[i]) / (native[i + 1] - native[i])
    m = np.zeros((q.size, native.size))
    rows = np.arange(q.size)
    m[rows, i] += 1.0 - f
    m[rows, i + 1] += f
    return m


@dataclass(frozen=True, eq=False)
class ShowerTable:
    """Shower tallies per beam electron, binned in log10(E/GeV) × depth t (X0).

    track: (nE, nt) e⁺ + e⁻ track length (X0) per bin, for E ≥ e_min.
    photon_track: (nE, nt) photon track length (X0) per bin, for k ≥ e_min.
    photons_emitted: (nE,) bremsstrahlung photons with k ≥ e_min emitted per bin of k.
    deposit: (nt,) energy deposited per depth bin (GeV). track_below_min: (nt,) e± track with E < e_min.
    escaped: energy leaving the back face, {"electrons": GeV, "photons": GeV}.
    """

    settings: ShowerSettings
    log10_e_edges: NDArray[np.float64]
    t_edges: NDArray[np.float64]
    track: NDArray[np.float64]
    photon_track: NDArray[np.float64]
    photons_emitted: NDArray[np.float64]
    deposit: NDArray[np.float64]
    track_below_min: NDArray[np.float64]
    escaped: dict[str, float]
    metadata: dict[str, Any] = field(default_factory=dict)

    @property
    def material(self) -> Material:
        """The target material."""
        return get_material(self.settings.material)

    @property
    def e_edges(self) -> NDArray[np.float64]:
        """Energy edges in GeV."""
        return 10.0**self.log10_e_edges

    # ------------------------------------------------------------------ track lengths
    def _rebin2(self, a: NDArray[np.float64], e_edges: ArrayLike | None, t_edges: ArrayLike | None) -> NDArray[np.float64]:
        if e_edges is None and t_edges is None:
            return a.copy()
        le = self.log10_e_edges if e_edges is None else np.log10(np.maximum(np.asarray(e_edges, dtype=float), 1e-300))
        te = self.t_edges if t_edges is None else np.asarray(t_edges, dtype=float)
        me = _rebin_weights(self.log10_e_edges, le, "E_edges")
        mt = _rebin_weights(self.t_edges, te, "t_edges")
        cum = np.zeros((a.shape[0] + 1, a.shape[1] + 1))
        cum[1:, 1:] = a.cumsum(0).cumsum(1)
        c = me @ cum @ mt.T
        return np.maximum(np.diff(np.diff(c, axis=0), axis=1), 0.0)

    def track_length(self, E_edges: ArrayLike | None = None, t_edges: ArrayLike | None = None) -> NDArray[np.float64]:
        """e⁺ + e⁻ track length (X0 per beam electron) in bins of energy (GeV) × depth (X0).

        Edges must lie inside the table (e_min ≤ E ≤ E0, 0 ≤ t ≤ thickness); within a native bin
        the track is taken uniform in log E and in t. The track in the first t X0 is that of a
        target of thickness t (1D model, no backscattering).
        """
        return self._rebin2(self.track, E_edges, t_edges)

    def photon_track_length(self, k_edges: ArrayLike | None = None, t_edges: ArrayLike | None = None) -> NDArray[np.float64]:
        """Photon track length (X0 per beam electron) in bins of photon energy (GeV) × depth (X0)."""
        return self._rebin2(self.photon_track, k_edges, t_edges)

    def density(self) -> tuple[NDArray[np.float64], NDArray[np.float64], NDArray[np.float64]]:
        """(E centres GeV (geometric), t centres X0, d²ℓ/dE dt in X0 per GeV per X0) on the native bins."""
        e = self.e_edges
        dt = np.diff(self.t_edges)
        return np.sqrt(e[:-1] * e[1:]), 0.5 * (self.t_edges[:-1] + self.t_edges[1:]), self.track / np.outer(np.diff(e), dt)

    def total_track_length(self, E_min: float | None = None) -> float:
        """e± track length (X0 per beam electron) with energy above ``E_min`` (GeV) over the whole
        target. ``E_min=None`` means the table's e_min; ``E_min=0`` adds the track below e_min."""
        if E_min is None:
            return float(self.track.sum())
        E_min = float(E_min)
        if E_min == 0.0:
            return float(self.track.sum() + self.track_below_min.sum())
        e_lo, e_hi = self.e_edges[0], self.e_edges[-1]
        if not e_lo * (1 - 1e-9) <= E_min < e_hi:
            raise BeamdumpInputError(f"E_min={E_min}: must be 0 or lie in [{e_lo:g}, {e_hi:g}) GeV (table range)")
        return float(self.track_length([max(E_min, e_lo), e_hi], None).sum())

    def photon_spectrum(self, k_edges: ArrayLike | None = None) -> NDArray[np.float64]:
        """Bremsstrahlung photons (k ≥ e_min) emitted per beam electron in bins of k (GeV)."""
        if k_edges is None:
            return self.photons_emitted.copy()
        m = _rebin_weights(self.log10_e_edges, np.log10(np.maximum(np.asarray(k_edges, dtype=float), 1e-300)), "k_edges")
        cum = np.concatenate([[0.0], self.photons_emitted.cumsum()])
        return np.maximum(np.diff(m @ cum), 0.0)

    # ------------------------------------------------------------------ energy flow
    def energy_balance(self) -> dict[str, float]:
        """Deposited and escaping energy per beam electron (GeV); "total" should equal E0."""
        dep = float(self.deposit.sum())
        out = {"deposited": dep, **{f"escaped_{k}": float(v) for k, v in self.escaped.items()}}
        out["total"] = dep + sum(float(v) for v in self.escaped.values())
        return out

    def containment(self, depth: float) -> float:
        """Fraction of the beam energy deposited in the first ``depth`` X0 (linear within a bin):
        what an active dump of that length measures; 1 − containment leaks out of its back."""
        if not (np.isfinite(depth) and depth >= 0.0):
            raise BeamdumpInputError(f"containment depth: {depth!r} X0; allowed a finite value >= 0")
        cum = np.concatenate([[0.0], np.cumsum(self.deposit)])
        return float(np.interp(depth, self.t_edges, cum)) / self.settings.beam_energy

    def shower_maximum(self) -> float:
        """Depth (X0) of the maximum of the energy-deposition profile dE/dt: the highest point of
        the profile smoothed over ≈1 X0, refined by a parabola fitted to dE/dt within ±1 X0."""
        dt = np.diff(self.t_edges)
        tc = 0.5 * (self.t_edges[:-1] + self.t_edges[1:])
        dens = self.deposit / dt
        if not np.any(dens > 0):
            raise BeamdumpInputError("shower_maximum: no energy deposited in the target")
        width = max(1, int(round(1.0 / float(np.median(dt)))) | 1)
        smooth = np.convolve(dens, np.ones(width) / width, mode="same")
        i = int(np.argmax(smooth))
        near = np.abs(tc - tc[i]) <= 1.0
        if near.sum() >= 3:
            c2, c1, _ = np.polyfit(tc[near] - tc[i], dens[near], 2)
            if c2 < 0 and abs(c1 / (2 * c2)) <= 1.0:
                return float(tc[i] - c1 / (2 * c2))
        return float(tc[i])

    # ------------------------------------------------------------------ sampling
    def sample(
        self, n: int, rng: np.random.Generator | int | None = None
    ) -> tuple[NDArray[np.float64], NDArray[np.float64], NDArray[np.float64]]:
        """``n`` e± track elements drawn ∝ track length: (energy GeV, depth X0, weight X0).

        Each weight is total_track_length()/n, so Σ weight · f(E, t) estimates ∫ T(E,t) f dE dt
        (e.g. the A′ yield: f = n_atoms · dσ/dx). Within a bin, log E and t are uniform.
        """
        n = int(n)
        if n < 1:
            raise BeamdumpInputError(f"n={n}: must be ≥ 1")
        total = self.track.sum()
        if total <= 0:
            raise BeamdumpInputError("sample: the table has no track length above e_min")
        rng = np.random.default_rng(rng)
        u_cell = rng.random(n)
        u = rng.random((2, n))
        energy, t, _, _ = cell_points(self.track, self.log10_e_edges, self.t_edges, u_cell, u[0], u[1])
        return energy, t, np.full(n, total / n)

    # ------------------------------------------------------------------ persistence
    def _arrays(self) -> dict[str, NDArray[np.float64]]:
        return {name: np.ascontiguousarray(getattr(self, name), dtype=np.float64) for name in _ARRAY_NAMES}

    def save(self, path: str | os.PathLike[str]) -> Path:
        """Write a compressed ``.npz`` (JSON metadata embedded) atomically."""
        arrays = self._arrays()
        meta = {
            "format": FORMAT_VERSION, "key": self.settings.key(), "settings": self.settings.to_dict(),
            "escaped": self.escaped, "provenance": self.metadata,
        }
        return write_table(path, arrays, meta)

    @classmethod
    def load(cls, path: str | os.PathLike[str], expected_key: str | None = None) -> ShowerTable:
        """Read and validate a table written by :meth:`save`; any problem raises :class:`CacheError`."""
        path = Path(path)
        meta, arrays = read_table(path, _ARRAY_NAMES, "shower table")
        try:
            settings = ShowerSettings.from_dict(meta["settings"])
            escaped = {str(k): float(v) for k, v in meta["escaped"].items()}
        except Exception as exc:  # missing or bad settings
            raise CacheError(f"{path}: unreadable shower table ({type(exc).__name__}: {exc})") from exc
        check_table_key(path, meta, settings.key(), FORMAT_VERSION, expected_key)
        le, te = settings.log10_e_edges(), settings.t_edges()
        shape2 = (le.size - 1, te.size - 1)
        ok = (
            arrays["log10_e_edges"].shape == le.shape and np.allclose(arrays["log10_e_edges"], le, atol=1e-9)
            and arrays["t_edges"].shape == te.shape and np.allclose(arrays["t_edges"], te, atol=1e-9)
            and arrays["track"].shape == shape2 and arrays["photon_track"].shape == shape2
            and arrays["photons_emitted"].shape == (shape2[0],)
            and arrays["deposit"].shape == (shape2[1],) and arrays["track_below_min"].shape == (shape2[1],)
            and all(np.all(np.isfinite(a)) and np.all(a[...] >= 0) for n, a in arrays.items() if n != "log10_e_edges")
        )
        if not ok:
            raise CacheError(f"{path}: arrays inconsistent with the settings")
        return cls(settings, escaped=escaped, metadata=dict(meta.get("provenance", {})), **arrays)




# ====================================================================== the cascade
class _Tally:
    """Histogram accumulators (flat bincount) for one table."""

    def __init__(self, le: NDArray[np.float64], te: NDArray[np.float64]) -> None:
        self.le, self.te = le, te
        self.ne, self.nt = le.size - 1, te.size - 1
        self.track = np.zeros(self.ne * self.nt)
        self.photon_track = np.zeros(self.ne * self.nt)
        self.emitted = np.zeros(self.ne)
        self.deposit = np.zeros(self.nt)
        self.below = np.zeros(self.nt)

    def _ie(self, e: NDArray[np.float64]) -> NDArray[np.intp]:
        return np.clip(np.searchsorted(self.le, np.log10(e), side="right") - 1, 0, self.ne - 1)

    def _it(self, t: NDArray[np.float64]) -> NDArray[np.intp]:
        return np.clip(np.searchsorted(self.te, t, side="right") - 1, 0, self.nt - 1)

    def fill2(self, target: NDArray[np.float64], e: NDArray[np.float64], t: NDArray[np.float64], w: NDArray[np.float64]) -> None:
        if e.size:
            target += np.bincount(self._ie(e) * self.nt + self._it(t), weights=w, minlength=target.size)

    def fill_t(self, target: NDArray[np.float64], t: NDArray[np.float64], w: NDArray[np.float64]) -> None:
        if t.size:
            target += np.bincount(self._it(t), weights=w, minlength=self.nt)

    def fill_e(self, e: NDArray[np.float64]) -> None:
        if e.size:
            self.emitted += np.bincount(self._ie(e), minlength=self.ne)


def _route(
    e: NDArray[np.float64], t: NDArray[np.float64], e_min: float,
    below: tuple[list, list], live: tuple[list, list],
) -> None:
    """Append the electrons (energy, depth) below ``e_min`` to ``below``, the rest to ``live``."""
    low = e < e_min
    below[0].append(e[low])
    below[1].append(t[low])
    live[0].append(e[~low])
    live[1].append(t[~low])


def _sample_pair_fraction(rng: np.random.Generator, n: int) -> NDArray[np.float64]:
    """x = E(e⁻)/k from the complete-screening pair spectrum ∝ 1 − 4/3 x(1 − x) (rejection, ≥ 2/3 accepted)."""
    x = rng.random(n)
    todo = np.flatnonzero(rng.random(n) > 1.0 - 4.0 / 3.0 * x * (1.0 - x))
    while todo.size:
        xn = rng.random(todo.size)
        x[todo] = xn
        todo = todo[rng.random(todo.size) > 1.0 - 4.0 / 3.0 * xn * (1.0 - xn)]
    return x


def _run_batch(
    n: int, e0: float, e_min: float, ec: float, thick: float, tally: _Tally, rng: np.random.Generator
) -> tuple[float, float]:
    """Cascade ``n`` beam electrons; fills ``tally`` (sums over the batch). Returns the escaping
    energy (electrons, photons) summed over the batch, GeV."""
    esc_e = esc_g = 0.0
    e_en = np.full(n, e0)
    e_t = np.zeros(n)
    g_en = np.empty(0)
    g_t = np.empty(0)
    empty = np.empty(0)
    while e_en.size or g_en.size:
        sub_e: list[NDArray[np.float64]] = []  # electrons below e_min (energy, depth)
        sub_t: list[NDArray[np.float64]] = []
        soft_e, soft_t = empty, empty  # soft photons (k < e_min), treated like sub-cut photons
        new_g_e, new_g_t = [empty], [empty]
        new_e_e, new_e_t = [empty], [empty]
        if e_en.size:
            m = e_en.size
            yc = e_min / e_en
            lam = (4.0 / 3.0) * -np.log(yc)  # majorant of the y ≥ yc emission rate per X0
            soft = e_min * (4.0 / 3.0 - (2.0 / 3.0) * yc + yc * yc / 3.0)  # ∫_0^yc y·dN/dy · E per X0
            loss = ec + soft
            s_int = rng.exponential(1.0, m) / lam
            s_cut = (e_en - e_min) / loss
            s_exit = thick - e_t
            s = np.minimum(np.minimum(s_int, s_cut), s_exit)
            u = rng.random(m)
            e_mid = e_en - u * loss * s
            t_mid = e_t + u * s
            tally.fill2(tally.track, np.maximum(e_mid, e_min), t_mid, s)
            tally.fill_t(tally.deposit, t_mid, ec * s)
            soft_e, soft_t = soft * s, t_mid
            e_en = e_en - loss * s
            e_t = e_t + s
            exit_ = s_exit <= np.minimum(s_int, s_cut)
            cut = ~exit_ & (s_cut <= s_int)
            inter = ~exit_ & ~cut
            esc_e += float(e_en[exit_].sum())
            sub_e.append(np.maximum(e_en[cut], 0.0))
            sub_t.append(e_t[cut])
            # thinning: propose y ∝ 1/y on [yc(start), 1]; accept with φ(y)/(4/3) at the current energy
            ei, ti, yci = e_en[inter], e_t[inter], yc[inter]
            y = yci ** rng.random(ei.size)
            acc = (y * ei >= e_min) & (rng.random(ei.size) < 1.0 - y + 0.75 * y * y)
            k = y[acc] * ei[acc]
            tally.fill_e(k)
            new_g_e.append(k)
            new_g_t.append(ti[acc])
            e_after = ei.copy()
            e_after[acc] -= k
            _route(e_after, ti, e_min, (sub_e, sub_t), (new_e_e, new_e_t))
        if g_en.size:
            m = g_en.size
            s = rng.exponential(1.0 / PAIR_RATE, m)
            s_exit = thick - g_t
            out = s >= s_exit
            flight = np.where(out, s_exit, s)
            tally.fill2(tally.photon_track, g_en, g_t + rng.random(m) * flight, flight)
            esc_g += float(g_en[out].sum())
            w, tc = g_en[~out], g_t[~out] + s[~out]
            x = _sample_pair_fraction(rng, w.size)
            for part in (x * w, (1.0 - x) * w):
                _route(part, tc, e_min, (sub_e, sub_t), (new_e_e, new_e_t))
        # soft photons: convert after Exp(9/7) X0 into two electrons sharing the energy uniformly
        if soft_e.size:
            s = rng.exponential(1.0 / PAIR_RATE, soft_e.size)
            out = soft_t + s >= thick
            esc_g += float(soft_e[out].sum())
            w, tc = soft_e[~out], soft_t[~out] + s[~out]
            x = rng.random(w.size)
            sub_e += [x * w, (1.0 - x) * w]
            sub_t += [tc, tc]
        # electrons below e_min: ionisation only, range E/E_c
        se, st = np.concatenate(sub_e) if sub_e else empty, np.concatenate(sub_t) if sub_t else empty
        if se.size:
            rng_len = np.minimum(se / ec, thick - st)
            tp = st + rng.random(se.size) * rng_len
            tally.fill_t(tally.deposit, tp, ec * rng_len)
            tally.fill_t(tally.below, tp, rng_len)
            esc_e += float((se - ec * rng_len).sum())
        # every live electron either left, fell below e_min, or is in new_e_* (after an emission
        # or a rejected proposal); photons either escaped or converted
        e_en, e_t = np.concatenate(new_e_e), np.concatenate(new_e_t)
        g_en, g_t = np.concatenate(new_g_e), np.concatenate(new_g_t)
    return esc_e, esc_g


def simulate(settings: ShowerSettings) -> ShowerTable:
    """Run ``settings.n_showers`` cascades and return the table (tallies per beam electron)."""
    import time

    mat = get_material(settings.material)
    ec = mat.critical_energy
    le, te = settings.log10_e_edges(), settings.t_edges()
    tally = _Tally(le, te)
    rng = np.random.default_rng(settings.seed)
    # batches hold ~2e6 particles (≈ 0.5·E0/e_min per shower of each kind) to bound memory
    per_batch = max(1, min(settings.n_showers, int(4e6 * settings.e_min / settings.beam_energy)))
    t0 = time.perf_counter()
    esc_e = esc_g = 0.0
    done = 0
    while done < settings.n_showers:
        n = min(per_batch, settings.n_showers - done)
        a, b = _run_batch(n, settings.beam_energy, settings.e_min, ec, settings.thickness, tally, rng)
        esc_e += a
        esc_g += b
        done += n
    wall = time.perf_counter() - t0
    norm = 1.0 / settings.n_showers
    shape = (tally.ne, tally.nt)
    return ShowerTable(
        settings=settings, log10_e_edges=le, t_edges=te,
        track=tally.track.reshape(shape) * norm, photon_track=tally.photon_track.reshape(shape) * norm,
        photons_emitted=tally.emitted * norm, deposit=tally.deposit * norm, track_below_min=tally.below * norm,
        escaped={"electrons": esc_e * norm, "photons": esc_g * norm},
        metadata={
            "generator": "beamdump 1D EM cascade (Rossi approximation B)",
            "material": mat.name, "critical_energy_mev": mat.critical_energy_mev,
            "radiation_length_cm": mat.radiation_length_cm,
            "created_utc": datetime.now(timezone.utc).isoformat(timespec="seconds"),
            "wall_s": round(wall, 3), "numpy_version": np.__version__,
        },
    )


# ====================================================================== thin target
def thin_target(
    material: str | Material,
    beam_energy: float,
    thickness: float,
    e_min: float = 0.01,
    bins_per_decade: int = 20,
    depth_bins: int = 10,
) -> ShowerTable:
    """Analytic thin-target limit (thickness ≪ 1 X0), to first order in the number of emissions.

    The beam electron's track is the thickness; at depth t' it has radiated with probability
    t'·φ(y)/y dy (φ = 4/3 − 4/3 y + y²), so its track at E = E0(1 − y) < E0 is (t²/2)·φ(y)/(y E0)
    per GeV and the rest sits in the top energy bin; photons: t·φ(k/E0)/k emitted per GeV, photon
    track (t²/2)·φ/k. Pair conversion and ionisation changes of the track are neglected (O(t²)).
    """
    mat = get_material(material)
    if not 0.0 < float(thickness) <= 0.1:
        raise BeamdumpInputError(f"thickness={thickness}: the thin-target limit needs 0 < thickness ≤ 0.1 X0")
    settings = ShowerSettings(
        material=mat.name, beam_energy=beam_energy, e_min=e_min, thickness=thickness, n_showers=1,
        bins_per_decade=bins_per_decade, depth_bin=float(thickness) / depth_bins,
    )
    le, te = settings.log10_e_edges(), settings.t_edges()
    e0 = settings.beam_energy
    e = 10.0**le

    def phi_int(y_lo: NDArray[np.float64], y_hi: NDArray[np.float64]) -> NDArray[np.float64]:
        """∫ φ(y)/y dy between y_lo and y_hi."""
        f = lambda y: (4.0 / 3.0) * np.log(y) - (4.0 / 3.0) * y + 0.5 * y * y  # noqa: E731
        return f(y_hi) - f(y_lo)

    # photons: y = k/E0 over each k bin
    ph = thickness * phi_int(e[:-1] / e0, np.minimum(e[1:] / e0, 1.0))
    # degraded electrons: y = 1 − E/E0 over each E bin except the top one
    y_hi, y_lo = 1.0 - e[:-1] / e0, 1.0 - e[1:] / e0
    deg = np.zeros(e.size - 1)
    deg[:-1] = phi_int(y_lo[:-1], y_hi[:-1])
    t1, t2 = te[:-1], te[1:]
    half_sq = 0.5 * (t2**2 - t1**2)  # ∫ t' dt' over each depth bin
    track = np.outer(deg, half_sq)
    track[-1] = (t2 - t1) - track[:-1].sum(axis=0)
    photon_track = np.outer(ph / thickness, half_sq)
    a = settings.e_min / e0  # photon energy radiated above e_min: E0·t·∫_a^1 φ(y) dy
    photon_energy = e0 * thickness * ((4.0 / 3.0) * (1 - a) - (2.0 / 3.0) * (1 - a * a) + (1 - a**3) / 3.0)
    dep = mat.critical_energy * (t2 - t1)
    return ShowerTable(
        settings=settings, log10_e_edges=le, t_edges=te, track=track, photon_track=photon_track,
        photons_emitted=ph, deposit=dep, track_below_min=np.zeros(te.size - 1),
        escaped={"electrons": e0 - photon_energy - float(dep.sum()), "photons": photon_energy},
        metadata={"generator": "analytic thin-target limit"},
    )


def cell_points(
    weights: NDArray[np.float64], log10_e_edges: NDArray[np.float64], t_edges: NDArray[np.float64],
    u_cell: NDArray[np.float64], u_e: NDArray[np.float64], u_t: NDArray[np.float64],
) -> tuple[NDArray[np.float64], NDArray[np.float64], NDArray[np.float64], NDArray[np.intp]]:
    """Points in (energy, depth) cells drawn ∝ ``weights`` (nE, nt) from uniform numbers: ``u_cell``
    picks the cell, ``u_e`` and ``u_t`` place the point uniformly in log E and t inside it.
    Returns (energy GeV, depth X0, probability of the chosen cell, flat cell index)."""
    flat = weights.ravel()
    cdf = np.cumsum(flat)
    idx = np.minimum(np.searchsorted(cdf, u_cell * cdf[-1], side="right"), flat.size - 1)
    ie, it = np.unravel_index(idx, weights.shape)
    le = log10_e_edges[ie] + u_e * (log10_e_edges[ie + 1] - log10_e_edges[ie])
    t = t_edges[it] + u_t * (t_edges[it + 1] - t_edges[it])
    return 10.0**le, t, flat[idx] / cdf[-1], idx


# ====================================================================== cache
def cached_table(settings: ShowerSettings, regenerate: bool = False) -> ShowerTable:
    """Load ``<cache>/em_shower/<key>.npz`` if valid, else simulate, save atomically and return.

    The cache root is :func:`beamdump.datafiles.cache_dir` (``$BEAMDUMP_CACHE_DIR`` or the
    platformdirs user cache), shared with the meson spectra. A damaged or stale file is reported
    with a warning and regenerated.
    """
    return load_or_make("em_shower", settings.key(), ShowerTable.load, lambda: simulate(settings), "shower", regenerate)
