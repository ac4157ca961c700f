"""Compare the HNL lifetime of beamdump.models.hnl with SensCalc's table, flavour by flavour.

Prints a Markdown table of cτ_ours / cτ_SensCalc (Majorana, |U_α|² = 1, one flavour at a time) at
fixed masses, the same ratio without the QCD correction of the inclusive quark widths (to show how
much of the difference above 1.5 GeV it makes), and the largest deviation on a dense grid per mass
window. Reads ../shared/reference/hnl_<α>/ctau_m_senscalc.txt (SensCalc, arXiv:2305.13383).

    .venv/bin/python scripts/compare_hnl_ctau.py [--reference DIR] [--masses 0.01,0.1,...]
"""

from __future__ import annotations

import argparse
from dataclasses import replace
from pathlib import Path

import numpy as np

from beamdump.models import hnl_decays
from beamdump.models.base import ctau_from_width
from beamdump.models.registry import get_model

DEFAULT_REFERENCE = Path(__file__).resolve().parents[1] / ".." / "shared" / "reference"
DEFAULT_MASSES = (0.01, 0.1, 0.3, 0.5, 0.8, 1.0, 1.2, 1.5, 2.0, 3.0, 4.0, 5.0, 6.0)
WINDOWS = ((0.001, 0.5), (0.5, 1.0), (1.0, 1.5), (1.5, 3.0), (3.0, 6.3))


def senscalc(reference: Path, flavour: str, m: np.ndarray) -> np.ndarray:
    """SensCalc's cτ (m) at masses ``m``, log–log interpolated in its table."""
    table = np.loadtxt(reference / f"hnl_{flavour}" / "ctau_m_senscalc.txt")
    return np.exp(np.interp(np.log(m), np.log(table[:, 0]), np.log(table[:, 1])))


def ctau_without_qcd(flavour: str, m: np.ndarray) -> np.ndarray:
    """Our Majorana cτ with Δ_QCD = 0 in the inclusive quark widths (everything else unchanged)."""
    k = replace(hnl_decays.hnl_constants(), delta_qcd=())
    return ctau_from_width(2.0 * sum(hnl_decays.dirac_widths(m, flavour, k).values()))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reference", type=Path, default=DEFAULT_REFERENCE)
    parser.add_argument("--masses", default=",".join(map(str, DEFAULT_MASSES)))
    args = parser.parse_args()
    masses = np.array([float(x) for x in args.masses.split(",")])
    flavours = ("e", "mu", "tau")
    ours = {f: get_model(f"hnl-{f}").ctau(masses) for f in flavours}
    theirs = {f: senscalc(args.reference, f, masses) for f in flavours}
    noqcd = {f: ctau_without_qcd(f, masses) for f in flavours}
    print("| m [GeV] | " + " | ".join(f"U_{f}: ours/SensCalc" for f in flavours) + " | "
          + " | ".join(f"U_{f}, no Δ_QCD" for f in flavours) + " |")
    print("|---" * (1 + 2 * len(flavours)) + "|")
    for i, m in enumerate(masses):
        cells = [f"{ours[f][i] / theirs[f][i]:.3f}" for f in flavours]
        cells += [f"{noqcd[f][i] / theirs[f][i]:.3f}" for f in flavours]
        print(f"| {m:g} | " + " | ".join(cells) + " |")
    print()
    print("| mass window [GeV] | " + " | ".join(f"U_{f}: min–max ours/SensCalc" for f in flavours) + " |")
    print("|---" * (1 + len(flavours)) + "|")
    for lo, hi in WINDOWS:
        grid = np.geomspace(lo, hi, 300)
        cells = []
        for f in flavours:
            r = get_model(f"hnl-{f}").ctau(grid) / senscalc(args.reference, f, grid)
            cells.append(f"{r.min():.3f}–{r.max():.3f}")
        print(f"| {lo:g}–{hi:g} | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
