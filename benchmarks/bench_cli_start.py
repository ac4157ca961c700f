"""Benchmark: whole-process time of the quick commands (``beamdump --version``, ``--help``,
``list``, ``spectra --help``), this checkout against another one in the same run.

Each command runs ``N`` times as a fresh process, alternating between the checkouts so both see
the same machine load; printed are the best and median wall time and the best CPU time (user +
sys of the child, less sensitive to other work on the machine). Target (issue 13): ≤ 0.6 s wall.

    python benchmarks/bench_cli_start.py [--old PATH] [-n N]

``--old PATH``: another checkout's ``src`` (e.g. ``git worktree add /tmp/old HEAD~1`` and
``--old /tmp/old/src``). Also prints whether scipy, matplotlib or dask were imported.
"""

from __future__ import annotations

import argparse
import resource
import statistics
import subprocess
import sys
import time

from _checkout import checkout_env

_CODE = (
    "import sys; from beamdump.cli import main; sys.argv[0] = 'beamdump'\n"
    "try:\n    main()\nfinally:\n"
    "    heavy = sorted({m.split('.')[0] for m in sys.modules} & {'scipy', 'matplotlib', 'dask'})\n"
    "    sys.stderr.write('HEAVY:' + ','.join(heavy) + '\\n')\n"
)
COMMANDS = (["--version"], ["--help"], ["list"], ["spectra", "--help"])


def _once(args: list[str], src: str | None) -> tuple[float, float, str]:
    """(wall s, cpu s, heavy modules imported) of one process."""
    env = checkout_env(src)
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    r = subprocess.run([sys.executable, "-c", _CODE, *args], env=env, capture_output=True, text=True)
    wall = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    if r.returncode != 0:
        raise SystemExit(f"{args}: exit code {r.returncode}: {r.stderr.strip()[-300:]}")
    heavy = next((ln[6:] for ln in r.stderr.splitlines() if ln.startswith("HEAVY:")), "?")
    return wall, cpu, heavy or "none"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--old", help="src folder of another checkout to compare with")
    ap.add_argument("-n", type=int, default=7, help="runs per command and checkout")
    opts = ap.parse_args()
    trees = {"this": None, **({"old": opts.old} if opts.old else {})}
    for args in COMMANDS:
        runs: dict[str, list[tuple[float, float, str]]] = {k: [] for k in trees}
        for _ in range(opts.n):
            for name, src in trees.items():
                runs[name].append(_once(args, src))
        for name, rs in runs.items():
            walls = [r[0] for r in rs]
            print(f"{' '.join(args):<15} {name:<5} wall best {min(walls):.3f} s, median {statistics.median(walls):.3f} s; "
                  f"cpu best {min(r[1] for r in rs):.3f} s; heavy imports: {rs[-1][2]}")


if __name__ == "__main__":
    main()
