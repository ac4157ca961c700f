"""An axion-like particle coupled universally to fermions (PBC benchmark BC10, arXiv:1901.09966):

    L = (∂_μa / 2f_a) Σ_f c_f f̄γ^μγ₅f,   scanned coupling g_aff = c_f/f_a (GeV⁻¹, universal c_f),

the convention of Bauer, Neubert, Thamm arXiv:1708.00443 eq. 1 (c_ff/Λ = g_aff). On shell it acts
as the pseudoscalar Yukawa −i g_aff m_f a f̄γ₅f, so the "Yukawa-like" axis of Dolan et al.
arXiv:1412.5174, L = −i g_Y Σ_f (m_f/v) a f̄γ₅f, is g_Y = v g_aff (v = 246 GeV)
[check: factors of √2 and 2 differ between papers; the PBC report quotes 2v/f_a for c_f = 2].

    Γ(a → ℓ⁺ℓ⁻) = g² m_ℓ² m_a β_ℓ/(8π),  β_ℓ = √(1 − 4m_ℓ²/m_a²)   (arXiv:1708.00443 eq. 30)
    Γ(a → γγ)   = g_aγγ² m_a³/(64π),  g_aγγ = (α/π) g [Σ_{ℓ,c,b,t} N_c Q² B₁ + light-meson mixing]

and the hadronic widths of :mod:`beamdump.models.alp_fermion_hadrons` (a → 3π below 1 GeV,
inclusive gg + qq̄ above 1.5 GeV, mixed linearly between). Production in K and B decays through the top loop: see
:func:`flavour_couplings`. Masses and widths in GeV, cτ in metres.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

import numpy as np
from numpy.typing import ArrayLike, NDArray

from ..constants import ALPHA_EM
from ..pdg import mass_gev
from .alp_fermion_hadrons import (FermionALPParameters, fermion_pair_width, inclusive_hadrons_width, load_parameters,
                                  three_pion_widths, two_photon_amplitude_light, two_photon_amplitude_loops)
from .base import (TRANSITIONS, Coupling, FinalState, FlavourCouplings, ProductionCouplings, check_final_state,
                   check_single_coupling, coupling_values, ctau_from_width, masses_gev)

_LEPTON_PDG = MappingProxyType({"ee": 11, "mumu": 13, "tautau": 15})
_FINAL_STATES: Mapping[str, FinalState] = MappingProxyType({
    "ee": FinalState("ee", "e+ e-", (-11, 11)),
    "mumu": FinalState("mumu", "mu+ mu-", (-13, 13)),
    "tautau": FinalState("tautau", "tau+ tau-", (-15, 15)),
    "gg": FinalState("gg", "two photons", (22, 22)),
    "pipipi": FinalState("pipipi", "pi+ pi- pi0 (the pi+ pi- pair as two-body kinematics)", (211, -211),
                         representative=True),
    "hadrons": FinalState("hadrons", "3 pi0 below 1 GeV, every hadronic state above (pi+ pi- kinematics)",
                          (211, -211), representative=True),
})


def _top_loop(p: FermionALPParameters) -> float:
    """y_t²/(16π²) [½ ln(Λ²/m_t²) − ¼ − (3/2) g(x_t)], g(x) = (1 − x + ln x)/(1 − x)², x_t = m_t²/m_W²."""
    mt = p.quark_masses["t"]
    x = (mt / p.m_w) ** 2
    g = (1.0 - x + np.log(x)) / (1.0 - x) ** 2
    yt2 = 2.0 * mt * mt / (p.vev * p.vev)
    return float(yt2 / (16.0 * np.pi**2) * (0.5 * np.log(p.cutoff**2 / mt**2) - 0.25 - 1.5 * g))


def flavour_couplings(p: FermionALPParameters | None = None) -> FlavourCouplings:
    """c_V, c_A (GeV⁻¹ at g_aff = 1 GeV⁻¹) of b → s, b → d, s → d from the top loop: the
    left-handed L ⊃ (∂a/f_a) [k_D]_{q′q} q̄′γ^μP_L q, [k_D]_{q′q} = c V*_{tq′}V_{tq} × :func:`_top_loop`
    (arXiv:2012.12272, arXiv:2110.10698), so c_V = [k_D]/(2f_a) = −c_A; rates ∝ g² (rate_power 2)."""
    p = p or load_parameters()
    rows = {"d": 0, "s": 1, "b": 2}
    loop = _top_loop(p)
    vector = {}
    for t in TRANSITIONS:  # "bs": q = b → q′ = s
        q, q_prime = rows[t[0]], rows[t[1]]
        vector[t] = complex(0.5 * loop * np.conj(p.ckm[2, q_prime]) * p.ckm[2, q])
    return FlavourCouplings(vector=vector, axial={t: -c for t, c in vector.items()}, rate_power=2)


def _default_coupling() -> Coupling:
    # physical_max: g = 1 GeV⁻¹ is f_a = 1 GeV (c_f = 1); the EFT then breaks down at 4πf_a ≈ 13 GeV,
    # just above every mass and beam-dump momentum transfer the model is used for
    return Coupling(
        "g_aff", "$g_{aff}$", "GeV^-1", (1e-9, 1e-2),
        "ALP-fermion coupling c_f/f_a, L = (d a / 2 f_a) c_f fbar gamma gamma5 f, universal c_f (PBC BC10)",
        physical_max=1.0,
    )


@dataclass(frozen=True)
class FermionALP:
    """The ALP of the universal fermion coupling g_aff; widths and production rates scale as g²."""

    name: str = "alp-fermion"
    description: str = "axion-like particle coupled universally to fermions (PBC BC10; B -> K a, K -> pi a)"
    coupling: Coupling = field(default_factory=_default_coupling)
    width_power: int = 2
    valid_masses: tuple[float, float] = (1e-3, 3.0)
    parameters: FermionALPParameters = field(default_factory=load_parameters, repr=False, compare=False)

    @property
    def couplings(self) -> tuple[Coupling, ...]:
        """The one coupling g_aff."""
        return (self.coupling,)

    @property
    def production(self) -> ProductionCouplings:
        """The flavour-changing couplings of the top loop (K → πa, B → Ka channels)."""
        return ProductionCouplings(flavour=flavour_couplings(self.parameters))

    def with_couplings(self, scan: str, fixed: Mapping[str, float]) -> "FermionALP":
        """One coupling: ``scan`` must be ``g_aff`` and nothing can be fixed."""
        check_single_coupling(self.name, self.coupling, scan, fixed)
        return self

    def final_states(self) -> Mapping[str, FinalState]:
        """ee, mumu, tautau, gg, pipipi (π⁺π⁻π⁰ as π⁺π⁻ kinematics), hadrons (representative)."""
        return _FINAL_STATES

    def photon_coupling(self, m: ArrayLike) -> NDArray[np.float64]:
        """|g_aγγ| (GeV⁻¹) at g_aff = 1 GeV⁻¹: (α/π) |Σ_f N_c Q_f² B₁(τ_f) + light-meson mixing|."""
        m = masses_gev(m)
        s = two_photon_amplitude_loops(m, self.parameters) + two_photon_amplitude_light(m, self.parameters)
        return ALPHA_EM / np.pi * np.abs(s)

    def _widths_unit(self, m: NDArray[np.float64]) -> dict[str, NDArray[np.float64]]:
        out = {}
        for key, pdg in _LEPTON_PDG.items():
            out[key] = fermion_pair_width(m, mass_gev(pdg))
        out["gg"] = self.photon_coupling(m) ** 2 * m**3 / (64.0 * np.pi)
        charged, neutral = three_pion_widths(m, self.parameters)
        w = self.parameters.inclusive_share(m)
        out["pipipi"] = (1.0 - w) * charged
        out["hadrons"] = (1.0 - w) * neutral + w * inclusive_hadrons_width(m, self.parameters)
        return out

    def partial_widths(self, m: ArrayLike, coupling: ArrayLike = 1.0) -> dict[str, NDArray[np.float64]]:
        """Each final state's width in GeV (g in GeV⁻¹, m in GeV), keyed as :meth:`final_states`."""
        m = masses_gev(m)
        g2 = coupling_values(coupling, self.coupling.key) ** 2
        return {k: g2 * w for k, w in self._widths_unit(m).items()}

    def total_width(self, m: ArrayLike, coupling: ArrayLike = 1.0) -> NDArray[np.float64]:
        """Total width in GeV: the sum of the partial widths."""
        return sum(self.partial_widths(m, coupling).values())

    def branching_fraction(self, m: ArrayLike, final_state: str) -> NDArray[np.float64]:
        """Γ(final_state)/Γ_total (independent of g)."""
        check_final_state(self.name, final_state, _FINAL_STATES)
        w = self._widths_unit(masses_gev(m))
        return w[final_state] / sum(w.values())

    def ctau(self, m: ArrayLike, coupling: ArrayLike = 1.0) -> NDArray[np.float64]:
        """cτ in metres: ħc/Γ."""
        return ctau_from_width(self.total_width(m, coupling))
