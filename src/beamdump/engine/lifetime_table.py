"""The coupling dependence of a flux, compressed: N(g) = g^k · Σ_b C_b exp(−U_b g^p).

For a weighted sample of particles flying through a decay volume, the probability to decay
inside and be accepted is a sum of exponentials in the path length x over the decay length
λ = (|p|/m)·cτ(m, g): Σ_j c_j exp(−x_j/λ). With cτ ∝ g^{−p} every term is exp(−u_j g^p),
u_j = x_j / λ(g = 1). The u_j of many particles are deposited on a logarithmic grid of nodes
with cloud-in-cell weights that keep Σ c_j and Σ c_j u_j exact, so the long-lifetime limit
(N ∝ g^{k+p}) is exact and the exponential regime is accurate to ≈ (Δu/u)²/8 ≈ 0.1% per node
spacing of 0.01 in log10 u. Evaluating a whole coupling grid is then one small matrix
exponential, whatever the number of particles.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Sequence

import numpy as np

from ..kinematics import FloatArray

NODES_PER_DECADE = 100


@dataclass(frozen=True)
class LifetimeTable:
    """Coefficients C_b at nodes U_b = 10**(log10_u0 + b/NODES_PER_DECADE), plus a constant
    term (paths starting inside the volume, u = 0). Units: particles per beam particle at g = 1.

    ``total`` is Σ_j c_j of the original terms summed exactly (math.fsum): it is usually 0 and
    lets the evaluation use expm1, which keeps the ε⁴ regime free of cancellation.
    """

    log10_u0: float
    coef: FloatArray
    constant: float
    production_power: int
    lifetime_power: int
    total: float = 0.0

    @property
    def nodes(self) -> FloatArray:
        """The node values U_b (dimensionless, at g = 1)."""
        return 10.0 ** (self.log10_u0 + np.arange(len(self.coef)) / NODES_PER_DECADE)

    def evaluate(self, couplings: FloatArray | float) -> FloatArray:
        """Accepted decays per beam particle at each coupling g (any shape)."""
        g = np.asarray(couplings, dtype=float)
        flat = g.reshape(-1)
        nz = np.nonzero(self.coef)[0]
        out = np.full(flat.shape, self.total)
        if len(nz):
            # Σ c_b e^{−x_b} = constant + Σ_{x_b<1} c_b + Σ_{x_b<1} c_b expm1(−x_b) + Σ_{x_b≥1} c_b e^{−x_b}:
            # no cancellation in the ε⁴ regime (x ≪ 1) nor a round-off floor in the tail (x ≫ 1)
            u, c = self.nodes[nz], self.coef[nz]
            x = np.outer(flat**self.lifetime_power, u)
            small = x < 1.0
            prefix = np.concatenate([[0.0], np.cumsum(c)])
            prefix[-1] = self.total - self.constant
            k = small.sum(axis=1)  # nodes are sorted, so the small ones are a prefix
            terms = np.where(small, np.expm1(-np.where(small, x, 0.0)), np.exp(-x))
            out = self.constant + prefix[k] + np.einsum("gb,b->g", terms, c)
        out = out * flat**self.production_power
        return np.clip(out, 0.0, None).reshape(g.shape)

    @classmethod
    def empty(cls, production_power: int = 2, lifetime_power: int = 2) -> "LifetimeTable":
        return cls(0.0, np.zeros(0), 0.0, production_power, lifetime_power, 0.0)

    @classmethod
    def from_terms(
        cls,
        u: FloatArray,
        c: FloatArray,
        production_power: int = 2,
        lifetime_power: int = 2,
        total: float | None = None,
    ) -> "LifetimeTable":
        """Build from terms c_j·exp(−u_j g^p) (u_j ≥ 0, c_j of any sign).

        ``total`` = Σ c_j when the caller knows it exactly (decay probabilities telescope to 0);
        otherwise it is summed exactly with math.fsum.
        """
        u = np.asarray(u, dtype=float).ravel()
        c = np.asarray(c, dtype=float).ravel()
        total = math.fsum(c) if total is None else float(total)
        at_zero = u <= 0.0
        constant = float(c[at_zero].sum())
        u, c = u[~at_zero], c[~at_zero]
        keep = c != 0.0
        u, c = u[keep], c[keep]
        if not len(u):
            return cls(0.0, np.zeros(0), constant, production_power, lifetime_power, total)
        t = np.log10(u) * NODES_PER_DECADE
        i0 = int(np.floor(t.min()))
        pos = t - i0
        lo = np.floor(pos).astype(np.int64)
        n_nodes = int(lo.max()) + 2
        nodes = 10.0 ** ((i0 + np.arange(n_nodes)) / NODES_PER_DECADE)
        # linear weights in u between the two neighbouring nodes: keeps Σc and Σcu
        frac = (u - nodes[lo]) / (nodes[lo + 1] - nodes[lo])
        coef = np.bincount(lo, weights=c * (1.0 - frac), minlength=n_nodes)
        coef += np.bincount(lo + 1, weights=c * frac, minlength=n_nodes)
        return cls(i0 / NODES_PER_DECADE, coef, constant, production_power, lifetime_power, total)

    def __add__(self, other: "LifetimeTable") -> "LifetimeTable":
        if (self.production_power, self.lifetime_power) != (other.production_power, other.lifetime_power):
            raise ValueError("cannot add lifetime tables with different coupling powers")
        const, total = self.constant + other.constant, self.total + other.total
        if not len(other.coef):
            return LifetimeTable(self.log10_u0, self.coef, const, *self._powers, total)
        if not len(self.coef):
            return LifetimeTable(other.log10_u0, other.coef, const, *self._powers, total)
        i_a = round(self.log10_u0 * NODES_PER_DECADE)
        i_b = round(other.log10_u0 * NODES_PER_DECADE)
        i0 = min(i_a, i_b)
        n = max(i_a + len(self.coef), i_b + len(other.coef)) - i0
        coef = np.zeros(n)
        coef[i_a - i0 : i_a - i0 + len(self.coef)] += self.coef
        coef[i_b - i0 : i_b - i0 + len(other.coef)] += other.coef
        return LifetimeTable(i0 / NODES_PER_DECADE, coef, const, *self._powers, total)

    def scaled(self, factor: float) -> "LifetimeTable":
        """The same table times a constant (a branching fraction, POT, an efficiency)."""
        return LifetimeTable(self.log10_u0, self.coef * factor, self.constant * factor, *self._powers, self.total * factor)

    @property
    def _powers(self) -> tuple[int, int]:
        return (self.production_power, self.lifetime_power)


def evaluate_tables(tables: Sequence[LifetimeTable], couplings: FloatArray | float) -> list[FloatArray]:
    """:meth:`LifetimeTable.evaluate` of several tables at once (the channels of one mass): one
    exponential of the couplings × the union of their nodes serves them all, and each table's
    expm1 split (its constant and total where all its own nodes are small) is kept, so each
    result equals the table's own evaluation up to the order of the final sum."""
    g = np.asarray(couplings, dtype=float)
    live = [t for t in tables if np.any(t.coef)]
    powers = {t.lifetime_power for t in live}
    if len(powers) > 1:  # tables of different lifetime powers share no exponentials
        return [t.evaluate(couplings) for t in tables]
    flat = g.reshape(-1)
    starts = [round(t.log10_u0 * NODES_PER_DECADE) for t in live]
    i0 = min(starts, default=0)
    width = max((s0 + len(t.coef) for s0, t in zip(starts, live)), default=i0) - i0
    coef = np.zeros((len(live), width))
    for row, (s0, t) in zip(coef, zip(starts, live)):
        row[s0 - i0 : s0 - i0 + len(t.coef)] = t.coef
    used = np.flatnonzero(np.any(coef != 0.0, axis=0))
    coef = coef[:, used]
    values = iter(())
    if len(live):
        u = 10.0 ** ((i0 + used) / NODES_PER_DECADE)
        x = np.outer(flat ** powers.pop(), u)
        small = x < 1.0
        k = small.sum(axis=1)  # nodes are sorted, so the small ones are a prefix
        terms = np.where(small, np.expm1(-np.where(small, x, 0.0)), np.exp(-x))
        prefix = np.zeros((len(live), len(used) + 1))
        np.cumsum(coef, axis=1, out=prefix[:, 1:])
        for row, c, t in zip(prefix, coef, live):
            row[np.flatnonzero(c)[-1] + 1 :] = t.total - t.constant  # all of this table's nodes small
        constant = np.array([t.constant for t in live])
        values = iter(constant[:, None] + np.take_along_axis(prefix, np.broadcast_to(k, (len(live), len(k))), axis=1)
                      + coef @ terms.T)
    out = []
    for t in tables:
        v = next(values) if np.any(t.coef) else np.full(flat.shape, t.total)
        out.append(np.clip(v * flat**t.production_power, 0.0, None).reshape(g.shape))
    return out
