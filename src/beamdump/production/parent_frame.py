"""The kinematics that two-body decays of a sampled parent population share at every mass.

A channel draws its parents (weights, lab four-momenta, polar angles) once; :class:`ParentFrame`
keeps what their decays at any daughter mass have in common — velocity β, |β|, γ, γ²/(γ + 1)
and a fixed rest-frame direction per parent — and boosts a daughter of given rest-frame momentum
to the lab. :func:`max_daughter_angle` is the exact two-body kinematic cone used to drop parents
that cannot reach a detector. Used by the meson decays (:mod:`.meson_decays`) and the
flavour-changing K and B decays (:mod:`.flavour_decays`). Units: GeV, rad.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import numpy as np

from ..kinematics import FloatArray, two_body_momentum


def max_daughter_angle(p_parent: FloatArray, parent_mass: float, mass: float, partner_mass: float) -> FloatArray:
    """Largest lab angle (rad) between a parent's direction (parent of mass ``parent_mass``, GeV)
    and its daughter of mass ``mass`` recoiling against ``partner_mass``.

    For a parent velocity β above the daughter's rest-frame velocity β*, tan θ_max =
    β*/(γ √(β² − β*²)); otherwise every direction is reachable (π).
    """
    E = p_parent[:, 0]
    p = np.linalg.norm(p_parent[:, 1:], axis=1)
    return cone(p / E, E / parent_mass, float(two_body_momentum(parent_mass, mass, partner_mass)), mass)


def cone(beta: FloatArray, gamma: FloatArray, q: float, mass: float) -> FloatArray:
    """θ_max (rad) of a daughter of ``mass`` (GeV) and rest-frame momentum ``q`` (GeV) from
    parents of speeds β and Lorentz factors γ (see :func:`max_daughter_angle`)."""
    beta_star = q / np.sqrt(q * q + mass * mass) if mass > 0 else 1.0
    with np.errstate(invalid="ignore", divide="ignore"):
        tan_max = beta_star / (gamma * np.sqrt(np.clip(beta * beta - beta_star * beta_star, 0.0, None)))
    return np.where(beta > beta_star, np.arctan(tan_max), np.pi)


@dataclass(frozen=True)
class ParentFrame:
    """Parents of one channel (mass M, GeV) with what their decays at any mass share: lab
    velocity β, |β|, γ, γ²/(γ + 1) and the rest-frame direction u of the new particle (turned
    by a random rotation at each mass); β and u are stored as (3, n), one row per axis."""

    weights: FloatArray
    theta: FloatArray
    mass: float
    beta: FloatArray
    speed: FloatArray
    gamma: FloatArray
    coef: FloatArray
    direction: FloatArray

    @classmethod
    def of(cls, w: FloatArray, p4: FloatArray, theta: FloatArray, mass: float, direction: FloatArray) -> "ParentFrame":
        """The frame of parents of ``mass`` (GeV) with weights ``w``, lab four-momenta ``p4`` (n, 4,
        GeV), polar angles ``theta`` (rad) and rest-frame unit directions ``direction`` (n, 3)."""
        e = p4[:, 0]
        beta = np.ascontiguousarray((p4[:, 1:] / e[:, None]).T)
        gamma = e / mass
        speed = np.sqrt(beta[0] * beta[0] + beta[1] * beta[1] + beta[2] * beta[2])
        return cls(w, theta, mass, beta, speed, gamma, gamma * gamma / (gamma + 1.0), np.ascontiguousarray(direction.T))

    @classmethod
    def joined(cls, frames: "Sequence[ParentFrame]") -> "ParentFrame":
        """Frames of parents of one mass as one frame (their parents in order)."""
        if len({f.mass for f in frames}) != 1:
            raise ValueError("ParentFrame.joined: only frames of one parent mass can be joined")

        def cat(arrays: list[FloatArray]) -> FloatArray:
            return np.concatenate(arrays, axis=-1)

        return cls(
            cat([f.weights for f in frames]), cat([f.theta for f in frames]), frames[0].mass, cat([f.beta for f in frames]),
            cat([f.speed for f in frames]), cat([f.gamma for f in frames]), cat([f.coef for f in frames]),
            cat([f.direction for f in frames]),
        )

    def max_daughter_angle(self, mass: float, partner_mass: float) -> FloatArray:
        """Largest lab angle (rad) of a daughter of ``mass`` (GeV) to its parent's direction
        (see :func:`max_daughter_angle`)."""
        return self.max_angle_at(mass, float(two_body_momentum(self.mass, mass, partner_mass)))

    def max_angle_at(self, mass: float, q: float) -> FloatArray:
        """Largest lab angle (rad) of a daughter of ``mass`` (GeV) emitted with rest-frame momentum ``q`` (GeV)."""
        return cone(self.speed, self.gamma, q, mass)

    def decay(self, mass: float, partner_mass: float, rotation: FloatArray, keep: np.ndarray | None = None) -> FloatArray:
        """Lab four-momenta (n, 4) of the new particle of ``mass`` (GeV) recoiling against
        ``partner_mass`` in the parents' two-body decays (see :meth:`boosted`)."""
        return self.boosted(mass, float(two_body_momentum(self.mass, mass, partner_mass)), rotation, keep)

    def boosted(self, mass: float, q: float | FloatArray, rotation: FloatArray, keep: np.ndarray | None = None) -> FloatArray:
        """Lab four-momenta (n, 4) of a daughter of ``mass`` (GeV) with rest-frame momentum ``q``
        (GeV; one number, or one per parent (n,) for a three-body decay) from the parents (those
        at indices ``keep``, or all), its rest-frame directions turned by ``rotation`` (3, 3):
        the boost of (e*, q R u) by each parent's velocity β,
        E = γ(e* + q β·Ru), p = q R u + (q γ²/(γ + 1) β·Ru + γ e*) β."""
        b = self.beta
        out = np.empty((4, len(self.gamma)))
        if np.ndim(q) == 0:
            e_star: float | FloatArray = float(np.sqrt(q * q + mass * mass))
            np.matmul(rotation * q, self.direction, out=out[1:])  # q R u, (3, n)
        else:
            q = np.asarray(q, dtype=float)
            e_star = np.sqrt(q * q + mass * mass)
            np.matmul(rotation, self.direction, out=out[1:])
            out[1:] *= q
        bu = b[0] * out[1] + b[1] * out[2] + b[2] * out[3]  # q β·Ru
        out[0] = self.gamma * (e_star + bu)
        out[1:] += (self.coef * bu + e_star * self.gamma) * b
        return out.T if keep is None else out.T[keep]  # most parents are kept: one gather of the result
