"""Straight tracks of decay daughters to detector planes, bent by a thin dipole.

Lengths in metres, momenta in GeV; four-momenta (..., 4) ordered (E, px, py, pz).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike

from beamdump.errors import BeamdumpInputError

from ._checks import finite, set_fields
from .rays import BoolArray, FloatArray

@dataclass(frozen=True)
class Dipole:
    """Thin-lens dipole at z (m) giving charged tracks a transverse kick of charge·kick_gev (GeV)
    along ``axis`` ("x" or "y"). The field does no work: E and |p| are kept, so p_z shrinks to
    √(p_z² + p_⊥² − p'_⊥²) (identical to a plain p_x shift for kick ≪ p)."""

    z: float
    kick_gev: float
    axis: str = "x"

    def __post_init__(self) -> None:
        if self.axis not in ("x", "y"):
            raise BeamdumpInputError(f"Dipole.axis = {self.axis!r}: must be 'x' or 'y'")
        set_fields(self, z=finite("Dipole", "z", self.z), kick_gev=finite("Dipole", "kick_gev", self.kick_gev))

    def kick(self, p: ArrayLike, charge: ArrayLike) -> FloatArray:
        """Four-momenta (..., 4) after the kick; p_z = 0 where the track is swept back."""
        out = np.array(p, dtype=float, copy=True)
        i = 1 if self.axis == "x" else 2
        old = out[..., i]
        new = old + np.asarray(charge, dtype=float) * self.kick_gev
        pz2 = out[..., 3] ** 2 + old * old - new * new
        out[..., i] = new
        out[..., 3] = np.copysign(np.sqrt(np.maximum(pz2, 0.0)), out[..., 3])
        return out


def _runs(mask: BoolArray) -> list[slice]:
    """The runs of consecutive True entries of a 1-d mask, as slices."""
    edges = np.flatnonzero(np.diff(np.concatenate(([False], mask, [False])).astype(np.int8)))
    return [slice(int(lo), int(hi)) for lo, hi in zip(edges[::2], edges[1::2])]


def track_positions_at(
    vertex: ArrayLike,
    p: ArrayLike,
    zs: ArrayLike,
    charge: ArrayLike = 0.0,
    dipole: Dipole | None = None,
) -> tuple[FloatArray, FloatArray, BoolArray]:
    """Transverse positions (x, y) in m where straight tracks from ``vertex`` (..., 3) with
    four-momenta ``p`` (..., 4) cross the planes at ``zs`` (m, shape (m,)), bent by ``dipole``
    where the vertex is upstream of the dipole and the plane downstream of it.

    ``vertex`` and ``p`` broadcast against each other (e.g. vertices (n, k, 3) and momenta
    (n, 1, 4): k vertices per track). The slopes, the kick and the dipole crossing point do not
    depend on the plane and are computed once per track; each plane then costs a multiply-add.
    Returns (x, y, reached), each (m, ...) with the plane first; ``reached`` is False for tracks
    that start downstream of the plane or do not move forward (p_z ≤ 0, also after the kick);
    x, y there are whatever the arithmetic gives (mask them with ``reached``).
    """
    v = np.asarray(vertex, dtype=float)
    p = np.asarray(p, dtype=float)
    z = np.asarray(zs, dtype=float).reshape(-1)
    shape = np.broadcast_shapes(v.shape[:-1], p.shape[:-1])
    zb = z.reshape((-1,) + (1,) * len(shape))  # (m, 1, …) against the tracks
    vx, vy, vz = v[..., 0], v[..., 1], v[..., 2]
    reached = (p[..., 3] > 0.0) & (vz <= zb)
    after = z > dipole.z if dipole is not None else np.zeros(z.shape, dtype=bool)
    x, y = np.empty(reached.shape), np.empty(reached.shape)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        sx, sy = p[..., 1] / p[..., 3], p[..., 2] / p[..., 3]
        bent = None
        if dipole is not None and np.any(after):
            q = np.asarray(charge, dtype=float)
            q_shape = np.broadcast_shapes(p.shape[:-1], q.shape)
            q = np.broadcast_to(q, q_shape)
            pk = dipole.kick(np.broadcast_to(p, q_shape + (4,)), q)
            bent = np.broadcast_to((vz < dipole.z) & (q != 0.0), shape)
        # planes reached in a straight line: all of them without a bend, else those up to the dipole
        straight = ~after if bent is not None and bent.all() else np.ones(z.shape, dtype=bool)
        for rows in _runs(straight):
            d = zb[rows] - vz
            np.add(vx, sx * d, out=x[rows])
            np.add(vy, sy * d, out=y[rows])
        if bent is not None:
            kx, ky = pk[..., 1] / pk[..., 3], pk[..., 2] / pk[..., 3]
            lever = dipole.z - vz
            xd, yd = vx + sx * lever, vy + sy * lever  # where the track crosses the dipole
            for rows in _runs(after):
                za = zb[rows] - dipole.z
                np.copyto(x[rows], xd + kx * za, where=bent)
                np.copyto(y[rows], yd + ky * za, where=bent)
                reached[rows] &= ~bent | (pk[..., 3] > 0.0)
    return x, y, reached


def track_position_at(
    vertex: ArrayLike,
    p: ArrayLike,
    z: float,
    charge: ArrayLike = 0.0,
    dipole: Dipole | None = None,
) -> tuple[FloatArray, FloatArray, BoolArray]:
    """Transverse position (x, y) in m where a straight track from ``vertex`` (n, 3) with
    four-momentum ``p`` (n, 4) crosses the plane at ``z`` (m), bent by ``dipole`` if the vertex is
    upstream of the dipole and the plane downstream of it.

    Returns (x, y, reached); ``reached`` is False (and x, y are NaN) for tracks that start
    downstream of the plane or do not move forward (p_z ≤ 0, also after the kick).
    """
    x, y, reached = track_positions_at(vertex, p, [float(z)], charge, dipole)
    return np.where(reached[0], x[0], np.nan), np.where(reached[0], y[0], np.nan), reached[0]
