"""The fast engine: signal events N(m, g) on a grid for any model × production × experiment.

For each mass the production channels give weighted samples at coupling 1; each sample is
turned once into a :class:`~beamdump.lifetime_table.LifetimeTable` (geometry and daughter
acceptance included) and every coupling is then analytic:

    N(m, g) = N_beam · ε_det · Σ_final states BR_f(m) · Σ_channels T_{c,f}(m; g).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Callable, Sequence

import numpy as np

from .decay_in_volume import lifetime_table
from .errors import BeamdumpInputError
from .experiments.experiment import Experiment
from .kinematics import FloatArray
from .lifetime_table import LifetimeTable
from .production.sample import ProductionChannel


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
        return {name: t.evaluate(couplings) for name, t in self.tables.items()}

    def total(self, couplings: FloatArray | float) -> FloatArray:
        g = np.asarray(couplings, dtype=float)
        out = np.zeros(g.shape)
        for t in self.tables.values():
            out = out + t.evaluate(g)
        return out


class Reach:
    """Events for one experiment, one model, a set of production channels and final states."""

    def __init__(
        self,
        experiment: Experiment,
        model,
        channels: Sequence[ProductionChannel],
        final_states: Sequence[str],
        seed: int = 20231,
        segments: int = 4,
    ) -> None:
        if not channels:
            raise BeamdumpInputError("channels: at least one production channel is needed")
        known = model.final_states()
        for fs in final_states:
            if fs not in known:
                raise BeamdumpInputError(f"final state: {fs!r} is not known for {model.name}; allowed: {', '.join(known)}")
            experiment.acceptance(fs)  # raises if the experiment does not analyse it
        self.experiment = experiment
        self.model = model
        self.channels = tuple(channels)
        self.final_states = tuple(final_states)
        self.seed = seed
        self.segments = segments
        self._max_theta = float(experiment.volume.bounding_half_angle(np.zeros(3)))

    @property
    def max_mass(self) -> float:
        """Largest mass any channel can make (GeV)."""
        return max(c.mass_range()[1] for c in self.channels)

    def flux(self, mass: float) -> MassFlux:
        """Lifetime tables at one mass (GeV) for every channel, summed over final states."""
        exp = self.experiment
        rng = np.random.default_rng([self.seed, int(round(mass * 1e9))])
        ctau = float(self.model.ctau(mass, 1.0))
        norms = {fs: exp.n_beam * exp.efficiency(fs) * float(self.model.branching_fraction(mass, fs)) for fs in self.final_states}
        tables: dict[str, LifetimeTable] = {}
        for ch in self.channels:
            sample = ch.sample(mass, rng, max_theta=self._max_theta)
            total = LifetimeTable.empty(sample.coupling_power, self.model.lifetime_coupling_power)
            for fs, norm in norms.items():
                if norm <= 0.0 or len(sample) == 0:
                    continue
                t = lifetime_table(
                    sample,
                    exp.volume,
                    ctau,
                    self.model.lifetime_coupling_power,
                    acceptance=exp.acceptance(fs),
                    daughter_masses=self.model.daughter_masses(fs),
                    rng=rng,
                    segments=self.segments,
                )
                total = total + t.scaled(norm)
            tables[ch.name] = total
        return MassFlux(mass, tables)

    def grid(
        self,
        masses: FloatArray,
        couplings: FloatArray,
        progress: Callable[[int], None] | None = None,
    ) -> tuple[EventGrid, list[MassFlux]]:
        """Events on the grid masses × couplings (GeV, dimensionless); also the per-mass fluxes."""
        masses = np.asarray(masses, dtype=float)
        couplings = np.asarray(couplings, dtype=float)
        by_channel = {c.name: np.zeros((len(masses), len(couplings))) for c in self.channels}
        fluxes = []
        t_flux = t_eval = 0.0
        for i, m in enumerate(masses):
            t0 = time.perf_counter()
            fl = self.flux(float(m))
            t1 = time.perf_counter()
            for name, ev in fl.events(couplings).items():
                by_channel[name][i] = ev
            t_eval += time.perf_counter() - t1
            t_flux += t1 - t0
            fluxes.append(fl)
            if progress is not None:
                progress(1)
        total = sum(by_channel.values()) if by_channel else np.zeros((len(masses), len(couplings)))
        timings = {"flux_s": t_flux, "couplings_s": t_eval}
        return EventGrid(masses, couplings, np.asarray(total), by_channel, timings), fluxes
