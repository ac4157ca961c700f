"""The vertex efficiency as a function of the displacement, applied along each flight line.

A displaced-vertex search reconstructs a decay with an efficiency that depends on where it
happened: ε(ρ) of the transverse distance ρ of the vertex from the beam (volume) axis, or ε(L)
of its flight distance L from the production point. The table is a step function, ε = values[k]
for edges[k] ≤ s < edges[k+1] and 0 outside the edges, so the accepted-decay probability of a
line stays a sum of exp(−a/λ) − exp(−b/λ) terms: each path interval is cut into the pieces of
constant ε (a ring of ρ may be crossed twice, going in and coming out) and every piece carries
its ε. Lengths in metres.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from ..errors import BeamdumpInputError

from ._checks import check_offset, set_fields
from .rays import FloatArray, disk

VARIABLES = ("rho", "distance")


@dataclass(frozen=True)
class VertexEfficiency:
    """ε as a step function of the displacement ``variable`` ("rho": transverse distance (m) of
    the vertex from the axis through (x0, y0) parallel to z; "distance": flight path (m) from the
    production point); ``values[k]`` in [0, 1] holds on [edges[k], edges[k+1]), 0 outside."""

    variable: str
    edges: tuple[float, ...]
    values: tuple[float, ...]
    x0: float = 0.0
    y0: float = 0.0

    def __post_init__(self) -> None:
        if self.variable not in VARIABLES:
            raise BeamdumpInputError(f"VertexEfficiency.variable = {self.variable!r}: allowed {', '.join(VARIABLES)}")
        edges = tuple(float(e) for e in self.edges)
        values = tuple(float(v) for v in self.values)
        if len(edges) < 2 or not all(math.isfinite(e) and e >= 0.0 for e in edges):
            raise BeamdumpInputError(f"VertexEfficiency.edges = {self.edges!r}: need at least 2 finite lengths >= 0 m")
        if any(b <= a for a, b in zip(edges, edges[1:])):
            raise BeamdumpInputError(f"VertexEfficiency.edges = {self.edges!r}: must increase strictly")
        if len(values) != len(edges) - 1 or not all(0.0 <= v <= 1.0 for v in values):
            raise BeamdumpInputError(
                f"VertexEfficiency.values = {self.values!r}: need len(edges) - 1 = {len(edges) - 1} efficiencies in [0, 1]"
            )
        check_offset(self, self.x0, self.y0)
        set_fields(self, edges=edges, values=values)

    def at(self, s: FloatArray) -> FloatArray:
        """ε at displacements ``s`` (m) of the table's variable."""
        s = np.asarray(s, dtype=float)
        k = np.searchsorted(self.edges, s, side="right") - 1
        inside = (k >= 0) & (k < len(self.values))
        return np.where(inside, np.asarray(self.values)[np.clip(k, 0, len(self.values) - 1)], 0.0)

    def pieces(
        self, origin: FloatArray, direction: FloatArray, l_in: FloatArray, l_out: FloatArray
    ) -> tuple[np.ndarray, FloatArray, FloatArray, FloatArray]:
        """Cut the path intervals [l_in, l_out] (m) of lines from ``origin`` (n, 3) along the unit
        ``direction`` (n, 3) into pieces of constant non-zero ε. Returns (row of the interval,
        piece start, piece end, ε), pieces of one row adjacent and in ascending row order."""
        o, d = np.asarray(origin, dtype=float), np.asarray(direction, dtype=float)
        l_in, l_out = np.asarray(l_in, dtype=float), np.asarray(l_out, dtype=float)
        los, his, effs = [], [], []
        for inner, outer, eps in zip(self.edges[:-1], self.edges[1:], self.values):
            if self.variable == "distance":
                bands = [(np.maximum(l_in, inner), np.minimum(l_out, outer))]
            else:
                ux, uy = o[:, 0] - self.x0, o[:, 1] - self.y0
                a0, a1 = disk(ux, uy, d[:, 0], d[:, 1], outer)
                lo, hi = np.maximum(l_in, a0), np.minimum(l_out, a1)  # NaN when the outer circle is missed
                if inner > 0.0:
                    b0, b1 = disk(ux, uy, d[:, 0], d[:, 1], inner)  # NaN: the inner circle is missed
                    bands = [(lo, np.fmin(hi, b0)), (np.maximum(lo, b1), hi)]
                else:
                    bands = [(lo, hi)]
            for lo, hi in bands:
                los.append(lo)
                his.append(hi)
                effs.append(np.full(len(l_in), eps))
        lo, hi, eps = (np.stack(a, axis=1) for a in (los, his, effs))  # (n, pieces)
        with np.errstate(invalid="ignore"):
            ok = (hi > lo) & (eps > 0.0)  # False for NaN ends
        row, col = np.nonzero(ok)
        return row, lo[row, col], hi[row, col], eps[row, col]
