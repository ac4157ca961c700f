"""How much do the uncertain inputs move a preset's excluded band?

For each variation the band is recomputed and compared with the nominal one: median shift of
log10 ε on the lower and upper edge (signed: + means a weaker limit on the lower edge / a higher
upper edge), and the change of the largest excluded mass.

    python scripts/vary_inputs.py na62-dump-2021 --final-state mumu
"""

from __future__ import annotations

import argparse
import dataclasses

import numpy as np

from beamdump.engine.analysis import default_mass_range, make_reach, run_reach
from beamdump.errors import BeamdumpInputError
from beamdump.experiments.experiment import load_experiment
from beamdump.experiments.variants import experiment_with_mesons
from beamdump.report.score import edge_shifts


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("preset")
    ap.add_argument("--final-state", default=None)
    ap.add_argument("--channel", action="append", default=None)
    args = ap.parse_args()
    fs = [args.final_state] if args.final_state else None
    exp = load_experiment(args.preset)

    masses = np.geomspace(*default_mass_range(make_reach(exp, final_states=fs, channels=args.channel)), 60)

    def run(e=exp, seed=20231, parents_seed=None, segments=3):
        reach = make_reach(e, final_states=fs, channels=args.channel, seed=seed)
        reach.segments = segments
        if parents_seed is not None:
            reach.channels = tuple(  # meson channels sample their parents; bremsstrahlung has no seed
                dataclasses.replace(c, seed=parents_seed) if hasattr(c, "seed") else c for c in reach.channels
            )
        return run_reach(reach, masses)

    nominal = run()
    rel = exp.config.beam.n_particles.rel_unc
    eff_rel = exp.config.detector.efficiency.rel_unc
    scale = (rel**2 + eff_rel**2) ** 0.5
    variations = {
        f"yield x {1 + scale:.2f} (POT and efficiency, +1 sigma)": run(
            dataclasses.replace(exp, efficiencies={k: v * (1 + scale) for k, v in exp.efficiencies.items()})
        ),
        f"yield x {1 - scale:.2f} (POT and efficiency, -1 sigma)": run(
            dataclasses.replace(exp, efficiencies={k: v * (1 - scale) for k, v in exp.efficiencies.items()})
        ),
        "other decay seed (MC noise of decays)": run(seed=99),
        "other parent sample (MC noise of the spectrum sampling)": run(parents_seed=1234),
        "8 acceptance segments instead of 3": run(segments=8),
    }
    beam = exp.config.beam
    if beam.particle == "proton" and not beam.collider:  # the other meson-production models
        labels = {"nucleon": "isoscalar pp/pn", "nucleus": f"first p+{beam.target} collision (Angantyr)",
                  "cascade": f"hadronic cascade in {beam.target}"}
        for other, label in labels.items():
            if other == beam.meson_production:
                continue
            try:
                variations[f"meson tables: {label}"] = run(experiment_with_mesons(exp, other))
            except BeamdumpInputError as err:  # no shipped table for this beam and nucleus
                print(f"(skipped {label}: {err})")
    print(f"{args.preset} ({', '.join(nominal.final_states)}; {', '.join(nominal.channels)}): nominal band "
          f"{nominal.band.mass_range[0]:.4g}–{nominal.band.mass_range[1]:.4g} GeV")
    print(f"{'variation':<58} {'Δlog10 ε lower':>15} {'Δlog10 ε upper':>15} {'Δ m_max':>9}")
    for name, res in variations.items():
        lo, hi, dm = edge_shifts(nominal.band, res.band)
        print(f"{name:<58} {lo:>+15.3f} {hi:>+15.3f} {dm:>+9.1%}")


if __name__ == "__main__":
    main()
