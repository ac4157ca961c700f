"""The masses of a map spread over processes: a Dask ``LocalCluster`` of single-threaded worker
processes, as the meson generator uses (:mod:`beamdump.sources.meson_generator`).

Each mass's random streams are keyed by (seed, mass) and each channel's reused draws by
(seed, channel), never by the worker or the order of the masses, so the lifetime tables, and the
events, are bit-identical for any number of workers.
"""

from __future__ import annotations

import contextlib
import logging
import operator
from typing import TYPE_CHECKING, Callable, Iterator, Sequence

import numpy as np

from ..errors import BeamdumpInputError
from ..kinematics import FloatArray

if TYPE_CHECKING:
    from .reach import MassFlux, Reach

CHUNKS_PER_WORKER = 2  # tasks per worker: few (each ships the masses' tables back) but enough to balance


def checked_workers(workers: object, name: str = "workers") -> int:
    """``workers`` as an int ≥ 1, or a one-line BeamdumpInputError naming it (as ``name``)."""
    try:
        n = operator.index(workers)  # type: ignore[arg-type]
    except TypeError:
        n = 0
    if isinstance(workers, bool) or n < 1:
        raise BeamdumpInputError(f"{name}: {workers!r}; allowed: an integer >= 1 (1 computes in this process)")
    return n


class MassPool:
    """A Dask client whose worker processes compute the lifetime tables of chunks of masses."""

    def __init__(self, client, workers: int) -> None:
        self.client = client
        self.workers = workers

    def fluxes(
        self,
        reach: "Reach",
        masses: FloatArray,
        constants: Sequence[tuple[float, dict[str, float]]],
        progress: Callable[[int], None] | None = None,
    ) -> list["MassFlux"]:
        """:meth:`Reach.flux` of every mass (GeV), in the order of ``masses``. The masses are
        dealt round-robin into chunks (neighbouring masses cost alike, so every chunk gets a
        share of the dear ones); the engine is sent to every worker once."""
        from dask.distributed import as_completed

        n_chunks = min(len(masses), CHUNKS_PER_WORKER * self.workers)
        chunks = [np.arange(c, len(masses), n_chunks) for c in range(n_chunks)]
        remote = self.client.scatter(reach, broadcast=True, hash=False)
        futures = {
            self.client.submit(_flux_chunk, remote, [float(masses[i]) for i in idx], [constants[i] for i in idx], pure=False): idx
            for idx in chunks
        }
        out: list[MassFlux | None] = [None] * len(masses)
        for fut in as_completed(futures):
            idx = futures[fut]
            for i, flux in zip(idx, fut.result()):
                out[int(i)] = flux
            if progress is not None:
                progress(len(idx))
        if any(f is None for f in out):  # pragma: no cover - as_completed yields every future
            raise RuntimeError("a chunk of masses returned no lifetime tables")
        return [f for f in out if f is not None]


def _flux_chunk(reach: "Reach", masses: list[float], constants: list[tuple[float, dict[str, float]]]) -> list["MassFlux"]:
    """The lifetime tables of a chunk of masses (GeV), in a worker process."""
    return [reach.flux(m, c) for m, c in zip(masses, constants)]


@contextlib.contextmanager
def mass_pool(workers: int) -> Iterator[MassPool | None]:
    """None for one worker (compute in this process); otherwise a :class:`MassPool` on a Dask
    ``LocalCluster`` of ``workers`` single-threaded processes, shut down on exit."""
    n = checked_workers(workers)
    if n == 1:
        yield None
        return
    import dask
    from dask.distributed import Client, LocalCluster

    # Dask's nanny starts its workers with MALLOC_TRIM_THRESHOLD_=65536, which also fixes glibc's
    # mmap threshold: every temporary array over 128 kB is then mapped and unmapped, and the
    # engine's NumPy work ran 2.5x slower in a worker than in this process (measured on the NA62
    # map). The workers keep the default allocator; the one-thread limits of BLAS stay. Their
    # statistical profiler (a thread sampling the stack every 10 ms) cost another ~20% (measured).
    environ = {k: v for k, v in dask.config.get("distributed.nanny.pre-spawn-environ", {}).items() if k != "MALLOC_TRIM_THRESHOLD_"}
    settings = {"distributed.nanny.pre-spawn-environ": environ, "distributed.worker.profile.enabled": False}
    with dask.config.set(settings), LocalCluster(
        n_workers=n, threads_per_worker=1, processes=True, dashboard_address=None, silence_logs=logging.ERROR
    ) as cluster, Client(cluster) as client:
        yield MassPool(client, n)
