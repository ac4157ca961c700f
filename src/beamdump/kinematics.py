"""Relativistic kinematics on arrays of four-momenta.

Four-momenta are arrays of shape (..., 4) ordered (E, px, py, pz), in GeV.
Everything here is vectorised over the leading axes; no Python loop over particles.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

FloatArray = NDArray[np.float64]


def kallen(a: ArrayLike, b: ArrayLike, c: ArrayLike) -> FloatArray:
    """Källén function λ(a, b, c) = a² + b² + c² − 2ab − 2ac − 2bc (arguments are squared masses)."""
    a, b, c = (np.asarray(x, dtype=float) for x in (a, b, c))
    return a * a + b * b + c * c - 2.0 * (a * b + a * c + b * c)


def two_body_momentum(m_parent: ArrayLike, m1: ArrayLike, m2: ArrayLike) -> FloatArray:
    """Momentum (GeV) of either daughter in the rest frame of a parent of mass m_parent → m1 + m2.

    Returns 0 where the decay is kinematically closed.
    """
    M = np.asarray(m_parent, dtype=float)
    lam = kallen(M * M, np.square(m1), np.square(m2))
    return np.sqrt(np.clip(lam, 0.0, None)) / (2.0 * M)


def invariant_mass(p: ArrayLike) -> FloatArray:
    """Invariant mass √(E² − |p|²) in GeV (0 for light-like or slightly space-like round-off)."""
    p = np.asarray(p, dtype=float)
    m2 = p[..., 0] ** 2 - np.sum(p[..., 1:] ** 2, axis=-1)
    return np.sqrt(np.clip(m2, 0.0, None))


def isotropic_directions(n: int, rng: np.random.Generator) -> FloatArray:
    """n unit vectors (n, 3) uniformly distributed on the sphere."""
    u = rng.random((2, n))
    cos_t = 2.0 * u[0] - 1.0
    phi = 2.0 * np.pi * u[1]
    sin_t = np.sqrt(1.0 - cos_t * cos_t)
    return np.stack([sin_t * np.cos(phi), sin_t * np.sin(phi), cos_t], axis=-1)


def boost(p_rest: ArrayLike, p_frame: ArrayLike, mass: ArrayLike | None = None) -> FloatArray:
    """Boost four-momenta given in the rest frame of a body into the frame where that body has
    four-momentum ``p_frame``.

    ``p_rest`` (..., 4) and ``p_frame`` (..., 4) broadcast against each other. The body's mass is
    taken from ``p_frame`` unless ``mass`` (GeV) is given; give it for ultra-relativistic bodies,
    where √(E² − p²) loses digits (relative error ≈ 1e-16·E²/m²).
    """
    p_rest = np.asarray(p_rest, dtype=float)
    p_frame = np.asarray(p_frame, dtype=float)
    E_f = p_frame[..., 0]
    vec_f = p_frame[..., 1:]
    m_f = invariant_mass(p_frame) if mass is None else np.broadcast_to(np.asarray(mass, dtype=float), E_f.shape)
    beta = vec_f / E_f[..., None]
    gamma = E_f / np.where(m_f > 0, m_f, np.inf)
    gamma = np.where(m_f > 0, gamma, 1.0)
    E_r = p_rest[..., 0]
    vec_r = p_rest[..., 1:]
    beta, vec_r = np.broadcast_arrays(beta, vec_r)
    bp = np.einsum("...i,...i->...", beta, vec_r)
    # (γ − 1)/β² written as γ²/(γ + 1), exact and finite at β → 0
    coef = gamma * gamma / (gamma + 1.0)
    out = np.empty(beta.shape[:-1] + (4,))
    out[..., 0] = gamma * (E_r + bp)
    np.multiply((coef * bp + gamma * E_r)[..., None], beta, out=out[..., 1:])
    out[..., 1:] += vec_r
    return out


def two_body_decay(
    p_parent: ArrayLike,
    m1: float,
    m2: ArrayLike,
    rng: np.random.Generator,
    directions: ArrayLike | None = None,
    parent_mass: ArrayLike | None = None,
) -> tuple[FloatArray, FloatArray]:
    """Decay parents (n, 4) isotropically in their rest frame into masses m1 and m2 (GeV; m2
    and ``parent_mass`` may be one number or one per parent, (n,)).

    ``directions`` (n, 3), unit vectors of daughter 1 in the parent rest frame, may be given;
    otherwise they are drawn isotropically. ``parent_mass`` (GeV), when known, avoids the loss of
    digits in √(E² − p²) for fast parents. Returns the lab four-momenta (n, 4) of both
    daughters. Parents below threshold give daughters with zero rest-frame momentum.
    """
    p_parent = np.asarray(p_parent, dtype=float)
    n = p_parent.shape[0]
    M = invariant_mass(p_parent) if parent_mass is None else np.asarray(parent_mass, dtype=float)
    q = two_body_momentum(M, m1, m2)  # one number for one parent mass
    if directions is None:
        directions = isotropic_directions(n, rng)
    d = np.asarray(directions, dtype=float)
    p1 = np.empty((n, 4))
    p1[:, 0] = np.sqrt(q * q + m1 * m1)
    np.multiply(d, q[..., None], out=p1[:, 1:])
    lab1 = boost(p1, p_parent, np.broadcast_to(M, (n,)))
    return lab1, p_parent - lab1  # momentum conservation: one boost instead of two


def four_momentum(mass: ArrayLike, p: ArrayLike, theta: ArrayLike, phi: ArrayLike) -> FloatArray:
    """Four-momenta (..., 4) from mass, momentum magnitude p (GeV), polar angle θ and azimuth φ (rad)."""
    mass, p, theta, phi = np.broadcast_arrays(*(np.asarray(x, dtype=float) for x in (mass, p, theta, phi)))
    st = np.sin(theta)
    E = np.sqrt(p * p + mass * mass)
    return np.stack([E, p * st * np.cos(phi), p * st * np.sin(phi), p * np.cos(theta)], axis=-1)


def three_body_decay(
    p_parent: ArrayLike, parent_mass: float, m1: float, m2: float, m3: float, rng: np.random.Generator
) -> tuple[tuple[FloatArray, FloatArray, FloatArray], FloatArray]:
    """Decay parents (n, 4) of mass ``parent_mass`` into m1, m2, m3 (GeV) by flat phase space.

    The invariant mass m23 of the (2, 3) pair is drawn uniformly between m2 + m3 and M − m1, and
    each decay carries the weight p1*·p23*/⟨p1*·p23*⟩ (dΦ₃ ∝ p1* p23* dm23, p1* the momentum of 1
    in the parent frame and p23* that of 2 in the pair frame), normalised to mean 1 over the
    sample; then 1 recoils isotropically against the pair, which decays isotropically. Returns
    the lab four-momenta of the three daughters and the weights (n,).
    """
    p_parent = np.asarray(p_parent, dtype=float)
    n = p_parent.shape[0]
    lo, hi = m2 + m3, parent_mass - m1
    if hi <= lo:
        raise ValueError(f"three_body_decay: {parent_mass} GeV cannot decay to {m1} + {m2} + {m3} GeV")
    m23 = lo + (hi - lo) * rng.random(n)
    w = two_body_momentum(parent_mass, m1, m23) * two_body_momentum(m23, m2, m3)
    mean = float(np.mean(w)) if n else 1.0
    weights = w / mean if mean > 0 else np.zeros(n)
    lab1, pair = two_body_decay(p_parent, m1, m23, rng, parent_mass=parent_mass)  # 1 against the pair
    lab2, lab3 = two_body_decay(pair, m2, m3, rng, parent_mass=m23)
    return (lab1, lab2, lab3), weights
