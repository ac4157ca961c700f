"""The open registry of models: the vector data files shipped in ``data/models/vectors/``, the
particle kinds with a module of their own (the photon-coupled ALP), and
whatever other installed packages register under the ``beamdump.models`` entry-point group.

An entry point names either a :class:`~beamdump.models.base.Model` instance or a callable that
takes no arguments and returns one, e.g. in the other package's ``pyproject.toml``::

    [project.entry-points."beamdump.models"]
    my-scalar = "my_package.models:MyScalar"
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from functools import lru_cache
from importlib.metadata import entry_points
from types import MappingProxyType

from ..datafiles import package_data
from ..errors import BeamdumpInputError
from .base import Model
from .alp import PhotonALP
from .alp_fermion import FermionALP
from .hnl import HeavyNeutralLepton
from .scalar import HiggsMixedScalar
from .vector import load_vector

ENTRY_POINT_GROUP = "beamdump.models"


#: the particle kinds that are modules of their own (not vector data files), by name
_MODULE_MODELS: Mapping[str, Callable[[], Model]] = MappingProxyType(
    {"alp-photon": PhotonALP, "alp-fermion": FermionALP, "scalar": HiggsMixedScalar,
     "hnl-e": lambda: HeavyNeutralLepton({"e": 1.0}), "hnl-mu": lambda: HeavyNeutralLepton({"mu": 1.0}),
     "hnl-tau": lambda: HeavyNeutralLepton({"tau": 1.0}),
     "hnl-e-dirac": lambda: HeavyNeutralLepton({"e": 1.0}, majorana=False),
     "hnl-mu-dirac": lambda: HeavyNeutralLepton({"mu": 1.0}, majorana=False),
     "hnl-tau-dirac": lambda: HeavyNeutralLepton({"tau": 1.0}, majorana=False),
     "hnl": lambda: HeavyNeutralLepton({"e": 1.0, "mu": 1.0, "tau": 1.0})}
)


def _shipped() -> dict[str, Callable[[], Model]]:
    out: dict[str, Callable[[], Model]] = {}
    for path in sorted(package_data("models", "vectors").glob("*.toml")):
        out[path.stem] = lambda path=path: load_vector(path)
    return {**out, **_MODULE_MODELS}


def _plugins() -> dict[str, Callable[[], Model]]:
    out: dict[str, Callable[[], Model]] = {}
    for ep in entry_points(group=ENTRY_POINT_GROUP):
        out[ep.name] = lambda ep=ep: _from_entry_point(ep)
    return out


def _from_entry_point(ep) -> Model:
    try:
        obj = ep.load()
    except Exception as exc:  # a broken plug-in must not take the tool down with a traceback
        raise BeamdumpInputError(f"model: the plug-in {ep.name!r} ({ep.value}) cannot be loaded: {exc}") from None
    # a class (which the runtime protocol check would wrongly accept) or a factory is called
    model = obj() if isinstance(obj, type) or (callable(obj) and not isinstance(obj, Model)) else obj
    if not isinstance(model, Model):
        raise BeamdumpInputError(
            f"model: the plug-in {ep.name!r} ({ep.value}) does not implement beamdump.models.Model "
            "(name, description, coupling, width_power, valid_masses, production, final_states, widths, ctau)"
        )
    return model


def model_factories() -> Mapping[str, Callable[[], Model]]:
    """Every known model name with the function that builds it (plug-ins cannot shadow a shipped name)."""
    return MappingProxyType({**_plugins(), **_shipped()})


def model_names() -> list[str]:
    """Names of every known model, shipped ones first."""
    shipped = list(_shipped())
    return shipped + sorted(n for n in _plugins() if n not in shipped)


@lru_cache(maxsize=32)
def _cached(name: str) -> Model:
    factories = model_factories()
    if name not in factories:
        raise BeamdumpInputError(f"model: {name!r} is not known; known models: {', '.join(model_names())}")
    model = factories[name]()
    if model.name != name:
        raise BeamdumpInputError(f"model: {name!r} builds a model that calls itself {model.name!r}")
    return model


def get_model(name: str | Model, scan: str | None = None, fixed: Mapping[str, float] | None = None) -> Model:
    """The model called ``name`` (a model passes through); unknown names list the known ones.

    A model with several couplings scans one (``scan``, a coupling key; default the model's
    own ``coupling``) with the others held at the values or ratios in ``fixed`` — the model's
    :meth:`~beamdump.models.base.Model.with_couplings` decides what it accepts.
    """
    model = name if isinstance(name, Model) else _cached(name)
    if scan is not None or fixed:
        model = model.with_couplings(scan or model.coupling.key, dict(fixed or {}))
    return model
