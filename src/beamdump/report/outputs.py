"""Output files of a reach run: events.csv, contour.csv, contour.yaml (HEPData), run.json."""

from __future__ import annotations

import json
import platform
from pathlib import Path
from typing import Any

import numpy as np
import yaml

from .. import __version__
from ..datafiles import atomic_write
from ..errors import BeamdumpInputError
from ..limits.contours import DEFAULT_COUPLING, DEFAULT_MODEL, ExclusionBand, format_cl, metadata_comments
from ..models.base import Coupling


def atomic_write_text(path: Path, text: str) -> None:
    """Write ``text`` (UTF-8) to ``path`` atomically."""
    atomic_write(path, lambda f: f.write(text.encode("utf-8")))


def write_events_csv(
    path: Path,
    masses,
    couplings,
    total,
    by_channel: dict[str, np.ndarray],
    coupling: Coupling = DEFAULT_COUPLING,
    model: str = DEFAULT_MODEL,
) -> None:
    """One row per (mass, coupling): mass_gev, the coupling (its key: ``eps``, ``g_BL`` …), events,
    then one column per channel; ``# model:`` and ``# coupling:`` lines first. Atomic."""
    names = list(by_channel)
    mm, gg = np.meshgrid(masses, couplings, indexing="ij")
    cols = [mm.ravel(), gg.ravel(), np.asarray(total).ravel()] + [np.asarray(by_channel[n]).ravel() for n in names]
    header = ["mass_gev", coupling.key, "events"] + [f"events_{n}" for n in names]
    write_rows(Path(path), header, [list(r) for r in zip(*cols)], metadata_comments(model, coupling))


def write_channel_contours(
    path: Path,
    bands: dict[str, ExclusionBand],
    key: str = "channel",
    coupling: Coupling | None = None,
    comments: tuple[str, ...] = (),
) -> None:
    """Long table of several bands: ``key`` (channel or experiment), mass_gev, <c>_lower, <c>_upper
    with <c> the coupling's key (default: the bands' own, which must then agree)."""
    if coupling is None:
        keys = {b.coupling.key: b.coupling for b in bands.values()}
        if len(keys) > 1:
            raise BeamdumpInputError(
                f"bands: couplings {', '.join(keys)} differ; one table holds bands of one coupling"
            )
        coupling = next(iter(keys.values()), DEFAULT_COUPLING)
    rows = [[name, m, lo, hi] for name, band in bands.items() for m, lo, hi in zip(band.masses, band.lower, band.upper)]
    write_rows(path, [key, "mass_gev", f"{coupling.key}_lower", f"{coupling.key}_upper"], rows, comments)


def write_rows(path: Path, header: list[str], rows: list[list[Any]], comments: tuple[str, ...] = ()) -> None:
    """A CSV with ``#`` comment lines, a header and rows (floats as %.6g, empty for NaN), atomically."""

    def cell(v: Any) -> str:
        if isinstance(v, (float, np.floating)):
            return "" if not np.isfinite(v) else f"{v:.6g}"
        return str(v)

    lines = [f"# {c}" for c in comments] + [",".join(header)] + [",".join(cell(v) for v in r) for r in rows]
    atomic_write_text(path, "\n".join(lines) + "\n")


def hepdata_table(band: ExclusionBand, description: str, coupling_name: str | None = None) -> dict[str, Any]:
    """The band as a HEPData table (independent variable: mass; dependent: the two edges).

    The edges are named after the band's coupling (``eps lower edge``; ``coupling_name`` replaces
    the key), with its unit when it has one; their qualifiers are the band's CL and model. A
    missing edge (NaN, in a read published band) is ``-``."""
    c = band.coupling
    name = coupling_name or c.key
    qualifiers = [{"name": "CL", "value": format_cl(band.cl)}, {"name": "model", "value": band.model}]

    def edge(which: str, values) -> dict[str, Any]:
        header: dict[str, Any] = {"name": f"{name} {which} edge"}
        if c.unit:
            header["units"] = c.unit
        return {
            "header": header,
            "qualifiers": [dict(q) for q in qualifiers],
            "values": [{"value": float(v) if np.isfinite(v) else "-"} for v in values],
        }

    return {
        "name": "Excluded region",
        "description": description,
        "independent_variables": [
            {"header": {"name": "M", "units": "GeV"}, "values": [{"value": float(m)} for m in band.masses]}
        ],
        "dependent_variables": [edge("lower", band.lower), edge("upper", band.upper)],
    }


def write_hepdata_yaml(path: Path, band: ExclusionBand, description: str, coupling_name: str | None = None) -> None:
    atomic_write_text(
        path, yaml.safe_dump(hepdata_table(band, description, coupling_name), sort_keys=False, allow_unicode=True)
    )


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
