"""Cross-section of Primakoff production γ + N → a + N of an axion-like particle in the Coulomb
field of a nucleus (and, incoherently, of its protons).

With the interaction L = −¼ g a F F̃ (vertex g ε^{μνρσ} k_ρ q_σ), a photon of energy k scattering
on a static nucleus (no recoil: E_a = k, p = √(k² − m²)) into an ALP of mass m at angle θ has

    dσ/dΩ = (g² α / 8π) G₂(t) k p³ sin²θ / t²,       t = |q|² = k² + p² − 2kp cosθ,

(Tsai, PRD 34 (1986) 1326; Döbrich, Jaeckel, Kahlhoefer, Ringwald, Spadaro, arXiv:1512.03069
eq. 2.3 gives dσ/dθ = ¼ g² α Z² F² p⁴ sin³θ / t² for k ≈ p), or in t, with dt = 2kp dcosθ,

    dσ/dt = (g² α / 8) G₂(t) (t − t_min)(t_max − t) / (4 k² t²),
    t_min = (k − p)² ≈ (m²/2k)²,  t_max = (k + p)².

G₂ is Tsai's form factor of :func:`beamdump.production.electron_brems_xsec.form_factor_g2`:
the coherent atom, Z² (atomic screening a²t/(1 + a²t))² × (nuclear size 1/(1 + t/d))², plus the
quasi-elastic scattering on the Z protons (∝ Z, with their dipole form factor), the same flux
that enters electron bremsstrahlung. ``nuclear="helm"`` replaces the nuclear-size factor of the
coherent term by the Helm form factor (Lewin & Smith, Astropart. Phys. 6 (1996) 87), to measure
how much the choice moves a result.

For k ≫ m the total cross-section is σ = (g² α / 8) χ(t_min), χ = ∫ dt (t − t_min)/t² G₂, the
effective photon flux of bremsstrahlung; as k → ∞ (t_min → 0) it tends to a constant
≈ (g² α Z² / 8)(ln(a² d) − 2) (screening meets nuclear size). The ALP is forward: its angle to
the photon is θ ≈ √(t − t_min)/k, i.e. from ~m²/2k² (t ~ t_min) to ~√d/k (the nuclear size).

Units: energies, masses in GeV; t in GeV²; cross-sections in GeV⁻² at g = 1 GeV⁻¹ (they scale
as g²); angles in radians.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
from numpy.typing import ArrayLike

from ..constants import ALPHA_EM
from ..errors import BeamdumpInputError
from ..kinematics import FloatArray
from ..pdg import ELECTRON_MASS
from .electron_brems_xsec import form_factor_g2, load_constants

NUCLEAR_FORM_FACTORS = ("tsai", "helm")
#: t below T_FLOOR_SCREENED / a² contributes < 1e-8 of G₂ (screened): the sampling starts there
T_FLOOR_SCREENED: float = 1e-4
#: t above this (GeV²) is cut (the proton dipole⁸ of the incoherent term is < 1e-9 there)
T_CEILING: float = 10.0
_FM_GEV: float = 5.067730716  # fm⁻¹ per GeV (1/ħc, ħc = 0.1973269804 GeV fm)
# Helm parameters (Lewin & Smith 1996, sect. 4): c = 1.23 A^(1/3) − 0.60 fm, a = 0.52 fm, s = 0.9 fm
_HELM_C = (1.23, -0.60)
_HELM_A = 0.52
_HELM_S = 0.9


def _check(k: FloatArray, m: float, Z: float, A: float, nuclear: str) -> None:
    if nuclear not in NUCLEAR_FORM_FACTORS:
        raise BeamdumpInputError(f"primakoff nuclear form factor: {nuclear!r}; allowed: {', '.join(NUCLEAR_FORM_FACTORS)}")
    if not (np.isfinite(m) and m > 0.0):
        raise BeamdumpInputError(f"ALP mass m: {m!r} GeV; allowed a finite m > 0")
    if not np.all(np.isfinite(k) & (k > 0.0)):
        raise BeamdumpInputError("photon energy k: every energy must be finite and > 0 GeV")
    if not (np.isfinite(Z) and 1.0 <= Z <= 118.0 and np.isfinite(A) and A >= Z):
        raise BeamdumpInputError(f"target (Z, A) = ({Z!r}, {A!r}); allowed 1 <= Z <= 118 and A >= Z")


def t_limits(k: ArrayLike, m: float) -> tuple[FloatArray, FloatArray]:
    """(t_min, t_max) = ((k − p)², (k + p)²) in GeV² for a photon of energy k making an ALP of
    mass m on a static target; t_min computed as (m²/(k + p))² (no cancellation); NaN for k ≤ m."""
    k = np.asarray(k, dtype=float)
    p = np.sqrt(np.clip(k * k - m * m, 0.0, None))
    ok = k > m
    t_min = np.where(ok, (m * m / np.where(ok, k + p, 1.0)) ** 2, np.nan)
    t_max = np.where(ok, (k + p) ** 2, np.nan)
    return t_min, t_max


def helm_form_factor(t: ArrayLike, A: float) -> FloatArray:
    """Helm nuclear form factor F(q) (F(0) = 1) at t = q² (GeV²) for mass number A."""
    q = np.sqrt(np.asarray(t, dtype=float)) * _FM_GEV  # q in fm⁻¹ (1 GeV = 5.0677 fm⁻¹)
    c = _HELM_C[0] * A ** (1.0 / 3.0) + _HELM_C[1]
    rn = np.sqrt(c * c + 7.0 / 3.0 * np.pi**2 * _HELM_A**2 - 5.0 * _HELM_S**2)
    x = q * rn
    with np.errstate(invalid="ignore", divide="ignore"):
        j1 = np.where(x > 1e-4, (np.sin(x) - x * np.cos(x)) / (x * x), x / 3.0)
        f = np.where(x > 1e-4, 3.0 * j1 / x, 1.0 - x * x / 10.0)
    return f * np.exp(-0.5 * (q * _HELM_S) ** 2)


def form_factor(t: ArrayLike, Z: float, A: float, nuclear: str = "tsai", incoherent: bool = True) -> FloatArray:
    """G₂(t): Tsai's coherent (∝ Z²) plus, with ``incoherent``, quasi-elastic (∝ Z) form factor;
    with ``nuclear="helm"`` the coherent term's nuclear size is Helm's instead of Tsai's 1/(1 + t/d)."""
    t = np.asarray(t, dtype=float)
    if nuclear == "tsai":
        coherent = form_factor_g2(t, Z, A, "elastic")
    else:
        el = load_constants()["elastic"]
        a2 = (el["screening"] / (ELECTRON_MASS * Z ** (1.0 / 3.0))) ** 2
        coherent = Z * Z * (a2 * t / (1.0 + a2 * t)) ** 2 * helm_form_factor(t, A) ** 2
    return coherent + form_factor_g2(t, Z, A, "inelastic") if incoherent else coherent


def t_floor(Z: float) -> float:
    """Smallest t (GeV²) worth sampling: T_FLOOR_SCREENED below the smaller screening scale 1/a²."""
    c = load_constants()
    a_el = c["elastic"]["screening"] / (ELECTRON_MASS * Z ** (1.0 / 3.0))
    a_in = c["inelastic"]["screening"] / (ELECTRON_MASS * Z ** (2.0 / 3.0))
    return T_FLOOR_SCREENED / max(a_el, a_in) ** 2


def dsigma_dt(
    k: ArrayLike, m: float, t: ArrayLike, Z: float, A: float, nuclear: str = "tsai", incoherent: bool = True
) -> FloatArray:
    """dσ/dt (GeV⁻⁴ at g = 1 GeV⁻¹) of γ N → a N for photon energies k (GeV) and transfers t
    (GeV², broadcast against k); 0 outside [t_min, t_max] and for k ≤ m. ``incoherent`` adds the
    quasi-elastic term on the protons."""
    k = np.asarray(k, dtype=float)
    t = np.asarray(t, dtype=float)
    _check(k, m, Z, A, nuclear)
    t_min, t_max = t_limits(k, m)
    with np.errstate(invalid="ignore"):
        inside = (k > m) & (t > t_min) & (t < t_max)
    tt = np.where(inside, t, 1.0)
    kin = np.where(inside, (tt - np.nan_to_num(t_min)) * (np.nan_to_num(t_max) - tt) / (4.0 * k * k * tt * tt), 0.0)
    return np.where(inside, ALPHA_EM / 8.0 * form_factor(tt, Z, A, nuclear, incoherent) * kin, 0.0)


@lru_cache(maxsize=4)
def _ln_rule(panels: int = 48, nodes: int = 8) -> tuple[FloatArray, FloatArray]:
    z, w = np.polynomial.legendre.leggauss(nodes)
    u = ((np.arange(panels)[:, None] + 0.5 * (z + 1.0)[None, :]) / panels).ravel()
    return u, np.tile(0.5 * w, panels) / panels


def t_range(k: ArrayLike, m: float, Z: float) -> tuple[FloatArray, FloatArray]:
    """(t_lo, t_hi) GeV² that hold the cross-section: [max(t_min, t_floor), min(t_max, T_CEILING)]."""
    t_min, t_max = t_limits(k, m)
    return np.maximum(t_min, t_floor(Z)), np.minimum(t_max, T_CEILING)


def total_cross_section(
    k: ArrayLike, m: float, Z: float, A: float, nuclear: str = "tsai", incoherent: bool = True
) -> FloatArray:
    """σ(γ N → a N) in GeV⁻² at g = 1 GeV⁻¹ for photon energies k (GeV): dσ/dt integrated in ln t
    (composite Gauss–Legendre, 48 panels × 8 nodes) over :func:`t_range`; 0 for k ≤ m."""
    k = np.atleast_1d(np.asarray(k, dtype=float))
    _check(k, m, Z, A, nuclear)
    lo, hi = t_range(np.where(k > m, k, 2.0 * m), m, Z)
    ok = (k > m) & (hi > lo)
    lo, hi = np.log(np.where(ok, lo, 1.0)), np.log(np.where(ok, hi, np.e))
    u, w = _ln_rule()
    ln_t = lo[:, None] + (hi - lo)[:, None] * u[None, :]
    t = np.exp(ln_t)
    kk = np.where(ok, k, 2.0 * m)[:, None]
    f = dsigma_dt(kk, m, t, Z, A, nuclear, incoherent) * t
    return np.where(ok, (hi - lo) * np.sum(f * w, axis=1), 0.0)


def high_energy_limit(Z: float, A: float) -> float:
    """σ(k → ∞) in GeV⁻² at g = 1 GeV⁻¹ of the coherent term alone with Tsai's form factors:
    (α Z²/8) ∫₀^∞ du u /((1 + u)² (1 + u/D)²) = (α Z²/8) D² [(D + 1) ln D − 2(D − 1)]/(D − 1)³,
    D = a² d (screening meets nuclear size); ≈ (α Z²/8)(ln D − 2) for D ≫ 1."""
    el = load_constants()["elastic"]
    a2 = (el["screening"] / (ELECTRON_MASS * Z ** (1.0 / 3.0))) ** 2
    d = el["nuclear_size"] / A ** (2.0 / 3.0)
    D = a2 * d
    # ∫₀^∞ u du / ((1+u)² (1+u/D)²) = D² [ (D+1) ln D − 2(D−1) ] / (D−1)³
    integral = D * D * ((D + 1.0) * np.log(D) - 2.0 * (D - 1.0)) / (D - 1.0) ** 3
    return float(ALPHA_EM * Z * Z / 8.0 * integral)


def angle(k: ArrayLike, m: float, t: ArrayLike) -> FloatArray:
    """ALP angle θ (rad) to the photon at transfer t (no recoil): sinθ = √((t − t_min)(t_max − t))/(2kp),
    cosθ = (k² + p² − t)/(2kp)."""
    k = np.asarray(k, dtype=float)
    t = np.asarray(t, dtype=float)
    p = np.sqrt(np.clip(k * k - m * m, 0.0, None))
    t_min, t_max = t_limits(k, m)
    two_kp = 2.0 * k * p
    s = np.sqrt(np.clip((t - t_min) * (t_max - t), 0.0, None)) / two_kp
    c = (k * k + p * p - t) / two_kp
    return np.arctan2(s, c)


# --------------------------------------------------------------------------- sampling, shared by the channels


def check_options(channel: str, nuclear: str, photon_coupling: float) -> None:
    """One-line errors for a Primakoff channel's form-factor choice and coupling."""
    if nuclear not in NUCLEAR_FORM_FACTORS:
        raise BeamdumpInputError(f"{channel} nuclear: {nuclear!r}; allowed: {', '.join(NUCLEAR_FORM_FACTORS)}")
    if not (np.isfinite(photon_coupling) and photon_coupling >= 0.0):
        raise BeamdumpInputError(f"{channel} photon_coupling: {photon_coupling!r}; allowed a finite value >= 0")


def column_dsigma_dt(
    k: FloatArray, m: float, t: FloatArray, columns: tuple[tuple[float, float, float], ...], nuclear: str = "tsai",
    incoherent: bool = True,
) -> FloatArray:
    """Σ_i n_i dσ_i/dt in cm² per GeV² (× the unit of the columns n_i, e.g. atoms per cm² per X0)
    at g_aγγ = 1 GeV⁻¹ for the elements (Z, A, n) of a material."""
    from .electron_brems_xsec import to_cm2

    out = np.zeros(np.broadcast(k, t).shape)
    for z, a, n in columns:
        out += n * dsigma_dt(k, m, t, z, a, nuclear, incoherent)
    return to_cm2(out)


def sample_transfer(
    k: FloatArray, m: float, columns: tuple[tuple[float, float, float], ...], u: FloatArray
) -> tuple[np.ndarray, FloatArray, FloatArray]:
    """For photons of energy k (GeV) and unit numbers u: (mask of the photons that can make mass m,
    their t drawn log-uniform over :func:`t_range` (GeV²), the range's Δln t) — the sampling weight
    of each t is Σ n dσ/dt · t · Δln t."""
    lo, hi = t_range(k, m, max(z for z, _, _ in columns))
    with np.errstate(invalid="ignore"):
        ok = (k > m * (1.0 + 1e-9)) & (hi > lo)
    span = np.log(hi[ok] / lo[ok])
    return ok, lo[ok] * np.exp(span * u[ok]), span


def alp_momenta(k: FloatArray, m: float, t: FloatArray, u_phi: FloatArray) -> tuple[FloatArray, FloatArray]:
    """(θ to the photon, four-momenta (n, 4) about the photon's direction as z axis) of ALPs of mass
    m made by photons of energy k at transfer t, azimuth 2π·u_phi (no recoil: E_a = k)."""
    theta = angle(k, m, t)
    p = np.sqrt(np.clip(k * k - m * m, 0.0, None))
    phi = 2.0 * np.pi * u_phi
    st = np.sin(theta)
    return theta, np.column_stack([k, p * st * np.cos(phi), p * st * np.sin(phi), p * np.cos(theta)])
