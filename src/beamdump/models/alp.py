"""An axion-like particle coupled to two photons, L = −¼ g_aγγ a F F̃ (F̃^{μν} = ½ ε^{μνρσ} F_ρσ).

Its only decay is a → γγ, Γ = g_aγγ² m³ / (64π) (e.g. Döbrich et al., arXiv:1512.03069 eq. 2.1;
the convention of AxionLimits and FORESEE). The loop-suppressed a → e⁺e⁻γ (~1% of the width in
FORESEE's table) is not included. Production is Primakoff conversion of photons on nuclei
(:mod:`beamdump.production.primakoff`), which reads ``production.photon``. Masses and widths in
GeV, g in GeV⁻¹, cτ in metres.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

import numpy as np
from numpy.typing import ArrayLike, NDArray

from ..errors import BeamdumpInputError
from .base import Coupling, FinalState, ProductionCouplings, check_single_coupling, coupling_values, ctau_from_width, masses_gev

_GG = FinalState("gg", "two photons", (22, 22))


def _default_coupling() -> Coupling:
    # physical_max: with 1/g below 1 GeV the two-photon operator's scale lies below the energies of
    # every beam here, so it no longer describes a particle that flies and decays (FORESEE's and
    # AxionLimits' beam-dump figures stop at 0.1 GeV⁻¹)
    return Coupling(
        "g_agg", "$g_{a\\gamma\\gamma}$", "GeV^-1", (1e-9, 1e-1),
        "ALP-photon coupling, L = -1/4 g a F Ftilde (AxionLimits / FORESEE convention)", physical_max=1.0,
    )


@dataclass(frozen=True)
class PhotonALP:
    """The ALP of the photon coupling g_aγγ; its width scales as g² and its production as g²."""

    name: str = "alp-photon"
    description: str = "axion-like particle coupled to two photons (a -> gamma gamma; Primakoff production)"
    coupling: Coupling = field(default_factory=_default_coupling)
    width_power: int = 2
    valid_masses: tuple[float, float] = (1e-5, 3.0)

    @property
    def couplings(self) -> tuple[Coupling, ...]:
        """The one coupling g_aγγ."""
        return (self.coupling,)

    @property
    def production(self) -> ProductionCouplings:
        """Primakoff channels read the two-photon coupling (1 GeV⁻¹ per unit of g_aγγ)."""
        return ProductionCouplings(photon=1.0)

    def with_couplings(self, scan: str, fixed: Mapping[str, float]) -> "PhotonALP":
        """One coupling: ``scan`` must be ``g_agg`` and nothing can be fixed."""
        check_single_coupling(self.name, self.coupling, scan, fixed)
        return self

    def final_states(self) -> Mapping[str, FinalState]:
        """``gg``: the two photons (not bent by a dipole)."""
        return MappingProxyType({"gg": _GG})

    def partial_widths(self, m: ArrayLike, coupling: ArrayLike = 1.0) -> dict[str, NDArray[np.float64]]:
        """{"gg": g² m³/(64π)} in GeV (g in GeV⁻¹, m in GeV)."""
        m = masses_gev(m)
        g = coupling_values(coupling, self.coupling.key)
        return {"gg": g * g * m**3 / (64.0 * np.pi)}

    def total_width(self, m: ArrayLike, coupling: ArrayLike = 1.0) -> NDArray[np.float64]:
        """Total width in GeV: the two-photon width."""
        return self.partial_widths(m, coupling)["gg"]

    def branching_fraction(self, m: ArrayLike, final_state: str) -> NDArray[np.float64]:
        """1 for ``gg`` at every mass."""
        if final_state != "gg":
            raise BeamdumpInputError(f"final_state: {final_state!r} is not known for {self.name}; known final states: gg")
        return np.ones_like(masses_gev(m))

    def ctau(self, m: ArrayLike, coupling: ArrayLike = 1.0) -> NDArray[np.float64]:
        """cτ in metres: ħc/Γ."""
        return ctau_from_width(self.total_width(m, coupling))
