"""Where the heavy neutral lepton's parents decay: in the dump, in a decay pipe, or as τ from D_s.

Each source draws its parents once (their lab four-momenta from the parent tables, weights per
beam proton that include the probability that the parent decays where the source says) as
:class:`~.flavour_decays.ParentSpecies`; :class:`~.hnl_channels.HNLChannel` turns them into
HNLs at every mass.

* :class:`DumpParents`: parents of a thick dump decaying before they are absorbed,
  P = λ/(λ + βγcτ) (:func:`~.flavour_decays.decay_before_absorption` through
  :func:`~.flavour_decays.species_in_dump`): π±, K±, K_L with the dump's interaction length; D,
  B (cτ ≲ 0.5 mm) the same formula, P ≈ 1.
* :class:`PipeParents`: first-collision π±, K±, K_L leaving a thin target and decaying in flight in
  a neutrino beam's decay pipe (:func:`~.decay_pipe.species_in_pipe`: P(decay in the pipe), the
  thin-target factor, no horn focusing).
* :class:`TauParents`: τ± of D_s± → τ±ν_τ (SM branching fraction of the data file
  ``hnl_tau.toml``), the τ isotropic in the D_s frame with p* = (M_Ds² − m_τ²)/(2M_Ds); the τ
  (cτ = 87 μm) decays promptly after a free flight of exponential length βγcτ from the D_s
  decay point (the same formula with λ = ∞: P = 1).

Units: GeV, metres; weights are parents decaying per beam proton.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property, lru_cache
from typing import Mapping

import numpy as np

from ..datafiles import load_toml, package_data
from ..kinematics import isotropic_directions, two_body_momentum
from ..models.base import HBARC_GEV_M
from ..pdg import mass_gev, width_gev
from ..sources.meson_table import MesonSpectra
from .decay_pipe import DecayPipe, species_in_pipe
from .flavour_decays import ParentSpecies, decay_before_absorption, parent_draws, species_in_dump
from .parent_frame import ParentFrame

TAU = 15
D_S = 431
TAU_STREAM = 0x74617521  # keys the τ's own fixed draws (rest-frame directions, flight lengths)


@lru_cache(maxsize=1)
def ds_to_tau_nu() -> float:
    """SM BR(D_s⁺ → τ⁺ν_τ) of the data file ``hnl_tau.toml`` (PDG)."""
    return float(load_toml(package_data("production", "hnl_tau.toml"))["ds_to_tau_nu"]["value"])


@dataclass(frozen=True, eq=False)
class _TabulatedParents:
    """Parents drawn from ``tables`` (parent PDG id > 0 → its table; the id and its antiparticle)."""

    tables: Mapping[int, MesonSpectra]

    @property
    def spectra(self) -> MesonSpectra:
        """The first parent's table (its angular range and provenance stand for all)."""
        return next(iter(self.tables.values()))

    @property
    def parents(self) -> tuple[int, ...]:
        """The decaying parents' PDG ids (> 0)."""
        return tuple(self.tables)


@dataclass(frozen=True, eq=False)
class DumpParents(_TabulatedParents):
    """The parents of ``tables`` (parent PDG id > 0 → its table; the id and its antiparticle) decaying
    in flight in a dump of ``interaction_length`` (m; ``inf``: free flight, e.g. at a collider),
    ``parents_per_bin`` drawn per table bin (``seed``)."""

    interaction_length: float = np.inf
    parents_per_bin: int = 2
    seed: int = 13

    @cached_property
    def species(self) -> tuple[ParentSpecies, ...]:
        """Every parent species drawn once, weighted by P(decay before absorption), with decay points."""
        return species_in_dump(parent_draws(self.tables, self.parents_per_bin, self.seed), self.interaction_length)


@dataclass(frozen=True, eq=False)
class PipeParents(_TabulatedParents):
    """First-collision parents of ``tables`` leaving a thin target at the origin and decaying in
    flight in ``pipe`` (lines that miss it are dropped); ``parents_per_bin`` per bin: the pipe
    takes the forward few mrad."""

    pipe: DecayPipe
    parents_per_bin: int = 8
    seed: int = 13

    @cached_property
    def species(self) -> tuple[ParentSpecies, ...]:
        """Every parent species drawn once, weighted by P(decay in the pipe) × the thin-target factor."""
        return species_in_pipe(parent_draws(self.tables, self.parents_per_bin, self.seed), self.pipe)


def tau_momentum_in_ds() -> float:
    """|p_τ| (GeV) in the D_s rest frame of D_s → τν: (M_Ds² − m_τ²)/(2 M_Ds)."""
    return float(two_body_momentum(mass_gev(D_S), mass_gev(TAU), 0.0))


@dataclass(frozen=True, eq=False)
class TauParents:
    """τ± from D_s± → τ±ν_τ of the D_s of ``ds`` (a :class:`DumpParents` of the D_s table): one τ per
    D_s draw, weight = the D_s's (P(decay) included) × BR(D_s → τν) (``branching``, default the
    data file's), isotropic in the D_s frame (the D_s draw's fixed rest-frame direction);
    τ⁺ (PDG −15) from D_s⁺, τ⁻ from D_s⁻. The τ's decay points lie an exponential free flight of
    mean βγcτ beyond the D_s's."""

    ds: DumpParents
    branching: float | None = None
    seed: int = 13

    @property
    def spectra(self) -> MesonSpectra:
        """The D_s table."""
        return self.ds.spectra

    @property
    def parents(self) -> tuple[int, ...]:
        """The decaying parent: the τ (15)."""
        return (TAU,)

    @cached_property
    def species(self) -> tuple[ParentSpecies, ...]:
        """τ⁺ and τ⁻ drawn once from the D_s species, with their weights, frames and decay points."""
        br = ds_to_tau_nu() if self.branching is None else float(self.branching)
        m_tau, q = mass_gev(TAU), tau_momentum_in_ds()
        out = []
        for k, ds in enumerate(self.ds.species):
            if abs(ds.pdg) != D_S:
                continue
            p4 = ds.frame.boosted(m_tau, q, np.eye(3))
            p = np.linalg.norm(p4[:, 1:], axis=1)
            unit = p4[:, 1:] / np.maximum(p, 1e-300)[:, None]
            theta = np.arccos(np.clip(unit[:, 2], -1.0, 1.0))
            rng = np.random.default_rng([self.seed, TAU_STREAM, k])
            prob, depth = decay_before_absorption(p / m_tau * HBARC_GEV_M / width_gev(TAU), np.inf)
            along = -depth * np.log1p(-rng.random(len(p)))
            frame = ParentFrame.of(ds.frame.weights * br * prob, p4, theta, m_tau, isotropic_directions(len(p), rng))
            out.append(ParentSpecies(-TAU if ds.pdg > 0 else TAU, frame, ds.origin + along[:, None] * unit))
        return tuple(out)
