"""How much do the unread detector numbers of the historic electron dumps move their bands?

E141, E774, Orsay and KEK (the reinterpretation of arXiv:1209.6083) carry an acceptance radius
and an energy cut that were not read from the papers ([check] in the presets). For each, the
aperture is halved and doubled and the energy cut halved and raised by half; printed are the
signed median shifts of log10 ε on each edge and the change of the largest excluded mass against
the preset as shipped.

    python scripts/vary_historic_dumps.py
"""

from __future__ import annotations

import numpy as np

from beamdump.engine.analysis import make_reach, run_reach
from beamdump.experiments.experiment import Experiment, load_experiment
from beamdump.experiments.variants import with_aperture, with_energy_threshold
from beamdump.report.score import edge_shifts

COUPLINGS = np.geomspace(1e-10, 1e-1, 181)


def main() -> None:
    for name in ("e141", "e774", "orsay", "kek"):
        exp = load_experiment(name)
        nominal = run_reach(make_reach(exp), couplings=COUPLINGS)
        masses = nominal.grid.masses
        cfg = exp.config
        variants = {
            "aperture x0.5": with_aperture(cfg, 0.5),
            "aperture x2": with_aperture(cfg, 2.0),
            "energy cut x0.5": with_energy_threshold(cfg, 0.5),
            "energy cut x1.5": with_energy_threshold(cfg, 1.5),
        }
        lo, hi = nominal.band.mass_range
        print(f"{name}: excluded {lo:.4g}-{hi:.4g} GeV, smallest eps {nominal.band.lower.min():.3g} (N_up {nominal.threshold:.4g})")
        for label, vcfg in variants.items():
            res = run_reach(make_reach(Experiment.from_config(vcfg)), masses=masses, couplings=COUPLINGS)
            d_lo, d_hi, d_top = edge_shifts(nominal.band, res.band)
            print(f"  {label:<16} lower {d_lo:+.3f}, upper {d_hi:+.3f} decades; largest mass {d_top:+.1%}")


if __name__ == "__main__":
    main()
