"""Target nuclei for p+A meson tables (Pythia 8's heavy-ion model Angantyr), from ``data/spectra/nuclei.toml``.

A proton on a nucleus is one p+A collision: Angantyr builds it from the nucleon-nucleon
sub-collisions of a Glauber geometry, so the table holds mesons per p+A inelastic collision =
per proton on a thick dump, with the nuclear effects the isoscalar nucleon tables lack (more soft
mesons from the extra wounded nucleons, fewer of the hardest forward ones).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache

from ..datafiles import load_toml, package_data
from ..errors import BeamdumpInputError

__all__ = ["Nucleus", "angantyr_options", "get_nucleus", "known_nuclei"]


@dataclass(frozen=True)
class Nucleus:
    """A target nucleus: PDG code 10LZZZAAAI, charge Z, mass number A, mass in GeV."""

    symbol: str
    pdg: int
    z: int
    a: int
    mass_gev: float
    pythia_builtin: bool
    source: str


@lru_cache(maxsize=1)
def _data() -> dict:
    return load_toml(package_data("spectra", "nuclei.toml"))


def known_nuclei() -> tuple[str, ...]:
    """The target names that have a nucleus (the proton presets' ``beam.target`` names)."""
    return tuple(_data()["nuclei"])


def get_nucleus(symbol: str) -> Nucleus:
    """The nucleus called ``symbol`` (e.g. "Cu"); unknown names list the known ones."""
    nuclei = _data()["nuclei"]
    if symbol not in nuclei:
        raise BeamdumpInputError(f"target={symbol!r}: no nucleus of that name; known nuclei: {', '.join(nuclei)}")
    d = nuclei[symbol]
    return Nucleus(symbol, int(d["pdg"]), int(d["z"]), int(d["a"]), float(d["mass_gev"]),
                   bool(d.get("pythia_builtin", True)), str(d["source"]))


def angantyr_options(beam_energy_gev: float, symbol: str) -> tuple[str, ...]:
    """Pythia ``readString`` lines for protons of ``beam_energy_gev`` (GeV) on nucleus ``symbol``:
    its declaration when Pythia lacks it, and the stored sub-collision fit at that energy (none
    stored: Pythia fits at every initialisation, ≈ 20 s, same model)."""
    n = get_nucleus(symbol)
    lines: list[str] = []
    if not n.pythia_builtin:
        name = f"{n.a}{n.symbol}"
        lines.append(f"{n.pdg}:new = {name} void 1 {3 * n.z} 0 {n.mass_gev!r}")
    fits = _data().get("angantyr", {})
    match = [k for k in fits if math.isclose(float(k), float(beam_energy_gev), rel_tol=1e-9)]
    if match:
        lines.extend(str(o) for o in fits[match[0]]["options"])
    return tuple(lines)
