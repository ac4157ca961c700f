"""Hadronic R ratio, R(s) = sigma(e+e- -> hadrons) / sigma0(e+e- -> mu+mu-), sigma0 = 4 pi alpha^2/(3 s).

A vector-meson-dominance (VMD) model valid from the first hadronic threshold up to ~10 GeV:

* pi+pi-: Kuhn-Santamaria pion form factor with Gounaris-Sakurai rho(770), rho(1450), rho(1700)
  (Belle, arXiv:0805.3773) and rho-omega mixing (arXiv:1002.0279); R_pipi = beta^3 |F_pi|^2 / 4.
* omega(782) (3pi, pi0 gamma, eta gamma) and phi(1020) (K+K-, KL KS, 3pi, eta gamma, pi0 gamma) as
  Breit-Wigners normalised by B(V -> ee) and the hadronic branching fractions, with
  energy-dependent partial widths (P-wave two-body, k^3 radiative, 3pi Dalitz phase space).
* Multi-hadron channels above ~1 GeV (4pi, omega pi, eta pi pi, K K pi, ...): the perturbative
  u,d,s continuum times a smooth turn-on T(E) that reaches 1/2 at 1.4 GeV.
* Perturbative continuum: N_c sum Q_q^2 (1 + alpha_s/pi), charm (bottom) above 2 M_D (2 M_B).

All numbers come from ``beamdump/data/models/r_ratio_vmd.toml`` (each with its source) or from the
``particle`` package (PDG masses and widths). Energies in GeV, s in GeV^2.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from ..constants import ALPHA_EM  # re-exported: alpha(0), used throughout
from ..datafiles import load_toml, package_data
from ..errors import BeamdumpInputError
from ..pdg import mass_gev as _mass
from ..pdg import width_gev as _width

__all__ = ["ALPHA_EM", "HadronCouplings", "RRatio", "load_parameters"]

@lru_cache(maxsize=1)
def default_r_ratio() -> "RRatio":
    """The R(s) of the shipped parameter file, built once and shared (it is read-only)."""
    return RRatio()


def load_parameters() -> dict[str, Any]:
    """The parameter file ``r_ratio_vmd.toml`` as a nested dict."""
    return load_toml(package_data("models", "r_ratio_vmd.toml"))


def _frozen(a: NDArray[np.float64]) -> NDArray[np.float64]:
    a.setflags(write=False)
    return a


def _momentum(s: NDArray[np.float64], m1: float, m2: float) -> NDArray[np.float64]:
    """Two-body break-up momentum (GeV) at invariant mass^2 s (0 below threshold)."""
    lam = (s - (m1 + m2) ** 2) * (s - (m1 - m2) ** 2)
    return np.sqrt(np.clip(lam, 0.0, None)) / (2.0 * np.sqrt(s))


def _three_pion_phase_space(energies: NDArray[np.float64], mc: float, m0: float, n: int = 96) -> NDArray[np.float64]:
    """Phi(E) = E^-3 * Dalitz integral of |p+ x p-|^2 for V -> pi+ pi- pi0 (arbitrary units).

    The P-wave matrix element of omega/phi -> 3pi (without the rho propagators); Gamma_3pi(E) is
    taken proportional to Phi(E). Midpoint rule on a rectangular grid clipped to the Dalitz region.
    """
    e = energies[:, None, None]
    u = (np.arange(n) + 0.5) / n
    lo = (mc + m0) ** 2
    hi = (e - mc) ** 2
    s1 = lo + (hi - lo) * u[None, :, None]  # m^2(pi- pi0)
    s2 = lo + (hi - lo) * u[None, None, :]  # m^2(pi+ pi0)
    ep = (e**2 + mc**2 - s1) / (2 * e)  # pi+ energy in the V frame
    em = (e**2 + mc**2 - s2) / (2 * e)
    spm = e**2 + 2 * mc**2 + m0**2 - s1 - s2  # m^2(pi+ pi-)
    dot = ep * em - (spm - 2 * mc**2) / 2
    cross2 = (ep**2 - mc**2) * (em**2 - mc**2) - dot**2
    ok = (ep >= mc) & (em >= mc) & (cross2 > 0)
    integral = np.where(ok, cross2, 0.0).sum(axis=(1, 2)) * ((hi[:, 0, 0] - lo) / n) ** 2
    return integral / energies**3


@dataclass(frozen=True)
class HadronCouplings:
    """A vector's couplings to the ρ⁰, ω, φ and to the c and b quarks, each relative to the
    photon's (all 1: the photon)."""

    rho: float = 1.0
    omega: float = 1.0
    phi: float = 1.0
    charm: float = 1.0
    bottom: float = 1.0


class RRatio:
    """R(s) from a VMD model; build once, then call with s in GeV^2 (array or scalar)."""

    def __init__(self, parameters: Mapping[str, Any] | None = None) -> None:
        p = load_parameters() if parameters is None else parameters

        def v(section: str, key: str) -> float:
            return float(p[section][key]["value"])

        self.m_pi = _mass(211)
        self.m_pi0 = _mass(111)
        self.m_k = _mass(321)
        self.m_k0 = _mass(311)
        self.m_eta = _mass(221)

        # --- pion form factor (GS rho, rho', rho'') ---
        ff = "pion_form_factor"
        self._rho = tuple(
            (v(ff, f"{name}_mass"), v(ff, f"{name}_width")) for name in ("rho", "rho1", "rho2")
        )
        self._rho_coef = (
            1.0,
            v(ff, "rho1_abs") * np.exp(1j * np.radians(v(ff, "rho1_phase"))),
            v(ff, "rho2_abs") * np.exp(1j * np.radians(v(ff, "rho2_phase"))),
        )
        self._c_omega = v(ff, "omega_mix_abs") * np.exp(1j * v(ff, "omega_mix_phase"))
        self._gs_const = tuple(self._gs_constants(m, g) for m, g in self._rho)

        # --- omega and phi Breit-Wigners ---
        self.m_omega, self.w_omega = _mass(p["omega"]["pdgid"]), _width(p["omega"]["pdgid"])
        self.m_phi, self.w_phi = _mass(p["phi"]["pdgid"]), _width(p["phi"]["pdgid"])
        self._omega_b = {k: v("omega", k) for k in ("b_ee", "b_3pi", "b_pi0gamma", "b_etagamma")}
        self._phi_b = {k: v("phi", k) for k in ("b_ee", "b_kpkm", "b_klks", "b_3pi", "b_etagamma", "b_pi0gamma")}
        e_th = 2 * self.m_pi + self.m_pi0
        self._e3 = _frozen(e_th + (3.0 - e_th) * np.linspace(0.0, 1.0, 160) ** 2)
        self._phi3 = _frozen(_three_pion_phase_space(self._e3, self.m_pi, self.m_pi0))

        # --- multi-hadron turn-on and continuum ---
        self._e_half = v("multihadron", "e_half")
        self._e_width = v("multihadron", "e_width")
        self._e_4pi = 4 * self.m_pi
        self._l_4pi = self._logistic(np.asarray(self._e_4pi))
        c = "continuum"
        self._as_tau = v(c, "alpha_s_mtau")
        self._m_tau, self._m_c, self._m_b = v(c, "m_tau"), v(c, "m_c"), v(c, "m_b")
        self._as_freeze = v(c, "alpha_s_freeze_scale")
        self._as_c = self._run(self._as_tau, self._m_tau, self._m_c, 4)
        self._as_b = self._run(self._as_tau, self._m_tau, self._m_b, 4)
        self._heavy = (
            (2 * _mass(int(v(c, "charm_threshold_pdgid"))), 3 * (2 / 3) ** 2),
            (2 * _mass(int(v(c, "bottom_threshold_pdgid"))), 3 * (1 / 3) ** 2),
        )

    # ------------------------------------------------------------------ pion form factor
    def _gs_constants(self, m: float, g: float) -> tuple[float, float, float, float]:
        """(p(M), h(M^2), dh/ds(M^2), d) of the Gounaris-Sakurai propagator."""
        mpi = self.m_pi
        pm = float(_momentum(np.asarray(m * m), mpi, mpi))
        hm = 2 / np.pi * pm / m * np.log((m + 2 * pm) / (2 * mpi))
        dh = hm * (1 / (8 * pm**2) - 1 / (2 * m**2)) + 1 / (2 * np.pi * m**2)
        d = (
            3 / np.pi * mpi**2 / pm**2 * np.log((m + 2 * pm) / (2 * mpi))
            + m / (2 * np.pi * pm)
            - mpi**2 * m / (np.pi * pm**3)
        )
        return pm, float(hm), float(dh), float(d)

    def _bw_gs(self, s: NDArray[np.float64], i: int) -> NDArray[np.complex128]:
        """Gounaris-Sakurai Breit-Wigner normalised to 1 at s = 0 (valid for s > 4 m_pi^2)."""
        m, g = self._rho[i]
        pm, hm, dh, d = self._gs_const[i]
        rs = np.sqrt(s)
        p = _momentum(s, self.m_pi, self.m_pi)
        h = 2 / np.pi * p / rs * np.log((rs + 2 * p) / (2 * self.m_pi))
        f = g * m**2 / pm**3 * (p**2 * (h - hm) + (m**2 - s) * pm**2 * dh)
        width = g * m**2 / s * (p / pm) ** 3
        return (m**2 + d * m * g) / (m**2 - s + f - 1j * rs * width)

    def pion_form_factor(self, s: ArrayLike, rho: float = 1.0, omega: float = 1.0) -> NDArray[np.complex128]:
        """Timelike pion form factor F_pi(s) (dimensionless) for s >= 4 m_pi^2 (GeV^2).

        ``rho`` and ``omega`` scale its isovector (ρ, ρ′, ρ″) and isoscalar (ρ–ω mixing) parts:
        the form factor of a vector whose ρ and ω couplings are those multiples of the photon's
        (1, 1 is the photon's F_pi).
        """
        s = np.asarray(s, dtype=float)
        mw, ww = self.m_omega, self.w_omega
        bw_w = mw**2 / (mw**2 - s - 1j * mw * ww)
        c = self._c_omega
        bw = [self._bw_gs(s, i) for i in range(len(self._rho_coef))]
        isovector = bw[0] / (1 + c) + sum(k * b for k, b in zip(self._rho_coef[1:], bw[1:]))
        isoscalar = bw[0] * c * bw_w / (1 + c)
        return (rho * isovector + omega * isoscalar) / sum(self._rho_coef)

    # ------------------------------------------------------------------ components
    def r_pipi(self, s: NDArray[np.float64], rho: float = 1.0, omega: float = 1.0) -> NDArray[np.float64]:
        """R(e+e- -> pi+pi-) = beta^3 |F_pi|^2 / 4 (``rho``, ``omega``: see :meth:`pion_form_factor`)."""
        above = s > 4 * self.m_pi**2
        ss = np.where(above, s, 1.0)
        beta = np.sqrt(1 - 4 * self.m_pi**2 / ss)
        return np.where(above, 0.25 * beta**3 * np.abs(self.pion_form_factor(ss, rho, omega)) ** 2, 0.0)

    def _phase3(self, e: NDArray[np.float64], m: float) -> NDArray[np.float64]:
        """Gamma_3pi(E)/Gamma_3pi(M) from the tabulated Dalitz phase space."""
        return np.interp(e, self._e3, self._phi3, left=0.0) / np.interp(m, self._e3, self._phi3)

    @staticmethod
    def _radiative(s: NDArray[np.float64], m: float, md: float) -> NDArray[np.float64]:
        """(k(s)/k(M))^3 for V -> P gamma, k = photon momentum."""
        k = np.clip(s - md**2, 0.0, None) / (2 * np.sqrt(s))
        return (k / ((m**2 - md**2) / (2 * m))) ** 3

    @staticmethod
    def _pwave(s: NDArray[np.float64], m: float, md: float) -> NDArray[np.float64]:
        """(M^2/s) (p(s)/p(M))^3 for V -> P P of equal masses md."""
        q = np.sqrt(np.clip(s / 4 - md**2, 0.0, None) / (m**2 / 4 - md**2))
        return m**2 / s * q**3

    @staticmethod
    def _breit_wigner_r(s: NDArray[np.float64], m: float, b_ee_width: float, partial: NDArray[np.float64],
                        total: NDArray[np.float64]) -> NDArray[np.float64]:
        """R_V = (9/alpha^2) M^2 Gamma_ee Gamma_f(s) / ((s - M^2)^2 + s Gamma(s)^2)."""
        return 9 / ALPHA_EM**2 * m**2 * b_ee_width * partial / ((s - m**2) ** 2 + s * total**2)

    def r_omega(self, s: NDArray[np.float64]) -> NDArray[np.float64]:
        """omega(782) -> 3pi, pi0 gamma, eta gamma (its pi pi decay is in F_pi)."""
        m, w, b = self.m_omega, self.w_omega, self._omega_b
        parts = (
            b["b_3pi"] * w * self._phase3(np.sqrt(s), m)
            + b["b_pi0gamma"] * w * self._radiative(s, m, self.m_pi0)
            + b["b_etagamma"] * w * self._radiative(s, m, self.m_eta)
        )
        rest = w * (1 - b["b_3pi"] - b["b_pi0gamma"] - b["b_etagamma"])
        return self._breit_wigner_r(s, m, b["b_ee"] * w, parts, parts + rest)

    def r_phi(self, s: NDArray[np.float64]) -> NDArray[np.float64]:
        """phi(1020) -> K+K-, KL KS, 3pi, eta gamma, pi0 gamma."""
        m, w, b = self.m_phi, self.w_phi, self._phi_b
        parts = (
            b["b_kpkm"] * w * self._pwave(s, m, self.m_k)
            + b["b_klks"] * w * self._pwave(s, m, self.m_k0)
            + b["b_3pi"] * w * self._phase3(np.sqrt(s), m)
            + b["b_etagamma"] * w * self._radiative(s, m, self.m_eta)
            + b["b_pi0gamma"] * w * self._radiative(s, m, self.m_pi0)
        )
        rest = w * (1 - sum(b[k] for k in ("b_kpkm", "b_klks", "b_3pi", "b_etagamma", "b_pi0gamma")))
        return self._breit_wigner_r(s, m, b["b_ee"] * w, parts, parts + rest)

    @staticmethod
    def _run(a: float | NDArray[np.float64], q0: float, q: float | NDArray[np.float64], nf: int) -> Any:
        """One-loop alpha_s(q) from alpha_s(q0) with nf active flavours."""
        beta0 = 11 - 2 * nf / 3
        return a / (1 + a * beta0 / (4 * np.pi) * np.log(np.asarray(q) ** 2 / q0**2))

    def alpha_s(self, e: ArrayLike) -> NDArray[np.float64]:
        """Strong coupling at scale E (GeV): one loop from alpha_s(m_tau), frozen below 1 GeV."""
        e = np.maximum(np.asarray(e, dtype=float), self._as_freeze)
        return np.where(
            e < self._m_c,
            self._run(self._as_c, self._m_c, e, 3),
            np.where(e < self._m_b, self._run(self._as_tau, self._m_tau, e, 4), self._run(self._as_b, self._m_b, e, 5)),
        )

    def _logistic(self, e: NDArray[np.float64]) -> NDArray[np.float64]:
        return 1.0 / (1.0 + np.exp(-(e - self._e_half) / self._e_width))

    def turn_on(self, e: ArrayLike) -> NDArray[np.float64]:
        """Multi-hadron turn-on T(E): 0 below 4 m_pi, 1/2 near 1.4 GeV, -> 1 (continuous)."""
        e = np.asarray(e, dtype=float)
        t = (self._logistic(e) - self._l_4pi) / (1 - self._l_4pi)
        return np.where(e > self._e_4pi, t, 0.0)

    def r_uds(self, s: NDArray[np.float64]) -> NDArray[np.float64]:
        """Perturbative u,d,s continuum 2 (1 + alpha_s/pi)."""
        return 2.0 * (1 + self.alpha_s(np.sqrt(s)) / np.pi)

    def r_heavy(self, s: NDArray[np.float64], charm: float = 1.0, bottom: float = 1.0) -> NDArray[np.float64]:
        """Open charm and beauty: N_c Q^2 v (3 - v^2)/2 (1 + alpha_s/pi) above 2 M_D, 2 M_B;
        ``charm`` and ``bottom`` scale each quark's coupling (x_q/Q_q)."""
        out = np.zeros_like(s)
        for (threshold, ncq2), k in zip(self._heavy, (charm, bottom)):
            vel = np.sqrt(np.clip(1 - threshold**2 / s, 0.0, None))
            out = out + k * k * ncq2 * vel * (3 - vel**2) / 2
        return out * (1 + self.alpha_s(np.sqrt(s)) / np.pi)

    def components(self, s: ArrayLike, couplings: "HadronCouplings | None" = None) -> dict[str, NDArray[np.float64]]:
        """The terms of R(s): "pipi", "omega", "phi", "multihadron", "heavy" (s > 0 in GeV^2).

        Each vanishes below its threshold (pi0 gamma for omega and phi, 2 m_pi, 4 m_pi, 2 M_D).
        ``couplings`` rescales them for a vector that is not the photon (DarkCast,
        arXiv:1801.04847): the ρ-, ω- and φ-like parts by the square of the vector's coupling to
        that meson over the photon's (in π⁺π⁻ the isovector and isoscalar amplitudes interfere),
        the multi-hadron continuum by quark counting, Σ_uds x_q² / Σ_uds Q_q² — which splits it
        into 3/4 ρ-like, 1/12 ω-like and 1/6 φ-like as the quark charges do [check: the 1–2 GeV
        channels are mostly isovector (4π), so an isoscalar vector's multi-hadron width there is
        overestimated] — and open charm and beauty by (x_q/Q_q)².
        """
        s = np.asarray(s, dtype=float)
        if not np.all((s > 0) & np.isfinite(s)):
            raise BeamdumpInputError("s: every s = m^2 must be finite and > 0 GeV^2")
        k = HadronCouplings() if couplings is None else couplings
        counting = (1.5 * k.rho**2 + k.omega**2 / 6.0 + k.phi**2 / 3.0) / 2.0
        return {
            "pipi": self.r_pipi(s, k.rho, k.omega),
            "omega": k.omega**2 * self.r_omega(s),
            "phi": k.phi**2 * self.r_phi(s),
            "multihadron": counting * self.turn_on(np.sqrt(s)) * self.r_uds(s),
            "heavy": self.r_heavy(s, k.charm, k.bottom),
        }

    def __call__(self, s: ArrayLike, couplings: "HadronCouplings | None" = None) -> NDArray[np.float64]:
        """R(s), dimensionless, for s > 0 in GeV^2; exactly 0 below the pi0 gamma threshold.
        ``couplings``: a vector other than the photon (see :meth:`components`)."""
        c = self.components(s, couplings)
        return c["pipi"] + c["omega"] + c["phi"] + c["multihadron"] + c["heavy"]
