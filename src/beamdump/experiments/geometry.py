"""Decay volumes, detector apertures, a thin dipole and daughter acceptance (pure geometry).

Conventions: lengths in metres, momenta/energies in GeV. Right-handed coordinates with z along
the beam and the origin at the production target (front face of the dump). Points and directions
are arrays (..., 3); four-momenta are (..., 4) ordered (E, px, py, pz) as in
:mod:`beamdump.kinematics`. Everything is vectorised over the leading axes.

Path-length intervals returned by ``intervals`` are measured along the *normalised* direction,
forward from the origin only (0 ≤ L_in ≤ L_out); unused slots are (0, 0).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Protocol, Sequence, runtime_checkable

import numpy as np
from numpy.typing import ArrayLike, NDArray

from beamdump.errors import BeamdumpInputError

FloatArray = NDArray[np.float64]
BoolArray = NDArray[np.bool_]

__all__ = [
    "Annulus",
    "AnnulusAperture",
    "Aperture",
    "Box",
    "BoxAperture",
    "Cylinder",
    "DaughterAcceptance",
    "DecayVolume",
    "Dipole",
    "Frustum",
    "OctagonAperture",
    "points_along",
    "track_position_at",
    "track_positions_at",
]

_INF = np.inf
_COMPACT_BELOW = 0.6  # DaughterAcceptance tracks a daughter only for the decays still accepted below this fraction


# ----------------------------------------------------------------------------- validation helpers


def _finite(owner: str, name: str, value: float) -> float:
    v = float(value)
    if not math.isfinite(v):
        raise BeamdumpInputError(f"{owner}.{name} = {value!r}: must be a finite number (metres/GeV)")
    return v


def _positive(owner: str, name: str, value: float) -> float:
    v = _finite(owner, name, value)
    if v <= 0.0:
        raise BeamdumpInputError(f"{owner}.{name} = {value!r}: must be finite and > 0")
    return v


def _non_negative(owner: str, name: str, value: float) -> float:
    v = _finite(owner, name, value)
    if v < 0.0:
        raise BeamdumpInputError(f"{owner}.{name} = {value!r}: must be finite and >= 0")
    return v


def _set(obj: object, **values: object) -> None:
    for k, v in values.items():
        object.__setattr__(obj, k, v)


def _check_z_range(obj: object, z_start: float, z_end: float) -> None:
    owner = type(obj).__name__
    zs = _finite(owner, "z_start", z_start)
    ze = _finite(owner, "z_end", z_end)
    if not ze > zs:
        raise BeamdumpInputError(f"{owner}.z_end = {z_end!r}: must be > z_start = {zs!r}")
    _set(obj, z_start=zs, z_end=ze)


# ----------------------------------------------------------------------------- ray primitives
# Empty parameter intervals are encoded as NaN or as (±inf, ±inf) pairs that fail ``hi > lo``;
# IEEE arithmetic does the case analysis, which keeps the hot path free of np.where.


def _lines(origin: ArrayLike, direction: ArrayLike) -> tuple[FloatArray, ...]:
    """Components (ox, oy, oz, dx, dy, dz) of origins and unit-normalised directions.

    Zero or non-finite directions become NaN, so such lines miss everything."""
    o = np.asarray(origin, dtype=float)
    d = np.asarray(direction, dtype=float)
    if o.shape[-1:] != (3,) or d.shape[-1:] != (3,):
        raise BeamdumpInputError("origin and direction must be arrays of shape (..., 3)")
    dx, dy, dz = d[..., 0], d[..., 1], d[..., 2]
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        inv = 1.0 / np.sqrt(dx * dx + dy * dy + dz * dz)
        return o[..., 0], o[..., 1], o[..., 2], dx * inv, dy * inv, dz * inv


def _slab(o: FloatArray, d: FloatArray, lo: float, hi: float) -> tuple[FloatArray, FloatArray]:
    """Parameter interval where lo ≤ o + t·d ≤ hi. For d = 0 this is (−inf, inf) inside,
    (inf, inf) or (−inf, −inf) outside and NaN exactly on a face (all but the first are empty)."""
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        ta = (lo - o) / d
        tb = (hi - o) / d
    return np.minimum(ta, tb), np.maximum(ta, tb)


def _disk(
    ux: FloatArray, uy: FloatArray, dx: FloatArray, dy: FloatArray, r: float
) -> tuple[FloatArray, FloatArray]:
    """Parameter interval inside the infinite cylinder x² + y² ≤ r² (origin already centred);
    NaN when the line misses it."""
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        a = dx * dx + dy * dy
        b = ux * dx + uy * dy
        c = ux * ux + uy * uy - r * r
        sq = np.sqrt(b * b - a * c)  # NaN for a miss
        q = -(b + np.copysign(sq, b))  # numerically stable roots q/a and c/q
        ra = q / a
        rb = c / q
    t0, t1 = np.minimum(ra, rb), np.maximum(ra, rb)
    par = a == 0.0  # parallel to the axis: inside everywhere or nowhere
    if np.any(par):
        inside = c <= 0.0
        t0 = np.where(par, np.where(inside, -_INF, np.nan), t0)
        t1 = np.where(par, np.where(inside, _INF, np.nan), t1)
    return t0, t1


def _clean(lo: FloatArray, hi: FloatArray) -> tuple[FloatArray, FloatArray, BoolArray]:
    """Clip to forward lengths; (0, 0) for empty or degenerate intervals. Returns (lo, hi, ok)."""
    lo = np.maximum(lo, 0.0)
    ok = hi > lo  # False for NaN; lo ≥ 0 so a finite volume gives finite valid ends
    with np.errstate(invalid="ignore"):  # x·ok is NaN for empty ±inf/NaN ends; fmax makes it 0
        return np.fmax(lo * ok, 0.0), np.fmax(hi * ok, 0.0), ok


def _pack(shape: tuple[int, ...], *pieces: tuple[FloatArray, FloatArray]) -> FloatArray:
    out = np.empty(shape + (len(pieces), 2))
    for i, (lo, hi) in enumerate(pieces):
        out[..., i, 0] = lo
        out[..., i, 1] = hi
    return out


# ----------------------------------------------------------------------------- decay volumes


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
        _check_z_range(self, self.z_start, self.z_end)
        name = type(self).__name__
        _set(self, x0=_finite(name, "x0", self.x0), y0=_finite(name, "y0", self.y0))

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
        _set(self, radius=_positive("Cylinder", "radius", self.radius))

    @property
    def max_intervals(self) -> int:
        return 1

    def intervals(self, origin: ArrayLike, direction: ArrayLike) -> FloatArray:
        """Path-length intervals (..., 1, 2) in metres inside the cylinder."""
        ox, oy, oz, dx, dy, dz = _lines(origin, direction)
        z0, z1 = _slab(oz, dz, self.z_start, self.z_end)
        r0, r1 = _disk(ox - self.x0, oy - self.y0, dx, dy, self.radius)
        lo, hi, ok = _clean(np.maximum(z0, r0), np.minimum(z1, r1))
        return _pack(ok.shape, (lo, hi))

    def contains(self, points: ArrayLike) -> BoolArray:
        """True for points (..., 3) inside or on the surface."""
        p = np.asarray(points, dtype=float)
        ux, uy = self._centred(p)
        return (p[..., 2] >= self.z_start) & (p[..., 2] <= self.z_end) & (
            ux * ux + uy * uy <= self.radius**2
        )

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
        ri = _positive("Annulus", "r_inner", self.r_inner)
        ro = _positive("Annulus", "r_outer", self.r_outer)
        if not ro > ri:
            raise BeamdumpInputError(f"Annulus.r_outer = {self.r_outer!r}: must be > r_inner = {ri!r}")
        _set(
            self,
            r_inner=ri,
            r_outer=ro,
        )

    @property
    def max_intervals(self) -> int:
        return 2

    def intervals(self, origin: ArrayLike, direction: ArrayLike) -> FloatArray:
        """Path-length intervals (..., 2, 2) in metres inside the shell, sorted, valid ones first."""
        ox, oy, oz, dx, dy, dz = _lines(origin, direction)
        ux, uy = ox - self.x0, oy - self.y0
        z0, z1 = _slab(oz, dz, self.z_start, self.z_end)
        a0, a1 = _disk(ux, uy, dx, dy, self.r_outer)
        b0, b1 = _disk(ux, uy, dx, dy, self.r_inner)  # NaN: the hole is missed
        lo = np.maximum(np.maximum(z0, a0), 0.0)
        hi = np.minimum(z1, a1)
        lo1, hi1, ok1 = _clean(lo, np.fmin(hi, b0))  # fmin ignores a NaN b0
        lo2, hi2, ok2 = _clean(np.maximum(lo, b1), hi)  # NaN b1 empties the second piece
        only2 = ~ok1
        return _pack(ok1.shape, (lo1 + lo2 * only2, hi1 + hi2 * only2), (lo2 * ok1, hi2 * ok1))

    def contains(self, points: ArrayLike) -> BoolArray:
        """True for points (..., 3) inside the shell or on its surfaces."""
        p = np.asarray(points, dtype=float)
        ux, uy = self._centred(p)
        r2 = ux * ux + uy * uy
        return (
            (p[..., 2] >= self.z_start)
            & (p[..., 2] <= self.z_end)
            & (r2 <= self.r_outer**2)
            & (r2 >= self.r_inner**2)
        )

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
        _set(
            self,
            half_x=_positive("Box", "half_x", self.half_x),
            half_y=_positive("Box", "half_y", self.half_y),
        )

    @property
    def max_intervals(self) -> int:
        return 1

    def intervals(self, origin: ArrayLike, direction: ArrayLike) -> FloatArray:
        """Path-length intervals (..., 1, 2) in metres inside the box."""
        ox, oy, oz, dx, dy, dz = _lines(origin, direction)
        x0, x1 = _slab(ox, dx, self.x0 - self.half_x, self.x0 + self.half_x)
        y0, y1 = _slab(oy, dy, self.y0 - self.half_y, self.y0 + self.half_y)
        z0, z1 = _slab(oz, dz, self.z_start, self.z_end)
        lo, hi, ok = _clean(np.maximum(np.maximum(x0, y0), z0), np.minimum(np.minimum(x1, y1), z1))
        return _pack(ok.shape, (lo, hi))

    def contains(self, points: ArrayLike) -> BoolArray:
        """True for points (..., 3) inside or on the surface."""
        p = np.asarray(points, dtype=float)
        ux, uy = self._centred(p)
        return (
            (p[..., 2] >= self.z_start)
            & (p[..., 2] <= self.z_end)
            & (np.abs(ux) <= self.half_x)
            & (np.abs(uy) <= self.half_y)
        )

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
        _set(
            self,
            half_x_start=_positive(n, "half_x_start", self.half_x_start),
            half_y_start=_positive(n, "half_y_start", self.half_y_start),
            half_x_end=_positive(n, "half_x_end", self.half_x_end),
            half_y_end=_positive(n, "half_y_end", self.half_y_end),
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
        ox, oy, oz, dx, dy, dz = _lines(origin, direction)
        kx, ky = self._slopes()
        lo, hi = _slab(oz, dz, self.z_start, self.z_end)
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
                hi = np.where(outside, -_INF, hi)
        lo, hi, ok = _clean(lo, hi)
        return _pack(ok.shape, (lo, hi))

    def contains(self, points: ArrayLike) -> BoolArray:
        """True for points (..., 3) inside or on the surface."""
        p = np.asarray(points, dtype=float)
        ux, uy = self._centred(p)
        hx, hy = self.half_widths(p[..., 2])
        return (p[..., 2] >= self.z_start) & (p[..., 2] <= self.z_end) & (np.abs(ux) <= hx) & (np.abs(uy) <= hy)

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


def points_along(origin: ArrayLike, direction: ArrayLike, lengths: ArrayLike) -> FloatArray:
    """Positions (m) at path ``lengths`` (m) along the normalised direction from ``origin``.

    origin (3,) or (n, 3), direction (n, 3); lengths (n,) → (n, 3), lengths (n, m) → (n, m, 3).
    """
    o = np.asarray(origin, dtype=float)
    d = np.asarray(direction, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        d = d / np.sqrt(np.sum(d * d, axis=-1, keepdims=True))
    o, d = np.broadcast_arrays(o, d)
    L = np.asarray(lengths, dtype=float)
    if L.ndim == o.ndim:  # (n, m) lengths: m points per line
        return o[..., None, :] + L[..., None] * d[..., None, :]
    return o + L[..., None] * d


# ----------------------------------------------------------------------------- apertures


@runtime_checkable
class Aperture(Protocol):
    """A detector plane at fixed z (m) with an active area."""

    z: float

    def contains(self, x: ArrayLike, y: ArrayLike) -> BoolArray: ...


@dataclass(frozen=True)
class AnnulusAperture:
    """Ring r_inner ≤ r ≤ r_outer (m) around (x0, y0) in the plane z (m); r_inner may be 0."""

    z: float
    r_inner: float
    r_outer: float
    x0: float = 0.0
    y0: float = 0.0

    def __post_init__(self) -> None:
        n = "AnnulusAperture"
        ri = _non_negative(n, "r_inner", self.r_inner)
        ro = _positive(n, "r_outer", self.r_outer)
        if not ro > ri:
            raise BeamdumpInputError(f"{n}.r_outer = {self.r_outer!r}: must be > r_inner = {ri!r}")
        _set(self, z=_finite(n, "z", self.z), r_inner=ri, r_outer=ro,
             x0=_finite(n, "x0", self.x0), y0=_finite(n, "y0", self.y0))

    def contains(self, x: ArrayLike, y: ArrayLike) -> BoolArray:
        """True where (x, y) (m) lies on the ring, boundaries included."""
        ux = np.asarray(x, dtype=float) - self.x0
        uy = np.asarray(y, dtype=float) - self.y0
        r2 = ux * ux + uy * uy
        return (r2 >= self.r_inner**2) & (r2 <= self.r_outer**2)


@dataclass(frozen=True)
class BoxAperture:
    """Rectangle |x − x0| ≤ half_x, |y − y0| ≤ half_y (m) at z, minus an optional central hole
    of radius ``hole_radius`` (m, 0 = no hole)."""

    z: float
    half_x: float
    half_y: float
    x0: float = 0.0
    y0: float = 0.0
    hole_radius: float = 0.0

    def __post_init__(self) -> None:
        n = "BoxAperture"
        hx = _positive(n, "half_x", self.half_x)
        hy = _positive(n, "half_y", self.half_y)
        h = _non_negative(n, "hole_radius", self.hole_radius)
        if h >= math.hypot(hx, hy):
            raise BeamdumpInputError(
                f"{n}.hole_radius = {self.hole_radius!r}: must be >= 0 and < the half-diagonal "
                f"{math.hypot(hx, hy)!r} (the hole would cover the whole plane)"
            )
        _set(self, z=_finite(n, "z", self.z), half_x=hx, half_y=hy, hole_radius=h,
             x0=_finite(n, "x0", self.x0), y0=_finite(n, "y0", self.y0))

    def contains(self, x: ArrayLike, y: ArrayLike) -> BoolArray:
        """True where (x, y) (m) is inside the rectangle and not strictly inside the hole."""
        ux = np.asarray(x, dtype=float) - self.x0
        uy = np.asarray(y, dtype=float) - self.y0
        inside = (np.abs(ux) <= self.half_x) & (np.abs(uy) <= self.half_y)
        if self.hole_radius > 0.0:
            inside &= ux * ux + uy * uy >= self.hole_radius**2
        return inside


@dataclass(frozen=True)
class OctagonAperture:
    """Regular octagon with sides parallel to the axes, ``apothem`` (m, centre-to-side) around
    (x0, y0) at z, minus an optional central hole of radius ``hole_radius`` (m)."""

    z: float
    apothem: float
    hole_radius: float = 0.0
    x0: float = 0.0
    y0: float = 0.0

    def __post_init__(self) -> None:
        n = "OctagonAperture"
        a = _positive(n, "apothem", self.apothem)
        h = _non_negative(n, "hole_radius", self.hole_radius)
        if h >= self.circumradius_of(a):
            raise BeamdumpInputError(
                f"{n}.hole_radius = {self.hole_radius!r}: must be >= 0 and < the circumradius "
                f"{self.circumradius_of(a)!r}"
            )
        _set(self, z=_finite(n, "z", self.z), apothem=a, hole_radius=h,
             x0=_finite(n, "x0", self.x0), y0=_finite(n, "y0", self.y0))

    @staticmethod
    def circumradius_of(apothem: float) -> float:
        """Centre-to-vertex distance (m) of a regular octagon with the given apothem (m)."""
        return apothem / math.cos(math.pi / 8.0)

    @property
    def circumradius(self) -> float:
        return self.circumradius_of(self.apothem)

    def contains(self, x: ArrayLike, y: ArrayLike) -> BoolArray:
        """True where (x, y) (m) is inside the octagon (boundary included) and outside the hole."""
        ax = np.abs(np.asarray(x, dtype=float) - self.x0)
        ay = np.abs(np.asarray(y, dtype=float) - self.y0)
        a = self.apothem
        inside = (ax <= a) & (ay <= a) & (ax + ay <= a * math.sqrt(2.0))
        if self.hole_radius > 0.0:
            inside &= ax * ax + ay * ay >= self.hole_radius**2
        return inside


# ----------------------------------------------------------------------------- dipole, acceptance


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
        _set(self, z=_finite("Dipole", "z", self.z), kick_gev=_finite("Dipole", "kick_gev", self.kick_gev))

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
        _set(
            self,
            planes=planes,
            min_energy_each=_non_negative(n, "min_energy_each", self.min_energy_each),
            min_energy_sum=_non_negative(n, "min_energy_sum", self.min_energy_sum),
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
