"""Fit Angantyr's nucleon-nucleon sub-collision parameters at a fixed-target beam energy.

Pythia's heavy-ion model fits three parameters of its sub-collision model to Pythia's own pp cross
sections at the nucleon-nucleon energy every time it initialises (≈ 20 s). beamdump's p+A meson
tables instead reuse one fit per beam energy, stored in ``data/spectra/nuclei.toml``; this script
makes that fit and prints the lines to paste there (Pythia prints them to two decimals).

Usage: python scripts/fit_angantyr.py 400 120 70
"""

from __future__ import annotations

import re
import subprocess
import sys

from beamdump.pdg import PROTON_MASS

_CHILD = """
import pythia8mc, sys
p = pythia8mc.Pythia("", False)
for line in ["Beams:frameType = 2", "Beams:idA = 2212", "Beams:idB = 1000290630",
             f"Beams:eA = {float(sys.argv[1])!r}", "Beams:eB = 0.", "SoftQCD:inelastic = on",
             "HeavyIon:SigFitPrint = on", "Random:setSeed = on", "Random:seed = 1"]:
    assert p.readString(line), line
assert p.init()
"""


def fit(beam_energy_gev: float) -> tuple[list[str], str]:
    """(the Angantyr readString lines Pythia recommends, the fit's χ²/ndf) for protons of
    ``beam_energy_gev`` on a nucleus at rest (the fit depends on √s_NN only, not on the nucleus)."""
    out = subprocess.run([sys.executable, "-c", _CHILD, str(beam_energy_gev)], capture_output=True, text=True, check=True).stdout
    lines = [f"HeavyIon:{k} = {v.strip()}" for k, v in re.findall(r"HeavyIon:(SigFit\w+)\s*=\s*([^|\n]+)", out)]
    chi2 = re.search(r"Chi2/Ndf:\s*([\d.]+)", out)
    if not lines or chi2 is None:
        raise RuntimeError(f"no fit result in Pythia's output at {beam_energy_gev} GeV")
    return lines, chi2.group(1)


def main() -> None:
    for e in (float(a) for a in sys.argv[1:] or ["400"]):
        lines, chi2 = fit(e)
        print(f'# {e:g} GeV (sqrt(s_NN) = {(2 * PROTON_MASS * e + 2 * PROTON_MASS**2) ** 0.5:.2f} GeV), chi2/ndf {chi2}')
        print(f'[angantyr.{e:.0f}]')
        print("options = [" + ", ".join(f'"{line}"' for line in lines) + "]")


if __name__ == "__main__":
    main()
