"""Resonant positron annihilation e⁺e⁻ → A′ on the atomic electrons of an electron dump
(production/positron_annihilation.py) and the shower e± directions the A′ inherit
(production/shower_angles.py)."""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import pytest

from beamdump.constants import ALPHA_EM
from beamdump.errors import BeamdumpInputError
from beamdump.models import get_model
from beamdump.models.vector_charges import PHOTON_CHARGES, VectorCharges
from beamdump.pdg import ELECTRON_MASS
from beamdump.production.channels import build_channels
from beamdump.production.electron_brems import ElectronBremsChannel
from beamdump.production.positron_annihilation import PositronAnnihilationChannel, resonant_energy, resonant_strength
from beamdump.production.shower_angles import parent_angles, scattering_energy, turned
from beamdump.sources.materials import get_material
from beamdump.sources.shower_cascade import simulate
from beamdump.sources.shower_table import ANGLE_EDGES, ShowerSettings

E0 = 10.0
HBARC_GEV_CM = 1.973269804e-14  # ħc in GeV·cm (FACTS.md: 1.973269804e-16 GeV·m)
AVOGADRO = 6.02214076e23  # per mol (SI, exact)


@pytest.fixture(scope="module")
def w_table():
    """10 GeV e⁻ on 30 X0 of tungsten, e± above 50 MeV."""
    return simulate(ShowerSettings(material="tungsten", beam_energy=E0, e_min=0.05, thickness=30.0, n_showers=3000, seed=21))


def _mass_for(e_positron: float) -> float:
    """The mass whose resonance sits at the positron energy ``e_positron`` (GeV)."""
    return math.sqrt(2.0 * ELECTRON_MASS * (e_positron + ELECTRON_MASS))


def _one_bin(table, k: int):
    """The table with all its positron track moved into energy bin k (every depth keeps its track)."""
    pos = np.zeros_like(table.positron_track)
    pos[k] = table.positron_track.sum(axis=0)
    hist = np.zeros_like(table.positron_angle_hist)
    hist[k, :, 10] = pos[k]
    return dataclasses.replace(table, positron_track=pos, positron_angle_hist=hist)


def _centre(table, k: int) -> float:
    e = table.e_edges
    return float(np.sqrt(e[k] * e[k + 1]))


def test_resonance_sits_at_m2_over_2me(w_table):
    """A table whose positrons all have energies in one bin makes A′ only where m² ≈ 2m_e E₊ falls
    into that bin, with the A′ taking the positron's energy: E_A′ = E₊ + m_e = m²/2m_e."""
    k = 25
    ch = PositronAnnihilationChannel(E0, "tungsten", shower=_one_bin(w_table, k))
    centre = _centre(w_table, k)
    m = _mass_for(centre)
    s = ch.sample(m)
    assert s.total > 0
    np.testing.assert_allclose(s.p4[:, 0], m * m / (2.0 * ELECTRON_MASS), rtol=1e-12)
    p = np.linalg.norm(s.p4[:, 1:], axis=1)
    np.testing.assert_allclose(s.p4[:, 0] ** 2 - p**2, m * m, rtol=1e-9)
    assert resonant_energy(m) == pytest.approx(centre, rel=1e-12)
    # neighbouring bin centres: nothing (linear interpolation in ln E between centres)
    for j in (k - 1, k + 1, k + 3):
        assert ch.total_rate(_mass_for(_centre(w_table, j))) == pytest.approx(0.0, abs=1e-12 * s.total)
    # m² = m_e E₊ or 4 m_e E₊ would miss the bin entirely
    assert ch.total_rate(math.sqrt(ELECTRON_MASS * centre)) == 0.0
    assert ch.total_rate(math.sqrt(4.0 * ELECTRON_MASS * centre)) == 0.0


def test_rate_against_hand_calculation(w_table):
    """N = n_e · T₊(E_R) · 4π²α/(2m_e) · (threshold factor): at a bin centre T₊ is that bin's track per GeV."""
    k = 30
    e = w_table.e_edges
    m = _mass_for(_centre(w_table, k))
    t_plus = w_table.positron_track[k].sum() / (e[k + 1] - e[k])  # X0 per GeV
    mat = get_material("tungsten")
    (z, a, w), = mat.elements
    n_e = AVOGADRO * mat.radiation_length_g_cm2 * w * z / a  # electrons per cm² per X0
    r = (ELECTRON_MASS / m) ** 2
    sigma_hat = 4.0 * math.pi**2 * ALPHA_EM / (2.0 * ELECTRON_MASS) * (1 + 2 * r) / math.sqrt(1 - 4 * r)  # GeV⁻¹
    expected = n_e * t_plus * sigma_hat * HBARC_GEV_CM**2
    ch = PositronAnnihilationChannel(E0, "tungsten", shower=w_table)
    assert ch.total_rate(m) == pytest.approx(expected, rel=1e-6)
    assert ch.sample(m).total == pytest.approx(expected, rel=1e-9)
    # far above threshold the factor is 1: the narrow-width σ = 4π²α/(2m_e) δ(E₊ − m²/2m_e)
    assert resonant_strength(0.1) == pytest.approx(4 * math.pi**2 * ALPHA_EM / (2 * ELECTRON_MASS), rel=2e-4)  # (1 + 2r)/β = 1 + 4r
    assert resonant_strength(2.0 * ELECTRON_MASS) == 0.0


def test_yield_scales_with_electrons_per_volume(w_table):
    """The same positron track (in X0) read as tungsten or aluminium: per X0 the yield follows
    n_e = N_A X0 Z/A, per cm of track it follows ρ Z/A."""
    k = 28
    m = _mass_for(_centre(w_table, k))
    al_table = dataclasses.replace(w_table, settings=dataclasses.replace(w_table.settings, material="aluminium"))
    y_w = PositronAnnihilationChannel(E0, "tungsten", shower=w_table).total_rate(m)
    y_al = PositronAnnihilationChannel(E0, "aluminium", shower=al_table).total_rate(m)
    w_mat, al_mat = get_material("tungsten"), get_material("aluminium")

    def z_over_a(mat):
        return sum(w * z / a for z, a, w in mat.elements)

    per_cm = (y_w / w_mat.radiation_length_cm) / (y_al / al_mat.radiation_length_cm)
    assert per_cm == pytest.approx((w_mat.density * z_over_a(w_mat)) / (al_mat.density * z_over_a(al_mat)), rel=0.02)
    per_x0 = y_w / y_al
    assert per_x0 == pytest.approx(
        (w_mat.radiation_length_g_cm2 * z_over_a(w_mat)) / (al_mat.radiation_length_g_cm2 * z_over_a(al_mat)), rel=1e-9
    )


def test_rate_scales_with_x_e_squared(w_table):
    m = _mass_for(_centre(w_table, 27))
    base = PositronAnnihilationChannel(E0, "tungsten", shower=w_table).total_rate(m)
    half = VectorCharges({**PHOTON_CHARGES, "e": 0.5 * PHOTON_CHARGES["e"]})
    assert PositronAnnihilationChannel(E0, "tungsten", shower=w_table, charges=half).total_rate(m) == pytest.approx(0.25 * base)
    bl = get_model("b-l").production.vector  # x_e = −1, coupling g (not in units of e): (1/e)²
    rate_bl = PositronAnnihilationChannel(E0, "tungsten", shower=w_table, charges=bl).total_rate(m)
    assert rate_bl == pytest.approx(base / (4.0 * math.pi * ALPHA_EM), rel=1e-9)


def test_leptophobic_model_does_not_couple(w_table):
    x = get_model("leptophobic-b").production.vector
    assert x["e"] == 0.0
    ch = PositronAnnihilationChannel(E0, "tungsten", shower=w_table, charges=x)
    assert not ch.couples()
    with pytest.raises(BeamdumpInputError, match="cannot be made"):
        build_channels(["electron_brems", "positron_annihilation"], "electron", E0, get_model("leptophobic-b"), target="tungsten")


def test_build_channels_makes_both_for_electron_beams():
    model = get_model("dark-photon")
    brems, ann = build_channels(["electron_brems", "positron_annihilation"], "electron", E0, model, target="tungsten",
                                target_length=0.1)
    assert isinstance(brems, ElectronBremsChannel) and isinstance(ann, PositronAnnihilationChannel)
    assert ann.max_depth == 0.1 and ann.mat.name == "tungsten"
    with pytest.raises(BeamdumpInputError, match="electron beam"):
        build_channels(["positron_annihilation"], "proton", 400.0, model)


def test_mass_range_is_the_tables_positron_energies(w_table):
    ch = PositronAnnihilationChannel(E0, "tungsten", shower=w_table)
    lo, hi = ch.mass_range()
    assert resonant_energy(lo) == pytest.approx(w_table.e_edges[0], rel=1e-9)
    assert resonant_energy(hi) == pytest.approx(E0, rel=1e-9)
    assert len(ch.sample(0.5 * lo)) == 0 and len(ch.sample(1.01 * hi)) == 0


def test_active_dump_cut_keeps_the_front_positrons(w_table):
    """Cut at 5 X0: the yield is that of the positron track in the first 5 X0, every A′ made there."""
    k = 30
    m = _mass_for(_centre(w_table, k))
    x0_m = get_material("tungsten").radiation_length_cm / 100.0
    full = PositronAnnihilationChannel(E0, "tungsten", shower=w_table)
    cut = PositronAnnihilationChannel(E0, "tungsten", shower=w_table, max_depth=5.0 * x0_m)
    front = w_table.positron_track_length(t_edges=[0.0, 5.0])[k].sum() / w_table.positron_track[k].sum()
    assert cut.total_rate(m) / full.total_rate(m) == pytest.approx(front, rel=1e-9)
    s = cut.sample(m)
    assert np.all(s.origin[:, 2] <= 5.0 * x0_m * (1 + 1e-12)) and np.all(s.origin[:, :2] == 0)


# ---------------------------------------------------------------------- shower angles
def test_scattering_energy_is_rossi_greisen():
    """E_s = m_e √(4π/α) = 21.2 MeV."""
    assert scattering_energy() == pytest.approx(ELECTRON_MASS * math.sqrt(4 * math.pi / ALPHA_EM), rel=1e-3)


def test_turned_is_a_rotation():
    rng = np.random.default_rng(3)
    p4 = np.column_stack([np.full(50, 5.0), rng.normal(size=(50, 3))])
    theta, phi = rng.uniform(0, np.pi, 50), rng.uniform(0, 2 * np.pi, 50)
    out = turned(p4, theta, phi)
    np.testing.assert_allclose(np.linalg.norm(out[:, 1:], axis=1), np.linalg.norm(p4[:, 1:], axis=1), rtol=1e-12)
    np.testing.assert_array_equal(out[:, 0], p4[:, 0])
    along = turned(np.array([[1.0, 0.0, 0.0, 1.0]] * 50), theta, phi)  # the parent's own axis
    np.testing.assert_allclose(along[:, 1:], np.column_stack(
        [np.sin(theta) * np.cos(phi), np.sin(theta) * np.sin(phi), np.cos(theta)]), atol=1e-12)


def test_parent_angles_follow_the_histogram():
    """Inverse-CDF draws reproduce the bin contents; a cap keeps the share below it."""
    rows = np.zeros((4096, ANGLE_EDGES.size - 1))
    rows[:, 12] = 1.0
    rows[:, 16] = 3.0
    u = (np.arange(4096) + 0.5) / 4096
    energy = np.full(4096, 2.0)
    theta, share = parent_angles(rows, energy, u, 0.02)
    uu = theta * 2.0 / 0.02
    assert np.all(share == 1.0)
    assert np.mean((uu >= ANGLE_EDGES[12]) & (uu < ANGLE_EDGES[13])) == pytest.approx(0.25, abs=1e-3)
    assert np.mean((uu >= ANGLE_EDGES[16]) & (uu < ANGLE_EDGES[17])) == pytest.approx(0.75, abs=1e-3)
    cap = ANGLE_EDGES[14] * 0.02 / 2.0  # between the two filled bins
    theta_c, share_c = parent_angles(rows, energy, u, 0.02, cap)
    np.testing.assert_allclose(share_c, 0.25, rtol=1e-12)
    assert np.all(theta_c <= cap)


def test_annihilation_angles_widen_as_es_over_e(w_table):
    """The A′ goes along its positron: θ_rms·E₊/E_s is the table's e⁺ u_rms at E₊, so θ_rms falls
    like 1/E₊ and grows linearly with E_s; the weights do not change."""
    ch = PositronAnnihilationChannel(E0, "tungsten", shower=w_table, points=4096)
    off = dataclasses.replace(ch, shower_angles=False)
    wide = dataclasses.replace(ch, scattering_energy=2.0 * scattering_energy())

    def rms(s):
        th = np.arctan2(np.hypot(s.p4[:, 1], s.p4[:, 2]), s.p4[:, 3])
        return math.sqrt(np.average(th**2, weights=s.weights))

    rms_u = []
    for k in (22, 34):  # 0.2 and 0.8 GeV
        m = _mass_for(_centre(w_table, k))
        s, s0 = ch.sample(m), off.sample(m)
        assert s.total == pytest.approx(s0.total, rel=1e-12)
        assert rms(s0) == 0.0
        assert rms(wide.sample(m)) == pytest.approx(2.0 * rms(s), rel=1e-6)
        hist = w_table.positron_angle_hist[k].sum(axis=0)
        u_mid2 = np.concatenate([[ANGLE_EDGES[1] ** 2 / 3],
                                 (ANGLE_EDGES[2:] ** 2 - ANGLE_EDGES[1:-1] ** 2) / (2 * np.log(ANGLE_EDGES[2:] / ANGLE_EDGES[1:-1]))])
        table_u = math.sqrt(np.sum(hist * u_mid2) / hist.sum())
        measured_u = rms(s) * resonant_energy(m) / scattering_energy()
        assert measured_u == pytest.approx(table_u, rel=0.05)
        rms_u.append(measured_u)
    # the shower is scale-free between e_min and E0: the same u_rms, i.e. θ_rms ∝ E_s/E
    assert rms_u[0] == pytest.approx(rms_u[1], rel=0.15)
    assert 0.4 < rms_u[0] < 1.2


def test_cone_draws_only_positrons_inside_it(w_table):
    """With a cone the sample holds exactly the in-cone part of the full sample's weight."""
    ch = PositronAnnihilationChannel(E0, "tungsten", shower=w_table, points=4096)
    m = _mass_for(_centre(w_table, 30))
    full, cone = ch.sample(m), ch.sample(m, max_theta=0.005)
    th_full = np.arctan2(np.hypot(full.p4[:, 1], full.p4[:, 2]), full.p4[:, 3])
    th_cone = np.arctan2(np.hypot(cone.p4[:, 1], cone.p4[:, 2]), cone.p4[:, 3])
    assert th_cone.max() <= 0.005 * (1 + 1e-9)
    inside = full.weights[th_full <= 0.005].sum()
    assert 0.1 * full.total < inside < 0.9 * full.total
    assert cone.total == pytest.approx(inside, rel=0.03)


def test_brems_angles_add_in_quadrature_and_keep_the_weight(w_table):
    """Bremsstrahlung: turning every A′ by its parent's angle keeps each weight and energy, and
    ⟨θ²⟩ = ⟨θ_emission²⟩ + ⟨θ_parent²⟩ (independent azimuths)."""
    on = ElectronBremsChannel(E0, "tungsten", shower=w_table, points=8192)
    off = dataclasses.replace(on, shower_angles=False)
    m = 0.05
    s, s0 = on.sample(m), off.sample(m)
    np.testing.assert_array_equal(s.weights, s0.weights)
    np.testing.assert_allclose(s.p4[:, 0], s0.p4[:, 0], rtol=1e-15)
    p = np.linalg.norm(s.p4[:, 1:], axis=1)
    np.testing.assert_allclose(s.p4[:, 0] ** 2 - p**2, m * m, rtol=1e-6)

    def theta(x):
        return np.arctan2(np.hypot(x.p4[:, 1], x.p4[:, 2]), x.p4[:, 3])

    theta_p, phi_p = s.info["parent_theta"], s.info["parent_phi"]
    assert np.any(theta_p > 0) and np.all(s0.info["parent_theta"] == 0)
    # each A′ lies at its emission angle from its parent's direction
    parent = np.column_stack([np.sin(theta_p) * np.cos(phi_p), np.sin(theta_p) * np.sin(phi_p), np.cos(theta_p)])
    cos_to_parent = np.sum(s.p4[:, 1:] * parent, axis=1) / np.linalg.norm(s.p4[:, 1:], axis=1)
    np.testing.assert_allclose(cos_to_parent, np.cos(theta(s0)), rtol=0, atol=1e-12)

    def mean2(a):
        return np.average(a**2, weights=s.weights)

    assert mean2(theta(s)) == pytest.approx(mean2(theta(s0)) + mean2(theta_p), rel=0.03)
    assert mean2(theta_p) > 0.08 * mean2(theta(s0))  # the check above sees a missing parent angle


def test_e137_reach_with_both_channels():
    """E137 with both channels (make_reach): annihilation A′ have E = m²/2m_e, so below
    m = √(2m_e · 1 GeV) = 32 MeV the 1 GeV energy cut removes them all; above it they outnumber the
    bremsstrahlung events by far (670× at 50 MeV, ε = 1e-7: lower energy, so more decays too)."""
    from beamdump.engine.analysis import make_reach
    from beamdump.experiments.experiment import load_experiment

    engine = make_reach(load_experiment("e137"), "dark-photon", channels=["electron_brems", "positron_annihilation"])
    assert [c.name for c in engine.channels] == ["electron_brems", "positron_annihilation"]
    g = np.array([1e-7])
    below = engine.flux(0.025).tables  # E_R = 0.61 GeV
    assert float(below["positron_annihilation"].evaluate(g)[0]) == 0.0
    assert float(below["electron_brems"].evaluate(g)[0]) > 0.0
    above = engine.flux(0.05).tables  # E_R = 2.4 GeV
    ann, brems = (float(above[n].evaluate(g)[0]) for n in ("positron_annihilation", "electron_brems"))
    assert ann > 30.0 * brems > 0.0
