"""Heavy-neutral-lepton production channels (production/hnl_channels.py, hnl_sources.py): weights =
parent yield × P(decay) × BR × U², the N's rest-frame momentum and conservation, the mode choice,
the mixing scaling, the cone, the τ chain, the decay pipe, the wiring into build_channels."""

from __future__ import annotations

from dataclasses import dataclass
from types import SimpleNamespace

import numpy as np
import pytest

from beamdump.errors import BeamdumpInputError
from beamdump.kinematics import two_body_momentum
from beamdump.models.base import HBARC_GEV_M, MixingCouplings, ProductionCouplings
from beamdump.pdg import mass_gev, width_gev
from beamdump.production.channels import applicable, build_channels, channel_descriptions
from beamdump.production.decay_pipe import DecayPipe
from beamdump.production.flavour_decays import interaction_length_m
from beamdump.production.hnl_channels import HNL_CHANNELS, HNLChannel, max_rest_momentum
from beamdump.production.hnl_sources import DumpParents, PipeParents, TauParents, ds_to_tau_nu, tau_momentum_in_ds
from beamdump.sources.meson_table import MesonSpectra
from beamdump.sources.spectrum_settings import SpectrumSettings

MU = MixingCouplings({"mu": 1.0})


@dataclass(frozen=True)
class FakeMode:
    """A production mode with the HNLMode interface and a constant BR (a test double): two-body
    (one partner) at the fixed momentum, or three-body with |p*| uniform below the bound."""

    parent: int
    flavour: str
    partners: tuple[int, ...]
    br: float
    name: str = "fake"
    kind: str = "leptonic"
    source: str = "test"

    def max_mass(self) -> float:
        return mass_gev(self.parent) - sum(mass_gev(abs(p)) for p in self.partners)

    def branching(self, m):
        return np.where(np.asarray(m) < self.max_mass(), self.br, 0.0)

    def width(self, m):
        return self.branching(m) * width_gev(self.parent)

    def rest_momenta(self, m: float, n: int, rng: np.random.Generator):
        q = float(two_body_momentum(mass_gev(self.parent), m, sum(mass_gev(abs(p)) for p in self.partners)))
        return np.full(n, q) if len(self.partners) == 1 else q * rng.random(n)


def one_bin_table(pdg_ids=(321, -321), p_gev=10.0, theta=1e-6, per_proton=0.1, energy=400.0, width=1e-6) -> MesonSpectra:
    """Every species with ``per_proton`` per proton at one momentum and angle (a bin ``width`` wide
    in log10 θ, 1e-6 in log10 p)."""
    settings = SpectrumSettings(beam_energy_gev=energy, n_events=1000, pdg_ids=tuple(pdg_ids))
    lt = np.log10(theta) + np.array([0.0, width])
    lp = np.log10(p_gev) + np.array([0.0, 1e-6])
    y = np.full((len(pdg_ids), 1, 1), per_proton)
    return MesonSpectra(settings, tuple(pdg_ids), lt, lp, y, np.full(y.shape, 1000, dtype=np.int64), 1000)


def channel(modes, source, mixing=MU, **kw) -> HNLChannel:
    by_parent: dict[int, tuple] = {}
    for m in modes:
        by_parent[m.parent] = by_parent.get(m.parent, ()) + (m,)
    return HNLChannel("hnl_test", "test", source, by_parent, mixing, **kw)


def _unboost(parent: np.ndarray, n: np.ndarray) -> np.ndarray:
    """Boost ``n`` (k, 4) by −β of ``parent`` (k, 4), row by row (the explicit Lorentz transformation)."""
    beta = parent[:, 1:] / parent[:, :1]
    b2 = np.sum(beta * beta, axis=1)
    g = 1.0 / np.sqrt(1.0 - b2)
    bp = np.sum(beta * n[:, 1:], axis=1)
    e = g * (n[:, 0] - bp)
    coef = np.where(b2 > 0, (g - 1.0) * bp / np.where(b2 > 0, b2, 1.0), 0.0)
    p = n[:, 1:] + (coef - g * n[:, 0])[:, None] * beta
    return np.column_stack([e, p])


# ------------------------------------------------------------------ weights
def test_weight_is_yield_times_decay_probability_times_br_times_u2():
    """K± of 10 GeV in copper: N per proton = 2 × 0.1 × λ/(λ + βγcτ) × BR × U_μ²."""
    m, br, u2 = 0.2, 3e-3, 0.25
    lam = interaction_length_m("copper")
    ch = channel([FakeMode(321, "mu", (-13,), br)], DumpParents({321: one_bin_table()}, lam), MixingCouplings({"mu": u2, "e": 1 - u2}))
    ell = 10.0 / mass_gev(321) * HBARC_GEV_M / width_gev(321)
    s = ch.sample(m, np.random.default_rng(1))
    assert s.coupling_power == 1 and s.channel == "hnl_test"
    assert s.total == pytest.approx(2 * 0.1 * lam / (lam + ell) * br * u2, rel=1e-5)
    assert ch.sample(0.5, np.random.default_rng(1)).total == 0.0  # above m_K − m_μ
    assert ch.mass_range() == (0.0, pytest.approx(mass_gev(321) - mass_gev(13)))


def test_mixing_ratios_scale_the_channel_exactly():
    modes = [FakeMode(321, "mu", (-13,), 3e-3), FakeMode(321, "e", (-11,), 1e-3), FakeMode(321, "e", (111, -11), 2e-3)]
    src = DumpParents({321: one_bin_table()}, 0.15)
    t = {f: channel(modes, src, MixingCouplings({f: 1.0})).sample(0.2, np.random.default_rng(4)).total for f in ("e", "mu")}
    mixed = channel(modes, src, MixingCouplings({"e": 0.3, "mu": 0.7})).sample(0.2, np.random.default_rng(4)).total
    assert mixed == pytest.approx(0.3 * t["e"] + 0.7 * t["mu"], rel=1e-12)
    assert t["e"] / t["mu"] == pytest.approx(3e-3 / 3e-3, rel=1e-12)
    assert not channel(modes, src, MixingCouplings({"tau": 1.0})).couples()
    assert channel(modes, src, MixingCouplings({"tau": 1.0})).sample(0.2, np.random.default_rng(4)).total == 0.0


def test_mode_is_drawn_with_probability_br_times_u2_and_the_weight_is_the_sum():
    """Two two-body modes of different momenta: every row carries w Σ BR·U², and the share of rows
    with mode 1's momentum is BR₁U₁²/Σ (binomial, within 5σ)."""
    modes = [FakeMode(321, "mu", (-13,), 3e-3), FakeMode(321, "e", (-11,), 1e-3)]
    mix = MixingCouplings({"e": 0.5, "mu": 0.5})
    table = one_bin_table(p_gev=30.0)
    src = DumpParents({321: table}, np.inf, parents_per_bin=20000)
    s = channel(modes, src, mix).sample(0.1, np.random.default_rng(2))
    assert np.allclose(s.weights, s.weights[0])
    ell = 30.0 / mass_gev(321) * HBARC_GEV_M / width_gev(321)
    assert s.total == pytest.approx(2 * 0.1 * 0.5 * 4e-3, rel=1e-9)  # λ = ∞: every kaon decays
    parents = np.concatenate([sp.frame.gamma for sp in src.species])
    assert len(parents) == len(s) and ell > 0
    q = np.array([two_body_momentum(mass_gev(321), 0.1, mass_gev(x)) for x in (13, 11)])
    p_star = _star_momenta(src, s)
    share = np.mean(np.isclose(p_star, q[0], rtol=1e-6))
    assert np.all(np.isclose(p_star, q[0], rtol=1e-6) | np.isclose(p_star, q[1], rtol=1e-6))
    f = 0.75
    assert abs(share - f) < 5 * np.sqrt(f * (1 - f) / len(s))


def _star_momenta(src, s) -> np.ndarray:
    """|p*| of each N of ``s`` (all parents kept, in species order) in its parent's frame."""
    parents = []
    for sp in src.species:
        f = sp.frame
        e = f.gamma * f.mass
        parents.append(np.column_stack([e, (f.beta * e).T]))
    return np.linalg.norm(_unboost(np.concatenate(parents), s.p4)[:, 1:], axis=1)


# ------------------------------------------------------------------ kinematics
@pytest.mark.parametrize("partners", [(-13,), (111, -13)])
def test_n_momentum_in_the_parent_frame(partners):
    """Boosted back to its parent's frame, the N has the two-body momentum (or one below the
    three-body bound), its mass, and isotropic directions; two-body: (p_K − p_N)² = m_μ²."""
    m = 0.15
    mode = FakeMode(321, "mu", partners, 1e-2)
    table = one_bin_table(p_gev=50.0, theta=0.05)
    src = DumpParents({321: table}, np.inf, parents_per_bin=4000)
    s = channel([mode], src).sample(m, np.random.default_rng(3))
    star = _unboost(np.concatenate([np.column_stack([sp.frame.gamma * sp.frame.mass, (sp.frame.beta * sp.frame.gamma * sp.frame.mass).T]) for sp in src.species]), s.p4)
    np.testing.assert_allclose(s.p4[:, 0] ** 2 - np.sum(s.p4[:, 1:] ** 2, axis=1), m * m, rtol=1e-7)
    q = np.linalg.norm(star[:, 1:], axis=1)
    q_max = max_rest_momentum(mode, m)
    if len(partners) == 1:
        np.testing.assert_allclose(q, q_max, rtol=1e-7)
        parent = np.concatenate([np.column_stack([sp.frame.gamma * sp.frame.mass, (sp.frame.beta * sp.frame.gamma * sp.frame.mass).T]) for sp in src.species])
        rest = parent - s.p4
        np.testing.assert_allclose(rest[:, 0] ** 2 - np.sum(rest[:, 1:] ** 2, axis=1), mass_gev(13) ** 2, rtol=1e-4, atol=1e-8)
    else:
        assert np.all(q <= q_max * (1 + 1e-9)) and q.std() > 0.1 * q_max
    u = star[:, 1:] / q[:, None]
    assert np.all(np.abs(u.mean(axis=0)) < 5 * np.sqrt(1 / 3 / len(u)))


def test_cone_drops_only_parents_whose_n_cannot_reach_the_angle():
    """With a cut at θ_max the channel keeps exactly the N of the uncut sample that fly within θ_max
    (same rotation; two-body: no random momenta), and drops rows."""
    table = one_bin_table(pdg_ids=(321, -321), p_gev=40.0, theta=0.005, width=1.0)
    src = DumpParents({321: table}, 0.2, parents_per_bin=3000)
    ch = channel([FakeMode(321, "mu", (-13,), 1e-2)], src)
    m, top = 0.3, 0.02
    full = ch.sample(m, np.random.default_rng(9))
    cut = ch.sample(m, np.random.default_rng(9), max_theta=top)
    ang = lambda p4: np.arccos(p4[:, 3] / np.linalg.norm(p4[:, 1:], axis=1))  # noqa: E731
    assert len(cut) < len(full)
    inside_full, inside_cut = ang(full.p4) <= top, ang(cut.p4) <= top
    assert inside_full.sum() == inside_cut.sum() > 0
    np.testing.assert_allclose(np.sort(full.weights[inside_full]), np.sort(cut.weights[inside_cut]))
    np.testing.assert_allclose(np.sort(full.p4[inside_full, 0]), np.sort(cut.p4[inside_cut, 0]))


# ------------------------------------------------------------------ the τ chain
def test_tau_from_ds_has_the_two_body_momentum_in_the_ds_frame():
    """τ of D_s → τν: p* = (M_Ds² − m_τ²)/(2M_Ds) in the D_s frame, weight = D_s weight × BR, τ⁺ from D_s⁺."""
    ds_table = one_bin_table(pdg_ids=(431, -431), p_gev=60.0, theta=0.01, per_proton=1e-4)
    dump = DumpParents({431: ds_table}, interaction_length_m("molybdenum"), parents_per_bin=2000)
    taus = TauParents(dump)
    assert taus.parents == (15,) and ds_to_tau_nu() == pytest.approx(0.0536, rel=0.05)
    q = (mass_gev(431) ** 2 - mass_gev(15) ** 2) / (2 * mass_gev(431))
    assert tau_momentum_in_ds() == pytest.approx(q, rel=1e-12)
    for ds, tau in zip(dump.species, taus.species):
        assert tau.pdg == (-15 if ds.pdg > 0 else 15)
        f = tau.frame
        tau_p4 = np.column_stack([f.gamma * f.mass, (f.beta * f.gamma * f.mass).T])
        ds_p4 = np.column_stack([ds.frame.gamma * ds.frame.mass, (ds.frame.beta * ds.frame.gamma * ds.frame.mass).T])
        star = _unboost(ds_p4, tau_p4)
        np.testing.assert_allclose(np.linalg.norm(star[:, 1:], axis=1), q, rtol=1e-7)
        np.testing.assert_allclose(f.weights, ds.frame.weights * ds_to_tau_nu(), rtol=1e-12)
        # the τ flies a free exponential βγcτ (< mm) beyond the D_s decay point
        step = np.linalg.norm(tau.origin - ds.origin, axis=1)
        ell = np.linalg.norm(tau_p4[:, 1:], axis=1) / mass_gev(15) * HBARC_GEV_M / width_gev(15)
        assert np.mean(step / ell) == pytest.approx(1.0, abs=0.1)


def test_tau_channel_weight():
    """N from τ of D_s: Σ = D_s per proton × P_Ds × BR(D_s → τν) × BR(τ → N X) × U_τ²."""
    ds_table = one_bin_table(pdg_ids=(431, -431), p_gev=60.0, theta=0.01, per_proton=1e-4)
    lam = interaction_length_m("molybdenum")
    taus = TauParents(DumpParents({431: ds_table}, lam))
    ch = channel([FakeMode(15, "tau", (-211,), 0.1)], taus, MixingCouplings({"tau": 1.0}))
    ell = 60.0 / mass_gev(431) * HBARC_GEV_M / width_gev(431)
    assert ch.sample(1.0, np.random.default_rng(0)).total == pytest.approx(2e-4 * lam / (lam + ell) * ds_to_tau_nu() * 0.1, rel=1e-5)


# ------------------------------------------------------------------ the decay pipe
def test_pipe_channel_on_axis_against_the_closed_form():
    """K± on the axis (θ = 1 μrad, 10 GeV), a NuMI-like pipe: N per proton = 2 × 0.1 × t e^−t ×
    (e^{−z0/ℓ} − e^{−z1/ℓ}) × BR × U², the decay points inside the pipe."""
    pipe = DecayPipe(50.0, 725.0, 1.0, target_interaction_lengths=0.5)
    ch = channel([FakeMode(321, "mu", (-13,), 5e-3)], PipeParents({321: one_bin_table()}, pipe), cone=False)
    ell = 10.0 / mass_gev(321) * HBARC_GEV_M / width_gev(321)
    s = ch.sample(0.2, np.random.default_rng(0), max_theta=1e-4)  # the angle cut does not apply to the pipe
    want = 2 * 0.1 * 0.5 * np.exp(-0.5) * (np.exp(-50.0 / ell) - np.exp(-725.0 / ell)) * 5e-3
    assert s.total == pytest.approx(want, rel=1e-5)
    assert np.all((s.origin[:, 2] >= 50.0) & (s.origin[:, 2] <= 725.0))


# ------------------------------------------------------------------ wiring
def hnl_like() -> SimpleNamespace:
    return SimpleNamespace(name="hnl-test", production=ProductionCouplings(mixing=MU))


def test_applicable_routes_hnl_channels_to_mixing_models_only():
    from beamdump.models import get_model

    listed = ["k_to_pi", "proton_brems", "primakoff_proton", *HNL_CHANNELS]
    assert applicable(listed, hnl_like()) == list(HNL_CHANNELS)
    for name in ("hnl-mu", "hnl-e-dirac", "hnl"):
        assert applicable(listed, get_model(name)) == list(HNL_CHANNELS)
    for name in ("scalar", "dark-photon", "alp-photon"):
        assert not set(applicable(listed, get_model(name))) & set(HNL_CHANNELS)
    assert set(HNL_CHANNELS) <= set(channel_descriptions())


def test_build_errors_are_one_line():
    from beamdump.models import get_model

    cases = [
        (dict(names=["hnl_kaon"], model=get_model("scalar")), "mixing"),
        (dict(names=["hnl_kaon_in_pipe"], model=hnl_like()), "decay_pipe"),
        (dict(names=["hnl_kaon"], model=hnl_like(), beam_particle="electron"), "proton beam"),
        (dict(names=["hnl_kaon"], model=hnl_like(), parents={"hnl_kaon": [411]}), "parents.hnl_kaon"),
    ]
    for kw, match in cases:
        args = dict(beam_particle="proton", beam_energy_gev=400.0, target="copper")
        args.update(kw)
        parents = args.pop("parents", None)
        with pytest.raises(BeamdumpInputError, match=match) as err:
            build_channels(args.pop("names"), args.pop("beam_particle"), args.pop("beam_energy_gev"), args.pop("model"),
                           channel_parents=parents, **args)
        assert "\n" not in str(err.value)


def test_hnl_pion_needs_the_pion_table():
    """hnl_pion at a beam energy without a π± parent table is a one-line error naming it; with the
    400 GeV table, a channel of π± → e N, μ N."""
    with pytest.raises(BeamdumpInputError, match="pions") as err:
        build_channels(["hnl_pion"], "proton", 333.0, hnl_like(), target="copper")
    assert "\n" not in str(err.value)
    (ch,) = build_channels(["hnl_pion"], "proton", 400.0, hnl_like(), target="copper")
    assert ch.name == "hnl_pion" and ch.mass_range()[1] == pytest.approx(mass_gev(211) - mass_gev(13))
    assert ch.sample(0.02, np.random.default_rng(0)).total > 0


# ------------------------------------------------------------------ end to end
_SHIP_HNL = 'extends = "ship"\nname = "ship-hnl-test"\nchannels = [{channels}]\nfinal_states = ["mu_pi", "gg"]\n'


def ship_hnl(tmp_path, channels=("hnl_charm",)):
    from beamdump.experiments.experiment import load_experiment

    path = tmp_path / "ship-hnl.toml"
    path.write_text(_SHIP_HNL.format(channels=", ".join(f'"{c}"' for c in channels)))
    return load_experiment(path)


def test_reach_events_scale_as_u4_far_below_the_lower_edge(tmp_path):
    """An HNL made ∝ U² and decaying in the volume ∝ U²: N ∝ U⁴ where its decay length is far
    beyond SHiP (a D⁰ → K μ N test mode through the engine, the real hnl-mu model)."""
    from beamdump.engine.reach import Reach
    from beamdump.models import get_model
    from beamdump.sources.flavour_spectra import parent_spectra

    model = get_model("hnl-mu")
    src = DumpParents({421: parent_spectra(400.0, 421, target="Mo")}, interaction_length_m("Mo"))
    ch = channel([FakeMode(421, "mu", (-321, -13), 0.03)], src, model.production.mixing)
    grid, _ = Reach(ship_hnl(tmp_path), model, [ch], ["mu_pi"]).grid(np.array([0.3, 1.0]), np.array([1e-14, 1e-13, 1e-3]))
    n = grid.total
    assert np.all(n[:, 0] > 0)
    np.testing.assert_allclose(n[:, 1] / n[:, 0], 100.0, rtol=1e-6)


# ------------------------------------------------------------------ with the production modes of hnl_modes
def test_every_mode_stays_inside_the_cone_bound():
    """The cone pre-selection uses p*_max = p(M; m, Σ m_partners): no drawn |p*| exceeds it."""
    from beamdump.production.hnl_modes import hnl_modes

    rng = np.random.default_rng(7)
    for mode in hnl_modes().values():
        for frac in (0.05, 0.5, 0.95):
            m = frac * mode.max_mass()
            q = mode.rest_momenta(m, 200, rng)
            assert np.all(q <= max_rest_momentum(mode, m) * (1 + 1e-9)), (mode.name, m)


def test_kaon_channel_is_the_direct_sum_over_the_kplus_modes():
    """hnl_kaon of one K± bin, hnl-mu: 2 × 0.1 × P(decay) × [BR(K⁺ → μ⁺N) + BR(K⁺ → π⁰μ⁺N)] (U_μ² = 1);
    U_e² alone gives the e modes' sum."""
    from beamdump.production.hnl_channels import HNL_KAON, LABELS
    from beamdump.production.hnl_modes import modes_of

    lam = interaction_length_m("copper")
    src = DumpParents({321: one_bin_table()}, lam)
    ell = 10.0 / mass_gev(321) * HBARC_GEV_M / width_gev(321)
    m = 0.2
    for flavour in ("mu", "e"):
        ch = HNLChannel(HNL_KAON, LABELS[HNL_KAON], src, {321: modes_of(321)}, MixingCouplings({flavour: 1.0}))
        want = sum(float(md.branching(m)) for md in modes_of(321) if md.flavour == flavour)
        assert want > 0
        assert ch.sample(m, np.random.default_rng(0)).total == pytest.approx(2 * 0.1 * lam / (lam + ell) * want, rel=1e-5)


def test_pipe_parents_are_those_of_the_kaon_pipe_channel():
    """hnl_kaon_in_pipe draws the same kaons with the same P(decay in the pipe) as k_to_pi_in_pipe."""
    from beamdump.production.decay_pipe import PipeDecayChannel
    from beamdump.production.flavour_decays import load_definitions
    from beamdump.models.base import FlavourCouplings

    pipe = DecayPipe(50.0, 725.0, 1.0)
    table = one_bin_table(p_gev=15.0, theta=1e-3, width=0.5)
    old = PipeDecayChannel(load_definitions()["k_to_pi"], {321: table}, FlavourCouplings(vector={"sd": 1e-9}, axial={}), pipe=pipe)
    new = PipeParents({321: table}, pipe)
    for a, b in zip(old.species, new.species):
        assert a.pdg == b.pdg
        np.testing.assert_array_equal(a.frame.weights, b.frame.weights)
        np.testing.assert_array_equal(a.origin, b.origin)


def test_make_reach_of_a_ship_like_preset_gives_n_proportional_to_u4(tmp_path):
    """make_reach with the hnl_* channels of a SHiP-like preset and hnl-mu: every channel that can
    make the mass contributes, and N ∝ U⁴ far below the lower edge."""
    from beamdump.engine.analysis import make_reach, run_reach

    chans = ("hnl_kaon", "hnl_charm", "hnl_tau", "hnl_beauty")
    reach = make_reach(ship_hnl(tmp_path, chans), "hnl-mu")
    assert [c.name for c in reach.channels] == list(chans)
    r = run_reach(reach, masses=np.array([0.3, 1.0, 2.0]), couplings=np.array([1e-14, 1e-13, 1e-2]))
    n = r.grid.total
    assert np.all(n[:, 0] > 0)
    np.testing.assert_allclose(n[:, 1] / n[:, 0], 100.0, rtol=1e-6)
    by = r.grid.by_channel
    assert by["hnl_kaon"][0, 0] > 0 and by["hnl_charm"][1, 0] > 0 and by["hnl_tau"][1, 0] > 0 and by["hnl_beauty"][2, 0] > 0
    assert by["hnl_kaon"][1, 0] == 0 and by["hnl_charm"][2, 0] == 0


_PIPE_HNL = """extends = "microboone-numi"
name = "pipe-hnl-test"
channels = ["hnl_kaon_in_pipe", "hnl_pion_in_pipe"]
final_states = ["e_pi"]
[decay_pipe]
z_start = { value = 50.0, source = "test" }
z_end = { value = 725.0, source = "test" }
radius = { value = 1.0, source = "test" }
target_length_interaction_lengths = { value = 2.0, source = "test" }
"""


def test_preset_decay_pipe_reaches_the_pipe_channels(tmp_path):
    """A preset's [decay_pipe] builds the hnl_*_in_pipe channels with its pipe (the thin-target
    factor t e^−t included); the N are born inside the pipe."""
    from beamdump.engine.analysis import make_reach
    from beamdump.experiments.experiment import load_experiment

    path = tmp_path / "pipe.toml"
    path.write_text(_PIPE_HNL)
    reach = make_reach(load_experiment(path), "hnl-e")
    kaon, pion = reach.channels
    assert (kaon.name, pion.name) == ("hnl_kaon_in_pipe", "hnl_pion_in_pipe")
    pipe = kaon.source.pipe
    assert (pipe.z_start, pipe.z_end, pipe.radius, pipe.target_interaction_lengths) == (50.0, 725.0, 1.0, 2.0)
    s = pion.sample(0.05, np.random.default_rng(0))
    assert s.total > 0 and np.all((s.origin[:, 2] >= 50.0) & (s.origin[:, 2] <= 725.0))


def test_collider_builds_the_prompt_channels_only():
    from beamdump.models import get_model

    model = get_model("hnl-mu")
    chans = build_channels(["hnl_charm", "hnl_tau", "hnl_beauty"], "proton", 13600.0, model, collider_tune="forward")
    assert [c.name for c in chans] == ["hnl_charm", "hnl_tau", "hnl_beauty"]
    assert all(c.sample(1.0, np.random.default_rng(0)).total > 0 for c in chans)
    for name in ("hnl_kaon", "hnl_pion_in_pipe"):
        with pytest.raises(BeamdumpInputError, match="collider"):
            build_channels([name], "proton", 13600.0, model, collider_tune="forward", decay_pipe=DecayPipe(1.0, 2.0, 1.0))
