"""Kaons decaying in flight in a decay pipe (production/decay_pipe.py): the line–pipe segment,
P(decay in the pipe) against closed forms, the decay points, the yield's scaling, the config."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from beamdump.errors import BeamdumpInputError
from beamdump.models.base import HBARC_GEV_M, FlavourCouplings
from beamdump.pdg import mass_gev, width_gev
from beamdump.production.decay_pipe import (
    K_TO_PI_IN_PIPE,
    DecayPipe,
    KaonsInPipeChannel,
    PipeDecayChannel,
    decay_in_pipe,
    kaons_in_pipe,
    pipe_segment,
    thin_target_factor,
    truncated_exponential,
)
from beamdump.production.flavour_decays import load_definitions
from beamdump.sources.meson_table import MesonSpectra
from beamdump.sources.spectrum_settings import SpectrumSettings

NUMI = DecayPipe(50.0, 725.0, 1.0)  # 675 m long, 2 m diameter, from ~50 m [check: recalled, NuMI beam paper arXiv:1507.06690]
C_SD = 1e-9  # GeV⁻¹: an s → d vector coupling with a CP phase (K_L reads its imaginary part)
COUPLINGS = FlavourCouplings(vector={"sd": C_SD * (0.6 + 0.8j)}, axial={}, rate_power=2)


def ctau_k(pdg: int = 321) -> float:
    return HBARC_GEV_M / width_gev(pdg)


def one_bin_table(pdg_ids=(321, -321), p_gev=10.0, theta=1e-6, per_proton=0.1) -> MesonSpectra:
    """Every species with ``per_proton`` per proton at one momentum and angle (a bin 1e-6 wide in log10)."""
    settings = SpectrumSettings(beam_energy_gev=120.0, n_events=1000, pdg_ids=tuple(pdg_ids))
    lt = np.log10(theta) + np.array([0.0, 1e-6])
    lp = np.log10(p_gev) + np.array([0.0, 1e-6])
    y = np.full((len(pdg_ids), 1, 1), per_proton)
    return MesonSpectra(settings, tuple(pdg_ids), lt, lp, y, np.full(y.shape, 1000, dtype=np.int64), 1000)


def k_channel(pipe: DecayPipe, table: MesonSpectra, couplings: FlavourCouplings = COUPLINGS, **kw) -> PipeDecayChannel:
    return PipeDecayChannel(load_definitions()["k_to_pi"], {321: table}, couplings, pipe=pipe, **kw)


# ------------------------------------------------------------------ P(decay in the pipe)
def test_axis_line_closed_form():
    z0, z1, ell = 50.0, 725.0, 80.0
    l_in, l_out = pipe_segment(np.zeros((1, 3)), np.array([[0.0, 0.0, 1.0]]), DecayPipe(z0, z1, 1.0))
    assert (l_in[0], l_out[0]) == pytest.approx((z0, z1))
    want = np.exp(-z0 / ell) - np.exp(-z1 / ell)  # ∫ from z0 to z1 of e^{−l/ℓ}/ℓ
    assert float(decay_in_pipe(l_in, l_out, ell)[0]) == pytest.approx(want, rel=1e-12)


def test_channel_on_axis_is_yield_times_br_times_probability():
    """Kaons along the axis (θ = 1 μrad, 10 GeV): X per proton = 2 × 0.1 × BR × P(z0 < z < z1)."""
    m, p = 0.2, 10.0
    ch = k_channel(NUMI, one_bin_table(p_gev=p))
    ell = p / mass_gev(321) * ctau_k()
    prob = np.exp(-NUMI.z_start / ell) - np.exp(-NUMI.z_end / ell)
    br = float(load_definitions()["k_to_pi"].branching(m, COUPLINGS, 321))
    s = ch.sample(m, np.random.default_rng(3))
    assert s.total == pytest.approx(2 * 0.1 * br * prob, rel=1e-5)


@pytest.mark.parametrize("theta", [0.0, 0.3])
def test_infinite_pipe_gives_survival_to_its_start(theta):
    """L → ∞, R → ∞: P = exp(−l_in/ℓ), l_in = z0/cos θ (z0/ℓ on the axis)."""
    z0, ell = 40.0, 25.0
    u = np.array([[np.sin(theta), 0.0, np.cos(theta)]])
    l_in, l_out = pipe_segment(np.zeros((1, 3)), u, DecayPipe(z0, 1e12, np.inf))
    assert float(decay_in_pipe(l_in, l_out, ell)[0]) == pytest.approx(np.exp(-z0 / np.cos(theta) / ell), rel=1e-9)
    big = DecayPipe(z0, 1e7, 1e6)
    l_in, l_out = pipe_segment(np.zeros((1, 3)), u, big)
    assert float(decay_in_pipe(l_in, l_out, ell)[0]) == pytest.approx(np.exp(-z0 / np.cos(theta) / ell), rel=1e-9)


def test_lines_that_miss_the_pipe_decay_nowhere():
    u = np.array([[0.1, 0.0, np.sqrt(0.99)], [0.0, 0.0, -1.0], [1.0, 0.0, 0.0]])  # ρ(z0) = 5 m > R; backwards; sideways
    l_in, l_out = pipe_segment(np.zeros((3, 3)), u, NUMI)
    assert np.all(l_out <= l_in)
    assert np.all(decay_in_pipe(l_in, l_out, 100.0) == 0.0)


_LINES = dict(
    x=st.floats(-2.0, 2.0), y=st.floats(-2.0, 2.0), z=st.floats(-5.0, 30.0),
    theta=st.floats(0.0, np.pi), phi=st.floats(0.0, 2 * np.pi),
    z0=st.floats(0.0, 20.0), length=st.floats(0.5, 50.0), radius=st.floats(0.2, 3.0),
)


@settings(max_examples=150, deadline=None)
@given(**_LINES)
def test_segment_matches_a_direct_walk_along_the_line(x, y, z, theta, phi, z0, length, radius):
    """The segment is where points of the line are inside the pipe (walked in steps of 1e-4 of the
    span), and a line that ends before z_end leaves through the wall: ρ = R there."""
    pipe = DecayPipe(z0, z0 + length, radius)
    s = np.array([[x, y, z]])
    u = np.array([[np.sin(theta) * np.cos(phi), np.sin(theta) * np.sin(phi), np.cos(theta)]])
    l_in, l_out = (float(v[0]) for v in pipe_segment(s, u, pipe))
    span = 100.0
    step = span / 1_000_000
    ls = np.arange(0.0, span, step)
    pts = s[0] + ls[:, None] * u[0]
    inside = (pts[:, 2] > pipe.z_start) & (pts[:, 2] < pipe.z_end) & (np.hypot(pts[:, 0], pts[:, 1]) < radius)
    if not inside.any():
        assert l_out <= l_in + 2 * step
        return
    first, last = ls[inside][0], ls[inside][-1]
    assert np.count_nonzero(inside) == np.flatnonzero(inside)[-1] - np.flatnonzero(inside)[0] + 1  # one interval
    assert l_in == pytest.approx(first, abs=2 * step)
    assert l_out == pytest.approx(last, abs=2 * step)
    end = s[0] + l_out * u[0]
    if pipe.z_start + 1e-6 < end[2] < pipe.z_end - 1e-6:  # not through an end cap: through the wall
        assert np.hypot(end[0], end[1]) == pytest.approx(radius, rel=1e-9)


# ------------------------------------------------------------------ the decay points
def test_truncated_exponential_has_its_cdf():
    l_in, l_out, ell = 60.0, 190.0, 75.0
    u = np.random.default_rng(5).random(20000)
    ls = truncated_exponential(np.full(u.size, l_in), np.full(u.size, l_out), np.full(u.size, ell), u)
    assert ls.min() >= l_in and ls.max() <= l_out
    cdf = lambda x: -np.expm1(-(x - l_in) / ell) / -np.expm1(-(l_out - l_in) / ell)  # noqa: E731
    assert stats.kstest(ls, cdf).pvalue > 1e-3
    d = l_out - l_in
    mean = l_in + ell - d * np.exp(-d / ell) / -np.expm1(-d / ell)
    assert ls.mean() == pytest.approx(mean, rel=0.01)


def test_channel_decay_points_lie_in_the_pipe_along_the_kaon():
    """5 mrad kaons of 10 GeV leave the 1 m pipe through its wall at l = R/sin θ = 200 m; the decay
    points lie on the kaon's line, inside the pipe, distributed as the exponential truncated to
    [z0/cos θ, 200 m] (KS)."""
    theta, p = 5e-3, 10.0
    ch = k_channel(NUMI, one_bin_table(theta=theta, p_gev=p), parents_per_bin=4000)
    s = ch.sample(0.2, np.random.default_rng(1))
    o = s.origin
    rho = np.hypot(o[:, 0], o[:, 1])
    assert np.all((o[:, 2] >= NUMI.z_start) & (o[:, 2] <= NUMI.z_end) & (rho <= NUMI.radius * (1 + 1e-9)))
    r = np.linalg.norm(o, axis=1)
    assert np.allclose(o[:, 2] / r, np.cos(theta), atol=1e-6)
    ell = p / mass_gev(321) * ctau_k()
    l_in, l_out = NUMI.z_start / np.cos(theta), NUMI.radius / np.sin(theta)
    cdf = lambda x: -np.expm1(-(x - l_in) / ell) / -np.expm1(-(l_out - l_in) / ell)  # noqa: E731
    assert stats.kstest(r, cdf).pvalue > 1e-3
    prob = np.exp(-l_in / ell) * -np.expm1(-(l_out - l_in) / ell)
    br = float(load_definitions()["k_to_pi"].branching(0.2, COUPLINGS, 321))
    assert s.total == pytest.approx(2 * 0.1 * br * prob, rel=1e-4)


# ------------------------------------------------------------------ the yield
def test_yield_scales_with_br_and_the_coupling_power():
    table = one_bin_table(p_gev=20.0, theta=2e-3)
    base = k_channel(NUMI, table)
    k = load_definitions()["k_to_pi"]
    per_br = [base.sample(m, np.random.default_rng(0)).total / float(k.branching(m, COUPLINGS, 321)) for m in (0.01, 0.1, 0.2, 0.3)]
    assert np.allclose(per_br, per_br[0], rtol=1e-9)  # yield × P, the same at every mass
    doubled = FlavourCouplings(vector={"sd": 2 * C_SD * (0.6 + 0.8j)}, axial={}, rate_power=2)
    assert k_channel(NUMI, table, doubled).sample(0.2, np.random.default_rng(0)).total == pytest.approx(
        4 * base.sample(0.2, np.random.default_rng(0)).total, rel=1e-12
    )
    linear = FlavourCouplings(vector={"sd": C_SD * (0.6 + 0.8j)}, axial={}, rate_power=1)  # as the scalar in sin²θ
    assert base.sample(0.2, np.random.default_rng(0)).coupling_power == 2
    assert k_channel(NUMI, table, linear).sample(0.2, np.random.default_rng(0)).coupling_power == 1
    assert base.sample(0.4, np.random.default_rng(0)).total == 0.0  # above m_K − m_π


def test_scalar_yield_in_sin2theta():
    """The scalar's couplings scale as sin²θ (rate_power 1): the yield at sin²θ is the sample's × sin²θ."""
    from beamdump.models import get_model

    fc = get_model("scalar").production.flavour
    s = k_channel(NUMI, one_bin_table(), fc).sample(0.2, np.random.default_rng(0))
    assert s.coupling_power == 1
    br = float(load_definitions()["k_to_pi"].branching(0.2, fc, 321))
    ell = 10.0 / mass_gev(321) * ctau_k()
    prob = np.exp(-NUMI.z_start / ell) - np.exp(-NUMI.z_end / ell)
    assert s.total * 1e-6 == pytest.approx(2 * 0.1 * br * prob * 1e-6, rel=1e-5)


def test_thin_target_factor():
    assert thin_target_factor(None) == 1.0
    assert thin_target_factor(1e-4) == pytest.approx(1e-4, rel=1e-3)  # a thin target: ∝ t
    assert thin_target_factor(1.0) == pytest.approx(np.exp(-1.0))  # the maximum, at t = 1
    assert thin_target_factor(8.0) < 3e-3  # a thick target lets almost none out
    table = one_bin_table()
    thick = DecayPipe(NUMI.z_start, NUMI.z_end, NUMI.radius, target_interaction_lengths=2.0)
    ratio = k_channel(thick, table).sample(0.2, np.random.default_rng(0)).total / k_channel(NUMI, table).sample(0.2, np.random.default_rng(0)).total
    assert ratio == pytest.approx(2.0 * np.exp(-2.0), rel=1e-12)


def test_both_modes_in_one_channel_and_kl_reads_the_imaginary_part():
    table = one_bin_table((321, -321, 130))
    ch = kaons_in_pipe(NUMI, COUPLINGS, lambda pdg: table)
    assert isinstance(ch, KaonsInPipeChannel) and ch.name == K_TO_PI_IN_PIPE
    assert [p.name for p in ch.parts] == ["k_to_pi", "kl_to_pi0"]
    s = ch.sample(0.2, np.random.default_rng(0))
    assert s.channel == K_TO_PI_IN_PIPE
    assert s.total == pytest.approx(sum(p.sample(0.2, np.random.default_rng(0)).total for p in ch.parts), rel=1e-12)
    real = FlavourCouplings(vector={"sd": C_SD}, axial={}, rate_power=2)
    assert kaons_in_pipe(NUMI, real, lambda pdg: table).parts[1].sample(0.2, np.random.default_rng(0)).total == 0.0
    assert ch.mass_range()[1] == pytest.approx(mass_gev(130) - mass_gev(111))


def test_shipped_120gev_kaons_monte_carlo_against_quadrature():
    """The channel's P(decay in a NuMI-like pipe) for the shipped 120 GeV K⁺ against a sum over
    the table's bins at their centres (P from the closed form on each bin's axis line)."""
    from beamdump.sources.flavour_spectra import parent_spectra

    table = parent_spectra(120.0, 321, target="C", cascade=False)
    ch = PipeDecayChannel(load_definitions()["k_to_pi"], {321: table}, COUPLINGS, pipe=NUMI, parents_per_bin=40)
    (k_plus,) = [s for s in ch.species if s.pdg == 321]
    mc = k_plus.frame.weights.sum() / table.multiplicity(321)
    i = table.pdg_ids.index(321)
    th = 10 ** (0.5 * (table.log10_theta_edges[1:] + table.log10_theta_edges[:-1]))
    pc = 10 ** (0.5 * (table.log10_p_edges[1:] + table.log10_p_edges[:-1]))
    T, P = np.meshgrid(th, pc, indexing="ij")
    u = np.column_stack([np.sin(T).ravel(), np.zeros(T.size), np.cos(T).ravel()])
    l_in, l_out = pipe_segment(np.zeros_like(u), u, NUMI)
    prob = decay_in_pipe(l_in, l_out, P.ravel() / mass_gev(321) * ctau_k()).reshape(T.shape)
    quad = float((table.yields[i] * prob).sum() / table.yields[i].sum())
    assert 0.005 < mc < 0.1  # a few per cent of the K⁺ decay in the pipe
    assert mc == pytest.approx(quad, rel=0.1)


# ------------------------------------------------------------------ configuration
def test_decay_pipe_input_errors():
    for args, field in (((50.0, 50.0, 1.0), "z_end"), ((50.0, 10.0, 1.0), "z_end"), ((50.0, 725.0, 0.0), "radius"),
                        ((50.0, 725.0, -1.0), "radius"), ((-1.0, 725.0, 1.0), "z_start"), ((50.0, 725.0, 1.0, 0.0), "target_length")):
        with pytest.raises(BeamdumpInputError, match=f"decay_pipe.{field}") as err:
            DecayPipe(*args)
        assert "\n" not in str(err.value)


_PIPE_PRESET = """extends = "microboone-numi"
name = "pipe-test"
channels = ["k_to_pi_in_pipe"]
[decay_pipe]
z_start = {{ value = {z0}, source = "test" }}
z_end = {{ value = {z1}, source = "test" }}
radius = {{ value = {r}, source = "test" }}
target_length_interaction_lengths = {{ value = 2.0, source = "test" }}
"""


@pytest.mark.parametrize("z0, z1, r, field", [(50.0, 50.0, 1.0, "z_end"), (50.0, 20.0, 1.0, "z_end"), (50.0, 725.0, 0.0, "radius")])
def test_preset_errors_are_one_line(tmp_path, z0, z1, r, field):
    from beamdump.experiments.experiment import load_experiment

    path = tmp_path / "bad.toml"
    path.write_text(_PIPE_PRESET.format(z0=z0, z1=z1, r=r))
    with pytest.raises(BeamdumpInputError, match=f"decay_pipe.{field}") as err:
        load_experiment(path)
    assert "\n" not in str(err.value)


def test_preset_wiring(tmp_path):
    """[decay_pipe] reaches the channel through make_reach; without it the channel is an input error."""
    from beamdump.engine.analysis import make_reach
    from beamdump.experiments.experiment import load_experiment
    from beamdump.production.channels import applicable, build_channels, channel_descriptions
    from beamdump.models import get_model

    path = tmp_path / "pipe.toml"
    path.write_text(_PIPE_PRESET.format(z0=50.0, z1=725.0, r=1.0))
    reach = make_reach(load_experiment(path), "scalar")
    (ch,) = reach.channels
    assert ch.name == K_TO_PI_IN_PIPE
    assert all(p.pipe == DecayPipe(50.0, 725.0, 1.0, 2.0) for p in ch.parts)
    model = get_model("scalar")
    assert applicable([K_TO_PI_IN_PIPE, "pi0"], model) == [K_TO_PI_IN_PIPE]
    assert "focusing" in channel_descriptions()[K_TO_PI_IN_PIPE]
    with pytest.raises(BeamdumpInputError, match="decay_pipe"):
        build_channels([K_TO_PI_IN_PIPE], "proton", 120.0, model, target="C")
    with pytest.raises(BeamdumpInputError, match="collider"):
        build_channels([K_TO_PI_IN_PIPE], "proton", 13600.0, model, collider_tune="forward", decay_pipe=NUMI)
