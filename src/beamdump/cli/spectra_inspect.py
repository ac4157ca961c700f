"""``beamdump spectra inspect``: a meson or shower table's settings, statistics, location and size,
or those of every table a preset reads."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from ..errors import BeamdumpInputError
from .app import spectra_app


def _size(n: int | None) -> str:
    if n is None:
        return "-"
    return f"{n / 1e6:.2f} MB" if n >= 1e6 else f"{n / 1e3:.0f} kB"


def _where(location: str, path: Path) -> str:
    return {
        "shipped": f"shipped with beamdump, {path} (read-only)",
        "cache": f"user cache, {path}",
        "file": f"file {path}",
        "not made yet": f"not made yet; would be cached as {path}",
    }[location]


def _echo_table(info, name: str | None = None) -> None:
    typer.echo(f"{name}: {info.what}" if name else f"- {info.what}")
    typer.echo(f"  location:   {_where(info.location, info.path)}")
    if info.note:
        typer.echo(f"              {info.note}")
    typer.echo(f"  size:       {_size(info.size)}")
    if info.used_by:
        typer.echo(f"  used by:    {', '.join(info.used_by)}")
    typer.echo(f"  key:        {info.key}")
    typer.echo("  statistics: " + "; ".join(f"{k} {v}" for k, v in info.statistics.items()))
    typer.echo("  settings:   " + "; ".join(f"{k} = {v}" for k, v in info.settings.items()))
    if info.kind == "meson" and info.size is not None:
        _echo_normalisation(info.path)


def _echo_normalisation(path: Path) -> None:
    """A kaon/charm/beauty parent table's normalisation per beam proton (sources.flavour_spectra)."""
    from ..sources.flavour_spectra import is_parent_table, normalisation_lines
    from ..sources.meson_table import MesonSpectra
    from ..sources.spectrum_settings import SpectrumSettings
    from ..sources.table_info import read_meta

    if is_parent_table(SpectrumSettings.from_dict(read_meta(path)["settings"])):
        for k, line in enumerate(normalisation_lines(MesonSpectra.load(path))):
            typer.echo(f"  {'normalise:' if k == 0 else '':<11} {line}")


@spectra_app.command("inspect")
def spectra_inspect(
    name: str = typer.Argument(..., help="a table (shipped file name, cache key or .npz path) or a preset (name or .toml file)"),
    model: Optional[str] = typer.Option(None, help="with a preset: the model whose channels are read (default: the preset's)"),
) -> None:
    """Settings, statistics (events, seed, generator version), location (shipped or cache path) and
    size of a meson or shower table, or of every table a preset's channels read."""
    from ..sources.table_info import find_table, preset_tables, shipped_names

    info = find_table(name)
    if info is not None:
        if model is not None:
            raise BeamdumpInputError("--model: only with a preset (a table does not depend on the model)")
        _echo_table(info, name)
        return
    from ..experiments.experiment import load_experiment, preset_names

    if name.endswith(".npz") and Path(name).parent != Path("."):
        raise BeamdumpInputError(f"name: {name} does not exist; allowed: a table file, a shipped table name or a cache key")
    if name not in preset_names() and not name.endswith(".toml"):
        raise BeamdumpInputError(
            f"name: {name!r} is neither a table nor a preset; allowed: a shipped table ({', '.join(shipped_names())}), "
            "a cache key, an .npz path, or a preset (see `beamdump list`)"
        )
    from ..datafiles import cache_dir
    from ..engine.analysis import make_reach

    exp = load_experiment(name)
    tables = preset_tables(make_reach(exp, model))
    typer.echo(f"{exp.name}: {len(tables)} table{'s' if len(tables) != 1 else ''} (user cache: {cache_dir()})")
    if not tables:
        typer.echo("  (its channels read no meson or shower table)")
    for info in tables:
        _echo_table(info)
