"""Inclusive b → sX kinematics (the CHARM scalar's upper edge rests on it, docs/scalar_presets.md):
X has the two-body energy of a b quark of the data file's mass at rest in the b hadron, boosted
with the hadron's velocity; and the energy release is m_b's, not the hadron's."""

import numpy as np
import pytest

from beamdump.pdg import mass_gev
from beamdump.production.flavour_decays import FlavourDecayChannel, load_definitions
from test_flavour_decays import one_bin_table, scalar_couplings


def test_inclusive_x_energy_is_the_b_quark_two_body_in_the_hadron_frame():
    d = load_definitions()["b_to_xs"]
    assert d.quark_mass == pytest.approx(4.78)  # the pole mass of the data file
    table = one_bin_table((521, -521), p_gev=80.0, theta=0.01)
    ch = FlavourDecayChannel(d, {521: table}, scalar_couplings(), parents_per_bin=30)
    m, mb, ms, mB = 0.25, d.quark_mass, mass_gev(3), mass_gev(521)
    s = ch.sample(m, np.random.default_rng(7))
    parent = np.concatenate([np.column_stack([sp.frame.gamma * mB, (sp.frame.gamma * mB * sp.frame.beta).T]) for sp in ch.species])
    e_star = (parent[:, 0] * s.p4[:, 0] - np.sum(parent[:, 1:] * s.p4[:, 1:], axis=1)) / mB
    assert np.allclose(e_star, (mb * mb + m * m - ms * ms) / (2 * mb), rtol=1e-6)
    # a hadron-mass energy release would be 10% larger: the test tells them apart
    assert (mB * mB + m * m - ms * ms) / (2 * mB) / e_star.mean() > 1.09
    # the lab energy follows: E = γ(E* + β p* cos θ*), mean γE* over the isotropic decay
    gamma = parent[:, 0] / mB
    assert s.p4[:, 0].mean() == pytest.approx(np.mean(gamma * e_star), rel=0.05)
