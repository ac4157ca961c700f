"""The electromagnetic shower of an electron beam as the source of production channels.

:class:`ShowerChannel` holds what every channel fed by the shower shares: the shower table of the
dump material (given, or simulated once and cached by :func:`default_shower_settings`), cut at
the dump's length; the target's atoms and electrons per X0; and the directions of the shower
particles (:mod:`.shower_angles`). :class:`VectorShowerChannel` adds a vector's rate factor
(s·x_e/Q_e)² for the channels that make one (:mod:`.electron_brems`,
:mod:`.positron_annihilation`); :mod:`.primakoff_shower` reads the two-photon coupling instead.
Each channel adds its cross-section and sampling.
Units: GeV, metres; depths and track lengths in X0.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property, lru_cache

import numpy as np
from hepunits import constants as hep_constants

from ..errors import BeamdumpInputError
from ..kinematics import FloatArray
from ..models.vector_charges import VectorCharges
from ..pdg import ELECTRON_MASS
from ..sources.materials import Material, get_material
from ..sources.shower_cascade import cached_table
from ..sources.shower_table import MIN_E_MIN, ShowerSettings, ShowerTable, cell_points
from .shower_angles import scattering_energy

AVOGADRO: float = float(hep_constants.Avogadro)  # per mol (hepunits)


def default_shower_settings(beam_energy: float, material: str | Material) -> ShowerSettings:
    """The shower table used when none is given.

    e_min = min(0.1 GeV, E0/200). The cascade treats photons softer than e_min as a continuous
    loss of their electron, which depletes the track just above e_min: with e_min = 1 GeV a
    20 GeV shower in Al loses 12% of its track above 1 GeV (23% in 1–1.5 GeV) and E137's yield
    at 10 MeV drops by 14%; with e_min = 0.1 GeV the track above 1 GeV agrees with 0.02 GeV to
    0.1%. 5e4 showers; 40 X0 hold the whole shower; 0.5 X0 depth bins (≈ 4–10 cm in Al) are far
    below any decay length that matters. The tables of the shipped electron presets ship in
    ``data/showers`` (``scripts/make_shower_tables.py``); any other is simulated once (5 s at
    2 GeV to ~1 min at 100 GeV on one core) and cached (:func:`.shower_cascade.cached_table`).
    """
    mat = get_material(material)
    e_min = min(0.1, float(beam_energy) / 200.0)
    return ShowerSettings(
        material=mat.name, beam_energy=float(beam_energy), e_min=max(e_min, MIN_E_MIN), thickness=40.0,
        n_showers=50_000, seed=137, bins_per_decade=20, depth_bin=0.5,
    )


@lru_cache(maxsize=8)
def _cached_default_table(settings: ShowerSettings) -> ShowerTable:
    return cached_table(settings)


def atoms_per_x0(material: str | Material) -> tuple[tuple[float, float, float], ...]:
    """(Z, A, n) per element: n = N_A · X0(g/cm²) · w / A atoms per cm² in one X0 of the material."""
    mat = get_material(material)
    x0 = mat.radiation_length_g_cm2
    return tuple((z, a, AVOGADRO * x0 * w / a) for z, a, w in mat.elements)


def electrons_per_x0(material: str | Material) -> float:
    """Atomic electrons per cm² in one X0 of the material: Σ_i Z_i n_i = N_A · X0(g/cm²) · Σ w_i Z_i/A_i."""
    return float(sum(z * n for z, _, n in atoms_per_x0(material)))


@dataclass(frozen=True)
class ShowerChannel:
    """Common part of the channels fed by the shower of a ``beam_energy`` GeV electron beam in
    ``material`` (see the subclasses for ``points`` and ``seed``).

    shower: a :class:`ShowerTable` of that material (default: :func:`default_shower_settings`,
    simulated once and cached). max_depth: length of the dump material along the beam (m); the
    shower, and the production, stop there (``None``: the whole table, 40 X0 by default).
    shower_angles: give each new particle the direction of its parent (multiple scattering and the
    inherited angles of the cascade); ``False`` puts every parent on the beam axis.
    scattering_energy: E_s in GeV (``None``: ``data/production/shower_angles.toml``).
    """

    beam_energy: float
    material: str | Material = "aluminium"
    shower: ShowerTable | None = None
    points: int = 8192
    seed: int = 7
    max_depth: float | None = None
    shower_angles: bool = True
    scattering_energy: float | None = None
    name: str = "shower"
    _cache: dict = field(default_factory=dict, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if not (np.isfinite(self.beam_energy) and self.beam_energy > 2.0 * ELECTRON_MASS):
            raise BeamdumpInputError(f"beam.energy_gev: {self.beam_energy!r} GeV; allowed > {2 * ELECTRON_MASS:.4g} GeV")
        mat = get_material(self.material)  # raises for unknown names
        if self.max_depth is not None and not (np.isfinite(self.max_depth) and self.max_depth > 0.0):
            raise BeamdumpInputError(f"beam.target_length: {self.max_depth!r} m; allowed a finite length > 0")
        if self.points < 64 or self.points & (self.points - 1):
            raise BeamdumpInputError(f"{self.name} points: {self.points}; allowed a power of two >= 64")
        if self.scattering_energy is not None and not (np.isfinite(self.scattering_energy) and self.scattering_energy > 0):
            raise BeamdumpInputError(f"{self.name} scattering_energy: {self.scattering_energy!r} GeV; allowed a finite value > 0")
        if self.shower is not None:
            if get_material(self.shower.settings.material).name != mat.name:
                raise BeamdumpInputError(
                    f"{self.name}: shower table of {self.shower.settings.material!r} given for material {mat.name!r}"
                )
            if abs(self.shower.settings.beam_energy - self.beam_energy) > 1e-9 * self.beam_energy:
                raise BeamdumpInputError(
                    f"{self.name}: shower table for E0 = {self.shower.settings.beam_energy:g} GeV given for a "
                    f"{self.beam_energy:g} GeV beam"
                )

    # ------------------------------------------------------------------ the source
    spectra = None  # no meson table

    @cached_property
    def mat(self) -> Material:
        return get_material(self.material)

    @cached_property
    def table(self) -> ShowerTable:
        """The shower table (given, or the cached default)."""
        if self.shower is not None:
            return self.shower
        return _cached_default_table(default_shower_settings(self.beam_energy, self.mat))

    @cached_property
    def elements(self) -> tuple[tuple[float, float, float], ...]:
        """(Z, A, atoms per cm² per X0) of each element."""
        return atoms_per_x0(self.mat)

    @cached_property
    def e_s(self) -> float:
        """The multiple-scattering energy E_s (GeV)."""
        return scattering_energy() if self.scattering_energy is None else float(self.scattering_energy)

    @cached_property
    def depth_x0(self) -> float:
        """Depth (X0) down to which the shower makes A′: the dump length, at most the table's."""
        full = float(self.table.t_edges[-1])
        if self.max_depth is None:
            return full
        return min(full, 100.0 * float(self.max_depth) / self.mat.radiation_length_cm)

    @cached_property
    def depth_edges(self) -> FloatArray:
        """Depth edges (X0) of the table cut at :attr:`depth_x0`: bin j lies inside the table's bin j."""
        edges = np.asarray(self.table.t_edges, dtype=float)
        if self.depth_x0 >= edges[-1]:
            return edges
        return np.append(edges[edges < self.depth_x0], self.depth_x0)

    @cached_property
    def track(self) -> FloatArray:
        """(nE, nt) e± track (X0) of the table in the bins of :attr:`depth_edges`."""
        if self.depth_edges.size == self.table.t_edges.size:
            return np.asarray(self.table.track, dtype=float)
        return self.table.track_length(t_edges=self.depth_edges)

    @cached_property
    def photon_track(self) -> FloatArray:
        """(nE, nt) photon track (X0) of the table in the bins of :attr:`depth_edges`."""
        if self.depth_edges.size == self.table.t_edges.size:
            return np.asarray(self.table.photon_track, dtype=float)
        return self.table.photon_track_length(t_edges=self.depth_edges)

    def photon_angle_rows(self, ie: np.ndarray, it: np.ndarray) -> FloatArray:
        """(n, nu) photon angle histograms of the cells (ie, it) of :attr:`depth_edges` (the
        table's own bins: the cut last bin keeps its histogram's shape)."""
        return np.asarray(self.table.photon_angle_hist, dtype=float)[ie, it]

    def mixture_points(self, track: FloatArray, u: FloatArray) -> tuple[FloatArray, FloatArray, FloatArray, np.ndarray]:
        """(E GeV, t X0, weight X0, flat cell index) of points drawn from a (nE, nt) track grid in
        the bins of :attr:`depth_edges` with the unit numbers ``u`` (n, 3): a defensive mixture,
        half ∝ track and half uniform over the energy bins that have track (∝ track in depth
        within each), so that the rare high-energy particles are not starved by the 1/E² spectrum;
        log E and t uniform inside the cell; weight T_cell/(n·p_cell)."""
        total = track.sum()
        if total <= 0.0:
            raise BeamdumpInputError(f"{self.name}: the shower table has no track length above e_min")
        per_e = track.sum(axis=1)
        live = per_e > 0.0
        uniform_e = np.where(live, 1.0 / live.sum(), 0.0)
        depth_share = np.divide(track, per_e[:, None], out=np.zeros_like(track), where=per_e[:, None] > 0)
        p = 0.5 * track / total + 0.5 * uniform_e[:, None] * depth_share
        energy, t, p_cell, idx = cell_points(p, self.table.log10_e_edges, self.depth_edges, u[:, 0], u[:, 1], u[:, 2])
        return energy, t, track.ravel()[idx] / p_cell / len(idx), idx

    @cached_property
    def positron_track(self) -> FloatArray:
        """(nE, nt) e⁺ track (X0) of the table in the bins of :attr:`depth_edges`."""
        if self.depth_edges.size == self.table.t_edges.size:
            return np.asarray(self.table.positron_track, dtype=float)
        return self.table.positron_track_length(t_edges=self.depth_edges)

    def origin(self, depth: FloatArray) -> FloatArray:
        """Production points (n, 3) in metres on the beam axis at depth (X0)."""
        out = np.zeros((np.size(depth), 3))
        out[:, 2] = np.asarray(depth) * self.mat.radiation_length_cm / 100.0
        return out



@dataclass(frozen=True)
class VectorShowerChannel(ShowerChannel):
    """A shower channel that makes a vector through its coupling to the electron: ``charges`` are
    the vector's (the rate scales as (s·x_e/Q_e)²: 1 for the dark photon)."""

    charges: VectorCharges = field(default_factory=VectorCharges.photon)

    @property
    def rate_factor(self) -> float:
        """The model's rate over the dark photon's: (s · x_e / Q_e)², s the coupling's unit over e."""
        return (self.charges.scale * self.charges.ratio("e")) ** 2

    def couples(self) -> bool:
        """Whether the vector couples to the electron."""
        return self.rate_factor > 0.0
