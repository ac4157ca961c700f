"""The typer application of the ``beamdump`` command, its ``spectra`` group and the entry point.

Only typer is imported here: each command module imports its physics when it runs, so
``beamdump --help``, ``--version`` and ``list`` start without scipy, matplotlib or dask.
"""

from __future__ import annotations

import sys
import warnings

import typer

from ..errors import BeamdumpInputError, CacheError

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,  # plain click help: flags read like flags (no "<bool>"), no rich import
    help="Event yields and exclusion regions for feebly coupled particles at beam dumps.",
)
spectra_app = typer.Typer(
    no_args_is_help=True, rich_markup_mode=None,
    help="Meson and shower tables: generate (Pythia 8) and inspect (settings, statistics, location, size).",
)
app.add_typer(spectra_app, name="spectra")


def _print_version(value: bool) -> None:
    if value:
        from .. import __version__

        typer.echo(f"beamdump {__version__}")
        raise typer.Exit()


@app.callback()
def _main(
    version: bool = typer.Option(False, "--version", callback=_print_version, is_eager=True, help="print the version and exit"),
) -> None:
    """Event yields and exclusion regions for feebly coupled particles at beam dumps."""


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
