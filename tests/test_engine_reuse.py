"""The engine's reuse across masses and its parallel path: what is drawn once per channel gives
the physics of a fresh draw, nothing depends on the order of the masses or on the number of
workers, and the grouped evaluation of lifetime tables equals each table's own."""

from __future__ import annotations

import numpy as np
import pytest

from beamdump.engine.analysis import make_reach, run_reach
from beamdump.engine.lifetime_table import LifetimeTable, evaluate_tables
from beamdump.engine.parallel import checked_workers
from beamdump.errors import BeamdumpInputError
from beamdump.experiments.experiment import load_experiment
from beamdump.kinematics import isotropic_directions, two_body_decay
from beamdump.production.meson_decays import _ParentFrame
from beamdump.rotations import random_rotation


def test_parent_frame_decay_is_the_two_body_boost() -> None:
    """The cached-frame boost of rotated rest-frame directions equals kinematics.two_body_decay
    of the same parents with the same (rotated) directions."""
    rng = np.random.default_rng(3)
    n, parent_mass = 500, 0.547862
    p = rng.lognormal(2.0, 1.0, n)
    theta = rng.uniform(0.0, 0.2, n)
    phi = rng.uniform(0.0, 2.0 * np.pi, n)
    p4 = np.column_stack([np.sqrt(p * p + parent_mass**2), p * np.sin(theta) * np.cos(phi),
                          p * np.sin(theta) * np.sin(phi), p * np.cos(theta)])
    u = isotropic_directions(n, rng)
    frame = _ParentFrame.of(np.ones(n), p4, theta, parent_mass, u)
    rot = random_rotation(rng)
    for mass in (0.001, 0.1, 0.5):
        got = frame.decay(mass, 0.0, rot)
        want, _ = two_body_decay(p4, mass, 0.0, rng, directions=u @ rot.T, parent_mass=parent_mass)
        np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-12 * np.max(np.abs(want)))
        keep = np.flatnonzero(theta < 0.1)
        np.testing.assert_array_equal(frame.decay(mass, 0.0, rot, keep), got[keep])


def test_random_rotation_is_a_rotation_and_isotropic() -> None:
    """Orthogonal with determinant 1; the rotated z axis is uniform on the sphere (mean 0,
    <z²> = 1/3 within 4σ of 4000 draws)."""
    rng = np.random.default_rng(11)
    rots = np.array([random_rotation(rng) for _ in range(4000)])
    np.testing.assert_allclose(np.einsum("nij,nkj->nik", rots, rots), np.broadcast_to(np.eye(3), rots.shape), atol=1e-12)
    np.testing.assert_allclose(np.linalg.det(rots), 1.0, atol=1e-12)
    z = rots[:, :, 2]
    assert np.all(np.abs(z.mean(axis=0)) < 4.0 * np.sqrt(1.0 / 3.0 / len(z)))
    assert np.all(np.abs((z * z).mean(axis=0) - 1.0 / 3.0) < 4.0 * np.sqrt(4.0 / 45.0 / len(z)))


def test_a_mass_does_not_depend_on_the_masses_before_it() -> None:
    """The direction pools grow as masses need them, in blocks keyed by (seed, channel): a mass
    computed alone gives bit-identical tables to the same mass after a scan."""
    exp = load_experiment("na62-dump-2021")
    scanned = make_reach(exp, channels=["eta", "proton_brems"])
    for m in (0.01, 0.2, 0.45):
        scanned.flux(m)
    fresh = make_reach(exp, channels=["eta", "proton_brems"])
    a, b = scanned.flux(0.3), fresh.flux(0.3)
    for name in a.tables:
        np.testing.assert_array_equal(a.tables[name].coef, b.tables[name].coef)
        assert a.tables[name].log10_u0 == b.tables[name].log10_u0


def test_grouped_evaluation_equals_each_table() -> None:
    """evaluate_tables of a mass's channels equals each table's evaluate (rel 1e-12) over 12
    decades of couplings, the ε⁴ regime and the exponential tail included, and empty tables."""
    reach = make_reach(load_experiment("na62-dump-2021"))
    g = np.geomspace(1e-12, 1.0, 400)
    for m in (0.01, 0.3, 0.9):
        tables = list(reach.flux(m).tables.values()) + [LifetimeTable.empty()]
        for t, got in zip(tables, evaluate_tables(tables, g)):
            want = t.evaluate(g)
            np.testing.assert_allclose(got, want, rtol=1e-12, atol=0.0)


@pytest.mark.parametrize("bad", [0, -2, 1.5, "2", True, None])
def test_workers_must_be_a_positive_integer(bad: object) -> None:
    with pytest.raises(BeamdumpInputError, match="workers"):
        checked_workers(bad)


def test_two_workers_give_the_same_event_map_bit_for_bit() -> None:
    """workers=1 and workers=2 (a Dask LocalCluster) give identical event maps, per channel and
    in total, and the same band: every random stream is keyed by mass or channel, never by the
    worker."""
    reach = make_reach(load_experiment("nucal"), channels=["pi0", "proton_brems"])
    masses = np.geomspace(0.01, 0.12, 9)
    couplings = np.geomspace(1e-8, 1e-4, 30)
    one = run_reach(reach, masses, couplings, workers=1)
    two = run_reach(make_reach(load_experiment("nucal"), channels=["pi0", "proton_brems"]), masses, couplings, workers=2)
    np.testing.assert_array_equal(one.grid.total, two.grid.total)
    for name in one.grid.by_channel:
        np.testing.assert_array_equal(one.grid.by_channel[name], two.grid.by_channel[name])
    np.testing.assert_array_equal(one.band.lower, two.band.lower)
    np.testing.assert_array_equal(one.band.upper, two.band.upper)


def test_a_combined_preset_on_two_workers_is_bit_identical() -> None:
    """NA64 2017 + 2018 (two runs on one cluster, electron showers): bd.reach with workers=2
    gives the events and band of workers=1."""
    import beamdump as bd

    masses, couplings = np.geomspace(0.002, 0.03, 6), np.geomspace(1e-5, 1e-3, 25)
    one = bd.reach("na64-2017-2018", masses=masses, couplings=couplings)
    two = bd.reach("na64-2017-2018", masses=masses, couplings=couplings, workers=2)
    np.testing.assert_array_equal(one.grid.total, two.grid.total)
    np.testing.assert_array_equal(one.band.lower, two.band.lower)
    np.testing.assert_array_equal(one.band.upper, two.band.upper)
