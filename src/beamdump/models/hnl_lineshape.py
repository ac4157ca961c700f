"""The mass distribution of the broad vector mesons an HNL decays into (ρ±, ρ⁰ and K*±: Γ/m > 5%),
so that N → ℓρ, νρ⁰, ℓK* open smoothly at the two-pion (Kπ) threshold instead of sharply at
m_ℓ + m_V, as N → ℓ ππ⁰ through the ρ does.

A narrow-width two-body width Γ(M; m_V) is averaged over the meson's invariant mass √s with

    dP/ds ∝ (1/π) m_V Γ_V / ((s − m_V²)² + m_V² Γ_V²)

(a relativistic Breit–Wigner with the constant PDG width), normalised to 1 on
√s ∈ [m₁ + m₂, m_V + 5 Γ_V], m₁ + m₂ the threshold of the dominant decay V → P₁P₂. (The P-wave
running width Γ(s) = Γ_V (m_V/√s)(p/p_V)³ without a barrier factor puts a third of the ρ line
shape above 0.9 GeV and was not used.) Well above threshold the averaged width equals the narrow one to the
share of the line shape that is open. The decay constant f_V (from τ → Vν, which integrates the
same line shape) is kept. ω and φ (Γ/m ≈ 1% and 0.4%) stay narrow. Masses in GeV.
"""

from __future__ import annotations

from functools import lru_cache
from types import MappingProxyType

import numpy as np
from numpy.typing import NDArray

from ..pdg import mass_gev, width_gev

#: broad vector mesons and the P-wave pair that sets their running width
BROAD_VECTORS = MappingProxyType({213: (211, 111), 113: (211, -211), 323: (321, 111)})
_NODES = 200
_TAIL_WIDTHS = 5.0


@lru_cache(maxsize=None)
def lineshape(pdg: int) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """(√s nodes, weights) of the normalised line shape of ``pdg`` (weights sum to 1); a narrow
    meson (not in BROAD_VECTORS) is the single node (m_V, 1)."""
    mv = mass_gev(pdg)
    if pdg not in BROAD_VECTORS:
        return np.array([mv]), np.array([1.0])
    gv = width_gev(pdg)
    m1, m2 = (mass_gev(p) for p in BROAD_VECTORS[pdg])
    lo, hi = (m1 + m2) ** 2, (mv + _TAIL_WIDTHS * gv) ** 2
    # s = m² + mΓ tan θ flattens the peak; Gauss–Legendre nodes in θ
    t_lo, t_hi = np.arctan((lo - mv * mv) / (mv * gv)), np.arctan((hi - mv * mv) / (mv * gv))
    x, w = np.polynomial.legendre.leggauss(_NODES)
    theta = 0.5 * (t_hi + t_lo) + 0.5 * (t_hi - t_lo) * x
    s = mv * mv + mv * gv * np.tan(theta)
    ds_dtheta = mv * gv / np.cos(theta) ** 2
    root = np.sqrt(s)
    density = mv * gv / ((s - mv * mv) ** 2 + (mv * gv) ** 2) / np.pi
    weights = density * ds_dtheta * w * 0.5 * (t_hi - t_lo)
    return root, weights / weights.sum()
