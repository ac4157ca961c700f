"""Daughter acceptance: every tracked decay daughter through every detector plane and above the energy cuts."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import Sequence

import numpy as np
from numpy.typing import ArrayLike

from beamdump.errors import BeamdumpInputError

from ._checks import non_negative, set_fields
from .apertures import Aperture
from .rays import BoolArray, flat_rows
from .tracks import Dipole, crossings_along

_COMPACT_BELOW = 0.6  # DaughterAcceptance tracks a daughter only for the decays still accepted below this fraction


@dataclass(frozen=True)
class DaughterAcceptance:
    """Every tracked decay daughter (both of a two-body decay; the charged ones of ℓℓν) must cross
    every plane inside its aperture (straight tracks from the vertex, kicked by the optional
    dipole) and pass the energy cuts (GeV): each E ≥ ``min_energy_each`` and their sum ≥
    ``min_energy_sum``; with ``min_separation`` (m) the first two's impact points on the most
    downstream plane (the calorimeter) must lie at least that far apart (two clusters). No
    planes and no cuts accept everything.
    """

    planes: Sequence[Aperture] = ()
    dipole: Dipole | None = None
    min_energy_each: float = 0.0
    min_energy_sum: float = 0.0
    min_separation: float = 0.0

    def __post_init__(self) -> None:
        n = "DaughterAcceptance"
        planes = tuple(self.planes)
        for i, pl in enumerate(planes):
            if not isinstance(pl, Aperture):
                raise BeamdumpInputError(
                    f"{n}.planes[{i}] = {pl!r}: must be an aperture (an object with z and contains(x, y))"
                )
        if self.dipole is not None and not isinstance(self.dipole, Dipole):
            raise BeamdumpInputError(f"{n}.dipole = {self.dipole!r}: must be a Dipole or None")
        set_fields(
            self,
            planes=planes,
            min_energy_each=non_negative(n, "min_energy_each", self.min_energy_each),
            min_energy_sum=non_negative(n, "min_energy_sum", self.min_energy_sum),
            min_separation=non_negative(n, "min_separation", self.min_separation),
        )
        if self.min_separation > 0.0 and not planes:
            raise BeamdumpInputError(f"{n}.min_separation: needs a detector plane to measure the two impact points on")

    @cached_property
    def _planes_by_z(self) -> dict[float, list[Aperture]]:
        """The planes grouped by z: planes sharing a z (an outer edge and a beam hole) share the tracking."""
        by_z: dict[float, list[Aperture]] = {}
        for plane in self.planes:
            by_z.setdefault(float(plane.z), []).append(plane)
        return by_z

    @property
    def accepts_everything(self) -> bool:
        """True when there are no planes and no energy cuts (``accepts`` is then all True)."""
        return not self.planes and self.min_energy_each == 0.0 and self.min_energy_sum == 0.0

    def accepts(
        self,
        vertex: ArrayLike,
        p1: ArrayLike,
        p2: ArrayLike,
        charges: tuple[ArrayLike, ArrayLike] = (1.0, -1.0),
    ) -> BoolArray:
        """Boolean acceptance of decays at ``vertex`` (..., 3, m) into ``p1``, ``p2`` (..., 4, GeV);
        leading axes broadcast (vertices (n, k, 3) with daughters (n, 1, 4) give (n, k)).

        Decays along flight lines are cheaper with :meth:`accepts_along`."""
        v = np.asarray(vertex, dtype=float)
        p1 = np.asarray(p1, dtype=float)
        p2 = np.asarray(p2, dtype=float)
        q1, q2 = (np.asarray(q, dtype=float) for q in charges)
        shape = np.broadcast_shapes(v.shape[:-1], p1.shape[:-1], p2.shape[:-1], q1.shape, q2.shape)
        v = flat_rows(v, shape, (3,))
        ok = self.accepts_along(v, np.zeros_like(v), np.zeros((len(v), 1)), (flat_rows(p1, shape, (4,)),
                                flat_rows(p2, shape, (4,))), (flat_rows(q1, shape), flat_rows(q2, shape)))
        return ok.reshape(shape)

    def accepts_along(
        self,
        origin: ArrayLike,
        direction: ArrayLike,
        lengths: ArrayLike,
        daughters: Sequence[ArrayLike],
        charges: Sequence[ArrayLike] = (1.0, -1.0),
    ) -> BoolArray:
        """Boolean (n, k) acceptance of decays at the k vertices origin + L·direction of each of
        n flight lines (origin, unit direction (n, 3) in m, lengths L ≥ 0 (n, k) in m) whose
        tracked daughters are ``daughters`` (one (n, 4) array each, GeV; one or more), with
        ``charges`` (one per daughter, each a number or (n,)).

        Every daughter must pass each plane and ``min_energy_each``; their energies summed must
        pass ``min_energy_sum``; ``min_separation`` applies to the first two. The energy cuts come
        first; each daughter is tracked only for the lines still accepted (after the cuts and the
        daughters before it) once fewer than 60% are."""
        o = np.asarray(origin, dtype=float)
        d = np.asarray(direction, dtype=float)
        L = np.asarray(lengths, dtype=float)
        daughters = [np.asarray(p, dtype=float) for p in daughters]
        if not daughters or len(charges) != len(daughters):
            raise ValueError(f"accepts_along: {len(daughters)} daughters and {len(charges)} charges; one charge per daughter, at least one")
        n = len(L)
        qs = [float(q) if np.ndim(q) == 0 else np.broadcast_to(np.asarray(q, dtype=float), (n,)) for q in charges]
        energies = [p[:, 0] for p in daughters]
        ok = np.ones(n, dtype=bool)
        if self.min_energy_each > 0.0:
            for e in energies:
                ok &= e >= self.min_energy_each
        if self.min_energy_sum > 0.0:
            ok &= np.sum(energies, axis=0) >= self.min_energy_sum
        if not self.planes:
            return np.broadcast_to(ok[:, None], L.shape).copy()
        by_z = self._planes_by_z
        zs = np.fromiter(by_z, dtype=float, count=len(by_z))
        rows = np.arange(n)  # the lines still tracked: all, or those that pass the energy cuts
        lines, charge = [o, d, L, *daughters], qs
        alive = np.repeat(ok[:, None], L.shape[1], axis=1)
        if np.count_nonzero(ok) < _COMPACT_BELOW * n:
            rows = np.flatnonzero(ok)
            lines, charge = _take(lines, charge, rows)
            alive = alive[rows]
        last = int(np.argmax(zs))  # the calorimeter: where two clusters must be apart
        first: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None
        for i in range(len(daughters)):
            if i and len(rows):  # a later daughter only where those before left a vertex accepted
                left = any_vertex(alive)
                if np.count_nonzero(left) < _COMPACT_BELOW * len(rows):
                    still = np.flatnonzero(left)
                    rows, alive = rows[still], alive[still]
                    lines, charge = _take(lines, charge, still)
            ol, dl, Ll = lines[:3]
            x, y, passed = crossings_along(ol, dl, Ll, lines[3 + i], charge[i], zs, self.dipole)
            alive &= np.logical_and.reduce(passed, axis=0)
            if self.min_separation > 0.0 and len(daughters) > 1 and i < 2:
                if i == 0:
                    first = (rows.copy(), x[last].copy(), y[last].copy())
                else:  # the rows tracked now are a subset, in order, of the first daughter's
                    rows0, x0, y0 = first  # type: ignore[misc]
                    at = np.searchsorted(rows0, rows)
                    with np.errstate(invalid="ignore"):
                        alive &= np.hypot(x[last] - x0[at], y[last] - y0[at]) >= self.min_separation
            with np.errstate(invalid="ignore"):  # x, y of tracks that do not reach a plane are masked by passed
                for j, planes in enumerate(by_z.values()):
                    for plane in planes:
                        alive &= plane.contains(x[j], y[j])
        out = np.zeros(L.shape, dtype=bool)
        out[rows] = alive
        return out


def _take(lines: list[np.ndarray], charges: list, rows: np.ndarray) -> tuple[list[np.ndarray], list]:
    """The per-line arrays and charges (a number, or one per line) of the lines at ``rows``."""
    return [a[rows] for a in lines], [q if isinstance(q, float) else q[rows] for q in charges]


def any_vertex(mask: BoolArray) -> BoolArray:
    """(n,) True where a row of the (n, k) ``mask`` has a True entry: k column ORs, much faster
    than ``mask.any(axis=1)`` for the few vertices per line the engine uses."""
    out = mask[:, 0].copy() if mask.shape[1] else np.zeros(len(mask), dtype=bool)
    for j in range(1, mask.shape[1]):
        out |= mask[:, j]
    return out
