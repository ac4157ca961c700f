"""Transition form factors F(q²) of the semileptonic HNL production modes (P → P′ℓN, P → VℓN), as
``data/production/hnl_production.toml`` gives them: Taylor, pole, Bečirević–Kaidalov, two-pole
(Ball–Zwicky), Melikhov–Stech and the heavy-quark CLN forms. q² in GeV²."""

from __future__ import annotations

from dataclasses import dataclass
from types import MappingProxyType
from typing import Mapping

import numpy as np
from numpy.typing import ArrayLike

from ..errors import BeamdumpInputError
from ..kinematics import FloatArray
from ..pdg import mass_gev

#: the data file of the HNL production constants and form factors
FILE = "hnl_production.toml"

#: parameters each form-factor kind needs (see hnl_production.toml's header)
FORM_FACTOR_PARAMS: Mapping[str, tuple[str, ...]] = MappingProxyType({
    "taylor": ("value0", "coefficients", "scale_gev"),
    "pole": ("value0", "pole_gev"),
    "pole_alpha": ("value0", "pole_gev", "alpha"),
    "two_poles": ("r1", "r2", "pole_gev", "pole2_gev"),
    "melikhov_stech": ("value0", "pole_gev", "sigma1", "sigma2", "pole_power"),
    "cln_pseudoscalar": ("parent", "daughter", "component", "g1", "rho2", "delta"),
    "cln_vector": ("parent", "daughter", "component", "ha1", "rho2", "ratio1"),
})
FORM_FACTOR_KINDS = tuple(FORM_FACTOR_PARAMS)
#: parameters with defaults: no Taylor terms, scale 1 GeV, no CLN Δ correction
_OPTIONAL_PARAMS = ("coefficients", "scale_gev", "delta")
CLN_COMPONENTS = {"cln_pseudoscalar": ("plus", "zero"), "cln_vector": ("V", "A0", "A1", "A2")}
#: the q-dependence of the CLN ratios R_i(w) = R_i(1) + c1 (w − 1) + c2 (w − 1)² (Caprini, Lellouch, Neubert,
#: hep-ph/9712417 eq. (35)) [check: remembered]; R1 for V, R2 for A2, R0 for A0
_CLN_RATIO_SLOPES = {"V": (-0.12, 0.05), "A2": (0.11, -0.06), "A0": (-0.11, 0.01)}


@dataclass(frozen=True)
class FormFactor:
    """A transition form factor F(q²) (q² in GeV²) of ``hnl_production.toml``; ``kind`` one of
    FORM_FACTOR_KINDS with the parameters FORM_FACTOR_PARAMS[kind] in ``params`` (see the file's header):

    * taylor: F(0)(1 + Σ_k c_k (q²/scale²)^k);  pole: F(0)/(1 − q²/m²);
    * pole_alpha: F(0)/((1 − q²/m²)(1 − α q²/m²)) (Bečirević–Kaidalov);
    * two_poles: r₁/(1 − q²/m²) + r₂/(1 − q²/m₂²) (Ball–Zwicky, hep-ph/0406232 eq. (59));
    * melikhov_stech: F(0)/((1 − q²/m²)^p (1 − σ₁ q²/m² + σ₂ q⁴/m⁴)), p = pole_power ∈ {0, 1};
    * cln_pseudoscalar / cln_vector: the heavy-quark (Caprini–Lellouch–Neubert) forms in w = v·v′ for
      B → D (f₊, f₀) and B → D* (V, A0, A1, A2): see :meth:`_cln`.
    """

    name: str
    kind: str
    params: Mapping[str, float | str | tuple[float, ...]]
    source: str = ""

    def __post_init__(self) -> None:
        where = f"{FILE} [form_factors.{self.name}]"
        if self.kind not in FORM_FACTOR_KINDS:
            raise BeamdumpInputError(f"{where}.kind: {self.kind!r}; allowed: {', '.join(FORM_FACTOR_KINDS)}")
        missing = [k for k in FORM_FACTOR_PARAMS[self.kind] if k not in self.params and k not in _OPTIONAL_PARAMS]
        if missing:
            raise BeamdumpInputError(f"{where}: missing {missing[0]!r} (kind {self.kind} needs {', '.join(FORM_FACTOR_PARAMS[self.kind])})")
        if "pole_gev" in FORM_FACTOR_PARAMS[self.kind] and not float(self.params["pole_gev"]) > 0.0:
            raise BeamdumpInputError(f"{where}.pole_gev: {self.params['pole_gev']!r}; allowed: > 0")
        if self.kind in CLN_COMPONENTS and self.params["component"] not in CLN_COMPONENTS[self.kind]:
            raise BeamdumpInputError(f"{where}.component: {self.params['component']!r}; allowed: {', '.join(CLN_COMPONENTS[self.kind])}")

    def _p(self, key: str, default: float = 0.0) -> float:
        return float(self.params.get(key, default))  # type: ignore[arg-type]

    def __call__(self, q2: ArrayLike) -> FloatArray:
        """F(q²) at ``q2`` (GeV²)."""
        q2 = np.asarray(q2, dtype=float)
        if self.kind == "taylor":
            t = q2 / self._p("scale_gev", 1.0) ** 2
            coefficients = tuple(self.params.get("coefficients", ()))  # type: ignore[arg-type]
            return self._p("value0") * (1.0 + sum(c * t ** (k + 1) for k, c in enumerate(coefficients)))
        if self.kind in CLN_COMPONENTS:
            return self._cln(q2)
        x = q2 / self._p("pole_gev") ** 2
        if self.kind == "pole":
            return self._p("value0") / (1.0 - x)
        if self.kind == "pole_alpha":
            return self._p("value0") / ((1.0 - x) * (1.0 - self._p("alpha") * x))
        if self.kind == "two_poles":
            return self._p("r1") / (1.0 - x) + self._p("r2") / (1.0 - q2 / self._p("pole2_gev") ** 2)
        pole = (1.0 - x) ** self._p("pole_power")
        return self._p("value0") / (pole * (1.0 - self._p("sigma1") * x + self._p("sigma2") * x * x))

    def _cln(self, q2: FloatArray) -> FloatArray:
        """CLN (hep-ph/9712417) in w = (M² + M′² − q²)/(2MM′), z = (√(w+1) − √2)/(√(w+1) + √2), r = M′/M:

        * B → D: V₁(w) = G(1)[1 − 8ρ²z + (51ρ² − 10)z² − (252ρ² − 84)z³], f₊ = (1 + r)/(2√r) V₁,
          f₀ = f₊ · 2r(w + 1)/(1 + r)² · [1 + Δ(−0.019 + 0.041(w − 1) − 0.015(w − 1)²)] (eq. (29)–(31));
        * B → D*: h_A1(w) = h_A1(1)[1 − 8ρ²z + (53ρ² − 15)z² − (231ρ² − 91)z³], R* = 2√r/(1 + r),
          A₁ = (w + 1)/2 · R* h_A1, V = R₁(w) h_A1/R*, A₂ = R₂(w) h_A1/R*, A₀ = R₀(w) h_A1/R*
          (eq. (35)–(36); R_i(w) = R_i(1) + c₁(w − 1) + c₂(w − 1)²)."""
        M, Mp = mass_gev(int(self._p("parent"))), mass_gev(int(self._p("daughter")))
        r = Mp / M
        w = (M * M + Mp * Mp - q2) / (2.0 * M * Mp)
        z = (np.sqrt(w + 1.0) - np.sqrt(2.0)) / (np.sqrt(w + 1.0) + np.sqrt(2.0))
        rho2, component = self._p("rho2"), self.params["component"]
        if self.kind == "cln_pseudoscalar":
            v1 = self._p("g1") * (1.0 - 8.0 * rho2 * z + (51.0 * rho2 - 10.0) * z**2 - (252.0 * rho2 - 84.0) * z**3)
            f_plus = (1.0 + r) / (2.0 * np.sqrt(r)) * v1
            if component == "plus":
                return f_plus
            dw = w - 1.0
            return f_plus * 2.0 * r * (w + 1.0) / (1.0 + r) ** 2 * (1.0 + self._p("delta") * (-0.019 + 0.041 * dw - 0.015 * dw * dw))
        ha1 = self._p("ha1") * (1.0 - 8.0 * rho2 * z + (53.0 * rho2 - 15.0) * z**2 - (231.0 * rho2 - 91.0) * z**3)
        r_star = 2.0 * np.sqrt(r) / (1.0 + r)
        if component == "A1":
            return 0.5 * (w + 1.0) * r_star * ha1
        c1, c2 = _CLN_RATIO_SLOPES[str(component)]
        ratio = self._p("ratio1") + c1 * (w - 1.0) + c2 * (w - 1.0) ** 2
        return ratio * ha1 / r_star
