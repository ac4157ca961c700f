"""From a weighted sample of flying particles to the lifetime table of an experiment.

Each flight line is intersected once with the decay volume (entry and exit path lengths, several
intervals for an annulus). The probability to decay in [L_in, L_out] is
exp(−L_in/λ) − exp(−L_out/λ). When the daughters must reach detector planes, the interval is cut
into ``segments`` pieces; at each piece's midpoint the daughters of one rest-frame decay (isotropic,
the same for all pieces of a line) decide the daughter acceptance A_k, and the probability becomes
Σ_k A_k [exp(−a_k/λ) − exp(−b_k/λ)]. Nothing here depends on the coupling: the result is a
:class:`~beamdump.engine.lifetime_table.LifetimeTable` that is evaluated for any coupling later.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from ..experiments.acceptance import DaughterAcceptance, any_vertex
from ..experiments.vertex_efficiency import VertexEfficiency
from ..kinematics import FloatArray
from ..models.base import FinalState
from .lifetime_table import LifetimeTable
from ..production.sample import ParticleSample


@dataclass(frozen=True)
class Flights:
    """The pieces of flight lines inside a volume: particle index (ascending), entry and exit
    path (m), and that particle's unit direction (n, 3) and momentum |p| (GeV), one row per piece;
    ``efficiency`` the vertex efficiency of each piece (None: 1 everywhere)."""

    particle: np.ndarray
    l_in: FloatArray
    l_out: FloatArray
    direction: FloatArray
    momentum: FloatArray
    efficiency: FloatArray | None = None


_CONE_MARGIN = 1e-9  # relative margin on tan²θ of the cone test: round-off never drops a line that touches the volume


def flights_through(sample: ParticleSample, volume, efficiency: VertexEfficiency | None = None) -> Flights:
    """Intersect every flight line of ``sample`` with ``volume`` once.

    When every particle starts at the origin (meson decays, proton bremsstrahlung), only those
    inside the cone that bounds the volume seen from there (``volume.angular_bounds``, exact for
    every shape) are intersected: the others cannot reach it. ``efficiency`` (a step function of
    the displacement) cuts each piece where its ε changes and gives every piece its ε."""
    p3 = sample.p4[:, 1:]
    origin = sample.origin
    candidates = None
    if len(sample) and not np.any(origin):
        theta_max = volume.angular_bounds((0.0, 0.0, 0.0))[1]
        if theta_max < 0.5 * np.pi:
            t2 = math.tan(theta_max) ** 2 * (1.0 + _CONE_MARGIN)
            px, py, pz = p3[:, 0], p3[:, 1], p3[:, 2]
            candidates = np.flatnonzero((pz > 0.0) & (px * px + py * py <= t2 * (pz * pz)))
            origin, p3 = origin[candidates], p3[candidates]
    p = np.sqrt(np.einsum("ij,ij->i", p3, p3))
    direction = p3 / np.where(p > 0, p, 1.0)[:, None]
    intervals = volume.intervals(origin, direction)  # (n, k, 2)
    i_part, i_int = np.nonzero(intervals[..., 1] > intervals[..., 0])
    particle = i_part if candidates is None else candidates[i_part]
    flights = Flights(particle, intervals[i_part, i_int, 0], intervals[i_part, i_int, 1], direction[i_part], p[i_part])
    return flights if efficiency is None else with_efficiency(flights, sample.origin, efficiency)


def with_efficiency(flights: Flights, origin: FloatArray, efficiency: VertexEfficiency) -> Flights:
    """``flights`` cut into the pieces of constant vertex efficiency, each carrying its ε;
    ``origin`` (n, 3) holds the production points of the whole sample (m)."""
    row, lo, hi, eps = efficiency.pieces(origin[flights.particle], flights.direction, flights.l_in, flights.l_out)
    return Flights(flights.particle[row], lo, hi, flights.direction[row], flights.momentum[row], eps)


def decay_terms(
    sample: ParticleSample,
    flights: Flights,
    ctau_at_unit_coupling: float,
    acceptance: DaughterAcceptance | None = None,
    final_state: FinalState | None = None,
    rng: np.random.Generator | None = None,
    segments: int = 3,
    directions: FloatArray | None = None,
) -> tuple[FloatArray, FloatArray, np.ndarray]:
    """Terms c·exp(−u g^p) of the accepted-decay probability, and the particle each belongs to.

    u = path / decay length at coupling 1 (the decay length is (|p|/m)·cτ); c carries the
    particle weight. Returns (u, c, particle index), flat. The terms of each flight line sum to 0.
    ``final_state`` decays the particle (its daughters' masses and charges: charged ones are bent
    by the detector's dipole, neutral ones are not). ``directions`` (n, 3), one rest-frame
    direction of the first daughter per particle of the sample, fixes the decays; otherwise they
    are drawn from ``rng``.
    """
    i_part = flights.particle
    if not len(i_part) or not np.isfinite(ctau_at_unit_coupling):
        return np.zeros(0), np.zeros(0), np.zeros(0, dtype=np.int64)
    l_in, l_out = flights.l_in, flights.l_out
    decay_length = flights.momentum / sample.mass * ctau_at_unit_coupling  # metres at g = 1
    w = sample.weights[i_part]
    if flights.efficiency is not None:
        w = w * flights.efficiency

    if acceptance is None or acceptance.accepts_everything:
        u = np.concatenate([l_in, l_out]) / np.concatenate([decay_length, decay_length])
        return u, np.concatenate([w, -w]), np.concatenate([i_part, i_part])

    if final_state is None:
        raise ValueError("daughter acceptance needs the final state the particle decays into")
    if rng is None:
        rng = np.random.default_rng(0)
    k = segments
    frac = np.arange(k + 1) / k
    span = l_out - l_in
    mids = l_in[:, None] + span[:, None] * (0.5 * (frac[1:] + frac[:-1]))[None, :]  # (N, k)
    # the daughters' lab momenta do not depend on where along the line the decay happens: one
    # rest-frame decay per flight line serves all its segments, and the acceptance tracks each
    # daughter once for its k vertices origin + L·direction
    fixed = None if directions is None else np.asarray(directions, dtype=float)[i_part]
    daughters = final_state.decay(sample.p4[i_part], sample.mass, rng, directions=fixed)
    seen_by = final_state.tracked  # the detector follows every daughter but the neutrinos
    acc = acceptance.accepts_along(
        sample.origin[i_part], flights.direction, mids, [daughters[i] for i in seen_by], [final_state.charges[i] for i in seen_by]
    )
    # a line with no accepted segment has only zero terms: leave it out
    seen = np.flatnonzero(any_vertex(acc))
    acc = acc[seen].astype(float)
    coef = np.empty((len(seen), k + 1))  # coefficient of exp(−x_j/λ) at edge j = 0..k: A_j − A_{j−1}; sums to 0
    coef[:, 0] = acc[:, 0]
    np.subtract(acc[:, 1:], acc[:, :-1], out=coef[:, 1:k])
    coef[:, k] = -acc[:, k - 1]
    coef *= w[seen, None]
    edges = l_in[seen, None] + span[seen, None] * frac[None, :]  # (N, k+1)
    u = edges / decay_length[seen, None]
    return u.ravel(), coef.ravel(), np.repeat(i_part[seen], k + 1)


def lifetime_table(
    sample: ParticleSample,
    volume,
    ctau_at_unit_coupling: float,
    lifetime_power: int,
    acceptance: DaughterAcceptance | None = None,
    final_state: FinalState | None = None,
    rng: np.random.Generator | None = None,
    segments: int = 3,
    directions: FloatArray | None = None,
    efficiency: VertexEfficiency | None = None,
) -> LifetimeTable:
    """Lifetime table (accepted decays per beam particle, at coupling 1, before the branching
    fraction of the final state) of ``sample`` in ``volume``.

    ctau_at_unit_coupling: cτ in metres at coupling 1. ``acceptance`` and ``final_state`` (its
    daughters) switch on the daughter acceptance; ``directions`` (n, 3) fixes the first daughter's
    rest-frame direction of each particle (see :func:`decay_terms`); ``efficiency`` weighs each
    decay with the vertex efficiency where it happens (see :func:`flights_through`).
    """
    if len(sample) == 0:
        return LifetimeTable.empty(sample.coupling_power, lifetime_power)
    flights = flights_through(sample, volume, efficiency)
    u, c, _ = decay_terms(sample, flights, ctau_at_unit_coupling, acceptance, final_state, rng, segments, directions)
    # each line's terms telescope (w − w, or Σ_j (A_{j+1} − A_j) = 0): the exact total is 0
    return LifetimeTable.from_terms(u, c, sample.coupling_power, lifetime_power, total=0.0)
