"""Physical constants used across beamdump (one definition each)."""

#: Fine-structure constant α(0) (CODATA 2018: 1/137.035999084).
ALPHA_EM: float = 1.0 / 137.035999084
