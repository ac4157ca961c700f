"""The ``beamdump`` command line: one module per command, registered on :data:`app`.

``app`` (typer) and ``main`` (the console entry point) live in :mod:`beamdump.cli.app`; the
command modules import their physics inside the command, so importing this package is cheap.
"""

from __future__ import annotations

from .app import app, main, spectra_app
from . import list_cmd, reach, compare, validate, x17, spectra, spectra_inspect  # noqa: F401,E402,I001  (each registers its command, in this order in --help)

__all__ = ["app", "main", "spectra_app"]
