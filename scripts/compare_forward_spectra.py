"""Compare the shipped LHC forward meson tables (Pythia 8) with EPOS-LHC and SIBYLL inside
FASER's acceptance: the total rate and the energy spectrum of π⁰ and η.

    python scripts/compare_forward_spectra.py [--theta-max 2e-4] [--p-min 100]

Prints, per species and tune, σ in the acceptance (pb) of each generator and the ratios
Pythia/EPOS-LHC and Pythia/SIBYLL, then the ratios per quarter decade of momentum. Pythia's
yields per inelastic collision are turned into pb with Pythia's own σ_inel (in the table).
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np

from beamdump.sources.shipped_spectra import collider_spectra
from beamdump.sources.reference_spectra import read_reference_spectrum, table_spectrum

REF = Path(__file__).resolve().parents[1] / ".." / "shared" / "reference" / "spectra"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--theta-max", type=float, default=2e-4, help="rad (FASER: 0.1 m / 480 m = 2.08e-4; bins below 10^-3.7)")
    ap.add_argument("--p-min", type=float, default=100.0, help="GeV")
    ap.add_argument("--ecm", type=float, default=13600.0)
    args = ap.parse_args()
    edges = np.arange(2.0, 3.85, 0.25)
    references = {
        pdg: {g: read_reference_spectrum(REF / f"{g}_13.6tev" / f"{pdg}.txt").in_acceptance(args.theta_max, args.p_min)
              for g in ("eposlhc", "sibyll")}
        for pdg in (111, 221)
    }
    for tune in ("forward", "default"):
        try:
            table = collider_spectra(args.ecm, tune)
        except Exception as exc:  # noqa: BLE001 - a missing table is reported, not fatal
            print(f"{tune}: {exc}")
            continue
        sigma = float(np.mean(list(table.metadata["sigma_gen_mb"].values())))
        print(f"\nPythia 8 {tune} tune ({table.n_events} collisions, sigma_inel {sigma:.1f} mb), theta < {args.theta_max:g} rad, p > {args.p_min:g} GeV")
        for pdg, name in ((111, "pi0"), (221, "eta")):
            ours = table_spectrum(table, pdg, sigma).in_acceptance(args.theta_max, args.p_min)
            refs = references[pdg]
            line = ", ".join(f"{g} {r.total_pb:.3g} pb (ratio {ours.total_pb / r.total_pb:.2f})" for g, r in refs.items())
            print(f"  {name}: Pythia {ours.total_pb:.3g} pb; {line}")
            o = ours.energy_spectrum(edges)
            for g, r in refs.items():
                rr = r.energy_spectrum(edges)
                ratios = " ".join(f"{a / b:5.2f}" if b > 0 else "   - " for a, b in zip(o, rr))
                print(f"    Pythia/{g:<7} per log10 p bin {' '.join(f'{e:.2f}' for e in edges[:-1])}+: {ratios}")


if __name__ == "__main__":
    main()
