"""The main job, end to end: experiment + model + channels → events grid → upper limit → band."""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field
from typing import Callable, Sequence

import numpy as np

from ..limits.contours import ExclusionBand, coupling_cap, exclusion_band
from ..limits.edges import FLOOR_DECADES, SearchRange
from ..errors import BeamdumpInputError
from ..experiments.experiment import CombinedExperiment, Experiment
from ..kinematics import FloatArray
from ..limits.stats import LimitSettings
from ..models import Coupling, Model, get_model
from ..experiments.acceptance import DaughterAcceptance
from ..experiments.config import ExperimentConfig
from ..production.channels import applicable, build_channels
from ..production.decay_pipe import DecayPipe
from ..production.flavour_decays import StoppedKaons
from ..production.primakoff_photons import Converter
from ..sources.materials import get_material
from ..production.proton_brems import BremsSettings
from .reach import CombinedReach, EventGrid, MassFlux, Reach


@dataclass
class ReachResult:
    """Everything a reach run produced."""

    experiment: Experiment | CombinedExperiment
    model: Model
    final_states: tuple[str, ...]
    channels: tuple[str, ...]
    grid: EventGrid
    threshold: float
    band: ExclusionBand
    timings: dict[str, float] = field(default_factory=dict)
    fluxes: dict[float, MassFlux] = field(default_factory=dict, repr=False)
    search: Callable[[float], SearchRange] | None = field(default=None, repr=False)

    def events_at(self, reach: Reach | CombinedReach, channel: str | None = None) -> Callable[[float], Callable[[FloatArray], FloatArray]]:
        """mass ↦ (g ↦ events) of all channels or of one, computing (and keeping) new masses' fluxes."""

        def at(m: float) -> Callable[[FloatArray], FloatArray]:
            if m not in self.fluxes:
                self.fluxes[m] = reach.flux(m)
            flux = self.fluxes[m]
            return flux.total if channel is None else flux.tables[channel].evaluate

        return at

    @property
    def coupling(self) -> Coupling:
        """The scanned coupling (key, label, unit)."""
        return self.model.coupling

    def band_of(
        self, events: FloatArray, events_at: Callable[[float], Callable[[FloatArray], FloatArray]], comments: tuple[str, ...]
    ) -> ExclusionBand:
        """The band of other events on this run's grid, with its limit, model, coupling, CL and
        search beyond the grid."""
        g = self.grid
        return exclusion_band(
            g.masses, g.couplings, events, self.threshold, events_at=events_at, comments=comments,
            coupling=self.band.coupling, model=self.band.model, cl=self.band.cl, search=self.search,
        )

    def plot(self, ax=None, label: str | None = None, events: bool = True):
        """Draw the excluded band (and, with ``events``, the event map) into ``ax`` (a new figure's
        axes when None); returns the axes."""
        from ..report.plotting import draw_reach

        return draw_reach(self, ax=ax, label=label, events=events)


def default_couplings(coupling: Coupling, per_decade: int = 20) -> FloatArray:
    """The coupling's default scan range, ``per_decade`` log-spaced points a decade."""
    lo, hi = coupling.default_range
    return np.geomspace(lo, hi, int(round(per_decade * np.log10(hi / lo))) + 1)


def log_range(lo: float, hi: float, n: int, what: str) -> FloatArray:
    """n log-spaced values from lo to hi; bad ranges raise a one-line error naming ``what``."""
    if not (np.isfinite(lo) and np.isfinite(hi)) or lo <= 0 or hi <= 0:
        raise BeamdumpInputError(f"{what}: {lo:g}:{hi:g} must be positive and finite")
    if hi <= lo:
        raise BeamdumpInputError(f"{what}: the range {lo:g}:{hi:g} is empty; MAX must exceed MIN")
    if not 2 <= n <= 5000:
        raise BeamdumpInputError(f"{what}: N = {n} points; allowed 2 to 5000")
    return np.geomspace(lo, hi, n)


def default_mass_range(reach: Reach) -> tuple[float, float]:
    """From just above the lightest final state's threshold (at least the model's lightest valid
    mass) to the heaviest channel's reach (GeV)."""
    states = reach.model.final_states()
    thresholds = [states[fs].threshold for fs in reach.final_states]
    lo = max(min(thresholds) * 1.0005, reach.model.valid_masses[0])
    hi = min(reach.max_mass * 0.999, reach.model.valid_masses[1])
    if lo >= hi:
        names = ", ".join(c.name for c in reach.channels)
        raise BeamdumpInputError(
            f"final state: {'+'.join(reach.final_states)} needs m > {lo:.4g} GeV, but the channels ({names}) "
            f"make at most {reach.max_mass:.4g} GeV"
        )
    return lo, hi


#: where the default grid adds masses around each decay threshold t: t × (1 + step); a width
#: opening as β³ (a scalar's μμ) changes the lifetime by decades within a few per cent above t
THRESHOLD_STEPS = (-1e-3, 1e-3, 4e-3, 1.6e-2)


def default_masses(reach: Reach, n: int = 100) -> FloatArray:
    """The default mass grid (GeV): ``n`` log-spaced masses over :func:`default_mass_range`, plus
    masses just below and above every threshold t of the model's final states inside it
    (t × (1 + s) for s in :data:`THRESHOLD_STEPS`) — where a width opens (μμ, ππ, KK̄) the lifetime
    and the visible fraction jump, and a band drawn through a log grid alone would smear the step
    over a grid interval."""
    lo, hi = default_mass_range(reach)
    marks = {float(fs.threshold) for fs in reach.model.final_states().values()}
    near = [t * (1.0 + step) for t in marks if t > 0 for step in THRESHOLD_STEPS]
    return np.unique(np.concatenate([np.geomspace(lo, hi, n), [m for m in near if lo < m < hi]]))


def check_masses(masses: FloatArray, reach: Reach) -> None:
    """Masses beyond every channel's reach are an input error, not an empty plot."""
    top = reach.max_mass
    if masses.min() >= top:
        names = ", ".join(c.name for c in reach.channels)
        raise BeamdumpInputError(
            f"masses: {masses.min():g}–{masses.max():g} GeV is beyond what the channels ({names}) can make; "
            f"allowed up to {top:.4g} GeV"
        )


DECAY_LENGTH_CAP = 1e-6  # m: above the coupling where γ·cτ is this short, no edge is searched for


def edge_search(reach: Reach | CombinedReach, couplings: FloatArray) -> Callable[[float], SearchRange]:
    """mass (GeV) ↦ how far beyond the coupling grid an edge is searched for.

    Floor: ``FLOOR_DECADES`` (20) below the grid's smallest coupling. Below the grid N ∝ g^(k+p)
    (g⁴ for a vector), so N has fallen by 10^40 or more there: a lower edge not closed by then is an
    N(g) that does not fall, which no production does.
    Cap: the smaller of (a) the coupling where even the most boosted particle, γ = E_beam/m (an
    overestimate: no particle carries more than the beam's energy; for a collider E_beam is √s),
    decays within 1 µm, γ·cτ(m, g) < 1 µm — every preset's decay volume lies at least a shield of
    centimetres from where particles are made, so their survival to it is below e^(−10⁴) and N is
    0 in double precision, unless particles are made inside the volume — and (b) the coupling's
    ``physical_max`` (:func:`~beamdump.limits.contours.coupling_cap`: ε ≤ 1, g ≤ √(4π)). Never below
    the grid's largest coupling.
    """
    couplings = np.asarray(couplings, dtype=float)
    floor = float(couplings.min()) / 10**FLOOR_DECADES
    e_max = max(r.experiment.beam_energy for r in reach.runs)
    power = reach.model.width_power
    unit_cap, unit_why = coupling_cap(reach.model.coupling)
    key = reach.model.coupling.key
    why_decay = f"{key} where gamma*c*tau < 1 micron at gamma = E_beam/m = {e_max:g} GeV/m"
    fallback = float(couplings.max()) * 10**FLOOR_DECADES

    def at(mass: float) -> SearchRange:
        ctau1 = float(np.asarray(reach.model.ctau(np.array([mass]), 1.0), dtype=float).reshape(-1)[0])
        gamma = max(e_max / mass, 1.0)
        ok = np.isfinite(ctau1) and ctau1 > 0.0 and power > 0
        decay_cap = (ctau1 * gamma / DECAY_LENGTH_CAP) ** (1.0 / power) if ok else math.inf
        cap, why = min((unit_cap, unit_why), (decay_cap, why_decay), key=lambda c: c[0])
        if not math.isfinite(cap):
            cap, why = fallback, f"{FLOOR_DECADES:g} decades above the grid (no lifetime or unit cap)"
        return SearchRange(floor, cap, f"{FLOOR_DECADES:g} decades below the grid", why)

    return at


def _model_final_states(listed: Sequence[str], model: Model, preset: str) -> list[str]:
    """The preset's final states that the model decays to (a preset lists those of every model it
    analyses); none is a one-line input error."""
    known = model.final_states()
    out = [fs for fs in listed if fs in known]
    if not out:
        raise BeamdumpInputError(
            f"final state: {preset} analyses {', '.join(listed)}; {model.name} decays to {', '.join(known)}: "
            "no final state in common (give --final-state, or another preset)"
        )
    return out


def _model_channels(listed: Sequence[str], model: Model, preset: str) -> list[str]:
    """The preset's channels that can make the model; none is a one-line input error."""
    out = applicable(listed, model)
    if not out:
        raise BeamdumpInputError(
            f"channel: {preset} lists the channels {', '.join(listed)}, none of which makes {model.name} "
            "(give --channels, or another preset)"
        )
    return out


def _visible_energy(acceptance: DaughterAcceptance) -> float:
    """The smallest energy (GeV) of a parent whose two daughters can pass the energy cuts."""
    return max(acceptance.min_energy_sum, 2.0 * acceptance.min_energy_each)


def _converter(cfg: ExperimentConfig) -> Converter | None:
    """The preset's [primakoff] converter (None: the dump at the source)."""
    p = cfg.primakoff
    if p is None:
        return None
    length = None
    if p.length is not None:
        length = 100.0 * p.length.value / get_material(p.material).radiation_length_cm
    return Converter(p.material, p.z.value, p.radius.value if p.radius else None, length)


def _stopped_kaons(cfg: ExperimentConfig) -> StoppedKaons | None:
    """The preset's [kaons_at_rest] (None: the preset has none)."""
    k = cfg.kaons_at_rest
    if k is None:
        return None
    return StoppedKaons(k.per_proton.value, k.z.value, k.x.value if k.x else 0.0, k.y.value if k.y else 0.0)


def _decay_pipe(cfg: ExperimentConfig) -> DecayPipe | None:
    """The preset's [decay_pipe] (None: the preset has none)."""
    d = cfg.decay_pipe
    if d is None:
        return None
    t = d.target_length_interaction_lengths
    return DecayPipe(d.z_start.value, d.z_end.value, d.radius.value, t.value if t is not None else None)


def collider_parent_tables(cfg: ExperimentConfig) -> dict | None:
    """The B tables of an e+e- collider at the Upsilon(4S) (None: the K and B channels take
    their parents from :func:`~beamdump.sources.flavour_spectra.parent_spectra`)."""
    beam = cfg.beam
    if beam.particle != "electron-positron" or beam.electron_energy_gev is None or beam.positron_energy_gev is None:
        return None
    from ..sources.upsilon4s import Upsilon4SBeams, upsilon4s_tables

    half = beam.crossing_angle.value if beam.crossing_angle is not None else 0.0
    return upsilon4s_tables(Upsilon4SBeams(beam.electron_energy_gev.value, beam.positron_energy_gev.value, half))


def make_reach(
    experiment: Experiment | CombinedExperiment,
    model: str | Model | None = None,
    final_states: Sequence[str] | None = None,
    channels: Sequence[str] | None = None,
    seed: int = 20231,
    brems: BremsSettings | None = None,
) -> Reach | CombinedReach:
    """A reach engine with the experiment's defaults where nothing is given.

    ``model``: a name (see :func:`beamdump.models.model_names`) or a model object; ``None`` takes
    the preset's own (``model`` in its file; the dark photon unless it says otherwise).
    ``brems`` sets the (z, p_T) region and form factor of proton bremsstrahlung (default: the
    published choice of the data file). A combined preset gets one engine per run, added.
    """
    if model is None:
        model = experiment.model
    if isinstance(experiment, CombinedExperiment):
        fs = final_states or _model_final_states(experiment.config.final_states, get_model(model), experiment.name)
        parts = [make_reach(p, model, fs, channels, seed, brems) for p in experiment.parts]
        return CombinedReach(experiment, parts)
    model = get_model(model)
    cfg = experiment.config
    # repeated names would count a channel twice: keep each once, in order
    fs = tuple(dict.fromkeys(final_states or _model_final_states(cfg.final_states, model, experiment.name)))
    names = tuple(dict.fromkeys(channels or _model_channels(cfg.channels, model, experiment.name)))
    length = cfg.beam.target_length.value if cfg.beam.target_length is not None else None
    chans = build_channels(
        names, cfg.beam.particle, experiment.beam_energy, model, brems=brems, target=cfg.beam.target or None,
        target_length=length, collider_tune=(cfg.beam.tune or "forward") if cfg.beam.collider else None,
        meson_production=cfg.beam.meson_production, converter=_converter(cfg), stopped_kaons=_stopped_kaons(cfg),
        parent_tables=collider_parent_tables(cfg), channel_parents=cfg.parents, decay_pipe=_decay_pipe(cfg),
        heavy_flavour_cascade=cfg.beam.heavy_flavour_cascade, min_energy=min(_visible_energy(experiment.acceptance(f)) for f in fs),
    )
    return Reach(experiment, model, chans, fs, seed=seed)


def run_reach(
    reach: Reach | CombinedReach,
    masses: FloatArray | None = None,
    couplings: FloatArray | None = None,
    progress: Callable[[int], None] | None = None,
    limit: LimitSettings | None = None,
    workers: int = 1,
) -> ReachResult:
    """Events on the grid, the upper limit and the excluded band.

    ``workers`` > 1 spreads the masses of the grid over that many processes (a Dask
    LocalCluster, :mod:`.parallel`); the results are bit-identical for any number.

    An edge outside the coupling grid is searched for beyond it (:func:`edge_search`); one that
    cannot be closed is NaN and listed, with its reason, in ``band.unclosed``.
    ``limit`` replaces the experiment's statistics (a reinterpretation's own CL or N_up, see
    :attr:`LimitSettings.events_upper_limit`); the band's CL is ``limit.cl``.
    """
    t0 = time.perf_counter()
    if masses is None:
        masses = default_masses(reach)
    if couplings is None:
        couplings = default_couplings(reach.model.coupling)
    check_masses(masses, reach)
    grid, fluxes = reach.grid(masses, couplings, progress=progress, workers=workers)
    t1 = time.perf_counter()
    lim = reach.experiment.limit_for(reach.final_states) if limit is None else limit
    threshold = lim.upper_limit()
    if threshold <= 0.0:
        raise BeamdumpInputError(
            f"statistics: the {lim.method} upper limit is 0 events (n_observed = {lim.n_observed}, "
            f"background = {lim.background:g}): nothing can be excluded; use method = \"cls\""
        )
    exp = reach.experiment
    comments = (
        f"beamdump reach {exp.name} --model {reach.model.name} --final-state {'+'.join(reach.final_states)}",
        f"channels: {', '.join(c.name for c in reach.channels)}",
        f"{exp.yield_summary(reach.final_states)}, N_up = {threshold:.4g} events "
        f"({lim.method}, {lim.cl:.0%} CL, n_obs = {lim.n_observed}, b = {lim.background:g})"
        + ("" if lim.events_upper_limit is None else " [N_up given by the analysis]"),
    )
    result = ReachResult(
        experiment=exp,
        model=reach.model,
        final_states=reach.final_states,
        channels=tuple(c.name for c in reach.channels),
        grid=grid,
        threshold=threshold,
        band=ExclusionBand(np.zeros(0), np.zeros(0), np.zeros(0)),
        fluxes={f.mass: f for f in fluxes},
        search=edge_search(reach, couplings),
    )
    result.band = exclusion_band(
        masses, couplings, grid.total, threshold, events_at=result.events_at(reach), comments=comments,
        coupling=reach.model.coupling, model=reach.model.name, cl=lim.cl, search=result.search,
    )
    t2 = time.perf_counter()
    result.timings = dict(grid.timings, grid_s=t1 - t0, contour_s=t2 - t1, total_s=t2 - t0)
    return result


def channel_bands(reach: Reach | CombinedReach, result: ReachResult) -> dict[str, ExclusionBand]:
    """The excluded band of each production channel on its own (same grid, same limit)."""
    return {
        name: result.band_of(events, result.events_at(reach, name), (f"channel {name} alone",))
        for name, events in result.grid.by_channel.items()
    }
