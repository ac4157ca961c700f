"""Production in flavour-changing meson decays to a spin-0 particle X: K → πX, K_L → π⁰X,
B → K(*)X and inclusive b → sX, in flight in the dump, and K⁺ → π⁺X of kaons stopped in an absorber.

The parents (K±, K_L, B±, B⁰ and their antiparticles) are drawn once per channel from their lab
spectra (a :class:`~beamdump.sources.meson_table.MesonSpectra` per parent, per beam proton) and
decay isotropically in their rest frame; the branching fraction is Γ (:mod:`.flavour_widths`,
the model's :class:`~beamdump.models.base.FlavourCouplings`) over the parent's PDG width.
In a thick dump a parent decays before it interacts with probability
P = (1/ℓ_dec)/(1/ℓ_dec + 1/λ_int), ℓ_dec = βγcτ, at a depth along its flight exponentially
distributed with mean 1/(1/ℓ_dec + 1/λ_int) (:func:`decay_before_absorption`); λ_int from the data
file (kaons: the pion interaction length as a proxy). B mesons (cτ ≈ 0.45 mm) decay promptly: P ≈ 1.
The inclusive b → sX takes the free-quark width and the two-body momentum of b → sX in the B
frame (the b at rest in the B, spectator model).

Kaons at rest (:class:`KaonAtRestChannel`): K⁺ stopped in an absorber (a number per proton and a
position that the preset gives) decay at rest, X isotropic with the monochromatic momentum
p(m_K, m_π, m). K⁻ stopped in matter are captured by nuclei (atomic capture, K⁻p → Σπ, Λπ) and
do not decay: they make nothing. Units: GeV, metres; weights are X per beam proton at scanned
coupling 1, scaling as coupling**rate_power.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import cached_property, lru_cache
from typing import Mapping

import numpy as np

from ..datafiles import load_toml, package_data
from ..errors import BeamdumpInputError
from ..kinematics import FloatArray, isotropic_directions, two_body_momentum
from ..models.base import HBARC_GEV_M, FlavourCouplings
from ..pdg import mass_gev, width_gev
from ..rotations import random_rotation
from ..sources.materials import get_material
from ..sources.meson_table import MesonSpectra
from .flavour_widths import FormFactor, load_form_factors, width_p_to_p, width_p_to_v, width_quarks
from .parent_frame import ParentFrame
from .sample import ParticleSample

KINDS = ("P_to_P", "P_to_V", "inclusive")
COUPLINGS = ("abs", "imag")
K_TO_PI_AT_REST = "k_to_pi_at_rest"
FLAVOUR_STREAM = 0x666C6176  # keys the channels' fixed draws (directions, depths) apart from the parents'


@dataclass(frozen=True)
class FlavourDecayDefinition:
    """One flavour-changing decay mode of the data file: parents → partners + X (``parents[i]``
    decays to ``partners[i]``; for ``inclusive`` a b quark of mass ``quark_mass`` (GeV) decays to
    the partner quark)."""

    name: str
    label: str
    kind: str
    transition: str
    coupling: str
    form_factor: FormFactor | None
    parents: tuple[int, ...]
    partners: tuple[int, ...]
    source: str
    quark_mass: float = 0.0

    def partner_of(self, parent: int) -> int:
        """The partner (PDG id) of ``parent`` (either sign)."""
        return self.partners[self.parents.index(abs(parent))]

    def max_mass(self, parent: int) -> float:
        """Largest X mass (GeV) ``parent`` can make."""
        if self.kind == "inclusive":
            return self.quark_mass - mass_gev(self.partner_of(parent))
        return mass_gev(abs(parent)) - mass_gev(self.partner_of(parent))

    def rest_momentum(self, parent: int, mass: float) -> float:
        """X momentum (GeV) in the parent's rest frame (the b quark's for ``inclusive``)."""
        m_dec = self.quark_mass if self.kind == "inclusive" else mass_gev(abs(parent))
        return float(two_body_momentum(m_dec, mass, mass_gev(self.partner_of(parent))))

    def width(self, mass: FloatArray | float, couplings: FlavourCouplings, parent: int) -> FloatArray:
        """Γ(parent → partner X) in GeV at scanned coupling 1."""
        c_v, c_a = couplings.c_vector(self.transition), couplings.c_axial(self.transition)
        if self.coupling == "imag":
            c_v, c_a = c_v.imag, c_a.imag
        partner = mass_gev(self.partner_of(parent))
        if self.kind == "inclusive":
            return width_quarks(c_v, c_a, self.quark_mass, partner, mass)
        M = mass_gev(abs(parent))
        if self.kind == "P_to_P":
            return width_p_to_p(c_v, M, partner, mass, self.form_factor)
        return width_p_to_v(c_a, M, partner, mass, self.form_factor)

    def branching(self, mass: FloatArray | float, couplings: FlavourCouplings, parent: int) -> FloatArray:
        """BR(parent → partner X) = Γ τ/ħ at scanned coupling 1 (τ: the parent's PDG lifetime)."""
        return self.width(mass, couplings, parent) / width_gev(abs(parent))

    def couples(self, couplings: FlavourCouplings) -> bool:
        """Whether ``couplings`` give this decay at all."""
        probe = np.array([0.5 * self.max_mass(p) for p in self.parents])
        return bool(any(np.any(self.width(m, couplings, p) > 0.0) for m, p in zip(probe, self.parents)))


def _constants() -> dict:
    return load_toml(package_data("production", "flavour_decays.toml"))


@lru_cache(maxsize=1)
def load_definitions() -> dict[str, FlavourDecayDefinition]:
    """The flavour-changing decay modes of the package data file, by channel name."""
    ffs = load_form_factors()
    out = {}
    for name, d in _constants()["channels"].items():
        where = f"flavour_decays.toml [channels.{name}]"
        if d["kind"] not in KINDS:
            raise BeamdumpInputError(f"{where}.kind: {d['kind']!r}; allowed: {', '.join(KINDS)}")
        if d["coupling"] not in COUPLINGS:
            raise BeamdumpInputError(f"{where}.coupling: {d['coupling']!r}; allowed: {', '.join(COUPLINGS)}")
        if len(d["parents"]) != len(d["partners"]):
            raise BeamdumpInputError(f"{where}: parents and partners need the same length")
        ff = d["form_factor"]
        if d["kind"] != "inclusive" and ff not in ffs:
            raise BeamdumpInputError(f"{where}.form_factor: {ff!r}; allowed: {', '.join(ffs)}")
        if d["kind"] == "inclusive" and not float(d.get("quark_mass_gev", 0.0)) > 0.0:
            raise BeamdumpInputError(f"{where}.quark_mass_gev: the decaying quark's mass (GeV > 0) is needed for 'inclusive'")
        out[name] = FlavourDecayDefinition(
            name, d["label"], d["kind"], d["transition"], d["coupling"], ffs.get(ff),
            tuple(int(p) for p in d["parents"]), tuple(int(p) for p in d["partners"]), d["source"], float(d.get("quark_mass_gev", 0.0)),
        )
    return out


def interaction_length_m(material: str) -> float:
    """Interaction length (m) of a kaon (or B) in ``material`` (materials.toml name): the data
    file's pion interaction length in g/cm² over the density."""
    mat = get_material(material)
    table = _constants()["interaction_length_g_cm2"]
    if mat.name not in table:
        allowed = ", ".join(k for k in table if k != "source")
        raise BeamdumpInputError(f"beam.target: {material!r} has no hadron interaction length in flavour_decays.toml; allowed: {allowed}")
    return float(table[mat.name]) / mat.density / 100.0


def decay_before_absorption(decay_length: FloatArray, interaction_length: float) -> tuple[FloatArray, FloatArray]:
    """(probability, mean depth in m) that a parent of decay length βγcτ = ``decay_length`` (m)
    decays before it interacts in a medium of ``interaction_length`` (m; ``inf``: no medium):
    P = λ/(λ + ℓ), mean depth ℓλ/(ℓ + λ)."""
    ell = np.asarray(decay_length, dtype=float)
    if np.isinf(interaction_length):
        return np.ones_like(ell), ell
    lam = float(interaction_length)
    return lam / (lam + ell), ell * lam / (ell + lam)


@dataclass(frozen=True)
class ParentSpecies:
    """One parent species' decays: its frame (weights include P(decay before absorption)) and
    the decay points (n, 3) m."""

    pdg: int
    frame: ParentFrame
    origin: FloatArray


#: one drawn parent species: (parent id > 0, signed pdg, weights (n,), lab four-momenta (n, 4) GeV,
#: polar angles (n,) rad, the species' own stream for its fixed draws)
ParentDraw = tuple[int, int, FloatArray, FloatArray, FloatArray, np.random.Generator]


def parent_draws(tables: Mapping[int, MesonSpectra], parents_per_bin: int, seed: int) -> Iterator[ParentDraw]:
    """Every species of ``tables`` (parent PDG id > 0 → its table; the id and its antiparticle, where
    tabulated) drawn once, ``parents_per_bin`` per bin, from streams keyed by ``seed``, the table's
    position and the species."""
    for k, (parent, table) in enumerate(tables.items()):
        for pdg in (parent, -parent):
            if pdg not in table.pdg_ids or table.multiplicity(pdg) <= 0.0:
                continue
            draw = np.random.default_rng([seed, k, pdg % 7919])
            w, p4, theta = table.sample_with_angles(pdg, n_per_bin=parents_per_bin, rng=draw)
            yield parent, pdg, w, p4, theta, np.random.default_rng([seed, FLAVOUR_STREAM, k, pdg % 7919])


def species_in_dump(draws: Iterable[ParentDraw], interaction_length: float) -> tuple[ParentSpecies, ...]:
    """The drawn parents decaying in flight in a medium of ``interaction_length`` (m; ``inf``: none):
    weights × P(decay before absorption) (:func:`decay_before_absorption`, cτ from the PDG width),
    decay points at an exponential depth along the flight, fixed isotropic rest-frame directions."""
    out = []
    for parent, pdg, w, p4, theta, rng in draws:
        mass = mass_gev(parent)
        p = np.linalg.norm(p4[:, 1:], axis=1)
        ctau = HBARC_GEV_M / width_gev(parent)
        prob, depth = decay_before_absorption(p / mass * ctau, interaction_length)
        along = -depth * np.log1p(-rng.random(len(w)))  # exponential depth along the flight
        origin = along[:, None] * p4[:, 1:] / np.maximum(p, 1e-300)[:, None]
        frame = ParentFrame.of(w * prob, p4, theta, mass, isotropic_directions(len(w), rng))
        out.append(ParentSpecies(pdg, frame, origin))
    return tuple(out)


@dataclass(frozen=True)
class FlavourDecayChannel:
    """X from flavour-changing decays in flight of the parents of ``tables`` (parent PDG id of the
    definition → its spectrum; a table's species of either sign of that id are used).

    ``interaction_length``: the parents' in the dump (m; ``inf``: they fly freely, e.g. B mesons
    at a collider). Parents are drawn once (``parents_per_bin`` per bin, ``seed``), as their
    rest-frame directions and decay depths; each mass turns the directions by one rotation of ``rng``.
    """

    definition: FlavourDecayDefinition
    tables: Mapping[int, MesonSpectra]
    couplings: FlavourCouplings
    interaction_length: float = np.inf
    parents_per_bin: int = 2
    seed: int = 13

    def __post_init__(self) -> None:
        unknown = [p for p in self.tables if p not in self.definition.parents]
        if unknown or not self.tables:
            raise BeamdumpInputError(
                f"channel {self.name}: parent tables {unknown or 'none'}; allowed: {list(self.definition.parents)}"
            )
        if not self.interaction_length > 0.0:
            raise BeamdumpInputError(f"channel {self.name}: interaction_length {self.interaction_length!r} m; allowed > 0")

    @property
    def name(self) -> str:
        return self.definition.name

    @property
    def label(self) -> str:
        return self.definition.label

    @property
    def spectra(self) -> MesonSpectra:
        """The first parent's table (its angular range and provenance stand for all)."""
        return next(iter(self.tables.values()))

    def couples(self) -> bool:
        return self.definition.couples(self.couplings)

    def mass_range(self) -> tuple[float, float]:
        return (0.0, max(self.definition.max_mass(p) for p in self.tables))

    def parent_draws(self) -> Iterator[ParentDraw]:
        """(parent, signed pdg, weights, four-momenta, polar angles, the species' own stream for
        its fixed draws) of every tabulated parent species and its antiparticle, drawn once."""
        return parent_draws(self.tables, self.parents_per_bin, self.seed)

    @cached_property
    def species(self) -> tuple[ParentSpecies, ...]:
        """Every parent species drawn once, with its survival-weighted frame and decay points."""
        return species_in_dump(self.parent_draws(), self.interaction_length)

    def sample(self, mass: float, rng: np.random.Generator, max_theta: float = np.pi) -> ParticleSample:
        """Weighted X of ``mass`` (GeV) per beam proton at scanned coupling 1; parents that cannot
        send X within ``max_theta`` of the beam are dropped (exact two-body cone)."""
        power = self.couplings.rate_power
        rotation = random_rotation(rng)
        parts = []
        for s in self.species:
            d = self.definition
            if not 0.0 < mass < d.max_mass(s.pdg):
                continue
            q = d.rest_momentum(s.pdg, mass)
            f = s.frame
            keep = None
            if max_theta < np.pi:
                keep = np.flatnonzero(f.theta - f.max_angle_at(mass, q) <= max_theta)
                if not len(keep):
                    continue
            w = f.weights if keep is None else f.weights[keep]
            br = float(d.branching(mass, self.couplings, s.pdg))
            origin = s.origin if keep is None else s.origin[keep]
            parts.append(ParticleSample(self.name, mass, w * br, f.boosted(mass, q, rotation, keep), origin, power))
        if not parts:
            return ParticleSample.empty(self.name, mass, power)
        return ParticleSample.concatenate(parts, self.name)


@dataclass(frozen=True)
class StoppedKaons:
    """K⁺ that stop in an absorber and decay at rest: ``per_proton`` of them per beam proton, at
    (``x``, ``y``, ``z``) m (z from the dump's front face)."""

    per_proton: float
    z: float
    x: float = 0.0
    y: float = 0.0

    def __post_init__(self) -> None:
        if not (np.isfinite(self.per_proton) and self.per_proton > 0.0):
            raise BeamdumpInputError(f"kaons_at_rest.per_proton: {self.per_proton!r}; allowed a finite value > 0")
        for key in ("x", "y", "z"):
            if not np.isfinite(getattr(self, key)):
                raise BeamdumpInputError(f"kaons_at_rest.{key}: not finite; allowed a finite position in m")


@dataclass(frozen=True)
class KaonAtRestChannel:
    """X from K⁺ → π⁺X of kaons decaying at rest (``stopped``): isotropic, monochromatic
    p = p(m_K, m_π, m), weights per_proton × BR / n per direction (``n_directions`` fixed
    directions, turned about the beam axis by one random angle of ``rng`` per mass). A source at
    the origin (where the engine's ``max_theta`` is measured from) draws its directions inside
    θ < max_theta only, weighted by that cone's solid-angle fraction (1 − cos θ_max)/2; a source
    elsewhere draws the whole sphere (the angle cut does not apply to it)."""

    stopped: StoppedKaons
    couplings: FlavourCouplings
    n_directions: int = 20000
    seed: int = 17
    name: str = K_TO_PI_AT_REST
    spectra: None = None

    @property
    def label(self) -> str:
        return "K⁺ → π⁺ X at rest"

    @property
    def definition(self) -> FlavourDecayDefinition:
        return load_definitions()["k_to_pi"]

    def couples(self) -> bool:
        return self.definition.couples(self.couplings)

    def mass_range(self) -> tuple[float, float]:
        return (0.0, self.definition.max_mass(321))

    @cached_property
    def _unit(self) -> FloatArray:
        """(2, n) fixed uniform numbers: 1 − cos θ as a fraction of the cone's, and the azimuth in turns."""
        return np.random.default_rng([self.seed, FLAVOUR_STREAM]).random((2, self.n_directions))

    def sample(self, mass: float, rng: np.random.Generator, max_theta: float = np.pi) -> ParticleSample:
        """Weighted X of ``mass`` (GeV) per beam proton at scanned coupling 1."""
        d, power, s = self.definition, self.couplings.rate_power, self.stopped
        if not 0.0 < mass < d.max_mass(321):
            return ParticleSample.empty(self.name, mass, power)
        at_origin = s.x == 0.0 and s.y == 0.0 and s.z == 0.0
        top = min(max_theta, np.pi) if at_origin else np.pi
        span = 1.0 - np.cos(top)  # 1 − cos θ_max: the cone's solid angle over 2π
        cos_t = 1.0 - span * self._unit[0]
        sin_t = np.sqrt(np.clip(1.0 - cos_t * cos_t, 0.0, None))
        phi = 2.0 * np.pi * (self._unit[1] + rng.random())
        q = d.rest_momentum(321, mass)
        n = self.n_directions
        p4 = np.column_stack([np.full(n, np.hypot(q, mass)), q * sin_t * np.cos(phi), q * sin_t * np.sin(phi), q * cos_t])
        w = np.full(n, s.per_proton * float(d.branching(mass, self.couplings, 321)) * 0.5 * span / n)
        return ParticleSample(self.name, mass, w, p4, np.tile([s.x, s.y, s.z], (n, 1)), power)
