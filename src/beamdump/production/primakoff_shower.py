"""Primakoff production γ N → a N by the photons of the electromagnetic shower of an electron beam.

The ALP yield per beam electron integrates the Primakoff cross-section of
:mod:`.primakoff_xsec` over the photon track length of the shower by energy and depth,

    N_a = Σ_elements n_i ∫ dk dt T_γ(k, t) σ_i(k, m),   n_i = N_A X0(g/cm²) w_i / A_i,

the same integral as electron bremsstrahlung with the photon track T_γ of the shower table in
place of the e± one (Tsai 1986; Döbrich et al., arXiv:1512.03069 sect. 3 for E137 and NuCal's
shower photons). The photon track already holds the photons' absorption by pair conversion.

Sampling (a fixed scrambled Sobol set in 7 dimensions, shared by every mass): a shower point
(k, depth) from the photon track by the defensive mixture of
:meth:`.shower_source.ShowerChannel.mixture_points`; the transfer t log-uniform over the range
that holds the cross-section (:func:`.primakoff_xsec.t_range`), weight Σ n_i dσ_i/dt · t · Δln t;
the ALP angle to its photon from t (no recoil: E_a = k) with a uniform azimuth; the photon's own
direction from the table's photon angle histogram (it flies along the e± that radiated it) with a
uniform azimuth. Origin on the beam axis at the depth of the point.

The beam electron's own virtual photons (e N → e N a through γ*) are left out: their equivalent
photon number, ≈ (2α/π) ln(E/m_e) ≈ 0.035 per unit ln k per X0 of electron track, is ~3% of the
real photons' track in a thick target (Rossi: T_γ/T_e = 0.572/0.437 per unit ln k). Units: GeV,
metres; weights are ALPs per beam electron at g_aγγ = 1 GeV⁻¹.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np

from ..kinematics import FloatArray
from . import primakoff_xsec as px
from .electron_brems_xsec import to_cm2
from .sample import ParticleSample
from .shower_angles import parent_angles, turned
from .shower_source import ShowerChannel


@dataclass(frozen=True)
class PrimakoffShowerChannel(ShowerChannel):
    """ALPs from Primakoff conversion of the shower photons of a ``beam_energy`` GeV electron beam
    in ``material`` (shower, dump length and angles as :class:`ShowerChannel`; the rate reads
    ``photon_coupling``, g_aγγ per unit of the scanned coupling).
    nuclear: the nuclear form factor of :mod:`.primakoff_xsec` (``tsai`` or ``helm``);
    incoherent: add the quasi-elastic term on the protons. min_photon_energy: photon energy bins
    wholly below it (GeV) are not sampled (the ALP takes the photon's energy: an analysis
    threshold on the decay's energy sum makes them useless; 0 keeps all)."""

    photon_coupling: float = 1.0
    min_photon_energy: float = 0.0
    nuclear: str = "tsai"
    incoherent: bool = True
    name: str = "primakoff_shower"

    def __post_init__(self) -> None:
        super().__post_init__()
        px.check_options(self.name, self.nuclear, self.photon_coupling)

    @property
    def label(self) -> str:
        return "Primakoff (shower photons)"

    @property
    def rate_factor(self) -> float:
        """(g_aγγ per unit coupling)²."""
        return self.photon_coupling**2

    def couples(self) -> bool:
        """Whether the particle couples to two photons."""
        return self.photon_coupling > 0.0

    def mass_range(self) -> tuple[float, float]:
        """Masses (GeV) the channel makes: below the largest photon energy of the table."""
        return (0.0, float(self.table.e_edges[-1]))

    @cached_property
    def _unit_points(self) -> FloatArray:
        """(points, 7) scrambled Sobol points: cell, log k, depth, ln t, ALP azimuth, photon angle, photon azimuth."""
        from scipy.stats import qmc  # here, not at import: `beamdump list` needs no scipy

        return qmc.Sobol(d=7, scramble=True, seed=self.seed).random(self.points)

    @cached_property
    def _photon_points(self) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray, FloatArray]:
        """(k GeV, depth X0, weight X0, θ_γ, φ_γ) of the fixed photon points (mass-independent)."""
        u = self._unit_points
        track = self.photon_track
        if self.min_photon_energy > 0.0:
            track = np.where((self.table.e_edges[1:] > self.min_photon_energy)[:, None], track, 0.0)
        if not track.any():  # no photon above the analysis' threshold: nothing visible is made
            empty = np.zeros(0)
            return empty, empty, empty, empty, empty
        k, t, w, idx = self.mixture_points(track, u[:, :3])
        if not self.shower_angles:
            return k, t, w, np.zeros(k.size), np.zeros(k.size)
        ie, it = np.divmod(idx, self.photon_track.shape[1])
        theta, _ = parent_angles(self.photon_angle_rows(ie, it), k, u[:, 5], self.e_s)
        return k, t, w, theta, 2.0 * np.pi * u[:, 6]

    def dsigma_dt(self, k: FloatArray, mass: float, t: FloatArray) -> FloatArray:
        """Σ_i n_i dσ_i/dt (cm² per GeV² per X0 of photon track) at g_aγγ = 1 GeV⁻¹."""
        return px.column_dsigma_dt(k, mass, t, self.elements, self.nuclear, self.incoherent)

    def sample(self, mass: float, rng: np.random.Generator | None = None, max_theta: float = np.pi) -> ParticleSample:
        """Weighted ALPs of mass ``mass`` (GeV) per beam electron at g_aγγ = 1 GeV⁻¹; all angles are
        kept (the Primakoff cone is far inside any detector's). ``rng`` is unused: the sample is
        deterministic."""
        lo, hi = self.mass_range()
        if not (np.isfinite(mass) and lo < mass < hi):
            return ParticleSample.empty(self.name, mass)
        k, depth, w, theta_g, phi_g = self._photon_points
        u = self._unit_points[: k.size]
        ok, t, span = px.sample_transfer(k, mass, self.elements, u[:, 3])
        if not ok.any():
            return ParticleSample.empty(self.name, mass)
        k, depth, w, theta_g, phi_g, u = k[ok], depth[ok], w[ok], theta_g[ok], phi_g[ok], u[ok]
        weights = w * self.dsigma_dt(k, mass, t) * t * span * self.rate_factor
        _, p4 = px.alp_momenta(k, mass, t, u[:, 4])
        if self.shower_angles:
            p4 = turned(p4, theta_g, phi_g)
        keep = weights > 0.0
        return ParticleSample(
            self.name, mass, weights[keep], p4[keep], self.origin(depth[keep]),
            info={"material": self.mat.name, "nuclear": self.nuclear, "shower_angles": self.shower_angles},
        )

    def quadrature_rate(self, mass: float) -> float:
        """ALPs per beam electron at g = 1 GeV⁻¹ by a deterministic sum over the table's bins,
        Σ_bins T_γ × Σ_i n_i σ_i(k_bin, m) at each bin's geometric-mean energy (a cross-check of
        :meth:`sample`)."""
        e = self.table.e_edges
        kc = np.sqrt(e[:-1] * e[1:])
        per_k = self.photon_track.sum(axis=1)
        ok = (kc > mass) & (per_k > 0)
        if not ok.any():
            return 0.0
        sigma = np.zeros(int(ok.sum()))
        for z, a, n in self.elements:
            sigma += n * px.total_cross_section(kc[ok], mass, z, a, self.nuclear, self.incoherent)
        return float(np.sum(per_k[ok] * to_cm2(sigma))) * self.rate_factor
