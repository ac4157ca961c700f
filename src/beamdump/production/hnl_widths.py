"""Widths of the decays that produce a heavy neutral lepton N, at U² = 1 (GeV), and the N's energy
spectrum in the parent frame.

Sources: Bondarenko, Boyarsky, Gorbunov, Ruchayskiy arXiv:1805.08567 (sec. 2.1 production from mesons, sec. 2.2 from τ, and the
appendix with the production widths; equation numbers below are [check: not re-read]) and
Gorbunov & Shaposhnikov arXiv:0705.1729; every mass in GeV, y_i = m_i/M.

* P⁺ → ℓ⁺N (1805.08567 sec. 2.1):
  Γ = G_F² f_P² |V|² M³/(8π) · [y_N² + y_ℓ² − (y_N² − y_ℓ²)²] · λ^½(1, y_N², y_ℓ²) — symmetric in
  m_N ↔ m_ℓ; at m_N = 0 the SM Γ(P → ℓν) = G_F² f_P² |V|² M m_ℓ² (1 − y_ℓ²)²/(8π).
* τ → N P⁻ (sec. 2.2): Γ = G_F² f_P² |V|² m_τ³/(16π) · [(1 − y_N²)² − y_P²(1 + y_N²)] λ^½(1, y_N², y_P²).
* τ → N V⁻ (sec. 2.2), ⟨0|q̄′γ^μq|V⟩ = f_V m_V ε^μ:
  Γ = G_F² f_V² |V|² m_τ³/(16π) · [(1 − y_N²)² + y_V²(1 + y_N² − 2y_V²)] λ^½(1, y_N², y_V²).
* Three-body decays (P → P′ℓN, P → VℓN, τ → Nℓν̄, τ → ν_τℓN̄): computed from the spin-summed
  squared matrix element on the Dalitz plane, dΓ = |M|²/(256π³M³) ds₁₂ ds₂₃ (PDG eq. 49.22), with
  the daughters ordered (1, 2, 3) = (hadron or lepton, lepton, N) so that E_N = (M² + m_N² − s₁₂)/2M:
  :func:`three_body_spectrum` integrates s₂₃ (Gauss–Legendre) at each s₁₂ and returns dΓ/dE_N,
  its CDF and Γ. The matrix elements:

  - P → P′ℓN with ⟨P′|q̄′γ^μq|P⟩ = f₊(p + p′)^μ + f₋q^μ, f₋ = (M² − M′²)(f₀ − f₊)/q² (1805.08567
    sec. 2.1 and appendix); the V−A lepton trace has no mass term, so
    |M|² = 4 G_F² |V|² C² [2(H·p_N)(H·p_ℓ) − H²(p_ℓ·p_N)] with H = f₊(p + p′) + f₋q (exact in m_ℓ, m_N,
    symmetric in ℓ ↔ N; identical to the paper's dΓ/dq²dE_N, as the tests check);
  - τ⁻ → N ℓ⁻ ν̄_ℓ (U_τ):  |M|² = 64 G_F² (p_τ·p_ν̄)(p_ℓ·p_N);  τ⁻ → ν_τ ℓ⁻ N̄ (U_ℓ): 64 G_F² (p_τ·p_N)(p_ℓ·p_ν)
    (the muon-decay matrix element with one neutrino massive; 1805.08567 sec. 2.2).

The numbers (decay constants, |V_CKM|, form factors) are those of ``data/production/hnl_production.toml``
and, for G_F, |V_ud|, |V_us|, |V_cd|, |V_cs|, f_π, f_K, f_ρ, f_K*, of ``data/models/hnl.toml``.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from types import MappingProxyType
from typing import Callable, Mapping

import numpy as np
from numpy.typing import ArrayLike

from ..dalitz import dalitz_limits, dot_products
from ..datafiles import load_toml, package_data
from ..errors import BeamdumpInputError
from ..kinematics import FloatArray, kallen
from ..models.hnl_decays import hnl_constants
from .hnl_form_factors import FILE, FormFactor

#: Gauss–Legendre nodes of the inner (s₂₃) integral and the number of E_N nodes of the spectrum: 12 and 65
#: give every three-body width to 1.5e-4 and ⟨E_N⟩ to 6e-5 of 24 and 129 nodes (3.5× faster; measured over
#: every three-body mode at m_N = 0.01–4.5 GeV)
INNER_NODES = 12
SPECTRUM_NODES = 65
#: dΓ/ds₁₂ ds₂₃ = |M|² × PHASE_SPACE / M³
PHASE_SPACE = 1.0 / (256.0 * np.pi**3)

Dots = Mapping[tuple[int, int], FloatArray]
#: |M|² at Dalitz points from the p_i·p_j (0 = the parent), s₁₂ and s₂₃ (GeV²); the masses are closed over
Amplitude2 = Callable[[Dots, FloatArray, FloatArray], FloatArray]


# --- constants -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ProductionConstants:
    """G_F (GeV⁻²), |V_qq′| by name (V_ud, V_us, V_cd, V_cs, V_ub, V_cb), decay constants f_X (GeV) by
    name (f_pi, f_K, f_D, f_Ds, f_B, f_Bs, f_Bc, f_rho, f_Kstar) and the form factors by name."""

    fermi: float
    ckm: Mapping[str, float]
    decay_constants: Mapping[str, float]
    form_factors: Mapping[str, FormFactor]


def _value(table: Mapping, key: str, where: str) -> float:
    try:
        entry = table[key]
    except KeyError:
        raise BeamdumpInputError(f"{FILE} [{where}]: missing {key!r}") from None
    return float(entry["value"] if isinstance(entry, Mapping) else entry)


def _form_factor(name: str, d: Mapping) -> FormFactor:
    if "kind" not in d or "source" not in d:
        raise BeamdumpInputError(f"{FILE} [form_factors.{name}]: needs 'kind' and 'source'")
    params = {k: (tuple(float(c) for c in v) if isinstance(v, list) else v) for k, v in d.items() if k not in ("kind", "source")}
    return FormFactor(name, str(d["kind"]), MappingProxyType(params), str(d["source"]))


@lru_cache(maxsize=1)
def production_constants() -> ProductionConstants:
    """The constants of HNL production (``hnl_production.toml`` + the shared ones of ``hnl.toml``)."""
    raw = load_toml(package_data("production", FILE))
    for table in ("ckm", "decay_constants", "form_factors"):
        if table not in raw:
            raise BeamdumpInputError(f"{FILE}: missing table [{table}]")
    model = hnl_constants()
    ckm = {k: model.ckm[k] for k in ("V_ud", "V_us", "V_cd", "V_cs")} | {k: _value(raw["ckm"], k, "ckm") for k in raw["ckm"]}
    fs = {k: model.decay_constants[k] for k in ("f_pi", "f_K", "f_rho", "f_Kstar")}
    fs |= {k: _value(raw["decay_constants"], k, "decay_constants") for k in raw["decay_constants"]}
    ffs = {name: _form_factor(name, d) for name, d in raw["form_factors"].items()}
    return ProductionConstants(model.fermi, MappingProxyType(ckm), MappingProxyType(fs), MappingProxyType(ffs))


# --- two-body widths -------------------------------------------------------------------------------

def _sqrt_kallen1(x: FloatArray, y: FloatArray | float) -> FloatArray:
    """λ^½(1, x, y), 0 where closed."""
    return np.sqrt(np.clip(kallen(1.0, x, y), 0.0, None))


def leptonic_width(m: ArrayLike, M: float, m_lepton: float, f: float, ckm: float, fermi: float) -> FloatArray:
    """Γ(P → ℓN) (GeV) at U² = 1 for N masses ``m`` (1805.08567 sec. 2.1); 0 at and above M − m_ℓ."""
    m = np.asarray(m, dtype=float)
    yn, yl = (m / M) ** 2, (m_lepton / M) ** 2
    kin = (yn + yl - (yn - yl) ** 2) * _sqrt_kallen1(yn, yl)
    out = fermi**2 * f**2 * ckm**2 * M**3 / (8.0 * np.pi) * kin
    return np.where(m < M - m_lepton, out, 0.0)


def tau_to_pseudoscalar_width(m: ArrayLike, m_tau: float, m_meson: float, f: float, ckm: float, fermi: float) -> FloatArray:
    """Γ(τ → N P) (GeV) at U_τ² = 1 (1805.08567 sec. 2.2); 0 at and above m_τ − m_P."""
    m = np.asarray(m, dtype=float)
    yn, yp = (m / m_tau) ** 2, (m_meson / m_tau) ** 2
    kin = ((1.0 - yn) ** 2 - yp * (1.0 + yn)) * _sqrt_kallen1(yn, yp)
    out = fermi**2 * f**2 * ckm**2 * m_tau**3 / (16.0 * np.pi) * kin
    return np.where(m < m_tau - m_meson, out, 0.0)


def tau_to_vector_width(m: ArrayLike, m_tau: float, m_meson: float, f: float, ckm: float, fermi: float) -> FloatArray:
    """Γ(τ → N V) (GeV) at U_τ² = 1, ⟨0|q̄′γ^μq|V⟩ = f_V m_V ε^μ (1805.08567 sec. 2.2); 0 at and above m_τ − m_V."""
    m = np.asarray(m, dtype=float)
    yn, yv = (m / m_tau) ** 2, (m_meson / m_tau) ** 2
    kin = ((1.0 - yn) ** 2 + yv * (1.0 + yn - 2.0 * yv)) * _sqrt_kallen1(yn, yv)
    out = fermi**2 * f**2 * ckm**2 * m_tau**3 / (16.0 * np.pi) * kin
    return np.where(m < m_tau - m_meson, out, 0.0)


# --- three-body matrix elements --------------------------------------------------------------------

def pseudoscalar_amp2(M: float, M_prime: float, f_plus: FormFactor, f_zero: FormFactor, coupling2: float) -> Amplitude2:
    """|M|² of P → P′ℓN (daughters 1 = P′, 2 = ℓ, 3 = N) for ``coupling2`` = G_F²|V|²C² (GeV⁻⁴):
    4 coupling2 [2(H·p_N)(H·p_ℓ) − H²(p_ℓ·p_N)], H = f₊(p + p′) + f₋q, q = p − p′."""
    dm2 = M * M - M_prime * M_prime

    def amp2(d: Dots, s12: FloatArray, q2: FloatArray) -> FloatArray:
        fp, f0 = f_plus(q2), f_zero(q2)
        fm = dm2 * (f0 - fp) / np.where(q2 > 0.0, q2, 1.0)  # f0(0) = f+(0): no pole at q² = 0
        h_n = fp * (d[(0, 3)] + d[(1, 3)]) + fm * (d[(0, 3)] - d[(1, 3)])
        h_l = fp * (d[(0, 2)] + d[(1, 2)]) + fm * (d[(0, 2)] - d[(1, 2)])
        h2 = fp * fp * (2.0 * M * M + 2.0 * M_prime * M_prime - q2) + 2.0 * fp * fm * dm2 + fm * fm * q2
        return 4.0 * coupling2 * (2.0 * h_n * h_l - h2 * d[(2, 3)])

    return amp2


_METRIC = np.array([1.0, -1.0, -1.0, -1.0])
#: the sign η of the V–A interference term of P → VℓN, fixed by the heavy-quark limit: in B → D*ℓN at
#: m_N, m_ℓ → 0 the N (in the neutrino's place) has the soft spectrum of the free-quark decay
#: b → c ℓ ν̄ (|M|² ∝ (p_b·p_ν̄)(p_ℓ·p_c), like the ν̄_e of μ decay); see :func:`vector_amp2` and the test
#: test_vector_mode_spectrum_has_the_heavy_quark_limit
VECTOR_INTERFERENCE = -1.0


def _mdot(a: FloatArray, b: FloatArray) -> FloatArray:
    """Minkowski a·b over the last axis (E, px, py, pz)."""
    return np.einsum("...i,i,...i->...", a, _METRIC, b)


def vector_amp2(M: float, M_v: float, ffs: Mapping[str, FormFactor], coupling2: float) -> Amplitude2:
    """|M|² of P → VℓN (daughters 1 = V, 2 = ℓ, 3 = N) for ``coupling2`` = G_F²|V|²C² (GeV⁻⁴), summed over
    the V polarisations and the lepton spins, from the currents (1805.08567 sec. 2.1 and appendix; CLN hep-ph/9712417):

        ⟨V|q̄′γ^μq|P⟩ ∝ 2V/(M + M_V) ε^{μνρσ} ε*_ν p_ρ p′_σ,
        ⟨V|q̄′γ^μγ₅q|P⟩ ∝ (M + M_V)A₁ ε*^μ − A₂ (ε*·q)/(M + M_V) (p + p′)^μ − 2M_V (ε*·q)/q² (A₃ − A₀) q^μ,
        A₃ = [(M + M_V)A₁ − (M − M_V)A₂]/(2M_V),

    |M|² = 4 coupling2 Σ_ε [2(a·p_N)(a·p_ℓ) − a²(p_N·p_ℓ) + 2(v·p_N)(v·p_ℓ) − v²(p_N·p_ℓ) + 2η ε(a, p_N, v, p_ℓ)]
    (a, v: the axial and vector currents of one real polarisation ε; η = VECTOR_INTERFERENCE; ε(a, b, c, d)
    = det[a, b, c, d]). Evaluated numerically with explicit four-vectors in the parent frame (V along z, ℓ
    and N in the x–z plane), where ε^{μνρσ}ε_ν p_ρ p′_σ = M (0, ε⃗ × p⃗′) up to a sign absorbed in η."""
    msum = M + M_v

    def amp2(d: Dots, s12: FloatArray, q2: FloatArray) -> FloatArray:
        e1 = d[(0, 1)] / M
        e2 = d[(0, 2)] / M
        p1 = np.sqrt(np.clip(e1 * e1 - M_v * M_v, 0.0, None))
        p2 = np.sqrt(np.clip(e2 * e2 - d[(2, 2)], 0.0, None))
        with np.errstate(divide="ignore", invalid="ignore"):
            cos12 = np.clip(np.where(p1 * p2 > 0, (e1 * e2 - d[(1, 2)]) / (p1 * p2), 1.0), -1.0, 1.0)
        sin12 = np.sqrt(1.0 - cos12 * cos12)
        zero = np.zeros_like(e1)
        P = np.stack([np.full_like(e1, M), zero, zero, zero], axis=-1)
        Pv = np.stack([e1, zero, zero, p1], axis=-1)
        Pl = np.stack([e2, p2 * sin12, zero, p2 * cos12], axis=-1)
        Pn = P - Pv - Pl
        q = P - Pv
        psum = P + Pv
        a1, a2, a0, vv = (ffs[k](q2) for k in ("A1", "A2", "A0", "V"))
        a3 = (msum * a1 - (M - M_v) * a2) / (2.0 * M_v)
        pols = (
            np.stack([zero, zero + 1.0, zero, zero], axis=-1),
            np.stack([zero, zero, zero + 1.0, zero], axis=-1),
            np.stack([p1 / M_v, zero, zero, e1 / M_v], axis=-1),
        )
        pn_pl = d[(2, 3)]
        total = np.zeros_like(e1)
        for eps in pols:
            eq = _mdot(eps, q)
            axial = (msum * a1)[..., None] * eps - (a2 * eq / msum)[..., None] * psum \
                - (2.0 * M_v * eq / q2 * (a3 - a0))[..., None] * q
            vector = np.zeros_like(eps)
            vector[..., 1:] = (2.0 * vv * M / msum)[..., None] * np.cross(eps[..., 1:], Pv[..., 1:])
            total += 2.0 * _mdot(axial, Pn) * _mdot(axial, Pl) - _mdot(axial, axial) * pn_pl
            total += 2.0 * _mdot(vector, Pn) * _mdot(vector, Pl) - _mdot(vector, vector) * pn_pl
            total += 2.0 * VECTOR_INTERFERENCE * np.linalg.det(np.stack([axial, Pn, vector, Pl], axis=-2))
        return 4.0 * coupling2 * total

    return amp2


def vector_helicity_width(M: float, M_v: float, ffs: Mapping[str, FormFactor], coupling2: float, nodes: int = 400) -> float:
    """Γ(P → Vℓν) (GeV) for massless leptons from the helicity amplitudes (a cross-check of
    :func:`vector_amp2`): dΓ/dq² = coupling2 |p′| q² (H₊² + H₋² + H₀²)/(96π³M²),
    H± = (M + M_V)A₁ ∓ 2M|p′|V/(M + M_V), H₀ = [(M² − M_V² − q²)(M + M_V)A₁ − 4M²|p′|²A₂/(M + M_V)]/(2M_V√q²)."""
    x, wgt = np.polynomial.legendre.leggauss(nodes)
    hi = (M - M_v) ** 2
    q2 = 0.5 * hi * (x + 1.0)
    p = np.sqrt(np.clip(kallen(M * M, M_v * M_v, q2), 0.0, None)) / (2.0 * M)
    a1, a2, vv = (ffs[k](q2) for k in ("A1", "A2", "V"))
    msum = M + M_v
    hp, hm = msum * a1 - 2.0 * M * p * vv / msum, msum * a1 + 2.0 * M * p * vv / msum
    h0 = ((M * M - M_v * M_v - q2) * msum * a1 - 4.0 * M * M * p * p * a2 / msum) / (2.0 * M_v * np.sqrt(q2))
    dgam = coupling2 * p * q2 * (hp**2 + hm**2 + h0**2) / (96.0 * np.pi**3 * M * M)
    return float(0.5 * hi * np.sum(wgt * dgam))


def tau_leptonic_amp2(fermi: float, n_from_tau: bool) -> Amplitude2:
    """|M|² of τ⁻ → (1, 2, 3 = N) averaged over the τ spin at U² = 1: ``n_from_tau`` (U_τ, τ⁻ → ν̄_ℓ ℓ⁻ N,
    daughters 1 = ν̄_ℓ, 2 = ℓ): 64 G_F² (p_τ·p_ν̄)(p_ℓ·p_N); else (U_ℓ, τ⁻ → ν_τ ℓ⁻ N̄, 1 = ν_τ, 2 = ℓ):
    64 G_F² (p_τ·p_N)(p_ℓ·p_ν)."""
    g2 = 64.0 * fermi * fermi
    if n_from_tau:
        return lambda d, s12, q2: g2 * d[(0, 1)] * d[(2, 3)]
    return lambda d, s12, q2: g2 * d[(0, 3)] * d[(1, 2)]


# --- three-body integration ------------------------------------------------------------------------

@dataclass(frozen=True)
class Spectrum:
    """dΓ/dE_N of a three-body decay at one N mass: ``energies`` (GeV, increasing), ``density``
    (dΓ/dE_N, GeV⁰), ``cdf`` (0 … 1 on ``energies``), ``width`` (GeV) and ``mean_energy`` (GeV)."""

    energies: FloatArray
    density: FloatArray
    cdf: FloatArray
    width: float
    mean_energy: float


_GL_X, _GL_W = np.polynomial.legendre.leggauss(INNER_NODES)


def three_body_spectrum(M: float, masses: tuple[float, float, float], amp2: Amplitude2) -> Spectrum:
    """dΓ/dE_N, its CDF and Γ (GeV) of M → 1 2 3 with daughter 3 the N, from |M|² ``amp2`` on the Dalitz
    plane: dΓ/ds₁₂ = ∫ ds₂₃ |M|²/(256π³M³) (Gauss–Legendre, INNER_NODES) on SPECTRUM_NODES values of
    s₁₂ clustered at both ends (s₁₂ = lo + (hi − lo)(1 − cos θ)/2, θ uniform), E_N = (M² + m_N² − s₁₂)/2M,
    Γ and the CDF by the trapezoidal rule in θ. A closed decay has zero width (and a one-point spectrum)."""
    m1, m2, m3 = masses
    lo, hi = (m1 + m2) ** 2, (M - m3) ** 2
    if hi <= lo:
        return Spectrum(np.array([m3]), np.zeros(1), np.ones(1), 0.0, float(m3))
    theta = np.linspace(0.0, np.pi, SPECTRUM_NODES)
    s12 = lo + 0.5 * (hi - lo) * (1.0 - np.cos(theta))
    ds12_dtheta = 0.5 * (hi - lo) * np.sin(theta)
    with np.errstate(divide="ignore", invalid="ignore"):  # s₁₂ = 0 at an end point of massless 1, 2
        a, b = dalitz_limits(M, m1, m2, m3, s12)
        half = 0.5 * np.clip(b - a, 0.0, None)
        s23 = 0.5 * (a + b)[:, None] + half[:, None] * _GL_X[None, :]
        s12g = np.broadcast_to(s12[:, None], s23.shape)
        values = amp2(dot_products(M, masses, s12g, s23), s12g, s23)
        dgam_ds12 = PHASE_SPACE / M**3 * half * (values @ _GL_W)
    dgam_ds12 = np.where(np.isfinite(dgam_ds12), dgam_ds12, 0.0)  # end points: zero phase space
    integrand = np.clip(dgam_ds12, 0.0, None) * ds12_dtheta
    steps = 0.5 * (integrand[1:] + integrand[:-1]) * np.diff(theta)
    cum = np.concatenate([[0.0], np.cumsum(steps)])
    width = float(cum[-1])
    energy = (M * M + m3 * m3 - s12) / (2.0 * M)
    weighted = integrand * energy
    first = float(np.sum(0.5 * (weighted[1:] + weighted[:-1]) * np.diff(theta)))
    mean = first / width if width > 0 else float(m3)
    cdf = cum / width if width > 0 else np.linspace(0.0, 1.0, len(cum))
    # E_N decreases with s12: flip to increasing energy and CDF in energy (read-only: spectra are cached)
    arrays = [x[::-1].copy() for x in (energy, 2.0 * M * dgam_ds12, 1.0 - cdf)]
    for x in arrays:
        x.flags.writeable = False
    return Spectrum(*arrays, width, mean)


def sample_energies(spectrum: Spectrum, n: int, rng: np.random.Generator) -> FloatArray:
    """n N energies (GeV) drawn from ``spectrum`` by inverting its tabulated CDF (linear interpolation)."""
    cdf, keep = np.unique(spectrum.cdf, return_index=True)
    if len(cdf) < 2:
        return np.full(n, float(spectrum.energies[0]))
    return np.interp(rng.random(n), cdf, spectrum.energies[keep])
