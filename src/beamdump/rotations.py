"""Random rotations: turn a fixed isotropic sample into a fresh one at the cost of a 3 × 3 product."""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray


def random_rotation(rng: np.random.Generator) -> NDArray[np.float64]:
    """A rotation matrix (3, 3) drawn uniformly (Haar measure) from SO(3): the matrix of a
    uniformly random unit quaternion (four normal deviates, normalised).

    Rotating isotropic unit vectors u_i (drawn once, independently of anything else) by it gives
    isotropic vectors again, independent of whatever they are paired with: a sample reused at many
    masses is decorrelated between masses by one rotation per mass."""
    w, x, y, z = (q := rng.standard_normal(4)) / np.sqrt(q @ q)
    return np.array([
        [1.0 - 2.0 * (y * y + z * z), 2.0 * (x * y - z * w), 2.0 * (x * z + y * w)],
        [2.0 * (x * y + z * w), 1.0 - 2.0 * (x * x + z * z), 2.0 * (y * z - x * w)],
        [2.0 * (x * z - y * w), 2.0 * (y * z + x * w), 1.0 - 2.0 * (x * x + y * y)],
    ])
