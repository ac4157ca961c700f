"""What moves the Higgs-mixed scalar's CHARM band against Winkler's (arXiv:1809.01876)?

The scalar validation entry of ``charm``: the score on the default grid (what ``beamdump validate``
prints) and on the reference's own masses, the signed edge difference ours − reference per mass
window (the μμ threshold, the kaon region below 2m_π, the ππ threshold), then the same with one
input changed at a time — a production channel alone, the LO chiral hadronic widths, FORESEE's
cτ table instead of ours, the b → sX two-body kinematics at m_B instead of m_b, softer B mesons,
the kaon absorption length, the shield length, the energy cuts — each as the signed median
shift of log10 sin²θ against our nominal band per window (+: weaker lower limit / higher upper
edge). Every variation lives in this process only (a subclass, a wrapped table, a replaced
channel); nothing is shipped.

    python scripts/vary_scalar.py [--reference-dir ../shared/reference] [--quick]
"""

from __future__ import annotations

import argparse
import dataclasses
from collections.abc import Callable
from pathlib import Path

import numpy as np

from beamdump.engine.analysis import make_reach, run_reach
from beamdump.experiments.experiment import Experiment, load_experiment
from beamdump.experiments.variants import with_energy_threshold, with_shield_length
from beamdump.kinematics import two_body_momentum
from beamdump.limits.contours import read_band_csv
from beamdump.models.scalar import HiggsMixedScalar
from beamdump.pdg import mass_gev
from beamdump.production.flavour_decays import FlavourDecayChannel, FlavourDecayDefinition
from beamdump.report.score import band_table, score_band
from beamdump.studies.validation import entry_limit

ROOT = Path(__file__).resolve().parents[1]
WINDOWS = (("mumu threshold 0.211-0.216", 0.2105, 0.2160), ("kaon region 0.216-0.270", 0.2160, 0.2700),
           ("pipi threshold 0.270-0.283", 0.2700, 0.2830))
B_MASSES = np.geomspace(0.29, 4.0, 12)  # beyond the reference (it ends at 0.283 GeV): ours only


@dataclasses.dataclass(frozen=True)
class ForeseeLifetimeScalar(HiggsMixedScalar):
    """Diagnostic only: our scalar with FORESEE's cτ table (value/sin²θ, m from 0.041 GeV; ours
    below), our branching fractions."""

    table: tuple[tuple[float, ...], tuple[float, ...]] = ((), ())

    def ctau(self, m, coupling=1.0):
        m = np.asarray(m, dtype=float)
        ours = super().ctau(m, coupling)
        ms, ct = (np.asarray(a) for a in self.table)
        theirs = np.interp(m, ms, ct) / np.asarray(coupling, dtype=float)
        return np.where(m >= ms[0], theirs, ours)


@dataclasses.dataclass(frozen=True)
class HadronFrameInclusive(FlavourDecayDefinition):
    """Diagnostic only: b → sX with the two-body momentum of a b hadron of its own mass (m_B, not
    m_b) decaying to s X; the width is unchanged."""

    def rest_momentum(self, parent: int, mass: float) -> float:
        return float(two_body_momentum(mass_gev(abs(parent)), mass, mass_gev(self.partner_of(parent))))


@dataclasses.dataclass(frozen=True)
class ScaledTable:
    """Diagnostic only: a parent table whose momenta are ``p_factor`` × and weights ``w_factor`` ×."""

    table: object
    p_factor: float = 1.0
    w_factor: float = 1.0

    def __getattr__(self, name):  # the table's other attributes (theta_max, pdg_ids, ...)
        return getattr(self.table, name)

    def sample_with_angles(self, pdg, n_per_bin, rng):
        w, p4, theta = self.table.sample_with_angles(pdg, n_per_bin=n_per_bin, rng=rng)
        p4 = p4.copy()
        p4[:, 1:] *= self.p_factor
        p4[:, 0] = np.sqrt(mass_gev(abs(pdg)) ** 2 + np.sum(p4[:, 1:] ** 2, axis=1))
        return w * self.w_factor, p4, theta


def _replace_channels(reach, change: Callable[[FlavourDecayChannel], FlavourDecayChannel | None]):
    out = []
    for c in reach.channels:
        new = change(c) if isinstance(c, FlavourDecayChannel) else c
        if new is not None:
            out.append(new)
    reach.channels = tuple(out)
    return reach


def _b_frame(c: FlavourDecayChannel) -> FlavourDecayChannel:
    if c.definition.kind != "inclusive":
        return c
    d = c.definition
    new = HadronFrameInclusive(**{f.name: getattr(d, f.name) for f in dataclasses.fields(d)})
    return dataclasses.replace(c, definition=new)


def _b_tables(p_factor: float = 1.0, w_factor: float = 1.0):
    def change(c: FlavourDecayChannel) -> FlavourDecayChannel:
        if c.definition.kind == "inclusive":
            return dataclasses.replace(c, tables={k: ScaledTable(t, p_factor, w_factor) for k, t in c.tables.items()})
        return c
    return change


def _b_draws(per_bin: int, seed: int = 13):
    def change(c: FlavourDecayChannel) -> FlavourDecayChannel:
        if c.definition.kind == "inclusive":
            return dataclasses.replace(c, parents_per_bin=per_bin, seed=seed)
        return c
    return change


def _kaon_absorption(factor: float):
    def change(c: FlavourDecayChannel) -> FlavourDecayChannel:
        if c.definition.transition == "sd" and np.isfinite(c.interaction_length):
            return dataclasses.replace(c, interaction_length=c.interaction_length * factor)
        return c
    return change


def _off_axis(exp: Experiment, y0: float) -> Experiment:
    """``exp`` with the decay region and the detector planes ``y0`` m off the beam line."""
    from beamdump.experiments.config import ExperimentConfig

    data = exp.config.model_dump()
    for part in (data["decay_volume"], *data["detector"]["planes"]):
        if part.get("y0") is not None:
            part["y0"]["value"] = y0
    return Experiment.from_config(ExperimentConfig.model_validate(data))


def variations(exp: Experiment, foresee_ctau: Path) -> dict[str, tuple]:
    """Label → (experiment, model, engine modifier, channels or None) of each variation."""
    cfg = exp.config
    out = {
        "K+ -> pi+ S alone": (exp, None, None, ["k_to_pi"]),
        "K_L -> pi0 S alone": (exp, None, None, ["kl_to_pi0"]),
        "B -> X_s S alone": (exp, None, None, ["b_to_xs"]),
        "kaons only (K+ and K_L)": (exp, None, None, ["k_to_pi", "kl_to_pi0"]),
        "LO chiral hadronic widths": (exp, HiggsMixedScalar(hadronic="chiral"), None, None),
        "b -> sX kinematics at m_B (p(m_B, m_s, m))": (exp, None, lambda r: _replace_channels(r, _b_frame), None),
        "B momenta x 0.93 (2nd setting <p>, charm)": (exp, None, lambda r: _replace_channels(r, _b_tables(0.93)), None),
        "B momenta x 0.8": (exp, None, lambda r: _replace_channels(r, _b_tables(0.8)), None),
        "B parents: 8 draws a bin, not 2 (MC tail)": (exp, None, lambda r: _replace_channels(r, _b_draws(8)), None),
        "B parents: another seed": (exp, None, lambda r: _replace_channels(r, _b_draws(2, 29)), None),
        "sigma_bb x 2": (exp, None, lambda r: _replace_channels(r, _b_tables(1.0, 2.0)), None),
        "kaon absorption length x 1.5": (exp, None, lambda r: _replace_channels(r, _kaon_absorption(1.5)), None),
        "kaon absorption length / 1.5": (exp, None, lambda r: _replace_channels(r, _kaon_absorption(1 / 1.5)), None),
        "shield + 48 m (decay region at 528 m)": (Experiment.from_config(with_shield_length(cfg, 48.0)), None, None, None),
        "shield - 48 m (decay region at 432 m)": (Experiment.from_config(with_shield_length(cfg, -48.0)), None, None, None),
        "detector 5.0 m off axis (FACTS ~5 m; 4.8 used)": (_off_axis(exp, 5.0), None, None, None),
        "detector on the beam axis (y0 = 0)": (_off_axis(exp, 0.0), None, None, None),
        "energy cuts x 2": (Experiment.from_config(with_energy_threshold(cfg, 2.0)), None, None, None),
        "energy cuts x 0.5": (Experiment.from_config(with_energy_threshold(cfg, 0.5)), None, None, None),
    }
    if foresee_ctau.exists():
        t = np.loadtxt(foresee_ctau)
        out["FORESEE c tau (diagnostic)"] = (exp, ForeseeLifetimeScalar(table=(tuple(t[:, 0]), tuple(t[:, 1]))), None, None)
    return out


def window_shifts(ours: np.ndarray, other: np.ndarray) -> list[tuple[float, float]]:
    """Per window of WINDOWS: signed median (lower, upper) log10 other − log10 ours on the
    masses of ``ours`` (same mass grid; rows with both edges)."""
    out = []
    for _, lo, hi in WINDOWS:
        rows = []
        for m, a_lo, a_hi in ours:
            if lo <= m < hi:
                k = np.flatnonzero(np.isclose(other[:, 0], m, rtol=1e-9))
                if len(k):
                    rows.append((np.log10(other[k[0], 1] / a_lo), np.log10(other[k[0], 2] / a_hi)))
        r = np.array(rows) if rows else np.full((1, 2), np.nan)
        out.append(tuple(float(np.nanmedian(r[:, j])) if np.isfinite(r[:, j]).any() else np.nan for j in (0, 1)))
    return out


def direct_check(exp: Experiment, v, mass: float = 0.25, couplings=(1e-6, 3e-6, 1e-5, 2e-5)) -> None:
    """The engine's B → X_sS events at large sin²θ against a direct sum over the same S of
    ∫ e^(−z/ℓ)/ℓ dz through the box (its azimuth window at each z), daughters all accepted
    (so engine/direct ≤ 1 is expected): shield decays excluded, the exponential tail intact."""
    reach = make_reach(exp, v.model, final_states=list(v.final_states), channels=["b_to_xs"])
    at = run_reach(reach, masses=np.array([mass, 1.04 * mass]), limit=entry_limit(exp, v)).events_at(reach)(mass)
    s = reach.channels[0].sample(mass, np.random.default_rng(5), max_theta=reach._max_theta)
    p = np.linalg.norm(s.p4[:, 1:], axis=1)
    theta = np.arccos(s.p4[:, 3] / p)
    dv = exp.config.decay_volume
    z = np.linspace(dv.z_start.value, dv.z_end.value, 141)
    phi = np.linspace(-np.pi, np.pi, 2001)
    y0, hx, hy = dv.y0.value, dv.half_x.value, dv.half_y.value
    sel = theta < 2.0 * (y0 + hy) / dv.z_start.value
    r = z[None, :, None] * np.tan(theta[sel])[:, None, None]
    inside = (np.abs(r * np.cos(phi)) < hx) & (np.abs(r * np.sin(phi) - y0) < hy)
    window = inside.mean(axis=2)  # (S, z): the azimuth fraction inside the box
    ctau1 = float(reach.model.ctau(np.array([mass]), 1.0)[0])
    vis = sum(float(reach.model.branching_fraction(np.array([mass]), k)[0]) * exp.efficiency(k) for k in v.final_states)
    print(f"\n  B -> X_s S at {mass} GeV, engine / direct (daughters all accepted):")
    for g in couplings:
        ell = p[sel] / mass * ctau1 / g
        prob = np.trapezoid(np.exp(-z[None, :] / ell[:, None]) / ell[:, None] * window, z, axis=1)
        direct = exp.n_beam * g * vis * float(np.sum(s.weights[sel] * prob))
        engine = float(np.asarray(at(np.array([g]))).ravel()[0])
        print(f"    sin2theta {g:.0e}: {engine:.3e} / {direct:.3e} = {engine / direct:.2f}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--reference-dir", type=Path, default=ROOT.parent / "shared" / "reference")
    ap.add_argument("--quick", action="store_true", help="only the nominal comparison")
    args = ap.parse_args()
    exp = load_experiment("charm")
    v = next(v for v in exp.config.validation if v.model == "scalar")
    ref_path = args.reference_dir / "limits" / v.reference
    if not ref_path.exists():
        raise SystemExit(f"no reference at {ref_path}")
    ref = read_band_csv(ref_path)
    rt = band_table(ref)
    limit = entry_limit(exp, v)
    masses = np.unique(np.concatenate([rt[:, 0], B_MASSES]))

    def run(e: Experiment, model=None, modify=None, channels=None, grid=masses):
        reach = make_reach(e, model or v.model, final_states=list(v.final_states), channels=channels or v.channels)
        if modify is not None:
            reach = modify(reach)
        return run_reach(reach, masses=grid, limit=limit).band

    default = make_reach(exp, v.model, final_states=list(v.final_states), channels=v.channels)
    print(f"charm vs {v.reference}")
    print(f"  default grid:       {score_band(run_reach(default, limit=limit).band, ref).line()}")
    nominal = run(exp)
    print(f"  reference masses:   {score_band(nominal, ref).line()}")
    ours = band_table(nominal)
    print("\n  mass (GeV)  ours-ref lower  ours-ref upper   upper ours / ref")
    for m, lo, hi in rt:
        k = np.flatnonzero(np.isclose(ours[:, 0], m, rtol=1e-9))
        if len(k):
            o = ours[k[0]]
            print(f"  {m:.4f}      {np.log10(o[1] / lo):+.3f}          {np.log10(o[2] / hi):+.3f}"
                  f"        {o[2]:.3e} / {hi:.3e}")
    refd = np.array([(m, lo, hi) for m, lo, hi in rt if np.isfinite(hi)])
    print("\n  signed ours - reference per window (lower, upper):")
    for (label, lo, hi), (dl, du) in zip(WINDOWS, window_shifts(refd, ours)):
        print(f"    {label:32s} lower {dl:+.3f}  upper {du:+.3f}")
    print("  ours beyond the reference (B region): mass, lower, upper")
    for m, lo, hi in ours:
        if m > rt[-1, 0]:
            print(f"    {m:.3f}  {lo:.3e}  {hi:.3e}")
    if args.quick:
        return
    direct_check(exp, v)
    head = "  ".join(f"{w[0].split()[0]:>6s} lo/up" for w in WINDOWS)
    print(f"\n  variation (ours varied - ours nominal){'':12s}{head}")
    for label, (e, model, modify, chans) in variations(exp, args.reference_dir / "scalar" / "ctau_m_foresee.txt").items():
        band = band_table(run(e, model, modify, chans))
        shifts = window_shifts(ours, band)
        cells = "  ".join(f"{a:+.3f}/{b:+.3f}" for a, b in shifts)
        print(f"  {label:46s} {cells}")


if __name__ == "__main__":
    main()
