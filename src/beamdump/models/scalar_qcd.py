"""The QCD inputs of the Higgs-mixed scalar: α_s(μ) and MSbar quark masses m_q(μ), GeV throughout.

α_s runs at two loops in the MSbar scheme from α_s(m_Z), with n_f = 5, 4, 3 active flavours
above m_b(m_b), m_c(m_c) and below, continuous at those thresholds (PDG QCD review eqs. 9.3–9.5);
quark masses run at one loop, m(μ) ∝ α_s(μ)^{12/(33 − 2n_f)}, from the values of
``data/models/scalar.toml``. Below 1 GeV α_s is held at α_s(1 GeV): the perturbative widths that
read it are not used there.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

import numpy as np
from numpy.typing import ArrayLike, NDArray

#: the lowest scale (GeV) α_s is run to; below it α_s(μ) = α_s(ALPHA_S_FLOOR_GEV)
ALPHA_S_FLOOR_GEV: float = 1.0


def _beta_coefficients(nf: int) -> tuple[float, float]:
    """β₀, β₁ of dα/d ln μ² = −β₀ α²/(4π) − β₁ α³/(16π²) with ``nf`` flavours."""
    return 11.0 - 2.0 * nf / 3.0, 102.0 - 38.0 * nf / 3.0


def _run_alpha(alpha0: float, mu0: float, mu1: float, nf: int, steps: int = 400) -> float:
    """Two-loop α_s at ``mu1`` from ``alpha0`` at ``mu0`` (fourth-order Runge–Kutta in ln μ²)."""
    b0, b1 = _beta_coefficients(nf)

    def rate(a: float) -> float:
        return -b0 * a * a / (4.0 * np.pi) - b1 * a**3 / (16.0 * np.pi**2)

    h = 2.0 * np.log(mu1 / mu0) / steps
    a = alpha0
    for _ in range(steps):
        k1 = rate(a)
        k2 = rate(a + 0.5 * h * k1)
        k3 = rate(a + 0.5 * h * k2)
        k4 = rate(a + h * k3)
        a += h * (k1 + 2 * k2 + 2 * k3 + k4) / 6.0
    return a


@dataclass(frozen=True)
class QcdRunning:
    """α_s(μ) and running quark masses from α_s(m_Z) and the MSbar masses (GeV)."""

    alpha_s_mz: float
    mz: float
    mc_mc: float
    mb_mb: float
    #: MSbar masses of u, d, s at 2 GeV
    light_2gev: dict[str, float] = field(compare=False)

    def n_flavours(self, mu: ArrayLike) -> NDArray[np.int64]:
        """Active flavours at scale ``mu``: 3 below m_c(m_c), 4 up to m_b(m_b), 5 above."""
        mu = np.asarray(mu, dtype=float)
        return 3 + (mu >= self.mc_mc).astype(np.int64) + (mu >= self.mb_mb).astype(np.int64)

    @cached_property
    def _thresholds(self) -> tuple[float, float]:
        """α_s at m_b(m_b) and at m_c(m_c)."""
        a_b = _run_alpha(self.alpha_s_mz, self.mz, self.mb_mb, 5)
        return a_b, _run_alpha(a_b, self.mb_mb, self.mc_mc, 4)

    @cached_property
    def _grid(self) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
        """ln μ and α_s(μ) on a grid from the floor to 2 m_Z, for interpolation."""
        mus = np.geomspace(ALPHA_S_FLOOR_GEV, 2.0 * self.mz, 241)
        a_b, a_c = self._thresholds
        alphas = []
        for mu in mus:
            if mu >= self.mb_mb:
                alphas.append(_run_alpha(a_b, self.mb_mb, mu, 5))
            elif mu >= self.mc_mc:
                alphas.append(_run_alpha(a_b, self.mb_mb, mu, 4))
            else:
                alphas.append(_run_alpha(a_c, self.mc_mc, mu, 3))
        return np.log(mus), np.array(alphas)

    def alpha_s(self, mu: ArrayLike) -> NDArray[np.float64]:
        """Two-loop MSbar α_s at ``mu`` (GeV), held at its 1 GeV value below 1 GeV."""
        log_mu, alphas = self._grid
        return np.interp(np.log(np.maximum(np.asarray(mu, dtype=float), ALPHA_S_FLOOR_GEV)), log_mu, alphas)

    def _mass_exponent_factor(self, mu_from: float, mu_to: NDArray[np.float64]) -> NDArray[np.float64]:
        """m(μ_to)/m(μ_from) at one loop, crossing the flavour thresholds between them."""
        edges = (ALPHA_S_FLOOR_GEV, self.mc_mc, self.mb_mb, np.inf)
        out = np.ones_like(mu_to)
        for i, nf in enumerate((3, 4, 5)):
            lo, hi = edges[i], edges[i + 1]
            # the part of [μ_from, μ_to] (either order) inside this n_f band
            a = np.clip(np.full_like(mu_to, mu_from), lo, hi)
            b = np.clip(mu_to, lo, hi)
            b = np.maximum(b, ALPHA_S_FLOOR_GEV)
            a = np.maximum(a, ALPHA_S_FLOOR_GEV)
            out *= (self.alpha_s(b) / self.alpha_s(a)) ** (12.0 / (33.0 - 2.0 * nf))
        return out

    def running_mass(self, quark: str, mu: ArrayLike) -> NDArray[np.float64]:
        """MSbar mass of ``quark`` (u, d, s, c, b) at scale ``mu`` (GeV), one-loop running."""
        mu = np.asarray(mu, dtype=float)
        if quark in self.light_2gev:
            return self.light_2gev[quark] * self._mass_exponent_factor(2.0, mu)
        ref = {"c": self.mc_mc, "b": self.mb_mb}[quark]
        return ref * self._mass_exponent_factor(ref, mu)
