"""The heavy neutral lepton's production channels: N from π, K, D, B and τ decays (:data:`HNL_CHANNELS`).

A channel is a parent source (:mod:`.hnl_sources`: the dump, a decay pipe, τ from D_s) and the
production modes of its parents (:func:`~.hnl_modes.modes_of`: P → ℓN, P → P′ℓN, P → VℓN,
τ → N X; each with its width at U_α² = 1 and the PDG total width of its parent). At a mass m a
parent of weight w (parents decaying per beam proton) makes

    w · Σ_modes BR_mode(m) · U_α(mode)²

HNLs per beam proton at scanned coupling 1 (U_α² per unit coupling from the model's
:class:`~beamdump.models.base.MixingCouplings`; the yield at coupling g is that × g: sample
coupling power 1). Each parent gives one sample row: its mode is drawn with probability
BR·U²/Σ BR·U² (a fixed uniform number per parent, so the choice changes smoothly with m) and its
weight is the total w·Σ BR·U², an unbiased estimate of every mode's sum. The N is emitted
isotropically in the parent frame (a fixed direction per parent, turned by one random rotation per
mass) with |p*| from the mode's ``rest_momenta`` (two-body: fixed; three-body: drawn from the
differential rate, one per parent), and boosted to the lab (:meth:`~.parent_frame.ParentFrame.boosted`).
Parents whose N cannot reach the detector are dropped first: the exact cone
(:func:`~.parent_frame.cone`) of the largest rest-frame momentum of the drawn mode,
p*_max = p(M; m, Σ partner masses). Spin correlations are not kept (the τ of D_s → τν is
polarised; its N is taken isotropic). Units: GeV, metres.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property, lru_cache
from typing import TYPE_CHECKING, Mapping, Protocol, Sequence

import numpy as np

from ..errors import BeamdumpInputError
from ..kinematics import FloatArray, two_body_momentum
from ..models.base import MixingCouplings, Model
from ..pdg import mass_gev
from ..rotations import random_rotation
from ..sources.meson_table import MesonSpectra
from .decay_pipe import DecayPipe
from .flavour_decays import ParentSpecies, interaction_length_m
from .hnl_sources import D_S, DumpParents, PipeParents, TauParents
from .parent_frame import ParentFrame, cone
from .sample import ParticleSample, ProductionChannel

if TYPE_CHECKING:
    from .hnl_modes import HNLMode

HNL_PION = "hnl_pion"
HNL_KAON = "hnl_kaon"
HNL_CHARM = "hnl_charm"
HNL_TAU = "hnl_tau"
HNL_BEAUTY = "hnl_beauty"
HNL_PION_IN_PIPE = "hnl_pion_in_pipe"
HNL_KAON_IN_PIPE = "hnl_kaon_in_pipe"
#: channel → the parents drawn from the tables (hnl_tau: the D_s whose τ decay)
HNL_PARENTS: Mapping[str, tuple[int, ...]] = {
    HNL_PION: (211,), HNL_KAON: (321, 130), HNL_CHARM: (411, 421, 431), HNL_TAU: (D_S,),
    HNL_BEAUTY: (511, 521, 531, 541), HNL_PION_IN_PIPE: (211,), HNL_KAON_IN_PIPE: (321, 130),
}
#: the channels that read the active–sterile mixing (``ProductionCouplings.mixing``)
HNL_CHANNELS = tuple(HNL_PARENTS)
PIPE_CHANNELS = (HNL_PION_IN_PIPE, HNL_KAON_IN_PIPE)
LABELS = {
    HNL_PION: "π± → ℓ± N", HNL_KAON: "K → (π) ℓ N", HNL_CHARM: "D → (X) ℓ N", HNL_TAU: "D_s → τν, τ → N X",
    HNL_BEAUTY: "B → (X) ℓ N", HNL_PION_IN_PIPE: "π± → ℓ± N in a decay pipe", HNL_KAON_IN_PIPE: "K → (π) ℓ N in a decay pipe",
}
#: D_s drawn per table bin for hnl_tau: the τ's own direction in the D_s frame spreads each bin
TAU_PARENTS_PER_BIN = 4
HNL_MODE_STREAM = 0x686E6C6D  # keys the fixed uniform numbers that choose each parent's mode


class ParentSource(Protocol):
    """Parents drawn once (:mod:`.hnl_sources`)."""

    spectra: MesonSpectra
    parents: tuple[int, ...]
    species: tuple[ParentSpecies, ...]


def hnl_descriptions() -> dict[str, str]:
    """Each HNL channel's name with a one-line description."""
    pipe = "first-collision {} leaving a thin target and decaying in flight in the preset's [decay_pipe], no horn focusing (proton beams)"
    return {
        HNL_PION: "π± → e N, μ N of pions decaying before they are absorbed in the dump (proton beams; needs the π± parent table)",
        HNL_KAON: "K± → ℓ N, K± → π⁰ ℓ N, K_L → π± ℓ N of kaons decaying before they are absorbed in the dump (proton beams)",
        HNL_CHARM: "D⁰, D±, D_s± → (K, K*, π, ...) ℓ N incl. D_s → τ N, prompt (proton beams, pp colliders)",
        HNL_TAU: "τ of D_s → τν (SM BR, PDG), then τ → N π, N ρ, N ℓ ν ... (proton beams, pp colliders)",
        HNL_BEAUTY: "B⁰, B±, B_s, B_c → (D, D*, π, ...) ℓ N, prompt (proton beams, pp colliders, the Upsilon(4S))",
        HNL_PION_IN_PIPE: "π± → ℓ N of " + pipe.format("pions"),
        HNL_KAON_IN_PIPE: "K → (π) ℓ N of " + pipe.format("K±, K_L"),
    }


def max_rest_momentum(mode: HNLMode, mass: float) -> float:
    """The largest |p*| (GeV) of an N of ``mass`` in ``mode``'s parent frame: the two-body momentum
    against the partners at rest relative to each other, p(M; m, Σ m_partners) (for a two-body
    mode, its fixed momentum)."""
    return float(two_body_momentum(mass_gev(mode.parent), mass, partner_mass(mode)))


@dataclass(frozen=True, eq=False)
class HNLChannel:
    """N from the decays of ``source``'s parents by ``modes`` (parent PDG id > 0 → its modes; a
    parent's antiparticle decays the C-conjugate way at the same rate), weighted by the model's
    ``mixing``. ``cone``: drop parents whose N cannot reach ``max_theta`` (off for decays far
    from the origin, where the detector's angle is not the one seen from them)."""

    name: str
    label: str
    source: ParentSource
    modes: Mapping[int, tuple[HNLMode, ...]]
    mixing: MixingCouplings
    cone: bool = True
    seed: int = 13

    @property
    def spectra(self) -> MesonSpectra:
        return self.source.spectra

    def _coupled(self, parent: int) -> tuple[HNLMode, ...]:
        """The modes of ``parent`` with a non-zero U² of the model."""
        return tuple(m for m in self.modes.get(abs(parent), ()) if self.mixing.of(m.flavour) > 0.0)

    def couples(self) -> bool:
        return any(self._coupled(p) for p in self.source.parents)

    def mass_range(self) -> tuple[float, float]:
        tops = [m.max_mass() for p in self.source.parents for m in self._coupled(p)]
        return (0.0, max(tops, default=0.0))

    @cached_property
    def _groups(self) -> tuple[ParentGroup, ...]:
        """The source's species joined by parent (a parent and its antiparticle decay alike), with a
        fixed uniform number per parent: which mode it decays by."""
        out = []
        for k, parent in enumerate(dict.fromkeys(abs(s.pdg) for s in self.source.species)):
            frame, origin = joined([s for s in self.source.species if abs(s.pdg) == parent])
            choice = np.random.default_rng([self.seed, HNL_MODE_STREAM, k]).random(len(frame.weights))
            out.append(ParentGroup(parent, frame, origin, choice))
        return tuple(out)

    def rates(self, parent: int, mass: float) -> tuple[tuple[HNLMode, ...], FloatArray]:
        """The open modes of ``parent`` at ``mass`` (GeV) and their BR × U² at scanned coupling 1."""
        modes = tuple(m for m in self._coupled(parent) if mass < m.max_mass())
        rates = np.array([float(np.asarray(m.branching(mass)).reshape(-1)[0]) * self.mixing.of(m.flavour) for m in modes])
        return modes, rates

    def sample(self, mass: float, rng: np.random.Generator, max_theta: float = np.pi) -> ParticleSample:
        """Weighted N of ``mass`` (GeV) per beam proton at scanned coupling 1 (coupling power 1)."""
        power = self.mixing.rate_power
        rotation = random_rotation(rng)
        parts = []
        for g in self._groups:
            modes, rates = self.rates(g.parent, mass)
            total = float(rates.sum()) if len(rates) else 0.0
            if not total > 0.0:
                continue
            f = g.frame
            pick = np.minimum(np.searchsorted(np.cumsum(rates) / total, g.choice, side="right"), len(modes) - 1)
            q_max = two_body_momentum(mass_gev(g.parent), mass, np.array([partner_mass(m) for m in modes]))
            keep = None
            if self.cone and max_theta < np.pi:
                keep = np.flatnonzero(f.theta - cone(f.speed, f.gamma, q_max[pick], mass) <= max_theta)
                if not len(keep):
                    continue
            q = q_max[pick]  # two-body modes: the fixed momentum
            rows = np.arange(len(pick)) if keep is None else keep
            order = rows[np.argsort(pick[rows], kind="stable")]  # the rows of each mode, mode by mode
            ends = np.cumsum(np.bincount(pick[rows], minlength=len(modes)))
            for j, m in enumerate(modes):
                mine = order[ends[j - 1] if j else 0 : ends[j]]
                if len(mine) and len(m.partners) > 1:  # three-body: one draw per parent from the mode's spectrum
                    q[mine] = m.rest_momenta(mass, len(mine), rng)
            p4 = f.boosted(mass, q, rotation, keep)
            w = f.weights if keep is None else f.weights[keep]
            parts.append(ParticleSample(self.name, mass, w * total, p4, g.origin if keep is None else g.origin[keep], power))
        if not parts:
            return ParticleSample.empty(self.name, mass, power)
        return ParticleSample.concatenate(parts, self.name)


@dataclass(frozen=True)
class ParentGroup:
    """One parent's species (it and its antiparticle) joined: their frame, decay points (n, 3) m,
    and a fixed uniform number per parent (its mode)."""

    parent: int
    frame: ParentFrame
    origin: FloatArray
    choice: FloatArray


def joined(species: Sequence[ParentSpecies]) -> tuple[ParentFrame, FloatArray]:
    """The frames (one parent mass) and decay points of ``species`` as one."""
    if len(species) == 1:
        return species[0].frame, species[0].origin
    return ParentFrame.joined([s.frame for s in species]), np.concatenate([s.origin for s in species])


@lru_cache(maxsize=None)
def partner_mass(mode: HNLMode) -> float:
    """Σ of the partners' masses (GeV) of ``mode``."""
    return float(sum(mass_gev(abs(p)) for p in mode.partners))


def _modes_by_parent(parents: Sequence[int]) -> dict[int, tuple[HNLMode, ...]]:
    from .hnl_modes import modes_of

    return {p: tuple(modes_of(p)) for p in parents}


def build_hnl_channels(
    names: Sequence[str], beam_particle: str, beam_energy_gev: float, model: Model, target: str | None,
    collider_tune: str | None, cascade: bool, parent_tables: Mapping[int, MesonSpectra] | None = None,
    channel_parents: Mapping[str, Sequence[int]] | None = None, decay_pipe: DecayPipe | None = None,
) -> list[ProductionChannel]:
    """The HNL channels ``names`` (of :data:`HNL_CHANNELS`) for a model with ``production.mixing``,
    in the order given; the arguments are :func:`.channels.build_channels`' (``beam_energy_gev``
    is √s at a collider; ``cascade``: the charm and beauty tables carry the thick dump's cascade
    enhancement; ``parent_tables``: parent PDG id → table, e.g. the B of the Υ(4S)).
    Whether the model couples is left to the caller."""
    mixing = model.production.mixing
    if mixing is None:
        raise BeamdumpInputError(
            f"model: {model.name} has no active-sterile mixing; the channels {', '.join(names)} (heavy neutral leptons) do not apply"
        )
    upsilon = beam_particle == "electron-positron"
    if upsilon:
        wrong = [n for n in names if n != HNL_BEAUTY]
        if wrong or not parent_tables:
            raise BeamdumpInputError(
                f"channel: {', '.join(wrong or names)} at an e+e- collider: only {HNL_BEAUTY} with the B tables of the Upsilon(4S)"
            )
    elif beam_particle != "proton":
        raise BeamdumpInputError(f"channel: {', '.join(names)} need a proton beam, not {beam_particle!r}")
    given = dict(parent_tables or {})
    tables: dict[tuple[int, bool], MesonSpectra] = {}

    def table(pdg: int, cascade: bool) -> MesonSpectra:
        if pdg in given:
            return given[pdg]
        if (pdg, cascade) not in tables:
            from ..sources.flavour_spectra import parent_spectra  # the tables load only when asked for

            try:
                tables[pdg, cascade] = parent_spectra(beam_energy_gev, pdg, collider_tune=collider_tune, target=target, cascade=cascade)
            except BeamdumpInputError as err:
                if pdg != 211:
                    raise
                raise BeamdumpInputError(
                    f"channel: {HNL_PION}/{HNL_PION_IN_PIPE} need the pi+- parent table (flavour 'pions', pdg 211) of "
                    f"flavour_spectra at {beam_energy_gev:g} GeV, which is missing: {err}"
                ) from None
        return tables[pdg, cascade]

    out: list[ProductionChannel] = []
    for n in names:
        parents = list(HNL_PARENTS[n])
        if upsilon:
            parents = [p for p in parents if p in given]
        wanted = (channel_parents or {}).get(n)
        if wanted is not None:
            wrong = [p for p in wanted if p not in HNL_PARENTS[n]]
            if wrong or not wanted:
                raise BeamdumpInputError(f"parents.{n} = {list(wanted)}: allowed a non-empty subset of {list(HNL_PARENTS[n])}")
            parents = [p for p in parents if p in wanted]
        light = n in (HNL_PION, HNL_KAON)
        if n in PIPE_CHANNELS:
            if decay_pipe is None:
                raise BeamdumpInputError(f"decay_pipe: {n} needs the preset's [decay_pipe] (z_start, z_end, radius)")
            if collider_tune is not None:
                raise BeamdumpInputError(f"channel: {n} follows mesons from a proton fixed target into a decay pipe; a collider has none")
            source: ParentSource = PipeParents({p: table(p, False) for p in parents}, decay_pipe)
            out.append(HNLChannel(n, LABELS[n], source, _modes_by_parent(source.parents), mixing, cone=False))
            continue
        if light and (collider_tune is not None or not target):
            raise BeamdumpInputError(f"channel: {n} follows mesons until they are absorbed in a dump (beam.target); a collider has none")
        length = interaction_length_m(target) if target else float("inf")
        per_bin = TAU_PARENTS_PER_BIN if n == HNL_TAU else DumpParents.parents_per_bin
        dump = DumpParents({p: table(p, cascade) for p in parents}, interaction_length=length, parents_per_bin=per_bin)
        source = TauParents(dump) if n == HNL_TAU else dump
        out.append(HNLChannel(n, LABELS[n], source, _modes_by_parent(source.parents), mixing))
    return out
