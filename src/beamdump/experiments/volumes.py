"""Decay volumes: cylinders, annuli, boxes and frusta with their axis along z, on or off axis.

Conventions: lengths in metres, right-handed coordinates with z along the beam and the origin at
the production target. Path-length intervals returned by ``intervals`` are measured along the
*normalised* direction, forward from the origin only (0 ≤ L_in ≤ L_out); unused slots are (0, 0).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

import numpy as np
from numpy.typing import ArrayLike

from beamdump.errors import BeamdumpInputError

from ._checks import check_offset, check_z_range, positive, set_fields
from .rays import INF, BoolArray, FloatArray, clean, disk, pack_intervals, slab, unit_lines

@runtime_checkable
class DecayVolume(Protocol):
    """A decay volume: a solid with its axis parallel to z."""

    z_start: float
    z_end: float

    @property
    def max_intervals(self) -> int: ...

    def intervals(self, origin: ArrayLike, direction: ArrayLike) -> FloatArray: ...

    def contains(self, points: ArrayLike) -> BoolArray: ...

    def angular_bounds(self, origin: ArrayLike = (0.0, 0.0, 0.0)) -> tuple[float, float]: ...

    def azimuth_window(self) -> tuple[float, float] | None: ...


def _window_of_points(xs: list[float], ys: list[float], x0: float, y0: float) -> tuple[float, float]:
    """Azimuth range (rad) of a convex set not containing the z axis, from its extreme points,
    measured about the direction of its centre (x0, y0) so that it never wraps."""
    centre = math.atan2(y0, x0)
    rel = [(math.atan2(y, x) - centre + math.pi) % (2.0 * math.pi) - math.pi for x, y in zip(xs, ys)]
    return centre + min(rel), centre + max(rel)


def _rectangle_window(x0: float, y0: float, hx: float, hy: float) -> tuple[float, float] | None:
    if abs(x0) <= hx and abs(y0) <= hy:
        return None
    corners = [(x0 + sx * hx, y0 + sy * hy) for sx in (-1.0, 1.0) for sy in (-1.0, 1.0)]
    return _window_of_points([c[0] for c in corners], [c[1] for c in corners], x0, y0)


def _disk_window(x0: float, y0: float, radius: float) -> tuple[float, float] | None:
    d = math.hypot(x0, y0)
    if d <= radius:
        return None
    half, centre = math.asin(radius / d), math.atan2(y0, x0)
    return centre - half, centre + half


class _VolumeBase:
    """Shared helpers: polar-angle bounds from a transverse distance range."""

    z_start: float
    z_end: float
    x0: float
    y0: float

    def _rho_range(self, sx: float, sy: float) -> tuple[float, float]:
        raise NotImplementedError

    def _check_placement(self) -> None:
        """Validate z_start < z_end and the finite axis offset (x0, y0) of any volume."""
        check_z_range(self, self.z_start, self.z_end)
        check_offset(self, self.x0, self.y0)

    def angular_bounds(self, origin: ArrayLike = (0.0, 0.0, 0.0)) -> tuple[float, float]:
        """(θ_min, θ_max) in rad: the polar angles w.r.t. +z, seen from ``origin`` (m), that bound
        every point of the volume. Exact for these prism shapes; (0, π) if the origin is inside."""
        o = np.asarray(origin, dtype=float).reshape(3)
        rho_min, rho_max = self._rho_range(float(o[0]) - self.x0, float(o[1]) - self.y0)
        dz_min, dz_max = self.z_start - float(o[2]), self.z_end - float(o[2])
        if rho_min == 0.0 and dz_min <= 0.0 <= dz_max:
            return 0.0, math.pi
        th_max = max(math.atan2(rho_min, dz_min), math.atan2(rho_max, dz_min))
        th_min = min(math.atan2(rho_min, dz_max), math.atan2(rho_max, dz_max))
        return th_min, th_max

    def bounding_half_angle(self, origin: ArrayLike = (0.0, 0.0, 0.0)) -> float:
        """Largest polar angle (rad) under which any point of the volume is seen from ``origin``."""
        return self.angular_bounds(origin)[1]

    def azimuth_window(self) -> tuple[float, float] | None:
        """(φ_lo, φ_hi) in rad, φ_hi − φ_lo < π: the azimuths about the z axis of every point of
        the volume, i.e. the only directions in which a particle made on the z axis can reach it.
        ``None`` when the volume's transverse extent contains or touches the axis (all azimuths)."""
        raise NotImplementedError

    def _centred(self, o: FloatArray) -> tuple[FloatArray, FloatArray]:
        return o[..., 0] - self.x0, o[..., 1] - self.y0

    def _in_z(self, p: FloatArray) -> BoolArray:
        """True for points (..., 3) with z_start ≤ z ≤ z_end."""
        return (p[..., 2] >= self.z_start) & (p[..., 2] <= self.z_end)


@dataclass(frozen=True)
class Cylinder(_VolumeBase):
    """Solid cylinder z_start ≤ z ≤ z_end, radius ``radius`` around (x0, y0); metres."""

    z_start: float
    z_end: float
    radius: float
    x0: float = 0.0
    y0: float = 0.0

    def __post_init__(self) -> None:
        self._check_placement()
        set_fields(self, radius=positive("Cylinder", "radius", self.radius))

    @property
    def max_intervals(self) -> int:
        return 1

    def intervals(self, origin: ArrayLike, direction: ArrayLike) -> FloatArray:
        """Path-length intervals (..., 1, 2) in metres inside the cylinder."""
        ox, oy, oz, dx, dy, dz = unit_lines(origin, direction)
        z0, z1 = slab(oz, dz, self.z_start, self.z_end)
        r0, r1 = disk(ox - self.x0, oy - self.y0, dx, dy, self.radius)
        lo, hi, ok = clean(np.maximum(z0, r0), np.minimum(z1, r1))
        return pack_intervals(ok.shape, (lo, hi))

    def contains(self, points: ArrayLike) -> BoolArray:
        """True for points (..., 3) inside or on the surface."""
        p = np.asarray(points, dtype=float)
        ux, uy = self._centred(p)
        return self._in_z(p) & (ux * ux + uy * uy <= self.radius**2)

    def _rho_range(self, sx: float, sy: float) -> tuple[float, float]:
        s = math.hypot(sx, sy)
        return max(0.0, s - self.radius), s + self.radius

    def azimuth_window(self) -> tuple[float, float] | None:
        return _disk_window(self.x0, self.y0, self.radius)


@dataclass(frozen=True)
class Annulus(_VolumeBase):
    """Cylindrical shell r_inner ≤ r ≤ r_outer around (x0, y0), z_start ≤ z ≤ z_end; metres.

    A line may cross it in two separate intervals (``max_intervals`` = 2)."""

    z_start: float
    z_end: float
    r_inner: float
    r_outer: float
    x0: float = 0.0
    y0: float = 0.0

    def __post_init__(self) -> None:
        self._check_placement()
        ri = positive("Annulus", "r_inner", self.r_inner)
        ro = positive("Annulus", "r_outer", self.r_outer)
        if not ro > ri:
            raise BeamdumpInputError(f"Annulus.r_outer = {self.r_outer!r}: must be > r_inner = {ri!r}")
        set_fields(self, r_inner=ri, r_outer=ro)

    @property
    def max_intervals(self) -> int:
        return 2

    def intervals(self, origin: ArrayLike, direction: ArrayLike) -> FloatArray:
        """Path-length intervals (..., 2, 2) in metres inside the shell, sorted, valid ones first."""
        ox, oy, oz, dx, dy, dz = unit_lines(origin, direction)
        ux, uy = ox - self.x0, oy - self.y0
        z0, z1 = slab(oz, dz, self.z_start, self.z_end)
        a0, a1 = disk(ux, uy, dx, dy, self.r_outer)
        b0, b1 = disk(ux, uy, dx, dy, self.r_inner)  # NaN: the hole is missed
        lo = np.maximum(np.maximum(z0, a0), 0.0)
        hi = np.minimum(z1, a1)
        lo1, hi1, ok1 = clean(lo, np.fmin(hi, b0))  # fmin ignores a NaN b0
        lo2, hi2, ok2 = clean(np.maximum(lo, b1), hi)  # NaN b1 empties the second piece
        only2 = ~ok1
        return pack_intervals(ok1.shape, (lo1 + lo2 * only2, hi1 + hi2 * only2), (lo2 * ok1, hi2 * ok1))

    def contains(self, points: ArrayLike) -> BoolArray:
        """True for points (..., 3) inside the shell or on its surfaces."""
        p = np.asarray(points, dtype=float)
        ux, uy = self._centred(p)
        r2 = ux * ux + uy * uy
        return self._in_z(p) & (r2 <= self.r_outer**2) & (r2 >= self.r_inner**2)

    def _rho_range(self, sx: float, sy: float) -> tuple[float, float]:
        s = math.hypot(sx, sy)
        return max(0.0, s - self.r_outer, self.r_inner - s), s + self.r_outer

    def azimuth_window(self) -> tuple[float, float] | None:
        return _disk_window(self.x0, self.y0, self.r_outer)


@dataclass(frozen=True)
class Box(_VolumeBase):
    """Rectangular box |x − x0| ≤ half_x, |y − y0| ≤ half_y, z_start ≤ z ≤ z_end; metres."""

    z_start: float
    z_end: float
    half_x: float
    half_y: float
    x0: float = 0.0
    y0: float = 0.0

    def __post_init__(self) -> None:
        self._check_placement()
        set_fields(
            self,
            half_x=positive("Box", "half_x", self.half_x),
            half_y=positive("Box", "half_y", self.half_y),
        )

    @property
    def max_intervals(self) -> int:
        return 1

    def intervals(self, origin: ArrayLike, direction: ArrayLike) -> FloatArray:
        """Path-length intervals (..., 1, 2) in metres inside the box."""
        ox, oy, oz, dx, dy, dz = unit_lines(origin, direction)
        x0, x1 = slab(ox, dx, self.x0 - self.half_x, self.x0 + self.half_x)
        y0, y1 = slab(oy, dy, self.y0 - self.half_y, self.y0 + self.half_y)
        z0, z1 = slab(oz, dz, self.z_start, self.z_end)
        lo, hi, ok = clean(np.maximum(np.maximum(x0, y0), z0), np.minimum(np.minimum(x1, y1), z1))
        return pack_intervals(ok.shape, (lo, hi))

    def contains(self, points: ArrayLike) -> BoolArray:
        """True for points (..., 3) inside or on the surface."""
        p = np.asarray(points, dtype=float)
        ux, uy = self._centred(p)
        return self._in_z(p) & (np.abs(ux) <= self.half_x) & (np.abs(uy) <= self.half_y)

    def _rho_range(self, sx: float, sy: float) -> tuple[float, float]:
        ax, ay = abs(sx), abs(sy)
        near = math.hypot(max(ax - self.half_x, 0.0), max(ay - self.half_y, 0.0))
        return near, math.hypot(ax + self.half_x, ay + self.half_y)

    def azimuth_window(self) -> tuple[float, float] | None:
        return _rectangle_window(self.x0, self.y0, self.half_x, self.half_y)


@dataclass(frozen=True)
class Frustum(_VolumeBase):
    """Rectangular frustum (a pyramid cut at both ends): |x − x0| ≤ hx(z), |y − y0| ≤ hy(z),
    z_start ≤ z ≤ z_end, with half-widths growing linearly from (half_x_start, half_y_start) at
    z_start to (half_x_end, half_y_end) at z_end; metres. SHiP's decay vessel has this shape."""

    z_start: float
    z_end: float
    half_x_start: float
    half_y_start: float
    half_x_end: float
    half_y_end: float
    x0: float = 0.0
    y0: float = 0.0

    def __post_init__(self) -> None:
        self._check_placement()
        n = "Frustum"
        set_fields(
            self,
            half_x_start=positive(n, "half_x_start", self.half_x_start),
            half_y_start=positive(n, "half_y_start", self.half_y_start),
            half_x_end=positive(n, "half_x_end", self.half_x_end),
            half_y_end=positive(n, "half_y_end", self.half_y_end),
        )

    @property
    def max_intervals(self) -> int:
        return 1

    def _slopes(self) -> tuple[float, float]:
        length = self.z_end - self.z_start
        return (self.half_x_end - self.half_x_start) / length, (self.half_y_end - self.half_y_start) / length

    def half_widths(self, z: ArrayLike) -> tuple[FloatArray, FloatArray]:
        """(hx, hy) in m at z (m), extrapolated linearly outside [z_start, z_end]."""
        kx, ky = self._slopes()
        dz = np.asarray(z, dtype=float) - self.z_start
        return self.half_x_start + kx * dz, self.half_y_start + ky * dz

    def intervals(self, origin: ArrayLike, direction: ArrayLike) -> FloatArray:
        """Path-length intervals (..., 1, 2) in metres inside the frustum (a convex solid)."""
        ox, oy, oz, dx, dy, dz = unit_lines(origin, direction)
        kx, ky = self._slopes()
        lo, hi = slab(oz, dz, self.z_start, self.z_end)
        ux, uy = ox - self.x0, oy - self.y0
        # each side face u ≤ h(z) reads a + b·t ≤ 0 along the line
        for u, du, h0, k in ((ux, dx, self.half_x_start, kx), (uy, dy, self.half_y_start, ky)):
            base = h0 + k * (oz - self.z_start)
            for sign in (1.0, -1.0):
                a, b = sign * u - base, sign * du - k * dz
                with np.errstate(divide="ignore", invalid="ignore"):
                    t = -a / b
                lo = np.where(b < 0.0, np.maximum(lo, t), lo)
                hi = np.where(b > 0.0, np.minimum(hi, t), hi)
                outside = (b == 0.0) & (a > 0.0)
                hi = np.where(outside, -INF, hi)
        lo, hi, ok = clean(lo, hi)
        return pack_intervals(ok.shape, (lo, hi))

    def contains(self, points: ArrayLike) -> BoolArray:
        """True for points (..., 3) inside or on the surface."""
        p = np.asarray(points, dtype=float)
        ux, uy = self._centred(p)
        hx, hy = self.half_widths(p[..., 2])
        return self._in_z(p) & (np.abs(ux) <= hx) & (np.abs(uy) <= hy)

    def angular_bounds(self, origin: ArrayLike = (0.0, 0.0, 0.0)) -> tuple[float, float]:
        """(θ_min, θ_max) in rad bounding every point seen from ``origin`` (m). θ_max is exact (the
        largest angle of a convex solid seen from upstream is at a corner); θ_min is 0 (a bound)."""
        o = np.asarray(origin, dtype=float).reshape(3)
        if self.contains(o) or o[2] >= self.z_start:
            return 0.0, math.pi
        corners = []
        for z, hx, hy in ((self.z_start, self.half_x_start, self.half_y_start), (self.z_end, self.half_x_end, self.half_y_end)):
            for sx in (-1.0, 1.0):
                for sy in (-1.0, 1.0):
                    rho = math.hypot(self.x0 + sx * hx - o[0], self.y0 + sy * hy - o[1])
                    corners.append(math.atan2(rho, z - o[2]))
        return 0.0, max(corners)

    def azimuth_window(self) -> tuple[float, float] | None:
        # every cross-section lies inside the rectangle of the larger half-widths about (x0, y0):
        # its window holds every point (tight unless x and y taper in opposite directions)
        hx, hy = max(self.half_x_start, self.half_x_end), max(self.half_y_start, self.half_y_end)
        return _rectangle_window(self.x0, self.y0, hx, hy)
