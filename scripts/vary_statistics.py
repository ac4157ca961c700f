"""How much does the statistics of the historic electron dumps move their bands?

The historic curves (Andreas, Niebuhr, Ringwald, arXiv:1209.6083 Fig. 2: E137, E141, E774,
Orsay, KEK) are at 95% CL, and E141's and E774's rest on the event limits of their own analyses
(``events_upper_limit`` in the presets, recalled [check]). For each preset this prints, against
the preset as shipped, the signed median shift of log10 ε on each edge and the largest excluded
mass for: the old statistics (90% CL, 0 observed: N < 2.30), Poisson at 95% CL (N < 3.00), and
the plausible range of the stated event limits.

    python scripts/vary_statistics.py
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from beamdump.engine.analysis import make_reach, run_reach
from beamdump.experiments.experiment import load_experiment
from beamdump.report.score import edge_shifts

COUPLINGS = np.geomspace(1e-10, 1e-1, 181)
#: preset -> the event limits to try besides the preset's own (the plausible range of the [check] values)
RANGES = {"e141": (1000.0, 3000.0, 10000.0), "e774": (3.0, 10.0, 30.0)}


def main() -> None:
    for name in ("e137", "e141", "e774", "orsay", "kek"):
        exp = load_experiment(name)
        engine = make_reach(exp)
        nominal = run_reach(engine, couplings=COUPLINGS)
        masses = nominal.grid.masses
        lim = exp.limit
        variants = {
            "90% CL, 0 obs (old)": replace(lim, cl=0.9, events_upper_limit=None),
            "95% CL Poisson, 0 obs": replace(lim, cl=0.95, events_upper_limit=None),
        }
        variants.update({f"N_up = {n:g}": replace(lim, events_upper_limit=n) for n in RANGES.get(name, ())})
        lo, hi = nominal.band.mass_range
        print(f"{name}: as shipped N_up = {nominal.threshold:.4g} ({lim.cl:.0%} CL): excluded {lo:.4g}-{hi:.4g} GeV, "
              f"smallest eps {nominal.band.lower.min():.3g}")
        for label, settings in variants.items():
            res = run_reach(engine, masses=masses, couplings=COUPLINGS, limit=settings)
            d_lo, d_hi, d_top = edge_shifts(nominal.band, res.band)
            top = res.band.mass_range[1] if len(res.band) else float("nan")
            print(f"  {label:<24} N_up {res.threshold:8.4g}: lower {d_lo:+.3f}, upper {d_hi:+.3f} "
                  f"decades; largest mass {top:.4g} GeV ({d_top:+.1%})")


if __name__ == "__main__":
    main()
