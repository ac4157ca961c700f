"""Vector-meson mixing: the Breit–Wigner factor and its agreement with bremsstrahlung near the ρ."""

import numpy as np
import pytest

from beamdump.production.proton_brems import ALPHA_EM, ProtonBremsChannel
from beamdump.production.vector_mixing import VectorMixingChannel, load_mixing_mesons
from beamdump.sources.shipped_spectra import default_spectra


def test_mixing_probability_on_and_off_the_peak():
    for meson in load_mixing_mesons()[0]:
        on_peak = float(meson.mixing_probability(meson.mass))
        assert on_peak == pytest.approx(3 * meson.b_ee * meson.mass / (ALPHA_EM * meson.width), rel=1e-12)
        far = float(meson.mixing_probability(0.01 * meson.mass))
        strength = 3 * meson.b_ee * meson.width / (ALPHA_EM * meson.mass)
        assert far == pytest.approx(strength / (1 + (meson.width / meson.mass) ** 2), rel=1e-3)


def test_rho_coupling_matches_vector_meson_dominance():
    """(e/g_ρ)² = 3Γ_ee/(α m_ρ) gives g_ρ ≈ 5 (g_ρ²/4π ≈ 2), the textbook VMD value."""
    rho = load_mixing_mesons()[0][0]
    e2 = 4 * np.pi * ALPHA_EM
    g_rho = np.sqrt(e2 / (3 * rho.b_ee * rho.width / (ALPHA_EM * rho.mass)))
    assert 4.8 < g_rho < 5.2


def test_mixing_inherits_the_meson_momentum():
    ch = VectorMixingChannel(default_spectra(400.0))
    s = ch.sample(0.5)
    assert np.all(s.weights > 0)
    assert np.allclose(s.p4[:, 0] ** 2 - np.sum(s.p4[:, 1:] ** 2, axis=1), 0.25, rtol=1e-9)
    parents = np.concatenate([p3 for _, _, p3, _ in ch._parents])
    assert np.array_equal(s.p4[:, 1:], parents)


def test_mixing_and_bremsstrahlung_agree_in_order_of_magnitude_near_the_rho():
    """Per 400 GeV proton the mixing is 0.2–0.35 of the bremsstrahlung off the poles (0.65–0.72 and
    0.85–1.0 GeV) and 0.06–0.11 on them (both at the PDG ρ and ω masses now; the bremsstrahlung
    form factor's ρ–ω interference is broader than three independent Breit–Wigners): the same
    order of magnitude, the form factor larger (docs/bremsstrahlung.md)."""
    mix = VectorMixingChannel(default_spectra(400.0))
    brems = ProtonBremsChannel(400.0)
    for m, lo, hi in ((0.65, 0.15, 0.6), (0.70, 0.15, 0.6), (0.78, 0.03, 0.2), (0.81, 0.05, 0.25), (0.90, 0.1, 0.4)):
        ratio = mix.sample(m).total / brems.total_rate(m)
        assert lo < ratio < hi, (m, ratio)
