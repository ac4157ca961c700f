"""Benchmark: the time to write a reach figure (``plot_bands``: a 100 × 140 event map, our band
and a reference, mplhep style, title fitted), this checkout against another one in the same run.

Each checkout runs in its own process, alternating, ``--rounds`` times; printed are the first
figure (imports of matplotlib and mplhep included) and the best CPU time of the next ones.

    python benchmarks/bench_figure.py [--old PATH] [--rounds 3]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys

from _checkout import checkout_env

_CODE = r"""
import time
import numpy as np
from beamdump.limits.contours import ExclusionBand
from beamdump.report.plotting import plot_bands
M = np.geomspace(0.01, 1, 100)
g = np.geomspace(1e-9, 1e-2, 140)
band = ExclusionBand(M, np.geomspace(1e-7, 1e-6, 100), np.geomspace(1e-3, 1e-5, 100))
events = (M, g, np.outer(np.ones(100), g) * 1e9, 2.3)
times = []
for _ in range(8):
    t = time.process_time()
    plot_bands([("ours", band)], OUT, title="NA62 beam-dump mode, 2021 (1.4e17 POT)", references=[("ref", band)], events=events)
    times.append(time.process_time() - t)
print(f"first {times[0]:.3f} s, best of the next {len(times) - 1}: {min(times[1:]):.3f} s (cpu)")
"""


def _run(src: str | None, out: str) -> str:
    env = checkout_env(src, MPLBACKEND="Agg")
    r = subprocess.run([sys.executable, "-c", f"OUT = {out!r}\n" + _CODE], env=env, capture_output=True, text=True)
    if r.returncode != 0:
        raise SystemExit(r.stderr.strip()[-400:])
    return r.stdout.strip()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--old", help="src folder of another checkout to compare with")
    ap.add_argument("--rounds", type=int, default=3)
    opts = ap.parse_args()
    import tempfile

    with tempfile.TemporaryDirectory(prefix="bd_fig_") as tmp:
        for _ in range(opts.rounds):
            print(f"this: {_run(None, os.path.join(tmp, 'a.png'))}")
            if opts.old:
                print(f"old:  {_run(opts.old, os.path.join(tmp, 'b.png'))}")


if __name__ == "__main__":
    main()
