"""How much do the uncertain FASER inputs move the 2022 band?

Each variation changes one input of faser-2022 and prints the signed median shift of log10 ε on
each edge against the nominal band, the change of the largest excluded mass and, with
../shared/reference beside the project, the score against the published curve.

    python scripts/vary_collider.py
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from beamdump.engine.analysis import make_reach, run_reach
from beamdump.limits.contours import read_band_csv
from beamdump.experiments.config import ExperimentConfig
from beamdump.experiments.experiment import Experiment, load_experiment
from beamdump.experiments.variants import with_beam_count
from beamdump.report.score import edge_shifts, score_band
from beamdump.sources.shipped_spectra import collider_table_name
from beamdump.datafiles import package_data

REF = Path(__file__).resolve().parents[1] / ".." / "shared" / "reference" / "limits" / "dark_photon" / "faser_2022_27fb.csv"
MASSES = np.geomspace(0.005, 0.12, 50)


def changed(cfg: ExperimentConfig, **beam_or_detector) -> ExperimentConfig:
    data = cfg.model_dump()
    for key, value in beam_or_detector.items():
        section, field = key.split("__")
        if value is None or isinstance(value, str):
            data[section][field] = value
        else:
            data[section][field]["value"] = value
    return ExperimentConfig.model_validate(data)


def main() -> None:
    base = load_experiment("faser-2022").config
    ref = read_band_csv(REF) if REF.exists() else None
    variations = {
        "nominal": base,
        "no crossing angle": changed(base, beam__crossing_angle=None),
        "crossing angle 250 microrad": changed(base, beam__crossing_angle=250e-6),
        "energy threshold 300 GeV": changed(base, detector__min_energy_sum=300.0),
        "energy threshold 700 GeV": changed(base, detector__min_energy_sum=700.0),
        "signal efficiency 0.5": with_beam_count(base, 0.5 * base.beam.n_particles.value),
    }
    if package_data("spectra", collider_table_name(13600.0, "default")).exists():
        variations["Pythia default tune (Monash)"] = changed(base, beam__tune="default")
    nominal = None
    print(f"{'variation':<32} {'dlog lo':>8} {'dlog hi':>8} {'dm_max':>7}  score vs published")
    for name, cfg in variations.items():
        res = run_reach(make_reach(Experiment.from_config(cfg)), MASSES)
        nominal = nominal or res
        lo, hi, dm = edge_shifts(nominal.band, res.band)
        s = score_band(res.band, ref).line() if ref is not None else "(no reference)"
        print(f"{name:<32} {lo:>+8.3f} {hi:>+8.3f} {dm:>+7.1%}  {s}")


if __name__ == "__main__":
    main()
