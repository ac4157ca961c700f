"""Tests for beamdump.experiments.geometry and the modules it gathers (decay volumes, apertures, dipole, daughter acceptance)."""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from beamdump.errors import BeamdumpInputError
from beamdump.experiments.geometry import (
    Annulus,
    AnnulusAperture,
    Aperture,
    Box,
    BoxAperture,
    Cylinder,
    DaughterAcceptance,
    DecayVolume,
    Dipole,
    Frustum,
    OctagonAperture,
    points_along,
    track_position_at,
)
from beamdump.kinematics import four_momentum, isotropic_directions, two_body_decay

EPS = 1e-5  # step (m) used to leave an interval
MARGIN = 1e-7  # grow/shrink (m) of the volume that absorbs round-off in contains()

# ----------------------------------------------------------------------------- strategies

coord = st.floats(-2.0, 2.0, allow_nan=False)
z_start = st.floats(-3.0, 20.0, allow_nan=False)
length = st.floats(0.05, 30.0, allow_nan=False)
radius = st.floats(0.01, 5.0, allow_nan=False)


@st.composite
def cylinders(draw: st.DrawFn) -> Cylinder:
    zs = draw(z_start)
    return Cylinder(zs, zs + draw(length), draw(radius), draw(coord), draw(coord))


@st.composite
def annuli(draw: st.DrawFn) -> Annulus:
    zs = draw(z_start)
    ro = draw(radius)
    ri = ro * draw(st.floats(0.05, 0.95))
    return Annulus(zs, zs + draw(length), ri, ro, draw(coord), draw(coord))


@st.composite
def boxes(draw: st.DrawFn) -> Box:
    zs = draw(z_start)
    return Box(zs, zs + draw(length), draw(radius), draw(radius), draw(coord), draw(coord))


volumes = st.one_of(cylinders(), annuli(), boxes())
seeds = st.integers(0, 2**32 - 1)


def transverse_extent(vol: Cylinder | Annulus | Box) -> tuple[float, float]:
    """Half sizes (m) of the transverse bounding rectangle."""
    if isinstance(vol, Box):
        return vol.half_x, vol.half_y
    r = vol.radius if isinstance(vol, Cylinder) else vol.r_outer
    return r, r


def space_diagonal(vol: Cylinder | Annulus | Box) -> float:
    hx, hy = transverse_extent(vol)
    dz = vol.z_end - vol.z_start
    if isinstance(vol, Box):
        return math.sqrt(dz**2 + (2 * hx) ** 2 + (2 * hy) ** 2)
    return math.sqrt(dz**2 + (2 * hx) ** 2)


def resized(vol: Cylinder | Annulus | Box, delta: float) -> Cylinder | Annulus | Box:
    """The volume grown (delta > 0) or shrunk (delta < 0) by |delta| on every face."""
    common = dict(z_start=vol.z_start - delta, z_end=vol.z_end + delta)
    if isinstance(vol, Cylinder):
        return dataclasses.replace(vol, radius=vol.radius + delta, **common)
    if isinstance(vol, Annulus):
        return dataclasses.replace(vol, r_inner=vol.r_inner - delta, r_outer=vol.r_outer + delta, **common)
    return dataclasses.replace(vol, half_x=vol.half_x + delta, half_y=vol.half_y + delta, **common)


def random_lines(vol: Cylinder | Annulus | Box, seed: int, n: int = 96) -> tuple[np.ndarray, np.ndarray]:
    """Origins around the volume (some on the beam axis) and directions, half aimed at the volume."""
    rng = np.random.default_rng(seed)
    hx, hy = transverse_extent(vol)
    dz = vol.z_end - vol.z_start
    lo = np.array([vol.x0 - 2 * hx - 1, vol.y0 - 2 * hy - 1, vol.z_start - dz - 1])
    hi = np.array([vol.x0 + 2 * hx + 1, vol.y0 + 2 * hy + 1, vol.z_end + 0.5 * dz])
    origin = rng.uniform(lo, hi, (n, 3))
    origin[: n // 4, :2] = 0.0  # beam-axis origins
    target = rng.uniform(
        [vol.x0 - hx, vol.y0 - hy, vol.z_start], [vol.x0 + hx, vol.y0 + hy, vol.z_end], (n, 3)
    )
    direction = target - origin
    direction[n // 2 :] = isotropic_directions(n - n // 2, rng)
    direction[-4:] = [[0, 0, 1], [0, 0, -1], [1, 0, 0], [0.6, -0.8, 0]]  # axis-parallel, transverse
    direction /= np.linalg.norm(direction, axis=1, keepdims=True)
    return origin, direction


def totals(iv: np.ndarray) -> np.ndarray:
    return np.sum(iv[..., 1] - iv[..., 0], axis=-1)


# ----------------------------------------------------------------------------- volume properties


@settings(max_examples=300, deadline=None)
@given(volumes, seeds)
def test_interval_properties(vol: Cylinder | Annulus | Box, seed: int) -> None:
    origin, direction = random_lines(vol, seed)
    iv = vol.intervals(origin, direction)
    n, k = len(origin), vol.max_intervals
    assert iv.shape == (n, k, 2)
    assert np.all(np.isfinite(iv))
    L_in, L_out = iv[..., 0], iv[..., 1]
    assert np.all(L_in >= 0.0) and np.all(L_out >= L_in)
    used = L_out > L_in
    assert np.all(iv[~used] == 0.0)  # unused slots are (0, 0)
    if k == 2:  # sorted, used slots first, disjoint
        assert not np.any(used[:, 1] & ~used[:, 0])
        both = used[:, 0] & used[:, 1]
        assert np.all(L_out[both, 0] <= L_in[both, 1])
    assert np.all(totals(iv) <= space_diagonal(vol) * (1 + 1e-12) + 1e-12)

    grown, shrunk = resized(vol, MARGIN), resized(vol, -MARGIN)
    # midpoints are inside
    mid = points_along(origin, direction, 0.5 * (L_in + L_out))
    assert np.all(grown.contains(mid)[used])
    # points just outside each interval (and not inside another one) are outside
    for t in (L_in - EPS, L_out + EPS):
        check = used & (t > 0.0)
        for j in range(k):
            check &= ~(used[:, [j]] & (t > L_in[:, [j]] - EPS / 2) & (t < L_out[:, [j]] + EPS / 2))
        assert not np.any(shrunk.contains(points_along(origin, direction, t))[check])
    # completeness: any sampled point of the line inside the volume lies in a reported interval
    rng = np.random.default_rng(seed + 1)
    reach = np.linalg.norm(origin - [vol.x0, vol.y0, vol.z_start], axis=1) + 2 * space_diagonal(vol)
    t = rng.uniform(0.0, 1.0, (n, 200)) * reach[:, None]
    in_shrunk = shrunk.contains(points_along(origin, direction, t))
    covered = np.any(
        (t[:, :, None] >= L_in[:, None, :] - EPS) & (t[:, :, None] <= L_out[:, None, :] + EPS) & used[:, None, :],
        axis=-1,
    )
    assert np.all(covered[in_shrunk])


@settings(max_examples=200, deadline=None)
@given(
    volumes,
    st.tuples(*[st.floats(-40.0, 40.0, allow_nan=False)] * 3),
    st.tuples(*[st.floats(-1.0, 1.0, allow_nan=False)] * 3),
)
def test_single_line_edge_values(vol: Cylinder | Annulus | Box, origin: tuple, direction: tuple) -> None:
    """Arbitrary single lines (hypothesis likes zeros and boundaries): never NaN or negative."""
    iv = vol.intervals(np.array([origin]), np.array([direction]))
    assert iv.shape == (1, vol.max_intervals, 2)
    assert np.all(np.isfinite(iv)) and np.all(iv >= 0.0) and np.all(iv[..., 1] >= iv[..., 0])
    if np.linalg.norm(direction) == 0.0:
        assert np.all(iv == 0.0)
    assert totals(iv)[0] <= space_diagonal(vol) * (1 + 1e-12) + 1e-12


@given(st.floats(0.0, 50.0), length, radius)
def test_on_axis_line_through_cylinder_is_exact(zs: float, dz: float, r: float) -> None:
    cyl = Cylinder(zs, zs + dz, r)
    iv = cyl.intervals(np.zeros((1, 3)), np.array([[0.0, 0.0, 1.0]]))
    assert iv[0, 0, 0] == zs and iv[0, 0, 1] == zs + dz
    # also for an off-axis cylinder seen along its own axis, and for a box
    iv = Cylinder(zs, zs + dz, r, 0.3, -1.2).intervals([0.3, -1.2, 0.0], [0.0, 0.0, 1.0])
    assert iv[0, 0] == zs and iv[0, 1] == zs + dz
    iv = Box(zs, zs + dz, r, 2 * r).intervals([0.0, 0.0, 0.0], [0.0, 0.0, 1.0])
    assert iv[0, 0] == zs and iv[0, 1] == zs + dz


@settings(max_examples=200, deadline=None)
@given(annuli(), seeds)
def test_annulus_is_outer_minus_inner_cylinder(ann: Annulus, seed: int) -> None:
    origin, direction = random_lines(ann, seed)
    outer = Cylinder(ann.z_start, ann.z_end, ann.r_outer, ann.x0, ann.y0)
    inner = Cylinder(ann.z_start, ann.z_end, ann.r_inner, ann.x0, ann.y0)
    expected = totals(outer.intervals(origin, direction)) - totals(inner.intervals(origin, direction))
    np.testing.assert_allclose(totals(ann.intervals(origin, direction)), expected, rtol=0, atol=1e-6)


def assert_same_intervals(a: np.ndarray, b: np.ndarray, atol: float) -> None:
    """Equal up to round-off; grazing lines may gain/lose a sliver, so compare totals and the
    ends of intervals that are clearly longer than that sliver."""
    np.testing.assert_allclose(totals(a), totals(b), rtol=0, atol=atol)
    long = (a[..., 1] - a[..., 0] > 1e-3) & (b[..., 1] - b[..., 0] > 1e-3)
    np.testing.assert_allclose(a[long], b[long], rtol=0, atol=atol)


@settings(max_examples=200, deadline=None)
@given(volumes, seeds, st.tuples(*[st.floats(-50.0, 50.0, allow_nan=False)] * 3))
def test_translation_invariance(vol: Cylinder | Annulus | Box, seed: int, shift: tuple) -> None:
    origin, direction = random_lines(vol, seed)
    moved = dataclasses.replace(
        vol, x0=vol.x0 + shift[0], y0=vol.y0 + shift[1], z_start=vol.z_start + shift[2], z_end=vol.z_end + shift[2]
    )
    assert_same_intervals(vol.intervals(origin, direction), moved.intervals(origin + shift, direction), 1e-6)


@settings(max_examples=200, deadline=None)
@given(volumes, seeds, st.floats(0.01, 100.0))
def test_scaling_lengths_scales_intervals(vol: Cylinder | Annulus | Box, seed: int, s: float) -> None:
    origin, direction = random_lines(vol, seed)
    fields = {f.name: getattr(vol, f.name) * s for f in dataclasses.fields(vol)}
    scaled = type(vol)(**fields)
    assert_same_intervals(s * vol.intervals(origin, direction), scaled.intervals(s * origin, direction), 1e-6 * s)


@given(boxes(), st.floats(1e-6, 10.0), st.floats(-1.0, 1.0), st.floats(-50.0, 50.0), st.sampled_from([1.0, -1.0]))
def test_parallel_line_beside_box_misses(box: Box, gap: float, frac: float, z: float, sign: float) -> None:
    direction = [[0.0, 0.0, sign], [0.0, 0.0, sign]]
    origin = [
        [box.x0 + box.half_x + gap, box.y0 + frac * box.half_y, z],
        [box.x0 + frac * box.half_x, box.y0 - box.half_y - gap, z],
    ]
    assert np.all(box.intervals(origin, direction) == 0.0)


def test_line_starting_inside_has_zero_entry() -> None:
    for vol in (Cylinder(10, 20, 1), Annulus(10, 20, 0.5, 1.0), Box(10, 20, 1, 1)):
        iv = vol.intervals([0.75, 0.0, 15.0], [0.0, 0.0, 1.0])
        np.testing.assert_allclose(iv[0], [0.0, 5.0])
        iv = vol.intervals([0.75, 0.0, 15.0], [0.0, 0.0, -1.0])
        np.testing.assert_allclose(iv[0], [0.0, 5.0])


def test_backward_lines_never_give_negative_lengths() -> None:
    for vol in (Cylinder(10, 20, 1), Annulus(10, 20, 0.5, 1.0), Box(10, 20, 1, 1)):
        iv = vol.intervals(np.zeros((3, 3)), [[0, 0, -1], [0.01, 0, -1], [0, 0.3, -1]])
        assert np.all(iv == 0.0)
        # line in front of the volume going away from it
        assert np.all(vol.intervals([0.75, 0, 25.0], [0, 0, 1]) == 0.0)


def test_side_walls_crossed_by_backward_line() -> None:
    cyl = Cylinder(0.0, 10.0, 1.0)
    # starts beside the cylinder at x = 3, moves towards −x and slightly backwards in z
    d = np.array([-1.0, 0.0, -0.1])
    iv = cyl.intervals([3.0, 0.0, 5.0], d)
    norm = np.linalg.norm(d)
    np.testing.assert_allclose(iv[0], [2.0 * norm, 4.0 * norm])
    # purely transverse line (d_z = 0) through a box and an annulus
    np.testing.assert_allclose(Box(0, 10, 1, 2).intervals([0.0, -5.0, 5.0], [0, 1, 0])[0], [3.0, 7.0])
    ann = Annulus(0.0, 10.0, 1.0, 2.0)
    np.testing.assert_allclose(ann.intervals([-5.0, 0.0, 5.0], [1, 0, 0]), [[3.0, 4.0], [6.0, 7.0]])
    # starting in the hole: one interval, in the first slot
    np.testing.assert_allclose(ann.intervals([0.0, 0.0, 5.0], [1, 0, 0]), [[1.0, 2.0], [0.0, 0.0]])
    # on-axis forward line through the hole misses the annulus
    assert np.all(ann.intervals([0.0, 0.0, -1.0], [0, 0, 1]) == 0.0)


def test_directions_are_normalised_and_bad_ones_miss() -> None:
    cyl = Cylinder(10, 20, 1)
    np.testing.assert_allclose(cyl.intervals([0, 0, 0], [0, 0, 7.0]), [[10.0, 20.0]])
    iv = cyl.intervals(np.zeros((3, 3)), [[0, 0, 0], [np.nan, 0, 1], [np.inf, 0, 1]])
    assert np.all(iv == 0.0)


def test_broadcast_origin_and_leading_shapes() -> None:
    cyl = Cylinder(10, 20, 1)
    d = np.tile([0.0, 0.0, 1.0], (2, 5, 1))
    assert cyl.intervals([0, 0, 0], d).shape == (2, 5, 1, 2)
    assert Annulus(1, 2, 0.5, 1).intervals([0, 0, 0], d).shape == (2, 5, 2, 2)


@settings(max_examples=200, deadline=None)
@given(volumes, seeds, st.tuples(coord, coord, st.floats(-5.0, 40.0)))
def test_angular_bounds_contain_all_points(vol: Cylinder | Annulus | Box, seed: int, origin: tuple) -> None:
    th_min, th_max = vol.angular_bounds(origin)
    assert 0.0 <= th_min <= th_max <= math.pi
    assert vol.bounding_half_angle(origin) == th_max
    rng = np.random.default_rng(seed)
    hx, hy = transverse_extent(vol)
    pts = rng.uniform([vol.x0 - hx, vol.y0 - hy, vol.z_start], [vol.x0 + hx, vol.y0 + hy, vol.z_end], (4000, 3))
    pts = pts[vol.contains(pts)]
    rel = pts - origin
    theta = np.arctan2(np.hypot(rel[:, 0], rel[:, 1]), rel[:, 2])
    assert np.all(theta >= th_min - 1e-12) and np.all(theta <= th_max + 1e-12)
    # lines outside the cone never enter
    if th_min > 0.0 or th_max < math.pi:
        phi = rng.uniform(0, 2 * np.pi, 200)
        outside = np.concatenate([rng.uniform(0, th_min, 100), rng.uniform(th_max, np.pi, 100)])
        outside = np.clip(outside, None, np.pi)
        keep = (outside < th_min * (1 - 1e-9)) | (outside > th_max * (1 + 1e-9))
        d = np.stack([np.sin(outside) * np.cos(phi), np.sin(outside) * np.sin(phi), np.cos(outside)], -1)
        assert np.all(vol.intervals(origin, d[keep]) == 0.0)


def test_angular_bounds_analytic() -> None:
    assert Cylinder(10, 20, 1).angular_bounds() == (0.0, math.atan2(1, 10))
    th_min, th_max = Annulus(10, 20, 0.5, 1).angular_bounds()
    assert th_min == pytest.approx(math.atan2(0.5, 20)) and th_max == pytest.approx(math.atan2(1, 10))
    th_min, th_max = Box(10, 20, 1, 1, x0=3).angular_bounds()
    assert th_min == pytest.approx(math.atan2(2, 20)) and th_max == pytest.approx(math.atan2(math.hypot(4, 1), 10))
    assert Cylinder(10, 20, 1).angular_bounds((0, 0, 15)) == (0.0, math.pi)
    # volume entirely behind the origin
    th_min, th_max = Cylinder(-20, -10, 1).angular_bounds()
    assert th_max == math.pi and th_min == pytest.approx(math.pi - math.atan2(1, 10))


def test_protocols() -> None:
    for vol in (Cylinder(1, 2, 1), Annulus(1, 2, 0.5, 1), Box(1, 2, 1, 1)):
        assert isinstance(vol, DecayVolume)
    for ap in (AnnulusAperture(1, 0, 1), BoxAperture(1, 1, 1), OctagonAperture(1, 1)):
        assert isinstance(ap, Aperture)


@pytest.mark.parametrize(
    ("factory", "field"),
    [
        (lambda: Cylinder(10, 10, 1), "z_end"),
        (lambda: Cylinder(10, 5, 1), "z_end"),
        (lambda: Cylinder(float("nan"), 5, 1), "z_start"),
        (lambda: Cylinder(0, 5, 0), "radius"),
        (lambda: Cylinder(0, 5, 1, x0=float("inf")), "x0"),
        (lambda: Annulus(0, 5, 1, 1), "r_outer"),
        (lambda: Annulus(0, 5, 0, 1), "r_inner"),
        (lambda: Box(0, 5, -1, 1), "half_x"),
        (lambda: Box(0, 5, 1, float("inf")), "half_y"),
        (lambda: AnnulusAperture(0, -1, 1), "r_inner"),
        (lambda: AnnulusAperture(0, 2, 1), "r_outer"),
        (lambda: AnnulusAperture(float("nan"), 0, 1), "z"),
        (lambda: BoxAperture(0, 1, 1, hole_radius=-0.1), "hole_radius"),
        (lambda: BoxAperture(0, 1, 1, hole_radius=2.0), "hole_radius"),
        (lambda: OctagonAperture(0, 0), "apothem"),
        (lambda: Dipole(0, 1, axis="z"), "axis"),
        (lambda: Dipole(0, float("nan")), "kick_gev"),
        (lambda: DaughterAcceptance(min_energy_each=-1), "min_energy_each"),
        (lambda: DaughterAcceptance(planes=[object()]), "planes"),
    ],
)
def test_invalid_arguments(factory, field: str) -> None:
    with pytest.raises(BeamdumpInputError, match=field):
        factory()


# ----------------------------------------------------------------------------- points_along


def test_points_along_shapes() -> None:
    d = np.array([[0.0, 0.0, 2.0], [3.0, 4.0, 0.0]])
    p = points_along([1.0, 0.0, 0.0], d, [1.0, 5.0])
    np.testing.assert_allclose(p, [[1, 0, 1], [4, 4, 0]])
    p = points_along(np.zeros((2, 3)), d, [[1.0, 2.0, 3.0], [5.0, 0.0, 10.0]])
    assert p.shape == (2, 3, 3)
    np.testing.assert_allclose(p[1, 2], [6, 8, 0])
    np.testing.assert_allclose(p[0, :, 2], [1, 2, 3])


# ----------------------------------------------------------------------------- apertures


@given(st.floats(0.01, 10.0), st.floats(0.0, 2 * math.pi), st.floats(0.0, 1.0), coord, coord)
def test_octagon_between_inscribed_and_circumscribed_circles(
    apothem: float, phi: float, frac: float, x0: float, y0: float
) -> None:
    octa = OctagonAperture(3.0, apothem, x0=x0, y0=y0)
    r_in = apothem * frac * (1 - 1e-12)  # inside the inscribed circle
    assert octa.contains(x0 + r_in * math.cos(phi), y0 + r_in * math.sin(phi))
    r_out = octa.circumradius * (1 + 1e-9) / max(frac, 1e-3)  # outside the circumscribed circle
    assert not octa.contains(x0 + r_out * math.cos(phi), y0 + r_out * math.sin(phi))
    rng = np.random.default_rng(int(phi * 1e6))
    xy = rng.uniform(-1.5 * apothem, 1.5 * apothem, (2, 500))
    inside = octa.contains(x0 + xy[0], y0 + xy[1])
    assert np.all(np.hypot(*xy)[inside] <= octa.circumradius * (1 + 1e-12))
    assert octa.circumradius == pytest.approx(apothem / math.cos(math.pi / 8))


def test_octagon_shape() -> None:
    octa = OctagonAperture(0.0, 1.0)
    a = 1.0
    half_side = a * math.tan(math.pi / 8)
    assert octa.contains(a, 0.0) and octa.contains(0.0, -a) and octa.contains(a, half_side * 0.999)
    assert not octa.contains(a, half_side * 1.01 + 0.01)
    assert not octa.contains(0.75, 0.75)  # beyond the 45° side (|x| + |y| ≤ a√2 ≈ 1.414)
    assert octa.contains(0.7, 0.7)
    holed = OctagonAperture(0.0, 1.0, hole_radius=0.2)
    assert not holed.contains(0.0, 0.0) and holed.contains(0.5, 0.0)
    assert np.array_equal(holed.contains(np.array([0.0, 0.5]), 0.0), [False, True])


def test_box_aperture_with_hole_rejects_centre() -> None:
    box = BoxAperture(10.0, 1.0, 0.5, x0=0.2, hole_radius=0.1)
    assert not box.contains(0.2, 0.0)
    assert not box.contains(0.25, 0.05)
    assert box.contains(0.4, 0.0) and box.contains(1.2, 0.5)
    assert not box.contains(1.3, 0.0) and not box.contains(0.2, 0.6)
    assert BoxAperture(10.0, 1.0, 0.5).contains(0.0, 0.0)  # no hole


def test_annulus_aperture() -> None:
    ring = AnnulusAperture(5.0, 0.0, 1.0, x0=1.0)
    assert ring.contains(1.0, 0.0) and not ring.contains(-0.5, 0.0)
    ring = AnnulusAperture(5.0, 0.2, 1.0)
    np.testing.assert_array_equal(ring.contains(np.array([0.1, 0.2, 0.5, 1.0, 1.1]), 0.0), [0, 1, 1, 1, 0])


# ----------------------------------------------------------------------------- dipole and acceptance


def along_z(n: int, p: float, mass: float = 0.0) -> np.ndarray:
    return four_momentum(np.full(n, mass), np.full(n, p), np.zeros(n), np.zeros(n))


@given(st.floats(1.0, 500.0), st.floats(1e-4, 0.5), st.floats(0.0, 50.0), st.floats(0.1, 100.0))
def test_dipole_deflects_opposite_charges_oppositely(p: float, kick: float, z_dip: float, dz: float) -> None:
    dipole = Dipole(z_dip, kick)
    vertex = np.array([[0.0, 0.0, -1.0]] * 2)  # upstream of the dipole
    mom = along_z(2, p, 0.000511)
    z_plane = z_dip + dz
    xp, _, ok_p = track_position_at(vertex[:1], mom[:1], z_plane, +1.0, dipole)
    xm, ym, ok_m = track_position_at(vertex[1:], mom[1:], z_plane, -1.0, dipole)
    assert ok_p[0] and ok_m[0]
    exact = kick / math.sqrt(p * p - kick * kick) * dz  # |p| is conserved by the magnetic kick
    assert xp[0] == pytest.approx(exact, rel=1e-9) and xm[0] == pytest.approx(-exact, rel=1e-9)
    assert xp[0] == pytest.approx(kick / p * dz, rel=1e-3 + (kick / p) ** 2)
    assert ym[0] == 0.0
    # y-axis dipole, neutral track, vertex downstream of the dipole, plane upstream of the dipole
    _, y, _ = track_position_at(vertex[:1], mom[:1], z_plane, -1.0, Dipole(z_dip, kick, axis="y"))
    assert y[0] == pytest.approx(-exact, rel=1e-9)
    assert track_position_at(vertex[:1], mom[:1], z_plane, 0.0, dipole)[0][0] == 0.0
    downstream = np.array([[0.0, 0.0, z_dip + 1e-3]])
    assert track_position_at(downstream, mom[:1], z_plane, 1.0, dipole)[0][0] == 0.0
    assert track_position_at(vertex[:1], mom[:1], z_dip, 1.0, dipole)[0][0] == 0.0


def test_dipole_kick_keeps_energy_and_momentum() -> None:
    p = np.array([[10.0, 1.0, 0.5, 9.0], [5.0, 0.0, 0.0, 4.0]])
    out = Dipole(0.0, 0.3).kick(p, np.array([1.0, -1.0]))
    np.testing.assert_allclose(out[:, 0], p[:, 0])
    np.testing.assert_allclose(out[:, 1], [1.3, -0.3])
    np.testing.assert_allclose(np.linalg.norm(out[:, 1:], axis=1), np.linalg.norm(p[:, 1:], axis=1))
    # a kick larger than the momentum sweeps the track away
    assert Dipole(0.0, 10.0).kick(p[1], 1.0)[3] == 0.0
    acc = DaughterAcceptance([AnnulusAperture(5.0, 0.0, 100.0)], Dipole(1.0, 10.0))
    assert not acc.accepts(np.zeros((1, 3)), p[1:], p[1:])[0]


def symmetric_decay(n: int, mass: float, p_parent: float, z_vertex: float) -> tuple[np.ndarray, ...]:
    """Parents along z decaying with daughters perpendicular to the boost in the rest frame."""
    parent = along_z(n, p_parent, mass)
    rng = np.random.default_rng(0)
    phi = rng.uniform(0, 2 * np.pi, n)
    rest_dirs = np.stack([np.cos(phi), np.sin(phi), np.zeros(n)], axis=-1)
    p1, p2 = two_body_decay(parent, 0.000511, 0.000511, rng, directions=rest_dirs)
    vertex = np.zeros((n, 3))
    vertex[:, 2] = z_vertex
    return vertex, p1, p2


def test_symmetric_decay_passes_bracketing_annulus_only() -> None:
    n, z_vertex, z_plane = 50, 100.0, 150.0
    vertex, p1, p2 = symmetric_decay(n, 0.1, 20.0, z_vertex)
    # back-to-back in the transverse plane, same opening angle
    np.testing.assert_allclose(p1[:, 1:3], -p2[:, 1:3], atol=1e-12)
    r = np.hypot(p1[:, 1], p1[:, 2]) / p1[:, 3] * (z_plane - z_vertex)
    assert np.ptp(r) < 1e-9 * r[0] and 0.01 < r[0] < 1.0
    r0 = r[0]
    good = DaughterAcceptance([AnnulusAperture(z_plane, 0.9 * r0, 1.1 * r0)])
    assert np.all(good.accepts(vertex, p1, p2))
    for bad in (AnnulusAperture(z_plane, 1.1 * r0, 2 * r0), AnnulusAperture(z_plane, 0.0, 0.9 * r0)):
        assert not np.any(DaughterAcceptance([good.planes[0], bad]).accepts(vertex, p1, p2))
    # a plane upstream of the vertex is never crossed
    assert not np.any(DaughterAcceptance([AnnulusAperture(z_vertex - 1, 0, 1e3)]).accepts(vertex, p1, p2))
    # energy thresholds
    e = p1[0, 0]
    assert np.all(DaughterAcceptance(min_energy_each=0.99 * e, min_energy_sum=1.99 * e).accepts(vertex, p1, p2))
    assert not np.any(DaughterAcceptance(min_energy_each=1.01 * e).accepts(vertex, p1, p2))
    assert not np.any(DaughterAcceptance(min_energy_sum=2.01 * e).accepts(vertex, p1, p2))


def test_dipole_in_acceptance_separates_charges() -> None:
    vertex = np.zeros((1, 3))
    mom = along_z(1, 10.0)
    plus_side = BoxAperture(20.0, 0.5, 0.5, x0=0.5 + 0.1 * 10 / math.sqrt(99.99))  # x ≈ 0.1 kicks
    acc = DaughterAcceptance([plus_side], Dipole(10.0, 0.1))
    assert not acc.accepts(vertex, mom, mom)[0]  # the negative daughter goes to −x
    assert acc.accepts(vertex, mom, mom, charges=(1.0, 1.0))[0]
    assert not acc.accepts(vertex, mom, mom, charges=(-1.0, -1.0))[0]


def test_empty_acceptance_accepts_everything_and_pz_rule() -> None:
    rng = np.random.default_rng(3)
    n = 100
    vertex = rng.normal(size=(n, 3))
    p1 = np.concatenate([np.full((n, 1), 10.0), rng.normal(size=(n, 3))], axis=1)
    p2 = p1.copy()
    p2[:, 3] = -np.abs(p2[:, 3])
    assert np.all(DaughterAcceptance().accepts(vertex, p1, p2))
    assert DaughterAcceptance().accepts_everything and not DaughterAcceptance(min_energy_sum=1.0).accepts_everything
    wide = DaughterAcceptance([BoxAperture(50.0, 1e6, 1e6)])
    assert not np.any(wide.accepts(vertex, p1, p2))  # daughter 2 goes backwards
    forward = p1.copy()
    forward[:, 3] = np.abs(forward[:, 3])
    assert np.all(wide.accepts(vertex, forward, forward))
    forward[0, 3] = 0.0
    assert not wide.accepts(vertex, forward, forward)[0]


# ----------------------------------------------------------------------------- frustum


@st.composite
def frusta(draw: st.DrawFn) -> Frustum:
    zs = draw(z_start)
    return Frustum(zs, zs + draw(length), draw(radius), draw(radius), draw(radius), draw(radius), draw(coord), draw(coord))


@settings(max_examples=200, deadline=None)
@given(boxes(), seeds)
def test_frustum_with_equal_faces_is_a_box(box: Box, seed: int) -> None:
    fr = Frustum(box.z_start, box.z_end, box.half_x, box.half_y, box.half_x, box.half_y, box.x0, box.y0)
    o, d = random_lines(box, seed)
    assert np.allclose(fr.intervals(o, d), box.intervals(o, d), atol=1e-9)


@settings(max_examples=200, deadline=None)
@given(frusta(), seeds)
def test_frustum_intervals_agree_with_contains(fr: Frustum, seed: int) -> None:
    """Points inside an interval are inside the solid; points just beyond its ends are not."""
    hx, hy = max(fr.half_x_start, fr.half_x_end), max(fr.half_y_start, fr.half_y_end)
    box = Box(fr.z_start, fr.z_end, hx, hy, fr.x0, fr.y0)
    o, d = random_lines(box, seed)
    iv = fr.intervals(o, d)[:, 0]
    hit = iv[:, 1] - iv[:, 0] > 1e-6
    frac = np.random.default_rng(seed).uniform(0, 1, hit.sum())
    mid = points_along(o[hit], d[hit], iv[hit, 0] + frac * (iv[hit, 1] - iv[hit, 0]))
    # the same side faces moved out by MARGIN (their slopes kept: growing the end widths alone
    # narrows a thin, steep frustum in its middle), the ends by MARGIN
    (hx0, hx1), (hy0, hy1) = fr.half_widths(np.array([fr.z_start - MARGIN, fr.z_end + MARGIN]))
    grown = dataclasses.replace(
        fr, z_start=fr.z_start - MARGIN, z_end=fr.z_end + MARGIN,
        half_x_start=hx0 + MARGIN, half_y_start=hy0 + MARGIN, half_x_end=hx1 + MARGIN, half_y_end=hy1 + MARGIN,
    )
    assert np.all(grown.contains(mid))
    after = points_along(o[hit], d[hit], iv[hit, 1] + EPS)
    before = points_along(o[hit], d[hit], np.maximum(iv[hit, 0] - EPS, 0.0))
    assert not np.any(fr.contains(after))
    started_outside = iv[hit, 0] > EPS
    assert not np.any(fr.contains(before[started_outside]))
    # the solid is convex: one interval, never longer than its space diagonal
    diag = math.sqrt((fr.z_end - fr.z_start) ** 2 + (2 * hx) ** 2 + (2 * hy) ** 2)
    assert np.all(iv[:, 1] - iv[:, 0] <= diag + 1e-9)


@settings(max_examples=100, deadline=None)
@given(frusta(), seeds, st.tuples(coord, coord, st.floats(-40.0, -0.1)))
def test_frustum_angular_bound_contains_all_points(fr: Frustum, seed: int, origin: tuple) -> None:
    th_max = fr.bounding_half_angle(origin)
    hx, hy = max(fr.half_x_start, fr.half_x_end), max(fr.half_y_start, fr.half_y_end)
    pts = np.random.default_rng(seed).uniform([fr.x0 - hx, fr.y0 - hy, fr.z_start], [fr.x0 + hx, fr.y0 + hy, fr.z_end], (4000, 3))
    pts = pts[fr.contains(pts)]
    rel = pts - origin
    assert np.all(np.arctan2(np.hypot(rel[:, 0], rel[:, 1]), rel[:, 2]) <= th_max + 1e-12)


def test_frustum_on_axis_path_and_corner_angle() -> None:
    fr = Frustum(32.0, 82.0, 0.5, 1.35, 2.0, 3.1)
    iv = fr.intervals(np.zeros(3), np.array([[0.0, 0.0, 1.0]]))
    assert np.allclose(iv[0, 0], [32.0, 82.0])
    assert fr.bounding_half_angle() == pytest.approx(math.atan2(math.hypot(2.0, 3.1), 82.0))
    assert fr.half_widths(57.0) == pytest.approx((1.25, 2.225))
    with pytest.raises(BeamdumpInputError, match="half_x_end"):
        Frustum(0.0, 1.0, 1.0, 1.0, -1.0, 1.0)


# ----------------------------------------------------------------------------- azimuth window
def _points_inside(vol, rng: np.random.Generator, n: int = 4000) -> np.ndarray:
    """Points drawn in the volume's bounding box (z range × transverse bounds), kept if inside."""
    if isinstance(vol, Frustum):
        hx, hy = max(vol.half_x_start, vol.half_x_end), max(vol.half_y_start, vol.half_y_end)
    else:
        hx, hy = transverse_extent(vol)
    u = rng.random((n, 3))
    pts = np.column_stack([vol.x0 + (2 * u[:, 0] - 1) * hx, vol.y0 + (2 * u[:, 1] - 1) * hy,
                           vol.z_start + u[:, 2] * (vol.z_end - vol.z_start)])
    return pts[vol.contains(pts)]


@settings(max_examples=60)
@given(st.one_of(cylinders(), annuli(), boxes(), frusta()), seeds, st.floats(0.5, 20.0))
def test_azimuth_window_holds_every_point_and_is_tight(vol, seed: int, push: float) -> None:
    """Pushed off the axis, every point of the volume lies inside its azimuth window, and the
    window's edges are reached: rays at 5% of the width inside either edge cross the volume
    (exact along the ray, not a sample of the volume, whose corners may be tiny). A frustum's
    window is that of its bounding rectangle (larger half-widths): it holds every point but is
    not tight when x and y taper in opposite directions."""
    vol = dataclasses.replace(vol, y0=vol.y0 + push * (1.0 if vol.y0 >= 0 else -1.0))
    window = vol.azimuth_window()
    pts = _points_inside(vol, np.random.default_rng(seed))
    if window is None:  # the axis passes through the transverse extent (of the wider end of a frustum)
        if isinstance(vol, Annulus):
            assert math.hypot(vol.x0, vol.y0) <= vol.r_outer
        elif isinstance(vol, Frustum):
            assert abs(vol.x0) <= max(vol.half_x_start, vol.half_x_end) and abs(vol.y0) <= max(vol.half_y_start, vol.half_y_end)
        else:
            assert vol.contains(np.array([[0.0, 0.0, vol.z_start]]))[0]
        return
    lo, hi = window
    assert 0.0 < hi - lo < math.pi
    phi = np.arctan2(pts[:, 1], pts[:, 0])
    rel = (phi - lo) % (2.0 * math.pi)
    assert np.all(rel <= hi - lo + 1e-9)
    if not isinstance(vol, Frustum):  # tight: rays just inside either edge cross the volume
        reach = math.hypot(abs(vol.x0), abs(vol.y0)) + max(transverse_extent(vol)) * 2.0
        r = np.linspace(0.0, reach, 200_001)
        z_mid = 0.5 * (vol.z_start + vol.z_end)
        for angle in (lo + 0.05 * (hi - lo), hi - 0.05 * (hi - lo)):
            ray = np.column_stack([r * math.cos(angle), r * math.sin(angle), np.full_like(r, z_mid)])
            assert np.any(vol.contains(ray))


def test_azimuth_window_on_axis_and_known_case() -> None:
    assert Cylinder(0.0, 1.0, 1.0).azimuth_window() is None
    assert Box(0.0, 1.0, 1.0, 1.0, x0=0.5).azimuth_window() is None
    # CHARM-like box: 3 m × 3 m centred 4.8 m above the axis → ±atan(1.5/3.3) about +y
    lo, hi = Box(480.0, 515.0, 1.5, 1.5, 0.0, 4.8).azimuth_window()
    assert lo == pytest.approx(math.pi / 2 - math.atan(1.5 / 3.3)) and hi == pytest.approx(math.pi / 2 + math.atan(1.5 / 3.3))
    # a disk 2 m off axis on −x with radius 1: ±30° about π
    lo, hi = Cylinder(0.0, 1.0, 1.0, x0=-2.0).azimuth_window()
    assert (lo % (2 * math.pi), hi % (2 * math.pi)) == (pytest.approx(math.pi - math.pi / 6), pytest.approx(math.pi + math.pi / 6))


# ----------------------------------------------------------------------------- fused acceptance vs. per-track physics


def _reference_track(v: np.ndarray, p: np.ndarray, q: float, z: float, dipole: Dipole | None) -> tuple[float, float] | None:
    """One track, written from the physics: a straight line from the vertex to the dipole plane,
    the kick (|p| kept, p_z shrinks), a straight line on to the plane at z. None if not reached."""
    vx, vy, vz = (float(c) for c in v)
    e, px, py, pz = (float(c) for c in p)
    if not (pz > 0.0 and vz <= z):
        return None
    if dipole is None or q == 0.0 or not (vz < dipole.z < z):
        return vx + px / pz * (z - vz), vy + py / pz * (z - vz)
    xd, yd = vx + px / pz * (dipole.z - vz), vy + py / pz * (dipole.z - vz)
    kx, ky = (px + q * dipole.kick_gev, py) if dipole.axis == "x" else (px, py + q * dipole.kick_gev)
    pz_after = math.sqrt(max(pz * pz + px * px + py * py - kx * kx - ky * ky, 0.0))
    if not pz_after > 0.0:
        return None
    return xd + kx / pz_after * (z - dipole.z), yd + ky / pz_after * (z - dipole.z)


@settings(max_examples=60, deadline=None)
@given(
    seed=st.integers(0, 2**32 - 1),
    z_dip=st.floats(-5.0, 60.0),
    kick=st.floats(-2.0, 2.0),
    axis=st.sampled_from(["x", "y"]),
    z_planes=st.lists(st.floats(-10.0, 120.0), min_size=1, max_size=5),
    charges=st.sampled_from([(1.0, -1.0), (-1.0, 1.0), (0.0, 0.0), (1.0, 0.0)]),
    with_dipole=st.booleans(),
)
def test_fused_acceptance_equals_per_track_reference(
    seed: int, z_dip: float, kick: float, axis: str, z_planes: list, charges: tuple, with_dipole: bool
) -> None:
    """The acceptance, which tracks each daughter once to all planes (slopes and kick computed
    once, vertices (n, k) against momenta (n, 1)), equals plane-by-plane, track-by-track physics:
    random vertices upstream and downstream of the dipole, forward, backward and swept tracks."""
    rng = np.random.default_rng(seed)
    n, k = 12, 3
    dipole = Dipole(z_dip, kick, axis=axis) if with_dipole else None
    z_all = sorted(z_planes) + [z_dip, z_dip + 1.0]  # a plane in the dipole's own z, one just after it
    planes = []
    for i, z in enumerate(z_all):
        if i % 2:
            planes.append(AnnulusAperture(z, 0.05 * rng.uniform(), 1.0 + 3.0 * rng.uniform()))
        else:
            planes.append(BoxAperture(z, 1.0 + 3.0 * rng.uniform(), 1.0 + 3.0 * rng.uniform(), x0=rng.normal(0, 0.3)))
    acc = DaughterAcceptance(planes, dipole, min_energy_each=0.5 * rng.uniform(), min_energy_sum=rng.uniform())
    vertex = np.stack([rng.normal(0, 0.5, (n, k)), rng.normal(0, 0.5, (n, k)), rng.uniform(-10.0, 100.0, (n, k))], axis=-1)
    ps = []
    for _ in range(2):
        pt = rng.normal(0.0, 0.3, (n, 2))
        pz = rng.uniform(-1.0, 30.0, n) * rng.choice([1.0, 1e-2], n)  # some soft tracks are swept back
        e = np.sqrt(pt[:, 0] ** 2 + pt[:, 1] ** 2 + pz**2 + 0.1057**2)
        ps.append(np.column_stack([e, pt, pz]))
    got = acc.accepts(vertex, ps[0][:, None, :], ps[1][:, None, :], charges=charges)
    flat = acc.accepts(vertex.reshape(-1, 3), *(np.repeat(p, k, axis=0) for p in ps), charges=charges)
    np.testing.assert_array_equal(got.ravel(), flat)  # the broadcast form changes nothing
    for i in range(n):
        for j in range(k):
            want = ps[0][i, 0] >= acc.min_energy_each and ps[1][i, 0] >= acc.min_energy_each
            want = want and ps[0][i, 0] + ps[1][i, 0] >= acc.min_energy_sum
            for p, q in zip(ps, charges):
                for plane in planes:
                    xy = _reference_track(vertex[i, j], p[i], q, plane.z, dipole)
                    want = want and xy is not None and bool(plane.contains(*xy))
                    xs, ys, ok = track_position_at(vertex[i, j][None], p[i][None], plane.z, q, dipole)
                    assert bool(ok[0]) == (xy is not None)
                    if xy is not None:
                        assert xs[0] == pytest.approx(xy[0], rel=1e-9, abs=1e-12)  # round-off: soft tracks have slopes ~1e2
                        assert ys[0] == pytest.approx(xy[1], rel=1e-9, abs=1e-12)
            assert bool(got[i, j]) == want


@settings(max_examples=60, deadline=None)
@given(
    seed=st.integers(0, 2**32 - 1),
    z_dip=st.floats(-5.0, 60.0),
    z_planes=st.lists(st.floats(-10.0, 120.0), min_size=1, max_size=4),
    charges=st.sampled_from([(1.0, -1.0), (0.0, 0.0), (1.0, 0.0)]),
    with_dipole=st.booleans(),
    reach=st.sampled_from([5.0, 150.0]),
)
def test_acceptance_along_lines_equals_acceptance_at_points(
    seed: int, z_dip: float, z_planes: list, charges: tuple, with_dipole: bool, reach: float
) -> None:
    """accepts_along (k vertices origin + L·direction per line, tracked once per line) gives the
    acceptance at the points themselves: lines that stay upstream of every plane and the
    dipole (reach 5 m from z < -10 m) and lines whose vertices pass them (reach 150 m)."""
    rng = np.random.default_rng(seed)
    n, k = 40, 3
    dipole = Dipole(z_dip, rng.uniform(-1.0, 1.0)) if with_dipole else None
    planes = [AnnulusAperture(z, 0.05 * rng.uniform(), 1.0 + 3.0 * rng.uniform()) for z in z_planes]
    planes.append(BoxAperture(max(z_planes) + 1.0, 2.0, 3.0, x0=0.2))
    acc = DaughterAcceptance(planes, dipole, min_energy_each=0.3 * rng.uniform())
    origin = np.column_stack([rng.normal(0, 0.3, n), rng.normal(0, 0.3, n), rng.uniform(-30.0, -15.0, n)])
    direction = isotropic_directions(n, rng) * np.array([0.05, 0.05, 1.0])
    direction[:, 2] = np.abs(direction[:, 2]) + 0.5
    direction /= np.linalg.norm(direction, axis=1, keepdims=True)
    lengths = np.sort(rng.uniform(0.0, reach, (n, k)), axis=1)
    ps = []
    for _ in range(2):
        pt = rng.normal(0.0, 0.3, (n, 2))
        pz = rng.uniform(-1.0, 30.0, n)
        ps.append(np.column_stack([np.sqrt(pt[:, 0] ** 2 + pt[:, 1] ** 2 + pz**2 + 0.1057**2), pt, pz]))
    along = acc.accepts_along(origin, direction, lengths, (ps[0], ps[1]), charges=charges)
    at_points = acc.accepts(points_along(origin, direction, lengths), ps[0][:, None, :], ps[1][:, None, :], charges=charges)
    assert along.shape == (n, k)
    np.testing.assert_array_equal(along, at_points)
