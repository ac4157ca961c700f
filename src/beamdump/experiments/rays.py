"""Ray primitives of the decay volumes: parameter intervals of lines in slabs and infinite
cylinders, and points along lines.

Lengths in metres; points and directions are arrays (..., 3). Empty parameter intervals are
encoded as NaN or as (±inf, ±inf) pairs that fail ``hi > lo``; IEEE arithmetic does the case
analysis, which keeps the hot path free of np.where.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

from beamdump.errors import BeamdumpInputError

FloatArray = NDArray[np.float64]
BoolArray = NDArray[np.bool_]

INF = np.inf


def unit_lines(origin: ArrayLike, direction: ArrayLike) -> tuple[FloatArray, ...]:
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


def slab(o: FloatArray, d: FloatArray, lo: float, hi: float) -> tuple[FloatArray, FloatArray]:
    """Parameter interval where lo ≤ o + t·d ≤ hi. For d = 0 this is (−inf, inf) inside,
    (inf, inf) or (−inf, −inf) outside and NaN exactly on a face (all but the first are empty)."""
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        ta = (lo - o) / d
        tb = (hi - o) / d
    return np.minimum(ta, tb), np.maximum(ta, tb)


def disk(
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
        t0 = np.where(par, np.where(inside, -INF, np.nan), t0)
        t1 = np.where(par, np.where(inside, INF, np.nan), t1)
    return t0, t1


def clean(lo: FloatArray, hi: FloatArray) -> tuple[FloatArray, FloatArray, BoolArray]:
    """Clip to forward lengths; (0, 0) for empty or degenerate intervals. Returns (lo, hi, ok)."""
    lo = np.maximum(lo, 0.0)
    ok = hi > lo  # False for NaN; lo ≥ 0 so a finite volume gives finite valid ends
    with np.errstate(invalid="ignore"):  # x·ok is NaN for empty ±inf/NaN ends; fmax makes it 0
        return np.fmax(lo * ok, 0.0), np.fmax(hi * ok, 0.0), ok


def pack_intervals(shape: tuple[int, ...], *pieces: tuple[FloatArray, FloatArray]) -> FloatArray:
    out = np.empty(shape + (len(pieces), 2))
    for i, (lo, hi) in enumerate(pieces):
        out[..., i, 0] = lo
        out[..., i, 1] = hi
    return out


def flat_rows(a: ArrayLike, shape: tuple[int, ...], tail: tuple[int, ...] = ()) -> FloatArray:
    """``a`` broadcast to ``shape + tail`` and flattened to rows (-1, *tail), e.g. vertices
    (..., 3) → (n, 3) or charges (...) → (n,) for the per-line functions."""
    return np.broadcast_to(a, shape + tail).reshape((-1,) + tail)


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
