#!/usr/bin/env python
"""Generate the meson-spectrum tables shipped in ``src/beamdump/data/spectra``.

Example (the shipped tables)::

    python scripts/make_spectra_tables.py --energies 400 120 70 --events 4000000 2000000 2000000 --workers 2

The LHC forward tables (pp, +z hemisphere, θ < 0.1 rad)::

    python scripts/make_spectra_tables.py --collider 13600 13600 14000 --tunes forward default forward \
        --events 400000 200000 200000 --chunk-size 25000 --workers 2

The p+A tables (Pythia Angantyr, whole proton-nucleus collisions)::

    python scripts/make_spectra_tables.py --energies 400 --nucleus Cu --events 2000000 --workers 2

The later collisions of the hadronic cascade in a Cu dump (PythiaCascade, hadrons followed down to
5 GeV kinetic energy; the first collision is the p+A table's)::

    python scripts/make_spectra_tables.py --energies 400 --nucleus Cu --cascade 5 --events 200000 --chunk-size 10000 --workers 2

Pion, kaon, charm and beauty parent tables (:mod:`beamdump.sources.flavour_spectra`; bins of 0.1
decade; collider tables θ < 0.316 rad)::

    python scripts/make_spectra_tables.py --flavour pions --energies 400 120 800 450 19.2 --events 300000 --chunk-size 50000
    python scripts/make_spectra_tables.py --flavour kaons --energies 400 120 --events 300000 --chunk-size 50000
    python scripts/make_spectra_tables.py --flavour kaons --energies 19.2 800 450 --events 300000 --chunk-size 50000
    python scripts/make_spectra_tables.py --flavour charm --energies 400 120 800 --events 200000 --chunk-size 50000
    python scripts/make_spectra_tables.py --flavour beauty --collider 13600 7000 --tunes forward default \
        --events 40000 --chunk-size 10000
    python scripts/make_spectra_tables.py --flavour charm --energies 450 --events 200000 --chunk-size 25000
    python scripts/make_spectra_tables.py --flavour charm --collider 14000 --tunes forward --events 40000 --chunk-size 10000

The pion and kaon tables on protons only (pp, as NA61/SHINE and NA49 measure; cached, not
shipped), printed next to the shipped isoscalar ones::

    python scripts/make_spectra_tables.py --flavour pions --energies 19.2 158 400 --events 100000 --chunk-size 50000 --pp-check

The charm and beauty tables against a second generator setting (SoftQCD:inelastic on a fixed
target, SoftQCD:nonDiffractive at a collider: pair creation, flavour excitation, gluon splitting
and MPI all included, few heavy hadrons per event), generated into the cache, not shipped::

    python scripts/make_spectra_tables.py --flavour charm --energies 400 --events 400000 --second-setting
    python scripts/make_spectra_tables.py --flavour beauty --collider 13600 --events 20000 --chunk-size 5000 --second-setting

Each file ``pythia8_p{E}gev.npz`` (``pythia8_p{E}gev_{nucleus}.npz``) (``pythia8_pp{√s}gev_{tune}.npz``) embeds its settings (hence cache key), the statistics and the
provenance (Pythia version, date, wall time) in its JSON metadata; a summary is printed.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from beamdump.sources.flavour_spectra import FLAVOURS, flavour_settings, flavour_table_name
from beamdump.sources.meson_generator import generate
from beamdump.sources.meson_table import MesonSpectra
from beamdump.sources.shipped_spectra import (
    collider_settings,
    collider_table_name,
    nuclear_settings,
    nuclear_table_name,
    nucleon_table_name,
)
from beamdump.sources.spectrum_settings import SpectrumSettings

DEFAULT_OUT = Path(__file__).resolve().parents[1] / "src" / "beamdump" / "data" / "spectra"


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--energies", type=float, nargs="+", default=[400.0, 120.0, 70.0], help="beam energies, GeV")
    ap.add_argument("--events", type=int, nargs="+", default=[1_000_000],
                    help="events per energy: one value for all, or one per energy")
    ap.add_argument("--workers", type=int, default=2, help="Dask worker processes (0: in-process)")
    ap.add_argument("--seed", type=int, default=1, help="master seed")
    ap.add_argument("--chunk-size", type=int, default=100_000, help="events per chunk")
    ap.add_argument("--out", type=Path, default=DEFAULT_OUT, help="output directory")
    ap.add_argument("--collider", type=float, nargs="+", default=None,
                    help="LHC tables instead: sqrt(s) in GeV, one per table (pp, forward hemisphere)")
    ap.add_argument("--tunes", nargs="+", default=["forward"], help="with --collider: tune per table (pythia_tunes.toml)")
    ap.add_argument("--nucleus", default=None, help="p+A tables instead (Angantyr): a nucleus of nuclei.toml, e.g. Cu")
    ap.add_argument("--cascade", type=float, default=None, metavar="EKIN",
                    help="with --nucleus: the whole hadronic cascade, hadrons followed down to EKIN GeV (PythiaCascade)")
    ap.add_argument("--flavour", choices=list(FLAVOURS), default=None,
                    help="parent tables instead: kaons (SoftQCD:inelastic), charm or beauty (HardQCD:hardccbar/hardbbbar)")
    ap.add_argument("--pp-check", action="store_true",
                    help="with --flavour pions/kaons: generate the same table on protons only (pp, cached, not shipped) and "
                         "print its multiplicities per inelastic pp collision next to the shipped isoscalar table's")
    ap.add_argument("--second-setting", action="store_true",
                    help="with --flavour charm/beauty: generate the SoftQCD comparison table (cached) and compare")
    args = ap.parse_args(argv)
    if args.second_setting and args.flavour not in ("charm", "beauty"):
        ap.error("--second-setting needs --flavour charm or beauty")
    if args.pp_check and args.flavour not in ("pions", "kaons"):
        ap.error("--pp-check needs --flavour pions or kaons")
    if args.pp_check and args.collider:
        ap.error("--pp-check is for fixed-target tables, not with --collider")
    if args.flavour and args.nucleus:
        ap.error("--flavour tables are on isoscalar nucleons or pp, not with --nucleus")
    if args.nucleus and args.collider:
        ap.error("--nucleus is for fixed-target tables, not with --collider")
    energies = args.collider if args.collider else args.energies
    if len(args.events) not in (1, len(energies)):
        ap.error("--events needs one value or one per energy")
    events = args.events * len(energies) if len(args.events) == 1 else args.events
    tunes = args.tunes * len(energies) if len(args.tunes) == 1 else args.tunes
    if args.collider and len(tunes) != len(energies):
        ap.error("--tunes needs one value or one per --collider energy")

    for k, (energy, n) in enumerate(zip(energies, events)):
        if args.flavour:
            tune = tunes[k] if args.collider else None
            settings = flavour_settings(energy, args.flavour, collider_tune=tune, n_events=n, seed=args.seed,
                                        chunk_size=args.chunk_size)
            name = flavour_table_name(energy, args.flavour, tune)
            if args.second_setting:
                _second_setting(settings, args.out / name, args.workers)
                continue
            if args.pp_check:
                _pp_check(settings, args.out / name, args.workers)
                continue
        elif args.collider:
            settings = collider_settings(energy, tunes[k], n_events=n, seed=args.seed, chunk_size=args.chunk_size)
            name = collider_table_name(energy, tunes[k])
        elif args.nucleus:
            settings = nuclear_settings(energy, args.nucleus, n_events=n, seed=args.seed, chunk_size=args.chunk_size,
                                        cascade_min_ekin=args.cascade)
            name = nuclear_table_name(energy, args.nucleus, cascade=args.cascade is not None)
        else:
            settings = SpectrumSettings(beam_energy_gev=energy, n_events=n, seed=args.seed, chunk_size=args.chunk_size)
            name = nucleon_table_name(energy)
        spectra = generate(settings, workers=args.workers)
        path = spectra.save(args.out / name)
        MesonSpectra.load(path, expected_key=settings.key())  # validate what was written
        print(f"\n{path}  ({path.stat().st_size / 1e6:.2f} MB, key {settings.key()[:16]}…)")
        print(json.dumps(spectra.metadata, indent=1))
        print(f"{'pdg':>5} {'mesons/p':>10} {'entries':>10} {'bins>0':>7} {'<log10θ>':>9} {'<log10p>':>9}")
        ct = 0.5 * (spectra.log10_theta_edges[1:] + spectra.log10_theta_edges[:-1])
        cp = 0.5 * (spectra.log10_p_edges[1:] + spectra.log10_p_edges[:-1])
        for s, pdg in enumerate(spectra.pdg_ids):
            y = spectra.yields[s]
            tot = y.sum()
            print(
                f"{pdg:>5} {tot:>10.4f} {int(spectra.counts[s].sum()):>10d} {int((y > 0).sum()):>7d}"
                f" {(y.sum(1) @ ct) / tot:>9.3f} {(y.sum(0) @ cp) / tot:>9.3f}"
            )
        if 221 in spectra.pdg_ids and 111 in spectra.pdg_ids:
            print(f"eta/pi0 = {spectra.multiplicity(221) / spectra.multiplicity(111):.4f}")


def _pp_check(settings: SpectrumSettings, shipped_path: Path, workers: int) -> None:
    """Generate a soft table of the same species on protons only (pp; the measurements are pp),
    cached, and print the multiplicities per inelastic collision of it and of the shipped isoscalar table."""
    from dataclasses import replace

    from beamdump.sources.meson_generator import cached_spectra

    pp = cached_spectra(replace(settings, target="pp"), workers=workers)
    rows = [("pp (cached)", pp)]
    if shipped_path.exists():
        rows.append(("1/2 pp + 1/2 pn (shipped)", MesonSpectra.load(shipped_path)))
    for label, t in rows:
        mult = ", ".join(f"{pdg}: {t.multiplicity(pdg):.4f}" for pdg in t.pdg_ids)
        print(f"{settings.beam_energy_gev:g} GeV, {label:<26} per inelastic collision: {mult}"
              f"  ({t.n_events} events, sigma_gen {t.metadata.get('sigma_gen_mb')} mb)")


def _summary(t: MesonSpectra, sigma_mb: float, theta_fwd: float) -> dict[str, float]:
    """Heavy hadrons of a table as a cross-section (yield per event × σ of the generated process,
    mb, over the table's θ range), their mean momentum (GeV) and the fraction at θ < theta_fwd."""
    ct = 10.0 ** (0.5 * (t.log10_theta_edges[1:] + t.log10_theta_edges[:-1]))
    cp = 10.0 ** (0.5 * (t.log10_p_edges[1:] + t.log10_p_edges[:-1]))
    y = t.yields.sum(0)
    return {"sigma_mb": float(y.sum()) * sigma_mb, "mean_p": float(y.sum(0) @ cp / y.sum()),
            "forward": float(y[ct < theta_fwd].sum() / y.sum()), "entries": int(t.counts.sum())}


def _second_setting(hard_settings: SpectrumSettings, hard_path: Path, workers: int) -> None:
    """Generate the SoftQCD table of the same species and binning as a shipped hard table (cached)
    and print both tables' heavy-hadron cross-sections, mean momenta and forward fractions."""
    from dataclasses import replace

    from beamdump.sources.meson_generator import cached_spectra

    collider = hard_settings.frame == "collider"
    soft = replace(hard_settings, processes=("SoftQCD:nonDiffractive",) if collider else ("SoftQCD:inelastic",))
    soft_t = cached_spectra(soft, workers=workers)
    hard_t = MesonSpectra.load(hard_path)
    theta_fwd = 0.01 if collider else 0.05
    rows = {}
    for label, t in (("hard (LO pair creation)", hard_t), ("SoftQCD (all mechanisms)", soft_t)):
        sigma = sum(t.metadata["sigma_gen_mb"].values()) / len(t.metadata["sigma_gen_mb"])
        rows[label] = _summary(t, sigma, theta_fwd)
        print(f"{label:<26} sigma(hadrons) = {rows[label]['sigma_mb'] * 1e3:9.4g} ub, <p> = {rows[label]['mean_p']:7.1f} GeV,"
              f" fraction theta < {theta_fwd:g} rad = {rows[label]['forward']:.3f}  ({rows[label]['entries']} entries,"
              f" {t.metadata.get('generation_wall_s')} s)")
    a, b = rows.values()
    print(f"SoftQCD / hard: sigma x{b['sigma_mb'] / a['sigma_mb']:.2f}, <p> x{b['mean_p'] / a['mean_p']:.2f},"
          f" forward fraction x{b['forward'] / a['forward']:.2f}")


if __name__ == "__main__":
    main()
