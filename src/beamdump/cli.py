"""The ``beamdump`` command line."""

from __future__ import annotations

import contextlib
import dataclasses
import os
import sys
import time
import warnings
from pathlib import Path
from typing import Callable, Iterator, Optional

import numpy as np
import typer
from tqdm import tqdm

from .errors import BeamdumpInputError, CacheError

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,  # plain click help: flags read like flags (no "<bool>"), no rich import
    help="Event yields and exclusion regions for feebly coupled particles at beam dumps.",
)
spectra_app = typer.Typer(no_args_is_help=True, rich_markup_mode=None, help="Meson spectra from Pythia 8 (generate).")
app.add_typer(spectra_app, name="spectra")


def _print_version(value: bool) -> None:
    if value:
        from . import __version__

        typer.echo(f"beamdump {__version__}")
        raise typer.Exit()


@app.callback()
def _main(
    version: bool = typer.Option(False, "--version", callback=_print_version, is_eager=True, help="print the version and exit"),
) -> None:
    """Event yields and exclusion regions for feebly coupled particles at beam dumps."""

DEFAULT_REFERENCE_DIR = Path("..") / "shared" / "reference" / "limits"
MAX_GRID_CELLS = 1_000_000  # a reach map larger than this writes an events.csv of ~60 MB


def parse_range(text: str, what: str) -> tuple[float, float, int]:
    """'MIN:MAX:N' → (min, max, n); a malformed text names the option and the format."""
    parts = text.split(":")
    try:
        if len(parts) != 3:
            raise ValueError
        lo, hi, n = float(parts[0]), float(parts[1]), int(parts[2])
    except ValueError:
        raise BeamdumpInputError(f"{what}: {text!r} must be MIN:MAX:N (e.g. 0.01:1.0:100)") from None
    return lo, hi, n


def parse_pair(text: str, what: str) -> tuple[float, float]:
    """'MIN:MAX' → (min, max); a malformed text names the option and the format."""
    parts = text.split(":")
    try:
        if len(parts) != 2:
            raise ValueError
        return float(parts[0]), float(parts[1])
    except ValueError:
        raise BeamdumpInputError(f"{what}: {text!r} must be MIN:MAX (e.g. 0.1:0.9)") from None


def parse_fixed(items: list[str] | None) -> dict[str, float]:
    """'KEY=VALUE' options → {key: value}; a malformed item names the option and the format."""
    out: dict[str, float] = {}
    for item in items or ():
        key, sep, value = item.partition("=")
        try:
            if not sep or not key:
                raise ValueError
            out[key.strip()] = float(value)
        except ValueError:
            raise BeamdumpInputError(f"--fix: {item!r} must be KEY=VALUE (a coupling key and a number)") from None
    return out


def _model(name: str, coupling: str | None, fix: list[str] | None):
    """The model for --model, scanning --coupling with the --fix values held."""
    from .models import get_model

    return get_model(name, scan=coupling, fixed=parse_fixed(fix))


def _grids_and_out(out: Path, masses: str | None, couplings: str | None):
    """Create the output directory and parse the grids; bad values are one-line input errors."""
    from .engine.analysis import log_range

    try:
        out.mkdir(parents=True, exist_ok=True)
        probe = out / f".beamdump-write-test-{os.getpid()}"
        probe.write_bytes(b"")  # an existing folder we cannot write is found now, not after the work
        probe.unlink()
    except OSError as exc:
        raise BeamdumpInputError(f"--out: {out} cannot be used as an output directory ({exc.strerror})") from None
    m_grid = log_range(*parse_range(masses, "--masses"), "--masses") if masses is not None else None
    g_grid = log_range(*parse_range(couplings, "--couplings"), "--couplings") if couplings is not None else None
    if m_grid is not None and g_grid is not None and len(m_grid) * len(g_grid) > MAX_GRID_CELLS:
        raise BeamdumpInputError(
            f"--masses x --couplings: {len(m_grid)} x {len(g_grid)} = {len(m_grid) * len(g_grid):,} cells "
            f"(events.csv of ~{len(m_grid) * len(g_grid) * 60 / 1e6:.0f} MB); allowed up to {MAX_GRID_CELLS:,}"
        )
    return m_grid, g_grid


def _check_final_states_open(engine, masses) -> None:
    """Masses all below every final state's threshold would run and exclude nothing: say why instead."""
    states = engine.model.final_states()
    lowest = min(states[fs].threshold for fs in engine.final_states)
    if float(np.max(masses)) <= lowest:
        raise BeamdumpInputError(
            f"--masses: up to {float(np.max(masses)):.4g} GeV, but {'+'.join(engine.final_states)} opens at "
            f"{lowest:.4g} GeV; allowed masses above it (or another --final-state)"
        )


def _check_seed(seed: int) -> None:
    if seed < 0:
        raise BeamdumpInputError(f"--seed: {seed}; allowed an integer >= 0")


@contextlib.contextmanager
def _stage(desc: str, total: int, unit: str, per_part: int | None = None, count: str | None = None) -> Iterator[Callable[..., None]]:
    """Progress of one stage of ``total`` steps, as a callback taking the steps done.

    On a terminal (stderr) a tqdm bar whose estimate leaves out the first step of each part of
    ``per_part`` steps (the step that builds or loads the tables: counted, it made the estimate at
    1/100 read 1:18:21 for a 98 s run); otherwise one line when the stage is done
    (``<desc>: <count> ... done in <t> s``, count by default ``<total> <unit>s``), so piped output and CI logs carry no bar noise.
    """
    t0 = time.perf_counter()
    if not sys.stderr.isatty():
        yield lambda n=1: None
        count = count or f"{total} {unit}{'es' if unit.endswith('s') else 's'}"
        typer.echo(f"{desc}: {count} ... done in {time.perf_counter() - t0:.1f} s", err=True)
        return
    fmt = "{l_bar}{bar}| {n_fmt}/{total_fmt} [{remaining} left, {rate_fmt}]"  # no elapsed: it leaves out the table steps
    with tqdm(total=total, desc=desc, unit=unit, leave=False, smoothing=0, bar_format=fmt) as bar:
        last = bar.start_t

        def step(n: int = 1) -> None:
            nonlocal last
            now = bar._time()
            first = per_part is not None and bar.n % per_part == 0
            if first:  # the table-building step: out of the rate (tqdm's rate is (n - initial) / elapsed)
                bar.start_t += now - last
                bar.initial += n
            last = now
            bar.update(n)

        yield step


def _run_with_progress(engine, m_grid, g_grid):
    """run_reach with its progress over the masses (and runs, for a combined preset): see _stage."""
    from .engine.analysis import run_reach

    n_m = len(m_grid) if m_grid is not None else 100
    n_runs = len(engine.runs)
    count = f"{n_m} masses" + (f" × {n_runs} runs" if n_runs > 1 else "")
    with _stage(engine.experiment.name, n_m * n_runs, "mass", per_part=n_m, count=count) as step:
        return run_reach(engine, m_grid, g_grid, progress=step)


@app.command("list")
def list_cmd() -> None:
    """Experiments, models, final states, production channels and meson tables, one line each."""
    from .sources.shipped_spectra import cached_table_lines, shipped_table_lines
    from .sources.spectra_lookup import spectra_cache
    from .experiments.experiment import load_experiment, preset_names
    from .models import get_model, model_names
    from .production.channels import channel_descriptions

    typer.echo("Experiments:")
    for name in preset_names():
        cfg = load_experiment(name).config
        typer.echo(f"  {name:<18} {cfg.title} [{cfg.status}]; final states {', '.join(cfg.final_states)}")
    typer.echo("Models:")
    for name in model_names():
        try:
            model = get_model(name)
        except BeamdumpInputError as exc:  # a broken plug-in: say so on its line, list the rest
            typer.echo(f"  {name:<18} (cannot be loaded: {exc})")
            continue
        typer.echo(f"  {name:<18} {model.description}")
        for c in model.couplings:
            lo, hi = c.default_range
            typer.echo(f"    coupling {c.key} ({c.unit or 'dimensionless'}; default scan {lo:g}:{hi:g}): {c.description}")
        typer.echo("    final states: " + "; ".join(
            f"{k} ({v.description}{'' if v.visible else ', invisible'})" for k, v in model.final_states().items()))
    typer.echo("Production channels:")
    for name, text in channel_descriptions().items():
        typer.echo(f"  {name:<18} {text}")
    typer.echo("Shipped meson tables (Pythia 8):")
    for line in shipped_table_lines():
        typer.echo(f"  {line}")
    generated = cached_table_lines()
    if generated:
        typer.echo(f"Generated meson tables (beamdump spectra generate), in {spectra_cache()}:")
        for line in generated:
            typer.echo(f"  {line}")


@app.command()
def reach(
    experiment: str = typer.Argument(..., help="preset name (see `beamdump list`) or a preset .toml file"),
    model: str = typer.Option("dark-photon", help="new-particle model (see `beamdump list`)"),
    coupling: Optional[str] = typer.Option(None, "--coupling", help="the model's coupling to scan (default: its main one)"),
    fix: Optional[list[str]] = typer.Option(None, "--fix", help="KEY=VALUE: hold another coupling of a several-coupling model (repeat)"),
    out: Path = typer.Option(Path("out"), help="output directory"),
    final_state: Optional[str] = typer.Option(None, help="final state(s), '+'-separated (default: the preset's)"),
    masses: Optional[str] = typer.Option(None, help="MIN:MAX:N log-spaced masses in GeV (default: the channels' range, 100)"),
    couplings: Optional[str] = typer.Option(None, help="MIN:MAX:N log-spaced couplings (default: the model's range, 20 per decade)"),
    channel: Optional[list[str]] = typer.Option(None, help="production channel (repeat; default: the preset's)"),
    compare: Optional[Path] = typer.Option(None, help="a reference band CSV (mass_gev,<coupling>_lower,<coupling>_upper; nan where it gives one edge) to draw and score"),
    seed: int = typer.Option(20231, help="random seed of the flux sampling"),
    band: bool = typer.Option(False, "--band", help="vary proton bremsstrahlung (z, pT region, form factor): write contour_low.csv / contour_high.csv and draw the band"),
    channels: bool = typer.Option(False, "--channels", help="also the contour of each production channel alone: channels.png, contours_by_channel.csv"),
    brems_z: Optional[str] = typer.Option(None, help="proton bremsstrahlung z range ZMIN:ZMAX (default: the published 0.1:0.9)"),
    brems_pt_max: Optional[float] = typer.Option(None, help="proton bremsstrahlung largest pT in GeV (default: the published 1)"),
    form_factor: Optional[str] = typer.Option(None, help="nucleon form factor of bremsstrahlung: vmd (default), vmd_bdnmc, dipole, dipole_penalty, none (data/production/proton_brems.toml)"),
    mesons: Optional[str] = typer.Option(None, help="meson tables of a proton dump: nucleon (isoscalar pp/pn), nucleus (first p+A collision, Pythia Angantyr) or cascade (the whole hadronic cascade in the dump); default: the preset's"),
) -> None:
    """Events on a (mass, coupling) grid, the excluded band at the preset's CL (90% unless it says otherwise) and a figure."""
    from .engine.analysis import channel_bands, make_reach
    from .limits.contours import read_band_csv
    from .experiments.experiment import load_experiment
    from .report.plotting import plot_bands, reference_label
    from .production.proton_brems import default_brems_settings
    from .report.outputs import environment, write_channel_contours, write_events_csv, write_hepdata_yaml, write_run_json
    from .report.score import score_band

    _check_seed(seed)
    t0 = time.perf_counter()
    exp = load_experiment(experiment)
    if mesons is not None:
        from .experiments.variants import experiment_with_mesons

        exp = experiment_with_mesons(exp, mesons)
    fs = final_state.split("+") if final_state else None
    z_lo, z_hi = parse_pair(brems_z, "--brems-z") if brems_z else (None, None)
    brems = default_brems_settings(z_min=z_lo, z_max=z_hi, pt_max=brems_pt_max, form_factor=form_factor)
    engine = make_reach(exp, _model(model, coupling, fix), final_states=fs, channels=channel, seed=seed, brems=brems)
    has_brems = any(c.name == "proton_brems" for c in engine.channels)
    if not has_brems and (brems_z or brems_pt_max is not None or form_factor):
        warnings.warn("--brems-z, --brems-pt-max and --form-factor are ignored: proton_brems is not among the channels")
    if band:
        from .studies.uncertainty_band import brems_channel

        brems_channel(engine)  # fail before the work, not after
    ref = read_band_csv(compare) if compare else None
    m_grid, g_grid = _grids_and_out(out, masses, couplings)
    if g_grid is not None:
        engine.model.coupling.check(g_grid)
    if m_grid is not None:
        _check_final_states_open(engine, m_grid)
    result = _run_with_progress(engine, m_grid, g_grid)
    grid = result.grid
    written = ["events.csv", "contour.csv", "contour.yaml", "reach.png", "run.json"]
    write_events_csv(out / "events.csv", grid.masses, grid.couplings, grid.total, grid.by_channel,
                     coupling=result.coupling, model=result.model.name)
    result.band.write_csv(out / "contour.csv")
    write_hepdata_yaml(out / "contour.yaml", result.band, "; ".join(result.band.comments))
    envelope = None
    band_scores = {}
    if band:
        from .production.proton_brems import band_variations
        from .studies.uncertainty_band import uncertainty_band

        n_var = len(band_variations())
        with _stage(f"{exp.name}: band variations", n_var * len(grid.masses), "mass") as step:
            ub = uncertainty_band(engine, result, progress=step)
        ub.low.write_csv(out / "contour_low.csv")
        ub.high.write_csv(out / "contour_high.csv")
        written[2:2] = ["contour_low.csv", "contour_high.csv"]
        envelope = (ub.low, ub.high)
        band_scores = {k: _mass_range_or_none(b) for k, b in ub.per_variation.items()}
    label = f"beamdump: {exp.name} ({'+'.join(result.final_states)})"
    plot_bands(
        [(label, result.band)],
        out / "reach.png",
        title=f"{exp.config.title}, {result.model.name}",
        references=[(reference_label(ref, f"reference: {compare.name}"), ref)] if ref is not None else (),
        events=(grid.masses, grid.couplings, grid.total, result.threshold),
        envelope=envelope,
    )
    if channels:
        per = channel_bands(engine, result)
        write_channel_contours(out / "contours_by_channel.csv", per)
        plot_bands(
            [*[(name, b) for name, b in per.items() if len(b) >= 2], ("all channels", result.band)],
            out / "channels.png",
            title=f"{exp.config.title}: by production channel",
            references=[(reference_label(ref, f"reference: {compare.name}"), ref)] if ref is not None else (),
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
            "proton_brems": dataclasses.asdict(brems) if has_brems else None,
            "meson_tables": _meson_tables(engine),
            "band_variations_mass_range_gev": band_scores or None,
            "events_upper_limit": result.threshold,
            "limit": vars(exp.limit),
            "band_mass_range_gev": _mass_range_or_none(result.band),
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
    typer.echo(f"{exp.name}: N_up = {result.threshold:.3f} events; {excluded} in {result.timings['total_s']:.2f} s")
    if score:
        typer.echo(f"against {compare.name}: {score.line()}")
    typer.echo(f"wrote {out}/" + ", ".join(written))


@app.command()
def compare(
    experiments: list[str] = typer.Argument(..., help="two or more presets (names or .toml files)"),
    model: str = typer.Option("dark-photon", help="new-particle model"),
    out: Path = typer.Option(Path("compare"), help="output directory"),
    masses: Optional[str] = typer.Option(None, help="MIN:MAX:N log-spaced masses in GeV (default: each preset's range, 100)"),
    couplings: Optional[str] = typer.Option(None, help="MIN:MAX:N log-spaced couplings (default: the model's range, 20 per decade)"),
    seed: int = typer.Option(20231, help="random seed of the flux sampling"),
) -> None:
    """The excluded bands of several presets in one figure (compare.png) and one table (compare.csv)."""
    from .engine.analysis import make_reach
    from .experiments.experiment import load_experiment
    from .report.plotting import plot_bands
    from .report.outputs import environment, write_channel_contours, write_run_json

    if len(experiments) < 2:
        raise BeamdumpInputError("experiments: give at least two presets to compare (see `beamdump list`)")
    _check_seed(seed)
    t0 = time.perf_counter()
    exps = [load_experiment(e) for e in experiments]
    names = [e.name for e in exps]
    if len(set(names)) < len(names):
        twice = sorted({n for n in names if names.count(n) > 1})
        raise BeamdumpInputError(f"experiments: {', '.join(twice)} given twice; each preset name may appear once")
    engines = [make_reach(e, model, seed=seed) for e in exps]
    m_grid, g_grid = _grids_and_out(out, masses, couplings)
    if g_grid is not None:
        engines[0].model.coupling.check(g_grid)
    bands, summary = {}, {}
    for exp, engine in zip(exps, engines):
        result = _run_with_progress(engine, m_grid, g_grid)
        bands[exp.name] = result.band
        summary[exp.name] = _band_summary(result)
        typer.echo(f"{exp.name:<18} {summary[exp.name]['line']}")
    write_channel_contours(out / "compare.csv", bands, key="experiment")
    plot_bands(list(bands.items()), out / "compare.png", title=f"{model}: excluded at " + ", ".join(sorted({f"{e.limit.cl:.0%}" for e in exps})) + " CL", filled=False)
    write_run_json(
        out / "run.json",
        {"command": sys.argv, "model": model, "seed": seed, "experiments": summary,
         "wall_s": time.perf_counter() - t0, "versions": environment()},
    )
    typer.echo(f"wrote {out}/compare.png, compare.csv, run.json")


def _mass_range_or_none(band) -> list[float] | None:
    """[first, last] excluded mass in GeV, or None (valid JSON) when nothing is excluded."""
    return list(band.mass_range) if len(band) else None


def _band_summary(result) -> dict:
    """Excluded mass range, smallest excluded coupling and where, channels and POT of one run."""
    b = result.band
    exp = result.experiment
    if len(b) == 0:
        return {"excluded": False, "line": "nothing excluded", "channels": result.channels}
    i = int(b.lower.argmin())
    lo, hi = b.mass_range
    line = (f"m {lo:.3g}–{hi:.3g} GeV; smallest coupling {b.lower[i]:.3g} at {b.masses[i]:.3g} GeV; "
            f"{exp.n_beam:.3g} {exp.beam_label}; channels {', '.join(result.channels)}")
    return {"excluded": True, "mass_range_gev": [lo, hi], "min_coupling": float(b.lower[i]),
            "min_coupling_mass_gev": float(b.masses[i]), "n_beam": exp.n_beam,
            "channels": result.channels, "final_states": result.final_states, "line": line}


@app.command()
def validate(
    reference_dir: Path = typer.Option(DEFAULT_REFERENCE_DIR, help="folder with the published bands (…/reference/limits)"),
    model: Optional[str] = typer.Option(None, help="check only this model's curves (default: every model with references)"),
    out: Optional[Path] = typer.Option(None, help="also write a report there: a figure per reference, index.md and index.html"),
    mesons: Optional[str] = typer.Option(None, help="meson tables of the proton dumps: nucleon, nucleus (Angantyr p+A) or cascade; default: each preset's"),
) -> None:
    """Rerun every preset with a published counterpart and score it (median and 90th percentile
    |Δlog10 g| per edge in the model's coupling, mass coverage; a p90 of 99 means reference masses
    our band does not cover)."""
    from .studies.validation import validate_all

    if model is not None:
        from .models import get_model

        get_model(model)  # an unknown name is refused before the work
    if not Path(reference_dir).is_dir():
        raise BeamdumpInputError(
            f"--reference-dir: {reference_dir} is not a folder; the published bands are in the project's "
            "shared/reference/limits (beside a checkout: ../shared/reference/limits)"
        )
    if out is not None:
        _grids_and_out(out, None, None)  # the report folder, before the work
    rows = validate_all(reference_dir, model, mesons, progress=typer.echo)
    if not rows:
        raise BeamdumpInputError(f"--reference-dir: no reference bands found under {reference_dir}")
    if out is not None:
        from .studies.validation_report import write_report

        written = write_report(rows, reference_dir, out)
        typer.echo(f"wrote {out}/: {len(written) - 2} figures, index.md, index.html")


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
    from .engine.analysis import log_range, make_reach, run_reach
    from .experiments.experiment import load_experiment, preset_names
    from .report.plotting import plot_bands, plot_design_scan
    from .report.outputs import environment, write_rows, write_run_json
    from .studies.x17 import check_design_base, design_scan, excluded_interval, minimal_counts, scan_grid, x17_targets

    from .models import get_model

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
    _grids_and_out(out, None, None)  # the output directory, before any work
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
            na64_bands.append((exp.name, res.band))
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
    plot_design_scan(g_l, g_n, upper, covered, out / "design_scan.png", title=f"{base.name}: X17 at {mass * 1e3:.1f} MeV", target=targets.band[1])
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
    from .sources.meson_generator import cached_spectra
    from .sources.spectrum_settings import TARGETS, SpectrumSettings
    from .sources.nuclear_targets import known_nuclei

    if ecm is not None and beam_energy is not None:
        raise BeamdumpInputError("--beam-energy and --ecm: give one (fixed target or collider), not both")
    beam_energy = 400.0 if beam_energy is None else beam_energy
    if not 1.0 < beam_energy <= 1e5:
        raise BeamdumpInputError(f"--beam-energy: {beam_energy:g} GeV; allowed 1 < E ≤ 1e5 GeV")
    if events < 1:
        raise BeamdumpInputError(f"--events: {events}; allowed ≥ 1")
    _check_seed(seed)
    if workers < 0:
        raise BeamdumpInputError(f"--workers: {workers}; allowed ≥ 0")
    if ecm is not None and target != "isoscalar":
        raise BeamdumpInputError("--target: a collider table is pp; --target is for fixed-target tables")
    if ecm is not None:
        from .sources.shipped_spectra import collider_settings

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
        from .sources.shipped_spectra import nuclear_settings

        settings = nuclear_settings(beam_energy, target, n_events=events, seed=seed, chunk_size=min(chunk_size, events),
                                    cascade_min_ekin=cascade)
    t0 = time.perf_counter()
    spec = cached_spectra(settings, workers=workers, scheduler=scheduler, regenerate=regenerate)
    dt = time.perf_counter() - t0
    per = "inelastic collision, +z hemisphere, theta < 0.1 rad" if ecm is not None else "proton"
    typer.echo(f"{spec.n_events} events at {beam_energy:g} GeV in {dt:.1f} s; mesons per {per}:")
    for pdg in spec.pdg_ids:
        typer.echo(f"  {pdg:>4}: {spec.multiplicity(pdg):.4f}")


def _meson_tables(engine) -> list[dict]:
    """Which meson tables fed the channels: target model, beam energy, statistics, cache key."""
    seen: dict[str, dict] = {}
    for reach in engine.runs:
        for chan in reach.channels:
            spec = chan.spectra
            if spec is not None:
                s = spec.settings
                seen.setdefault(s.key(), {"target": s.target, "frame": s.frame, "beam_energy_gev": s.beam_energy_gev,
                                          "n_events": spec.n_events, "key": s.key()})
    return list(seen.values())


def _one_line_warning(message, category, filename, lineno, file=None, line=None) -> None:
    typer.echo(f"beamdump: warning: {message}", err=True)


def main() -> None:
    """Entry point: bad input is one line on stderr and exit code 2, never a traceback."""
    warnings.showwarning = _one_line_warning
    try:
        app()
    except (BeamdumpInputError, CacheError) as exc:
        typer.echo(f"beamdump: error: {exc}", err=True)
        sys.exit(2)


if __name__ == "__main__":
    main()
