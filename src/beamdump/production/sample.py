"""The common currency of production: a weighted sample of new particles at a reference coupling."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol, runtime_checkable

import numpy as np

from ..kinematics import FloatArray

if TYPE_CHECKING:
    from ..sources.meson_table import MesonSpectra


@dataclass(frozen=True)
class ParticleSample:
    """Weighted new particles of one mass made by one channel.

    weights: (n,) particles per beam particle at coupling g = 1 (the yield at coupling g is
    weights · g**coupling_power); p4: (n, 4) lab four-momenta (E, px, py, pz) in GeV;
    origin: (n, 3) production points in metres (z along the beam, 0 at the dump's front face).
    """

    channel: str
    mass: float
    weights: FloatArray
    p4: FloatArray
    origin: FloatArray
    coupling_power: int = 2
    info: dict = field(default_factory=dict)

    def __post_init__(self) -> None:
        n = len(self.weights)
        if self.p4.shape != (n, 4) or self.origin.shape != (n, 3):
            raise ValueError(
                f"ParticleSample {self.channel}: shapes weights {self.weights.shape}, "
                f"p4 {self.p4.shape}, origin {self.origin.shape} do not match"
            )

    def __len__(self) -> int:
        return len(self.weights)

    @classmethod
    def empty(cls, channel: str, mass: float, coupling_power: int = 2) -> "ParticleSample":
        """A sample without particles (the channel cannot make this mass, or nothing points at the detector)."""
        return cls(channel, mass, np.zeros(0), np.zeros((0, 4)), np.zeros((0, 3)), coupling_power)

    @property
    def total(self) -> float:
        """Particles per beam particle at g = 1."""
        return float(self.weights.sum())

    @classmethod
    def concatenate(cls, samples: "list[ParticleSample]", channel: str = "all") -> "ParticleSample":
        """One sample of several channels of the same mass and coupling power."""
        powers = {s.coupling_power for s in samples}
        masses = {s.mass for s in samples}
        if len(powers) != 1 or len(masses) != 1:
            raise ValueError("only samples of one mass and one coupling power can be joined")
        return cls(
            channel,
            masses.pop(),
            np.concatenate([s.weights for s in samples]),
            np.concatenate([s.p4 for s in samples]),
            np.concatenate([s.origin for s in samples]),
            powers.pop(),
        )


@runtime_checkable
class ProductionChannel(Protocol):
    """A mechanism that makes the new particle: one per file in ``beamdump.production``."""

    name: str
    label: str
    #: the meson table the channel draws its parents from (None: the channel needs none)
    spectra: "MesonSpectra | None"

    def couples(self) -> bool:
        """False when the model has no coupling that this channel needs (its rate vanishes at every mass)."""
        ...

    def mass_range(self) -> tuple[float, float]:
        """Open interval of masses (GeV) this channel can make."""
        ...

    def sample(self, mass: float, rng: np.random.Generator, max_theta: float = np.pi) -> ParticleSample:
        """A weighted sample at coupling 1; particles with polar angle > max_theta may be dropped."""
        ...
