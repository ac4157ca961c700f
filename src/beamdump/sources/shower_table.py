"""The electromagnetic shower table: track length of the e⁻ and e⁺ (and of the photons) of the
shower of a beam electron in a thick target, by energy and depth.

The A′ bremsstrahlung yield of a thick electron dump integrates the per-nucleus cross section
over the track length of every e⁻ and e⁺ of the electromagnetic shower, by energy and depth
(Tsai, Rev. Mod. Phys. 46 (1974) 815; Bjorken et al., Phys. Rev. D 38 (1988) 3375). A table
holds the differential track length

    T(E, t) = d²ℓ/dE dt      [X0 of track per GeV per X0 of depth, per beam electron of energy E0]

for E_min ≤ E ≤ E0 and 0 ≤ t ≤ thickness, and the same for the positrons alone (the resonant
annihilation e⁺e⁻ → A′ on the atomic electrons needs the positron track at E₊ = m²/2m_e − m_e).
Units: energies in GeV, depths and track lengths in radiation lengths X0 (multiply by
:attr:`~.materials.Material.radiation_length_cm` for cm).

The shower e± are not on the beam axis: each (E, t) cell also holds the track-weighted histogram
of the e± polar angle θ in the scale-free variable u = θ·E/E_s (:data:`ANGLE_EDGES`), E_s the
multiple-scattering energy of Rossi and Greisen. In the Gaussian multiple-scattering model of the
cascade every angle is proportional to E_s, so the histogram does not depend on it: a production
channel turns u into θ = u·E_s/E with its own E_s. The photons have the same histogram in
u = θ·k/E_s (k the photon energy, θ the direction of the e± that emitted it), the source of
channels fed by the shower photons (Primakoff production of axion-like particles).

:class:`ShowerSettings` (:mod:`.shower_settings`, re-exported here) fixes a table and its cache
key; :class:`ShowerTable` holds the tallies per beam electron (track, photon track, emitted
photons, deposited and escaping energy), rebins, integrates and samples them, and saves / loads
itself as a compressed ``.npz`` with embedded JSON metadata; :func:`cell_points` draws (E, t)
points in its cells. The tables are filled by the cascade of :mod:`.shower_monte_carlo`.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from beamdump.datafiles import check_table_key, read_table, write_table
from beamdump.errors import BeamdumpInputError, CacheError
from beamdump.sources.materials import Material, get_material
from beamdump.sources.shower_settings import FORMAT_VERSION, MIN_E_MIN, ShowerSettings

__all__ = ["ANGLE_EDGES", "MIN_E_MIN", "ShowerSettings", "ShowerTable", "cell_points"]

_ARRAY_NAMES = (
    "log10_e_edges", "t_edges", "track", "photon_track", "photons_emitted", "deposit", "track_below_min",
    "positron_track", "angle_hist", "positron_angle_hist", "photon_angle_hist", "angle_edges",
)
_EDGE_NAMES = ("log10_e_edges", "t_edges", "angle_edges")  # always stored in double precision
#: Edges of u = θ·E/E_s of the angle histograms: [0, 1e-3] then 5 bins a decade up to 100 (the
#: last bin also holds anything above). Shower e± have u of order 1 (Rossi–Greisen: ⟨θ²⟩ ≈ (E_s/E)²
#: per X0 travelled at E); the primary near the dump face has u ≈ √t ≪ 1.
ANGLE_EDGES: NDArray[np.float64] = np.concatenate([[0.0], np.geomspace(1e-3, 1e2, 26)])


# ====================================================================== the table
def _rebin_weights(native: NDArray[np.float64], query: NDArray[np.float64], what: str) -> NDArray[np.float64]:
    """Matrix M (len(query), len(native)) with cumulative(query) = M @ cumulative(native),
    linear interpolation of the cumulative sum inside each native bin."""
    query = np.asarray(query, dtype=float)
    if query.ndim != 1 or query.size < 2 or np.any(np.diff(query) <= 0) or not np.all(np.isfinite(query)):
        raise BeamdumpInputError(f"{what}: must be a strictly increasing 1D array of ≥ 2 finite edges")
    lo, hi = native[0], native[-1]
    tol = 1e-9 * max(1.0, abs(hi - lo))
    if query[0] < lo - tol or query[-1] > hi + tol:
        raise BeamdumpInputError(f"{what}: edges must lie within the table range [{lo:g}, {hi:g}]")
    q = np.clip(query, lo, hi)
    i = np.clip(np.searchsorted(native, q, side="right") - 1, 0, native.size - 2)
    f = (q - native[i]) / (native[i + 1] - native[i])
    m = np.zeros((q.size, native.size))
    rows = np.arange(q.size)
    m[rows, i] += 1.0 - f
    m[rows, i + 1] += f
    return m


@dataclass(frozen=True, eq=False)
class ShowerTable:
    """Shower tallies per beam electron, binned in log10(E/GeV) × depth t (X0).

    track: (nE, nt) e⁺ + e⁻ track length (X0) per bin, for E ≥ e_min.
    photon_track: (nE, nt) photon track length (X0) per bin, for k ≥ e_min.
    photons_emitted: (nE,) bremsstrahlung photons with k ≥ e_min emitted per bin of k.
    deposit: (nt,) energy deposited per depth bin (GeV). track_below_min: (nt,) e± track with E < e_min.
    positron_track: (nE, nt) the e⁺ part of ``track``.
    angle_hist, positron_angle_hist: (nE, nt, nu) e± and e⁺ track in bins of u = θ·E/E_s
    (:data:`ANGLE_EDGES`); summed over u they are ``track`` and ``positron_track``.
    photon_angle_hist: (nE, nt, nu) photon track in bins of u = θ·k/E_s, θ the photon's polar angle
    (the direction of the e± that emitted it; photons do not scatter); summed over u it is
    ``photon_track``.
    escaped: energy leaving the back face, {"electrons": GeV, "photons": GeV}.
    """

    settings: ShowerSettings
    log10_e_edges: NDArray[np.float64]
    t_edges: NDArray[np.float64]
    track: NDArray[np.float64]
    photon_track: NDArray[np.float64]
    photons_emitted: NDArray[np.float64]
    deposit: NDArray[np.float64]
    track_below_min: NDArray[np.float64]
    positron_track: NDArray[np.float64]
    angle_hist: NDArray[np.float64]
    positron_angle_hist: NDArray[np.float64]
    photon_angle_hist: NDArray[np.float64]
    escaped: dict[str, float]
    metadata: dict[str, Any] = field(default_factory=dict)

    @property
    def material(self) -> Material:
        """The target material."""
        return get_material(self.settings.material)

    @property
    def e_edges(self) -> NDArray[np.float64]:
        """Energy edges in GeV."""
        return 10.0**self.log10_e_edges

    @property
    def angle_edges(self) -> NDArray[np.float64]:
        """Edges of u = θ·E/E_s of :attr:`angle_hist` (:data:`ANGLE_EDGES`)."""
        return ANGLE_EDGES

    # ------------------------------------------------------------------ track lengths
    def _rebin2(self, a: NDArray[np.float64], e_edges: ArrayLike | None, t_edges: ArrayLike | None) -> NDArray[np.float64]:
        if e_edges is None and t_edges is None:
            return a.copy()
        le = self.log10_e_edges if e_edges is None else np.log10(np.maximum(np.asarray(e_edges, dtype=float), 1e-300))
        te = self.t_edges if t_edges is None else np.asarray(t_edges, dtype=float)
        me = _rebin_weights(self.log10_e_edges, le, "E_edges")
        mt = _rebin_weights(self.t_edges, te, "t_edges")
        cum = np.zeros((a.shape[0] + 1, a.shape[1] + 1))
        cum[1:, 1:] = a.cumsum(0).cumsum(1)
        c = me @ cum @ mt.T
        return np.maximum(np.diff(np.diff(c, axis=0), axis=1), 0.0)

    def track_length(self, E_edges: ArrayLike | None = None, t_edges: ArrayLike | None = None) -> NDArray[np.float64]:
        """e⁺ + e⁻ track length (X0 per beam electron) in bins of energy (GeV) × depth (X0).

        Edges must lie inside the table (e_min ≤ E ≤ E0, 0 ≤ t ≤ thickness); within a native bin
        the track is taken uniform in log E and in t. The track in the first t X0 is that of a
        target of thickness t (1D model, no backscattering).
        """
        return self._rebin2(self.track, E_edges, t_edges)

    def positron_track_length(self, E_edges: ArrayLike | None = None, t_edges: ArrayLike | None = None) -> NDArray[np.float64]:
        """e⁺ track length (X0 per beam electron) in bins of energy (GeV) × depth (X0), as :meth:`track_length`."""
        return self._rebin2(self.positron_track, E_edges, t_edges)

    def photon_track_length(self, k_edges: ArrayLike | None = None, t_edges: ArrayLike | None = None) -> NDArray[np.float64]:
        """Photon track length (X0 per beam electron) in bins of photon energy (GeV) × depth (X0)."""
        return self._rebin2(self.photon_track, k_edges, t_edges)

    def photon_angle_track_length(
        self, k_edges: ArrayLike | None = None, t_edges: ArrayLike | None = None
    ) -> NDArray[np.float64]:
        """Photon track length (X0 per beam electron) in bins of photon energy k (GeV) × depth (X0)
        × u = θ·k/E_s (:data:`ANGLE_EDGES`), rebinned in k and t as :meth:`photon_track_length`;
        summed over u it is :meth:`photon_track_length`. θ = u·E_s/k with the channel's own E_s."""
        h = self.photon_angle_hist
        return np.stack([self._rebin2(h[:, :, j], k_edges, t_edges) for j in range(h.shape[2])], axis=-1)

    def density(self) -> tuple[NDArray[np.float64], NDArray[np.float64], NDArray[np.float64]]:
        """(E centres GeV (geometric), t centres X0, d²ℓ/dE dt in X0 per GeV per X0) on the native bins."""
        e = self.e_edges
        dt = np.diff(self.t_edges)
        return np.sqrt(e[:-1] * e[1:]), 0.5 * (self.t_edges[:-1] + self.t_edges[1:]), self.track / np.outer(np.diff(e), dt)

    def total_track_length(self, E_min: float | None = None) -> float:
        """e± track length (X0 per beam electron) with energy above ``E_min`` (GeV) over the whole
        target. ``E_min=None`` means the table's e_min; ``E_min=0`` adds the track below e_min."""
        if E_min is None:
            return float(self.track.sum())
        E_min = float(E_min)
        if E_min == 0.0:
            return float(self.track.sum() + self.track_below_min.sum())
        e_lo, e_hi = self.e_edges[0], self.e_edges[-1]
        if not e_lo * (1 - 1e-9) <= E_min < e_hi:
            raise BeamdumpInputError(f"E_min={E_min}: must be 0 or lie in [{e_lo:g}, {e_hi:g}) GeV (table range)")
        return float(self.track_length([max(E_min, e_lo), e_hi], None).sum())

    def photon_spectrum(self, k_edges: ArrayLike | None = None) -> NDArray[np.float64]:
        """Bremsstrahlung photons (k ≥ e_min) emitted per beam electron in bins of k (GeV)."""
        if k_edges is None:
            return self.photons_emitted.copy()
        m = _rebin_weights(self.log10_e_edges, np.log10(np.maximum(np.asarray(k_edges, dtype=float), 1e-300)), "k_edges")
        cum = np.concatenate([[0.0], self.photons_emitted.cumsum()])
        return np.maximum(np.diff(m @ cum), 0.0)

    # ------------------------------------------------------------------ energy flow
    def energy_balance(self) -> dict[str, float]:
        """Deposited and escaping energy per beam electron (GeV); "total" should equal E0."""
        dep = float(self.deposit.sum())
        out = {"deposited": dep, **{f"escaped_{k}": float(v) for k, v in self.escaped.items()}}
        out["total"] = dep + sum(float(v) for v in self.escaped.values())
        return out

    def containment(self, depth: float) -> float:
        """Fraction of the beam energy deposited in the first ``depth`` X0 (linear within a bin):
        what an active dump of that length measures; 1 − containment leaks out of its back."""
        if not (np.isfinite(depth) and depth >= 0.0):
            raise BeamdumpInputError(f"containment depth: {depth!r} X0; allowed a finite value >= 0")
        cum = np.concatenate([[0.0], np.cumsum(self.deposit)])
        return float(np.interp(depth, self.t_edges, cum)) / self.settings.beam_energy

    def shower_maximum(self) -> float:
        """Depth (X0) of the maximum of the energy-deposition profile dE/dt: the highest point of
        the profile smoothed over ≈1 X0, refined by a parabola fitted to dE/dt within ±1 X0."""
        dt = np.diff(self.t_edges)
        tc = 0.5 * (self.t_edges[:-1] + self.t_edges[1:])
        dens = self.deposit / dt
        if not np.any(dens > 0):
            raise BeamdumpInputError("shower_maximum: no energy deposited in the target")
        width = max(1, int(round(1.0 / float(np.median(dt)))) | 1)
        smooth = np.convolve(dens, np.ones(width) / width, mode="same")
        i = int(np.argmax(smooth))
        near = np.abs(tc - tc[i]) <= 1.0
        if near.sum() >= 3:
            c2, c1, _ = np.polyfit(tc[near] - tc[i], dens[near], 2)
            if c2 < 0 and abs(c1 / (2 * c2)) <= 1.0:
                return float(tc[i] - c1 / (2 * c2))
        return float(tc[i])

    # ------------------------------------------------------------------ sampling
    def sample(
        self, n: int, rng: np.random.Generator | int | None = None
    ) -> tuple[NDArray[np.float64], NDArray[np.float64], NDArray[np.float64]]:
        """``n`` e± track elements drawn ∝ track length: (energy GeV, depth X0, weight X0).

        Each weight is total_track_length()/n, so Σ weight · f(E, t) estimates ∫ T(E,t) f dE dt
        (e.g. the A′ yield: f = n_atoms · dσ/dx). Within a bin, log E and t are uniform.
        """
        n = int(n)
        if n < 1:
            raise BeamdumpInputError(f"n={n}: must be ≥ 1")
        total = self.track.sum()
        if total <= 0:
            raise BeamdumpInputError("sample: the table has no track length above e_min")
        rng = np.random.default_rng(rng)
        u_cell = rng.random(n)
        u = rng.random((2, n))
        energy, t, _, _ = cell_points(self.track, self.log10_e_edges, self.t_edges, u_cell, u[0], u[1])
        return energy, t, np.full(n, total / n)

    # ------------------------------------------------------------------ persistence
    def _arrays(self, dtype: type[np.floating] = np.float64) -> dict[str, NDArray[np.floating]]:
        return {name: np.ascontiguousarray(getattr(self, name), dtype=np.float64 if name in _EDGE_NAMES else dtype)
                for name in _ARRAY_NAMES}

    def save(self, path: str | os.PathLike[str], dtype: type[np.floating] = np.float64) -> Path:
        """Write a compressed ``.npz`` (JSON metadata embedded) atomically. ``dtype=np.float32``
        stores the tallies (not the bin edges) in single precision (relative rounding ≤ 6e-8,
        far below any table's statistical error), half the size; :meth:`load` reads them back as
        float64."""
        arrays = self._arrays(dtype)
        meta = {
            "format": FORMAT_VERSION, "key": self.settings.key(), "settings": self.settings.to_dict(),
            "escaped": self.escaped, "provenance": self.metadata,
        }
        return write_table(path, arrays, meta)

    @classmethod
    def load(cls, path: str | os.PathLike[str], expected_key: str | None = None) -> ShowerTable:
        """Read and validate a table written by :meth:`save`; any problem raises :class:`CacheError`."""
        path = Path(path)
        meta, arrays = read_table(path, _ARRAY_NAMES, "shower table")
        try:
            settings = ShowerSettings.from_dict(meta["settings"])
            escaped = {str(k): float(v) for k, v in meta["escaped"].items()}
        except Exception as exc:  # missing or bad settings
            raise CacheError(f"{path}: unreadable shower table ({type(exc).__name__}: {exc})") from exc
        check_table_key(path, meta, settings.key(), FORMAT_VERSION, expected_key)
        le, te = settings.log10_e_edges(), settings.t_edges()
        shape2 = (le.size - 1, te.size - 1)
        shape3 = (*shape2, ANGLE_EDGES.size - 1)
        if any(a.dtype not in (np.float32, np.float64) for a in arrays.values()):
            raise CacheError(f"{path}: arrays are not floating point")
        ok = (
            arrays["log10_e_edges"].shape == le.shape and np.allclose(arrays["log10_e_edges"], le, atol=1e-9)
            and arrays["t_edges"].shape == te.shape and np.allclose(arrays["t_edges"], te, atol=1e-9)
            and arrays["angle_edges"].shape == ANGLE_EDGES.shape and np.allclose(arrays["angle_edges"], ANGLE_EDGES)
            and arrays["track"].shape == shape2 and arrays["photon_track"].shape == shape2
            and arrays["positron_track"].shape == shape2
            and arrays["angle_hist"].shape == shape3 and arrays["positron_angle_hist"].shape == shape3
            and arrays["photon_angle_hist"].shape == shape3
            and arrays["photons_emitted"].shape == (shape2[0],)
            and arrays["deposit"].shape == (shape2[1],) and arrays["track_below_min"].shape == (shape2[1],)
            and all(np.all(np.isfinite(a)) and np.all(a[...] >= 0) for n, a in arrays.items() if n != "log10_e_edges")
        )
        # single-precision tallies: each value rounded by ≤ 2^-24, a sum of positive ones too
        rtol = 1e-6 if any(a.dtype == np.float32 for a in arrays.values()) else 1e-9
        arrays = {n: a.astype(np.float64) for n, a in arrays.items()}
        if ok:  # the histograms hold the track, the positrons are part of it
            ok = (
                np.allclose(arrays["angle_hist"].sum(axis=2), arrays["track"], rtol=rtol, atol=1e-300)
                and np.allclose(arrays["positron_angle_hist"].sum(axis=2), arrays["positron_track"], rtol=rtol, atol=1e-300)
                and np.allclose(arrays["photon_angle_hist"].sum(axis=2), arrays["photon_track"], rtol=rtol, atol=1e-300)
                and np.all(arrays["positron_track"] <= arrays["track"] * (1 + 1e-9))
            )
        if not ok:
            raise CacheError(f"{path}: arrays inconsistent with the settings")
        del arrays["angle_edges"]  # the module's ANGLE_EDGES, checked above
        return cls(settings, escaped=escaped, metadata=dict(meta.get("provenance", {})), **arrays)


def cell_points(
    weights: NDArray[np.float64], log10_e_edges: NDArray[np.float64], t_edges: NDArray[np.float64],
    u_cell: NDArray[np.float64], u_e: NDArray[np.float64], u_t: NDArray[np.float64],
) -> tuple[NDArray[np.float64], NDArray[np.float64], NDArray[np.float64], NDArray[np.intp]]:
    """Points in (energy, depth) cells drawn ∝ ``weights`` (nE, nt) from uniform numbers: ``u_cell``
    picks the cell, ``u_e`` and ``u_t`` place the point uniformly in log E and t inside it.
    Returns (energy GeV, depth X0, probability of the chosen cell, flat cell index)."""
    flat = weights.ravel()
    cdf = np.cumsum(flat)
    idx = np.minimum(np.searchsorted(cdf, u_cell * cdf[-1], side="right"), flat.size - 1)
    ie, it = np.unravel_index(idx, weights.shape)
    le = log10_e_edges[ie] + u_e * (log10_e_edges[ie + 1] - log10_e_edges[ie])
    t = t_edges[it] + u_t * (t_edges[it + 1] - t_edges[it])
    return 10.0**le, t, flat[idx] / cdf[-1], idx

