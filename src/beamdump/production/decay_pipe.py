"""Kaons decaying in flight in the decay pipe of a neutrino beam (channel ``k_to_pi_in_pipe``).

The set-up of NuMI, the BNB, LBNF or PS191: protons hit a thin target at the origin; the kaons
that leave it fly in straight lines through a decay pipe, a cylinder about the beam axis from
``z_start`` to ``z_end`` (m) of ``radius`` R (m), evacuated or gas-filled (no interactions in
it), and decay with probability along their flight line; those that hit the wall (ρ > R) or
reach the pipe's end are absorbed. A kaon of decay length ℓ = βγcτ whose line lies inside the
pipe for path lengths l_in < l < l_out (:func:`pipe_segment`) decays there with probability
(:func:`decay_in_pipe`)

    P = exp(−l_in/ℓ) (1 − exp(−(l_out − l_in)/ℓ)),

at a point drawn from the exponential truncated to [l_in, l_out] (:func:`truncated_exponential`).
The modes are K± → π±X and K_L → π⁰X of :mod:`.flavour_decays` (the same definitions and BRs);
the parents are the kaon table's first-collision kaons (no cascade: the pipe sees only what
leaves the target). ``target_interaction_lengths`` t (optional) is the target's length in
interaction lengths, taken equal for the proton and the kaon: the table counts kaons per proton
that interacts, so a thin target makes and lets out the fraction (:func:`thin_target_factor`)
∫₀ᵗ e^{−x} e^{−(t − x)} dx = t e^{−t} of them (without t: every proton interacts, no kaon is lost).

**Horn focusing is not modelled.** The kaons fly on the straight lines they leave the target
with. In a real neutrino beam the horns bend the focused sign towards the axis and raise its
flux through the pipe by a large factor (and defocus the other sign): for the focused sign this
channel is a lower bound. The flight from the target to ``z_start`` (the target hall, the
horns) is free. Units: GeV, metres; weights are X per beam proton at scanned coupling 1,
scaling as coupling**rate_power.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import Callable, Iterable

import numpy as np

from ..errors import BeamdumpInputError
from ..kinematics import FloatArray, isotropic_directions
from ..models.base import HBARC_GEV_M, FlavourCouplings
from ..pdg import mass_gev, width_gev
from ..sources.meson_table import MesonSpectra
from .flavour_decays import FlavourDecayChannel, ParentDraw, ParentSpecies, load_definitions
from .parent_frame import ParentFrame
from .sample import ParticleSample

K_TO_PI_IN_PIPE = "k_to_pi_in_pipe"
#: the modes of the data file that the channel sums (K± → π±X, K_L → π⁰X)
PIPE_MODES = ("k_to_pi", "kl_to_pi0")
DESCRIPTION = (
    "K± → π± X and K_L → π⁰ X of kaons leaving a thin target and decaying in flight in a decay pipe, "
    "no horn focusing (a lower bound for the focused sign; proton beams; the preset's [decay_pipe] "
    "gives z_start, z_end, radius)"
)


@dataclass(frozen=True)
class DecayPipe:
    """A decay pipe: a cylinder about the beam axis from ``z_start`` to ``z_end`` (m from the
    target) of ``radius`` (m); ``target_interaction_lengths``: the thin target's length in
    interaction lengths (None: every proton interacts and no kaon is absorbed in the target)."""

    z_start: float
    z_end: float
    radius: float
    target_interaction_lengths: float | None = None

    def __post_init__(self) -> None:
        if not (np.isfinite(self.z_start) and self.z_start >= 0.0):
            raise BeamdumpInputError(f"decay_pipe.z_start: {self.z_start!r}; allowed a finite distance >= 0 m from the target")
        if not (np.isfinite(self.z_end) and self.z_end > self.z_start):
            raise BeamdumpInputError(f"decay_pipe.z_end: {self.z_end!r}; allowed a finite z > z_start = {self.z_start:g} m")
        if not (self.radius > 0.0):
            raise BeamdumpInputError(f"decay_pipe.radius: {self.radius!r}; allowed > 0 m (inf: no wall)")
        t = self.target_interaction_lengths
        if t is not None and not (np.isfinite(t) and t > 0.0):
            raise BeamdumpInputError(f"decay_pipe.target_length_interaction_lengths: {t!r}; allowed a finite value > 0")


def pipe_segment(start: FloatArray, direction: FloatArray, pipe: DecayPipe) -> tuple[FloatArray, FloatArray]:
    """(l_in, l_out), the path lengths (m, ≥ 0) between which the lines start + l·direction
    (``start`` (n, 3) m, ``direction`` (n, 3) unit vectors) lie inside ``pipe``; l_out ≤ l_in
    where a line misses it."""
    s, u = np.atleast_2d(start).astype(float), np.atleast_2d(direction).astype(float)
    lo, hi = np.zeros(len(u)), np.full(len(u), np.inf)
    with np.errstate(divide="ignore", invalid="ignore"):
        # z_start < z < z_end
        t0, t1 = (pipe.z_start - s[:, 2]) / u[:, 2], (pipe.z_end - s[:, 2]) / u[:, 2]
        along = u[:, 2] != 0.0
        inside_z = (s[:, 2] > pipe.z_start) & (s[:, 2] < pipe.z_end)
        lo = np.where(along, np.maximum(lo, np.minimum(t0, t1)), np.where(inside_z, lo, np.inf))
        hi = np.where(along, np.minimum(hi, np.maximum(t0, t1)), hi)
        # |s⊥ + l u⊥|² < R²: a l² + 2 b l + c < 0
        if np.isfinite(pipe.radius):
            a = u[:, 0] ** 2 + u[:, 1] ** 2
            b = s[:, 0] * u[:, 0] + s[:, 1] * u[:, 1]
            c = s[:, 0] ** 2 + s[:, 1] ** 2 - pipe.radius**2
            disc = b * b - a * c
            root = np.sqrt(np.clip(disc, 0.0, None))
            radial = a > 0.0
            r0, r1 = (-b - root) / a, (-b + root) / a
            lo = np.where(radial, np.where(disc > 0.0, np.maximum(lo, r0), np.inf), np.where(c < 0.0, lo, np.inf))
            hi = np.where(radial & (disc > 0.0), np.minimum(hi, r1), hi)
    return lo, hi


def decay_in_pipe(l_in: FloatArray, l_out: FloatArray, decay_length: FloatArray) -> FloatArray:
    """P(decay for l_in < l < l_out) = exp(−l_in/ℓ)(1 − exp(−(l_out − l_in)/ℓ)) for decay
    lengths ℓ = ``decay_length`` (m); 0 where l_out ≤ l_in."""
    ell = np.asarray(decay_length, dtype=float)
    span = np.clip(np.asarray(l_out, dtype=float) - l_in, 0.0, None)
    with np.errstate(invalid="ignore"):
        p = np.exp(-np.asarray(l_in, dtype=float) / ell) * -np.expm1(-span / ell)
    return np.where(span > 0.0, p, 0.0)


def truncated_exponential(l_in: FloatArray, l_out: FloatArray, decay_length: FloatArray, u: FloatArray) -> FloatArray:
    """Path lengths (m) of the exponential of mean ``decay_length`` truncated to [l_in, l_out],
    from uniform numbers ``u`` in [0, 1): l = l_in − ℓ ln(1 − u(1 − e^{−(l_out − l_in)/ℓ})); l_in
    where l_out ≤ l_in."""
    ell = np.asarray(decay_length, dtype=float)
    span = np.clip(np.asarray(l_out, dtype=float) - l_in, 0.0, None)
    finite = np.where(np.isfinite(span), span, 0.0)
    tail = np.where(np.isfinite(span), np.expm1(-finite / ell), -1.0)  # e^{−span/ℓ} − 1
    return l_in + np.minimum(-ell * np.log1p(np.asarray(u) * tail), span)


def thin_target_factor(t: float | None) -> float:
    """The fraction of the table's kaons (per interacting proton) that a target of ``t``
    interaction lengths (proton's = kaon's) makes and lets out: t e^{−t}; 1 without a target length."""
    return 1.0 if t is None else float(t * np.exp(-t))


def species_in_pipe(draws: Iterable[ParentDraw], pipe: DecayPipe) -> tuple[ParentSpecies, ...]:
    """The drawn parents (leaving the target at the origin) decaying in flight in ``pipe``: weights
    × P(decay in the pipe) × the thin-target factor, decay points truncated-exponential on each
    line's pipe segment, fixed isotropic rest-frame directions; parents whose line misses the
    pipe are dropped."""
    keep_out = thin_target_factor(pipe.target_interaction_lengths)
    out = []
    for parent, pdg, w, p4, theta, rng in draws:
        p = np.linalg.norm(p4[:, 1:], axis=1)
        unit = p4[:, 1:] / np.maximum(p, 1e-300)[:, None]
        ell = p / mass_gev(parent) * HBARC_GEV_M / width_gev(parent)
        l_in, l_out = pipe_segment(np.zeros_like(unit), unit, pipe)
        prob = decay_in_pipe(l_in, l_out, ell)
        hit = np.flatnonzero(prob > 0.0)
        along = truncated_exponential(l_in[hit], l_out[hit], ell[hit], rng.random(len(hit)))
        frame = ParentFrame.of(w[hit] * prob[hit] * keep_out, p4[hit], theta[hit], mass_gev(parent),
                               isotropic_directions(len(hit), rng))
        out.append(ParentSpecies(pdg, frame, along[:, None] * unit[hit]))
    return tuple(out)


@dataclass(frozen=True)
class PipeDecayChannel(FlavourDecayChannel):
    """One mode (:class:`~.flavour_decays.FlavourDecayDefinition`) of kaons decaying in flight in
    ``pipe``: the parents of ``tables`` leave the target at the origin, their weights carry
    P(decay in the pipe) and the thin-target factor, their decay points lie in the pipe; parents
    whose line misses the pipe are dropped."""

    pipe: DecayPipe = field(kw_only=True)
    parents_per_bin: int = 8  # the pipe takes the forward few mrad: more parents per bin than in the dump

    @cached_property
    def species(self) -> tuple[ParentSpecies, ...]:
        """Every parent species drawn once, weighted by P(decay in the pipe), with its decay points."""
        return species_in_pipe(self.parent_draws(), self.pipe)

    def sample(self, mass: float, rng: np.random.Generator, max_theta: float = np.pi) -> ParticleSample:
        """Weighted X of ``mass`` (GeV) per beam proton at scanned coupling 1. ``max_theta`` is
        not applied: it is the detector's angle seen from the origin, and X are born downstream."""
        return super().sample(mass, rng, np.pi)


@dataclass(frozen=True)
class KaonsInPipeChannel:
    """``k_to_pi_in_pipe``: K± → π±X and K_L → π⁰X (``parts``, one :class:`PipeDecayChannel` per
    mode) of kaons decaying in flight in a decay pipe, one sample."""

    parts: tuple[PipeDecayChannel, ...]
    name: str = K_TO_PI_IN_PIPE

    def __post_init__(self) -> None:
        if not self.parts:
            raise BeamdumpInputError(f"channel {self.name}: no kaon modes; allowed: {', '.join(PIPE_MODES)}")

    @property
    def label(self) -> str:
        return "K → π X in a decay pipe"

    @property
    def spectra(self) -> MesonSpectra:
        """The first mode's table (its angular range and provenance stand for all)."""
        return self.parts[0].spectra

    def couples(self) -> bool:
        return any(p.couples() for p in self.parts)

    def mass_range(self) -> tuple[float, float]:
        return (0.0, max(p.mass_range()[1] for p in self.parts))

    def sample(self, mass: float, rng: np.random.Generator, max_theta: float = np.pi) -> ParticleSample:
        """Weighted X of ``mass`` (GeV) per beam proton at scanned coupling 1, the modes' samples joined."""
        return ParticleSample.concatenate([p.sample(mass, rng, max_theta) for p in self.parts], self.name)


def kaons_in_pipe(pipe: DecayPipe, couplings: FlavourCouplings, table: Callable[[int], MesonSpectra]) -> KaonsInPipeChannel:
    """The ``k_to_pi_in_pipe`` channel: each of :data:`PIPE_MODES` with the kaon tables that
    ``table`` gives (parent PDG id → its first-collision table, per beam proton)."""
    defs = load_definitions()
    parts = tuple(PipeDecayChannel(defs[m], {p: table(p) for p in defs[m].parents}, couplings, pipe=pipe) for m in PIPE_MODES)
    return KaonsInPipeChannel(parts)
