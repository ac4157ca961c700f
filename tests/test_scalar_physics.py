"""Whole-chain physics of the dark scalar: the decay sampler of a scalar at rest and the
coupling scaling of the event yield far below the lower edge (issue 15)."""

from __future__ import annotations

import numpy as np
import pytest

import beamdump as bd
from beamdump.kinematics import two_body_momentum
from beamdump.models.registry import get_model
from beamdump.pdg import mass_gev


@pytest.mark.parametrize("final_state", ["pipi", "pi0pi0", "KK"])
def test_a_scalar_at_rest_decays_to_two_mesons_back_to_back_and_isotropically(final_state):
    """Spin 0: in its rest frame the two mesons are back to back with the two-body momentum, and
    their directions are uniform on the sphere (<cos θ> = 0, <cos² θ> = 1/3 within 4σ)."""
    m = 1.2
    fs = get_model("scalar").final_states()[final_state]
    n = 20000
    parent = np.zeros((n, 4))
    parent[:, 0] = m
    a, b = fs.decay(parent, m, np.random.default_rng(5))
    np.testing.assert_allclose(a + b, parent, atol=1e-12)  # four-momentum conserved
    q = float(two_body_momentum(m, mass_gev(fs.daughters[0]), mass_gev(fs.daughters[1])))
    np.testing.assert_allclose(np.linalg.norm(a[:, 1:], axis=1), q, rtol=1e-12)
    u = a[:, 1:] / q
    sigma = np.sqrt(1.0 / 3.0 / n)
    assert np.all(np.abs(u.mean(axis=0)) < 4 * sigma)
    assert np.all(np.abs((u * u).mean(axis=0) - 1.0 / 3.0) < 4 * np.sqrt(4.0 / 45.0 / n))


@pytest.mark.parametrize("preset", ["charm", "ship"])
def test_events_scale_as_sin2theta_squared_far_below_the_lower_edge(preset):
    """A long-lived scalar made ∝ sin²θ (K and B decays) and decaying in the volume ∝ sin²θ:
    N ∝ (sin²θ)² where the decay length is far beyond the detector."""
    r = bd.reach(preset, model="scalar", masses=[0.1, 0.3, 1.0], couplings=[1e-16, 1e-15, 1e-2])
    n = r.grid.total
    assert np.all(n[:, 0] > 0)
    np.testing.assert_allclose(n[:, 1] / n[:, 0], 100.0, rtol=1e-3)
