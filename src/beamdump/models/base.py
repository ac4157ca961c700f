"""What every new-particle model declares: its couplings, widths, final states and what its
production channels need from it.

The engine (``beamdump.engine``) and the production channels (``beamdump.production``) see a
model only through :class:`Model`; nothing downstream reads undeclared attributes. Units: masses
and widths in GeV, cτ in metres, couplings in the unit their :class:`Coupling` states.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol, runtime_checkable

import numpy as np
from hepunits.constants import hbarc
from hepunits.units import GeV, meter
from numpy.typing import ArrayLike, NDArray

from ..dalitz import three_body_lab
from ..errors import BeamdumpInputError
from ..kinematics import FloatArray, two_body_decay
from ..pdg import charge, mass_gev

if TYPE_CHECKING:
    from .vector_charges import VectorCharges


#: ħc in GeV·m (hepunits, 1.973269804e-16): cτ = HBARC_GEV_M / Γ.
HBARC_GEV_M: float = float(hbarc / (GeV * meter))


def masses_gev(m: ArrayLike) -> NDArray[np.float64]:
    """``m`` as an array of masses in GeV, each finite and > 0, else a one-line input error."""
    try:
        arr = np.asarray(m, dtype=float)
    except (TypeError, ValueError):
        raise BeamdumpInputError(f"mass: must be a number or array of numbers in GeV > 0, got {m!r}") from None
    if not np.all(np.isfinite(arr)) or np.any(arr <= 0):
        raise BeamdumpInputError("mass: every mass must be finite and > 0 GeV")
    return arr


def coupling_values(g: ArrayLike, key: str) -> NDArray[np.float64]:
    """``g`` as an array of coupling values, each finite and > 0, else a one-line input error naming ``key``."""
    try:
        arr = np.asarray(g, dtype=float)
    except (TypeError, ValueError):
        raise BeamdumpInputError(f"coupling: {key} must be a number > 0, got {g!r}") from None
    if not np.all(np.isfinite(arr)) or np.any(arr <= 0):
        raise BeamdumpInputError(f"coupling: {key} must be finite and > 0")
    return arr


def check_single_coupling(model: str, coupling: "Coupling", scan: str, fixed: Mapping[str, float], why: str = "") -> None:
    """The one-coupling model's :meth:`Model.with_couplings` checks: ``scan`` must be its key and
    nothing can be fixed (``why``, e.g. "its charges are fixed ratios", ends the error line)."""
    if scan != coupling.key:
        raise BeamdumpInputError(f"--coupling: {scan!r} is not a coupling of {model}; allowed: {coupling.key}")
    if fixed:
        raise BeamdumpInputError(
            f"--fix: {', '.join(fixed)}: {model} has the one coupling {coupling.key}" + (f" ({why})" if why else "")
        )


def check_final_state(model: str, final_state: str, known: Mapping[str, "FinalState"]) -> None:
    """A one-line input error unless ``final_state`` is a key of ``known``."""
    if final_state not in known:
        raise BeamdumpInputError(
            f"final_state: {final_state!r} is not known for {model}; known final states: {', '.join(known)}"
        )


def ctau_from_width(total: NDArray[np.float64]) -> NDArray[np.float64]:
    """cτ in metres of a total width in GeV (ħc/Γ); +inf where nothing is open (Γ = 0)."""
    total = np.asarray(total, dtype=float)
    return np.divide(HBARC_GEV_M, total, out=np.full_like(total, np.inf), where=total > 0)


@dataclass(frozen=True)
class Coupling:
    """One coupling of a model.

    key: the name in files and options (``eps``, ``g_BL``, ``g_agg``, ``U2_mu`` …);
    label: LaTeX for axis labels (``$\\varepsilon$``); unit: ``""`` when dimensionless, else
    e.g. ``"GeV^-1"``; default_range: (min, max) of the default scan; description: one line.
    """

    key: str
    label: str
    unit: str
    default_range: tuple[float, float]
    description: str = ""
    #: the largest value that is physical (a mixing ≤ 1, a perturbative gauge coupling ≤ √(4π));
    #: inf where nothing is declared (a coupling read from a reference file)
    physical_max: float = float("inf")

    def __post_init__(self) -> None:
        lo, hi = self.default_range
        if not (0.0 < lo < hi <= self.physical_max and np.isfinite(hi)):
            raise BeamdumpInputError(
                f"coupling {self.key}: default_range {lo:g}:{hi:g}; allowed 0 < min < max <= {self.physical_max:g}"
            )

    def check(self, values: ArrayLike, what: str = "--couplings") -> NDArray[np.float64]:
        """``values`` as an array if each is in (0, physical_max], else a one-line input error."""
        arr = np.asarray(values, dtype=float)
        if not np.all(np.isfinite(arr) & (arr > 0.0) & (arr <= self.physical_max)):
            raise BeamdumpInputError(
                f"{what}: {self.key} from {arr.min():g} to {arr.max():g}; allowed 0 < {self.key} <= {self.physical_max:g}"
            )
        return arr

    @property
    def axis_label(self) -> str:
        """The label with its unit, for a plot axis."""
        return f"{self.label} [{self.unit_latex}]" if self.unit else self.label

    @property
    def unit_latex(self) -> str:
        """The unit in matplotlib's mathtext (``GeV^-1`` → ``GeV$^{-1}$``)."""
        if "^" not in self.unit:
            return self.unit
        base, power = self.unit.split("^", 1)
        return f"{base}$^{{{power}}}$"

    @property
    def text(self) -> str:
        """Plain-text name with unit, for CSV comments and HEPData headers (``g_agg [GeV^-1]``)."""
        return f"{self.key} [{self.unit}]" if self.unit else self.key


#: PDG ids of the neutrinos: daughters the detector never sees
NEUTRINOS = frozenset({12, -12, 14, -14, 16, -16})


@dataclass(frozen=True)
class FinalState:
    """A decay final state: its daughters (PDG ids), whether it is visible, and its decay sampler.

    ``daughters`` are the particles the decay makes, two or three; the detector must see the
    ``tracked`` ones (every daughter but the neutrinos). For an inclusive state (``hadrons``,
    ``visible``) they are the representative kinematics the acceptance uses, and
    ``representative`` is True. Invisible states (νν̄, 3ν) count in the total width only.
    Charged daughters are bent by a dipole, neutral ones (γ, π⁰, ν) are not. A three-body state
    decays by its ``matrix_element`` (terms of :mod:`beamdump.dalitz`; none: flat phase space).
    """

    key: str
    description: str
    daughters: tuple[int, ...] = ()
    visible: bool = True
    representative: bool = False
    #: the representative kinematics below this one's threshold (e.g. π⁰γ below π⁺π⁻)
    below: "FinalState | None" = None
    #: |M|² of a three-body decay as terms (i, j, k, l, c) = c (p_i·p_j)(p_k·p_l), 0 the parent
    matrix_element: tuple[tuple[int, int, int, int, float], ...] = ()
    masses: tuple[float, ...] = field(init=False, repr=False, compare=False)
    charges: tuple[float, ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if self.visible and len(self.daughters) not in (2, 3):
            raise BeamdumpInputError(
                f"final state {self.key}: {len(self.daughters)} daughters; the decay sampler takes 2 or 3 daughters"
            )
        if self.visible and all(p in NEUTRINOS for p in self.daughters):
            raise BeamdumpInputError(f"final state {self.key}: only neutrinos; a visible state needs a daughter the detector sees")
        if self.matrix_element and len(self.daughters) != 3:
            raise BeamdumpInputError(f"final state {self.key}: a matrix element needs three daughters")
        for term in self.matrix_element:
            if len(term) != 5 or any(not 0 <= int(i) <= 3 for i in term[:4]):
                raise BeamdumpInputError(f"final state {self.key}: matrix-element term {term!r}; allowed (i, j, k, l, c), 0 <= i, j, k, l <= 3")
        object.__setattr__(self, "masses", tuple(mass_gev(p) for p in self.daughters))
        object.__setattr__(self, "charges", tuple(charge(p) for p in self.daughters))

    @property
    def tracked(self) -> tuple[int, ...]:
        """Indices of the daughters the detector must see (all but neutrinos)."""
        return tuple(i for i, p in enumerate(self.daughters) if p not in NEUTRINOS)

    @property
    def threshold(self) -> float:
        """Sum of the daughter masses (GeV): the lowest of this state and its fallbacks."""
        own = float(sum(self.masses))
        return own if self.below is None else min(own, self.below.threshold)

    def at(self, mass: float) -> "FinalState":
        """The kinematics a parent of ``mass`` (GeV) decays with: this state, or below its own
        threshold its fallback's."""
        if self.below is not None and mass <= float(sum(self.masses)):
            return self.below.at(mass)
        return self

    def decay(
        self, parent: FloatArray, parent_mass: float, rng: np.random.Generator, directions: FloatArray | None = None
    ) -> tuple[FloatArray, ...]:
        """Lab four-momenta (n, 4) of each daughter of parents ``parent`` (n, 4, GeV): two-body
        isotropic in the rest frame, three-body by the matrix element over the Dalitz plot
        (``directions`` (n, 3) fixes the first daughter's rest-frame direction)."""
        if not self.visible:
            raise BeamdumpInputError(f"final state {self.key}: invisible, nothing to decay into the detector")
        if parent_mass <= float(sum(self.masses)):
            raise BeamdumpInputError(
                f"final state {self.key}: a parent of {parent_mass:.4g} GeV cannot decay to {self.daughters} "
                f"(threshold {sum(self.masses):.4g} GeV)"
            )
        if len(self.masses) == 3:
            return three_body_lab(parent, parent_mass, self.masses, rng, self.matrix_element, directions)
        m1, m2 = self.masses
        return two_body_decay(parent, m1, m2, rng, directions=directions, parent_mass=parent_mass)


@runtime_checkable
class Model(Protocol):
    """A new particle: what the engine and the production channels may ask of it.

    ``coupling`` is the coupling the engine scans; every width scales as
    coupling**``width_power`` and every production channel's yield as coupling**(its own power,
    declared on the channel's sample), which keeps the analytic rescaling exact.
    ``production`` says what the production channels need: each field set is a kind of
    coupling to the Standard Model (``None`` where the model has none), and a channel applies
    when the field it reads is set.
    """

    name: str
    description: str
    coupling: Coupling
    width_power: int
    valid_masses: tuple[float, float]

    @property
    def couplings(self) -> tuple[Coupling, ...]:
        """Every coupling of the model, the scanned one first."""
        ...

    @property
    def production(self) -> "ProductionCouplings":
        """What the production channels read."""
        ...

    def with_couplings(self, scan: str, fixed: Mapping[str, float]) -> "Model":
        """The model scanning coupling ``scan`` with the others held at ``fixed`` (values or, where
        the model says so, ratios); bad keys raise BeamdumpInputError naming the allowed ones."""
        ...

    def final_states(self) -> Mapping[str, FinalState]: ...

    def partial_widths(self, m: ArrayLike, coupling: ArrayLike = 1.0) -> dict[str, NDArray[np.float64]]: ...

    def total_width(self, m: ArrayLike, coupling: ArrayLike = 1.0) -> NDArray[np.float64]: ...

    def branching_fraction(self, m: ArrayLike, final_state: str) -> NDArray[np.float64]: ...

    def ctau(self, m: ArrayLike, coupling: ArrayLike = 1.0) -> NDArray[np.float64]: ...


@dataclass(frozen=True)
class ProductionCouplings:
    """The couplings to the Standard Model that production channels read.

    vector: the model's vector current (charges to each fermion), read by meson decays,
    bremsstrahlung and vector-meson mixing; ``None`` for a particle that is not a vector.
    photon: the coupling to two photons of a pseudoscalar (g_aγγ in GeV⁻¹ at scanned coupling 1),
    read by Primakoff production. flavour: the flavour-changing quark couplings of a spin-0
    particle, read by K and B decays to it (:class:`FlavourCouplings`). Other kinds of particle add their own field and the channels
    that need it read that field.
    """

    vector: "VectorCharges | None" = None
    #: the coupling to two photons g_aγγ (GeV⁻¹) per unit of the scanned coupling, read by the
    #: Primakoff channels; ``None`` for a particle without one
    photon: float | None = None
    #: the flavour-changing quark couplings of a spin-0 particle (K → πX, B → KX, ...), read by
    #: the flavour-changing meson-decay channels; ``None`` for a particle without them
    flavour: "FlavourCouplings | None" = None
    #: the mixings U_α² of a heavy neutral lepton with the active neutrinos, read by the HNL
    #: production channels (meson and τ decays); ``None`` for a particle that is not an HNL
    mixing: "MixingCouplings | None" = None


#: the lepton flavours of :class:`MixingCouplings`
FLAVOURS = ("e", "mu", "tau")


@dataclass(frozen=True)
class MixingCouplings:
    """A heavy neutral lepton's mixings with the active neutrinos, per unit of the scanned
    coupling: ``u2`` maps a flavour of :data:`FLAVOURS` to U_α² at scanned coupling 1 (a missing
    flavour is 0). Every production rate is linear in the U_α² (rate_power 1): a channel's
    width is Σ_α U_α² Γ_α with Γ_α its width at U_α² = 1. ``majorana``: the HNL is its own
    antiparticle (production rates are the same for both kinds; only the decay width doubles).
    """

    u2: Mapping[str, float] = field(default_factory=dict)
    majorana: bool = True
    rate_power: int = 1

    def __post_init__(self) -> None:
        bad = [k for k in self.u2 if k not in FLAVOURS]
        if bad:
            raise BeamdumpInputError(f"mixing: {', '.join(bad)} not known; allowed: {', '.join(FLAVOURS)}")
        if any(not (np.isfinite(v) and v >= 0.0) for v in self.u2.values()) or not any(v > 0 for v in self.u2.values()):
            raise BeamdumpInputError("mixing: every U_alpha^2 must be finite and >= 0, and one > 0")
        if self.rate_power != 1:
            raise BeamdumpInputError(f"mixing rate_power: {self.rate_power}; allowed: 1 (rates are linear in U^2)")

    def of(self, flavour: str) -> float:
        """U²_flavour at scanned coupling 1 (0 where the HNL does not mix with it)."""
        return float(self.u2.get(flavour, 0.0))


#: the quark transitions of :class:`FlavourCouplings`: b → s, b → d, s → d
TRANSITIONS = ("bs", "bd", "sd")


@dataclass(frozen=True)
class FlavourCouplings:
    """Flavour-changing couplings of a spin-0 particle X to down-type quarks, per unit of the
    scanned coupling, written as derivative couplings (on shell, every spin-0 coupling can be):

        L ⊃ ∂_μX [c_V q̄′γ^μ q + c_A q̄′γ^μγ₅ q] + h.c.    (q → q′ = b → s, b → d, s → d)

    ``vector`` and ``axial`` map a transition of :data:`TRANSITIONS` to the complex c in GeV⁻¹
    (a missing key is 0). A meson decay P → P′X reads c_V (⟨P′|q̄′γ^μq|P⟩q_μ = (M² − M′²) f₀),
    P → V X reads c_A (⟨V|q̄′γ^μγ₅q|P⟩q_μ = 2 m_V ε*·q A₀). A scalar coupling h X q̄′P_R q is,
    by the quarks' equations of motion, c_V = h / (2(m_q − m_q′)) and c_A = h / (2(m_q + m_q′)).
    Values are complex to keep the CKM phase, which K_L → π⁰X needs (K_L is nearly CP-odd, so
    a CP-even X is made through Im c_V^{sd}).
    """

    vector: Mapping[str, complex] = field(default_factory=dict)
    axial: Mapping[str, complex] = field(default_factory=dict)
    #: the rates these couplings give scale as (scanned coupling)**rate_power, c being given at
    #: scanned coupling 1: 2 for a coupling c ∝ g (g_aff), 1 for a mixing scanned as sin²θ
    rate_power: int = 2

    def __post_init__(self) -> None:
        if self.rate_power not in (1, 2, 4):
            raise BeamdumpInputError(f"flavour couplings rate_power: {self.rate_power}; allowed: 1, 2, 4")
        for name, table in (("vector", self.vector), ("axial", self.axial)):
            bad = [k for k in table if k not in TRANSITIONS]
            if bad:
                raise BeamdumpInputError(
                    f"flavour couplings {name}: {', '.join(bad)} not known; allowed: {', '.join(TRANSITIONS)}"
                )

    def c_vector(self, transition: str) -> complex:
        """c_V of ``transition`` (GeV⁻¹), 0 where the particle has none."""
        return complex(self.vector.get(transition, 0.0))

    def c_axial(self, transition: str) -> complex:
        """c_A of ``transition`` (GeV⁻¹), 0 where the particle has none."""
        return complex(self.axial.get(transition, 0.0))

