"""The one-dimensional electromagnetic cascade Monte Carlo that fills a shower table.

:func:`simulate` cascades beam electrons in a target and returns the
:class:`~.shower_table.ShowerTable` of the differential track length T(E, t) and the other tallies
per beam electron (its analytic checks, thin-target limit and disk cache are in :mod:`.shower_cascade`).
Units: energies in GeV, depths and track lengths in radiation lengths X0.

Physics model (Rossi's "approximation B", PDG "Passage of particles through matter")
-----------------------------------------------------------------------------------
* Bremsstrahlung: complete-screening Bethe–Heitler spectrum per X0,
  dN/dy = (1/y)(4/3 − 4/3 y + y²), y = k/E (the small (1 − y)/9 term is dropped), for photons
  with k ≥ E_min; softer photons are a continuous radiative loss of the electron.
* Pair production: complete screening, dN/dx = 1 − 4/3 x(1 − x) per X0 (total 7/9 per X0),
  independent of energy.
* Ionisation: a constant loss E_c (critical energy) per X0 for every electron.
* One dimension: all particles advance along the beam axis (no lateral spread, no backscattering),
  so the track length in the first t X0 of a thick target equals that of a target of thickness t.
* Angles (tallied, they do not steer the particles): each e± carries a direction that multiple
  scattering turns by a Gaussian kick of ⟨θ²⟩ = E_s² ∫ ds/E² over each step (Rossi & Greisen,
  Rev. Mod. Phys. 13 (1941) 240, ⟨θ²⟩ = (E_s/E)² per X0; exact for the linear energy loss of a
  step: E_s² s/(E_start E_end)); photons inherit the direction of their electron, pairs that of
  their photon. The emission and opening angles (≈ m_e/E, 2.4% of E_s/E) are neglected. Angles
  are tallied as u = θ·E/E_s (photons: u = θ·k/E_s, θ their electron's direction at emission;
  photons do not scatter), which does not depend on E_s (every angle is ∝ E_s), from a random
  stream of their own, so the tallies of energy and depth do not change with them.
* Charges: the beam electron is an e⁻; of a pair, the share x of the (symmetric) spectrum is the
  e⁻ and 1 − x the e⁺. e⁺ and e⁻ radiate and ionise alike (Bhabha and Møller differences and the
  annihilation of positrons in flight, ≈ 1e-3 per X0 at 1 GeV, are neglected), so the e⁻ excess
  T⁻ − T⁺ is the beam electron's own track.
* Neglected: Compton scattering, photo-effect, positron annihilation, the energy dependence of
  the ionisation loss, LPM and dielectric suppression (relevant above ~TeV for k ≪ E) and the
  incomplete screening at low energy. Below E_min electrons only ionise (range E/E_c) and soft
  photons convert after an exponential 9/7 X0 flight into two electrons sharing the energy
  uniformly. Photons softer than E_min are a continuous loss of their electron, so the
  track just above E_min is depleted (by ≈ 20% in the first factor 1.5 of energy): keep E_min
  well below the energies a production channel needs (≲ 1/10 of them).

In this model all energy is eventually lost by ionisation at E_c per X0, so the total e± track
length (all energies) is exactly (E0 − escaping energy)/E_c X0, Rossi's E0/E_c for a thick
target. For E_c ≪ E ≪ E0, T integrated over depth approaches Rossi's approximation-A result
0.437·E0/E² (photons: 0.572·E0/k², Tsai 1974 eq. for the thick-target photon track length).

The cascade is vectorised: each pass moves every live electron by one step and converts every
live photon, with NumPy arrays over all particles of a batch of showers (no Python loop per
particle). Each step enters the histograms at one uniformly random point along it, weighted by
its length: an unbiased estimate of the track length in any binning.
"""

from __future__ import annotations

import time
from datetime import datetime, timezone

import numpy as np
from numpy.typing import NDArray

from beamdump.sources.materials import get_material
from beamdump.sources.shower_table import ANGLE_EDGES, ShowerSettings, ShowerTable

__all__ = ["PAIR_RATE", "simulate"]

PAIR_RATE: float = 7.0 / 9.0  # photon conversions per X0, complete screening
_ANGLE_STREAM = 0x616E67  # second word of the seed of the multiple-scattering stream ("ang")


# ====================================================================== the cascade
class _Binner:
    """Bin index of values in sorted ``edges``: exactly ``searchsorted(edges, x, "right") - 1``
    clipped to the bins, found from a guess in a uniform lookup grid over the edges' range and
    corrected against the edges (a few times faster than a binary search per value)."""

    def __init__(self, edges: NDArray[np.float64], cells: int = 8192) -> None:
        self.edges, self.n, self.cells = edges, edges.size - 1, cells
        self.lo, self.scale = float(edges[0]), cells / float(edges[-1] - edges[0])
        lows = self.lo + np.arange(cells) / self.scale
        self.table = np.clip(np.searchsorted(edges, lows, side="right") - 1, 0, self.n - 1)

    def __call__(self, x: NDArray[np.float64]) -> NDArray[np.intp]:
        cell = np.clip((x - self.lo) * self.scale, 0, self.cells - 1).astype(np.intp)
        j = self.table[cell]
        todo, jj, xx = None, j, x
        while True:  # each pass moves the guesses that are off by one bin; few are off at all
            up = (jj < self.n - 1) & (xx >= self.edges[np.minimum(jj + 1, self.n)])
            down = (jj > 0) & (xx < self.edges[jj])
            move = np.flatnonzero(up | down)
            if not move.size:
                return j
            todo = move if todo is None else todo[move]
            j[todo] += up[move].astype(np.intp) - down[move].astype(np.intp)
            jj, xx = j[todo], x[todo]


class _Tally:
    """Histogram accumulators (flat bincount) for one table."""

    def __init__(self, le: NDArray[np.float64], te: NDArray[np.float64]) -> None:
        self.le, self.te = le, te
        self.ne, self.nt, self.nu = le.size - 1, te.size - 1, ANGLE_EDGES.size - 1
        self.track = np.zeros(self.ne * self.nt)
        self.positron_track = np.zeros(self.ne * self.nt)
        self.angle_hist = np.zeros(self.ne * self.nt * self.nu)
        self.positron_angle_hist = np.zeros(self.ne * self.nt * self.nu)
        self.photon_track = np.zeros(self.ne * self.nt)
        self.photon_angle_hist = np.zeros(self.ne * self.nt * self.nu)
        self.emitted = np.zeros(self.ne)
        self.deposit = np.zeros(self.nt)
        self.below = np.zeros(self.nt)
        self._bin_le, self._bin_t, self._bin_u = _Binner(le), _Binner(te), _Binner(ANGLE_EDGES)

    def _ie(self, e: NDArray[np.float64]) -> NDArray[np.intp]:
        return self._bin_le(np.log10(e))

    def _it(self, t: NDArray[np.float64]) -> NDArray[np.intp]:
        return self._bin_t(t)

    def _iu(self, u: NDArray[np.float64]) -> NDArray[np.intp]:
        return self._bin_u(u)

    def fill_charged(
        self, e: NDArray[np.float64], t: NDArray[np.float64], w: NDArray[np.float64],
        positron: NDArray[np.bool_], u: NDArray[np.float64],
    ) -> None:
        """e± track elements: energy, depth, length, charge and u = θ·E/E_s at the point."""
        if not e.size:
            return
        cell = self._ie(e) * self.nt + self._it(t)
        bins = cell * self.nu + self._iu(u)
        self.track += np.bincount(cell, weights=w, minlength=self.track.size)
        self.angle_hist += np.bincount(bins, weights=w, minlength=self.angle_hist.size)
        if positron.any():
            wp = w[positron]
            self.positron_track += np.bincount(cell[positron], weights=wp, minlength=self.track.size)
            self.positron_angle_hist += np.bincount(bins[positron], weights=wp, minlength=self.angle_hist.size)

    def fill_photons(self, k: NDArray[np.float64], t: NDArray[np.float64], w: NDArray[np.float64],
                     u: NDArray[np.float64]) -> None:
        """Photon flights: energy, depth of the tallied point, length and u = θ·k/E_s."""
        if not k.size:
            return
        cell = self._ie(k) * self.nt + self._it(t)
        self.photon_track += np.bincount(cell, weights=w, minlength=self.photon_track.size)
        self.photon_angle_hist += np.bincount(cell * self.nu + self._iu(u), weights=w, minlength=self.photon_angle_hist.size)

    def fill_t(self, target: NDArray[np.float64], t: NDArray[np.float64], w: NDArray[np.float64]) -> None:
        if t.size:
            target += np.bincount(self._it(t), weights=w, minlength=self.nt)

    def fill_e(self, e: NDArray[np.float64]) -> None:
        if e.size:
            self.emitted += np.bincount(self._ie(e), minlength=self.ne)


class _Bank:
    """Lists of particle arrays being collected for the next pass: (energy, depth) and, for the
    particles that are tracked on, the carried attributes (for e±: positron flag, a_x, a_y;
    for photons: a_x, a_y), a = θ/E_s per projection in GeV⁻¹."""

    def __init__(self, n_extra: int) -> None:
        empty = np.empty(0)
        self.cols: list[list[NDArray]] = [[empty] for _ in range(2 + n_extra)]

    def add(self, *arrays: NDArray) -> None:
        for col, a in zip(self.cols, arrays, strict=True):
            col.append(a)

    def arrays(self) -> list[NDArray]:
        return [np.concatenate(c) for c in self.cols]


def _route(e: NDArray[np.float64], t: NDArray[np.float64], extra: tuple[NDArray, ...], e_min: float,
           below: tuple[list, list], live: _Bank) -> None:
    """Append the electrons (energy, depth) below ``e_min`` to ``below``, the rest (with their
    ``extra`` attributes) to ``live``."""
    low = e < e_min
    below[0].append(e[low])
    below[1].append(t[low])
    live.add(e[~low], t[~low], *(x[~low] for x in extra))


def _sample_pair_fraction(rng: np.random.Generator, n: int) -> NDArray[np.float64]:
    """x = E(e⁻)/k from the complete-screening pair spectrum ∝ 1 − 4/3 x(1 − x) (rejection, ≥ 2/3 accepted)."""
    x = rng.random(n)
    todo = np.flatnonzero(rng.random(n) > 1.0 - 4.0 / 3.0 * x * (1.0 - x))
    while todo.size:
        xn = rng.random(todo.size)
        x[todo] = xn
        todo = todo[rng.random(todo.size) > 1.0 - 4.0 / 3.0 * xn * (1.0 - xn)]
    return x


def _run_batch(
    n: int, e0: float, e_min: float, ec: float, thick: float, tally: _Tally,
    rng: np.random.Generator, rng_angle: np.random.Generator, beam_angle: float = 0.0,
) -> tuple[float, float]:
    """Cascade ``n`` beam electrons; fills ``tally`` (sums over the batch). Returns the escaping
    energy (electrons, photons) summed over the batch, GeV. ``rng_angle`` draws only the
    multiple-scattering kicks; ``beam_angle`` is the beam's direction θ/E_s (GeV⁻¹, along x)."""
    esc_e = esc_g = 0.0
    e_en = np.full(n, e0)
    e_t = np.zeros(n)
    e_pos = np.zeros(n, dtype=bool)
    e_ax = np.full(n, float(beam_angle))
    e_ay = np.zeros(n)
    empty = np.empty(0)
    g_en, g_t, g_ax, g_ay = empty, empty, empty, empty
    while e_en.size or g_en.size:
        sub_e: list[NDArray[np.float64]] = []  # electrons below e_min (energy, depth)
        sub_t: list[NDArray[np.float64]] = []
        soft_e, soft_t = empty, empty  # soft photons (k < e_min), treated like sub-cut photons
        new_g = _Bank(2)
        new_e = _Bank(3)
        if e_en.size:
            m = e_en.size
            yc = e_min / e_en
            lam = (4.0 / 3.0) * -np.log(yc)  # majorant of the y ≥ yc emission rate per X0
            soft = e_min * (4.0 / 3.0 - (2.0 / 3.0) * yc + yc * yc / 3.0)  # ∫_0^yc y·dN/dy · E per X0
            loss = ec + soft
            s_int = rng.exponential(1.0, m) / lam
            s_cut = (e_en - e_min) / loss
            s_exit = thick - e_t
            s = np.minimum(np.minimum(s_int, s_cut), s_exit)
            u = rng.random(m)
            e_mid = e_en - u * loss * s
            t_mid = e_t + u * s
            # multiple scattering: a Gaussian kick per projection of variance ½∫ds/E² up to the
            # tallied point and another from there to the step's end (a = θ/E_s)
            e_end = np.maximum(e_en - loss * s, 1e-300)
            e_at = np.maximum(e_mid, 1e-300)
            kick = rng_angle.standard_normal((4, m))
            sd1 = np.sqrt(0.5 * u * s / (e_en * e_at))
            sd2 = np.sqrt(0.5 * (1.0 - u) * s / (e_at * e_end))
            mid_x, mid_y = e_ax + kick[0] * sd1, e_ay + kick[1] * sd1
            tally.fill_charged(np.maximum(e_mid, e_min), t_mid, s, e_pos, np.hypot(mid_x, mid_y) * e_at)
            e_ax, e_ay = mid_x + kick[2] * sd2, mid_y + kick[3] * sd2
            tally.fill_t(tally.deposit, t_mid, ec * s)
            soft_e, soft_t = soft * s, t_mid
            e_en = e_en - loss * s
            e_t = e_t + s
            exit_ = s_exit <= np.minimum(s_int, s_cut)
            cut = ~exit_ & (s_cut <= s_int)
            inter = ~exit_ & ~cut
            esc_e += float(e_en[exit_].sum())
            sub_e.append(np.maximum(e_en[cut], 0.0))
            sub_t.append(e_t[cut])
            # thinning: propose y ∝ 1/y on [yc(start), 1]; accept with φ(y)/(4/3) at the current energy
            ei, ti, yci = e_en[inter], e_t[inter], yc[inter]
            pi, axi, ayi = e_pos[inter], e_ax[inter], e_ay[inter]
            y = yci ** rng.random(ei.size)
            acc = (y * ei >= e_min) & (rng.random(ei.size) < 1.0 - y + 0.75 * y * y)
            k = y[acc] * ei[acc]
            tally.fill_e(k)
            new_g.add(k, ti[acc], axi[acc], ayi[acc])
            e_after = ei.copy()
            e_after[acc] -= k
            _route(e_after, ti, (pi, axi, ayi), e_min, (sub_e, sub_t), new_e)
        if g_en.size:
            m = g_en.size
            s = rng.exponential(1.0 / PAIR_RATE, m)
            s_exit = thick - g_t
            out = s >= s_exit
            flight = np.where(out, s_exit, s)
            # photons do not scatter: u = θ·k/E_s with the direction of the emitting electron
            tally.fill_photons(g_en, g_t + rng.random(m) * flight, flight, np.hypot(g_ax, g_ay) * g_en)
            esc_g += float(g_en[out].sum())
            w, tc = g_en[~out], g_t[~out] + s[~out]
            ax, ay = g_ax[~out], g_ay[~out]
            x = _sample_pair_fraction(rng, w.size)
            for part, positron in ((x * w, False), ((1.0 - x) * w, True)):
                _route(part, tc, (np.full(w.size, positron), ax, ay), e_min, (sub_e, sub_t), new_e)
        # soft photons: convert after Exp(9/7) X0 into two electrons sharing the energy uniformly
        if soft_e.size:
            s = rng.exponential(1.0 / PAIR_RATE, soft_e.size)
            out = soft_t + s >= thick
            esc_g += float(soft_e[out].sum())
            w, tc = soft_e[~out], soft_t[~out] + s[~out]
            x = rng.random(w.size)
            sub_e += [x * w, (1.0 - x) * w]
            sub_t += [tc, tc]
        # electrons below e_min: ionisation only, range E/E_c
        se, st = np.concatenate(sub_e) if sub_e else empty, np.concatenate(sub_t) if sub_t else empty
        if se.size:
            rng_len = np.minimum(se / ec, thick - st)
            tp = st + rng.random(se.size) * rng_len
            tally.fill_t(tally.deposit, tp, ec * rng_len)
            tally.fill_t(tally.below, tp, rng_len)
            esc_e += float((se - ec * rng_len).sum())
        # every live electron either left, fell below e_min, or is in new_e (after an emission
        # or a rejected proposal); photons either escaped or converted
        e_en, e_t, e_pos, e_ax, e_ay = new_e.arrays()
        e_pos = e_pos.astype(bool)
        g_en, g_t, g_ax, g_ay = new_g.arrays()
    return esc_e, esc_g


def simulate(settings: ShowerSettings) -> ShowerTable:
    """Run ``settings.n_showers`` cascades and return the table (tallies per beam electron)."""
    mat = get_material(settings.material)
    ec = mat.critical_energy
    le, te = settings.log10_e_edges(), settings.t_edges()
    tally = _Tally(le, te)
    rng = np.random.default_rng(settings.seed)
    rng_angle = np.random.default_rng([settings.seed, _ANGLE_STREAM])  # kicks only: the rest is unchanged
    # batches hold ~2e6 particles (≈ 0.5·E0/e_min per shower of each kind) to bound memory
    per_batch = max(1, min(settings.n_showers, int(4e6 * settings.e_min / settings.beam_energy)))
    t0 = time.perf_counter()
    esc_e = esc_g = 0.0
    done = 0
    while done < settings.n_showers:
        n = min(per_batch, settings.n_showers - done)
        a, b = _run_batch(n, settings.beam_energy, settings.e_min, ec, settings.thickness, tally, rng, rng_angle)
        esc_e += a
        esc_g += b
        done += n
    wall = time.perf_counter() - t0
    norm = 1.0 / settings.n_showers
    shape = (tally.ne, tally.nt)
    shape3 = (*shape, tally.nu)
    return ShowerTable(
        settings=settings, log10_e_edges=le, t_edges=te,
        track=tally.track.reshape(shape) * norm, photon_track=tally.photon_track.reshape(shape) * norm,
        photons_emitted=tally.emitted * norm, deposit=tally.deposit * norm, track_below_min=tally.below * norm,
        positron_track=tally.positron_track.reshape(shape) * norm,
        angle_hist=tally.angle_hist.reshape(shape3) * norm,
        positron_angle_hist=tally.positron_angle_hist.reshape(shape3) * norm,
        photon_angle_hist=tally.photon_angle_hist.reshape(shape3) * norm,
        escaped={"electrons": esc_e * norm, "photons": esc_g * norm},
        metadata={
            "generator": "beamdump 1D EM cascade (Rossi approximation B)",
            "material": mat.name, "critical_energy_mev": mat.critical_energy_mev,
            "radiation_length_cm": mat.radiation_length_cm,
            "created_utc": datetime.now(timezone.utc).isoformat(timespec="seconds"),
            "wall_s": round(wall, 3), "numpy_version": np.__version__,
        },
    )
