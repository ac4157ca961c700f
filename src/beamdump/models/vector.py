"""Vector bosons that couple to each Standard-Model fermion with its own charge (DarkCast,
Ilten, Soreq, Williams, Xue, arXiv:1801.04847), one data file each in ``data/models/vectors/``.

With g the scanned coupling, s = 1 when g is in units of e (ε) and s = 1/e when g is the gauge
coupling itself (the fermion couplings are then g·x_f), and α = α(0) = 1/137.036:

    Γ(V → ℓ⁺ℓ⁻)  = α (s g x_ℓ)² m / 3 · (1 + 2 m_ℓ²/m²) √(1 − 4 m_ℓ²/m²)
    Γ(V → ν ν̄)   = α (s g x_ν)² m / 6            per flavour (left-handed neutrinos only)
    Γ(V → hadrons) = α (s g)² m / 3 · R_V(m²)

R_V is the photon's vector-meson-dominance R(s) (:mod:`beamdump.models.r_ratio`) with its ρ, ω
and φ components rescaled by the model's couplings to those mesons, the multi-hadron continuum by
quark counting and open charm and beauty by (x_q/Q_q)²; with x_f = Q_f (the dark photon) every
number is the photon's. Below 2 m_e (and no neutrino charge) no channel is open: all widths are
0, cτ is +inf and every branching fraction is 0. Masses and widths in GeV, cτ in metres.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from functools import cached_property
from pathlib import Path
from types import MappingProxyType

import numpy as np
from numpy.typing import ArrayLike, NDArray

from ..constants import ALPHA_EM
from ..datafiles import load_toml
from ..errors import BeamdumpInputError
from ..pdg import mass_gev
from .base import (Coupling, FinalState, ProductionCouplings, check_final_state, check_single_coupling, coupling_values,
                   ctau_from_width, masses_gev)
from .r_ratio import HadronCouplings, RRatio, default_r_ratio
from .vector_charges import LEPTONS, NEUTRINOS, VectorCharges, meson_flavours

_LEPTON_PDG = MappingProxyType({"e": 11, "mu": 13, "tau": 15})


@dataclass(frozen=True)
class VectorBoson:
    """A vector boson with charges x_f to every fermion; all widths scale as g²."""

    name: str
    description: str
    coupling: Coupling
    charges: VectorCharges
    valid_masses: tuple[float, float] = (1e-3, 10.0)
    source: str = ""
    width_power: int = 2
    r_ratio: RRatio = field(default_factory=default_r_ratio, repr=False, compare=False)

    @property
    def couplings(self) -> tuple[Coupling, ...]:
        """Every coupling of the model (one: the overall strength g; the charges are fixed ratios)."""
        return (self.coupling,)

    def with_couplings(self, scan: str, fixed: Mapping[str, float]) -> "VectorBoson":
        """One coupling, nothing to fix: ``scan`` must be the model's key and ``fixed`` empty."""
        check_single_coupling(self.name, self.coupling, scan, fixed, "its charges are fixed ratios")
        return self

    @property
    def production(self) -> ProductionCouplings:
        """Production channels read the vector current's charges."""
        return ProductionCouplings(vector=self.charges)

    @cached_property
    def hadron_couplings(self) -> HadronCouplings:
        """The model's couplings to ρ⁰, ω, φ, c and b relative to the photon's."""
        f = meson_flavours()
        x = self.charges
        return HadronCouplings(
            rho=x.meson_ratio(f["rho0"]), omega=x.meson_ratio(f["omega"]), phi=x.meson_ratio(f["phi"]),
            charm=x.ratio("c"), bottom=x.ratio("b"),
        )

    @cached_property
    def _final_states(self) -> Mapping[str, FinalState]:
        # inclusive states decay with the kinematics of their lightest open channel: π⁺π⁻ for a
        # vector with a ρ coupling, π⁰γ (open from m_π⁰, the ω-like and φ-like vectors' first
        # channel, and every vector's below 2 m_π±) otherwise; "visible" takes e⁺e⁻ when the
        # vector couples to electrons
        pi0_gamma = FinalState("hadrons", "hadrons (R-ratio; pi0 gamma kinematics)", (111, 22), representative=True)
        if self.hadron_couplings.rho != 0.0:
            hadrons = FinalState("hadrons", "hadrons (R-ratio; pi+ pi- kinematics above 2 m_pi, pi0 gamma below)",
                                 (211, -211), representative=True, below=pi0_gamma)
        else:
            hadrons = pi0_gamma
        if self.charges["e"] != 0.0:
            visible = FinalState("visible", "every visible final state (e+ e- kinematics)", (-11, 11), representative=True)
        else:
            visible = replace(hadrons, key="visible", description="every visible final state (" + hadrons.description.split("; ", 1)[1])
        out = {
            "ee": FinalState("ee", "e+ e-", (-11, 11)),
            "mumu": FinalState("mumu", "mu+ mu-", (-13, 13)),
            "tautau": FinalState("tautau", "tau+ tau-", (-15, 15)),
            "hadrons": hadrons,
            "visible": visible,
        }
        if self.has_neutrinos:
            out["invisible"] = FinalState("invisible", "nu nu-bar (three flavours; width only)", (12, -12), visible=False)
        return MappingProxyType(out)

    @property
    def has_neutrinos(self) -> bool:
        """True when the vector couples to neutrinos (an invisible width)."""
        return any(self.charges[n] != 0.0 for n in NEUTRINOS)

    def final_states(self) -> Mapping[str, FinalState]:
        """Known final states by key."""
        return self._final_states

    def _final_state(self, final_state: str) -> FinalState:
        check_final_state(self.name, final_state, self._final_states)
        return self._final_states[final_state]

    def partial_widths(self, m: ArrayLike, coupling: ArrayLike = 1.0) -> dict[str, NDArray[np.float64]]:
        """Partial widths in GeV: "ee", "mumu", "tautau", "hadrons" and, with neutrino charges,
        "invisible" (ν ν̄, three flavours): the keys of the final states they feed."""
        m = masses_gev(m)
        g = coupling_values(coupling, self.coupling.key) * self.charges.scale
        scale = ALPHA_EM * g**2 * m / 3.0
        out: dict[str, NDArray[np.float64]] = {}
        for lepton in LEPTONS:
            ml = mass_gev(_LEPTON_PDG[lepton])
            r = np.clip(1.0 - 4.0 * ml**2 / m**2, 0.0, None)
            out[lepton + lepton] = scale * self.charges[lepton] ** 2 * (1.0 + 2.0 * ml**2 / m**2) * np.sqrt(r)
        out["hadrons"] = scale * self.r_ratio(m**2, self.hadron_couplings)
        if self.has_neutrinos:
            out["invisible"] = 0.5 * scale * sum(self.charges[n] ** 2 for n in NEUTRINOS)
        return out

    def total_width(self, m: ArrayLike, coupling: ArrayLike = 1.0) -> NDArray[np.float64]:
        """Total width in GeV (0 where no channel is open)."""
        return sum(self.partial_widths(m, coupling).values())  # type: ignore[return-value]

    def branching_fraction(self, m: ArrayLike, final_state: str) -> NDArray[np.float64]:
        """Branching fraction to ``final_state`` (a key of final_states()); 0 where nothing is open."""
        self._final_state(final_state)
        widths = self.partial_widths(m)
        total = sum(widths.values())
        part = total - widths.get("invisible", 0.0) if final_state == "visible" else widths[final_state]
        return np.divide(part, total, out=np.zeros_like(total), where=total > 0)

    def ctau(self, m: ArrayLike, coupling: ArrayLike = 1.0) -> NDArray[np.float64]:
        """Proper decay length cτ in metres; +inf where no channel is open."""
        return ctau_from_width(self.total_width(m, coupling))


def load_vector(path: Path) -> VectorBoson:
    """A vector boson from its data file (name, description, coupling, charges, sources); a
    malformed file is one line naming the file and the field."""
    raw = load_toml(path)
    where = f"model file {path.name}"
    try:
        c = raw["coupling"]
        if not isinstance(c, dict):
            raise BeamdumpInputError(f"{where}: [coupling] must be a table (key, label, unit, default_range)")
        lo_g, hi_g = (float(x) for x in c["default_range"])
        coupling = Coupling(str(c["key"]), str(c["label"]), str(c.get("unit", "")), (lo_g, hi_g),
                            str(c.get("description", "")), float(c.get("physical_max", 1.0)))
        if not isinstance(raw["charges"], dict):
            raise BeamdumpInputError(f"{where}: [charges] must be a table of the fermions' charges")
        if not isinstance(raw["in_units_of_e"], bool):
            raise BeamdumpInputError(f"{where}: in_units_of_e must be true or false, got {raw['in_units_of_e']!r}")
        charges = VectorCharges({k: float(v) for k, v in raw["charges"].items()}, in_units_of_e=raw["in_units_of_e"])
        lo, hi = (float(x) for x in raw.get("valid_masses", (1e-3, 10.0)))
        if not (0.0 < lo < hi and np.isfinite(hi)):
            raise BeamdumpInputError(f"{where}: valid_masses {lo:g}, {hi:g}; allowed 0 < min < max < inf (GeV)")
        return VectorBoson(str(raw["name"]), str(raw["description"]), coupling, charges, (lo, hi), str(raw.get("source", "")))
    except KeyError as exc:
        raise BeamdumpInputError(f"{where}: missing {exc.args[0]!r}") from None
    except (TypeError, ValueError) as exc:
        raise BeamdumpInputError(f"{where}: {exc}") from None
