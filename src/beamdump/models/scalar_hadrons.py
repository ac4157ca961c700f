"""Hadronic widths of the Higgs-mixed scalar S, per unit sin²θ, in GeV (masses in GeV).

Exclusive regime, LO (``treatment="chiral"``; leading-order chiral perturbation theory with the trace anomaly; Voloshin,
Sov. J. Nucl. Phys. 44 (1986) 478; Gunion, Haber, Kane, Dawson, *The Higgs Hunter's Guide* sec.
2.2; Bezrukov & Gorbunov arXiv:0912.0390). With the three heavy quarks integrated out,
Σ_Q m_Q Q̄Q → −(α_s/4π) G G = (2/9)(θ^μ_μ − Σ_q m_q q̄q), so S couples to light hadrons through
(sinθ/v) [(2/9) θ^μ_μ + (7/9) Σ_q m_q q̄q]. With ⟨PP|θ^μ_μ|0⟩ = s + 2m_P² and
⟨PP|Σ m_q q̄q|0⟩ = m_P² at leading order, the amplitude is (sinθ/v)(2/9)(m_S² + 11 m_P²/2) and

    Γ(S → PP) = c_P sin²θ |(2/9)(m_S² + 11 m_P²/2)|² β_P / (16π v² m_S),   β_P = √(1 − 4m_P²/m_S²),

c_P = 1 for π⁺π⁻, K⁺K⁻, K⁰K̄⁰ and 1/2 for the identical π⁰π⁰ and ηη (π⁺π⁻ : π⁰π⁰ = 2 : 1). The
S-wave ππ rescattering (σ, f₀(980)) that the dispersive treatments (Donoghue, Gasser, Leutwyler
1990; Winkler arXiv:1809.01876) add is NOT included in this treatment: it is their leading-order limit.

Unitarized (the default, ``treatment="unitarized"``): the same LO sources, with the S-wave
isoscalar ππ–KK̄ rescattering resummed by the coupled-channel chiral-unitary approach (Oller &
Oset, Nucl. Phys. A620 (1997) 438, hep-ph/9702314: LO chiral kernel, loops cut at q_max; as a
form factor, Meißner & Oller, Nucl. Phys. A679 (2001) 671, hep-ph/0005253): with partial waves
normalised as t = (e^{2iδ} − 1)/(2iσ) and unitary (1/√2) normalisation of the ππ state,

    V = 1/(64π f²) [[2(2s − m_π²), √3 s], [√3 s, 3s]],   F = (1 − V g)⁻¹ R,   g = −16π G(s),
    R = (√(3/2) A_π, √2 A_K),   A_P = (2/9)(s + 11 m_P²/2),

G the two-meson loop with a three-momentum cut-off, Γ(ππ) = |F_ππ|² σ_π/(16π v² m_S) split 2 : 1
between π⁺π⁻ and π⁰π⁰, Γ(KK̄) = |F_KK|² σ_K/(16π v² m_S) split 1 : 1 between K⁺K⁻ and K⁰K̄⁰. This
generates the σ and the f₀(980) (δ₀⁰ passes 90° near 0.7 GeV and rises by ≈ 110° between 0.95 and
1.0 GeV) and
is trusted below ≈ 1.2 GeV (Oller–Oset). It is not the dispersive (Donoghue–Gasser–Leutwyler)
form factor of Winkler, whose polynomial and heavier resonances it lacks. ηη stays LO.

Perturbative (spectator) regime (Spira, hep-ph/9705337; Djouadi, hep-ph/0503172 eqs. 2.11–2.12
and 2.24; the same formulas as Boiarska et al. arXiv:1904.10447 sec. 4):

    Γ(S → qq̄) = 3 sin²θ G_F m_q(m_S)² m_S β_H³ (1 + Δ_qq + Δ_t) / (4√2π),
    Δ_qq = 5.67 a + (35.94 − 1.36 n_f) a² + (164.14 − 25.77 n_f + 0.259 n_f²) a³,  a = α_s(m_S)/π,
    Δ_t  = a² (1.57 − (2/3) ln(m_S²/m_t²) + (1/9) ln²(m_q²/m_S²)),
    Γ(S → gg) = sin²θ G_F α_s² m_S³ |Σ_{Q=c,b,t} ¾ A_½(τ_Q)|² (1 + E) / (36√2π³),
    E = (95/4 − 7 n_l/6) α_s/π  (the NLO K-factor of the heavy-quark limit),

with running MSbar masses m_q(m_S), pole masses in the gg loop, and β_H = √(1 − 4M_H²/m_S²) the
velocity of the lightest open-flavour meson pair (π for u, d; K for s; D for c; B for b), so that
each quark channel opens at its hadronic threshold. n_l = 3 light flavours below 2M_D, 4 above.

Join: below ``join_low`` only the exclusive widths, above ``join_high`` only the perturbative
ones; in between every width is (1 − w) exclusive + w perturbative, w linear in m_S.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

import numpy as np
from numpy.typing import NDArray

from ..errors import BeamdumpInputError
from ..pdg import mass_gev
from .scalar_qcd import QcdRunning

#: the exclusive two-meson channels: key → (meson PDG id, symmetry factor c_P)
EXCLUSIVE: Mapping[str, tuple[int, float]] = MappingProxyType({
    "pipi": (211, 1.0), "pi0pi0": (111, 0.5), "KK": (321, 1.0), "K0K0": (311, 1.0), "etaeta": (221, 0.5),
})
#: the treatments of the exclusive widths: LO chiral, or its coupled-channel unitarization
TREATMENTS = ("unitarized", "chiral")
#: quark → the meson whose pair sets the channel's threshold
_QUARK_THRESHOLD_MESON: Mapping[str, int] = MappingProxyType({"u": 211, "d": 211, "s": 321, "c": 421, "b": 521})


def loop_f(tau: NDArray[np.float64]) -> NDArray[np.complex128]:
    """The triangle function f(τ) of the Higgs loops, τ = m_S²/(4 m_loop²) (Djouadi hep-ph/0503172 eq. 2.20)."""
    tau = np.asarray(tau, dtype=float)
    out = np.empty(tau.shape, dtype=complex)
    below = tau <= 1.0
    out[below] = np.arcsin(np.sqrt(tau[below])) ** 2
    r = np.sqrt(1.0 - 1.0 / tau[~below])
    out[~below] = -0.25 * (np.log((1.0 + r) / (1.0 - r)) - 1j * np.pi) ** 2
    return out


def amplitude_half(tau: NDArray[np.float64]) -> NDArray[np.complex128]:
    """Spin-½ loop amplitude A_½(τ) = 2[τ + (τ − 1) f(τ)]/τ², → 4/3 for a heavy loop (τ → 0)."""
    tau = np.asarray(tau, dtype=float)
    return 2.0 * (tau + (tau - 1.0) * loop_f(tau)) / tau**2


def amplitude_one(tau: NDArray[np.float64]) -> NDArray[np.complex128]:
    """Spin-1 (W) loop amplitude A₁(τ) = −[2τ² + 3τ + 3(2τ − 1) f(τ)]/τ², → −7 for τ → 0."""
    tau = np.asarray(tau, dtype=float)
    return -(2.0 * tau**2 + 3.0 * tau + 3.0 * (2.0 * tau - 1.0) * loop_f(tau)) / tau**2


def meson_loop(s: NDArray[np.float64], m: float, cutoff: float) -> NDArray[np.complex128]:
    """G(s) = ∫^{q_max} d³q/(2π)³ 1/(ω (s − 4ω²)) for two mesons of mass ``m`` (ω² = q² + m²), in
    closed form (Im G = −σ/16π above threshold, for on-shell momenta below the cut-off)."""
    s = np.asarray(s, dtype=float)
    t = cutoff / np.hypot(cutoff, m)
    e = np.sqrt(s) / 2.0
    out = np.empty(s.shape, dtype=complex)
    above = s > 4.0 * m * m
    sig = np.sqrt(1.0 - 4.0 * m * m / s[above])
    out[above] = (sig * np.log(np.abs((sig + t) / (sig - t))) - 2.0 * np.arcsinh(cutoff / m)) / (16.0 * np.pi**2)
    out[above] -= 1j * np.where(sig < t, sig, 0.0) / (16.0 * np.pi)
    kappa = np.sqrt(m * m - s[~above] / 4.0)
    out[~above] = ((kappa / e[~above]) * np.arctan(e[~above] * t / kappa) - np.arcsinh(cutoff / m)) / (8.0 * np.pi**2)
    return out


def _velocity(m: NDArray[np.float64], daughter_mass: float) -> NDArray[np.float64]:
    """β = √(1 − 4M²/m²), 0 below threshold."""
    return np.sqrt(np.clip(1.0 - 4.0 * daughter_mass**2 / m**2, 0.0, None))


@dataclass(frozen=True)
class ScalarHadrons:
    """The hadronic widths of S per unit sin²θ (GeV): exclusive, perturbative and joined."""

    fermi: float
    qcd: QcdRunning
    #: pole masses of c, b, t (GeV), for the gluon loop and Δ_t
    pole: Mapping[str, float] = field(compare=False)
    join_low: float
    join_high: float
    #: "unitarized" (coupled-channel ππ–KK̄ rescattering) or "chiral" (LO)
    treatment: str
    #: the pion decay constant f (GeV) and the loop cut-off q_max (GeV) of the unitarization
    decay_constant: float
    cutoff: float

    def __post_init__(self) -> None:
        if self.treatment not in TREATMENTS:
            raise BeamdumpInputError(f"hadronic: {self.treatment!r}; allowed: {', '.join(TREATMENTS)}")

    @property
    def vev2(self) -> float:
        """v² = 1/(√2 G_F) in GeV²."""
        return 1.0 / (np.sqrt(2.0) * self.fermi)

    def exclusive(self, m: NDArray[np.float64]) -> dict[str, NDArray[np.float64]]:
        """LO chiral widths of S → π⁺π⁻, π⁰π⁰, K⁺K⁻, K⁰K̄⁰, ηη (keys of :data:`EXCLUSIVE`)."""
        out = {}
        for key, (pdg, sym) in EXCLUSIVE.items():
            mp = mass_gev(pdg)
            amp = (2.0 / 9.0) * (m**2 + 5.5 * mp**2)
            out[key] = sym * amp**2 * _velocity(m, mp) / (16.0 * np.pi * self.vev2 * m)
        return out

    def isoscalar_kernel(self, s: NDArray[np.float64]) -> tuple[NDArray[np.float64], NDArray[np.complex128]]:
        """The LO S-wave I = 0 kernel V (n, 2, 2; channels ππ, KK̄) and g = −16πG (n, 2), unitary
        normalisation, so that t = (1 − V g)⁻¹ V and e^{2iδ} = 1 + 2iσ t."""
        mpi, mk = mass_gev(211), 0.5 * (mass_gev(321) + mass_gev(311))
        f2 = self.decay_constant**2
        v = np.empty(s.shape + (2, 2))
        v[..., 0, 0] = (2.0 * s - mpi**2) / (32.0 * np.pi * f2)
        v[..., 0, 1] = v[..., 1, 0] = np.sqrt(3.0) * s / (64.0 * np.pi * f2)
        v[..., 1, 1] = 3.0 * s / (64.0 * np.pi * f2)
        g = -16.0 * np.pi * np.stack([meson_loop(s, mpi, self.cutoff), meson_loop(s, mk, self.cutoff)], axis=-1)
        return v, g

    def unitarized(self, m: NDArray[np.float64]) -> dict[str, NDArray[np.float64]]:
        """The ππ and KK̄ widths with the coupled-channel rescattering (keys pipi, pi0pi0, KK, K0K0)."""
        s = m**2
        mpi, mk = mass_gev(211), 0.5 * (mass_gev(321) + mass_gev(311))
        source = np.stack([np.sqrt(1.5) * (2.0 / 9.0) * (s + 5.5 * mpi**2),
                           np.sqrt(2.0) * (2.0 / 9.0) * (s + 5.5 * mk**2)], axis=-1).astype(complex)
        v, g = self.isoscalar_kernel(s)
        form = np.linalg.solve(np.eye(2) - v * g[..., None, :], source[..., None])[..., 0]
        scale = 1.0 / (16.0 * np.pi * self.vev2 * m)
        pipi, kk = np.abs(form[..., 0]) ** 2 * scale, np.abs(form[..., 1]) ** 2 * scale
        return {"pipi": 2.0 / 3.0 * pipi * _velocity(m, mpi), "pi0pi0": pipi / 3.0 * _velocity(m, mass_gev(111)),
                "KK": 0.5 * kk * _velocity(m, mass_gev(321)), "K0K0": 0.5 * kk * _velocity(m, mass_gev(311))}

    def quark_pair(self, quark: str, m: NDArray[np.float64]) -> NDArray[np.float64]:
        """Perturbative Γ(S → qq̄) with running mass and QCD corrections (Djouadi eqs. 2.11–2.12)."""
        a = self.qcd.alpha_s(m) / np.pi
        nf = self.qcd.n_flavours(m)
        mq = self.qcd.running_mass(quark, m)
        delta_qq = 5.67 * a + (35.94 - 1.36 * nf) * a**2 + (164.14 - 25.77 * nf + 0.259 * nf**2) * a**3
        delta_t = a**2 * (1.57 - (2.0 / 3.0) * np.log(m**2 / self.pole["t"] ** 2) + np.log(mq**2 / m**2) ** 2 / 9.0)
        beta = _velocity(m, mass_gev(_QUARK_THRESHOLD_MESON[quark]))
        return 3.0 * self.fermi * mq**2 * m * beta**3 * (1.0 + delta_qq + delta_t) / (4.0 * np.sqrt(2.0) * np.pi)

    def gluons(self, m: NDArray[np.float64]) -> NDArray[np.float64]:
        """Perturbative Γ(S → gg) at NLO in the heavy-quark limit, loops of c, b, t (pole masses)."""
        alpha = self.qcd.alpha_s(m)
        loop = sum(0.75 * amplitude_half(m**2 / (4.0 * self.pole[q] ** 2)) for q in ("c", "b", "t"))
        n_light = np.where(m >= 2.0 * mass_gev(421), 4, 3)
        k_factor = 1.0 + (95.0 / 4.0 - 7.0 * n_light / 6.0) * alpha / np.pi
        return self.fermi * alpha**2 * m**3 * np.abs(loop) ** 2 * k_factor / (36.0 * np.sqrt(2.0) * np.pi**3)

    def perturbative(self, m: NDArray[np.float64]) -> dict[str, NDArray[np.float64]]:
        """Perturbative widths: "gluons", "uu", "dd", "ss", "cc", "bb"."""
        out = {"gluons": self.gluons(m)}
        for q in ("u", "d", "s", "c", "b"):
            out[q + q] = self.quark_pair(q, m)
        return out

    def weight(self, m: NDArray[np.float64]) -> NDArray[np.float64]:
        """The perturbative share w(m): 0 below join_low, 1 above join_high, linear between."""
        return np.clip((m - self.join_low) / (self.join_high - self.join_low), 0.0, 1.0)

    def widths(self, m: NDArray[np.float64]) -> dict[str, NDArray[np.float64]]:
        """Every hadronic width per unit sin²θ (GeV): the exclusive keys weighted by 1 − w and
        the perturbative ones by w; a perturbative key is 0 below join_low."""
        w = self.weight(m)
        exclusive = self.exclusive(m)
        if self.treatment == "unitarized":
            exclusive.update(self.unitarized(m))
        out = {k: (1.0 - w) * v for k, v in exclusive.items()}
        # the perturbative formulas are evaluated only where they are used (α_s is floored below 1 GeV)
        mp = np.maximum(m, self.join_low)
        out.update({k: w * v for k, v in self.perturbative(mp).items()})
        return out
