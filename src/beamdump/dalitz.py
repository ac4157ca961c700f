"""Three-body decays with a matrix element: Dalitz-plot sampling and the daughters' momenta.

A parent of mass M decays to daughters 1, 2, 3 (masses m1, m2, m3). Flat phase space is flat in
the Dalitz variables (s12, s23) = (m12², m23²) inside the kinematic boundary (PDG Review
"Kinematics", eq. 49.22 ff.); a matrix element |M|² is applied by accept–reject. A matrix element
is a sum of products of four-vector dot products,

    |M|² = Σ_t c_t (p_i·p_j)(p_k·p_l),     t = (i, j, k, l, c_t),

with index 0 the parent and 1, 2, 3 the daughters; p_i·p_i = m_i². Every V−A four-fermion decay
of an unpolarised fermion is of this form (e.g. μ → e ν ν̄: |M|² ∝ (p_μ·p_ν̄)(p_e·p_ν)). In the
parent frame p_0·p_i = M E_i and p_i·p_j = (s_ij − m_i² − m_j²)/2 (i, j ≥ 1). Units: GeV.
"""

from __future__ import annotations

from typing import Sequence

import numpy as np

from .kinematics import FloatArray, boost, isotropic_directions

#: a matrix-element term (i, j, k, l, c): c (p_i·p_j)(p_k·p_l), indices 0 (parent) to 3
Term = tuple[int, int, int, int, float]

_PILOT = 1024  # Dalitz points that set the accept–reject envelope of a matrix element
_ENVELOPE = 1.3  # the envelope over the pilot's largest |M|²


def dalitz_limits(M: float, m1: float, m2: float, m3: float, s12: FloatArray) -> tuple[FloatArray, FloatArray]:
    """(s23_min, s23_max) (GeV²) at each s12 (GeV²) of the decay M → m1 m2 m3 (PDG eq. 49.23):
    E2* = (s12 − m1² + m2²)/(2 m12), E3* = (M² − s12 − m3²)/(2 m12) in the (12) rest frame."""
    s12 = np.asarray(s12, dtype=float)
    m12 = np.sqrt(s12)
    e2 = (s12 - m1 * m1 + m2 * m2) / (2.0 * m12)
    e3 = (M * M - s12 - m3 * m3) / (2.0 * m12)
    p2 = np.sqrt(np.clip(e2 * e2 - m2 * m2, 0.0, None))
    p3 = np.sqrt(np.clip(e3 * e3 - m3 * m3, 0.0, None))
    base = (e2 + e3) ** 2
    return base - (p2 + p3) ** 2, base - (p2 - p3) ** 2


def dot_products(M: float, masses: Sequence[float], s12: FloatArray, s23: FloatArray) -> dict[tuple[int, int], FloatArray]:
    """Every p_i·p_j (i ≤ j, 0 the parent) of decays at Dalitz points (s12, s23), GeV²."""
    m1, m2, m3 = masses
    s13 = M * M + m1 * m1 + m2 * m2 + m3 * m3 - s12 - s23
    e = energies(M, masses, s12, s23)
    sq = (M * M, m1 * m1, m2 * m2, m3 * m3)
    out: dict[tuple[int, int], FloatArray] = {(i, i): np.full_like(s12, sq[i]) for i in range(4)}
    for i in range(3):
        out[(0, i + 1)] = M * e[i]
    out[(1, 2)] = 0.5 * (s12 - sq[1] - sq[2])
    out[(2, 3)] = 0.5 * (s23 - sq[2] - sq[3])
    out[(1, 3)] = 0.5 * (s13 - sq[1] - sq[3])
    return out


def energies(M: float, masses: Sequence[float], s12: FloatArray, s23: FloatArray) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Daughter energies (GeV) in the parent frame: E1 = (M² + m1² − s23)/2M, E2 = (M² + m2² − s13)/2M,
    E3 = (M² + m3² − s12)/2M."""
    m1, m2, m3 = masses
    s13 = M * M + m1 * m1 + m2 * m2 + m3 * m3 - s12 - s23
    return ((M * M + m1 * m1 - s23) / (2 * M), (M * M + m2 * m2 - s13) / (2 * M), (M * M + m3 * m3 - s12) / (2 * M))


def matrix_element(terms: Sequence[Term], M: float, masses: Sequence[float], s12: FloatArray, s23: FloatArray) -> FloatArray:
    """|M|² = Σ c (p_i·p_j)(p_k·p_l) at Dalitz points (s12, s23); 1 for no terms (phase space)."""
    if not terms:
        return np.ones_like(np.asarray(s12, dtype=float))
    dots = dot_products(M, masses, np.asarray(s12, dtype=float), np.asarray(s23, dtype=float))
    out = np.zeros_like(np.asarray(s12, dtype=float))
    for i, j, k, l, c in terms:
        out += c * dots[(min(i, j), max(i, j))] * dots[(min(k, l), max(k, l))]
    return out


def _uniform(M: float, masses: Sequence[float], n: int, rng: np.random.Generator) -> tuple[FloatArray, FloatArray]:
    """n Dalitz points uniform in the kinematic region (flat phase space), by rejection from
    the bounding rectangle."""
    m1, m2, m3 = masses
    lo12, hi12 = (m1 + m2) ** 2, (M - m3) ** 2
    lo23, hi23 = (m2 + m3) ** 2, (M - m1) ** 2
    got12, got23, have = [], [], 0
    while have < n:
        k = max(2 * (n - have), 64)
        s12 = lo12 + (hi12 - lo12) * rng.random(k)
        s23 = lo23 + (hi23 - lo23) * rng.random(k)
        a, b = dalitz_limits(M, m1, m2, m3, s12)
        ok = (s23 >= a) & (s23 <= b)
        got12.append(s12[ok])
        got23.append(s23[ok])
        have += int(ok.sum())
    return np.concatenate(got12)[:n], np.concatenate(got23)[:n]


def sample_dalitz(
    M: float, masses: Sequence[float], n: int, rng: np.random.Generator, terms: Sequence[Term] = ()
) -> tuple[FloatArray, FloatArray]:
    """n Dalitz points (s12, s23) (GeV²) of M → m1 m2 m3 distributed as |M|² × phase space
    (accept–reject against 1.3 × the largest |M|² of a 1024-point pilot, raised if a point exceeds it; flat without terms)."""
    if M <= sum(masses):
        raise ValueError(f"sample_dalitz: {M} GeV cannot decay to {tuple(masses)} GeV")
    if not terms:
        return _uniform(M, masses, n, rng)
    pilot = matrix_element(terms, M, masses, *_uniform(M, masses, _PILOT, rng))
    if np.any(pilot < -1e-12 * np.max(np.abs(pilot))):
        raise ValueError("sample_dalitz: the matrix element is negative inside the Dalitz plot")
    top = _ENVELOPE * float(pilot.max())
    got12, got23, have = [], [], 0
    while have < n:
        k = max(3 * (n - have), 256)
        s12, s23 = _uniform(M, masses, k, rng)
        w = matrix_element(terms, M, masses, s12, s23)
        top = max(top, float(w.max()))  # a point above the envelope raises it (biased only by that point's excess)
        ok = rng.random(k) * top < w
        got12.append(s12[ok])
        got23.append(s23[ok])
        have += int(ok.sum())
    return np.concatenate(got12)[:n], np.concatenate(got23)[:n]


def rest_frame_momenta(
    M: float, masses: Sequence[float], s12: FloatArray, s23: FloatArray, rng: np.random.Generator,
    directions: FloatArray | None = None,
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Four-momenta (n, 4) of the three daughters in the parent frame at Dalitz points (s12, s23):
    daughter 1 along ``directions`` (n, 3; isotropic if None), daughter 2 at the angle the
    invariants fix and a uniform azimuth about 1, daughter 3 = −(1 + 2) (momentum conservation)."""
    s12 = np.asarray(s12, dtype=float)
    n = len(s12)
    m1, m2, m3 = masses
    e1, e2, e3 = energies(M, masses, s12, np.asarray(s23, dtype=float))
    q1 = np.sqrt(np.clip(e1 * e1 - m1 * m1, 0.0, None))
    q2 = np.sqrt(np.clip(e2 * e2 - m2 * m2, 0.0, None))
    dot12 = 0.5 * (s12 - m1 * m1 - m2 * m2)
    with np.errstate(invalid="ignore", divide="ignore"):
        cos12 = np.clip(np.where(q1 * q2 > 0, (e1 * e2 - dot12) / (q1 * q2), 1.0), -1.0, 1.0)
    sin12 = np.sqrt(1.0 - cos12 * cos12)
    d1 = isotropic_directions(n, rng) if directions is None else np.asarray(directions, dtype=float)
    # two unit vectors perpendicular to d1: a = d1 × (the axis least aligned with d1), b = d1 × a
    axis = np.zeros((n, 3))
    axis[np.arange(n), np.argmin(np.abs(d1), axis=1)] = 1.0
    a = np.cross(d1, axis)
    a /= np.linalg.norm(a, axis=1)[:, None]
    b = np.cross(d1, a)
    phi = 2.0 * np.pi * rng.random(n)
    d2 = cos12[:, None] * d1 + sin12[:, None] * (np.cos(phi)[:, None] * a + np.sin(phi)[:, None] * b)
    p1 = np.column_stack([e1, q1[:, None] * d1])
    p2 = np.column_stack([e2, q2[:, None] * d2])
    p3 = np.column_stack([e3, -(p1[:, 1:] + p2[:, 1:])])
    return p1, p2, p3


def three_body_lab(
    parent: FloatArray, parent_mass: float, masses: Sequence[float], rng: np.random.Generator,
    terms: Sequence[Term] = (), directions: FloatArray | None = None,
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Lab four-momenta (n, 4) of the three daughters of parents ``parent`` (n, 4, GeV) of mass
    ``parent_mass``, distributed as |M|² (``terms``) × phase space; ``directions`` (n, 3) fixes
    daughter 1's rest-frame direction."""
    parent = np.asarray(parent, dtype=float)
    s12, s23 = sample_dalitz(parent_mass, masses, len(parent), rng, terms)
    rest = rest_frame_momenta(parent_mass, masses, s12, s23, rng, directions)
    m = np.full(len(parent), parent_mass)
    return tuple(boost(p, parent, m) for p in rest)  # type: ignore[return-value]
