"""A model from another package: a toy vector registered under the ``beamdump.models``
entry-point group (test data in tests/plugin_pkg/, put on sys.path without pip), found by the
registry and run through a reach like a shipped model; broken plug-ins give one-line errors."""

from __future__ import annotations

import shutil
import sys
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from beamdump.engine.analysis import make_reach, run_reach
from beamdump.errors import BeamdumpInputError
from beamdump.experiments.experiment import load_experiment
from beamdump.models import Model, get_model, model_names
from beamdump.models import registry
from beamdump.models.vector import VectorBoson

PLUGIN_PKG = Path(__file__).resolve().parent / "plugin_pkg"
MODULE = "toy_beamdump_model"
TOY = "toy_beamdump_model-0.1.dist-info"
BROKEN = "broken_beamdump_model-0.1.dist-info"


def _clear_registry() -> None:
    cached = getattr(registry, "_cached", None)
    if cached is not None and hasattr(cached, "cache_clear"):
        cached.cache_clear()


def _install(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, *dists: str) -> Iterator[Path]:
    """Copy the module and the chosen dist-info folders to tmp_path and put it first on sys.path."""
    site = tmp_path / "site"
    site.mkdir()
    shutil.copy(PLUGIN_PKG / f"{MODULE}.py", site)
    for d in dists:
        shutil.copytree(PLUGIN_PKG / d, site / d)
    monkeypatch.syspath_prepend(str(site))
    _clear_registry()
    yield site
    sys.modules.pop(MODULE, None)
    _clear_registry()


@pytest.fixture
def toy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    yield from _install(tmp_path, monkeypatch, TOY)


@pytest.fixture
def broken(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    yield from _install(tmp_path, monkeypatch, TOY, BROKEN)


def test_plugin_is_found(toy: Path) -> None:
    names = model_names()
    assert "toy-vector" in names
    assert names.index("toy-vector") > max(names.index(n) for n in ("dark-photon", "b-l"))  # shipped ones first
    model = get_model("toy-vector")
    assert isinstance(model, Model) and isinstance(model, VectorBoson)
    assert model.name == "toy-vector" and model.coupling.key == "g_toy"
    assert get_model("toy-vector") is model  # built once


def test_plugin_widths(toy: Path) -> None:
    model, dp = get_model("toy-vector"), get_model("dark-photon")
    m = np.array([0.01, 0.05, 0.3, 1.5])
    g = 1e-4
    mine, photon = model.partial_widths(m, g), dp.partial_widths(m, g)
    np.testing.assert_allclose(mine["ee"], 4.0 * photon["ee"], rtol=1e-12)  # x_e = -2
    np.testing.assert_allclose(mine["mumu"], photon["mumu"], rtol=1e-12)
    np.testing.assert_allclose(mine["hadrons"], photon["hadrons"], rtol=1e-12)
    # below 2 m_mu the e+e- width is the whole width: cτ is a quarter of the dark photon's
    np.testing.assert_allclose(model.ctau(0.05, g), dp.ctau(0.05, g) / 4.0, rtol=1e-5)


def test_plugin_reach(toy: Path) -> None:
    reach = make_reach(load_experiment("nucal"), "toy-vector", final_states=["ee"], channels=["pi0"])
    assert reach.model is get_model("toy-vector")
    masses, couplings = np.geomspace(0.01, 0.1, 5), np.geomspace(1e-9, 1e-3, 40)
    result = run_reach(reach, masses=masses, couplings=couplings)
    events = result.grid.total
    assert events.shape == (5, 40) and np.all(np.isfinite(events)) and np.all(events >= 0)
    assert np.all(events.max(axis=1) > 0)
    # the same quarks as the dark photon: the pi0 rate is the dark photon's, and in the
    # long-lifetime limit N ∝ Γ_ee · BR_ee · production = 4 · 1 · 1 times the dark photon's
    ref = make_reach(load_experiment("nucal"), "dark-photon", final_states=["ee"], channels=["pi0"])
    g = 1e-9
    for m in (0.02, 0.05):
        ratio = float(reach.flux(m).total(g) / ref.flux(m).total(g))
        assert ratio == pytest.approx(4.0, rel=1e-3), m


def test_plugin_that_is_not_a_model(broken: Path) -> None:
    assert "not-a-model" in model_names()
    with pytest.raises(BeamdumpInputError, match="'not-a-model'.*does not implement beamdump.models.Model"):
        get_model("not-a-model")


def test_plugin_that_cannot_be_loaded(broken: Path) -> None:
    with pytest.raises(BeamdumpInputError, match="'unloadable'.*cannot be loaded"):
        get_model("unloadable")


def test_plugin_whose_model_has_another_name(broken: Path) -> None:
    with pytest.raises(BeamdumpInputError, match="'misnamed'.*'toy-vector'"):
        get_model("misnamed")


def test_plugin_cannot_shadow_a_shipped_model(broken: Path) -> None:
    assert model_names().count("dark-photon") == 1
    dp = get_model("dark-photon")
    assert dp.coupling.key == "eps" and dp.charges["e"] == -1.0
