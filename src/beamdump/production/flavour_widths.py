"""Closed-form widths of flavour-changing decays to a spin-0 particle X, and their form factors.

For L ⊃ ∂_μX [c_V q̄′γ^μ q + c_A q̄′γ^μγ₅ q] + h.c. (:class:`beamdump.models.base.FlavourCouplings`,
c in GeV⁻¹), with λ the Källén function and masses in GeV (derivation: docs/flavour_production.md):

* P → P′X:  Γ = |c_V|² (M² − M′²)² f₀(m²)² λ^{1/2}(M², M′², m²) / (16π M³)
  (⟨P′|q̄′γ^μq|P⟩q_μ = (M² − M′²) f₀(q²)),
* P → V X:  Γ = |c_A|² A₀(m²)² λ^{3/2}(M², m_V², m²) / (16π M³)
  (⟨V|q̄′γ^μγ₅q|P⟩q_μ = 2 m_V ε*·q A₀(q²), Σ_pol |ε*·q|² = λ/(4 m_V²)),
* q → q′X (free quarks, inclusive):  Γ = [|c_V|² (m_q − m_q′)² ((m_q + m_q′)² − m²)
  + |c_A|² (m_q + m_q′)² ((m_q − m_q′)² − m²)] λ^{1/2}(m_q², m_q′², m²) / (16π m_q³)
  (on shell c_V q̸ = c_V (m_q − m_q′), c_A q̸γ₅ = −c_A (m_q + m_q′)γ₅; averaged over the q spin,
  summed over colour: 1).

All widths vanish above threshold. The form factors are those of ``data/production/flavour_decays.toml``.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from ..datafiles import load_toml, package_data
from ..errors import BeamdumpInputError
from ..kinematics import FloatArray, kallen
from ..pdg import mass_gev

FORM_FACTOR_KINDS = ("poles", "linear")
#: the charged pion's mass (GeV), the unit of q² in the linear K → π form factor
PION_MASS: float = mass_gev(211)


@dataclass(frozen=True)
class FormFactor:
    """A meson transition form factor F(q²), q² in GeV²: ``poles`` Σ r_i/(1 − q²/m_i²), or
    ``linear`` F(0)(1 + λ₀ q²/m_π²)."""

    name: str
    kind: str
    residues: tuple[float, ...] = ()
    pole_masses2: tuple[float, ...] = ()
    value0: float = 0.0
    slope: float = 0.0
    source: str = ""

    def __post_init__(self) -> None:
        if self.kind not in FORM_FACTOR_KINDS:
            raise BeamdumpInputError(f"flavour_decays.toml [form_factors.{self.name}].kind: {self.kind!r}; allowed: {', '.join(FORM_FACTOR_KINDS)}")
        if self.kind == "poles" and (len(self.residues) != len(self.pole_masses2) or not self.residues
                                     or min(self.pole_masses2) <= 0.0):
            raise BeamdumpInputError(
                f"flavour_decays.toml [form_factors.{self.name}]: residues and pole_masses2_gev2 need the same length >= 1, poles > 0"
            )

    def __call__(self, q2: FloatArray | float) -> FloatArray:
        """F(q²) at ``q2`` (GeV²)."""
        q2 = np.asarray(q2, dtype=float)
        if self.kind == "linear":
            return self.value0 * (1.0 + self.slope * q2 / (PION_MASS * PION_MASS))
        return sum(r / (1.0 - q2 / m2) for r, m2 in zip(self.residues, self.pole_masses2))


@lru_cache(maxsize=1)
def load_form_factors() -> dict[str, FormFactor]:
    """The form factors of the package data file, by name."""
    raw = load_toml(package_data("production", "flavour_decays.toml"))["form_factors"]
    return {
        name: FormFactor(
            name, d["kind"], tuple(d.get("residues", ())), tuple(d.get("pole_masses2_gev2", ())),
            float(d.get("value0", 0.0)), float(d.get("slope", 0.0)), d["source"],
        )
        for name, d in raw.items()
    }


def _root_kallen(M: float, m1: float, m: FloatArray) -> FloatArray:
    """λ(M², m1², m²) clipped at 0 (closed decays)."""
    return np.clip(kallen(M * M, m1 * m1, m * m), 0.0, None)


def width_p_to_p(c_v: complex, M: float, M_prime: float, m: FloatArray | float, f0: FormFactor) -> FloatArray:
    """Γ(P → P′X) in GeV for |c_V| = ``abs(c_v)`` (GeV⁻¹), parent and partner masses M, M′ and X
    masses ``m`` (GeV); 0 at and above M − M′."""
    m = np.asarray(m, dtype=float)
    lam = _root_kallen(M, M_prime, m)
    out = abs(c_v) ** 2 * (M * M - M_prime * M_prime) ** 2 * f0(m * m) ** 2 * np.sqrt(lam) / (16.0 * np.pi * M**3)
    return np.where(m < M - M_prime, out, 0.0)


def width_p_to_v(c_a: complex, M: float, m_v: float, m: FloatArray | float, a0: FormFactor) -> FloatArray:
    """Γ(P → V X) in GeV for |c_A| = ``abs(c_a)`` (GeV⁻¹), parent and vector masses M, m_V and X
    masses ``m`` (GeV); 0 at and above M − m_V (the vector taken at its pole mass)."""
    m = np.asarray(m, dtype=float)
    lam = _root_kallen(M, m_v, m)
    out = abs(c_a) ** 2 * a0(m * m) ** 2 * lam**1.5 / (16.0 * np.pi * M**3)
    return np.where(m < M - m_v, out, 0.0)


def width_quarks(c_v: complex, c_a: complex, m_q: float, m_q_prime: float, m: FloatArray | float) -> FloatArray:
    """Γ(q → q′X) in GeV of free quarks of masses m_q → m_q′ (GeV) for couplings c_V, c_A (GeV⁻¹)
    and X masses ``m`` (GeV); 0 at and above m_q − m_q′."""
    m = np.asarray(m, dtype=float)
    lam = _root_kallen(m_q, m_q_prime, m)
    s, d = m_q + m_q_prime, m_q - m_q_prime
    amp2 = abs(c_v) ** 2 * d * d * np.clip(s * s - m * m, 0.0, None) + abs(c_a) ** 2 * s * s * np.clip(d * d - m * m, 0.0, None)
    return np.where(m < d, amp2 * np.sqrt(lam) / (16.0 * np.pi * m_q**3), 0.0)
