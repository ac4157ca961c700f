"""The X17 question: which ε each electron experiment excludes at the X17 masses, and which active
dump length and electron count would cover the rest of the proto-phobic band.

Masses and the band come from ``data/x17.toml`` (with sources). Everything else is the reach
engine: the excluded interval at one mass is found by root-finding on the exact N(ε) of that
mass's flux; the design scan rebuilds the experiment with each dump length
(:func:`~beamdump.experiments.variants.with_dump_length`: the decay region moves with the dump's
back face) and scales the events linearly with the electron count.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Callable, Sequence

import numpy as np

from ..engine.analysis import make_reach
from ..limits.contours import band_edges
from ..datafiles import load_toml, package_data
from ..errors import BeamdumpInputError
from ..experiments.experiment import CombinedExperiment, Experiment
from ..experiments.variants import with_dump_length
from ..kinematics import FloatArray
from ..engine.reach import CombinedReach, MassFlux, Reach
from ..sources.materials import get_material

_SCAN_COUPLINGS = np.geomspace(1e-9, 1e-1, 321)  # 40 per decade; the edges are then solved exactly


@dataclass(frozen=True)
class X17Targets:
    """The X17 masses (GeV) and ε bands of ``data/x17.toml``."""

    masses: tuple[tuple[str, float], ...]
    band: tuple[float, float]
    published: tuple[float, float]
    sources: tuple[str, ...]


@lru_cache(maxsize=1)
def x17_targets() -> X17Targets:
    """The X17 masses, the proto-phobic ε band and NA64's published interval, from the data file."""
    d = load_toml(package_data("x17.toml"))
    masses = tuple((m["label"], float(m["value_gev"])) for m in d["mass"])
    p, n = d["protophobic"], d["na64_published"]
    sources = tuple(m["source"] for m in d["mass"]) + (p["source"], n["source"])
    return X17Targets(masses, (float(p["eps_min"]), float(p["eps_max"])), (float(n["eps_lower"]), float(n["eps_upper"])), sources)


def interval_from_flux(
    flux: MassFlux, threshold: float, scale: float = 1.0, scan_events: FloatArray | None = None
) -> tuple[float, float] | None:
    """The excluded coupling interval of one mass's flux (events × ``scale``) at ``threshold`` events.
    ``scan_events``: ``flux.total`` on the scan's couplings, when the caller already has it."""
    events = (flux.total(_SCAN_COUPLINGS) if scan_events is None else scan_events) * scale
    log_thr = np.log(threshold)

    def exact(log_g: float) -> float:
        n = float(flux.total(np.exp(log_g))) * scale
        return np.log(n) - log_thr if n > 0 else -np.inf

    edges = band_edges(_SCAN_COUPLINGS, events, threshold, exact=exact)
    return None if edges is None else (float(edges[0]), float(edges[1]))


def excluded_interval(engine: Reach | CombinedReach, mass: float) -> tuple[float, float] | None:
    """The ε interval ``engine``'s experiment excludes at ``mass`` (GeV), or None."""
    lo, hi = (min(c.mass_range()[0] for c in engine.channels), engine.max_mass)
    if not lo < mass < hi:
        return None
    return interval_from_flux(engine.flux(float(mass)), engine.experiment.limit_for(engine.final_states).upper_limit())


def check_design_base(base: Experiment | CombinedExperiment) -> None:
    """An input error unless ``base`` is a single electron-beam run whose dump length is set."""
    if isinstance(base, CombinedExperiment):
        raise BeamdumpInputError(f"design scan: {base.name} combines runs; give a single run (e.g. na64-x17-upgrade)")
    if base.config.beam.particle != "electron":
        raise BeamdumpInputError(f"design scan: {base.name} has a {base.config.beam.particle} beam; allowed: electron-beam presets")
    if base.config.beam.target_length is None:
        raise BeamdumpInputError(f"design scan: {base.name} sets no beam.target_length, so its dump length cannot be varied")


@dataclass(frozen=True)
class DesignPoint:
    """One design of the scan: dump length, electron count and the excluded interval there."""

    dump_length_x0: float
    dump_length_m: float
    n_electrons: float
    eps_lower: float
    eps_upper: float
    covers_rest: bool
    covers_band: bool
    containment: float


def design_scan(
    base: Experiment,
    lengths_x0: Sequence[float],
    counts: Sequence[float],
    mass: float,
    model: str = "dark-photon",
    progress: Callable[[int], None] | None = None,
) -> list[DesignPoint]:
    """Excluded interval at ``mass`` (GeV) for each dump length (X0 of the dump material) × electron
    count. ``covers_rest``: the interval reaches from NA64's published upper edge (or below) to
    the top of the proto-phobic band; ``covers_band``: it holds the whole band. ``containment``:
    the fraction of the beam energy the dump absorbs (1-D shower), which the E_dump + E_ECAL ≈
    E_beam selection needs close to 1 — a thin dump leaks the shower into the decay region.
    Lengths beyond the shower table (40 X0) make no more A′ than 40 X0 (the shower is over)."""
    check_design_base(base)
    x0_m = get_material(base.config.beam.target).radiation_length_cm / 100.0
    targets = x17_targets()
    band_lo, band_hi = targets.band
    rest_lo = targets.published[1]
    out: list[DesignPoint] = []
    for length in lengths_x0:
        if not (np.isfinite(length) and length > 0):
            raise BeamdumpInputError(f"dump lengths: {length!r} X0; allowed finite values > 0")
        exp = Experiment.from_config(with_dump_length(base.config, float(length) * x0_m))
        engine = make_reach(exp, model)
        flux = engine.flux(float(mass))
        contained = engine.channels[0].table.containment(float(length))
        threshold = exp.limit_for(engine.final_states).upper_limit()
        scan = flux.total(_SCAN_COUPLINGS)  # the same for every electron count: only the scale changes
        for n in counts:
            got = interval_from_flux(flux, threshold, scale=float(n) / exp.n_beam, scan_events=scan)
            lo, hi = got if got is not None else (np.nan, np.nan)
            out.append(
                DesignPoint(
                    float(length), float(length) * x0_m, float(n), lo, hi,
                    bool(got is not None and lo <= rest_lo and hi >= band_hi),
                    bool(got is not None and lo <= band_lo and hi >= band_hi),
                    contained,
                )
            )
        if progress is not None:
            progress(1)
    return out


def scan_grid(points: Sequence[DesignPoint]) -> tuple[FloatArray, FloatArray, FloatArray, np.ndarray]:
    """(lengths X0, counts, upper edge (n_L, n_N), covers_rest (n_L, n_N)) of a scan's points."""
    lengths = np.unique([p.dump_length_x0 for p in points])
    counts = np.unique([p.n_electrons for p in points])
    upper = np.full((lengths.size, counts.size), np.nan)
    covered = np.zeros((lengths.size, counts.size), dtype=bool)
    for p in points:
        i, j = np.searchsorted(lengths, p.dump_length_x0), np.searchsorted(counts, p.n_electrons)
        upper[i, j] = p.eps_upper
        covered[i, j] = p.covers_rest
    return lengths, counts, upper, covered


def minimal_counts(points: Sequence[DesignPoint]) -> dict[float, float | None]:
    """For each dump length (X0), the smallest electron count of the scan that covers the rest."""
    out: dict[float, float | None] = {}
    for p in sorted(points, key=lambda q: (q.dump_length_x0, q.n_electrons)):
        out.setdefault(p.dump_length_x0, None)
        if p.covers_rest and out[p.dump_length_x0] is None:
            out[p.dump_length_x0] = p.n_electrons
    return out
