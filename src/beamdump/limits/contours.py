"""Excluded bands from an event grid: per mass, the lower and upper coupling edge where N = N_up.

The edges of each mass are found by :mod:`.edges`: between grid points (Brent's method on an exact
N(g) when the caller supplies one, as the reach engine does, otherwise linear interpolation of
log N against log g) and, with the exact N(g), beyond the grid where an edge lies outside it. An
edge that cannot be closed is NaN, never the end of the coupling range, and the band records
where and why (:class:`UnclosedEdge`). The mass ends of the band can be refined by bisection on
the mass when N(m, g) can be evaluated at new masses. Nothing here knows how the numbers were made; a band only records what it is a band of
(the model, its coupling and the confidence level), for the files and figures made from it.
"""

from __future__ import annotations

import csv
import math
import re
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Sequence

import numpy as np

from ..datafiles import atomic_write
from ..errors import BeamdumpInputError
from ..kinematics import FloatArray
from ..models.base import Coupling
from .edges import Edges, SearchRange, default_search, find_edges, log_excess
from .edges import band_edges  # noqa: F401  (re-exported: one mass's edges, as before)

# The dark photon's kinetic mixing, as data/models/vectors/dark-photon.toml declares it: the
# coupling of a band that does not say otherwise (every band before models had couplings).
DEFAULT_COUPLING = Coupling(
    key="eps",
    label=r"$\varepsilon$",
    unit="",
    default_range=(1e-9, 1e-1),
    description="kinetic mixing: the coupling to the electromagnetic current in units of e",
    physical_max=1.0,
)
DEFAULT_MODEL = "dark-photon"
DEFAULT_CL = 0.9


def format_cl(cl: float) -> str:
    """A confidence level as text: 0.9 → ``90%``, 0.683 → ``68.3%``; ``not stated`` when unknown."""
    return f"{100 * cl:.3g}%" if np.isfinite(cl) else "not stated"


def metadata_comments(model: str, coupling: Coupling, cl: float | None = None) -> tuple[str, ...]:
    """The ``#`` lines (without ``# ``) that say what a table is about: ``model: …``,
    ``coupling: <key> (<unit> | dimensionless)`` and, when given, ``cl: 0.9``."""
    out = (f"model: {model}", f"coupling: {coupling.key} ({coupling.unit or 'dimensionless'})")
    return out + ((f"cl: {cl:g}",) if cl is not None else ())


@dataclass(frozen=True)
class UnclosedEdge:
    """An edge the band could not close at one mass: ``edge`` is ``lower`` or ``upper``, ``reason``
    says why, ``reached`` is the coupling where the search stopped (the grid's end when no exact
    N(g) was given). The band's edge there is NaN, never the end of the coupling range."""

    mass: float
    edge: str
    reason: str
    reached: float

    def as_dict(self) -> dict[str, float | str | None]:
        """For ``run.json``: mass_gev, edge, reason, coupling_reached (None when not finite)."""
        reached = float(self.reached) if math.isfinite(self.reached) else None
        return {"mass_gev": float(self.mass), "edge": self.edge, "reason": self.reason, "coupling_reached": reached}


def unclosed_comments(unclosed: Sequence[UnclosedEdge], coupling: Coupling) -> tuple[str, ...]:
    """One ``#`` line (without ``# ``) per edge and reason: how many masses, why, and each mass
    (GeV) with the coupling where the search stopped."""
    groups: dict[tuple[str, str], list[UnclosedEdge]] = {}
    for u in unclosed:
        groups.setdefault((u.edge, u.reason), []).append(u)
    return tuple(
        f"unclosed {edge} edge ({'written as the coupling where the search stopped' if edge == 'upper' else 'nan'}) "
        f"at {len(us)} mass{'es' if len(us) > 1 else ''}: {reason}; "
        f"mass_gev ({coupling.key} where the search stopped): " + ", ".join(f"{u.mass:.6g} ({u.reached:.3g})" for u in us)
        for (edge, reason), us in groups.items()
    )


@dataclass(frozen=True)
class ExclusionBand:
    """The excluded band: for each mass (GeV) the coupling interval [lower, upper].

    ``coupling``, ``model`` and ``cl`` say what it is a band of (default: the dark photon's ε at
    90% CL). A band read from a published file may lack one edge at some masses (NaN there); a
    band made by :func:`exclusion_band` has NaN where an edge could not be closed, and says where
    and why in ``unclosed``.
    """

    masses: FloatArray
    lower: FloatArray
    upper: FloatArray
    comments: tuple[str, ...] = ()
    coupling: Coupling = DEFAULT_COUPLING
    model: str = DEFAULT_MODEL
    cl: float = DEFAULT_CL
    unclosed: tuple[UnclosedEdge, ...] = ()

    def __len__(self) -> int:
        return len(self.masses)

    @property
    def mass_range(self) -> tuple[float, float]:
        if not len(self):
            return (np.nan, np.nan)
        return float(self.masses[0]), float(self.masses[-1])

    def interval_at(self, mass: float) -> tuple[float, float] | None:
        """Excluded coupling interval at ``mass`` (log-log interpolation), None outside the band.
        An edge the band does not give there is NaN."""
        if not len(self) or not self.masses[0] <= mass <= self.masses[-1]:
            return None
        lm = np.log(self.masses)
        lo = np.exp(np.interp(np.log(mass), lm, np.log(self.lower)))
        hi = np.exp(np.interp(np.log(mass), lm, np.log(self.upper)))
        return float(lo), float(hi)

    def upper_to_cap(self) -> FloatArray:
        """The upper edge with each edge not closed replaced by the coupling where the search
        stopped (the physical bound, or where every particle decays within a micron): the band
        as a published figure draws it, closed at its frame. ``upper`` keeps NaN there."""
        upper = np.array(self.upper, dtype=float)
        stops = {float(u.mass): u.reached for u in self.unclosed if u.edge == "upper" and math.isfinite(u.reached)}
        for i, m in enumerate(self.masses):
            if np.isnan(upper[i]) and float(m) in stops and stops[float(m)] > self.lower[i]:
                upper[i] = stops[float(m)]
        return upper

    def write_csv(self, path: str | Path) -> Path:
        """Write the reference format, atomically: ``# model:``, ``# coupling:`` and ``# cl:``
        lines, the band's own comments, a line per kind of edge not closed (which masses, why),
        then ``mass_gev,<key>_lower,<key>_upper`` (the dark photon: ``eps_lower,eps_upper``), %.6g,
        ``nan`` for a missing edge. An upper edge not closed is written as the coupling where the
        search stopped (:meth:`upper_to_cap`; its comment line says so), so that a band whose
        exclusion runs to the frame stays a band in every reader."""
        key = self.coupling.key
        meta = metadata_comments(self.model, self.coupling, self.cl)
        unclosed = unclosed_comments(self.unclosed, self.coupling)
        lines = [f"# {c}" for c in (*meta, *self.comments, *unclosed)]
        lines.append(f"mass_gev,{key}_lower,{key}_upper")
        lines += [f"{m:.6g},{lo:.6g},{hi:.6g}" for m, lo, hi in zip(self.masses, self.lower, self.upper_to_cap())]
        text = "\n".join(lines) + "\n"
        return atomic_write(path, lambda f: f.write(text.encode("utf-8")))


_META = re.compile(r"#\s*(model|coupling|cl)\s*:\s*(.*?)\s*$", re.IGNORECASE)
_HEADER_RULE = "mass_gev,<c>_lower,<c>_upper (e.g. mass_gev,eps_lower,eps_upper or mass_gev,coupling_lower,coupling_upper)"


def read_band_csv(path: str | Path, coupling: Coupling | None = None) -> ExclusionBand:
    """Read a band in the reference format: ``#`` comment lines, a header
    ``mass_gev,<c>_lower,<c>_upper`` (``eps_…`` in the dark-photon files, ``coupling_…`` in the
    other models'), one row per mass.

    ``# model:``, ``# coupling:`` and ``# cl:`` lines fill the band's model, coupling key (and unit,
    where the line states one) and CL (``0.9`` or ``90%``; NaN where the line says none); the
    other comment lines become the band's comments. ``coupling`` replaces what the file says
    (e.g. the model's own :class:`Coupling`). An edge may be ``nan`` or empty where the published
    curve gives none; a row is kept when its mass is > 0 and at least one edge is a finite
    number > 0 (an edge ≤ 0 counts as missing) and, where both are given, lower < upper — as
    ``shared/tools/score.py`` reads it, except that the tool drops a row with an empty cell (and
    skips a non-numeric one): a cell that is not a number, an infinite cell and a binary file are
    errors here, naming the line, and the rows not kept are named in one warning.
    """
    path = Path(path)
    text = _read_text(path)
    meta: dict[str, str] = {}
    comments: list[str] = []
    header: list[str] | None = None
    cols: tuple[int, int, int] = (0, 0, 0)
    rows: list[tuple[float, float, float]] = []
    dropped: list[int] = []
    for n, ln in enumerate(text.splitlines(), start=1):
        s = ln.strip()
        if not s:
            continue
        if s.startswith("#"):
            found = _META.fullmatch(s)
            if found and found.group(1).lower() not in meta:
                meta[found.group(1).lower()] = found.group(2)
            else:
                comments.append(s[1:].strip())
            continue
        cells = [c.strip() for c in next(csv.reader([ln]))]
        if header is None:
            header, cols = cells, _columns(path, cells)
            continue
        if len(cells) <= max(cols):
            raise BeamdumpInputError(
                f"{path}, line {n}: {len(cells)} cells, the header has {len(header)}; allowed: {_HEADER_RULE}"
            )
        m, lo, hi = (_number(path, n, header[i], cells[i], edge=i != cols[0]) for i in cols)
        lo = lo if lo > 0 else math.nan
        hi = hi if hi > 0 else math.nan
        if m > 0 and not (math.isnan(lo) and math.isnan(hi)) and not lo >= hi:
            rows.append((m, lo, hi))
        else:
            dropped.append(n)
    if dropped and rows:
        shown = ", ".join(map(str, dropped[:10])) + (", …" if len(dropped) > 10 else "")
        warnings.warn(
            f"{path}: {len(dropped)} row(s) skipped (mass_gev <= 0, no edge > 0, or lower >= upper), line(s) {shown}",
            stacklevel=2,
        )
    if header is None:
        raise BeamdumpInputError(f"{path}: no header; it must be {_HEADER_RULE}")
    if not rows:
        raise BeamdumpInputError(
            f"{path}: no valid rows (mass_gev > 0, at least one edge > 0, lower < upper where both are given)"
        )
    a = np.array(sorted(rows), dtype=float)  # sorted as shared/tools/score.py sorts
    key = header[cols[1]][: -len("_lower")]
    return ExclusionBand(
        a[:, 0], a[:, 1], a[:, 2], tuple(comments),
        coupling=coupling or _coupling_from(key, meta.get("coupling"), a[:, 1:]),
        model=meta.get("model") or (DEFAULT_MODEL if key == DEFAULT_COUPLING.key else "unknown"),
        cl=_cl_from(meta["cl"]) if "cl" in meta else DEFAULT_CL,
    )


def _columns(path: Path, header: list[str]) -> tuple[int, int, int]:
    """Indices of mass_gev and of the first ``*_lower`` and ``*_upper`` columns (as score.py finds them)."""
    lo = next((i for i, c in enumerate(header) if c.endswith("_lower") and len(c) > 6), None)
    hi = next((i for i, c in enumerate(header) if c.endswith("_upper") and len(c) > 6), None)
    if "mass_gev" not in header or lo is None or hi is None:
        raise BeamdumpInputError(f"{path}: the header is {','.join(header)}; it must be {_HEADER_RULE}")
    return header.index("mass_gev"), lo, hi


def _read_text(path: Path) -> str:
    """The file's text; a file that cannot be read, is not UTF-8 or holds control bytes outside its comments (a binary
    file: an image, random bytes) is one error naming the file and the first bad line."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise BeamdumpInputError(f"{path}: cannot be read ({exc.strerror})") from None
    binary = f"is not a text file (binary data); allowed: a UTF-8 CSV, {_HEADER_RULE}"
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise BeamdumpInputError(f"{path}, line {line}: {binary}") from None
    for line, content in enumerate(text.split("\n"), start=1):  # comment lines may hold any text
        if not content.lstrip().startswith("#") and _CONTROL.search(content):
            raise BeamdumpInputError(f"{path}, line {line}: {binary}")
    return text


_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")  # not tab, newline, form feed, carriage return


def _number(path: Path, line: int, column: str, cell: str, edge: bool) -> float:
    if edge and cell == "":
        return math.nan
    allowed = "a finite number, or nan or empty for an edge the curve does not give" if edge else "a finite number"
    try:
        value = float(cell)
    except ValueError:
        raise BeamdumpInputError(f"{path}, line {line}: {column} = {cell!r} is not a number; allowed: {allowed}") from None
    if math.isinf(value):
        raise BeamdumpInputError(f"{path}, line {line}: {column} = {cell!r} is infinite; allowed: {allowed}")
    return value


def _coupling_from(key: str, line: str | None, edges: np.ndarray) -> Coupling:
    """The coupling a file names: by its header (``eps``, ``g_BL``) or, for the generic
    ``coupling_…`` columns, by its ``# coupling:`` line (the text before any ``(`` or `` in ``)."""
    line = line or ""
    named = re.split(r"\s+in\s+|\s*\(", line, maxsplit=1)[0].strip()
    if key == "coupling" and named:
        key = re.sub(r"\s+", "_", named)
    rest = line[len(named):].strip() if line.startswith(named) else ""
    unit = ""
    if found := re.match(r"in\s+(\S+)", rest):
        unit = found.group(1)
    elif (found := re.match(r"\(([^()\s]+)\)", rest)) and found.group(1).lower() != "dimensionless":
        unit = found.group(1)
    if (key, unit) == (DEFAULT_COUPLING.key, DEFAULT_COUPLING.unit):
        return DEFAULT_COUPLING
    finite = edges[np.isfinite(edges)]
    return Coupling(key, key, unit, (float(finite.min()) / 10, float(finite.max()) * 10), line)


def _cl_from(text: str) -> float:
    """``0.9``, ``90%`` or ``95% (…)`` → 0.9 / 0.95; NaN for a line that states no number."""
    found = re.match(r"([0-9]*\.?[0-9]+(?:[eE][-+]?[0-9]+)?)\s*(%?)", text)
    if not found:
        return math.nan
    cl = float(found.group(1)) / (100.0 if found.group(2) else 1.0)
    return cl if 0.0 < cl < 1.0 else math.nan


def coupling_cap(coupling: Coupling) -> tuple[float, str]:
    """The largest coupling an edge is searched to, and why: the model's ``physical_max`` (a mixing
    no stronger than the photon's, ε ≤ 1; a perturbative gauge coupling, g ≤ √(4π)); inf when the
    coupling declares none (one read from a reference file)."""
    if not math.isfinite(coupling.physical_max):
        return math.inf, ""
    return coupling.physical_max, f"{coupling.key} = {coupling.physical_max:.4g}, the model's largest physical value"


def grid_search(couplings: FloatArray, coupling: Coupling) -> SearchRange:
    """The search beyond the grid when the caller sets none: ``FLOOR_DECADES`` below the grid, up
    to :func:`coupling_cap` (or as many decades above the grid for a coupling without a bound)."""
    cap, why = coupling_cap(coupling)
    return default_search(couplings, cap if math.isfinite(cap) else None, why)


def exclusion_band(
    masses: FloatArray,
    couplings: FloatArray,
    events: FloatArray,
    threshold: float,
    events_at: Callable[[float], Callable[[FloatArray], FloatArray]] | None = None,
    refine_ends: int = 5,
    comments: Sequence[str] = (),
    coupling: Coupling = DEFAULT_COUPLING,
    model: str = DEFAULT_MODEL,
    cl: float = DEFAULT_CL,
    search: Callable[[float], SearchRange] | None = None,
) -> ExclusionBand:
    """Band of masses × couplings where events ≥ threshold.

    ``events_at(mass)`` may return a function g ↦ N(mass, g), used to solve for the edges exactly,
    to carry the search beyond the grid where an edge lies outside it (to ``search(mass)``, default
    :func:`grid_search`) and to bisect the mass ends of the band ``refine_ends`` times. Without it,
    an edge outside the grid is NaN. Every edge not closed is recorded in the band's ``unclosed``.
    ``coupling`` (the scanned one), ``model`` (its name) and ``cl`` (of the limit behind
    ``threshold``) are recorded on the band.
    """
    if not threshold > 0:
        raise BeamdumpInputError(f"threshold: {threshold} events is not allowed; it must be > 0")
    if not 0.0 < cl < 1.0:
        raise BeamdumpInputError(f"cl: {cl} is not allowed; it must be between 0 and 1 (0.9 for 90%)")
    couplings = np.asarray(couplings, dtype=float)
    search = search or (lambda m: grid_search(couplings, coupling))
    rows: list[tuple[float, Edges]] = []
    ok = np.zeros(len(masses), dtype=bool)
    for i, m in enumerate(masses):
        fn = events_at(float(m)) if events_at is not None else None
        edges = _mass_edges(float(m), couplings, events[i], threshold, fn, search)
        if edges is not None:
            ok[i] = True
            rows.append((float(m), edges))
    if events_at is not None and refine_ends > 0 and ok.any():
        rows += _refine_ends(masses, couplings, ok, threshold, events_at, refine_ends, search)
    rows.sort(key=lambda r: r[0])
    meta = dict(coupling=coupling, model=model, cl=float(cl))
    unclosed = tuple(u for m, e in rows for u in _unclosed(m, e))
    a = np.array([(m, e.lower, e.upper) for m, e in rows]).reshape(-1, 3)
    return ExclusionBand(a[:, 0], a[:, 1], a[:, 2], tuple(comments), **meta, unclosed=unclosed)


def _mass_edges(
    mass: float,
    couplings: FloatArray,
    events: FloatArray,
    threshold: float,
    fn: Callable[[FloatArray], FloatArray] | None,
    search: Callable[[float], SearchRange],
) -> Edges | None:
    exact = log_excess(fn, threshold) if fn is not None else None
    return find_edges(couplings, events, threshold, exact, search(mass))


def _unclosed(mass: float, e: Edges) -> tuple[UnclosedEdge, ...]:
    out = []
    if e.lower_open:
        out.append(UnclosedEdge(mass, "lower", e.lower_open, e.lower_reached))
    if e.upper_open:
        out.append(UnclosedEdge(mass, "upper", e.upper_open, e.upper_reached))
    return tuple(out)


def _refine_ends(masses, couplings, ok, threshold, events_at, n_bisect, search) -> list[tuple[float, Edges]]:
    """Bisect on log mass between an excluded grid mass and a neighbouring non-excluded one."""
    out = []
    for i in range(len(masses)):
        for j in (i - 1, i + 1):
            if not (ok[i] and 0 <= j < len(masses) and not ok[j]):
                continue
            inside, outside = np.log(masses[i]), np.log(masses[j])
            best = None
            for _ in range(n_bisect):
                mid = 0.5 * (inside + outside)
                m = float(np.exp(mid))
                fn = events_at(m)
                edges = _mass_edges(m, couplings, fn(couplings), threshold, fn, search)
                if edges is None:
                    outside = mid
                else:
                    inside, best = mid, (m, edges)
            if best is not None:
                out.append(best)
    return out
