"""Meson spectrum tables from Pythia 8 (pythia8mc): a proton beam on a fixed target or a
symmetric pp collider (the LHC), run in seeded chunks, in-process or on Dask, with a disk cache.

Units: energies and momenta in GeV, angles in rad. :func:`generate` runs the chunks of a
:class:`~.spectrum_settings.SpectrumSettings` (Pythia configuration :func:`pythia_config`, one
chunk :func:`run_chunk`, seeds :func:`chunk_seed`) and sums them into a
:class:`~.meson_table.MesonSpectra` of mesons per beam proton; :func:`cached_spectra` keeps the
result in ``<cache>/spectra/<key>.npz`` (:func:`beamdump.datafiles.load_or_make`), where a reach
at that beam energy finds it (:mod:`.spectra_lookup`).

Collider frame (``frame="collider"``): pp at √s = 2 × beam_energy_gev in the centre-of-mass
frame. Both hemispheres are generated alike, so each meson of the −z hemisphere is folded onto
+z (θ → π − θ) and every entry counts 1/2: the table is the +z hemisphere with twice the
statistics. Only θ up to 10^log10_theta_max is kept (forward detectors see a few mrad).

Physics model and its limits
----------------------------
* Each beam proton is assumed to interact exactly once, inelastically (``SoftQCD:inelastic``:
  non-diffractive + diffractive), so "per inelastic collision" = "per proton on a thick target".
* Target model ``"isoscalar"`` (default): an incoherent 50/50 mix of pp and pn collisions standing in
  for the nucleons of the dump's nucleus (``"pp"`` and ``"pn"`` are also accepted). A nucleus name
  (``"Cu"``, ``"Fe"``, ``"Mo"``; :mod:`.nuclear_targets`) instead generates whole p+A collisions with
  Pythia's heavy-ion model Angantyr, which adds the extra wounded nucleons' soft mesons and the
  depletion of the hardest forward ones (tables ``pythia8_p<E>gev_<nucleus>.npz``). With
  ``cascade_min_ekin`` a nucleus table holds the later collisions of the hadronic cascade in the
  dump instead (:mod:`.hadron_cascade`, ``pythia8_p<E>gev_<nucleus>_secondaries.npz``), to be added
  to the first collision (:func:`.shipped_spectra.nuclear_spectra` with ``cascade=True``).
* Neglected in the isoscalar tables (the default): nuclear effects of the pA collision (nuclear
  stopping that softens the leading-particle / large-x_F region, the rise of soft multiplicity
  with A), and the hadronic cascade in the thick dump. For 400 GeV protons on copper the p+A and
  cascade tables quantify them: 1.6× (first collision) and 10× (with the cascade) the mesons per
  proton, mostly soft; in NA62's forward cone 0.87× and 1.36× the η (docs/validation.md).
* The six species of interest are stable in the generator (``mayDecay = off``), so e.g. π⁰ from
  η → 3π⁰ or ω → π⁰γ are *not* counted unless ``count_feed_down=True`` (then the other five decay
  and every produced meson is counted, keeping π⁰ stable). Feed-down from all other hadrons that
  Pythia decays by default (ρ±, K*, K_S, Λ, Σ, …) is always included.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import math
import os
import time
from datetime import datetime, timezone
from importlib.metadata import PackageNotFoundError, version
from typing import Any

import numpy as np
from numpy.typing import NDArray

from beamdump.datafiles import cache_dir, load_or_make
from beamdump.errors import BeamdumpInputError, CacheError
from beamdump.sources.meson_table import MesonSpectra
from beamdump.sources.spectrum_settings import SpectrumSettings, installed_pythia_version

__all__ = [
    "cached_spectra",
    "chunk_seed",
    "generate",
    "pythia_config",
    "run_chunk",
]

MAX_PYTHIA_SEED = 900_000_000


def chunk_seed(master_seed: int, target_pdg: int, chunk: int) -> int:
    """Pythia seed in 1..900000000 for one chunk, fixed by (master seed, target, chunk index)."""
    h = hashlib.sha256(f"beamdump-meson-spectra|{master_seed}|{target_pdg}|{chunk}".encode()).digest()
    return int.from_bytes(h[:8], "big") % MAX_PYTHIA_SEED + 1


def _chunk_plan(settings: SpectrumSettings) -> list[tuple[int, int, int]]:
    """(target PDG id, events, seed) for every chunk, in a fixed order."""
    plan = []
    for target_pdg, _, n_target in settings.event_split():
        for k, start in enumerate(range(0, n_target, settings.chunk_size)):
            n = min(settings.chunk_size, n_target - start)
            plan.append((target_pdg, n, chunk_seed(settings.seed, target_pdg, k)))
    return plan


def pythia_config(settings: SpectrumSettings, target_pdg: int, seed: int) -> list[str]:
    """Pythia ``readString`` lines for one chunk (event record in the lab: the target's rest frame,
    or the centre-of-mass frame at a collider)."""
    stable = settings.pdg_ids if not settings.count_feed_down else tuple(p for p in settings.pdg_ids if p == 111)
    if settings.frame == "collider":
        beams = ["Beams:frameType = 1", "Beams:idA = 2212", "Beams:idB = 2212", f"Beams:eCM = {2.0 * settings.beam_energy_gev!r}"]
    else:
        beams = [
            "Beams:frameType = 2", "Beams:idA = 2212", f"Beams:idB = {target_pdg}",
            f"Beams:eA = {settings.beam_energy_gev!r}", "Beams:eB = 0.",
        ]
    return [
        "Print:quiet = on",
        "Init:showChangedSettings = off",
        "Init:showChangedParticleData = off",
        "Next:numberCount = 0",
        "Next:numberShowEvent = 0",
        *beams,
        *(f"{proc} = on" for proc in settings.processes),
        *(f"{pdg}:mayDecay = off" for pdg in stable),
        "Random:setSeed = on",
        f"Random:seed = {seed}",
        *settings.pythia_options,
    ]


def run_chunk(settings: SpectrumSettings, target_pdg: int, n_events: int, seed: int) -> dict[str, Any]:
    """Generate ``n_events`` accepted collisions of a proton on ``target_pdg`` (own Pythia instance).

    Returns {"counts": int64 (species, nθ, np), "outside": int64 (species,) entries outside the
    table range, "n_failed": failed ``next()`` calls, "sigma_mb": Pythia's σ estimate in mb}.
    """
    if settings.cascade_min_ekin is not None:
        from .hadron_cascade import cascade_chunk

        res = cascade_chunk(settings.beam_energy_gev, settings.target, settings.pdg_ids, settings.cascade_min_ekin,
                            n_events, seed, secondary_only=True)
        counts, outside = _histogram(settings, res["species"], res["theta"], res["p"])
        return {"counts": counts, "outside": outside, "n_failed": res["n_failed"], "sigma_mb": res["sigma_mb"],
                "n_collisions": res["n_collisions"]}
    import pythia8mc

    pythia = pythia8mc.Pythia("", False)
    for line in pythia_config(settings, target_pdg, seed):
        if not pythia.readString(line):
            raise RuntimeError(f"Pythia rejected setting {line!r}")
    if not pythia.init():
        raise RuntimeError(f"Pythia initialisation failed for {settings.beam_energy_gev} GeV p on {target_pdg}")
    species = {pdg: i for i, pdg in enumerate(settings.pdg_ids)}
    feed_down = settings.count_feed_down
    sp: list[int] = []
    th: list[float] = []
    pa: list[float] = []
    n_ok = n_failed = 0
    while n_ok < n_events:
        if not pythia.next():
            n_failed += 1
            if n_failed > 100 + n_events // 10:
                raise RuntimeError(f"Pythia failed {n_failed} times in a chunk of {n_events} events")
            continue
        n_ok += 1
        for q in pythia.event.particles():
            s = species.get(q.id())
            if s is not None and (feed_down or q.isFinal()):
                sp.append(s)
                th.append(q.theta())
                pa.append(q.pAbs())
    sigma_mb = float(pythia.infoPython().sigmaGen())
    counts, outside = _histogram(settings, sp, th, pa)
    return {"counts": counts, "outside": outside, "n_failed": n_failed, "sigma_mb": sigma_mb}


def _histogram(settings: SpectrumSettings, sp: list[int], th: list[float], pa: list[float]) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
    """(counts (species, nθ, np), entries outside the table range per species) of mesons given as
    species index, polar angle (rad) and momentum (GeV)."""
    lt_edges, lp_edges = settings.log10_theta_edges(), settings.log10_p_edges()
    s_arr = np.asarray(sp, dtype=np.int64)
    theta = np.asarray(th, dtype=float)
    if settings.frame == "collider":  # fold the −z hemisphere onto +z
        theta = np.minimum(theta, math.pi - theta)
    with np.errstate(divide="ignore"):
        it = np.searchsorted(lt_edges, np.log10(theta), side="right") - 1
        ip = np.searchsorted(lp_edges, np.log10(np.asarray(pa, dtype=float)), side="right") - 1
    inside = (it >= 0) & (it < lt_edges.size - 1) & (ip >= 0) & (ip < lp_edges.size - 1)
    shape = (len(settings.pdg_ids), lt_edges.size - 1, lp_edges.size - 1)
    flat = np.ravel_multi_index((s_arr[inside], it[inside], ip[inside]), shape)
    counts = np.bincount(flat, minlength=math.prod(shape)).reshape(shape).astype(np.int64)
    outside = np.bincount(s_arr[~inside], minlength=shape[0]).astype(np.int64)
    return counts, outside


def generate(
    settings: SpectrumSettings,
    workers: int | None = None,
    scheduler: str | None = None,
    progress: bool = True,
) -> MesonSpectra:
    """Run Pythia in chunks (seeds fixed per chunk) and sum the histograms into a table.

    ``workers=0`` or ``scheduler="synchronous"``: run in-process without Dask. Otherwise a Dask
    ``LocalCluster`` with ``workers`` single-threaded processes (default: min(CPUs, chunks)), or
    an existing cluster at the address ``scheduler``. The histograms are bitwise identical for any
    number of workers.
    """
    if settings.pythia_version != installed_pythia_version():
        raise BeamdumpInputError(
            f"pythia_version={settings.pythia_version!r}: installed pythia8mc is {installed_pythia_version()!r}"
        )
    plan = _chunk_plan(settings)
    t0 = time.perf_counter()
    results, how = _run_plan(settings, plan, workers, scheduler, progress)
    wall = time.perf_counter() - t0

    lt, lp = settings.log10_theta_edges(), settings.log10_p_edges()
    shape = (len(settings.pdg_ids), lt.size - 1, lp.size - 1)
    counts = np.zeros(shape, np.int64)
    outside = np.zeros(shape[0], np.int64)
    yields = np.zeros(shape, np.float64)
    sigma: dict[str, float] = {}
    n_failed = 0
    for target_pdg, frac, n_target in settings.event_split():
        idx = [i for i, (t, _, _) in enumerate(plan) if t == target_pdg]
        c_t = sum((results[i]["counts"] for i in idx), np.zeros(shape, np.int64))
        counts += c_t
        outside += sum((results[i]["outside"] for i in idx), np.zeros(shape[0], np.int64))
        yields += (frac / (n_target * settings.hemispheres)) * c_t
        sigma[str(target_pdg)] = float(np.mean([results[i]["sigma_mb"] for i in idx]))
        n_failed += sum(int(results[i]["n_failed"]) for i in idx)
    metadata = {
        "generator": "Pythia 8 (pythia8mc)",
        "pythia_version": settings.pythia_version,
        "created_utc": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "generation_wall_s": round(wall, 3),
        "events_per_s": round(settings.n_events / wall, 1) if wall > 0 else None,
        "n_chunks": len(plan),
        "executed_by": how,
        "n_failed_next": n_failed,
        "entries_outside_range": dict(zip(map(str, settings.pdg_ids), outside.tolist())),
        "sigma_gen_mb": sigma,
        **({"collisions_per_proton": round(sum(int(r["n_collisions"]) for r in results) / settings.n_events, 3)}
           if settings.cascade_min_ekin is not None else {}),
        "beamdump_version": _beamdump_version(),
        "numpy_version": np.__version__,
    }
    return MesonSpectra(settings, settings.pdg_ids, lt, lp, yields, counts, settings.n_events, metadata)


def _beamdump_version() -> str:
    try:
        return version("beamdump")
    except PackageNotFoundError:  # pragma: no cover
        return "unknown"


def _run_plan(
    settings: SpectrumSettings,
    plan: list[tuple[int, int, int]],
    workers: int | None,
    scheduler: str | None,
    progress: bool,
) -> tuple[list[dict[str, Any]], str]:
    """Execute the chunks; results come back in plan order whatever the completion order."""
    from tqdm.auto import tqdm

    bar = tqdm(total=len(plan), desc=f"Pythia {settings.beam_energy_gev:g} GeV", unit="chunk", disable=None if progress else True)  # None: no bar when stderr is not a terminal
    results: list[dict[str, Any] | None] = [None] * len(plan)
    with bar:
        if workers == 0 or scheduler == "synchronous":
            how = "in-process"
            for i, task in enumerate(plan):
                results[i] = run_chunk(settings, *task)
                bar.update()
        else:
            from dask.distributed import Client, LocalCluster, as_completed

            with contextlib.ExitStack() as stack:
                if scheduler is None:
                    n = workers if workers is not None else min(os.cpu_count() or 1, len(plan))
                    if n < 1:
                        raise BeamdumpInputError(f"workers={workers}: must be ≥ 0")
                    cluster = stack.enter_context(
                        LocalCluster(
                            n_workers=n, threads_per_worker=1, processes=True,
                            dashboard_address=None, silence_logs=logging.ERROR,
                        )
                    )
                    client = stack.enter_context(Client(cluster))
                    how = f"dask LocalCluster, {n} worker processes"
                else:
                    client = stack.enter_context(_connect(Client, scheduler))
                    how = f"dask scheduler {scheduler}"
                tag = settings.key()[:16]
                futures = {
                    client.submit(run_chunk, settings, *task, key=f"meson-chunk-{tag}-{i}", pure=False): i
                    for i, task in enumerate(plan)
                }
                for fut in as_completed(futures):
                    results[futures[fut]] = fut.result()
                    bar.update()
    if any(r is None for r in results):  # pragma: no cover - as_completed yields every future
        raise RuntimeError("a generator chunk returned no result")
    return [r for r in results if r is not None], how


CONNECT_TIMEOUT_S = 5.0  # how long to wait for a scheduler before saying nobody answers


def _connect(client_type: Any, scheduler: str) -> Any:
    """A Dask client of the scheduler at ``scheduler`` (tcp://host:port); a malformed address or
    one where nobody answers within CONNECT_TIMEOUT_S is one BeamdumpInputError naming it."""
    allowed = "allowed: the address of a running Dask scheduler, tcp://host:port"
    if not scheduler.strip():
        raise BeamdumpInputError(f"--scheduler: an empty address; {allowed}")
    try:
        return client_type(scheduler, timeout=CONNECT_TIMEOUT_S)
    except (ValueError, TypeError) as exc:
        raise BeamdumpInputError(f"--scheduler: {scheduler!r} is not a valid address ({exc}); {allowed}") from None
    except OSError as exc:  # TimeoutError, refused connection, unknown host
        reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise BeamdumpInputError(
            f"--scheduler: no Dask scheduler answers at {scheduler!r} within {CONNECT_TIMEOUT_S:g} s ({reason}); {allowed}"
        ) from None


def cached_spectra(
    settings: SpectrumSettings,
    workers: int | None = None,
    scheduler: str | None = None,
    progress: bool = True,
    regenerate: bool = False,
) -> MesonSpectra:
    """Load ``<cache>/spectra/<key>.npz`` if valid; otherwise generate, save atomically and return it.

    A damaged or stale cache file is reported with a warning and regenerated; a cache that cannot
    be written with a warning (the table is returned uncached). A failing generation is a
    one-line :class:`CacheError` naming the table, its size and its cache file. ``reach`` finds
    the cached tables by their settings (:mod:`.spectra_lookup`).
    """
    path = cache_dir() / "spectra" / f"{settings.key()}.npz"

    def make() -> MesonSpectra:
        try:
            return generate(settings, workers=workers, scheduler=scheduler, progress=progress)
        except BeamdumpInputError:
            raise
        except Exception as exc:
            raise CacheError(
                f"meson table: generating {settings.n_events} Pythia events of {settings.beam_energy_gev:g} GeV p "
                f"({settings.frame}, target {settings.target}) for {path} failed ({type(exc).__name__}: {exc})"
            ) from exc

    return load_or_make("spectra", settings.key(), MesonSpectra.load, make, "meson-spectrum", regenerate)
