"""The BR(B → K(*) S) × BR(S → xx) a Belle II preset excludes at a few masses and lifetimes.

    python scripts/belle2_br_limits.py [--preset belle2-bks-2023] [--final-state mumu]

From the preset: N_BB̄ (beam.n_particles), its N_up (statistics), its detector efficiency and,
computed by beamdump for each (m, cτ), the fraction of the S of B⁺ → K⁺S (and of
B⁰ → K*⁰(→ K⁺π⁻)S) that decay in the displaced-vertex window. Prints one row per (m, cτ):
acceptance and excluded BR × BR for each of the two modes (beamdump.studies.branching_limits).
"""

from __future__ import annotations

import argparse

from beamdump.engine.analysis import collider_parent_tables
from beamdump.experiments.experiment import Experiment, load_experiment
from beamdump.studies.branching_limits import excluded_branching

MASSES = (0.5, 1.0, 2.0, 4.0)  # GeV
CTAUS = (0.001, 0.01, 0.1, 1.0)  # m: 0.1, 1, 10, 100 cm
# The paper's B⁰ product is BR(B⁰ → K*⁰ S)·BR(K*⁰ → K⁺π⁻)·BR(S → xx) with only K⁺π⁻ reconstructed:
# its limit is N_up/(N_B⁰·A·ε), the same number as the limit on BR(B⁰ → K*⁰ S)·BR(S → xx) with
# every K*⁰ decay seen (the 2/3 enters both the quantity and the counted events).


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--preset", default="belle2-bks-2023")
    ap.add_argument("--final-state", default="mumu")
    args = ap.parse_args()
    exp = load_experiment(args.preset)
    if not isinstance(exp, Experiment) or exp.particle != "electron-positron":
        raise SystemExit(f"{args.preset}: not an e+e- (Upsilon(4S)) preset")
    tables = collider_parent_tables(exp.config)
    points = [(m, c) for m in MASSES for c in CTAUS]
    kplus = excluded_branching(exp, tables, "b_to_k", 521, args.final_state, points)
    kstar = excluded_branching(exp, tables, "b_to_kstar", 511, args.final_state, points)
    print(f"{args.preset}: N_BB = {exp.n_beam:.4g}, N_up = {kplus[0].events_upper_limit:.3g}, "
          f"efficiency({args.final_state}) = {exp.efficiency(args.final_state):.3g}")
    print("m [GeV]  ctau [cm]   A(K+ S)   BRxBR(B+ -> K+ S)   A(K*0 S)   BRxBR(B0 -> K*0(K+pi-) S)")
    for a, b in zip(kplus, kstar):
        print(f"{a.mass:7.2f}  {100 * a.ctau:9.2g}  {a.acceptance:8.3g}  {a.limit:18.3g}  {b.acceptance:9.3g}  {b.limit:22.3g}")


if __name__ == "__main__":
    main()
