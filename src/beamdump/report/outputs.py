"""Output files of a reach run: events.csv, contour.csv, contour.yaml (HEPData), run.json."""

from __future__ import annotations

import csv
import json
import platform
from pathlib import Path
from typing import Any

import numpy as np
import yaml

from .. import __version__
from ..limits.contours import ExclusionBand
from ..datafiles import atomic_write


def atomic_write_text(path: Path, text: str) -> None:
    """Write ``text`` (UTF-8) to ``path`` atomically."""
    atomic_write(path, lambda f: f.write(text.encode("utf-8")))


def write_events_csv(path: Path, masses, couplings, total, by_channel: dict[str, np.ndarray]) -> None:
    """One row per (mass, coupling): mass_gev, coupling, events, then one column per channel."""
    names = list(by_channel)
    mm, gg = np.meshgrid(masses, couplings, indexing="ij")
    cols = [mm.ravel(), gg.ravel(), np.asarray(total).ravel()] + [by_channel[n].ravel() for n in names]
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["mass_gev", "coupling", "events"] + [f"events_{n}" for n in names])
        for row in zip(*cols):
            w.writerow([f"{v:.6g}" for v in row])


def write_channel_contours(path: Path, bands: dict[str, ExclusionBand], key: str = "channel") -> None:
    """Long table of several bands: ``key`` (channel or experiment), mass_gev, eps_lower, eps_upper."""
    rows = [[name, m, lo, hi] for name, band in bands.items() for m, lo, hi in zip(band.masses, band.lower, band.upper)]
    write_rows(path, [key, "mass_gev", "eps_lower", "eps_upper"], rows)


def write_rows(path: Path, header: list[str], rows: list[list[Any]], comments: tuple[str, ...] = ()) -> None:
    """A CSV with ``#`` comment lines, a header and rows (floats as %.6g, empty for NaN), atomically."""

    def cell(v: Any) -> str:
        if isinstance(v, (float, np.floating)):
            return "" if not np.isfinite(v) else f"{v:.6g}"
        return str(v)

    lines = [f"# {c}" for c in comments] + [",".join(header)] + [",".join(cell(v) for v in r) for r in rows]
    atomic_write_text(path, "\n".join(lines) + "\n")


def hepdata_table(band: ExclusionBand, description: str, coupling_name: str = "epsilon") -> dict[str, Any]:
    """The band as a HEPData table (independent variable: mass; dependent: the two edges)."""
    return {
        "name": "Excluded region",
        "description": description,
        "independent_variables": [
            {"header": {"name": "M", "units": "GeV"}, "values": [{"value": float(m)} for m in band.masses]}
        ],
        "dependent_variables": [
            {
                "header": {"name": f"{coupling_name} lower edge"},
                "qualifiers": [{"name": "CL", "value": "90%"}],
                "values": [{"value": float(v)} for v in band.lower],
            },
            {
                "header": {"name": f"{coupling_name} upper edge"},
                "qualifiers": [{"name": "CL", "value": "90%"}],
                "values": [{"value": float(v)} for v in band.upper],
            },
        ],
    }


def write_hepdata_yaml(path: Path, band: ExclusionBand, description: str) -> None:
    atomic_write_text(path, yaml.safe_dump(hepdata_table(band, description), sort_keys=False, allow_unicode=True))


def environment() -> dict[str, str]:
    """Versions of the things that made the numbers."""
    import matplotlib
    import scipy

    return {
        "beamdump": __version__,
        "python": platform.python_version(),
        "numpy": np.__version__,
        "scipy": scipy.__version__,
        "matplotlib": matplotlib.__version__,
        "platform": platform.platform(),
    }


def write_run_json(path: Path, payload: dict[str, Any]) -> None:
    atomic_write_text(path, json.dumps(payload, indent=2, default=_jsonable) + "\n")


def _jsonable(x: Any) -> Any:
    if isinstance(x, (np.floating, np.integer)):
        return x.item()
    if isinstance(x, np.ndarray):
        return x.tolist()
    if isinstance(x, Path):
        return str(x)
    raise TypeError(f"not JSON serialisable: {type(x)}")
