"""Target materials for electromagnetic showers: the shipped ``data/materials.toml`` (elements,
mixtures by mass fraction, aliases), other materials files, and lookup by name.

Units: Z dimensionless and A in g/mol (effective values for compounds and mixtures), density in
g/cm³, radiation length X0 in g/cm² and in cm, critical energy E_c in MeV
(:attr:`Material.critical_energy` in GeV). A mixture is computed from its components by mass
fraction w_i: 1/X0 = Σ w_i/X0_i, 1/ρ = Σ w_i/ρ_i, E_c = X0 · Σ w_i E_c,i/X0_i (the rules in the
header of ``materials.toml``).
"""

from __future__ import annotations

import math
import os
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from types import MappingProxyType
from typing import Any

from beamdump.datafiles import load_toml, package_data
from beamdump.errors import BeamdumpInputError

__all__ = ["Material", "get_material", "load_materials"]


@dataclass(frozen=True)
class Material:
    """A target material.

    Z, A: atomic number and mass (g/mol); effective values for compounds and mixtures.
    density: g/cm³. radiation_length_g_cm2 / radiation_length_cm: X0. critical_energy_mev: E_c
    for electrons (Rossi definition), MeV. composition: (Z, A, mass fraction) per element.
    """

    name: str
    symbol: str
    Z: float
    A: float
    density: float
    radiation_length_g_cm2: float
    radiation_length_cm: float
    critical_energy_mev: float
    composition: tuple[tuple[float, float, float], ...]
    source: str

    def __post_init__(self) -> None:
        where = f"material {self.name!r}"
        for attr in ("Z", "A", "density", "radiation_length_g_cm2", "radiation_length_cm", "critical_energy_mev"):
            value = getattr(self, attr)
            if not (isinstance(value, (int, float)) and math.isfinite(value) and value > 0):
                raise BeamdumpInputError(f"{where}: {attr}={value!r} must be a finite number > 0")
        if not 1 <= self.Z <= 100:
            raise BeamdumpInputError(f"{where}: Z={self.Z} must lie in [1, 100]")
        if self.A < self.Z * 0.99:
            raise BeamdumpInputError(f"{where}: A={self.A} must be ≥ Z={self.Z}")
        if not 0.1 <= self.critical_energy_mev <= 1000:
            raise BeamdumpInputError(f"{where}: critical_energy_mev={self.critical_energy_mev} must lie in [0.1, 1000] MeV")
        x0 = self.radiation_length_cm * self.density
        if not math.isclose(x0, self.radiation_length_g_cm2, rel_tol=0.01):
            raise BeamdumpInputError(
                f"{where}: radiation_length_cm × density = {x0:.4g} g/cm² differs by > 1% from "
                f"radiation_length_g_cm2 = {self.radiation_length_g_cm2}"
            )
        if self.composition:
            total = sum(w for _, _, w in self.composition)
            if not math.isclose(total, 1.0, abs_tol=1e-3) or any(w <= 0 for _, _, w in self.composition):
                raise BeamdumpInputError(f"{where}: composition mass fractions must be > 0 and sum to 1 (got {total:.4f})")
        if not self.source.strip():
            raise BeamdumpInputError(f"{where}: source must name where the numbers come from")

    @property
    def critical_energy(self) -> float:
        """E_c in GeV."""
        return self.critical_energy_mev * 1e-3

    @property
    def elements(self) -> tuple[tuple[float, float, float], ...]:
        """(Z, A, mass fraction) of each element (the material itself for a pure element)."""
        return self.composition or ((float(self.Z), float(self.A), 1.0),)


def _element_from_toml(name: str, d: Mapping[str, Any]) -> Material:
    required = ("Z", "A", "density", "radiation_length_g_cm2", "radiation_length_cm", "critical_energy_mev", "source")
    missing = [k for k in required if k not in d]
    if missing:
        raise BeamdumpInputError(f"material {name!r}: missing field(s) {', '.join(missing)}")
    comp = tuple(
        (float(c["Z"]), float(c["A"]), float(c["mass_fraction"])) for c in d.get("composition", ())
    )
    return Material(
        name=name, symbol=str(d.get("symbol", name)), Z=float(d["Z"]), A=float(d["A"]), density=float(d["density"]),
        radiation_length_g_cm2=float(d["radiation_length_g_cm2"]), radiation_length_cm=float(d["radiation_length_cm"]),
        critical_energy_mev=float(d["critical_energy_mev"]), composition=comp, source=str(d["source"]),
    )


def _mixture(name: str, d: Mapping[str, Any], known: Mapping[str, Material]) -> Material:
    """Homogeneous mixture by mass fraction (rules in the header of materials.toml)."""
    comps = d.get("components")
    if not isinstance(comps, Mapping) or not comps:
        raise BeamdumpInputError(f"mixture {name!r}: components must be a table of material = mass fraction")
    unknown = [c for c in comps if c not in known]
    if unknown:
        raise BeamdumpInputError(f"mixture {name!r}: unknown component(s) {unknown}; known: {', '.join(sorted(known))}")
    w = {c: float(f) for c, f in comps.items()}
    if any(f <= 0 for f in w.values()) or not math.isclose(sum(w.values()), 1.0, abs_tol=1e-6):
        raise BeamdumpInputError(f"mixture {name!r}: mass fractions must be > 0 and sum to 1 (got {sum(w.values())})")
    x0 = 1.0 / sum(f / known[c].radiation_length_g_cm2 for c, f in w.items())
    rho = 1.0 / sum(f / known[c].density for c, f in w.items())
    ec = x0 * sum(f * known[c].critical_energy_mev / known[c].radiation_length_g_cm2 for c, f in w.items())
    elements: list[tuple[float, float, float]] = []
    for c, f in w.items():
        elements += [(z, a, f * wi) for z, a, wi in known[c].elements]
    z_over_a = sum(wi * z / a for z, a, wi in elements)
    z_eff = sum(wi * z / a * z for z, a, wi in elements) / z_over_a
    return Material(
        name=name, symbol=str(d.get("symbol", name)), Z=z_eff, A=z_eff / z_over_a, density=rho,
        radiation_length_g_cm2=x0, radiation_length_cm=x0 / rho, critical_energy_mev=ec,
        composition=tuple(elements), source=str(d.get("source", "")),
    )


def load_materials(path: str | os.PathLike[str] | None = None) -> Mapping[str, Material]:
    """All materials of a materials file (default: the shipped ``data/materials.toml``), by name.

    Aliases (element symbols, "aluminum", "e137") map to the same objects.
    """
    if path is None:
        return _shipped_materials()
    return _parse_materials(load_toml(path))


@lru_cache(maxsize=1)
def _shipped_materials() -> Mapping[str, Material]:
    return _parse_materials(load_toml(package_data("materials.toml")))


def _parse_materials(doc: Mapping[str, Any]) -> Mapping[str, Material]:
    out: dict[str, Material] = {}
    for name, d in doc.get("materials", {}).items():
        out[name] = _element_from_toml(name, d)
    for name, d in doc.get("mixtures", {}).items():
        out[name] = _mixture(name, d, out)
    for alias, target in doc.get("aliases", {}).items():
        if target not in out:
            raise BeamdumpInputError(f"alias {alias!r} → {target!r}: no such material")
        out[alias] = out[target]
    return MappingProxyType(out)


def known_materials() -> tuple[str, ...]:
    """Names and aliases of the shipped materials (``materials.toml``)."""
    return tuple(sorted(_shipped_materials()))


def get_material(name: str | Material) -> Material:
    """A shipped material by name or alias (case-insensitive); a :class:`Material` passes through."""
    if isinstance(name, Material):
        return name
    mats = _shipped_materials()
    lookup = {k.lower(): v for k, v in mats.items()}
    try:
        return lookup[str(name).lower()]
    except KeyError:
        raise BeamdumpInputError(
            f"material={name!r}: unknown; known materials: {', '.join(sorted(mats))}"
        ) from None

