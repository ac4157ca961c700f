"""The compressed coupling dependence: exactness of the limits it promises."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from beamdump.engine.lifetime_table import LifetimeTable


def _direct(u, c, g, k=2, p=2):
    return g**k * np.sum(c[None, :] * np.exp(-np.outer(g**p, u)), axis=1)


def _terms(rng, n=500):
    u_in = 10 ** rng.uniform(-3, 5, n)
    u_out = u_in * (1 + 10 ** rng.uniform(-2, 0.5, n))
    w = rng.uniform(0, 1, n)
    return np.concatenate([u_in, u_out]), np.concatenate([w, -w])


def test_matches_direct_sum_to_per_mille_where_it_matters():
    rng = np.random.default_rng(3)
    u, c = _terms(rng)
    table = LifetimeTable.from_terms(u, c)
    g = np.geomspace(1e-4, 10, 60)
    exact = _direct(u, c, g)
    approx = table.evaluate(g)
    big = exact > 1e-6 * exact.max()
    assert np.allclose(approx[big], exact[big], rtol=3e-3)


def test_long_lifetime_limit_is_exact():
    # Σc = 0, so N → g^k · g^p · Σ c·(−u): the ε⁴ regime must be exact, not approximate
    rng = np.random.default_rng(4)
    u, c = _terms(rng)
    table = LifetimeTable.from_terms(u, c)
    g = 1e-6
    expected = g**4 * np.sum(-c * u)
    assert table.evaluate(g) == pytest.approx(expected, rel=1e-9)


def test_constant_term_for_paths_starting_inside():
    t = LifetimeTable.from_terms(np.array([0.0, 2.0]), np.array([1.0, -1.0]))
    assert t.constant == 1.0
    assert t.evaluate(1.0) == pytest.approx(1.0 - np.exp(-2.0), rel=2e-3)


@settings(max_examples=30, deadline=None)
@given(seed=st.integers(0, 10_000), scale=st.floats(0.1, 10.0))
def test_addition_and_scaling_are_linear(seed, scale):
    rng = np.random.default_rng(seed)
    u1, c1 = _terms(rng, 50)
    u2, c2 = _terms(rng, 50)
    a, b = LifetimeTable.from_terms(u1, c1), LifetimeTable.from_terms(u2, c2)
    both = LifetimeTable.from_terms(np.concatenate([u1, u2]), np.concatenate([c1, c2]))
    g = np.geomspace(1e-3, 1, 7)
    assert np.allclose((a + b).scaled(scale).evaluate(g), scale * both.evaluate(g), rtol=1e-9, atol=1e-300)


def test_empty_table_gives_zero():
    assert LifetimeTable.empty().evaluate(np.array([1e-5, 1.0])).tolist() == [0.0, 0.0]
