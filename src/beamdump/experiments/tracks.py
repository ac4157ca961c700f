"""Straight tracks of decay daughters to detector planes, bent by a thin dipole.

Lengths in metres, momenta in GeV; four-momenta (..., 4) ordered (E, px, py, pz).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike

from beamdump.errors import BeamdumpInputError

from ._checks import finite, set_fields
from .rays import BoolArray, FloatArray, flat_rows

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


def crossings_along(
    origin: FloatArray,
    direction: FloatArray,
    lengths: FloatArray,
    p: FloatArray,
    charge: float | FloatArray,
    zs: FloatArray,
    dipole: Dipole | None = None,
) -> tuple[FloatArray, FloatArray, BoolArray]:
    """Where daughters cross the planes at ``zs`` (m, shape (m,)) when they start at the k
    vertices origin + L·direction of their parent's flight line: origin, direction (n, 3) in m
    (direction of unit length, or any vector when every L is 0), lengths L ≥ 0 (n, k) in m, one
    daughter per line with four-momentum ``p`` (n, 4, GeV) and ``charge`` (a number or (n,)), bent by
    ``dipole`` where the vertex is upstream of the dipole and the plane downstream of it.

    A straight track crosses z at x = o_x + s_x (z − o_z) + L (d_x − s_x d_z) (s = p_⊥/p_z), a
    bent one at o_x + s_x (z_D − o_z) + k_x (z − z_D) + L (d_x − s_x d_z) (k = the slope after the
    kick): the L term does not depend on the plane, the rest not on the vertex, so each plane
    costs one (n, k) addition per coordinate. Returns (x, y, reached): x and y (m, n, k),
    ``reached`` (m, n, k) or, when no vertex lies downstream of a plane or of the dipole,
    (m, n, 1) (it broadcasts against x). ``reached`` is False for vertices downstream of the
    plane and tracks that do not move forward (p_z ≤ 0, also after the kick); x, y there are
    whatever the arithmetic gives (mask them with ``reached``).
    """
    z = [float(v) for v in np.asarray(zs, dtype=float).reshape(-1)]
    ox, oy, oz = origin[:, 0], origin[:, 1], origin[:, 2]
    n, k = lengths.shape
    x, y = np.empty((len(z), n, k)), np.empty((len(z), n, k))
    scalar = np.ndim(charge) == 0
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        sx, sy = p[:, 1] / p[:, 3], p[:, 2] / p[:, 3]
        dz = direction[:, 2]
        lx = lengths * (direction[:, 0] - sx * dz)[:, None]  # the vertex term, shared by every plane
        ly = lengths * (direction[:, 1] - sy * dz)[:, None]
        forward = (p[:, 3] > 0.0)[:, None]
        # a bound on every vertex's z (lengths are ≥ 0): where it lies upstream of a plane (or of
        # the dipole), the vertex along the line does not matter and the masks are per line, (n, 1)
        last = float(oz.max()) + float(lengths.max()) * max(float(dz.max()), 0.0) if n and k else -np.inf
        z_dip = dipole.z if dipole is not None else np.inf
        vz = oz[:, None] + lengths * dz[:, None] if last > min(z) or last >= z_dip else None
        charged = (float(charge) != 0.0) if scalar else (np.asarray(charge) != 0.0)[:, None]
        bend = any(zj > z_dip for zj in z) and bool(np.any(charged))
        if bend:
            pk = dipole.kick(p, charge)
            kx, ky = pk[:, 1] / pk[:, 3], pk[:, 2] / pk[:, 3]
            bent = charged if last < z_dip else (vz < z_dip) & charged
            every = bool(np.all(bent))
            xd, yd = ox + sx * (z_dip - oz), oy + sy * (z_dip - oz)  # at the dipole, less the vertex term
            forward_after = forward & (pk[:, 3:4] > 0.0) if every else forward & (~bent | (pk[:, 3:4] > 0.0))
        masks = []
        for j, zj in enumerate(z):
            kicked = bend and zj > z_dip
            if kicked and every:
                np.add(lx, (xd + kx * (zj - z_dip))[:, None], out=x[j])
                np.add(ly, (yd + ky * (zj - z_dip))[:, None], out=y[j])
            else:
                np.add(lx, (ox + sx * (zj - oz))[:, None], out=x[j])
                np.add(ly, (oy + sy * (zj - oz))[:, None], out=y[j])
                if kicked:  # only some tracks were bent: overwrite those
                    np.copyto(x[j], lx + (xd + kx * (zj - z_dip))[:, None], where=bent)
                    np.copyto(y[j], ly + (yd + ky * (zj - z_dip))[:, None], where=bent)
            mask = forward_after if kicked else forward
            masks.append(mask & (vz <= zj) if last > zj else mask)  # some vertex downstream of the plane
    wide = max((m.shape[1] for m in masks), default=1)
    reached = np.empty((len(z), n, wide), dtype=bool)
    for j, mask in enumerate(masks):
        reached[j] = mask
    return x, y, reached


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

    ``vertex``, ``p`` and ``charge`` broadcast against each other. Returns (x, y, reached), each
    (m, ...) with the plane first; ``reached`` is False for tracks that start downstream of the
    plane or do not move forward (p_z ≤ 0, also after the kick); x, y there are whatever the
    arithmetic gives (mask them with ``reached``). Vertices along flight lines are cheaper with
    :func:`crossings_along`, which this calls with L = 0.
    """
    v = np.asarray(vertex, dtype=float)
    p = np.asarray(p, dtype=float)
    q = np.asarray(charge, dtype=float)
    shape = np.broadcast_shapes(v.shape[:-1], p.shape[:-1], q.shape)
    v, p, q = flat_rows(v, shape, (3,)), flat_rows(p, shape, (4,)), flat_rows(q, shape)
    x, y, reached = crossings_along(v, np.zeros_like(v), np.zeros((len(v), 1)), p, q, zs, dipole)
    m = x.shape[0]
    return x.reshape((m,) + shape), y.reshape((m,) + shape), np.broadcast_to(reached, x.shape).reshape((m,) + shape)


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
