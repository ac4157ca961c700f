"""B mesons of e⁺e⁻ → Υ(4S) → BB̄ at an asymmetric B factory (Belle II), as meson tables.

Beams: the e⁻ of energy E₋ flies along +z, the e⁺ of E₊ along −z, both tilted by the crossing
half-angle a in one transverse plane (the detector axis bisects them). The e⁺e⁻ system then has
√s = 2√(E₋E₊)·cos a and moves with velocity β = (sin a, 0, (E₋ − E₊)cos a/(E₋ + E₊)). That
velocity is a boost β_z = (E₋ − E₊)/(E₋ + E₊) along z (βγ = (E₋ − E₊)/(2√(E₋E₊))) followed by a
transverse boost β_⊥ = sin a; the second is exactly what the engine applies for a crossing angle
(:func:`beamdump.engine.reach.tilted`), so the tables here hold the B mesons in the frame of the
first (longitudinal) boost only. The B is monochromatic in the Υ(4S) frame, E* = √s/2,
p* = √(E*² − m_B²), with dN/dcos θ* = ¾(1 − cos²θ*) about the beam axis (or isotropic,
``law``); the two B of a pair are back to back and each species' table counts its own mesons.

Yields are per BB̄ pair: B⁺ and B⁻ each f₊₋, B⁰ and B̄⁰ each f₀₀ (data/production/upsilon4s.toml).
The tables are exact quadratures of the two-body kinematics (``nodes`` points in cos θ*) binned
in log10(θ/rad) × log10(p/GeV) with θ up to π, so the K and B decay channels draw B parents from
them exactly as from a Pythia table. Units: GeV, rad.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from ..datafiles import load_toml, package_data
from ..errors import BeamdumpInputError
from ..pdg import mass_gev
from .meson_table import MesonSpectra
from .spectrum_settings import SpectrumSettings

UPSILON_4S = 300553
#: the B species of Υ(4S) decays, by the PDG id of the particle (its antiparticle comes along)
B_MESONS = (521, 511)
LAWS = ("sin2", "isotropic")


@lru_cache(maxsize=1)
def _data() -> dict:
    return load_toml(package_data("production", "upsilon4s.toml"))


def pair_fraction(pdg: int) -> float:
    """Mesons of species ``pdg`` (±521, ±511) per Υ(4S) → BB̄ pair: f₊₋ for B±, f₀₀ for B⁰/B̄⁰."""
    key = {521: "f_charged", 511: "f_neutral"}.get(abs(int(pdg)))
    if key is None:
        raise BeamdumpInputError(f"pdg={pdg}: the Upsilon(4S) decays to B+B- and B0B0bar; allowed ±521, ±511")
    return float(_data()[key]["value"])


@dataclass(frozen=True)
class Upsilon4SBeams:
    """The asymmetric e⁺e⁻ beams: e⁻ energy (GeV, along +z), e⁺ energy (GeV, along −z) and the
    crossing half-angle (rad) of each beam to the z axis."""

    electron_energy_gev: float
    positron_energy_gev: float
    crossing_half_angle: float = 0.0

    def __post_init__(self) -> None:
        for name, energy in (("electron_energy_gev", self.electron_energy_gev),
                             ("positron_energy_gev", self.positron_energy_gev)):
            v = float(energy)
            if not (math.isfinite(v) and v > 0.0):
                raise BeamdumpInputError(f"Upsilon4SBeams.{name} = {v!r}: must be a finite energy > 0 GeV")
        a = float(self.crossing_half_angle)
        if not (math.isfinite(a) and 0.0 <= a < 0.1):
            raise BeamdumpInputError(f"Upsilon4SBeams.crossing_half_angle = {a!r}: allowed 0 <= a < 0.1 rad")
        if self.sqrt_s <= 2.0 * mass_gev(511):
            raise BeamdumpInputError(
                f"Upsilon4SBeams: sqrt(s) = {self.sqrt_s:.4g} GeV is below the B Bbar threshold {2 * mass_gev(511):.4g} GeV"
            )

    @property
    def sqrt_s(self) -> float:
        """√s = 2√(E₋E₊)·cos a (GeV)."""
        return 2.0 * math.sqrt(self.electron_energy_gev * self.positron_energy_gev) * math.cos(self.crossing_half_angle)

    @property
    def beta_gamma(self) -> float:
        """βγ of the longitudinal boost, (E₋ − E₊)/(2√(E₋E₊)) (positive: along the e⁻)."""
        e1, e2 = self.electron_energy_gev, self.positron_energy_gev
        return (e1 - e2) / (2.0 * math.sqrt(e1 * e2))

    @property
    def transverse_beta(self) -> float:
        """β of the transverse boost, sin a (the engine's crossing-angle boost)."""
        return math.sin(self.crossing_half_angle)

    def b_momentum(self, pdg: int) -> float:
        """|p*| (GeV) of a B of species ``pdg`` in the Υ(4S) frame: √((√s/2)² − m_B²)."""
        m = mass_gev(abs(int(pdg)))
        return math.sqrt((0.5 * self.sqrt_s) ** 2 - m * m)


def lab_momenta(beams: Upsilon4SBeams, pdg: int, cos_theta_star: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(|p|, θ) in the frame of the longitudinal boost (GeV, rad) of a B of species ``pdg`` emitted
    at cos θ* to +z in the Υ(4S) frame."""
    c = np.asarray(cos_theta_star, dtype=float)
    q = beams.b_momentum(pdg)
    e_star = 0.5 * beams.sqrt_s
    bg = beams.beta_gamma
    g = math.sqrt(1.0 + bg * bg)
    pz = g * q * c + bg * e_star
    pt = q * np.sqrt(np.clip(1.0 - c * c, 0.0, None))
    return np.hypot(pt, pz), np.arctan2(pt, pz)


def upsilon4s_spectra(
    beams: Upsilon4SBeams, pdg: int, *, law: str | None = None, nodes: int = 20000, bin_width: float = 0.01
) -> MesonSpectra:
    """The table of species ``pdg`` and its antiparticle (521: B±, 511: B⁰/B̄⁰) from Υ(4S) → BB̄,
    yields per BB̄ pair, in the frame of the longitudinal boost (see the module). ``law``: the
    angular distribution in the Υ(4S) frame ("sin2" of the data file, or "isotropic"); ``nodes``
    quadrature points in cos θ*; ``bin_width`` in decades."""
    if abs(int(pdg)) not in B_MESONS:
        raise BeamdumpInputError(f"pdg={pdg}: allowed {', '.join(map(str, B_MESONS))} (the B of Upsilon(4S) decays)")
    pdg = abs(int(pdg))
    law = law or str(_data()["angular"]["law"])
    if law not in LAWS:
        raise BeamdumpInputError(f"law={law!r}: allowed {', '.join(LAWS)}")
    if not 100 <= nodes <= 10_000_000:
        raise BeamdumpInputError(f"nodes={nodes}: allowed 100 to 10,000,000 quadrature points")
    settings = SpectrumSettings(
        beam_energy_gev=beams.electron_energy_gev, n_events=nodes, target="pp", frame="collider",
        pythia_version="none (analytic Upsilon(4S) -> B Bbar)", processes=("analytic:Upsilon(4S)->BBbar",),
        pdg_ids=(pdg, -pdg), pythia_options=(
            f"e- energy = {beams.electron_energy_gev!r}", f"e+ energy = {beams.positron_energy_gev!r}",
            f"crossing half angle = {beams.crossing_half_angle!r}", f"angular law = {law}",
        ),
        log10_theta_min=-5.0, log10_p_min=-1.0, bin_width=bin_width,
    )
    c = -1.0 + (np.arange(nodes) + 0.5) * (2.0 / nodes)  # midpoints in cos θ*
    w = 1.0 - c * c if law == "sin2" else np.ones(nodes)
    w = w / w.sum()
    p, theta = lab_momenta(beams, pdg, c)
    lt, lp = settings.log10_theta_edges(), settings.log10_p_edges()
    x = np.clip(np.log10(np.maximum(theta, 1e-300)), lt[0], lt[-1])  # the few B along the axis go to the first bin
    y = np.log10(p)
    hist, _, _ = np.histogram2d(x, y, bins=(lt, lp), weights=w)
    counts, _, _ = np.histogram2d(x, y, bins=(lt, lp))
    yields = np.stack([hist, hist]) * pair_fraction(pdg)
    meta = {
        "source": "analytic e+e- -> Upsilon(4S) -> B Bbar (beamdump.sources.upsilon4s)",
        "per": "B Bbar pair", "sqrt_s_gev": beams.sqrt_s, "beta_gamma": beams.beta_gamma,
        "transverse_beta": beams.transverse_beta, "p_star_gev": beams.b_momentum(pdg),
        "pair_fraction": pair_fraction(pdg), "angular_law": law,
    }
    both = np.stack([counts, counts]).astype(np.int64)
    return MesonSpectra(settings, (pdg, -pdg), lt, lp, yields, both, nodes, meta)


def upsilon4s_tables(
    beams: Upsilon4SBeams, *, law: str | None = None, nodes: int = 20000, bin_width: float = 0.01
) -> dict[int, MesonSpectra]:
    """Parent PDG id → table (:func:`upsilon4s_spectra`, same options) for B⁺ (521) and B⁰ (511),
    yields per BB̄ pair: the ``parent_tables`` of the B decay channels at an e⁺e⁻ collider."""
    return {pdg: upsilon4s_spectra(beams, pdg, law=law, nodes=nodes, bin_width=bin_width) for pdg in B_MESONS}
