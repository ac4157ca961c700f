"""Meson-decay production: branching-fraction limits, thresholds, and the boosted sample."""

import numpy as np
import pytest

from beamdump.production.meson_decays import load_definitions


@pytest.fixture(scope="module")
def defs():
    return load_definitions()


def test_every_number_has_a_source(defs):
    assert set(defs) == {"pi0", "eta", "etaprime", "omega", "phi"}
    for d in defs.values():
        assert "PDG" in d.source and 0 < d.sm_branching < 1 and d.sm_branching_unc > 0


@pytest.mark.parametrize("name", ["pi0", "eta", "etaprime"])
def test_pseudoscalar_branching_tends_to_twice_the_two_photon_mode(name, defs):
    d = defs[name]
    eps = 1e-3
    br = d.branching(1e-6) * eps**2
    assert br / eps**2 == pytest.approx(2 * d.sm_branching, rel=1e-9)


@pytest.mark.parametrize("name", ["omega", "phi"])
def test_vector_branching_tends_to_the_photon_mode(name, defs):
    d = defs[name]
    assert d.branching(1e-6) == pytest.approx(d.sm_branching, rel=1e-9)


def test_phase_space_suppression_and_threshold(defs):
    pi0 = defs["pi0"]
    m = 0.5 * pi0.parent_mass
    assert pi0.branching(m) == pytest.approx(2 * pi0.sm_branching * (1 - 0.25) ** 3)
    for d in defs.values():
        assert d.branching(d.max_mass * 1.0001) == 0.0
        assert d.branching(d.max_mass * 0.9999) >= 0.0
        m = np.linspace(1e-4, d.max_mass * 0.999, 50)
        assert np.all(np.diff(d.branching(m)) <= 0)  # phase space only closes


def test_model_charges_enter_the_rate_squared(defs):
    """A vector with twice the photon's charges has 4x its rate in every meson decay; B−L (in
    units of e: x_q = 1/3 times 1/e) has the pi0's anomaly 2x_u + x_d = 1, so (1/e)^2 at small mass."""
    from beamdump.models import get_model
    from beamdump.models.vector_charges import E_CHARGE, VectorCharges

    photon = VectorCharges.photon()
    double = VectorCharges({k: 2 * v for k, v in photon.charges.items()}, in_units_of_e=True)
    for d in defs.values():
        m = 0.3 * d.max_mass
        assert float(d.model_factor(m, double)) == pytest.approx(4.0, rel=1e-12)
        assert float(d.model_factor(m, photon)) == 1.0
    bl = get_model("b-l").charges
    assert float(defs["pi0"].model_factor(1e-3, bl)) * E_CHARGE**2 == pytest.approx(1.0, rel=1e-6)
    assert float(defs["omega"].model_factor(0.1, bl)) == pytest.approx(0.0, abs=1e-15)


def test_omega_to_pi0_threshold(defs):
    omega = defs["omega"]
    assert omega.max_mass == pytest.approx(0.78266 - 0.1349768, rel=1e-3)
