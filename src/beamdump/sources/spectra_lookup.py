"""Find the meson table a reach needs: shipped, else generated into the cache, else say how to make it.

Lookup order for a :class:`TableRequest` (:func:`find_tables`):

1. the table shipped in ``beamdump/data/spectra`` under the request's file name;
2. a table in ``<cache>/spectra`` (``beamdump spectra generate``, :func:`.meson_generator.cached_spectra`)
   with the same physics settings (:func:`same_physics`: frame, target model, beam energy, Pythia
   processes and options (tune, Angantyr fit), species, feed-down, cascade cut and binning). The
   statistics may differ (``n_events``, ``seed``, ``chunk_size``) and so may the Pythia version:
   the version is part of a table's key and provenance, and the shipped tables (Pythia 8.317) are
   used under any installed version too, so a cached table is not hidden by an upgrade. Among
   matches the most events win, then the installed Pythia version;
3. otherwise one :class:`~beamdump.errors.BeamdumpInputError` line with the exact
   ``beamdump spectra generate`` command that makes the table, its expected run time and the
   cache file it writes.

A damaged or unreadable cache file, or a cache folder that is not a readable folder, is reported
with a one-line warning and skipped. Cache file names stay ``<key>.npz`` with the key of
:meth:`.spectrum_settings.SpectrumSettings.key`. Units: GeV, seconds.
"""

from __future__ import annotations

import json
import math
import os
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from beamdump.datafiles import cache_dir, package_data
from beamdump.errors import BeamdumpInputError, CacheError
from beamdump.sources.meson_table import MesonSpectra
from beamdump.sources.spectrum_settings import SpectrumSettings, installed_pythia_version

__all__ = [
    "GENERATE_CHUNK",
    "GENERATE_EVENTS",
    "GENERATE_WORKERS",
    "EVENTS_PER_S_PER_CORE",
    "CachedTable",
    "TableRequest",
    "cached_tables",
    "find_cached",
    "find_tables",
    "generate_hint",
    "number_option",
    "same_physics",
    "spectra_cache",
]

#: Defaults of ``beamdump spectra generate`` (``--events``, ``--chunk-size``, ``--workers``, and
#: ``--seed 1``): the command of the error message makes exactly the table of these settings.
GENERATE_EVENTS = 100_000
GENERATE_CHUNK = 25_000
GENERATE_WORKERS = 2

#: Generation speed per core by kind of table (events/s; cascade: beam protons/s), measured:
#: ``events_per_s`` / 2 workers in the provenance of the shipped tables (Pythia 8.317.2):
#: nucleons 4360 at 400 GeV (6700-7000 at 70-120 GeV); Angantyr p+A 1060 (Mo, 400 GeV) to 1940
#: (Fe, 70 GeV); the Cu cascade at 400 GeV 313; LHC pp 273 (14 TeV) to 405 (13.6 TeV). The slow end.
EVENTS_PER_S_PER_CORE = {"nucleon": 4000.0, "nucleus": 1000.0, "cascade": 300.0, "collider": 270.0}
#: Pythia fits Angantyr's sub-collisions at each initialisation when nuclei.toml stores no fit
#: for the energy (:func:`.nuclear_targets.angantyr_options`): ≈ 20 s per chunk.
ANGANTYR_FIT_S = 20.0

#: Settings fields that set the statistics, not the physics of a table.
_STATISTICS = ("n_events", "seed", "chunk_size", "pythia_version")


@dataclass(frozen=True)
class TableRequest:
    """A meson table a reach needs.

    settings: what ``beamdump spectra generate <options>`` makes (its default statistics).
    options: the command's options, e.g. ``--beam-energy 85`` or ``--ecm 13600 --tune forward``.
    shipped_name: the table's file name in ``data/spectra`` if it were shipped.
    what: the table in words, e.g. "85 GeV p on nucleons (pp/pn)".
    kind: its speed class, a key of :data:`EVENTS_PER_S_PER_CORE`.
    """

    settings: SpectrumSettings
    options: str
    shipped_name: str
    what: str
    kind: str


@dataclass(frozen=True)
class CachedTable:
    """A table found in the cache: its settings, statistics and file (read from its metadata only)."""

    settings: SpectrumSettings
    n_events: int
    path: Path


def number_option(x: float) -> str:
    """A number as a command-line value that parses back to exactly ``x`` (85.0 → "85")."""
    text = f"{float(x):.15g}"
    return text if float(text) == float(x) else repr(float(x))


def spectra_cache() -> Path:
    """The folder of generated meson tables: ``<cache>/spectra``."""
    return cache_dir() / "spectra"


def same_physics(a: SpectrumSettings, b: SpectrumSettings) -> bool:
    """Whether two settings describe the same table up to its statistics (events, seed, chunks,
    Pythia version); beam energies equal to 1e-9."""
    da, db = a.to_dict(), b.to_dict()
    for d in (da, db):
        for name in _STATISTICS:
            d.pop(name, None)
    ea, eb = da.pop("beam_energy_gev"), db.pop("beam_energy_gev")
    return math.isclose(ea, eb, rel_tol=1e-9) and da == db


def _warn(message: str) -> None:
    warnings.warn(message, RuntimeWarning, stacklevel=3)


def _peek(path: Path) -> CachedTable:
    """Settings and statistics of a cached table from its metadata alone (no arrays read);
    any problem raises :class:`CacheError`."""
    try:
        with open(path, "rb") as f, np.load(f, allow_pickle=False) as z:
            meta = json.loads(str(z["meta"][()]))
        return CachedTable(SpectrumSettings.from_dict(meta["settings"]), int(meta["n_events"]), path)
    except Exception as exc:
        raise CacheError(f"{path}: unreadable meson table ({type(exc).__name__}: {exc})") from exc


def cached_tables() -> list[CachedTable]:
    """Every readable meson table in :func:`spectra_cache`, sorted by file name. Unreadable files
    and an unreadable or file-shaped cache folder are reported with a warning and skipped."""
    folder = spectra_cache()
    try:
        with os.scandir(folder) as it:
            names = sorted(e.name for e in it if e.name.endswith(".npz") and not e.name.startswith("."))
    except FileNotFoundError:
        return []
    except OSError as exc:
        _warn(f"meson table cache {folder} not read ({exc.strerror or exc}); set BEAMDUMP_CACHE_DIR to a folder")
        return []
    found = []
    for name in names:
        try:
            found.append(_peek(folder / name))
        except CacheError as exc:
            _warn(f"skipping {exc}")
    return found


def find_cached(settings: SpectrumSettings) -> MesonSpectra | None:
    """The cached table with the physics of ``settings`` and the most events (then the installed
    Pythia version), or None. A candidate that fails to load is skipped with a warning."""
    installed = installed_pythia_version()
    matches = [c for c in cached_tables() if same_physics(c.settings, settings)]
    matches.sort(key=lambda c: (c.n_events, c.settings.pythia_version == installed), reverse=True)
    for c in matches:
        try:
            return MesonSpectra.load(c.path, expected_key=c.path.stem)
        except CacheError as exc:
            _warn(f"skipping {exc}")
    return None


def _duration(seconds: float) -> str:
    if seconds < 90:
        return f"{max(seconds, 1):.0f} s"
    if seconds < 5400:
        return f"{seconds / 60:.0f} min"
    return f"{seconds / 3600:.1f} h"


def generate_hint(request: TableRequest) -> str:
    """How to make the table: the command, its run time on the default workers, the cache file."""
    s = request.settings
    cores = min(GENERATE_WORKERS, math.ceil(s.n_events / s.chunk_size))
    rate = EVENTS_PER_S_PER_CORE[request.kind]
    seconds = s.n_events / (rate * cores)
    fit = request.kind == "nucleus" and not any(o.startswith("HeavyIon:SigFit") for o in s.pythia_options)
    if fit:  # chunks initialise Pythia one after the other on each worker
        seconds += ANGANTYR_FIT_S * math.ceil(math.ceil(s.n_events / s.chunk_size) / cores)
    return (f"`beamdump spectra generate {request.options}` ({s.n_events} events, ~{_duration(seconds)} on "
            f"{cores} cores at ~{rate:.0f} events/s/core{' plus Angantyr fits' if fit else ''}), "
            f"cached as {spectra_cache() / (s.key() + '.npz')}")


def find_tables(requests: Sequence[TableRequest], field: str, shipped: str) -> list[MesonSpectra]:
    """The tables of ``requests``, each shipped or cached (see the module docstring). If any is
    missing: one input error naming ``field``, what is missing, the ``shipped`` tables of its
    kind (text) and, per missing table, the command that makes it."""
    found: list[MesonSpectra | None] = []
    for req in requests:
        path = package_data("spectra", req.shipped_name)
        found.append(MesonSpectra.load(path) if path.exists() else find_cached(req.settings))
    missing = [r for r, t in zip(requests, found) if t is None]
    if missing:
        hints = " and ".join(generate_hint(r) for r in missing)
        raise BeamdumpInputError(
            f"{field}: no shipped table for {' nor for '.join(r.what for r in missing)} "
            f"(shipped: {shipped or 'none'}) and none generated in {spectra_cache()}; "
            f"make {'it' if len(missing) == 1 else 'them'} with {hints}"
        )
    return [t for t in found if t is not None]
