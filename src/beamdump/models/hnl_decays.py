"""Partial widths of a heavy neutral lepton N mixing with one active flavour α (U_α² = 1), for a
**Dirac** N (one charge mode: N → ℓ⁻X⁺, N → νX); a Majorana N has twice each (both charge
conjugates), which :mod:`beamdump.models.hnl` applies. Masses and widths in GeV.

Formulas (Bondarenko, Boyarsky, Gorbunov, Ruchayskiy, arXiv:1805.08567, sec. 3 and appendix C;
cross-checked with HNLCalc, arXiv:2405.07330), x_i = m_i/M:

    Γ(N → ℓ_α⁻P⁺) = G_F² f_P² |V|² M³/(16π) [(1 − x_ℓ²)² − x_P²(1 + x_ℓ²)] λ^½(1, x_P², x_ℓ²)
    Γ(N → ν_α P⁰) = G_F² f_P² M³/(32π) (1 − x_P²)²
    Γ(N → ℓ_α⁻V⁺) = G_F² f_V² |V|² M³/(16π) [(1 − x_ℓ²)² + x_V²(1 + x_ℓ²) − 2x_V⁴] λ^½(1, x_V², x_ℓ²)
    Γ(N → ν_α V⁰) = G_F² κ_V² f_V² M³/(32π) (1 + 2x_V²)(1 − x_V²)²
    Γ(N → ℓ_α⁻ℓ_β⁺ν_β) = G_F² M⁵/(192π³) I(0, x_α, x_β)                     (β ≠ α, W only)
    Γ(N → ν_α f f̄)   = N_c G_F² M⁵/(192π³) [(C_L² + C_R²) f₁(x_f) + C_L C_R f₂(x_f)]   (Z, + W if f = ℓ_α)
    Γ(N → ν_α ν_β ν̄_β) summed over β = G_F² M⁵/(192π³)
    Γ(N → ℓ_α⁻ U D̄)  = N_c G_F² |V_UD|² M⁵/(192π³) I(x_ℓ, x_U, x_D) (1 + Δ_QCD)

with f_V defined by ⟨0|q̄′γ^μq|V⟩ = f_V m_V ε^μ (g_V = f_V m_V of 1805.08567). Mesons are narrow (PDG
masses), as in 1805.08567; ``[vectors] lineshape = "breit-wigner"`` in the data file averages the
broad ρ±, ρ⁰ and K*± widths over their line shape instead (:mod:`beamdump.models.hnl_lineshape`). The Z couplings of f
are C_L = T₃ − Q s_W² (+1 for ℓ_α, the Fierzed W exchange), C_R = −Q s_W²; for the neutral
vectors κ_ρ = 1 − 2s_W², κ_ω = −(2/3)s_W², κ_φ = −√2(½ − (2/3)s_W²) in this normalisation of f_V
(HNLCalc's; 1805.08567 writes κ_ω = 4s_W²/3, κ_φ = 4s_W²/3 − 1 with g_ω, g_φ defined with an
extra 1/√2 in the current). f₁, f₂ are the lepton-mass functions of 1805.08567 eq. (3.4)-(3.5)
(Gorbunov, Shaposhnikov arXiv:0705.1729), written with the log in a form free of cancellation;
I(x, y, z) = 12 ∫ ds/s (s − y² − z²)(1 + x² − s) λ^½(s, y², z²) λ^½(1, s, x²) over
s ∈ [(y + z)², (1 − x)²] (the (y, z) pair's mass² over M²), evaluated by Gauss–Legendre quadrature.
The three-body |M|² these widths integrate is in :mod:`beamdump.models.hnl` (the FinalState terms);
tests/test_hnl_model.py integrates it over the Dalitz plot and compares.

Hadrons: the single-meson channels above are used at every mass. Above ``join_high_gev`` (1.5 GeV)
each hadronic class — ℓ_α + hadrons (W) and ν + hadrons (Z) — is max(Σ exclusive, Σ quarks ×
(1 + Δ_QCD)), Δ_QCD = a + 5.2a² + 26.4a³, a = α_s(M)/π (1805.08567 sec. 4.3), the excess going to
the inclusive keys ``<ℓ>_hadrons`` and ``nu_hadrons``; below ``join_low_gev`` (1 GeV) the single
mesons alone; in between the excess is scaled linearly from 0 to 1 (:func:`join_weight`), so every
width is continuous. Quark pairs: W: ud̄, us̄, cd̄, cs̄ (b̄ left out, |V_ub|², |V_cb|²
≲ 2e-3); Z: u, d, s, c (bb̄ opens above 8 GeV); u, d massless, m_s(2 GeV) and the charm pole mass in
the kinematics (the MSbar m_c would open charm 0.5 GeV below the D threshold).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from types import MappingProxyType

import numpy as np
from numpy.typing import NDArray

from ..datafiles import load_toml, package_data
from ..errors import BeamdumpInputError
from ..kinematics import kallen
from ..pdg import mass_gev
from .hnl_lineshape import BROAD_VECTORS, lineshape
from .scalar_qcd import QcdRunning

Array = NDArray[np.float64]

#: charged lepton of each flavour (PDG id)
LEPTON = MappingProxyType({"e": 11, "mu": 13, "tau": 15})
#: neutrino of each flavour (PDG id)
NEUTRINO = MappingProxyType({"e": 12, "mu": 14, "tau": 16})
#: charged pseudoscalar and vector mesons: key suffix -> (PDG id, decay-constant key, CKM key)
CHARGED_MESONS = MappingProxyType({
    "pi": (211, "f_pi", "V_ud"), "K": (321, "f_K", "V_us"),
    "rho": (213, "f_rho", "V_ud"), "Kstar": (323, "f_Kstar", "V_us"),
})
#: neutral mesons: key -> (PDG id, decay-constant key)
NEUTRAL_MESONS = MappingProxyType({
    "nu_pi0": (111, "f_pi"), "nu_eta": (221, "f_eta"), "nu_etap": (331, "f_etap"),
    "nu_rho0": (113, "f_rho"), "nu_omega": (223, "f_omega"), "nu_phi": (333, "f_phi"),
})
_VECTORS = frozenset({213, 323, 113, 223, 333})
#: the charged-lepton pair keys: flavour pair -> key
PAIR_KEYS = MappingProxyType({
    ("e", "e"): "nu_ee", ("mu", "mu"): "nu_mumu", ("tau", "tau"): "nu_tautau",
    ("e", "mu"): "nu_emu", ("e", "tau"): "nu_etau", ("mu", "tau"): "nu_mutau",
})
#: quark pairs of the inclusive widths: W (up, down-bar, CKM key), Z (quark, T3, Q)
_W_QUARKS = (("u", "d", "V_ud"), ("u", "s", "V_us"), ("c", "d", "V_cd"), ("c", "s", "V_cs"))
_Z_QUARKS = (("u", 0.5, 2.0 / 3.0), ("d", -0.5, -1.0 / 3.0), ("s", -0.5, -1.0 / 3.0), ("c", 0.5, 2.0 / 3.0))
_COLOURS = 3.0
_GL_NODES, _GL_WEIGHTS = np.polynomial.legendre.leggauss(96)


@dataclass(frozen=True)
class HNLConstants:
    """The numbers of ``data/models/hnl.toml`` (GeV units)."""

    fermi: float
    sin2w: float
    ckm: Mapping[str, float]
    decay_constants: Mapping[str, float]
    quark_masses: Mapping[str, float]
    qcd: QcdRunning
    delta_qcd: tuple[float, ...]
    join_low_gev: float
    join_high_gev: float
    #: average the broad vectors' (ρ, K*) widths over their line shape (else narrow, as 1805.08567)
    broad_vectors: bool = True


def _value(table: Mapping, key: str, file: str = "hnl.toml"):
    try:
        entry = table[key]
    except KeyError:
        raise BeamdumpInputError(f"{file}: missing {key!r}") from None
    return entry["value"] if isinstance(entry, Mapping) else entry


@lru_cache(maxsize=1)
def hnl_constants() -> HNLConstants:
    """The HNL's constants from its data file (a missing entry is one line naming it)."""
    raw = load_toml(package_data("models", "hnl.toml"))
    try:
        ew, ckm, ps, vec, qcd, qk, had = (raw[k] for k in ("electroweak", "ckm", "pseudoscalars", "vectors", "qcd",
                                                             "quarks", "hadrons"))
    except KeyError as exc:
        raise BeamdumpInputError(f"hnl.toml: missing table [{exc.args[0]}]") from None
    shape = str(_value(vec, "lineshape"))
    if shape not in ("breit-wigner", "narrow"):
        raise BeamdumpInputError(f"hnl.toml [vectors] lineshape: {shape!r}; allowed: breit-wigner, narrow")
    constants = {k: float(_value(ps, k)) for k in ps} | {k: float(_value(vec, k)) for k in vec if k != "lineshape"}
    masses = {"u": 0.0, "d": 0.0, "s": float(_value(qk, "m_s")), "c": float(_value(qk, "m_c_pole"))}
    running = QcdRunning(float(_value(qcd, "alpha_s_mz")), float(_value(qcd, "z_mass_gev")), float(_value(qk, "m_c")),
                         float(_value(qk, "m_b")), {"u": 0.0, "d": 0.0, "s": masses["s"]})
    lo, hi = float(_value(had, "join_low_gev")), float(_value(had, "join_high_gev"))
    if not 0.0 < lo < hi:
        raise BeamdumpInputError(f"hnl.toml [hadrons]: join_low_gev {lo:g}, join_high_gev {hi:g}; allowed 0 < low < high")
    return HNLConstants(
        float(_value(ew, "fermi_constant_gev2")), float(_value(ew, "sin2_theta_w")),
        MappingProxyType({k: float(_value(ckm, k)) for k in ckm}), MappingProxyType(constants),
        MappingProxyType(masses), running, tuple(float(c) for c in _value(qcd, "delta_qcd_coefficients")), lo, hi,
        shape == "breit-wigner",
    )


# --- kinematic functions ---------------------------------------------------------------------------

def sqrt_kallen(a: Array, b: Array, c: Array) -> Array:
    """λ^½(a, b, c), 0 where λ < 0 (closed)."""
    return np.sqrt(np.clip(kallen(a, b, c), 0.0, None))


def cc_integral(x: Array, y: Array, z: Array) -> Array:
    """I(x, y, z) of a V−A three-body decay (mass ratios x, y, z to the parent; I(0, 0, 0) = 1):
    12 ∫ ds/s (s − y² − z²)(1 + x² − s) λ^½(s, y², z²) λ^½(1, s, x²), s from (y + z)² to (1 − x)²;
    0 where closed (arXiv:1805.08567 eq. (3.2) [check: equation number])."""
    x, y, z = np.broadcast_arrays(*(np.asarray(v, dtype=float) for v in (x, y, z)))
    lo, hi = (y + z) ** 2, (1.0 - x) ** 2
    open_ = hi > lo
    half = np.where(open_, 0.5 * (hi - lo), 0.0)
    s = (lo + half)[..., None] + half[..., None] * _GL_NODES
    xx, yy, zz = (v[..., None] ** 2 for v in (x, y, z))
    f = (s - yy - zz) * (1.0 + xx - s) * sqrt_kallen(s, yy, zz) * sqrt_kallen(np.ones_like(s), s, xx) / s
    return np.where(open_, 12.0 * half * (f @ _GL_WEIGHTS), 0.0)


def pair_functions(x: Array) -> tuple[Array, Array]:
    """f₁(x), f₂(x) of N → ν f f̄ with m_f = x M (arXiv:1805.08567 eqs. (3.4)-(3.5)); 0 where closed.
    The log L = ln[(1 − 3x² − (1 − x²)β)/(x²(1 + β))], β = √(1 − 4x²), is used as
    ln[4x⁴/((1 − 3x² + (1 − x²)β)(1 + β))] (the same number without the cancellation at small x)."""
    x = np.asarray(x, dtype=float)
    open_ = x < 0.5
    xs = np.where(open_, x, 0.25)
    x2 = xs * xs
    beta = np.sqrt(1.0 - 4.0 * x2)
    with np.errstate(divide="ignore"):
        log = np.where(xs > 0, np.log(4.0 * x2 * x2 / ((1.0 - 3.0 * x2 + (1.0 - x2) * beta) * (1.0 + beta))), 0.0)
    x4log = np.where(xs > 0, x2 * x2 * log, 0.0)
    f1 = (1.0 - 14.0 * x2 - 2.0 * x2**2 - 12.0 * x2**3) * beta + 12.0 * (x2**2 - 1.0) * x4log
    f2 = 4.0 * (x2 * (2.0 + 10.0 * x2 - 12.0 * x2**2) * beta + 6.0 * (1.0 - 2.0 * x2 + 2.0 * x2**2) * x4log)
    return np.where(open_, f1, 0.0), np.where(open_, f2, 0.0)


# --- widths at U_alpha^2 = 1, Dirac -------------------------------------------------------------------

def _meson_masses(meson: int, broad: bool) -> tuple[Array, Array]:
    """(masses, weights) the two-body widths are averaged over: the line shape of a broad vector
    (:mod:`beamdump.models.hnl_lineshape`) when ``broad``, else the PDG mass alone."""
    if broad:
        return lineshape(meson)
    return np.array([mass_gev(meson)]), np.array([1.0])


def charged_meson_width(m: Array, lepton_mass: float, meson: int, f: float, ckm: float, fermi: float,
                        broad: bool = False) -> Array:
    """Γ(N → ℓ⁻ M⁺) (GeV), M a pseudoscalar (f_P) or vector (f_V) meson, Dirac, U² = 1; ``broad``
    averages a broad vector's width over its line shape."""
    masses, weights = _meson_masses(meson, broad)
    mm = np.asarray(m, dtype=float)[..., None]
    xl2, xm2 = (lepton_mass / mm) ** 2, (masses / mm) ** 2
    lam = sqrt_kallen(np.ones_like(xm2), xm2, xl2)
    if meson in _VECTORS:
        shape = (1.0 - xl2) ** 2 + xm2 * (1.0 + xl2) - 2.0 * xm2**2
    else:
        shape = (1.0 - xl2) ** 2 - xm2 * (1.0 + xl2)
    width = np.where(mm > lepton_mass + masses, fermi**2 * f**2 * ckm**2 * mm**3 / (16.0 * np.pi) * shape * lam, 0.0)
    return width @ weights


def neutral_meson_width(m: Array, meson: int, f: float, kappa: float, fermi: float, broad: bool = False) -> Array:
    """Γ(N → ν M⁰) (GeV), Dirac, U² = 1; ``kappa`` 1 for the pseudoscalars, κ_V for vectors;
    ``broad`` averages a broad vector's width over its line shape."""
    masses, weights = _meson_masses(meson, broad)
    mm = np.asarray(m, dtype=float)[..., None]
    x2 = (masses / mm) ** 2
    shape = (1.0 + 2.0 * x2) * (1.0 - x2) ** 2 if meson in _VECTORS else (1.0 - x2) ** 2
    width = np.where(mm > masses, fermi**2 * kappa**2 * f**2 * mm**3 / (32.0 * np.pi) * shape, 0.0)
    return width @ weights


def vector_kappas(sin2w: float) -> dict[int, float]:
    """κ_V of the Z current to ρ⁰, ω, φ with f_V normalised as ⟨0|q̄′γ^μq|V⟩ = f_V m_V ε^μ."""
    return {113: 1.0 - 2.0 * sin2w, 223: -2.0 * sin2w / 3.0, 333: -np.sqrt(2.0) * (0.5 - 2.0 * sin2w / 3.0), 111: 1.0,
            221: 1.0, 331: 1.0}


def fermion_couplings(t3: float, charge: float, sin2w: float, cc: bool) -> tuple[float, float]:
    """(C_L, C_R) of f in N → ν f f̄: T₃ − Q s_W² (+1 with the Fierzed W of f = ℓ_α), −Q s_W²."""
    return t3 - charge * sin2w + (1.0 if cc else 0.0), -charge * sin2w


def pair_width(m: Array, mf: float, c_left: float, c_right: float, fermi: float, colours: float = 1.0) -> Array:
    """Γ(N → ν f f̄) (GeV), Dirac, U² = 1: N_c G_F² M⁵/(192π³) [(C_L² + C_R²) f₁ + C_L C_R f₂]."""
    f1, f2 = pair_functions(mf / m)
    return colours * fermi**2 * m**5 / (192.0 * np.pi**3) * ((c_left**2 + c_right**2) * f1 + c_left * c_right * f2)


def cc_lepton_width(m: Array, m_alpha: float, m_beta: float, fermi: float) -> Array:
    """Γ(N → ℓ_α⁻ ℓ_β⁺ ν_β) (GeV), β ≠ α, Dirac, U_α² = 1: G_F² M⁵/(192π³) I(0, x_α, x_β) (the
    neutrino is paired with N in |M|² ∝ (p_N·p_ℓβ)(p_ℓα·p_ν) — see :mod:`beamdump.models.hnl`)."""
    return fermi**2 * m**5 / (192.0 * np.pi**3) * cc_integral(np.zeros_like(m), m_alpha / m, m_beta / m)


def invisible_width(m: Array, fermi: float) -> Array:
    """Σ_β Γ(N → ν_α ν_β ν̄_β) = G_F² M⁵/(192π³) (Dirac, U_α² = 1; (1 + δ_αβ)/768π³ each)."""
    return fermi**2 * m**5 / (192.0 * np.pi**3)


def qcd_factor(m: Array, k: HNLConstants) -> Array:
    """1 + Δ_QCD = 1 + Σ_n c_n (α_s(M)/π)^n."""
    a = k.qcd.alpha_s(m) / np.pi
    return 1.0 + sum(c * a ** (n + 1) for n, c in enumerate(k.delta_qcd))


def join_weight(m: Array, k: HNLConstants) -> Array:
    """The share of the inclusive excess over the single mesons that is used: 0 below
    ``join_low_gev``, 1 above ``join_high_gev``, linear in between (continuous widths)."""
    return np.clip((m - k.join_low_gev) / (k.join_high_gev - k.join_low_gev), 0.0, 1.0)


def quark_cc_width(m: Array, lepton_mass: float, k: HNLConstants) -> Array:
    """Σ_{U,D} Γ(N → ℓ⁻ U D̄) (GeV) at tree level (no QCD factor), Dirac, U² = 1."""
    q = k.quark_masses
    total = np.zeros_like(m)
    for up, down, v in _W_QUARKS:
        total = total + _COLOURS * k.ckm[v] ** 2 * cc_integral(lepton_mass / m, q[up] / m, q[down] / m)
    return k.fermi**2 * m**5 / (192.0 * np.pi**3) * total


def quark_nc_width(m: Array, k: HNLConstants) -> Array:
    """Σ_q Γ(N → ν q q̄) (GeV) at tree level (no QCD factor), Dirac, U² = 1."""
    total = np.zeros_like(m)
    for quark, t3, charge in _Z_QUARKS:
        cl, cr = fermion_couplings(t3, charge, k.sin2w, cc=False)
        total = total + pair_width(m, k.quark_masses[quark], cl, cr, k.fermi, _COLOURS)
    return total


def dirac_widths(m: Array, flavour: str, k: HNLConstants | None = None) -> dict[str, Array]:
    """Every partial width (GeV) by final-state key of a Dirac N with U_flavour² = 1 (the keys it
    does not reach are absent). ``m`` an array of masses in GeV."""
    k = k or hnl_constants()
    if flavour not in LEPTON:
        raise BeamdumpInputError(f"flavour: {flavour!r}; allowed: e, mu, tau")
    m = np.asarray(m, dtype=float)
    ml = mass_gev(LEPTON[flavour])
    out: dict[str, Array] = {}
    charged = np.zeros_like(m)
    for suffix, (pdg, f, v) in CHARGED_MESONS.items():
        w = charged_meson_width(m, ml, pdg, k.decay_constants[f], k.ckm[v], k.fermi,
                                k.broad_vectors and pdg in BROAD_VECTORS)
        out[f"{flavour}_{suffix}"] = w
        charged = charged + w
    kappas = vector_kappas(k.sin2w)
    neutral = np.zeros_like(m)
    for key, (pdg, f) in NEUTRAL_MESONS.items():
        w = neutral_meson_width(m, pdg, k.decay_constants[f], kappas[pdg], k.fermi,
                                k.broad_vectors and pdg in BROAD_VECTORS)
        out[key] = w
        neutral = neutral + w
    for (a, b), key in PAIR_KEYS.items():
        if a == b:
            cl, cr = fermion_couplings(-0.5, -1.0, k.sin2w, cc=(a == flavour))
            out[key] = pair_width(m, mass_gev(LEPTON[a]), cl, cr, k.fermi)
        elif flavour in (a, b):
            other = b if flavour == a else a
            out[key] = cc_lepton_width(m, ml, mass_gev(LEPTON[other]), k.fermi)
    out["nununu"] = invisible_width(m, k.fermi)
    weight = join_weight(m, k)
    qcd = qcd_factor(m, k)
    # the inclusive states need at least two pions beside the lepton (their representative kinematics)
    cc_open = m > ml + mass_gev(211) + mass_gev(111)
    nc_open = m > 2.0 * mass_gev(211)
    cc = weight * np.clip(quark_cc_width(m, ml, k) * qcd - charged, 0.0, None)
    nc = weight * np.clip(quark_nc_width(m, k) * qcd - neutral, 0.0, None)
    out[f"{flavour}_hadrons"] = np.where(cc_open, cc, 0.0)
    out["nu_hadrons"] = np.where(nc_open, nc, 0.0)
    return out
