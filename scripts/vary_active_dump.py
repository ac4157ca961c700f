"""How much do the uncertain NA64 numbers move the 2017+2018 band?

Each variation rebuilds both runs (na64-2017, na64-2018) with one input changed, adds their
events as the combined preset does, and prints the signed median shift of log10 ε on each edge
against the nominal band, the change of the largest excluded mass, the excluded interval at
16.7 MeV and, when ../shared/reference is beside the project, the score against the published
curve.

    python scripts/vary_active_dump.py
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from beamdump.engine.analysis import make_reach, run_reach
from beamdump.limits.contours import read_band_csv
from beamdump.experiments.experiment import CombinedExperiment, Experiment, load_experiment
from beamdump.experiments.variants import (
    with_beam_count,
    with_decay_length,
    with_dump_length,
    with_shield_length,
    with_target,
)
from beamdump.sources.materials import get_material
from beamdump.report.score import edge_shifts, score_band
from beamdump.studies.x17 import excluded_interval

REF = Path(__file__).resolve().parents[1] / ".." / "shared" / "reference" / "limits" / "dark_photon" / "na64_visible_2017_2018.csv"
MASSES = np.geomspace(1.05e-3, 0.05, 60)


def main() -> None:
    both = load_experiment("na64-2017-2018")
    ref = read_band_csv(REF) if REF.exists() else None

    def run(change):
        parts = tuple(Experiment.from_config(change(p.config)) for p in both.parts)
        reach = make_reach(CombinedExperiment.from_config(both.config, parts))
        return reach, run_reach(reach, MASSES)

    def wcal(f):
        return lambda c: with_dump_length(c, f * c.beam.target_length.value)

    x0_w = get_material("tungsten").radiation_length_cm
    x0_mix = get_material(both.parts[0].config.beam.target).radiation_length_cm
    variations = {
        "nominal": lambda c: c,
        "WCAL length x 0.75 (in X0)": wcal(0.75),
        "WCAL length x 1.25 (in X0)": wcal(1.25),
        "W2 / gap +5 cm (shield longer)": lambda c: with_shield_length(c, 0.05),
        "decay region x 0.5": lambda c: with_decay_length(c, 0.5),
        "decay region x 2": lambda c: with_decay_length(c, 2.0),
        "signal efficiency 0.5": lambda c: with_beam_count(c, 0.5 * c.beam.n_particles.value),
        "WCAL of pure W (same X0, 0.6x shorter)": lambda c: with_target(c, "tungsten", c.beam.target_length.value * x0_w / x0_mix),
    }
    nominal = None
    print(f"{'variation':<42} {'dlog lo':>8} {'dlog hi':>8} {'dm_max':>7}   {'16.7 MeV interval':<22} score vs published")
    for name, change in variations.items():
        reach, res = run(change)
        nominal = nominal or res
        lo, hi, dm = edge_shifts(nominal.band, res.band)
        iv = excluded_interval(reach, 0.0167)
        s = score_band(res.band, ref).line() if ref is not None else "(no reference)"
        print(f"{name:<42} {lo:>+8.3f} {hi:>+8.3f} {dm:>+7.1%}   {iv[0]:.3g}-{iv[1]:.3g}{'':<6} {s}")


if __name__ == "__main__":
    main()
