"""Why the NuTeV and PS191 upper edges of ``beamdump validate --model hnl-mu-dirac`` lie ~2 decades
above the published (digitised) ones: the energies and decay lengths of the accepted HNLs, and the
factor by which the decay length would have to shrink to put the edge at the published curve.

For each preset (its own validation channels and final states) and a few masses, the HNL sample is
put through the geometry and the daughter acceptance exactly as :meth:`beamdump.engine.reach.Reach.flux`
does (engine functions, nothing re-implemented). Each accepted decay term c·exp(−u·U²) gives, in the
long-lifetime limit, the weight −c·u of its particle; printed are the mean and the 10/50/90 %
quantiles of the accepted N energy, the decay length λ = (p/m)·cτ of the median N at the published
lower and upper edges, the events there, our own upper edge, and the factor f by which every decay
length (λ → λ/f: cτ smaller by f, or all N momenta smaller by f) would have to shrink for the events
at the published upper edge to fall to N_up. Nothing here is fitted into a preset.

    .venv/bin/python scripts/hnl_upper_edge_check.py
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from scipy.optimize import brentq

from beamdump.engine.analysis import make_reach
from beamdump.engine.decay_in_volume import decay_terms, flights_through
from beamdump.engine.reach import azimuth_forced
from beamdump.experiments.experiment import load_experiment
from beamdump.limits.contours import read_band_csv
from beamdump.production.sample import ParticleSample

N_UP = 2.303  # 90% CL, 0 observed, 0 background (both presets' [statistics])
REFERENCE = Path(__file__).resolve().parents[2] / "shared" / "reference" / "limits"
MASSES = {"nutev": (0.3, 0.5, 1.0, 1.5), "ps191": (0.2, 0.25, 0.3)}


def reference_edges(preset: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Masses (GeV), lower and upper U² of the preset's validation reference file."""
    exp = load_experiment(preset)
    band = read_band_csv(REFERENCE / exp.config.validation[0].reference)
    return band.masses, band.lower, band.upper


class Terms:
    """Decay terms u, c (already × N_beam·ε·BR) and the particle energies of one preset at one mass."""

    def __init__(self, preset: str, mass: float, seed: int = 20231) -> None:
        exp = load_experiment(preset)
        val = exp.config.validation[0]
        reach = make_reach(exp, val.model, final_states=val.final_state.split("+"), channels=val.channels, seed=seed)
        model = reach.model
        rng = np.random.default_rng([seed, int(round(mass * 1e9))])
        max_theta = min(float(exp.volume.bounding_half_angle(np.zeros(3))), np.pi)
        samples = [ch.sample(mass, rng, max_theta=max_theta) for ch in reach.channels]
        window = exp.volume.azimuth_window()
        if window is not None:
            samples = [azimuth_forced(s, window, np.random.default_rng([seed, i])) for i, s in enumerate(samples)]
        merged = ParticleSample.concatenate([s for s in samples if len(s)])
        flights = flights_through(merged, exp.volume, exp.vertex_efficiency)
        self.ctau1 = float(model.ctau(mass, 1.0))  # m at U² = 1
        self.mass = mass
        us, cs, ps = [], [], []
        for fs in reach.final_states:
            norm = exp.n_beam * exp.efficiency(fs) * float(model.branching_fraction(mass, fs))
            if norm <= 0.0:  # closed at this mass (as Reach.flux)
                continue
            u, c, part = decay_terms(merged, flights, self.ctau1, exp.acceptance(fs), model.final_states()[fs].at(mass), rng, reach.segments)
            us.append(u), cs.append(c * norm), ps.append(part)
        self.u, self.c, self.particle = np.concatenate(us), np.concatenate(cs), np.concatenate(ps)
        self.energy = merged.p4[:, 0]
        self.production_power = merged.coupling_power

    def events(self, u2: float, shrink: float = 1.0) -> float:
        """Events at U² = ``u2`` with every decay length divided by ``shrink``."""
        x = self.u * shrink * u2
        return float(u2**self.production_power * np.sum(self.c * np.exp(-x)))

    def lower_weights(self) -> tuple[np.ndarray, np.ndarray]:
        """(energy, weight) of the accepted particles in the long-lifetime limit (weight −Σ c·u)."""
        w = np.bincount(self.particle, weights=-self.c * self.u, minlength=len(self.energy))
        keep = w > 0
        return self.energy[keep], w[keep]

    def upper_edge(self, shrink: float = 1.0) -> float:
        """Our upper edge (U² where events fall to N_up, above the maximum)."""
        grid = np.geomspace(1e-9, 1.0, 200)
        ev = np.array([self.events(g, shrink) for g in grid])
        top = int(np.argmax(ev))
        above = np.flatnonzero(ev[top:] < N_UP)
        if not len(above):
            return float("nan")
        j = top + above[0]
        return float(np.exp(brentq(lambda lg: np.log(self.events(np.exp(lg), shrink) / N_UP), np.log(grid[j - 1]), np.log(grid[j]))))


def quantiles(x: np.ndarray, w: np.ndarray, q: tuple[float, ...]) -> np.ndarray:
    """Weighted quantiles of x."""
    order = np.argsort(x)
    cw = np.cumsum(w[order]) / np.sum(w)
    return np.interp(q, cw, x[order])


def report(preset: str) -> None:
    """Print the energy spectra, decay lengths and required shrink factors of one preset."""
    ref_m, ref_lo, ref_hi = reference_edges(preset)
    print(f"== {preset} (N_up = {N_UP})")
    for m in MASSES[preset]:
        t = Terms(preset, m)
        lo_pub, hi_pub = float(np.interp(m, ref_m, ref_lo)), float(np.interp(m, ref_m, ref_hi))
        e, w = t.lower_weights()
        q10, q50, q90 = quantiles(e, w, (0.1, 0.5, 0.9))
        mean = float(np.sum(e * w) / np.sum(w))
        p50 = np.sqrt(max(q50 * q50 - m * m, 0.0))
        lam_lo = p50 / m * t.ctau1 / lo_pub
        lam_hi = p50 / m * t.ctau1 / hi_pub if np.isfinite(hi_pub) else float("nan")
        print(f" m = {m:.3f} GeV: cτ(U²=1) = {t.ctau1:.4g} m; accepted E_N mean {mean:.1f}, 10/50/90% {q10:.1f}/{q50:.1f}/{q90:.1f} GeV")
        print(f"   published lower U² {lo_pub:.3g}: events {t.events(lo_pub):.3g}, λ(median N) = {lam_lo:.3g} m")
        if not np.isfinite(hi_pub):
            print("   no published upper edge at this mass")
            continue
        n_hi = t.events(hi_pub)
        ours = t.upper_edge()
        edge = f"{ours:.3g} ({np.log10(ours / hi_pub):+.2f} decades)" if np.isfinite(ours) else "> 1 (events > N_up up to U² = 1)"
        print(f"   published upper U² {hi_pub:.3g}: events {n_hi:.3g}, λ(median N) = {lam_hi:.3g} m; our upper edge {edge}")
        if n_hi > N_UP:
            with np.errstate(divide="ignore"):
                f = float(np.exp(brentq(lambda lf: np.log(t.events(hi_pub, np.exp(lf)) / N_UP), 0.0, np.log(1e6))))
            print(f"   decay lengths would have to shrink by f = {f:.3g} (cτ {t.ctau1 / hi_pub / f:.3g} m at that U², or βγ = {p50 / f / m:.3g} for the median N) to put the edge there")


def top_line(preset: str) -> None:
    """Along the published upper edge: U²·m⁶ (constant for a lifetime edge at a fixed N momentum)
    and the momentum p* for which the decay length (p*/m)·cτ(U²_top) equals the distance to the
    decay volume; and the log-log slope of U²_top against m."""
    exp = load_experiment(preset)
    model = make_reach(exp, exp.config.validation[0].model, channels=exp.config.validation[0].channels).model
    ref_m, _, ref_hi = reference_edges(preset)
    ok = np.isfinite(ref_hi)
    m, top = ref_m[ok], ref_hi[ok]
    dist = float(exp.config.decay_volume.z_start.value)
    ctau1 = np.array([float(model.ctau(x, 1.0)) for x in m])
    p_star = top * dist * m / ctau1
    slope = np.polyfit(np.log(m), np.log(top), 1)[0]
    print(f"== {preset} published upper edge, {m[0]:.3f}-{m[-1]:.3f} GeV: U² ∝ m^{slope:.2f}; "
          f"U²·m⁶ {np.min(top * m**6):.3g}-{np.max(top * m**6):.3g} GeV⁶; "
          f"p* (decay length = {dist:g} m) {np.min(p_star):.3g}-{np.max(p_star):.3g} GeV (median {np.median(p_star):.3g})")


def lower_deviations(preset: str = "nutev") -> None:
    """Our lower edge vs. the reference at every reference mass (the validation's lower column)."""
    ref_m, ref_lo, _ = reference_edges(preset)
    print(f"== {preset} lower edge: log10(ours/published) at the reference masses")
    rows: list[tuple[float, float]] = []
    for m, lo in zip(ref_m, ref_lo):
        t = Terms(preset, float(m))
        # the long-lifetime regime: events = U⁴·Σ(−c·u) → U²_low = sqrt(N_up/Σ(−c u))
        s = float(np.sum(-t.c * t.u))
        ours = np.sqrt(N_UP / s) if s > 0 else float("inf")
        d = np.log10(ours / lo)
        print(f"  {m:.4f} GeV: published {lo:.3g}, ours {ours:.3g}, {d:+.2f}{'  <--' if abs(d) > 0.3 else ''}")
        rows.append((float(m), d))
    d = np.array(rows)
    for name, sel in (("below 0.39 GeV", d[:, 0] < 0.39), ("from 0.39 GeV", d[:, 0] >= 0.39)):
        if np.any(sel):
            a = np.abs(d[sel, 1])
            print(f"  {name}: {int(sel.sum())} masses, |Δ| median {np.median(a):.3f}, p90 {np.quantile(a, 0.9):.3f}, signed median {np.median(d[sel, 1]):+.3f}")


def main() -> None:
    for preset in MASSES:
        report(preset)
        top_line(preset)
    lower_deviations("nutev")
    lower_deviations("ps191")


if __name__ == "__main__":
    main()
