"""Two-cluster acceptance: the daughters' impact points on the most downstream plane must lie
min_separation apart."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from beamdump.errors import BeamdumpInputError
from beamdump.experiments.geometry import BoxAperture, DaughterAcceptance


def _photons(n: int, rng: np.random.Generator, spread: float) -> tuple[np.ndarray, np.ndarray]:
    def one() -> np.ndarray:
        p = np.column_stack([np.zeros(n), rng.normal(0, spread, (n, 2)) * 10.0, np.full(n, 10.0)])
        p[:, 0] = np.linalg.norm(p[:, 1:], axis=1)
        return p
    return one(), one()


def test_separation_is_measured_on_the_last_plane():
    # vertex at z = 0, calorimeter at z = 10 (listed first) and a wide plane at z = 5
    planes = (BoxAperture(z=10.0, half_x=5.0, half_y=5.0), BoxAperture(z=5.0, half_x=5.0, half_y=5.0))
    acc = DaughterAcceptance(planes=planes, min_separation=0.1)
    v = np.zeros((3, 3))
    p1 = np.array([[1.0, 0.0, 0.0, 1.0]] * 3)
    # second photon displaced by 0.05, 0.1 and 0.2 m at z = 10 (slopes 0.005, 0.01, 0.02)
    p2 = np.array([[1.0, s, 0.0, 1.0] for s in (0.005, 0.0101, 0.02)])
    p2[:, 0] = np.linalg.norm(p2[:, 1:], axis=1)
    got = acc.accepts(v, p1, p2, charges=(0.0, 0.0))
    np.testing.assert_array_equal(got, [False, True, True])


@settings(max_examples=40, deadline=None)
@given(sep=st.floats(0.0, 0.5), spread=st.floats(1e-4, 0.05), seed=st.integers(0, 2**16))
def test_separation_only_removes_decays_and_agrees_with_a_direct_count(sep, spread, seed):
    rng = np.random.default_rng(seed)
    n = 300
    p1, p2 = _photons(n, rng, spread)
    v = np.zeros((n, 3))
    plane = BoxAperture(z=20.0, half_x=1.0, half_y=1.0)
    base = DaughterAcceptance(planes=(plane,)).accepts(v, p1, p2, charges=(0.0, 0.0))
    cut = DaughterAcceptance(planes=(plane,), min_separation=sep).accepts(v, p1, p2, charges=(0.0, 0.0))
    assert np.all(cut <= base)
    x1, y1 = 20.0 * p1[:, 1] / p1[:, 3], 20.0 * p1[:, 2] / p1[:, 3]
    x2, y2 = 20.0 * p2[:, 1] / p2[:, 3], 20.0 * p2[:, 2] / p2[:, 3]
    direct = base & (np.hypot(x1 - x2, y1 - y2) >= sep)
    np.testing.assert_array_equal(cut, direct)


def test_separation_needs_a_plane():
    with pytest.raises(BeamdumpInputError, match="min_separation"):
        DaughterAcceptance(min_separation=0.1)
