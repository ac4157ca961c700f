"""Production by vector-meson mixing: the new vector inherits the kinematics of a ρ⁰, ω or φ.

An alternative to proton bremsstrahlung near the resonances (off by default). For a vector of
mass m coupled to the electromagnetic current with strength g·e, each produced meson V gives
a yield (a ratio of rates, not a probability: at coupling 1 it reaches 2.7 at the ω peak and
29 at the φ's)

    P_V(m) = g² (e/g_V)² m_V⁴ / [(m² − m_V²)² + m_V² Γ_V²],   (e/g_V)² = 3 Γ(V→ee) / (α m_V),

and the vector keeps the meson's lab 3-momentum. A vector with other charges than the photon's
mixes with each meson V with its coupling to V relative to the photon's,
(s · Tr(T_V X)/Tr(T_V Q))² (:class:`~beamdump.models.vector_charges.VectorCharges`). Numbers and sources: ``data/production/
vector_mixing.toml``. Units: GeV.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property, lru_cache

import numpy as np

from ..constants import ALPHA_EM
from ..datafiles import load_toml, package_data
from ..kinematics import FloatArray
from ..models.vector_charges import VectorCharges, meson_flavours
from ..pdg import mass_gev, width_gev
from ..sources.meson_table import MesonSpectra
from .sample import ParticleSample


@dataclass(frozen=True)
class MixingMeson:
    """A vector meson that the new vector can mix with."""

    name: str
    pdg: int
    b_ee: float
    source: str
    flavour: str = ""

    @cached_property
    def mass(self) -> float:
        """PDG mass in GeV (via `particle`)."""
        return mass_gev(self.pdg)

    @cached_property
    def width(self) -> float:
        """PDG total width in GeV (via `particle`)."""
        return width_gev(self.pdg)

    def mixing_probability(self, mass: FloatArray | float, charges: VectorCharges | None = None) -> FloatArray:
        """P_V(m), the new vectors per meson V at coupling 1, for a vector of mass ``mass`` (GeV)
        with ``charges`` (default: the dark photon's)."""
        coupling_ratio = 1.0 if charges is None else charges.scale * charges.meson_ratio(meson_flavours()[self.flavour])
        m2 = np.asarray(mass, dtype=float) ** 2
        mv2 = self.mass**2
        strength = 3.0 * self.b_ee * self.width / (ALPHA_EM * self.mass)
        return coupling_ratio**2 * strength * mv2 * mv2 / ((m2 - mv2) ** 2 + mv2 * self.width**2)


@lru_cache(maxsize=1)
def load_mixing_mesons() -> tuple[tuple[MixingMeson, ...], float]:
    """The mesons of the data file and the largest mass the channel is used for (GeV)."""
    raw = load_toml(package_data("production", "vector_mixing.toml"))
    mesons = tuple(
        MixingMeson(name, int(d["pdg"]), float(d["b_ee"]), d["b_ee_source"], d["flavour"]) for name, d in raw["mesons"].items()
    )
    return mesons, float(raw["max_mass_gev"])


@dataclass(frozen=True)
class VectorMixingChannel:
    """A production channel: ρ⁰/ω/φ from a meson spectrum, each turning into the new vector.

    The mesons are drawn once (``parents_per_bin`` per occupied bin, fixed ``seed``) and reused
    at every mass, so the flux is smooth in mass.
    """

    spectra: MesonSpectra
    charges: VectorCharges = field(default_factory=VectorCharges.photon)
    parents_per_bin: int = 1
    seed: int = 13
    name: str = "vector_mixing"

    @property
    def label(self) -> str:
        return "ρ/ω/φ mixing"

    def mass_range(self) -> tuple[float, float]:
        return (0.0, load_mixing_mesons()[1])

    def couples(self) -> bool:
        """Whether the vector couples to any of the ρ⁰, ω, φ."""
        f = meson_flavours()
        return any(self.charges.meson_ratio(f[m.flavour]) != 0.0 for m in load_mixing_mesons()[0])

    @cached_property
    def _parents(self) -> list[tuple[MixingMeson, FloatArray, FloatArray, FloatArray]]:
        """(meson, weights per beam proton, 3-momenta, polar angles) for each meson species."""
        out = []
        for meson in load_mixing_mesons()[0]:
            w, p4, theta = self.spectra.sample_with_angles(meson.pdg, n_per_bin=self.parents_per_bin, rng=self.seed)
            out.append((meson, w, p4[:, 1:], theta))
        return out

    def sample(self, mass: float, rng: np.random.Generator | None = None, max_theta: float = np.pi) -> ParticleSample:
        """Weighted vectors of mass ``mass`` (GeV) per beam proton at coupling 1 (deterministic)."""
        if not 0.0 < mass < self.mass_range()[1]:
            return ParticleSample.empty(self.name, mass)
        weights, momenta = [], []
        for meson, w, p3, theta in self._parents:
            keep = theta <= max_theta
            weights.append(w[keep] * float(meson.mixing_probability(mass, self.charges)))
            momenta.append(p3[keep])
        p3 = np.concatenate(momenta)
        energy = np.sqrt(np.einsum("ij,ij->i", p3, p3) + mass * mass)
        p4 = np.column_stack([energy, p3])
        return ParticleSample(self.name, mass, np.concatenate(weights), p4, np.zeros((len(p4), 3)))
