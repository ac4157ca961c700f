"""Poisson upper limits: known values, monotonicity, systematics (hypothesis for the properties)."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats as sps

from beamdump.errors import BeamdumpInputError
from beamdump.limits.stats import LimitSettings, poisson_upper_limit


def test_zero_observed_zero_background_is_2_30():
    assert poisson_upper_limit(0, 0.0) == pytest.approx(2.302585, abs=1e-5)
    assert poisson_upper_limit(0, 0.0, method="classical") == pytest.approx(2.302585, abs=1e-5)


def test_known_classical_values():
    # Neyman 90% CL upper limits on a Poisson mean (PDG Statistics review, Table 40.3)
    for n, mu in [(1, 3.890), (2, 5.322), (3, 6.681), (5, 9.275)]:
        assert poisson_upper_limit(n, 0.0, method="classical") == pytest.approx(mu, abs=2e-3)


def test_cls_with_zero_observed_does_not_depend_on_background():
    for b in (0.0, 0.07, 1.0, 5.0, 800.0):  # 800: P(0 | b) underflows unless CLs is formed analytically
        assert poisson_upper_limit(0, b) == pytest.approx(2.302585, abs=1e-5)


def test_classical_subtracts_background_and_stops_at_zero():
    assert poisson_upper_limit(0, 1.0, method="classical") == pytest.approx(1.302585, abs=1e-5)
    assert poisson_upper_limit(0, 3.0, method="classical") == 0.0


def test_cls_definition_holds_at_the_limit():
    n, b = 3, 1.2
    s = poisson_upper_limit(n, b)
    cls = sps.poisson.cdf(n, s + b) / sps.poisson.cdf(n, b)
    assert cls == pytest.approx(0.1, rel=1e-6)


def test_signal_systematic_loosens_the_limit():
    base = poisson_upper_limit(0, 0.0)
    with_unc = poisson_upper_limit(0, 0.0, signal_rel_unc=0.2)
    assert base < with_unc < base * 1.1  # ≈ 2.41 for 20 %: Cousins–Highland
    assert poisson_upper_limit(0, 0.0, signal_rel_unc=0.5) > with_unc


@settings(max_examples=40, deadline=None)
@given(n=st.integers(0, 8), b=st.floats(0.0, 5.0), cl=st.floats(0.5, 0.99))
def test_limit_grows_with_observed_and_with_confidence(n, b, cl):
    s = poisson_upper_limit(n, b, cl=cl)
    assert s > 0
    assert poisson_upper_limit(n + 1, b, cl=cl) > s
    assert poisson_upper_limit(n, b, cl=min(cl + 0.005, 0.995)) >= s


@settings(max_examples=30, deadline=None)
@given(n=st.integers(0, 6), b=st.floats(0.0, 3.0))
def test_cls_is_never_below_classical(n, b):
    assert poisson_upper_limit(n, b) >= poisson_upper_limit(n, b, method="classical") - 1e-9


@pytest.mark.parametrize(
    "kwargs, field",
    [
        (dict(n_observed=-1), "n_observed"),
        (dict(n_observed=1.5), "n_observed"),
        (dict(background=-0.1), "background"),
        (dict(background=float("nan")), "background"),
        (dict(cl=1.0), "cl"),
        (dict(method="bayes"), "method"),
    ],
)
def test_bad_input_names_the_field(kwargs, field):
    with pytest.raises(BeamdumpInputError, match=field):
        LimitSettings(**kwargs)


def test_an_analysis_event_limit_replaces_the_poisson_one():
    from beamdump.limits.stats import LimitSettings

    lim = LimitSettings(n_observed=0, background=0.0, cl=0.95, events_upper_limit=18.0)
    assert lim.upper_limit() == 18.0
    assert LimitSettings(cl=0.95).upper_limit() == pytest.approx(-np.log(0.05), rel=1e-6)
    for bad in (0.0, -3.0, float("inf"), float("nan")):
        with pytest.raises(BeamdumpInputError, match="events_upper_limit"):
            LimitSettings(events_upper_limit=bad)


def test_historic_electron_dumps_carry_their_reinterpretation_statistics():
    """arXiv:1209.6083 Fig. 2 is at 95% CL; E141 and E774 rest on their analyses' own event limits."""
    from beamdump.experiments.experiment import load_experiment

    for name in ("e137", "e141", "e774", "orsay", "kek"):
        assert load_experiment(name).limit.cl == 0.95, name
    assert load_experiment("e141").limit.upper_limit() > 1000  # background-subtracted: of order 3e3
    assert 10 < load_experiment("e774").limit.upper_limit() < 30
    assert load_experiment("kek").limit.upper_limit() == pytest.approx(2.996, abs=1e-3)


def test_each_final_state_has_its_own_counts():
    """NA62 had one signal region per final state: a μμ reach uses μμ's background, ee + μμ the sums."""
    from beamdump.experiments.experiment import load_experiment

    na62 = load_experiment("na62-dump-2021")
    mumu, ee, both = (na62.limit_for(fs) for fs in (("mumu",), ("ee",), ("ee", "mumu")))
    assert mumu.background == pytest.approx(0.016) and ee.background == pytest.approx(0.0094)
    assert both.background == pytest.approx(0.0254) and both.n_observed == mumu.n_observed + ee.n_observed
    assert both.background_rel_unc == pytest.approx((0.016**2 + 0.0094**2) ** 0.5 / 0.0254)
    # no per-final-state counts: the preset's own
    charm = load_experiment("charm")
    assert charm.limit_for(("ee",)) == charm.limit
