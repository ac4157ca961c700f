"""The strong-interaction pieces of the fermion-coupled ALP (:mod:`beamdump.models.alp_fermion`):
the fermion-loop function, the ALP's mixing with π⁰, η, η′, a → 3π and the inclusive hadronic
width. Per unit of g_aff = c_f/f_a (GeV⁻¹); masses and widths in GeV.

* Loop function B₁(τ) = 1 − τ f(τ)², τ = 4m_f²/m_a² (Bauer, Neubert, Thamm arXiv:1708.00443
  eq. 28): → 1 for a light fermion, → −m_a²/(12 m_f²) → 0 for a heavy one (a derivative coupling
  decouples).
* Light quarks: the coupling to the axial currents, ∂a/(2f_a) Σ_q q̄γγ₅q, is a kinetic mixing
  ε_P = F Tr(T_P) g_aff with each U(3) meson P (generators T_P of ``meson_flavour.toml``,
  F = f_π/√2); universal couplings mix with η and η′ only, with π⁰ through the isospin-breaking
  mass terms M²_{Qπ} = 4B Tr(M_q T_Q T_π). The a–P admixture is ξ_P F g_aff with
  ξ_η = Tr(T_η) m_a²/(m_a² − m_η²), ξ_π = m_a²/(m_a² − m_π²) Σ_Q Tr(T_Q) M²_{Qπ}/(m_a² − m_Q²)
  (poles regulated by the PDG widths). These give a → γγ through each meson's anomaly,
  g_Pγγ = (α/πF) N_c 2Tr(T_P Q²), which for m_a ≫ m_P reproduces the light-quark loops, and
  a → 3π from arXiv:1708.00443 eq. 41 with the isovector coupling c_u − c_d replaced by the
  effective Δ = 2 Σ_Q Tr(T_Q) M²_{Qπ}/(m_a² − m_Q²) [check: the same structure as the a–π⁰
  mixing of arXiv:2110.10698; the a → ηππ, ππγ channels of the η′ region are not included].
* Above join_high (mixed linearly with the chiral widths from join_low): a → gg through the
  quark loops with the NLO factor, plus a → qq̄ (arXiv:1708.00443 eqs. 34-35).

Equation numbers of arXiv:1708.00443 are those of the journal version [check].
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from types import MappingProxyType

import numpy as np
from numpy.typing import NDArray

from ..datafiles import load_toml, package_data
from ..errors import BeamdumpInputError
from ..kinematics import kallen
from ..pdg import mass_gev, width_gev
from .r_ratio import default_r_ratio
from .scalar import scalar_constants

#: photon quark-charge matrix diag(u, d, s)
_Q = np.array([2.0, -1.0, -1.0]) / 3.0
_N_C = 3.0
#: U(3) mesons: (key in meson_flavour.toml, pdg id)
_MESONS = (("pi0", 111), ("eta", 221), ("etaprime", 331))


def _value(table: dict, key: str, what: str) -> float:
    try:
        return float(table[key]["value"])
    except (KeyError, TypeError, ValueError):
        raise BeamdumpInputError(f"alp_fermion.toml: [{what}] {key} missing or not a number") from None


@dataclass(frozen=True)
class FermionALPParameters:
    """The numbers of ``alp_fermion.toml`` and, shared with the dark scalar, of ``scalar.toml``:
    quark masses (u, d, s: MSbar at 2 GeV; c, b, t: pole), v, m_W, the CKM matrix (GeV unless stated)."""

    quark_masses: Mapping[str, float]
    vev: float
    m_w: float
    ckm: NDArray[np.complex128] = field(repr=False, compare=False)
    cutoff: float = 1000.0
    f_pi: float = 0.1302
    join_low: float = 1.0
    join_high: float = 1.5
    k_factor_gg: float = 20.75
    open_charm_threshold: float = 3.7297

    def __post_init__(self) -> None:
        if not self.cutoff > self.quark_masses["t"]:
            raise BeamdumpInputError(f"alp_fermion.toml [flavour] cutoff: {self.cutoff:g} GeV; allowed > m_t")
        if not 0.0 < self.join_low < self.join_high:
            raise BeamdumpInputError(
                f"alp_fermion.toml [hadrons]: join_low {self.join_low:g}, join_high {self.join_high:g} GeV; allowed 0 < low < high"
            )

    def inclusive_share(self, m: NDArray[np.float64]) -> NDArray[np.float64]:
        """Weight of the inclusive hadronic width: 0 below join_low, 1 above join_high, linear between."""
        return np.clip((m - self.join_low) / (self.join_high - self.join_low), 0.0, 1.0)


@lru_cache(maxsize=1)
def load_parameters() -> FermionALPParameters:
    """The shipped constants of the fermion-coupled ALP."""
    data = load_toml(package_data("models", "alp_fermion.toml"))
    fl, ch, had = (data.get(k, {}) for k in ("flavour", "chiral", "hadrons"))
    sm = scalar_constants()
    return FermionALPParameters(
        quark_masses=MappingProxyType({**sm.msbar, **sm.pole}),
        vev=1.0 / np.sqrt(np.sqrt(2.0) * sm.fermi),
        m_w=sm.w_mass,
        ckm=sm.ckm,
        cutoff=_value(fl, "cutoff", "flavour"),
        f_pi=_value(ch, "f_pi", "chiral"),
        join_low=_value(had, "join_low", "hadrons"),
        join_high=_value(had, "join_high", "hadrons"),
        k_factor_gg=_value(had, "k_factor_gg", "hadrons"),
        open_charm_threshold=_value(had, "open_charm_threshold", "hadrons"),
    )


@lru_cache(maxsize=1)
def _generators() -> dict[str, NDArray[np.float64]]:
    data = load_toml(package_data("models", "meson_flavour.toml"))
    return {key: np.asarray(data[key]["generator"], dtype=float) for key, _ in _MESONS}


def loop_b1(m: NDArray[np.float64], m_f: float) -> NDArray[np.complex128]:
    """B₁(τ) = 1 − τ f(τ)² (dimensionless) at ALP masses ``m`` (GeV) for a fermion of mass ``m_f``:
    τ = 4m_f²/m², f = arcsin(1/√τ) (τ ≥ 1) or π/2 + (i/2) ln((1+√(1−τ))/(1−√(1−τ))) (τ < 1)."""
    tau = np.asarray(4.0 * m_f * m_f / (m * m), dtype=float)
    above = tau >= 1.0
    f_above = np.arcsin(1.0 / np.sqrt(np.where(above, tau, 1.0)))
    r = np.sqrt(np.where(above, 0.0, 1.0 - tau))
    with np.errstate(divide="ignore"):
        f_below = np.pi / 2 + 0.5j * np.log((1.0 + r) / np.where(above, 1.0, 1.0 - r))
    f = np.where(above, f_above, f_below)
    # heavy fermion: the series 1 − τ f² = −1/(3τ) − 8/(45τ²) … avoids the cancellation
    heavy = -1.0 / (3.0 * tau) - 8.0 / (45.0 * tau**2)
    return np.where(tau > 1e4, heavy, 1.0 - tau * f * f)


def _propagator(m: NDArray[np.float64], pdg: int) -> NDArray[np.complex128]:
    mp = mass_gev(pdg)
    return 1.0 / (m * m - mp * mp + 1j * mp * width_gev(pdg))


def isovector_coupling(m: NDArray[np.float64], p: FermionALPParameters) -> NDArray[np.complex128]:
    """Δ(m) = 2 Σ_{Q=η,η′} Tr(T_Q) M²_{Qπ}/(m² − m_Q²): the effective c_u − c_d of a universal coupling."""
    t = _generators()
    mq = np.array([p.quark_masses[k] for k in ("u", "d", "s")])
    b0 = mass_gev(111) ** 2 / (mq[0] + mq[1])  # m_π² = B (m_u + m_d)
    out = np.zeros(m.shape, dtype=complex)
    for key, pdg in _MESONS[1:]:
        mix = 4.0 * b0 * np.sum(mq * t[key] * t["pi0"])  # M²_{Qπ} = 4B Tr(M_q T_Q T_π)
        out += 2.0 * np.sum(t[key]) * mix * _propagator(m, pdg)
    return out


def meson_admixtures(m: NDArray[np.float64], p: FermionALPParameters) -> dict[str, NDArray[np.complex128]]:
    """ξ_P(m) for π⁰, η, η′: the a–P admixture is ξ_P F g_aff (F = f_π/√2)."""
    t = _generators()
    out = {key: np.sum(t[key]) * m * m * _propagator(m, pdg) for key, pdg in _MESONS[1:]}
    out["pi0"] = 0.5 * isovector_coupling(m, p) * m * m * _propagator(m, 111)
    return out


def two_photon_amplitude_light(m: NDArray[np.float64], p: FermionALPParameters) -> NDArray[np.complex128]:
    """The light-quark part of S in g_aγγ = (α/π) g_aff S: Σ_P ξ_P N_c 2Tr(T_P Q²) (→ N_c Σ Q_q² = 2 for m ≫ m_η′)."""
    t = _generators()
    xi = meson_admixtures(m, p)
    return sum(xi[key] * _N_C * 2.0 * np.sum(t[key] * _Q * _Q) for key, _ in _MESONS)


def two_photon_amplitude_loops(m: NDArray[np.float64], p: FermionALPParameters) -> NDArray[np.complex128]:
    """The lepton and heavy-quark (c, b, t) loops of S: Σ_f N_c Q_f² B₁(4m_f²/m²)."""
    s = sum(loop_b1(m, mass_gev(pdg)) for pdg in (11, 13, 15))
    for q, charge2 in (("c", 4.0 / 9.0), ("b", 1.0 / 9.0), ("t", 4.0 / 9.0)):
        s = s + _N_C * charge2 * loop_b1(m, p.quark_masses[q])
    return s


def three_pion_phase_space(r: float, charged: bool, n: int = 400) -> float:
    """g_{+−}(r) or g_{00}(r) of arXiv:1708.00443 eq. 42 (both → 1 as r → 0; 0 at r = 1/9)."""
    lo, hi = 4.0 * r, (1.0 - np.sqrt(r)) ** 2
    if hi <= lo:
        return 0.0
    # z = lo + (hi - lo) u²: the substitution takes the √(z − 4r) edge of the integrand
    u = (np.arange(n) + 0.5) / n
    z = lo + (hi - lo) * u * u
    jac = 2.0 * (hi - lo) * u
    lam = np.sqrt(np.clip(kallen(1.0, z, r), 0.0, None))
    f = np.sqrt(1.0 - 4.0 * r / z) * lam * ((z - r) ** 2 if charged else 1.0)
    return float((12.0 if charged else 2.0) / (1.0 - r) ** 2 * np.sum(f * jac) / n)


def three_pion_widths(m: NDArray[np.float64], p: FermionALPParameters) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """(Γ(a → π⁺π⁻π⁰), Γ(a → 3π⁰)) at g_aff = 1 GeV⁻¹: (π/6) m m_π⁴/f_π² (Δ/32π²)² g(m_π²/m²)."""
    delta2 = np.abs(isovector_coupling(m, p)) ** 2 / (32.0 * np.pi**2) ** 2
    out = []
    for charged, mpi in ((True, (2.0 * mass_gev(211) + mass_gev(111)) / 3.0), (False, mass_gev(111))):
        g = np.array([three_pion_phase_space(mpi * mpi / (x * x), charged) for x in m.ravel()]).reshape(m.shape)
        out.append(np.pi / 6.0 * m * mpi**4 / p.f_pi**2 * delta2 * g)
    return out[0], out[1]


def inclusive_hadrons_width(m: NDArray[np.float64], p: FermionALPParameters) -> NDArray[np.float64]:
    """Γ(a → gg) + Σ_q Γ(a → qq̄) at g_aff = 1 GeV⁻¹ (perturbative, meaningful above ~1.5 GeV):
    α_s² m³ |Σ_q B₁|² (1 + 83α_s/4π)/(32π³) + Σ_q N_c m_q² m β_q/(8π), cc̄ above open charm."""
    a_s = default_r_ratio().alpha_s(m)
    s = sum(loop_b1(m, p.quark_masses[q]) for q in ("u", "d", "s", "c", "b", "t"))
    gg = a_s**2 * m**3 * np.abs(s) ** 2 * (1.0 + p.k_factor_gg * a_s / np.pi) / (32.0 * np.pi**3)
    qq = np.zeros_like(m)
    for q in ("u", "d", "s", "c"):
        mq = p.quark_masses[q]
        open_ = m > (p.open_charm_threshold if q == "c" else 2.0 * mq)
        qq += np.where(open_, fermion_pair_width(m, mq, _N_C), 0.0)
    return gg + qq


def fermion_pair_width(m: NDArray[np.float64], m_f: float, colours: float = 1.0) -> NDArray[np.float64]:
    """Γ(a → f f̄) in GeV at g_aff = 1 GeV⁻¹: N_c m_f² m β_f/(8π), β_f = √(1 − 4m_f²/m²), 0 below threshold
    (arXiv:1708.00443 eq. 30; ALP masses ``m`` and ``m_f`` in GeV, ``colours`` = N_c)."""
    beta = np.sqrt(np.clip(1.0 - 4.0 * m_f * m_f / (m * m), 0.0, None))
    return colours * m_f * m_f * m * beta / (8.0 * np.pi)


__all__ = [
    "FermionALPParameters", "fermion_pair_width", "inclusive_hadrons_width", "isovector_coupling", "load_parameters",
    "loop_b1", "meson_admixtures", "three_pion_phase_space", "three_pion_widths", "two_photon_amplitude_light",
    "two_photon_amplitude_loops",
]
