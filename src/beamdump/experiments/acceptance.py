"""Daughter acceptance: both decay daughters through every detector plane and above the energy cuts."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import numpy as np
from numpy.typing import ArrayLike

from beamdump.errors import BeamdumpInputError

from ._checks import non_negative, set_fields
from .apertures import Aperture
from .rays import BoolArray
from .tracks import Dipole, track_positions_at

_COMPACT_BELOW = 0.6  # DaughterAcceptance tracks a daughter only for the decays still accepted below this fraction


@dataclass(frozen=True)
class DaughterAcceptance:
    """Both decay daughters must cross every plane inside its aperture (straight tracks from the
    vertex, kicked by the optional dipole) and pass the energy cuts (GeV): each E ≥
    ``min_energy_each`` and E1 + E2 ≥ ``min_energy_sum``. No planes and no cuts accept everything.
    """

    planes: Sequence[Aperture] = ()
    dipole: Dipole | None = None
    min_energy_each: float = 0.0
    min_energy_sum: float = 0.0

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
        )

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
        """Boolean (n,) acceptance of decays at ``vertex`` (n, 3, m) into ``p1``, ``p2`` (n, 4, GeV).

        Leading axes broadcast: vertices (n, k, 3) with daughters (n, 1, 4) give (n, k), each
        daughter's slopes and kick computed once for its k vertices."""
        v = np.asarray(vertex, dtype=float)
        p1 = np.asarray(p1, dtype=float)
        p2 = np.asarray(p2, dtype=float)
        e1, e2 = p1[..., 0], p2[..., 0]
        ok = np.ones(np.broadcast_shapes(v.shape[:-1], e1.shape, e2.shape), dtype=bool)
        if self.min_energy_each > 0.0:
            ok &= (e1 >= self.min_energy_each) & (e2 >= self.min_energy_each)
        if self.min_energy_sum > 0.0:
            ok &= e1 + e2 >= self.min_energy_sum
        by_z: dict[float, list[Aperture]] = {}
        for plane in self.planes:  # planes sharing a z (an outer edge and a beam hole) share the tracking
            by_z.setdefault(float(plane.z), []).append(plane)
        if not by_z:
            return ok
        by_z = dict(sorted(by_z.items()))  # planes in z order: those before the dipole are one run
        zs = np.fromiter(by_z, dtype=float, count=len(by_z))
        for p, q in ((p1, charges[0]), (p2, charges[1])):
            alive: tuple[np.ndarray, ...] | None = None
            vd, pd, qd = v, p, np.asarray(q, dtype=float)
            if np.count_nonzero(ok) < _COMPACT_BELOW * ok.size:  # track only the decays still accepted
                alive = np.nonzero(ok)
                vd = np.broadcast_to(vd, ok.shape + (3,))[alive]
                pd = np.broadcast_to(pd, ok.shape + (4,))[alive]
                qd = np.broadcast_to(qd, ok.shape)[alive]
            x, y, passed = track_positions_at(vd, pd, zs, qd, self.dipole)  # (planes, …): one pass per daughter
            passed = np.logical_and.reduce(passed, axis=0)
            with np.errstate(invalid="ignore"):  # x, y of tracks that do not reach a plane are masked by passed
                for j, planes in enumerate(by_z.values()):
                    for plane in planes:
                        passed &= plane.contains(x[j], y[j])
            if alive is None:
                ok &= passed
            else:
                ok[alive] = passed
        return ok
