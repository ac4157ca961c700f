"""The decay probability engine against analytic cases: pencil beam, limits, additivity."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from beamdump.engine.decay_in_volume import lifetime_table
from beamdump.experiments.geometry import AnnulusAperture, Box, Cylinder, DaughterAcceptance
from beamdump.kinematics import four_momentum
from beamdump.models import get_model
from beamdump.production.sample import ParticleSample


def pencil(mass, p, weight=1.0, n=1, theta=0.0):
    p4 = four_momentum(mass, np.full(n, p), np.full(n, theta), np.zeros(n))
    return ParticleSample("test", mass, np.full(n, weight), p4, np.zeros((n, 3)))


def analytic(g, w, p, m, ctau1, D, d):
    lam = p / m * ctau1 / g**2
    return w * g**2 * (np.exp(-D / lam) - np.exp(-(D + d) / lam))


@settings(max_examples=40, deadline=None)
@given(
    m=st.floats(0.01, 1.0),
    p=st.floats(1.0, 400.0),
    D=st.floats(1.0, 500.0),
    d=st.floats(0.5, 100.0),
    log_ctau=st.floats(-16, -10),
)
def test_pencil_beam_is_exp_minus_D_over_lambda_times_one_minus_exp_minus_d_over_lambda(m, p, D, d, log_ctau):
    ctau1 = 10**log_ctau
    sample = pencil(m, p, weight=0.7)
    table = lifetime_table(sample, Cylinder(D, D + d, 1.0), ctau1, 2)
    lam1 = p / m * ctau1  # decay length at g = 1
    # couplings spanning the long-lifetime regime to well past the exponential edge
    g = np.sqrt(lam1 / D) * np.geomspace(1e-4, 5.0, 40)
    exact = analytic(g, 0.7, p, m, ctau1, D, d)
    got = table.evaluate(g)
    big = exact > 1e-12 * exact.max()
    assert np.allclose(got[big], exact[big], rtol=2e-3)


def test_long_lifetime_limit_is_d_over_lambda_and_scales_as_g4():
    m, p, D, d, ctau1 = 0.3, 50.0, 80.0, 75.0, 1.4e-13
    table = lifetime_table(pencil(m, p), Cylinder(D, D + d, 1.0), ctau1, 2)
    g = np.array([1e-13, 2e-13])  # D/λ ~ 1e-7: deep in the long-lifetime regime
    n = table.evaluate(g)
    assert n[1] / n[0] == pytest.approx(16.0, rel=1e-9)
    assert n[0] == pytest.approx(g[0] ** 2 * d * m * g[0] ** 2 / (p * ctau1), rel=1e-6)


def test_large_coupling_falls_exponentially_at_the_rate_of_the_shield():
    m, p, D, d, ctau1 = 0.3, 50.0, 80.0, 75.0, 1.4e-13
    table = lifetime_table(pencil(m, p), Cylinder(D, D + d, 1.0), ctau1, 2)
    g2 = np.array([4.0, 5.0]) * p * ctau1 / (m * D)  # D/λ = 4, 5: past the upper edge
    n = table.evaluate(np.sqrt(g2))
    slope = np.log(n[1] / n[0]) - np.log(g2[1] / g2[0])  # remove the g² of production
    # ln N ≈ −g² D m/(p cτ) + ln(1 − e^{−d/λ}); the second term is ~constant here
    assert slope == pytest.approx(-D * m / (p * ctau1) * (g2[1] - g2[0]), rel=0.02)


def test_missing_the_volume_gives_nothing():
    table = lifetime_table(pencil(0.1, 10.0, theta=0.5), Cylinder(50, 60, 1.0), 1e-12, 2)
    assert table.evaluate(np.array([1e-6, 1e-4])).max() == 0.0


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 1000), split=st.floats(0.1, 0.9))
def test_volume_additivity(seed, split):
    rng = np.random.default_rng(seed)
    n = 200
    p4 = four_momentum(0.2, rng.uniform(5, 200, n), rng.uniform(0, 0.01, n), rng.uniform(0, 6.3, n))
    s = ParticleSample("t", 0.2, rng.uniform(0, 1, n), p4, np.zeros((n, 3)))
    D, d = 100.0, 50.0
    whole = lifetime_table(s, Box(D, D + d, 1.0, 1.0), 1e-13, 2)
    a = lifetime_table(s, Box(D, D + split * d, 1.0, 1.0), 1e-13, 2)
    b = lifetime_table(s, Box(D + split * d, D + d, 1.0, 1.0), 1e-13, 2)
    g = np.geomspace(1e-8, 1e-5, 12)
    assert np.allclose(whole.evaluate(g), a.evaluate(g) + b.evaluate(g), rtol=5e-3, atol=1e-300)


def test_an_acceptance_that_takes_everything_changes_nothing():
    rng = np.random.default_rng(5)
    n = 300
    p4 = four_momentum(0.3, rng.uniform(20, 200, n), rng.uniform(0, 0.003, n), rng.uniform(0, 6.3, n))
    s = ParticleSample("t", 0.3, np.ones(n), p4, np.zeros((n, 3)))
    vol = Cylinder(80, 155, 1.0)
    plain = lifetime_table(s, vol, 1.4e-13, 2)
    huge = DaughterAcceptance(planes=(AnnulusAperture(200.0, 0.0, 1e6),))
    with_planes = lifetime_table(s, vol, 1.4e-13, 2, huge, get_model("dark-photon").final_states()["mumu"], np.random.default_rng(1))
    g = np.geomspace(1e-8, 1e-5, 10)
    assert np.allclose(plain.evaluate(g), with_planes.evaluate(g), rtol=5e-3)


def test_daughter_acceptance_removes_decays_whose_daughters_miss():
    # a heavy, slow particle decays into wide-angle daughters: a small detector loses many of them
    rng = np.random.default_rng(6)
    n = 2000
    p4 = four_momentum(0.5, np.full(n, 20.0), np.zeros(n), np.zeros(n))  # opening angle ≥ 2/γβ = 50 mrad
    s = ParticleSample("t", 0.5, np.ones(n), p4, np.zeros((n, 3)))
    vol = Cylinder(10, 20, 1.0)
    small = DaughterAcceptance(planes=(AnnulusAperture(25.0, 0.0, 0.3),))
    full = lifetime_table(s, vol, 1e-10, 2).evaluate(1e-6)
    cut = lifetime_table(s, vol, 1e-10, 2, small, get_model("dark-photon").final_states()["ee"], rng).evaluate(1e-6)
    assert 0.0 < cut < 0.5 * full


def test_photon_daughters_are_not_bent_by_a_dipole():
    """A dipole sweeps e+e- out of a small detector behind it but leaves photons (and any neutral
    daughter) on their straight lines: the same decays, the same directions, different charges."""
    from beamdump.experiments.geometry import Dipole
    from beamdump.models.base import FinalState

    rng = np.random.default_rng(3)
    n = 2000
    p4 = four_momentum(0.05, np.full(n, 5.0), np.zeros(n), np.zeros(n))
    s = ParticleSample("t", 0.05, np.ones(n), p4, np.zeros((n, 3)))
    vol = Cylinder(10, 20, 1.0)
    planes = (AnnulusAperture(60.0, 0.0, 0.5),)
    bent = DaughterAcceptance(planes=planes, dipole=Dipole(30.0, 0.3))
    straight = DaughterAcceptance(planes=planes)
    gg = FinalState("gg", "two photons", (22, 22))
    ee = get_model("dark-photon").final_states()["ee"]
    assert gg.charges == (0.0, 0.0) and ee.charges == (1.0, -1.0)
    g = 1e-6
    table = lambda acc, fs: lifetime_table(s, vol, 1e-10, 2, acc, fs, np.random.default_rng(4)).evaluate(g)
    assert table(bent, gg) == pytest.approx(table(straight, gg), rel=1e-12)
    assert table(bent, ee) < 0.5 * table(straight, ee)
