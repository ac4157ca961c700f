"""``beamdump list``: experiments, models, final states, channels, meson and shower tables, one line each."""

from __future__ import annotations

import typer

from ..errors import BeamdumpInputError
from .app import app


@app.command("list")
def list_cmd() -> None:
    """Experiments, models, final states, production channels, meson and shower tables, one line each."""
    from ..sources.shipped_spectra import cached_table_lines, shipped_table_lines
    from ..sources.spectra_lookup import spectra_cache
    from ..sources.table_info import shipped_shower_lines
    from ..experiments.experiment import load_experiment, preset_names
    from ..models import get_model, model_names
    from ..production.channels import channel_descriptions

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
    typer.echo("Shipped shower tables (`beamdump spectra inspect NAME` shows the settings and location of any table):")
    for line in shipped_shower_lines():
        typer.echo(f"  {line}")
    generated = cached_table_lines()
    if generated:
        typer.echo(f"Generated meson tables (beamdump spectra generate), in {spectra_cache()}:")
        for line in generated:
            typer.echo(f"  {line}")
