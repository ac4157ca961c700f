"""Primakoff production by the beam proton's own field: p N → p N a through the proton's
equivalent photons meeting the Coulomb field of the dump nuclei (Döbrich, Jaeckel, Kahlhoefer,
Ringwald, Spadaro, arXiv:1512.03069, "ALPtraum"; ALPINIST arXiv:2201.05170).

The proton's photons (energy fraction x = k/E_p, virtuality Q²) follow Budnev et al.'s elastic
flux with dipole form factors (``data/production/primakoff.toml``); each converts on a nucleus
with the Primakoff cross-section of :mod:`.primakoff_xsec` taken at the photon energy k (the
photon is nearly real: Q² ≪ the t that screening and the nucleus allow, or it is suppressed by
the proton's form factor). In a thick dump the proton meets the column N_A λ_I w_i / A_i of
element i before it interacts (λ_I its nuclear interaction length), so

    N_a = Σ_i (N_A λ_I w_i / A_i) ∫ dx dQ² dN/dx dQ² σ_i(xE_p, m).

Kinematics: the photon carries q_T² = (1 − x)(Q² − Q²_min) transverse to the beam (its angle
q_T/k), the ALP takes its energy and the Primakoff angle of t about it; the production depth
follows the proton's exponential absorption (mean λ_I). Sampling: fixed uniform numbers per
point, ln x, ln Q², ln t log-uniform over their ranges with the matching weights. Neglected: the
protons of the hadronic cascade after the first interaction, the proton's recoil and energy
loss. Units: GeV, metres; weights are ALPs per beam proton at g_aγγ = 1 GeV⁻¹.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property, lru_cache
from typing import Any

import numpy as np

from ..constants import ALPHA_EM
from ..datafiles import load_toml, package_data
from ..errors import BeamdumpInputError
from ..kinematics import FloatArray
from ..pdg import PROTON_MASS
from ..sources.materials import Material, get_material
from . import primakoff_xsec as px
from .sample import ParticleSample
from .shower_angles import turned
from .shower_source import AVOGADRO


@lru_cache(maxsize=1)
def constants() -> dict[str, Any]:
    """The data file ``data/production/primakoff.toml``."""
    return load_toml(package_data("production", "primakoff.toml"))


def interaction_length_g_cm2(material: Material) -> float:
    """λ_I (g/cm²) of ``material`` from the data file; an unknown material is a one-line error."""
    table = constants()["interaction_length_g_cm2"]
    if material.name not in table:
        known = [k for k in table if k != "source"]
        raise BeamdumpInputError(
            f"beam.target: no nuclear interaction length for {material.name!r} (primakoff_proton); known: {', '.join(known)}"
        )
    return float(table[material.name])


def q2_min(x: FloatArray) -> FloatArray:
    """Smallest virtuality (GeV²) of a photon taking the fraction x of the proton's energy: m_p² x²/(1 − x)."""
    return PROTON_MASS**2 * x * x / (1.0 - x)


def photon_flux(x: FloatArray, q2: FloatArray) -> FloatArray:
    """dN/dx dQ² (GeV⁻²) of the proton's equivalent photons (Budnev et al. 1975, dipole form
    factors; constants in the data file); 0 below Q²_min."""
    c = constants()["proton_photons"]
    x = np.asarray(x, dtype=float)
    q2 = np.asarray(q2, dtype=float)
    gd2 = (1.0 + q2 / c["dipole_lambda2"]) ** -4
    mu2 = c["proton_magnetic_moment"] ** 2
    m2 = PROTON_MASS**2
    d = (4.0 * m2 * gd2 + q2 * mu2 * gd2) / (4.0 * m2 + q2)
    qmin = q2_min(x)
    flux = ALPHA_EM / (np.pi * x * q2) * ((1.0 - x) * (1.0 - qmin / q2) * d + 0.5 * x * x * mu2 * gd2)
    return np.where(q2 > qmin, flux, 0.0)


@dataclass(frozen=True)
class PrimakoffProtonChannel:
    """ALPs from the equivalent photons of a ``beam_energy`` GeV proton beam in a thick dump of
    ``material``. photon_coupling: g_aγγ per unit of the scanned coupling; min_photon_energy
    (GeV): the analysis' smallest visible energy (photons below it are not drawn)."""

    beam_energy: float
    material: str
    photon_coupling: float = 1.0
    min_photon_energy: float = 0.0
    nuclear: str = "tsai"
    incoherent: bool = True
    points: int = 65536
    seed: int = 13
    name: str = "primakoff_proton"
    spectra = None  # no meson table

    def __post_init__(self) -> None:
        if not (np.isfinite(self.beam_energy) and self.beam_energy > PROTON_MASS):
            raise BeamdumpInputError(f"beam.energy_gev: {self.beam_energy!r}; allowed > {PROTON_MASS:.4g} GeV")
        interaction_length_g_cm2(get_material(self.material))
        px.check_options(self.name, self.nuclear, self.photon_coupling)

    @property
    def label(self) -> str:
        return "Primakoff (proton's photons)"

    def couples(self) -> bool:
        """Whether the particle couples to two photons."""
        return self.photon_coupling > 0.0

    def mass_range(self) -> tuple[float, float]:
        """Masses (GeV) the proton's photons can make."""
        return (0.0, self.x_max * self.beam_energy)

    @cached_property
    def mat(self) -> Material:
        return get_material(self.material)

    @cached_property
    def columns(self) -> tuple[tuple[float, float, float], ...]:
        """(Z, A, atoms per cm²) of each element over one interaction length."""
        lam = interaction_length_g_cm2(self.mat)
        return tuple((z, a, AVOGADRO * lam * w / a) for z, a, w in self.mat.elements)

    @cached_property
    def x_max(self) -> float:
        """Largest x: where Q²_min reaches the flux's Q² cut."""
        q = constants()["proton_photons"]["q2_max"] / PROTON_MASS**2
        return float(0.5 * (-q + np.sqrt(q * q + 4.0 * q)))  # x²/(1 − x) = q

    @cached_property
    def _unit(self) -> FloatArray:
        return np.random.default_rng(self.seed).random((self.points, 6))

    def sample(self, mass: float, rng: np.random.Generator | None = None, max_theta: float = np.pi) -> ParticleSample:
        """Weighted ALPs of mass ``mass`` (GeV) per beam proton at g_aγγ = 1 GeV⁻¹; ALPs beyond
        ``max_theta`` of the beam are dropped. ``rng`` is unused (fixed numbers)."""
        e = self.beam_energy
        x_lo = max(mass * (1.0 + 1e-9), self.min_photon_energy) / e
        if not (np.isfinite(mass) and mass > 0.0 and x_lo < self.x_max):
            return ParticleSample.empty(self.name, mass)
        u = self._unit
        span_x = np.log(self.x_max / x_lo)
        x = x_lo * np.exp(span_x * u[:, 0])
        q_lo = q2_min(x)
        q_hi = constants()["proton_photons"]["q2_max"]
        span_q = np.log(q_hi / q_lo)
        q2 = q_lo * np.exp(span_q * u[:, 1])
        k = x * e
        ok, t, span_t = px.sample_transfer(k, mass, self.columns, u[:, 2])  # x ≤ x_max: Q² range never empty
        x, q2, k, span_q, u = (a[ok] for a in (x, q2, k, span_q, u))
        sigma = px.column_dsigma_dt(k, mass, t, self.columns, self.nuclear, self.incoherent)
        weights = (photon_flux(x, q2) * x * q2 * span_x * span_q / self.points) * sigma * t * span_t * self.photon_coupling**2
        # the photon's direction (q_T about the beam), then the ALP's about it
        theta_g = np.sqrt(np.clip((1.0 - x) * (q2 - q2_min(x)), 0.0, None)) / k
        _, local = px.alp_momenta(k, mass, t, u[:, 3])
        p = np.sqrt(np.clip(k * k - mass * mass, 0.0, None))
        p4 = turned(local, theta_g, 2.0 * np.pi * u[:, 4])
        lam_m = interaction_length_g_cm2(self.mat) / self.mat.density / 100.0
        origin = np.zeros((k.size, 3))
        origin[:, 2] = -lam_m * np.log1p(-u[:, 5])
        keep = weights > 0.0
        if max_theta < np.pi:
            keep &= np.arccos(np.clip(p4[:, 3] / np.maximum(p, 1e-300), -1.0, 1.0)) <= max_theta
        return ParticleSample(self.name, mass, weights[keep], p4[keep], origin[keep], info={"material": self.mat.name})

    def total_rate(self, mass: float) -> float:
        """ALPs per beam proton at g = 1 GeV⁻¹, all angles (Monte-Carlo estimate of the sample)."""
        return self.sample(mass).total
