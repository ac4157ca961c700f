"""The X17 question: intervals at the X17 masses, the design scan's physics, and the command."""

from __future__ import annotations

import csv
import json
import subprocess
import sys

import numpy as np
import pytest

from beamdump.engine.analysis import make_reach, run_reach
from beamdump.errors import BeamdumpInputError
from beamdump.experiments.experiment import load_experiment
from beamdump.studies.x17 import design_scan, excluded_interval, minimal_counts, x17_targets


def test_targets_come_from_the_data_file_with_sources():
    t = x17_targets()
    assert dict(t.masses) == {"8Be": 0.0167, "4He": 0.01694}
    assert t.band == (2e-4, 1.4e-3) and t.published == (1.2e-4, 6.8e-4)
    assert all(len(s) > 20 for s in t.sources)


def test_interval_at_one_mass_agrees_with_the_full_band():
    engine = make_reach(load_experiment("na64-2017"))
    band = run_reach(engine, masses=np.geomspace(0.012, 0.022, 9)).band
    lo, hi = excluded_interval(engine, 0.0167)
    blo, bhi = band.interval_at(0.0167)
    assert np.log10(lo / blo) == pytest.approx(0.0, abs=0.01)
    assert np.log10(hi / bhi) == pytest.approx(0.0, abs=0.01)
    assert excluded_interval(engine, 50.0) is None


def test_design_scan_physics():
    """A thinner dump reaches higher ε (the upper edge); more EOT reaches both lower and higher
    ε; the dump's shower containment grows with its length towards 1."""
    base = load_experiment("na64-x17-upgrade")
    lengths, counts = [15.0, 20.0, 30.0], [1e11, 1e12]
    pts = design_scan(base, lengths, counts, 0.0167)
    up = {(p.dump_length_x0, p.n_electrons): p.eps_upper for p in pts}
    lo = {(p.dump_length_x0, p.n_electrons): p.eps_lower for p in pts}
    for n in counts:
        assert up[(15.0, n)] > up[(20.0, n)] > up[(30.0, n)]
    for length in lengths:
        assert up[(length, 1e12)] > up[(length, 1e11)]
        assert lo[(length, 1e12)] < lo[(length, 1e11)]
    cont = sorted({(p.dump_length_x0, p.containment) for p in pts})
    assert cont[0][1] < cont[1][1] < cont[2][1] and cont[2][1] > 0.99
    need = minimal_counts(pts)
    assert set(need) == set(lengths)
    with pytest.raises(BeamdumpInputError, match="combines runs"):
        design_scan(load_experiment("na64-2017-2018"), lengths, counts, 0.0167)
    with pytest.raises(BeamdumpInputError, match="electron"):
        design_scan(load_experiment("nucal"), lengths, counts, 0.0167)


def test_x17_command_writes_its_outputs(tmp_path):
    r = subprocess.run(
        [sys.executable, "-m", "beamdump.cli", "x17", "--out", str(tmp_path), "--experiment", "na64-2017",
         "--experiment", "na64-2017-2018", "--dump-lengths", "15:30:4", "--eot", "1e10:1e12:5"],
        capture_output=True, text=True,
    )
    assert r.returncode == 0, r.stderr
    for name in ("x17_intervals.csv", "x17.png", "design_scan.csv", "design_scan.png", "run.json"):
        assert (tmp_path / name).stat().st_size > 0
    with (tmp_path / "x17_intervals.csv").open() as f:
        rows = list(csv.DictReader(ln for ln in f if not ln.startswith("#")))
    assert {(r["experiment"], r["x17"]) for r in rows} == {
        (e, x) for e in ("na64-2017", "na64-2017-2018") for x in ("8Be", "4He")
    }
    with (tmp_path / "design_scan.csv").open() as f:
        scan = list(csv.DictReader(ln for ln in f if not ln.startswith("#")))
    assert len(scan) == 4 * 5
    meta = json.loads((tmp_path / "run.json").read_text())
    assert meta["design_base"] == "na64-x17-upgrade"


def test_x17_command_refuses_proton_presets(tmp_path):
    r = subprocess.run([sys.executable, "-m", "beamdump.cli", "x17", "--out", str(tmp_path), "--experiment", "nucal"],
                       capture_output=True, text=True)
    assert r.returncode == 2 and "not electron-beam presets" in r.stderr and "Traceback" not in r.stderr


def test_x17_command_edge_cases(tmp_path):
    """One dump length and a combined or proton design base: outputs or one clear line, no traceback."""
    run = lambda *a: subprocess.run([sys.executable, "-m", "beamdump.cli", "x17", "--out", str(tmp_path), *a],
                                    capture_output=True, text=True)
    r = run("--experiment", "na64-2017", "--dump-lengths", "20:20:1", "--eot", "1e11:1e12:3")
    assert r.returncode == 0, r.stderr
    assert (tmp_path / "design_scan.png").exists()
    for base, words in (("na64-2017-2018", "combines runs"), ("nucal", "electron"), ("e137", "target_length")):
        r = run("--experiment", "na64-2017", "--design-base", base)
        assert r.returncode == 2 and words in r.stderr and "Traceback" not in r.stderr
    r = run("--dump-lengths", "inf:inf:2")
    assert r.returncode == 2 and "--dump-lengths" in r.stderr
