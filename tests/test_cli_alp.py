"""The command line with the photon-coupled ALP: defaults that show the whole band, presets that
name their model, compare overlays."""

from __future__ import annotations

import csv
import subprocess
import sys
from pathlib import Path

import numpy as np


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "beamdump.cli", *args], capture_output=True, text=True)


def _band(path: Path) -> np.ndarray:
    rows = [r for r in csv.reader(l for l in path.open() if not l.startswith("#"))]
    assert rows[0] == ["mass_gev", "g_agg_lower", "g_agg_upper"]
    return np.array(rows[1:], dtype=float)


def test_reach_e137_alp_defaults_show_the_whole_band(tmp_path):
    out = tmp_path / "e137"
    r = run("reach", "e137", "--model", "alp-photon", "--out", str(out))
    assert r.returncode == 0, r.stderr
    band = _band(out / "contour.csv")
    text = (out / "contour.csv").read_text()
    assert "# model: alp-photon" in text and "channels: primakoff_shower" in text and "--final-state gg" in text
    # the band closes at its heavy end inside the default scan (the tip is found, not cut by the grid);
    # below ~0.6 MeV its upper edge is open at the physical bound g = 1 GeV^-1, and says so
    assert band[-1, 0] < 1.0
    closed = np.isfinite(band[:, 2])
    assert np.all(band[closed, 1] < band[closed, 2]) and closed[-1] and np.all(np.isfinite(band[:, 1]))
    assert "unclosed upper edge" in text and "the model's largest physical value" in text


def test_alp_preset_uses_its_own_model_and_compare_overlays_alp_bands(tmp_path):
    r = run("reach", "na64-alp-2020", "--masses", "0.005:0.05:6", "--out", str(tmp_path / "na64"))
    assert r.returncode == 0, r.stderr
    assert "# model: alp-photon" in (tmp_path / "na64" / "contour.csv").read_text()
    r = run("compare", "e137", "faser-alp-2024", "--model", "alp-photon", "--masses", "0.01:0.05:5",
            "--out", str(tmp_path / "cmp"))
    assert r.returncode == 0, r.stderr
    assert (tmp_path / "cmp" / "compare.png").stat().st_size > 0


def test_alp_final_state_on_a_vector_is_one_line():
    r = run("reach", "e137", "--final-state", "gg", "--masses", "0.01:0.1:3")
    assert r.returncode == 2
    assert len(r.stderr.strip().splitlines()) == 1 and "gg" in r.stderr
