"""Three-body decay kinematics (beamdump.dalitz, FinalState with three daughters) and the daughter
acceptance of any number of tracked daughters: Dalitz boundaries, conservation, the Michel spectrum."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from beamdump.dalitz import dalitz_limits, energies, matrix_element, rest_frame_momenta, sample_dalitz, three_body_lab
from beamdump.errors import BeamdumpInputError
from beamdump.experiments.acceptance import DaughterAcceptance
from beamdump.experiments.apertures import BoxAperture
from beamdump.kinematics import invariant_mass
from beamdump.models.base import FinalState
from beamdump.pdg import mass_gev

M_MU, M_E = mass_gev(13), mass_gev(11)


def _minkowski(p: np.ndarray) -> np.ndarray:
    return p[..., 0] ** 2 - np.sum(p[..., 1:] ** 2, axis=-1)


@settings(max_examples=30, deadline=None)
@given(
    big=st.floats(0.3, 6.0),
    fractions=st.tuples(st.floats(0.0, 0.3), st.floats(0.0, 0.3), st.floats(0.0, 0.3)),
    seed=st.integers(0, 2**31 - 1),
)
def test_dalitz_points_inside_the_boundary_and_momenta_conserved(big: float, fractions: tuple, seed: int) -> None:
    """Every sampled (s12, s23) lies inside the PDG boundary; the rest-frame momenta sum to (M, 0),
    each daughter is on shell and the pair masses are the sampled invariants."""
    masses = tuple(f * big for f in fractions)
    rng = np.random.default_rng(seed)
    s12, s23 = sample_dalitz(big, masses, 500, rng)
    lo, hi = dalitz_limits(big, *masses, s12)
    assert np.all((s23 >= lo - 1e-12) & (s23 <= hi + 1e-12))
    assert np.all(s12 >= (masses[0] + masses[1]) ** 2 - 1e-12) and np.all(s12 <= (big - masses[2]) ** 2 + 1e-12)
    p1, p2, p3 = rest_frame_momenta(big, masses, s12, s23, rng)
    total = p1 + p2 + p3
    np.testing.assert_allclose(total[:, 0], big, rtol=1e-9)
    np.testing.assert_allclose(total[:, 1:], 0.0, atol=1e-9 * big)
    for p, m in zip((p1, p2, p3), masses):
        np.testing.assert_allclose(_minkowski(p), m * m, atol=1e-9 * big * big)
    np.testing.assert_allclose(_minkowski(p1 + p2), s12, atol=1e-9 * big * big)
    np.testing.assert_allclose(_minkowski(p2 + p3), s23, atol=1e-9 * big * big)


def test_flat_phase_space_fills_the_dalitz_plot_uniformly() -> None:
    """Flat phase space is uniform in (s12, s23): the s12 projection follows the boundary's length
    s23_max − s23_min (a χ²-like comparison over 20 bins)."""
    big, masses = 1.0, (0.14, 0.14, 0.1)
    s12, _ = sample_dalitz(big, masses, 200_000, np.random.default_rng(3))
    edges = np.linspace((masses[0] + masses[1]) ** 2, (big - masses[2]) ** 2, 21)
    counts, _ = np.histogram(s12, edges)
    fine = np.linspace(edges[0], edges[-1], 20_001)
    lo, hi = dalitz_limits(big, *masses, fine)
    length = hi - lo
    expected = np.array([np.trapezoid(length[(fine >= a) & (fine <= b)], fine[(fine >= a) & (fine <= b)]) for a, b in zip(edges[:-1], edges[1:])])
    expected *= len(s12) / expected.sum()
    pulls = (counts - expected) / np.sqrt(expected)
    assert np.max(np.abs(pulls)) < 5.0
    assert np.mean(pulls**2) < 2.0


def test_muon_decay_matrix_element_gives_the_michel_spectrum() -> None:
    """μ → e ν̄_e ν_μ with |M|² ∝ (p_μ·p_ν̄e)(p_e·p_νμ): the electron's x = 2E/m_μ follows
    2x²(3 − 2x) (massless electron), whose mean is 7/10 and whose second moment is 8/15."""
    rng = np.random.default_rng(11)
    masses = (1e-6, 0.0, 0.0)  # e, ν̄_e, ν_μ
    terms = ((0, 2, 1, 3, 1.0),)
    s12, s23 = sample_dalitz(M_MU, masses, 400_000, rng, terms)
    x = 2.0 * energies(M_MU, masses, s12, s23)[0] / M_MU
    assert np.mean(x) == pytest.approx(0.7, abs=3e-3)
    assert np.mean(x * x) == pytest.approx(8.0 / 15.0, abs=3e-3)
    # the ν̄_e (daughter 2) spectrum is 12x²(1 − x): mean 3/5
    x2 = 2.0 * energies(M_MU, masses, s12, s23)[1] / M_MU
    assert np.mean(x2) == pytest.approx(0.6, abs=3e-3)


def test_matrix_element_dot_products_match_explicit_four_vectors() -> None:
    """(p_i·p_j)(p_k·p_l) from the invariants equals the product computed from the momenta."""
    rng = np.random.default_rng(5)
    big, masses = 2.0, (0.105, 0.000511, 0.0)
    s12, s23 = sample_dalitz(big, masses, 1000, rng)
    p = (np.array([big, 0.0, 0.0, 0.0]),) + rest_frame_momenta(big, masses, s12, s23, rng)

    def dot(a, b):
        return a[..., 0] * b[..., 0] - np.sum(a[..., 1:] * b[..., 1:], axis=-1)

    for term in ((0, 3, 1, 2, 1.0), (0, 1, 2, 3, 2.5), (2, 2, 0, 1, -0.5), (1, 3, 1, 3, 1.0)):
        i, j, k, l, c = term
        np.testing.assert_allclose(
            matrix_element((term,), big, masses, s12, s23), c * dot(p[i], p[j]) * dot(p[k], p[l]), rtol=1e-9, atol=1e-12
        )


def test_three_body_final_state_decays_conserve_four_momentum_in_the_lab() -> None:
    """A three-body FinalState's lab daughters add up to the parent, each on its mass shell; the
    fixed rest-frame direction is daughter 1's; the neutrino is not tracked."""
    fs = FinalState("nu_mumu", "test", (14, 13, -13), matrix_element=((0, 3, 1, 2, 1.0), (0, 2, 1, 3, 0.8)))
    assert fs.tracked == (1, 2)
    rng = np.random.default_rng(2)
    m = 1.5
    p = np.column_stack([np.full(2000, 50.0), np.zeros(2000), np.zeros(2000), np.full(2000, np.sqrt(50.0**2 - m * m))])
    d = fs.decay(p, m, rng)
    assert len(d) == 3
    np.testing.assert_allclose(sum(d), p, rtol=1e-10, atol=1e-9)
    for q, mass in zip(d, fs.masses):
        np.testing.assert_allclose(invariant_mass(q), mass, atol=2e-5)
    at_rest = np.tile([m, 0.0, 0.0, 0.0], (5, 1))
    u = np.tile([0.0, 0.6, 0.8], (5, 1))
    d1 = fs.decay(at_rest, m, rng, directions=u)[0]
    np.testing.assert_allclose(d1[:, 1:] / np.linalg.norm(d1[:, 1:], axis=1)[:, None], u, atol=1e-12)


def test_three_body_lab_rejects_a_closed_decay_and_bad_final_states() -> None:
    with pytest.raises(ValueError):
        three_body_lab(np.array([[1.0, 0, 0, 0]]), 0.2, (0.1, 0.1, 0.1), np.random.default_rng(0))
    with pytest.raises(BeamdumpInputError):
        FinalState("x", "four daughters", (11, -11, 12, -12))
    with pytest.raises(BeamdumpInputError):
        FinalState("x", "only neutrinos", (12, -12, 14))
    with pytest.raises(BeamdumpInputError):
        FinalState("x", "two-body with a matrix element", (11, -11), matrix_element=((0, 1, 0, 2, 1.0),))


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 2**31 - 1), half=st.floats(0.2, 3.0), e_each=st.floats(0.0, 3.0))
def test_acceptance_of_n_daughters_is_the_and_of_each(seed: int, half: float, e_each: float) -> None:
    """accepts_along with three tracked daughters accepts exactly where each one alone is
    accepted (planes and min_energy_each), and the energy sum cut uses all of them."""
    rng = np.random.default_rng(seed)
    n, k = 200, 3
    origin = np.column_stack([rng.normal(0, 0.2, (n, 2)), np.zeros(n)])
    direction = np.tile([0.0, 0.0, 1.0], (n, 1))
    lengths = np.sort(rng.uniform(0.0, 5.0, (n, k)), axis=1)
    ps = []
    for _ in range(3):
        pt = rng.normal(0.0, 0.3, (n, 2))
        pz = rng.uniform(0.5, 10.0, n)
        ps.append(np.column_stack([np.sqrt((pt**2).sum(1) + pz**2), pt, pz]))
    acc = DaughterAcceptance(planes=(BoxAperture(20.0, half, half),), min_energy_each=e_each)
    alone = [acc.accepts_along(origin, direction, lengths, [p], [1.0]) for p in ps]
    both = acc.accepts_along(origin, direction, lengths, ps, [1.0, -1.0, 0.0])
    np.testing.assert_array_equal(both, alone[0] & alone[1] & alone[2])
    total = sum(p[:, 0] for p in ps)
    cut = DaughterAcceptance(min_energy_sum=float(np.median(total))).accepts_along(origin, direction, lengths, ps, [1.0, -1.0, 0.0])
    np.testing.assert_array_equal(cut[:, 0], total >= np.median(total))
