"""beamdump: event yields and exclusion regions for feebly coupled particles at beam dumps.

The notebook API (``docs/api.md``)::

    import beamdump as bd
    exp = bd.experiment("na62-dump-2021")
    r = bd.reach(exp, model="b-l", final_states=["mumu"])
    r.band.write_csv("band.csv")
    r.plot(ax=ax)

Importing beamdump loads neither matplotlib nor the physics: each function imports what it needs.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import TYPE_CHECKING

try:
    __version__ = version("beamdump")
except PackageNotFoundError:  # running from a source tree without installation
    __version__ = "0.0.0+local"

if TYPE_CHECKING:
    import numpy as np

    from .engine.analysis import ReachResult
    from .experiments.experiment import CombinedExperiment, Experiment
    from .models.base import Model

__all__ = ["__version__", "experiment", "list_experiments", "list_models", "model", "reach"]


def list_experiments() -> list[str]:
    """Names of the shipped experiment presets (the subpackage ``beamdump.experiments`` holds the code)."""
    from .experiments.experiment import preset_names

    return preset_names()


def experiment(name_or_path: str | Path) -> "Experiment | CombinedExperiment":
    """A shipped preset by name (see :func:`list_experiments`) or a preset ``.toml`` file by path."""
    from .experiments.experiment import load_experiment

    return load_experiment(name_or_path)


def list_models() -> list[str]:
    """Names of every known model, shipped and registered by other packages (the subpackage
    ``beamdump.models`` holds the code)."""
    from .models import model_names

    return model_names()


def model(name: str, scan: str | None = None, fixed: Mapping[str, float] | None = None) -> "Model":
    """The model called ``name``; ``scan`` and ``fixed`` choose the scanned coupling of a model
    with several and hold the others (see :func:`beamdump.models.get_model`)."""
    from .models import get_model

    return get_model(name, scan=scan, fixed=fixed)


def reach(
    experiment: "str | Experiment | CombinedExperiment",
    model: "str | Model | None" = None,
    final_states: Sequence[str] | None = None,
    channels: Sequence[str] | None = None,
    masses: "np.ndarray | Sequence[float] | None" = None,
    couplings: "np.ndarray | Sequence[float] | None" = None,
    seed: int = 20231,
    workers: int = 1,
) -> "ReachResult":
    """Signal events on a (mass in GeV, coupling) grid, the upper limit and the excluded band.

    ``experiment``: a preset name or object; ``model``: a name or model object; final states and
    channels default to the preset's, masses to 100 log-spaced points over what the channels
    make, couplings to the model's default range (20 a decade). ``workers`` > 1 spreads the
    masses over that many processes (Dask LocalCluster); the results do not depend on it.
    """
    import numpy as np

    from .engine.analysis import make_reach, run_reach
    from .experiments.experiment import load_experiment

    exp = load_experiment(experiment) if isinstance(experiment, (str, Path)) else experiment
    engine = make_reach(exp, model, final_states=final_states, channels=channels, seed=seed)
    m = None if masses is None else np.asarray(masses, dtype=float)
    g = None if couplings is None else engine.model.coupling.check(couplings, "couplings")
    return run_reach(engine, m, g, workers=workers)
