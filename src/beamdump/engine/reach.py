"""The fast engine: signal events N(m, g) on a grid for any model × production × experiment.

For each mass the production channels give weighted samples at coupling 1; each sample is
turned once into a :class:`~beamdump.engine.lifetime_table.LifetimeTable` (geometry and daughter
acceptance included) and every coupling is then analytic:

    N(m, g) = N_beam · ε_det · Σ_final states BR_f(m) · Σ_channels T_{c,f}(m; g).
"""

from __future__ import annotations

import time
import zlib
from dataclasses import dataclass, field, replace
from functools import cached_property
from typing import Callable, Sequence

import numpy as np

from .decay_in_volume import decay_terms, flights_through
from ..errors import BeamdumpInputError
from ..experiments.experiment import CombinedExperiment, Experiment
from ..kinematics import FloatArray, boost, isotropic_directions
from ..models.base import Model
from ..rotations import random_rotation
from .lifetime_table import LifetimeTable, evaluate_tables
from .parallel import MassPool, mass_pool
from ..production.sample import ParticleSample, ProductionChannel


@dataclass
class EventGrid:
    """Signal events on a (mass, coupling) grid: ``total`` and ``by_channel`` have shape (n_m, n_g)."""

    masses: FloatArray
    couplings: FloatArray
    total: FloatArray
    by_channel: dict[str, FloatArray]
    timings: dict[str, float] = field(default_factory=dict)


@dataclass(frozen=True)
class MassFlux:
    """Lifetime tables of one mass, per channel, already multiplied by N_beam, efficiency and BR."""

    mass: float
    tables: dict[str, LifetimeTable]

    def events(self, couplings: FloatArray | float) -> dict[str, FloatArray]:
        """Events of each channel at each coupling."""
        return dict(zip(self.tables, evaluate_tables(list(self.tables.values()), couplings)))

    @cached_property
    def combined(self) -> LifetimeTable:
        """All channels in one table (one evaluation instead of one per channel)."""
        tables = list(self.tables.values())
        total = tables[0] if tables else LifetimeTable.empty()
        for t in tables[1:]:
            total = total + t
        return total

    def total(self, couplings: FloatArray | float) -> FloatArray:
        """Events summed over channels at each coupling."""
        return self.combined.evaluate(couplings)


def tilted(sample: ParticleSample, crossing_angle: float) -> ParticleSample:
    """The sample seen in the lab of beams crossing at half-angle ``crossing_angle`` (rad) in the
    vertical plane: the pp centre-of-mass frame moves with β_y = sin(angle), so every momentum is
    boosted along +y by it (exact; forward particles turn by the angle), and production points
    away from the IP turn with it."""
    beta = np.sin(crossing_angle)
    gamma = 1.0 / np.sqrt(1.0 - beta * beta)
    frame = np.array([gamma, 0.0, gamma * beta, 0.0])
    # production points away from the collision (an absorber hit by the collision's photons) turn
    # with the axis, about the IP in the vertical plane: (y, z) → (y cos a + z sin a, z cos a − y sin a)
    origin = sample.origin
    if np.any(origin[:, 2] != 0.0):
        c, s_ = np.cos(crossing_angle), np.sin(crossing_angle)
        origin = origin.copy()
        origin[:, 1], origin[:, 2] = c * sample.origin[:, 1] + s_ * sample.origin[:, 2], c * sample.origin[:, 2] - s_ * sample.origin[:, 1]
    return replace(sample, p4=boost(sample.p4, frame, mass=1.0), origin=origin)


def azimuth_forced(sample: ParticleSample, window: tuple[float, float], rng: np.random.Generator) -> ParticleSample:
    """The sample with every particle turned about the z axis to an azimuth drawn uniformly in
    ``window`` = (φ_lo, φ_hi) (rad) and its weight multiplied by (φ_hi − φ_lo)/2π.

    Exact (unbiased) for a source symmetric about the beam axis and a detector that nothing
    outside the window can reach; an off-axis detector then receives every particle instead of
    the fraction (φ_hi − φ_lo)/2π of them, which cuts the Monte Carlo noise by the square root
    of the inverse of that fraction. Production points turn with their particle."""
    lo, hi = window
    phi_new = lo + (hi - lo) * rng.random(len(sample))
    alpha = phi_new - np.arctan2(sample.p4[:, 2], sample.p4[:, 1])
    c, s = np.cos(alpha), np.sin(alpha)

    def turned(v: FloatArray, ix: int) -> FloatArray:  # rotate columns (ix, ix + 1) by alpha
        out = v.copy()
        x, y = v[:, ix], v[:, ix + 1]
        out[:, ix], out[:, ix + 1] = c * x - s * y, s * x + c * y
        return out

    p4, origin = turned(sample.p4, 1), turned(sample.origin, 0)
    return replace(sample, weights=sample.weights * ((hi - lo) / (2.0 * np.pi)), p4=p4, origin=origin)


_DIRECTION_BLOCK = 1 << 14  # daughter directions are drawn in blocks of this many


def _ev(mass: float) -> int:
    """A mass (GeV) as an integer number of eV: the key of its random streams."""
    return int(round(mass * 1e9))


class Reach:
    """Events for one experiment, one model, a set of production channels and final states."""

    def __init__(
        self,
        experiment: Experiment,
        model: Model,
        channels: Sequence[ProductionChannel],
        final_states: Sequence[str],
        seed: int = 20231,
        segments: int = 3,
    ) -> None:
        if not channels:
            raise BeamdumpInputError("channels: at least one production channel is needed")
        known = model.final_states()
        for fs in final_states:
            if fs not in known:
                raise BeamdumpInputError(f"final state: {fs!r} is not known for {model.name}; allowed: {', '.join(known)}")
            if not known[fs].visible:
                visible = [k for k, f in known.items() if f.visible]
                raise BeamdumpInputError(
                    f"final state: {fs!r} is invisible (counted in the width, never in the signal); allowed: {', '.join(visible)}"
                )
            experiment.acceptance(fs)  # raises if the experiment does not analyse it
        self.experiment = experiment
        self.model = model
        self.channels = tuple(channels)
        self.final_states = tuple(final_states)
        self.seed = seed
        self.segments = segments
        # a crossing angle tilts the collision axis: sample wider by that angle, then boost
        self._tilt = experiment.crossing_angle
        seen = float(experiment.volume.bounding_half_angle(np.zeros(3))) + self._tilt
        # a meson table covers a range of angles (the LHC forward tables θ < 0.1 rad): the detector must lie inside it
        top = min((c.spectra.theta_max for c in self.channels if c.spectra is not None), default=np.pi)
        if min(seen, np.pi) > top * (1.0 + 1e-12):  # a table up to π holds every direction
            raise BeamdumpInputError(
                f"decay_volume: seen from the source it spans up to {seen:.3g} rad, beyond the meson tables "
                f"(theta < {top:g} rad; the forward meson tables of colliders stop there); allowed: detectors within {top:g} rad"
            )
        self._max_theta = min(seen, np.pi)
        # an off-axis volume sees only a window of azimuth: send every particle into it (exact for
        # sources symmetric about the beam, which a crossing angle is not)
        self._azimuths = experiment.volume.azimuth_window() if self._tilt == 0.0 else None
        self._direction_pools: dict[str, FloatArray] = {}  # per channel: see _decay_directions

    @property
    def max_mass(self) -> float:
        """Largest mass any channel can make (GeV)."""
        return max(c.mass_range()[1] for c in self.channels)

    @property
    def runs(self) -> tuple["Reach", ...]:
        """The single-run engines this one is made of (itself)."""
        return (self,)

    def _decay_constants(self, masses: FloatArray) -> tuple[FloatArray, dict[str, FloatArray]]:
        """cτ at coupling 1 (m) and N_beam·efficiency·BR per final state, for all masses at once."""
        exp = self.experiment
        ctau = np.asarray(self.model.ctau(masses, 1.0), dtype=float)
        norms = {
            fs: exp.n_beam * exp.efficiency(fs) * np.asarray(self.model.branching_fraction(masses, fs), dtype=float)
            for fs in self.final_states
        }
        return ctau, norms

    def flux(self, mass: float, _constants: tuple[float, dict[str, float]] | None = None) -> MassFlux:
        """Lifetime tables at one mass (GeV) for every channel, summed over final states."""
        exp = self.experiment
        rng = np.random.default_rng([self.seed, _ev(mass)])
        if _constants is None:
            c, n = self._decay_constants(np.array([mass]))
            _constants = (float(c[0]), {fs: float(v[0]) for fs, v in n.items()})
        ctau, norms = _constants
        power = self.model.width_power
        samples = [ch.sample(mass, rng, max_theta=self._max_theta) for ch in self.channels]
        if self._tilt > 0.0:
            samples = [tilted(s, self._tilt) for s in samples]
        if self._azimuths is not None:
            samples = [azimuth_forced(s, self._azimuths, self._stream("azimuth", s.channel, _ev(mass))) for s in samples]
        tables = {ch.name: LifetimeTable.empty(s.coupling_power, power) for ch, s in zip(self.channels, samples)}
        if not any(len(s) for s in samples):
            return MassFlux(mass, tables)
        # all channels in one pass through the geometry and the detector, split again by channel
        merged = ParticleSample.concatenate(samples)
        starts = np.concatenate([[0], np.cumsum([len(s) for s in samples])])  # channel j owns particles starts[j]:starts[j+1]
        flights = flights_through(merged, exp.volume, exp.vertex_efficiency)
        # each channel's daughters get their own random stream: a channel's events do not
        # depend on which other channels run beside it
        directions = np.zeros((len(merged), 3))
        cut = np.searchsorted(flights.particle, starts)  # flights come in particle order too
        for j, s in enumerate(samples):
            hit = flights.particle[cut[j] : cut[j + 1]]
            if len(hit):
                directions[hit] = self._decay_directions(s.channel, hit - starts[j], mass)
        for fs, norm in norms.items():
            if norm <= 0.0:
                continue
            u, c, particle = decay_terms(
                merged, flights, ctau, exp.acceptance(fs), self.model.final_states()[fs].at(mass), rng, self.segments, directions
            )
            # each channel owns the terms of its particles; without a daughter acceptance the terms
            # come as all entries then all exits (two particle-ordered runs), so select by particle
            # (a mask keeps the terms' order: one channel's table is the same as alone)
            for j, ch in enumerate(self.channels):
                mine = (particle >= starts[j]) & (particle < starts[j + 1])
                if np.any(mine):
                    # each particle's terms sum to 0 exactly (they telescope)
                    t = LifetimeTable.from_terms(u[mine], c[mine], merged.coupling_power, power, total=0.0)
                    tables[ch.name] = tables[ch.name] + t.scaled(norm)
        return MassFlux(mass, tables)

    def decay_directions(self, channel: str, mass: float, n: int) -> FloatArray:
        """The rest-frame directions (n, 3) of the first daughter that :meth:`flux` gives the
        particles 0..n−1 of ``channel``'s sample at ``mass`` (GeV): its decays, reproduced."""
        return self._decay_directions(channel, np.arange(n), mass)

    def _decay_directions(self, channel: str, index: np.ndarray, mass: float) -> FloatArray:
        """Rest-frame daughter directions (n, 3) of one channel's particles at sample positions
        ``index`` and ``mass`` (GeV): entry i of a fixed isotropic sequence of the channel (drawn
        in blocks from streams keyed by (seed, channel, block) and kept), turned by a random
        rotation of (seed, channel, mass). No mass pays for drawing them, each mass's decays are
        a fresh isotropic sample, and none depends on the masses computed before it."""
        pool = self._direction_pools.get(channel, np.zeros((0, 3)))
        top = int(index.max()) + 1
        if top > len(pool):
            blocks = [pool] + [
                isotropic_directions(_DIRECTION_BLOCK, self._stream("decay", channel, block))
                for block in range(len(pool) // _DIRECTION_BLOCK, -(-top // _DIRECTION_BLOCK))
            ]
            pool = self._direction_pools[channel] = np.concatenate(blocks)
        return pool[index] @ random_rotation(self._stream("rotation", channel, _ev(mass))).T

    def _stream(self, purpose: str, channel: str, key: int) -> np.random.Generator:
        """A random stream of its own for (purpose, channel, key): the key is a mass in eV or a
        block number."""
        return np.random.default_rng([self.seed, zlib.crc32(purpose.encode()), zlib.crc32(channel.encode()), key])

    def grid(
        self,
        masses: FloatArray,
        couplings: FloatArray,
        progress: Callable[[int], None] | None = None,
        workers: int = 1,
    ) -> tuple[EventGrid, list[MassFlux]]:
        """Events on the grid masses × couplings (GeV, dimensionless); also the per-mass fluxes.

        ``workers`` > 1 computes the masses' lifetime tables on a Dask LocalCluster of that many
        processes (:mod:`.parallel`); the results are bit-identical for any number of workers."""
        with mass_pool(workers) as pool:
            return self._grid(masses, couplings, progress, pool)

    def _grid(
        self, masses: FloatArray, couplings: FloatArray, progress: Callable[[int], None] | None, pool: MassPool | None
    ) -> tuple[EventGrid, list[MassFlux]]:
        masses = np.asarray(masses, dtype=float)
        couplings = np.asarray(couplings, dtype=float)
        by_channel = {c.name: np.zeros((len(masses), len(couplings))) for c in self.channels}
        ctau, norms = self._decay_constants(masses)
        constants = [(float(ctau[i]), {fs: float(v[i]) for fs, v in norms.items()}) for i in range(len(masses))]
        t0 = time.perf_counter()
        if pool is None:
            fluxes = []
            for m, c in zip(masses, constants):
                fluxes.append(self.flux(float(m), c))
                if progress is not None:
                    progress(1)
        else:
            fluxes = pool.fluxes(self, masses, constants, progress)
        t1 = time.perf_counter()
        for i, fl in enumerate(fluxes):
            for name, ev in fl.events(couplings).items():
                by_channel[name][i] = ev
        t2 = time.perf_counter()
        total = sum(by_channel.values()) if by_channel else np.zeros((len(masses), len(couplings)))
        timings = {"flux_s": t1 - t0, "couplings_s": t2 - t1}
        return EventGrid(masses, couplings, np.asarray(total), by_channel, timings), fluxes


class CombinedReach:
    """Events of several runs added (a combined result such as NA64 2017 + 2018): one
    :class:`Reach` per run, the same model and final states, the tables summed channel by channel."""

    def __init__(self, experiment: CombinedExperiment, parts: Sequence[Reach]) -> None:
        if not parts:
            raise BeamdumpInputError(f"combine: {experiment.name} has no runs")
        self.experiment = experiment
        self.parts = tuple(parts)
        self.model = parts[0].model
        self.final_states = parts[0].final_states
        by_name: dict[str, ProductionChannel] = {}
        for p in parts:
            for c in p.channels:
                by_name.setdefault(c.name, c)
        self.channels = tuple(by_name.values())

    @property
    def max_mass(self) -> float:
        """Largest mass any run's channels can make (GeV)."""
        return max(p.max_mass for p in self.parts)

    @property
    def runs(self) -> tuple[Reach, ...]:
        """The single-run engines whose events are added."""
        return self.parts

    def flux(self, mass: float) -> MassFlux:
        """The runs' lifetime tables at one mass (GeV), added channel by channel."""
        return MassFlux(mass, _added([p.flux(mass).tables for p in self.parts]))

    def grid(
        self,
        masses: FloatArray,
        couplings: FloatArray,
        progress: Callable[[int], None] | None = None,
        workers: int = 1,
    ) -> tuple[EventGrid, list[MassFlux]]:
        """Events on the grid, summed over the runs; also the summed per-mass fluxes.
        ``workers``: as for :meth:`Reach.grid` (one cluster serves every run)."""
        with mass_pool(workers) as pool:
            runs = [p._grid(masses, couplings, progress, pool) for p in self.parts]
        by_channel = _added([g.by_channel for g, _ in runs])
        timings = _added([g.timings for g, _ in runs])
        fluxes = [
            MassFlux(float(m), _added([fl[i].tables for _, fl in runs]))
            for i, m in enumerate(np.asarray(masses, dtype=float))
        ]
        total = sum(g.total for g, _ in runs)
        return EventGrid(np.asarray(masses, float), np.asarray(couplings, float), total, by_channel, timings), fluxes


def _added(dicts: Sequence[dict]) -> dict:
    """Key-wise sum of dicts (tables, event arrays, timings); a key in one dict only is kept."""
    out: dict = {}
    for d in dicts:
        for k, v in d.items():
            out[k] = out[k] + v if k in out else v
    return out
