"""The charges of a vector boson under which it couples to each Standard-Model fermion, and what
they mean for the hadrons it talks to.

A vector V couples to fermion f with g_f = g · s · x_f, where g is the scanned coupling, x_f the
model's charge and s = e when g is given in units of the electric charge (the dark photon's ε,
the proto-phobic vector), else s = 1 (g is the gauge coupling itself, as for B−L). Every rate
that the photon has is rescaled by ratios of these charges to the photon's (DarkCast,
arXiv:1801.04847): the vector mesons by Tr(T_V X)/Tr(T_V Q) (:data:`VECTOR_MESONS`), heavy quarks
and leptons by x_f/Q_f, nucleons by their charges 2x_u + x_d (p) and x_u + 2x_d (n).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from types import MappingProxyType

import numpy as np

from ..constants import ALPHA_EM
from ..datafiles import load_toml, package_data
from ..errors import BeamdumpInputError
from ..pdg import mass_gev, width_gev

FERMIONS = ("u", "d", "s", "c", "b", "e", "mu", "tau", "nu_e", "nu_mu", "nu_tau")
LEPTONS = ("e", "mu", "tau")
NEUTRINOS = ("nu_e", "nu_mu", "nu_tau")
#: electric charges in units of e
PHOTON_CHARGES = MappingProxyType(
    {"u": 2 / 3, "d": -1 / 3, "s": -1 / 3, "c": 2 / 3, "b": -1 / 3, "e": -1.0, "mu": -1.0, "tau": -1.0,
     "nu_e": 0.0, "nu_mu": 0.0, "nu_tau": 0.0}
)
#: the electric charge e = sqrt(4 pi alpha)
E_CHARGE: float = float(np.sqrt(4.0 * np.pi * ALPHA_EM))


@dataclass(frozen=True)
class MesonFlavour:
    """A light meson's quark content: the diagonal (u, d, s) of its U(3) generator."""

    name: str
    generator: tuple[float, float, float]
    pdg: int | None
    vector: bool
    source: str
    #: (branching, mass of daughter 1, mass of daughter 2) in GeV of the decays that run its width
    decays: tuple[tuple[float, float, float], ...] = ()


@lru_cache(maxsize=1)
def meson_flavours() -> Mapping[str, MesonFlavour]:
    """The generators of ``data/models/meson_flavour.toml`` by name (photon, pi0, eta, …, phi)."""
    raw = load_toml(package_data("models", "meson_flavour.toml"))
    return MappingProxyType(
        {
            k: MesonFlavour(
                k, tuple(float(x) for x in d["generator"]), d.get("pdg"), bool(d.get("vector", False)), d["source"],
                tuple(
                    (float(c["branching"]), *(sum(mass_gev(int(p)) for p in group) for group in c["daughters"]))
                    for c in d.get("decays", ())
                ),
            )
            for k, d in raw.items()
        }
    )


def vector_mesons() -> tuple[MesonFlavour, ...]:
    """ρ⁰, ω, φ: the vector mesons through which a vector talks to hadrons."""
    return tuple(m for m in meson_flavours().values() if m.vector)


@dataclass(frozen=True)
class VectorCharges:
    """Charges x_f of a vector boson to each fermion (keys :data:`FERMIONS`) and whether the
    scanned coupling is in units of e (``in_units_of_e``)."""

    charges: Mapping[str, float]
    in_units_of_e: bool = True

    def __post_init__(self) -> None:
        missing = [f for f in FERMIONS if f not in self.charges]
        extra = [f for f in self.charges if f not in FERMIONS]
        if missing or extra:
            raise BeamdumpInputError(
                f"charges: missing {missing or 'none'}, unknown {extra or 'none'}; allowed keys: {', '.join(FERMIONS)}"
            )
        bad = [f for f, x in self.charges.items() if not np.isfinite(float(x))]
        if bad:
            raise BeamdumpInputError(f"charges: {', '.join(bad)} must be finite numbers")
        object.__setattr__(self, "charges", MappingProxyType({f: float(self.charges[f]) for f in FERMIONS}))

    @classmethod
    def photon(cls) -> "VectorCharges":
        """The electromagnetic current (x_f = Q_f, coupling in units of e): the dark photon."""
        return cls(PHOTON_CHARGES, in_units_of_e=True)

    @property
    def scale(self) -> float:
        """s / e: the coupling to a unit charge at g = 1, in units of e (1, or 1/e)."""
        return 1.0 if self.in_units_of_e else 1.0 / E_CHARGE

    def __getitem__(self, fermion: str) -> float:
        return self.charges[fermion]

    def quark_trace(self, generator: tuple[float, float, float]) -> float:
        """Tr(T X) over (u, d, s) for a diagonal generator T."""
        return generator[0] * self["u"] + generator[1] * self["d"] + generator[2] * self["s"]

    def meson_ratio(self, meson: MesonFlavour) -> float:
        """Amplitude of the vector meson's component, relative to the photon's: Tr(T_V X)/Tr(T_V Q)
        (ρ⁰: x_u − x_d, ω: 3(x_u + x_d), φ: −3 x_s)."""
        return self.quark_trace(meson.generator) / photon_trace(meson.generator)

    def ratio(self, fermion: str) -> float:
        """x_f / Q_f for a charged fermion (leptons, c, b)."""
        q = PHOTON_CHARGES[fermion]
        if q == 0.0:
            raise BeamdumpInputError(f"charges: {fermion} has no electric charge to compare with")
        return self[fermion] / q

    @property
    def proton(self) -> float:
        """The proton's charge 2x_u + x_d."""
        return 2.0 * self["u"] + self["d"]

    @property
    def neutron(self) -> float:
        """The neutron's charge x_u + 2x_d."""
        return self["u"] + 2.0 * self["d"]


def photon_trace(generator: tuple[float, float, float]) -> float:
    """Tr(T Q) over (u, d, s)."""
    q = PHOTON_CHARGES
    return generator[0] * q["u"] + generator[1] * q["d"] + generator[2] * q["s"]


def breit_wigner(meson: MesonFlavour, mass: np.ndarray | float) -> np.ndarray:
    """m_V² / (m_V² − m² − i m_V² Γ_V(m)/m) of a vector meson, its width running with the P-wave
    momenta of its decays (exactly 1 below every threshold); m in GeV."""
    mv, wv = mass_gev(int(meson.pdg)), width_gev(int(meson.pdg))
    m = np.asarray(mass, dtype=float)
    running = np.zeros_like(m)
    for branching, m1, m2 in meson.decays:
        running = running + branching * (_momentum(m, m1, m2) / _momentum(np.asarray(mv), m1, m2)) ** 3
    running = running / sum(b for b, _, _ in meson.decays)
    return mv * mv / (mv * mv - m * m - 1j * mv * mv * wv * running / m)


def _momentum(m: np.ndarray, m1: float, m2: float) -> np.ndarray:
    """Two-body break-up momentum (GeV) of a mass m into m1 + m2 (0 below threshold)."""
    lam = np.where(m > m1 + m2, (m * m - (m1 + m2) ** 2) * (m * m - (m1 - m2) ** 2), 0.0)
    return np.sqrt(lam) / (2.0 * np.maximum(m, 1e-300))


def _transition(x: "VectorCharges | None", parent: MesonFlavour, partner: MesonFlavour, mass) -> np.ndarray:
    """Σ_V Tr(T_A T_B T_V) Tr(T_V X) BW_V(m); X = Q when ``x`` is None."""
    out = np.zeros(np.shape(mass), dtype=complex)
    for v in vector_mesons():
        triple = sum(a * b * c for a, b, c in zip(parent.generator, partner.generator, v.generator))
        if triple:
            trace = photon_trace(v.generator) if x is None else x.quark_trace(v.generator)
            out = out + triple * trace * breit_wigner(v, mass)
    return out


def transition_factor(x: VectorCharges, parent: MesonFlavour, partner: MesonFlavour, mass) -> np.ndarray:
    """Rate of the meson transition parent → partner + V for this vector over the photon's
    (vector-meson dominance, arXiv:1801.04847 eqs. 2.7–2.10), including the coupling's unit:
    (s/e)² |Σ_V Tr(T_A T_B T_V) Tr(T_V X) BW_V|² / |… X = Q …|². Mass in GeV."""
    photon = _transition(None, parent, partner, mass)
    mine = _transition(x, parent, partner, mass)
    return x.scale**2 * np.abs(mine) ** 2 / np.abs(photon) ** 2
