"""Presets: every shipped one loads, cites its numbers, and `extends` builds projections from them."""

import pytest
from pydantic import BaseModel

from beamdump.errors import BeamdumpInputError
from beamdump.experiments.config import CombinedConfig, ExperimentConfig, Quantity
from beamdump.experiments.experiment import CombinedExperiment, load_experiment, preset_names


def _quantities(model, path=""):
    for name, value in model:
        where = f"{path}.{name}" if path else name
        if isinstance(value, Quantity):
            yield where, value
        elif isinstance(value, BaseModel):
            yield from _quantities(value, where)
        elif isinstance(value, (list, dict)):
            items = value.items() if isinstance(value, dict) else enumerate(value)
            for k, v in items:
                if isinstance(v, BaseModel):
                    yield from _quantities(v, f"{where}[{k}]")


@pytest.mark.parametrize("name", preset_names())
def test_every_number_of_every_preset_has_a_source(name):
    cfg = load_experiment(name).config
    assert isinstance(cfg, (ExperimentConfig, CombinedConfig))
    found = list(_quantities(cfg))
    # a combined preset holds only its statistics; its runs' numbers are checked as presets
    assert len(found) >= (1 if isinstance(cfg, CombinedConfig) else 6)
    for where, q in found:
        assert len(q.source.strip()) >= 5, f"{name}: {where} has no source"


def test_new_presets_exist():
    assert {"ship", "darkquest", "darkquest-phase2", "nucal", "na62-dump-1e18"} <= set(preset_names())
    ship = load_experiment("ship")
    assert ship.n_beam == 6e20 and ship.beam_energy == 400.0
    assert type(ship.volume).__name__ == "Frustum"


def test_extends_overrides_only_what_it_sets(tmp_path):
    f = tmp_path / "thin.toml"
    f.write_text(
        'extends = "na62-dump-2021"\nname = "na62-more"\nvalidation = []\n'
        '[beam]\nn_particles = { value = 5e18, source = "what if" }\n'
    )
    base, more = load_experiment("na62-dump-2021"), load_experiment(f)
    assert more.n_beam == 5e18 and more.beam_energy == base.beam_energy
    assert more.volume == base.volume and more.config.channels == base.config.channels
    assert more.config.validation == [] and base.config.validation


def test_extends_chain_and_errors(tmp_path):
    a, b = tmp_path / "a.toml", tmp_path / "b.toml"
    a.write_text('extends = "b.toml"\n')
    b.write_text('extends = "a.toml"\n')
    with pytest.raises(BeamdumpInputError, match="extends itself"):
        load_experiment(a)
    c = tmp_path / "c.toml"
    c.write_text('extends = "no-such-preset"\n')
    with pytest.raises(BeamdumpInputError, match="does not exist"):
        load_experiment(c)
    d = tmp_path / "d.toml"
    d.write_text('extends = "darkquest"\n[decay_volume]\nz_end = { value = 4.0, source = "bad" }\n')
    with pytest.raises(BeamdumpInputError, match="z_end|z_start"):
        load_experiment(d)


def test_combined_preset_loads_its_runs_and_combines_the_limit():
    both = load_experiment("na64-2017-2018")
    assert isinstance(both, CombinedExperiment)
    assert [p.name for p in both.parts] == ["na64-2017", "na64-2018"]
    assert both.n_beam == pytest.approx(5.4e10 + 3.0e10)
    assert both.limit.signal_rel_unc == pytest.approx(max(p.limit.signal_rel_unc for p in both.parts))
    assert both.particle == "electron"


def test_combined_preset_errors(tmp_path):
    stats = '[statistics]\nobserved = { value = 0, source = "none seen" }\nbackground = { value = 0.0, source = "none" }\n'
    head = 'title = "t"\ndescription = "d"\nstatus = "projection"\nreferences = ["r"]\nfinal_states = ["ee"]\n'
    mixed = tmp_path / "mixed.toml"
    mixed.write_text('name = "mixed"\n' + head + 'combine = ["na64-2017", "e137"]\n' + stats)
    assert isinstance(load_experiment(mixed), CombinedExperiment)  # both electron beams analysing ee
    protons = tmp_path / "protons.toml"
    protons.write_text('name = "protons"\n' + head + 'combine = ["na64-2017", "nucal"]\n' + stats)
    with pytest.raises(BeamdumpInputError, match="mix beam particles"):
        load_experiment(protons)
    twice = tmp_path / "twice.toml"
    twice.write_text('name = "twice"\n' + head + 'combine = ["na64-2017", "na64-2017"]\n' + stats)
    with pytest.raises(BeamdumpInputError, match="twice"):
        load_experiment(twice)
    selfish = tmp_path / "selfish.toml"
    selfish.write_text('name = "selfish"\n' + head + 'combine = ["na64-2017", "selfish.toml"]\n' + stats)
    with pytest.raises(BeamdumpInputError, match="includes itself"):
        load_experiment(selfish)


def test_aperture_and_energy_variants_scale_what_they_say():
    from beamdump.experiments.experiment import load_experiment
    from beamdump.experiments.variants import with_aperture, with_energy_threshold

    cfg = load_experiment("nucal").config
    wide = with_aperture(cfg, 2.0)
    assert wide.decay_volume.radius.value == 2.0 * cfg.decay_volume.radius.value
    assert wide.detector.planes[0].r_outer.value == 2.0 * cfg.detector.planes[0].r_outer.value
    assert wide.detector.planes[0].r_inner.value == cfg.detector.planes[0].r_inner.value  # holes stay
    hot = with_energy_threshold(cfg, 1.5)
    assert hot.detector.min_energy_sum.value == 1.5 * cfg.detector.min_energy_sum.value
    with pytest.raises(BeamdumpInputError, match="aperture factor"):
        with_aperture(cfg, -1.0)


def test_a_child_preset_cannot_keep_its_parents_source_for_a_new_value(tmp_path):
    from beamdump.experiments.experiment import load_experiment

    path = tmp_path / "more.toml"
    path.write_text('extends = "na62-dump-2021"\nname = "more"\n[beam]\nn_particles = { value = 5e18 }\n')
    with pytest.raises(BeamdumpInputError, match="beam.n_particles: the value is overridden without a source"):
        load_experiment(path)
    path.write_text('extends = "na62-dump-2021"\nname = "more"\n[beam]\nn_particles = { value = 5e18, source = "a design" }\n')
    assert load_experiment(path).n_beam == 5e18
