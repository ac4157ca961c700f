"""Design variants of a preset: the same experiment with a different dump length, beam count,
decay length, aperture, energy threshold, target or meson-production model.

A variant is a new validated :class:`ExperimentConfig`; the preset on disk is not touched. Used by
the X17 design scan and by the tests of the active-dump logic.
"""

from __future__ import annotations

import math
from typing import Any

from pydantic import ValidationError

from ..errors import BeamdumpInputError
from .config import ExperimentConfig, format_validation_error
from .experiment import CombinedExperiment, Experiment


def _shift(q: dict[str, Any] | None, dz: float) -> None:
    if q is not None:
        q["value"] = float(q["value"]) + dz


def _planes(detector: dict[str, Any]) -> list[dict[str, Any]]:
    planes = list(detector.get("planes", []))
    for own in detector.get("final_state", {}).values():
        planes += own.get("planes", [])
    return planes


def _validated(data: dict[str, Any]) -> ExperimentConfig:
    try:
        return ExperimentConfig.model_validate(data)
    except ValidationError as exc:
        raise BeamdumpInputError(f"variant of {data.get('name')}: {format_validation_error(exc)}") from None


def with_dump_length(cfg: ExperimentConfig, length_m: float) -> ExperimentConfig:
    """``cfg`` with a dump ``length_m`` metres long and everything behind it (decay volume,
    detector planes, dipole) moved by the change, so the decay region keeps its length.

    The preset must state its dump length (``beam.target_length``).
    """
    return _validated(_length_changed(cfg, length_m))


def _length_changed(cfg: ExperimentConfig, length_m: float) -> dict[str, Any]:
    """The preset data of :func:`with_dump_length`, not yet validated."""
    if cfg.beam.target_length is None:
        raise BeamdumpInputError(f"{cfg.name}: beam.target_length is not set, so the dump length cannot be varied")
    if not (math.isfinite(length_m) and length_m > 0.0):
        raise BeamdumpInputError(f"dump length: {length_m!r} m; allowed a finite length > 0")
    dz = float(length_m) - float(cfg.beam.target_length.value)
    data = cfg.model_dump()
    data["beam"]["target_length"].update(value=float(length_m), source=f"design variant of {cfg.name}")
    _move_behind(data, dz)
    return data


def _move_behind(data: dict[str, Any], dz: float, z_from: float = -math.inf) -> None:
    """Move every detector plane and the dipole at z ≥ ``z_from`` by ``dz`` (m); with no
    ``z_from`` also the whole decay volume."""
    if z_from == -math.inf:
        _shift(data["decay_volume"]["z_start"], dz)
        _shift(data["decay_volume"]["z_end"], dz)
    movable = _planes(data["detector"]) + ([data["detector"]["dipole"]] if data["detector"].get("dipole") else [])
    for item in movable:
        if item["z"]["value"] >= z_from - 1e-9:
            _shift(item["z"], dz)


def with_shield_length(cfg: ExperimentConfig, extra_m: float) -> ExperimentConfig:
    """``cfg`` with ``extra_m`` metres more shielding between the dump and the decay region: the
    decay volume, the detector planes and the dipole move back; the dump stays as it is."""
    if not math.isfinite(extra_m):
        raise BeamdumpInputError(f"shield length change: {extra_m!r} m; allowed a finite length")
    data = cfg.model_dump()
    _move_behind(data, float(extra_m))
    return _validated(data)


def with_beam_count(cfg: ExperimentConfig, n_particles: float) -> ExperimentConfig:
    """``cfg`` with ``n_particles`` beam particles on the dump (POT or EOT)."""
    if not (math.isfinite(n_particles) and n_particles > 0.0):
        raise BeamdumpInputError(f"beam count: {n_particles!r}; allowed a finite number > 0")
    data = cfg.model_dump()
    data["beam"]["n_particles"].update(value=float(n_particles), source=f"design variant of {cfg.name}")
    return _validated(data)


def with_decay_length(cfg: ExperimentConfig, factor: float) -> ExperimentConfig:
    """``cfg`` with the decay region ``factor`` times as long: its end and every detector plane
    and dipole behind it move; its start stays."""
    if not (math.isfinite(factor) and factor > 0.0):
        raise BeamdumpInputError(f"decay length factor: {factor!r}; allowed a finite number > 0")
    data = cfg.model_dump()
    dv = data["decay_volume"]
    old = float(dv["z_end"]["value"])
    dz = (factor - 1.0) * (old - float(dv["z_start"]["value"]))
    _shift(dv["z_end"], dz)
    _move_behind(data, dz, z_from=old)
    return _validated(data)


def with_aperture(cfg: ExperimentConfig, factor: float) -> ExperimentConfig:
    """``cfg`` with every transverse size of the decay volume and the detector planes (radii,
    half-widths, apothems; not the beam holes) ``factor`` times as large."""
    if not (math.isfinite(factor) and factor > 0.0):
        raise BeamdumpInputError(f"aperture factor: {factor!r}; allowed a finite number > 0")
    data = cfg.model_dump()
    sizes = ("radius", "r_outer", "half_x", "half_y", "half_x_start", "half_y_start", "half_x_end", "half_y_end", "apothem")
    for part in (data["decay_volume"], *_planes(data["detector"])):
        for key in sizes:
            if part.get(key) is not None:
                part[key]["value"] = float(part[key]["value"]) * factor
    return _validated(data)


def with_energy_threshold(cfg: ExperimentConfig, factor: float) -> ExperimentConfig:
    """``cfg`` with every energy cut of the detector (common and per final state) ``factor`` times as high."""
    if not (math.isfinite(factor) and factor > 0.0):
        raise BeamdumpInputError(f"energy threshold factor: {factor!r}; allowed a finite number > 0")
    data = cfg.model_dump()
    det = data["detector"]
    for part in (det, *det.get("final_state", {}).values()):
        for key in ("min_energy_each", "min_energy_sum"):
            if part.get(key) is not None:
                part[key]["value"] = float(part[key]["value"]) * factor
    return _validated(data)


def with_target(cfg: ExperimentConfig, material: str, length_m: float) -> ExperimentConfig:
    """``cfg`` with a dump of ``material`` (materials.toml) ``length_m`` long, everything behind moved."""
    data = _length_changed(cfg, length_m)
    data["beam"]["target"] = material
    return _validated(data)


def with_meson_production(cfg: ExperimentConfig, how: str) -> ExperimentConfig:
    """``cfg`` with its meson tables from nucleon collisions (``"nucleon"``), from the first whole
    p+A collision on its target nucleus (``"nucleus"``, Pythia Angantyr) or from the whole hadronic
    cascade in the dump (``"cascade"``)."""
    if how not in ("nucleon", "nucleus", "cascade"):
        raise BeamdumpInputError(f"meson production: {how!r}; allowed: nucleon, nucleus, cascade")
    data = cfg.model_dump()
    data["beam"]["meson_production"] = how
    return _validated(data)


def experiment_with_mesons(exp: Experiment | CombinedExperiment, how: str, strict: bool = True) -> Experiment | CombinedExperiment:
    """``exp`` with the meson-production model ``how`` (see :func:`with_meson_production`).
    ``strict``: a combined preset is an input error; otherwise combined presets and beams the
    model does not apply to (electrons, colliders) are returned unchanged."""
    if isinstance(exp, CombinedExperiment):
        if strict:
            raise BeamdumpInputError(f"--mesons: {exp.name} combines several runs; set beam.meson_production in each run's preset")
        return exp
    beam = exp.config.beam
    if not strict and (beam.particle != "proton" or beam.collider):
        return exp
    return Experiment.from_config(with_meson_production(exp.config, how))
