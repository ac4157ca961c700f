"""A heavy neutral lepton N mixing with the active neutrinos: L ⊃ −(g/√2) U_α ℓ̄_α γ^μ P_L N W_μ
− (g/2c_W) U_α ν̄_α γ^μ P_L N Z_μ + h.c., scanned in U² (one flavour: U_α², key ``U2_<α>``; a fixed
ratio U_e² : U_μ² : U_τ²: the sum U² = Σ_α U_α², key ``U2``). Every width is linear in the U_α²:
a final state's partial width is Σ_α U_α² Γ_α with Γ_α the width at U_α² = 1
(:func:`beamdump.models.hnl_decays.dirac_widths`). A Majorana N (the default) decays into both
charge conjugates: every partial width is twice the Dirac one, the branching fractions are the
same. Production (meson and τ decays) reads ``production.mixing``. Masses and widths in GeV, cτ in m.

Three-body final states carry the spin-averaged V−A |M|² (FinalState.matrix_element, terms
c (p_i·p_j)(p_k·p_l), 0 = N), normalised so that its Dalitz integral is the partial width at U² = 1:

    N → ν ℓ⁻ ℓ⁺ (daughters ν, ℓ⁻, ℓ⁺), per flavour α of the mixing, Z (+ W if ℓ = ℓ_α):
        64 G_F² [C_L² (p_N·p_ℓ⁺)(p_ν·p_ℓ⁻) + C_R² (p_N·p_ℓ⁻)(p_ν·p_ℓ⁺) + C_L C_R m_ℓ² (p_N·p_ν)]
    N → ν ℓ_a ℓ_b, a ≠ b (daughters ν, ℓ_a⁻, ℓ_b⁺), W only: from U_a: 64 G_F² (p_N·p_ℓb)(p_ℓa·p_ν),
        from U_b (N → ℓ_b⁻ ℓ_a⁺ ν_a): 64 G_F² (p_N·p_ℓa)(p_ℓb·p_ν)

(C_L, C_R of :func:`~beamdump.models.hnl_decays.fermion_couplings`; the m_ℓ² C_L C_R term is
included — its Dalitz integral is the f₂ term of arXiv:1805.08567 eq. (3.4)). N and N̄ (or the two
charge-conjugate decays of a Majorana N) are summed unpolarised: the C_L², C_R² terms are averaged
with ℓ⁺ ↔ ℓ⁻ exchanged, which makes the ν ℓ⁺ℓ⁻ distribution symmetric in the two leptons. The N
spin is averaged: the polarisation a production mode leaves (which tilts the angular distribution
of the daughters) is not kept. Inclusive hadronic states decay with representative flat three-body
kinematics (ℓ⁻π⁺π⁰, ν π⁺π⁻), representative=True.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property
from types import MappingProxyType

import numpy as np
from numpy.typing import ArrayLike, NDArray
from particle import Particle

from ..errors import BeamdumpInputError
from ..pdg import mass_gev
from .base import (FLAVOURS, Coupling, FinalState, MixingCouplings, ProductionCouplings, check_final_state,
                   check_single_coupling, coupling_values, ctau_from_width, masses_gev)
from .hnl_decays import (CHARGED_MESONS, LEPTON, NEUTRAL_MESONS, NEUTRINO, PAIR_KEYS, HNLConstants, dirac_widths,
                         fermion_couplings, hnl_constants)

#: the mass grid (GeV) the widths are tabulated on, interpolated in log–log
_GRID = np.geomspace(1e-4, 7.0, 1400)
#: masses below this factor times a width's threshold are computed directly, not interpolated
_NEAR_THRESHOLD = 1.5


def _ratios(ratios: Mapping[str, float] | None) -> dict[str, float]:
    """U_e² : U_μ² : U_τ² normalised to sum 1 (default mu only); one-line errors for bad input."""
    raw = {"mu": 1.0} if ratios is None else dict(ratios)
    bad = [k for k in raw if k not in FLAVOURS]
    if bad:
        raise BeamdumpInputError(f"mixing: {', '.join(map(str, bad))} not known; allowed: e, mu, tau")
    try:
        vals = {k: float(raw.get(k, 0.0)) for k in FLAVOURS}
    except (TypeError, ValueError):
        raise BeamdumpInputError(f"mixing: {raw!r}; allowed: numbers >= 0 for e, mu, tau") from None
    if any(not (np.isfinite(v) and v >= 0.0) for v in vals.values()) or not any(v > 0 for v in vals.values()):
        raise BeamdumpInputError("mixing: U_e^2 : U_mu^2 : U_tau^2 must be finite, >= 0, and one > 0")
    total = sum(vals.values())
    return {k: v / total for k, v in vals.items()}


#: the two-pseudoscalar kinematics of a broad vector below its nominal threshold (the line-shape
#: option of hnl_lineshape opens N → ℓρ at the ππ threshold)
_VECTOR_PAIRS = {213: (211, 111), 113: (211, -211), 323: (321, 111)}


def _meson_state(key: str, lepton: int, meson: int) -> FinalState:
    """The two-body state ℓ/ν + meson (a broad vector falls back to its decay pair below its mass)."""
    below = None
    if meson in _VECTOR_PAIRS:
        below = FinalState(key, f"{_name(lepton)} + the {_name(meson)} decay pair below its mass",
                           (lepton, *_VECTOR_PAIRS[meson]), representative=True)
    return FinalState(key, f"{_name(lepton)} {_name(meson)} (both charge states)", (lepton, meson), below=below)


def _name(pdg: int) -> str:
    """The particle's PDG name (``mu-``, ``pi+``) for descriptions."""
    return Particle.from_pdgid(pdg).name


def _pair_terms(ratios: Mapping[str, float], a: str, b: str, k: HNLConstants, factor: float) -> tuple:
    """|M|² terms of N → ν ℓ_a ℓ_b (daughters 1 = ν, 2 = ℓ_a⁻, 3 = ℓ_b⁺) at U² = 1 (see module doc)."""
    norm = 64.0 * k.fermi**2 * factor
    terms = []
    if a == b:
        for flavour, r in ratios.items():
            if r == 0.0:
                continue
            cl, cr = fermion_couplings(-0.5, -1.0, k.sin2w, cc=(flavour == a))
            sym = 0.5 * (cl * cl + cr * cr) * norm * r
            terms += [(0, 3, 1, 2, sym), (0, 2, 1, 3, sym), (0, 1, 2, 2, cl * cr * norm * r)]
    else:
        if ratios[a] > 0:
            terms.append((0, 3, 1, 2, norm * ratios[a]))
        if ratios[b] > 0:
            terms.append((0, 2, 1, 3, norm * ratios[b]))
    return tuple(terms)


def _single(ratios: Mapping[str, float]) -> str | None:
    """The one flavour the HNL mixes with, or None for a mixture."""
    mixed = [f for f in FLAVOURS if ratios[f] > 0.0]
    return mixed[0] if len(mixed) == 1 else None


def _default_coupling(ratios: Mapping[str, float]) -> Coupling:
    """U2_<α> for one flavour, U2 (the sum) for a mixture."""
    single = [f for f in (_single(ratios),) if f]
    if single:
        f = single[0]
        sym = {"e": "e", "mu": "\\mu", "tau": "\\tau"}[f]
        return Coupling(f"U2_{f}", f"$|U_{{{sym}}}|^2$", "", (1e-12, 1.0),
                        f"mixing |U_{f}|^2 of the heavy neutral lepton with nu_{f}", physical_max=1.0)
    text = ":".join(f"{ratios[f]:.4g}" for f in FLAVOURS)
    return Coupling("U2", "$U^2 = \\sum_\\alpha |U_\\alpha|^2$", "", (1e-12, 1.0),
                    f"total mixing U^2 = sum_a |U_a|^2 at fixed U_e^2:U_mu^2:U_tau^2 = {text}", physical_max=1.0)


@dataclass(frozen=True)
class HeavyNeutralLepton:
    """The heavy neutral lepton with mixings in the fixed ratio ``ratios`` (U_e² : U_μ² : U_τ²,
    default μ only), Majorana unless ``majorana=False``."""

    ratios: Mapping[str, float] | None = None
    majorana: bool = True
    name: str = field(init=False)
    description: str = field(init=False)
    coupling: Coupling = field(init=False)
    width_power: int = field(default=1, init=False)
    valid_masses: tuple[float, float] = field(default=(1e-3, 6.3), init=False)

    def __post_init__(self) -> None:
        r = _ratios(self.ratios)
        object.__setattr__(self, "ratios", MappingProxyType(r))
        single = [f for f in (_single(r),) if f]
        kind = "Majorana" if self.majorana else "Dirac"
        base = f"hnl-{single[0]}" if single else "hnl"
        object.__setattr__(self, "name", base + ("" if self.majorana else "-dirac"))
        mix = ":".join(f"{r[f]:.4g}" for f in FLAVOURS)
        object.__setattr__(self, "description",
                           f"heavy neutral lepton ({kind}), U_e^2:U_mu^2:U_tau^2 = {mix} (meson and tau decays)")
        object.__setattr__(self, "coupling", _default_coupling(r))

    def __hash__(self) -> int:
        return hash((tuple(self.ratios.items()), self.majorana))

    def __eq__(self, other: object) -> bool:
        return (isinstance(other, HeavyNeutralLepton) and dict(self.ratios) == dict(other.ratios)
                and self.majorana == other.majorana)

    @property
    def couplings(self) -> tuple[Coupling, ...]:
        """The one scanned coupling (U_α² or U²)."""
        return (self.coupling,)

    @property
    def production(self) -> ProductionCouplings:
        """The HNL production channels read the mixings U_α² per unit scanned coupling."""
        return ProductionCouplings(mixing=MixingCouplings(u2=dict(self.ratios), majorana=self.majorana))

    def with_couplings(self, scan: str, fixed: Mapping[str, float]) -> "HeavyNeutralLepton":
        """One coupling: ``scan`` must be this model's key and nothing can be fixed."""
        check_single_coupling(self.name, self.coupling, scan, fixed, "set the mixing ratio with --mixing")
        return self

    def with_mixing(self, ratios: Mapping[str, float]) -> "HeavyNeutralLepton":
        """The same kind of HNL with mixings in the ratio ``ratios`` (U_e² : U_μ² : U_τ²)."""
        return HeavyNeutralLepton(ratios, self.majorana)

    def as_dirac(self) -> "HeavyNeutralLepton":
        """The Dirac HNL with the same mixing ratios."""
        return HeavyNeutralLepton(dict(self.ratios), majorana=False)

    @property
    def _factor(self) -> float:
        return 2.0 if self.majorana else 1.0

    @cached_property
    def constants(self) -> HNLConstants:
        """The numbers of ``data/models/hnl.toml``."""
        return hnl_constants()

    @cached_property
    def _table(self) -> dict[str, tuple[NDArray[np.float64], NDArray[np.float64]]]:
        """Each final state's width at scanned coupling 1 on the mass grid: (log Γ, open mask)."""
        total: dict[str, NDArray[np.float64]] = {}
        for flavour, r in self.ratios.items():
            if r == 0.0:
                continue
            for key, w in dirac_widths(_GRID, flavour, self.constants).items():
                total[key] = total.get(key, 0.0) + self._factor * r * w
        out = {}
        for key, w in total.items():
            if np.any(w > 0):
                with np.errstate(divide="ignore"):
                    out[key] = (np.log(np.where(w > 0, w, 1.0)), w > 0)
        return out

    def _unit_widths(self, m: ArrayLike) -> dict[str, NDArray[np.float64]]:
        """Every partial width at scanned coupling 1 (GeV): log–log interpolation on the grid, and
        the direct formulas outside the grid, in a cell where a width opens or closes, and below
        1.5 × each threshold (where the power-law rise is not log–log linear)."""
        m = masses_gev(m)
        lg = np.log(_GRID)
        logm = np.log(m)
        idx = np.clip(np.searchsorted(lg, logm) - 1, 0, len(_GRID) - 2)
        t = (logm - lg[idx]) / (lg[idx + 1] - lg[idx])
        outside = (m < _GRID[0]) | (m > _GRID[-1])
        out, direct = {}, {}
        for key, (logw, open_) in self._table.items():
            out[key] = np.where(open_[idx] & open_[idx + 1], np.exp(logw[idx] + t * (logw[idx + 1] - logw[idx])), 0.0)
            direct[key] = outside | (open_[idx] != open_[idx + 1]) | (m < _NEAR_THRESHOLD * self._thresholds[key])
        union = np.logical_or.reduce(list(direct.values())) if direct else np.zeros_like(m, dtype=bool)
        if np.any(union):
            exact = self._direct(m[union])
            for key, mask in direct.items():
                out[key][mask] = exact[key][mask[union]]
        return out

    def _direct(self, m: NDArray[np.float64]) -> dict[str, NDArray[np.float64]]:
        """Every width at scanned coupling 1 from the formulas (GeV), by key."""
        total: dict[str, NDArray[np.float64]] = {key: np.zeros_like(m) for key in self._table}
        for flavour, r in self.ratios.items():
            if r > 0:
                for key, w in dirac_widths(m, flavour, self.constants).items():
                    if key in total:
                        total[key] = total[key] + self._factor * r * w
        return total

    @cached_property
    def _thresholds(self) -> dict[str, float]:
        """The grid mass just below the first at which each key's width is open (GeV)."""
        return {key: float(_GRID[max(int(np.argmax(open_)) - 1, 0)]) for key, (_, open_) in self._table.items()}

    @cached_property
    def _final_states(self) -> Mapping[str, FinalState]:
        k, r = self.constants, self.ratios
        dominant = max(FLAVOURS, key=lambda f: r[f])
        nu = NEUTRINO[dominant]
        states: dict[str, FinalState] = {}
        for flavour in FLAVOURS:
            if r[flavour] == 0.0:
                continue
            lep = LEPTON[flavour]
            for suffix, (pdg, _, _) in CHARGED_MESONS.items():
                states[f"{flavour}_{suffix}"] = _meson_state(f"{flavour}_{suffix}", lep, pdg)
            two = FinalState(f"{flavour}_pi", "", (lep, 211))
            states[f"{flavour}_hadrons"] = FinalState(
                f"{flavour}_hadrons", f"{_name(lep)} + hadrons via the W (inclusive quarks beyond the single mesons; "
                f"{_name(lep)} pi+ pi0 kinematics)", (lep, 211, 111), representative=True, below=two)
        for key, (pdg, _) in NEUTRAL_MESONS.items():
            states[key] = _meson_state(key, nu, pdg)
        for (a, b), key in PAIR_KEYS.items():
            if a != b and r[a] == 0.0 and r[b] == 0.0:
                continue
            terms = _pair_terms(r, a, b, k, self._factor)
            states[key] = FinalState(key, f"nu {_name(LEPTON[a])} {_name(-LEPTON[b])} (V-A |M|^2, W and Z)",
                                     (nu, LEPTON[a], -LEPTON[b]), matrix_element=terms)
        states["nu_hadrons"] = FinalState("nu_hadrons", "nu + hadrons via the Z (inclusive quarks beyond the single "
                                          "mesons; nu pi+ pi- kinematics)", (nu, 211, -211), representative=True)
        states["nununu"] = FinalState("nununu", "three neutrinos (invisible)", (), visible=False)
        return MappingProxyType({key: s for key, s in states.items() if key in self._table})

    def final_states(self) -> Mapping[str, FinalState]:
        """Every final state open below 6.3 GeV for this mixing (keys of the interface table):
        ℓπ, ℓK, ℓρ, ℓK*, νπ⁰, νη, νη′, νρ⁰, νω, νφ, νℓℓ′, ℓ/ν + hadrons (inclusive), 3ν."""
        return self._final_states

    def partial_widths(self, m: ArrayLike, coupling: ArrayLike = 1.0) -> dict[str, NDArray[np.float64]]:
        """Partial widths in GeV by final-state key (they sum to the total width); linear in the coupling."""
        u2 = coupling_values(coupling, self.coupling.key)
        return {key: u2 * w for key, w in self._unit_widths(m).items()}

    def total_width(self, m: ArrayLike, coupling: ArrayLike = 1.0) -> NDArray[np.float64]:
        """Total width in GeV."""
        return sum(self.partial_widths(m, coupling).values())

    def branching_fraction(self, m: ArrayLike, final_state: str) -> NDArray[np.float64]:
        """Branching fraction to ``final_state`` (a key of final_states())."""
        check_final_state(self.name, final_state, self._final_states)
        w = self._unit_widths(m)
        return w[final_state] / sum(w.values())

    def ctau(self, m: ArrayLike, coupling: ArrayLike = 1.0) -> NDArray[np.float64]:
        """cτ in metres: ħc/Γ."""
        return ctau_from_width(self.total_width(m, coupling))
