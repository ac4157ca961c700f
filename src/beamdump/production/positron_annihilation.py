"""Resonant annihilation e⁺e⁻ → A′ of the shower positrons on the atomic electrons of the dump.

A shower e⁺ of energy E₊ (total) meets an electron at rest with s = 2m_e(E₊ + m_e). In the
narrow-width limit the cross-section of a vector that couples to the electron with ε e is

    σ(E₊) = σ̂ δ(E₊ − E_R),   E_R = m²/(2m_e) − m_e,
    σ̂ = 12π² Γ(A′→e⁺e⁻)/(m β² · 2m_e) = 2π²α ε² (1 + 2m_e²/m²)/(m_e β),   β = √(1 − 4m_e²/m²),

from the Breit–Wigner σ(s) = 12π Γ_ee Γ /((s − m²)² + m²Γ²)·(flux 2sβ) integrated over the
resonance (∫ds → π/(mΓ)) with Γ_ee = (αε²m/3)(1 + 2m_e²/m²)β (FACTS.md). For m ≫ m_e this is
4π²αε²/(2m_e) δ(E₊ − m²/2m_e) (Nardi, Carvajal, Ghoshal, Meloni, Raggi, arXiv:1802.04756;
Marsicano et al., arXiv:1802.03794, eq. of the resonant cross-section [check: factor read in
neither paper; derived here and checked against DMG4 DarkPhotonsAnnihilation.cc, whose
Breit–Wigner has the same narrow-width integral]). So per beam electron

    N_A′ = n_e · T₊(E_R) · σ̂ · (s·x_e/Q_e)²,

n_e = N_A X0 Σ w_i Z_i/A_i the atomic electrons per cm² per X0 and T₊(E) the depth-integrated
positron track per GeV of the shower table (X0/GeV), interpolated linearly in ln E between the
energy bins' geometric centres (the bin's mean there). Every A′ has the energy m²/(2m_e) and the
momentum, hence the direction, of its positron (the target electron's atomic motion is
neglected: it broadens the resonance over a smooth positron spectrum and moves the direction by
≲ αZ m_e/E₊). The positron's direction is drawn from the table's e⁺ angle histogram at E_R
(option ``shower_angles``); with a cone ``max_theta`` only positrons inside it are drawn and the
weight carries their share, so no point is wasted. Depths are drawn ∝ T₊(E_R, t).

The channel makes masses with e_min ≤ E_R ≤ E0 of the table. Units: GeV, metres; weights are A′
per beam electron at coupling 1.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np

from ..constants import ALPHA_EM
from ..kinematics import FloatArray
from ..pdg import ELECTRON_MASS
from . import electron_brems_xsec as xs
from .sample import ParticleSample
from .shower_angles import parent_angles, turned
from .shower_source import VectorShowerChannel, electrons_per_x0

__all__ = ["PositronAnnihilationChannel", "resonant_energy", "resonant_strength"]


def resonant_energy(mass: float) -> float:
    """E_R (GeV): the total positron energy at which e⁺ e⁻(at rest) → A′ of ``mass`` GeV is on shell."""
    return mass * mass / (2.0 * ELECTRON_MASS) - ELECTRON_MASS


def resonant_strength(mass: float) -> float:
    """σ̂ (GeV⁻¹ · GeV⁻² → use :func:`~.electron_brems_xsec.to_cm2` for cm²·GeV) at ε = 1:
    σ(E₊) = σ̂ δ(E₊ − E_R); 0 at or below the e⁺e⁻ threshold."""
    if not mass > 2.0 * ELECTRON_MASS:
        return 0.0
    r = (ELECTRON_MASS / mass) ** 2
    beta = np.sqrt(1.0 - 4.0 * r)
    return float(2.0 * np.pi**2 * ALPHA_EM * (1.0 + 2.0 * r) / (ELECTRON_MASS * beta))


@dataclass(frozen=True)
class PositronAnnihilationChannel(VectorShowerChannel):
    """Resonant e⁺e⁻ → A′ of the shower positrons of a ``beam_energy`` GeV electron beam in
    ``material`` (shower, dump length, charges and angles: :class:`VectorShowerChannel`).

    points: Sobol points per mass (depth, angle), a power of two.
    """

    points: int = 1024
    seed: int = 17
    name: str = "positron_annihilation"

    @property
    def label(self) -> str:
        return "e⁺e⁻ → A′ (resonant)"

    def mass_range(self) -> tuple[float, float]:
        """Masses (GeV) whose resonant energy lies inside the table: e_min ≤ m²/2m_e − m_e ≤ E0."""
        e = self.table.e_edges
        return (float(np.sqrt(2.0 * ELECTRON_MASS * (e[0] + ELECTRON_MASS))),
                float(np.sqrt(2.0 * ELECTRON_MASS * (e[-1] + ELECTRON_MASS))))

    @cached_property
    def _unit_points(self) -> FloatArray:
        """(points, 4) scrambled Sobol points: depth cell, depth in cell, angle, azimuth."""
        from scipy.stats import qmc  # here, not at import

        return qmc.Sobol(d=4, scramble=True, seed=self.seed).random(self.points)

    @cached_property
    def electrons(self) -> float:
        """Atomic electrons per cm² per X0 of the dump material."""
        return electrons_per_x0(self.mat)

    def _at_energy(self, energy: float) -> tuple[FloatArray, FloatArray]:
        """(T₊(E, t) per depth bin in X0 per GeV, e⁺ angle histogram (nt, nu) in the same units)
        at the positron energy ``energy`` (GeV), linear in ln E between the bins' geometric centres."""
        e = self.table.e_edges
        centres = np.sqrt(e[:-1] * e[1:])
        width = np.diff(e)
        nt = self.depth_edges.size - 1
        j = int(np.clip(np.searchsorted(centres, energy) - 1, 0, centres.size - 2)) if centres.size > 1 else 0
        if centres.size == 1 or energy <= centres[0]:
            parts = [(0, 1.0)]
        elif energy >= centres[-1]:
            parts = [(centres.size - 1, 1.0)]
        else:
            f = float(np.log(energy / centres[j]) / np.log(centres[j + 1] / centres[j]))
            parts = [(j, 1.0 - f), (j + 1, f)]
        density = np.zeros(nt)
        hist = np.zeros((nt, self.table.positron_angle_hist.shape[2]))
        for i, share in parts:
            density += share * self.positron_track[i] / width[i]
            # the angle histogram of the table's depth bins, scaled to the (cut) track of each bin
            full = self.table.positron_angle_hist[i, :nt]
            norm = full.sum(axis=1)
            scale = np.divide(self.positron_track[i], norm, out=np.zeros(nt), where=norm > 0)
            hist += share * full * (scale / width[i])[:, None]
        return density, hist

    def total_rate(self, mass: float) -> float:
        """A′ per beam electron at coupling 1, all angles: n_e · T₊(E_R) · σ̂ · rate factor."""
        lo, hi = self.mass_range()
        if not (np.isfinite(mass) and lo <= mass <= hi):
            return 0.0
        density, _ = self._at_energy(resonant_energy(mass))
        return float(self.electrons * density.sum() * xs.to_cm2(resonant_strength(mass))) * self.rate_factor

    def sample(self, mass: float, rng: np.random.Generator | None = None, max_theta: float = np.pi) -> ParticleSample:
        """Weighted A′ of mass ``mass`` (GeV) per beam electron at coupling 1; only positrons within
        ``max_theta`` of the beam axis are drawn (their share is in the weights). ``rng`` is
        unused: the sample is deterministic."""
        lo, hi = self.mass_range()
        if not (np.isfinite(mass) and lo <= mass <= hi):
            return ParticleSample.empty(self.name, mass)
        e_pos = resonant_energy(mass)
        density, hist = self._at_energy(e_pos)
        total = density.sum()
        if total <= 0.0:
            return ParticleSample.empty(self.name, mass)
        rate = self.electrons * total * float(xs.to_cm2(resonant_strength(mass))) * self.rate_factor
        u = self._unit_points
        cdf = np.cumsum(density) / total
        cell = np.minimum(np.searchsorted(cdf, u[:, 0], side="right"), density.size - 1)
        edges = self.depth_edges
        t = edges[cell] + u[:, 1] * (edges[cell + 1] - edges[cell])
        n = u.shape[0]
        weights = np.full(n, rate / n)
        energy = np.full(n, e_pos)
        if self.shower_angles:
            cap = None if max_theta >= np.pi else float(max_theta)
            theta, share = parent_angles(hist[cell], energy, u[:, 2], self.e_s, cap)
            weights = weights * share
        else:
            theta = np.zeros(n)
        p = np.sqrt(max(e_pos * e_pos - ELECTRON_MASS * ELECTRON_MASS, 0.0))
        p4 = np.zeros((n, 4))
        p4[:, 0] = e_pos + ELECTRON_MASS  # = m²/(2m_e)
        p4[:, 3] = p
        p4 = turned(p4, theta, 2.0 * np.pi * u[:, 3])
        keep = weights > 0.0
        return ParticleSample(
            self.name, mass, weights[keep], p4[keep], self.origin(t)[keep],
            info={"material": self.mat.name, "positron_energy": e_pos, "shower_angles": self.shower_angles},
        )
