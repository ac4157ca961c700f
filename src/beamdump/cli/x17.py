"""``beamdump x17``: the X17 intervals of the electron presets, the NA64 figure and the design scan."""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import Optional

import typer

from ..errors import BeamdumpInputError
from .app import app
from .options import output_dir, parse_range


@app.command()
def x17(
    out: Path = typer.Option(Path("x17-out"), help="output directory"),
    experiment: Optional[list[str]] = typer.Option(None, help="electron preset (repeat; default: every electron-beam preset)"),
    design_base: str = typer.Option("na64-x17-upgrade", help="the single-run preset whose dump length and EOT the design scan varies"),
    dump_lengths: str = typer.Option("10:40:13", help="design scan: active dump lengths MIN:MAX:N in X0 (linear)"),
    eot: str = typer.Option("1e10:1e13:16", help="design scan: electrons on target MIN:MAX:N (log)"),
    model: str = typer.Option("dark-photon", help="model"),
) -> None:
    """X17: the ε interval each electron experiment excludes at 16.7 and 16.94 MeV next to the
    proto-phobic band, a figure of the NA64 bands, and a design scan (dump length × EOT) of what
    covers the rest of the band."""
    from ..engine.analysis import log_range, make_reach, run_reach
    from ..experiments.experiment import load_experiment, preset_names
    from ..report.plotting import plot_bands, plot_design_scan, short_name
    from ..report.outputs import environment, write_rows, write_run_json
    from ..studies.x17 import check_design_base, design_scan, excluded_interval, minimal_counts, scan_grid, x17_targets

    import numpy as np
    from tqdm import tqdm

    from ..models import get_model

    t0 = time.perf_counter()
    chosen = get_model(model)  # an unknown model is refused before any work
    vector = chosen.production.vector
    if vector is None or not vector.in_units_of_e or vector.ratio("e") != 1.0:
        raise BeamdumpInputError(
            f"--model: x17 compares the coupling to the electron, eps_e, with the proto-phobic band; {model}'s coupling "
            f"{chosen.coupling.key} is not eps_e (allowed: models whose coupling is in units of e with x_e = -1, e.g. "
            "dark-photon, protophobic)"
        )
    key = chosen.coupling.key
    output_dir(out)  # the output directory, before any work
    lo_l, hi_l, n_l = parse_range(dump_lengths, "--dump-lengths")
    if not (np.isfinite(hi_l) and 0 < lo_l <= hi_l and 1 <= n_l <= 200):
        raise BeamdumpInputError(f"--dump-lengths: {dump_lengths!r}; allowed 0 < MIN <= MAX < inf (X0), 1 <= N <= 200")
    lengths = np.linspace(lo_l, hi_l, n_l)
    counts = log_range(*parse_range(eot, "--eot"), "--eot")
    targets = x17_targets()
    if experiment:
        exps = [load_experiment(n) for n in experiment]
        wrong = [e.name for e in exps if e.particle != "electron"]
        if wrong:
            raise BeamdumpInputError(f"--experiment: {', '.join(wrong)} are not electron-beam presets")
    else:
        exps = [e for e in map(load_experiment, preset_names()) if e.particle == "electron"]
    base = next((e for e in exps if e.name == design_base), None) or load_experiment(design_base)
    check_design_base(base)
    rows, na64_bands = [], []
    comments = ("beamdump x17: excluded eps at the X17 masses (90% CL unless the preset says otherwise)",) + targets.sources
    typer.echo(f"proto-phobic band {targets.band[0]:.2g} <= eps <= {targets.band[1]:.2g}; NA64 published {targets.published[0]:.2g}-{targets.published[1]:.2g}")
    for exp in tqdm(exps, desc="x17: experiments", unit="preset", disable=None, leave=False):
        engine = make_reach(exp, model)
        for label, mass in targets.masses:
            got = excluded_interval(engine, mass)
            lo, hi = got if got else (float("nan"), float("nan"))
            rows.append([exp.name, label, mass, lo, hi, f"{exp.limit.cl:.2f}"])
            typer.echo(f"  {exp.name:<18} {label} {mass * 1e3:.2f} MeV: " + (f"{lo:.3g} - {hi:.3g}" if got else "nothing excluded"))
        if exp.name.startswith("na64"):
            res = run_reach(engine, masses=np.geomspace(1.05e-3, 0.05, 80))
            na64_bands.append((short_name(exp.config.title), res.band))
    write_rows(out / "x17_intervals.csv", ["experiment", "x17", "mass_gev", f"{key}_lower", f"{key}_upper", "cl"], rows,
               (f"model: {model}", *comments))
    marks = [(f"X17 ({label}), proto-phobic band", mass, targets.band) for label, mass in targets.masses[:1]]
    plot_bands(na64_bands, out / "x17.png", title="NA64 visible mode and the X17", marks=marks, filled=False, xlim=(1e-3, 0.05))
    mass = targets.masses[0][1]
    with tqdm(total=len(lengths), desc="x17: design scan", unit="length", disable=None, leave=False) as bar:
        points = design_scan(base, lengths, counts, mass, model, progress=bar.update)
    header = ["dump_length_x0", "dump_length_m", "containment", "n_electrons", f"{key}_lower", f"{key}_upper", "covers_rest", "covers_band"]
    write_rows(
        out / "design_scan.csv", header,
        [[p.dump_length_x0, p.dump_length_m, p.containment, p.n_electrons, p.eps_lower, p.eps_upper, p.covers_rest, p.covers_band] for p in points],
        (f"design scan of {base.name} at {mass * 1e3:.2f} MeV: covers_rest = excluded from <= {targets.published[1]:.2g} "
         f"up to >= {targets.band[1]:.2g}; covers_band = the whole {targets.band[0]:.2g}-{targets.band[1]:.2g}",
         "containment: fraction of the beam energy absorbed by the dump (1-D shower); the E_dump + E_ECAL = E_beam selection needs it near 1"),
    )
    g_l, g_n, upper, covered = scan_grid(points)
    plot_design_scan(g_l, g_n, upper, covered, out / "design_scan.png", title=f"{short_name(base.config.title)}: X17 at {mass * 1e3:.1f} MeV", target=targets.band[1])
    need = minimal_counts(points)
    contained = {p.dump_length_x0: p.containment for p in points}
    typer.echo(f"design scan of {base.name} at {mass * 1e3:.2f} MeV: smallest EOT covering eps up to {targets.band[1]:.2g}")
    for length, n in need.items():
        at_least = "<= " if n == counts[0] else ""  # covered already at the scan's smallest count
        typer.echo(f"  {length:6.3g} X0 (containment {contained[length]:.3f}): "
                   + (f"{at_least}{n:.2g} EOT" if n else f"not within {counts[-1]:.2g} EOT"))
    write_run_json(out / "run.json", {
        "command": sys.argv, "model": model, "experiments": [e.name for e in exps], "design_base": base.name,
        "dump_lengths_x0": lengths.tolist(), "eot": counts.tolist(),
        "minimal_eot": {f"{k:g}": v for k, v in need.items()}, "wall_s": time.perf_counter() - t0, "versions": environment(),
    })
    typer.echo(f"wrote {out}/x17_intervals.csv, x17.png, design_scan.csv, design_scan.png, run.json")
