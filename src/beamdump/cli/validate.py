"""``beamdump validate``: rerun every preset with a published band and score it."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from ..errors import BeamdumpInputError
from .app import app
from .options import DEFAULT_REFERENCE_DIR, output_dir


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
    from ..studies.validation import validate_all

    if model is not None:
        from ..models import get_model

        get_model(model)  # an unknown name is refused before the work
    if not Path(reference_dir).is_dir():
        raise BeamdumpInputError(
            f"--reference-dir: {reference_dir} is not a folder; the published bands are in the project's "
            "shared/reference/limits (beside a checkout: ../shared/reference/limits)"
        )
    if out is not None:
        output_dir(out)  # the report folder, before the work
    rows = validate_all(reference_dir, model, mesons, progress=typer.echo)
    if not rows:
        raise BeamdumpInputError(f"--reference-dir: no reference bands found under {reference_dir}")
    if out is not None:
        from ..studies.validation_report import write_report

        written = write_report(rows, reference_dir, out)
        typer.echo(f"wrote {out}/: {len(written) - 2} figures, index.md, index.html")
