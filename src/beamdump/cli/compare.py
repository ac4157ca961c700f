"""``beamdump compare``: the excluded bands of several presets in one figure and one table."""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import Optional

import typer

from ..errors import BeamdumpInputError
from .app import app
from .options import check_seed, grids_and_out, model_option
from .progress import run_with_progress


@app.command()
def compare(
    experiments: list[str] = typer.Argument(..., help="two or more presets (names or .toml files)"),
    model: Optional[str] = typer.Option(None, help="new-particle model (default: the first preset's, mostly dark-photon)"),
    out: Path = typer.Option(Path("compare"), help="output directory"),
    masses: Optional[str] = typer.Option(None, help="MIN:MAX:N log-spaced masses in GeV (default: each preset's range, 100)"),
    couplings: Optional[str] = typer.Option(None, help="MIN:MAX:N log-spaced couplings (default: the model's range, 20 per decade)"),
    seed: int = typer.Option(20231, help="random seed of the flux sampling"),
    mixing: Optional[str] = typer.Option(None, "--mixing", help="heavy neutral leptons: E:MU:TAU ratios U_e^2:U_mu^2:U_tau^2 (e.g. 1:1:0); the scanned coupling is then U2, their sum"),
    dirac: bool = typer.Option(False, "--dirac", help="heavy neutral leptons: a Dirac HNL (half the Majorana width; the same production)"),
) -> None:
    """The excluded bands of several presets in one figure (compare.png) and one table (compare.csv)."""
    from ..engine.analysis import make_reach
    from ..experiments.experiment import load_experiment
    from ..report.plotting import plot_bands, short_name
    from ..report.outputs import environment, write_channel_contours, write_run_json

    if len(experiments) < 2:
        raise BeamdumpInputError("experiments: give at least two presets to compare (see `beamdump list`)")
    check_seed(seed)
    t0 = time.perf_counter()
    exps = [load_experiment(e) for e in experiments]
    names = [e.name for e in exps]
    if len(set(names)) < len(names):
        twice = sorted({n for n in names if names.count(n) > 1})
        raise BeamdumpInputError(f"experiments: {', '.join(twice)} given twice; each preset name may appear once")
    chosen = model_option(model, None, None, exps[0].model, mixing, dirac)
    model = chosen.name
    engines = [make_reach(e, chosen, seed=seed) for e in exps]
    m_grid, g_grid = grids_and_out(out, masses, couplings)
    if g_grid is not None:
        engines[0].model.coupling.check(g_grid)
    bands, summary = {}, {}
    for exp, engine in zip(exps, engines):
        result = run_with_progress(engine, m_grid, g_grid)
        bands[exp.name] = result.band
        summary[exp.name] = band_summary(result)
        typer.echo(f"{exp.name:<18} {summary[exp.name]['line']}")
    write_channel_contours(out / "compare.csv", bands, key="experiment")
    labels = {e.name: short_name(e.config.title) for e in exps}
    if len(set(labels.values())) < len(labels):  # two presets of one experiment: name them apart
        labels = {n: f"{t} [{n}]" for n, t in labels.items()}
    plot_bands([(labels[name], b) for name, b in bands.items()], out / "compare.png",
               title=f"Excluded regions of {len(exps)} experiments, each at its own CL", filled=False, cl_per_entry=True)
    write_run_json(
        out / "run.json",
        {"command": sys.argv, "model": model, "seed": seed, "experiments": summary,
         "wall_s": time.perf_counter() - t0, "versions": environment()},
    )
    typer.echo(f"wrote {out}/compare.png, compare.csv, run.json")


def band_summary(result) -> dict:
    """Excluded mass range (GeV), smallest excluded coupling and where, CL, channels and beam count of one run."""
    from ..limits.contours import format_cl

    b = result.band
    exp = result.experiment
    cl = f"{format_cl(b.cl)} CL"
    if len(b) == 0:
        return {"excluded": False, "line": f"nothing excluded at {cl}", "channels": result.channels, "cl": b.cl}
    i = int(b.lower.argmin())
    lo, hi = b.mass_range
    line = (f"excluded at {cl}: m {lo:.3g}–{hi:.3g} GeV; smallest coupling {b.lower[i]:.3g} at {b.masses[i]:.3g} GeV; "
            f"{exp.n_beam:.3g} {exp.beam_label}; channels {', '.join(result.channels)}")
    return {"excluded": True, "mass_range_gev": [lo, hi], "min_coupling": float(b.lower[i]),
            "min_coupling_mass_gev": float(b.masses[i]), "n_beam": exp.n_beam,
            "channels": result.channels, "final_states": result.final_states, "cl": b.cl, "line": line}
