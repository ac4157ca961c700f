"""Boosts and two-body decays: conservation laws and Lorentz invariance."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from beamdump.kinematics import (
    boost,
    four_momentum,
    invariant_mass,
    isotropic_directions,
    kallen,
    two_body_decay,
    two_body_momentum,
)


def minkowski(a, b):
    return a[..., 0] * b[..., 0] - np.sum(a[..., 1:] * b[..., 1:], axis=-1)


def test_two_body_momentum_known_value():
    # π⁰ at rest → γγ: each photon carries m/2
    assert two_body_momentum(0.1349768, 0.0, 0.0) == pytest.approx(0.0674884)
    assert two_body_momentum(0.2, 0.1, 0.15) == 0.0  # closed
    assert kallen(1.0, 0.0, 0.0) == 1.0


@settings(max_examples=50, deadline=None)
@given(
    M=st.floats(0.2, 1.0),
    frac1=st.floats(0.0, 0.45),
    frac2=st.floats(0.0, 0.45),
    p=st.floats(0.0, 500.0),
    theta=st.floats(0.0, np.pi),
    seed=st.integers(0, 2**31),
)
def test_decay_conserves_four_momentum_and_masses(M, frac1, frac2, p, theta, seed):
    m1, m2 = frac1 * M, frac2 * M
    parent = four_momentum(M, np.array([p]), np.array([theta]), np.array([0.7]))
    d1, d2 = two_body_decay(parent, m1, m2, np.random.default_rng(seed), parent_mass=M)
    scale = max(parent[0, 0], 1.0)
    assert np.allclose(d1 + d2, parent, atol=1e-9 * scale)
    # masses from E² − p² lose precision as p grows: compare m² with a tolerance ∝ E²
    assert abs(minkowski(d1, d1)[0] - m1 * m1) < 1e-9 * scale**2
    assert abs(minkowski(d2, d2)[0] - m2 * m2) < 1e-9 * scale**2


@settings(max_examples=50, deadline=None)
@given(
    px=st.floats(-50, 50), py=st.floats(-50, 50), pz=st.floats(-500, 500), m=st.floats(0.01, 10.0), seed=st.integers(0, 2**31)
)
def test_boost_preserves_invariants(px, py, pz, m, seed):
    frame = np.array([[np.sqrt(px * px + py * py + pz * pz + m * m), px, py, pz]])
    rng = np.random.default_rng(seed)
    a = np.concatenate([[[1.3]], 0.4 * isotropic_directions(1, rng)], axis=1)
    b = np.concatenate([[[2.0]], 1.1 * isotropic_directions(1, rng)], axis=1)
    ba, bb = boost(a, frame, m), boost(b, frame, m)
    scale = frame[0, 0] ** 2 * 5
    assert minkowski(ba, bb)[0] == pytest.approx(minkowski(a, b)[0], abs=1e-10 * scale)
    # the rest frame's time axis goes to the frame's four-velocity
    at_rest = boost(np.array([[m, 0, 0, 0]]), frame, m)
    assert np.allclose(at_rest, frame, rtol=1e-12, atol=1e-12 * frame[0, 0])


def test_isotropic_directions_are_isotropic():
    d = isotropic_directions(200_000, np.random.default_rng(1))
    assert np.allclose(np.linalg.norm(d, axis=1), 1.0)
    assert np.allclose(d.mean(axis=0), 0.0, atol=5e-3)
    assert np.allclose((d**2).mean(axis=0), 1 / 3, atol=5e-3)


def test_decay_of_fast_parent_is_collimated_within_the_kinematic_cone():
    from beamdump.production.meson_decays import max_daughter_angle

    M, m = 0.547862, 0.3
    parent = four_momentum(M, np.full(20000, 50.0), np.zeros(20000), np.zeros(20000))
    d1, _ = two_body_decay(parent, m, 0.0, np.random.default_rng(2))
    angle = np.arccos(d1[:, 3] / np.linalg.norm(d1[:, 1:], axis=1))
    cone = max_daughter_angle(parent[:1], M, m, 0.0)[0]
    assert angle.max() <= cone * (1 + 1e-9)
    assert angle.max() > 0.97 * cone  # the bound is attained
    # the lab energy is flat between its kinematic limits for an isotropic decay
    invariant = invariant_mass(d1)
    assert np.allclose(invariant, m, rtol=1e-6)
