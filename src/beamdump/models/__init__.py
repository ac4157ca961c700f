"""New-particle models: what the particle is (widths, branching fractions, cτ, final states) and
what production needs from it. Every model implements :class:`Model`; vector bosons are data
files (``data/models/vectors/``), other packages add models through the ``beamdump.models``
entry-point group."""

from __future__ import annotations

from .base import Coupling, FinalState, Model, ProductionCouplings
from .registry import get_model, model_names
from .vector import VectorBoson
from .vector_charges import VectorCharges

__all__ = ["Coupling", "FinalState", "Model", "ProductionCouplings", "VectorBoson", "VectorCharges", "get_model", "model_names"]
