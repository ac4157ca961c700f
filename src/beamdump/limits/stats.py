"""Upper limits on a Poisson signal: background, observed counts and systematic uncertainties.

The limit is on the expected number of signal events s. Two procedures:

* ``"cls"`` (default; used by NA62, NA64, FASER): CLs = P(N ≤ n | s + b) / P(N ≤ n | b) = 1 − CL.
  For n = 0 it gives −ln(1 − CL) = 2.303 at 90% CL whatever b is.
* ``"classical"``: the Neyman upper limit P(N ≤ n | s + b) = 1 − CL, which for a background
  larger than expected can fall to 0 (reported, not hidden: the limit is then 0).

Systematic uncertainties are folded in the Cousins–Highland way: the probabilities are averaged
over a log-normal signal-yield scale (relative width ``signal_rel_unc``, mean 1) and a log-normal
background (relative width ``background_rel_unc``), by Gauss–Hermite quadrature.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np

from ..errors import BeamdumpInputError

Method = Literal["cls", "classical"]
METHODS: tuple[str, ...] = ("cls", "classical")
_GH_NODES, _GH_WEIGHTS = np.polynomial.hermite_e.hermegauss(24)
_GH_WEIGHTS = _GH_WEIGHTS / _GH_WEIGHTS.sum()


def _lognormal_scales(rel_unc: float) -> tuple[np.ndarray, np.ndarray]:
    """Quadrature nodes (scale factors, mean 1) and weights for a log-normal of relative width rel_unc."""
    if rel_unc <= 0.0:
        return np.ones(1), np.ones(1)
    sigma = np.sqrt(np.log1p(rel_unc * rel_unc))
    return np.exp(sigma * _GH_NODES - 0.5 * sigma * sigma), _GH_WEIGHTS


def _cdf_smeared(n_obs: int, s: float, b: float, s_unc: float, b_unc: float) -> float:
    """P(N ≤ n_obs) for mean κ_s·s + κ_b·b, averaged over the log-normal scales κ_s, κ_b."""
    ks, ws = _lognormal_scales(s_unc)
    kb, wb = _lognormal_scales(b_unc)
    from scipy import special  # here, not at import: `beamdump list` and `--help` need no scipy

    mu = ks[:, None] * s + kb[None, :] * b
    # the Poisson CDF P(N ≤ n | μ) (special.pdtr; scipy.stats would cost 0.3 s of import)
    return float(np.sum(ws[:, None] * wb[None, :] * special.pdtr(n_obs, mu)))


@dataclass(frozen=True)
class LimitSettings:
    """What an experiment observed and expected, and how to turn it into a limit.

    n_observed: events seen; background: expected background events; signal_rel_unc and
    background_rel_unc: relative (1σ) uncertainties; cl: confidence level in (0, 1).
    """

    n_observed: int = 0
    background: float = 0.0
    signal_rel_unc: float = 0.0
    background_rel_unc: float = 0.0
    cl: float = 0.9
    method: Method = "cls"
    #: the upper limit on the signal events that the analysis itself stated (e.g. after its own
    #: background subtraction); when set it replaces the Poisson computation
    events_upper_limit: float | None = None

    def __post_init__(self) -> None:
        _check("n_observed", self.n_observed, "an integer ≥ 0", lambda v: float(v).is_integer() and v >= 0)
        _check("background", self.background, "a finite number ≥ 0", lambda v: np.isfinite(v) and v >= 0)
        _check("signal_rel_unc", self.signal_rel_unc, "in [0, 5]", lambda v: 0 <= v <= 5)
        _check("background_rel_unc", self.background_rel_unc, "in [0, 5]", lambda v: 0 <= v <= 5)
        _check("cl", self.cl, "in (0, 1)", lambda v: 0 < v < 1)
        if self.method not in METHODS:
            raise BeamdumpInputError(f"method: {self.method!r} is not known; allowed: {', '.join(METHODS)}")
        if self.events_upper_limit is not None:
            _check("events_upper_limit", self.events_upper_limit, "a finite number of events > 0",
                   lambda v: np.isfinite(v) and v > 0)

    def upper_limit(self) -> float:
        """Upper limit on the expected number of signal events: the analysis's own when it states
        one, else the Poisson (CLs or classical) limit of the counts."""
        if self.events_upper_limit is not None:
            return float(self.events_upper_limit)
        return poisson_upper_limit(
            self.n_observed,
            self.background,
            cl=self.cl,
            method=self.method,
            signal_rel_unc=self.signal_rel_unc,
            background_rel_unc=self.background_rel_unc,
        )


def _check(name: str, value: float, allowed: str, ok) -> None:
    try:
        good = bool(ok(value))
    except (TypeError, ValueError):
        good = False
    if not good:
        raise BeamdumpInputError(f"{name}: {value!r} is not allowed; it must be {allowed}")


def poisson_upper_limit(
    n_obs: int,
    background: float = 0.0,
    *,
    cl: float = 0.9,
    method: Method = "cls",
    signal_rel_unc: float = 0.0,
    background_rel_unc: float = 0.0,
) -> float:
    """Upper limit on the signal mean s (events) at confidence level ``cl``.

    >>> round(poisson_upper_limit(0, 0.0), 3)
    2.303
    """
    from scipy import special

    LimitSettings(n_obs, background, signal_rel_unc, background_rel_unc, cl, method)  # validates
    n_obs = int(n_obs)
    alpha = 1.0 - cl
    if signal_rel_unc == 0 and background_rel_unc == 0:
        # Neyman limit on the total mean: P(N ≤ n | μ) = α ⇔ μ = χ²_{cl}(2n + 2)/2
        mu_up = float(special.chdtri(2 * (n_obs + 1), 1.0 - cl) / 2.0)  # the χ² quantile at cl
        if method == "classical":
            return max(mu_up - background, 0.0)
        # CLs = e^{−s} Σ_k (s+b)^k/k! / Σ_k b^k/k!: the e^{−b} cancel analytically, so nothing
        # underflows however large the background
        k = np.arange(n_obs + 1)
        log_kfact = special.gammaln(k + 1)

        def log_sum(mu: float) -> float:
            return float(special.logsumexp(k * np.log(mu) - log_kfact)) if mu > 0 else 0.0

        log_b = log_sum(background)

        def f_exact(s: float) -> float:
            return -s + log_sum(s + background) - log_b - np.log(alpha)

        return _solve(f_exact, mu_up + 1.0)

    cl_b = _cdf_smeared(n_obs, 0.0, background, 0.0, background_rel_unc) if method == "cls" else 1.0

    def f(s: float) -> float:
        return _cdf_smeared(n_obs, s, background, signal_rel_unc, background_rel_unc) - alpha * cl_b

    if f(0.0) <= 0.0:
        return 0.0
    return _solve(f, 10.0 + 3.0 * n_obs)


def _solve(f, guess: float) -> float:
    """Root of a decreasing function on [0, ∞) by bracketing then Brent's method."""
    from scipy import optimize

    lo, hi = 0.0, max(guess, 1.0)
    if f(lo) <= 0.0:
        return 0.0
    while f(hi) > 0.0:
        lo, hi = hi, 2.0 * hi
        if hi > 1e9:
            raise BeamdumpInputError("no finite upper limit: check n_observed and background")
    return float(optimize.brentq(f, lo, hi, xtol=1e-10, rtol=1e-10))
