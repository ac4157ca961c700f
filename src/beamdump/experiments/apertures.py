"""Detector planes: apertures at fixed z with an active area (rings, rectangles, octagons,
optionally with a central beam hole); lengths in metres."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

import numpy as np
from numpy.typing import ArrayLike

from beamdump.errors import BeamdumpInputError

from ._checks import check_offset, finite, non_negative, positive, set_fields
from .rays import BoolArray, FloatArray

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
        ri = non_negative(n, "r_inner", self.r_inner)
        ro = positive(n, "r_outer", self.r_outer)
        if not ro > ri:
            raise BeamdumpInputError(f"{n}.r_outer = {self.r_outer!r}: must be > r_inner = {ri!r}")
        set_fields(self, z=finite(n, "z", self.z), r_inner=ri, r_outer=ro)
        check_offset(self, self.x0, self.y0)

    def contains(self, x: ArrayLike, y: ArrayLike) -> BoolArray:
        """True where (x, y) (m) lies on the ring, boundaries included."""
        ux, uy = _centred(x, self.x0), _centred(y, self.y0)
        r2 = ux * ux
        r2 += uy * uy
        inside = r2 <= self.r_outer**2
        if self.r_inner > 0.0:
            inside &= r2 >= self.r_inner**2
        return inside


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
        hx = positive(n, "half_x", self.half_x)
        hy = positive(n, "half_y", self.half_y)
        h = non_negative(n, "hole_radius", self.hole_radius)
        if h >= math.hypot(hx, hy):
            raise BeamdumpInputError(
                f"{n}.hole_radius = {self.hole_radius!r}: must be >= 0 and < the half-diagonal "
                f"{math.hypot(hx, hy)!r} (the hole would cover the whole plane)"
            )
        set_fields(self, z=finite(n, "z", self.z), half_x=hx, half_y=hy, hole_radius=h)
        check_offset(self, self.x0, self.y0)

    def contains(self, x: ArrayLike, y: ArrayLike) -> BoolArray:
        """True where (x, y) (m) is inside the rectangle and not strictly inside the hole."""
        ux, uy = _centred(x, self.x0), _centred(y, self.y0)
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
        a = positive(n, "apothem", self.apothem)
        h = non_negative(n, "hole_radius", self.hole_radius)
        if h >= self.circumradius_of(a):
            raise BeamdumpInputError(
                f"{n}.hole_radius = {self.hole_radius!r}: must be >= 0 and < the circumradius "
                f"{self.circumradius_of(a)!r}"
            )
        set_fields(self, z=finite(n, "z", self.z), apothem=a, hole_radius=h)
        check_offset(self, self.x0, self.y0)

    @staticmethod
    def circumradius_of(apothem: float) -> float:
        """Centre-to-vertex distance (m) of a regular octagon with the given apothem (m)."""
        return apothem / math.cos(math.pi / 8.0)

    @property
    def circumradius(self) -> float:
        return self.circumradius_of(self.apothem)

    def contains(self, x: ArrayLike, y: ArrayLike) -> BoolArray:
        """True where (x, y) (m) is inside the octagon (boundary included) and outside the hole."""
        ax, ay = np.abs(_centred(x, self.x0)), np.abs(_centred(y, self.y0))
        a = self.apothem
        inside = ax <= a
        inside &= ay <= a
        inside &= ax + ay <= a * math.sqrt(2.0)
        if self.hole_radius > 0.0:
            inside &= ax * ax + ay * ay >= self.hole_radius**2
        return inside


def _centred(u: ArrayLike, u0: float) -> FloatArray:
    """u − u0 (m), without the subtraction for an aperture on the axis."""
    u = np.asarray(u, dtype=float)
    return u - u0 if u0 != 0.0 else u
