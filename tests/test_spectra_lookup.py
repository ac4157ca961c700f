"""Meson tables at any beam energy: a reach takes the shipped table, else one that `beamdump spectra
generate` cached with the same physics settings, else fails on one line naming the command that
makes it; shower tables are simulated at any energy and material of a preset. Every test points
BEAMDUMP_CACHE_DIR at its own folder."""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from beamdump.cli import app
from beamdump.engine.analysis import make_reach, run_reach
from beamdump.errors import BeamdumpInputError, CacheError
from beamdump.experiments.experiment import CombinedExperiment, Experiment, load_experiment, preset_names
from beamdump.production.electron_brems import default_shower_settings
from beamdump.sources import meson_generator as gen, shipped_spectra as shipped, shower_cascade
from beamdump.sources.meson_table import MesonSpectra
from beamdump.sources.shower_table import ShowerSettings
from beamdump.sources.spectra_lookup import find_cached, same_physics, spectra_cache
from beamdump.sources.spectrum_settings import SpectrumSettings

PRESET_85 = """extends = "nucal"
name = "nucal-85"
validation = []
[beam]
energy_gev = { value = 85.0, source = "test: a beam energy with no shipped meson table" }
"""


@pytest.fixture
def cache(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """An empty cache folder of this test's own."""
    monkeypatch.setenv("BEAMDUMP_CACHE_DIR", str(tmp_path / "cache"))
    return tmp_path / "cache"


def preset_85(tmp_path: Path) -> Path:
    path = tmp_path / "nucal85.toml"
    path.write_text(PRESET_85)
    return path


def table(settings: SpectrumSettings, per_bin: int = 1) -> MesonSpectra:
    """A table of ``per_bin`` counts in every bin (no generator): stands in for Pythia's."""
    lt, lp = settings.log10_theta_edges(), settings.log10_p_edges()
    counts = np.full((len(settings.pdg_ids), lt.size - 1, lp.size - 1), per_bin, np.int64)
    return MesonSpectra(settings, settings.pdg_ids, lt, lp, counts / settings.n_events, counts, settings.n_events,
                        {"note": "test table"})


def put(t: MesonSpectra) -> Path:
    """Save a table in the cache where cached_spectra would."""
    return t.save(spectra_cache() / f"{t.settings.key()}.npz")


def error_line(call) -> str:
    with pytest.raises(BeamdumpInputError) as info:
        call()
    text = str(info.value)
    assert "\n" not in text
    return text


# ---------------------------------------------------------------- a preset at a non-shipped energy
def test_a_generated_85_gev_table_is_used_by_reach(cache: Path, tmp_path: Path) -> None:
    """nu-Cal at 85 GeV: no shipped table, so the reach names the command; after a small Pythia
    run (2000 events) it uses that table, whose π0 yield lies between the shipped 70 and 120 GeV
    ones, and its band reaches lower and higher couplings than nu-Cal's 70 GeV (more and harder mesons)."""
    exp = load_experiment(preset_85(tmp_path))
    line = error_line(lambda: make_reach(exp, channels=["pi0", "eta"]))
    assert "beamdump spectra generate --beam-energy 85`" in line and str(cache / "spectra") in line

    made = gen.cached_spectra(SpectrumSettings(beam_energy_gev=85.0, n_events=2000, chunk_size=2000), workers=0,
                              progress=False)
    reach = make_reach(exp, channels=["pi0", "eta"])
    assert {c.spectra.settings.key() for c in reach.channels} == {made.settings.key()}
    assert reach.channels[0].spectra.n_events == 2000
    pi0 = [shipped.default_spectra(e).multiplicity(111) for e in (70.0, 85.0, 120.0)]
    assert pi0[0] < pi0[1] < pi0[2]

    masses, couplings = np.geomspace(0.02, 0.5, 9), np.geomspace(1e-9, 1e-4, 51)
    band_85 = run_reach(reach, masses, couplings).band
    band_70 = run_reach(make_reach(load_experiment("nucal"), channels=["pi0", "eta"]), masses, couplings).band
    assert np.all(band_85.lower < band_70.lower) and np.all(band_85.upper > band_70.upper)


def test_reach_cli_without_the_table_is_one_line(tmp_path: Path) -> None:
    env = dict(os.environ, BEAMDUMP_CACHE_DIR=str(tmp_path / "cache"))
    r = subprocess.run([sys.executable, "-m", "beamdump.cli", "reach", str(preset_85(tmp_path)), "--out", str(tmp_path / "out")],
                       capture_output=True, text=True, env=env)
    assert r.returncode == 2, (r.stdout, r.stderr)
    err = r.stderr.strip().splitlines()
    assert len(err) == 1 and "beamdump spectra generate --beam-energy 85" in err[0], r.stderr


# ---------------------------------------------------------------- the command of the error message
@pytest.mark.parametrize("call", [
    lambda: shipped.default_spectra(85.0),
    lambda: shipped.nuclear_spectra(450.0, "Cu"),
    lambda: shipped.nuclear_spectra(120.0, "Fe", cascade=True),  # the first collision is shipped
    lambda: shipped.nuclear_spectra(450.0, "Cu", cascade=True),  # both missing: two commands
    lambda: shipped.collider_spectra(900.0, "default"),
], ids=["nucleon", "nucleus", "cascade", "nucleus+cascade", "collider"])
def test_the_named_command_makes_the_named_file(cache: Path, monkeypatch: pytest.MonkeyPatch, call) -> None:
    """Run each command the error names (Pythia replaced by a stand-in table): it writes exactly
    the file the error names, and the lookup then finds it."""
    line = error_line(call)
    commands = re.findall(r"`beamdump (spectra generate [^`]*)`", line)
    paths = re.findall(r"cached as (\S+\.npz)", line)
    assert commands and len(commands) == len(paths) == len(re.findall(r"~[\d.]+ (?:s|min|h) on 2 cores at ~\d+ events/s/core", line))
    monkeypatch.setattr(gen, "generate", lambda settings, **_: table(settings))
    for command, path in zip(commands, paths):
        result = CliRunner().invoke(app, shlex.split(command))
        assert result.exit_code == 0, result.output
        assert Path(path).exists()
    call()  # found now
    for path in paths:
        made = MesonSpectra.load(path)
        assert made.n_events == 100_000 and find_cached(made.settings).settings.key() == Path(path).stem


def test_nucleus_tables_state_their_missing_fit_and_slower_rate(cache: Path) -> None:
    line = error_line(lambda: shipped.nuclear_spectra(450.0, "Cu"))
    assert "--beam-energy 450 --target Cu`" in line and "~1000 events/s/core plus Angantyr fits" in line
    assert "no shipped table for 450 GeV p on Cu" in line and "pythia8_p400gev_Cu.npz" in line


# ---------------------------------------------------------------- which cached table
def test_lookup_matches_physics_and_prefers_statistics(cache: Path) -> None:
    base = SpectrumSettings(beam_energy_gev=85.0, n_events=1000, seed=1, chunk_size=1000)
    small = put(table(base, 1))
    big_other_pythia = put(table(replace(base, n_events=3000, seed=2, pythia_version="8.310"), 2))
    # the most events, but damaged after its metadata was written: skipped with a warning
    damaged = put(table(replace(base, n_events=9000, seed=3), 3))
    with np.load(damaged) as z:
        arrays = {k: z[k] for k in z.files}
    arrays["yields"] = arrays["yields"] * 2.0
    with open(damaged, "wb") as f:
        np.savez_compressed(f, **arrays)
    # other physics: never taken, however large
    for other in (dict(bin_width=0.1), dict(target="pp"), dict(beam_energy_gev=86.0), dict(count_feed_down=True),
                  dict(pythia_options=("Tune:pp = 14",))):
        put(table(replace(base, n_events=50_000, **other), 4))
    (spectra_cache() / "not-a-file.npz").mkdir()  # an unreadable "file"
    (spectra_cache() / "garbage.npz").write_bytes(b"not a zip")

    with pytest.warns(RuntimeWarning) as record:
        found = shipped.default_spectra(85.0)
    assert found.n_events == 3000 and found.settings.pythia_version == "8.310"
    assert found.counts.max() == 2
    warned = " ".join(str(w.message) for w in record)
    assert damaged.name in warned and "not-a-file.npz" in warned and "garbage.npz" in warned
    assert small.exists() and big_other_pythia.exists()
    assert same_physics(base, replace(base, n_events=5, seed=9, chunk_size=5, pythia_version="x"))
    assert not same_physics(base, replace(base, log10_theta_max=-1.0))


def test_a_shipped_table_wins_over_a_cached_one(cache: Path) -> None:
    put(table(SpectrumSettings(beam_energy_gev=400.0, n_events=10_000_000, chunk_size=25_000)))
    assert shipped.default_spectra(400.0).metadata["pythia_version"] == "8.317.2"


def test_a_file_shaped_cache_warns_and_carries_on(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    blocker = tmp_path / "cache"
    blocker.write_text("a file where the cache folder should be")
    monkeypatch.setenv("BEAMDUMP_CACHE_DIR", str(blocker))
    with pytest.warns(RuntimeWarning, match="not read"):
        line = error_line(lambda: shipped.default_spectra(85.0))
    assert "beamdump spectra generate --beam-energy 85" in line
    monkeypatch.setattr(gen, "generate", lambda settings, **_: table(settings, 5))
    with pytest.warns(RuntimeWarning, match="not cached"):
        made = gen.cached_spectra(SpectrumSettings(beam_energy_gev=85.0, n_events=100))
    assert made.counts.max() == 5 and blocker.is_file()
    with pytest.warns(RuntimeWarning, match="not read"):
        assert find_cached(made.settings) is None


def test_list_shows_generated_tables(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BEAMDUMP_CACHE_DIR", str(tmp_path))
    path = put(table(SpectrumSettings(beam_energy_gev=85.0, n_events=1234, target="pp")))
    r = subprocess.run([sys.executable, "-m", "beamdump.cli", "list"], capture_output=True, text=True,
                       env=dict(os.environ, BEAMDUMP_CACHE_DIR=str(tmp_path)))
    assert r.returncode == 0, r.stderr
    assert "Shipped meson tables" in r.stdout and "pythia8_p400gev.npz" in r.stdout
    lines = [ln for ln in r.stdout.splitlines() if str(path) in ln]
    assert len(lines) == 1 and "85 GeV p on pp" in lines[0] and "1.23e+03 collisions" in lines[0]


# ---------------------------------------------------------------- shower tables
def electron_presets() -> list[Experiment]:
    runs = [load_experiment(n) for n in preset_names()]
    runs = [p for r in runs for p in (r.parts if isinstance(r, CombinedExperiment) else [r])]
    return [r for r in runs if r.config.beam.particle == "electron"]


@pytest.mark.parametrize("exp", electron_presets(), ids=lambda e: e.name)
def test_every_electron_preset_has_a_shower_table_setting(exp: Experiment) -> None:
    """The default shower table exists for the energy and material of every electron preset,
    tracked well below the beam energy."""
    s = default_shower_settings(exp.beam_energy, exp.config.beam.target)
    assert s.beam_energy == exp.beam_energy and s.e_min <= s.beam_energy / 100


def test_a_shower_table_is_simulated_at_a_new_energy_and_material(cache: Path, tmp_path: Path) -> None:
    """E137 moved to 13 GeV on lead: the table is simulated, cached under its key, conserves the
    beam energy (deposit + escaping = E0) and gives a band."""
    path = tmp_path / "e137_lead.toml"
    path.write_text('extends = "e137"\nname = "e137-lead-13"\nvalidation = []\n[beam]\ntarget = "lead"\n'
                    'energy_gev = { value = 13.0, source = "test: no cached shower table" }\n')
    reach = make_reach(load_experiment(path))
    shower = reach.channels[0].table
    assert shower.settings == default_shower_settings(13.0, "lead")
    assert (cache / "em_shower" / f"{shower.settings.key()}.npz").exists()
    total = shower.deposit.sum() + shower.escaped["electrons"] + shower.escaped["photons"]
    assert total == pytest.approx(13.0, rel=1e-9)
    band = run_reach(reach, np.geomspace(0.002, 0.05, 5), np.geomspace(1e-9, 1e-4, 51)).band
    assert np.any(np.isfinite(band.lower))


def test_a_failing_shower_simulation_says_what_how_big_and_where(cache: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def out_of_memory(settings):
        raise MemoryError("cannot allocate")

    monkeypatch.setattr(shower_cascade, "simulate", out_of_memory)
    s = ShowerSettings(material="lead", beam_energy=37.0, e_min=0.1, n_showers=1234)
    with pytest.raises(CacheError) as info:
        shower_cascade.cached_table(s)
    text = str(info.value)
    assert "\n" not in text and "1234 showers of 37 GeV e- in lead" in text and "4.6e+05 particles" in text
    assert str(cache / "em_shower" / f"{s.key()}.npz") in text and "MemoryError" in text


def test_a_file_shaped_cache_still_gives_the_shower(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    blocker = tmp_path / "cache"
    blocker.write_text("")
    monkeypatch.setenv("BEAMDUMP_CACHE_DIR", str(blocker))
    s = ShowerSettings(material="lead", beam_energy=2.0, e_min=0.05, n_showers=20)
    with pytest.warns(RuntimeWarning, match="not cached"):
        t = shower_cascade.cached_table(s)
    assert t.deposit.sum() + t.escaped["electrons"] + t.escaped["photons"] == pytest.approx(2.0, rel=1e-9)
