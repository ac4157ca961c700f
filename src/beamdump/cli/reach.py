"""``beamdump reach``: events on a (mass, coupling) grid, the excluded band, its files and figure."""

from __future__ import annotations

import dataclasses
import sys
import time
import warnings
from pathlib import Path
from typing import Optional

import typer

from .app import app
from .options import check_final_states_open, check_seed, grids_and_out, model_option, parse_pair
from .progress import run_with_progress, stage


@app.command()
def reach(
    experiment: str = typer.Argument(..., help="preset name (see `beamdump list`) or a preset .toml file"),
    model: Optional[str] = typer.Option(None, help="new-particle model (see `beamdump list`; default: the preset's, mostly dark-photon)"),
    coupling: Optional[str] = typer.Option(None, "--coupling", help="the model's coupling to scan (default: its main one)"),
    fix: Optional[list[str]] = typer.Option(None, "--fix", help="KEY=VALUE: hold another coupling of a several-coupling model (repeat)"),
    mixing: Optional[str] = typer.Option(None, "--mixing", help="heavy neutral leptons: E:MU:TAU ratios U_e^2:U_mu^2:U_tau^2 (e.g. 1:1:0); the scanned coupling is then U2, their sum"),
    dirac: bool = typer.Option(False, "--dirac", help="heavy neutral leptons: a Dirac HNL (half the Majorana width; the same production)"),
    out: Path = typer.Option(Path("out"), help="output directory"),
    final_state: Optional[str] = typer.Option(None, help="final state(s), '+'-separated (default: the preset's)"),
    masses: Optional[str] = typer.Option(None, help="MIN:MAX:N log-spaced masses in GeV (default: the channels' range, 100)"),
    couplings: Optional[str] = typer.Option(None, help="MIN:MAX:N log-spaced couplings (default: the model's range, 20 per decade)"),
    channel: Optional[list[str]] = typer.Option(None, help="production channel (repeat; default: the preset's)"),
    compare: Optional[Path] = typer.Option(None, help="a reference band CSV (mass_gev,<coupling>_lower,<coupling>_upper; nan where it gives one edge) to draw and score"),
    seed: int = typer.Option(20231, help="random seed of the flux sampling"),
    workers: int = typer.Option(1, help="processes to spread the masses over (a Dask LocalCluster; the results are identical for any number)"),
    band: bool = typer.Option(False, "--band", help="vary proton bremsstrahlung (z, pT region, form factor): write contour_low.csv / contour_high.csv and draw the band"),
    channels: bool = typer.Option(False, "--channels", help="also the contour of each production channel alone: channels.png, contours_by_channel.csv"),
    brems_z: Optional[str] = typer.Option(None, help="proton bremsstrahlung z range ZMIN:ZMAX (default: the published 0.1:0.9)"),
    brems_pt_max: Optional[float] = typer.Option(None, help="proton bremsstrahlung largest pT in GeV (default: the published 1)"),
    form_factor: Optional[str] = typer.Option(None, help="nucleon form factor of bremsstrahlung: vmd (default), vmd_bdnmc, dipole, dipole_penalty, none (data/production/proton_brems.toml)"),
    mesons: Optional[str] = typer.Option(None, help="meson tables of a proton dump: nucleon (isoscalar pp/pn), nucleus (first p+A collision, Pythia Angantyr) or cascade (the whole hadronic cascade in the dump); default: the preset's"),
) -> None:
    """Events on a (mass, coupling) grid, the excluded band at the preset's CL (90% unless it says otherwise) and a figure."""
    from ..engine.analysis import channel_bands, make_reach
    from ..engine.parallel import checked_workers
    from ..limits.contours import format_cl, read_band_csv
    from ..experiments.experiment import load_experiment
    from ..report.plotting import plot_bands, reach_label, reference_label, short_description
    from ..production.proton_brems import default_brems_settings
    from ..report.outputs import environment, write_channel_contours, write_events_csv, write_hepdata_yaml, write_run_json
    from ..report.score import score_band

    check_seed(seed)
    checked_workers(workers, "--workers")
    t0 = time.perf_counter()
    exp = load_experiment(experiment)
    if mesons is not None:
        from ..experiments.variants import experiment_with_mesons

        exp = experiment_with_mesons(exp, mesons)
    fs = final_state.split("+") if final_state else None
    z_lo, z_hi = parse_pair(brems_z, "--brems-z") if brems_z else (None, None)
    brems = default_brems_settings(z_min=z_lo, z_max=z_hi, pt_max=brems_pt_max, form_factor=form_factor)
    engine = make_reach(exp, model_option(model, coupling, fix, exp.model, mixing, dirac), final_states=fs, channels=channel, seed=seed, brems=brems)
    has_brems = any(c.name == "proton_brems" for c in engine.channels)
    if not has_brems and (brems_z or brems_pt_max is not None or form_factor):
        warnings.warn("--brems-z, --brems-pt-max and --form-factor are ignored: proton_brems is not among the channels")
    if band:
        from ..studies.uncertainty_band import brems_channel

        brems_channel(engine)  # fail before the work, not after
    ref = read_band_csv(compare) if compare else None
    m_grid, g_grid = grids_and_out(out, masses, couplings)
    if g_grid is not None:
        engine.model.coupling.check(g_grid)
    if m_grid is not None:
        check_final_states_open(engine, m_grid)
    result = run_with_progress(engine, m_grid, g_grid, workers=workers)
    grid = result.grid
    written = ["events.csv", "contour.csv", "contour.yaml", "reach.png", "run.json"]
    write_events_csv(out / "events.csv", grid.masses, grid.couplings, grid.total, grid.by_channel,
                     coupling=result.coupling, model=result.model.name)
    result.band.write_csv(out / "contour.csv")
    write_hepdata_yaml(out / "contour.yaml", result.band, "; ".join(result.band.comments))
    envelope = None
    band_scores = {}
    if band:
        from ..production.proton_brems import band_variations
        from ..studies.uncertainty_band import uncertainty_band

        n_var = len(band_variations())
        with stage(f"{exp.name}: band variations", n_var * len(grid.masses), "mass") as step:
            ub = uncertainty_band(engine, result, progress=step)
        ub.low.write_csv(out / "contour_low.csv")
        ub.high.write_csv(out / "contour_high.csv")
        written[2:2] = ["contour_low.csv", "contour_high.csv"]
        envelope = (ub.low, ub.high)
        band_scores = {k: mass_range_or_none(b) for k, b in ub.per_variation.items()}
    references = [(reference_label(ref, f"reference ({compare.name})"), ref)] if ref is not None else ()
    plot_bands(
        [(reach_label(result), result.band)],
        out / "reach.png",
        title=exp.config.title,
        references=references,
        events=(grid.masses, grid.couplings, grid.total, result.threshold),
        envelope=envelope,
    )
    if channels:
        from ..production.channels import channel_descriptions

        per = channel_bands(engine, result)
        described = channel_descriptions()
        write_channel_contours(out / "contours_by_channel.csv", per)
        plot_bands(
            [*[(short_description(described.get(name, name)), b) for name, b in per.items() if len(b) >= 2],
             ("all channels", result.band)],
            out / "channels.png",
            title=f"{exp.config.title}: by production channel",
            references=references,
            filled=False,
        )
        written += ["channels.png", "contours_by_channel.csv"]
    score = score_band(result.band, ref) if ref is not None else None
    write_run_json(
        out / "run.json",
        {
            "command": sys.argv,
            "experiment": exp.config.model_dump(mode="json"),
            "model": result.model.name,
            "coupling": {"key": result.coupling.key, "label": result.coupling.label, "unit": result.coupling.unit},
            "final_states": result.final_states,
            "channels": result.channels,
            "masses_gev": [float(grid.masses[0]), float(grid.masses[-1]), len(grid.masses)],
            "couplings": [float(grid.couplings[0]), float(grid.couplings[-1]), len(grid.couplings)],
            "seed": seed,
            "workers": workers,
            "proton_brems": dataclasses.asdict(brems) if has_brems else None,
            "meson_tables": meson_tables(engine),
            "band_variations_mass_range_gev": band_scores or None,
            "events_upper_limit": result.threshold,
            "limit": vars(exp.limit),
            "band_mass_range_gev": mass_range_or_none(result.band),
            "unclosed_edges": [u.as_dict() for u in result.band.unclosed],
            "score": score.as_dict() if score else None,
            "timings_s": dict(result.timings, wall_s=time.perf_counter() - t0),
            "versions": environment(),
        },
    )
    if len(result.band):
        lo, hi = result.band.mass_range
        excluded = f"excluded masses {lo:.4g}–{hi:.4g} GeV ({len(result.band)} rows)"
    else:
        excluded = "nothing excluded on this grid"
    typer.echo(f"{exp.name}: N_up = {result.threshold:.3f} events at {format_cl(result.band.cl)} CL; {excluded} "
               f"in {result.timings['total_s']:.2f} s")
    if score:
        typer.echo(f"against {compare.name}: {score.line()}")
    typer.echo(f"wrote {out}/" + ", ".join(written))


def mass_range_or_none(band) -> list[float] | None:
    """[first, last] excluded mass in GeV, or None (valid JSON) when nothing is excluded."""
    return list(band.mass_range) if len(band) else None


def meson_tables(engine) -> list[dict]:
    """Which meson tables fed the channels: target model, beam energy, statistics, cache key."""
    seen: dict[str, dict] = {}
    for run in engine.runs:
        for chan in run.channels:
            spec = chan.spectra
            if spec is not None:
                s = spec.settings
                seen.setdefault(s.key(), {"target": s.target, "frame": s.frame, "beam_energy_gev": s.beam_energy_gev,
                                          "n_events": spec.n_events, "key": s.key()})
    return list(seen.values())
