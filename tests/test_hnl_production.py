"""HNL production modes (beamdump.production.hnl_modes, hnl_widths): widths against closed forms, the
SM limits at m_N -> 0 (PDG branching fractions), thresholds, and the N's rest-frame momenta."""

from __future__ import annotations

import numpy as np
import pytest

from beamdump.errors import BeamdumpInputError
from beamdump.kinematics import kallen, two_body_momentum
from beamdump.pdg import mass_gev
from beamdump.production import hnl_widths as hw
from beamdump.production.hnl_modes import HNLMode, hnl_modes, modes_of

MODES = hnl_modes()
K = hw.production_constants()
PARENTS = (211, 321, 130, 411, 421, 431, 511, 521, 531, 541, 15)


def br(name: str, m: float = 0.0) -> float:
    return float(MODES[name].branching(m))


# --- two-body --------------------------------------------------------------------------------------

@pytest.mark.parametrize("name, f, v, lepton", [
    ("pi+ -> mu+ N", "f_pi", "V_ud", 13), ("K+ -> e+ N", "f_K", "V_us", 11), ("Ds+ -> tau+ N", "f_Ds", "V_cs", 15),
    ("B+ -> mu+ N", "f_B", "V_ub", 13),
])
def test_leptonic_width_closed_form_and_sm_limit(name, f, v, lepton):
    mode = MODES[name]
    M, ml = mode.parent_mass, mass_gev(lepton)
    g = K.fermi**2 * K.decay_constants[f] ** 2 * K.ckm[v] ** 2
    # m_N -> 0: the SM rate G^2 f^2 |V|^2 M m_l^2 (1 - m_l^2/M^2)^2 / 8pi
    sm = g * M * ml**2 * (1 - ml**2 / M**2) ** 2 / (8 * np.pi)
    assert float(mode.width(0.0)) == pytest.approx(sm, rel=1e-12)
    # closed form at m_N > 0 written with momenta: Gamma = g p (M^2(m_l^2 + m_N^2) - (m_l^2 - m_N^2)^2) / (4 pi M^2)
    m = 0.3 * mode.max_mass()
    p = float(two_body_momentum(M, m, ml))
    closed = g * p * (M**2 * (ml**2 + m**2) - (ml**2 - m**2) ** 2) / (4 * np.pi * M**2)
    assert float(mode.width(m)) == pytest.approx(closed, rel=1e-12)


def test_leptonic_formula_is_symmetric_in_lepton_and_n_masses():
    M, fpi = mass_gev(431), 0.25
    a = hw.leptonic_width(0.3, M, 1.1, fpi, 1.0, 1.0)
    b = hw.leptonic_width(1.1, M, 0.3, fpi, 1.0, 1.0)
    assert float(a) == pytest.approx(float(b), rel=1e-13)


@pytest.mark.parametrize("name, pdg_br, tol", [
    # tree level, no radiative corrections (S_EW ~ +1.8%); f_pi (1%), f_K known to 0.2% -> a few %
    ("pi+ -> mu+ N", 0.99988, 0.03), ("K+ -> mu+ N", 0.6356, 0.03), ("pi+ -> e+ N", 1.230e-4, 0.03),
    ("K+ -> e+ N", 1.582e-5, 0.03), ("Ds+ -> tau+ N", 0.0536, 0.05), ("Ds+ -> mu+ N", 5.43e-3, 0.05),
    ("tau- -> pi- N", 0.1082, 0.03), ("tau- -> K- N", 6.96e-3, 0.05), ("tau- -> rho- N", 0.2549, 0.03),
])
def test_two_body_sm_branching_fractions(name, pdg_br, tol):
    assert br(name) == pytest.approx(pdg_br, rel=tol)


def test_two_body_widths_vanish_at_threshold_and_above():
    for mode in MODES.values():
        top = mode.max_mass()
        m = np.array([top * (1 - 1e-9), top, top + 0.01])
        w = mode.width(m)
        assert w[1] == 0.0 and w[2] == 0.0, mode.name
        assert w[0] <= 1e-3 * float(np.max(mode.width(np.linspace(0, top, 60)))), mode.name


def test_two_body_rest_momentum_is_fixed():
    mode = MODES["Ds+ -> mu+ N"]
    q = mode.rest_momenta(1.2, 10, np.random.default_rng(0))
    assert np.allclose(q, two_body_momentum(mass_gev(431), 1.2, mass_gev(13)))
    t = MODES["tau- -> rho- N"].rest_momenta(0.5, 3, np.random.default_rng(0))
    assert np.allclose(t, two_body_momentum(mass_gev(15), 0.5, mass_gev(213)))


# --- three-body ------------------------------------------------------------------------------------

@pytest.mark.parametrize("name, pdg_br, tol", [
    # K_l3: tree level without S_EW (+2.3%) and, for K+, the K+pi0 isospin breaking (~ +5% in the rate):
    # K+ ~7% low, K_L ~3% low
    ("K+ -> pi0 e+ N", 0.0507, 0.09), ("K+ -> pi0 mu+ N", 0.03352, 0.09),
])
def test_kl3_sm_limit(name, pdg_br, tol):
    assert br(name) == pytest.approx(pdg_br, rel=tol)


def test_k_long_semileptonic_sums_both_charges():
    ke3 = br("K_L -> pi- e+ N") + br("K_L -> pi+ e- N")
    km3 = br("K_L -> pi- mu+ N") + br("K_L -> pi+ mu- N")
    assert br("K_L -> pi- e+ N") == pytest.approx(br("K_L -> pi+ e- N"), rel=1e-12)
    assert ke3 == pytest.approx(0.4055, rel=0.05)
    assert km3 == pytest.approx(0.2704, rel=0.05)


def test_tau_leptonic_sm_limit_is_muon_decay():
    # m_N -> 0 and m_l -> 0: G_F^2 m_tau^5 / 192 pi^3 for both matrix elements
    m_tau = mass_gev(15)
    for n_from_tau in (True, False):
        s = hw.three_body_spectrum(m_tau, (0.0, 0.0, 0.0), hw.tau_leptonic_amp2(K.fermi, n_from_tau))
        assert s.width == pytest.approx(K.fermi**2 * m_tau**5 / (192 * np.pi**3), rel=1e-4)
    assert br("tau- -> N e- nubar_e") == pytest.approx(0.1782, rel=0.02)
    assert br("tau- -> nu_tau mu- N") == pytest.approx(0.1739, rel=0.02)


def test_tau_leptonic_spectra_of_the_two_matrix_elements():
    # massless limit: N in place of nu_tau has the hard spectrum x^2(3 - 2x) (<x> = 0.7), in place of
    # nubar_l the soft 6x^2(1 - x) (<x> = 0.6), x = 2E/m_tau
    m_tau = mass_gev(15)
    hard = hw.three_body_spectrum(m_tau, (0.0, 0.0, 0.0), hw.tau_leptonic_amp2(K.fermi, True))
    soft = hw.three_body_spectrum(m_tau, (0.0, 0.0, 0.0), hw.tau_leptonic_amp2(K.fermi, False))
    assert 2 * hard.mean_energy / m_tau == pytest.approx(0.7, rel=1e-3)
    assert 2 * soft.mean_energy / m_tau == pytest.approx(0.6, rel=1e-3)


def test_three_body_widths_vanish_at_threshold():
    for mode in MODES.values():
        if mode.kind in ("leptonic", "tau_hadronic"):
            continue
        top = mode.max_mass()
        peak = float(np.max(mode.width(np.linspace(0, top, 8)[:-1])))
        assert float(mode.width(top)) == 0.0 and float(mode.width(top + 0.1)) == 0.0
        assert float(mode.width(top * (1 - 1e-3))) < 1e-4 * peak, mode.name


@pytest.mark.parametrize("name, m", [("K+ -> pi0 e+ N", 0.15), ("K_L -> pi- mu+ N", 0.1), ("tau- -> nu_tau e- N", 1.0),
                                     ("tau- -> N mu- nubar_mu", 0.8),
                                     ("D0 -> K*- mu+ N", 0.5), ("B0 -> D*- tau+ N", 0.7), ("B+ -> D0bar e+ N", 2.0),
                                     ("B0 -> pi- mu+ N", 3.0)])
def test_three_body_rest_momenta_bounds_and_mean(name, m):
    mode = MODES[name]
    q = mode.rest_momenta(m, 200_000, np.random.default_rng(3))
    assert np.all(q >= 0) and np.all(q <= two_body_momentum(mode.parent_mass, m, sum(mass_gev(abs(p)) for p in mode.partners)) + 1e-12)
    e = np.sqrt(q * q + m * m)
    spec = mode.spectrum(m)
    assert e.mean() == pytest.approx(spec.mean_energy, rel=3e-3)
    # the width is the integral of the tabulated dGamma/dE_N
    assert np.trapezoid(spec.density, spec.energies) == pytest.approx(spec.width, rel=2e-2)


def test_pseudoscalar_matrix_element_is_symmetric_in_lepton_and_n():
    # with f+ only, exchanging the masses of l and N leaves the width unchanged
    ff = hw.FormFactor("flat", "taylor", {"value0": 1.0})
    M, Mp = 1.87, 0.49
    amp = hw.pseudoscalar_amp2(M, Mp, ff, ff, 1.0)
    a = hw.three_body_spectrum(M, (Mp, 0.1, 0.6), amp).width
    b = hw.three_body_spectrum(M, (Mp, 0.6, 0.1), amp).width
    assert a == pytest.approx(b, rel=1e-6)


def test_pseudoscalar_massless_width_closed_form():
    # f+ = 1, massless leptons: dGamma/dq^2 = G^2 |p'|^3 / (24 pi^3), so Gamma = G^2 M^5 / (192 pi^3) *
    # int_0^(1-sqrt r)^2 lambda^3/2(1, r, x) dx = G^2 M^5 / (192 pi^3) (1 - 8r + 8r^3 - r^4 - 12 r^2 ln r) / 4
    ff = hw.FormFactor("flat", "taylor", {"value0": 1.0})
    M, Mp = 1.0, 0.3
    r = (Mp / M) ** 2
    got = hw.three_body_spectrum(M, (Mp, 0.0, 0.0), hw.pseudoscalar_amp2(M, Mp, ff, ff, 1.0)).width
    expect = M**5 / (192 * np.pi**3) * (1 - 8 * r + 8 * r**3 - r**4 - 12 * r * r * np.log(r)) / 4
    assert got == pytest.approx(expect, rel=1e-4)


@pytest.mark.parametrize("name, pdg_br, tol", [
    # lattice f+(0) (FLAG 2019) with CLEO-c shapes: D -> K to ~3%, D -> pi f+(0) to 6% (12% in the rate)
    ("D0 -> K- e+ N", 0.03549, 0.06), ("D+ -> K0bar e+ N", 0.0872, 0.06), ("D0 -> pi- e+ N", 0.00291, 0.18),
    # Melikhov-Stech quark-model D -> K* form factors (~10-15%)
    ("D0 -> K*- e+ N", 0.0215, 0.18), ("D+ -> K*0bar e+ N", 0.0540, 0.18), ("Ds+ -> eta e+ N", 0.0226, 0.08),
    ("Ds+ -> phi e+ N", 0.0234, 0.18), ("Ds+ -> K0 e+ N", 0.0034, 0.25), ("Ds+ -> eta' e+ N", 0.0080, 0.30),
    # CLN B -> D, B -> D* with |V_cb| = 41.1e-3 (incl./excl. average: exclusive-only 39.4e-3 is 8% lower in the rate)
    ("B+ -> D0bar e+ N", 0.0235, 0.10), ("B0 -> D- mu+ N", 0.0231, 0.10),
    ("B0 -> D*- e+ N", 0.0505, 0.12), ("B+ -> D*0bar mu+ N", 0.0558, 0.12),
    # Ball-Zwicky LCSR B -> pi (f+(0) to ~12%: 25% in the rate)
    ("B0 -> pi- e+ N", 1.50e-4, 0.25),
])
def test_heavy_semileptonic_sm_limit(name, pdg_br, tol):
    assert br(name) == pytest.approx(pdg_br, rel=tol)


def test_sm_ratios_r_d_and_r_dstar():
    # tau / light lepton, the SM predictions R(D) = 0.298(4), R(D*) = 0.254(5) (HFLAV 2019)
    assert br("B0 -> D- tau+ N") / br("B0 -> D- mu+ N") == pytest.approx(0.298, rel=0.05)
    assert br("B0 -> D*- tau+ N") / br("B0 -> D*- mu+ N") == pytest.approx(0.254, rel=0.05)


def test_pseudoscalar_matrix_element_matches_the_double_differential_formula():
    # dGamma/dq^2 dE_N of arXiv:1805.08567 appendix C.1 (as HNLCalc writes it) = the tensor contraction
    from beamdump.dalitz import dalitz_limits, dot_products
    fp, f0 = K.form_factors["D_K_plus"], K.form_factors["D_K_zero"]
    M, Mp, ml, m = mass_gev(421), mass_gev(321), mass_gev(13), 0.5
    s12 = np.array([1.0, 1.1, 1.2])
    a, b = dalitz_limits(M, Mp, ml, m, s12)
    q = 0.3 * a + 0.7 * b
    got = hw.pseudoscalar_amp2(M, Mp, fp, f0, 1.0)(dot_products(M, (Mp, ml, m), s12, q), s12, q)
    E = (M * M + m * m - s12) / (2 * M)
    FP, F0 = fp(q), f0(q)
    FM = (F0 - FP) * (M**2 - Mp**2) / q
    u = 4 * E * M + ml**2 - m**2 - q
    w = 2 * M**2 - 2 * Mp**2 - 4 * E * M - ml**2 + m**2 + q
    x = (FM**2 * (q * (m**2 + ml**2) - (m**2 - ml**2) ** 2) + 2 * FP * FM * m**2 * w + 2 * FP * FM * ml**2 * u
         + FP**2 * u * w - FP**2 * (2 * M**2 + 2 * Mp**2 - q) * (q - m**2 - ml**2))
    # dGamma/dE dq^2 = |M|^2 / (128 pi^3 M^2) = G^2 |V|^2 x / (64 pi^3 M^2)
    assert np.allclose(got / (128 * np.pi**3 * M**2), x / (64 * np.pi**3 * M**2), rtol=1e-12)


@pytest.mark.parametrize("had, parent, daughter", [("B_Dstar", 511, 413), ("D_Kstar", 421, 323)])
def test_vector_width_equals_the_helicity_formula(had, parent, daughter):
    ffs = {c: K.form_factors[f"{had}_{c}"] for c in ("V", "A0", "A1", "A2")}
    M, Mv = mass_gev(parent), mass_gev(daughter)
    got = hw.three_body_spectrum(M, (Mv, 0.0, 0.0), hw.vector_amp2(M, Mv, ffs, 1.0)).width
    assert got == pytest.approx(hw.vector_helicity_width(M, Mv, ffs, 1.0), rel=1e-6)


def test_vector_matrix_element_matches_the_double_differential_formula():
    # dGamma/dq^2 dE_N of P -> V l N in arXiv:1805.08567's appendix (as HNLCalc writes it, with
    # omega^2 = M^2 - M_V^2 + m_N^2 - m_l^2 - 2 M E_N, Omega^2 = M^2 - M_V^2 - q^2) = the explicit currents;
    # both massive leptons, so every form factor and the V-A interference sign enter
    from beamdump.dalitz import dalitz_limits, dot_products
    ffs = {c: K.form_factors[f"B_Dstar_{c}"] for c in ("V", "A0", "A1", "A2")}
    M, Mv, ml, mn = mass_gev(511), mass_gev(413), mass_gev(13), 1.5
    s12 = np.array([8.0, 10.0, 12.0])
    a, b = dalitz_limits(M, Mv, ml, mn, s12)
    q = 0.4 * a + 0.6 * b
    got = hw.vector_amp2(M, Mv, ffs, 1.0)(dot_products(M, (Mv, ml, mn), s12, q), s12, q)
    E = (M * M + mn * mn - s12) / (2 * M)
    A0, A1, A2, V = (ffs[c](q) for c in ("A0", "A1", "A2", "V"))
    f1, f2, f3 = V / (M + Mv), (M + Mv) * A1, -A2 / (M + Mv)
    f5 = f3 + (Mv * (2 * A0 - A1 - A2) + M * (A2 - A1)) / q
    om = M**2 - Mv**2 + mn**2 - ml**2 - 2 * M * E
    Om = M**2 - Mv**2 - q
    k2 = Om**2 / (4 * Mv**2) - q
    x = ((f2**2 / 2) * (q - mn**2 - ml**2 + om * (Om - om) / Mv**2)
         + (f5**2 / 2) * (mn**2 + ml**2) * (q - mn**2 + ml**2) * k2
         + 2 * f3**2 * Mv**2 * k2 * (mn**2 + ml**2 - q + om * (Om - om) / Mv**2)
         + 2 * f3 * f5 * (mn**2 * om + (Om - om) * ml**2) * k2
         + 2 * f1 * f2 * (q * (2 * om - Om) + Om * (mn**2 - ml**2))
         + (f2 * f5 / 2) * (om * Om / Mv**2 * (mn**2 - ml**2) + Om**2 / Mv**2 * ml**2 + 2 * (mn**2 - ml**2) ** 2
                            - 2 * q * (mn**2 + ml**2))
         + f2 * f3 * (Om * om * (Om - om) / Mv**2 + 2 * om * (ml**2 - mn**2) + Om * (mn**2 - ml**2 - q))
         + f1**2 * (Om**2 * (q - mn**2 + ml**2) - 2 * Mv**2 * (q**2 - (mn**2 - ml**2) ** 2)
                    + 2 * om * Om * (mn**2 - q - ml**2) + 2 * om**2 * q))
    # dGamma/dE dq^2 = |M|^2 / (128 pi^3 M^2) = G^2 |V|^2 x / (32 pi^3 M^2)
    assert np.allclose(got / 4, x, rtol=1e-5)


def test_vector_width_with_a_massive_lepton_equals_the_helicity_formula():
    # B -> D* tau nu: dGamma/dq^2 = G^2 |p'| q^2 (1 - m^2/q^2)^2 / (96 pi^3 M^2) *
    #   [(H+^2 + H-^2 + H0^2)(1 + m^2/2q^2) + 3 m^2/(2 q^2) Ht^2],  Ht = 2 M |p'| A0 / sqrt(q^2)
    # (Korner & Schuler, Z. Phys. C 46 (1990) 93); and the width is symmetric in m_l <-> m_N
    ffs = {c: K.form_factors[f"B_Dstar_{c}"] for c in ("V", "A0", "A1", "A2")}
    M, Mv, ml = mass_gev(511), mass_gev(413), mass_gev(15)
    amp = hw.vector_amp2(M, Mv, ffs, 1.0)
    got = hw.three_body_spectrum(M, (Mv, ml, 0.0), amp).width
    x, wgt = np.polynomial.legendre.leggauss(200)
    lo, hi = ml**2, (M - Mv) ** 2
    q2 = lo + 0.5 * (hi - lo) * (x + 1)
    p = np.sqrt(kallen(M * M, Mv * Mv, q2)) / (2 * M)
    a0, a1, a2, v = (ffs[c](q2) for c in ("A0", "A1", "A2", "V"))
    s = M + Mv
    hp, hm = s * a1 - 2 * M * p * v / s, s * a1 + 2 * M * p * v / s
    h0 = ((M * M - Mv * Mv - q2) * s * a1 - 4 * M * M * p * p * a2 / s) / (2 * Mv * np.sqrt(q2))
    ht = 2 * M * p * a0 / np.sqrt(q2)
    r = ml**2 / q2
    dg = p * q2 * (1 - r) ** 2 / (96 * np.pi**3 * M * M) * ((hp**2 + hm**2 + h0**2) * (1 + r / 2) + 1.5 * r * ht**2)
    assert got == pytest.approx(0.5 * (hi - lo) * np.sum(wgt * dg), rel=1e-5)
    swapped = hw.three_body_spectrum(M, (Mv, 0.0, ml), amp).width
    assert swapped == pytest.approx(got, rel=1e-5)


def test_vector_mode_spectrum_has_the_heavy_quark_limit(monkeypatch):
    # B -> D* l N at m_N, m_l -> 0: the N spectrum is close to the neutrino's in free b -> c l nubar,
    # |M|^2 ∝ (p_b.p_nu)(p_l.p_c) (soft), and softer than the charged lepton's
    ffs = {c: K.form_factors[f"B_Dstar_{c}"] for c in ("V", "A0", "A1", "A2")}
    M, Mv = mass_gev(511), mass_gev(413)
    amp = hw.vector_amp2(M, Mv, ffs, 1.0)
    n_mean = hw.three_body_spectrum(M, (Mv, 0.0, 0.0), amp).mean_energy
    free = hw.three_body_spectrum(M, (Mv, 0.0, 0.0), hw.tau_leptonic_amp2(1.0, False)).mean_energy
    assert n_mean == pytest.approx(free, rel=0.03)
    # the charged lepton's spectrum at m_l = m_N is the N's with the interference term's sign flipped
    # (the term is odd under p_l <-> p_N, the rest even)
    monkeypatch.setattr(hw, "VECTOR_INTERFERENCE", -hw.VECTOR_INTERFERENCE)
    lepton_mean = hw.three_body_spectrum(M, (Mv, 0.0, 0.0), amp).mean_energy
    assert n_mean < lepton_mean - 0.1


# --- the table -------------------------------------------------------------------------------------

def test_modes_of_every_parent():
    for p in PARENTS:
        for mode in modes_of(p):
            assert isinstance(mode, HNLMode) and mode.parent == p and mode.flavour in ("e", "mu", "tau")
    assert {m.flavour for m in modes_of(15)} == {"e", "mu", "tau"}
    assert modes_of(22) == ()
    # charge conservation: parent charge = sum of partner charges (N neutral)
    from beamdump.pdg import charge
    for mode in MODES.values():
        assert charge(mode.parent) == pytest.approx(sum(charge(p) for p in mode.partners)), mode.name


def test_bad_mass_is_one_line_error():
    with pytest.raises(BeamdumpInputError, match="mass"):
        MODES["K+ -> mu+ N"].rest_momenta(0.45, 3, np.random.default_rng(0))
    with pytest.raises(BeamdumpInputError, match="mass"):
        MODES["K+ -> mu+ N"].width(-1.0)


def test_width_is_vectorised_and_pure():
    mode = MODES["K+ -> pi0 mu+ N"]
    m = np.linspace(0.0, 0.3, 7).reshape(7, 1)
    w = mode.width(m)
    assert w.shape == (7, 1)
    assert w[3, 0] == float(mode.width(float(m[3, 0])))
