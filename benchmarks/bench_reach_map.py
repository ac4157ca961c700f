"""Benchmark: the full reach map of a preset (default na62-dump-2021), 100 masses × 100 couplings,
every channel of the preset, spectra from the shipped (cached) tables, on one core.

Prints the wall time of the map, the time per mass split into production sampling, geometry +
daughter acceptance, and coupling evaluation, the time of the band edges, and the peak memory.

    python benchmarks/bench_reach_map.py [PRESET] [--repeat 3] [--masses MIN:MAX] [--model b-l] [--workers 2]

``--workers N`` also times the map with its masses on N Dask worker processes (cluster start and
shutdown included, as a run pays them), checks that the events are bit-identical and prints the
speed-up over one core. Compare with another commit in the same run:
``PYTHONPATH=/tmp/old/src python benchmarks/bench_reach_map.py`` (a git worktree of it).

Electron presets (e.g. na64-2017-2018) need their shower tables: the first run simulates and
caches them (tens of seconds, reported as setup), later runs read the cache. Their default mass
range runs to 10 GeV; ``--masses 0.00105:0.05`` puts all 100 masses where NA64 is sensitive.
"""

from __future__ import annotations

import argparse
import os
import resource
import time

os.environ.setdefault("OMP_NUM_THREADS", "1")  # one core: no threaded BLAS
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("MKL_NUM_THREADS", "1")

import numpy as np  # noqa: E402

from beamdump.engine import decay_in_volume  # noqa: E402
from beamdump.engine.analysis import default_mass_range, make_reach, run_reach  # noqa: E402
from beamdump.experiments.experiment import load_experiment  # noqa: E402


class _Timer:
    """Wraps a function and adds its wall time to a counter."""

    def __init__(self, fn):
        self.fn, self.seconds = fn, 0.0

    def __call__(self, *a, **k):
        t = time.perf_counter()
        try:
            return self.fn(*a, **k)
        finally:
            self.seconds += time.perf_counter() - t


def main() -> None:  # run as a script: the worker processes re-import this module
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("preset", nargs="?", default="na62-dump-2021")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--masses", default=None, help="MIN:MAX in GeV (default: the channels' range)")
    ap.add_argument("--model", default="dark-photon", help="model (see beamdump list)")
    ap.add_argument("--workers", type=int, default=1, help="also time the map on N worker processes")
    args = ap.parse_args()
    cores = None
    try:
        cores = os.sched_getaffinity(0)
        os.sched_setaffinity(0, {min(cores)})
    except (AttributeError, OSError):
        pass

    exp = load_experiment(args.preset)
    t0 = time.perf_counter()
    reach = make_reach(exp, args.model)
    lo, hi = (float(x) for x in args.masses.split(":")) if args.masses else default_mass_range(reach)
    masses = np.geomspace(lo, hi, 100)
    couplings = np.geomspace(1e-9, 1e-1, 100)
    reach.flux(float(masses[len(masses) // 2]))  # load the tables, draw the parents, build the showers (once)
    setup = time.perf_counter() - t0

    from beamdump.engine import reach as reach_mod

    walls, geometry = [], []
    for _ in range(args.repeat):
        timers = {name: _Timer(getattr(decay_in_volume, name)) for name in ("flights_through", "decay_terms")}
        for name, timer in timers.items():
            setattr(reach_mod, name, timer)
        t = time.perf_counter()
        grid, _ = reach.grid(masses, couplings)
        walls.append(time.perf_counter() - t)
        geometry.append(sum(tm.seconds for tm in timers.values()))
        for name in timers:
            setattr(reach_mod, name, getattr(decay_in_volume, name))
    t = time.perf_counter()
    result = run_reach(reach, masses, couplings)
    full = time.perf_counter() - t
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0

    i_best = int(np.argmin(walls))
    best, geometry = walls[i_best], geometry[i_best]
    couplings_s = grid.timings["couplings_s"]
    production = best - geometry - couplings_s
    print(f"preset {args.preset}: {len(masses)} masses × {len(couplings)} couplings, "
          f"channels {', '.join(c.name for c in reach.channels)}, final states {', '.join(reach.final_states)}")
    print(f"setup (load tables, draw parents, once): {setup:.3f} s")
    print(f"events grid: best {best:.3f} s, median {np.median(walls):.3f} s of {args.repeat} "
          f"(all: {', '.join(f'{w:.3f}' for w in walls)})")
    print(f"  per mass {1e3 * best / len(masses):.2f} ms = production {1e3 * production / len(masses):.2f} ms"
          f" + geometry/acceptance {1e3 * geometry / len(masses):.2f} ms"
          f" + couplings {1e3 * couplings_s / len(masses):.2f} ms")
    print(f"grid + upper limit + band edges (run_reach): {full:.3f} s (edges {result.timings['contour_s']:.3f} s)")
    print(f"peak memory (max RSS): {peak_mb:.0f} MB")
    print(f"excluded masses {result.band.mass_range[0]:.4g}–{result.band.mass_range[1]:.4g} GeV")
    if args.workers > 1:
        if cores is not None:
            os.sched_setaffinity(0, cores)  # the workers need the other cores
        spread = []
        for _ in range(args.repeat):
            t = time.perf_counter()
            par, _ = reach.grid(masses, couplings, workers=args.workers)
            spread.append(time.perf_counter() - t)
        same = np.array_equal(par.total, grid.total)
        print(f"events grid on {args.workers} workers (Dask LocalCluster, start and shutdown included): best "
              f"{min(spread):.3f} s of {args.repeat} (all: {', '.join(f'{w:.3f}' for w in spread)}; "
              f"computing {par.timings['flux_s'] + par.timings['couplings_s']:.3f} s of the last); "
              f"speed-up over one core {best / min(spread):.2f}x; events bit-identical: {same}")


if __name__ == "__main__":
    main()
