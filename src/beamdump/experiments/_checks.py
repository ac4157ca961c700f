"""Checks of geometry parameters: each bad value is one BeamdumpInputError naming the field."""

from __future__ import annotations

import math

from beamdump.errors import BeamdumpInputError

def finite(owner: str, name: str, value: float) -> float:
    v = float(value)
    if not math.isfinite(v):
        raise BeamdumpInputError(f"{owner}.{name} = {value!r}: must be a finite number (metres/GeV)")
    return v


def positive(owner: str, name: str, value: float) -> float:
    v = finite(owner, name, value)
    if v <= 0.0:
        raise BeamdumpInputError(f"{owner}.{name} = {value!r}: must be finite and > 0")
    return v


def non_negative(owner: str, name: str, value: float) -> float:
    v = finite(owner, name, value)
    if v < 0.0:
        raise BeamdumpInputError(f"{owner}.{name} = {value!r}: must be finite and >= 0")
    return v


def set_fields(obj: object, **values: object) -> None:
    for k, v in values.items():
        object.__setattr__(obj, k, v)


def check_z_range(obj: object, z_start: float, z_end: float) -> None:
    owner = type(obj).__name__
    zs = finite(owner, "z_start", z_start)
    ze = finite(owner, "z_end", z_end)
    if not ze > zs:
        raise BeamdumpInputError(f"{owner}.z_end = {z_end!r}: must be > z_start = {zs!r}")
    set_fields(obj, z_start=zs, z_end=ze)


def check_offset(obj: object, x0: float, y0: float) -> None:
    """Validate and store the finite transverse offset (x0, y0) in m of a volume or plane."""
    owner = type(obj).__name__
    set_fields(obj, x0=finite(owner, "x0", x0), y0=finite(owner, "y0", y0))
