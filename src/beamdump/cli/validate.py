"""``beamdump validate``: rerun every preset with a published band and score it."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from ..errors import BeamdumpInputError
from .app import app
from .options import output_dir, reference_dir_option


@app.command()
def validate(
    reference_dir: Optional[Path] = typer.Option(
        None, help="folder of the published bands, one CSV per band in a folder per model (default: shared/reference/limits "
        "beside the working directory or beside the beamdump checkout)"),
    model: Optional[str] = typer.Option(None, help="check only this model's curves (default: every model with references)"),
    out: Optional[Path] = typer.Option(None, help="also write a report there: a figure per reference, index.md and index.html"),
    mesons: Optional[str] = typer.Option(None, help="meson tables of the proton dumps: nucleon, nucleus (Angantyr p+A) or cascade; default: each preset's"),
) -> None:
    """Rerun every preset with a published counterpart and score it (median and 90th percentile
    |Δlog10 g| per edge in the model's coupling, mass coverage; a p90 of 99 means reference masses
    our band does not cover)."""
    from ..studies.validation import validate_all

    if model is not None:
        from ..models import get_model

        get_model(model)  # an unknown name is refused before the work
    reference_dir = reference_dir_option(reference_dir)
    if out is not None:
        output_dir(out)  # the report folder, before the work
    typer.echo(f"published bands from {reference_dir}; one line per reference as each preset finishes:")
    rows = validate_all(reference_dir, model, mesons, progress=typer.echo)
    if not rows:
        raise BeamdumpInputError(f"--reference-dir: no reference bands found under {reference_dir}")
    if out is not None:
        from ..studies.validation_report import write_report

        written = write_report(rows, reference_dir, out)
        typer.echo(f"wrote {out}/: {len(written) - 2} figures, index.md, index.html")
