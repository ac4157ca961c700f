"""Photons from the decays of the mesons a beam makes: the photon source of Primakoff production
in proton dumps and at the LHC.

The shipped meson tables keep π⁰, η, η′, ω, ρ⁰ and φ stable; their photons are made here by
decaying them (and their daughters) through the modes of ``data/production/meson_photons.toml``
(PDG branching fractions). Every mode is taken for every parent (no sampling of the branch), with
the weight ``w · BR``, so the photon spectrum is deterministic for a fixed seed. Units: GeV;
weights are photons per beam particle.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from ..datafiles import load_toml, package_data
from ..errors import BeamdumpInputError
from ..kinematics import FloatArray, three_body_decay, two_body_decay
from ..pdg import mass_gev
from .meson_table import MesonSpectra

PHOTON = 22


@dataclass(frozen=True)
class PhotonMode:
    """A decay mode parent → daughters with its branching fraction and source."""

    parent: int
    daughters: tuple[int, ...]
    branching: float
    source: str


@lru_cache(maxsize=1)
def photon_modes() -> dict[int, tuple[PhotonMode, ...]]:
    """The decay modes of the data file by parent PDG id."""
    out: dict[int, list[PhotonMode]] = {}
    for i, d in enumerate(load_toml(package_data("production", "meson_photons.toml"))["modes"]):
        mode = PhotonMode(int(d["parent"]), tuple(int(x) for x in d["daughters"]), float(d["branching"]), str(d["source"]))
        if len(mode.daughters) not in (2, 3) or not 0.0 < mode.branching <= 1.0:
            raise BeamdumpInputError(f"meson_photons.toml modes[{i}]: 2 or 3 daughters and 0 < branching <= 1 allowed")
        out.setdefault(mode.parent, []).append(mode)
    for parent, modes in out.items():
        if sum(m.branching for m in modes) > 1.0 + 1e-9:
            raise BeamdumpInputError(f"meson_photons.toml: the branching fractions of {parent} add up to more than 1")
    return {k: tuple(v) for k, v in out.items()}


def decay_to_photons(
    parent: int, p4: FloatArray, weights: FloatArray, rng: np.random.Generator, depth: int = 0
) -> tuple[FloatArray, FloatArray]:
    """(weights (n,), four-momenta (n, 4)) of every photon that parents ``parent`` with lab
    four-momenta ``p4`` (n, 4) and ``weights`` give through the modes of :func:`photon_modes`,
    following daughters that decay further."""
    modes = photon_modes().get(parent, ())
    out_w: list[FloatArray] = []
    out_p: list[FloatArray] = []
    if depth > 4:
        raise BeamdumpInputError(f"meson_photons.toml: the decay chain of {parent} does not end")
    M = mass_gev(parent)
    for mode in modes:
        masses = [mass_gev(d) for d in mode.daughters]
        if len(masses) == 2:
            daughters: tuple[FloatArray, ...] = two_body_decay(p4, masses[0], masses[1], rng, parent_mass=M)
            w = weights * mode.branching
        else:
            daughters, ps = three_body_decay(p4, M, masses[0], masses[1], masses[2], rng)
            w = weights * mode.branching * ps
        for pdg, p in zip(mode.daughters, daughters):
            if pdg == PHOTON:
                out_w.append(w)
                out_p.append(p)
            elif pdg in photon_modes():
                w2, p2 = decay_to_photons(pdg, p, w, rng, depth + 1)
                out_w.append(w2)
                out_p.append(p2)
    if not out_w:
        return np.zeros(0), np.zeros((0, 4))
    return np.concatenate(out_w), np.concatenate(out_p)


def meson_photons(spectra: MesonSpectra, parents_per_bin: int = 4, seed: int = 11) -> tuple[FloatArray, FloatArray, dict[int, float]]:
    """Photons per beam particle from every meson of ``spectra`` that has photon modes:
    (weights (n,), lab four-momenta (n, 4), photons per beam particle by parent PDG id)."""
    rng = np.random.default_rng(seed)
    ws, ps, per_parent = [], [], {}
    for parent in photon_modes():
        if parent not in spectra.pdg_ids:
            continue
        w, p4, _ = spectra.sample_with_angles(parent, n_per_bin=parents_per_bin, rng=seed + parent)
        if not len(w):
            continue
        gw, gp = decay_to_photons(parent, p4, w, rng)
        ws.append(gw)
        ps.append(gp)
        per_parent[parent] = float(gw.sum())
    if not ws:
        return np.zeros(0), np.zeros((0, 4)), per_parent
    return np.concatenate(ws), np.concatenate(ps), per_parent
