"""The production modes of a heavy neutral lepton N: every decay X → (partners) N of a meson or τ with
its width at U_α² = 1, its branching fraction and the N's momentum in the parent frame.

:func:`hnl_modes` is the table (by name, e.g. ``"Ds+ -> mu+ N"``), :func:`modes_of` the modes of one
parent (PDG id > 0; the antiparticle decays the C-conjugate way at the same rate). Kinds:

* ``leptonic``: P⁺ → ℓ⁺N (π⁺, K⁺, D⁺, D_s⁺, B⁺, B_c⁺);
* ``semileptonic_P``: P → P′ℓ⁺N (K⁺ → π⁰, K_L → π∓ℓ±, D → K̄, π; D_s → η, η′, K⁰; B → D̄, π; B_s → D_s⁻);
* ``semileptonic_V``: P → Vℓ⁺N (D → K̄*, D_s → φ, K*⁰, B → D̄*, B_s → D_s*⁻);
* ``tau_hadronic``: τ⁻ → N π⁻, N K⁻, N ρ⁻, N K*⁻ (U_τ);
* ``tau_leptonic``: τ⁻ → N ℓ⁻ν̄_ℓ (U_τ) and τ⁻ → ν_τ ℓ⁻N̄ (U_ℓ).

Widths and matrix elements: :mod:`.hnl_widths` (arXiv:1805.08567). Units: GeV.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from types import MappingProxyType
from typing import Mapping

import numpy as np
from numpy.typing import ArrayLike

from ..errors import BeamdumpInputError
from ..kinematics import FloatArray, two_body_momentum
from ..pdg import mass_gev, width_gev
from . import hnl_widths as hw

KINDS = ("leptonic", "semileptonic_P", "semileptonic_V", "tau_hadronic", "tau_leptonic")
TWO_BODY = ("leptonic", "tau_hadronic")
LEPTONS = {"e": 11, "mu": 13, "tau": 15}
NEUTRINOS = {"e": 12, "mu": 14, "tau": 16}
TAU = 15
_SRC = "arXiv:1805.08567 "


@dataclass(frozen=True)
class HNLMode:
    """One production mode ``parent → partners N`` (``parent`` PDG id > 0), its width ∝ U_``flavour``².

    ``hadron`` names the decay constant (leptonic, tau_hadronic: ``f_X`` of the data files) or the
    form-factor prefix (semileptonic: ``<hadron>_plus``/``_zero``), ``ckm`` the |V_qq′| entry and
    ``clebsch2`` the isospin factor C² of the hadronic current (½ for a π⁰ partner)."""

    name: str
    parent: int
    flavour: str
    partners: tuple[int, ...]
    kind: str
    source: str
    hadron: str = ""
    ckm: str = ""
    clebsch2: float = 1.0

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise BeamdumpInputError(f"HNLMode {self.name!r} kind: {self.kind!r}; allowed: {', '.join(KINDS)}")
        if self.flavour not in LEPTONS:
            raise BeamdumpInputError(f"HNLMode {self.name!r} flavour: {self.flavour!r}; allowed: e, mu, tau")

    @property
    def parent_mass(self) -> float:
        """The parent's PDG mass (GeV)."""
        return mass_gev(self.parent)

    def max_mass(self) -> float:
        """The largest N mass (GeV) at which the mode is open: M − Σ m_partners."""
        return self.parent_mass - sum(mass_gev(abs(p)) for p in self.partners)

    def width(self, m: ArrayLike) -> FloatArray:
        """Γ(parent → partners N) (GeV) at U_flavour² = 1 for N masses ``m`` (GeV); 0 where closed."""
        m = np.asarray(m, dtype=float)
        if np.any(m < 0) or not np.all(np.isfinite(m)):
            raise BeamdumpInputError(f"HNLMode {self.name!r} mass: allowed finite values >= 0 GeV")
        if self.kind in TWO_BODY:
            return self._two_body_width(m)
        flat = np.array([_spectrum(self.name, float(x)).width for x in m.reshape(-1)]).reshape(m.shape)
        return np.where(m < self.max_mass(), flat, 0.0)

    def branching(self, m: ArrayLike) -> FloatArray:
        """Γ / Γ_total(parent, PDG) at U_flavour² = 1 for N masses ``m`` (GeV)."""
        return self.width(m) / width_gev(self.parent)

    def rest_momenta(self, m: float, n: int, rng: np.random.Generator) -> FloatArray:
        """|p_N| (n,) in the parent's rest frame (GeV) for an N of mass ``m``: the two-body momentum
        for leptonic and τ → N P/V modes; for three-body modes drawn from dΓ/dE_N of the full
        spin-summed matrix element with the form factors (:func:`.hnl_widths.three_body_spectrum`:
        dΓ/ds₁₂ds₂₃ on the Dalitz plane, integrated over q²/s₂₃ at each E_N, the CDF tabulated on
        65 energies per (mode, mass) and inverted by linear interpolation)."""
        m = float(m)
        if not 0.0 <= m < self.max_mass():
            raise BeamdumpInputError(f"HNLMode {self.name!r} mass: {m:g} GeV; allowed 0 <= m < {self.max_mass():g} GeV")
        if self.kind in TWO_BODY:
            partner = mass_gev(abs(self.partners[0]))
            return np.full(n, float(two_body_momentum(self.parent_mass, m, partner)))
        energies = hw.sample_energies(_spectrum(self.name, m), n, rng)
        return np.sqrt(np.clip(energies * energies - m * m, 0.0, None))

    def spectrum(self, m: float) -> hw.Spectrum:
        """dΓ/dE_N (three-body modes) at N mass ``m`` (GeV), cached per (mode, mass)."""
        if self.kind in TWO_BODY:
            raise BeamdumpInputError(f"HNLMode {self.name!r}: a two-body mode has no E_N spectrum")
        return _spectrum(self.name, float(m))

    # --- the physics of each kind --------------------------------------------------------------

    def _two_body_width(self, m: FloatArray) -> FloatArray:
        k = hw.production_constants()
        f, v = k.decay_constants[self.hadron], k.ckm[self.ckm]
        if self.kind == "leptonic":
            return hw.leptonic_width(m, self.parent_mass, mass_gev(LEPTONS[self.flavour]), f, v, k.fermi)
        meson = abs(self.partners[0])
        fn = hw.tau_to_vector_width if meson in (213, 323) else hw.tau_to_pseudoscalar_width
        return fn(m, self.parent_mass, mass_gev(meson), f, v, k.fermi)

    def three_body(self, m: float) -> tuple[tuple[float, float, float], hw.Amplitude2]:
        """Daughter masses (1, 2, 3 = N) and |M|² of a three-body mode at N mass ``m`` (GeV)."""
        k = hw.production_constants()
        light = tuple(mass_gev(abs(p)) for p in self.partners)
        if self.kind == "tau_leptonic":
            n_from_tau = self.flavour == "tau"
            # partners: (lepton, antineutrino) for U_tau, (nu_tau, lepton) for U_l; daughter 2 = the lepton
            lepton = next(mass_gev(abs(p)) for p in self.partners if abs(p) in (11, 13))
            return (0.0, lepton, m), hw.tau_leptonic_amp2(k.fermi, n_from_tau)
        hadron_mass, lepton = light
        coupling2 = k.fermi**2 * k.ckm[self.ckm] ** 2 * self.clebsch2
        if self.kind == "semileptonic_P":
            ffs = k.form_factors
            amp2 = hw.pseudoscalar_amp2(self.parent_mass, hadron_mass, ffs[self.hadron + "_plus"], ffs[self.hadron + "_zero"], coupling2)
            return (hadron_mass, lepton, m), amp2
        ffs = {c: k.form_factors[f"{self.hadron}_{c}"] for c in ("V", "A0", "A1", "A2")}
        return (hadron_mass, lepton, m), hw.vector_amp2(self.parent_mass, hadron_mass, ffs, coupling2)


@lru_cache(maxsize=4096)
def _spectrum(name: str, m: float) -> hw.Spectrum:
    """The three-body spectrum of mode ``name`` at N mass ``m`` (GeV) (a pure function, cached)."""
    mode = hnl_modes()[name]
    masses, amp2 = mode.three_body(m)  # a closed mode (m >= max_mass) gives a zero spectrum
    return hw.three_body_spectrum(mode.parent_mass, masses, amp2)


# --- the table -------------------------------------------------------------------------------------



def _leptonic() -> list[HNLMode]:
    parents = (  # (pdg, name, f, V, flavours)
        (211, "pi+", "f_pi", "V_ud", ("e", "mu")),
        (321, "K+", "f_K", "V_us", ("e", "mu")),
        (411, "D+", "f_D", "V_cd", ("e", "mu", "tau")),
        (431, "Ds+", "f_Ds", "V_cs", ("e", "mu", "tau")),
        (521, "B+", "f_B", "V_ub", ("e", "mu", "tau")),
        (541, "Bc+", "f_Bc", "V_cb", ("e", "mu", "tau")),
    )
    return [
        HNLMode(f"{name} -> {a}+ N", pdg, a, (-LEPTONS[a],), "leptonic", _SRC + "sec. 2.1 (P -> l N)", f, v)
        for pdg, name, f, v, flavours in parents for a in flavours
    ]


_C1 = "sec. 2.1 and appendix (full V-A matrix element with f+, f0)"
_C2 = "sec. 2.1 and appendix (full V-A matrix element with V, A0, A1, A2)"


def _semileptonic() -> list[HNLMode]:
    rows = (  # (pdg, name, partner pdg, partner name, form factors, V, C^2, lepton sign, kind)
        (321, "K+", 111, "pi0", "K_pi", "V_us", 0.5, -1, "P"),
        (130, "K_L", -211, "pi-", "K_pi", "V_us", 0.5, -1, "P"),
        (130, "K_L", 211, "pi+", "K_pi", "V_us", 0.5, 1, "P"),
        (421, "D0", -321, "K-", "D_K", "V_cs", 1.0, -1, "P"),
        (411, "D+", -311, "K0bar", "D_K", "V_cs", 1.0, -1, "P"),
        (421, "D0", -211, "pi-", "D_pi", "V_cd", 1.0, -1, "P"),
        (411, "D+", 111, "pi0", "D_pi", "V_cd", 0.5, -1, "P"),
        (431, "Ds+", 221, "eta", "Ds_eta", "V_cs", 1.0, -1, "P"),
        (431, "Ds+", 331, "eta'", "Ds_etap", "V_cs", 1.0, -1, "P"),
        (431, "Ds+", 311, "K0", "Ds_K", "V_cd", 1.0, -1, "P"),
        (431, "Ds+", 333, "phi", "Ds_phi", "V_cs", 1.0, -1, "V"),
        (431, "Ds+", 313, "K*0", "Ds_Kstar", "V_cd", 1.0, -1, "V"),
        (421, "D0", -323, "K*-", "D_Kstar", "V_cs", 1.0, -1, "V"),
        (411, "D+", -313, "K*0bar", "D_Kstar", "V_cs", 1.0, -1, "V"),
        (521, "B+", -421, "D0bar", "B_D", "V_cb", 1.0, -1, "P"),
        (511, "B0", -411, "D-", "B_D", "V_cb", 1.0, -1, "P"),
        (531, "Bs0", -431, "Ds-", "Bs_Ds", "V_cb", 1.0, -1, "P"),
        (521, "B+", -423, "D*0bar", "B_Dstar", "V_cb", 1.0, -1, "V"),
        (511, "B0", -413, "D*-", "B_Dstar", "V_cb", 1.0, -1, "V"),
        (531, "Bs0", -433, "Ds*-", "Bs_Dsstar", "V_cb", 1.0, -1, "V"),
        (521, "B+", 111, "pi0", "B_pi", "V_ub", 0.5, -1, "P"),
        (511, "B0", -211, "pi-", "B_pi", "V_ub", 1.0, -1, "P"),
    )
    out = []
    for pdg, name, partner, pname, ff, v, c2, sign, kind in rows:
        for a in LEPTONS:
            if mass_gev(pdg) <= mass_gev(abs(partner)) + mass_gev(LEPTONS[a]):
                continue
            lep = "+" if sign < 0 else "-"
            out.append(HNLMode(f"{name} -> {pname} {a}{lep} N", pdg, a, (partner, sign * LEPTONS[a]), "semileptonic_" + kind,
                               _SRC + (_C1 if kind == "P" else _C2), ff, v, c2))
    return out


def _tau() -> list[HNLMode]:
    out = [
        HNLMode(f"tau- -> {mname} N", TAU, "tau", (pdg,), "tau_hadronic", _SRC + eq, f, v)
        for pdg, mname, f, v, eq in (
            (-211, "pi-", "f_pi", "V_ud", "sec. 2.2 (tau -> N P)"), (-321, "K-", "f_K", "V_us", "sec. 2.2 (tau -> N P)"),
            (-213, "rho-", "f_rho", "V_ud", "sec. 2.2 (tau -> N V)"), (-323, "K*-", "f_Kstar", "V_us", "sec. 2.2 (tau -> N V)"),
        )
    ]
    for a in ("e", "mu"):
        out.append(HNLMode(f"tau- -> N {a}- nubar_{a}", TAU, "tau", (LEPTONS[a], -NEUTRINOS[a]), "tau_leptonic",
                           _SRC + "sec. 2.2 (muon-decay matrix element, N in place of nu_tau)"))
        out.append(HNLMode(f"tau- -> nu_tau {a}- N", TAU, a, (NEUTRINOS["tau"], LEPTONS[a]), "tau_leptonic",
                           _SRC + "sec. 2.2 (muon-decay matrix element, N in place of nubar_l)"))
    return out


@lru_cache(maxsize=1)
def hnl_modes() -> Mapping[str, HNLMode]:
    """Every HNL production mode by name (read-only)."""
    modes = _leptonic() + _semileptonic() + _tau()
    return MappingProxyType({m.name: m for m in modes})


@lru_cache(maxsize=None)
def modes_of(parent: int) -> tuple[HNLMode, ...]:
    """The modes of ``parent`` (PDG id > 0: 211, 321, 130, 411, 421, 431, 511, 521, 531, 541, 15); ()
    for a parent with none."""
    return tuple(m for m in hnl_modes().values() if m.parent == int(parent))
