"""``beamdump spectra``: generate meson tables with Pythia 8 and inspect shipped and cached tables."""

from __future__ import annotations

import time
from typing import Optional

import typer

from ..errors import BeamdumpInputError
from .app import spectra_app
from .options import check_seed


@spectra_app.command("generate")
def spectra_generate(
    beam_energy: Optional[float] = typer.Option(None, help="proton beam energy in GeV (fixed target; default 400)"),
    ecm: Optional[float] = typer.Option(None, help="instead: pp collider at this sqrt(s) in GeV (LHC forward table, +z hemisphere)"),
    tune: str = typer.Option("forward", help="with --ecm: Pythia tune (forward, default)"),
    target: str = typer.Option("isoscalar", help="fixed target: isoscalar (pp/pn mix), pp, pn, or a nucleus (Cu, Fe, Mo: whole p+A collisions with Pythia Angantyr)"),
    cascade: Optional[float] = typer.Option(None, help="with a nucleus: the later collisions of the hadronic cascade in the dump instead, hadrons followed down to this kinetic energy (GeV)"),
    events: int = typer.Option(100_000, help="number of inelastic collisions to generate"),
    workers: int = typer.Option(2, help="local Dask worker processes (0: run in this process)"),
    scheduler: Optional[str] = typer.Option(None, help="address of an existing Dask scheduler (tcp://host:port)"),
    chunk_size: int = typer.Option(25_000, help="events per chunk (each chunk has its own fixed seed)"),
    seed: int = typer.Option(1, help="base seed"),
    regenerate: bool = typer.Option(False, help="ignore a cached table and generate again"),
) -> None:
    """Generate π⁰, η, η′, ω, ρ⁰, φ spectra with Pythia 8 and cache them."""
    from ..sources.meson_generator import cached_spectra
    from ..sources.spectrum_settings import TARGETS, SpectrumSettings
    from ..sources.nuclear_targets import known_nuclei

    if ecm is not None and beam_energy is not None:
        raise BeamdumpInputError("--beam-energy and --ecm: give one (fixed target or collider), not both")
    beam_energy = 400.0 if beam_energy is None else beam_energy
    if not 1.0 < beam_energy <= 1e5:
        raise BeamdumpInputError(f"--beam-energy: {beam_energy:g} GeV; allowed 1 < E ≤ 1e5 GeV")
    if events < 1:
        raise BeamdumpInputError(f"--events: {events}; allowed ≥ 1")
    check_seed(seed)
    if workers < 0:
        raise BeamdumpInputError(f"--workers: {workers}; allowed ≥ 0")
    if ecm is not None and target != "isoscalar":
        raise BeamdumpInputError("--target: a collider table is pp; --target is for fixed-target tables")
    if ecm is not None:
        from ..sources.shipped_spectra import collider_settings

        if not 10.0 < ecm <= 1e5:
            raise BeamdumpInputError(f"--ecm: {ecm:g} GeV; allowed 10 < sqrt(s) <= 1e5 GeV")
        settings = collider_settings(ecm, tune, n_events=events, seed=seed, chunk_size=min(chunk_size, events))
        beam_energy = ecm
    elif target not in (*TARGETS, *known_nuclei()):
        raise BeamdumpInputError(f"--target: {target!r}; allowed: {', '.join((*TARGETS, *known_nuclei()))}")
    elif target in TARGETS:
        if cascade is not None:
            raise BeamdumpInputError(f"--cascade: the hadronic cascade needs a nucleus target; allowed --target: {', '.join(known_nuclei())}")
        settings = SpectrumSettings(beam_energy_gev=beam_energy, n_events=events, seed=seed,
                                    chunk_size=min(chunk_size, events), target=target)
    else:
        from ..sources.shipped_spectra import nuclear_settings

        settings = nuclear_settings(beam_energy, target, n_events=events, seed=seed, chunk_size=min(chunk_size, events),
                                    cascade_min_ekin=cascade)
    t0 = time.perf_counter()
    spec = cached_spectra(settings, workers=workers, scheduler=scheduler, regenerate=regenerate)
    dt = time.perf_counter() - t0
    per = "inelastic collision, +z hemisphere, theta < 0.1 rad" if ecm is not None else "proton"
    typer.echo(f"{spec.n_events} events at {beam_energy:g} GeV in {dt:.1f} s; mesons per {per}:")
    for pdg in spec.pdg_ids:
        typer.echo(f"  {pdg:>4}: {spec.multiplicity(pdg):.4f}")
