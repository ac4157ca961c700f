"""Production in meson decays: P → γV (π⁰, η, η′) and V → PV′ (ω → π⁰A′, φ → ηA′).

The meson's measured (generated) lab spectrum is sampled; each meson decays isotropically in its
rest frame into the new vector and the partner (γ, π⁰ or η), and the vector is boosted to the lab.
Branching fractions scale the photon mode of the Standard Model (data file
``data/production/meson_decays.toml``, each number with its source); a vector with other charges
than the photon's rescales them by its meson-transition factor
(:func:`beamdump.models.vector_charges.transition_factor`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

import numpy as np

from ..datafiles import load_toml, package_data
from ..errors import BeamdumpInputError
from ..kinematics import FloatArray, isotropic_directions, kallen
from ..models.vector_charges import VectorCharges, meson_flavours, transition_factor
from ..pdg import mass_gev
from ..rotations import random_rotation
from ..sources.meson_table import MesonSpectra
from .parent_frame import ParentFrame as _ParentFrame
from .parent_frame import max_daughter_angle  # noqa: F401 (re-exported: the cone was first defined here)
from .sample import ParticleSample

KINDS = ("P_to_gamma_V", "V_to_P_V")


@dataclass(frozen=True)
class MesonDecayDefinition:
    """One decay mode of the data file: parent → partner + new vector."""

    name: str
    label: str
    parent: int
    partner: int
    kind: str
    sm_branching: float
    sm_branching_unc: float
    source: str
    parent_flavour: str = ""
    partner_flavour: str = ""

    @cached_property
    def parent_mass(self) -> float:
        """Parent mass in GeV (PDG, via `particle`)."""
        return mass_gev(self.parent)

    @cached_property
    def partner_mass(self) -> float:
        """Partner mass in GeV (0 for the photon)."""
        return mass_gev(self.partner)

    @property
    def max_mass(self) -> float:
        """Largest mass of the new vector that the decay can make (GeV)."""
        return self.parent_mass - self.partner_mass

    def branching(self, mass: FloatArray | float) -> FloatArray:
        """BR(parent → partner + V) for a dark photon of mass ``mass`` (GeV) at ε = 1; zero above threshold."""
        m = np.asarray(mass, dtype=float)
        M = self.parent_mass
        if self.kind == "P_to_gamma_V":
            phase = np.clip(1.0 - m * m / (M * M), 0.0, None) ** 3
            br = 2.0 * phase * self.sm_branching
        else:
            mp = self.partner_mass
            lam = np.clip(kallen(M * M, mp * mp, m * m), 0.0, None)
            br = self.sm_branching * lam**1.5 / (M * M - mp * mp) ** 3
        return np.where(m < self.max_mass, br, 0.0)

    def model_factor(self, mass: FloatArray | float, charges: VectorCharges) -> FloatArray:
        """The rate of a vector with ``charges`` over the dark photon's at the same coupling value."""
        f = meson_flavours()
        return transition_factor(charges, f[self.parent_flavour], f[self.partner_flavour], mass)


def load_definitions() -> dict[str, MesonDecayDefinition]:
    """All meson decay modes of the package data file, by channel name."""
    raw = load_toml(package_data("production", "meson_decays.toml"))["channels"]
    out = {}
    for name, d in raw.items():
        if d["kind"] not in KINDS:
            raise BeamdumpInputError(f"meson_decays.toml [{name}].kind: {d['kind']!r}; allowed: {', '.join(KINDS)}")
        out[name] = MesonDecayDefinition(
            name=name,
            label=d["label"],
            parent=int(d["parent"]),
            partner=int(d["partner"]),
            kind=d["kind"],
            sm_branching=float(d["sm_branching"]),
            sm_branching_unc=float(d["sm_branching_unc"]),
            source=d["source"],
            parent_flavour=d["parent_flavour"],
            partner_flavour=d["partner_flavour"],
        )
    return out


@dataclass(frozen=True)
class MesonDecayChannel:
    """A production channel: a meson decay mode applied to a meson spectrum.

    The parent mesons are drawn once per channel (``parents_per_bin`` per occupied (θ, p) bin of
    the spectrum, fixed ``seed``) and reused at every mass: the flux is then smooth in mass, and
    each mass only pays for the decays. Each parent's rest-frame decay direction is drawn once
    too and turned by one random rotation per mass, and the boost's mass-independent parts
    (velocity, γ) are kept.
    Parents that cannot send the new particle inside ``max_theta`` are dropped with the exact
    two-body kinematic cone.
    """

    definition: MesonDecayDefinition
    spectra: MesonSpectra
    charges: VectorCharges = field(default_factory=VectorCharges.photon)
    parents_per_bin: int = 2
    seed: int = 7

    @property
    def name(self) -> str:
        return self.definition.name

    @property
    def label(self) -> str:
        return self.definition.label

    def mass_range(self) -> tuple[float, float]:
        return (0.0, self.definition.max_mass)

    def couples(self) -> bool:
        """Whether the model's charges give this decay at all (e.g. ω → π⁰V needs x_u ≠ x_d): a rate
        below 1e-6 of the dark photon's at every probed mass counts as none (the proto-phobic
        π⁰ → γV, 2x_u + x_d = 0, is 1e-16 at 1 MeV and 3e-8 at 0.1 GeV from the ρ–ω width difference)."""
        probe = np.geomspace(1e-3, 0.999 * self.definition.max_mass, 7)
        return bool(np.any(self.definition.model_factor(probe, self.charges) > 1e-6))

    def rate_factor(self, mass: float) -> float:
        """The model's rate over the dark photon's at ``mass`` (GeV): 1 for the dark photon."""
        if self._is_dark_photon:  # the ratio of the photon's transition to itself
            return 1.0
        return float(self.definition.model_factor(mass, self.charges))

    @cached_property
    def _is_dark_photon(self) -> bool:
        return self.charges == VectorCharges.photon()

    @cached_property
    def _parents(self) -> tuple[FloatArray, FloatArray, FloatArray]:
        """(weights per beam particle, four-momenta, polar angles) of the parent mesons."""
        return self.spectra.sample_with_angles(self.definition.parent, n_per_bin=self.parents_per_bin, rng=self.seed)

    @cached_property
    def _frame(self) -> "_ParentFrame":
        """The parents' mass-independent kinematics and rest-frame decay directions."""
        w, p4, theta = self._parents
        rng = np.random.default_rng([self.seed, _DIRECTION_STREAM])
        return _ParentFrame.of(w, p4, theta, self.definition.parent_mass, isotropic_directions(len(w), rng))

    def sample(self, mass: float, rng: np.random.Generator, max_theta: float = np.pi) -> ParticleSample:
        """Weighted new vectors of mass ``mass`` (GeV) per beam particle at coupling 1.

        The parents and their rest-frame decay directions are drawn once per channel; ``rng``
        draws one random rotation of those directions per mass, which makes each mass's decays
        a fresh isotropic sample (its Monte-Carlo error independent of the other masses')."""
        d = self.definition
        if not 0.0 < mass < d.max_mass:
            return ParticleSample.empty(self.name, mass)
        f = self._frame
        if not len(f.weights):
            return ParticleSample.empty(self.name, mass)
        keep = None
        if max_theta < np.pi:
            keep = np.flatnonzero(f.theta - f.max_daughter_angle(mass, d.partner_mass) <= max_theta)
            if len(keep) == len(f.weights):
                keep = None
            elif not len(keep):
                return ParticleSample.empty(self.name, mass)
        p_new = f.decay(mass, d.partner_mass, random_rotation(rng), keep)
        w = f.weights if keep is None else f.weights[keep]
        weights = w * float(d.branching(mass) * self.rate_factor(mass))
        return ParticleSample(self.name, mass, weights, p_new, np.zeros((len(w), 3)), coupling_power=2)


_DIRECTION_STREAM = 0x6D657364  # keys the parents' rest-frame decay directions apart from their draw
