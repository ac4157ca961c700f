"""Dark photon A' (kinetic mixing epsilon): partial widths, branching fractions, c*tau.

Gamma(A' -> l+l-)    = (alpha eps^2 m / 3) (1 + 2 m_l^2/m^2) sqrt(1 - 4 m_l^2/m^2)   (m > 2 m_l)
Gamma(A' -> hadrons) = (alpha eps^2 m / 3) R(m^2)

with alpha = alpha(0) = 1/137.036 and R(s) the VMD model of :mod:`beamdump.models.r_ratio`.
The hadronic width is R(m^2) at every mass: R is exactly 0 below the pi0 gamma threshold
(m < m_pi0), ~1e-6 of the total from the omega -> pi0 gamma tail up to 2 m_pi, and dominated
by pi+pi- above. Below 2 m_e no channel is open: all widths are 0, c*tau is +inf and every
branching fraction (including "ee") is 0. Masses in GeV, widths in GeV, c*tau in metres.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from types import MappingProxyType
from typing import ClassVar

import numpy as np
from hepunits.constants import hbarc
from hepunits.units import GeV, meter
from numpy.typing import ArrayLike, NDArray

from ..errors import BeamdumpInputError
from ..pdg import mass_gev
from .r_ratio import ALPHA_EM, RRatio

#: hbar c in GeV m (1.973269804e-16).
HBARC_GEV_M: float = float(hbarc / (GeV * meter))

_LEPTONS = MappingProxyType({"ee": 11, "mumu": 13, "tautau": 15})
_FINAL_STATES = MappingProxyType(
    {
        "ee": "e+ e-",
        "mumu": "mu+ mu-",
        "tautau": "tau+ tau-",
        "hadrons": "hadrons (R-ratio)",
        "visible": "all visible final states (= all channels here)",
    }
)


def _masses(m: ArrayLike) -> NDArray[np.float64]:
    try:
        arr = np.asarray(m, dtype=float)
    except (TypeError, ValueError):
        raise BeamdumpInputError(f"mass: must be a number or array of numbers in GeV > 0, got {m!r}") from None
    if not np.all(np.isfinite(arr)) or np.any(arr <= 0):
        raise BeamdumpInputError("mass: every mass must be finite and > 0 GeV (model valid 1e-3 to 10 GeV)")
    return arr


def _coupling(g: ArrayLike) -> NDArray[np.float64]:
    try:
        arr = np.asarray(g, dtype=float)
    except (TypeError, ValueError):
        raise BeamdumpInputError(f"coupling: epsilon must be a number > 0, got {g!r}") from None
    if not np.all(np.isfinite(arr)) or np.any(arr <= 0):
        raise BeamdumpInputError("coupling: epsilon must be finite and > 0")
    return arr


@dataclass(frozen=True)
class DarkPhoton:
    """Kinetically mixed dark photon; all widths scale as epsilon^2."""

    name: ClassVar[str] = "dark-photon"
    coupling_name: ClassVar[str] = "epsilon"
    description: ClassVar[str] = "Dark photon A' with kinetic mixing epsilon; decays to l+l- and hadrons via R(s)"
    lifetime_coupling_power: ClassVar[int] = 2
    #: masses (GeV) where the widths are trusted (R(s) continuum above 2 GeV; no τ-charm resonances)
    valid_masses: ClassVar[tuple[float, float]] = (1e-3, 10.0)
    # coupling to the electromagnetic current in units of ε·e: production channels that replace a
    # photon (meson decays, bremsstrahlung) scale their photon rates by (ratio·ε)²
    photon_coupling_ratio: ClassVar[float] = 1.0

    r_ratio: RRatio = field(default_factory=RRatio, repr=False, compare=False)
    lepton_masses: MappingProxyType = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        masses = {k: mass_gev(pid) for k, pid in _LEPTONS.items()}
        object.__setattr__(self, "lepton_masses", MappingProxyType(masses))

    @staticmethod
    def final_states() -> MappingProxyType:
        """Known final states: key -> human-readable description."""
        return _FINAL_STATES

    def partial_widths(self, m: ArrayLike, coupling: ArrayLike = 1.0) -> dict[str, NDArray[np.float64]]:
        """Partial widths in GeV for "ee", "mumu", "tautau", "hadrons" at masses m (GeV)."""
        m = _masses(m)
        scale = ALPHA_EM * _coupling(coupling) ** 2 * m / 3.0
        out: dict[str, NDArray[np.float64]] = {}
        for key, ml in self.lepton_masses.items():
            r = np.clip(1.0 - 4.0 * ml**2 / m**2, 0.0, None)
            out[key] = scale * (1.0 + 2.0 * ml**2 / m**2) * np.sqrt(r)
        out["hadrons"] = scale * self.r_ratio(m**2)
        return out

    def total_width(self, m: ArrayLike, coupling: ArrayLike = 1.0) -> NDArray[np.float64]:
        """Total width in GeV (0 below 2 m_e)."""
        return sum(self.partial_widths(m, coupling).values())  # type: ignore[return-value]

    def branching_fraction(self, m: ArrayLike, final_state: str) -> NDArray[np.float64]:
        """Branching fraction to ``final_state`` (one of final_states()); 0 where no channel is open."""
        if final_state not in _FINAL_STATES:
            raise BeamdumpInputError(
                f"final_state: {final_state!r} is not known; known final states: {', '.join(_FINAL_STATES)}"
            )
        widths = self.partial_widths(m)
        total = sum(widths.values())
        part = total if final_state == "visible" else widths[final_state]
        return np.divide(part, total, out=np.zeros_like(total), where=total > 0)

    def ctau(self, m: ArrayLike, coupling: ArrayLike = 1.0) -> NDArray[np.float64]:
        """Proper decay length c*tau in metres; +inf below 2 m_e (stable: no open channel)."""
        total = self.total_width(m, coupling)
        return np.divide(HBARC_GEV_M, total, out=np.full_like(total, np.inf), where=total > 0)

    def daughter_masses(self, final_state: str) -> tuple[float, float]:
        """Masses (GeV) of the two daughters of ``final_state``.

        Exact for the two-body states "ee", "mumu", "tautau". For the inclusive states the
        representative two-body kinematics is returned: "hadrons" -> pi+ pi- (the dominant channel
        below 1 GeV), "visible" -> e+ e- (its lowest threshold).
        """
        if final_state not in _FINAL_STATES:
            raise BeamdumpInputError(
                f"final_state: {final_state!r} is not known; known final states: {', '.join(_FINAL_STATES)}"
            )
        if final_state == "hadrons":
            return self.r_ratio.m_pi, self.r_ratio.m_pi
        ml = self.lepton_masses["ee" if final_state == "visible" else final_state]
        return ml, ml
