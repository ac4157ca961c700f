"""The hadronic cascade in a thick dump: mesons from every generation of hadron-nucleus
collisions, with Pythia 8's ``PythiaCascade`` (variable-energy hadron-nucleus collisions).

The shipped cascade tables hold only the second and later collisions: the first collision is
taken from the Angantyr p+A table. PythiaCascade's own hadron-nucleus model lacks the nuclear
suppression of leading mesons that Angantyr and p+A data show (its first p+Cu collision at 400
GeV has 1.3 times the π⁰, η of a nucleon collision above 120 GeV, Angantyr 0.67–0.72, data on
p+A ≈ 0.6); the later collisions inherit that excess, which makes them an upper estimate of the
cascade's hard forward mesons.

Model (one beam proton):

* The proton collides with a nucleus of the dump (``nextColl``). Every hadron that comes out is
  followed:
  - π⁰, η, η′, ω, ρ⁰, φ (the tabulated species) are recorded with their lab momentum and polar
    angle and not decayed (the convention of the nucleon tables: no feed-down among them);
  - π±, K±, K_L, p, n and their antiparticles with kinetic energy above ``min_ekin`` collide
    again with a nucleus of the same kind: a thick dump (≳ 10 interaction lengths) stops them
    all before they decay (a 10 GeV π± travels 560 m before decaying, 0.2 m before interacting);
  - every other unstable hadron (Δ, K*, ρ±, K_S, Λ, Σ, …) decays (``nextDecay``) and its
    products are followed the same way, so mesons fed from their decays count;
  - everything else (photons, leptons, hadrons below ``min_ekin``) leaves the cascade.
* Neglected: the displacement of the secondary vertices (one interaction length, ~15–20 cm,
  against ≥ 80 m to the detectors), elastic and quasi-elastic rescattering, the energy lost by
  ionisation between collisions, and the escape of hadrons through the dump's sides or back face.
* K_S and hyperons decay instead of interacting; at a few GeV some would interact first.
"""

from __future__ import annotations

import math
import os
import site
import sys
from pathlib import Path
from typing import Any

from ..errors import BeamdumpInputError
from .nuclear_targets import get_nucleus

__all__ = ["CASCADING", "cascade_chunk", "mpi_init_file"]

# long-lived hadrons that interact in the dump instead of decaying (PDG ids)
CASCADING = frozenset({211, -211, 321, -321, 130, 2212, -2212, 2112, -2112})


def mpi_init_file() -> Path:
    """Pythia's precomputed multiparton-interaction setup that PythiaCascade reads
    (``share/Pythia8/setups/InitDefaultMPI.cmnd`` of the pythia8mc installation)."""
    candidates = [Path(root) / "share" / "Pythia8" for root in (sys.prefix, sys.base_prefix, site.getuserbase())]
    if os.environ.get("PYTHIA8DATA"):  # …/share/Pythia8/xmldoc
        candidates.insert(0, Path(os.environ["PYTHIA8DATA"]).parent)
    for share in candidates:
        path = share / "setups" / "InitDefaultMPI.cmnd"
        if path.is_file():
            return path
    raise BeamdumpInputError(
        "hadronic cascade: Pythia's setups/InitDefaultMPI.cmnd was not found under the Python prefix "
        f"({sys.prefix}/share/Pythia8); reinstall pythia8mc"
    )


def _rows(event: Any) -> list[tuple]:
    """(id, final?, mother id, px, py, pz, e, m, hadron?) of every entry, copied out of Pythia's
    event record (the next collision or decay reuses it)."""
    out = []
    for q in event.particles():
        mother = q.mother1()
        out.append((q.id(), q.isFinal(), event[mother].id() if mother > 0 else 0,
                    q.px(), q.py(), q.pz(), q.e(), q.m(), q.isHadron()))
    return out


def cascade_chunk(
    beam_energy_gev: float, nucleus: str, pdg_ids: tuple[int, ...], min_ekin: float, n_events: int, seed: int,
    secondary_only: bool = False,
) -> dict[str, Any]:
    """Follow ``n_events`` beam protons of ``beam_energy_gev`` (GeV, total energy) through the
    cascade in a dump of ``nucleus``. Returns {"species": list of indices into ``pdg_ids``,
    "theta": lab polar angles (rad), "p": momenta (GeV), "n_collisions": hadron-nucleus
    collisions in all, "n_failed": beam protons that did not collide, "sigma_mb": σ_inel(p A)}.
    ``secondary_only``: record only the mesons of the second and later collisions (and of the
    decays of their products), the part a first-collision table lacks."""
    import pythia8mc

    nuc = get_nucleus(nucleus)
    pc = pythia8mc.PythiaCascade()
    if not pc.init(float(min_ekin), 0.5, str(mpi_init_file())):
        raise RuntimeError("PythiaCascade initialisation failed")
    pc.rndm().init(int(seed))
    data = pc.particleData()
    species = {pdg: i for i, pdg in enumerate(pdg_ids)}
    sp: list[int] = []
    th: list[float] = []
    pa: list[float] = []
    n_coll = n_failed = 0
    m_p = data.m0(2212)
    p_beam = math.sqrt(max(beam_energy_gev**2 - m_p**2, 0.0))
    sigma = 0.0

    def follow(rows: list[tuple], stack: list[tuple], record: bool) -> None:
        for pid, final, mother, px, py, pz, e, m, hadron in rows:
            if pid in species:
                if record and mother not in species:  # a species from another species' decay is feed-down
                    p = math.sqrt(px * px + py * py + pz * pz)
                    sp.append(species[pid])
                    th.append(math.atan2(math.hypot(px, py), pz))
                    pa.append(p)
            elif final and hadron:
                if pid in CASCADING:
                    if e - m > min_ekin:
                        stack.append((pid, px, py, pz, e, m))
                elif data.canDecay(pid) and data.mayDecay(pid):
                    follow(_rows(pc.nextDecay(pid, pythia8mc.Vec4(px, py, pz, e), m)), stack, record)

    for _ in range(n_events):
        stack: list[tuple] = [(2212, 0.0, 0.0, p_beam, float(beam_energy_gev), m_p)]
        first = True
        while stack:
            pid, px, py, pz, e, m = stack.pop()
            if not pc.sigmaSetuphN(pid, pythia8mc.Vec4(px, py, pz, e), m):
                n_failed += first
                first = False
                continue
            if first:
                sigma += pc.sigmahA(nuc.a)
            rows = _rows(pc.nextColl(nuc.z, nuc.a))
            n_coll += 1
            follow(rows, stack, record=not (first and secondary_only))
            first = False
    return {"species": sp, "theta": th, "p": pa, "n_collisions": n_coll, "n_failed": n_failed,
            "sigma_mb": sigma / max(n_events - n_failed, 1)}
