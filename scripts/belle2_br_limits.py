"""The BR(B → K(*) X) × BR(X → xx) a displaced-vertex preset excludes at a few masses and lifetimes.

    python scripts/belle2_br_limits.py [--preset belle2-bks-2023] [--final-state mumu]

From the preset: its beam count (BB̄ pairs at the Υ(4S), pp collisions at the LHC), its N_up
(statistics), its detector efficiency and, computed by beamdump for each (m, cτ), the fraction of
the X of each reconstructed mode (the preset's channels and ``parents``: B⁺ → K⁺X, B⁰ → K*⁰X)
that decay in the displaced-vertex window with both daughters accepted. Prints one row per
(m, cτ): acceptance and excluded BR × BR of each mode (beamdump.studies.branching_limits).

The B⁰ → K*⁰ product of Belle II includes BR(K*⁰ → K⁺π⁻), and only those decays are
reconstructed: its limit is N_up/(N_B⁰·A·ε), the number printed (the 2/3 enters both the
quantity and the counted events). LHCb's K*⁰ preset carries the 2/3 in its efficiency, so its
printed limit is on BR(B⁰ → K*⁰X)·BR(X → μμ) with every K*⁰ decay: multiply by 2/3 for LHCb's.
"""

from __future__ import annotations

import argparse

from beamdump.engine.analysis import collider_parent_tables
from beamdump.experiments.experiment import Experiment, load_experiment
from beamdump.sources.flavour_spectra import parent_spectra
from beamdump.studies.branching_limits import excluded_branching

MASSES = (0.5, 1.0, 2.0, 4.0)  # GeV
CTAUS = (0.001, 0.01, 0.1, 1.0)  # m: 0.1, 1, 10, 100 cm
DEFAULT_PARENT = {"b_to_k": 521, "b_to_kstar": 511}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--preset", default="belle2-bks-2023")
    ap.add_argument("--final-state", default="mumu")
    args = ap.parse_args()
    exp = load_experiment(args.preset)
    if not isinstance(exp, Experiment):
        raise SystemExit(f"{args.preset}: a combined preset; give one of its runs")
    cfg = exp.config
    modes = [(c, cfg.parents.get(c, [DEFAULT_PARENT[c]])[0]) for c in cfg.channels if c in DEFAULT_PARENT]
    tables = collider_parent_tables(cfg)
    if tables is None:
        tune = (cfg.beam.tune or "forward") if cfg.beam.collider else None
        tables = {p: parent_spectra(exp.beam_energy, p, collider_tune=tune, target=cfg.beam.target or None) for _, p in modes}
    points = [(m, c) for m in MASSES for c in CTAUS]
    rows = {mode: excluded_branching(exp, tables, mode[0], mode[1], args.final_state, points) for mode in modes}
    first = next(iter(rows.values()))
    print(f"{args.preset}: {exp.beam_label} = {exp.n_beam:.4g}, N_up = {first[0].events_upper_limit:.3g}, "
          f"efficiency({args.final_state}) = {exp.efficiency(args.final_state):.3g}")
    print("m [GeV]  ctau [cm]" + "".join(f"   A({c}, {p})  BRxBR({c}, {p})" for c, p in modes))
    for i, (m, ctau) in enumerate(points):
        cells = "".join(f"   {rows[mode][i].acceptance:14.3g}  {rows[mode][i].limit:18.3g}" for mode in modes)
        print(f"{m:7.2f}  {100 * ctau:9.2g}{cells}")


if __name__ == "__main__":
    main()
