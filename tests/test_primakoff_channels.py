"""The Primakoff production channels against hand calculations, and the ALP's reach scaling."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.integrate import quad

import beamdump as bd
from beamdump.experiments.geometry import BoxAperture, DaughterAcceptance, Dipole
from beamdump.pdg import PROTON_MASS
from beamdump.production import primakoff_xsec as px
from beamdump.production.electron_brems_xsec import to_cm2
from beamdump.production.primakoff_photons import PHOTON_TRACK_X0, Converter, PrimakoffPhotonChannel
from beamdump.production.primakoff_proton import PrimakoffProtonChannel, photon_flux, q2_min
from beamdump.production.primakoff_shower import PrimakoffShowerChannel
from beamdump.production.shower_source import atoms_per_x0
from beamdump.sources.meson_photons import meson_photons, photon_modes
from beamdump.sources.shipped_spectra import default_spectra
from beamdump.sources.shower_cascade import PHOTON_TRACK_CONSTANT

AL = (13.0, 26.9815385)


@pytest.fixture(scope="module")
def e137_channel() -> PrimakoffShowerChannel:
    return PrimakoffShowerChannel(20.0, "aluminium")


def test_shower_yield_is_the_photon_track_times_the_cross_section(e137_channel):
    """Sobol sample = bin-by-bin sum of T_γ × n σ; and for k ≫ m, against Rossi's photon track
    0.572 E0/k² integrated above 2 GeV times n σ(k) (the cascade's thick-target track)."""
    c = e137_channel
    for m in (0.003, 0.05, 0.3):
        assert c.sample(m).total == pytest.approx(c.quadrature_rate(m), rel=0.02)
    m, k_lo, e0 = 0.01, 2.0, 20.0
    (z, a, n), = atoms_per_x0("aluminium")
    rossi = quad(lambda k: PHOTON_TRACK_CONSTANT * e0 / k**2 * n * to_cm2(px.total_cross_section(k, m, z, a))[0],
                 k_lo, e0, limit=200)[0]
    s = c.sample(m)
    ours = s.weights[s.p4[:, 0] > k_lo].sum()
    # Rossi's approximation A holds for E_c ≪ k and overestimates near E0, where the track falls
    assert ours == pytest.approx(rossi, rel=0.2)
    # the yield per electron at g = 1 GeV⁻¹ is of order (photon track ~ E0/E_c X0) × nσ: 1e-2 to 1e-1
    assert 1e-2 < c.sample(0.001).total < 1e-1


def test_shower_alps_follow_their_photons(e137_channel):
    """The ALP angle to the beam is the photon's (shower) angle plus the Primakoff angle; without
    the shower angles, only the Primakoff one, at most a few √d/k."""
    flat = PrimakoffShowerChannel(20.0, "aluminium", shower_angles=False)
    s = flat.sample(0.05)
    theta = np.arccos(s.p4[:, 3] / np.linalg.norm(s.p4[:, 1:], axis=1))
    d = 0.164 / AL[1] ** (2 / 3)
    hard = s.p4[:, 0] > 5.0
    share_inside = s.weights[hard & (theta < 5 * np.sqrt(d) / s.p4[:, 0])].sum() / s.weights[hard].sum()
    assert share_inside > 0.9
    s2 = e137_channel.sample(0.05)
    t2 = np.arccos(s2.p4[:, 3] / np.linalg.norm(s2.p4[:, 1:], axis=1))
    assert np.average(t2, weights=s2.weights) > np.average(theta, weights=s.weights)
    assert s.total == pytest.approx(s2.total, rel=1e-12)  # angles do not change the yield


def test_meson_photons_count_the_decay_chains():
    spectra = default_spectra(400.0)
    w, p4, per_parent = meson_photons(spectra)
    br = {p: {m.daughters: m.branching for m in modes} for p, modes in photon_modes().items()}
    assert per_parent[111] == pytest.approx(2 * br[111][(22, 22)] * spectra.multiplicity(111), rel=1e-9)
    # η: 2 γγ + 3 π⁰ × 2 + π⁺π⁻π⁰ × 2 + π⁺π⁻γ, with the π⁰ → γγ branching
    b = br[221]
    per_eta = 2 * b[(22, 22)] + (6 * b[(111, 111, 111)] + 2 * b[(211, -211, 111)]) * br[111][(22, 22)] + b[(211, -211, 22)]
    assert per_parent[221] == pytest.approx(per_eta * spectra.multiplicity(221), rel=0.02)  # 3-body weights: MC mean
    assert np.all(np.abs(np.einsum("ij,ij->i", p4[:, :1], p4[:, :1]) - np.sum(p4[:, 1:] ** 2, axis=1)) < 1e-6 * p4[:, 0] ** 2)


def test_meson_photon_yield_is_photons_times_conversion_probability():
    spectra = default_spectra(400.0)
    chan = PrimakoffPhotonChannel(spectra, Converter("copper"), min_photon_energy=5.0)
    w, p4, _, _ = chan.photons
    (z, a, n), = atoms_per_x0("copper")
    for m in (0.01, 0.1):
        k = p4[:, 0]
        hand = np.sum(w * n * to_cm2(px.total_cross_section(k, m, z, a)) * PHOTON_TRACK_X0)
        assert chan.sample(m).total == pytest.approx(hand, rel=0.03)
    # a thin converter of 0.1 X0 keeps (9/7)(1 − e^(−0.1·7/9)) of the track
    thin = PrimakoffPhotonChannel(spectra, Converter("copper", thickness=0.1), min_photon_energy=5.0)
    assert thin.sample(0.05).total / chan.sample(0.05).total == pytest.approx(-np.expm1(-0.1 * 7 / 9), rel=1e-9)


def test_converter_downstream_sees_only_the_photons_within_its_radius():
    spectra = bd.experiment("faser-2022")  # noqa: F841 (the forward table is loaded by the channel below)
    from beamdump.sources.shipped_spectra import collider_spectra

    fwd = collider_spectra(13600.0, "forward")
    tan = PrimakoffPhotonChannel(fwd, Converter("copper", z_front=140.0, radius=0.05), min_photon_energy=1000.0)
    w, p4, hit, _ = tan.photons
    assert np.all(np.hypot(hit[:, 0], hit[:, 1]) < 0.05) and np.all(hit[:, 2] == 140.0)
    s = tan.sample(0.02)
    assert np.all(s.origin[:, 2] >= 140.0)  # made inside the absorber, downstream of its face


def test_proton_photon_flux_against_its_electric_closed_form():
    """At small x the Q²-integrated flux is (α/πx)(1 − x) ∫ (1 − Q²_min/Q²) G_D⁴ dQ²/Q², whose first
    part is Drees–Zeppenfeld's ln A − 11/6 + 3/A − 3/2A² + 1/3A³ (A = 1 + Λ²/Q²_min; they drop the
    Q²_min/Q² term), plus the magnetic part (μ_p² Q²/4m_p² at Q² ~ Λ²), 5–15% here."""
    lam2 = 0.71
    for x in (0.01, 0.05):
        qmin = float(q2_min(x))
        ours = quad(lambda lq: float(photon_flux(x, np.exp(lq))) * np.exp(lq), np.log(qmin), np.log(4.0), limit=200)[0]
        A = 1.0 + lam2 / qmin
        u0 = qmin / lam2
        dz = np.log(A) - 11 / 6 + 3 / A - 3 / (2 * A * A) + 1 / (3 * A**3)
        drop = u0 * quad(lambda lu: np.exp(-lu) * (1 + np.exp(lu)) ** -4, np.log(u0), np.log(1e4), limit=200)[0]
        electric = 1 / 137.035999084 / (np.pi * x) * (1 - x) * (dz - drop)
        assert electric < ours < 1.25 * electric


def test_proton_channel_sample_integrates_its_flux():
    chan = PrimakoffProtonChannel(400.0, "copper")
    m = 0.05
    (z, a, _), = chan.columns
    n = chan.columns[0][2]

    def per_x(lx: float) -> float:
        x = np.exp(lx)
        f = quad(lambda lq: float(photon_flux(x, np.exp(lq))) * np.exp(lq), np.log(float(q2_min(x))), np.log(4.0))[0]
        return f * x * n * float(to_cm2(px.total_cross_section(x * 400.0, m, z, a))[0])

    hand = quad(per_x, np.log(m / 400.0 * (1 + 1e-9)), np.log(chan.x_max), limit=200)[0]
    assert chan.sample(m).total == pytest.approx(hand, rel=0.03)


def test_photon_daughters_are_not_bent_by_a_dipole():
    plane = BoxAperture(z=20.0, half_x=0.1, half_y=0.1)
    straight = DaughterAcceptance(planes=(plane,))
    bent = DaughterAcceptance(planes=(plane,), dipole=Dipole(z=15.0, kick_gev=5.0))
    rng = np.random.default_rng(1)
    vertex = np.column_stack([np.zeros(200), np.zeros(200), np.full(200, 10.0)])
    p = np.column_stack([np.full(200, 50.0), rng.normal(0, 0.2, (200, 2)), np.full(200, 50.0)])
    p[:, 0] = np.linalg.norm(p[:, 1:], axis=1)
    q = p.copy()
    q[:, 1:3] *= -1
    for acc in (straight, bent):
        gg = acc.accepts(vertex, p, q, charges=(0.0, 0.0))
        np.testing.assert_array_equal(gg, straight.accepts(vertex, p, q, charges=(0.0, 0.0)))
    ee = bent.accepts(vertex, p, q, charges=(1.0, -1.0))
    assert not np.array_equal(ee, straight.accepts(vertex, p, q, charges=(1.0, -1.0)))


@pytest.mark.parametrize(("preset", "power"), [("e137", 4), ("na64-alp-2020", 2)])
def test_events_scale_as_g4_far_below_the_lower_edge_or_g2_for_missing_energy(preset, power):
    """E137 needs the ALP to decay in its volume: N ∝ g² (production) × g² (decay) = g⁴. NA64 also
    counts ALPs that never decay (missing energy): N ∝ g²."""
    g = [1e-9, 1e-8, 1e-3] if power == 4 else [1e-5, 1e-4, 1e-3]  # NA64: decay lengths below its 1e9 m "infinity"
    r = bd.reach(preset, model="alp-photon", masses=[0.01, 0.02], couplings=g)
    n = r.grid.total
    ratio = n[:, 1] / n[:, 0]
    np.testing.assert_allclose(ratio, 10.0**power, rtol=1e-2)


def test_alp_presets_choose_their_model_and_channels():
    r = bd.reach("na64-alp-2020", masses=[0.01, 0.02], couplings=[1e-5, 1e-4, 1e-3])
    assert r.model.name == "alp-photon" and r.final_states == ("gg",) and r.channels == ("primakoff_shower",)
    dp = bd.reach("e137", masses=[0.01, 0.02], couplings=[1e-7, 1e-6, 1e-5])
    assert dp.model.name == "dark-photon" and "primakoff_shower" not in dp.channels and dp.final_states == ("ee",)
    assert PROTON_MASS > 0.9
