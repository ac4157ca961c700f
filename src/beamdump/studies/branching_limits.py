"""Model-independent limits of a displaced-vertex search: the BR(B → K X) × BR(X → xx) it excludes.

B-factory and LHCb searches quote upper limits on BR(B → K(*) X) × BR(X → xx) as functions of the
mass m and the lifetime cτ of X, not on a coupling. For given (m, cτ) the preset's geometry gives
the fraction A of the X of one parent species (B⁺ and its antiparticle, say) that decay where the
analysis looks (its decay volume, weighted with its vertex efficiency vs displacement and with
the daughters' acceptance of the final state, the collider's crossing-angle boost included), and

    BR × BR excluded = N_up / (N_pairs · n_parents · A · ε_det),

with N_pairs the preset's beam count (BB̄ pairs at the Υ(4S)), n_parents the parents of the species
per pair (2 f₊₋ for B±) and ε_det the detector efficiency of the final state. A depends on the X
kinematics only, so any model with the flavour-changing couplings of the channel gives it: the
branching fraction that weighs the sample cancels in the ratio. Units: GeV, metres.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Mapping

import numpy as np

from ..engine.decay_in_volume import decay_terms, flights_through
from ..engine.reach import tilted
from ..errors import BeamdumpInputError
from ..experiments.acceptance import DaughterAcceptance
from ..experiments.experiment import Experiment
from ..models.base import FinalState
from ..models import get_model
from ..production.flavour_decays import FlavourDecayChannel
from ..production.flavour_decays import load_definitions as flavour_definitions
from ..sources.meson_table import MesonSpectra


@dataclass(frozen=True)
class BranchingLimit:
    """The BR × BR a preset excludes at one (mass GeV, cτ m), with what it is made of."""

    mass: float
    ctau: float
    acceptance: float
    parents: float
    events_upper_limit: float
    limit: float


def decay_acceptance(
    experiment: Experiment, channel: FlavourDecayChannel, mass: float, ctau_m: float, seed: int = 1,
    final_state: FinalState | None = None, acceptance: DaughterAcceptance | None = None,
) -> float:
    """Fraction of the X of ``channel`` (mass GeV, proper decay length ``ctau_m`` m) that decay in
    the experiment's volume, weighted with its vertex efficiency and, with ``final_state`` (the
    daughters, at this mass) and ``acceptance``, with the daughters' acceptance."""
    if not (math.isfinite(ctau_m) and ctau_m > 0.0):
        raise BeamdumpInputError(f"ctau = {ctau_m!r} m: allowed a finite length > 0")
    sample = channel.sample(mass, np.random.default_rng(seed))
    if len(sample) == 0 or sample.total <= 0.0:
        raise BeamdumpInputError(f"mass = {mass:g} GeV: {channel.name} makes no X of this mass")
    if experiment.crossing_angle > 0.0:
        sample = tilted(sample, experiment.crossing_angle)
    flights = flights_through(sample, experiment.volume, experiment.vertex_efficiency)
    rng = np.random.default_rng(seed + 1)
    u, c, _ = decay_terms(sample, flights, ctau_m, acceptance, final_state, rng)  # c·exp(−u) at the sample's cτ
    return float(np.sum(c * np.exp(-u)) / sample.total)


def excluded_branching(
    experiment: Experiment,
    tables: Mapping[int, MesonSpectra],
    channel: str,
    parent: int,
    final_state: str,
    points: list[tuple[float, float]],
    model: str = "scalar",
) -> list[BranchingLimit]:
    """BR(parent → partner X) × BR(X → final_state) excluded at each (mass GeV, cτ m) of ``points``,
    with the parents of species ``parent`` (and its antiparticle) of ``tables`` (per beam count),
    the preset's N_up (its statistics) and the final state's detector efficiency."""
    defs = flavour_definitions()
    if channel not in defs:
        raise BeamdumpInputError(f"channel: {channel!r} not known; allowed: {', '.join(defs)}")
    if parent not in tables:
        raise BeamdumpInputError(f"parent: {parent} has no table; allowed: {', '.join(map(str, tables))}")
    the_model = get_model(model)
    couplings = the_model.production.flavour
    if couplings is None:
        raise BeamdumpInputError(f"model: {model} has no flavour-changing couplings")
    states = the_model.final_states()
    if final_state not in states:
        raise BeamdumpInputError(f"final_state: {final_state!r} is not known for {model}; allowed: {', '.join(states)}")
    ch = FlavourDecayChannel(defs[channel], {parent: tables[parent]}, couplings)
    table = tables[parent]
    parents = sum(table.multiplicity(p) for p in (parent, -parent) if p in table.pdg_ids)
    n_up = experiment.limit_for((final_state,)).upper_limit()
    norm = experiment.n_beam * parents * experiment.efficiency(final_state)
    out = []
    for mass, ctau in points:
        daughters = states[final_state].at(mass)
        a = decay_acceptance(experiment, ch, mass, ctau, final_state=daughters, acceptance=experiment.acceptance(final_state))
        out.append(BranchingLimit(mass, ctau, a, parents, n_up, n_up / (norm * a) if a > 0.0 else math.inf))
    return out
