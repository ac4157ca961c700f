"""A dark scalar S that mixes with the Higgs boson: L ⊃ −sinθ S Σ_f (m_f/v) f̄f + (the Higgs'
couplings to W, Z) × sinθ, scanned in sin²θ. Every width scales as sin²θ.

    Γ(S → ℓ⁺ℓ⁻) = sin²θ G_F m_ℓ² m_S β_ℓ³ / (4√2π),   β_ℓ = √(1 − 4m_ℓ²/m_S²)
    Γ(S → γγ)   = sin²θ G_F α² m_S³ |Σ_f N_c Q_f² A_½(τ_f) + A₁(τ_W)|² / (128√2π³)

(Djouadi hep-ph/0503172 eqs. 2.6, 2.22; τ = m_S²/4m²). The γγ loops are the W, t, b, c (pole
masses) and e, μ, τ; the light quarks and light hadrons (π±, K± loops) are left out of the
amplitude [check: they change BR(γγ), a few per cent at most below 2m_μ, by O(1)].
Hadronic widths: :mod:`beamdump.models.scalar_hadrons` (LO chiral sources with coupled-channel
ππ–KK̄ rescattering below 1 GeV, or LO alone with ``hadronic="chiral"``; perturbative spectator
above 2 GeV; joined linearly between). Production in K and B decays: the top-quark
penguin h_ij (``production.flavour``), see :func:`flavour_couplings`. Masses and widths in GeV,
cτ in metres.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from functools import cached_property, lru_cache
from types import MappingProxyType

import numpy as np
from numpy.typing import ArrayLike, NDArray

from ..datafiles import load_toml, package_data
from ..errors import BeamdumpInputError
from ..pdg import mass_gev
from .base import (Coupling, FinalState, FlavourCouplings, ProductionCouplings, check_final_state,
                   check_single_coupling, coupling_values, ctau_from_width, masses_gev)
from .scalar_hadrons import TREATMENTS, ScalarHadrons, amplitude_half, amplitude_one
from .scalar_qcd import QcdRunning

_LEPTON_PDG = MappingProxyType({"ee": 11, "mumu": 13, "tautau": 15})
#: the quarks of the γγ loop (pole masses of the data file) and their charges; N_c = 3
_PHOTON_LOOP_QUARKS = (("c", 2.0 / 3.0), ("b", -1.0 / 3.0), ("t", 2.0 / 3.0))

_PI0PI0 = FinalState("pi0pi0", "pi0 pi0", (111, 111))
_FINAL_STATES: Mapping[str, FinalState] = MappingProxyType({
    "ee": FinalState("ee", "e+ e-", (-11, 11)),
    "mumu": FinalState("mumu", "mu+ mu-", (-13, 13)),
    "tautau": FinalState("tautau", "tau+ tau-", (-15, 15)),
    "gg": FinalState("gg", "two photons", (22, 22)),
    "pipi": FinalState("pipi", "pi+ pi-", (211, -211)),
    "pi0pi0": _PI0PI0,
    "KK": FinalState("KK", "K+ K-", (321, -321)),
    "hadrons": FinalState("hadrons", "every hadronic final state (pi+ pi- kinematics above 2 m_pi+, pi0 pi0 below)",
                          (211, -211), representative=True, below=_PI0PI0),
})
#: the partial widths each key of the final states sums
_HADRONIC = ("pipi", "pi0pi0", "KK", "K0K0", "etaeta", "gluons", "uu", "dd", "ss", "cc", "bb")


def ckm_matrix(s12: float, s13: float, s23: float, delta: float) -> NDArray[np.complex128]:
    """The CKM matrix in the standard parametrisation (PDG CKM review eq. 12.3), rows u, c, t."""
    c12, c13, c23 = np.sqrt(1 - s12**2), np.sqrt(1 - s13**2), np.sqrt(1 - s23**2)
    e = np.exp(1j * delta)
    return np.array([
        [c12 * c13, s12 * c13, s13 / e],
        [-s12 * c23 - c12 * s23 * s13 * e, c12 * c23 - s12 * s23 * s13 * e, s23 * c13],
        [s12 * s23 - c12 * c23 * s13 * e, -c12 * s23 - s12 * c23 * s13 * e, c23 * c13],
    ])


@dataclass(frozen=True)
class ScalarConstants:
    """The numbers of ``data/models/scalar.toml``."""

    fermi: float
    w_mass: float
    alpha_em: float
    pole: Mapping[str, float] = field(compare=False)
    msbar: Mapping[str, float] = field(compare=False)
    ckm: NDArray[np.complex128] = field(repr=False, compare=False)
    hadrons: ScalarHadrons = field(repr=False, compare=False)


@lru_cache(maxsize=1)
def scalar_constants() -> ScalarConstants:
    """The scalar's constants from its data file (a missing entry is one line naming it)."""
    raw = load_toml(package_data("models", "scalar.toml"))
    try:
        ew, q, c, k, h = raw["electroweak"], raw["quarks"], raw["qcd"], raw["ckm"], raw["hadrons"]
        pole = MappingProxyType({"c": float(q["mc_pole"]), "b": float(q["mb_pole"]), "t": float(q["mt_pole"])})
        msbar = MappingProxyType({"u": float(q["mu_2gev"]), "d": float(q["md_2gev"]), "s": float(q["ms_2gev"])})
        qcd = QcdRunning(float(c["alpha_s_mz"]), float(c["z_mass_gev"]), float(q["mc_mc"]), float(q["mb_mb"]), dict(msbar))
        lo, hi = float(h["join_low_gev"]), float(h["join_high_gev"])
        if not 0.0 < lo < hi:
            raise BeamdumpInputError(f"scalar.toml [hadrons]: join_low_gev {lo:g}, join_high_gev {hi:g}; allowed 0 < low < high")
        fermi = float(ew["fermi_constant_gev2"])
        return ScalarConstants(
            fermi, float(ew["w_mass_gev"]), float(ew["alpha_em"]), pole, msbar,
            ckm_matrix(float(k["s12"]), float(k["s13"]), float(k["s23"]), float(k["delta_rad"])),
            ScalarHadrons(fermi, qcd, pole, lo, hi, str(h["treatment"]), float(h["pion_decay_constant_gev"]),
                          float(h["loop_cutoff_gev"])),
        )
    except KeyError as exc:
        raise BeamdumpInputError(f"scalar.toml: missing {exc.args[0]!r}") from None


def penguin_coupling(transition: str, constants: ScalarConstants | None = None) -> complex:
    """h of L ⊃ h sinθ S q̄′P_R q (q → q′ = b → s, b → d, s → d) from the top–W loop:
    h = 3√2 G_F m_t² V_tq′* V_tq m_q / (16π² v) (arXiv:1904.10447 eq. 2.11; arXiv:1809.01876),
    with the pole m_b for b and m_s(2 GeV) for s; dimensionless."""
    k = constants or scalar_constants()
    rows = {"d": 0, "s": 1, "b": 2}
    if transition not in ("bs", "bd", "sd"):
        raise BeamdumpInputError(f"transition: {transition!r}; allowed: bs, bd, sd")
    heavy, light = transition[0], transition[1]
    m_heavy = k.pole["b"] if heavy == "b" else k.msbar["s"]
    v = 1.0 / np.sqrt(np.sqrt(2.0) * k.fermi)
    ckm = np.conj(k.ckm[2, rows[light]]) * k.ckm[2, rows[heavy]]
    return complex(3.0 * np.sqrt(2.0) * k.fermi * k.pole["t"] ** 2 * ckm * m_heavy / (16.0 * np.pi**2 * v))


def flavour_couplings(constants: ScalarConstants | None = None) -> FlavourCouplings:
    """c_V = h/(2(m_q − m_q′)), c_A = h/(2(m_q + m_q′)) (GeV⁻¹) at sinθ = 1 for b → s, b → d, s → d;
    the rates scale as sin²θ (rate_power 1)."""
    k = constants or scalar_constants()
    masses = {"b": k.pole["b"], "s": k.msbar["s"], "d": k.msbar["d"]}
    vector, axial = {}, {}
    for t in ("bs", "bd", "sd"):
        h = penguin_coupling(t, k)
        vector[t] = h / (2.0 * (masses[t[0]] - masses[t[1]]))
        axial[t] = h / (2.0 * (masses[t[0]] + masses[t[1]]))
    return FlavourCouplings(vector=vector, axial=axial, rate_power=1)


def _default_coupling() -> Coupling:
    return Coupling("sin2theta", "$\\sin^2\\theta$", "", (1e-14, 1e-2),
                    "Higgs-scalar mixing sin^2(theta); S couples to fermions as sin(theta) m_f/v", physical_max=1.0)


@dataclass(frozen=True)
class HiggsMixedScalar:
    """The Higgs-mixed scalar; widths and production rates scale as sin²θ."""

    name: str = "scalar"
    description: str = "dark scalar mixing with the Higgs (sin^2 theta; K -> pi S, B -> K S production)"
    coupling: Coupling = field(default_factory=_default_coupling)
    width_power: int = 1
    valid_masses: tuple[float, float] = (1e-3, 10.0)
    #: the exclusive ππ/KK̄ widths: "unitarized" (coupled-channel rescattering) or "chiral" (LO);
    #: "" takes the data file's choice
    hadronic: str = ""

    def __post_init__(self) -> None:
        if self.hadronic not in ("",) + TREATMENTS:
            raise BeamdumpInputError(f"hadronic: {self.hadronic!r}; allowed: {', '.join(TREATMENTS)}")

    @property
    def couplings(self) -> tuple[Coupling, ...]:
        """The one coupling sin²θ."""
        return (self.coupling,)

    @cached_property
    def constants(self) -> ScalarConstants:
        """The numbers of ``data/models/scalar.toml``."""
        return scalar_constants()

    @cached_property
    def hadrons(self) -> ScalarHadrons:
        """The hadronic widths, with this model's treatment of the exclusive ones."""
        base = self.constants.hadrons
        return replace(base, treatment=self.hadronic) if self.hadronic else base

    @property
    def production(self) -> ProductionCouplings:
        """K and B decays read the top-penguin flavour couplings."""
        return ProductionCouplings(flavour=flavour_couplings(self.constants))

    def with_couplings(self, scan: str, fixed: Mapping[str, float]) -> "HiggsMixedScalar":
        """One coupling: ``scan`` must be ``sin2theta`` and nothing can be fixed."""
        check_single_coupling(self.name, self.coupling, scan, fixed)
        return self

    def final_states(self) -> Mapping[str, FinalState]:
        """ee, mumu, tautau, gg (photons), pipi (π⁺π⁻), pi0pi0, KK (K⁺K⁻) and hadrons (all)."""
        return _FINAL_STATES

    def photon_width(self, m: NDArray[np.float64]) -> NDArray[np.float64]:
        """Γ(S → γγ) per unit sin²θ (GeV) from the W, t, b, c, τ, μ, e loops."""
        k = self.constants
        amp = amplitude_one(m**2 / (4.0 * k.w_mass**2))
        for quark, q in _PHOTON_LOOP_QUARKS:
            amp = amp + 3.0 * q**2 * amplitude_half(m**2 / (4.0 * k.pole[quark] ** 2))
        for pdg in _LEPTON_PDG.values():
            amp = amp + amplitude_half(m**2 / (4.0 * mass_gev(pdg) ** 2))
        return k.fermi * k.alpha_em**2 * m**3 * np.abs(amp) ** 2 / (128.0 * np.sqrt(2.0) * np.pi**3)

    def _widths_unit(self, m: ArrayLike) -> dict[str, NDArray[np.float64]]:
        """Every partial width at sin²θ = 1 (GeV), by channel (hadronic ones separately)."""
        m = masses_gev(m)
        fermi = self.constants.fermi
        out = {}
        for key, pdg in _LEPTON_PDG.items():
            ml = mass_gev(pdg)
            beta = np.sqrt(np.clip(1.0 - 4.0 * ml**2 / m**2, 0.0, None))
            out[key] = fermi * ml**2 * m * beta**3 / (4.0 * np.sqrt(2.0) * np.pi)
        out["gg"] = self.photon_width(m)
        out.update(self.hadrons.widths(m))
        return out

    def partial_widths(self, m: ArrayLike, coupling: ArrayLike = 1.0) -> dict[str, NDArray[np.float64]]:
        """Partial widths in GeV by final-state key: ee, mumu, tautau, gg, pipi, pi0pi0, KK and
        hadrons (every hadronic width, the three before included); they sum to more than the
        total because hadrons contains pipi, pi0pi0 and KK."""
        s2 = coupling_values(coupling, self.coupling.key)
        unit = self._widths_unit(m)
        out = {k: s2 * unit[k] for k in ("ee", "mumu", "tautau", "gg", "pipi", "pi0pi0", "KK")}
        out["hadrons"] = s2 * sum(unit[k] for k in _HADRONIC)
        return out

    def total_width(self, m: ArrayLike, coupling: ArrayLike = 1.0) -> NDArray[np.float64]:
        """Total width in GeV (every channel once)."""
        w = self.partial_widths(m, coupling)
        return w["ee"] + w["mumu"] + w["tautau"] + w["gg"] + w["hadrons"]

    def branching_fraction(self, m: ArrayLike, final_state: str) -> NDArray[np.float64]:
        """Branching fraction to ``final_state`` (a key of final_states())."""
        check_final_state(self.name, final_state, _FINAL_STATES)
        return self.partial_widths(m)[final_state] / self.total_width(m)

    def ctau(self, m: ArrayLike, coupling: ArrayLike = 1.0) -> NDArray[np.float64]:
        """cτ in metres: ħc/Γ."""
        return ctau_from_width(self.total_width(m, coupling))
