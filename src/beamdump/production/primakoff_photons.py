"""Primakoff production γ N → a N by the photons of meson decays: in a proton dump (the photons of
π⁰, η, η′, ω decays convert in the dump that made them; Döbrich et al., arXiv:1512.03069 for
CHARM and NuCal, arXiv:1904.02091) and at the LHC (the forward photons from the interaction point
hit the neutral absorber TAN, as in FASER's ALP search arXiv:2410.10363).

Each photon (weights per beam particle, :func:`beamdump.sources.meson_photons.meson_photons`)
that reaches the converter, a block of ``material`` whose front face is at z = ``z_front`` (m)
and, when ``radius`` is given, only within that distance of the beam axis, travels in it until it
converts into a pair: in a thick block its track is 9/7 X0 (complete screening, 7/9 conversions
per X0), in a block of ``thickness`` X0 it is (9/7)(1 − e^{−7T/9}). Its ALP yield is
Σ_i n_i σ_i(k, m) × track, n_i the atoms per cm² per X0; the production depth follows the
photon's (truncated exponential) absorption. The transfer t is drawn log-uniform over the range
holding the cross-section (weight dσ/dt · t · Δln t), the ALP angle to the photon follows from t.

Neglected: the photons of the electromagnetic showers these photons start (the secondary photons
are softer and wider) and of the hadronic cascade's later generations beyond what the meson
table holds; the transverse spread of the production point in the dump. Units: GeV, metres;
weights are ALPs per beam particle at g_aγγ = 1 GeV⁻¹.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np

from ..errors import BeamdumpInputError
from ..kinematics import FloatArray
from ..sources.materials import Material, get_material
from ..sources.meson_photons import meson_photons
from ..sources.meson_table import MesonSpectra
from . import primakoff_xsec as px
from .sample import ParticleSample
from .shower_angles import turned
from .shower_source import atoms_per_x0

#: mean photon track before pair conversion in a thick converter (X0): 9/7 (PDG, complete screening)
PHOTON_TRACK_X0: float = 9.0 / 7.0


@dataclass(frozen=True)
class Converter:
    """Where the photons convert: ``material`` (materials.toml), front face at ``z_front`` (m) on
    the beam axis, transverse ``radius`` (m; ``None``: every forward photon hits it), and
    ``thickness`` in X0 (``None``: thick)."""

    material: str
    z_front: float = 0.0
    radius: float | None = None
    thickness: float | None = None

    def __post_init__(self) -> None:
        get_material(self.material)
        if not (np.isfinite(self.z_front) and self.z_front >= 0.0):
            raise BeamdumpInputError(f"primakoff.z: {self.z_front!r} m; allowed a finite value >= 0 (from the source)")
        for key, v in (("radius", self.radius), ("thickness", self.thickness)):
            if v is not None and not (np.isfinite(v) and v > 0.0):
                raise BeamdumpInputError(f"primakoff.{key}: {v!r}; allowed a finite value > 0")

    @property
    def track_x0(self) -> float:
        """Mean photon track (X0) inside the converter."""
        if self.thickness is None:
            return PHOTON_TRACK_X0
        return PHOTON_TRACK_X0 * float(-np.expm1(-self.thickness / PHOTON_TRACK_X0))


@dataclass(frozen=True)
class PrimakoffPhotonChannel:
    """ALPs from Primakoff conversion of meson-decay photons of ``spectra`` in ``converter``.

    photon_coupling: g_aγγ per unit of the scanned coupling. min_photon_energy: photons below it
    (GeV) are not followed (they cannot pass any analysis' threshold; the default keeps all).
    parents_per_bin: mesons drawn per (θ, p) bin of the table (2: the yields move by ~3% against
    4, i.e. ~0.003 decades on a lower edge, at 2.5x the speed).
    nuclear / incoherent: the form-factor options of :mod:`.primakoff_xsec`."""

    spectra: MesonSpectra
    converter: Converter
    photon_coupling: float = 1.0
    min_photon_energy: float = 0.0
    nuclear: str = "tsai"
    incoherent: bool = True
    parents_per_bin: int = 2
    seed: int = 11
    name: str = "primakoff_meson_photons"

    def __post_init__(self) -> None:
        px.check_options(self.name, self.nuclear, self.photon_coupling)

    @property
    def label(self) -> str:
        return "Primakoff (meson photons)"

    def couples(self) -> bool:
        """Whether the particle couples to two photons."""
        return self.photon_coupling > 0.0

    @cached_property
    def mat(self) -> Material:
        return get_material(self.converter.material)

    @cached_property
    def elements(self) -> tuple[tuple[float, float, float], ...]:
        return atoms_per_x0(self.mat)

    @cached_property
    def photons(self) -> tuple[FloatArray, FloatArray, FloatArray, dict[int, float]]:
        """(weights per beam particle, four-momenta (n, 4), hit points (n, 3) m on the converter's
        front face, photons per beam particle by parent) of the photons that reach the converter."""
        w, p4, per_parent = meson_photons(self.spectra, self.parents_per_bin, self.seed)
        c = self.converter
        forward = (p4[:, 3] > 0.0) & (p4[:, 0] > self.min_photon_energy)
        w, p4 = w[forward], p4[forward]
        slope = p4[:, 1:3] / p4[:, 3:4]
        hit = np.column_stack([slope * c.z_front, np.full(len(w), c.z_front)])
        if c.radius is not None:
            inside = np.hypot(hit[:, 0], hit[:, 1]) < c.radius
            w, p4, hit = w[inside], p4[inside], hit[inside]
        return w, p4, hit, per_parent

    def mass_range(self) -> tuple[float, float]:
        """Masses (GeV) the photons can make: below the largest photon energy."""
        p4 = self.photons[1]
        return (0.0, float(p4[:, 0].max()) if len(p4) else 0.0)

    @cached_property
    def _unit(self) -> FloatArray:
        """(n, 3) fixed unit numbers per photon: ln t, ALP azimuth, conversion depth."""
        return np.random.default_rng(self.seed + 1).random((len(self.photons[0]), 3))

    def dsigma_dt(self, k: FloatArray, mass: float, t: FloatArray) -> FloatArray:
        """Σ_i n_i dσ_i/dt (cm² per GeV² per X0 of photon track) at g_aγγ = 1 GeV⁻¹."""
        return px.column_dsigma_dt(k, mass, t, self.elements, self.nuclear, self.incoherent)

    def sample(self, mass: float, rng: np.random.Generator | None = None, max_theta: float = np.pi) -> ParticleSample:
        """Weighted ALPs of mass ``mass`` (GeV) per beam particle at g_aγγ = 1 GeV⁻¹. For a converter
        at the source (z_front = 0) ALPs beyond ``max_theta`` of the axis are dropped; further
        downstream they start off axis and all are kept. ``rng`` is unused (fixed numbers)."""
        w, p4g, hit, _ = self.photons
        if not (np.isfinite(mass) and mass > 0.0 and len(w)):
            return ParticleSample.empty(self.name, mass)
        ok, t, span = px.sample_transfer(p4g[:, 0], mass, self.elements, self._unit[:, 0])
        if not ok.any():
            return ParticleSample.empty(self.name, mass)
        w, p4g, hit, u = w[ok], p4g[ok], hit[ok], self._unit[ok]
        k = p4g[:, 0]
        theta = px.angle(k, mass, t)
        pg = np.linalg.norm(p4g[:, 1:], axis=1)
        theta_g = np.arccos(np.clip(p4g[:, 3] / pg, -1.0, 1.0))
        c = self.converter
        if c.z_front == 0.0 and max_theta < np.pi:
            # the ALP lies at least θ_γ − θ of the axis: photons that cannot send it inside max_theta go
            near = theta_g - theta <= max_theta
            w, p4g, hit, k, u, t, span, pg, theta_g = (a[near] for a in (w, p4g, hit, k, u, t, span, pg, theta_g))
        weights = w * self.dsigma_dt(k, mass, t) * t * span * c.track_x0 * self.photon_coupling**2
        _, local = px.alp_momenta(k, mass, t, u[:, 1])
        p4 = turned(local, theta_g, np.arctan2(p4g[:, 2], p4g[:, 1]))
        p = np.sqrt(np.clip(k * k - mass * mass, 0.0, None))
        # production depth along the photon: exponential absorption (mean 9/7 X0), cut at the thickness
        frac = 1.0 if c.thickness is None else float(-np.expm1(-c.thickness / PHOTON_TRACK_X0))
        depth_x0 = -PHOTON_TRACK_X0 * np.log1p(-u[:, 2] * frac)
        path_m = depth_x0 * self.mat.radiation_length_cm / 100.0
        origin = hit + path_m[:, None] * (p4g[:, 1:] / pg[:, None])
        keep = weights > 0.0
        if c.z_front == 0.0 and max_theta < np.pi:
            keep &= np.arccos(np.clip(p4[:, 3] / np.maximum(p, 1e-300), -1.0, 1.0)) <= max_theta
        return ParticleSample(
            self.name, mass, weights[keep], p4[keep], origin[keep],
            info={"material": self.mat.name, "nuclear": self.nuclear, "converter_z": c.z_front},
        )
