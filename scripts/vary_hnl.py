"""Vary one input of an HNL validation entry at a time and print its score against the reference.

Diagnostics only (docs/hnl_presets.md, "Validation: measured causes of the misses"): nothing here
changes a preset. Each variant reruns the entry as ``beamdump validate`` does (make_reach,
run_reach with the entry's N_up, score_band against read_band_csv) and prints the |Δlog10 U²|
medians per edge and the signed median shift (ours − reference; + = ours weaker on the lower
edge) in mass ranges.

Usage::

    .venv/bin/python scripts/vary_hnl.py bebc hnl_tau/bebc_barouki_tau.csv [variant ...]
    .venv/bin/python scripts/vary_hnl.py charm hnl_e/charm_1986_e.csv base eff/2 no_cascade

Variants (``name`` or ``name=arg``): base, pot*K, eff*K, cascade_off, cascade_on, scale:PDG*K
(the parent table of PDG, e.g. 431 for D_s; charm = 411,421,431: the σ_cc̄ normalisation),
majorana, dirac, channels:a,b (subset of hnl_charm, hnl_tau, hnl_beauty), fs:a,b (final states),
nup=K.
"""

from __future__ import annotations

import argparse
import dataclasses
import sys
from pathlib import Path

import numpy as np

import beamdump.sources.flavour_spectra as flavour_spectra
from beamdump.engine.analysis import make_reach, run_reach
from beamdump.errors import BeamdumpInputError
from beamdump.experiments.config import ExperimentConfig
from beamdump.experiments.experiment import Experiment, load_experiment
from beamdump.limits.contours import ExclusionBand, read_band_csv
from beamdump.report.score import score_band
from beamdump.studies.validation import entry_limit

CHARM = (411, 421, 431)
REFERENCE_DIR = Path(__file__).resolve().parents[2] / "shared" / "reference" / "limits"


def scaled_tables(factors: dict[int, float]):
    """A replacement for flavour_spectra.parent_spectra whose table of each PDG id in ``factors``
    has its yields multiplied by that factor (e.g. a D_s fraction or σ_cc̄ varied)."""
    original = flavour_spectra.parent_spectra

    def parent_spectra(energy, pdg, *args, **kwargs):
        table = original(energy, pdg, *args, **kwargs)
        k = factors.get(abs(int(pdg)))
        return table if k is None else dataclasses.replace(table, yields=table.yields * k)

    return original, parent_spectra


def edge_shifts(ours: ExclusionBand, ref: ExclusionBand, edges: list[float], upper: bool = False) -> list[str]:
    """Signed median log10(ours/ref) of one edge in each mass range between ``edges`` (GeV),
    ours interpolated in log-log at the reference masses inside our mass range."""
    pick = (lambda b: b.upper) if upper else (lambda b: b.lower)
    om, oy = np.asarray(ours.masses, float), np.asarray(pick(ours), float)
    ok = np.isfinite(oy) & (oy > 0)
    if upper:
        ok &= oy < 0.99  # the open top of our grid is no edge
    om, oy = om[ok], oy[ok]
    rm, ry = np.asarray(ref.masses, float), np.asarray(pick(ref), float)
    out = []
    for lo, hi in zip(edges[:-1], edges[1:]):
        sel = (rm >= lo) & (rm < hi) & np.isfinite(ry) & (ry > 0)
        if len(om) < 2:
            out.append("   —  ")
            continue
        sel &= (rm >= om.min()) & (rm <= om.max())
        if not sel.any():
            out.append("   —  ")
            continue
        ours_at = np.interp(np.log(rm[sel]), np.log(om), np.log10(oy))
        out.append(f"{np.median(ours_at - np.log10(ry[sel])):+.2f}")
    return out


def variant_config(cfg: ExperimentConfig, what: str) -> ExperimentConfig:
    """The preset data with one number changed (pot*K, eff*K, cascade_off/on)."""
    data = cfg.model_dump()
    if what.startswith("pot*"):
        data["beam"]["n_particles"]["value"] *= float(what[4:])
    elif what.startswith("eff*"):
        k = float(what[4:])
        det = data["detector"]
        det["efficiency"]["value"] *= k
        for own in det.get("final_state", {}).values():
            if own.get("efficiency"):
                own["efficiency"]["value"] *= k
    elif what in ("cascade_off", "cascade_on"):
        data["beam"]["heavy_flavour_cascade"] = what == "cascade_on"
    return ExperimentConfig.model_validate(data)


def run_variant(preset: str, reference: str, variant: str, edges: list[float], per_mass: bool = False) -> str:
    """One row: the variant's medians (lower, upper) and signed lower/upper shifts per mass range;
    a ``+`` joins variants applied together (e.g. ``majorana+scale:431*3``). ``per_mass``: also
    our edges at the reference masses."""
    exp = load_experiment(preset)
    entry = next(v for v in exp.config.validation if v.reference == reference)
    model, channels, fstates = entry.model, list(entry.channels), list(entry.final_states)
    limit = entry_limit(exp, entry)
    factors: dict[int, float] = {}
    for one in variant.split("+"):
        exp, model, channels, fstates, limit = _apply(one, exp, model, channels, fstates, limit, factors)
    original, patched = scaled_tables(factors)
    flavour_spectra.parent_spectra = patched
    try:
        engine = make_reach(exp, model, final_states=fstates, channels=channels)
        res = run_reach(engine, limit=limit)
    finally:
        flavour_spectra.parent_spectra = original
    ref = read_band_csv(REFERENCE_DIR / reference)
    s = score_band(res.band, ref)
    f = lambda v: "n/a" if v is None else f"{v:.3f}"
    lo = edge_shifts(res.band, ref, edges)
    hi = edge_shifts(res.band, ref, edges, upper=True)
    row = f"| {variant} | {f(s.lower_median)} | {f(s.upper_median)} | {s.coverage:.2f} | {' '.join(lo)} | {' '.join(hi)} |"
    if per_mass:
        for m, a, b in zip(res.band.masses, res.band.lower, res.band.upper):
            row += f"\n    m={m:.3f}  ours lower {a:.3g} upper {b:.3g}"
        for m, a, b in zip(ref.masses, ref.lower, ref.upper):
            row += f"\n    m={m:.3f}  ref  lower {a:.3g} upper {b:.3g}"
    return row


def _apply(variant: str, exp, model: str, channels: list[str], fstates: list[str], limit, factors: dict[int, float]):
    """One variant applied to (experiment, model, channels, final states, limit); table factors
    are added to ``factors``."""
    name, _, arg = variant.partition(":")
    if variant.startswith(("pot*", "eff*", "cascade_")):
        exp = Experiment.from_config(variant_config(exp.config, variant))
    elif name == "scale":
        pdgs, k = arg.split("*")
        ids = CHARM if pdgs == "charm" else tuple(int(p) for p in pdgs.split(","))
        factors.update({p: factors.get(p, 1.0) * float(k) for p in ids})
    elif variant == "majorana":
        model = model.removesuffix("-dirac")
    elif variant == "dirac":
        model = model if model.endswith("-dirac") else model + "-dirac"
    elif name == "channels":
        channels = arg.split(",")
    elif name == "fs":
        fstates = arg.split(",")
    elif variant.startswith("nup="):
        limit = dataclasses.replace(limit, events_upper_limit=float(variant[4:]))
    elif variant != "base":
        raise BeamdumpInputError(f"variant: {variant!r} not known; allowed base, pot*K, eff*K, cascade_off, cascade_on, scale:PDG*K, majorana, dirac, channels:a,b, fs:a,b, nup=K")
    return exp, model, channels, fstates, limit


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("preset")
    p.add_argument("reference", help="the entry's reference, e.g. hnl_tau/bebc_barouki_tau.csv")
    p.add_argument("variants", nargs="*", default=["base"])
    p.add_argument("--per-mass", action="store_true", help="also print our and the reference edges per mass")
    p.add_argument("--edges", default="0.1,0.5,1.0,1.3,2.0", help="mass-range edges (GeV) of the signed shifts")
    a = p.parse_args(argv)
    edges = [float(x) for x in a.edges.split(",")]
    ranges = " ".join(f"{lo:g}-{hi:g}" for lo, hi in zip(edges[:-1], edges[1:]))
    print(f"| variant | lower | upper | coverage | lower shift ({ranges}) | upper shift |")
    print("|---|---|---|---|---|---|")
    for v in a.variants:
        print(run_variant(a.preset, a.reference, v, edges, a.per_mass), flush=True)


if __name__ == "__main__":
    sys.exit(main())
