#!/usr/bin/env python
"""Generate the electromagnetic shower tables shipped in ``src/beamdump/data/showers``.

One table per (material, beam energy) that a shipped electron preset needs: the default settings
of :func:`beamdump.production.shower_source.default_shower_settings` (n_showers, seed, e_min,
thickness, binning), simulated by :func:`beamdump.sources.shower_cascade.simulate` exactly as a
reach would on an empty cache, so a shipped table has the cache key of the one it replaces.
The tallies are stored in single precision (``--dtype float32``: half the size; the rounding,
≤ 6e-8 relative, is far below the tables' statistical error). Each file embeds its settings
(hence key), the escaping energy and the provenance (this script, git commit, numpy version,
date, wall time, the presets that use it); ``README.md`` next to them lists the same.

    python scripts/make_shower_tables.py [--workers 2] [--presets e774 na64-2017 ...] [--check]

``--check`` only verifies that every needed table is shipped with the current settings' key.
"""

from __future__ import annotations

import argparse
import dataclasses
import subprocess
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import numpy as np

from beamdump.datafiles import stored_key
from beamdump.experiments.experiment import CombinedExperiment, load_experiment, preset_names
from beamdump.production.shower_source import default_shower_settings
from beamdump.sources.shower_cascade import shipped_name, shower_particles, simulate
from beamdump.sources.shower_table import FORMAT_VERSION, ShowerSettings, ShowerTable

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_OUT = ROOT / "src" / "beamdump" / "data" / "showers"


def needed_tables(names: list[str] | None = None) -> dict[ShowerSettings, list[str]]:
    """Default shower settings of every electron preset (or of ``names``) → the presets using them."""
    out: dict[ShowerSettings, list[str]] = {}
    for name in names or preset_names():
        exp = load_experiment(name)
        for run in exp.parts if isinstance(exp, CombinedExperiment) else [exp]:
            if run.config.beam.particle != "electron":
                continue
            settings = default_shower_settings(run.beam_energy, run.config.beam.target)
            users = out.setdefault(settings, [])
            if name not in users:
                users.append(name)
    return out


def _git_commit() -> str:
    try:
        sha = subprocess.run(["git", "rev-parse", "HEAD"], cwd=ROOT, capture_output=True, text=True, check=True).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--", "src/beamdump/sources"], cwd=ROOT,
                               capture_output=True, text=True, check=True).stdout.strip()
        return sha + ("+modified-sources" if dirty else "")
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def _make(settings: ShowerSettings) -> ShowerTable:
    return simulate(settings)


def _readme(rows: list[tuple[str, ShowerSettings, ShowerTable, list[str], int]], dtype: str) -> str:
    """README.md of the folder: what the tables are, how they are looked up, one row per table."""
    lines = [
        "# Shipped electromagnetic shower tables",
        "",
        "Made by `scripts/make_shower_tables.py` (regenerate with `python scripts/make_shower_tables.py`;",
        "`--check` verifies them). One table per material and beam energy of a shipped electron preset,",
        "with the default settings of `production/shower_source.py:default_shower_settings`, simulated by",
        "the 1D cascade of `sources/shower_cascade.py` (Rossi approximation B, PDG materials of",
        "`data/materials.toml`). A reach looks a table up in the user cache first, then here (by its",
        "cache key: a file is used only if its settings are exactly the requested ones; these files are",
        "never written to), and simulates and caches it otherwise.",
        "",
        f"Table format {FORMAT_VERSION}; tallies per beam electron stored as {dtype} (relative rounding",
        "≤ 6e-8, far below the statistical error of any cell), bin edges as float64. Each file's JSON",
        "metadata holds the settings (n_showers, seed, e_min, thickness, binning), its key, and the",
        "provenance (script, git commit, numpy version, date, wall time on one core).",
        "",
        "| file | material | E0 (GeV) | n_showers | seed | e_min (GeV) | thickness (X0) | depth bin (X0) | bins/decade | wall (s) | size (kB) | presets |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    total = 0
    for name, s, table, users, size in rows:
        total += size
        lines.append(
            f"| `{name}` | {s.material} | {s.beam_energy:g} | {s.n_showers} | {s.seed} | {s.e_min:g} | {s.thickness:g} "
            f"| {s.depth_bin:g} | {s.bins_per_decade} | {table.metadata.get('wall_s', float('nan')):.0f} "
            f"| {size / 1e3:.0f} | {', '.join(users)} |"
        )
    lines += ["", f"Total: {len(rows)} tables, {total / 1e6:.2f} MB.", ""]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--presets", nargs="+", default=None, help="only the tables of these presets (default: all)")
    ap.add_argument("--workers", type=int, default=2, help="processes (one table each at a time)")
    ap.add_argument("--dtype", choices=["float32", "float64"], default="float32", help="storage of the tallies")
    ap.add_argument("--out", type=Path, default=DEFAULT_OUT, help="output folder")
    ap.add_argument("--check", action="store_true", help="only check that every needed table is shipped and current")
    args = ap.parse_args(argv)
    needed = needed_tables(args.presets)
    if args.check:
        bad = [shipped_name(s) for s in needed if stored_key(args.out / shipped_name(s)) != s.key()]
        for s, users in needed.items():
            state = "missing or stale" if shipped_name(s) in bad else "ok"
            print(f"{shipped_name(s):<28} {state:<16} {', '.join(users)}")
        return 1 if bad else 0
    # the biggest first, so that the workers finish together
    order = sorted(needed, key=shower_particles, reverse=True)
    commit = _git_commit()
    dtype = np.float32 if args.dtype == "float32" else np.float64
    args.out.mkdir(parents=True, exist_ok=True)
    t0 = time.perf_counter()
    rows = []
    with ProcessPoolExecutor(max_workers=max(1, args.workers)) as pool:
        for s, table in zip(order, pool.map(_make, order)):
            meta = dict(table.metadata, made_by="scripts/make_shower_tables.py", git_commit=commit,
                        presets=needed[s], stored_dtype=args.dtype)
            table = dataclasses.replace(table, metadata=meta)
            path = table.save(args.out / shipped_name(s), dtype=dtype)
            back = ShowerTable.load(path, expected_key=s.key())  # validates what was written
            assert np.allclose(back.track, table.track, rtol=1e-6, atol=0)
            size = path.stat().st_size
            rows.append((path.name, s, table, needed[s], size))
            print(f"{path.name:<28} {s.n_showers} showers, seed {s.seed}: {meta['wall_s']:.0f} s, {size / 1e3:.0f} kB"
                  f" ({', '.join(needed[s])})", flush=True)
    print(f"{len(rows)} tables in {time.perf_counter() - t0:.0f} s, {sum(r[4] for r in rows) / 1e6:.2f} MB: {args.out}")
    # the README lists every needed table in the folder (also those made by an earlier run)
    listed = []
    every = needed if args.presets is None else needed_tables()
    for s, users in sorted(every.items(), key=lambda kv: (kv[0].material, kv[0].beam_energy)):
        path = args.out / shipped_name(s)
        if stored_key(path) == s.key():
            listed.append((path.name, s, ShowerTable.load(path, expected_key=s.key()), users, path.stat().st_size))
    (args.out / "README.md").write_text(_readme(listed, args.dtype), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
