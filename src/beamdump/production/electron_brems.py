"""Electron bremsstrahlung e + N → e + N + A′ in a thick target hit by an electron beam.

The A′ yield per beam electron integrates the per-atom cross-section over the track length of
every shower e± by energy and depth (Tsai, Rev. Mod. Phys. 46 (1974) 815; Bjorken et al.,
Phys. Rev. D 38 (1988) 3375 and arXiv:0906.0580):

    N_A′ = Σ_elements n_i ∫ dE dt T(E, t) ∫ dx dσ_i/dx(E, m; x),
    n_i  = N_A · X0 (g/cm²) · w_i / A_i    [atoms per cm² per X0 of track, mass fraction w_i],

with T(E, t) the differential track length of :mod:`beamdump.sources.shower_table` (X0 per GeV per
X0 of depth) and dσ/dx the improved Weizsäcker–Williams (IWW) cross-section of
:mod:`beamdump.production.electron_brems_xsec` (``method="ww"`` reweights each point by the
ratio of the full-WW to the IWW dσ/dx, tabulated per mass). For a compound or mixture the sum
runs over ``Material.elements`` (Z, A, mass fraction); in the IWW form only the flux χ depends on
the element, so one effective Σ n_i χ_i is used.

Sampling (one fixed scrambled Sobol sequence in 6 dimensions, shared by every mass, so the
yields are smooth in mass and the sample is deterministic):

* shower point: a (log E, depth) cell of the table drawn from a defensive mixture — half
  ∝ track length, half uniform in the energy bins (∝ track in depth within each) — so the
  high-energy electrons that set the upper ε edge are not starved by the 1/E² track spectrum;
  log E and t uniform inside the cell; weight T_cell/(n·p_cell);
* x = E_A′/E: uniform in ln(1 − x) between x_min = m/E and x_max = 1 − max(m_e, m)/E, which
  takes out the 1/(1 − x) peak of dσ/dx; weight dσ/dx·(1 − x)·Δln(1 − x);
* A′ angle: U = E²xθ² + U₀, U₀ = m²(1 − x)/x + m_e²x, drawn ∝ U⁻² (θ ~ √(U₀/x)/E) up to the
  acceptance cone, then reweighted by the WW angular bracket
  [(1 − x + x²/2) − x(1 − x) m² (U − U₀)/U²] normalised to its all-angle mean, so the
  x-marginal stays exactly the IWW dσ/dx and only the part inside the cone is kept;
* azimuth uniform; A′ energy x·E; origin on the beam axis at z = t·X0 (m);
* the parent's direction (``shower_angles``, on by default): θ_e drawn from the table's angle
  histogram of the point's cell (u = θ_e·E/E_s, E_s of ``data/production/shower_angles.toml``)
  and a uniform azimuth, two more Sobol dimensions; the A′ momentum is turned from the parent's
  frame into the lab. The emission angle is then drawn up to the acceptance cone widened by θ_e
  (an A′ further out than θ_e + max_theta cannot reach it), so the weights stay exact.

Neglected: the lateral shower spread (≲ a Molière radius, cm) and the path length added by the
angles. A′ from the e⁺ annihilation are the channel of :mod:`.positron_annihilation`. Units: GeV,
metres; weights are A′ per beam electron at ε = 1.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING

import numpy as np

from ..kinematics import FloatArray
from . import electron_brems_xsec as xs
from .sample import ParticleSample
from .shower_angles import parent_angles, turned
from .shower_source import AVOGADRO, VectorShowerChannel, atoms_per_x0, default_shower_settings

if TYPE_CHECKING:
    from scipy.interpolate import RegularGridInterpolator

__all__ = ["AVOGADRO", "ElectronBremsChannel", "atoms_per_x0", "default_shower_settings"]

_CHI_GRID = 48  # log-spaced shower energies per mass at which χ is computed (then interpolated)
_WW_GRID = (8, 16)  # (energies, x nodes) of the WW/IWW ratio table of method="ww"


@dataclass(frozen=True)
class ElectronBremsChannel(VectorShowerChannel):
    """A′ bremsstrahlung of the shower e± of a ``beam_energy`` GeV electron beam in ``material``.

    The shower, dump length, charges and parent directions are those of :class:`VectorShowerChannel`.
    points: Sobol points per mass (a power of two). method: ``iww`` (default) or ``ww``.
    """

    method: str = "iww"
    name: str = "electron_brems"

    def __post_init__(self) -> None:
        super().__post_init__()
        xs.check_method(self.method, "electron_brems method")

    # ------------------------------------------------------------------ setup
    @property
    def label(self) -> str:
        return "e bremsstrahlung"

    @property
    def _track_grid(self) -> tuple[FloatArray, FloatArray]:
        """(depth edges X0, track (nE, nt) X0) of the table cut at :attr:`depth_x0`."""
        return self.depth_edges, self.track

    def mass_range(self) -> tuple[float, float]:
        """Masses (GeV) the channel makes: up to E_max/2 of the shower table (x range non-empty)."""
        return (0.0, 0.5 * float(self.table.e_edges[-1]))

    @cached_property
    def _unit_points(self) -> FloatArray:
        """(points, 6) scrambled Sobol points: cell, log E in cell, t in cell, x, U, azimuth."""
        from scipy.stats import qmc  # here, not at import: `beamdump list` needs no scipy

        return qmc.Sobol(d=6, scramble=True, seed=self.seed).random(self.points)

    @cached_property
    def _shower_points(self) -> tuple[FloatArray, FloatArray, FloatArray, np.ndarray]:
        """(E GeV, t X0, weight X0, flat cell index) of the fixed shower points (independent of the mass)."""
        return self.mixture_points(self._track_grid[1], self._unit_points)

    @cached_property
    def _parent_directions(self) -> tuple[FloatArray, FloatArray]:
        """(θ_e, φ_e) of the parent e± of each shower point, rad: θ_e from the angle histogram of
        its cell, both from the last two dimensions of an 8-D Sobol set (the first six are
        :attr:`_unit_points`, which do not change with the option)."""
        energy, _, _, idx = self._shower_points
        if not self.shower_angles:
            return np.zeros(energy.size), np.zeros(energy.size)
        from scipy.stats import qmc

        extra = qmc.Sobol(d=8, scramble=True, seed=self.seed).random(self.points)[:, 6:]
        nt = self._track_grid[1].shape[1]
        ie, it = np.divmod(idx, nt)
        theta, _ = parent_angles(self.table.angle_hist[ie, it], energy, extra[:, 0], self.e_s)
        return theta, 2.0 * np.pi * extra[:, 1]

    # ------------------------------------------------------------------ cross-sections
    def _chi_eff(self, energies: FloatArray, mass: float) -> FloatArray:
        """Σ_i n_i χ_i(E, m) (cm⁻² per X0) at the shower energies, interpolated in log E."""
        e_lo, e_hi = float(self.table.e_edges[0]), float(self.table.e_edges[-1])
        lo = max(e_lo, mass * (1.0 + 1e-9))
        if lo >= e_hi:
            return np.zeros_like(energies)
        grid = np.geomspace(lo, e_hi, _CHI_GRID)
        chi = np.zeros_like(grid)
        for z, a, n in self.elements:
            chi += n * xs.chi(grid, mass, z, a)
        out = np.interp(np.log(energies), np.log(grid), chi)
        return np.where(energies > mass, out, 0.0)

    def _ww_ratio(self, mass: float) -> RegularGridInterpolator | None:
        """Interpolator of Σ n dσ_WW/dx / Σ n dσ_IWW/dx on (ln E, u), u the unit coordinate of x
        in ln(1 − x); ``None`` when no shower energy can make the mass."""
        key = ("ww", mass)
        if key in self._cache:
            return self._cache[key]
        e_lo, e_hi = float(self.table.e_edges[0]), float(self.table.e_edges[-1])
        ml = xs.ELECTRON_MASS
        lo = max(e_lo, 2.0 * max(mass, ml) * 1.001)
        if lo >= e_hi:
            self._cache[key] = None
            return None
        ne, nu = _WW_GRID
        energies = np.geomspace(lo, e_hi, ne)
        u = (np.arange(nu) + 0.5) / nu
        u = np.concatenate([[0.0], u, [1.0]])
        ratio = np.ones((ne, u.size))
        for i, e in enumerate(energies):
            s_lo, s_hi = np.log1p(-mass / e), np.log(max(ml, mass) / e)
            x = 1.0 - np.exp(s_hi + (s_lo - s_hi) * np.clip(u, 1e-4, 1 - 1e-4))
            num = np.zeros_like(x)
            den = np.zeros_like(x)
            for z, a, n in self.elements:
                num += n * xs.dsigma_dx(x, e, mass, z, a, method="ww")
                den += n * xs.dsigma_dx(x, e, mass, z, a, method="iww")
            ratio[i] = np.divide(num, den, out=np.ones_like(num), where=den > 0)
        from scipy.interpolate import RegularGridInterpolator

        interp = RegularGridInterpolator((np.log(energies), u), ratio, bounds_error=False, fill_value=None)
        self._cache[key] = interp
        return interp

    # ------------------------------------------------------------------ the channel
    def sample(self, mass: float, rng: np.random.Generator | None = None, max_theta: float = np.pi) -> ParticleSample:
        """Weighted A′ of mass ``mass`` (GeV) per beam electron at coupling 1 (the dark photon's rate times :attr:`rate_factor`).

        Only A′ that can lie within ``max_theta`` of the beam axis are made: the emission angle
        is drawn inside the cone (widened by the parent's angle when ``shower_angles`` is on, so
        a few A′ end up outside it). ``rng`` is unused: the sample is deterministic.
        """
        lo, hi = self.mass_range()
        if not (np.isfinite(mass) and lo < mass < hi):
            return ParticleSample.empty(self.name, mass)
        ml = xs.ELECTRON_MASS
        E, t, w_shower, _ = self._shower_points
        theta_e, phi_e = self._parent_directions
        u = self._unit_points
        ok = E > 2.0 * max(mass, ml)
        E, t, w_shower, u, theta_e, phi_e = E[ok], t[ok], w_shower[ok], u[ok], theta_e[ok], phi_e[ok]
        if not E.size:
            return ParticleSample.empty(self.name, mass)
        # x uniform in s = ln(1 − x) between x_min = m/E and x_max = 1 − max(m_e, m)/E
        s_lo = np.log1p(-mass / E)
        s_hi = np.log(max(ml, mass) / E)
        s = s_hi + (s_lo - s_hi) * u[:, 3]
        one_minus_x = np.exp(s)
        x = 1.0 - one_minus_x
        chi_eff = self._chi_eff(E, mass)
        dsdx = xs._dsigma_dx_iww(x, E, mass, ml, chi_eff)  # GeV⁻² × cm⁻² per X0, Σ over elements
        weights = w_shower * xs.to_cm2(dsdx) * one_minus_x * (s_lo - s_hi)
        if self.method == "ww":
            ratio = self._ww_ratio(mass)
            if ratio is not None:
                weights = weights * np.clip(ratio(np.column_stack([np.log(E), u[:, 3]])), 0.0, None)
        # angle: U ∝ U⁻² from U₀ up to the cone, reweighted by the normalised WW bracket
        theta_cap = np.minimum(float(max_theta) + theta_e, xs._theta_max(None))
        u0 = mass * mass * one_minus_x / x + ml * ml * x
        a_br = 1.0 - x + 0.5 * x * x
        b_br = x * one_minus_x * mass * mass
        u_max = u0 + x * E * E * theta_cap * theta_cap
        v_max = 1.0 - u0 / u_max
        v = v_max * u[:, 4]
        U = u0 / (1.0 - v)
        bracket = a_br - b_br * (U - u0) / (U * U)
        norm = a_br - b_br / (6.0 * u0)
        weights = weights * v_max * np.clip(bracket, 0.0, None) / norm
        theta = np.sqrt(np.clip((U - u0) / (x * E * E), 0.0, None))
        energy = x * E
        p = np.sqrt(np.clip(energy * energy - mass * mass, 0.0, None))
        phi = 2.0 * np.pi * u[:, 5]
        st = np.sin(theta)
        p4 = np.column_stack([energy, p * st * np.cos(phi), p * st * np.sin(phi), p * np.cos(theta)])
        if self.shower_angles:
            p4 = turned(p4, theta_e, phi_e)
        origin = self.origin(t)
        weights = weights * self.rate_factor
        keep = (weights > 0.0) & (p > 0.0)
        return ParticleSample(
            self.name, mass, weights[keep], p4[keep], origin[keep],
            info={"method": self.method, "material": self.mat.name, "shower_angles": self.shower_angles,
                  "parent_theta": theta_e[keep], "parent_phi": phi_e[keep]},
        )

    def total_rate(self, mass: float) -> float:
        """A′ per beam electron at ε = 1, all angles (Sobol estimate of the sample)."""
        return self.sample(mass).total

    def quadrature_rate(self, mass: float) -> float:
        """A′ per beam electron at ε = 1 by a deterministic sum over the table's bins:
        Σ_bins track × Σ_i n_i σ_i(E_bin, m), σ the total IWW/WW cross-section at the bin's
        geometric-mean energy (a cross-check of :meth:`sample`; per-bin log-E variation of σ is
        neglected)."""
        tab = self.table
        e = tab.e_edges
        ec = np.sqrt(e[:-1] * e[1:])
        per_e = self._track_grid[1].sum(axis=1)
        ok = (ec > 2.0 * max(mass, xs.ELECTRON_MASS)) & (per_e > 0)
        if not ok.any():
            return 0.0
        sigma = np.zeros(int(ok.sum()))
        for z, a, n in self.elements:
            sigma += n * xs.total_cross_section(ec[ok], mass, z, a, method=self.method)
        return float(np.sum(per_e[ok] * xs.to_cm2(sigma))) * self.rate_factor
