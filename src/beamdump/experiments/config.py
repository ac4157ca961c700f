"""The schema of an experiment preset (a TOML file), validated with pydantic.

Every number that describes the world is a :class:`Quantity` with the source it comes from.
Lengths are metres along the beam from the dump's front face (z) or transverse (x, y); energies
and momenta GeV. Validation errors become one line naming the field and what is allowed.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Literal

from pydantic import Field, ValidationError, model_validator

from ..datafiles import load_toml, package_data
from ..errors import BeamdumpInputError
from .config_base import Count, Quantity, _positive, _Strict
from .detector_config import (  # noqa: F401 (re-exported: the schema of a preset is imported from here)
    AnnulusPlane,
    AnnulusVolume,
    BoxPlane,
    BoxVolume,
    CylinderVolume,
    DecayVolumeConfig,
    DetectorConfig,
    DipoleConfig,
    FinalStateDetector,
    FrustumVolume,
    OctagonPlane,
    PlaneConfig,
)


class BeamConfig(_Strict):
    """The beam. Fixed target: ``energy_gev`` is the beam energy, ``n_particles`` the particles on
    the dump. Collider (``collider = true``): ``energy_gev`` is √s; pp (``particle = "proton"``):
    ``n_particles`` the inelastic collisions (luminosity × σ_inel), ``tune`` names the forward
    meson table; e⁺e⁻ at the Υ(4S) (``particle = "electron-positron"``): ``n_particles`` the
    BB̄ pairs, ``electron_energy_gev`` (+z) and ``positron_energy_gev`` the asymmetric beams
    (sources/upsilon4s.py). ``crossing_angle`` (rad, half-angle) tilts the collision axis."""

    particle: Literal["proton", "electron", "electron-positron"]
    energy_gev: Quantity
    n_particles: Quantity
    electron_energy_gev: Quantity | None = None  # e+e- collider only: the e- beam, along +z
    positron_energy_gev: Quantity | None = None  # e+e- collider only: the e+ beam, along -z
    target: str = Field(default="", min_length=0)
    target_length: Quantity | None = None  # m of target material along the beam; the shower stops there
    collider: bool = False
    tune: str | None = None  # collider only; default "forward"
    crossing_angle: Quantity | None = None
    # proton fixed target: meson tables of nucleon collisions (isoscalar pp/pn), of the first whole
    # p+A collision on beam.target's nucleus (Pythia Angantyr), or of the whole hadronic cascade
    # in the dump (PythiaCascade)
    meson_production: Literal["nucleon", "nucleus", "cascade"] = "nucleon"
    # proton fixed target: whether the charm and beauty parent tables carry the thick dump's
    # hadronic-cascade enhancement (heavy_flavour.toml's cascade_charm, cascade_beauty; SHiP's x2.3,
    # x1.7 at 400 GeV) without changing the light-meson tables; unset: only with meson_production = "cascade"
    heavy_flavour_cascade: bool | None = None

    @model_validator(mode="after")
    def _check(self) -> "BeamConfig":
        _positive(self.energy_gev, "beam.energy_gev")
        _positive(self.n_particles, "beam.n_particles")
        if self.target_length is not None:
            _positive(self.target_length, "beam.target_length")
        if self.collider and self.particle == "electron":
            raise ValueError("beam.collider: beam.particle must be 'proton' (pp) or 'electron-positron' (e+e- at the Upsilon(4S))")
        if self.particle == "electron-positron":
            self._check_upsilon4s()
        if not self.collider and not self.target:
            raise ValueError("beam.target: a fixed-target beam needs the dump material")
        if self.collider and (self.target or self.target_length is not None):
            raise ValueError("beam.target / beam.target_length: a collider has no dump; remove them")
        if not self.collider and self.tune is not None:
            raise ValueError("beam.tune names the LHC forward meson table: only with beam.collider = true")
        if self.target_length is not None and self.particle != "electron":
            raise ValueError("beam.target_length ends an electron shower (active dump): only for electron beams")
        if self.meson_production != "nucleon":
            from ..sources.nuclear_targets import known_nuclei

            how = self.meson_production
            if self.particle != "proton" or self.collider:
                raise ValueError(f"beam.meson_production = '{how}' is for a proton beam on a fixed target")
            if self.target not in known_nuclei():
                raise ValueError(
                    f"beam.meson_production = '{how}' needs beam.target to name a nucleus; "
                    f"got {self.target!r}, allowed: {', '.join(known_nuclei())}"
                )
        if self.heavy_flavour_cascade is not None and (self.particle != "proton" or self.collider):
            raise ValueError("beam.heavy_flavour_cascade: the thick dump's cascade is for a proton beam on a fixed target; remove it")
        if self.particle == "proton" and not self.collider:
            from ..sources.materials import known_materials
            from ..sources.nuclear_targets import known_nuclei

            allowed = (*known_materials(), *known_nuclei())
            if self.target not in allowed:
                raise ValueError(f"beam.target {self.target!r} is not a known material or nucleus; allowed: {', '.join(allowed)}")
        if self.crossing_angle is not None:
            a = self.crossing_angle.value
            top = 0.1 if self.particle == "electron-positron" else 0.01
            if not (self.collider and math.isfinite(a) and 0.0 <= a < top):
                raise ValueError(f"beam.crossing_angle must be in [0, {top:g}) rad and only at a collider (got {a})")
        return self

    def _check_upsilon4s(self) -> None:
        """An e+e- collider: both beam energies given, and √s = 2√(E₋E₊)·cos(crossing half-angle)
        equal to ``energy_gev`` within 0.5%."""
        if not self.collider:
            raise ValueError("beam.particle = 'electron-positron' is a collider: set beam.collider = true")
        if self.electron_energy_gev is None or self.positron_energy_gev is None:
            raise ValueError("beam.electron_energy_gev / beam.positron_energy_gev: an e+e- collider needs both beam energies")
        _positive(self.electron_energy_gev, "beam.electron_energy_gev")
        _positive(self.positron_energy_gev, "beam.positron_energy_gev")
        half = self.crossing_angle.value if self.crossing_angle is not None else 0.0
        sqrt_s = 2.0 * math.sqrt(self.electron_energy_gev.value * self.positron_energy_gev.value) * math.cos(half)
        if abs(sqrt_s / self.energy_gev.value - 1.0) > 0.005:
            raise ValueError(
                f"beam.energy_gev = {self.energy_gev.value:g} GeV: must be sqrt(s) = 2 sqrt(E- E+) cos(half angle) "
                f"= {sqrt_s:.4g} GeV of the two beams (within 0.5%)"
            )


class PrimakoffConfig(_Strict):
    """Where the photons of meson decays convert into ALPs (Primakoff), when not in the dump at
    the source: ``material`` (materials.toml), the front face at ``z`` (m from the source), the
    ``radius`` (m) within which photons hit it, its ``length`` (m; none: thick)."""

    material: str
    z: Quantity
    radius: Quantity | None = None
    length: Quantity | None = None

    @model_validator(mode="after")
    def _check(self) -> "PrimakoffConfig":
        from ..sources.materials import known_materials

        if self.material not in known_materials():
            raise ValueError(f"primakoff.material {self.material!r} is not known; allowed: {', '.join(known_materials())}")
        if not (math.isfinite(self.z.value) and self.z.value >= 0.0):
            raise ValueError(f"primakoff.z must be a finite distance >= 0 m from the source (got {self.z.value})")
        for key, q in (("radius", self.radius), ("length", self.length)):
            if q is not None:
                _positive(q, f"primakoff.{key}")
        return self


class KaonsAtRestConfig(_Strict):
    """K⁺ that stop in an absorber and decay at rest (channel ``k_to_pi_at_rest``): ``per_proton``
    stopped K⁺ per beam proton (with its source), at ``z`` (m from the dump's front face) and
    the lateral offset ``x``, ``y`` (m)."""

    per_proton: Quantity
    z: Quantity
    x: Quantity | None = None
    y: Quantity | None = None

    @model_validator(mode="after")
    def _check(self) -> "KaonsAtRestConfig":
        _positive(self.per_proton, "kaons_at_rest.per_proton")
        for key, q in (("z", self.z), ("x", self.x), ("y", self.y)):
            if q is not None and not math.isfinite(q.value):
                raise ValueError(f"kaons_at_rest.{key} must be a finite position in m (got {q.value})")
        return self


class DecayPipeConfig(_Strict):
    """The decay pipe of a neutrino beam (channel ``k_to_pi_in_pipe``): a cylinder about the beam
    axis from ``z_start`` to ``z_end`` (m from the thin target at the origin) of ``radius`` (m);
    ``target_length_interaction_lengths``: the target's length in interaction lengths (none:
    every proton interacts and no kaon is absorbed in the target)."""

    z_start: Quantity
    z_end: Quantity
    radius: Quantity
    target_length_interaction_lengths: Quantity | None = None

    @model_validator(mode="after")
    def _check(self) -> "DecayPipeConfig":
        if not (math.isfinite(self.z_start.value) and self.z_start.value >= 0.0):
            raise ValueError(f"decay_pipe.z_start must be a finite distance >= 0 m from the target (got {self.z_start.value})")
        if not (math.isfinite(self.z_end.value) and self.z_end.value > self.z_start.value):
            raise ValueError(f"decay_pipe.z_end must be finite and > z_start = {self.z_start.value:g} m (got {self.z_end.value})")
        _positive(self.radius, "decay_pipe.radius")
        if self.target_length_interaction_lengths is not None:
            _positive(self.target_length_interaction_lengths, "decay_pipe.target_length_interaction_lengths")
        return self


class FinalStateStatistics(_Strict):
    """The counts of one final state's own selection (signal region)."""

    observed: Count
    background: Quantity


class StatisticsConfig(_Strict):
    """What was observed and how the limit is set. ``events_upper_limit`` is the upper limit on
    signal events that the analysis itself stated (with its source), e.g. after subtracting its
    background; it replaces the Poisson limit of ``observed`` and ``background``. ``final_state``
    gives each final state's own counts where the analysis had one signal region per final state:
    a reach of one final state uses its counts, of several the sums (one counting experiment)."""

    observed: Count
    background: Quantity
    signal_rel_unc: Quantity | None = None
    cl: float = Field(default=0.9, gt=0.0, lt=1.0)
    method: Literal["cls", "classical"] = "cls"
    events_upper_limit: Quantity | None = None
    final_state: dict[str, FinalStateStatistics] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _check(self) -> "StatisticsConfig":
        if self.events_upper_limit is not None:
            _positive(self.events_upper_limit, "statistics.events_upper_limit")
        return self


class ValidationConfig(_Strict):
    """A published curve this preset reproduces: ``reference`` is its path under the reference
    folder (``<model folder>/<file>.csv``, e.g. ``b_minus_l/charm_bl.csv``), ``model`` the model
    it is a limit on. Where the reinterpretation set its limit with other statistics than the
    preset's, ``cl`` (its confidence level) and ``events_upper_limit`` (the N_up it used, with
    its source) replace the preset's for this comparison."""

    reference: str = Field(pattern=r"^[A-Za-z0-9_\-]+/[A-Za-z0-9_\-.]+\.csv$")
    model: str = "dark-photon"
    #: one final state, or several joined by "+" whose events add (``"ee+mumu+gg"``)
    final_state: str = Field(pattern=r"^[A-Za-z0-9_]+(\+[A-Za-z0-9_]+)*$")
    channels: list[str] | None = None
    cl: float | None = Field(default=None, gt=0.0, lt=1.0)
    events_upper_limit: Quantity | None = None
    note: str = ""

    @property
    def final_states(self) -> tuple[str, ...]:
        """The final states whose events the reinterpretation adds."""
        return tuple(self.final_state.split("+"))

    @model_validator(mode="after")
    def _check(self) -> "ValidationConfig":
        if self.events_upper_limit is not None:
            _positive(self.events_upper_limit, "validation.events_upper_limit")
        return self


class ExperimentConfig(_Strict):
    name: str = Field(pattern=r"^[a-z0-9][a-z0-9\-]*$")
    title: str
    description: str
    status: Literal["published", "projection", "reinterpretation"]
    references: list[str] = Field(min_length=1)
    beam: BeamConfig
    channels: list[str] = Field(min_length=1)
    final_states: list[str] = Field(min_length=1)
    decay_volume: DecayVolumeConfig
    detector: DetectorConfig
    statistics: StatisticsConfig
    validation: list[ValidationConfig] = Field(default_factory=list)
    notes: list[str] = Field(default_factory=list)
    primakoff: PrimakoffConfig | None = None
    kaons_at_rest: KaonsAtRestConfig | None = None
    decay_pipe: DecayPipeConfig | None = None
    #: the model a reach uses when none is given (the particle the analysis searched for)
    model: str = "dark-photon"
    #: per K/B decay channel, the parent species (PDG ids, antiparticles included) the analysis
    #: reconstructs, e.g. ``{ b_to_k = [521] }`` for B+ -> K+ X alone; default: all of the channel's
    parents: dict[str, list[int]] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _parents_of_flavour_channels(self) -> "ExperimentConfig":
        if self.parents:
            from ..production.flavour_decays import load_definitions

            known = load_definitions()
            for name, pdgs in self.parents.items():
                if name not in known or not pdgs or not set(pdgs) <= set(known[name].parents):
                    allowed = "; ".join(f"{n}: {list(d.parents)}" for n, d in known.items())
                    raise ValueError(f"parents.{name} = {pdgs}: allowed a K/B channel and a subset of its parents ({allowed})")
        return self

    @model_validator(mode="after")
    def _volume_downstream(self) -> "ExperimentConfig":
        z0, z1 = self.decay_volume.z_start.value, self.decay_volume.z_end.value
        if z0 < 0.0 and not self.beam.collider:
            raise ValueError(
                f"decay_volume: z_start {z0:g} m, z_end {z1:g} m; allowed 0 <= z_start < z_end (metres downstream "
                "of the dump's front face; negative z only around the interaction point of a collider)"
            )
        return self

    @model_validator(mode="after")
    def _final_states_consistent(self) -> "ExperimentConfig":
        for where, keys in (("detector.final_state", self.detector.final_state), ("statistics.final_state", self.statistics.final_state)):
            extra = set(keys) - set(self.final_states)
            if extra:
                raise ValueError(f"{where} has {sorted(extra)} not listed in final_states {self.final_states}")
        return self


class CombinedConfig(_Strict):
    """A result that adds the expected signal of several presets' runs (e.g. NA64 2017 + 2018)
    and sets one limit with the combined statistics."""

    name: str = Field(pattern=r"^[a-z0-9][a-z0-9\-]*$")
    title: str
    description: str
    status: Literal["published", "projection", "reinterpretation"]
    references: list[str] = Field(min_length=1)
    combine: list[str] = Field(min_length=2)
    final_states: list[str] = Field(min_length=1)
    statistics: StatisticsConfig
    validation: list[ValidationConfig] = Field(default_factory=list)
    notes: list[str] = Field(default_factory=list)

    @model_validator(mode="after")
    def _distinct(self) -> "CombinedConfig":
        if len(set(self.combine)) != len(self.combine):
            raise ValueError(f"combine lists a preset twice: {self.combine}")
        return self


def format_validation_error(exc: ValidationError) -> str:
    parts = []
    for err in exc.errors()[:3]:
        loc = ".".join(str(x) for x in err["loc"] if not str(x).startswith(("function-after", "tagged-union")))
        parts.append(f"{loc or '(top level)'}: {err['msg']}")
    more = f" (+{exc.error_count() - 3} more)" if exc.error_count() > 3 else ""
    return "; ".join(parts) + more


def _deep_merge(base: dict, override: dict, where: str = "") -> dict:
    """``base`` with ``override`` on top: tables merge key by key, everything else is replaced. A
    number that is overridden must bring its own source (else the parent's would be kept for a
    value it never described)."""
    if "value" in override and "source" not in override and "source" in base:
        raise BeamdumpInputError(
            f"{where or 'preset'}: the value is overridden without a source; give it one, e.g. "
            f"{{ value = {override['value']!r}, source = \"...\" }}"
        )
    out = dict(base)
    for key, value in override.items():
        inner = f"{where}.{key}" if where else key
        out[key] = _deep_merge(out[key], value, inner) if isinstance(value, dict) and isinstance(out.get(key), dict) else value
    return out


def preset_data(path: Path, _chain: tuple[Path, ...] = ()) -> dict:
    """The raw preset table of ``path`` with its ``extends`` chain resolved.

    ``extends = "na62-dump-2021"`` (a shipped preset) or ``extends = "base.toml"`` (a file beside
    this one) starts from that preset and overrides only what this file sets; arrays (planes,
    channels, validation) are replaced whole.
    """
    path = Path(path).resolve()
    if path in _chain:
        raise BeamdumpInputError(f"preset {path.name}: extends itself through {' -> '.join(p.name for p in _chain)}")
    data = load_toml(path)
    base = data.pop("extends", None)
    if base is None:
        return data
    if not isinstance(base, str) or not base:
        raise BeamdumpInputError(f"preset {path.name}: extends must be a preset name or a .toml file, got {base!r}")
    base_path = path.parent / base if base.endswith(".toml") else package_data("presets", f"{base}.toml")
    if not base_path.exists():
        raise BeamdumpInputError(f"preset {path.name}: extends {base!r}, which does not exist")
    return _deep_merge(preset_data(base_path, (*_chain, path)), data)


def load_experiment_config(path: str | Path) -> ExperimentConfig | CombinedConfig:
    """Read and validate a preset file (a single run, or ``combine = [...]`` of several);
    any problem raises BeamdumpInputError naming the field."""
    path = Path(path)
    data = preset_data(path)
    schema = CombinedConfig if "combine" in data else ExperimentConfig
    try:
        return schema.model_validate(data)
    except ValidationError as exc:
        raise BeamdumpInputError(f"preset {path.name}: {format_validation_error(exc)}") from None
