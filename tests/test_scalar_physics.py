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


def test_the_default_grid_resolves_each_decay_threshold():
    """The default masses hold t(1 ∓ 10⁻³) around every threshold t of the model's final states
    inside the range (the scalar's μμ, π⁰π⁰, π⁺π⁻, K⁺K⁻), on top of the 100 log-spaced masses."""
    from beamdump.engine.analysis import THRESHOLD_STEPS, default_mass_range, default_masses, make_reach
    from beamdump.experiments.experiment import load_experiment

    reach = make_reach(load_experiment("charm"), "scalar")
    masses = default_masses(reach)
    lo, hi = default_mass_range(reach)
    assert masses[0] == pytest.approx(lo) and masses[-1] == pytest.approx(hi) and np.all(np.diff(masses) > 0)
    for pdg in (13, 211, 111):
        t = 2 * mass_gev(pdg)
        for step in THRESHOLD_STEPS:
            assert np.any(np.isclose(masses, t * (1 + step), rtol=1e-12)), (pdg, step)
    assert len(masses) == 100 + sum(
        lo < t * (1 + s) < hi for t in {fs.threshold for fs in reach.model.final_states().values()} if t > 0
        for s in THRESHOLD_STEPS
    )
