"""The production-model uncertainty band of a reach run.

Proton bremsstrahlung is trusted only in a (z, p_T) region and depends on the nucleon form
factor; each variation listed in ``data/production/proton_brems.toml`` ([[band]]) changes one of
them in the run's bremsstrahlung settings (the defaults unless the user changed them). For each
variation the bremsstrahlung events are recomputed alone (the other channels are unchanged) and
the band is the envelope:

* ``low``  — excluded under every variation (events = the minimum over variations and central);
* ``high`` — excluded under at least one (events = the maximum).

So ``low`` ⊆ central ⊆ ``high`` by construction, at every grid point. Each channel draws its
daughter decays from its own random stream (:meth:`Reach._decay_directions`), so the
bremsstrahlung events of a variation run alone are those it would have beside the other channels.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

import numpy as np

from ..engine.analysis import ReachResult
from ..limits.contours import ExclusionBand
from ..errors import BeamdumpInputError
from ..kinematics import FloatArray
from ..production.channels import PROTON_BREMS
from ..production.proton_brems import ProtonBremsChannel, band_variations
from ..engine.reach import MassFlux, Reach

EventsAt = Callable[[float], Callable[[FloatArray], FloatArray]]


@dataclass
class UncertaintyBand:
    """Envelope bands and the band of each variation (labels from the data file)."""

    low: ExclusionBand
    high: ExclusionBand
    events_low: FloatArray
    events_high: FloatArray
    per_variation: dict[str, ExclusionBand] = field(default_factory=dict)


def brems_channel(reach: Reach) -> ProtonBremsChannel:
    """The reach's proton-bremsstrahlung channel; an input error if there is none (or if the
    reach adds several runs, whose bands would have to be varied together)."""
    if not isinstance(reach, Reach):
        raise BeamdumpInputError(
            f"--band: {reach.experiment.name} combines several runs; run --band on each run's preset instead"
        )
    for c in reach.channels:
        if c.name == PROTON_BREMS and isinstance(c, ProtonBremsChannel):
            return c
    names = ", ".join(c.name for c in reach.channels)
    raise BeamdumpInputError(
        f"--band: the band varies proton bremsstrahlung, which is not among the channels ({names}); add --channel {PROTON_BREMS}"
    )


def _variant_reaches(reach: Reach) -> list[tuple[str, Reach]]:
    brems = brems_channel(reach)
    out = []
    for v in band_variations():
        changes = {k: val for k, val in v.items() if k != "label"}
        channel = brems.with_settings(**changes)
        out.append((v["label"], Reach(reach.experiment, reach.model, [channel], reach.final_states, reach.seed, reach.segments)))
    return out


def uncertainty_band(reach: Reach, result: ReachResult, progress: Callable[[int], None] | None = None) -> UncertaintyBand:
    """Vary proton bremsstrahlung as the data file says and return the envelope bands."""
    variants = _variant_reaches(reach)  # raises first if there is no bremsstrahlung to vary
    g = result.grid
    central = result.events_at(reach)
    central_brems = result.events_at(reach, PROTON_BREMS)
    rest = g.total - g.by_channel[PROTON_BREMS]
    totals: dict[str, FloatArray] = {}
    events_at: dict[str, EventsAt] = {}
    for label, variant in variants:
        vgrid, vfluxes = variant.grid(g.masses, g.couplings, progress=progress)
        totals[label] = np.clip(rest + vgrid.by_channel[PROTON_BREMS], 0.0, None)
        events_at[label] = _swap_brems(central, central_brems, variant, {f.mass: f for f in vfluxes})
    stack = np.stack([g.total, *totals.values()])
    low, high = stack.min(axis=0), stack.max(axis=0)
    every = [central, *events_at.values()]

    def envelope(pick: Callable[..., FloatArray]) -> EventsAt:
        def at(m: float) -> Callable[[FloatArray], FloatArray]:
            fns = [e(m) for e in every]
            return lambda gg: pick(np.stack([f(gg) for f in fns]), axis=0)

        return at

    def band(events: FloatArray, events_at_mass: EventsAt, what: str) -> ExclusionBand:
        return result.band_of(events, events_at_mass, (*result.band.comments, what))
    per = {label: band(totals[label], events_at[label], f"bremsstrahlung variation: {label}") for label in totals}
    return UncertaintyBand(
        low=band(low, envelope(np.min), "band: excluded under every bremsstrahlung variation"),
        high=band(high, envelope(np.max), "band: excluded under at least one bremsstrahlung variation"),
        events_low=low,
        events_high=high,
        per_variation=per,
    )


def _swap_brems(central: EventsAt, central_brems: EventsAt, variant: Reach, known: dict[float, MassFlux]) -> EventsAt:
    """mass ↦ (g ↦ events) with the central bremsstrahlung replaced by the variant's."""

    def at(m: float) -> Callable[[FloatArray], FloatArray]:
        if m not in known:
            known[m] = variant.flux(m)
        total, old, new = central(m), central_brems(m), known[m].total
        return lambda gg: np.clip(total(gg) - old(gg) + new(gg), 0.0, None)

    return at
