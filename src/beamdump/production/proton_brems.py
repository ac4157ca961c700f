"""Proton bremsstrahlung p + N → p + N + V of a vector V that couples to the electromagnetic current.

Fermi–Weizsäcker–Williams splitting of the beam proton (Blümlein & Brunner, arXiv:1311.3870,
eqs. 5–8): with z the fraction of the beam momentum carried by V along the beam and p_T its
transverse momentum, the number of V per beam proton is

    d²N/dz dp_T² = σ_pp(s′)/σ_pp(s) · |F₁(m²)|² · w(z, p_T²),
    w = (g² α / 2πH) [ (1+(1−z)²)/z − 2z(1−z)((2M²+m²)/H − 2z²M⁴/H²)
                       + 2z(1−z)(1+(1−z)²) M²m²/H² + 2z(1−z)² m⁴/H² ],
    H = p_T² + (1−z) m² + z² M²,  s = 2 M E_beam,  s′ = 2 M (E_beam − E_V),

where M is the proton mass and g the coupling in units of e (ε for the dark photon). The
region in (z, p_T) where the approximation is trusted, the form factor F₁ and the cross
section fit are data (``data/production/proton_brems.toml``, each with its source).

The sample is importance-sampled on a fixed scrambled Sobol sequence shared by every mass
(ln z uniform, ln H uniform, azimuth uniform), which takes out the 1/z and 1/H behaviour of w
(the remaining weight spread is ≈ 10 without a cone, up to ≈ 80 near the ρ/ω with one) and
makes the flux smooth in mass. Units: GeV, GeV², metres.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from functools import cached_property, lru_cache
from typing import Any

import numpy as np

from ..constants import ALPHA_EM
from ..datafiles import load_toml, package_data
from ..errors import BeamdumpInputError
from ..kinematics import FloatArray
from ..models.vector_charges import VectorCharges, meson_flavours
from ..pdg import PROTON_MASS, mass_gev, width_gev
from .sample import ParticleSample

FORM_FACTOR_KINDS = ("vmd", "dipole", "penalty", "none")
VMD_MASSES = ("pdg", "fit")
VMD_WIDTHS = ("above_threshold", "constant")

Pole = tuple[float, float, float, float, int]  # (mass GeV, width GeV, coefficient, threshold GeV, isospin)


@dataclass(frozen=True)
class FormFactor:
    """Timelike nucleon Dirac form factor |F₁(m²)|² for an emitted vector of mass m (GeV).

    ``vmd``: Σ_V f_V m_V² / (m_V² − m² − i m_V Γ_V) over the poles (ρ, ω and their excitations),
    each width on from its threshold (GeV; 0 for a constant width); a vector that is not the
    photon weighs the isovector (ρ-family) poles by its ρ coupling and the isoscalar (ω-family)
    ones by its ω coupling, each relative to the photon's;
    ``dipole``: |F|² = (1 + m²/Λ²)⁻⁴, the spacelike dipole at |q²| = m² (below 1 and falling for
    every m > 0; its timelike continuation (1 − m²/Λ²)⁻⁴ would have a double pole at m² = Λ²);
    ``penalty``: |F|² = (Λ²/m²)⁴ above m² = Λ², 1 below (the dipole's large-mass tail, as FairShip);
    ``none``: |F|² = 1.
    The kinds other than ``vmd`` are times the proton's charge squared (2x_u + x_d)² (1 for the photon).
    """

    name: str
    kind: str
    poles: tuple[Pole, ...] = ()
    lambda2: float = 0.71
    source: str = ""

    def amplitude(self, m2: FloatArray | float, charges: VectorCharges | None = None) -> FloatArray:
        """Complex F₁(m²) (the ``vmd`` poles; the real suppression of the other kinds) for a
        vector with ``charges`` (default: the photon's)."""
        m2 = np.asarray(m2, dtype=float)
        if self.kind == "vmd":
            weight = (1.0, 1.0) if charges is None else _isospin_weights(charges)
            out = np.zeros(m2.shape, dtype=complex)
            for mv, gv, f, threshold, isospin in self.poles:
                width = np.where(m2 >= threshold * threshold, gv, 0.0)
                out += weight[isospin] * f * mv * mv / (mv * mv - m2 - 1j * mv * width)
            return out
        proton = 1.0 if charges is None else charges.proton
        return proton * np.sqrt(self._suppression(m2)).astype(complex)

    def squared(self, m2: FloatArray | float, charges: VectorCharges | None = None) -> FloatArray:
        """|F₁(m²)|² (dimensionless) for a vector with ``charges`` (default: the photon's)."""
        m2 = np.asarray(m2, dtype=float)
        if self.kind == "vmd":
            return np.abs(self.amplitude(m2, charges)) ** 2
        proton = 1.0 if charges is None else charges.proton
        return proton * proton * self._suppression(m2)

    def _suppression(self, m2: FloatArray) -> FloatArray:
        if self.kind == "dipole":
            return (1.0 + m2 / self.lambda2) ** -4
        if self.kind == "penalty":
            return (self.lambda2 / np.maximum(m2, self.lambda2)) ** 4
        return np.ones_like(m2)


def _isospin_weights(charges: VectorCharges) -> tuple[float, float]:
    """(isoscalar, isovector) couplings of the vector relative to the photon's: (ω, ρ⁰) ratios."""
    f = meson_flavours()
    return charges.meson_ratio(f["omega"]), charges.meson_ratio(f["rho0"])


@dataclass(frozen=True)
class CrossSectionFit:
    """Total pp cross section σ(s) = Z + B ln²(s/s₀) + Y₁ (s₁/s)^η₁ − Y₂ (s₁/s)^η₂ in mb (s in GeV²)."""

    Z: float
    B: float
    Y1: float
    Y2: float
    eta1: float
    eta2: float
    s0: float
    s1: float
    s_min: float
    source: str = ""

    def __call__(self, s: FloatArray | float) -> FloatArray:
        s = np.maximum(np.asarray(s, dtype=float), self.s_min)
        return (
            self.Z
            + self.B * np.log(s / self.s0) ** 2
            + self.Y1 * (self.s1 / s) ** self.eta1
            - self.Y2 * (self.s1 / s) ** self.eta2
        )


@dataclass(frozen=True)
class BremsSettings:
    """The (z, p_T) region and form factor of the splitting, and the sampling.

    z_min, z_max: range of the momentum fraction (0 < z_min < z_max < 1); pt_max: largest
    transverse momentum in GeV; form_factor: a name in the data file; points: Sobol points per
    mass (a power of two); seed: scrambling seed of the Sobol sequence.
    """

    z_min: float = 0.1
    z_max: float = 0.9
    pt_max: float = 1.0
    form_factor: str = "vmd"
    points: int = 2048
    seed: int = 11

    def __post_init__(self) -> None:
        if not (np.isfinite(self.z_min) and np.isfinite(self.z_max) and 0.01 <= self.z_min < self.z_max < 1.0):
            raise BeamdumpInputError(
                f"brems z range: {self.z_min:g}:{self.z_max:g}; allowed 0.01 <= z_min < z_max < 1 "
                "(the splitting needs E_A' >> M: z far from 0)"
            )
        if not (np.isfinite(self.pt_max) and 0.0 < self.pt_max <= 10.0):
            raise BeamdumpInputError(f"brems pt_max: {self.pt_max:g} GeV; allowed 0 < pt_max <= 10 GeV")
        forms = load_form_factors()
        if self.form_factor not in forms:
            raise BeamdumpInputError(f"form factor: {self.form_factor!r} not known; known: {', '.join(forms)}")
        if self.points < 64 or self.points & (self.points - 1):
            raise BeamdumpInputError(f"brems points: {self.points}; allowed a power of two >= 64")

    def label(self) -> str:
        """Short description, e.g. 'z 0.1–0.9, pT < 1 GeV, vmd'."""
        return f"z {self.z_min:g}–{self.z_max:g}, pT < {self.pt_max:g} GeV, F₁ {self.form_factor}"


@lru_cache(maxsize=1)
def _raw_data() -> dict[str, Any]:
    return load_toml(package_data("production", "proton_brems.toml"))


@lru_cache(maxsize=1)
def load_form_factors() -> dict[str, FormFactor]:
    """The form-factor models of ``data/production/proton_brems.toml``, by name."""
    raw = _raw_data()
    forms = {}
    for name, d in raw["form_factors"].items():
        where = f"proton_brems.toml [form_factors.{name}]"
        if d["kind"] not in FORM_FACTOR_KINDS:
            raise BeamdumpInputError(f"{where}.kind: {d['kind']!r}; allowed: {', '.join(FORM_FACTOR_KINDS)}")
        poles = _vmd_poles(raw["vmd_poles"], d, where) if d["kind"] == "vmd" else ()
        lambda2 = float(d.get("lambda2", 0.71))
        if not (np.isfinite(lambda2) and lambda2 > 0.0):
            raise BeamdumpInputError(f"{where}.lambda2: {lambda2:g} GeV²; allowed > 0")
        forms[name] = FormFactor(name, d["kind"], poles, lambda2, d["source"])
    return forms


def _vmd_poles(table: list[dict[str, Any]], d: dict[str, Any], where: str) -> tuple[Pole, ...]:
    """The (mass, width, coefficient, threshold, isospin) of each pole for one ``vmd`` form factor:
    PDG or fit masses and widths (``masses``), widths on above threshold or always (``widths``)."""
    masses, widths = d.get("masses", "pdg"), d.get("widths", "above_threshold")
    if masses not in VMD_MASSES:
        raise BeamdumpInputError(f"{where}.masses: {masses!r}; allowed: {', '.join(VMD_MASSES)}")
    if widths not in VMD_WIDTHS:
        raise BeamdumpInputError(f"{where}.widths: {widths!r}; allowed: {', '.join(VMD_WIDTHS)}")
    poles = []
    for p in table:
        if p["isospin"] not in (0, 1):
            raise BeamdumpInputError(
                f"proton_brems.toml [[vmd_poles]] {p['name']}.isospin: {p['isospin']!r}; "
                "allowed 0 (omega family) or 1 (rho family)"
            )
        pdg = p.get("pdg") if masses == "pdg" else None
        mass = mass_gev(int(pdg)) if pdg is not None else float(p["fit_mass"])
        width = width_gev(int(pdg)) if pdg is not None else float(p["fit_width"])
        threshold = sum(mass_gev(int(i)) for i in p["threshold"]) if widths == "above_threshold" else 0.0
        poles.append((mass, width, float(p["coefficient"]), threshold, int(p["isospin"])))
    for isospin in (0, 1):
        total = sum(f for _, _, f, _, i in poles if i == isospin)
        if abs(total - 0.5) > 1e-9:
            raise BeamdumpInputError(
                f"proton_brems.toml [[vmd_poles]] isospin {isospin}: coefficients sum to {total:.12g}; "
                "allowed 1/2 per family (F1(0) = 1)"
            )
    return tuple(poles)


@lru_cache(maxsize=1)
def load_sigma_fit() -> CrossSectionFit:
    """The total pp cross-section fit of the data file."""
    s = _raw_data()["sigma_pp"]
    keys = ("Z", "B", "Y1", "Y2", "eta1", "eta2", "s0", "s1", "s_min")
    return CrossSectionFit(**{k: float(s[k]) for k in keys}, source=s["source"])


def band_variations() -> tuple[dict[str, Any], ...]:
    """The settings varied for the uncertainty band: each a dict of changes and a ``label``."""
    return tuple(dict(v) for v in _raw_data().get("band", []))


_SETTING_KEYS = ("z_min", "z_max", "pt_max", "form_factor", "points", "seed")


def default_brems_settings(**changes: Any) -> BremsSettings:
    """The published (z, p_T, F₁) choice of the data file, with optional changes (validated)."""
    d = _raw_data()["defaults"]
    fields = {k: d[k] for k in _SETTING_KEYS}
    fields.update({k: v for k, v in changes.items() if v is not None})
    return BremsSettings(**fields)


def splitting_function(z: FloatArray, pt2: FloatArray, mass: float, proton_mass: float = PROTON_MASS) -> FloatArray:
    """w(z, p_T²) in GeV⁻² at coupling g = 1 (in units of e) for a vector of mass ``mass`` (GeV)."""
    z = np.asarray(z, dtype=float)
    pt2 = np.asarray(pt2, dtype=float)
    M2 = proton_mass * proton_mass
    m2 = mass * mass
    H = pt2 + (1.0 - z) * m2 + z * z * M2
    omz = 1.0 - z
    bracket = (
        (1.0 + omz * omz) / z
        - 2.0 * z * omz * ((2.0 * M2 + m2) / H - 2.0 * z * z * M2 * M2 / (H * H))
        + 2.0 * z * omz * (1.0 + omz * omz) * M2 * m2 / (H * H)
        + 2.0 * z * omz * omz * m2 * m2 / (H * H)
    )
    return ALPHA_EM / (2.0 * np.pi * H) * bracket


@dataclass(frozen=True)
class ProtonBremsChannel:
    """A production channel: proton bremsstrahlung of a beam of ``beam_energy`` GeV on nucleons at
    rest, or, with ``collider=True``, of the +z beam proton of a symmetric pp collider with
    ``beam_energy`` GeV per beam (√s = 2·beam_energy). The splitting depends on z and p_T only,
    which a boost along the beam keeps, so the same formula serves both; only s differs
    (s′ = s·(E − E_V)/E in both frames)."""

    beam_energy: float
    settings: BremsSettings = field(default_factory=default_brems_settings)
    charges: VectorCharges = field(default_factory=VectorCharges.photon)
    collider: bool = False
    name: str = "proton_brems"

    def __post_init__(self) -> None:
        if not (np.isfinite(self.beam_energy) and self.beam_energy > 2.0 * PROTON_MASS):
            raise BeamdumpInputError(
                f"beam.energy_gev: {self.beam_energy:g} GeV is too low for proton bremsstrahlung; "
                f"allowed > {2.0 * PROTON_MASS:.3f} GeV"
            )

    spectra = None  # no meson table

    @property
    def label(self) -> str:
        return "p bremsstrahlung"

    def couples(self) -> bool:
        """Whether the vector couples to the proton's current (its ρ or ω coupling, or its charge)."""
        return bool(np.any(self.form_factor.squared(np.geomspace(1e-6, 4.0, 64), self.charges) > 1e-12))

    @cached_property
    def form_factor(self) -> FormFactor:
        return load_form_factors()[self.settings.form_factor]

    @cached_property
    def sigma(self) -> CrossSectionFit:
        return load_sigma_fit()

    @cached_property
    def beam_momentum(self) -> float:
        return float(np.sqrt(self.beam_energy**2 - PROTON_MASS**2))

    @cached_property
    def s(self) -> float:
        """Squared centre-of-mass energy (GeV²) of the radiating proton's collision."""
        if self.collider:
            return 4.0 * self.beam_energy**2
        return 2.0 * PROTON_MASS * self.beam_energy

    @cached_property
    def _largest_mass(self) -> float:
        kinematic = self.settings.z_max * self.beam_momentum
        grid = np.geomspace(1e-3, kinematic, 2000)
        big = self.form_factor.squared(grid * grid) >= 1e-4
        return float(min(kinematic, grid[big].max() if big.any() else kinematic))

    def mass_range(self) -> tuple[float, float]:
        """Masses (GeV) the channel makes: up to where |F₁|² < 1e-4 (or the kinematic limit)."""
        return (0.0, self._largest_mass)

    @cached_property
    def _unit_points(self) -> FloatArray:
        """(points, 3) scrambled Sobol points in [0, 1)³, mapped to (ln z, ln H, azimuth)."""
        s = self.settings
        from scipy.stats import qmc  # here, not at import

        return qmc.Sobol(d=3, scramble=True, seed=s.seed).random(s.points)

    def density(self, z: FloatArray, pt2: FloatArray, mass: float) -> FloatArray:
        """d²N/dz dp_T² (GeV⁻²) per beam proton at coupling 1; 0 where E_V would exceed the beam energy."""
        P = self.beam_momentum
        energy = np.sqrt((z * P) ** 2 + pt2 + mass * mass)
        s_prime = self.s * (self.beam_energy - energy) / self.beam_energy
        ratio = np.where(s_prime > 0.0, self.sigma(np.maximum(s_prime, 1e-9)) / self.sigma(self.s), 0.0)
        ff = float(self.form_factor.squared(mass * mass, self.charges)) * self.charges.scale**2
        return ff * ratio * np.clip(splitting_function(z, pt2, mass), 0.0, None)

    def sample(self, mass: float, rng: np.random.Generator | None = None, max_theta: float = np.pi) -> ParticleSample:
        """Weighted vectors of mass ``mass`` (GeV) per beam proton at coupling 1.

        Only p_T up to the cone ``max_theta`` around the beam is sampled (exact, as V starts on
        the axis), so no point is wasted on directions that miss the detector. ``rng`` is unused:
        the sample is deterministic.
        """
        s = self.settings
        lo, hi = self.mass_range()
        if not lo < mass < hi:
            return ParticleSample.empty(self.name, mass)
        u = self._unit_points
        log_z = np.log(s.z_max / s.z_min)
        z = s.z_min * np.exp(u[:, 0] * log_z)
        p_long = z * self.beam_momentum
        pt_cap = np.full_like(z, s.pt_max)
        if max_theta < np.pi / 2:
            pt_cap = np.minimum(pt_cap, p_long * np.tan(max_theta))
        h0 = (1.0 - z) * mass * mass + z * z * PROTON_MASS**2
        log_h = np.log1p(pt_cap * pt_cap / h0)
        h = h0 * np.exp(u[:, 1] * log_h)
        pt2 = np.clip(h - h0, 0.0, None)
        # Jacobian: dz = z ln(z_max/z_min) du₁, dp_T² = H ln(H₁/H₀) du₂
        weights = self.density(z, pt2, mass) * (z * log_z) * (h * log_h) / len(z)
        pt = np.sqrt(pt2)
        phi = 2.0 * np.pi * u[:, 2]
        p4 = np.column_stack([np.sqrt(p_long**2 + pt2 + mass * mass), pt * np.cos(phi), pt * np.sin(phi), p_long])
        keep = weights > 0.0
        return ParticleSample(self.name, mass, weights[keep], p4[keep], np.zeros((int(keep.sum()), 3)))

    def total_rate(self, mass: float) -> float:
        """V per beam proton at coupling 1 over the whole (z, p_T) region (Sobol estimate)."""
        return self.sample(mass).total

    def with_settings(self, **changes: Any) -> "ProtonBremsChannel":
        """The same channel with some settings changed (validated)."""
        fields = {k: getattr(self.settings, k) for k in _SETTING_KEYS}
        fields.update(changes)
        return replace(self, settings=BremsSettings(**fields))


