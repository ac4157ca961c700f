"""An experiment: a validated preset turned into geometry objects and limit settings."""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path

from ..datafiles import package_data
from ..errors import BeamdumpInputError
from ..limits.stats import LimitSettings
from . import geometry as geo
from .vertex_efficiency import VertexEfficiency
from .config import (
    AnnulusPlane,
    CombinedConfig,
    AnnulusVolume,
    BoxPlane,
    BoxVolume,
    CylinderVolume,
    ExperimentConfig,
    FrustumVolume,
    OctagonPlane,
    Quantity,
    StatisticsConfig,
    load_experiment_config,
)

PRESET_DIR = ("presets",)


def _v(q: Quantity | None, default: float = 0.0) -> float:
    return default if q is None else float(q.value)


def build_volume(cfg) -> object:
    """Geometry object of a decay-volume config."""
    off = dict(x0=_v(cfg.x0), y0=_v(cfg.y0))
    if isinstance(cfg, CylinderVolume):
        return geo.Cylinder(_v(cfg.z_start), _v(cfg.z_end), _v(cfg.radius), **off)
    if isinstance(cfg, AnnulusVolume):
        return geo.Annulus(_v(cfg.z_start), _v(cfg.z_end), _v(cfg.r_inner), _v(cfg.r_outer), **off)
    if isinstance(cfg, BoxVolume):
        return geo.Box(_v(cfg.z_start), _v(cfg.z_end), _v(cfg.half_x), _v(cfg.half_y), **off)
    if isinstance(cfg, FrustumVolume):
        return geo.Frustum(
            _v(cfg.z_start), _v(cfg.z_end), _v(cfg.half_x_start), _v(cfg.half_y_start),
            _v(cfg.half_x_end), _v(cfg.half_y_end), **off,
        )
    raise TypeError(cfg)


def build_vertex_efficiency(cfg) -> VertexEfficiency | None:
    """The vertex efficiency vs displacement of a decay-volume config (None: ε = 1 everywhere),
    its ρ measured from the volume's axis."""
    e = cfg.efficiency
    if e is None:
        return None
    return VertexEfficiency(e.variable, tuple(e.edges), tuple(e.values), x0=_v(cfg.x0), y0=_v(cfg.y0))


def build_plane(cfg) -> object:
    """Aperture object of a detector-plane config."""
    off = dict(x0=_v(cfg.x0), y0=_v(cfg.y0))
    if isinstance(cfg, AnnulusPlane):
        return geo.AnnulusAperture(_v(cfg.z), _v(cfg.r_inner), _v(cfg.r_outer), **off)
    if isinstance(cfg, BoxPlane):
        return geo.BoxAperture(_v(cfg.z), _v(cfg.half_x), _v(cfg.half_y), hole_radius=_v(cfg.hole_radius), **off)
    if isinstance(cfg, OctagonPlane):
        return geo.OctagonAperture(_v(cfg.z), _v(cfg.apothem), hole_radius=_v(cfg.hole_radius), **off)
    raise TypeError(cfg)


def limit_settings(st: StatisticsConfig, yield_rel_unc: float) -> LimitSettings:
    """Limit settings of a preset's statistics; the signal uncertainty is ``yield_rel_unc`` and the
    preset's own ``signal_rel_unc`` in quadrature."""
    extra = st.signal_rel_unc.value if st.signal_rel_unc else 0.0
    return LimitSettings(
        n_observed=st.observed.value,
        background=st.background.value,
        signal_rel_unc=(yield_rel_unc**2 + extra**2) ** 0.5,
        background_rel_unc=st.background.rel_unc,
        cl=st.cl,
        method=st.method,
        events_upper_limit=None if st.events_upper_limit is None else float(st.events_upper_limit.value),
    )


@dataclass(frozen=True)
class Experiment:
    """A beam, a dump, a decay volume, a detector and what was observed.

    ``acceptances`` and ``efficiencies`` hold, for each final state the experiment analyses, the
    daughter acceptance (common planes plus that final state's own) and the efficiency;
    ``vertex_efficiency`` the decay volume's efficiency vs the displacement (None: 1).
    """

    config: ExperimentConfig
    volume: object
    acceptances: dict[str, geo.DaughterAcceptance]
    efficiencies: dict[str, float]
    limit: LimitSettings
    vertex_efficiency: VertexEfficiency | None = None

    @property
    def name(self) -> str:
        return self.config.name

    @property
    def model(self) -> str:
        """The model a reach of this preset uses when none is given (its ``model``)."""
        return self.config.model

    @property
    def n_beam(self) -> float:
        """Beam particles on the dump."""
        return float(self.config.beam.n_particles.value)

    @property
    def beam_energy(self) -> float:
        """Beam energy in GeV."""
        return float(self.config.beam.energy_gev.value)

    @property
    def particle(self) -> str:
        """Beam particle: 'proton' or 'electron'."""
        return self.config.beam.particle

    @property
    def beam_label(self) -> str:
        """What n_beam counts: 'pp collisions' at a pp collider, 'BBbar pairs' at an e+e- one (the
        Upsilon(4S)), else 'protons' / 'electrons'."""
        if self.particle == "electron-positron":
            return "BBbar pairs"
        return "pp collisions" if self.config.beam.collider else f"{self.particle}s"

    @property
    def crossing_angle(self) -> float:
        """Half crossing angle (rad) of a collider's beams in the vertical plane; 0 at a fixed target."""
        q = self.config.beam.crossing_angle
        return 0.0 if q is None else float(q.value)

    def yield_summary(self, final_states: tuple[str, ...]) -> str:
        """One line: beam particles and the efficiency of each final state."""
        effs = ", ".join(f"{fs} {self.efficiency(fs):.3g}" for fs in final_states)
        return f"N_beam = {self.n_beam:.4g}, efficiency = {effs}"

    def limit_for(self, final_states: tuple[str, ...]) -> LimitSettings:
        """The limit of a reach of these final states: the preset's, with the final states' own
        counts where the preset gives them for every one of them (summed: one counting experiment)."""
        own = self.config.statistics.final_state
        if not final_states or not all(fs in own for fs in final_states):
            return self.limit
        background = sum(own[fs].background.value for fs in final_states)
        variance = sum((own[fs].background.value * own[fs].background.rel_unc) ** 2 for fs in final_states)
        return replace(
            self.limit,
            n_observed=sum(own[fs].observed.value for fs in final_states),
            background=background,
            background_rel_unc=(variance**0.5 / background) if background > 0 else 0.0,
        )

    def acceptance(self, final_state: str) -> geo.DaughterAcceptance:
        return self.acceptances[self._check_fs(final_state)]

    def efficiency(self, final_state: str) -> float:
        return self.efficiencies[self._check_fs(final_state)]

    def _check_fs(self, final_state: str) -> str:
        if final_state not in self.acceptances:
            raise BeamdumpInputError(
                f"final state: {final_state!r} is not analysed by {self.name}; allowed: {', '.join(self.acceptances)}"
            )
        return final_state

    @classmethod
    def from_config(cls, cfg: ExperimentConfig) -> "Experiment":
        det = cfg.detector
        dipole = None
        if det.dipole is not None:
            dipole = geo.Dipole(_v(det.dipole.z), _v(det.dipole.kick_gev), axis=det.dipole.axis)
        common = tuple(build_plane(p) for p in det.planes)
        acceptances, efficiencies = {}, {}
        eff_unc = 0.0
        for fs in cfg.final_states:
            own = det.final_state.get(fs)
            planes = common + (tuple(build_plane(p) for p in own.planes) if own else ())
            e_each = own.min_energy_each if own and own.min_energy_each else det.min_energy_each
            e_sum = own.min_energy_sum if own and own.min_energy_sum else det.min_energy_sum
            eff = own.efficiency if own and own.efficiency else det.efficiency
            sep = own.min_separation if own and own.min_separation else None
            acceptances[fs] = geo.DaughterAcceptance(
                planes=planes, dipole=dipole, min_energy_each=_v(e_each), min_energy_sum=_v(e_sum),
                min_separation=_v(sep),
            )
            efficiencies[fs] = _v(eff)
            eff_unc = max(eff_unc, eff.rel_unc)
        # the yield uncertainty, in quadrature: beam-particle count, detector efficiency (the largest
        # of the final states'), and the preset's own further signal systematic
        limit = limit_settings(cfg.statistics, (cfg.beam.n_particles.rel_unc**2 + eff_unc**2) ** 0.5)
        return cls(
            cfg, build_volume(cfg.decay_volume), acceptances, efficiencies, limit, build_vertex_efficiency(cfg.decay_volume)
        )


@dataclass(frozen=True)
class CombinedExperiment:
    """Several runs whose expected signal events are added, with one limit on the sum.

    The signal uncertainty is the largest of the runs' (their beam-count and efficiency
    uncertainties are taken as fully correlated) combined in quadrature with the combined
    preset's own ``signal_rel_unc``.
    """

    config: CombinedConfig
    parts: tuple[Experiment, ...]
    limit: LimitSettings

    @property
    def name(self) -> str:
        """The combined preset's name."""
        return self.config.name

    @property
    def model(self) -> str:
        """The model a reach uses when none is given: that of the first run."""
        return self.parts[0].model

    @property
    def n_beam(self) -> float:
        """Beam particles of all runs together."""
        return float(sum(p.n_beam for p in self.parts))

    @property
    def particle(self) -> str:
        """Beam particle of the runs (all the same)."""
        return self.parts[0].particle

    @property
    def beam_label(self) -> str:
        """What n_beam counts (as the runs')."""
        return self.parts[0].beam_label

    def limit_for(self, final_states: tuple[str, ...]) -> LimitSettings:
        """The combined result's one limit (its own statistics)."""
        return self.limit

    def yield_summary(self, final_states: tuple[str, ...]) -> str:
        """One line per run: beam particles and efficiencies."""
        return "; ".join(f"{p.name}: {p.yield_summary(final_states)}" for p in self.parts)

    @classmethod
    def from_config(cls, cfg: CombinedConfig, parts: tuple[Experiment, ...]) -> "CombinedExperiment":
        particles = {p.particle for p in parts}
        if len(particles) != 1:
            raise BeamdumpInputError(f"combine: the runs {cfg.combine} mix beam particles {sorted(particles)}")
        for fs in cfg.final_states:
            for p in parts:
                p.acceptance(fs)  # every run must analyse the final state
        return cls(cfg, parts, limit_settings(cfg.statistics, max(p.limit.signal_rel_unc for p in parts)))


def preset_names() -> list[str]:
    """Names of the presets shipped with the package."""
    return sorted(p.stem for p in package_data(*PRESET_DIR).glob("*.toml"))


def load_experiment(name_or_path: str | Path, _chain: tuple[str, ...] = ()) -> Experiment | CombinedExperiment:
    """A shipped preset by name, or a preset file by path (a combined preset loads its runs)."""
    path = Path(name_or_path)
    if path.suffix != ".toml":
        path = package_data(*PRESET_DIR, f"{name_or_path}.toml")
        if not path.exists():
            raise BeamdumpInputError(
                f"experiment: {name_or_path!r} is not known; known experiments: {', '.join(preset_names())}"
            )
    cfg = load_experiment_config(path)
    try:
        if isinstance(cfg, CombinedConfig):
            if cfg.name in _chain:
                raise BeamdumpInputError(f"combine: {cfg.name} includes itself through {' -> '.join(_chain)}")
            names = [str(path.parent / n) if n.endswith(".toml") else n for n in cfg.combine]
            parts = tuple(load_experiment(n, (*_chain, cfg.name)) for n in names)
            if any(isinstance(p, CombinedExperiment) for p in parts):
                raise BeamdumpInputError(f"combine: {cfg.combine} must name single runs, not combined presets")
            return CombinedExperiment.from_config(cfg, parts)
        return Experiment.from_config(cfg)
    except BeamdumpInputError as exc:
        raise BeamdumpInputError(f"preset {path.name}: {exc}") from None
