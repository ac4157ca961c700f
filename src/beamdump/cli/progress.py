"""Progress of the long stages: a bar on a terminal, one line per stage when piped."""

from __future__ import annotations

import contextlib
import sys
import time
from typing import Callable, Iterator

import typer


@contextlib.contextmanager
def stage(desc: str, total: int, unit: str, per_part: int | None = None, count: str | None = None) -> Iterator[Callable[..., None]]:
    """Progress of one stage of ``total`` steps, as a callback taking the steps done.

    On a terminal (stderr) a tqdm bar whose estimate leaves out the first step of each part of
    ``per_part`` steps (the step that builds or loads the tables: counted, it made the estimate at
    1/100 read 1:18:21 for a 98 s run); otherwise one line when the stage is done
    (``<desc>: <count> ... done in <t> s``, count by default ``<total> <unit>s``), so piped output and CI logs carry no bar noise.
    """
    t0 = time.perf_counter()
    if not sys.stderr.isatty():
        yield lambda n=1: None
        count = count or f"{total} {unit}{'es' if unit.endswith('s') else 's'}"
        typer.echo(f"{desc}: {count} ... done in {time.perf_counter() - t0:.1f} s", err=True)
        return
    from tqdm import tqdm

    fmt = "{l_bar}{bar}| {n_fmt}/{total_fmt} [{remaining} left, {rate_fmt}]"  # no elapsed: it leaves out the table steps
    with tqdm(total=total, desc=desc, unit=unit, leave=False, smoothing=0, bar_format=fmt) as bar:
        last = bar.start_t

        def step(n: int = 1) -> None:
            nonlocal last
            now = bar._time()
            first = per_part is not None and bar.n % per_part == 0
            if first:  # the table-building step: out of the rate (tqdm's rate is (n - initial) / elapsed)
                bar.start_t += now - last
                bar.initial += n
            last = now
            bar.update(n)

        yield step


def run_with_progress(engine, m_grid, g_grid, workers: int = 1):
    """run_reach with its progress over the masses (and runs, for a combined preset): see :func:`stage`;
    ``workers`` processes share the masses."""
    from ..engine.analysis import run_reach

    n_m = len(m_grid) if m_grid is not None else 100
    n_runs = len(engine.runs)
    count = f"{n_m} masses" + (f" × {n_runs} runs" if n_runs > 1 else "")
    with stage(engine.experiment.name, n_m * n_runs, "mass", per_part=n_m, count=count) as step:
        return run_reach(engine, m_grid, g_grid, progress=step, workers=workers)
