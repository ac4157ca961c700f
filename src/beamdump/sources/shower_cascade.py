"""The shower tables of the one-dimensional electromagnetic cascade: its analytic references,
thin-target limit and disk cache (the Monte Carlo and its physics model: :mod:`.shower_monte_carlo`).

:func:`simulate` (re-exported from :mod:`.shower_monte_carlo`) cascades beam electrons in a target
and returns the :class:`~.shower_table.ShowerTable` of the differential track length T(E, t) and the
other tallies per beam electron; :func:`thin_target` is the analytic first-order result for
thickness ≪ 1 X0; :func:`cached_table` finds a table in ``<cache>/em_shower/<key>.npz``, else among
those shipped in ``beamdump/data/showers`` (``scripts/make_shower_tables.py``), else simulates and
caches it. The analytic references the cascade is checked against are :func:`shower_max_pdg` and
Rossi's ``ELECTRON_TRACK_CONSTANT`` / ``PHOTON_TRACK_CONSTANT``. Units: energies in GeV, depths and
track lengths in radiation lengths X0.
"""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import NDArray

from beamdump.datafiles import cache_dir, load_or_make, package_data
from beamdump.errors import BeamdumpInputError, CacheError
from beamdump.sources.materials import Material, get_material
from beamdump.sources.shower_monte_carlo import _Binner, _run_batch, _Tally, simulate  # noqa: F401 (re-exported)
from beamdump.sources.shower_table import ANGLE_EDGES, ShowerSettings, ShowerTable

__all__ = [
    "CACHE_FOLDER",
    "ELECTRON_TRACK_CONSTANT",
    "PHOTON_TRACK_CONSTANT",
    "SECONDS_PER_PARTICLE",
    "SHIPPED_FOLDER",
    "cached_table",
    "shipped_name",
    "shower_max_pdg",
    "shower_particles",
    "simulate",
    "thin_target",
]

#: Rossi approximation A: ∫dt (e⁺ + e⁻ per dE) → ELECTRON_TRACK_CONSTANT · E0/E² for E_c ≪ E ≪ E0
#: (B. Rossi, High-Energy Particles (1952), track-length integrals of approximation A).
ELECTRON_TRACK_CONSTANT: float = 0.437
#: Same for photons, 0.572 · E0/k² (Rossi 1952; Tsai RMP 46 (1974) 815, thick-target photon track length).
PHOTON_TRACK_CONSTANT: float = 0.572


def shower_max_pdg(beam_energy: float, material: str | Material) -> float:
    """PDG estimate of the depth (X0) of the energy-deposition maximum of an electron-induced
    shower, t_max = ln(E0/E_c) − 0.5 (PDG 'Passage of particles through matter', EM cascades)."""
    return math.log(beam_energy / get_material(material).critical_energy) - 0.5


# ====================================================================== thin target
def thin_target(
    material: str | Material,
    beam_energy: float,
    thickness: float,
    e_min: float = 0.01,
    bins_per_decade: int = 20,
    depth_bins: int = 10,
) -> ShowerTable:
    """Analytic thin-target limit (thickness ≪ 1 X0), to first order in the number of emissions.

    The beam electron's track is the thickness; at depth t' it has radiated with probability
    t'·φ(y)/y dy (φ = 4/3 − 4/3 y + y²), so its track at E = E0(1 − y) < E0 is (t²/2)·φ(y)/(y E0)
    per GeV and the rest sits in the top energy bin; photons: t·φ(k/E0)/k emitted per GeV, photon
    track (t²/2)·φ/k. Pair conversion and ionisation changes of the track are neglected (O(t²)), so
    there are no positrons. Angles: at depth t' the beam electron has scattered by a 2-D Gaussian
    angle of ⟨u²⟩ = t' (u = θE/E_s, E ≈ E0); one that radiated at a uniformly random depth before
    t' has ⟨u²⟩ = (t'/2)(1 + E²/E0²); a photon of energy k at t' carries the beam electron's
    direction at its emission point (uniform before t'): ⟨u²⟩ = (t'/2)(k/E0)², u = θk/E_s. Each is
    spread over :data:`ANGLE_EDGES` as a Rayleigh distribution at the depth bin's middle.
    """
    mat = get_material(material)
    if not 0.0 < float(thickness) <= 0.1:
        raise BeamdumpInputError(f"thickness={thickness}: the thin-target limit needs 0 < thickness ≤ 0.1 X0")
    settings = ShowerSettings(
        material=mat.name, beam_energy=beam_energy, e_min=e_min, thickness=thickness, n_showers=1,
        bins_per_decade=bins_per_decade, depth_bin=float(thickness) / depth_bins,
    )
    le, te = settings.log10_e_edges(), settings.t_edges()
    e0 = settings.beam_energy
    e = 10.0**le

    def phi_int(y_lo: NDArray[np.float64], y_hi: NDArray[np.float64]) -> NDArray[np.float64]:
        """∫ φ(y)/y dy between y_lo and y_hi."""
        f = lambda y: (4.0 / 3.0) * np.log(y) - (4.0 / 3.0) * y + 0.5 * y * y  # noqa: E731
        return f(y_hi) - f(y_lo)

    # photons: y = k/E0 over each k bin
    ph = thickness * phi_int(e[:-1] / e0, np.minimum(e[1:] / e0, 1.0))
    # degraded electrons: y = 1 − E/E0 over each E bin except the top one
    y_hi, y_lo = 1.0 - e[:-1] / e0, 1.0 - e[1:] / e0
    deg = np.zeros(e.size - 1)
    deg[:-1] = phi_int(y_lo[:-1], y_hi[:-1])
    t1, t2 = te[:-1], te[1:]
    half_sq = 0.5 * (t2**2 - t1**2)  # ∫ t' dt' over each depth bin
    track = np.outer(deg, half_sq)
    track[-1] = (t2 - t1) - track[:-1].sum(axis=0)
    photon_track = np.outer(ph / thickness, half_sq)
    a = settings.e_min / e0  # photon energy radiated above e_min: E0·t·∫_a^1 φ(y) dy
    photon_energy = e0 * thickness * ((4.0 / 3.0) * (1 - a) - (2.0 / 3.0) * (1 - a * a) + (1 - a**3) / 3.0)
    dep = mat.critical_energy * (t2 - t1)
    ec = np.sqrt(e[:-1] * e[1:])
    mean_u2 = np.outer(0.5 * (1.0 + (ec / e0) ** 2), 0.5 * (t1 + t2))
    mean_u2[-1] = 0.5 * (t1 + t2)
    angle_hist = track[:, :, None] * _rayleigh_shares(mean_u2)
    photon_u2 = np.outer(0.5 * (ec / e0) ** 2, 0.5 * (t1 + t2))
    photon_angle_hist = photon_track[:, :, None] * _rayleigh_shares(photon_u2)
    return ShowerTable(
        settings=settings, log10_e_edges=le, t_edges=te, track=track, photon_track=photon_track,
        photons_emitted=ph, deposit=dep, track_below_min=np.zeros(te.size - 1),
        positron_track=np.zeros_like(track), angle_hist=angle_hist, positron_angle_hist=np.zeros_like(angle_hist),
        photon_angle_hist=photon_angle_hist, escaped={"electrons": e0 - photon_energy - float(dep.sum()), "photons": photon_energy},
        metadata={"generator": "analytic thin-target limit"},
    )


def _rayleigh_shares(mean_u2: NDArray[np.float64]) -> NDArray[np.float64]:
    """Shares (…, nu) of a 2-D Gaussian angle of mean square ``mean_u2`` in the bins of
    :data:`ANGLE_EDGES` (the last bin takes the tail)."""
    cdf = 1.0 - np.exp(-(ANGLE_EDGES[None, None, :] ** 2) / mean_u2[..., None])
    cdf[..., -1] = 1.0
    return np.diff(cdf, axis=-1)


# ====================================================================== cache
#: Cascade cost per shower and per E0/e_min (≈ the particles of a shower), s: 0.39-0.54 µs measured
#: for the default tables of 1.6 GeV (W) to 1 TeV (Pb) showers (:func:`simulate`, one core).
SECONDS_PER_PARTICLE: float = 0.5e-6


#: Package folder of the shipped shower tables (``scripts/make_shower_tables.py``, README.md there).
SHIPPED_FOLDER = "showers"
#: Sub-folder of the cache root of the shower tables; it keeps the name "em_shower", so tables
#: cached under it stay valid.
CACHE_FOLDER = "em_shower"


def shipped_name(settings: ShowerSettings) -> str:
    """File name in ``beamdump/data/showers`` of the table of a material and beam energy, e.g.
    ``tungsten_275gev.npz``; it is used only if its key is that of ``settings``."""
    return f"{settings.material}_{settings.beam_energy:g}gev.npz"


def cached_table(settings: ShowerSettings, regenerate: bool = False) -> ShowerTable:
    """The table of ``settings``: ``<cache>/em_shower/<key>.npz`` if valid, else the table shipped
    in ``beamdump/data/showers`` (:func:`shipped_name`) if it has the same key (read-only), else
    simulated, saved in the cache atomically and returned (``regenerate``: always simulated).

    The cache root is :func:`beamdump.datafiles.cache_dir` (``$BEAMDUMP_CACHE_DIR`` or the
    platformdirs user cache), shared with the meson spectra. A damaged or stale file is reported
    with a warning and regenerated; a cache that cannot be written with a warning (the table is
    used uncached). A failing simulation is a one-line :class:`CacheError` saying what it was
    building, how big, and where it caches it.
    """
    key = settings.key()
    path = cache_dir() / CACHE_FOLDER / f"{key}.npz"

    def make() -> ShowerTable:
        try:
            return simulate(settings)
        except Exception as exc:
            raise CacheError(f"shower table: {_describe(settings)} for {path} failed ({type(exc).__name__}: {exc})") from exc

    shipped = package_data(SHIPPED_FOLDER, shipped_name(settings))
    return load_or_make(CACHE_FOLDER, key, ShowerTable.load, make, "shower", regenerate, shipped)


def shower_particles(settings: ShowerSettings) -> float:
    """About the number of particles the simulation of a table follows, n_showers · E0/e_min
    (its run time is this times :data:`SECONDS_PER_PARTICLE`)."""
    return settings.n_showers * settings.beam_energy / settings.e_min


def _describe(settings: ShowerSettings) -> str:
    """The simulation of a table in words, with its size and expected run time."""
    particles = shower_particles(settings)
    return (f"simulating {settings.n_showers} showers of {settings.beam_energy:g} GeV e- in {settings.material} "
            f"({settings.thickness:g} X0, tracked down to {settings.e_min:g} GeV: ~{particles:.1e} particles, "
            f"~{particles * SECONDS_PER_PARTICLE:.0f} s)")
