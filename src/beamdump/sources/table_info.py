"""What a meson or shower table is and where it lives, from its metadata alone (no arrays read).

Used by ``beamdump spectra inspect``: a table named by file (shipped in ``data/spectra`` or
``data/showers``, or any path), by cache key, or every table a preset's channels read. Each is a
:class:`TableInfo`: its settings, statistics and generator, location (shipped, user cache, or not
made yet with what would make it) and size in bytes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from ..datafiles import cache_dir, package_data, stored_key, stored_meta
from ..errors import BeamdumpInputError
from .shower_cascade import (
    CACHE_FOLDER,
    SECONDS_PER_PARTICLE,
    SHIPPED_FOLDER,
    shipped_name,
    shower_particles,
)

MESON_FOLDER = "spectra"  # package folder of the shipped meson tables
_KEY = re.compile(r"^[0-9a-f]{64}$")


@dataclass(frozen=True)
class TableInfo:
    """One table. kind: "meson" or "shower"; what: one line in words; settings and statistics:
    the stored fields (statistics: events/showers, seed, generator and its version, provenance);
    location: "shipped", "cache", "file" or "not made yet"; path: where it is (or would be
    cached); size: bytes on disk (None if not made); note: what makes a missing table."""

    kind: str
    key: str
    what: str
    settings: dict[str, Any]
    statistics: dict[str, Any]
    location: str
    path: Path
    size: int | None
    note: str = ""
    used_by: tuple[str, ...] = field(default=())


def read_meta(path: Path) -> dict[str, Any]:
    """The JSON metadata of a table file; an unreadable file or one that is no beamdump table is
    a one-line input error naming it."""
    try:
        meta = stored_meta(path)
        if not isinstance(meta, dict) or not isinstance(meta.get("settings"), dict):
            raise TypeError("no table settings in its metadata")
    except Exception as exc:
        raise BeamdumpInputError(f"table: {path} is not a readable beamdump table ({type(exc).__name__}: {exc})") from None
    return meta


def _kind(meta: dict[str, Any]) -> str:
    return "shower" if "n_showers" in meta["settings"] else "meson"


def _meson_what(s: dict[str, Any]) -> str:
    if s.get("frame") == "collider":
        return f"meson table (Pythia 8): pp collider at sqrt(s) = {2 * s['beam_energy_gev']:g} GeV"
    cascade = s.get("cascade_min_ekin")
    tail = f", the hadronic cascade's later collisions down to E_kin = {cascade:g} GeV" if cascade is not None else ""
    target = "isoscalar nucleons (pp/pn)" if s["target"] == "isoscalar" else s["target"]
    return f"meson table (Pythia 8): {s['beam_energy_gev']:g} GeV p on {target}{tail}"


def _shower_what(beam_energy: float, material: str) -> str:
    return f"shower table: {beam_energy:g} GeV e- in {material} (1D EM cascade)"


def _statistics(kind: str, meta: dict[str, Any]) -> dict[str, Any]:
    s, prov = meta["settings"], meta.get("provenance", {})
    if kind == "shower":
        out = {"showers": s["n_showers"], "seed": s["seed"], "generator": prov.get("generator", "beamdump EM cascade"),
               "table format": meta.get("format"), "git commit": prov.get("git_commit"), "made by": prov.get("made_by")}
    else:
        out = {"events": meta.get("n_events", s.get("n_events")), "seed": s.get("seed"), "chunk size": s.get("chunk_size"),
               "generator": f"{prov.get('generator', 'Pythia 8')} {s.get('pythia_version', '')}".strip(),
               "beamdump version": prov.get("beamdump_version"), "run on": prov.get("executed_by")}
    out["created"] = prov.get("created_utc")
    wall = prov.get("wall_s", prov.get("generation_wall_s"))
    out["wall time"] = f"{wall:.0f} s" if isinstance(wall, (int, float)) else None
    return {k: v for k, v in out.items() if v is not None}


def info_from_file(path: Path, location: str = "file") -> TableInfo:
    """A table file's :class:`TableInfo`."""
    meta = read_meta(path)
    kind, s = _kind(meta), meta["settings"]
    what = _shower_what(s["beam_energy"], s["material"]) if kind == "shower" else _meson_what(s)
    return TableInfo(kind, str(meta.get("key", "")), what, dict(s), _statistics(kind, meta), location, path,
                     path.stat().st_size)


def _shipped_files() -> list[Path]:
    return sorted([*package_data(MESON_FOLDER).glob("*.npz"), *package_data(SHIPPED_FOLDER).glob("*.npz")])


def shipped_names() -> list[str]:
    """File names of every shipped table (meson and shower)."""
    return [p.name for p in _shipped_files()]


def shipped_shower_lines() -> list[str]:
    """One line per shower table shipped in ``data/showers``: file, beam and material, statistics."""
    lines = []
    for path in sorted(package_data(SHIPPED_FOLDER).glob("*.npz")):
        info = info_from_file(path, "shipped")
        lines.append(f"{path.name:<38} {info.what.removeprefix('shower table: ')}; "
                     f"{info.statistics['showers']:.3g} showers, seed {info.statistics['seed']}")
    return lines


def _cache_files() -> list[Path]:
    from .spectra_lookup import spectra_cache

    found = []
    for folder in (spectra_cache(), cache_dir() / CACHE_FOLDER):
        try:
            found += sorted(p for p in folder.glob("*.npz") if not p.name.startswith("."))
        except OSError:
            continue
    return found


def find_table(name: str) -> TableInfo | None:
    """The table called ``name``: a path to a table file, a shipped file name (with or without
    ``.npz``) or a cache key; None if nothing is called so."""
    path = Path(name)
    if path.suffix == ".npz" and path.is_file():
        return info_from_file(path, "shipped" if path.resolve().parent in _shipped_dirs() else "file")
    stem = name[:-4] if name.endswith(".npz") else name
    for p in _shipped_files():
        if p.stem == stem:
            return info_from_file(p, "shipped")
    if _KEY.match(stem):
        for p in _cache_files():
            if p.stem == stem:
                return info_from_file(p, "cache")
    return None


def _shipped_dirs() -> set[Path]:
    return {package_data(MESON_FOLDER).resolve(), package_data(SHIPPED_FOLDER).resolve()}


def _locate(key: str, cache_path: Path, shipped: list[Path]) -> TableInfo | None:
    """The table of ``key`` as a reach finds it: the user cache first, then a shipped file."""
    same = [p for p in shipped if stored_key(p) == key]
    if cache_path.is_file():
        info = info_from_file(cache_path, "cache")
        return replace(info, note=f"read before the shipped copy {same[0].name}" if same else "")
    return info_from_file(same[0], "shipped") if same else None


def preset_tables(engine) -> list[TableInfo]:
    """Every table the channels of a reach engine (:func:`beamdump.engine.analysis.make_reach`)
    read, once each, with the runs that use it; a shower table not made yet is described with
    the simulation that makes it on first use (nothing is simulated here)."""
    from ..production.shower_source import ShowerChannel, default_shower_settings
    from .spectra_lookup import spectra_cache

    found: dict[str, TableInfo] = {}
    used: dict[str, list[str]] = {}
    meson_shipped = sorted(package_data(MESON_FOLDER).glob("*.npz"))
    for run in engine.runs:
        for chan in run.channels:
            keys: list[tuple[str, TableInfo | None]] = []
            if chan.spectra is not None:
                parts = chan.spectra.metadata.get("sum_of") or [{"key": chan.spectra.settings.key()}]
                for part in parts:
                    k = str(part["key"])
                    keys.append((k, found.get(k) or _locate(k, spectra_cache() / f"{k}.npz", meson_shipped)))
            elif isinstance(chan, ShowerChannel):
                st = chan.shower.settings if chan.shower is not None else default_shower_settings(chan.beam_energy, chan.mat)
                k = st.key()
                cached = cache_dir() / CACHE_FOLDER / f"{k}.npz"
                info = found.get(k) or _locate(k, cached, [package_data(SHIPPED_FOLDER, shipped_name(st))])
                if info is None:
                    seconds = shower_particles(st) * SECONDS_PER_PARTICLE
                    info = TableInfo(
                        "shower", k, _shower_what(st.beam_energy, st.material),
                        st.to_dict(), {"showers": st.n_showers, "seed": st.seed}, "not made yet", cached, None,
                        f"simulated on first use (~{seconds:.0f} s on one core) and cached there",
                    )
                keys.append((k, info))
            for k, info in keys:
                if info is not None:
                    found.setdefault(k, info)
                    used.setdefault(k, [])
                    if run.experiment.name not in used[k]:
                        used[k].append(run.experiment.name)
    return [replace(i, used_by=tuple(used[k])) for k, i in found.items()]
