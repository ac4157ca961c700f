"""Design variants of a preset: the same experiment with a different dump length, beam count,
decay length, target or meson-production model.

A variant is a new validated :class:`ExperimentConfig`; the preset on disk is not touched. Used by
the X17 design scan and by the tests of the active-dump logic.
"""

from __future__ import annotations

import math
from typing import Any

from pydantic import ValidationError

from ..errors import BeamdumpInputError
from .config import ExperimentConfig, format_validation_error


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
    if cfg.beam.target_length is None:
        raise BeamdumpInputError(f"{cfg.name}: beam.target_length is not set, so the dump length cannot be varied")
    if not (math.isfinite(length_m) and length_m > 0.0):
        raise BeamdumpInputError(f"dump length: {length_m!r} m; allowed a finite length > 0")
    dz = float(length_m) - float(cfg.beam.target_length.value)
    data = cfg.model_dump()
    data["beam"]["target_length"].update(value=float(length_m), source=f"design variant of {cfg.name}")
    _shift(data["decay_volume"]["z_start"], dz)
    _shift(data["decay_volume"]["z_end"], dz)
    for plane in _planes(data["detector"]):
        _shift(plane["z"], dz)
    if data["detector"].get("dipole"):
        _shift(data["detector"]["dipole"]["z"], dz)
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
    for plane in _planes(data["detector"]):
        if plane["z"]["value"] >= old - 1e-9:
            _shift(plane["z"], dz)
    if data["detector"].get("dipole") and data["detector"]["dipole"]["z"]["value"] >= old - 1e-9:
        _shift(data["detector"]["dipole"]["z"], dz)
    return _validated(data)


def with_target(cfg: ExperimentConfig, material: str, length_m: float) -> ExperimentConfig:
    """``cfg`` with a dump of ``material`` (materials.toml) ``length_m`` long, everything behind moved."""
    data = with_dump_length(cfg, length_m).model_dump()
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
