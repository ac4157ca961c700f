"""The schema of a preset's decay volume and detector (planes, dipole, per-final-state cuts).

Lengths in metres along the beam from the dump's front face (z) or transverse (x, y); energies GeV.
At a collider z is measured from the interaction point and may be negative (backward).
"""

from __future__ import annotations

import math
from typing import Annotated, Literal, Union

from pydantic import Field, model_validator

from .config_base import Quantity, _efficiency, _Strict
from .vertex_efficiency import VARIABLES


class VertexEfficiencyConfig(_Strict):
    """The vertex efficiency as a step function of the displacement (see
    :mod:`.vertex_efficiency`): ``values[k]`` on [edges[k], edges[k+1]) m of ``variable``."""

    variable: Literal[VARIABLES]  # type: ignore[valid-type]
    edges: list[float] = Field(min_length=2)
    values: list[float] = Field(min_length=1)
    source: str = Field(min_length=5)
    note: str = ""

    @model_validator(mode="after")
    def _check(self) -> "VertexEfficiencyConfig":
        e, v = self.edges, self.values
        if not all(math.isfinite(x) and x >= 0.0 for x in e) or any(b <= a for a, b in zip(e, e[1:])):
            raise ValueError(f"decay_volume.efficiency.edges {e}: allowed finite lengths >= 0 m, strictly increasing")
        if len(v) != len(e) - 1 or not all(0.0 <= x <= 1.0 for x in v):
            raise ValueError(f"decay_volume.efficiency.values: allowed len(edges) - 1 = {len(e) - 1} numbers in [0, 1]")
        return self


class _Volume(_Strict):
    """What every decay volume has: a length along the beam (m), an optional transverse offset and
    an optional vertex efficiency vs the displacement."""

    z_start: Quantity
    z_end: Quantity
    x0: Quantity | None = None
    y0: Quantity | None = None
    efficiency: VertexEfficiencyConfig | None = None

    @model_validator(mode="after")
    def _ordered(self) -> "_Volume":
        # z_start >= 0 (downstream) except at a collider: checked with the beam (config.ExperimentConfig)
        z0, z1 = self.z_start.value, self.z_end.value
        if not (math.isfinite(z0) and math.isfinite(z1) and z0 < z1):
            raise ValueError(
                f"decay_volume: z_start {z0:g} m, z_end {z1:g} m; allowed 0 <= z_start < z_end (metres downstream "
                "of the dump's front face), or z_start < z_end around the interaction point of a collider"
            )
        return self


class CylinderVolume(_Volume):
    shape: Literal["cylinder"]
    radius: Quantity


class AnnulusVolume(_Volume):
    shape: Literal["annulus"]
    r_inner: Quantity
    r_outer: Quantity


class BoxVolume(_Volume):
    shape: Literal["box"]
    half_x: Quantity
    half_y: Quantity


class FrustumVolume(_Volume):
    shape: Literal["frustum"]
    half_x_start: Quantity
    half_y_start: Quantity
    half_x_end: Quantity
    half_y_end: Quantity


DecayVolumeConfig = Annotated[
    Union[CylinderVolume, AnnulusVolume, BoxVolume, FrustumVolume], Field(discriminator="shape")
]


class AnnulusPlane(_Strict):
    shape: Literal["annulus"]
    name: str
    z: Quantity
    r_inner: Quantity
    r_outer: Quantity
    x0: Quantity | None = None
    y0: Quantity | None = None


class BoxPlane(_Strict):
    shape: Literal["box"]
    name: str
    z: Quantity
    half_x: Quantity
    half_y: Quantity
    hole_radius: Quantity | None = None
    x0: Quantity | None = None
    y0: Quantity | None = None


class OctagonPlane(_Strict):
    shape: Literal["octagon"]
    name: str
    z: Quantity
    apothem: Quantity
    hole_radius: Quantity | None = None
    x0: Quantity | None = None
    y0: Quantity | None = None


PlaneConfig = Annotated[Union[AnnulusPlane, BoxPlane, OctagonPlane], Field(discriminator="shape")]


class DipoleConfig(_Strict):
    z: Quantity
    kick_gev: Quantity
    axis: Literal["x", "y"] = "x"


class FinalStateDetector(_Strict):
    """What one final state needs beyond the common detector (e.g. muon chambers for μμ)."""

    planes: list[PlaneConfig] = Field(default_factory=list)
    min_energy_each: Quantity | None = None
    min_energy_sum: Quantity | None = None
    #: m between the two daughters' impact points on the most downstream plane (two clusters)
    min_separation: Quantity | None = None
    efficiency: Quantity | None = None

    @model_validator(mode="after")
    def _check(self) -> "FinalStateDetector":
        _efficiency(self.efficiency, "efficiency")
        return self


class DetectorConfig(_Strict):
    planes: list[PlaneConfig] = Field(default_factory=list)
    dipole: DipoleConfig | None = None
    min_energy_each: Quantity | None = None
    min_energy_sum: Quantity | None = None
    efficiency: Quantity
    final_state: dict[str, FinalStateDetector] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _check(self) -> "DetectorConfig":
        _efficiency(self.efficiency, "efficiency")
        return self
