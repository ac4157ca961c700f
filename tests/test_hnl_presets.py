"""The heavy-neutral-lepton presets (issue 16): the new ones (bebc, nutev, ps191, nomad, dune-nd) load,
source every number, name only HNL channels and final states; the presets that gained HNL channels
keep them away from the other models; the validation entries match their reference files (Dirac or
Majorana as the file says); and a reach at a point inside each experiment's excluded region has
signal, scaling as U^4 far below the lower edge."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from beamdump.datafiles import load_toml, package_data
from beamdump.engine.analysis import make_reach
from beamdump.errors import BeamdumpInputError
from beamdump.experiments.experiment import load_experiment
from beamdump.models import get_model
from beamdump.production.channels import applicable, channel_descriptions
from beamdump.production.hnl_channels import HNL_CHANNELS, PIPE_CHANNELS

REFERENCE = Path(__file__).resolve().parents[1].parent / "shared" / "reference" / "limits"
NEW = ["bebc", "nutev", "ps191", "nomad", "dune-nd"]
EXTENDED = ["charm", "ship", "shadows", "na62-dump-2021", "faser2"]
HNL_MODELS = ["hnl-e", "hnl-mu", "hnl-tau", "hnl-e-dirac", "hnl-mu-dirac", "hnl-tau-dirac", "hnl"]
HNL_STATES = set().union(*(get_model(m).final_states() for m in ("hnl-e", "hnl-mu", "hnl-tau"))) - {"nununu"}
#: preset → (model, mass GeV, U^2, channels or None): a point well inside the published (or
#: projected) excluded band, where the reach must see more than the 90% CL 2.3 events
INSIDE = {
    "bebc": ("hnl-e-dirac", 1.0, 1e-6, None),  # Barouki et al.: 8e-8 < U_e^2 < 1e-2 at 1 GeV
    "nutev": ("hnl-mu-dirac", 1.0, 1e-6, None),  # NuTeV: 1.4e-7 < U_mu^2 < 4e-5 at 1 GeV
    "ps191": ("hnl-mu-dirac", 0.25, 1e-6, ["hnl_kaon_in_pipe"]),  # PS191: 3e-8 < U_mu^2 < 4e-3 at 0.25 GeV
    "nomad": ("hnl-tau", 0.15, 1e-3, None),  # NOMAD: U_tau^2 ~ 1e-4 excluded near 0.15 GeV [check]
    "dune-nd": ("hnl-mu", 1.0, 1e-7, None),  # DUNE ND projections reach U_mu^2 ~ 1e-8-1e-9 at 1 GeV
}


def _sources(node, where: str = "") -> list[str]:
    """Every number of a raw preset table without a source (paths), recursively."""
    missing = []
    if isinstance(node, dict):
        if "value" in node and not str(node.get("source", "")).strip():
            missing.append(where)
        for k, v in node.items():
            missing += _sources(v, f"{where}.{k}" if where else k)
    elif isinstance(node, list):
        for i, v in enumerate(node):
            missing += _sources(v, f"{where}[{i}]")
    return missing


def _events(name: str, model: str, mass: float, u2: float, channels) -> float:
    """Signal events of preset ``name`` at (mass, U^2); skips when a parent table or σ is not shipped."""
    try:
        reach = make_reach(load_experiment(name), model, channels=channels)
        return float(reach.flux(mass).total(np.array([u2]))[0])
    except BeamdumpInputError as err:
        if "table" in str(err) or "cross-section" in str(err):
            pytest.skip(f"{name}: {err}")
        raise


@pytest.mark.parametrize("name", NEW)
def test_new_presets_load_with_every_number_sourced(name):
    exp = load_experiment(name)
    assert exp.name == name
    raw = load_toml(package_data("presets", f"{name}.toml"))
    assert _sources(raw) == []
    assert exp.config.references


@pytest.mark.parametrize("name", NEW + EXTENDED)
def test_hnl_channels_and_final_states_are_the_interface_names(name):
    cfg = load_experiment(name).config
    known = channel_descriptions()
    assert all(c in known for c in cfg.channels), cfg.channels
    hnl = [c for c in cfg.channels if c in HNL_CHANNELS]
    assert hnl, "no HNL channel"
    if name in NEW:
        assert hnl == cfg.channels and set(cfg.final_states) <= HNL_STATES
    assert set(hnl) & set(PIPE_CHANNELS) == set() or cfg.decay_pipe is not None  # a pipe channel needs [decay_pipe]
    for model in HNL_MODELS:
        m = get_model(model)
        assert set(applicable(cfg.channels, m)) == set(hnl), model
        assert set(cfg.final_states) & set(m.final_states()), model


@pytest.mark.parametrize("name", EXTENDED)
def test_hnl_channels_stay_away_from_the_other_models(name):
    cfg = load_experiment(name).config
    for model in ("dark-photon", "alp-photon", "scalar", "alp-fermion", "b-l"):
        chans = applicable(cfg.channels, get_model(model))
        assert not set(chans) & set(HNL_CHANNELS), (model, chans)
        # the HNL final states are none of the other models' keys, so their reaches do not change
        assert not set(get_model(model).final_states()) & HNL_STATES, model


def _hnl_entries():
    for name in NEW + EXTENDED:
        for v in load_experiment(name).config.validation:
            if v.model.startswith("hnl"):
                yield name, v


@pytest.mark.parametrize(("name", "entry"), list(_hnl_entries()), ids=lambda x: getattr(x, "reference", x))
def test_validation_entries_match_their_reference_files(name, entry):
    cfg = load_experiment(name).config
    model = get_model(entry.model)
    assert set(entry.final_states) <= set(cfg.final_states) and set(entry.final_states) <= set(model.final_states())
    assert entry.channels is None or set(entry.channels) <= set(cfg.channels)
    flavour = entry.reference.split("/")[0].removeprefix("hnl_")
    assert model.coupling.key == f"U2_{flavour}"
    path = REFERENCE / entry.reference
    if not path.exists():
        pytest.skip(f"reference folder absent: {path}")
    header = {k.strip("# ").strip(): v.strip() for k, _, v in
              (line.partition(":") for line in path.read_text().splitlines() if line.startswith("#"))}
    kind = header.get("hnl_type", "").split()[0].lower() if header.get("hnl_type") else ""
    if kind in ("dirac", "majorana"):
        assert entry.model.endswith("-dirac") == (kind == "dirac"), (entry.model, header["hnl_type"])
    assert header.get("cl", "90%").startswith("90") and (entry.cl or cfg.statistics.cl) == pytest.approx(0.9)


@pytest.mark.parametrize("name", NEW)
def test_reach_has_signal_inside_the_excluded_region(name):
    model, mass, u2, channels = INSIDE[name]
    assert _events(name, model, mass, u2, channels) > 2.3


def test_bebc_events_scale_as_u4_far_below_the_lower_edge():
    # production ∝ U^2 and, for decay lengths >> 404 m, decay probability ∝ U^2
    n1 = _events("bebc", "hnl-e-dirac", 1.0, 1e-10, None)
    n2 = _events("bebc", "hnl-e-dirac", 1.0, 2e-10, None)
    assert n1 > 0 and n2 / n1 == pytest.approx(4.0, rel=1e-3)


def test_majorana_doubles_the_decay_probability_below_the_lower_edge():
    # same production, twice the width (both charge conjugates): twice the events at small U^2
    dirac = _events("bebc", "hnl-tau-dirac", 1.2, 1e-10, None)
    majorana = _events("bebc", "hnl-tau", 1.2, 1e-10, None)
    assert majorana / dirac == pytest.approx(2.0, rel=1e-2)
