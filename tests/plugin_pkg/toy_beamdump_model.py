"""A toy beamdump model plug-in (test data for tests/test_model_plugin.py).

``make`` builds a vector with the dark photon's charges except x_e = -2 (so its e+e- width is
four times the dark photon's at the same coupling); the other objects are broken plug-ins.
"""

from beamdump.models import Coupling, VectorBoson, VectorCharges
from beamdump.models.vector_charges import PHOTON_CHARGES


def make() -> VectorBoson:
    charges = dict(PHOTON_CHARGES, e=-2.0)
    return VectorBoson(
        name="toy-vector",
        description="toy vector: the dark photon's charges but x_e = -2",
        coupling=Coupling("g_toy", r"$g_{toy}$", "", (1e-9, 1e-1), "toy coupling in units of e"),
        charges=VectorCharges(charges, in_units_of_e=True),
    )


class NotAModel:
    """Has a name and nothing else a model needs."""

    name = "not-a-model"


def not_a_model() -> NotAModel:
    return NotAModel()
