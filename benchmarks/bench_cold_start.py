"""Benchmark: the cold start of ``beamdump reach <preset>`` on an empty cache, for every shipped
preset (or the ones named), and the time to get E774's default shower table on an empty cache.

Each run is a whole process (``beamdump reach PRESET --out TMP``) with ``BEAMDUMP_CACHE_DIR`` set
to a fresh empty folder, so every table the preset needs is read from the package or made from
scratch. Prints one line per preset (wall time, exit code) and the E774 shower time.

    python benchmarks/bench_cold_start.py [PRESET ...] [--src PATH] [--no-shower]

``--src PATH`` runs another checkout's sources (``PYTHONPATH=PATH``), e.g. the previous commit
made with ``git worktree add /tmp/old HEAD~1`` and ``--src /tmp/old/src``, to compare in one run.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from _checkout import checkout_env

_CLI = "import sys; from beamdump.cli import main; sys.argv[0] = 'beamdump'; main()"
_SHOWER = (
    "from beamdump.production.shower_source import ShowerChannel; "
    "t = ShowerChannel(275.0, 'tungsten').table; print(t.settings.n_showers, 'showers')"
)


def _env(src: str | None, cache: str) -> dict[str, str]:
    return checkout_env(src, BEAMDUMP_CACHE_DIR=cache, MPLBACKEND="Agg")


def _run(args: list[str], src: str | None) -> tuple[float, int, str]:
    """(wall s, exit code, last stderr line) of one process on an empty cache."""
    with tempfile.TemporaryDirectory(prefix="bd_cold_") as tmp:
        cache = str(Path(tmp) / "cache")
        t0 = time.perf_counter()
        proc = subprocess.run([sys.executable, "-c", *args], env=_env(src, cache), cwd=tmp,
                              capture_output=True, text=True)
        wall = time.perf_counter() - t0
    tail = (proc.stderr.strip().splitlines() or [""])[-1] if proc.returncode else ""
    return wall, proc.returncode, tail


def _presets(src: str | None) -> list[str]:
    code = "from beamdump.experiments.experiment import preset_names; print('\\n'.join(preset_names()))"
    out = subprocess.run([sys.executable, "-c", code], env=_env(src, tempfile.gettempdir()),
                         capture_output=True, text=True, check=True)
    return out.stdout.split()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("presets", nargs="*", help="presets (default: every shipped one)")
    ap.add_argument("--src", default=None, help="run the sources under this folder (PYTHONPATH)")
    ap.add_argument("--no-shower", action="store_true", help="skip the E774 shower table timing")
    args = ap.parse_args()
    names = args.presets or _presets(args.src)
    label = args.src or "installed beamdump"
    print(f"cold start (empty BEAMDUMP_CACHE_DIR), {label}, {os.cpu_count()} cores")
    total = 0.0
    for name in names:
        wall, rc, tail = _run([_CLI, "reach", name, "--out", "out"], args.src)
        total += wall
        print(f"  reach {name:<18} {wall:7.1f} s  rc={rc}{'  ' + tail if tail else ''}", flush=True)
    print(f"  all {len(names)} presets      {total:7.1f} s")
    if not args.no_shower:
        wall, rc, tail = _run([_SHOWER], args.src)
        print(f"  E774 shower table (275 GeV e- in W) {wall:.1f} s  rc={rc}{'  ' + tail if tail else ''}")


if __name__ == "__main__":
    main()
