"""Physics tests of the shipped new-particle models (``data/models/vectors/*.toml``) and of the
model registry: the interface every model declares, the widths of each vector against formulas
written out by hand, the hadronic and meson-transition couplings that follow from the charges,
and the engine's analytic coupling rescaling against a recomputation at each coupling."""

from __future__ import annotations

import math
import warnings
from functools import lru_cache

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from particle import Particle

from beamdump.engine.analysis import make_reach
from beamdump.engine.decay_in_volume import lifetime_table
from beamdump.engine.reach import Reach
from beamdump.errors import BeamdumpInputError
from beamdump.experiments.experiment import load_experiment
from beamdump.models import Model, get_model, model_names
from beamdump.models.r_ratio import HadronCouplings, RRatio
from beamdump.models.vector_charges import VectorCharges, meson_flavours, transition_factor
from beamdump.production.electron_brems import ElectronBremsChannel
from beamdump.production.proton_brems import load_form_factors
from beamdump.production.vector_mixing import load_mixing_mesons

ALPHA = 1 / 137.035999084  # CODATA 2018
E = math.sqrt(4 * math.pi * ALPHA)
M_E, M_MU = 0.51099895069e-3, 0.1056583755
M_OMEGA = 0.78266

#: (parent, partner) flavours of the meson-decay channels: π⁰, η, η′ → γX; ω → π⁰X; φ → ηX
TRANSITIONS = {
    "pi0": ("pi0", "photon"),
    "eta": ("eta", "photon"),
    "etaprime": ("etaprime", "photon"),
    "omega": ("omega", "pi0"),
    "phi": ("phi", "eta"),
}


def _lepton_width(g_e: float, m: float, ml: float) -> float:
    """Γ(V → ℓ⁺ℓ⁻) for a coupling g_e to the lepton (not in units of e): g²m/(12π)(1+2r)√(1−4r)."""
    r = (ml / m) ** 2
    return g_e**2 * m / (12 * math.pi) * (1 + 2 * r) * math.sqrt(1 - 4 * r)


# ----------------------------------------------------------------------------- every shipped model


def test_shipped_models_are_listed() -> None:
    assert {"dark-photon", "b-l", "protophobic", "leptophobic-b"} <= set(model_names())


@pytest.mark.parametrize("name", model_names())
def test_shipped_model_interface(name: str) -> None:
    model = get_model(name)
    assert isinstance(model, Model)
    assert model.name == name and model.description
    c = model.coupling
    assert c.key and c.label and isinstance(c.unit, str)
    lo, hi = c.default_range
    assert 0 < lo < hi < np.inf
    assert model.couplings[0] == c
    assert model.width_power in (1, 2)  # 2 for couplings g, 1 for a mixing scanned as sin²θ (scalar)
    states = model.final_states()
    vector = model.production.vector is not None
    assert ("ee" in states and "visible" in states) if vector else bool(states)
    for key, fs in states.items():
        assert fs.key == key
        if fs.visible:
            assert len(fs.daughters) in (2, 3)  # three-body states (HNL) since the issue-16 interface
        # daughter masses are the PDG ones (the `particle` package, MeV → GeV)
        expected = tuple((Particle.from_pdgid(p).mass or 0.0) / 1000.0 for p in fs.daughters)
        assert fs.masses == pytest.approx(expected, rel=1e-12, abs=1e-15), key
    if vector:
        assert states["ee"].masses == pytest.approx((M_E, M_E), rel=1e-8)
        assert states["mumu"].masses == pytest.approx((M_MU, M_MU), rel=1e-8)
    # the widths scale as the declared power of the coupling
    m, g = np.array([0.05, 0.5, 1.2]), 3e-4
    for k, w in model.partial_widths(m, g).items():
        np.testing.assert_allclose(w, model.partial_widths(m)[k] * g**model.width_power, rtol=1e-12)
    np.testing.assert_allclose(model.ctau(m, g), model.ctau(m) / g**model.width_power, rtol=1e-12)


# ----------------------------------------------------------------------------- dark photon unchanged


def test_dark_photon_ee_width_by_hand() -> None:
    dp = get_model("dark-photon")
    m, eps = 0.5, 1e-3
    r = (M_E / m) ** 2
    hand = ALPHA * eps**2 * m / 3 * (1 + 2 * r) * math.sqrt(1 - 4 * r)
    assert float(dp.partial_widths(m, eps)["ee"]) == pytest.approx(hand, rel=1e-8)
    assert dp.coupling.key == "eps"


def test_dark_photon_reference_branching_fractions() -> None:
    """FACTS.md: BR(ee/mumu/hadrons) at 0.5, 0.78, 1.0 GeV (DeLiVeR); tolerances as test_dark_photon."""
    dp = get_model("dark-photon")
    points = ((0.5, (0.40, 0.40, 0.20), 0.01), (0.78, (0.05, 0.05, 0.90), 0.01), (1.0, (0.31, 0.31, 0.37), 0.06))
    for m, expected, tol in points:
        got = [float(dp.branching_fraction(m, fs)) for fs in ("ee", "mumu", "hadrons")]
        assert got == pytest.approx(expected, abs=tol), m


# ----------------------------------------------------------------------------- B − L


def test_b_minus_l_lepton_and_neutrino_widths() -> None:
    bl = get_model("b-l")
    assert bl.coupling.key == "g_BL"
    m, g = 0.05, 1e-4
    w = bl.partial_widths(m, g)
    assert float(w["ee"]) == pytest.approx(_lepton_width(g, m, M_E), rel=1e-8)
    assert float(w["invisible"]) == pytest.approx(3 * g**2 * m / (24 * math.pi), rel=1e-8)
    # well above 2 m_e the three left-handed neutrinos give 3/2 of the e+e- width
    assert float(w["invisible"] / w["ee"]) == pytest.approx(1.5, rel=1e-3)
    assert float(bl.partial_widths(10.0)["invisible"] / bl.partial_widths(10.0)["ee"]) == pytest.approx(1.5, rel=1e-6)
    assert not bl.final_states()["invisible"].visible


def test_b_minus_l_ee_width_is_dark_photons_at_eps_g_over_e() -> None:
    bl, dp = get_model("b-l"), get_model("dark-photon")
    m = np.array([0.002, 0.05, 0.3, 1.5])
    for g in (1e-6, 2e-3):
        np.testing.assert_allclose(bl.partial_widths(m, g)["ee"], dp.partial_widths(m, g / E)["ee"], rtol=1e-9)
        np.testing.assert_allclose(bl.partial_widths(m, g)["mumu"], dp.partial_widths(m, g / E)["mumu"], rtol=1e-9)


def test_b_minus_l_visible_plus_invisible_is_one() -> None:
    bl = get_model("b-l")
    m = np.geomspace(2e-3, 9.0, 400)
    vis, inv = bl.branching_fraction(m, "visible"), bl.branching_fraction(m, "invisible")
    np.testing.assert_allclose(vis + inv, 1.0, rtol=1e-12)
    # below 2 m_mu only e+e- and nu nu-bar are open: BR(invisible) = 1.5 / (1 + 1.5)
    low = (m > 0.01) & (m < 2 * M_MU)
    np.testing.assert_allclose(inv[low], 0.6, rtol=1e-3)
    assert np.all(inv[m > 1.0] < 0.5)  # hadrons and muons open above
    # the visible fraction is the sum of the charged ones, against the width from cτ
    total = 1.973269804e-16 / bl.ctau(m)
    widths = bl.partial_widths(m)
    np.testing.assert_allclose(vis * total, widths["ee"] + widths["mumu"] + widths["tautau"] + widths["hadrons"], rtol=1e-9)


def test_b_minus_l_hadrons_have_no_rho() -> None:
    bl, dp = get_model("b-l"), get_model("dark-photon")
    assert bl.hadron_couplings.rho == 0.0
    rr = RRatio()
    # near the rho, off the omega peak: the photon's R is the rho's, B-L's nearly nothing
    s = 0.70**2
    assert float(rr(s, bl.hadron_couplings) / rr(s)) < 0.1
    # the same through the widths: Γ_had(B−L, g) / Γ_had(A′, ε = g/e) = R_BL / R_γ
    g = 1e-4
    ratio = bl.partial_widths(0.70, g)["hadrons"] / dp.partial_widths(0.70, g / E)["hadrons"]
    assert float(ratio) < 0.1
    # at the omega peak: B-L's omega coupling is 3(x_u + x_d) = 2 times the photon's → 4 in R
    s = M_OMEGA**2
    mine = rr.components(s, bl.hadron_couplings)["omega"]
    photon = rr.components(s, HadronCouplings())["omega"]
    assert float(mine / photon) == pytest.approx(4.0, rel=1e-12)
    assert float(rr(s, bl.hadron_couplings)) > float(rr(s))  # and the omega dominates there


# ----------------------------------------------------------------------------- proto-phobic


def test_protophobic_ee_width_is_dark_photons() -> None:
    pp, dp = get_model("protophobic"), get_model("dark-photon")
    m = np.geomspace(1.1e-3, 2 * M_MU * 0.999, 50)
    for eps in (1e-5, 3e-3):
        np.testing.assert_allclose(pp.partial_widths(m, eps)["ee"], dp.partial_widths(m, eps)["ee"], rtol=1e-12)
    assert pp.charges.proton == pytest.approx(0.0, abs=1e-15)
    assert pp.charges.neutron == pytest.approx(1.0, rel=1e-12)


def test_protophobic_pi0_transition_vanishes() -> None:
    """π⁰ → γX goes through the anomaly Tr(T_π {Q, X}) ∝ 2x_u + x_d = x_p: zero for x_p = 0."""
    pp = get_model("protophobic")
    f = meson_flavours()
    for m in (1e-3, 5e-3, 0.017):
        assert abs(float(transition_factor(pp.charges, f["pi0"], f["photon"], m))) < 1e-6, m


def test_protophobic_vector_transitions() -> None:
    pp = get_model("protophobic")
    f, x = meson_flavours(), pp.charges
    for m in (0.01, 0.1):  # single-meson transitions: mass-independent
        # ω → π⁰X goes through the ρ only: (x_u − x_d)² = 1
        assert float(transition_factor(x, f["omega"], f["pi0"], m)) == pytest.approx((x["u"] - x["d"]) ** 2, rel=1e-12)
        assert float(transition_factor(x, f["omega"], f["pi0"], m)) == pytest.approx(1.0, rel=1e-12)
        # φ → ηX through the φ only: (x_s/Q_s)² = 9 x_s² = 4
        assert float(transition_factor(x, f["phi"], f["eta"], m)) == pytest.approx(9 * x["s"] ** 2, rel=1e-12)
        assert float(transition_factor(x, f["phi"], f["eta"], m)) == pytest.approx(4.0, rel=1e-12)


# ----------------------------------------------------------------------------- leptophobic B


def test_leptophobic_b_has_no_leptons() -> None:
    lb = get_model("leptophobic-b")
    m = np.array([0.01, 0.3, 0.78, 1.5, 5.0])
    for fs in ("ee", "mumu", "tautau"):
        assert np.all(lb.branching_fraction(m, fs) == 0.0)
        assert np.all(lb.partial_widths(m, 1e-3)[fs] == 0.0)
    hadronic = m > 0.2
    np.testing.assert_allclose(lb.branching_fraction(m[hadronic], "hadrons"), 1.0, rtol=1e-12)


def test_leptophobic_b_cannot_use_electron_brems() -> None:
    with pytest.raises(BeamdumpInputError, match="leptophobic-b") as info:
        make_reach(load_experiment("e137"), "leptophobic-b")
    assert "electron_brems" in str(info.value)


# ----------------------------------------------------------------------------- dark photon: factors are 1


def test_dark_photon_transition_factors_are_one() -> None:
    x = get_model("dark-photon").production.vector
    assert x == VectorCharges.photon()
    f = meson_flavours()
    m = np.array([1e-3, 0.01, 0.05, 0.1, 0.3, 0.5, 0.77, 0.9])
    for channel, (parent, partner) in TRANSITIONS.items():
        assert np.all(transition_factor(x, f[parent], f[partner], m) == 1.0), channel


def test_dark_photon_channel_rate_factors_are_one() -> None:
    dp = get_model("dark-photon")
    reach = make_reach(load_experiment("nucal"), "dark-photon", final_states=["ee"], channels=list(TRANSITIONS))
    assert {c.name for c in reach.channels} == set(TRANSITIONS)
    for ch in reach.channels:
        top = ch.mass_range()[1]
        for m in top * np.array([1e-3, 0.1, 0.5, 0.9, 0.999]):
            assert ch.rate_factor(float(m)) == 1.0, (ch.name, m)
    # the other vector channels read the same charges and change nothing for the dark photon
    x = dp.production.vector
    assert ElectronBremsChannel(10.0, "aluminium", charges=x).rate_factor == 1.0
    m2 = np.array([1e-6, 0.1, 0.6, 1.0, 2.5])
    for ff in load_form_factors().values():
        np.testing.assert_array_equal(ff.squared(m2, x), ff.squared(m2))
    assert x.scale == 1.0
    for meson in load_mixing_mesons()[0]:
        np.testing.assert_array_equal(meson.mixing_probability(np.sqrt(m2), x), meson.mixing_probability(np.sqrt(m2)))


# ----------------------------------------------------------------------------- analytic coupling rescaling

MASSES = (0.02, 0.06, 0.12)


def _with_ee() -> list[str]:
    """Shipped vector models that decay to e+e- (a visible final state with a width); the spin-0
    models made only in K and B decays (scalar, alp-fermion) have no pi0/eta/brems channel here."""
    out = []
    for name in model_names():
        model = get_model(name)
        if model.production.vector is None:
            continue
        fs = model.final_states().get("ee")
        if fs is not None and fs.visible and np.all(model.branching_fraction(np.array(MASSES), "ee") > 0):
            out.append(name)
    return out


EE_MODELS = _with_ee()


@lru_cache(maxsize=None)
def _reach(name: str) -> Reach:
    """A one-channel ν-Cal reach for the model (π⁰ decays if it couples to them, else η, else brems)."""
    for channel in ("pi0", "eta", "proton_brems"):
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                reach = make_reach(load_experiment("nucal"), name, final_states=["ee"], channels=[channel])
        except BeamdumpInputError:
            continue
        assert isinstance(reach, Reach)
        return reach
    raise AssertionError(f"{name}: no ν-Cal channel makes it")


@lru_cache(maxsize=None)
def _flux(name: str, mass: float):
    return _reach(name).flux(mass)


def _brute_force(reach: Reach, mass: float, g: float) -> float:
    """Events at coupling g recomputed from scratch: the sample (the same draws as Reach.flux),
    a lifetime table built with the model's cτ at g and evaluated at coupling 1, times the
    production g**coupling_power, N_beam, the efficiency and BR(ee)."""
    exp, model = reach.experiment, reach.model
    (channel,) = reach.channels
    # Reach.flux draws the samples from this stream and gives the daughters the directions of
    # Reach.decay_directions; the same draws reproduce its decays exactly
    rng = np.random.default_rng([reach.seed, int(round(mass * 1e9))])
    assert reach._azimuths is None  # ν-Cal is on axis: no azimuth forcing
    sample = channel.sample(mass, rng, max_theta=reach._max_theta)
    assert len(sample) > 0
    table = lifetime_table(
        sample,
        exp.volume,
        float(model.ctau(mass, g)),
        model.width_power,
        exp.acceptance("ee"),
        model.final_states()["ee"],
        directions=reach.decay_directions(channel.name, mass, len(sample)),
        segments=reach.segments,
    )
    norm = exp.n_beam * exp.efficiency("ee") * float(model.branching_fraction(mass, "ee"))
    return float(table.evaluate(1.0)) * g**sample.coupling_power * norm


def _upper_coupling(name: str, mass: float) -> float:
    """The largest coupling where the events are still ≥ 1e-3 of their maximum at this mass
    (beyond it the decays are exponentially rare and the table's node compression, ≈0.1 % per
    node, is no longer the accuracy that matters)."""
    gs = np.geomspace(1e-9, 1e-2, 281)
    n = _flux(name, mass).total(gs)
    return float(gs[np.nonzero(n >= 1e-3 * n.max())[0][-1]])


def test_models_with_ee() -> None:
    assert {"dark-photon", "b-l", "protophobic"} <= set(EE_MODELS)
    assert "leptophobic-b" not in EE_MODELS


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(name=st.sampled_from(EE_MODELS), mass=st.sampled_from(MASSES), t=st.floats(0.0, 1.0))
def test_analytic_rescaling_equals_recomputation(name: str, mass: float, t: float) -> None:
    reach = _reach(name)
    flux = _flux(name, mass)
    g_hi = _upper_coupling(name, mass)
    g = float(10 ** (math.log10(1e-9) + t * (math.log10(g_hi) - math.log10(1e-9))))
    analytic = float(flux.total(g))
    brute = _brute_force(reach, mass, g)
    assert brute > 0
    assert analytic == pytest.approx(brute, rel=2e-3), (name, mass, g)
    # far below the lower edge: production g² times decay probability ∝ 1/λ ∝ g², N ∝ g⁴
    tiny = 1e-11
    assert float(flux.total(2 * tiny) / flux.total(tiny)) == pytest.approx(16.0, rel=1e-3)


# ----------------------------------------------------------------------------- registry errors


def test_unknown_model_lists_known_ones() -> None:
    with pytest.raises(BeamdumpInputError, match="'nope'") as info:
        get_model("nope")
    for name in model_names():
        assert name in str(info.value)


def test_fixing_a_coupling_of_a_one_coupling_model() -> None:
    with pytest.raises(BeamdumpInputError, match="g_BL"):
        get_model("b-l", fixed={"x": 1})
    with pytest.raises(BeamdumpInputError, match="g_BL"):
        get_model("b-l", scan="g_B")
    assert get_model("b-l", scan="g_BL") is get_model("b-l")


# ---------------------------------------------------------------------- review: files, plug-ins, channels
def _vector_file(tmp_path, **changes):
    from beamdump.datafiles import package_data

    text = package_data("models", "vectors", "b-l.toml").read_text()
    for old, new in changes.items():
        assert old in text
        text = text.replace(old, new)
    path = tmp_path / "bad.toml"
    path.write_text(text)
    return path


@pytest.mark.parametrize(
    "old, new, message",
    [
        ("in_units_of_e = false", 'in_units_of_e = "false"', "in_units_of_e must be true or false"),
        ("valid_masses = [1e-3, 10.0]", "valid_masses = [10.0, 1e-3]", "valid_masses"),
        ('key = "g_BL"\n', "", "missing 'key'"),
        ("nu_tau = -1.0\n", "", "missing"),
        ("u = 0.3333333333333333", 'u = "a third"', "bad.toml"),
    ],
)
def test_a_malformed_model_file_is_one_line(tmp_path, old, new, message):
    from beamdump.models.vector import load_vector

    with pytest.raises(BeamdumpInputError, match=message):
        load_vector(_vector_file(tmp_path, **{old: new}))


def test_a_class_entry_point_is_instantiated():
    from beamdump.models.registry import _from_entry_point
    from beamdump.models.vector import VectorBoson

    class Toy(VectorBoson):
        def __init__(self):
            dp = get_model("dark-photon")
            super().__init__("toy", "toy", dp.coupling, dp.charges)

    class EP:
        name, value = "toy", "tests:Toy"

        @staticmethod
        def load():
            return Toy

    model = _from_entry_point(EP())
    assert isinstance(model, Toy) and model.name == "toy"


def test_every_channel_class_implements_the_protocol():
    from beamdump.experiments.experiment import load_experiment
    from beamdump.engine.analysis import make_reach
    from beamdump.production.sample import ProductionChannel

    channels = [*make_reach(load_experiment("nucal"), "dark-photon", channels=["pi0", "proton_brems"]).channels,
                *make_reach(load_experiment("nucal"), "dark-photon", channels=["vector_mixing"]).channels,
                *make_reach(load_experiment("e137"), "dark-photon").channels]
    assert {type(c).__name__ for c in channels} >= {"MesonDecayChannel", "ProtonBremsChannel", "VectorMixingChannel", "ElectronBremsChannel"}
    for c in channels:
        assert isinstance(c, ProductionChannel), type(c)
        assert c.couples()


def test_b_minus_l_and_protophobic_couple_to_nucleons_through_their_isospin():
    """F1(0) = 2x_u + x_d: 1 for the photon and B−L, 0 for the proto-phobic vector; near the ω
    B−L's isoscalar-only form factor differs from the photon's."""
    from beamdump.production.proton_brems import load_form_factors

    vmd = load_form_factors()["vmd"]
    bl, pp = get_model("b-l").charges, get_model("protophobic").charges
    assert float(vmd.squared(1e-8)) == pytest.approx(1.0, rel=1e-6)
    assert float(vmd.squared(1e-8, bl)) == pytest.approx(bl.proton**2, rel=1e-6)
    assert float(vmd.squared(1e-8, pp)) == pytest.approx(0.0, abs=1e-6)
    m2 = 0.76**2
    assert abs(float(vmd.squared(m2, bl)) / float(vmd.squared(m2)) - 1.0) > 0.2
    for kind in ("dipole", "none"):
        assert float(load_form_factors()[kind].squared(0.1, pp)) == 0.0


def test_vector_mixing_and_electron_brems_follow_the_charges():
    from beamdump.models.vector_charges import E_CHARGE
    from beamdump.production.electron_brems import ElectronBremsChannel
    from beamdump.production.vector_mixing import load_mixing_mesons

    bl = get_model("b-l").charges
    mesons = {m.name: m for m in load_mixing_mesons()[0]}
    assert float(mesons["rho0"].mixing_probability(0.7, bl)) == 0.0
    ratio = float(mesons["omega"].mixing_probability(0.7, bl)) / float(mesons["omega"].mixing_probability(0.7))
    assert ratio == pytest.approx(4.0 / E_CHARGE**2, rel=1e-12)  # ω coupling 3(x_u + x_d) = 2, in units of g not e
    assert ElectronBremsChannel(20.0, "aluminium", charges=bl).rate_factor == pytest.approx(1.0 / E_CHARGE**2, rel=1e-12)
    assert not ElectronBremsChannel(20.0, "aluminium", charges=get_model("leptophobic-b").charges).couples()


def test_the_pion_form_factor_follows_the_rho_and_omega_couplings():
    """π⁺π⁻ is isovector (ρ) with a small isoscalar (ρ–ω mixing) part: the proto-phobic vector's
    ρ coupling −1 and ω coupling +1 flip the interference at the ω."""
    from beamdump.models.r_ratio import RRatio

    rr = RRatio()
    s = np.array([0.6**2, 0.7827**2])
    photon = rr.r_pipi(s)
    assert np.allclose(rr.r_pipi(s, -1.0, -1.0), photon, rtol=1e-12)  # an overall sign does nothing
    flipped = rr.r_pipi(s, -1.0, 1.0)
    assert flipped[0] == pytest.approx(photon[0], rel=0.02)  # off the ω: the ρ alone
    assert abs(flipped[1] / photon[1] - 1.0) > 0.03  # at the ω (a 6% interference): the mixing term enters with the other sign
    assert np.all(rr.r_pipi(s, 0.0, 1.0) < 0.05 * photon)  # no ρ coupling: only the ω's small ππ


def test_inclusive_final_states_decay_with_open_channels():
    lep = get_model("leptophobic-b")
    assert lep.final_states()["visible"].daughters == (111, 22)  # no electrons: π⁰γ kinematics
    assert lep.final_states()["visible"].charges == (0.0, 0.0)
    had = get_model("dark-photon").final_states()["hadrons"]
    assert had.at(0.5).daughters == (211, -211) and had.at(0.2).daughters == (111, 22)
    assert had.threshold == pytest.approx(0.13498, rel=1e-3)
    rng = np.random.default_rng(1)
    with pytest.raises(BeamdumpInputError, match="cannot decay"):
        had.decay(np.array([[10.0, 0.0, 0.0, 9.99]]), 0.2, rng)
